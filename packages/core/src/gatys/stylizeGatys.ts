import * as tf from "@tensorflow/tfjs-core";
import { transferLuminance } from "../color/yiq.js";
import { PasticheError } from "../errors.js";
import { assertRgbImage, type RgbImage } from "../image/rgbImage.js";
import type { WeightMap } from "../model/weightMap.js";
import { AdamImageOptimizer } from "../optim/adam.js";
import { IterateAverage } from "../optim/iterateAverage.js";
import { LbfgsImageOptimizer } from "../optim/lbfgs.js";
import type { Evaluation, ImageOptimizer } from "../optim/types.js";
import { VggFeatureExtractor } from "../vgg/extractor.js";
import { VGG19_LAYERS, deepestLayerIndex } from "../vgg/layers.js";
import type { LossTerms, StylizeEvent } from "./events.js";
import { assertGradientsRegistered } from "./gradients.js";
import { planStages, stageIterations, stylizeMultiScale } from "./plan.js";
import { parseGatysOptions, type GatysOptions, type GatysOptionsInput } from "./options.js";
import { wholeImageObjective, type Objective } from "./objective/objective.js";
import { tiledObjective } from "./objective/tiledObjective.js";
import { resolveTiling } from "./tiling/resolveTiling.js";
import { rgbImageToTensor, tensorToRgbImage } from "../image/tensorImage.js";

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
  /** Starting image when `options.init` is "image"; resized to the content's size if needed. */
  readonly initImage?: RgbImage;
  /** VGG19 weights (Keras names); borrowed, not disposed. */
  readonly weights: WeightMap;
  readonly options?: GatysOptionsInput;
  readonly signal?: AbortSignal;
}

/**
 * Gatys et al. style transfer as an async iterable of progress events: a "start" event, one
 * "iteration" event per optimiser step, and a final "done" event carrying the image. Aborting the
 * signal ends the run after the current iteration with a "done" event marked `aborted`.
 *
 * All tensors live inside this function: targets and optimiser state are released when the
 * iteration ends, whether it finished, was aborted or threw.
 */
export async function* stylizeGatys(input: GatysInput): AsyncGenerator<StylizeEvent, void, undefined> {
  const options = parseGatysOptions(input.options ?? {});
  validateInput(input, options);
  assertGradientsRegistered();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  // One stage (scales off, or "auto" on a small output) is the plain single-scale run.
  const stages = planStages(input.content.width, input.content.height, options);
  if (stages.length === 1) {
    const iterations = options.scales === "off" ? options.iterations : stageIterations(stages, options)[0]!;
    yield* stylizeSingleScale(input, { ...options, iterations }, seed);
  } else yield* stylizeMultiScale(input, options, seed, (stageInput, stageOptions) => stylizeSingleScale(stageInput, stageOptions, seed));
}

/** The Gatys loop at the content's size (one stage of a multi-scale run). */
async function* stylizeSingleScale(input: GatysInput, options: GatysOptions, seed: number): AsyncGenerator<StylizeEvent, void, undefined> {
  assertLargeEnough(input, options);
  const { width, height } = input.content;
  const extractor = new VggFeatureExtractor(input.weights, {
    layers: [...options.contentLayers, ...options.styleLayers],
    convGradient: options.convGradient,
  });
  const owned: tf.Tensor[] = [];
  let optimizer: ImageOptimizer | undefined;
  let objective: Objective | undefined;
  const average = options.averaging > 0 ? new IterateAverage(options.averaging) : undefined;
  try {
    const contentImage = rgbImageToTensor(input.content);
    owned.push(contentImage);
    const tiling = resolveTiling(width, height, options, tf.getBackend(), input.styleMasks !== undefined);
    const objectiveInput = { extractor, content: contentImage, styles: input.styles, styleMasks: input.styleMasks, options };
    objective = tiling
      ? tiledObjective({ ...objectiveInput, weights: input.weights, tiling, seed })
      : wholeImageObjective(objectiveInput);
    const init = initialImage(input, options, seed);
    const image = tf.variable(init, true, undefined, "float32");
    init.dispose(); // the variable holds its own reference to the data
    owned.push(image);

    optimizer =
      options.optimizer === "adam"
        ? new AdamImageOptimizer({
            learningRate: options.learningRate ?? 0.02,
            beta1: options.adamBeta1,
            beta2: options.adamBeta2,
            epsilon: options.adamEpsilon,
          })
        : new LbfgsImageOptimizer({ learningRate: options.learningRate ?? 1, historySize: options.lbfgsHistory });

    yield { type: "start", width, height, iterations: options.iterations, seed, backend: tf.getBackend(), ...(tiling ? { tileSize: tiling.tileSize } : {}) };

    // What the caller sees (final image and previews): the optimised image or its running average,
    // in the content's colours when asked for.
    const output = async (): Promise<RgbImage> => {
      const averaged = average?.value();
      const recoloured = options.preserveColors === "luminance" ? transferLuminance(averaged ?? image, contentImage) : undefined;
      try {
        return await tensorToRgbImage(recoloured ?? averaged ?? image);
      } finally {
        tf.dispose([averaged, recoloured].filter((t) => t !== undefined));
      }
    };

    const evaluate = (): Evaluation => objective!.evaluate(image);

    const started = performance.now();
    let firstIterationMs = 0;
    let losses: LossTerms | undefined;
    let done = 0;
    for (let it = 1; it <= options.iterations; it++) {
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
      losses = { content: values[0]!, style: values[1]!, tv: values[2]!, total: values[3]! };
      if (!Number.isFinite(losses.total)) {
        throw new PasticheError("INVALID_OPTION", `loss became ${losses.total} at iteration ${it}: lower the learning rate or the weights`);
      }
      done = it;
      const elapsedMs = performance.now() - started;
      if (it === 1) firstIterationMs = elapsedMs;
      const perIteration = it > 1 ? (elapsedMs - firstIterationMs) / (it - 1) : elapsedMs;
      const preview =
        options.previewEvery > 0 && it % options.previewEvery === 0 && it < options.iterations
          ? await output()
          : undefined;
      yield {
        type: "iteration",
        iteration: it,
        iterations: options.iterations,
        losses,
        elapsedMs,
        etaMs: perIteration * (options.iterations - it),
        ...(preview ? { preview } : {}),
      };
    }
    yield {
      type: "done",
      image: await output(),
      iterations: done,
      losses,
      elapsedMs: performance.now() - started,
      aborted: done < options.iterations,
    };
  } finally {
    optimizer?.dispose();
    objective?.dispose();
    average?.dispose();
    tf.dispose(owned);
    extractor.dispose();
  }
}

