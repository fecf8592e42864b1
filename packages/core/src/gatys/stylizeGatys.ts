import * as tf from "@tensorflow/tfjs-core";
import { transferLuminance } from "../color/yiq.js";
import { PasticheError } from "../errors.js";
import { assertRgbImage, type RgbImage } from "../image/rgbImage.js";
import { resizeRgbImage, resizeRgbImage16, rgbImageToTensor, tensorToRgbImage, tensorToRgbImage16 } from "../image/tensorImage.js";
import type { WeightMap } from "../model/weightMap.js";
import { AdamImageOptimizer } from "../optim/adam.js";
import { IterateAverage } from "../optim/iterateAverage.js";
import { LbfgsImageOptimizer } from "../optim/lbfgs.js";
import type { Evaluation, ImageOptimizer } from "../optim/types.js";
import { checkStyleCounts } from "../options/styleCounts.js";
import { VggFeatureExtractor } from "../vgg/extractor.js";
import type { LossTerms, StageStartEvent, StylizeEvent } from "./events.js";
import { assertGradientsRegistered } from "./gradients.js";
import { wholeImageObjective, type Objective } from "./objective/objective.js";
import { temporalObjective, type TemporalTarget } from "./objective/temporalObjective.js";
import { tiledObjective } from "./objective/tiledObjective.js";
import type { StyleTargetCache } from "./objective/styleTargetCache.js";
import type { StyleGramReuse } from "./objective/styleTargets.js";
import { ensureGatysOptions, type GatysOptions, type GatysOptionsInput } from "./options.js";
import { chooseSeed, planGatysRun, stageInfo, type OptimizerPlan, type RunPlan, type StagePlan } from "./plan.js";

/** What {@link stylizeGatys} stylises: content and style images, the VGG19 weights and the options. */
export interface GatysInput {
  /** The content image, already at the output size. */
  readonly content: RgbImage;
  /** One or more style images (any size; the adapters resize them to the output size by default). */
  readonly styles: readonly RgbImage[];
  /**
   * Regional styles: one mask per style image, in order, saying where on the output that style goes
   * (gray level from the luminance: white = this style, black = not; soft values blend). Resized to
   * the content's size (stretched if the aspect ratio differs). Absent: every style everywhere.
   */
  readonly styleMasks?: readonly RgbImage[];
  /** Starting image when `options.init` is an image (or "fast"); resized to the content's size if needed. */
  readonly initImage?: RgbImage;
  /** VGG19 weights (Keras names); borrowed, not disposed. */
  readonly weights: WeightMap;
  /** Parsed by `parseGatysOptions` at the edge (taken as they are), or raw (parsed here). */
  readonly options?: GatysOptions | GatysOptionsInput;
  /** The run's plan when the caller already made it (`planGatysRun`, e.g. to refuse early); else planned here. */
  readonly plan?: RunPlan;
  /** A video frame's run: held to the previous output where the flow holds (Ruder et al.); see `stylizeVideo`. */
  readonly temporal?: TemporalTarget;
  readonly signal?: AbortSignal;
  /**
   * A batch's style Gram cache (borrowed; the caller disposes it when the batch ends): the Grams of
   * a style image object seen by an earlier run at the same size are reused instead of recomputed.
   * Pass the same decoded style objects to every run of the batch.
   */
  readonly styleTargets?: StyleTargetCache;
  /** Multi-scale runs: also emit a "stage" event with each stage's result as it finishes (before the last). */
  readonly stageResults?: boolean;
  /** Also attach the final image as 16-bit samples (`image16` on the "done" event), for 16-bit PNG/TIFF output. */
  readonly highDepth?: boolean;
}

