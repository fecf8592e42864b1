import * as tf from "@tensorflow/tfjs-core";

/**
 * neural-style's `-normalize_gradients`: the identity forward; backward, the gradient reaching this
 * point is divided by its L1 norm (+1e-8, as neural-style does) and multiplied by `strength`, so each
 * loss layer pushes the image with a gradient of L1 norm `strength` whatever its loss's scale.
 * Put it between a layer's features and the loss computed on them (not on the path to deeper layers).
 */
export function normalizeGradient<T extends tf.Tensor>(x: T, strength: number): T {
  const op = tf.customGrad((input) => ({
    value: tf.clone(input as tf.Tensor),
    gradFunc: (dy) => tf.mul(tf.div(dy, tf.add(tf.sum(tf.abs(dy)), 1e-8)), strength),
  }));
  return op(x) as T;
}

/** `features` with each of `layers` wrapped by {@link normalizeGradient} at `strength(layer index)`. */
export function normalizedFeatures(
  features: Readonly<Record<string, tf.Tensor4D>>,
  layers: readonly string[],
  strength: (index: number) => number,
): Record<string, tf.Tensor4D> {
  return { ...features, ...Object.fromEntries(layers.map((l, i) => [l, normalizeGradient(features[l]!, strength(i))])) };
}
