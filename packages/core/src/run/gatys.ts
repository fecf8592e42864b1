import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import { assertRgbImage, type RgbImage } from "../image.js";
import { blendGrams, gramMatrix } from "../losses/gram.js";
import { contentLoss } from "../losses/content.js";
import { styleLoss } from "../losses/style.js";
import { totalVariation } from "../losses/totalVariation.js";
import type { WeightMap } from "../model/weightMap.js";
import { AdamImageOptimizer } from "../optim/adam.js";
import { LbfgsImageOptimizer } from "../optim/lbfgs.js";
import type { Evaluation, ImageOptimizer } from "../optim/types.js";
import { VggFeatureExtractor } from "../vgg/extractor.js";
import type { LossTerms, StylizeEvent } from "./events.js";
import { assertGradientsRegistered } from "./gradients.js";
import { parseGatysOptions, type GatysOptions, type GatysOptionsInput } from "./options.js";
import { rgbImageToTensor, tensorToRgbImage } from "./tensorImage.js";

export interface GatysInput {
  /** The content image, already at the output size. */
  readonly content: RgbImage;
  /** One or more style images (any size; the adapters resize them to the output size by default). */
  readonly styles: readonly RgbImage[];
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
  const { width, height } = input.content;
  const extractor = new VggFeatureExtractor(input.weights, {
    layers: [...options.contentLayers, ...options.styleLayers],
    convGradient: options.convGradient,
  });
  const owned: tf.Tensor[] = [];
  let optimizer: ImageOptimizer | undefined;
  try {
    const contentTargets = tf.tidy(() => {
      const features = extractor.extract(rgbImageToTensor(input.content));
      return Object.fromEntries(options.contentLayers.map((l) => [l, features[l]!]));
    });
    owned.push(...Object.values(contentTargets));
    const styleTargets = styleGramTargets(extractor, input.styles, options);
    owned.push(...Object.values(styleTargets));
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

    yield { type: "start", width, height, iterations: options.iterations, seed, backend: tf.getBackend() };

    let terms: tf.Tensor1D | undefined;
    const evaluate = (): Evaluation =>
      tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad((x: tf.Tensor4D) => {
          const features = extractor.extract(x);
          const c = tf.mul(contentLoss(features, contentTargets, options.contentLayers), options.contentWeight);
          const s = tf.mul(styleLoss(features, styleTargets, options.styleLayers, options.styleLayerWeights), options.styleWeight);
          const v = tf.mul(totalVariation(x), options.tvWeight);
          const total = tf.addN([c, s, v]);
          terms = tf.keep(tf.stack([c, s, v, total]) as tf.Tensor1D);
          return total as tf.Scalar;
        })(image);
        return { loss: value, grad: grad };
      });

    const started = performance.now();
    let firstIterationMs = 0;
    let losses: LossTerms | undefined;
    let done = 0;
    for (let it = 1; it <= options.iterations; it++) {
      if (input.signal?.aborted) break;
      const evaluation = optimizer.step(image, evaluate);
      tf.dispose([evaluation.loss, evaluation.grad]);
      const values = await terms!.data(); // the one read-back per iteration; also yields to the event loop
      terms!.dispose();
      terms = undefined;
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
          ? await tensorToRgbImage(image)
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
      image: await tensorToRgbImage(image),
      iterations: done,
      losses,
      elapsedMs: performance.now() - started,
      aborted: done < options.iterations,
    };
  } finally {
    optimizer?.dispose();
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
  if (options.init === "image") {
    if (!input.initImage) throw new PasticheError("INVALID_OPTION", 'init "image" needs an initial image');
    assertRgbImage(input.initImage, "initial image");
  }
}

/** Per style layer, the (blended) Gram matrix of the style images' features. */
function styleGramTargets(
  extractor: VggFeatureExtractor,
  styles: readonly RgbImage[],
  options: GatysOptions,
): Record<string, tf.Tensor2D> {
  return tf.tidy(() => {
    const perStyle = styles.map((style) => {
      const features = extractor.extract(rgbImageToTensor(style));
      return options.styleLayers.map((l) => gramMatrix(features[l]!));
    });
    const weights = options.styleBlendWeights ?? styles.map(() => 1);
    return Object.fromEntries(
      options.styleLayers.map((l, i) => [l, blendGrams(perStyle.map((grams) => grams[i]!), weights)]),
    );
  });
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
