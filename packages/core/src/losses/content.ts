import * as tf from "@tensorflow/tfjs-core";

/** Mean squared error between two tensors of the same shape. */
export function meanSquaredError(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(a, b)));
}

/**
 * Content loss: MSE between the output's and the content image's features, averaged over the
 * content layers (the TensorFlow tutorial's `content_loss / num_content_layers`).
 */
export function contentLoss(features: Readonly<Record<string, tf.Tensor>>, targets: Readonly<Record<string, tf.Tensor>>, layers: readonly string[]): tf.Scalar {
  return tf.tidy(() => {
    const terms = layers.map((l) => meanSquaredError(features[l]!, targets[l]!));
    return tf.div(tf.addN(terms), layers.length);
  });
}
