/**
 * The binary endpoints (Next route handlers delegate here so tests can call them directly).
 * Every id is checked for shape and then looked up in the database; the file path comes from the
 * id, never from the request.
 */
import type { PasticheApp } from "../app";
import { IMMUTABLE, NO_STORE, notFound, serveFile, validId } from "./serveFile";

const IMAGE_TYPES = { jpeg: "image/jpeg", png: "image/png", webp: "image/webp", tiff: "image/tiff" } as const;

export function serveImage(app: PasticheApp, rawId: string, url: URL): Promise<Response> {
  const id = validId(rawId);
  const row = id !== undefined ? app.uploads.get(id) : undefined;
  if (!row) return Promise.resolve(notFound("Image"));
  if (url.searchParams.get("thumb") === "1") return serveFile(app.paths.thumbnail(row.id), "image/jpeg", IMMUTABLE, "Image");
  return serveFile(app.paths.upload(row.id), IMAGE_TYPES[row.format], IMMUTABLE, "Image");
}

export function serveResult(app: PasticheApp, rawId: string, url: URL): Promise<Response> {
  const id = validId(rawId);
  const row = id !== undefined ? app.jobs.get(id) : undefined;
  if (!row?.has_result) return Promise.resolve(notFound("Result"));
  const headers: Record<string, string> = { ...IMMUTABLE };
  if (url.searchParams.get("download") === "1") headers["Content-Disposition"] = `attachment; filename="pastiche-${row.id.slice(0, 8)}.png"`;
  return serveFile(app.paths.result(row.id), "image/png", headers, "Result");
}

export function servePreview(app: PasticheApp, rawId: string): Promise<Response> {
  const id = validId(rawId);
  const row = id !== undefined ? app.jobs.get(id) : undefined;
  if (!row || row.preview_version === 0) return Promise.resolve(notFound("Preview"));
  return serveFile(app.paths.preview(row.id), "image/jpeg", NO_STORE, "Preview");
}
