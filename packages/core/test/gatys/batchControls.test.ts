import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { StyleTargetCache, disposeWeightMap, stylizeGatys, untilDone, type GatysInput, type GatysOptionsInput, type StylizeEvent } from "../../src/index.js";
import { normalizeGradient } from "../../src/losses/normalizeGradient.js";
import { syntheticVggWeights, testImage } from "../helpers/syntheticVgg.js";

// Batch reuse of style targets and the neural-style controls (issue #14), on small synthetic weights.
const weights = syntheticVggWeights("block3_conv1");
afterAll(() => {
  disposeWeightMap(weights);
});
// The optimiser is given explicitly: the product default may change.
const small: GatysOptionsInput = {
  contentLayers: ["block3_conv1"],
  styleLayers: ["block1_conv1", "block2_conv1", "block3_conv1"],
  iterations: 4,
  optimizer: "adam",
  learningRate: 0.05,
  styleWeight: 1e4,
  scales: "off",
};
// Same size: a coarse stage of another aspect ratio can round the styles to another size (then computed anew).
const contents = [testImage(24, 20), testImage(24, 20, 3)];
const styles = [testImage(30, 30, 7), testImage(26, 34, 11)];

async function collect(input: GatysInput): Promise<StylizeEvent[]> {
  const events: StylizeEvent[] = [];
  for await (const e of stylizeGatys(input)) events.push(e);
  return events;
}
const run = async (input: GatysInput) => (await untilDone(stylizeGatys(input))).image.data;
const differs = (a: Uint8Array, b: Uint8Array) => a.some((v, i) => v !== b[i]);

describe("StyleTargetCache (batches)", () => {
  it("computes each style's Grams once per size, gives the same images as runs without it, and frees everything on dispose", async () => {
    const before = tf.memory().numTensors;
    const cache = new StyleTargetCache();
    const options = { ...small, scales: 2, minSize: 16, iterations: 4 } satisfies GatysOptionsInput;
    const cached: Uint8Array[] = [];
    const plain: Uint8Array[] = [];
    for (const content of contents) {
      for (const style of styles) {
        cached.push(await run({ content, styles: [style], weights, options, styleTargets: cache }));
        plain.push(await run({ content, styles: [style], weights, options }));
      }
    }
    cached.forEach((c, i) => {
      expect(c).toEqual(plain[i]);
    });
    // 2 styles × 2 stage sizes computed; the second content reused all four.
    expect(cache.computed).toBe(4);
    expect(cache.reused).toBe(4);
    expect(cache.tensorCount).toBe(4 * 3);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => cache.grams(styles[0]!, "k", () => [])).toThrow(/after dispose/);
  });

  it("is bypassed by histogram colour matching (the style's colours depend on the content)", async () => {
    const cache = new StyleTargetCache();
    try {
      await run({ content: contents[0]!, styles: [styles[0]!], weights, options: { ...small, preserveColors: "histogram" }, styleTargets: cache });
      expect(cache.computed + cache.reused).toBe(0);
    } finally {
      cache.dispose();
    }
  });
});

describe("neural-style controls", () => {
  const base = { content: contents[0]!, styles: [styles[0]!], weights };

  it("pooling avg changes the result (and max is the default)", async () => {
    const max = await run({ ...base, options: small });
    expect(await run({ ...base, options: { ...small, pooling: "max" } })).toEqual(max);
    expect(differs(await run({ ...base, options: { ...small, pooling: "avg" } }), max)).toBe(true);
  });

  it("normalizeGradient: the gradient through it is the incoming one scaled to L1 norm = strength", () => {
    tf.tidy(() => {
      const x = tf.tensor1d([1, -2, 3]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(normalizeGradient(t, 5), tf.tensor1d([10, 20, -30]))))(x);
      const values = Array.from(g.dataSync());
      expect(values.reduce((a, v) => a + Math.abs(v), 0)).toBeCloseTo(5, 4);
      expect(values[0]! / values[1]!).toBeCloseTo(0.5, 5);
      expect(values[2]).toBeLessThan(0);
    });
  });

  it("normalizeGradients changes the result, without leaking tensors", async () => {
    const plain = await run({ ...base, options: small });
    const before = tf.memory().numTensors;
    const normalized = await run({ ...base, options: { ...small, normalizeGradients: true } });
    expect(tf.memory().numTensors).toBe(before);
    expect(differs(normalized, plain)).toBe(true);
  });

  it('init "uniform" is the seeded uniform noise of "noise", not the content', async () => {
    const options = { ...small, iterations: 1, seed: 7 };
    const uniform = await run({ ...base, options: { ...options, init: { kind: "uniform" } } });
    expect(uniform).toEqual(await run({ ...base, options: { ...options, init: { kind: "noise" } } }));
    expect(differs(uniform, await run({ ...base, options: { ...options, init: { kind: "content" } } }))).toBe(true);
  });

  it("stageResults: a multi-scale run emits each earlier stage's result at its size", async () => {
    const events = await collect({ ...base, content: testImage(48, 40), options: { ...small, scales: 3, minSize: 16 }, stageResults: true });
    const stages = events.filter((e) => e.type === "stage");
    expect(stages.map((e) => [e.stage.index, e.image.width, e.image.height])).toEqual([
      [0, 16, 13],
      [1, 28, 23],
    ]);
    expect(events.at(-1)!.type).toBe("done");
    // Without it, no such events.
    expect((await collect({ ...base, content: testImage(48, 40), options: { ...small, scales: 3, minSize: 16 } })).some((e) => e.type === "stage")).toBe(false);
  });

  it("highDepth: the done event carries 16-bit samples that round to the 8-bit image", async () => {
    const done = await untilDone(stylizeGatys({ ...base, options: small, highDepth: true }));
    const { image, image16 } = done;
    expect(image16).toBeDefined();
    expect([image16!.width, image16!.height]).toEqual([image.width, image.height]);
    image.data.forEach((v, i) => {
      expect(Math.abs(image16!.data[i]! / 257 - v)).toBeLessThanOrEqual(0.5 + 1e-9);
    });
    // Finer than 8 bits: some sample is not a multiple of 257.
    expect(image16!.data.some((v) => v % 257 !== 0)).toBe(true);
  });
});
