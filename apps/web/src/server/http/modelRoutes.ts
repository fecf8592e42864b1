/**
 * GET /api/models/manifest.json and GET /api/models/files/<sha256>/<name>: the Fast model files for
 * in-browser stylisation. No visitor state is involved. A file is served only when both its hash and
 * its name are those of a manifest entry, from the bytes that were hashed: nothing in the request
 * becomes a path.
 */
import { modelManifestFor } from "../models/modelManifest";
import { API_HEADERS } from "./apiHeaders";
import { IMMUTABLE, notFound } from "./serveFile";

const MANIFEST_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache", ...API_HEADERS };

/** The manifest; 304 when the browser's copy (If-None-Match) is current, 404 when the Fast models are not installed. */
export async function serveModelManifest(req: Request, modelsDir: string | undefined): Promise<Response> {
  const built = await modelManifestFor(modelsDir);
  if (!built) return notFound("Fast models are not installed on this server; model manifest");
  const headers = { ...MANIFEST_HEADERS, ETag: built.etag };
  const ifNoneMatch = req.headers.get("if-none-match");
  if (ifNoneMatch !== null && ifNoneMatch.split(",").some((tag) => tag.trim() === built.etag)) return new Response(null, { status: 304, headers });
  return new Response(req.method === "HEAD" ? null : built.json, { headers: { ...headers, "Content-Length": String(Buffer.byteLength(built.json)) } });
}

/** One model file by content address; the URL never changes for the same bytes, so it may be cached for a year. */
export async function serveModelFile(req: Request, modelsDir: string | undefined, sha256: string, name: string): Promise<Response> {
  const built = await modelManifestFor(modelsDir);
  const file = built?.files.find((f) => f.sha256 === sha256 && f.entry.name === name);
  if (!file) return notFound("Model file");
  const headers = { "Content-Type": "application/octet-stream", "Content-Length": String(file.data.length), ETag: `"${sha256}"`, ...API_HEADERS, ...IMMUTABLE };
  return new Response(req.method === "HEAD" ? null : new Uint8Array(file.data), { headers });
}
