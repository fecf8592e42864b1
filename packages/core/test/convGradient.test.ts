import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { VggFeatureExtractor } from "../src/index.js";
import { conv2dReluBackpropInputGrad } from "../src/ops/conv2dReluBackpropInput.js";
import { conv2dReluFastGrad, conv2dReluTfjsGrad, flipKernelForInputGrad } from "../src/ops/conv2dReluFastGrad.js";
import { reluBackprop } from "../src/ops/reluBackprop.js";
import { syntheticVggWeights } from "./helpers/syntheticVgg.js";

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.add(tf.max(tf.abs(b)), 1e-12)).dataSync()[0]!);
}

describe("flipped-kernel convolution input gradient", () => {
  it("equals tfjs's Conv2DBackpropInput gradient for one conv+ReLU (odd sizes)", () => {
    const kernel = tf.randomNormal<tf.Rank.R4>([3, 3, 5, 7], 0, 0.3, "float32", 11);
    const w = { kernel, bias: tf.randomNormal<tf.Rank.R1>([7], 0, 0.1, "float32", 12), flippedKernel: flipKernelForInputGrad(kernel) };
    const x = tf.randomNormal<tf.Rank.R4>([1, 9, 7, 5], 0, 1, "float32", 13);
    const upstream = tf.randomNormal([1, 9, 7, 7], 0, 1, "float32", 14);
    const loss = (conv: typeof conv2dReluFastGrad) => (t: tf.Tensor) => tf.sum(tf.mul(conv(t as tf.Tensor4D, w), upstream));
    const fast = tf.grad(loss(conv2dReluFastGrad))(x);
    const ref = tf.grad(loss(conv2dReluTfjsGrad))(x);
    expect(fast.shape).toEqual(ref.shape);
    expect(maxRelDiff(fast, ref)).toBeLessThan(1e-5);
    // The custom-gradient layer on Conv2DBackpropInput (the "tfjs" conv gradient) too.
    expect(maxRelDiff(tf.grad(loss(conv2dReluBackpropInputGrad))(x), ref)).toBeLessThan(1e-5);
    // And the forward values agree too.
    expect(maxRelDiff(conv2dReluFastGrad(x, w), conv2dReluTfjsGrad(x, w))).toBeLessThan(1e-5);
  });

  it("ReLU's backward pass from its output is dy where the output is positive, else 0", () => {
    const y = tf.relu(tf.tensor1d([-2, -0, 0, 1e-30, 3]));
    const dy = tf.tensor1d([5, 6, 7, 8, 9]);
    expect(Array.from(reluBackprop(dy, y).dataSync())).toEqual([0, 0, 0, 8, 9]);
  });

  it("gives the same input gradient through the VGG19 stack (with pooling) as tfjs's own", () => {
    const weights = syntheticVggWeights("block3_conv1");
    const x = tf.randomUniform<tf.Rank.R4>([1, 23, 18, 3], 0, 1, "float32", 5);
    const grads = (["flipped-conv", "tfjs"] as const).map((convGradient) => {
      const ex = new VggFeatureExtractor(weights, { layers: ["block3_conv1", "relu2_1"], convGradient });
      const g = tf.grad((t: tf.Tensor) => {
        const f = ex.extract(t as tf.Tensor4D);
        return tf.add(tf.mean(tf.square(f.block3_conv1!)), tf.mean(f.block2_conv1!));
      })(x);
      ex.dispose();
      return g;
    });
    expect(maxRelDiff(grads[0]!, grads[1]!)).toBeLessThan(1e-4);
  });
});
