import * as tf from "@tensorflow/tfjs-core";

/**
 * The fast method's temporal consistency: where the flow holds (`mask` [H, W, 1] = 1), move the
 * freshly stylised frame towards the previous output warped into this frame by `weight`
 * (0: frame by frame, 1: the warped previous output wherever it is reliable):
 *   out = current + weight · mask · (warped − current).
 */
export function temporalBlend(current: tf.Tensor3D, warped: tf.Tensor3D, mask: tf.Tensor3D, weight: number): tf.Tensor3D {
  return tf.tidy(() => tf.add<tf.Tensor3D>(current, tf.mul(tf.mul(mask, weight), tf.sub(warped, current))));
}
