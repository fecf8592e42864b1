import * as tf from "@tensorflow/tfjs-core";
import { VGG19_CONV_LAYERS, type WeightMap } from "@pastiche/core";

/** max |a − b| / max |b|: 0 for identical tensors. */
export function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.add(tf.max(tf.abs(b)), 1e-12)).dataSync()[0]!);
}

/** Seeded He-scaled VGG19 weights up to `upTo` (the seeds count up from `firstSeed`). */
export function vggWeights(upTo: string, firstSeed = 1): WeightMap {
  const weights: WeightMap = {};
  let seed = firstSeed;
  for (const l of VGG19_CONV_LAYERS) {
    if (l.kind !== "conv") continue;
    weights[`${l.name}/kernel`] = tf.randomNormal([3, 3, l.inChannels, l.outChannels], 0, Math.sqrt(2 / (9 * l.inChannels)), "float32", seed++);
    weights[`${l.name}/bias`] = tf.randomUniform([l.outChannels], 0, 0.1, "float32", seed++);
    if (l.name === upTo) break;
  }
  return weights;
}
