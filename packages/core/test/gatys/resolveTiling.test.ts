import { describe, expect, it } from "vitest";
import { parseGatysOptions } from "../../src/index.js";
import { resolveTiling, tileAlignment } from "../../src/gatys/tiling/resolveTiling.js";

const options = (o: Parameters<typeof parseGatysOptions>[0] = {}) => parseGatysOptions(o);

describe("tile geometry of a stage (resolveTiling)", () => {
  it("aligns to 2^pools before the deepest layer", () => {
    expect(tileAlignment(["block1_conv1"])).toBe(1);
    expect(tileAlignment(["block2_conv1"])).toBe(2);
    expect(tileAlignment(["block5_conv2", "block1_conv1"])).toBe(16);
    expect(tileAlignment(["block5_pool"])).toBe(32);
  });

  it("off never tiles; a given size tiles only an image larger than it, rounded down to the alignment", () => {
    expect(resolveTiling(4096, 4096, options({ tileSize: "off" }), "wasm", false)).toBeUndefined();
    expect(resolveTiling(500, 400, options({ tileSize: 512 }), "wasm", false)).toBeUndefined();
    expect(resolveTiling(1000, 400, options({ tileSize: 250 }), "wasm", false)).toEqual({ tileSize: 240, margin: 32, align: 16 });
    // Never below four alignment steps, and the margin is a whole number of them.
    expect(resolveTiling(1000, 400, options({ tileSize: 64 }), "wasm", false)).toEqual({ tileSize: 64, margin: 32, align: 16 });
    expect(resolveTiling(1000, 400, options({ tileSize: 64, contentLayers: ["block5_pool"] }), "wasm", false)).toEqual({
      tileSize: 128,
      margin: 32,
      align: 32,
    });
  });

  it("auto tiles only what would not fit the budget, with a tile that does", () => {
    expect(resolveTiling(512, 512, options(), "tensorflow", false)).toBeUndefined();
    const big = resolveTiling(2048, 1536, options(), "tensorflow", false);
    expect(big?.tileSize).toBeGreaterThan(256);
    expect(big!.tileSize % 16).toBe(0);
    const smaller = resolveTiling(2048, 1536, options({ maxMemory: 3 * 2 ** 30 }), "tensorflow", false);
    expect(smaller!.tileSize).toBeLessThan(big!.tileSize);
  });

  it("refuses what tiling can't do, naming the way out", () => {
    expect(() => resolveTiling(1000, 400, options({ tileSize: 256, optimizer: "lbfgs" }), "wasm", false)).toThrow(
      /1000x400 output is optimised in 256 px tiles, which needs the Adam optimizer/,
    );
    expect(() => resolveTiling(1000, 400, options({ tileSize: 256 }), "wasm", true)).toThrow(/does not support style masks/);
    expect(() => resolveTiling(4096, 4096, options({ maxMemory: 2 ** 29 }), "wasm", false)).toThrow(
      /maxMemory 512 MB is too small even for 64 px tiles on the wasm backend \(about .* needed\)/,
    );
  });
});