/**
 * Gatys et al. style transfer as an async iterable of progress events: a "start" event with the
 * run's plan, one "iteration" event per optimiser step, and a final "done" event carrying the
 * image. Aborting the signal ends the run after the current iteration with a "done" event marked
 * `aborted`. Coarse to fine when the plan has several stages: each stage starts from the previous
 * result upsampled, iterations are numbered across stages and tagged with their stage.
 *
 * All tensors live inside this function: targets and optimiser state are released when the
 * iteration ends, whether it finished, was aborted or threw.
 *
 * @param input - Content and style images, VGG19 weights (e.g. from {@link loadLayersModelWeightsFromUrl}) and {@link GatysOptionsInput}.
 * @throws PasticheError INVALID_OPTION, UNKNOWN_LAYER, INVALID_WEIGHTS (missing or misshapen layers),
 * INVALID_IMAGE, or GRADIENTS_NOT_REGISTERED when tfjs's gradients are not loaded (import "@tensorflow/tfjs").
 *
 * @example
 * ```ts
 * const weights = await loadLayersModelWeightsFromUrl("models/vgg19/model.json");
 * for await (const event of stylizeGatys({ content, styles: [style], weights, options: { iterations: 200 } })) {
 *   if (event.type === "iteration") console.log(event.iteration, event.losses.total);
 *   if (event.type === "done") show(event.image);
 * }
 * disposeWeightMap(weights);
 * ```
 */
export async function* stylizeGatys(input: GatysInput): AsyncGenerator<StylizeEvent, void, undefined> {
  const options = ensureGatysOptions(input.options ?? {});
  validateInput(input, options);
  assertGradientsRegistered();
  const plan =
    input.plan ??
    planGatysRun({
      content: input.content,
      styles: input.styles,
      options,
      backend: tf.getBackend(),
      hasMasks: input.styleMasks !== undefined,
      seed: chooseSeed(options),
    });
  if (plan.width !== input.content.width || plan.height !== input.content.height || plan.stages[0]!.styleSizes.length !== input.styles.length) {
    throw new PasticheError(
      "INVALID_OPTION",
      `the run's plan is for a ${plan.width}x${plan.height} output with ${plan.stages[0]!.styleSizes.length} styles, not ${input.content.width}x${input.content.height} with ${input.styles.length}`,
    );
  }
  yield* executePlan(input, options, plan);
}

/** Runs the plan's stages in order, re-emitting their events as one run's. */
async function* executePlan(input: GatysInput, options: GatysOptions, plan: RunPlan): AsyncGenerator<StylizeEvent, void, undefined> {
  const { width, height } = plan;
  const multiScale = plan.stages.length > 1;
  const started = performance.now();
  let offset = 0;
  let previous: RgbImage | undefined;
  for (const stage of plan.stages) {
    // Resizing to the size an image already has returns it unchanged (the single-stage case).
    const content = await resizeRgbImage(input.content, stage.width, stage.height);
    const styles = await Promise.all(input.styles.map((s, i) => resizeRgbImage(s, stage.styleSizes[i]!.width, stage.styleSizes[i]!.height)));
    // Masks follow the content (their own aspect ratio is ignored), so they are resized to the stage.
    const styleMasks = input.styleMasks ? await Promise.all(input.styleMasks.map((m) => resizeRgbImage(m, stage.width, stage.height))) : undefined;
    const start: StageStart = previous ? { image: previous } : startOf(options, input.initImage);
    let stageStarted = 0;
    const styleReuse = input.styleTargets ? { cache: input.styleTargets, sources: input.styles } : undefined;
    const stageInput = {
      content,
      styles,
      styleMasks,
      start,
      weights: input.weights,
      temporal: input.temporal,
      signal: input.signal,
      styleReuse,
      highDepth: input.highDepth === true,
    };
    for await (const event of runStage(stageInput, options, stage, plan)) {
      if (!multiScale) {
        yield event.type === "start" ? { ...event, plan } : event;
        continue;
      }
      const elapsedMs = performance.now() - started;
      if (event.type === "start") {
        stageStarted = elapsedMs;
        if (stage.index === 0) yield { ...event, width, height, iterations: plan.iterations, stages: plan.stages.map(stageInfo), plan };
      } else if (event.type === "iteration") {
        // Later stages cost more per iteration, roughly in proportion to their pixels.
        const perIteration = (elapsedMs - stageStarted) / event.iteration;
        const remaining = plan.stages
          .slice(stage.index + 1)
          .reduce((sum, s) => sum + (s.iterations * s.width * s.height) / (stage.width * stage.height), stage.iterations - event.iteration);
        yield {
          ...event,
          iteration: offset + event.iteration,
          iterations: plan.iterations,
          elapsedMs,
          etaMs: perIteration * remaining,
          stage: stageInfo(stage),
        };
      } else if (event.type === "done") {
        const last = stage.index === plan.stages.length - 1;
        if (last || event.aborted) {
          yield {
            ...event,
            image: await resizeRgbImage(event.image, width, height),
            ...(event.image16 ? { image16: await resizeRgbImage16(event.image16, width, height) } : {}),
            iterations: offset + event.iterations,
            elapsedMs,
            aborted: !last || event.aborted,
          };
          return;
        }
        previous = event.image;
        if (input.stageResults) yield { type: "stage", stage: stageInfo(stage), image: event.image, iterations: offset + event.iterations, elapsedMs };
      }
    }
    offset += stage.iterations;
  }
}

