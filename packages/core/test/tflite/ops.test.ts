import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PasticheError } from "../../src/index.js";
import { ActivationFunctionType as Act } from "../../src/tflite/schema.js";
import { TfliteGraph } from "../../src/tflite/graph.js";
import { float16ToFloat32, dequantize } from "../../src/tflite/dequantize.js";
import { ohwiToHwio } from "../../src/tflite/ops.js";
import {
  Op,
  T,
  addOptions,
  buildTflite,
  conv2dOptions,
  depthwiseOptions,
  f16,
  f32,
  i32,
  i8,
  mirrorPadOptions,
  mulOptions,
  reducerOptions,
  subOptions,
  type ModelSpec,
} from "./helpers/buildTflite.js";
import { referenceConv, seeded } from "./helpers/reference.js";

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

/** Build, load and run a model on one or more inputs; returns the first output's values and shape. */
async function run(spec: ModelSpec, inputs: tf.Tensor[]): Promise<{ shape: number[]; values: Float32Array }> {
  const graph = TfliteGraph.fromBytes(buildTflite(spec), { source: "test.tflite" });
  try {
    const [out] = graph.execute(inputs);
    const values = (await out!.data()) as Float32Array;
    const shape = out!.shape;
    tf.dispose(graph.execute(inputs)); // a second run works and leaks nothing
    out!.dispose();
    return { shape, values };
  } finally {
    graph.dispose();
    tf.dispose(inputs);
  }
}

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(tol);
}

