import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { NO_WEIGHTS, describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AdamImageOptimizer, VggFeatureExtractor, parseGatysOptions, rgbImageToTensor, stylizeGatys, type RgbImage, type WeightMap } from "@pastiche/core";
import { borderEnergyRatio, tiledObjective, wholeImageObjective } from "@pastiche/core/internal";
import { initBackend } from "../../src/backend/index.js";
import { readImage } from "../../src/images/index.js";
import { loadVgg19Weights } from "../../src/models/index.js";
import { realModelsDir, sharedImages } from "../fast/helpers.js";

// Seamless tiling with the real VGG19 (issue #5): a tile grid that moves every step leaves no seams
// at tile borders; the same grid held still does. Runs on the backend initBackend picks.
const modelsDir = realModelsDir();
const SIZE = 128;
const TILE = 64;

describeNeeding([modelsDir ? undefined : NO_WEIGHTS, needs.sharedImages()], "tiled optimisation with the real weights", () => {
  let weights: WeightMap;
  let content: RgbImage;
  let style: RgbImage;

  beforeAll(async () => {
    await initBackend();
    weights = (await loadVgg19Weights({ modelsDir: modelsDir! })).weights;
    content = await readImage(path.join(sharedImages, "content", "sailboat.jpg"), { size: { width: SIZE, height: SIZE } });
    style = await readImage(path.join(sharedImages, "style", "starry_night.jpg"), { longestSide: SIZE });
  });
  afterAll(() => {
    tf.dispose(Object.values(weights));
  });

  /** The change the optimisation made, (result − content) as floats: seams show up in it. */
  async function tiledChange(shiftGrid: boolean, margin: number, iterations: number): Promise<Float32Array> {
    const options = parseGatysOptions({ size: SIZE });
    const extractor = new VggFeatureExtractor(weights, { layers: [...options.contentLayers, ...options.styleLayers] });
    const c = rgbImageToTensor(content);
    const image = tf.variable(c.clone());
    const objective = tiledObjective({
      extractor,
      content: c,
      styles: [style],
      options,
      weights,
      seed: 3,
      shiftGrid,
      tiling: { tileSize: TILE, margin, align: 16 },
    });
    const adam = new AdamImageOptimizer();
    try {
      for (let i = 0; i < iterations; i++) {
        const e = adam.step(image, () => objective.evaluate(image));
        tf.dispose([e.loss, e.grad, objective.takeTerms()]);
      }
      return (await tf.sub(image, c).data()) as Float32Array;
    } finally {
      adam.dispose();
      objective.dispose();
      extractor.dispose();
      tf.dispose([c, image]);
    }
  }

  it("the product's tiling (moving grid, 32 px of context) leaves no seams at tile borders", async () => {
    // Control first: a fixed grid with no context does leave seams, so the measure can see them.
    const fixed = borderEnergyRatio(await tiledChange(false, 0, 10), SIZE, SIZE, TILE);
    const moving = borderEnergyRatio(await tiledChange(true, 32, 10), SIZE, SIZE, TILE);
    console.log(`gradient energy at tile borders / interior: fixed grid without context ${fixed.toFixed(2)}, moving grid with context ${moving.toFixed(2)}`);
    expect(fixed).toBeGreaterThan(1.6);
    expect(moving).toBeLessThan(1.35);
    expect(fixed / moving).toBeGreaterThan(1.5);
  }, 600_000); // 2 × 10 tiled steps with the real VGG19: minutes on WASM when CI runs suites side by side

  it("a tiled run through stylizeGatys optimises the whole image's objective about as well as an untiled one", async () => {
    const options = parseGatysOptions({ size: SIZE });
    const extractor = new VggFeatureExtractor(weights, { layers: [...options.contentLayers, ...options.styleLayers] });
    const c = rgbImageToTensor(content);
    const scorer = wholeImageObjective({ extractor, content: c, styles: [style], options });
    /** Content + style loss of an image by the untiled objective. */
    const score = (image: RgbImage): number => {
      const x = rgbImageToTensor(image);
      const e = scorer.evaluate(x);
      const terms = scorer.takeTerms();
      const [content_, style_] = terms.dataSync();
      tf.dispose([x, e.loss, e.grad, terms]);
      return content_! + style_!;
    };
    // Both with Adam: the default "auto" would run the untiled one with L-BFGS, a different optimiser.
    const run = async (tileSize: number | "off") => {
      for await (const e of stylizeGatys({ content, styles: [style], weights, options: { size: SIZE, iterations: 8, seed: 1, tileSize, optimizer: "adam" } })) {
        if (e.type === "done") return e.image;
      }
      throw new Error("no result");
    };
    try {
      const start = score(content);
      const whole = score(await run("off"));
      const tiled = score(await run(TILE));
      console.log(`content + style loss: start ${start.toExponential(3)}, untiled ${whole.toExponential(3)}, tiled ${tiled.toExponential(3)}`);
      expect(tiled).toBeLessThan(start * 0.8);
      expect(tiled / whole).toBeLessThan(1.3);
    } finally {
      scorer.dispose();
      extractor.dispose();
      c.dispose();
    }
  }, 600_000);
});
