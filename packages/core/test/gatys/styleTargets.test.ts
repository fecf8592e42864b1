import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { VggFeatureExtractor, disposeWeightMap, parseGatysOptions, rgbImageToTensor } from "../../src/index.js";
import { planTiles } from "../../src/gatys/tiling/tiles.js";
import { cropToCore, styleGramTargets } from "../../src/gatys/objective/styleTargets.js";
import { maxRelativeDifference } from "../helpers/compare.js";
import { SHALLOW_RUN_OPTIONS, syntheticVggWeights, testImage } from "../helpers/syntheticVgg.js";

const weights = syntheticVggWeights("block2_conv1");
afterAll(() => {
  disposeWeightMap(weights);
});
const layers = [...SHALLOW_RUN_OPTIONS.contentLayers, ...SHALLOW_RUN_OPTIONS.styleLayers];

describe("tiled style targets", () => {
  it("blended Gram targets computed tile by tile equal the whole images', without leaking tensors", () => {
    const extractor = new VggFeatureExtractor(weights, { layers });
    const content = rgbImageToTensor(testImage(64, 48));
    const styles = [testImage(90, 60, 3), testImage(50, 70, 5)];
    const options = parseGatysOptions({ ...SHALLOW_RUN_OPTIONS, styleBlendWeights: [3, 1], preserveColors: "histogram" });
    try {
      const before = tf.memory().numTensors;
      const whole = styleGramTargets(extractor, styles, content, options);
      const tiled = styleGramTargets(extractor, styles, content, options, { tileSize: 32, margin: 16, align: 2 });
      expect(Object.keys(tiled)).toEqual(options.styleLayers);
      for (const l of options.styleLayers) {
        expect(tiled[l]!.shape).toEqual(whole[l]!.shape);
        expect(maxRelativeDifference(tiled[l]!.dataSync() as Float32Array, whole[l]!.dataSync() as Float32Array)).toBeLessThan(1e-4);
      }
      tf.dispose([...Object.values(whole), ...Object.values(tiled)]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      extractor.dispose();
      content.dispose();
    }
  });

  it("a tile's core crop of the region's features equals the whole image's features there", () => {
    const extractor = new VggFeatureExtractor(weights, { layers: ["block1_conv1", "block2_conv1"] });
    const pixels = rgbImageToTensor(testImage(40, 24, 2));
    try {
      tf.tidy(() => {
        const whole = extractor.extract(pixels);
        // A margin wider than the network's view (two 3×3 convs per block, one pool): exact.
        for (const tile of planTiles(40, 24, 16, 12, 4, 8, 2).flat()) {
          const { x, y, width, height } = tile.region;
          const cropped = cropToCore(extractor.extract(tf.slice(pixels, [0, y, x, 0], [1, height, width, 3])), tile, ["block1_conv1", "block2_conv1"]);
          const stride = { block1_conv1: 1, block2_conv1: 2 } as const;
          for (const l of ["block1_conv1", "block2_conv1"] as const) {
            const s = stride[l];
            const [, h, w, c] = cropped[l]!.shape;
            const expected = tf.slice(whole[l]!, [0, tile.core.y / s, tile.core.x / s, 0], [1, h, w, c]);
            expect(maxRelativeDifference(cropped[l]!.dataSync() as Float32Array, expected.dataSync() as Float32Array)).toBeLessThan(1e-5);
          }
        }
      });
    } finally {
      extractor.dispose();
      pixels.dispose();
    }
  });
});
