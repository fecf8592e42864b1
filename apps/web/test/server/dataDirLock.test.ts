import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirInUseError, lockDataDir } from "../../src/server/storage/dataDirLock";
import { tempDir } from "./helpers";

const dirs: (() => void)[] = [];
afterEach(() => {
  for (const remove of dirs.splice(0)) remove();
});

describe("lockDataDir", () => {
  it("refuses a directory another live process holds, takes over a stale lock, releases on close", async () => {
    const { dir, remove } = tempDir();
    dirs.push(remove);
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      writeFileSync(path.join(dir, "server.lock"), String(other.pid));
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dir)).toThrow(
        `Another Pastiche server (pid ${other.pid}) is using the data directory ${dir}; run one server per data directory.`,
      );
    } finally {
      const exited = new Promise((r) => other.once("exit", r));
      other.kill("SIGKILL");
      await exited;
    }
    // The holder died (a crash): the lock is stale.
    const release = lockDataDir(dir);
    expect(existsSync(path.join(dir, "server.lock"))).toBe(true);
    release();
    expect(existsSync(path.join(dir, "server.lock"))).toBe(false);
  });
});
