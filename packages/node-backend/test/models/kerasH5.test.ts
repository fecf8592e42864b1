import { writeFile, readFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeWeightMap } from "@pastiche/core";
import { kerasWeightKey, readKerasH5Weights } from "../../src/models/index.js";
import { caught, seq, tempDir, useWasm, writeKerasH5, type H5Layer } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  await useWasm();
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

const k1 = seq(3 * 3 * 3 * 4, 0.013, 0.1);
const b1 = Float32Array.from([0.5, -0.25, 1.5, 2]);
const k2 = seq(3 * 3 * 4 * 2, -0.007);
const b2 = Float32Array.from([-1, 3.75]);

function keras2Layers(): H5Layer[] {
  return [
    { name: "input_1", weights: [] },
    {
      name: "block1_conv1",
      weights: [
        { name: "block1_conv1/kernel:0", shape: [3, 3, 3, 4], values: k1 },
        { name: "block1_conv1/bias:0", shape: [4], values: b1 },
      ],
    },
    {
      name: "block1_conv2",
      weights: [
        { name: "block1_conv2/kernel:0", shape: [3, 3, 4, 2], values: k2 },
        { name: "block1_conv2/bias:0", shape: [2], values: b2 },
      ],
    },
    { name: "block1_pool", weights: [] },
  ];
}

async function expectTinyWeights(file: string): Promise<void> {
  const before = tf.memory().numTensors;
  const w = await readKerasH5Weights(file);
  try {
    expect(Object.keys(w).sort()).toEqual(["block1_conv1/bias", "block1_conv1/kernel", "block1_conv2/bias", "block1_conv2/kernel"]);
    expect(w["block1_conv1/kernel"]!.shape).toEqual([3, 3, 3, 4]);
    expect(w["block1_conv1/kernel"]!.dtype).toBe("float32");
    expect(w["block1_conv1/kernel"]!.dataSync()).toEqual(k1);
    expect(w["block1_conv1/bias"]!.dataSync()).toEqual(b1);
    expect(w["block1_conv2/kernel"]!.shape).toEqual([3, 3, 4, 2]);
    expect(w["block1_conv2/kernel"]!.dataSync()).toEqual(k2);
    expect(w["block1_conv2/bias"]!.dataSync()).toEqual(b2);
    expect(tf.memory().numTensors).toBe(before + 4);
  } finally {
    disposeWeightMap(w);
  }
}

