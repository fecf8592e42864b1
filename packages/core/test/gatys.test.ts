import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import {
  PasticheError,
  VggFeatureExtractor,
  disposeWeightMap,
  gramMatrix,
  rgbImageToTensor,
  styleLoss,
  stylizeGatys,
  type GatysInput,
  type StylizeEvent,
} from "../src/index.js";
import { blendGrams } from "../src/losses/gram.js";
import { syntheticVggWeights, testImage } from "./helpers/syntheticVgg.js";

// Shallow layers keep these tests fast; the real-weights test uses the defaults.
const weights = syntheticVggWeights("block3_conv1");
afterAll(() => {
  disposeWeightMap(weights);
});
// Adam, as SHALLOW_RUN_OPTIONS (helpers/syntheticVgg.ts) says why; L-BFGS is run explicitly below.
const small = {
  optimizer: "adam" as const,
  contentLayers: ["block3_conv1"],
  styleLayers: ["block1_conv1", "block2_conv1", "block3_conv1"],
  iterations: 5,
};
const content = testImage(24, 20);
const style = testImage(30, 30, 7);

async function collect(input: GatysInput): Promise<StylizeEvent[]> {
  const events: StylizeEvent[] = [];
  for await (const e of stylizeGatys(input)) events.push(e);
  return events;
}

async function expectPasticheError(p: Promise<unknown>, code: string, text?: string) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PasticheError);
  expect((e as PasticheError).code).toBe(code);
  if (text) expect((e as PasticheError).message).toContain(text);
  expect((e as PasticheError).message).not.toContain("\n");
}

