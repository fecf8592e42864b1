import * as tf from "@tensorflow/tfjs-core";

/**
 * Masked Gram matrix of a feature map [1, H, W, C] under a soft mask [1, H, W, 1] in [0,1]:
 * Fᵀ·diag(m)·F / Σm, shape [C, C] — the mask-weighted mean of the outer products fₚfₚᵀ over the
 * positions p. With a mask of all ones it is exactly {@link gramMatrix} (Fᵀ·F / (H·W)); with a 0/1
 * mask it is the Gram matrix of the region's positions alone, normalised by the region's size, so a
 * region is matched to its style independently of how much of the image it covers. An empty mask
 * gives a zero matrix (Σm is clamped away from 0), whose loss is constant.
 *
 * Like gramMatrix, written with its own gradient, dF = diag(m)·F·(dG + dGᵀ) / Σm, and with explicit
 * transposes, so that no matmul runs with a transposed operand (slow on WASM). The mask is a constant:
 * no gradient flows to it.
 */
export function maskedGramMatrix(features: tf.Tensor4D, mask: tf.Tensor4D): tf.Tensor2D {
  const [, h, w, c] = features.shape;
  const [, mh, mw, mc] = mask.shape;
  if (mh !== h || mw !== w || mc !== 1) {
    throw new RangeError(`maskedGramMatrix: mask ${mh}x${mw}x${mc} for features ${h}x${w}`);
  }
  const n = h * w;
  const op = tf.customGrad((x, save) => {
    const flat = tf.reshape(x as tf.Tensor, [n, c]);
    const m = tf.reshape(mask, [n, 1]);
    const total = tf.maximum(tf.sum(m), 1e-8);
    const masked = tf.mul(flat, m);
    (save as tf.GradSaveFunc)([masked, total]);
    return {
      value: tf.div(tf.matMul(tf.transpose(masked), flat), total),
      gradFunc: (dy, saved) => {
        const [fm, s] = saved as [tf.Tensor2D, tf.Scalar];
        // Scaled on the C×C side, not the feature map's (a full-size pass saved).
        const sym = tf.div<tf.Tensor2D>(tf.add(dy, tf.transpose(dy)), s);
        return tf.reshape(tf.matMul(fm, sym), [1, h, w, c]);
      },
    };
  });
  return op(features) as tf.Tensor2D;
}
