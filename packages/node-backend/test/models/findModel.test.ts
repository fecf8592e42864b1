import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeWeightMap } from "@pastiche/core";
import { MODELS_DIR_ENV, VGG19_MODEL, defaultModelsDir, getModelEntry, loadVgg19Weights, locateVgg19, resolveModelsDir } from "../../src/models/index.js";
import { caught, expectOneLine, seq, tempDir, useWasm, writeKerasH5, writeLayersModel } from "./helpers.js";

let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  await useWasm();
  ({ dir: root, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const H5 = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5";

/** The first two VGG19 convs, Keras Applications' layout and names, random-ish values. */
async function writeVggH5(file: string, { wrongBias = false } = {}): Promise<void> {
  await writeKerasH5(file, [
    { name: "input_1", weights: [] },
    {
      name: "block1_conv1",
      weights: [
        { name: "block1_conv1_W_1:0", shape: [3, 3, 3, 64], values: seq(3 * 3 * 3 * 64, 0.001) },
        { name: "block1_conv1_b_1:0", shape: wrongBias ? [32] : [64], values: seq(wrongBias ? 32 : 64, 0.01) },
      ],
    },
    {
      name: "block1_conv2",
      weights: [
        { name: "block1_conv2_W_1:0", shape: [3, 3, 64, 64], values: seq(3 * 3 * 64 * 64, 0.0001) },
        { name: "block1_conv2_b_1:0", shape: [64], values: seq(64, 0.01) },
      ],
    },
    { name: "block1_pool", weights: [] },
  ]);
}

async function fakeLayersModel(dir: string): Promise<string> {
  const { modelJson } = await writeLayersModel(dir, [{ name: "x", shape: [1], values: Float32Array.from([1]) }]);
  return modelJson;
}

describe("resolveModelsDir", () => {
  it("uses PASTICHE_MODELS_DIR, resolved to an absolute path", () => {
    expect(resolveModelsDir({ [MODELS_DIR_ENV]: "/srv/models" })).toEqual({ dir: "/srv/models", source: "env" });
    expect(resolveModelsDir({ [MODELS_DIR_ENV]: "rel/models" })).toEqual({
      dir: path.resolve("rel/models"),
      source: "env",
    });
  });

  it("falls back to the per-user cache directory", () => {
    const info = resolveModelsDir({ [MODELS_DIR_ENV]: "  " });
    expect(info.source).toBe("default");
    expect(info.dir).toBe(defaultModelsDir());
    expect(path.isAbsolute(info.dir)).toBe(true);
    expect(info.dir.endsWith(path.join("pastiche", "models")) || info.dir.endsWith(path.join("pastiche", "Cache", "models"))).toBe(true);
  });
});

describe("registry", () => {
  it("describes VGG19's local forms in search order and its Keras download", () => {
    expect(getModelEntry("vgg19")).toBe(VGG19_MODEL);
    expect(VGG19_MODEL.localForms.map((f) => `${f.kind}:${f.path}`)).toEqual([
      "layers-model:vgg19-notop-uint8/model.json",
      "layers-model:vgg19-notop/model.json",
      "layers-model:vgg19/model.json",
      `keras-h5:${H5}`,
    ]);
    expect(VGG19_MODEL.download).toMatchObject({
      fileName: H5,
      url: `https://storage.googleapis.com/tensorflow/keras-applications/vgg19/${H5}`,
      md5: "253f8cb515780f3b799900260a226db6",
    });
    expect(() => getModelEntry("vgg16")).toThrow(/unknown model "vgg16": known models are vgg19/);
  });
});

describe("locateVgg19", () => {
  it("names every path looked at and how to get the weights when nothing is there", async () => {
    const dir = path.join(root, "empty");
    await mkdir(dir);
    const e = await caught(() => locateVgg19({ modelsDir: dir }));
    expect(e.code).toBe("MODEL_NOT_FOUND");
    expectOneLine(e);
    expect(e.message).toContain("VGG19");
    for (const f of VGG19_MODEL.localForms) expect(e.message).toContain(path.join(dir, f.path));
    expect(e.message).toContain("pastiche models download vgg19");
    expect(e.message).toContain("PASTICHE_MODELS_DIR");
    expect(e.message).toContain("storage.googleapis.com");
  });

  it("says the directory came from PASTICHE_MODELS_DIR", async () => {
    const dir = path.join(root, "empty");
    const e = await caught(() => locateVgg19({ env: { [MODELS_DIR_ENV]: dir } }));
    expect(e.message).toContain(`models directory ${dir} (from PASTICHE_MODELS_DIR)`);
  });

  it("prefers the layers-model forms, in order, over the Keras file", async () => {
    const dir = path.join(root, "order");
    await mkdir(dir, { recursive: true });
    await writeVggH5(path.join(dir, H5));
    expect(await locateVgg19({ modelsDir: dir })).toEqual({ kind: "keras-h5", path: path.join(dir, H5) });
    const plain = await fakeLayersModel(path.join(dir, "vgg19"));
    expect(await locateVgg19({ modelsDir: dir })).toEqual({ kind: "layers-model", path: plain });
    const notop = await fakeLayersModel(path.join(dir, "vgg19-notop"));
    expect(await locateVgg19({ modelsDir: dir })).toEqual({ kind: "layers-model", path: notop });
    const uint8 = await fakeLayersModel(path.join(dir, "vgg19-notop-uint8"));
    expect(await locateVgg19({ env: { [MODELS_DIR_ENV]: dir } })).toEqual({ kind: "layers-model", path: uint8 });
  });

  it("takes an explicit weights path: a file, a model directory, or a directory of models", async () => {
    const dir = path.join(root, "order");
    expect(await locateVgg19({ weightsPath: path.join(dir, H5) })).toEqual({ kind: "keras-h5", path: path.join(dir, H5) });
    expect(await locateVgg19({ weightsPath: path.join(dir, "vgg19") })).toEqual({
      kind: "layers-model",
      path: path.join(dir, "vgg19", "model.json"),
    });
    expect(await locateVgg19({ weightsPath: dir, modelsDir: "/nonexistent" })).toEqual({
      kind: "layers-model",
      path: path.join(dir, "vgg19-notop-uint8", "model.json"),
    });
    const missing = path.join(root, "nowhere", "vgg.h5");
    const e = await caught(() => locateVgg19({ weightsPath: missing, modelsDir: dir }));
    expect(e.code).toBe("MODEL_NOT_FOUND");
    expect(e.message).toContain(missing);
    expect(e.message).toContain("pastiche models download vgg19");
    expectOneLine(e);
  });
});

describe("loadVgg19Weights", () => {
  it("loads and validates the requested layers from a Keras file", async () => {
    const dir = path.join(root, "h5only");
    await mkdir(dir);
    await writeVggH5(path.join(dir, H5));
    const before = tf.memory().numTensors;
    const { weights, source } = await loadVgg19Weights({ modelsDir: dir, layers: ["block1_conv1", "block1_conv2"] });
    expect(source).toEqual({ kind: "keras-h5", path: path.join(dir, H5) });
    expect(weights["block1_conv1/kernel"]!.shape).toEqual([3, 3, 3, 64]);
    expect(weights["block1_conv2/bias"]!.shape).toEqual([64]);
    disposeWeightMap(weights);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects incomplete or misshapen weights naming the file, and frees them", async () => {
    const dir = path.join(root, "h5only");
    const before = tf.memory().numTensors;
    const e = await caught(() => loadVgg19Weights({ modelsDir: dir }));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain(path.join(dir, H5));
    expect(e.message).toContain("block2_conv1: kernel block2_conv1/kernel is missing, expected shape [3,3,64,128]");
    expect(tf.memory().numTensors).toBe(before);

    const bad = path.join(root, "badbias.h5");
    await writeVggH5(bad, { wrongBias: true });
    const e2 = await caught(() => loadVgg19Weights({ weightsPath: bad, layers: ["block1_conv1"] }));
    expect(e2.message).toContain("block1_conv1: bias has shape [32], expected [64]");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("loads a layers model and reports a broken one", async () => {
    const dir = path.join(root, "lm");
    await writeLayersModel(
      path.join(dir, "vgg19"),
      [
        { name: "block1_conv1/kernel", shape: [3, 3, 3, 64], values: seq(1728, 0.001) },
        { name: "block1_conv1/bias", shape: [64], values: seq(64, 0.01) },
      ],
      4096,
    );
    const { weights, source } = await loadVgg19Weights({ modelsDir: dir, layers: ["block1_conv1"] });
    expect(source.kind).toBe("layers-model");
    expect(weights["block1_conv1/kernel"]!.dataSync()).toEqual(seq(1728, 0.001));
    disposeWeightMap(weights);
    await writeFile(path.join(dir, "vgg19", "group1-shard2of2.bin"), new Uint8Array(3));
    const e = await caught(() => loadVgg19Weights({ modelsDir: dir, layers: ["block1_conv1"] }));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain('"group1-shard2of2.bin" is 3 bytes, expected 3072');
  });
});
