/**
 * A worker whose server is gone (killed with SIGKILL, no chance to stop its children) exits by
 * itself, quietly: no orphan holding the models, no EPIPE stack trace in the log.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultWorkerScript } from "../../src/server/queue/workerPool.js";
import { tempDir, waitFor } from "./helpers.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a worker whose server died", () => {
  it("exits within seconds and prints nothing", async () => {
    const { dir, remove } = tempDir("pastiche-orphan-");
    try {
      // A stand-in server: forks the real worker (sharing its stdout/stderr, as the server does) and
      // sends it a job, then waits to be killed.
      const parentScript = path.join(dir, "server.cjs");
      writeFileSync(
        parentScript,
        `const { fork } = require("node:child_process");
const child = fork(${JSON.stringify(defaultWorkerScript())}, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
child.on("message", (m) => { if (m.type === "ready") process.stdout.write("ready " + child.pid + "\\n"); });
setInterval(() => {}, 1000);`,
      );
      const parent = spawn(process.execPath, [parentScript], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      parent.stdout.on("data", (d: Buffer) => (out += d.toString()));
      parent.stderr.on("data", (d: Buffer) => (err += d.toString()));
      await waitFor(() => /ready \d+/.test(out), 60_000, "the worker to start");
      const workerPid = Number(/ready (\d+)/.exec(out)![1]);
      const before = err;
      parent.kill("SIGKILL");
      await waitFor(() => !alive(workerPid), 15_000, "the orphaned worker to exit");
      expect(err.slice(before.length)).not.toMatch(/EPIPE|ERR_IPC|Error|\n\s+at /);
    } finally {
      remove();
    }
  });
});
