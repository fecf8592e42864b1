/**
 * One server per data directory. Start-up recovery treats every 'running' job as interrupted, which
 * is only true when no other server is running them, so a second server on the same directory must
 * not start. A lock file holds the owner's pid; a lock whose process is gone (a crash, kill -9) is
 * stale and taken over.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export class DataDirInUseError extends Error {
  override readonly name = "DataDirInUseError";
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock; returns its release. Throws DataDirInUseError when a live process holds it. */
export function lockDataDir(root: string): () => void {
  const file = path.join(/* turbopackIgnore: true */ root, "server.lock");
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(readFileSync(file, "utf8").trim());
      // Our own pid: an earlier app in this process that was not closed (tests reopen a directory).
      if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new DataDirInUseError(`Another Pastiche server (pid ${holder}) is using the data directory ${root}; run one server per data directory.`);
      }
      rmSync(file, { force: true });
    }
  }
  return () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      // Already gone.
    }
  };
}
