import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { gramMatrix, styleLoss } from "../src/index.js";
import { layerMasks, poolsBefore } from "../src/vgg/layerMasks.js";
import { maskImageToTensor } from "../src/gatys/objective/styleMasks.js";
import { maskedGramMatrix } from "../src/losses/maskedGram.js";
import { maskedStyleLoss } from "../src/losses/style.js";

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]!)));
};

describe("maskedGramMatrix", () => {
  it("with a mask of all ones equals gramMatrix", () => {
    tf.tidy(() => {
      const f = tf.randomNormal<tf.Rank.R4>([1, 5, 6, 4], 0, 1, "float32", 3);
      close(maskedGramMatrix(f, tf.ones([1, 5, 6, 1])).dataSync(), gramMatrix(f).dataSync());
    });
  });

  it("with a 0/1 mask is the Gram of the region's positions alone, divided by the region's size", () => {
    tf.tidy(() => {
      const [h, w, c] = [4, 5, 3];
      const f = tf.randomNormal<tf.Rank.R4>([1, h, w, c], 0, 1, "float32", 4);
      const inside = (y: number, x: number) => (x + 2 * y) % 3 === 0;
      const maskValues = Array.from({ length: h * w }, (_, p) => (inside(Math.floor(p / w), p % w) ? 1 : 0));
      const mask = tf.tensor4d(maskValues, [1, h, w, 1]);
      // The region's feature vectors gathered as a [1, 1, k, C] map: its plain Gram is Σ fₚfₚᵀ / k.
      const values = f.dataSync();
      const rows = maskValues.flatMap((m, p) => (m ? [Array.from(values.slice(p * c, p * c + c))] : []));
      const region = tf.tensor4d(rows.flat(), [1, 1, rows.length, c]);
      close(maskedGramMatrix(f, mask).dataSync(), gramMatrix(region).dataSync());
    });
  });

  it("scales soft masks: a constant mask of 0.3 is the plain Gram; an empty mask gives zeros", () => {
    tf.tidy(() => {
      const f = tf.randomNormal<tf.Rank.R4>([1, 3, 3, 2], 0, 1, "float32", 5);
      close(maskedGramMatrix(f, tf.fill([1, 3, 3, 1], 0.3)).dataSync(), gramMatrix(f).dataSync(), 1e-4);
      close(maskedGramMatrix(f, tf.zeros([1, 3, 3, 1])).dataSync(), [0, 0, 0, 0]);
      expect(() => maskedGramMatrix(f, tf.ones([1, 2, 3, 1]))).toThrow(RangeError);
    });
  });

  it("its gradient equals that of Fᵀ·diag(m)·F / Σm written with plain tfjs ops", () => {
    tf.tidy(() => {
      const f = tf.randomNormal([1, 5, 4, 3], 0, 1, "float32", 9);
      const mask = tf.randomUniform<tf.Rank.R4>([1, 5, 4, 1], 0, 1, "float32", 11);
      const upstream = tf.randomNormal([3, 3], 0, 1, "float32", 10);
      const plain = (x: tf.Tensor) => {
        const flat = tf.reshape(x, [20, 3]);
        const m = tf.reshape(mask, [20, 1]);
        return tf.sum(tf.mul(tf.div(tf.matMul(flat, tf.mul(flat, m), true, false), tf.sum(m)), upstream));
      };
      const ours = (x: tf.Tensor) => tf.sum(tf.mul(maskedGramMatrix(x as tf.Tensor4D, mask), upstream));
      close(tf.grad(ours)(f).dataSync(), tf.grad(plain)(f).dataSync(), 1e-4);
      close(ours(f).dataSync(), plain(f).dataSync(), 1e-4);
    });
  });
});

describe("style masks", () => {
  it("are average-pooled alongside VGG's pools to each layer's feature size", () => {
    expect([poolsBefore("block1_conv1"), poolsBefore("block2_conv1"), poolsBefore("relu3_1"), poolsBefore("block3_pool")]).toEqual([0, 1, 2, 3]);
    const before = tf.memory().numTensors;
    const mask = tf.tensor4d([1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0], [1, 5, 5, 1]);
    const masks = layerMasks(mask, ["block1_conv1", "block1_conv2", "block2_conv1", "block3_conv1"]);
    expect(masks.block1_conv1!.shape).toEqual([1, 5, 5, 1]);
    expect(masks.block2_conv1!.shape).toEqual([1, 2, 2, 1]); // floor, like the max pools
    expect(masks.block3_conv1!.shape).toEqual([1, 1, 1, 1]);
    close(masks.block2_conv1!.dataSync(), [1, 0, 1, 0]);
    tf.dispose([mask, ...Object.values(masks)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("mask images become their luminance, resized (stretched) to the output's size", () => {
    const white = { width: 2, height: 4, data: new Uint8Array(2 * 4 * 3).fill(255) };
    const t = maskImageToTensor(white, 6, 3);
    expect(t.shape).toEqual([1, 3, 6, 1]);
    close(t.dataSync(), Array<number>(18).fill(1));
    t.dispose();
  });

  it("a masked style loss with one all-ones mask equals the plain style loss", () => {
    tf.tidy(() => {
      const features = { l: tf.randomNormal<tf.Rank.R4>([1, 4, 4, 3], 0, 1, "float32", 1) };
      const grams = { l: gramMatrix(tf.randomNormal<tf.Rank.R4>([1, 6, 6, 3], 0, 1, "float32", 2)) };
      const plain = styleLoss(features, grams, ["l"], [2]).dataSync()[0]!;
      const masked = maskedStyleLoss(features, [{ grams, masks: { l: tf.ones([1, 4, 4, 1]) }, weight: 5 }], ["l"], [2]).dataSync()[0]!;
      expect(masked).toBeCloseTo(plain, 4);
    });
  });
});
