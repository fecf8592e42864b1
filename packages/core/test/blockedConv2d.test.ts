import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { blockConvFilter, blockedConv2d } from "../src/ops/blockedConv2d.js";

describe("blocked (space-to-depth) convolution", () => {
  it.each([
    [2, 9, 8, 3, 20, 17],
    [2, 5, 4, 2, 9, 11],
    [3, 9, 3, 8, 23, 14],
    [4, 7, 2, 3, 16, 16],
  ])("block %i equals the valid %i×%i conv (%i → %i channels, %i×%i input), bias and ReLU included", (block, k, cin, cout, h, w) => {
    const filter = tf.randomNormal<tf.Rank.R4>([k, k, cin, cout], 0, 0.2, "float32", 7);
    const bias = tf.randomNormal<tf.Rank.R1>([cout], 0, 0.2, "float32", 8);
    const x = tf.randomNormal<tf.Rank.R4>([1, h, w, cin], 0, 1, "float32", 9);
    const blocked = blockConvFilter(filter.dataSync() as Float32Array, filter.shape, bias.dataSync() as Float32Array, block);
    const before = tf.memory().numTensors;
    const y = blockedConv2d(x, blocked, "relu");
    expect(tf.memory().numTensors).toBe(before + 1);
    const ref = tf.fused.conv2d({ x, filter, bias, strides: 1, pad: "valid", activation: "relu" });
    expect(y.shape).toEqual(ref.shape);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0]!);
    expect(err).toBeLessThan(1e-4);
    tf.dispose([filter, bias, x, y, ref, blocked.filter, blocked.bias!]);
  });
});
