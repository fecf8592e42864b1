import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { PasticheError } from "../../src/errors.js";
import { checkWeightGroupShardSizes, decodeLayersModelWeights, parseTfjsModelJson, weightGroupByteLength } from "../../src/model/tfjsLayersModel.js";
import { disposeWeightMap } from "../../src/model/weightMap.js";

beforeAll(async () => {
  await tf.setBackend("wasm");
  await tf.ready();
});

function f32(values: number[]): ArrayBuffer {
  return new Float32Array(values).buffer;
}

function bytes(values: number[]): ArrayBuffer {
  return new Uint8Array(values).buffer;
}

/** Capture a thrown PasticheError (sync or async). */
async function caught(fn: () => unknown): Promise<PasticheError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PasticheError);
    return e as PasticheError;
  }
  throw new Error("expected a PasticheError");
}

// A two-conv layers model in the layout tensorflowjs_converter writes: conv1 kernel [1,1,2,3] +
// bias [3] in float32, split over two shards of one group.
const kernelValues = [0.5, -1, 2, 3.25, -0.125, 7];
const biasValues = [0.1, 0.2, -0.3];
const floatModel = {
  format: "layers-model",
  generatedBy: "keras v2.2.4-tf",
  convertedBy: "TensorFlow.js Converter v2.7.0",
  modelTopology: { class_name: "Model", config: {} },
  weightsManifest: [
    {
      paths: ["group1-shard1of2.bin", "group1-shard2of2.bin"],
      weights: [
        { name: "conv1/kernel", shape: [1, 1, 2, 3], dtype: "float32" },
        { name: "conv1/bias:0", shape: [3], dtype: "float32" },
      ],
    },
  ],
};
// 36 bytes of data in a 20-byte shard and a 16-byte last shard.
const allFloat = new Uint8Array(f32([...kernelValues, ...biasValues]));
const floatShards = [allFloat.slice(0, 20).buffer, allFloat.slice(20).buffer];

