/**
 * The contract's plain values, without zod: the browser can import these at runtime without loading
 * zod (whose start-up `new Function` probe a strict CSP reports). jobSchemas.ts re-exports them.
 */

/** Limits a hosted server enforces (configured by environment, reported by `system.info`). */
export interface HostedLimits {
  /** Largest accepted upload, in bytes. */
  maxUploadBytes: number;
  /** Largest accepted input image, width × height, checked from the header before decoding. */
  maxInputPixels: number;
  /** Largest output's longest side, in pixels. */
  maxOutputSide: number;
  /** Most iterations of a Quality job. */
  maxIterations: number;
}

import { DEFAULT_MAX_INPUT_PIXELS } from "@pastiche/core/light";

/** The defaults of a server with no limit variables set (see docs/web.md). */
export const DEFAULT_HOSTED_LIMITS: HostedLimits = {
  maxUploadBytes: 25 * 1024 * 1024,
  maxInputPixels: DEFAULT_MAX_INPUT_PIXELS,
  maxOutputSide: 1024,
  maxIterations: 1000,
};

/** At most this many style images per job. */
export const MAX_STYLES = 4;

export const IMAGE_ROLES = ["content", "style"] as const;
export type ImageRole = (typeof IMAGE_ROLES)[number];

export const JOB_MODES = ["fast", "quality"] as const;
export type JobMode = (typeof JOB_MODES)[number];

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses a job never leaves. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Most procedure calls in one batched tRPC request (the server refuses larger batches). */
export const MAX_BATCH_SIZE = 10;

/** The tfjs backends an in-browser Fast result may name (shown to the visitor, kept with the job). */
export const CLIENT_BACKENDS = ["webgpu", "webgl", "wasm"] as const;
export type ClientBackend = (typeof CLIENT_BACKENDS)[number];
