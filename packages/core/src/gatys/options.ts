import { z } from "zod";
import { parseOptions, styleBlendWeightsSchema, weightSchema as weight } from "../options/parse.js";
import { resolveLayerName } from "../vgg/layers.js";
import { DEFAULT_GATYS_ITERATIONS, DEFAULT_LBFGS_HISTORY } from "../options/defaults.js";
import { GATYS_PRESET_NAMES, applyGatysPreset } from "./presets.js";

/**
 * Defaults follow the TensorFlow tutorial "Neural style transfer" (the seed algorithm): content
 * `block5_conv2`; style `block1_conv1 … block5_conv1`; weights content 1e4, style 1e-2, total
 * variation 30; Adam lr 0.02, β₁ 0.99, ε 0.1; the image initialised from the content and clipped to
 * [0,1]. L-BFGS: lr 1 as neural-style, a history of 20 pairs (DEFAULT_LBFGS_HISTORY).
 */
export const DEFAULT_CONTENT_LAYERS = ["block5_conv2"] as const;
/** The default style layers: the first conv of each VGG19 block, as in Gatys et al. */
export const DEFAULT_STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"] as const;

const layerName = z.string().transform((name, ctx) => {
  try {
    return resolveLayerName(name);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
    return z.NEVER;
  }
});

/**
 * Starts the image can have that need no file: the content, uniform noise (seeded), the fast result,
 * mid-gray, and "uniform" — crowsonkb's style-transfer's name for the same seeded uniform noise in
 * [0,1] (the same pixels as "noise" for the same seed; offered so its users' commands work).
 */
export const BUILT_IN_INITS = ["content", "noise", "fast", "gray", "uniform"] as const;

/**
 * Where the optimisation starts: the content image, noise, the fast (Magenta) result, flat gray, or
 * an image (`path` says which file; core itself takes the decoded pixels as `initImage`).
 */
export const GatysInitSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.enum(BUILT_IN_INITS) }).strict(),
  z.object({ kind: z.literal("image"), path: z.string().min(1) }).strict(),
]);
/** How a Gatys run starts: from noise, the content, gray, a uniform image, the Fast result, or an image file. */
export type GatysInit = z.output<typeof GatysInitSchema>;

