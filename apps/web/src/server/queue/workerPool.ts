/**
 * A JobRunner backed by a long-lived child process (src/worker/main.ts, compiled to dist/worker):
 * TensorFlow.js and the models stay loaded between jobs, the heavy work never blocks the server's
 * event loop, and the child runs at a lower CPU priority so on a small machine the server still
 * answers promptly. A crashed child fails its job with the reason and is started again for the next.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import type { FromWorker, ToWorker } from "../../worker/protocol";
import type { JobRunner, RunOutcome, RunProgress, RunTask } from "./runner";

export interface WorkerRunnerOptions {
  /**
   * The compiled worker script (`defaultWorkerScript()`). Given by the caller: this module is in both the
   * Next bundle and the tsc-built cluster worker, which need different relative import specifiers.
   */
  script: string;
  /** Extra environment for the child (e.g. PASTICHE_MODELS_DIR). */
  env?: Record<string, string>;
  /** How much nicer (lower priority) than the server the child runs; default 10. */
  niceDelta?: number;
  /**
   * After a cancel, how long the worker gets to stop by itself (it checks between iterations)
   * before it is killed; a 1024 px WASM iteration can take a while.
   */
  cancelGraceMs?: number;
}

interface ActiveRun {
  jobId: string;
  onProgress: (progress: RunProgress) => void;
  resolve: (outcome: RunOutcome) => void;
  cancelled: boolean;
}

/**
 * Relative to the server's own nice value, never below it (a server started under `nice 19` must
 * not get workers that outrank it) and capped at 19, the lowest priority there is.
 */
export function workerNiceness(serverNice: number, delta: number): number {
  return Math.min(19, serverNice + Math.max(0, delta));
}

export class WorkerProcessRunner implements JobRunner {
  private child: ChildProcess | undefined;
  private active: ActiveRun | undefined;
  private backendName: string | null = null;
  private closed = false;

  constructor(private readonly options: WorkerRunnerOptions) {}

  get backend(): string | null {
    return this.backendName;
  }

  /** The child's pid while it runs (tests use it to simulate a crash). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private spawn(): ChildProcess {
    const script = this.options.script;
    if (!existsSync(/* turbopackIgnore: true */ script))
      throw new Error(`the worker is not built (${script} is missing); run pnpm --filter @pastiche/web build`);
    // execArgv: none of the server's own flags (Next's, vitest's) apply to the worker.
    // TF_CPP_MIN_LOG_LEVEL: libtensorflow's start-up banners are noise in the server log.
    // glibc keeps freed heap memory in its arenas: on tfjs-node a long-lived worker running jobs of
    // different sizes grew 1.2 GiB past its largest step; fixed mmap threshold + 2 arenas hand big
    // tensors back to the system when freed (measured: peak RSS back to the largest step's).
    const env = { TF_CPP_MIN_LOG_LEVEL: "1", MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "131072", ...process.env, ...this.options.env };
    const child = fork(/* turbopackIgnore: true */ script, [], { env, execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    if (child.pid !== undefined) {
      try {
        os.setPriority(child.pid, workerNiceness(os.getPriority(), this.options.niceDelta ?? 10));
      } catch {
        // Not permitted everywhere (e.g. some containers); the worker then just runs at normal priority.
      }
    }
    child.on("message", (message: FromWorker) => {
      this.onMessage(message);
    });
    // Failing to start or to message the child: end its current job like a crash would.
    child.on("error", (e) => {
      console.error(`pastiche web: worker process error: ${e.message}`);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) this.child = undefined;
      const run = this.active;
      if (!run) return;
      this.active = undefined;
      run.resolve(
        run.cancelled
          ? { status: "cancelled" }
          : {
              status: "failed",
              error: `The worker process stopped unexpectedly (${signal !== null ? `signal ${signal}` : `exit code ${String(code)}`}); it has been restarted.`,
            },
      );
    });
    return child;
  }

  private onMessage(message: FromWorker): void {
    if (message.type === "ready") {
      this.backendName = message.backend;
      return;
    }
    const run = this.active;
    if (run?.jobId !== message.jobId) return;
    if (message.type === "progress") run.onProgress(message.progress);
    else {
      this.active = undefined;
      run.resolve(run.cancelled && message.outcome.status === "succeeded" ? { status: "cancelled" } : message.outcome);
    }
  }

  run(task: RunTask, onProgress: (progress: RunProgress) => void, signal: AbortSignal): Promise<RunOutcome> {
    if (this.closed) return Promise.resolve({ status: "failed", error: "The server is shutting down." });
    if (this.active) return Promise.resolve({ status: "failed", error: "Internal error: the worker is busy." });
    let child: ChildProcess;
    try {
      child = this.child ?? this.spawn();
    } catch (e) {
      return Promise.resolve({ status: "failed", error: e instanceof Error ? e.message : String(e) });
    }
    this.child = child;
    return new Promise<RunOutcome>((resolve) => {
      let killTimer: NodeJS.Timeout | undefined;
      const run: ActiveRun = {
        jobId: task.jobId,
        onProgress,
        cancelled: false,
        resolve: (outcome) => {
          clearTimeout(killTimer);
          signal.removeEventListener("abort", onAbort);
          resolve(outcome);
        },
      };
      const onAbort = (): void => {
        run.cancelled = true;
        this.send(child, { type: "cancel", jobId: task.jobId });
        killTimer = setTimeout(() => child.kill("SIGKILL"), this.options.cancelGraceMs ?? 60_000);
        killTimer.unref();
      };
      this.active = run;
      signal.addEventListener("abort", onAbort, { once: true });
      this.send(child, { type: "run", task });
      if (signal.aborted) onAbort();
    });
  }

  private send(child: ChildProcess, message: ToWorker): void {
    if (child.connected) child.send(message);
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) =>
      child.once("exit", () => {
        resolve();
      }),
    );
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
