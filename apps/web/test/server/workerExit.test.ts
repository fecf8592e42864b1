/**
 * A worker whose server is gone (killed with SIGKILL, no chance to stop its children) exits by
 * itself, quietly: no orphan holding the models, no EPIPE stack trace in the log.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { JobCreateInputSchema } from "../../src/shared/jobSchemas.js";
import type { RunTask } from "../../src/server/queue/runner.js";
import { defaultWorkerScript } from "../../src/server/appRoot.js";
import { MODELS_DIR, tempDir, waitFor } from "./helpers.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a stand-in server that forks the real worker (sharing its stdout/stderr, as the server
 * does), optionally sends it a task, and reports "ready <pid>" and "progress" lines; kills the
 * stand-in with SIGKILL once `killWhen` matches its output, then waits for the worker to go.
 */
async function orphan(task: RunTask | null, killWhen: RegExp): Promise<{ stderrAfterKill: string }> {
  const { dir, remove } = tempDir("pastiche-orphan-");
  try {
    const parentScript = path.join(dir, "server.cjs");
    writeFileSync(
      parentScript,
      `const { fork } = require("node:child_process");
const child = fork(${JSON.stringify(defaultWorkerScript())}, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [], env: { ...process.env, PASTICHE_MODELS_DIR: ${JSON.stringify(MODELS_DIR)} } });
const task = ${JSON.stringify(task)};
child.on("message", (m) => {
  if (m.type === "ready") { process.stdout.write("ready " + child.pid + "\\n"); if (task) child.send({ type: "run", task }); }
  if (m.type === "progress" && m.progress.iteration > 0) process.stdout.write("progress\\n");
});
setInterval(() => {}, 1000);`,
    );
    if (task) {
      await sharp({ create: { width: 64, height: 48, channels: 3, background: "#a05020" } })
        .png()
        .toFile(task.contentPath);
      await sharp({ create: { width: 48, height: 48, channels: 3, background: "#2050a0" } })
        .png()
        .toFile(task.stylePaths[0]!);
    }
    const parent = spawn(process.execPath, [parentScript], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    parent.stdout.on("data", (d: Buffer) => (out += d.toString()));
    parent.stderr.on("data", (d: Buffer) => (err += d.toString()));
    await waitFor(() => killWhen.test(out), 90_000, `the stand-in server to print ${String(killWhen)}`);
    const workerPid = Number(/ready (\d+)/.exec(out)![1]);
    const before = err.length;
    // Stopped first: the worker's messages pile up unread in the IPC channel, so they are still
    // being written when the channel breaks (what a server dying under load looks like).
    parent.kill("SIGSTOP");
    await new Promise((r) => setTimeout(r, 1500));
    parent.kill("SIGKILL");
    await waitFor(() => !alive(workerPid), 15_000, "the orphaned worker to exit");
    // Whatever the worker still had in its pipes.
    await new Promise((r) => setTimeout(r, 200));
    return { stderrAfterKill: err.slice(before) };
  } finally {
    remove();
  }
}

describe("a worker whose server died", () => {
  it("exits within seconds and prints nothing (idle)", async () => {
    const { stderrAfterKill } = await orphan(null, /ready \d+/);
    expect(stderrAfterKill).not.toMatch(/EPIPE|ERR_IPC|Error|\n\s+at /);
  });

  it.skipIf(!existsSync(MODELS_DIR))(
    `exits within seconds and prints nothing (in the middle of a Quality job)${existsSync(MODELS_DIR) ? "" : ` (skipped: no model files in ${MODELS_DIR})`}`,
    async () => {
      const dir = tempDir("pastiche-orphan-job-");
      try {
        const input = JobCreateInputSchema.parse({
          mode: "quality",
          contentId: "a".repeat(22),
          styleIds: ["b".repeat(22)],
          options: { size: 48, iterations: 1000 },
        });
        const task: RunTask = {
          jobId: "c".repeat(22),
          mode: "quality",
          contentPath: path.join(dir.dir, "content.png"),
          stylePaths: [path.join(dir.dir, "style.png")],
          options: input.options,
          resultPath: path.join(dir.dir, "result.png"),
          previewPath: path.join(dir.dir, "preview.jpg"),
          previewEvery: 1,
          maxInputPixels: 1_000_000,
        };
        const { stderrAfterKill } = await orphan(task, /progress/);
        expect(stderrAfterKill).not.toMatch(/EPIPE|ERR_IPC|Error|\n\s+at /);
      } finally {
        dir.remove();
      }
    },
  );
});
