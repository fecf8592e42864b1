import { PasticheError } from "../errors.js";
import { VGG19_LAYERS, deepestLayerIndex } from "../vgg/layers.js";
import type { GatysOptions } from "./options.js";
import type { StageInfo } from "./stage.js";
import { resolveTiling, type GramTiling } from "./tiling/resolveTiling.js";

/**
 * A run decided before any work: the output size, every stage (size, iterations, style sizes,
 * tiling), the optimiser with its settings and the seed. Computed once by {@link planGatysRun} (a
 * pure function of the image sizes, the options and the backend), shown in the "start" event, and
 * executed as it is by the loop.
 */
export interface RunPlan {
  readonly width: number;
  readonly height: number;
  /** Iterations of all stages together. */
  readonly iterations: number;
  readonly seed: number;
  /** The tfjs backend the plan's memory model is for. */
  readonly backend: string;
  /** Coarse to fine; one stage is the plain single-scale run. */
  readonly stages: readonly StagePlan[];
}

/** A stage's optimiser and its settings, learning rate resolved (Adam 0.02, L-BFGS 1 unless given). */
export type OptimizerPlan =
  | { readonly kind: "adam"; readonly learningRate: number; readonly beta1: number; readonly beta2: number; readonly epsilon: number }
  | {
      readonly kind: "lbfgs";
      readonly learningRate: number;
      readonly historySize: number;
      readonly lineSearch: "none" | "backtracking";
      readonly maxStep?: number;
    };

/** A width and height in pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/** One stage: where it sits, its size, its iterations, the style images' sizes, its tiling and its optimiser. */
export interface StagePlan extends StageInfo {
  readonly iterations: number;
  /** `optimizer: "auto"`: L-BFGS, or Adam when the stage is tiled (the tile grid moves every step, which L-BFGS can't follow). */
  readonly optimizer: OptimizerPlan;
  /** Each style image's size at this stage (scaled with the stage, so the style keeps its scale). */
  readonly styleSizes: readonly Size[];
  /** Set when the stage is optimised tile by tile (then `tileSize` is its tile side too). */
  readonly tiling?: GramTiling;
}

/** What {@link planGatysRun} plans from: the images' sizes, the parsed options and the backend's name. */
export interface PlanInput {
  /** The content image as given: the output's size. */
  readonly content: Size;
  readonly styles: readonly Size[];
  readonly options: GatysOptions;
  readonly backend: string;
  readonly hasMasks: boolean;
  /** The run's seed (see {@link chooseSeed}): the plan itself draws no random numbers. */
  readonly seed: number;
}

/** The seed a run uses: the options' own, else a fresh random one (reported in the start event). */
export function chooseSeed(options: Pick<GatysOptions, "seed">): number {
  return options.seed ?? Math.floor(Math.random() * 2 ** 31);
}

/**
 * Decide the whole run. Everything it can't do — a per-stage iteration list of the wrong length,
 * tiling with L-BFGS or masks, a memory budget too small, images too small for the deepest layer
 * at some stage — is refused here, before any work: adapters plan right after decoding the inputs,
 * before loading the weights, and hand the plan to `stylizeGatys`.
 */
export function planGatysRun(input: PlanInput): RunPlan {
  const { content, options } = input;
  const { width, height } = content;
  const scales = resolveScales(input);
  const stages = planStages(width, height, { minSize: options.minSize, scales });
  // A per-stage list is checked against the stages even when it is not used.
  const perStage = stageIterations(stages, options);
  // `scales: "off"` (given, or "auto" resolved to it) is the single-scale run: `iterations` as given.
  const iterations = scales === "off" ? [options.iterations] : perStage;
  const planned = stages.map((stage, i): StagePlan => {
    // With a fixed style size the styles stay at it at every stage; else they scale with the stage.
    const factor = options.styleSize !== undefined ? 1 : stage.width / width;
    const styleSizes = input.styles.map((s) => fitLongestSide(s.width, s.height, Math.max(s.width, s.height) * factor));
    const tiling = resolveTiling(stage.width, stage.height, options, input.backend, input.hasMasks);
    const optimizer = optimizerPlan(options, tiling !== undefined);
    return { ...stage, ...(tiling ? { tileSize: tiling.tileSize, tiling } : {}), iterations: iterations[i]!, styleSizes, optimizer };
  });
  for (const stage of planned) assertLargeEnough(stage, options);
  return {
    width,
    height,
    iterations: iterations.reduce((a, b) => a + b, 0),
    seed: input.seed,
    backend: input.backend,
    stages: planned,
  };
}

/** The optimiser of a stage: as asked, or for "auto" L-BFGS unless the stage is tiled (resolveTiling refuses explicit L-BFGS there). */
function optimizerPlan(options: GatysOptions, tiled: boolean): OptimizerPlan {
  const kind = options.optimizer === "auto" ? (tiled ? "adam" : "lbfgs") : options.optimizer;
  return kind === "adam"
    ? { kind, learningRate: options.learningRate ?? 0.02, beta1: options.adamBeta1, beta2: options.adamBeta2, epsilon: options.adamEpsilon }
    : {
        kind,
        learningRate: options.learningRate ?? 1,
        historySize: options.lbfgsHistory,
        lineSearch: options.lbfgsLineSearch,
        ...(options.lbfgsMaxStep !== undefined ? { maxStep: options.lbfgsMaxStep } : {}),
      };
}