function validateInput(input: GatysInput, options: GatysOptions): void {
  assertRgbImage(input.content, "content image");
  if (input.styles.length === 0) throw new PasticheError("INVALID_OPTION", "at least one style image is required");
  input.styles.forEach((s, i) => { assertRgbImage(s, `style image ${i + 1}`); });
  if (options.styleBlendWeights && options.styleBlendWeights.length !== input.styles.length) {
    throw new PasticheError(
      "INVALID_OPTION",
      `${options.styleBlendWeights.length} style blend weights for ${input.styles.length} style images`,
    );
  }
  if (input.styleMasks) {
    if (input.styleMasks.length !== input.styles.length) {
      throw new PasticheError("INVALID_OPTION", `${input.styleMasks.length} style masks for ${input.styles.length} style images (give one per style, in order)`);
    }
    input.styleMasks.forEach((m, i) => { assertRgbImage(m, `style mask ${i + 1}`); });
  }
  if (options.init === "image") {
    if (!input.initImage) throw new PasticheError("INVALID_OPTION", 'init "image" needs an initial image');
    assertRgbImage(input.initImage, "initial image");
  }
}

/**
 * Each pooling halves the feature maps (rounding down): an image with a side shorter than 2^pools
 * has empty feature maps at the deepest layer, whose loss is NaN (or crashes the WASM kernel).
 * Checked per stage, since multi-scale and styleScale make small images likely.
 */
function assertLargeEnough(input: GatysInput, options: GatysOptions): void {
  const layers = [...options.contentLayers, ...options.styleLayers];
  const deepest = deepestLayerIndex(layers);
  const minSide = 2 ** VGG19_LAYERS.slice(0, deepest).filter((l) => l.kind === "pool").length;
  const deepestName = VGG19_LAYERS[deepest]!.name;
  const check = (image: RgbImage, what: string) => {
    if (Math.min(image.width, image.height) < minSide) {
      throw new PasticheError("INVALID_IMAGE", `${what} is ${image.width}x${image.height}: layer ${deepestName} needs at least ${minSide} pixels on each side (raise the size or styleScale)`);
    }
  };
  check(input.content, "the content image");
  input.styles.forEach((s, i) => { check(s, `style image ${i + 1}`); });
}

function initialImage(input: GatysInput, options: GatysOptions, seed: number): tf.Tensor4D {
  const { width, height } = input.content;
  return tf.tidy(() => {
    switch (options.init) {
      case "content":
        return rgbImageToTensor(input.content);
      case "noise":
        return tf.randomUniform([1, height, width, 3], 0, 1, "float32", seed);
      case "image": {
        const init = rgbImageToTensor(input.initImage!);
        return init.shape[1] === height && init.shape[2] === width
          ? init
          : tf.clipByValue(tf.image.resizeBilinear(init, [height, width], true), 0, 1);
      }
    }
  });
}

/** A macrotask boundary (setTimeout exists in browsers and Node alike). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
