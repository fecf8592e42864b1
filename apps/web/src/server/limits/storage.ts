/**
 * Bounded storage: what a visitor keeps (the quota), and what the disk has left. A full disk makes
 * uploads and jobs fail with one clear sentence; writes are atomic and rows come after their files,
 * so nothing half-written is ever kept.
 */
import { statfs } from "node:fs/promises";
import { formatBytes } from "@pastiche/node/light";

export const DISK_FULL_MESSAGE = "The server's disk is full, so nothing was stored; please try again later.";

/** ENOSPC/EDQUOT from the file system, SQLITE_FULL or PostgreSQL's disk_full (53100) from the database. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT" || code === "SQLITE_FULL" || code === "53100";
}

export function quotaMessage(used: number, quota: number): string {
  return `Your storage on this server is full (${formatBytes(used)} of ${formatBytes(quota)}); delete some jobs or uploads first.`;
}

/** Free bytes on the data directory's file system (for unprivileged users). */
export async function freeDiskBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}
