import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { AdamImageOptimizer, LbfgsImageOptimizer, type Evaluation } from "../src/index.js";

/** f(x) = Σ (x − target)² · scale, whose minimiser inside [0,1] is `target` clipped. */
function quadratic(image: tf.Variable<tf.Rank.R4>, target: tf.Tensor4D, scale: tf.Tensor) {
  return (): Evaluation =>
    tf.tidy(() => {
      const diff = tf.sub(image, target);
      return {
        loss: tf.sum<tf.Scalar>(tf.mul(tf.square(diff), scale)),
        grad: tf.mul<tf.Tensor4D>(tf.mul(diff, scale), 2),
      };
    });
}

describe("AdamImageOptimizer", () => {
  it("follows Keras' update rule exactly (ε added to √v, bias correction in the step size)", () => {
    const x0 = [0.5, 0.2, 0.9];
    const grads = [
      [1.0, -2.0, 0.5],
      [0.3, -1.0, -4.0],
      [-0.2, 0.1, 2.0],
    ];
    const image = tf.variable(tf.tensor4d(x0, [1, 1, 3, 1]));
    const opt = new AdamImageOptimizer({ learningRate: 0.02, beta1: 0.99, beta2: 0.999, epsilon: 0.1 });
    // Reference in plain numbers.
    const x = [...x0];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    grads.forEach((g, step) => {
      const t = step + 1;
      const alpha = (0.02 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.99 ** t);
      for (let i = 0; i < 3; i++) {
        m[i] = 0.99 * m[i]! + 0.01 * g[i]!;
        v[i] = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
        x[i] = Math.min(1, Math.max(0, x[i]! - (alpha * m[i]!) / (Math.sqrt(v[i]!) + 0.1)));
      }
      const ev = opt.step(image, () => ({ loss: tf.scalar(0), grad: tf.tensor4d(g, [1, 1, 3, 1]) }));
      tf.dispose([ev.loss, ev.grad]);
    });
    const got = image.dataSync();
    x.forEach((xi, i) => {
      expect(got[i]).toBeCloseTo(xi, 6);
    });
    opt.dispose();
    image.dispose();
  });

  it("keeps the image in [0,1]", () => {
    const image = tf.variable(tf.tensor4d([0.99, 0.01], [1, 1, 2, 1]));
    const opt = new AdamImageOptimizer({ learningRate: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const ev = opt.step(image, () => ({ loss: tf.scalar(0), grad: tf.tensor4d([-10, 10], [1, 1, 2, 1]) }));
    tf.dispose([ev.loss, ev.grad]);
    expect(Array.from(image.dataSync())).toEqual([1, 0]);
  });
});

describe("LbfgsImageOptimizer", () => {
  it("minimises an ill-conditioned quadratic far faster than gradient steps would, within [0,1]", () => {
    const n = 64;
    const target = tf.tidy(() => tf.clipByValue(tf.randomUniform<tf.Rank.R4>([1, 8, 8, 1], -0.2, 1.2, "float32", 3), -1, 2));
    const scale = tf.linspace(1, 100, n).reshape([1, 8, 8, 1]);
    const image = tf.variable(tf.fill<tf.Rank.R4>([1, 8, 8, 1], 0.5));
    const evaluate = quadratic(image, target, scale);
    const opt = new LbfgsImageOptimizer({ learningRate: 1, historySize: 10 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) {
      const ev = opt.step(image, evaluate);
      tf.dispose([ev.loss, ev.grad]);
    }
    // The history is full after 10 pairs: tensor count is bounded, not growing.
    const after = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) {
      const ev = opt.step(image, evaluate);
      tf.dispose([ev.loss, ev.grad]);
    }
    expect(tf.memory().numTensors).toBe(after);
    expect(after - before).toBeLessThanOrEqual(3 * 10 + 4);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(image, tf.clipByValue(target, 0, 1)))).dataSync()[0]!);
    expect(err).toBeLessThan(1e-3);
    const values = image.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("with a backtracking line search decreases the loss monotonically and reuses the accepted evaluation", () => {
    const target = tf.tidy(() => tf.randomUniform<tf.Rank.R4>([1, 8, 8, 1], -0.2, 1.2, "float32", 5));
    const scale = tf.linspace(1, 100, 64).reshape([1, 8, 8, 1]);
    const image = tf.variable(tf.fill<tf.Rank.R4>([1, 8, 8, 1], 0.5));
    const plain = quadratic(image, target, scale);
    let evaluations = 0;
    const evaluate = (): Evaluation => {
      evaluations++;
      return plain();
    };
    // A step length of 3 overshoots: without backtracking the loss goes up at some step.
    const free = new LbfgsImageOptimizer({ learningRate: 3, historySize: 5 });
    const rises = Array.from({ length: 10 }, () => {
      const ev = free.step(image, plain);
      const loss = ev.loss.dataSync()[0]!;
      tf.dispose([ev.loss, ev.grad]);
      return loss;
    }).some((loss, i, all) => i > 0 && loss > all[i - 1]!);
    expect(rises).toBe(true);
    free.dispose();
    image.assign(tf.fill<tf.Rank.R4>([1, 8, 8, 1], 0.5));
    const opt = new LbfgsImageOptimizer({ learningRate: 3, historySize: 5, lineSearch: "backtracking", maxLineSearchEvaluations: 6 });
    const before = tf.memory().numTensors;
    let last = Infinity;
    for (let i = 0; i < 30; i++) {
      const ev = opt.step(image, evaluate);
      const loss = ev.loss.dataSync()[0]!;
      expect(loss).toBeLessThanOrEqual(last);
      last = loss;
      tf.dispose([ev.loss, ev.grad]);
    }
    // One evaluation to start, then only line-search trials: the start of each step is reused.
    expect(evaluations).toBeLessThan(1 + 30 * 6);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(image, tf.clipByValue(target, 0, 1)))).dataSync()[0]!);
    expect(err).toBeLessThan(1e-2);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("backtracking: when every trial raises the loss, the image goes back to the step's start and L-BFGS starts afresh", () => {
    const target = tf.fill<tf.Rank.R4>([1, 4, 4, 1], 0.5001);
    const scale = tf.ones([1, 4, 4, 1]);
    const image = tf.variable(tf.fill<tf.Rank.R4>([1, 4, 4, 1], 0.5));
    const plain = quadratic(image, target, scale);
    // A huge step length: every trial (1e6·t, halved once) lands on the clipped corner, far worse.
    const opt = new LbfgsImageOptimizer({ learningRate: 1e6, historySize: 5, lineSearch: "backtracking", maxLineSearchEvaluations: 2 });
    const before = tf.memory().numTensors;
    const start = Array.from(image.dataSync());
    for (let i = 0; i < 3; i++) {
      const ev = opt.step(image, plain);
      tf.dispose([ev.loss, ev.grad]);
      expect(Array.from(image.dataSync())).toEqual(start);
    }
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([target, scale, image]);
  });

  it('has no line search by default: "none" takes the same steps, one evaluation per step', () => {
    const target = tf.tidy(() => tf.randomUniform<tf.Rank.R4>([1, 4, 4, 1], 0, 1, "float32", 6));
    const scale = tf.linspace(1, 10, 16).reshape([1, 4, 4, 1]);
    const runs = (["none", undefined] as const).map((lineSearch) => {
      const image = tf.variable(tf.fill<tf.Rank.R4>([1, 4, 4, 1], 0.5));
      let evaluations = 0;
      const plain = quadratic(image, target, scale);
      const opt = new LbfgsImageOptimizer({ learningRate: 1, historySize: 5, ...(lineSearch ? { lineSearch } : {}) });
      for (let i = 0; i < 5; i++) {
        const ev = opt.step(image, () => {
          evaluations++;
          return plain();
        });
        tf.dispose([ev.loss, ev.grad]);
      }
      opt.dispose();
      expect(evaluations).toBe(5);
      return Array.from(image.dataSync());
    });
    expect(runs[0]).toEqual(runs[1]);
  });
});
