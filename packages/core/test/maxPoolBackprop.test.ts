import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MAX_POOL_2X2_BACKPROP,
  maxPool2x2,
  maxPool2x2BackpropByMask,
  maxPoolGradientIsKernel,
  type MaxPool2x2BackpropInputs,
} from "../src/ops/maxPoolBackprop.js";
import { conv2dBiasRelu, conv2dReluWithInputGrad, flipKernelForInputGrad, flippedConvInputGrad } from "../src/ops/conv2dReluFastGrad.js";

/** The values, with −0 as 0 (the mask multiplies dy by 0 where tfjs writes 0). */
function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync(), (v) => v + 0);
}

/** tfjs's own gradient of the pool, for an upstream gradient `dy`. */
function tfjsGrad(x: tf.Tensor4D, dy: tf.Tensor): tf.Tensor {
  return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, "valid"), dy)))(x);
}

describe("VGG's max-pool backward pass by mask", () => {
  it("equals tfjs's MaxPool gradient without ties, odd sizes included (the dropped row and column get 0)", () => {
    for (const [h, w] of [
      [6, 8],
      [7, 9],
      [5, 4],
    ] as const) {
      // A permutation of distinct values: no window has a tied maximum.
      const distinct = Array.from({ length: h * w * 3 }, (_, i) => ((i * 7919) % (h * w * 3)) / 10);
      const x = tf.tensor4d(distinct, [1, h, w, 3]);
      const y = tf.maxPool(x, 2, 2, "valid");
      const dy = tf.randomNormal(y.shape, 0, 1, "float32", h * w);
      const got = maxPool2x2BackpropByMask({ dy, x, y });
      expect(got.shape).toEqual(x.shape);
      expect(values(got)).toEqual(values(tfjsGrad(x, dy)));
      tf.dispose([x, y, dy, got]);
    }
  });

  it("gives a tied maximum's dy to every tied input (MaxPoolGrad gives it to one)", () => {
    // Windows [2 2 / 1 0] (2 tied twice) and [0 1 / 1 1] (1 tied three times).
    const x = tf.tensor4d([2, 2, 0, 1, 1, 0, 1, 1], [1, 2, 4, 1]);
    const y = tf.maxPool(x, 2, 2, "valid");
    const dy = tf.tensor4d([5, 7], [1, 1, 2, 1]);
    expect(values(maxPool2x2BackpropByMask({ dy, x, y }))).toEqual([5, 5, 0, 7, 0, 0, 7, 7]);
  });

  describe("maxPool2x2 with the kernel registered on this backend", () => {
    beforeAll(() => {
      tf.registerKernel({
        kernelName: MAX_POOL_2X2_BACKPROP,
        backendName: tf.getBackend(),
        kernelFunc: ({ inputs }) => maxPool2x2BackpropByMask(inputs as MaxPool2x2BackpropInputs),
      });
    });
    afterAll(() => {
      tf.unregisterKernel(MAX_POOL_2X2_BACKPROP, tf.getBackend());
    });

    it("uses it for the gradient, and equals tfjs's after a ReLU (ties at zero), without leaking tensors", () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const pre = tf.randomNormal<tf.Rank.R4>([1, 9, 7, 4], 0, 1, "float32", 3);
        const dy = tf.randomNormal([1, 4, 3, 4], 0, 1, "float32", 4);
        const viaKernel = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxPool2x2(tf.relu(t) as tf.Tensor4D), dy)))(pre);
        const viaTfjs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(tf.relu(t) as tf.Tensor4D, 2, 2, "valid"), dy)))(pre);
        expect(values(viaKernel)).toEqual(values(viaTfjs));
        expect(values(maxPool2x2(pre))).toEqual(values(tf.maxPool(pre, 2, 2, "valid")));
      });
      expect(tf.memory().numTensors).toBe(before);
    });

    it("can do the ReLU's backward pass of the conv before it (at odd sizes too): the same gradient as conv → ReLU → pool unfolded", () => {
      expect(maxPoolGradientIsKernel()).toBe(true);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const w = { kernel: tf.randomNormal<tf.Rank.R4>([3, 3, 3, 6], 0, 0.5, "float32", 5), bias: tf.randomNormal<tf.Rank.R1>([6], 0, 0.3, "float32", 6) };
        const flipped = flipKernelForInputGrad(w.kernel);
        const x = tf.randomNormal<tf.Rank.R4>([1, 11, 8, 3], 0, 1, "float32", 7);
        const dy = tf.randomNormal([1, 5, 4, 6], 0, 1, "float32", 8);
        const grad = (folded: boolean) =>
          tf.grad((t: tf.Tensor) => {
            const y = conv2dReluWithInputGrad(
              t as tf.Tensor4D,
              (v) => conv2dBiasRelu(v, w),
              (dz) => flippedConvInputGrad(dz, flipped),
              folded,
            );
            return tf.sum(tf.mul(maxPool2x2(y, folded), dy));
          })(x);
        const folded = grad(true);
        const unfolded = grad(false);
        // Some windows' maxima are zero (ReLU), so the fold's mask is exercised.
        expect(tf.min(conv2dBiasRelu(x, w)).dataSync()[0]).toBe(0);
        expect(tf.max(tf.abs(tf.sub(folded, unfolded))).dataSync()[0]).toBeLessThan(1e-6);
        expect(tf.max(tf.abs(unfolded)).dataSync()[0]).toBeGreaterThan(0.1);
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it("without a registered kernel, maxPool2x2 is tfjs's pool and cannot take over a ReLU's gradient", () => {
    expect(maxPoolGradientIsKernel()).toBe(false);
  });
});
