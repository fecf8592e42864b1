import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NO_WEIGHTS, describeNeeding } from "@pastiche/vitest-config/needs";
import { beforeAll, expect, it } from "vitest";
import { disposeWeightMap, VGG19_CONV_LAYER_NAMES } from "@pastiche/core";
import { VGG19_MODEL, loadVgg19Weights, verifyModel } from "../../src/models/index.js";
import { useWasm } from "./helpers.js";

// Runs only when PASTICHE_MODELS_DIR points at the shared models (e.g. ../shared/models from the
// repository root); a relative value is tried against the working directory, then the repo root.
const envDir = process.env["PASTICHE_MODELS_DIR"];
function modelsDir(value: string): string {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
  const fromCwd = path.resolve(value);
  return existsSync(fromCwd) ? fromCwd : path.resolve(repoRoot, value);
}

describeNeeding([envDir ? undefined : NO_WEIGHTS], "the real VGG19 weights in PASTICHE_MODELS_DIR", () => {
  beforeAll(useWasm);

  it("loads vgg19-notop-uint8 with all 16 conv layers of the right shapes and sane values", async () => {
    const dir = modelsDir(envDir!);
    const { weights, source } = await loadVgg19Weights({ modelsDir: dir });
    try {
      expect(source).toEqual({ kind: "layers-model", path: path.join(dir, "vgg19-notop-uint8", "model.json") });
      expect(Object.keys(weights)).toHaveLength(32);
      for (const l of VGG19_CONV_LAYER_NAMES) expect(weights[`${l}/kernel`]).toBeDefined();
      const k = weights["block1_conv1/kernel"]!;
      expect(k.shape).toEqual([3, 3, 3, 64]);
      expect(weights["block5_conv4/kernel"]!.shape).toEqual([3, 3, 512, 512]);
      const v = Array.from(k.dataSync() as Float32Array);
      const min = v.reduce((a, b) => Math.min(a, b), Infinity);
      const max = v.reduce((a, b) => Math.max(a, b), -Infinity);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const absMean = v.reduce((a, b) => a + Math.abs(b), 0) / v.length;
      expect(v.every(Number.isFinite)).toBe(true);
      // The manifest's quantisation says block1_conv1's kernel spans [-0.650, -0.650 + 255 × 0.00471 ≈ 0.551].
      expect(min).toBeCloseTo(-0.6505, 3);
      expect(max).toBeGreaterThan(0.3);
      expect(max).toBeLessThan(0.56);
      expect(Math.abs(mean)).toBeLessThan(0.05);
      expect(absMean).toBeGreaterThan(0.05); // not all zeros
      const bias = weights["block1_conv1/bias"]!.dataSync();
      expect(bias.every(Number.isFinite)).toBe(true);
    } finally {
      disposeWeightMap(weights);
    }
  });

  it("verifies the shard sizes", async () => {
    const v = await verifyModel(VGG19_MODEL, modelsDir(envDir!));
    expect(v.files[0]).toMatchObject({ present: true, shards: "ok", hash: "not-checked" });
    expect(v.usable?.kind).toBe("layers-model");
  });
});
