import { writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { NO_WEIGHTS, describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { beforeAll, describe, expect, it } from "vitest";
import { GraphModelStyleModels, stylizeFast, untilDone, type RgbImage } from "@pastiche/core";
import { initBackend } from "../../src/backend/index.js";
import { readImage } from "../../src/images/index.js";
import { verifyModel } from "../../src/models/index.js";
import { MAGENTA_STYLE_PREDICT_MODEL, MAGENTA_STYLE_TRANSFER_MODEL, UNKNOWN_MD5 } from "../../src/models/registry.js";
import { loadFastStyleModels, loadMagentaGraphModels, stylizeFastFromFiles } from "../../src/pipeline/fastFromFiles.js";
import { caught, tempDir } from "../models/helpers.js";
import { meanAbsDiff, realModelsDir, sharedImages } from "./helpers.js";

const modelsDir = realModelsDir();
const content = path.join(sharedImages, "content/sailboat.jpg");
const wave = path.join(sharedImages, "style/the_great_wave.jpg");

beforeAll(async () => {
  await initBackend("wasm");
});

describe("fast models in the registry", () => {
  it("knows the three Magenta files, with TF Hub sources and no invented hash", () => {
    expect(MAGENTA_STYLE_PREDICT_MODEL.localForms.map((f) => f.path)).toEqual(["magenta-arbitrary-tflite/style_predict_quantized_256.tflite"]);
    expect(MAGENTA_STYLE_TRANSFER_MODEL.localForms.map((f) => f.path)).toEqual([
      "magenta-arbitrary-tflite/style_transfer_quantized_384.tflite",
      "magenta-arbitrary-tflite/style_transfer_f16_384.tflite",
    ]);
    expect(MAGENTA_STYLE_TRANSFER_MODEL.download?.url).toMatch(
      /^https:\/\/tfhub\.dev\/google\/lite-model\/magenta\/arbitrary-image-stylization-v1-256\/int8\/transfer/,
    );
    expect(MAGENTA_STYLE_PREDICT_MODEL.download?.md5).toBe(UNKNOWN_MD5);
  });

  it("verify reports a present file with hash not-checked", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await mkdir(path.join(dir, "magenta-arbitrary-tflite"));
      await writeFile(path.join(dir, MAGENTA_STYLE_PREDICT_MODEL.localForms[0]!.path), "x");
      const v = await verifyModel(MAGENTA_STYLE_PREDICT_MODEL, dir);
      expect(v.files[0]).toMatchObject({ present: true, hash: "not-checked" });
      expect(v.usable?.kind).toBe("tflite");
    } finally {
      await cleanup();
    }
  });

  it("missing models: MODEL_NOT_FOUND naming the path and how to get it; a bad file: INVALID_WEIGHTS naming it", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const e = await caught(() => loadFastStyleModels({ modelsDir: dir }));
      expect(e.code).toBe("MODEL_NOT_FOUND");
      expect(e.message).toContain(path.join(dir, "magenta-arbitrary-tflite/style_predict_quantized_256.tflite"));
      expect(e.message).toContain("pastiche models download magenta-style-predict");
      await mkdir(path.join(dir, "magenta-arbitrary-tflite"));
      for (const f of [...MAGENTA_STYLE_PREDICT_MODEL.localForms, ...MAGENTA_STYLE_TRANSFER_MODEL.localForms])
        await writeFile(path.join(dir, f.path), "not a model");
      const bad = await caught(() => loadFastStyleModels({ modelsDir: dir }));
      expect(bad.code).toBe("INVALID_WEIGHTS");
      expect(bad.message).toMatch(/style_predict_quantized_256\.tflite: (malformed TFLite file|not a TFLite model)/);
    } finally {
      await cleanup();
    }
  });
});

