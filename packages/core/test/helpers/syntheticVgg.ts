import * as tf from "@tensorflow/tfjs-core";
import { VGG19_CONV_LAYERS, type WeightMap } from "../../src/index.js";

/**
 * Random VGG19-shaped weights (He-scaled, seeded) for tests that need the architecture but not
 * ImageNet features. `upTo` limits the layers created, to keep memory and time small.
 */
export function syntheticVggWeights(upTo = "block5_conv4", seed = 1): WeightMap {
  const weights: WeightMap = {};
  for (const layer of VGG19_CONV_LAYERS) {
    if (layer.kind !== "conv") continue;
    const std = Math.sqrt(2 / (9 * layer.inChannels)) / (layer.name === "block1_conv1" ? 100 : 1);
    weights[`${layer.name}/kernel`] = tf.randomNormal([3, 3, layer.inChannels, layer.outChannels], 0, std, "float32", seed++);
    weights[`${layer.name}/bias`] = tf.randomUniform([layer.outChannels], 0, 0.1, "float32", seed++);
    if (layer.name === upTo) break;
  }
  return weights;
}

/** A small seeded RGB test image with smooth gradients and a few edges. */
export function testImage(width: number, height: number, phase = 0): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = Math.round(127.5 + 127.5 * Math.sin((x + phase) / 5));
      data[i + 1] = Math.round(255 * (y / Math.max(1, height - 1)));
      data[i + 2] = (x + y + phase) % 16 < 8 ? 30 : 220;
    }
  }
  return { width, height, data };
}

/**
 * Options for runs on `syntheticVggWeights("block2_conv1")`: two shallow layers, style dominant.
 * Adam (the default before #12): these tests check the run's mechanics over 2–6 iterations, where
 * Adam moves the image at once; L-BFGS's first step is deliberately tiny (optimizers.test.ts and
 * the L-BFGS cases below cover it).
 */
export const SHALLOW_RUN_OPTIONS = {
  optimizer: "adam" as const,
  contentLayers: ["block2_conv1"],
  styleLayers: ["block1_conv1", "block2_conv1"],
  styleWeight: 1e4,
};
