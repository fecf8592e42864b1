import { BrowserStylizeError } from "./errors.ts";

/** One model file as listed in the manifest (see apps/web/src/server/models/modelManifest.ts). */
export interface ManifestFile {
  readonly name: string;
  /** Relative to the manifest's own URL. */
  readonly url: string;
  /** Subresource-integrity hash, e.g. "sha256-<base64>". */
  readonly integrity: string;
  readonly bytes: number;
}

export interface ModelManifest {
  readonly version: 1;
  readonly fast: { readonly predictor: ManifestFile; readonly transfer: ManifestFile };
}

/** Cache API store for model files; the URLs are content-addressed, so entries never go stale. */
const CACHE_NAME = "pastiche-models-v1";

function fetchError(url: string, detail: string, cause?: unknown): BrowserStylizeError {
  return new BrowserStylizeError("MODEL_FETCH", `${url}: ${detail}`, cause === undefined ? undefined : { cause });
}

export async function fetchManifest(manifestUrl: string | URL, signal?: AbortSignal): Promise<{ manifest: ModelManifest; url: URL }> {
  const url = new URL(manifestUrl, globalThis.location?.href);
  let response: Response;
  try {
    response = await fetch(url, { signal: signal ?? null, cache: "no-cache" });
  } catch (e) {
    throw fetchError(url.href, `could not fetch the model manifest (${e instanceof Error ? e.message : String(e)})`, e);
  }
  if (!response.ok) throw fetchError(url.href, `the model manifest answered HTTP ${response.status}`);
  const manifest = (await response.json()) as ModelManifest;
  if (manifest.version !== 1 || !manifest.fast?.predictor?.url || !manifest.fast?.transfer?.url) {
    throw fetchError(url.href, "is not a version-1 model manifest with fast.predictor and fast.transfer");
  }
  return { manifest, url };
}

/**
 * A model file's bytes: from the Cache API when this URL was fetched before (a second visit
 * downloads nothing), else fetched with its integrity hash checked by the browser and stored.
 * Without `caches` (insecure origins, some private modes) the HTTP cache does the same job,
 * since the files are served immutable.
 */
export async function fetchModelFile(file: ManifestFile, base: URL, signal?: AbortSignal): Promise<ArrayBuffer> {
  const url = new URL(file.url, base).href;
  const cache = typeof caches === "undefined" ? undefined : await caches.open(CACHE_NAME).catch(() => undefined);
  const cached = await cache?.match(url);
  if (cached) return cached.arrayBuffer();
  let response: Response;
  try {
    response = await fetch(url, { integrity: file.integrity, signal: signal ?? null });
  } catch (e) {
    // An integrity mismatch surfaces as a TypeError from fetch itself.
    throw fetchError(url, `download failed or its integrity (${file.integrity}) did not match (${e instanceof Error ? e.message : String(e)})`, e);
  }
  if (!response.ok) throw fetchError(url, `answered HTTP ${response.status}`);
  if (cache) await cache.put(url, response.clone()).catch(() => undefined);
  return response.arrayBuffer();
}
