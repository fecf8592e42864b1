import * as tf from "@tensorflow/tfjs-core";

/**
 * Temporal flicker between two consecutive outputs: mean |S_t − warp(S_{t−1})| over the reliable
 * pixels (`mask` [H, W, 1]) and channels, for `current` and `warpedPrevious` [H, W, C] in 0–1.
 * 0 when nothing is reliable.
 */
export function flicker(current: tf.Tensor3D, warpedPrevious: tf.Tensor3D, mask: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const channels = current.shape[2];
    const total = tf.sum(tf.mul(tf.abs(tf.sub(current, warpedPrevious)), mask));
    return tf.div<tf.Scalar>(total, tf.maximum(tf.mul(tf.sum(mask), channels), 1));
  });
}
