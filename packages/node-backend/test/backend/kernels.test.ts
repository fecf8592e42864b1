import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { IMAGE_PATCHES, INSTANCE_NORM, MAX_POOL_2X2_BACKPROP, RELU_BACKPROP, VggFeatureExtractor, gramMatrix } from "@pastiche/core";
import {
  conv2dReluBackpropInputGrad,
  conv2dReluTfjsGrad,
  imagePatches,
  instanceNorm,
  maxPool2x2,
  reluBackprop,
  winogradConv2d,
  winogradFilter,
} from "@pastiche/core/internal";
import { initBackend } from "../../src/index.js";
import { maxRelDiff, vggWeights } from "./tensorHelpers.js";

// Runs on the backend the suite runs on (PASTICHE_BACKEND=tensorflow for the native pass).
const backend = await initBackend();

describe(`core's kernels on ${backend.name}`, () => {
  it("registers the one-pass ReLU backward kernel on tfjs-node only, and it equals dy·step(y)", () => {
    expect(tf.getKernel(RELU_BACKPROP, tf.getBackend()) !== undefined).toBe(backend.name === "tensorflow");
    const y = tf.relu(tf.randomNormal([1, 7, 5, 9], 0, 1, "float32", 3));
    const dy = tf.randomNormal([1, 7, 5, 9], 0, 1, "float32", 4);
    expect(maxRelDiff(reluBackprop(dy, y), tf.mul(dy, tf.step(y)))).toBe(0);
  });

  it("registers the max-pool backward kernel on tfjs-node only; after a ReLU its gradient equals tfjs's MaxPoolGrad", () => {
    expect(tf.getKernel(MAX_POOL_2X2_BACKPROP, tf.getBackend()) !== undefined).toBe(backend.name === "tensorflow");
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const pre = tf.randomNormal<tf.Rank.R4>([1, 13, 10, 6], 0, 1, "float32", 41);
      const dy = tf.randomNormal([1, 6, 5, 6], 0, 1, "float32", 42);
      const grad = (pool: (t: tf.Tensor4D) => tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(tf.relu(t) as tf.Tensor4D), dy)))(pre);
      expect(
        maxRelDiff(
          grad(maxPool2x2),
          grad((t) => tf.maxPool(t, 2, 2, "valid")),
        ),
      ).toBe(0);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("registers ExtractImagePatches on tfjs-node only; the Winograd conv on it equals the direct conv", () => {
    expect(tf.getKernel(IMAGE_PATCHES, tf.getBackend()) !== undefined).toBe(backend.name === "tensorflow");
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomUniform<tf.Rank.R4>([1, 11, 14, 3], 0, 9, "float32", 51);
      const p = imagePatches(x, 3, 2);
      expect(p.shape).toEqual([1, 5, 6, 27]);
      // Patch (2, 3)'s pixel (1, 2) is the image's pixel (5, 8).
      expect(maxRelDiff(tf.slice(p, [0, 2, 3, (1 * 3 + 2) * 3], [1, 1, 1, 3]), tf.slice(x, [0, 5, 8, 0], [1, 1, 1, 3]))).toBe(0);
      const features = tf.randomUniform<tf.Rank.R4>([1, 13, 10, 32], 0, 5, "float32", 52);
      const kernel = tf.randomNormal<tf.Rank.R4>([3, 3, 32, 24], 0, 0.1, "float32", 53);
      expect(maxRelDiff(winogradConv2d(features, winogradFilter(kernel)), tf.conv2d(features, kernel, 1, "same"))).toBeLessThan(2e-5);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("registers the one-kernel instance norm on tfjs-node only, and it equals (x − mean)/√(var + ε)·γ + β per channel", () => {
    expect(tf.getKernel(INSTANCE_NORM, tf.getBackend()) !== undefined).toBe(backend.name === "tensorflow");
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.add<tf.Tensor4D>(tf.mul(tf.randomNormal<tf.Rank.R4>([1, 13, 11, 6], 0, 1, "float32", 31), 3), 2);
      const gamma = tf.randomNormal([1, 1, 1, 6], 1, 0.5, "float32", 32);
      const beta = tf.randomNormal([6], 0, 1, "float32", 33);
      const mean = tf.mean(x, [1, 2], true);
      const variance = tf.mean(tf.square(tf.sub(x, mean)), [1, 2], true);
      const expected = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), gamma), tf.reshape(beta, [1, 1, 1, 6]));
      const y = instanceNorm(x, gamma, beta, 1e-3);
      expect(y.shape).toEqual([1, 13, 11, 6]);
      expect(maxRelDiff(y, expected)).toBeLessThan(1e-5);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the conv layer's custom input gradient equals tfjs's autograd", () => {
    const w = { kernel: tf.randomNormal<tf.Rank.R4>([3, 3, 5, 7], 0, 0.3, "float32", 11), bias: tf.randomNormal<tf.Rank.R1>([7], 0, 0.1, "float32", 12) };
    const x = tf.randomNormal<tf.Rank.R4>([1, 9, 7, 5], 0, 1, "float32", 13);
    const upstream = tf.randomNormal([1, 9, 7, 7], 0, 1, "float32", 14);
    const loss = (conv: typeof conv2dReluTfjsGrad) => (t: tf.Tensor) => tf.sum(tf.mul(conv(t as tf.Tensor4D, w), upstream));
    expect(maxRelDiff(tf.grad(loss(conv2dReluBackpropInputGrad))(x), tf.grad(loss(conv2dReluTfjsGrad))(x))).toBeLessThan(1e-5);
  });

  // The second layer set reads the convs before the pools, so there the pools cannot take over their ReLU's gradient.
  it.each([[["block3_conv1", "block2_conv1"]], [["block3_conv1", "block1_conv2", "block2_conv2"]]])(
    "both conv gradients, and Winograd convs, agree through VGG19 with pooling and Gram matrices, without leaking tensors (layers %j)",
    (layers) => {
      const weights = vggWeights("block3_conv1");
      const x = tf.randomUniform<tf.Rank.R4>([1, 24, 18, 3], 0, 1, "float32", 5);
      const before = tf.memory().numTensors;
      const grads = (
        [
          ["flipped-conv", "direct"],
          ["tfjs", "direct"],
          ["flipped-conv", "winograd"],
        ] as const
      ).map(([convGradient, convAlgorithm]) => {
        const ex = new VggFeatureExtractor(weights, { layers, convGradient, convAlgorithm });
        const g = tf.grad((t: tf.Tensor) => {
          const f = ex.extract(t as tf.Tensor4D);
          return tf.addN(layers.map((l, i) => tf.mean(tf.square(i === 0 ? f[l]! : gramMatrix(f[l]!)))));
        })(x);
        ex.dispose();
        return g;
      });
      expect(maxRelDiff(grads[0]!, grads[1]!)).toBeLessThan(1e-4);
      expect(maxRelDiff(grads[2]!, grads[1]!)).toBeLessThan(1e-4);
      tf.dispose(grads);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(Object.values(weights));
    },
  );

  it("the Gram matrix and its custom gradient equal the plain Fᵀ·F / (H·W) and its autograd", () => {
    const f = tf.randomNormal<tf.Rank.R4>([1, 6, 5, 4], 0, 1, "float32", 21);
    const upstream = tf.randomNormal([4, 4], 0, 1, "float32", 22);
    const plain = (t: tf.Tensor) => {
      const flat = tf.reshape(t, [30, 4]);
      return tf.div(tf.matMul(tf.transpose(flat), flat), 30);
    };
    expect(maxRelDiff(gramMatrix(f), plain(f))).toBeLessThan(1e-6);
    const grad = (g: (t: tf.Tensor4D) => tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(g(t as tf.Tensor4D), upstream)))(f);
    expect(maxRelDiff(grad(gramMatrix), grad(plain))).toBeLessThan(1e-5);
  });
});
