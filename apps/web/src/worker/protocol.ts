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
  /**
   * Quality jobs in cluster mode: the same image as the preview, lossless (PNG, with its iteration in
   * the `pastiche:checkpoint` text chunk), so a retry on another worker resumes from it.
   */
  checkpointPath?: string;
  /** Quality jobs: go on from a previous run's checkpoint (its image, at its iteration) instead of from the start. */
  resume?: { imagePath: string; iteration: number };
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

/** The PNG text chunk of a checkpoint that holds its iteration. */
export const CHECKPOINT_TEXT = "pastiche:checkpoint";

export type RunOutcome = { status: "succeeded" } | { status: "cancelled" } | { status: "failed"; error: string };

export type ToWorker = { type: "run"; task: RunTask } | { type: "cancel"; jobId: string };

export type FromWorker =
  { type: "ready"; backend: string } | { type: "progress"; jobId: string; progress: RunProgress } | { type: "done"; jobId: string; outcome: RunOutcome };
