import { describe, expect, it } from "vitest";
import { MAX_STYLE_IMAGES } from "../src/options/defaults.js";
import { styleCountProblem } from "../src/options/styleCounts.js";

describe("styleCountProblem", () => {
  it("refuses more style images than MAX_STYLE_IMAGES (a bound on open files and memory)", () => {
    expect(styleCountProblem({ styles: MAX_STYLE_IMAGES })).toBeUndefined();
    expect(styleCountProblem({ styles: 200_000 })).toBe(`200000 style images: at most ${MAX_STYLE_IMAGES} can be blended in one run`);
  });
});
