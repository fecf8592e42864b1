import * as tf from "@tensorflow/tfjs-core";
import { contentLoss } from "../../losses/content.js";
import { styleLoss } from "../../losses/style.js";
import { totalVariation } from "../../losses/totalVariation.js";
import { VggFeatureExtractor } from "../../vgg/extractor.js";
import type { WeightMap } from "../../model/weightMap.js";
import { TermsSlot, lossFeatures, type Objective, type ObjectiveInput } from "./objective.js";
import type { GramTiling } from "../tiling/resolveTiling.js";
import { cropToCore, styleGramTargets } from "./styleTargets.js";
import { planTiles, tileOffsets, type Tile } from "../tiling/tiles.js";

export interface TiledObjectiveInput extends ObjectiveInput {
  readonly weights: WeightMap;
  readonly tiling: GramTiling;
  /** Seeds the grid's offsets: a tiled run repeats exactly with the same seed. */
  readonly seed: number;
  /** Move the grid every evaluation (default). Off only to show what seams look like (tests). */
  readonly shiftGrid?: boolean;
}

/**
 * The Gatys objective evaluated tile by tile, for outputs whose VGG pass would not fit in memory.
 *
 * Each evaluation lays a tile grid over the image at a fresh random offset (so tile borders never
 * stay in place and no seam builds up) and, one tile at a time, runs VGG on the tile's region (its
 * core plus a margin of context), keeps the features of the core, and takes the gradient of
 *   area share × (content weight · content loss(core) + style weight · style loss(core))
 * with respect to the whole region; the regions' gradients are summed into the image's. The
 * content targets are the content image's features on the same region, so an unchanged image has
 * zero content loss in every tile. The style targets are global: the style images' Gram matrices
 * (computed tile by tile too). Total variation is cheap and exact on the whole image.
 *
 * The per-tile style term asks every tile to carry the style's statistics, a little stricter than
 * the whole image's Gram; the reported terms are the area-weighted sums, on the untiled scale.
 */
export function tiledObjective(input: TiledObjectiveInput): Objective {
  const { extractor, content, styles, options, tiling } = input;
  const [, height, width] = content.shape;
  // Content targets come from a shorter network that stops at the content layers.
  const contentExtractor = new VggFeatureExtractor(input.weights, {
    layers: options.contentLayers,
    convGradient: options.convGradient,
    convAlgorithm: options.convAlgorithm,
    pooling: options.pooling,
  });
  const terms = new TermsSlot();
  let styleTargets: Record<string, tf.Tensor2D>;
  try {
    styleTargets = styleGramTargets(extractor, styles, content, options, tiling, input.styleReuse);
  } catch (e) {
    contentExtractor.dispose();
    throw e;
  }
  const nextOffset = tileOffsets(input.seed, tiling.tileSize, tiling.align);
  const area = width * height;

  /** A tile's gradient with respect to its whole region (margin included), padded to the image. */
  const tileEvaluation = (image: tf.Tensor4D, tile: Tile): { grad: tf.Tensor4D; content: tf.Scalar; style: tf.Scalar } =>
    tf.tidy(() => {
      const { x, y, width: w, height: h } = tile.region;
      const share = (tile.core.width * tile.core.height) / area;
      const contentTargets = tf.tidy(() => cropToCore(contentExtractor.extract(tf.slice(content, [0, y, x, 0], [1, h, w, 3])), tile, options.contentLayers));
      let c: tf.Scalar | undefined;
      let s: tf.Scalar | undefined;
      const grad = tf.grad((region: tf.Tensor) => {
        const features = lossFeatures(
          cropToCore(extractor.extract(region as tf.Tensor4D), tile, [...options.contentLayers, ...options.styleLayers]),
          options,
          share,
        );
        const contentTerm = tf.mul(contentLoss(features.content, contentTargets, options.contentLayers), options.contentWeight * share);
        const styleTerm = tf.mul(styleLoss(features.style, styleTargets, options.styleLayers, options.styleLayerWeights), options.styleWeight * share);
        // tf.grad disposes what its function made besides the result: keep the two terms.
        c = tf.keep(contentTerm as tf.Scalar);
        s = tf.keep(styleTerm as tf.Scalar);
        return tf.add<tf.Scalar>(contentTerm, styleTerm);
      })(tf.slice(image, [0, y, x, 0], [1, h, w, 3]));
      const padded = tf.pad(grad as tf.Tensor4D, [
        [0, 0],
        [y, height - y - h],
        [x, width - x - w],
        [0, 0],
      ]);
      return { grad: padded, content: c!, style: s! };
    });

  return {
    evaluate: (image) => {
      const offset = input.shiftGrid === false ? { x: 0, y: 0 } : nextOffset();
      const tiles = planTiles(width, height, tiling.tileSize, tiling.margin, offset.x, offset.y, tiling.align).flat();
      let grad: tf.Tensor4D = tf.zerosLike(image);
      const contentTerms: tf.Scalar[] = [];
      const styleTerms: tf.Scalar[] = [];
      try {
        for (const tile of tiles) {
          // Overlap-add: a tile's loss also moves the pixels of its margin, which belong to its
          // neighbours' cores; summing whole regions' gradients makes the sum the gradient of the
          // summed loss (exact when the margin covers the network's view of the core).
          const e = tileEvaluation(image, tile);
          const sum = tf.add<tf.Tensor4D>(grad, e.grad);
          tf.dispose([grad, e.grad]);
          grad = sum;
          contentTerms.push(e.content);
          styleTerms.push(e.style);
        }
        return tf.tidy(() => {
          const { value: tvValue, grad: tvGrad } = tf.valueAndGrad((x: tf.Tensor4D) => tf.mul<tf.Scalar>(totalVariation(x), options.tvWeight))(image);
          const c = tf.addN(contentTerms);
          const s = tf.addN(styleTerms);
          const total = tf.addN([c, s, tvValue]);
          terms.put(c, s, tvValue, total);
          return { loss: total, grad: tf.add<tf.Tensor4D>(grad, tvGrad) };
        });
      } finally {
        tf.dispose([grad, ...contentTerms, ...styleTerms]);
      }
    },
    takeTerms: () => terms.take(),
    dispose: () => {
      tf.dispose(Object.values(styleTargets));
      terms.dispose();
      contentExtractor.dispose();
    },
  };
}
