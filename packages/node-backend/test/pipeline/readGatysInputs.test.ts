import path from "node:path";
import { describe, expect, it } from "vitest";
import { styleLongestSide } from "@pastiche/core";
import { GatysBatch, readGatysInputs } from "../../src/pipeline/gatysFromFiles.js";
import { catchPasticheError, makeTempDir, patternRgb, rawInput } from "../images/helpers.js";

describe("readGatysInputs", () => {
  it("in a batch, decodes each style once per size and hands every run the same object (the key of its Gram targets)", async () => {
    const { dir, cleanup } = await makeTempDir();
    const batch = new GatysBatch();
    try {
      const content = path.join(dir, "content.png");
      const style = path.join(dir, "style.png");
      await rawInput(patternRgb(80, 60), 80, 60).png().toFile(content);
      await rawInput(patternRgb(50, 100), 50, 100).png().toFile(style);
      const a = await readGatysInputs({ content, styles: [style], options: { size: 40 }, batch });
      const b = await readGatysInputs({ content: style, styles: [style], options: { size: 40 }, batch });
      expect(b.styles[0]).toBe(a.styles[0]);
      const other = await readGatysInputs({ content, styles: [style], options: { size: 60 }, batch });
      expect(other.styles[0]).not.toBe(a.styles[0]);
      expect(other.styles[0]!.height).toBe(60);
      expect((await readGatysInputs({ content, styles: [style], options: { size: 40 } })).styles[0]).not.toBe(a.styles[0]);
    } finally {
      batch.dispose();
      await cleanup();
    }
  });

  it("reads the content at the output size and the styles at styleScale × that size", async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const content = path.join(dir, "content.png");
      const style = path.join(dir, "style.png");
      await rawInput(patternRgb(80, 60), 80, 60).png().toFile(content);
      await rawInput(patternRgb(50, 100), 50, 100).png().toFile(style);
      const base = { content, styles: [style] };
      const same = await readGatysInputs({ ...base, options: { size: 40 } });
      expect([same.content.width, same.content.height]).toEqual([40, 30]);
      expect([same.styles[0]!.width, same.styles[0]!.height]).toEqual([20, 40]);
      const half = await readGatysInputs({ ...base, options: { size: 40, styleScale: 0.5 } });
      expect([half.styles[0]!.width, half.styles[0]!.height]).toEqual([10, 20]);
      const double = await readGatysInputs({ ...base, options: { size: 40, styleScale: 2 } });
      expect([double.styles[0]!.width, double.styles[0]!.height]).toEqual([40, 80]);
      expect([double.content.width, double.content.height]).toEqual([40, 30]);
      const e = await catchPasticheError(() => readGatysInputs({ ...base, options: { styleScale: 5 } }));
      expect(e.message).toContain("styleScale");
    } finally {
      await cleanup();
    }
  });

  it("reads style masks at the content's exact size (stretched), after checking their count", async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const content = path.join(dir, "content.png");
      const mask = path.join(dir, "mask.png");
      await rawInput(patternRgb(80, 60), 80, 60).png().toFile(content);
      await rawInput(patternRgb(20, 50), 20, 50).png().toFile(mask);
      const read = await readGatysInputs({ content, styles: [content], styleMasks: [mask], options: { size: 40 } });
      expect(read.styleMasks?.map((m) => [m.width, m.height])).toEqual([[40, 30]]);
      expect((await readGatysInputs({ content, styles: [content], options: { size: 40 } })).styleMasks).toBeUndefined();
      const count = await catchPasticheError(() => readGatysInputs({ content, styles: [content], styleMasks: [mask, mask] }));
      expect([count.code, count.message]).toEqual(["INVALID_OPTION", "2 style masks for 1 style images (give one per style, in order)"]);
      const missing = await catchPasticheError(() => readGatysInputs({ content, styles: [content], styleMasks: [path.join(dir, "nope.png")] }));
      expect(missing.code).toBe("FILE_NOT_FOUND");
      const large = path.join(dir, "large.png");
      await rawInput(patternRgb(100, 80), 100, 80).png().toFile(large);
      // The same pixel limit as the other inputs (the content, 80x60, is under it).
      const big = await catchPasticheError(() =>
        readGatysInputs({ content, styles: [content], styleMasks: [large], maxInputPixels: 6000, options: { size: 40 } }),
      );
      expect(big.code).toBe("IMAGE_TOO_LARGE");
    } finally {
      await cleanup();
    }
  });

  it("computes the style's longest side, at least 1 pixel", () => {
    expect(styleLongestSide({ size: 512, styleScale: 1 })).toBe(512);
    expect(styleLongestSide({ size: 512, styleScale: 0.75 })).toBe(384);
    expect(styleLongestSide({ size: 100, styleScale: 0.001 })).toBe(1);
  });
});
