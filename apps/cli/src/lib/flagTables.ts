import { existsSync } from "node:fs";
import { BUILT_IN_INITS, FAST_DEFAULT_SIZE, FastOptionsSchema, GatysOptionsSchema, type FastOptions, type GatysInit, type GatysOptions } from "@pastiche/core";
import { PasticheError } from "@pastiche/core";
import { bytesParser, checkFlagValue, optionFlags, showBytes, type FlagParser, type FlagTable } from "./optionFlags.js";

/**
 * `--init`: a built-in start by name, anything else the path of an image (`./fast` for a file named
 * fast). A word that is neither (a typo such as `nosie`) is refused with the choices, here, rather
 * than as a missing image later.
 */
export const initParser: FlagParser = (raw, flag) => {
  const word = raw.trim();
  const builtIn = BUILT_IN_INITS.find((kind) => kind === word);
  if (builtIn) return { kind: builtIn } satisfies GatysInit;
  if (!existsSync(word))
    throw new PasticheError("INVALID_OPTION", `--${flag}: expected ${BUILT_IN_INITS.join(", ")} or the path of an image, got "${raw}" (no such file)`);
  return { kind: "image", path: word } satisfies GatysInit;
};

/** `--iterations-per-scale`: one whole number for every stage, or a comma-separated one per stage. */
const iterationsPerScaleParser: FlagParser = (raw, flag, field) => {
  const values = raw.split(",").map((part) => {
    const v = Number(part.trim());
    if (part.trim() === "" || !Number.isInteger(v) || v < 1) {
      throw new PasticheError("INVALID_OPTION", `--${flag}: expected a whole number of at least 1, or one per scale separated by commas, got "${raw}"`);
    }
    return v;
  });
  // One number means every stage (and is recorded as such for --from).
  return checkFlagValue(flag, field, values.length === 1 ? values[0]! : values);
};

const blendWeights = { flag: "style-blend-weights", help: "one weight per style image, e.g. 3,7 (normalised)", defaultText: "equal" } as const;

