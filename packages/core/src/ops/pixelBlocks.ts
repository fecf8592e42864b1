import * as tf from "@tensorflow/tfjs-core";

/*
 * Space-to-depth and depth-to-space on NHWC tensors as a reshape, a transpose and a reshape. Not
 * tf.spaceToDepth / tf.depthToSpace: WASM has no native kernel for them (depth-to-space of
 * 256²×32 took 177 ms there against 12 ms this way), and on tfjs-node this is faster too (5 vs 14 ms).
 * Channel order as TensorFlow's: block position (dy, dx) at channels (dy·B + dx)·C … + C − 1.
 */

/** [N, H·B, W·B, C] → [N, H, W, B²·C]. */
export function spaceToDepth(x: tf.Tensor4D, block: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const B = block;
  return tf.tidy(() => tf.reshape<tf.Rank.R4>(tf.transpose(tf.reshape(x, [n, h / B, B, w / B, B, c]), [0, 1, 3, 2, 4, 5]), [n, h / B, w / B, B * B * c]));
}

/** [N, H, W, B²·C] → [N, H·B, W·B, C]. */
export function depthToSpace(x: tf.Tensor4D, block: number): tf.Tensor4D {
  const [n, h, w, bbc] = x.shape;
  const B = block;
  const c = bbc / (B * B);
  return tf.tidy(() => tf.reshape<tf.Rank.R4>(tf.transpose(tf.reshape(x, [n, h, w, B, B, c]), [0, 1, 3, 2, 4, 5]), [n, h * B, w * B, c]));
}
