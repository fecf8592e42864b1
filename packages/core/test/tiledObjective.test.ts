import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { VggFeatureExtractor, disposeWeightMap, parseGatysOptions, rgbImageToTensor, stylizeGatys, type StylizeEvent } from "../src/index.js";
import { imageGrams } from "../src/gatys/objective/styleTargets.js";
import { tiledObjective } from "../src/gatys/objective/tiledObjective.js";
import { wholeImageObjective, type Objective } from "../src/gatys/objective/objective.js";
import { maxRelativeDifference } from "./helpers/compare.js";
import { SHALLOW_RUN_OPTIONS, syntheticVggWeights, testImage } from "./helpers/syntheticVgg.js";

const weights = syntheticVggWeights("block2_conv1");
afterAll(() => {
  disposeWeightMap(weights);
});
const content = testImage(96, 80);
const style = testImage(48, 48, 9);
const layers = [...SHALLOW_RUN_OPTIONS.contentLayers, ...SHALLOW_RUN_OPTIONS.styleLayers];

/** Gradient of an objective at `image` as a flat array, and the objective's terms. */
function gradientOf(objective: Objective, image: tf.Tensor4D): { grad: Float32Array; terms: Float32Array } {
  const e = objective.evaluate(image);
  const grad = e.grad.dataSync() as Float32Array;
  const terms = objective.takeTerms();
  const values = terms.dataSync() as Float32Array;
  tf.dispose([e.loss, e.grad, terms]);
  return { grad, terms: values };
}

describe("tiled objective", () => {
  /** The whole-image and the tiled objective on the same inputs, at a noisy copy of the content. */
  function compare(
    optionOverrides: object,
    tiling: { tileSize: number; margin: number; align: number },
    seed: number,
    check: (whole: Objective, tiled: Objective, image: tf.Tensor4D) => void,
  ): void {
    const options = parseGatysOptions({ ...SHALLOW_RUN_OPTIONS, ...optionOverrides });
    const extractor = new VggFeatureExtractor(weights, { layers });
    const c = rgbImageToTensor(content);
    const image = tf.tidy(() => tf.clipByValue(tf.add<tf.Tensor4D>(c, tf.randomNormal(c.shape, 0, 0.1, "float32", seed + 2)), 0, 1));
    const whole = wholeImageObjective({ extractor, content: c, styles: [style], options });
    const tiled = tiledObjective({ extractor, content: c, styles: [style], options, weights, seed, tiling });
    try {
      check(whole, tiled, image);
    } finally {
      whole.dispose();
      tiled.dispose();
      extractor.dispose();
      tf.dispose([c, image]);
    }
  }

  it("with context covering the image, content and TV gradients equal the whole image's", () => {
    compare({ styleWeight: 0, tvWeight: 1 }, { tileSize: 32, margin: 128, align: 2 }, 1, (whole, tiled, image) => {
      const a = gradientOf(whole, image);
      for (let i = 0; i < 3; i++) {
        const b = gradientOf(tiled, image); // a different grid each time: the same gradient
        expect(maxRelativeDifference(b.grad, a.grad)).toBeLessThan(1e-4);
        expect(Math.abs(b.terms[0]! - a.terms[0]!) / a.terms[0]!).toBeLessThan(1e-4); // content
        expect(Math.abs(b.terms[2]! - a.terms[2]!) / a.terms[2]!).toBeLessThan(1e-4); // total variation
      }
    });
  });

  it("with a margin wider than the network's receptive field, the content gradient is still exact", () => {
    // block2_conv1 sees 10 px around a pixel: a 16 px margin hides the tile's edges from it.
    compare({ styleWeight: 0, tvWeight: 0 }, { tileSize: 32, margin: 16, align: 2 }, 2, (whole, tiled, image) => {
      expect(maxRelativeDifference(gradientOf(tiled, image).grad, gradientOf(whole, image).grad)).toBeLessThan(1e-4);
    });
  });

  it("Gram matrices computed tile by tile equal the whole image's", () => {
    const extractor = new VggFeatureExtractor(weights, { layers });
    const pixels = rgbImageToTensor(testImage(100, 70, 3));
    try {
      const [whole, tiled] = tf.tidy(() => [
        imageGrams(extractor, pixels, SHALLOW_RUN_OPTIONS.styleLayers).map((g) => g.dataSync()),
        imageGrams(extractor, pixels, SHALLOW_RUN_OPTIONS.styleLayers, { tileSize: 32, margin: 16, align: 2 }).map((g) => g.dataSync()),
      ]);
      whole.forEach((g, i) => {
        expect(maxRelativeDifference(tiled[i] as Float32Array, g as Float32Array)).toBeLessThan(1e-4);
      });
    } finally {
      extractor.dispose();
      pixels.dispose();
    }
  });
});

describe("tiled stylizeGatys", () => {
  const run = async (options: object) => {
    const events: StylizeEvent[] = [];
    for await (const e of stylizeGatys({ content, styles: [style], weights, options: { ...SHALLOW_RUN_OPTIONS, iterations: 3, seed: 5, ...options } }))
      events.push(e);
    return events;
  };

  it("optimises in tiles when asked, reports the tile size, returns the full image and leaks nothing", async () => {
    await run({ tileSize: 64, iterations: 1 }); // warm-up: kernels and caches allocated once
    const before = tf.memory().numTensors;
    const events = await run({ tileSize: 64 });
    expect(events[0]).toMatchObject({ type: "start", tileSize: 64 });
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "done", iterations: 3, aborted: false });
    if (done.type === "done") expect([done.image.width, done.image.height]).toEqual([96, 80]);
    const totals = events.flatMap((e) => (e.type === "iteration" ? [e.losses.total] : []));
    expect(totals.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("repeats exactly with the same seed (the grid's offsets come from it)", async () => {
    const a = await run({ tileSize: 64 });
    const b = await run({ tileSize: 64 });
    const image = (events: StylizeEvent[]) => {
      const d = events.at(-1)!;
      return d.type === "done" ? d.image.data : undefined;
    };
    expect(image(b)).toEqual(image(a));
  });

  it("does not tile when the image fits: auto within the budget, or a tile size at least the image", async () => {
    expect((await run({ iterations: 1 }))[0]).not.toHaveProperty("tileSize");
    expect((await run({ iterations: 1, tileSize: 128 }))[0]).not.toHaveProperty("tileSize");
  });

  it("auto tiles when the budget is too small for one pass, and refuses a budget too small for any tile", async () => {
    // The WASM model's baseline is ~0.9 GiB; 96×80 px of shallow VGG needs far less than a GiB more.
    await expect(run({ iterations: 1, maxMemory: 1e6 })).rejects.toThrow(/maxMemory 977 KB is too small even for/);
  });

  it("refuses L-BFGS and style masks with tiles, naming the way out", async () => {
    await expect(run({ tileSize: 64, optimizer: "lbfgs" })).rejects.toThrow(/tiles, which needs the Adam optimizer/);
    const mask = testImage(96, 80);
    const masked = stylizeGatys({ content, styles: [style], styleMasks: [mask], weights, options: { ...SHALLOW_RUN_OPTIONS, tileSize: 64 } });
    await expect(masked.next()).rejects.toThrow(/does not support style masks/);
  });
});
