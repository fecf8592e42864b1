/**
 * Request bodies are limited before they are read whole: a declared Content-Length over the limit is
 * refused without reading, and a body without one (chunked), or one that lies, is counted as it
 * streams and dropped as soon as it passes the limit. Either way the refusal reaches the client as
 * the procedure's PAYLOAD_TOO_LARGE error.
 */
import { formatBytes } from "../storage/uploads";

/** Room for the multipart framing around the file (boundaries, part headers, the role field). */
export const MULTIPART_OVERHEAD = 64 * 1024;

/** `declared`: the Content-Length that was over the limit; null when the body was counted. */
export type LimitedBody = { ok: true; request: Request } | { ok: false; declared: number | null };

export async function limitBody(req: Request, maxBytes: number): Promise<LimitedBody> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, declared };
  if (!req.body) return { ok: true, request: req };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel(`the request body is over the limit of ${formatBytes(maxBytes)}`);
      return { ok: false, declared: null };
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, request: new Request(req.url, { method: req.method, headers: req.headers, body }) };
}