describe("TF.js graph models behind the same interface", () => {
  it("loads a predictor and a transformer with tf.loadGraphModel and stylises with them", async () => {
    const { dir, cleanup } = await tempDir();
    const float = { type: "DT_FLOAT" };
    const placeholder = (name: string) => ({
      name,
      op: "Placeholder",
      attr: { dtype: float, shape: { shape: { dim: [{ size: "-1" }, { size: "-1" }, { size: "-1" }, { size: "3" }] } } },
    });
    const graph = (nodes: unknown[], weights: { name: string; shape: number[]; dtype: string }[]) => ({
      format: "graph-model",
      generatedBy: "pastiche test",
      modelTopology: { node: nodes, library: {}, versions: {} },
      weightsManifest: [{ paths: weights.length ? ["group1-shard1of1.bin"] : [], weights }],
    });
    try {
      // Predictor: the mean colour. Transformer: content × 0 + bottleneck (fills with the colour).
      await mkdir(path.join(dir, "predictor"));
      await writeFile(
        path.join(dir, "predictor/model.json"),
        JSON.stringify(
          graph(
            [
              placeholder("style"),
              {
                name: "axes",
                op: "Const",
                attr: { dtype: { type: "DT_INT32" }, value: { tensor: { dtype: "DT_INT32", tensorShape: { dim: [{ size: "2" }] } } } },
              },
              { name: "out", op: "Mean", input: ["style", "axes"], attr: { keep_dims: { b: true }, T: float, Tidx: { type: "DT_INT32" } } },
            ],
            [{ name: "axes", shape: [2], dtype: "int32" }],
          ),
        ),
      );
      await writeFile(path.join(dir, "predictor/group1-shard1of1.bin"), new Uint8Array(Int32Array.of(1, 2).buffer));
      await mkdir(path.join(dir, "transformer"));
      await writeFile(
        path.join(dir, "transformer/model.json"),
        JSON.stringify(
          graph(
            [
              placeholder("content"),
              placeholder("bottleneck"),
              { name: "zero", op: "Const", attr: { dtype: float, value: { tensor: { dtype: "DT_FLOAT", tensorShape: {} } } } },
              { name: "scaled", op: "Mul", input: ["content", "zero"], attr: { T: float } },
              { name: "out", op: "AddV2", input: ["scaled", "bottleneck"], attr: { T: float } },
            ],
            [{ name: "zero", shape: [], dtype: "float32" }],
          ),
        ),
      );
      await writeFile(path.join(dir, "transformer/group1-shard1of1.bin"), new Uint8Array(Float32Array.of(0).buffer));
      const models = await loadMagentaGraphModels(path.join(dir, "predictor"), path.join(dir, "transformer/model.json"));
      expect(models).toBeInstanceOf(GraphModelStyleModels);
      const before = tf.memory().numTensors;
      const solid = (rgb: number[]): RgbImage => ({ width: 12, height: 8, data: Uint8Array.from({ length: 288 }, (_, i) => rgb[i % 3]!) });
      const r = await untilDone(stylizeFast({ content: solid([0, 0, 0]), styles: [solid([200, 100, 50])], models, options: { strength: 0.5 } }));
      expect([r.image.width, r.image.height]).toEqual([12, 8]);
      expect(Array.from(r.image.data.slice(0, 3))).toEqual([100, 50, 25]);
      expect(tf.memory().numTensors).toBe(before);
      models.dispose();
      const e = await caught(() => loadMagentaGraphModels(path.join(dir, "nope"), path.join(dir, "transformer")));
      expect(e.message).toContain(path.join(dir, "nope"));
    } finally {
      await cleanup();
    }
  });
});

describeNeeding([modelsDir ? undefined : NO_WEIGHTS, needs.sharedImages()], "the fast path on the real Magenta files", () => {
  it("stylises at 384, caches the style bottleneck, and strength 0.5 lands between content and full style", async () => {
    const request = { content, styles: [wave], modelsDir: modelsDir!, options: { size: 384 } };
    const full = await untilDone(stylizeFastFromFiles(request));
    expect([full.image.width, full.image.height]).toEqual([384, 384]);
    expect(full.predictorRuns).toBe(1);
    expect(full.transferPath).toMatch(/style_transfer_quantized_384\.tflite$/);
    const again = await untilDone(stylizeFastFromFiles(request));
    expect(again.predictorRuns).toBe(0);
    expect(Buffer.from(again.image.data).equals(Buffer.from(full.image.data))).toBe(true);
    const half = await untilDone(stylizeFastFromFiles({ ...request, options: { size: 384, strength: 0.5 } }));
    const original = await readImage(content, { longestSide: 384 });
    const dFull = meanAbsDiff(full.image.data, original.data);
    const dHalf = meanAbsDiff(half.image.data, original.data);
    expect(dHalf).toBeGreaterThan(1);
    expect(dHalf).toBeLessThan(dFull);
    expect(meanAbsDiff(half.image.data, full.image.data)).toBeGreaterThan(1);
  });

  it("int8 and fp16 transfer files give results within a few levels, at a non-square size", async () => {
    const int8 = await untilDone(
      stylizeFastFromFiles({ content: path.join(sharedImages, "content/stata.jpg"), styles: [wave], modelsDir: modelsDir!, options: { size: 301 } }),
    );
    const fp16 = await untilDone(
      stylizeFastFromFiles({
        content: path.join(sharedImages, "content/stata.jpg"),
        styles: [wave],
        modelsDir: modelsDir!,
        transferVariant: "f16",
        options: { size: 301 },
      }),
    );
    expect([int8.image.width, int8.image.height]).toEqual([301, 200]);
    expect(fp16.transferPath).toMatch(/f16/);
    expect(meanAbsDiff(int8.image.data, fp16.image.data)).toBeLessThan(3);
  });
});
