import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { initBackend } from "../../src/index.js";

// tfjs-node's native addon is not installed here (its install script needs internet), so "auto"
// must fall back to WASM and say why. Each test file runs in its own process: one backend each.
describe("initBackend auto", () => {
  it("falls back to multi-threaded WASM, reports why, and registers gradients", async () => {
    const info = await initBackend(undefined, {});
    expect(tf.getBackend()).toBe(info.name);
    if (info.name === "wasm") {
      expect(info.reason).toMatch(/tfjs-node unavailable/);
      expect(info.simd).toBe(true);
      expect(info.threads).toBeGreaterThanOrEqual(1);
    }
    expect(tf.getGradient("MaxPool")).toBeDefined();
    // Second call returns the same initialised backend.
    expect(await initBackend(undefined, {})).toBe(info);
  });

  it("computes the same convolution on 2 threads as the reference values", async () => {
    await initBackend(undefined, {});
    const x = tf.tensor4d(
      Array.from({ length: 2 * 5 * 5 * 3 }, (_, i) => Math.sin(i)),
      [2, 5, 5, 3],
    );
    const w = tf.tensor4d(
      Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)),
      [3, 3, 3, 4],
    );
    const y = tf.conv2d(x, w, 1, "same");
    // Reference computed by direct summation.
    const xv = x.arraySync();
    const wv = w.arraySync();
    const yv = y.arraySync();
    let maxErr = 0;
    for (let b = 0; b < 2; b++)
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < 5; j++)
          for (let o = 0; o < 4; o++) {
            let s = 0;
            for (let di = -1; di <= 1; di++)
              for (let dj = -1; dj <= 1; dj++)
                for (let c = 0; c < 3; c++) {
                  const ii = i + di;
                  const jj = j + dj;
                  if (ii >= 0 && ii < 5 && jj >= 0 && jj < 5) s += xv[b]![ii]![jj]![c]! * wv[di + 1]![dj + 1]![c]![o]!;
                }
            maxErr = Math.max(maxErr, Math.abs(s - yv[b]![i]![j]![o]!));
          }
    expect(maxErr).toBeLessThan(1e-4);
  });
});
