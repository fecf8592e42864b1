/**
 * The binary endpoints (Next route handlers delegate here so tests can call them directly).
 * Every id is checked for shape and then looked up in the database for this visitor: another
 * visitor's image, result or preview answers exactly like an id that does not exist. The file path
 * comes from the id, never from the request.
 */
import type { PasticheApp } from "../app";
import { IMMUTABLE, NO_STORE, notFound, PRIVATE_IMMUTABLE, serveFile, validId } from "./serveFile";

const IMAGE_TYPES = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp", tiff: "image/tiff" } as const;

/** GET /api/images/:id (?thumb=1): the visitor's own uploads and the shared example styles. */
export function serveImage(app: PasticheApp, owner: string, rawId: string, url: URL): Promise<Response> {
  const id = validId(rawId);
  const row = id !== undefined ? app.uploads.visible(id, owner) : undefined;
  if (!row) return Promise.resolve(notFound("Image"));
  // Shared caches may keep example styles; a visitor's own images only the browser.
  const cache = row.example_key !== null ? IMMUTABLE : PRIVATE_IMMUTABLE;
  if (url.searchParams.get("thumb") === "1") return serveFile(app.paths.thumbnail(row.id), "image/jpeg", cache, "Image");
  return serveFile(app.paths.upload(row.id), IMAGE_TYPES[row.format], cache, "Image");
}

export function serveResult(app: PasticheApp, owner: string, rawId: string, url: URL): Promise<Response> {
  const id = validId(rawId);
  const row = id !== undefined ? app.jobs.own(id, owner) : undefined;
  if (!row?.has_result) return Promise.resolve(notFound("Result"));
  const headers: Record<string, string> = { ...PRIVATE_IMMUTABLE };
  if (url.searchParams.get("download") === "1") headers["Content-Disposition"] = `attachment; filename="pastiche-${row.id.slice(0, 8)}.png"`;
  return serveFile(app.paths.result(row.id), "image/png", headers, "Result");
}

export function servePreview(app: PasticheApp, owner: string, rawId: string): Promise<Response> {
  const id = validId(rawId);
  const row = id !== undefined ? app.jobs.own(id, owner) : undefined;
  if (!row || row.preview_version === 0) return Promise.resolve(notFound("Preview"));
  return serveFile(app.paths.preview(row.id), "image/jpeg", NO_STORE, "Preview");
}

/** GET /api/shared/:token: a published result, for anyone with the link (and nothing else). */
export function serveShared(app: PasticheApp, rawToken: string): Promise<Response> {
  const token = validId(rawToken);
  const row = token !== undefined ? app.jobs.shared(token) : undefined;
  if (!row) return Promise.resolve(notFound("Result"));
  // Unpublishing must take effect: no long-lived caching; other sites may embed the image.
  return serveFile(app.paths.result(row.id), "image/png", { "Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin" }, "Result");
}
