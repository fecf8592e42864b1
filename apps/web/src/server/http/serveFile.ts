import { Readable } from "node:stream";
import { ID_PATTERN } from "../../shared/ids";
import type { BlobKind, BlobStore } from "../storage/blobs/blobStore";
import { API_HEADERS } from "./apiHeaders";

export function notFound(what: string): Response {
  return new Response(`${what} not found\n`, { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", ...API_HEADERS } });
}

/** The id from a route's params if it has the shape of our ids (nothing path-like gets further). */
export function validId(id: string): string | undefined {
  return ID_PATTERN.test(id) ? id : undefined;
}

/** Streams a blob (a chunk at a time as the response drains); 404 if it is gone. */
export async function serveBlob(
  blobs: BlobStore,
  kind: BlobKind,
  id: string,
  contentType: string,
  headers: Record<string, string> = {},
  what = "File",
): Promise<Response> {
  const blob = await blobs.stream(kind, id);
  if (!blob) return notFound(what);
  const body = Readable.toWeb(blob.body) as ReadableStream<Uint8Array>;
  return new Response(body, { headers: { "Content-Type": contentType, "Content-Length": String(blob.size), ...API_HEADERS, ...headers } });
}

export const IMMUTABLE = { "Cache-Control": "public, max-age=31536000, immutable" };
/** A visitor's own files: the browser may keep them, shared caches (proxies) may not. */
export const PRIVATE_IMMUTABLE = { "Cache-Control": "private, max-age=31536000, immutable" };
export const NO_STORE = { "Cache-Control": "no-store" };
