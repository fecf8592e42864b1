/**
 * Upload bodies are limited before they are read whole: a declared Content-Length over the limit is
 * refused without reading, and a body without one (chunked) is counted as it streams and dropped as
 * soon as it passes the limit. Either way the refusal reaches the client as the upload procedure's
 * PAYLOAD_TOO_LARGE error.
 */
import { TRPCError } from "@trpc/server";
import { formatBytes, tooManyBytes } from "../storage/uploads";

/** Room for the multipart framing around the file (boundaries, part headers, the role field). */
export const MULTIPART_OVERHEAD = 64 * 1024;

export type LimitedBody = { ok: true; request: Request } | { ok: false; refusal: TRPCError; request: Request };

function refused(req: Request, bytes: number | null, maxFileBytes: number): LimitedBody {
  const e = tooManyBytes(bytes, maxFileBytes);
  // The procedure throws the refusal before it reads its input, so an empty form stands in for the body.
  return {
    ok: false,
    refusal: new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: e.message, cause: e }),
    request: new Request(req.url, { method: req.method, body: new FormData() }),
  };
}

export async function limitBody(req: Request, maxFileBytes: number): Promise<LimitedBody> {
  const max = maxFileBytes + MULTIPART_OVERHEAD;
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > max) return refused(req, declared > maxFileBytes + MULTIPART_OVERHEAD ? declared : null, maxFileBytes);
  if (!req.body) return { ok: true, request: req };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel(`the upload is over the limit of ${formatBytes(maxFileBytes)}`);
      return refused(req, null, maxFileBytes);
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