/** The one definition of a Gatys run's options, shared by core, the CLI and the web app. */
export const GatysOptionsSchema = z
  .object({
    /**
     * A named set of options for a textbook result ("tutorial": TensorFlow's tutorial, "seed": the
     * seed blog's run), under the options given explicitly; see GATYS_PRESETS. Absent: the defaults.
     */
    preset: z.enum(GATYS_PRESET_NAMES).optional(),
    /** Longest side of the output in pixels (the adapters resize the inputs to it). */
    size: z.number().int().min(16).max(8192).default(512),
    iterations: z.number().int().min(1).max(100_000).default(DEFAULT_GATYS_ITERATIONS),
    /** "auto": L-BFGS, and Adam for stages that must be tiled (said per stage in the start event's plan). */
    optimizer: z.enum(["auto", "adam", "lbfgs"]).default("auto"),
    /** Default: 0.02 for Adam, 1 for L-BFGS (for the optimiser each stage uses). */
    learningRate: z.number().positive().optional(),
    adamBeta1: z.number().min(0).lt(1).default(0.99),
    adamBeta2: z.number().min(0).lt(1).default(0.999),
    adamEpsilon: z.number().positive().default(0.1),
    lbfgsHistory: z.number().int().min(1).max(1000).default(DEFAULT_LBFGS_HISTORY),
    /**
     * L-BFGS step rule: "backtracking" (default) halves a step until the loss falls enough (Armijo),
     * which costs nothing extra while the full step is good and saves a run from an overshooting one;
     * "none" always takes the full step (neural-style, torch.optim.LBFGS without line search).
     */
    lbfgsLineSearch: z.enum(["none", "backtracking"]).default("backtracking"),
    /** L-BFGS: the most any pixel (0–1) may change in one step, the step shortened to it; absent: no limit. */
    lbfgsMaxStep: z.number().positive().max(1).optional(),
    contentWeight: weight.default(1e4),
    styleWeight: weight.default(1e-2),
    tvWeight: weight.default(30),
    contentLayers: z
      .array(layerName)
      .min(1)
      .default([...DEFAULT_CONTENT_LAYERS]),
    styleLayers: z
      .array(layerName)
      .min(1)
      .default([...DEFAULT_STYLE_LAYERS]),
    /** One weight per style layer (default 1 each); the style loss is their weighted mean. */
    styleLayerWeights: z.array(weight).optional(),
    /** One weight per style image; normalised to sum to 1. */
    styleBlendWeights: styleBlendWeightsSchema,
    init: GatysInitSchema.default({ kind: "content" }),
    /** Seed for noise initialisation; a run with the same seed and inputs repeats exactly. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    /** Attach a preview image to every N-th iteration event (0: never). */
    previewEvery: z.number().int().min(0).default(0),
    /** "auto": the faster on the active backend (the flipped-kernel conv on WASM and tfjs-node, as measured). API only, not a CLI flag. */
    convGradient: z.enum(["auto", "flipped-conv", "tfjs"]).default("auto"),
    /** "auto": Winograd convolutions for the layers where they measured faster on the active backend (block4–5 at ≥ 32² on tfjs-node), else direct. API only, not a CLI flag. */
    convAlgorithm: z.enum(["auto", "direct", "winograd"]).default("auto"),
    /**
     * Keep the content's colours (Gatys et al. 2017): "luminance" puts the result's luminance on the
     * content's chrominance (YIQ) at the end; "histogram" first gives the style images the content's
     * RGB mean and covariance. "none": the reference algorithm.
     */
    preserveColors: z.enum(["none", "luminance", "histogram"]).default("none"),
    /**
     * Style images are resized so their longest side is styleScale × the output's: below 1 the
     * brush strokes come out larger, above 1 finer. Applied where the images are decoded (adapters).
     */
    styleScale: z.number().positive().max(4).default(1),
    /**
     * A fixed style resolution (crowsonkb's --style-size): the style images' longest side in pixels
     * at every stage, instead of styleScale × the output and scaled with each stage. Unset: off.
     */
    styleSize: z.number().int().min(16).max(8192).optional(),
    // --- neural-style controls (issue #14) ---
    /** VGG's pooling layers: "max" as trained, or "avg" (Gatys et al. 2016 report smoother results; neural-style's -pooling). */
    pooling: z.enum(["max", "avg"]).default("max"),
    /**
     * neural-style's -normalize_gradients: each content and style layer's gradient divided by its L1
     * norm and multiplied by the layer's weight, so no layer dominates by its loss's scale (the
     * reported losses are unchanged). Off: the plain gradient of the weighted loss.
     */
    normalizeGradients: z.boolean().default(false),
    // --- end neural-style controls ---
    /**
     * Decay of an exponential moving average of the image over the iterations; the output (and
     * previews) is the average. 0: off, the reference algorithm; 0.95–0.99 gives smoother results.
     */
    averaging: z.number().min(0).lt(1).default(0),
    /**
     * Coarse to fine: run the optimisation at growing sizes, each stage starting from the previous
     * result upsampled. "auto" (default): from `minSize` growing by at most √2 per stage, when the
     * output is more than twice `minSize` (so from 257 px by default); "off": one scale, the
     * reference algorithm; a number: that many stages, geometrically from `minSize` to the output.
     * `iterations` is then the budget in full-size iterations (see `iterationsPerScale`).
     */
    scales: z.union([z.enum(["auto", "off"]), z.number().int().min(1).max(32)]).default("auto"),
    /** Longest side of the first (coarsest) stage. */
    minSize: z.number().int().min(16).max(8192).default(128),
    /**
     * Iterations of the stages when multi-scale: one number for every stage, or one per stage,
     * coarse to fine. Default: `iterations` is the run's budget in full-size iterations, two thirds
     * of it at the full size and the rest at the coarser stages.
     */
    iterationsPerScale: z.union([z.number().int().min(1).max(100_000), z.array(z.number().int().min(1).max(100_000)).min(1).max(32)]).optional(),
    /**
     * Seamless tiling for outputs too large for one VGG pass: the side of a tile in pixels (a
     * multiple of 16 is used), "auto": tiles only when the whole image would not fit `maxMemory`
     * (then the largest that fits), "off": never tile. Needs Adam (the grid moves every iteration)
     * and no style masks.
     */
    tileSize: z.union([z.enum(["auto", "off"]), z.number().int().min(64).max(8192)]).default("auto"),
    /** Memory budget in bytes for one evaluation, which the automatic tile size keeps to. */
    maxMemory: z
      .number()
      .positive()
      .default(6 * 2 ** 30),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.styleLayerWeights && o.styleLayerWeights.length !== o.styleLayers.length) {
      ctx.addIssue({
        code: "custom",
        path: ["styleLayerWeights"],
        message: `${o.styleLayerWeights.length} style layer weights for ${o.styleLayers.length} style layers`,
      });
    }
  });

/** Gatys options as a caller may write them: every field optional (see {@link GatysOptionsSchema}). */
export type GatysOptionsInput = z.input<typeof GatysOptionsSchema>;
/** Gatys options after parsing: defaults filled in (what {@link parseGatysOptions} returns). */
export type GatysOptions = z.output<typeof GatysOptionsSchema>;

// Values made by parseGatysOptions (frozen, so they stay valid): core's entry points accept them as
// they are, which is what lets an edge parse once and every layer below only check.
const parsedOptions = new WeakSet();

/** Validate options at the edge; a bad value becomes a one-line INVALID_OPTION (or UNKNOWN_LAYER). */
export function parseGatysOptions(input: GatysOptionsInput): GatysOptions {
  const options = parseOptions(GatysOptionsSchema, applyGatysPreset(input));
  for (const value of Object.values(options)) if (Array.isArray(value)) Object.freeze(value);
  Object.freeze(options.init);
  parsedOptions.add(Object.freeze(options));
  return options;
}

/**
 * Options as an entry point receives them: already parsed at the edge (a cheap identity check), or
 * raw from a direct API call, which is then that call's edge and parsed here.
 */
export function ensureGatysOptions(options: GatysOptions | GatysOptionsInput): GatysOptions {
  return parsedOptions.has(options) ? (options as GatysOptions) : parseGatysOptions(options);
}

/** Longest side, in pixels, the adapters resize the style images to. */
export function styleLongestSide(options: Pick<GatysOptions, "size" | "styleScale"> & Partial<Pick<GatysOptions, "styleSize">>): number {
  return options.styleSize ?? Math.max(1, Math.round(options.size * options.styleScale));
}
