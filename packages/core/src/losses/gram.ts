import * as tf from "@tensorflow/tfjs-core";

/*
 * Gram matrix of a feature map [1, H, W, C]: Fᵀ·F / (H·W), shape [C, C]. Normalising by the number
 * of positions (not by C or by 4·N²·M² as in the paper) follows the TensorFlow tutorial, so style
 * losses are comparable across image sizes.
 *
 * Written with its own gradient, dF = F·(dG + dGᵀ) / (H·W), and an explicit transpose in the
 * forward pass, so that no matmul runs with a transposed operand: on WASM those take a slow path
 * (~20× slower than the plain matmul at VGG's sizes), which made the Gram matrices cost more than
 * the whole network's backward pass. tfjs-node is the other way round (oneDNN reads the transposed
 * operand in place, 2× faster than transposing first), so there the forward matmul transposes.
 */
const TRANSPOSED_MATMUL_IS_FAST: ReadonlySet<string> = new Set(["tensorflow"]);

/**
 * Gram matrix of a feature map [1, H, W, C]: Fᵀ·F / (H·W), shape [C, C] (normalised by the number
 * of positions, so style losses are comparable across image sizes).
 */
export function gramMatrix(features: tf.Tensor4D): tf.Tensor2D {
  const [, h, w, c] = features.shape;
  const n = h * w;
  const op = tf.customGrad((x, save) => {
    const flat = tf.reshape(x as tf.Tensor, [n, c]);
    (save as tf.GradSaveFunc)([flat]);
    return {
      value: tf.div(TRANSPOSED_MATMUL_IS_FAST.has(tf.getBackend()) ? tf.matMul(flat, flat, true) : tf.matMul(tf.transpose(flat), flat), n),
      gradFunc: (dy, saved) => {
        const [f] = saved as [tf.Tensor2D];
        // Divided on the C×C side, not the feature map's: one full-size pass fewer.
        const sym = tf.div<tf.Tensor2D>(tf.add(dy, tf.transpose(dy)), n);
        return tf.reshape(tf.matMul(f, sym), [1, h, w, c]);
      },
    };
  });
  return op(features) as tf.Tensor2D;
}

/** Several style images' Grams blended as a weighted mean; weights are normalised to sum to 1. */
export function blendGrams(grams: readonly tf.Tensor2D[], weights: readonly number[]): tf.Tensor2D {
  if (grams.length !== weights.length || grams.length === 0) {
    throw new RangeError(`blendGrams: ${grams.length} grams but ${weights.length} weights`);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  return tf.tidy(() => tf.addN(grams.map((g, i) => tf.mul(g, weights[i]! / total))) as tf.Tensor2D);
}