describe("decodeLayersModelWeights", () => {
  it("decodes float32 weights split across shards and strips the :0 suffix", async () => {
    const w = await decodeLayersModelWeights(floatModel, floatShards);
    try {
      expect(Object.keys(w).sort()).toEqual(["conv1/bias", "conv1/kernel"]);
      expect(w["conv1/kernel"]!.shape).toEqual([1, 1, 2, 3]);
      expect(w["conv1/kernel"]!.dtype).toBe("float32");
      expect(Array.from(w["conv1/kernel"]!.dataSync())).toEqual(kernelValues);
      expect(Array.from(w["conv1/bias"]!.dataSync())).toEqual(Array.from(new Float32Array(biasValues)));
    } finally {
      disposeWeightMap(w);
    }
  });

  it("reads shards through a fetch function in manifest order", async () => {
    const asked: string[] = [];
    const w = await decodeLayersModelWeights(floatModel, (path) => {
      asked.push(path);
      return Promise.resolve(path.endsWith("1of2.bin") ? floatShards[0]! : floatShards[1]!);
    });
    expect(asked).toEqual(["group1-shard1of2.bin", "group1-shard2of2.bin"]);
    expect(Array.from(w["conv1/kernel"]!.dataSync())).toEqual(kernelValues);
    disposeWeightMap(w);
  });

  it("dequantises uint8 weights (value = q * scale + min) and handles several groups", async () => {
    const quantModel = {
      format: "layers-model",
      weightsManifest: [
        {
          paths: ["group1-shard1of1.bin"],
          weights: [
            {
              name: "block1_conv1/kernel",
              shape: [1, 1, 1, 4],
              dtype: "float32",
              quantization: { dtype: "uint8", original_dtype: "float32", scale: 0.5, min: -1 },
            },
            {
              name: "block1_conv1/bias",
              shape: [4],
              dtype: "float32",
              quantization: { dtype: "uint8", original_dtype: "float32", scale: 0.25, min: 2 },
            },
          ],
        },
        {
          paths: ["group2-shard1of1.bin"],
          weights: [
            {
              name: "dense/kernel:0",
              shape: [2],
              dtype: "float32",
              quantization: { dtype: "uint16", scale: 0.001, min: 0 },
            },
          ],
        },
      ],
    };
    const w = await decodeLayersModelWeights(quantModel, [bytes([0, 1, 2, 255, 0, 4, 8, 255]), new Uint16Array([1000, 65535]).buffer]);
    try {
      expect(w["block1_conv1/kernel"]!.dtype).toBe("float32");
      expect(w["block1_conv1/kernel"]!.shape).toEqual([1, 1, 1, 4]);
      const k = Array.from(w["block1_conv1/kernel"]!.dataSync());
      [-1, -0.5, 0, 126.5].forEach((v, i) => {
        expect(k[i]).toBeCloseTo(v, 5);
      });
      const b = Array.from(w["block1_conv1/bias"]!.dataSync());
      [2, 3, 4, 65.75].forEach((v, i) => {
        expect(b[i]).toBeCloseTo(v, 5);
      });
      const d = Array.from(w["dense/kernel"]!.dataSync());
      expect(d[0]).toBeCloseTo(1, 5);
      expect(d[1]).toBeCloseTo(65.535, 3);
    } finally {
      disposeWeightMap(w);
    }
  });

  it("decodes float16-quantised weights", async () => {
    // 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800 in IEEE half precision.
    const model = {
      format: "graph-model",
      weightsManifest: [{ paths: ["w.bin"], weights: [{ name: "x", shape: [3], dtype: "float32", quantization: { dtype: "float16" } }] }],
    };
    const w = await decodeLayersModelWeights(model, [new Uint16Array([0x3c00, 0xc000, 0x3800]).buffer]);
    expect(Array.from(w["x"]!.dataSync())).toEqual([1, -2, 0.5]);
    disposeWeightMap(w);
  });

  it("does not leak tensors", async () => {
    const before = tf.memory().numTensors;
    const w = await decodeLayersModelWeights(floatModel, floatShards);
    expect(tf.memory().numTensors).toBe(before + 2);
    disposeWeightMap(w);
    await caught(() => decodeLayersModelWeights(floatModel, [floatShards[0]!, new ArrayBuffer(4)]));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("weight shard checks", () => {
  it("names a short last shard with expected vs actual bytes", async () => {
    const e = await caught(() =>
      decodeLayersModelWeights(floatModel, [floatShards[0]!, floatShards[1]!.slice(0, 10)], {
        source: "/models/tiny/model.json",
      }),
    );
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain("/models/tiny/model.json");
    expect(e.message).toContain('"group1-shard2of2.bin" is 10 bytes, expected 16');
    expect(e.message).toContain("needs 36 bytes");
    expect(e.message).not.toContain("\n");
  });

  it("names a short middle shard of a many-shard group", () => {
    const group = {
      paths: ["s1.bin", "s2.bin", "s3.bin", "s4.bin"],
      weights: [{ name: "k", shape: [850], dtype: "float32" as const }],
    };
    expect(weightGroupByteLength(group)).toBe(3400);
    expect(() => {
      checkWeightGroupShardSizes(group, 0, [1024, 1024, 1024, 328]);
    }).not.toThrow();
    const e = (() => {
      try {
        checkWeightGroupShardSizes(group, 0, [1024, 500, 1024, 328]);
      } catch (err) {
        return err as PasticheError;
      }
      throw new Error("no error");
    })();
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain('"s2.bin" is 500 bytes, expected 1024');
  });

  it("reports a missing shard in the array form", async () => {
    const e = await caught(() => decodeLayersModelWeights(floatModel, [floatShards[0]!]));
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain('"group1-shard2of2.bin" is missing');
  });

  it("reports a shard the fetch function cannot read", async () => {
    const e = await caught(() =>
      decodeLayersModelWeights(floatModel, (p) =>
        p === "group1-shard2of2.bin" ? Promise.reject(new Error("404 Not Found")) : Promise.resolve(floatShards[0]!),
      ),
    );
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain('could not read weights shard "group1-shard2of2.bin": 404 Not Found');
  });

  it("passes through a PasticheError thrown by the fetch function", async () => {
    const mine = new PasticheError("FILE_NOT_FOUND", "no such file /x/group1-shard1of2.bin");
    const e = await caught(() => decodeLayersModelWeights(floatModel, () => Promise.reject(mine)));
    expect(e).toBe(mine);
  });

  it("rejects a too-long shard", async () => {
    const long = new Uint8Array(40);
    long.set(allFloat);
    const e = await caught(() =>
      decodeLayersModelWeights({ ...floatModel, weightsManifest: [{ ...floatModel.weightsManifest[0]!, paths: ["one.bin"] }] }, [long.buffer]),
    );
    expect(e.message).toContain('"one.bin" is 40 bytes, expected 36');
  });

  it("counts uint8 quantised weights at one byte per element", async () => {
    const model = {
      weightsManifest: [
        { paths: ["q.bin"], weights: [{ name: "k", shape: [3, 3, 3, 64], dtype: "float32", quantization: { dtype: "uint8", scale: 1, min: 0 } }] },
      ],
    };
    const e = await caught(() => decodeLayersModelWeights(model, [new ArrayBuffer(3 * 3 * 3 * 64 * 4)]));
    expect(e.message).toContain("is 6912 bytes, expected 1728");
  });
});

describe("model.json validation", () => {
  it("rejects JSON that is not a model.json", async () => {
    for (const bad of [
      null,
      42,
      {},
      { weightsManifest: "x" },
      { weightsManifest: [{ paths: ["a"], weights: [{ name: "k", shape: [-1], dtype: "float32" }] }] },
    ]) {
      const e = await caught(() => decodeLayersModelWeights(bad, []));
      expect(e.code).toBe("INVALID_WEIGHTS");
      expect(e.message).toMatch(/^model\.json: /);
    }
  });

  it("rejects an unknown format, string weights and uint8 quantisation without scale/min", () => {
    const base = floatModel.weightsManifest[0]!;
    expect(() => parseTfjsModelJson({ ...floatModel, format: "saved-model" })).toThrow(/unsupported model format "saved-model"/);
    expect(() => parseTfjsModelJson({ weightsManifest: [{ ...base, weights: [{ name: "s", shape: [1], dtype: "string" }] }] })).toThrow(/dtype string/);
    expect(() =>
      parseTfjsModelJson({
        weightsManifest: [{ ...base, weights: [{ name: "q", shape: [1], dtype: "float32", quantization: { dtype: "uint8" } }] }],
      }),
    ).toThrow(/scale and min/);
    // Old converters wrote no format field: accepted.
    expect(parseTfjsModelJson({ modelTopology: {}, weightsManifest: [] }).weightsManifest).toEqual([]);
  });

  it("rejects a name that repeats once :0 is stripped", async () => {
    const model = {
      weightsManifest: [
        {
          paths: ["a.bin"],
          weights: [
            { name: "k", shape: [1], dtype: "float32" },
            { name: "k:0", shape: [1], dtype: "float32" },
          ],
        },
      ],
    };
    const before = tf.memory().numTensors;
    const e = await caught(() => decodeLayersModelWeights(model, [f32([1, 2])]));
    expect(e.message).toContain('"k" appears more than once');
    expect(tf.memory().numTensors).toBe(before);
  });
});