/** `pastiche stylize`'s option flags: option key → flag name, help and (where not derived) parser. */
export const GATYS_FLAGS: FlagTable<GatysOptions> = {
  size: { flag: "size", help: "longest side of the output in pixels" },
  iterations: { flag: "iterations", char: "n", help: "optimisation steps; with several scales, the run's budget in full-size iterations" },
  optimizer: { flag: "optimizer", help: "optimiser; auto: L-BFGS, Adam for stages that must be tiled" },
  learningRate: { flag: "lr", help: "learning rate", defaultText: "0.02 Adam, 1 L-BFGS" },
  contentWeight: { flag: "content-weight", help: "content loss weight" },
  styleWeight: { flag: "style-weight", help: "style loss weight" },
  tvWeight: { flag: "tv-weight", help: "total variation weight" },
  contentLayers: { flag: "content-layers", help: "comma-separated content layers (block5_conv2 or relu5_2 style)" },
  styleLayers: { flag: "style-layers", help: "comma-separated style layers" },
  styleLayerWeights: { flag: "style-layer-weights", help: "one weight per style layer", defaultText: "1 each" },
  styleBlendWeights: blendWeights,
  init: {
    flag: "init",
    help: "starting image: content, noise (seeded uniform noise; uniform is crowsonkb's name for the same), gray, fast (the `pastiche fast` result, needs the Magenta models), or a PATH to an image",
    parse: initParser,
    showDefault: (v) => (v as GatysInit).kind,
  },
  seed: { flag: "seed", help: "random seed (noise init, tile offsets)", defaultText: "random, printed" },
  previewEvery: { flag: "save-every", help: "also write the image every N iterations (OUT-0100.png …), 0: never" },
  preserveColors: {
    flag: "preserve-colors",
    help: "keep the content's colours: luminance (style on the luminance only) or histogram (style recoloured to the content's colour statistics first)",
  },
  styleScale: { flag: "style-scale", help: "style images resized to this × the output's longest side (0.5: larger brush strokes)" },
  averaging: { flag: "average", help: "output a moving average of the image over the iterations with this decay (0.95–0.99: smoother), 0: off" },
  scales: {
    flag: "scales",
    unit: "stages",
    help: "coarse to fine: auto (from --min-size growing by √2, for outputs over twice --min-size), off, or a number of stages",
  },
  minSize: { flag: "min-size", help: "longest side of the first stage with --scales" },
  iterationsPerScale: {
    flag: "iterations-per-scale",
    help: "iterations of every stage with --scales, or one per stage coarse to fine (40,30,20,…)",
    parse: iterationsPerScaleParser,
    defaultText: "--iterations is the budget in full-size iterations, 2/3 of it at full size",
  },
  tileSize: {
    flag: "tile-size",
    unit: "pixels",
    help: "optimise in tiles of this side (px), with a grid that moves every step so no seams show: auto (only when the output would not fit --max-memory), off, or pixels",
  },
  maxMemory: {
    flag: "max-memory",
    help: "memory budget for one optimisation step, e.g. 6GB; larger outputs are tiled to stay within it",
    parse: bytesParser,
    showDefault: showBytes,
  },
  // #14: the optimisers' own settings, as neural-style and crowsonkb's style-transfer expose them.
  lbfgsHistory: { flag: "lbfgs-history", help: "L-BFGS: how many past steps approximate the curvature (neural-style's -lbfgs_num_correction)" },
  adamBeta1: { flag: "adam-beta1", help: "Adam: decay of the gradient's moving average" },
  adamBeta2: { flag: "adam-beta2", help: "Adam: decay of the squared gradient's moving average" },
  adamEpsilon: { flag: "adam-epsilon", help: "Adam: added to the denominator (large values damp the first steps)" },
  styleSize: {
    flag: "style-size",
    help: "a fixed style resolution: the style images' longest side in pixels at every scale (crowsonkb's --style-size); overrides --style-scale",
    defaultText: "off: --style-scale × each scale's size",
  },
  // #14 (cli2): neural-style's network controls.
  pooling: { flag: "pooling", help: "VGG's pooling layers: max (as trained) or avg (smoother results; Gatys et al., neural-style's -pooling)" },
  normalizeGradients: {
    flag: "normalize-gradients",
    help: "neural-style's -normalize_gradients: each content/style layer's gradient divided by its L1 norm, times the layer's weight (weights then set each layer's push, not its loss's scale)",
  },
  // #12: textbook presets and the L-BFGS step rule.
  preset: {
    flag: "preset",
    help: "a textbook run: tutorial (TensorFlow's tutorial exactly: Adam, one scale, 1000 steps) or seed (the seed blog's: content 1e3, no TV, 1000 steps); flags given override its values",
    defaultText: "none: the fast default schedule",
  },
  lbfgsLineSearch: {
    flag: "lbfgs-line-search",
    help: "L-BFGS step rule: backtracking (halve a step until the loss falls enough) or none (full steps, as neural-style)",
  },
  lbfgsMaxStep: { flag: "lbfgs-max-step", help: "L-BFGS: the most any pixel (0–1) may change in one step", defaultText: "no limit" },
};

/** `pastiche fast`'s option flags. */
export const FAST_FLAGS: FlagTable<FastOptions> = {
  size: { flag: "size", help: "longest side of the output in pixels", productDefault: FAST_DEFAULT_SIZE },
  styleSize: { flag: "style-size", help: "side of the square the style image is scaled and cropped to for the predictor" },
  strength: { flag: "strength", help: "0 (content unchanged) … 1 (full style)" },
  styleBlendWeights: blendWeights,
};

export const gatysOptionFlags = optionFlags(GatysOptionsSchema.shape, GATYS_FLAGS);
export const fastOptionFlags = optionFlags(FastOptionsSchema.shape, FAST_FLAGS);