describe("stylizeGatys", () => {
  it("emits start, one event per iteration with losses and ETA, then done with the image", async () => {
    const events = await collect({ content, styles: [style], weights, options: { ...small, previewEvery: 2, tvWeight: 0, styleWeight: 1e4 } });
    expect(events.map((e) => e.type)).toEqual(["start", "iteration", "iteration", "iteration", "iteration", "iteration", "done"]);
    const start = events[0]!;
    expect(start).toMatchObject({ type: "start", width: 24, height: 20, iterations: 5, backend: "wasm" });
    const its = events.filter((e) => e.type === "iteration");
    its.forEach((e, i) => {
      expect(e.iteration).toBe(i + 1);
      expect(e.losses.total).toBeCloseTo(e.losses.content + e.losses.style + e.losses.tv, 3);
      expect(e.etaMs).toBeGreaterThanOrEqual(0);
    });
    // Content init: the content term starts at zero and the style term decreases.
    expect(its[0]!.losses.content).toBeLessThan(1e-6);
    expect(its[4]!.losses.style).toBeLessThan(its[0]!.losses.style);
    expect(its.filter((e) => e.preview).map((e) => e.iteration)).toEqual([2, 4]);
    expect(its[1]!.preview).toMatchObject({ width: 24, height: 20 });
    const done = events.at(-1)!;
    if (done.type !== "done") throw new Error("no done event");
    expect(done).toMatchObject({ iterations: 5, aborted: false });
    expect(done.image.data).toHaveLength(24 * 20 * 3);
    expect(done.image.data).not.toEqual(content.data); // it changed the image
  });

  it("does not leak tensors: the count is flat across iterations and back to the start after", async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    for (const optimizer of ["adam", "lbfgs"] as const) {
      counts.length = 0;
      for await (const e of stylizeGatys({ content, styles: [style], weights, options: { ...small, iterations: 6, optimizer, lbfgsHistory: 2 } })) {
        if (e.type === "iteration" && e.iteration >= 4) counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts).size).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it("is repeatable with a seed (noise init) and differs with another seed", async () => {
    const run = async (seed: number) => {
      const events = await collect({ content, styles: [style], weights, options: { ...small, iterations: 2, init: { kind: "noise" }, seed } });
      const done = events.at(-1)!;
      return done.type === "done" ? done.image.data : new Uint8Array();
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(await run(43)).not.toEqual(a);
  });

  it("stops within one iteration of an abort and reports it", async () => {
    const controller = new AbortController();
    const events: StylizeEvent[] = [];
    for await (const e of stylizeGatys({ content, styles: [style], weights, options: { ...small, iterations: 50 }, signal: controller.signal })) {
      events.push(e);
      if (e.type === "iteration" && e.iteration === 2) controller.abort();
    }
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "done", iterations: 2, aborted: true });
    expect(events.filter((e) => e.type === "iteration")).toHaveLength(2);
  });

  it("receives an abort that comes from a timer, not from the loop itself", async () => {
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 300);
    const events = await collect({ content, styles: [style], weights, options: { ...small, iterations: 100_000 }, signal: controller.signal });
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "done", aborted: true });
    if (done.type === "done") expect(done.iterations).toBeLessThan(100_000);
  });

  it("starts from a given image, resized to the content's size", async () => {
    const init = testImage(12, 10, 3);
    const events = await collect({
      content,
      styles: [style],
      weights,
      initImage: init,
      options: { ...small, iterations: 1, init: { kind: "image", path: "init.png" } },
    });
    expect(events.at(-1)).toMatchObject({ type: "done", image: { width: 24, height: 20 } });
  });

  it("blends several styles; weights 1,0 equal the first style alone", async () => {
    const final = async (styles: GatysInput["styles"], styleBlendWeights?: number[]) => {
      const events = await collect({ content, styles, weights, options: { ...small, iterations: 2, ...(styleBlendWeights ? { styleBlendWeights } : {}) } });
      const done = events.at(-1)!;
      return done.type === "done" ? done.image.data : undefined;
    };
    const other = testImage(16, 16, 11);
    expect(await final([style, other], [1, 0])).toEqual(await final([style]));
    expect(await final([style, other], [1, 1])).not.toEqual(await final([style]));
  });

  it("regional styles: complementary half masks run, leak nothing and differ from the unmasked blend", async () => {
    const other = testImage(16, 16, 11);
    const half = (left: boolean) => {
      const data = new Uint8Array(24 * 20 * 3);
      for (let p = 0; p < 24 * 20; p++) data.fill(p % 24 < 12 === left ? 255 : 0, p * 3, p * 3 + 3);
      return { width: 24, height: 20, data };
    };
    const final = async (styleMasks?: GatysInput["styleMasks"]) => {
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      let image: Uint8Array | undefined;
      for await (const e of stylizeGatys({
        content,
        styles: [style, other],
        weights,
        options: { ...small, iterations: 4, styleWeight: 1e4 },
        ...(styleMasks ? { styleMasks } : {}),
      })) {
        if (e.type === "iteration" && e.iteration >= 3) counts.push(tf.memory().numTensors);
        if (e.type === "done") image = e.image.data;
      }
      expect(new Set(counts).size).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
      return image;
    };
    const masked = await final([half(true), half(false)]);
    expect(masked).toHaveLength(24 * 20 * 3);
    expect(masked).not.toEqual(await final());
    // A mask of another aspect ratio is stretched to the content's size.
    expect(await final([testImage(10, 40, 1), testImage(10, 40, 2)])).toHaveLength(24 * 20 * 3);
  });

  it("without masks the style loss is exactly the blended-Gram loss of the reference algorithm", async () => {
    const other = testImage(16, 16, 11);
    const events = await collect({ content, styles: [style, other], weights, options: { ...small, iterations: 1, styleBlendWeights: [3, 1] } });
    const first = events.find((e) => e.type === "iteration");
    // Content init: the first evaluation is at the content image itself.
    const expected = tf.tidy(() => {
      const extractor = new VggFeatureExtractor(weights, { layers: [...small.contentLayers, ...small.styleLayers] });
      const gramsOf = (image: typeof style) => {
        const features = extractor.extract(rgbImageToTensor(image));
        return small.styleLayers.map((l) => gramMatrix(features[l]!));
      };
      const [a, b] = [gramsOf(style), gramsOf(other)];
      const targets = Object.fromEntries(small.styleLayers.map((l, i) => [l, blendGrams([a[i]!, b[i]!], [3, 1])]));
      const loss = tf.mul(styleLoss(extractor.extract(rgbImageToTensor(content)), targets, small.styleLayers), 1e-2).dataSync()[0]!;
      extractor.dispose();
      return loss;
    });
    // Equal to float32 rounding (the run evaluates under the gradient tape, summing in another order).
    const got = first?.type === "iteration" ? first.losses.style : Number.NaN;
    expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-6 * expected);
  });

  it("one style with an all-ones mask matches the unmasked run's losses", async () => {
    const losses = async (styleMasks?: GatysInput["styleMasks"]) => {
      const events = await collect({ content, styles: [style], weights, options: { ...small, iterations: 1 }, ...(styleMasks ? { styleMasks } : {}) });
      const it1 = events.find((e) => e.type === "iteration");
      return it1?.type === "iteration" ? it1.losses : undefined;
    };
    const white = { width: 5, height: 5, data: new Uint8Array(75).fill(255) };
    const masked = (await losses([white]))!;
    const plain = (await losses())!;
    expect(masked.style).toBeCloseTo(plain.style, 2);
    expect(Math.abs(masked.style - plain.style)).toBeLessThanOrEqual(1e-4 * plain.style);
  });

  it("refuses bad options and inputs with one-line typed errors", async () => {
    const base = { content, styles: [style], weights };
    await expectPasticheError(collect({ ...base, options: { styleLayers: ["relu9_9"] } }), "UNKNOWN_LAYER", "relu9_9");
    await expectPasticheError(collect({ ...base, options: { styleWeight: -1 } }), "INVALID_OPTION", "styleWeight");
    await expectPasticheError(collect({ ...base, options: { contentWeight: Number.NaN } }), "INVALID_OPTION", "contentWeight");
    await expectPasticheError(collect({ ...base, options: { iterations: 0 } }), "INVALID_OPTION", "iterations");
    await expectPasticheError(collect({ ...base, options: { optimizer: "sgd" as "adam" } }), "INVALID_OPTION", "optimizer");
    await expectPasticheError(collect({ ...base, styles: [] }), "INVALID_OPTION", "style image");
    await expectPasticheError(collect({ ...base, options: { ...small, styleBlendWeights: [1, 2] } }), "INVALID_OPTION", "blend");
    await expectPasticheError(collect({ ...base, options: { init: { kind: "image", path: "init.png" } } }), "INVALID_OPTION", "initial image");
    await expectPasticheError(collect({ ...base, styleMasks: [style, style] }), "INVALID_OPTION", "2 style masks for 1 style images");
    await expectPasticheError(collect({ ...base, styleMasks: [{ width: 2, height: 2, data: new Uint8Array(3) }] }), "INVALID_IMAGE", "style mask 1");
    await expectPasticheError(collect({ ...base, content: { width: 4, height: 4, data: new Uint8Array(5) } }), "INVALID_IMAGE");
    // block3_conv1 comes after two poolings: 4 pixels per side at least.
    await expectPasticheError(
      collect({ ...base, styles: [testImage(30, 3)], options: small }),
      "INVALID_IMAGE",
      "style image 1 is 30x3: layer block3_conv1 needs at least 4 pixels",
    );
    const broken = { ...weights, "block1_conv1/kernel": tf.zeros([3, 3, 3, 32]) };
    await expectPasticheError(collect({ ...base, weights: broken, options: small }), "INVALID_WEIGHTS", "block1_conv1");
    broken["block1_conv1/kernel"].dispose();
  });
});
