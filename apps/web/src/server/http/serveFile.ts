import { openAsBlob } from "node:fs";
import { ID_PATTERN } from "../../shared/ids";
import { API_HEADERS } from "./apiHeaders";

export function notFound(what: string): Response {
  return new Response(`${what} not found\n`, { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", ...API_HEADERS } });
}

/** The id from a route's params if it has the shape of our ids (nothing path-like gets further). */
export function validId(id: string): string | undefined {
  return ID_PATTERN.test(id) ? id : undefined;
}

/** Streams a file from the data directory (the path is built from a checked id); 404 if it is gone. */
export async function serveFile(file: string, contentType: string, headers: Record<string, string> = {}, what = "File"): Promise<Response> {
  try {
    const blob = await openAsBlob(file, { type: contentType });
    return new Response(blob, { headers: { "Content-Type": contentType, "Content-Length": String(blob.size), ...API_HEADERS, ...headers } });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return notFound(what);
    throw e;
  }
}

export const IMMUTABLE = { "Cache-Control": "public, max-age=31536000, immutable" };
/** A visitor's own files: the browser may keep them, shared caches (proxies) may not. */
export const PRIVATE_IMMUTABLE = { "Cache-Control": "private, max-age=31536000, immutable" };
export const NO_STORE = { "Cache-Control": "no-store" };
