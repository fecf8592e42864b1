import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { VggFeatureExtractor, gramMatrix } from "../src/index.js";
import { imagePatches } from "../src/ops/imagePatches.js";
import { winogradConv2d, winogradFilter } from "../src/ops/winogradConv2d.js";
import { syntheticVggWeights } from "./helpers/syntheticVgg.js";

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.add(tf.max(tf.abs(b)), 1e-12)).dataSync()[0]!);
}

describe("image patches", () => {
  it("lays out each size×size patch's pixel (a, b) at channels (a·size + b)·C …, every `stride` pixels", () => {
    // 5×5 image, 2 channels: value = 100·row + 10·col + channel.
    const x = tf.tensor4d(
      Array.from({ length: 50 }, (_, i) => 100 * Math.floor(i / 10) + 10 * (Math.floor(i / 2) % 5) + (i % 2)),
      [1, 5, 5, 2],
    );
    const p = imagePatches(x, 3, 2);
    expect(p.shape).toEqual([1, 2, 2, 18]);
    const v = p.arraySync()[0]!;
    // Patch (1, 0) starts at row 2, col 0; its pixel (a, b) = (2, 1), channel 1, is row 4, col 1.
    expect(v[1]![0]![(2 * 3 + 1) * 2 + 1]).toBe(411);
    expect(v[0]![1]!.slice(0, 4)).toEqual([20, 21, 30, 31]);
  });
});

describe("Winograd F(4×4, 3×3) convolution", () => {
  it("equals the direct 'same' convolution at sizes that are and are not multiples of 4, batch 2", () => {
    for (const [h, w, c, k] of [
      [8, 12, 5, 7],
      [9, 6, 3, 4],
      [13, 17, 16, 8],
      [1, 2, 4, 3],
    ] as const) {
      const x = tf.randomUniform<tf.Rank.R4>([2, h, w, c], -2, 5, "float32", h * w);
      const kernel = tf.randomNormal<tf.Rank.R4>([3, 3, c, k], 0, 0.3, "float32", c * k);
      const filter = winogradFilter(kernel);
      expect(filter.shape).toEqual([36, c, k]);
      const got = winogradConv2d(x, filter);
      expect(got.shape).toEqual([2, h, w, k]);
      expect(maxRelDiff(got, tf.conv2d(x, kernel, 1, "same"))).toBeLessThan(2e-5);
      tf.dispose([x, kernel, filter, got]);
    }
  });

  it("refuses a kernel that is not 3×3", () => {
    expect(() => winogradFilter(tf.zeros<tf.Rank.R4>([5, 5, 2, 2]))).toThrow(/3×3/);
  });

  it("gives the same VGG19 features and input gradient as the direct convolutions, and frees its filters", () => {
    const weights = syntheticVggWeights("block4_conv2");
    const x = tf.randomUniform<tf.Rank.R4>([1, 37, 30, 3], 0, 1, "float32", 9);
    const before = tf.memory().numTensors;
    const results = (["winograd", "direct"] as const).map((convAlgorithm) => {
      const ex = new VggFeatureExtractor(weights, { layers: ["block4_conv2", "block2_conv1"], convAlgorithm });
      const loss = (t: tf.Tensor) => {
        const f = ex.extract(t as tf.Tensor4D);
        return tf.add(tf.mean(tf.square(f.block4_conv2!)), tf.mean(tf.square(gramMatrix(f.block2_conv1!))));
      };
      const value = tf.tidy(() => loss(x));
      const grad = tf.grad(loss)(x);
      ex.dispose();
      return { value, grad };
    });
    const [winograd, direct] = results as [(typeof results)[0], (typeof results)[0]];
    expect(maxRelDiff(winograd.value, direct.value)).toBeLessThan(1e-4);
    expect(maxRelDiff(winograd.grad, direct.grad)).toBeLessThan(1e-4);
    tf.dispose(results.flatMap((r) => [r.value, r.grad]));
    expect(tf.memory().numTensors).toBe(before);
  });
});
