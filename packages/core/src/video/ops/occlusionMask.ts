import * as tf from "@tensorflow/tfjs-core";
import { warpByFlow } from "./warpByFlow.js";

/**
 * Ruder et al. (2016)'s forward–backward consistency check, for the pixels of the current frame:
 * with `backward` b (current → previous) and `forward` f (previous → current), both [H, W, 2],
 * a pixel is reliable when following b and then f comes back to it,
 *   |f(x + b(x)) + b(x)|² ≤ 0.01 (|f(x + b(x))|² + |b(x)|²) + 0.5,
 * and x + b(x) lies inside the frame. Returns [H, W, 1]: 1 where the flow holds, 0 where the pixel
 * was occluded (or disoccluded) or left the frame.
 */
export function occlusionMask(forward: tf.Tensor3D, backward: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w] = backward.shape;
    const f = warpByFlow(forward, backward);
    const sq = (t: tf.Tensor): tf.Tensor => tf.sum(tf.square(t), 2, true);
    const consistent = tf.lessEqual(sq(tf.add(f, backward)), tf.add(tf.mul(tf.add(sq(f), sq(backward)), 0.01), 0.5));
    const [dx, dy] = tf.split(backward, 2, 2) as [tf.Tensor3D, tf.Tensor3D];
    const x = tf.add(tf.reshape(tf.range(0, w, 1, "float32"), [1, w, 1]), dx);
    const y = tf.add(tf.reshape(tf.range(0, h, 1, "float32"), [h, 1, 1]), dy);
    const inside = tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(x, 0), tf.lessEqual(x, w - 1)), tf.logicalAnd(tf.greaterEqual(y, 0), tf.lessEqual(y, h - 1)));
    return tf.cast(tf.logicalAnd(consistent, inside), "float32") as tf.Tensor3D;
  });
}
