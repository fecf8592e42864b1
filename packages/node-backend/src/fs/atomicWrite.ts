/**
 * The one atomic file write of Pastiche (images, uploads, thumbnails): readers see either the old
 * file or the whole new one, never a part, even across a crash or a full disk.
 */
import { randomBytes } from "node:crypto";
import { open, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Temp files are hidden and recognisable, so a leftover from a killed process is easy to spot. */
export const TEMP_FILE_PREFIX = ".pastiche-tmp-";

/** A fresh temp file name in `dir` (the same file system as the target, so rename is atomic). */
export function tempPathIn(dir: string): string {
  return join(dir, `${TEMP_FILE_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
}

/**
 * Write `data` to `path` atomically: a new temp file beside it (exclusive: never one someone else
 * created), fsync, rename over the target, fsync the directory. On failure the temp file is removed,
 * an existing target is left untouched, and the fs error is thrown as it is (callers word it).
 * A replaced file keeps its permission bits (a 0600 result stays private).
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = tempPathIn(dir);
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await open(tmp, "wx");
    created = true;
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isFile()) await handle.chmod(existing.mode & 0o7777);
    await handle.writeFile(data);
    await handle.sync(); // data on disk before the rename makes it visible
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
    created = false;
    await syncDirectory(dir);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    if (created) await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Best effort: persists a rename itself. Not possible on every platform (e.g. Windows), so errors are ignored. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => undefined);
  if (handle === undefined) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}
