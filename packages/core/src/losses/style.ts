import * as tf from "@tensorflow/tfjs-core";
import { meanSquaredError } from "./content.js";
import { gramMatrix } from "./gram.js";
import { maskedGramMatrix } from "./maskedGram.js";

/**
 * Style loss: per layer, MSE between the output's Gram matrix and the target Gram; weighted by
 * `layerWeights` (default 1 each) and averaged over the style layers, as the TensorFlow tutorial
 * does (`style_loss / num_style_layers`).
 */
export function styleLoss(
  features: Readonly<Record<string, tf.Tensor4D>>,
  targetGrams: Readonly<Record<string, tf.Tensor2D>>,
  layers: readonly string[],
  layerWeights?: readonly number[],
): tf.Scalar {
  return tf.tidy(() => {
    const terms = layers.map((l, i) => {
      const mse = meanSquaredError(gramMatrix(features[l]!), targetGrams[l]!);
      const w = layerWeights?.[i] ?? 1;
      return w === 1 ? mse : tf.mul(mse, w);
    });
    return tf.div(tf.addN(terms), layers.length);
  });
}

/** One style of a masked (regional) style loss: its own Gram targets and the region it applies to. */
export interface MaskedStyleTarget {
  /** Per style layer, the Gram matrix of the style image's features (unmasked). */
  readonly grams: Readonly<Record<string, tf.Tensor2D>>;
  /** Per style layer, the region of the output [1, h, w, 1] in [0,1], at that layer's feature size. */
  readonly masks: Readonly<Record<string, tf.Tensor4D>>;
  /** Blend weight; the weights are normalised to sum to 1. */
  readonly weight: number;
}

/**
 * Regional style loss: per layer, the blend-weighted sum over the styles of the MSE between the
 * output's masked Gram matrix (see maskedGram.ts) for style i's mask and style i's Gram; then weighted
 * by `layerWeights` and averaged over the layers as in {@link styleLoss}. Weights summing to 1 keep
 * the loss on the scale of the unmasked one.
 */
export function maskedStyleLoss(
  features: Readonly<Record<string, tf.Tensor4D>>,
  targets: readonly MaskedStyleTarget[],
  layers: readonly string[],
  layerWeights?: readonly number[],
): tf.Scalar {
  const totalWeight = targets.reduce((sum, t) => sum + t.weight, 0);
  return tf.tidy(() => {
    const terms = layers.map((l, i) => {
      const perStyle = targets.map((t) => tf.mul(meanSquaredError(maskedGramMatrix(features[l]!, t.masks[l]!), t.grams[l]!), t.weight / totalWeight));
      return tf.mul(tf.addN(perStyle), layerWeights?.[i] ?? 1);
    });
    return tf.div(tf.addN(terms), layers.length);
  });
}
