/** Embedded mode's blob store: one file per blob in the data directory (layout in dataDir.ts). */
import { createReadStream } from "node:fs";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { ID_PATTERN } from "../../../shared/ids";
import { writeFileAtomic } from "../atomicWrite";
import type { DataPaths } from "../dataDir";
import type { BlobKind, BlobStore } from "./blobStore";

const SUFFIX: Record<BlobKind, string> = { upload: "", thumbnail: ".jpg", result: ".png", preview: ".jpg", checkpoint: ".png" };
const DIR: Record<BlobKind, keyof DataPaths["dirs"]> = {
  upload: "uploads",
  thumbnail: "thumbnails",
  result: "results",
  preview: "previews",
  checkpoint: "checkpoints",
};

const missing = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === "ENOENT";

export class DataDirBlobs implements BlobStore {
  constructor(private readonly paths: DataPaths) {}

  /** The file of a blob (ids are checked by DataPaths). */
  file(kind: BlobKind, id: string): string {
    return this.paths[kind](id);
  }

  put(kind: BlobKind, id: string, data: Uint8Array): Promise<void> {
    return writeFileAtomic(this.file(kind, id), data);
  }

  async get(kind: BlobKind, id: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.file(kind, id));
    } catch (e) {
      if (missing(e)) return undefined;
      throw e;
    }
  }

  async stream(kind: BlobKind, id: string): Promise<{ size: number; body: ReturnType<typeof createReadStream> } | undefined> {
    const file = this.file(kind, id);
    try {
      const { size } = await stat(file);
      return { size, body: createReadStream(file) };
    } catch (e) {
      if (missing(e)) return undefined;
      throw e;
    }
  }

  async delete(kind: BlobKind, id: string): Promise<void> {
    await rm(this.file(kind, id), { force: true });
  }

  /** A blob's id from its file name; undefined for anything else (temp files of interrupted writes). */
  private static idOf(kind: BlobKind, name: string): string | undefined {
    const suffix = SUFFIX[kind];
    const id = suffix && name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
    return (suffix === "" || name.endsWith(suffix)) && ID_PATTERN.test(id) ? id : undefined;
  }

  async list(kind: BlobKind): Promise<string[]> {
    const names = await readdir(this.paths.dirs[DIR[kind]]);
    return names.flatMap((n) => DataDirBlobs.idOf(kind, n) ?? []);
  }

  /** Removes what is no blob (temp files of interrupted atomic writes); returns how many. */
  async removeLeftovers(): Promise<number> {
    let removed = 0;
    for (const kind of Object.keys(DIR) as BlobKind[]) {
      const dir = this.paths.dirs[DIR[kind]];
      for (const name of await readdir(dir)) {
        if (DataDirBlobs.idOf(kind, name) !== undefined) continue;
        await rm(path.join(dir, name), { force: true, recursive: true });
        removed++;
      }
    }
    return removed;
  }
}
