import * as tf from "@tensorflow/tfjs-core";
import { meanSquaredError } from "./content.js";
import { gramMatrix } from "./gram.js";

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
