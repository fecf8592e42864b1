import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { contentLoss, gramMatrix, styleLoss, totalVariation } from "../src/index.js";
import { blendGrams } from "../src/losses/gram.js";
import { meanSquaredError } from "../src/losses/content.js";

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]!)));
};

describe("gramMatrix", () => {
  it("is FᵀF / (H·W) computed by hand", () => {
    const [h, w, c] = [2, 3, 2];
    const values = Array.from({ length: h * w * c }, (_, i) => ((i * 7) % 5) - 2);
    const f = tf.tensor4d(values, [1, h, w, c]);
    const expected: number[] = [];
    for (let a = 0; a < c; a++)
      for (let b = 0; b < c; b++) {
        let s = 0;
        for (let p = 0; p < h * w; p++) s += values[p * c + a]! * values[p * c + b]!;
        expected.push(s / (h * w));
      }
    close(gramMatrix(f).dataSync(), expected);
  });

  it("blend weights 1,0 give the first style's Gram; weights are normalised", () => {
    const g1 = tf.tensor2d([
      [1, 2],
      [2, 5],
    ]);
    const g2 = tf.tensor2d([
      [9, 0],
      [0, 9],
    ]);
    close(blendGrams([g1, g2], [1, 0]).dataSync(), g1.dataSync());
    close(blendGrams([g1, g2], [3, 3]).dataSync(), [5, 1, 1, 7]);
    expect(() => blendGrams([g1], [1, 2])).toThrow(RangeError);
  });
});

describe("content and style losses", () => {
  it("content loss is the MSE averaged over layers", () => {
    const a = { l1: tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), l2: tf.tensor4d([0, 0], [1, 1, 2, 1]) };
    const b = { l1: tf.tensor4d([1, 2, 3, 6], [1, 2, 2, 1]), l2: tf.tensor4d([1, 1], [1, 1, 2, 1]) };
    expect(meanSquaredError(a.l1, b.l1).dataSync()[0]).toBeCloseTo(1, 6);
    expect(contentLoss(a, b, ["l1", "l2"]).dataSync()[0]).toBeCloseTo((1 + 1) / 2, 6);
  });

  it("style loss is zero against its own Gram and weights layers", () => {
    const f = { l: tf.randomNormal<tf.Rank.R4>([1, 4, 4, 3], 0, 1, "float32", 3) };
    expect(styleLoss(f, { l: gramMatrix(f.l) }, ["l"]).dataSync()[0]).toBeCloseTo(0, 6);
    const target = { l: tf.zeros<tf.Rank.R2>([3, 3]) };
    const plain = styleLoss(f, target, ["l"]).dataSync()[0]!;
    expect(styleLoss(f, target, ["l"], [2.5]).dataSync()[0]).toBeCloseTo(plain * 2.5, 4);
  });
});

describe("totalVariation", () => {
  it("equals tf.image.total_variation's sum of absolute neighbour differences", () => {
    const v = [0, 1, 3, 3, 2, 2, 0, 5, 1, 1, 4, 0];
    const img = tf.tensor4d(v, [1, 2, 3, 2]);
    // vertical: |v(1,x,c) − v(0,x,c)|; horizontal: |v(y,x+1,c) − v(y,x,c)|
    let expected = 0;
    const at = (y: number, x: number, c: number) => v[(y * 3 + x) * 2 + c]!;
    for (let x = 0; x < 3; x++) for (let c = 0; c < 2; c++) expected += Math.abs(at(1, x, c) - at(0, x, c));
    for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) for (let c = 0; c < 2; c++) expected += Math.abs(at(y, x + 1, c) - at(y, x, c));
    expect(totalVariation(img).dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it("has the gradient of TensorFlow's (sign, 0 where neighbours are equal)", () => {
    const img = tf.tensor4d([0.2, 0.2, 0.5, 0.1, 0.1, 0.9, 0.3, 0.3, 0.3], [1, 3, 3, 1]);
    const g = tf
      .grad((x: tf.Tensor) => totalVariation(x as tf.Tensor4D))(img)
      .dataSync();
    // Finite differences on a non-flat point, exact zeros inside a flat run.
    const h = 1e-3;
    const data = img.dataSync();
    for (const i of [2, 4, 5]) {
      const plus = Float32Array.from(data);
      const minus = Float32Array.from(data);
      plus[i]! += h;
      minus[i]! -= h;
      const fd = (totalVariation(tf.tensor4d(plus, [1, 3, 3, 1])).dataSync()[0]! - totalVariation(tf.tensor4d(minus, [1, 3, 3, 1])).dataSync()[0]!) / (2 * h);
      expect(g[i]).toBeCloseTo(fd, 2);
    }
    // Pixel 7 (row 2, col 1) equals its left and right neighbours (no push sideways); the pixel
    // above is darker (0.1 < 0.3), so only that edge contributes: +1.
    expect(g[7]).toBeCloseTo(1, 5);
  });
});

describe("gramMatrix gradient", () => {
  it("equals the gradient of the plain FᵀF/(HW) written with tfjs ops", () => {
    const f = tf.randomNormal([1, 5, 4, 3], 0, 1, "float32", 9);
    const upstream = tf.randomNormal([3, 3], 0, 1, "float32", 10);
    const plain = (x: tf.Tensor) => {
      const flat = tf.reshape(x, [20, 3]);
      return tf.sum(tf.mul(tf.div(tf.matMul(flat, flat, true, false), 20), upstream));
    };
    const ours = (x: tf.Tensor) => tf.sum(tf.mul(gramMatrix(x as tf.Tensor4D), upstream));
    close(tf.grad(ours)(f).dataSync(), tf.grad(plain)(f).dataSync(), 1e-5);
  });
});
