/**
 * The layout of the data directory. Every path is built from a server-generated id that was checked
 * against ID_PATTERN, so no client string ever becomes part of a path.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { ID_PATTERN } from "../../shared/ids";

export interface DataPaths {
  readonly root: string;
  readonly database: string;
  /** The four file directories (the sweeper lists them for orphans). */
  readonly dirs: { readonly uploads: string; readonly thumbnails: string; readonly results: string; readonly previews: string; readonly checkpoints: string };
  upload(id: string): string;
  thumbnail(id: string): string;
  result(jobId: string): string;
  preview(jobId: string): string;
  checkpoint(jobId: string): string;
}

function checked(id: string): string {
  // Defence in depth: callers already validated the id and found it in the database.
  if (!ID_PATTERN.test(id)) throw new Error(`refusing a path for malformed id ${JSON.stringify(id)}`);
  return id;
}

/** Creates the directories if needed. */
export function dataPaths(root: string): DataPaths {
  for (const sub of ["uploads", "thumbnails", "results", "previews", "checkpoints"])
    mkdirSync(path.join(/* turbopackIgnore: true */ root, sub), { recursive: true });
  return {
    root,
    database: path.join(root, "pastiche.db"),
    dirs: {
      uploads: path.join(root, "uploads"),
      thumbnails: path.join(root, "thumbnails"),
      results: path.join(root, "results"),
      previews: path.join(root, "previews"),
      checkpoints: path.join(root, "checkpoints"),
    },
    upload: (id) => path.join(root, "uploads", checked(id)),
    thumbnail: (id) => path.join(root, "thumbnails", `${checked(id)}.jpg`),
    result: (jobId) => path.join(root, "results", `${checked(jobId)}.png`),
    preview: (jobId) => path.join(root, "previews", `${checked(jobId)}.jpg`),
    checkpoint: (jobId) => path.join(root, "checkpoints", `${checked(jobId)}.png`),
  };
}