/** Where a stage's image starts: a built-in start, or an image (the previous stage's result, a file, the fast result). */
type StageStart = { readonly kind: "content" | "noise" | "gray" | "uniform" } | { readonly image: RgbImage };

function startOf(options: GatysOptions, initImage: RgbImage | undefined): StageStart {
  const { kind } = options.init;
  // Validated by validateInput: an image start has its pixels.
  return kind === "image" || kind === "fast" ? { image: initImage! } : { kind };
}

interface StageInput {
  readonly content: RgbImage;
  readonly styles: readonly RgbImage[];
  readonly styleMasks: readonly RgbImage[] | undefined;
  readonly start: StageStart;
  readonly weights: WeightMap;
  readonly temporal: TemporalTarget | undefined;
  readonly signal: AbortSignal | undefined;
  readonly styleReuse: StyleGramReuse | undefined;
  readonly highDepth: boolean;
}

type StageEvent = StageStartEvent | Exclude<StylizeEvent, { type: "start" | "stage" }>;

/** The Gatys loop at one stage's size, as the plan says: its iterations, tiling and the run's optimiser. */
async function* runStage(input: StageInput, options: GatysOptions, stage: StagePlan, plan: RunPlan): AsyncGenerator<StageEvent, void, undefined> {
  const { width, height } = input.content;
  const { iterations, tiling } = stage;
  const extractor = new VggFeatureExtractor(input.weights, {
    layers: [...options.contentLayers, ...options.styleLayers],
    convGradient: options.convGradient,
    convAlgorithm: options.convAlgorithm,
    pooling: options.pooling,
  });
  const owned: tf.Tensor[] = [];
  let optimizer: ImageOptimizer | undefined;
  let objective: Objective | undefined;
  const average = options.averaging > 0 ? new IterateAverage(options.averaging) : undefined;
  try {
    const contentImage = rgbImageToTensor(input.content);
    owned.push(contentImage);
    const objectiveInput = { extractor, content: contentImage, styles: input.styles, styleMasks: input.styleMasks, options, styleReuse: input.styleReuse };
    objective = tiling ? tiledObjective({ ...objectiveInput, weights: input.weights, tiling, seed: plan.seed }) : wholeImageObjective(objectiveInput);
    if (input.temporal) objective = temporalObjective(objective, input.temporal, width, height);
    const init = initialImage(input, plan.seed);
    const image = tf.variable(init, true, undefined, "float32");
    init.dispose(); // the variable holds its own reference to the data
    owned.push(image);
    optimizer = makeOptimizer(stage.optimizer);

    yield { type: "start", width, height, iterations, seed: plan.seed, backend: tf.getBackend(), ...(tiling ? { tileSize: tiling.tileSize } : {}) };

    // What the caller sees (final image and previews): the optimised image or its running average,
    // in the content's colours when asked for.
    const output = async <I>(read: (t: tf.Tensor4D) => Promise<I>): Promise<I> => {
      const averaged = average?.value();
      const recoloured = options.preserveColors === "luminance" ? transferLuminance(averaged ?? image, contentImage) : undefined;
      try {
        return await read(recoloured ?? averaged ?? image);
      } finally {
        tf.dispose([averaged, recoloured].filter((t) => t !== undefined));
      }
    };

    // Counted for the cost of a run (a line search may evaluate more than once per iteration).
    let evaluations = 0;
    const evaluate = (): Evaluation => {
      evaluations++;
      return objective!.evaluate(image);
    };

    const started = performance.now();
    let firstIterationMs = 0;
    let losses: LossTerms | undefined;
    let done = 0;
    for (let it = 1; it <= iterations; it++) {
      // Backends resolve data() as a microtask, so without this the loop would never let timers,
      // I/O or signal handlers (Ctrl-C, a job's cancel request) run, and an abort would never arrive.
      await yieldToEventLoop();
      if (input.signal?.aborted) break;
      const evaluation = optimizer.step(image, evaluate);
      tf.dispose([evaluation.loss, evaluation.grad]);
      average?.update(image);
      const terms = objective.takeTerms();
      const values = await terms.data(); // the one read-back per iteration
      terms.dispose();
      losses = { content: values[0]!, style: values[1]!, tv: values[2]!, total: values[3]!, ...(values.length > 4 ? { temporal: values[4]! } : {}) };
      if (!Number.isFinite(losses.total)) {
        throw new PasticheError("INVALID_OPTION", `loss became ${losses.total} at iteration ${it}: lower the learning rate or the weights`);
      }
      done = it;
      const elapsedMs = performance.now() - started;
      if (it === 1) firstIterationMs = elapsedMs;
      const perIteration = it > 1 ? (elapsedMs - firstIterationMs) / (it - 1) : elapsedMs;
      const preview = options.previewEvery > 0 && it % options.previewEvery === 0 && it < iterations ? await output(tensorToRgbImage) : undefined;
      yield {
        type: "iteration",
        iteration: it,
        iterations,
        evaluations,
        losses,
        elapsedMs,
        etaMs: perIteration * (iterations - it),
        ...(preview ? { preview } : {}),
      };
    }
    yield {
      type: "done",
      image: await output(tensorToRgbImage),
      ...(input.highDepth ? { image16: await output(tensorToRgbImage16) } : {}),
      iterations: done,
      losses,
      elapsedMs: performance.now() - started,
      aborted: done < iterations,
    };
  } finally {
    optimizer?.dispose();
    objective?.dispose();
    average?.dispose();
    tf.dispose(owned);
    extractor.dispose();
  }
}

