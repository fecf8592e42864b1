import { PasticheError } from "../errors.js";

/** How a loader fetches: the global `fetch` by default; tests and apps may pass their own. */
export type FetchLike = (
  url: string,
  init?: { signal?: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  statusText?: string;
  /** The response body. */
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

export interface FetchBytesOptions {
  readonly fetch?: FetchLike;
  /** Subresource-integrity string, e.g. "sha256-<base64>" (sha256/384/512); checked with WebCrypto. */
  readonly integrity?: string;
  readonly signal?: AbortSignal;
}

const SRI_ALGORITHMS: Record<string, string> = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Fetches one file's bytes; DOWNLOAD_FAILED / HASH_MISMATCH / ABORTED name the URL. */
export async function fetchBytes(url: string, options: FetchBytesOptions = {}): Promise<Uint8Array> {
  const fetchFn: FetchLike | undefined = options.fetch ?? (typeof globalThis.fetch === "function" ? globalThis.fetch : undefined);
  if (!fetchFn) throw new PasticheError("DOWNLOAD_FAILED", `${url}: no fetch available; pass options.fetch`);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    const response = await fetchFn(url, options.signal ? { signal: options.signal } : undefined);
    if (!response.ok) throw new PasticheError("DOWNLOAD_FAILED", `${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    if (e instanceof PasticheError) throw e;
    if (options.signal?.aborted) throw new PasticheError("ABORTED", `${url}: download aborted`, { cause: e });
    throw new PasticheError("DOWNLOAD_FAILED", `${url}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (options.integrity !== undefined) await checkIntegrity(url, bytes, options.integrity);
  return bytes;
}

async function checkIntegrity(url: string, bytes: Uint8Array<ArrayBuffer>, integrity: string): Promise<void> {
  const match = /^(sha256|sha384|sha512)-([A-Za-z0-9+/=]+)$/.exec(integrity.trim());
  if (!match) throw new PasticheError("INVALID_OPTION", `${url}: integrity "${integrity}" is not of the form sha256-<base64>`);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest(SRI_ALGORITHMS[match[1]!]!, bytes));
  const actual = `${match[1]}-${toBase64(digest)}`;
  if (actual !== `${match[1]}-${match[2]}`) throw new PasticheError("HASH_MISMATCH", `${url}: integrity mismatch (expected ${integrity}, got ${actual})`);
}
