import { describe, expect, it } from "vitest";
import { GATYS_PRESETS, applyGatysPreset, parseGatysOptions } from "../../src/index.js";

describe("presets: the textbook runs, applied once where the options are parsed", () => {
  it("--preset tutorial resolves to TensorFlow's tutorial exactly", () => {
    const o = parseGatysOptions({ preset: "tutorial" });
    expect(o).toMatchObject({
      preset: "tutorial",
      optimizer: "adam",
      learningRate: 0.02,
      adamBeta1: 0.99,
      adamBeta2: 0.999,
      adamEpsilon: 0.1,
      init: { kind: "content" },
      scales: "off",
      contentWeight: 1e4,
      styleWeight: 1e-2,
      tvWeight: 30,
      iterations: 1000,
      contentLayers: ["block5_conv2"],
      styleLayers: ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"],
      averaging: 0,
      preserveColors: "none",
      styleScale: 1,
    });
  });

  it("--preset seed resolves to the seed blog's run: the same Adam, content 1e3, style 1e-2, no TV, 1000 epochs", () => {
    const o = parseGatysOptions({ preset: "seed" });
    expect(o).toMatchObject({ optimizer: "adam", learningRate: 0.02, adamBeta1: 0.99, adamEpsilon: 0.1, init: { kind: "content" }, scales: "off" });
    expect(o).toMatchObject({ contentWeight: 1e3, styleWeight: 1e-2, tvWeight: 0, iterations: 1000 });
  });

  it("explicit options override the preset's values; undefined counts as not given", () => {
    const o = parseGatysOptions({ preset: "tutorial", iterations: 300, tvWeight: 0, styleWeight: undefined });
    expect(o).toMatchObject({ iterations: 300, tvWeight: 0, styleWeight: 1e-2, optimizer: "adam", scales: "off" });
  });

  it("parsed again (a recorded run, --from), the options stay the same", () => {
    const once = parseGatysOptions({ preset: "seed", size: 256 });
    expect(parseGatysOptions({ ...once })).toEqual(once);
  });

  it("an edge with fewer options takes only those of the preset's values", () => {
    expect(applyGatysPreset({ preset: "seed", size: 64 }, ["preset", "size", "iterations", "tvWeight"])).toEqual({
      preset: "seed",
      size: 64,
      iterations: 1000,
      tvWeight: 0,
    });
    expect(applyGatysPreset({ size: 64 })).toEqual({ size: 64 });
  });

  it("an unknown preset is refused with the choices", () => {
    expect(() => parseGatysOptions({ preset: "paper" as "seed" })).toThrow(/preset.*tutorial.*seed|tutorial.*seed.*preset/s);
  });

  it("every preset is a valid set of options", () => {
    for (const name of Object.keys(GATYS_PRESETS) as (keyof typeof GATYS_PRESETS)[]) expect(() => parseGatysOptions({ preset: name })).not.toThrow();
  });
});
