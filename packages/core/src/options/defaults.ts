/**
 * Product defaults that are not an engine option's own default (those live in the option schemas):
 * one place for the values the CLI, the web app and the README share. Plain values, no zod, so
 * browser code can import them (`@pastiche/core/defaults`).
 */

/** Longest side of a fast (`pastiche fast`, web Fast mode) output when none is given. */
export const FAST_DEFAULT_SIZE = 512;

/**
 * Iterations of a Gatys run when none are given (the option schema's default): with the default
 * schedule (L-BFGS at one scale) enough to pass the TensorFlow tutorial's 300-iteration objective at
 * 512 px (docs/benchmarks.md, "Time to quality").
 */
export const DEFAULT_GATYS_ITERATIONS = 70;

/**
 * L-BFGS correction pairs kept when none are given (neural-style keeps 100): the two-loop recursion
 * costs ~5 ms per pair at 512×512 on tfjs-node (320 ms at 60 pairs, a sixth of a VGG evaluation),
 * and on two 512 px pairs the J after 30–70 iterations with 20 pairs was within 0.7% (either side)
 * of 100's, reached 4–8% sooner (docs/benchmarks.md). Here, not in optim/lbfgs.ts, so the option
 * schema does not load tfjs.
 */
export const DEFAULT_LBFGS_HISTORY = 20;

/** The web app's Quality mode: the default schedule at a smaller size than the CLI's, so a shared server stays responsive. */
export const WEB_QUALITY_DEFAULTS = { size: 256, iterations: DEFAULT_GATYS_ITERATIONS } as const;

/** Inputs with more pixels than this are refused before they are decoded (CLI and web). */
export const DEFAULT_MAX_INPUT_PIXELS = 50_000_000;

/** Input files larger than this are refused before they are read (an image this size is far past the pixel cap anyway). */
export const DEFAULT_MAX_INPUT_BYTES = 256 * 2 ** 20;

/** Inputs with a side shorter than this are refused, not scaled up from nothing (CLI and web). */
export const MIN_INPUT_SIDE = 16;

/** Style images one run blends at most: far more than any blend needs, and a bound on open files and memory. */
export const MAX_STYLE_IMAGES = 64;
