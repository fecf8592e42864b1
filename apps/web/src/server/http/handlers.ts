/**
 * The binary endpoints (Next route handlers delegate here so tests can call them directly).
 * Every id is checked for shape and then looked up in the database for this visitor: another
 * visitor's image, result or preview answers exactly like an id that does not exist. The bytes come
 * from the blob store (the data directory, or PostgreSQL in cluster mode) by the id, never from a
 * path in the request.
 */
import type { PasticheApp } from "../app";
import { IMMUTABLE, NO_STORE, notFound, PRIVATE_IMMUTABLE, serveBlob, validId } from "./serveFile";

const IMAGE_TYPES = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp", tiff: "image/tiff" } as const;

/** GET /api/images/:id (?thumb=1): the visitor's own uploads and the shared example styles. */
export async function serveImage(app: PasticheApp, owner: string, rawId: string, url: URL): Promise<Response> {
  const id = validId(rawId);
  const row = id !== undefined ? await app.repo.uploads.visible(id, owner) : undefined;
  if (!row) return notFound("Image");
  // Shared caches may keep example styles; a visitor's own images only the browser.
  const cache = row.example_key !== null ? IMMUTABLE : PRIVATE_IMMUTABLE;
  if (url.searchParams.get("thumb") === "1") return serveBlob(app.blobs, "thumbnail", row.id, "image/jpeg", cache, "Image");
  return serveBlob(app.blobs, "upload", row.id, IMAGE_TYPES[row.format], cache, "Image");
}

export async function serveResult(app: PasticheApp, owner: string, rawId: string, url: URL): Promise<Response> {
  const id = validId(rawId);
  const row = id !== undefined ? await app.repo.jobs.own(id, owner) : undefined;
  if (!row?.has_result) return notFound("Result");
  const headers: Record<string, string> = { ...PRIVATE_IMMUTABLE };
  if (url.searchParams.get("download") === "1") headers["Content-Disposition"] = `attachment; filename="pastiche-${row.id.slice(0, 8)}.png"`;
  return serveBlob(app.blobs, "result", row.id, "image/png", headers, "Result");
}

export async function servePreview(app: PasticheApp, owner: string, rawId: string): Promise<Response> {
  const id = validId(rawId);
  const row = id !== undefined ? await app.repo.jobs.own(id, owner) : undefined;
  if (!row || row.preview_version === 0) return notFound("Preview");
  return serveBlob(app.blobs, "preview", row.id, "image/jpeg", NO_STORE, "Preview");
}

/** GET /api/shared/:token: a published result, for anyone with the link (and nothing else). */
export async function serveShared(app: PasticheApp, rawToken: string): Promise<Response> {
  const token = validId(rawToken);
  const row = token !== undefined ? await app.repo.jobs.shared(token) : undefined;
  if (!row) return notFound("Result");
  // Unpublishing must take effect: no long-lived caching; other sites may embed the image.
  return serveBlob(
    app.blobs,
    "result",
    row.id,
    "image/png",
    { "Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin" },
    "Result",
  );
}