describe("readKerasH5Weights", () => {
  it("reads a Keras 2 weights file back exactly", async () => {
    const file = path.join(dir, "keras2.h5");
    await writeKerasH5(file, keras2Layers());
    await expectTinyWeights(file);
  });

  it("reads the Keras 1-era names of Keras Applications' VGG files (block1_conv1_W_1:0)", async () => {
    const file = path.join(dir, "legacy.h5");
    await writeKerasH5(file, [
      {
        name: "block1_conv1",
        weights: [
          { name: "block1_conv1_W_1:0", shape: [3, 3, 3, 4], values: k1 },
          { name: "block1_conv1_b_1:0", shape: [4], values: b1 },
        ],
      },
      {
        name: "block1_conv2",
        weights: [
          { name: "block1_conv2_W_1:0", shape: [3, 3, 4, 2], values: k2 },
          { name: "block1_conv2_b_1:0", shape: [2], values: b2 },
        ],
      },
      { name: "block1_pool", weights: [] },
    ]);
    await expectTinyWeights(file);
  });

  it("reads a full-model save (weights under model_weights/)", async () => {
    const file = path.join(dir, "fullmodel.h5");
    await writeKerasH5(file, keras2Layers(), { underModelWeights: true });
    await expectTinyWeights(file);
  });

  it("reads only the requested layers", async () => {
    const file = path.join(dir, "keras2.h5");
    const w = await readKerasH5Weights(file, { layers: ["block1_conv2"] });
    expect(Object.keys(w).sort()).toEqual(["block1_conv2/bias", "block1_conv2/kernel"]);
    disposeWeightMap(w);
    const e = await caught(() => readKerasH5Weights(file, { layers: ["block9_conv1"] }));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain("layer block9_conv1 is not in the file");
  });

  it("rejects a file that is not HDF5", async () => {
    const file = path.join(dir, "not-hdf5.h5");
    await writeFile(file, "<html>404 Not Found</html>");
    const e = await caught(() => readKerasH5Weights(file));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain(file);
    expect(e.message).toContain("not an HDF5 file");
  });

  for (const earliestFormat of [false, true]) {
    it(`rejects a truncated HDF5 file (superblock ${earliestFormat ? "v0, as h5py writes" : "v2"})`, async () => {
      const src = path.join(dir, `whole-${earliestFormat}.h5`);
      await writeKerasH5(src, keras2Layers(), { earliestFormat });
      const full = await readFile(src);
      expect(full[8]).toBe(earliestFormat ? 0 : 2); // superblock version
      await expectTinyWeights(src);
      const file = path.join(dir, `truncated-${earliestFormat}.h5`);
      await writeFile(file, full.subarray(0, Math.floor(full.length / 2)));
      const e = await caught(() => readKerasH5Weights(file));
      expect(e.code).toBe("INVALID_WEIGHTS");
      expect(e.message).toContain(file);
      expect(e.message).toContain(`truncated: the file is ${Math.floor(full.length / 2)} bytes, its HDF5 header says ${full.length}`);
    });
  }

  it("rejects an HDF5 file whose body is corrupt", async () => {
    const full = Buffer.from(await readFile(path.join(dir, "keras2.h5")));
    full.fill(0xab, 64); // keep the superblock, destroy everything after it
    const file = path.join(dir, "corrupt.h5");
    await writeFile(file, full);
    const e = await caught(() => readKerasH5Weights(file));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain(file);
  });

  it("rejects an HDF5 file without the Keras layout", async () => {
    const h5wasm = (await import("h5wasm/node")).default;
    await h5wasm.ready;
    const file = path.join(dir, "plain.h5");
    const f = new h5wasm.File(file, "w");
    f.create_dataset({ name: "data", data: new Float32Array([1, 2]), shape: [2], dtype: "<f" });
    f.close();
    const e = await caught(() => readKerasH5Weights(file));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain("no layer_names attribute");
  });

  it("rejects a weight listed in weight_names whose dataset is missing, without leaking tensors", async () => {
    const file = path.join(dir, "missing-ds.h5");
    const layers = keras2Layers();
    await writeKerasH5(file, layers);
    const h5wasm = (await import("h5wasm/node")).default;
    const f = new h5wasm.File(file, "a");
    const g = f.get("block1_conv2");
    if (!(g instanceof h5wasm.Group)) throw new Error("no group");
    g.delete_attribute("weight_names");
    g.create_attribute("weight_names", ["block1_conv2/kernel:0", "block1_conv2/gamma:0"], [2], "S21");
    f.close();
    const before = tf.memory().numTensors;
    const e = await caught(() => readKerasH5Weights(file));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain("dataset block1_conv2/block1_conv2/gamma:0 is missing");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("reports a missing file as FILE_NOT_FOUND", async () => {
    const e = await caught(() => readKerasH5Weights(path.join(dir, "nope.h5")));
    expect(e.code).toBe("FILE_NOT_FOUND");
    expect(e.message).toContain(path.join(dir, "nope.h5"));
  });
});

describe("kerasWeightKey", () => {
  it("maps Keras 2 and Keras 1 weight names to WeightMap keys", () => {
    expect(kerasWeightKey("block1_conv1", "block1_conv1/kernel:0")).toBe("block1_conv1/kernel");
    expect(kerasWeightKey("block1_conv1", "block1_conv1/bias:0")).toBe("block1_conv1/bias");
    expect(kerasWeightKey("block5_conv4", "block5_conv4_W_1:0")).toBe("block5_conv4/kernel");
    expect(kerasWeightKey("block5_conv4", "block5_conv4_b_1:0")).toBe("block5_conv4/bias");
    expect(kerasWeightKey("block5_conv4", "block5_conv4_W:0")).toBe("block5_conv4/kernel");
    // A layer renamed after saving keeps its group name; the weight's own name says what it is.
    expect(kerasWeightKey("block1_conv1", "conv2d/kernel:0")).toBe("block1_conv1/kernel");
  });
});
