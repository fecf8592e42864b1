import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import { assertRgbImage, type RgbImage, type RgbImage16 } from "../image/rgbImage.js";
import { rgbImageToTensor, tensorToRgbImage, tensorToRgbImage16 } from "../image/tensorImage.js";
import { blendBottlenecks, interpolateBottleneck } from "./bottleneck.js";
import { BottleneckCache } from "./bottleneckCache.js";
import { hashRgbImage } from "./imageHash.js";
import type { ArbitraryStyleModels } from "./models.js";
import { checkStyleCounts } from "../options/styleCounts.js";
import { ensureFastOptions, type FastOptions, type FastOptionsInput } from "./options.js";
import { prepareStyleImage, resizeLongestSide } from "./preprocess.js";

/** What {@link stylizeFast} stylises: one content image, one or more style images (blended), and the networks. */
export interface FastInput {
  readonly content: RgbImage;
  readonly styles: readonly RgbImage[];
  readonly models: ArbitraryStyleModels;
  /** Parsed by `parseFastOptions` at the edge (taken as they are), or raw (parsed here). */
  readonly options?: FastOptions | FastOptionsInput;
  /** Where predicted bottlenecks are kept; default one cache per models object. `null`: none. */
  readonly cache?: BottleneckCache | null;
  readonly signal?: AbortSignal;
  /** Also attach the result as 16-bit samples (`image16` on "done"), for 16-bit PNG/TIFF output. */
  readonly highDepth?: boolean;
}

/** Wall-clock milliseconds of a fast stylisation: style prediction, transfer, and the whole run. */
export interface FastTimings {
  readonly predictMs: number;
  readonly transferMs: number;
  readonly totalMs: number;
}

/**
 * A fast stylisation's events, shaped like a Gatys run's: "start", one "step" per network pass
 * (each style's bottleneck, the content's own when strength < 1, then the transfer), and "done"
 * carrying the image.
 */
export type FastEvent =
  | { readonly type: "start"; readonly width: number; readonly height: number; readonly steps: number; readonly backend: string }
  | {
      readonly type: "step";
      readonly step: number;
      readonly steps: number;
      /** What the step ran: a style's (or the content's) bottleneck, or the transfer network. */
      readonly kind: "predict" | "transfer";
      /** False when the bottleneck came from the cache. */
      readonly computed: boolean;
      readonly elapsedMs: number;
    }
  | {
      readonly type: "done";
      readonly image: RgbImage;
      /** The same result with 16-bit samples (only with `highDepth`). */
      readonly image16?: RgbImage16;
      /** The bottleneck the transfer network was given (after blending and strength). */
      readonly bottleneck: Float32Array;
      /** Predictor runs this call needed (0 when every bottleneck came from the cache). */
      readonly predictorRuns: number;
      readonly timings: FastTimings;
      readonly elapsedMs: number;
      readonly backend: string;
    };

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
 * Fast arbitrary stylisation (Magenta, Ghiasi et al. 2017) as an async iterable of events, with
 * the same call shape as `stylizeGatys`: predict each style image's bottleneck (from a `styleSize`
 * square), blend them, mix with the content's own bottleneck when strength < 1, and paint the
 * content in one forward pass of the transfer network, at the content's size (or `size` on its
 * longer side). An aborted signal ends it with ABORTED between passes.
 *
 * @param input - The content, the style images, the networks ({@link TfliteStyleModels}) and {@link FastOptionsInput}.
 * @throws PasticheError INVALID_OPTION (bad options or style count), INVALID_IMAGE, INVALID_WEIGHTS
 * (a network produced non-finite values) or ABORTED.
 *
 * @example
 * ```ts
 * const models = await TfliteStyleModels.fromUrls({ predictor: "models/predict.tflite", transfer: "models/transfer.tflite" });
 * for await (const event of stylizeFast({ content, styles: [style], models, options: { size: 512 } })) {
 *   if (event.type === "done") show(event.image); // an RgbImage
 * }
 * // or, for the result only: const { image } = await untilDone(stylizeFast({ content, styles: [style], models }));
 * ```
 */
export async function* stylizeFast(input: FastInput): AsyncGenerator<FastEvent, void, undefined> {
  const { content, styles, models, signal } = input;
  const o = ensureFastOptions(input.options ?? {});
  assertRgbImage(content, "content image");
  checkStyleCounts({ styles: styles.length, blendWeights: o.styleBlendWeights?.length });
  styles.forEach((s, i) => {
    assertRgbImage(s, `style image ${i + 1}`);
  });
  const cache = input.cache === undefined ? defaultBottleneckCache(models) : input.cache;
  const aborted = (): void => {
    if (signal?.aborted) throw new PasticheError("ABORTED", "fast stylisation cancelled");
  };
  const backend = tf.getBackend();
  const scale = o.size === undefined ? 1 : o.size / Math.max(content.width, content.height);
  const steps = styles.length + (o.strength < 1 ? 1 : 0) + 1;
  yield { type: "start", width: Math.max(1, Math.round(content.width * scale)), height: Math.max(1, Math.round(content.height * scale)), steps, backend };

  const started = performance.now();
  let predictorRuns = 0;
  let step = 0;
  const bottlenecks: Float32Array[] = [];
  for (const style of styles) {
    aborted();
    const r = await predictBottleneck(models, style, o.styleSize, cache);
    bottlenecks.push(r.bottleneck);
    if (r.predicted) predictorRuns++;
    yield { type: "step", step: ++step, steps, kind: "predict", computed: r.predicted, elapsedMs: performance.now() - started };
  }
  let bottleneck = blendBottlenecks(bottlenecks, o.styleBlendWeights ?? styles.map(() => 1));
  if (o.strength < 1) {
    aborted();
    const r = await predictBottleneck(models, content, o.styleSize, cache);
    if (r.predicted) predictorRuns++;
    bottleneck = interpolateBottleneck(bottleneck, r.bottleneck, o.strength);
    yield { type: "step", step: ++step, steps, kind: "predict", computed: r.predicted, elapsedMs: performance.now() - started };
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
  let image16: RgbImage16 | undefined;
  try {
    image = await tensorToRgbImage(out);
    if (input.highDepth) image16 = await tensorToRgbImage16(out);
  } finally {
    out.dispose();
  }
  const done = performance.now();
  yield { type: "step", step: ++step, steps, kind: "transfer", computed: true, elapsedMs: done - started };
  yield {
    type: "done",
    image,
    ...(image16 ? { image16 } : {}),
    bottleneck,
    predictorRuns,
    timings: { predictMs: predicted - started, transferMs: done - predicted, totalMs: done - started },
    elapsedMs: done - started,
    backend,
  };
}