describe("dequantisation maths", () => {
  it("decodes float16 including subnormals and infinities", () => {
    expect(float16ToFloat32(0x3c00)).toBe(1);
    expect(float16ToFloat32(0xc000)).toBe(-2);
    expect(float16ToFloat32(0x0001)).toBeCloseTo(5.96e-8, 10);
    expect(float16ToFloat32(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(float16ToFloat32(0x7e00))).toBe(true);
  });

  it("dequantises per tensor and per channel", () => {
    expect(Array.from(dequantize([-128, 0, 127], [3], { scale: [0.5], zeroPoint: [-128], quantizedDimension: 0 }))).toEqual([0, 64, 127.5]);
    // [2,2] with per-channel scales along dimension 1
    const v = dequantize([1, 1, 2, 2], [2, 2], { scale: [1, 10], zeroPoint: [0, 1], quantizedDimension: 1 });
    expect(Array.from(v)).toEqual([1, 0, 2, 10]);
  });
});

describe("filter layout", () => {
  it("OHWI → HWIO on the host equals tf.transpose(…, [1, 2, 3, 0])", () => {
    const shape: [number, number, number, number] = [5, 3, 2, 4];
    const values = seeded(5 * 3 * 2 * 4, 7);
    const expected = tf.tidy(() => tf.transpose(tf.tensor4d(values, shape), [1, 2, 3, 0]).dataSync());
    expect(Array.from(ohwiToHwio(values, shape))).toEqual(Array.from(expected));
  });
});

describe("TFLite operators", () => {
  const x = seeded(5 * 6 * 2, 1);

  it("CONV_2D, SAME, stride 1, missing dilation field = 1, fused RELU6", async () => {
    const w = seeded(3 * 3 * 3 * 2, 2);
    const bias = [0.1, -0.2, 0.3];
    const { shape, values } = await run(
      {
        tensors: [
          { name: "x", shape: [1, 5, 6, 2] },
          { name: "w", shape: [3, 3, 3, 2], data: f32(Array.from(w)) },
          { name: "b", shape: [3], data: f32(bias) },
          { name: "y", shape: [1, 5, 6, 3] },
        ],
        ops: [{ op: Op.CONV_2D, inputs: [0, 1, 2], outputs: [3], options: conv2dOptions({ activation: Act.RELU6 }) }],
        inputs: [0],
        outputs: [3],
      },
      [tf.tensor4d(x, [1, 5, 6, 2])],
    );
    const ref = referenceConv({ h: 5, w: 6, c: 2, data: x }, w, [3, 3, 3, 2], bias, {
      padding: "SAME",
      stride: [1, 1],
      act: (v) => Math.min(6, Math.max(0, v)),
    });
    expect(shape).toEqual([1, 5, 6, 3]);
    expectClose(values, ref.data);
  });

  it("CONV_2D, VALID with dilation 2, and SAME with stride 2", async () => {
    const w = seeded(2 * 3 * 3 * 2, 3);
    const cases: { padding: "SAME" | "VALID"; stride: [number, number]; dilation?: [number, number] }[] = [
      { padding: "VALID", stride: [1, 1], dilation: [2, 2] },
      { padding: "SAME", stride: [2, 2] },
    ];
    for (const o of cases) {
      const ref = referenceConv({ h: 5, w: 6, c: 2, data: x }, w, [2, 3, 3, 2], [0, 0], o);
      const { shape, values } = await run(
        {
          tensors: [
            { name: "x", shape: [1, 5, 6, 2] },
            { name: "w", shape: [2, 3, 3, 2], data: f32(Array.from(w)) },
            { name: "y", shape: [1, ref.h, ref.w, 2] },
          ],
          ops: [{ op: Op.CONV_2D, inputs: [0, 1, -1], outputs: [2], options: conv2dOptions(o) }],
          inputs: [0],
          outputs: [2],
        },
        [tf.tensor4d(x, [1, 5, 6, 2])],
      );
      expect(shape).toEqual([1, ref.h, ref.w, 2]);
      expectClose(values, ref.data);
    }
  });

  it("DEPTHWISE_CONV_2D with multiplier 2, stride 2, fused RELU", async () => {
    const w = seeded(3 * 3 * 4, 4);
    const bias = [0.5, 0, -0.5, 0.1];
    const ref = referenceConv({ h: 5, w: 6, c: 2, data: x }, w, [1, 3, 3, 4], bias, {
      padding: "SAME",
      stride: [2, 2],
      depthwise: true,
      act: (v) => Math.max(0, v),
    });
    const { shape, values } = await run(
      {
        tensors: [
          { name: "x", shape: [1, 5, 6, 2] },
          { name: "w", shape: [1, 3, 3, 4], data: f32(Array.from(w)) },
          { name: "b", shape: [4], data: f32(bias) },
          { name: "y", shape: [1, 3, 3, 4] },
        ],
        ops: [
          { op: Op.DEPTHWISE_CONV_2D, inputs: [0, 1, 2], outputs: [3], options: depthwiseOptions({ stride: [2, 2], multiplier: 2, activation: Act.RELU }) },
        ],
        inputs: [0],
        outputs: [3],
      },
      [tf.tensor4d(x, [1, 5, 6, 2])],
    );
    expect(shape).toEqual([1, 3, 3, 4]);
    expectClose(values, ref.data);
  });

  it("int8 per-channel weights, an int32 bias without its own scale (input scale × weight scale)", async () => {
    const q = [10, -20, 30, -40, 50, -60, 70, -80]; // [2 out, 1, 1, 4 in]
    const scales = [0.01, 0.02];
    const wf = q.map((v, i) => v * scales[Math.floor(i / 4)]!);
    const inputScale = 0.5;
    const biasQ = [100, -50];
    const biasF = biasQ.map((b, k) => b * inputScale * scales[k]!);
    const xin = seeded(3 * 3 * 4, 5);
    const ref = referenceConv({ h: 3, w: 3, c: 4, data: xin }, Float32Array.from(wf), [2, 1, 1, 4], biasF, { padding: "SAME", stride: [1, 1] });
    const { values } = await run(
      {
        tensors: [
          { name: "x", shape: [1, 3, 3, 4], quant: { scale: [inputScale], zeroPoint: [0] } },
          { name: "w", shape: [2, 1, 1, 4], type: T.INT8, data: i8(q), quant: { scale: scales, zeroPoint: [0, 0], dim: 0 } },
          { name: "b", shape: [2], type: T.INT32, data: i32(biasQ) },
          { name: "y", shape: [1, 3, 3, 2] },
        ],
        ops: [{ op: Op.CONV_2D, inputs: [0, 1, 2], outputs: [3], options: conv2dOptions({}) }],
        inputs: [0],
        outputs: [3],
      },
      [tf.tensor4d(xin, [1, 3, 3, 4])],
    );
    expectClose(values, ref.data);
  });

  it("float16 weights through DEQUANTIZE, and QUANTIZE/DEQUANTIZE of activations as identity", async () => {
    const w = [0.5, -0.25, 1, 2, -1, 0.125]; // [3 out, 1, 1, 2 in], exact in fp16
    const xin = seeded(2 * 2 * 2, 6);
    const ref = referenceConv({ h: 2, w: 2, c: 2, data: xin }, Float32Array.from(w), [3, 1, 1, 2], [0, 0, 0], { padding: "VALID", stride: [1, 1] });
    const { values } = await run(
      {
        tensors: [
          { name: "x", shape: [1, 2, 2, 2] },
          { name: "xq", shape: [1, 2, 2, 2], type: T.INT8, quant: { scale: [0.1], zeroPoint: [3] } },
          { name: "xd", shape: [1, 2, 2, 2] },
          { name: "w16", shape: [3, 1, 1, 2], type: T.FLOAT16, data: f16(w) },
          { name: "w", shape: [3, 1, 1, 2] },
          { name: "y", shape: [1, 2, 2, 3] },
        ],
        ops: [
          { op: Op.QUANTIZE, inputs: [0], outputs: [1] },
          { op: Op.DEQUANTIZE, inputs: [1], outputs: [2] },
          { op: Op.DEQUANTIZE, inputs: [3], outputs: [4] },
          { op: Op.CONV_2D, inputs: [2, 4, -1], outputs: [5], options: conv2dOptions({ padding: "VALID" }) },
        ],
        inputs: [0],
        outputs: [5],
      },
      [tf.tensor4d(xin, [1, 2, 2, 2])],
    );
    expectClose(values, ref.data);
  });

  it("ADD/SUB/MUL with broadcasting and fused activations, SQUARED_DIFFERENCE, RSQRT, LOGISTIC, MEAN", async () => {
    const a = [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12]; // [1,2,2,3]
    const c = [0.5, 1, -1]; // [3], broadcast
    const spec: ModelSpec = {
      tensors: [
        { name: "a", shape: [1, 2, 2, 3] },
        { name: "c", shape: [3], data: f32(c) },
        { name: "add", shape: [1, 2, 2, 3] }, // relu(a + c)
        { name: "sub", shape: [1, 2, 2, 3] }, // a - c
        { name: "mul", shape: [1, 2, 2, 3] }, // relu6(sub * add)
        { name: "mean", shape: [1, 1, 1, 3] }, // mean over H,W
        { name: "axes", shape: [2], type: T.INT32, data: i32([1, 2]) },
        { name: "sq", shape: [1, 2, 2, 3] }, // (mul - mean)²
        { name: "eps", shape: [], data: f32([1]) },
        { name: "sq1", shape: [1, 2, 2, 3] }, // sq + 1
        { name: "rs", shape: [1, 2, 2, 3] },
        { name: "out", shape: [1, 2, 2, 3] },
      ],
      ops: [
        { op: Op.ADD, inputs: [0, 1], outputs: [2], options: addOptions(Act.RELU) },
        { op: Op.SUB, inputs: [0, 1], outputs: [3], options: subOptions() },
        { op: Op.MUL, inputs: [3, 2], outputs: [4], options: mulOptions(Act.RELU6) },
        { op: Op.MEAN, inputs: [4, 6], outputs: [5], options: reducerOptions(true) },
        { op: Op.SQUARED_DIFFERENCE, inputs: [4, 5], outputs: [7] },
        { op: Op.ADD, inputs: [7, 8], outputs: [9] }, // no options at all: activation NONE
        { op: Op.RSQRT, inputs: [9], outputs: [10] },
        { op: Op.LOGISTIC, inputs: [10], outputs: [11] },
      ],
      inputs: [0],
      outputs: [11],
    };
    const add = a.map((v, i) => Math.max(0, v + c[i % 3]!));
    const mul = a.map((v, i) => Math.min(6, Math.max(0, (v - c[i % 3]!) * add[i]!)));
    const mean = [0, 1, 2].map((k) => (mul[k]! + mul[k + 3]! + mul[k + 6]! + mul[k + 9]!) / 4);
    const expected = mul.map((v, i) => 1 / (1 + Math.exp(-1 / Math.sqrt((v - mean[i % 3]!) ** 2 + 1))));
    const { shape, values } = await run(spec, [tf.tensor4d(a, [1, 2, 2, 3])]);
    expect(shape).toEqual([1, 2, 2, 3]);
    expectClose(values, expected, 1e-5);
  });

  it("MIRROR_PAD, reflect and symmetric", async () => {
    for (const [mode, expected] of [
      ["reflect", [2, 1, 2, 3, 2]],
      ["symmetric", [1, 1, 2, 3, 3]],
    ] as const) {
      const { shape, values } = await run(
        {
          tensors: [
            { name: "x", shape: [1, 1, 3, 1] },
            { name: "p", shape: [4, 2], type: T.INT32, data: i32([0, 0, 0, 0, 1, 1, 0, 0]) },
            { name: "y", shape: [1, 1, 5, 1] },
          ],
          ops: [{ op: Op.MIRROR_PAD, inputs: [0, 1], outputs: [2], options: mirrorPadOptions(mode) }],
          inputs: [0],
          outputs: [2],
        },
        [tf.tensor4d([1, 2, 3], [1, 1, 3, 1])],
      );
      expect(shape).toEqual([1, 1, 5, 1]);
      expect(Array.from(values)).toEqual(expected);
    }
  });

  it("RESIZE_NEAREST_NEIGHBOR takes its factor from the static shapes, so it works at other sizes", async () => {
    const resize = (staticIn: number, size: number): ModelSpec => ({
      tensors: [
        { name: "x", shape: [1, staticIn, staticIn, 1] },
        { name: "size", shape: [2], type: T.INT32, data: i32([size, size]) },
        { name: "y", shape: [1, size, size, 1] },
      ],
      ops: [{ op: Op.RESIZE_NEAREST_NEIGHBOR, inputs: [0, 1], outputs: [2] }],
      inputs: [0],
      outputs: [2],
    });
    // Written for 2×2 → 4×4 (×2); run on 2×3.
    const up = await run(resize(2, 4), [tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1])]);
    expect(up.shape).toEqual([1, 4, 6, 1]);
    expect(Array.from(up.values.slice(0, 6))).toEqual([1, 1, 2, 2, 3, 3]);
    // Written for 4×4 → 4×4 (a no-op); run on 2×3 it stays 2×3.
    const same = await run(resize(4, 4), [tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1])]);
    expect(same.shape).toEqual([1, 2, 3, 1]);
    expect(Array.from(same.values)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("TFLite errors", () => {
  const base = (op: number, customCode?: string): ModelSpec => ({
    tensors: [
      { name: "x", shape: [1, 2, 2, 1] },
      { name: "y", shape: [1, 2, 2, 1] },
    ],
    ops: [{ op, inputs: [0], outputs: [1], ...(customCode ? { customCode } : {}) }],
    inputs: [0],
    outputs: [1],
  });

  it("names an unsupported operator", () => {
    const e = (() => {
      try {
        TfliteGraph.fromBytes(buildTflite(base(Op.SPLIT)), { source: "m.tflite" });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(PasticheError);
    expect((e as PasticheError).code).toBe("INVALID_WEIGHTS");
    expect((e as PasticheError).message).toMatch(/^m\.tflite: unsupported TFLite operator SPLIT \(operator 0\)/);
    expect(() => TfliteGraph.fromBytes(buildTflite(base(Op.CUSTOM, "FlexFoo")))).toThrow(/custom operator "FlexFoo"/);
    expect(() => TfliteGraph.fromBytes(buildTflite(base(201)))).toThrow(/builtin operator 201/);
  });

  it("rejects a file that is not TFLite, a wrong schema version, and several subgraphs' worth of nonsense", () => {
    expect(() => TfliteGraph.fromBytes(new TextEncoder().encode('{"format":"graph-model"}'), { source: "x.json" })).toThrow(/x\.json: not a TFLite model/);
    expect(() => TfliteGraph.fromBytes(buildTflite({ ...base(Op.LOGISTIC), version: 2 }))).toThrow(/schema version 2/);
    expect(() => TfliteGraph.fromBytes(new Uint8Array(3))).toThrow(/malformed TFLite file: only 3 bytes/);
  });

  it("says which input is missing or has the wrong channel count", () => {
    const graph = TfliteGraph.fromBytes(buildTflite(base(Op.LOGISTIC)));
    const bad = tf.zeros([1, 2, 2, 3]);
    expect(() => graph.execute({ nope: bad })).toThrow(/input "x" was not given/);
    expect(() => graph.execute([bad])).toThrow(/input "x" has shape \[1,2,2,3\]/);
    bad.dispose();
    graph.dispose();
  });
});
