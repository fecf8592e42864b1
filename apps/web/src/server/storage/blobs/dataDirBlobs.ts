/** Embedded mode's blob store: one file per blob in the data directory (layout in dataDir.ts). */
import { createReadStream } from "node:fs";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { TEMP_FILE_PREFIX, writeFileAtomic } from "@pastiche/node/light";
import type { DataPaths } from "../dataDir";
import type { BlobKind, BlobStore } from "./blobStore";

const SUFFIX: Record<BlobKind, string> = { upload: "", thumbnail: ".jpg", result: ".png", preview: ".jpg" };
const DIR: Record<BlobKind, keyof DataPaths["dirs"]> = { upload: "uploads", thumbnail: "thumbnails", result: "results", preview: "previews" };

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

  async list(kind: BlobKind): Promise<string[]> {
    const suffix = SUFFIX[kind];
    const names = await readdir(this.paths.dirs[DIR[kind]]);
    return names.filter((n) => !n.startsWith(TEMP_FILE_PREFIX) && n.endsWith(suffix)).map((n) => (suffix ? n.slice(0, -suffix.length) : n));
  }
}
