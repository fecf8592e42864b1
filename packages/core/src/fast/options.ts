import { z } from "zod";
import { parseOptions, styleBlendWeightsSchema } from "../options/parse.js";

/** Options of a fast (feed-forward) stylisation, shared by core, the CLI and the web app. */
export const FastOptionsSchema = z
  .object({
    /** Longest side of the output; default: the content image's own size. */
    size: z.number().int().min(8).max(8192).optional(),
    /** Side of the square the style image is scaled and cropped to for the predictor (Magenta: 256). */
    styleSize: z.number().int().min(32).max(2048).default(256),
    /** 1: the style's bottleneck; 0: the content's own (no stylisation); in between, a mix. */
    strength: z.number().min(0).max(1).default(1),
    /** One weight per style image; normalised to sum to 1. */
    styleBlendWeights: styleBlendWeightsSchema,
  })
  .strict();

/** Fast options as a caller may write them: every field optional (see {@link FastOptionsSchema}). */
export type FastOptionsInput = z.input<typeof FastOptionsSchema>;
/** Fast options after parsing: defaults filled in (what {@link parseFastOptions} returns). */
export type FastOptions = z.output<typeof FastOptionsSchema>;

// Values made by parseFastOptions (frozen): entry points take them as they are (see ensureGatysOptions).
const parsedOptions = new WeakSet();

/** Validate at the edge; a bad value becomes a one-line INVALID_OPTION. */
export function parseFastOptions(input: FastOptionsInput): FastOptions {
  const options = parseOptions(FastOptionsSchema, input);
  if (options.styleBlendWeights) Object.freeze(options.styleBlendWeights);
  parsedOptions.add(Object.freeze(options));
  return options;
}

/** Options parsed at the edge (a cheap check), or raw from a direct API call (parsed here). */
export function ensureFastOptions(options: FastOptions | FastOptionsInput): FastOptions {
  return parsedOptions.has(options) ? (options as FastOptions) : parseFastOptions(options);
}
