/**
 * The contract between the browser and the server: job inputs (zod, validated on both sides) and
 * the shapes the API returns. Browser-safe: zod and core's option schemas only (no TensorFlow.js).
 *
 * The option schemas are derived from core's GatysOptionsSchema / FastOptionsSchema, so the web app
 * accepts exactly the options the CLI does (same names, bounds and messages), restricted to the main
 * controls and tightened to the hosted limits.
 */
import { z } from "zod";
import { FAST_DEFAULT_SIZE, FastOptionsSchema, GatysOptionsSchema, WEB_QUALITY_DEFAULTS, applyGatysPreset, styleCountProblem } from "@pastiche/core/schemas";
import {
  DEFAULT_HOSTED_LIMITS,
  IMAGE_ROLES,
  type ClientBackend,
  JOB_MODES,
  JOB_STATUSES,
  MAX_STYLES,
  type HostedLimits,
  type JobMode,
  type JobStatus,
} from "./constants";
import { IdSchema } from "./ids";

export { IdSchema } from "./ids";

export {
  DEFAULT_HOSTED_LIMITS,
  MAX_STYLES,
  TERMINAL_STATUSES,
  isTerminalStatus,
  type HostedLimits,
  CLIENT_BACKENDS,
  type ClientBackend,
  type ImageRole,
  type JobMode,
  type JobStatus,
} from "./constants";

export const ImageRoleSchema = z.enum(IMAGE_ROLES);
export const JobModeSchema = z.enum(JOB_MODES);
export const JobStatusSchema = z.enum(JOB_STATUSES);

// Core's object shapes, refinements dropped (zod refuses .pick() on refined objects); the one
// cross-field refinement that matters here (blend weights per style) is re-applied per job below.
const gatysShape = z.object(GatysOptionsSchema.shape);
const fastShape = z.object(FastOptionsSchema.shape);

/** Fast options as the web app accepts them, with `limits` applied. */
export function fastJobOptionsSchema(limits: Pick<HostedLimits, "maxOutputSide">) {
  return fastShape
    .pick({ size: true, strength: true, styleBlendWeights: true })
    .extend({
      size: FastOptionsSchema.shape.size
        .unwrap()
        .max(limits.maxOutputSide, { message: `The output size can be at most ${limits.maxOutputSide} pixels on this server.` })
        .default(Math.min(FAST_DEFAULT_SIZE, limits.maxOutputSide)),
    })
    .strict();
}

/**
 * Quality (Gatys) options as the web app accepts them, with `limits` applied. A preset's values go
 * under the ones given before the defaults (core's rule, for the options the form has; the worker's
 * parse fills its others), so `{ preset: "tutorial" }` runs the tutorial's 1000 steps, not the form's default.
 */
export function qualityJobOptionsSchema(limits: Pick<HostedLimits, "maxOutputSide" | "maxIterations">) {
  const shape = qualityShape(limits);
  const keys = Object.keys(shape.shape);
  return z.preprocess((raw: z.input<typeof shape>) => applyGatysPreset(raw, keys), shape);
}

function qualityShape(limits: Pick<HostedLimits, "maxOutputSide" | "maxIterations">) {
  return gatysShape
    .pick({
      preset: true,
      size: true,
      iterations: true,
      optimizer: true,
      contentWeight: true,
      styleWeight: true,
      tvWeight: true,
      preserveColors: true,
      styleBlendWeights: true,
      styleScale: true,
      averaging: true,
      seed: true,
    })
    .extend({
      size: GatysOptionsSchema.shape.size
        .unwrap()
        .max(limits.maxOutputSide, { message: `The output size can be at most ${limits.maxOutputSide} pixels on this server.` })
        .default(Math.min(WEB_QUALITY_DEFAULTS.size, limits.maxOutputSide)),
      iterations: GatysOptionsSchema.shape.iterations
        .unwrap()
        .max(limits.maxIterations, { message: `A Quality job can have at most ${limits.maxIterations} iterations on this server.` })
        .default(Math.min(WEB_QUALITY_DEFAULTS.iterations, limits.maxIterations)),
    })
    .strict();
}

const styleIdsSchema = z
  .array(IdSchema)
  .min(1, { message: "Choose at least one style image." })
  .max(MAX_STYLES, { message: `Choose at most ${MAX_STYLES} style images.` });

