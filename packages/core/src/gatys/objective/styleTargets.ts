import * as tf from "@tensorflow/tfjs-core";
import { matchColorStatistics } from "../../color/colorStatistics.js";
import type { RgbImage } from "../../image/rgbImage.js";
import { blendGrams, gramMatrix } from "../../losses/gram.js";
import type { MaskedStyleTarget } from "../../losses/style.js";
import type { VggFeatureExtractor } from "../../vgg/extractor.js";
import { layerMasks, poolsBefore } from "../../vgg/layerMasks.js";
import type { GatysOptions } from "../options.js";
import { maskImageToTensor } from "./styleMasks.js";
import { rgbImageToTensor } from "../../image/tensorImage.js";
import type { GramTiling } from "../tiling/resolveTiling.js";
import { coreInFeatures, planTiles, type Tile } from "../tiling/tiles.js";
import type { StyleTargetCache } from "./styleTargetCache.js";

/**
 * Where a run's style Grams may come from besides being computed: a batch's cache, and the run's
 * own style images (before the stage's resize) that key it, in the order of the stage's styles.
 */
export interface StyleGramReuse {
  readonly cache: StyleTargetCache;
  readonly sources: readonly RgbImage[];
}

/**
 * Per style layer, the Gram matrix of one image's features. Tiled: each tile's core features (seen
 * with a margin of context) give a Gram matrix and the image's is their mean weighted by the cores'
 * feature counts, which equals the whole image's Gram up to the context cut at the margins.
 * Call inside `tf.tidy`.
 */
export function imageGrams(extractor: VggFeatureExtractor, pixels: tf.Tensor4D, layers: readonly string[], tiling?: GramTiling): tf.Tensor2D[] {
  const [, height, width] = pixels.shape;
  if (!tiling || Math.max(width, height) <= tiling.tileSize) {
    const features = extractor.extract(pixels);
    return layers.map((l) => gramMatrix(features[l]!));
  }
  const sums = layers.map(() => undefined as tf.Tensor2D | undefined);
  const counts = layers.map(() => 0);
  for (const tile of planTiles(width, height, tiling.tileSize, tiling.margin, 0, 0, tiling.align).flat()) {
    // One tile's activations at a time: tidy frees them before the next tile.
    const grams = tf.tidy(() => {
      const region = tf.slice(pixels, [0, tile.region.y, tile.region.x, 0], [1, tile.region.height, tile.region.width, 3]);
      const features = cropToCore(extractor.extract(region), tile, layers);
      return layers.map((l) => {
        const f = features[l]!;
        const n = f.shape[1] * f.shape[2];
        return { sum: tf.mul<tf.Tensor2D>(gramMatrix(f), n), n };
      });
    });
    grams.forEach(({ sum, n }, i) => {
      const previous = sums[i];
      sums[i] = previous ? tf.add<tf.Tensor2D>(previous, sum) : sum;
      if (previous) tf.dispose([previous, sum]);
      counts[i]! += n;
    });
  }
  return sums.map((s, i) => tf.div<tf.Tensor2D>(s!, counts[i]!));
}

/**
 * The features of a tile's region cropped to its core, per layer (call inside `tf.tidy`). Cores
 * start on multiples of 2^pools, so the crop is exact at every layer.
 */
export function cropToCore(features: Readonly<Record<string, tf.Tensor4D>>, tile: Tile, layers: readonly string[]): Record<string, tf.Tensor4D> {
  return Object.fromEntries(
    layers.map((l) => {
      const f = features[l]!;
      const [, fh, fw, c] = f.shape;
      const r = coreInFeatures(tile, 2 ** poolsBefore(l), fh, fw);
      return [l, r.x === 0 && r.y === 0 && r.width === fw && r.height === fh ? f : tf.slice(f, [0, r.y, r.x, 0], [1, r.height, r.width, c])];
    }),
  );
}

/**
 * Per style image, per style layer, the Gram matrix of the style image's features (call in a tidy).
 * With `reuse`, taken from the batch's cache when the same style was seen at the same size; histogram
 * colour matching depends on the content, so those runs always compute their own.
 */
function perStyleGrams(
  extractor: VggFeatureExtractor,
  styles: readonly RgbImage[],
  content: tf.Tensor4D,
  options: GatysOptions,
  tiling?: GramTiling,
  reuse?: StyleGramReuse,
): tf.Tensor2D[][] {
  return styles.map((style, i) => {
    const compute = () => {
      const pixels = rgbImageToTensor(style);
      const recoloured = options.preserveColors === "histogram" ? matchColorStatistics(pixels, content) : pixels;
      return imageGrams(extractor, recoloured, options.styleLayers, tiling);
    };
    const source = reuse?.sources[i];
    if (!reuse || !source || options.preserveColors === "histogram") return compute();
    const key = [
      `${style.width}x${style.height}`,
      options.styleLayers.join(","),
      options.pooling,
      options.convGradient,
      options.convAlgorithm,
      tf.getBackend(),
      tiling ? `${tiling.tileSize}/${tiling.margin}/${tiling.align}` : "whole",
    ].join("|");
    return reuse.cache.grams(source, key, compute);
  });
}

/** Per style layer, the (blended) Gram matrix of the style images' features. */
export function styleGramTargets(
  extractor: VggFeatureExtractor,
  styles: readonly RgbImage[],
  content: tf.Tensor4D,
  options: GatysOptions,
  tiling?: GramTiling,
  reuse?: StyleGramReuse,
): Record<string, tf.Tensor2D> {
  return tf.tidy(() => {
    const perStyle = perStyleGrams(extractor, styles, content, options, tiling, reuse);
    const weights = options.styleBlendWeights ?? styles.map(() => 1);
    return Object.fromEntries(
      options.styleLayers.map((l, i) => [
        l,
        blendGrams(
          perStyle.map((grams) => grams[i]!),
          weights,
        ),
      ]),
    );
  });
}

/** Per style image: its own Gram targets, its mask at each style layer's size, and its blend weight. */
export function maskedStyleTargets(
  extractor: VggFeatureExtractor,
  styles: readonly RgbImage[],
  masks: readonly RgbImage[],
  content: tf.Tensor4D,
  options: GatysOptions,
  reuse?: StyleGramReuse,
): MaskedStyleTarget[] {
  const [, height, width] = content.shape;
  return tf.tidy(() => {
    const grams = perStyleGrams(extractor, styles, content, options, undefined, reuse);
    const weights = options.styleBlendWeights ?? styles.map(() => 1);
    return grams.map((g, i) => ({
      grams: Object.fromEntries(options.styleLayers.map((l, j) => [l, g[j]!])),
      masks: layerMasks(maskImageToTensor(masks[i]!, width, height), options.styleLayers),
      weight: weights[i]!,
    })); // tidy keeps the tensors nested in its result (arrays and plain objects)
  });
}
