import { describe, expect, it } from "vitest";
import { MEMORY_MODELS, activationShare, chooseTileSize, estimateEvaluationBytes, memoryModel } from "../../src/gatys/tiling/memoryBudget.js";

const GIB = 2 ** 30;
const DEFAULT_LAYERS = ["block5_conv2", "block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"];

describe("memory model", () => {
  it("activation share: 1 up to block5_conv2, less for shallower networks, growing with depth", () => {
    expect(activationShare(DEFAULT_LAYERS)).toBeCloseTo(1, 12);
    const shares = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"].map((l) => activationShare([l]));
    shares.slice(1).forEach((s, i) => {
      expect(s).toBeGreaterThan(shares[i]!);
    });
    expect(shares[4]).toBeLessThan(1);
    // block1_conv1 alone: 64 floats per pixel out of VGG19's total up to block5_conv2.
    expect(shares[0]! * (64 + 64 + 128 / 4 + 128 / 4 + (4 * 256) / 16 + (4 * 512) / 64 + 512 / 256 + 512 / 256)).toBeCloseTo(64, 9);
  });

  it("an evaluation's estimate is the baseline plus bytes per pixel, linear in the pixels", () => {
    const model = MEMORY_MODELS.tensorflow!;
    expect(estimateEvaluationBytes(0, DEFAULT_LAYERS, model)).toBe(model.baseBytes);
    const one = estimateEvaluationBytes(512 * 512, DEFAULT_LAYERS, model) - model.baseBytes;
    const four = estimateEvaluationBytes(1024 * 1024, DEFAULT_LAYERS, model) - model.baseBytes;
    expect(four / one).toBeCloseTo(4, 9);
    expect(one).toBeCloseTo(512 * 512 * model.bytesPerPixel, 3);
  });

  it("unknown backends get the conservative WASM model", () => {
    expect(memoryModel("webgpu")).toBe(MEMORY_MODELS.webgpu);
    expect(memoryModel("something-new")).toBe(MEMORY_MODELS.wasm);
  });

  it("no tile when the whole image fits; else the largest aligned tile whose region fits the budget", () => {
    const model = MEMORY_MODELS.tensorflow!;
    expect(chooseTileSize(512, 512, 6 * GIB, DEFAULT_LAYERS, model, 32, 16)).toEqual({ tileSize: undefined, fits: true });
    const { tileSize, fits } = chooseTileSize(2048, 2048, 6 * GIB, DEFAULT_LAYERS, model, 32, 16);
    expect(fits).toBe(true);
    expect(tileSize! % 16).toBe(0);
    const budget = 6 * GIB * (1 - model.headroom);
    expect(estimateEvaluationBytes((tileSize! + 64) ** 2, DEFAULT_LAYERS, model)).toBeLessThanOrEqual(budget);
    // One alignment step larger would not fit.
    expect(estimateEvaluationBytes((tileSize! + 16 + 64) ** 2, DEFAULT_LAYERS, model)).toBeGreaterThan(budget);
  });

  it("WASM's 32-bit heap caps the budget, and a budget too small says so (smallest tile, not fitting)", () => {
    const wasm = MEMORY_MODELS.wasm!;
    const capped = chooseTileSize(2048, 2048, 64 * GIB, DEFAULT_LAYERS, wasm, 32, 16).tileSize!;
    expect(estimateEvaluationBytes((capped + 64) ** 2, DEFAULT_LAYERS, wasm)).toBeLessThanOrEqual(wasm.capBytes);
    expect(chooseTileSize(2048, 2048, 64 * GIB, DEFAULT_LAYERS, wasm, 32, 16)).toEqual(chooseTileSize(2048, 2048, wasm.capBytes, DEFAULT_LAYERS, wasm, 32, 16));
    expect(chooseTileSize(2048, 2048, 0.5 * GIB, DEFAULT_LAYERS, wasm, 32, 16)).toEqual({ tileSize: 64, fits: false });
  });
});