/** What `jobs.create` accepts, with `limits` applied (the server builds it from its configuration). */
export function jobCreateInputSchema(limits: Pick<HostedLimits, "maxOutputSide" | "maxIterations">) {
  return z
    .discriminatedUnion("mode", [
      z.object({ mode: z.literal("fast"), contentId: IdSchema, styleIds: styleIdsSchema, options: fastJobOptionsSchema(limits).prefault({}) }),
      z.object({ mode: z.literal("quality"), contentId: IdSchema, styleIds: styleIdsSchema, options: qualityJobOptionsSchema(limits).prefault({}) }),
    ])
    .superRefine((job, ctx) => {
      const problem = styleCountProblem({ styles: job.styleIds.length, blendWeights: job.options.styleBlendWeights?.length });
      if (problem !== undefined)
        ctx.addIssue({ code: "custom", path: ["options", "styleBlendWeights"], message: `Give one blend weight per style image: ${problem}.` });
    });
}

/**
 * `jobs.create`'s input: the shape and core's own bounds (any server's limits lie within them). The
 * server then validates the same raw input with `jobCreateInputSchema(its limits)`, which also
 * supplies the defaults; `jobCreateInputSchema(systemInfo.limits)` gives a client the same answer.
 */
export const JobCreateInputSchema = jobCreateInputSchema({
  maxOutputSide: GatysOptionsSchema.shape.size.unwrap().maxValue ?? DEFAULT_HOSTED_LIMITS.maxOutputSide,
  maxIterations: GatysOptionsSchema.shape.iterations.unwrap().maxValue ?? DEFAULT_HOSTED_LIMITS.maxIterations,
});
export type JobCreateInput = z.input<typeof JobCreateInputSchema>;
export type FastJobOptions = z.output<ReturnType<typeof fastJobOptionsSchema>>;
export type QualityJobOptions = z.output<ReturnType<typeof qualityJobOptionsSchema>>;
/** A job's options after validation and defaults, as stored and shown. */
export type JobOptions = FastJobOptions | QualityJobOptions;

export const JobIdInputSchema = z.object({ id: IdSchema });
export const JobListInputSchema = z.object({
  limit: z.number().int().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
});
export type JobListInput = z.infer<typeof JobListInputSchema>;

export interface LossTermsView {
  total: number;
  content: number;
  style: number;
  tv: number;
}

export interface JobProgress {
  /** Iterations done so far (Fast jobs: 0 or 1). */
  iteration: number;
  iterations: number;
  elapsedMs: number;
  /** Estimated time to finish, or null before it can be estimated. */
  etaMs: number | null;
  /** Latest loss terms (Quality jobs), or null. */
  losses: LossTermsView | null;
  /** Set on a Fast result made in the visitor's browser (jobs.createClientResult): the tfjs backend that made it. */
  browserBackend?: ClientBackend;
}

/** A job as the API shows it. Dates are ISO 8601 strings. URLs are relative to the app. */
export interface JobView {
  id: string;
  mode: JobMode;
  status: JobStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why the job failed or was stopped, in one sentence; null otherwise. */
  error: string | null;
  options: JobOptions;
  contentUrl: string;
  styleUrls: string[];
  progress: JobProgress | null;
  /** The latest intermediate image (Quality jobs), refreshed every few iterations; null before the first. */
  previewUrl: string | null;
  resultUrl: string | null;
  /** Same image as resultUrl, served as an attachment. */
  downloadUrl: string | null;
  /** 0: next to run in its lane; null unless queued. */
  queuePosition: number | null;
  /** The read-only link of the published result (jobs.publish); null while unpublished. */
  sharedUrl: string | null;
}

export interface JobListOutput {
  items: JobView[];
  nextCursor: string | null;
}

/** One event of `jobs.onProgress`: the job as it is now. */
export interface JobProgressEvent {
  type: "job";
  job: JobView;
}

export type UploadFormat = "jpeg" | "png" | "webp" | "tiff";

export interface UploadedImage {
  id: string;
  width: number;
  height: number;
  format: UploadFormat;
  bytes: number;
  url: string;
  thumbnailUrl: string;
}

export interface ExampleStyle {
  /** An upload id: pass it in `styleIds` like an uploaded style. */
  id: string;
  name: string;
  thumbnailUrl: string;
}

export interface SystemInfo {
  /** What runs the jobs, e.g. "tfjs-node, wasm (threads)" or "not started". */
  backend: string;
  limits: HostedLimits;
  /** Whether the model files each mode needs are installed. */
  models: { quality: boolean; fast: boolean };
  examples: ExampleStyle[];
  /** This visitor's storage: what is kept, the quota, and for how long work is kept. */
  storage: { usedBytes: number; quotaBytes: number; retentionHours: number };
  /** Whether the page may run Fast jobs in the browser (PASTICHE_CLIENT_FAST); false: always a server job. */
  clientFast: boolean;
}
