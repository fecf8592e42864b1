/** What runs a job. The server uses worker processes (workerPool.ts); tests inject fakes. */
import type { JobMode } from "../../shared/jobSchemas";
import type { RunOutcome, RunProgress, RunTask } from "../../worker/protocol";

export type { RunOutcome, RunProgress, RunTask } from "../../worker/protocol";

export interface JobRunner {
  /**
   * Runs one task to the end. Never rejects: failures are a `failed` outcome. When `signal` aborts,
   * the runner stops the work and resolves `cancelled`.
   */
  run(task: RunTask, onProgress: (progress: RunProgress) => void, signal: AbortSignal): Promise<RunOutcome>;
  /** The backend the runner computes on, once known (for system.info). */
  readonly backend: string | null;
  close(): Promise<void>;
}

/** One runner per lane slot: `slot` counts from 0 within the mode's lane. */
export type RunnerFactory = (mode: JobMode, slot: number) => JobRunner;
