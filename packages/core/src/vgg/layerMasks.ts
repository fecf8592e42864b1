import * as tf from "@tensorflow/tfjs-core";
import { VGG19_LAYERS, resolveLayerName } from "./layers.js";

/** How many of VGG19's 2×2 pools come before (or are) `layer`'s output. */
export function poolsBefore(layer: string): number {
  const name = resolveLayerName(layer);
  const index = VGG19_LAYERS.findIndex((l) => l.name === name);
  return VGG19_LAYERS.slice(0, index + 1).filter((l) => l.kind === "pool").length;
}

/**
 * A mask [1, H, W, 1] at image size brought down to each layer's feature size by average pooling
 * alongside VGG's pools (2×2, stride 2, "valid" — the same rounding down as the max pools), so each
 * mask has exactly its layer's height and width and a feature position is weighted by the share of
 * its receptive block that lies in the region: soft borders stay soft at every depth.
 */
export function layerMasks(mask: tf.Tensor4D, layers: readonly string[]): Record<string, tf.Tensor4D> {
  return tf.tidy(() => {
    const pyramid: tf.Tensor4D[] = [mask.clone()];
    const out: Record<string, tf.Tensor4D> = {};
    for (const layer of layers) {
      const pools = poolsBefore(layer);
      while (pyramid.length <= pools) pyramid.push(tf.avgPool(pyramid.at(-1)!, 2, 2, "valid"));
      out[layer] = pyramid[pools]!;
    }
    return out;
  });
}
