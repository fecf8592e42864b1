import { readFile, truncate, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeWeightMap } from "@pastiche/core";
import { layersModelDirIOHandler, readLayersModelWeights } from "../../src/models/index.js";
import { caught, expectOneLine, seq, tempDir, useWasm, writeLayersModel } from "./helpers.js";

let root: string;
let cleanup: () => Promise<void>;
const kernel = seq(3 * 3 * 2 * 3, 0.05);
const bias = Float32Array.from([1, -2, 0.5]);
const weights = [
  { name: "block1_conv1/kernel", shape: [3, 3, 2, 3], values: kernel },
  { name: "block1_conv1/bias", shape: [3], values: bias },
];

beforeAll(async () => {
  await useWasm();
  ({ dir: root, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe("readLayersModelWeights", () => {
  it("reads a model directory (4 shards) and its model.json path alike", async () => {
    const dir = path.join(root, "ok");
    const { modelJson, shards } = await writeLayersModel(dir, weights, 64);
    expect(shards).toHaveLength(4); // 228 bytes in 64-byte shards
    for (const p of [dir, modelJson]) {
      const before = tf.memory().numTensors;
      const w = await readLayersModelWeights(p);
      expect(Object.keys(w).sort()).toEqual(["block1_conv1/bias", "block1_conv1/kernel"]);
      expect(w["block1_conv1/kernel"]!.shape).toEqual([3, 3, 2, 3]);
      expect(w["block1_conv1/kernel"]!.dataSync()).toEqual(kernel);
      expect(w["block1_conv1/bias"]!.dataSync()).toEqual(bias);
      expect(tf.memory().numTensors).toBe(before + 2);
      disposeWeightMap(w);
    }
  });

  it("serves the model through a tf.io.IOHandler", async () => {
    const dir = path.join(root, "ok");
    const handler = layersModelDirIOHandler(dir);
    const artifacts = await handler.load!();
    expect(artifacts.format).toBe("layers-model");
    expect(artifacts.modelTopology).toEqual({ class_name: "Functional", config: { layers: [] } });
    expect(artifacts.weightSpecs!.map((s) => s.name)).toEqual(["block1_conv1/kernel", "block1_conv1/bias"]);
    const decoded = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
    expect(decoded["block1_conv1/kernel"]!.dataSync()).toEqual(kernel);
    expect(decoded["block1_conv1/bias"]!.dataSync()).toEqual(bias);
    Object.values(decoded).forEach((t) => {
      t.dispose();
    });
  });

  it("reports a directory without model.json as FILE_NOT_FOUND with the path", async () => {
    const e = await caught(() => readLayersModelWeights(path.join(root, "absent")));
    expect(e.code).toBe("FILE_NOT_FOUND");
    expect(e.message).toContain(path.join(root, "absent"));
    const empty = path.join(root, "empty");
    await writeLayersModel(empty, weights);
    await unlink(path.join(empty, "model.json"));
    const e2 = await caught(() => readLayersModelWeights(empty));
    expect(e2.code).toBe("FILE_NOT_FOUND");
    expect(e2.message).toContain(path.join(empty, "model.json"));
  });

  it("reports unreadable JSON with the path", async () => {
    const dir = path.join(root, "badjson");
    const { modelJson } = await writeLayersModel(dir, weights);
    await writeFile(modelJson, '{"weightsManifest": [');
    const e = await caught(() => readLayersModelWeights(dir));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain(`${modelJson}: not valid JSON`);
    await writeFile(modelJson, '{"format": "layers-model"}');
    const e2 = await caught(() => readLayersModelWeights(dir));
    expect(e2.code).toBe("INVALID_WEIGHTS");
    expect(e2.message).toContain(`${modelJson}: not a TensorFlow.js model.json`);
  });

  it("reports a missing shard with its full path", async () => {
    const dir = path.join(root, "missing-shard");
    const { modelJson, shards } = await writeLayersModel(dir, weights, 64);
    await unlink(path.join(dir, shards[2]!));
    const e = await caught(() => readLayersModelWeights(dir));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain(modelJson);
    expect(e.message).toContain(`weights shard ${path.join(dir, shards[2]!)} is missing`);
    expectOneLine(e);
  });

  it("reports a short shard with expected and actual bytes", async () => {
    const dir = path.join(root, "short-shard");
    const { modelJson, shards } = await writeLayersModel(dir, weights, 64);
    await truncate(path.join(dir, shards[1]!), 10);
    const e = await caught(() => readLayersModelWeights(dir));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain(modelJson);
    expect(e.message).toContain(`"${shards[1]}" is 10 bytes, expected 64`);
    expect(e.message).toContain("needs 228 bytes in 4 shard files, they hold 174");
    // The last shard (228 - 3×64 = 36 bytes) cut short is named too.
    await writeLayersModel(dir, weights, 64);
    await truncate(path.join(dir, shards[3]!), 0);
    const e2 = await caught(() => readLayersModelWeights(dir));
    expect(e2.message).toContain(`"${shards[3]}" is 0 bytes, expected 36`);
  });

  it("refuses shard paths that leave the model directory", async () => {
    const dir = path.join(root, "escape");
    const { modelJson } = await writeLayersModel(dir, weights, 1024);
    const json = JSON.parse(await readFile(modelJson, "utf8")) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0]!.paths = ["../ok/group1-shard1of4.bin"];
    await writeFile(modelJson, JSON.stringify(json));
    const e = await caught(() => readLayersModelWeights(dir));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain("points outside the model directory");
  });
});
