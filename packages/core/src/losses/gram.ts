import * as tf from "@tensorflow/tfjs-core";

/**
 * Gram matrix of a feature map [1, H, W, C]: Fᵀ·F / (H·W), shape [C, C]. Normalising by the number
 * of positions (not by C or by 4·N²·M² as in the paper) follows the TensorFlow tutorial, so style
 * losses are comparable across image sizes.
 */
export function gramMatrix(features: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [, h, w, c] = features.shape;
    const flat = tf.reshape(features, [h * w, c]);
    return tf.div(tf.matMul(flat, flat, true, false), h * w);
  });
}

/** Several style images' Grams blended as a weighted mean; weights are normalised to sum to 1. */
export function blendGrams(grams: readonly tf.Tensor2D[], weights: readonly number[]): tf.Tensor2D {
  if (grams.length !== weights.length || grams.length === 0) {
    throw new RangeError(`blendGrams: ${grams.length} grams but ${weights.length} weights`);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  return tf.tidy(() => tf.addN(grams.map((g, i) => tf.mul(g, weights[i]! / total))) as tf.Tensor2D);
}
