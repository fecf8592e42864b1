/**
 * A worker process (forked by the server's WorkerPool, one per lane slot): it loads TensorFlow.js and
 * the models once and keeps them warm, runs the jobs it is sent one at a time, reports progress
 * over IPC and stops a job when told to (AbortSignal: within one iteration).
 */
import { initBackend } from "@pastiche/node";
import type { FromWorker, RunOutcome, ToWorker } from "./protocol.ts";
import { runJob } from "./runJob.ts";

/** The server is gone (killed, crashed): stop at once and say nothing — there is no one to tell. */
function parentGone(): never {
  process.exit(0);
}

/** EPIPE and a closed IPC channel both mean the server went away mid-write. */
function isParentGone(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "EPIPE" || code === "ERR_IPC_CHANNEL_CLOSED" || code === "ECONNRESET";
}

function send(message: FromWorker): void {
  if (!process.connected) parentGone();
  process.send?.(message, undefined, undefined, (e: Error | null) => {
    if (e) parentGone();
  });
}

process.on("disconnect", parentGone);
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (isParentGone(e)) parentGone();
  });
}
process.on("uncaughtException", (e) => {
  if (isParentGone(e)) parentGone();
  process.stderr.write(`pastiche worker: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
// A parent killed with SIGKILL may not close the channel promptly everywhere: being re-parented is proof.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) parentGone();
}, 1000).unref();

const current = new Map<string, AbortController>();
let chain: Promise<void> = Promise.resolve();
// Started at once (the model warm-up overlaps the first request); jobs wait for it.
const backend = initBackend();
backend.catch(() => undefined);

async function handleRun(message: Extract<ToWorker, { type: "run" }>): Promise<void> {
  const { task } = message;
  const controller = new AbortController();
  current.set(task.jobId, controller);
  let outcome: RunOutcome;
  try {
    await backend;
    outcome = await runJob(task, {
      signal: controller.signal,
      modelsDir: process.env.PASTICHE_MODELS_DIR,
      progress: (progress) => {
        send({ type: "progress", jobId: task.jobId, progress });
      },
    });
  } catch (e) {
    outcome = { status: "failed", error: `No TensorFlow.js backend could start: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    current.delete(task.jobId);
  }
  send({ type: "done", jobId: task.jobId, outcome });
}

async function main(): Promise<void> {
  if (!process.send) throw new Error("the Pastiche worker must be started by the web server (it talks over IPC)");
  process.on("message", (message: ToWorker) => {
    if (message.type === "cancel") current.get(message.jobId)?.abort();
    // Serialised: the server sends one job at a time, but a queue keeps it safe if it ever doesn't.
    else chain = chain.then(() => handleRun(message));
  });
  // The server exits: so do we (no orphaned workers holding gigabytes of models) — see parentGone.
  const info = await backend;
  send({ type: "ready", backend: `${info.name}${info.threads !== undefined ? ` (${info.threads} threads)` : ""}` });
}

main().catch((e: unknown) => {
  process.stderr.write(`pastiche worker: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
