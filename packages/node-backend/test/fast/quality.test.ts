import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { NO_WEIGHTS, describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DEFAULT_STYLE_LAYERS,
  VggFeatureExtractor,
  disposeWeightMap,
  gramMatrix,
  rgbImageToTensor,
  styleLoss,
  type RgbImage,
  type WeightMap,
} from "@pastiche/core";
import { initBackend } from "../../src/backend/index.js";
import { readImage } from "../../src/images/index.js";
import { loadVgg19Weights } from "../../src/models/index.js";
import { untilDone } from "@pastiche/core";
import { stylizeFastFromFiles } from "../../src/pipeline/fastFromFiles.js";
import { realModelsDir, sharedImages } from "./helpers.js";

const modelsDir = realModelsDir();
const SIZE = 384;

/**
 * Quality on the real models: at 384 px the VGG19 style loss (Gram matrices, as in core) of the
 * fast output against the style image (as given) must be at most 60% of the unstylised content's.
 * An independent float run of the same files gives 42–49%; this importer measures 48% (Starry
 * Night) and 44% (Great Wave) on cornell.jpg.
 */
describeNeeding([modelsDir ? undefined : NO_WEIGHTS, needs.sharedImages()], "fast stylisation quality (VGG19 style loss)", () => {
  let weights: WeightMap;
  let extractor: VggFeatureExtractor;
  beforeAll(async () => {
    await initBackend("wasm");
    weights = (await loadVgg19Weights({ modelsDir: modelsDir! })).weights;
    extractor = new VggFeatureExtractor(weights, { layers: [...DEFAULT_STYLE_LAYERS] });
  });
  afterAll(() => {
    extractor.dispose();
    disposeWeightMap(weights);
  });

  const loss = (image: RgbImage, targets: Record<string, tf.Tensor2D>): number =>
    tf.tidy(() => styleLoss(extractor.extract(rgbImageToTensor(image)), targets, DEFAULT_STYLE_LAYERS).dataSync()[0]!);

  for (const styleName of ["the_great_wave.jpg", "starry_night.jpg"]) {
    it(`${styleName}: the fast output's style loss is at most 60% of the content's`, async () => {
      const contentPath = path.join(sharedImages, "content/cornell.jpg");
      const stylePath = path.join(sharedImages, "style", styleName);
      const content = await readImage(contentPath, { longestSide: SIZE });
      // The style image as given: its Gram matrices are what "the style" means (at 384 px a
      // 1024-px painting's brush strokes would shrink by more than half).
      const style = await readImage(stylePath);
      const targets = tf.tidy(() => {
        const f = extractor.extract(rgbImageToTensor(style));
        return Object.fromEntries(DEFAULT_STYLE_LAYERS.map((l) => [l, gramMatrix(f[l]!)]));
      });
      const fast = await untilDone(stylizeFastFromFiles({ content: contentPath, styles: [stylePath], modelsDir: modelsDir!, options: { size: SIZE } }));
      const ratio = loss(fast.image, targets) / loss(content, targets);
      tf.dispose(Object.values(targets));
      console.log(`style loss ratio, ${styleName}: ${(ratio * 100).toFixed(1)}%`);
      expect(ratio).toBeLessThanOrEqual(0.6);
    });
  }
});
