/**
 * Messages between the server and a worker process (Node IPC, JSON). One job at a time per worker.
 * Types only: both sides import it.
 */
import type { JobMode, JobOptions, LossTermsView } from "../shared/jobSchemas.ts";

export interface RunTask {
  jobId: string;
  mode: JobMode;
  /** Files in the data directory (built by the server from ids it checked, never from a client path). */
  contentPath: string;
  stylePaths: string[];
  options: JobOptions;
  /** PNG, written atomically when the job succeeds. */
  resultPath: string;
  /** JPEG, rewritten atomically every `previewEvery` iterations (Quality jobs). */
  previewPath: string;
  previewEvery: number;
  maxInputPixels: number;
}

export interface RunProgress {
  iteration: number;
  iterations: number;
  elapsedMs: number;
  etaMs: number | null;
  losses: LossTermsView | null;
  /** A new preview image was written with this update. */
  previewWritten: boolean;
}

export type RunOutcome = { status: "succeeded" } | { status: "cancelled" } | { status: "failed"; error: string };

export type ToWorker = { type: "run"; task: RunTask } | { type: "cancel"; jobId: string };

export type FromWorker =
  { type: "ready"; backend: string } | { type: "progress"; jobId: string; progress: RunProgress } | { type: "done"; jobId: string; outcome: RunOutcome };