/**
 * `scales: "auto"` with L-BFGS (the default "auto" optimiser or explicit): one scale while the output
 * fits one VGG pass. Each new stage of a coarse-to-fine run restarts L-BFGS without curvature and
 * from an upsampled, blurred image, whose fine-layer style (block1/block2 Gram matrices) is lost: at
 * 512 px the coarse stages cost more than they save (docs/benchmarks.md, "Time to quality"). An
 * output that must be tiled still runs coarse to fine, so its large structures are laid out at sizes
 * that fit in one pass. With Adam, "auto" is coarse to fine as documented on the option.
 */
function resolveScales({ content, options, backend, hasMasks }: PlanInput): GatysOptions["scales"] {
  if (options.scales !== "auto" || options.optimizer === "adam") return options.scales;
  return resolveTiling(content.width, content.height, options, backend, hasMasks) ? "auto" : "off";
}

/** What events tag a stage with: its place and size (and tile side), not its plan. */
export function stageInfo(stage: StagePlan): StageInfo {
  const { index, count, width, height, tileSize } = stage;
  return { index, count, width, height, ...(tileSize !== undefined ? { tileSize } : {}) };
}

/**
 * Each pooling halves the feature maps (rounding down): an image with a side shorter than 2^pools
 * has empty feature maps at the deepest layer, whose loss is NaN (or crashes the WASM kernel).
 * Checked for every stage, since multi-scale and styleScale make small images likely.
 */
function assertLargeEnough(stage: StagePlan, options: GatysOptions): void {
  const deepest = deepestLayerIndex([...options.contentLayers, ...options.styleLayers]);
  const minSide = 2 ** VGG19_LAYERS.slice(0, deepest).filter((l) => l.kind === "pool").length;
  const deepestName = VGG19_LAYERS[deepest]!.name;
  const check = (image: Size, what: string) => {
    if (Math.min(image.width, image.height) < minSide) {
      throw new PasticheError(
        "INVALID_IMAGE",
        `${what} is ${image.width}x${image.height}: layer ${deepestName} needs at least ${minSide} pixels on each side (raise the size or styleScale)`,
      );
    }
  };
  check(stage, "the content image");
  stage.styleSizes.forEach((s, i) => {
    check(s, `style image ${i + 1}`);
  });
}

/** Largest ratio between the longest sides of two consecutive stages with `scales: "auto"`. */
const AUTO_STEP = Math.SQRT2;

/**
 * Longest sides of the stages, coarse to fine, ending at `target`: `count` sizes spaced
 * geometrically from `minSize` ("auto": as few as keep each step ≤ √2). One stage when `minSize`
 * is not below the target.
 */
export function scaleSizes(target: number, minSize: number, scales: "auto" | "off" | number): number[] {
  // "auto" only pays off once there is room for at least two growth steps below the target.
  if (scales === "off" || minSize >= target || (scales === "auto" && target <= 2 * minSize)) return [target];
  const count = scales === "auto" ? Math.ceil(Math.log(target / minSize) / Math.log(AUTO_STEP) - 1e-9) + 1 : scales;
  if (count <= 1) return [target];
  const ratio = (target / minSize) ** (1 / (count - 1));
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? target : Math.round(minSize * ratio ** i)));
}

/** Width and height with the longest side `longest`, keeping the aspect ratio (as the adapters do). */
export function fitLongestSide(width: number, height: number, longest: number): { width: number; height: number } {
  const scale = longest / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The stages of a run whose output (the content image) is `width`×`height`. */
export function planStages(width: number, height: number, options: Pick<GatysOptions, "minSize" | "scales">): StageInfo[] {
  const sizes = scaleSizes(Math.max(width, height), options.minSize, options.scales);
  return sizes.map((longest, index) => ({ index, count: sizes.length, ...fitLongestSide(width, height, longest) }));
}

/** Share of a multi-scale run's budget spent at the full size: the fine strokes need the most steps. */
const TOP_STAGE_SHARE = 2 / 3;

/**
 * Iterations per stage. With `iterationsPerScale`, that many at every stage (or the list given, one
 * per stage). Otherwise `iterations`
 * is the run's budget in full-size iterations, so a multi-scale run costs about what a single-scale
 * one of the same `iterations` costs: two thirds of it at the full size, the rest over the coarser
 * stages (each iteration costing its share of the pixels), in proportion to their side.
 */
export function stageIterations(stages: readonly StageInfo[], options: Pick<GatysOptions, "iterations" | "iterationsPerScale">): number[] {
  const given = options.iterationsPerScale;
  if (Array.isArray(given)) {
    if (given.length !== stages.length) {
      const sizes = stages.map((s) => Math.max(s.width, s.height)).join(", ");
      throw new PasticheError(
        "INVALID_OPTION",
        `${given.length} iterations per scale for ${stages.length} scales (${sizes} px): give one number, or one per scale`,
      );
    }
    return [...given];
  }
  if (given !== undefined) return stages.map(() => given);
  if (stages.length === 1) return [options.iterations];
  const top = stages.at(-1)!;
  const topIterations = Math.max(1, Math.round(options.iterations * TOP_STAGE_SHARE));
  // Coarse stages get iterations in proportion to their side: each stage's detail is mostly redone
  // by the next, so the larger ones, nearest the output, earn more steps; the smallest only lay out
  // the big structures (measured at 512 px: better than equal counts, or more steps at the small end).
  const sideOf = (s: StageInfo) => Math.max(s.width, s.height);
  const coarse = stages.slice(0, -1);
  const costPerUnit = coarse.reduce((sum, s) => sum + (sideOf(s) * s.width * s.height) / (top.width * top.height), 0);
  const unit = (options.iterations - topIterations) / costPerUnit;
  return stages.map((s, i) => (i === stages.length - 1 ? topIterations : Math.max(1, Math.round(unit * sideOf(s)))));
}