function makeOptimizer(plan: OptimizerPlan): ImageOptimizer {
  switch (plan.kind) {
    case "adam":
      return new AdamImageOptimizer({ learningRate: plan.learningRate, beta1: plan.beta1, beta2: plan.beta2, epsilon: plan.epsilon });
    case "lbfgs":
      return new LbfgsImageOptimizer(plan);
  }
}

function validateInput(input: GatysInput, options: GatysOptions): void {
  assertRgbImage(input.content, "content image");
  checkStyleCounts({ styles: input.styles.length, blendWeights: options.styleBlendWeights?.length, masks: input.styleMasks?.length });
  input.styles.forEach((s, i) => {
    assertRgbImage(s, `style image ${i + 1}`);
  });
  input.styleMasks?.forEach((m, i) => {
    assertRgbImage(m, `style mask ${i + 1}`);
  });
  const { kind } = options.init;
  if (kind === "image" || kind === "fast") {
    if (!input.initImage) throw new PasticheError("INVALID_OPTION", `init "${kind}" needs an initial image (initImage)`);
    assertRgbImage(input.initImage, "initial image");
  }
}

function initialImage(input: StageInput, seed: number): tf.Tensor4D {
  const { width, height } = input.content;
  const { start } = input;
  return tf.tidy(() => {
    if ("image" in start) {
      const init = rgbImageToTensor(start.image);
      return init.shape[1] === height && init.shape[2] === width ? init : tf.clipByValue(tf.image.resizeBilinear(init, [height, width], true), 0, 1);
    }
    switch (start.kind) {
      case "content":
        return rgbImageToTensor(input.content);
      case "noise":
      case "uniform": // crowsonkb's name for the same seeded uniform noise
        return tf.randomUniform([1, height, width, 3], 0, 1, "float32", seed);
      case "gray":
        return tf.fill([1, height, width, 3], 0.5, "float32");
    }
  });
}

/** A macrotask boundary (setTimeout exists in browsers and Node alike). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
