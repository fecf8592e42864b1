import * as tf from "@tensorflow/tfjs-core";

/**
 * Ruder et al. (2016)'s short-term temporal loss: (1/D) Σ c · (x − w)², the squared distance of the
 * image `image` [1, H, W, 3] (values 0–1) to the warped previous output `warped` (same shape) over
 * the reliable pixels `mask` [1, H, W, 1], D the number of values. Measured on the 0–255 scale so
 * its size is comparable to the content loss on VGG features of 0–255 images.
 */
export function temporalLoss(image: tf.Tensor4D, warped: tf.Tensor4D, mask: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.mul(mask, tf.squaredDifference(tf.mul(image, 255), tf.mul(warped, 255)))));
}
