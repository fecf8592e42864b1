import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { upsampleConv2d, upsampleConvFilter } from "../src/ops/upsampleConv2d.js";

describe("sub-pixel (upsample ×2 + mirror pad + 3×3) convolution", () => {
  it.each([
    ["reflect", 4, 3, 5, 7],
    ["symmetric", 4, 3, 5, 7],
    ["reflect", 8, 2, 1, 1],
    ["reflect", 3, 6, 6, 2],
  ] as const)("equals conv(mirrorPad(upsample(x)), %s) for %i → %i channels at %i×%i, bias and ReLU included", (mode, cin, cout, h, w) => {
    const filter = tf.randomNormal<tf.Rank.R4>([3, 3, cin, cout], 0, 0.3, "float32", 11);
    const bias = tf.randomNormal<tf.Rank.R1>([cout], 0, 0.3, "float32", 12);
    const x = tf.randomNormal<tf.Rank.R4>([1, h, w, cin], 0, 1, "float32", 13);
    const prepared = upsampleConvFilter(filter.dataSync(), filter.shape, bias.dataSync());
    const before = tf.memory().numTensors;
    const y = upsampleConv2d(x, prepared, "relu");
    expect(tf.memory().numTensors).toBe(before + 1);
    const ref = tf.tidy(() => {
      const up = tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w]);
      const padded = tf.mirrorPad(
        up,
        [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ],
        mode,
      );
      return tf.fused.conv2d({ x: padded, filter, bias, strides: 1, pad: "valid", activation: "relu" });
    });
    expect(y.shape).toEqual([1, 2 * h, 2 * w, cout]);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0]!);
    expect(err).toBeLessThan(1e-4);
    // Not trivially zero: ReLU keeps some of the values.
    expect(tf.tidy(() => tf.max(ref).dataSync()[0]!)).toBeGreaterThan(0.1);
    tf.dispose([filter, bias, x, y, ref, prepared.filter, prepared.bias!]);
  });

  it("rejects a filter that is not 3×3", () => {
    expect(() => upsampleConvFilter(new Float32Array(25), [5, 5, 1, 1], undefined)).toThrow(/3×3/);
  });
});
