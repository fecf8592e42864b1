import path from "node:path";
import { describe, expect, it } from "vitest";
import { styleLongestSide } from "@pastiche/core";
import { readGatysInputs } from "../../src/pipeline/gatysFromFiles.js";
import { catchPasticheError, makeTempDir, patternRgb, rawInput } from "../images/helpers.js";

describe("readGatysInputs", () => {
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

  it("computes the style's longest side, at least 1 pixel", () => {
    expect(styleLongestSide({ size: 512, styleScale: 1 })).toBe(512);
    expect(styleLongestSide({ size: 512, styleScale: 0.75 })).toBe(384);
    expect(styleLongestSide({ size: 100, styleScale: 0.001 })).toBe(1);
  });
});
