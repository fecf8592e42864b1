import * as tf from "@tensorflow/tfjs-core";

/** ImageNet channel means in BGR order, as used by Keras' "caffe" preprocessing for VGG. */
export const VGG_BGR_MEANS = [103.939, 116.779, 123.68] as const;

/**
 * Keras "caffe" preprocessing: RGB in [0,1] → ×255 → BGR → subtract the ImageNet means. Written as
 * a single matmul-free affine op so its gradient is trivial.
 */
export function preprocessCaffe(rgb01: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const bgr = tf.reverse(rgb01, -1);
    return tf.sub(tf.mul(bgr, 255), tf.tensor1d([...VGG_BGR_MEANS]));
  });
}
