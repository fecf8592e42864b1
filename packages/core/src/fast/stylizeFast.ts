import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import { assertRgbImage, type RgbImage } from "../image/rgbImage.js";
import { rgbImageToTensor, tensorToRgbImage } from "../image/tensorImage.js";
import { blendBottlenecks, interpolateBottleneck } from "./bottleneck.js";
import { BottleneckCache } from "./bottleneckCache.js";
import { hashRgbImage } from "./imageHash.js";
import type { ArbitraryStyleModels } from "./models.js";
import { parseFastOptions, type FastOptionsInput } from "./options.js";
import { prepareStyleImage, resizeLongestSide } from "./preprocess.js";

export interface FastStylizeOptions extends FastOptionsInput {
  readonly models: ArbitraryStyleModels;
  /** Where predicted bottlenecks are kept; default one cache per models object. `null`: none. */
  readonly cache?: BottleneckCache | null;
  readonly signal?: AbortSignal;
}

export interface FastStylizeResult {
  readonly image: RgbImage;
  /** The bottleneck the transfer network was given (after blending and strength). */
  readonly bottleneck: Float32Array;
  /** Predictor runs this call needed (0 when every bottleneck came from the cache). */
  readonly predictorRuns: number;
  readonly timings: { readonly predictMs: number; readonly transferMs: number; readonly totalMs: number };
  readonly backend: string;
}

const defaultCaches = new WeakMap<ArbitraryStyleModels, BottleneckCache>();

/** The cache `stylizeFast` uses for `models` when none is given. */
export function defaultBottleneckCache(models: ArbitraryStyleModels): BottleneckCache {
  let cache = defaultCaches.get(models);
  if (!cache) {
    cache = new BottleneckCache();
    defaultCaches.set(models, cache);
  }
  return cache;
}

/**
 * The style bottleneck of one image: from the cache when this image (by content hash) was seen
 * with these models and style size, else predicted (and cached).
 */
export async function predictBottleneck(
  models: ArbitraryStyleModels,
  image: RgbImage,
  styleSize: number,
  cache: BottleneckCache | null,
): Promise<{ bottleneck: Float32Array; predicted: boolean }> {
  const key = cache ? `${models.id}|${styleSize}|${image.width}x${image.height}|${hashRgbImage(image)}` : "";
  const cached = cache?.get(key);
  if (cached) return { bottleneck: cached, predicted: false };
  const out = tf.tidy(() => models.predictStyle(prepareStyleImage(image, styleSize)));
  const bottleneck = (await out.data()) as Float32Array;
  out.dispose();
  if (!bottleneck.every(Number.isFinite)) {
    throw new PasticheError("INVALID_WEIGHTS", `style predictor ${models.id} produced non-finite values`);
  }
  cache?.set(key, bottleneck);
  return { bottleneck, predicted: true };
}

/**
 * Fast arbitrary stylisation (Magenta, Ghiasi et al. 2017): predict each style image's bottleneck
 * (from a `styleSize` square), blend them, mix with the content's own bottleneck when strength < 1,
 * and paint the content in one forward pass of the transfer network, at the content's size (or
 * `size` on its longer side).
 */
export async function stylizeFast(content: RgbImage, styles: readonly RgbImage[], options: FastStylizeOptions): Promise<FastStylizeResult> {
  const { models, cache: cacheOption, signal, ...rest } = options;
  const o = parseFastOptions(rest);
  assertRgbImage(content, "content image");
  if (styles.length === 0) throw new PasticheError("INVALID_OPTION", "at least one style image is required");
  styles.forEach((s, i) => { assertRgbImage(s, `style image ${i + 1}`); });
  if (o.styleBlendWeights && o.styleBlendWeights.length !== styles.length) {
    throw new PasticheError("INVALID_OPTION", `${o.styleBlendWeights.length} style blend weights for ${styles.length} style images`);
  }
  const cache = cacheOption === undefined ? defaultBottleneckCache(models) : cacheOption;
  const aborted = (): void => {
    if (signal?.aborted) throw new PasticheError("ABORTED", "fast stylisation cancelled");
  };

  const started = performance.now();
  let predictorRuns = 0;
  const bottlenecks: Float32Array[] = [];
  for (const style of styles) {
    aborted();
    const r = await predictBottleneck(models, style, o.styleSize, cache);
    bottlenecks.push(r.bottleneck);
    if (r.predicted) predictorRuns++;
  }
  let bottleneck = blendBottlenecks(bottlenecks, o.styleBlendWeights ?? styles.map(() => 1));
  if (o.strength < 1) {
    aborted();
    const r = await predictBottleneck(models, content, o.styleSize, cache);
    if (r.predicted) predictorRuns++;
    bottleneck = interpolateBottleneck(bottleneck, r.bottleneck, o.strength);
  }
  const predicted = performance.now();

  aborted();
  const out = tf.tidy(() => {
    const x = rgbImageToTensor(content);
    const sized = o.size === undefined ? x : resizeLongestSide(x, o.size);
    const b = tf.tensor4d(bottleneck, [1, 1, 1, bottleneck.length]);
    return models.transfer(sized, b);
  });
  let image: RgbImage;
  try {
    image = await tensorToRgbImage(out);
  } finally {
    out.dispose();
  }
  const done = performance.now();
  return {
    image,
    bottleneck,
    predictorRuns,
    timings: { predictMs: predicted - started, transferMs: done - predicted, totalMs: done - started },
    backend: tf.getBackend(),
  };
}
