import { z } from "zod";
import { parseOptions } from "../options/parse.js";

/**
 * Options of a video stylisation (`pastiche video`), shared by core, the CLI and (later) the web
 * app. The clip options (size, fps, start, duration) are applied by the decoder on the platform side.
 */
export const VideoOptionsSchema = z
  .object({
    /** Longest side of the output frames; default: the input's (rounded to even sides for the encoders). */
    size: z.number().int().min(16).max(4096).optional(),
    /** Output frame rate; default: the input's. */
    fps: z.number().min(0.1).max(240).optional(),
    /** Where the part taken starts, in seconds from the start of the input. */
    start: z.number().min(0).max(1e6).default(0),
    /** Length of the part taken, in seconds; default: to the end. */
    duration: z.number().gt(0).max(1e6).optional(),
    /**
     * Temporal consistency, 0: frame by frame. Fast: the share of the previous output (warped along
     * the flow) blended in where the flow holds (0–1). Gatys: the weight of the short-term temporal
     * loss, in units of TEMPORAL_LOSS_SCALE.
     */
    temporalWeight: z.number().min(0).max(1).default(0.6),
    /** Gatys: iterations of each frame after the first (which runs the whole --iterations from the content). */
    frameIterations: z.number().int().min(1).max(10_000).default(40),
  })
  .strict();

/** Video options as a caller may write them (see {@link VideoOptionsSchema}). */
export type VideoOptionsInput = z.input<typeof VideoOptionsSchema>;
/** Video options after parsing (what {@link parseVideoOptions} returns). */
export type VideoOptions = z.output<typeof VideoOptionsSchema>;

/**
 * Gatys: the temporal loss weight at temporalWeight 1. The content loss (MSE of VGG features at
 * the default content weight 1e4) and the temporal loss (MSE of 0–255 pixels) are of this ratio
 * on 64–256 px frames, so temporalWeight 1 makes holding the previous frame about as strong as
 * holding the content.
 */
export const TEMPORAL_LOSS_SCALE = 1e4;

/** Validate at the edge; a bad value becomes a one-line INVALID_OPTION. */
export function parseVideoOptions(input: VideoOptionsInput): VideoOptions {
  return Object.freeze(parseOptions(VideoOptionsSchema, input));
}
