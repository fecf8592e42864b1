/**
 * WorkerProcessRunner's process handling (IPC, priority, cancel, crash, respawn) with small stand-in
 * worker scripts that speak the protocol, so these run in milliseconds; worker.test.ts runs the real one.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunProgress, RunTask } from "../../src/server/queue/runner";
import { WorkerProcessRunner } from "../../src/server/queue/workerPool";
import { tempDir } from "./helpers";

const dirs: (() => void)[] = [];
const runners: WorkerProcessRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
  for (const remove of dirs.splice(0)) remove();
});

/** A worker that reports three iterations, 30 ms apart, and honours cancel unless told to ignore it. */
const STAND_IN = `
const ignoreCancel = process.env.IGNORE_CANCEL === "1";
const crashAt = Number(process.env.CRASH_AT ?? 0);
const active = new Map();
process.send({ type: "ready", backend: "stand-in pid " + process.pid });
process.on("message", (m) => {
  if (m.type === "cancel") { if (!ignoreCancel) active.get(m.jobId)?.(); return; }
  const id = m.task.jobId;
  let i = 0, stopped = false;
  active.set(id, () => { stopped = true; });
  const tick = () => {
    if (stopped) { process.send({ type: "done", jobId: id, outcome: { status: "cancelled" } }); return; }
    i++;
    if (i === crashAt) process.exit(3);
    process.send({ type: "progress", jobId: id, progress: { iteration: i, iterations: 3, elapsedMs: i * 30, etaMs: (3 - i) * 30, losses: null, previewWritten: false } });
    if (i < 3 || ignoreCancel) setTimeout(tick, 30);
    else process.send({ type: "done", jobId: id, outcome: { status: "succeeded" } });
  };
  setTimeout(tick, 30);
});
process.on("disconnect", () => process.exit(0));
`;

function standIn(env: Record<string, string> = {}, cancelGraceMs = 60_000): WorkerProcessRunner {
  const { dir, remove } = tempDir("pastiche-standin-");
  dirs.push(remove);
  const script = path.join(dir, "worker.cjs");
  writeFileSync(script, STAND_IN);
  const runner = new WorkerProcessRunner({ script, env, cancelGraceMs });
  runners.push(runner);
  return runner;
}

const task = (jobId: string): RunTask => ({
  jobId,
  mode: "quality",
  contentPath: "/nonexistent/c",
  stylePaths: [],
  options: { size: 64, iterations: 3, optimizer: "adam", contentWeight: 1, styleWeight: 1, tvWeight: 1, preserveColors: "none", styleScale: 1, averaging: 0 },
  resultPath: "/nonexistent/r.png",
  previewPath: "/nonexistent/p.jpg",
  previewEvery: 1,
  maxInputPixels: 1000,
});

describe("WorkerProcessRunner", () => {
  it("runs jobs one after another in one long-lived, lower-priority process", async () => {
    const runner = standIn();
    const progress: RunProgress[] = [];
    expect(await runner.run(task("a"), (p) => progress.push(p), new AbortController().signal)).toEqual({ status: "succeeded" });
    expect(progress.map((p) => p.iteration)).toEqual([1, 2, 3]);
    const pid = runner.pid!;
    expect(runner.backend).toBe(`stand-in pid ${pid}`);
    expect(os.getPriority(pid)).toBe(Math.min(19, os.getPriority() + 10));
    expect(await runner.run(task("b"), () => undefined, new AbortController().signal)).toEqual({ status: "succeeded" });
    expect(runner.pid).toBe(pid);
  });

  it("cancels through the worker, and kills a worker that does not stop in time", async () => {
    const polite = standIn();
    const controller = new AbortController();
    const run = polite.run(
      task("a"),
      (p) => {
        if (p.iteration === 1) controller.abort();
      },
      controller.signal,
    );
    expect(await run).toEqual({ status: "cancelled" });

    const stubborn = standIn({ IGNORE_CANCEL: "1" }, 200);
    const c2 = new AbortController();
    const pid = await new Promise<number>((resolve) => {
      void stubborn
        .run(
          task("b"),
          () => {
            if (!c2.signal.aborted) {
              c2.abort();
              resolve(stubborn.pid!);
            }
          },
          c2.signal,
        )
        .then((outcome) => {
          expect(outcome).toEqual({ status: "cancelled" });
        });
    });
    await new Promise((r) => setTimeout(r, 600));
    expect(stubborn.pid).toBeUndefined();
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it("fails the job when the worker dies and starts a new worker for the next job", async () => {
    const runner = standIn({ CRASH_AT: "2" });
    const outcome = await runner.run(task("a"), () => undefined, new AbortController().signal);
    expect(outcome).toEqual({ status: "failed", error: "The worker process stopped unexpectedly (exit code 3); it has been restarted." });
    expect(runner.pid).toBeUndefined();
    const first = runner.backend;
    // The next job gets a new process (which this stand-in crashes too).
    expect((await runner.run(task("b"), () => undefined, new AbortController().signal)).status).toBe("failed");
    expect(runner.backend).toMatch(/^stand-in pid \d+$/);
    expect(runner.backend).not.toBe(first);
  });

  it("fails with a clear message when the worker is not built", async () => {
    const runner = new WorkerProcessRunner({ script: "/nonexistent/dist/worker/main.js" });
    const outcome = await runner.run(task("a"), () => undefined, new AbortController().signal);
    expect(outcome).toEqual({
      status: "failed",
      error: "the worker is not built (/nonexistent/dist/worker/main.js is missing); run pnpm --filter @pastiche/web build",
    });
  });
});
