import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planGraph } from "../../src/tflite/fuse.js";
import { TfliteGraph } from "../../src/tflite/graph.js";
import { parseTflite } from "../../src/tflite/parse.js";
import { ActivationFunctionType as Act } from "../../src/tflite/schema.js";
import {
  Op,
  T,
  addOptions,
  buildTflite,
  conv2dOptions,
  f32,
  i32,
  mirrorPadOptions,
  mulOptions,
  reducerOptions,
  resizeNearestOptions,
  subOptions,
  type ModelSpec,
} from "./helpers/buildTflite.js";
import { seeded } from "./helpers/reference.js";

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

const H = 3;
const W = 4;
const C = 2;
const EPS = 1e-3;

/**
 * Instance norm written as Magenta's TFLite files write it (quantisation of activations included),
 * γ and β given as graph inputs, the final ADD with ReLU. `extraOutput` also exposes the mean, which
 * must keep the pattern from being fused.
 */
function instanceNormSpec(extraOutput = false): ModelSpec {
  const act = (name: string, shape = [1, H, W, C]) => ({ name, shape });
  const stat = (name: string) => ({ name, shape: [1, 1, 1, C] });
  return {
    tensors: [
      act("x"), // 0
      stat("gamma"), // 1
      stat("beta"), // 2
      { name: "axes", shape: [2], type: T.INT32, data: i32([1, 2]) }, // 3
      stat("m"), // 4
      act("xd"), // 5: DEQUANTIZE(x)
      act("sqd"), // 6
      { name: "sqdq", shape: [1, H, W, C], type: T.INT8, quant: { scale: [0.1] } }, // 7: QUANTIZE(sqd)
      stat("v"), // 8
      { name: "eps", shape: [], data: f32([EPS]) }, // 9
      stat("ve"), // 10
      stat("r"), // 11
      stat("s"), // 12
      act("xs"), // 13
      stat("ms"), // 14
      stat("b"), // 15
      act("y"), // 16
    ],
    ops: [
      { op: Op.MEAN, inputs: [0, 3], outputs: [4], options: reducerOptions(true) },
      { op: Op.DEQUANTIZE, inputs: [0], outputs: [5] },
      { op: Op.SQUARED_DIFFERENCE, inputs: [5, 4], outputs: [6] },
      { op: Op.QUANTIZE, inputs: [6], outputs: [7] },
      { op: Op.MEAN, inputs: [7, 3], outputs: [8], options: reducerOptions(true) },
      { op: Op.ADD, inputs: [8, 9], outputs: [10], options: addOptions() },
      { op: Op.RSQRT, inputs: [10], outputs: [11] },
      { op: Op.MUL, inputs: [11, 1], outputs: [12], options: mulOptions() },
      { op: Op.MUL, inputs: [0, 12], outputs: [13], options: mulOptions() },
      { op: Op.MUL, inputs: [4, 12], outputs: [14], options: mulOptions() },
      { op: Op.SUB, inputs: [2, 14], outputs: [15], options: subOptions() },
      { op: Op.ADD, inputs: [13, 15], outputs: [16], options: addOptions(Act.RELU) },
    ],
    inputs: [0, 1, 2],
    outputs: extraOutput ? [16, 4] : [16],
  };
}

/** relu((x − mean)/√(var + ε)·γ + β), per channel, in plain JS. */
function expected(x: Float32Array, gamma: Float32Array, beta: Float32Array): number[] {
  const out: number[] = [];
  const n = H * W;
  const mean = [...Array(C).keys()].map((c) => Array.from({ length: n }, (_, p) => x[p * C + c]!).reduce((a, b) => a + b) / n);
  const variance = mean.map((m, c) => Array.from({ length: n }, (_, p) => (x[p * C + c]! - m) ** 2).reduce((a, b) => a + b) / n);
  for (let p = 0; p < n; p++)
    for (let c = 0; c < C; c++) out.push(Math.max(0, ((x[p * C + c]! - mean[c]!) / Math.sqrt(variance[c]! + EPS)) * gamma[c]! + beta[c]!));
  return out;
}

describe("graph rewrites", () => {
  const x = seeded(H * W * C, 41).map((v) => v * 4 + 1);
  const gamma = Float32Array.from([1.5, -0.7]);
  const beta = Float32Array.from([0.2, 0.4]);
  const inputs = () => [tf.tensor4d(x, [1, H, W, C]), tf.tensor4d(gamma, [1, 1, 1, C]), tf.tensor4d(beta, [1, 1, 1, C])];

  it("plans TFLite's ten-operator instance norm as one step, seeing through (de)quantisation", () => {
    const model = parseTflite(buildTflite(instanceNormSpec()));
    const constantValues = (i: number) => (i === 3 ? [1, 2] : i === 9 ? [EPS] : undefined);
    const fused = planGraph(model, { constantValues });
    expect(fused.steps).toEqual([{ kind: "instanceNorm", index: 0, x: 0, scale: 1, offset: 2, epsilon: EPS, activation: Act.RELU, output: 16 }]);
    const plain = planGraph(model, { constantValues, fuse: false });
    expect(plain.steps.map((s) => (s.kind === "op" ? s.op.opName : s.kind))).toEqual([
      "MEAN",
      "SQUARED_DIFFERENCE",
      "MEAN",
      "ADD",
      "RSQRT",
      "MUL",
      "MUL",
      "MUL",
      "SUB",
      "ADD",
    ]);
    // The alias of a dropped DEQUANTIZE is its input.
    const sqd = plain.steps[1]!;
    expect(sqd.kind === "op" ? sqd.op.inputs : []).toEqual([0, 4]);
  });

  it("the fused graph computes the same normalisation as the operators one by one", async () => {
    const want = expected(x, gamma, beta);
    for (const fuse of [true, false]) {
      const graph = TfliteGraph.fromBytes(buildTflite(instanceNormSpec()), { fuse });
      const ins = inputs();
      const [y] = graph.execute(ins);
      const got = Array.from(await y!.data());
      tf.dispose([y!, ...ins]);
      graph.dispose();
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => {
        expect(v).toBeCloseTo(want[i]!, 4);
      });
    }
  });

  it("does not fuse when an intermediate is needed elsewhere (here: the mean is also an output)", async () => {
    const model = parseTflite(buildTflite(instanceNormSpec(true)));
    const plan = planGraph(model, { constantValues: (i) => (i === 3 ? [1, 2] : i === 9 ? [EPS] : undefined) });
    expect(plan.steps.every((s) => s.kind === "op")).toBe(true);
    const graph = TfliteGraph.fromBytes(buildTflite(instanceNormSpec(true)));
    const ins = inputs();
    const [y, m] = graph.execute(ins);
    const got = Array.from(await y!.data());
    const mean = Array.from(await m!.data());
    tf.dispose([y!, m!, ...ins]);
    graph.dispose();
    expected(x, gamma, beta).forEach((v, i) => {
      expect(got[i]).toBeCloseTo(v, 4);
    });
    expect(mean[0]).toBeCloseTo(Array.from({ length: H * W }, (_, p) => x[p * C]!).reduce((a, b) => a + b) / (H * W), 5);
  });
});

/**
 * Magenta's decoder block before its instance norm: RESIZE_NEAREST_NEIGHBOR ×2 → MIRROR_PAD by 1 →
 * CONV_2D 3×3 "valid" (ReLU6 fused here, to check the activation is kept), at a static 3×4 input
 * with 2 → 3 channels. `variant` breaks the pattern in one way each.
 */
function upsampleConvSpec(variant: "plain" | "symmetric" | "upsampledIsOutput" | "alignCorners" | "pad2" = "plain"): ModelSpec {
  const [h, w, cin, cout] = [3, 4, 2, 3];
  const p = variant === "pad2" ? 2 : 1;
  return {
    tensors: [
      { name: "x", shape: [1, h, w, cin] }, // 0
      { name: "size", shape: [2], type: T.INT32, data: i32([2 * h, 2 * w]) }, // 1
      { name: "up", shape: [1, 2 * h, 2 * w, cin] }, // 2
      { name: "paddings", shape: [4, 2], type: T.INT32, data: i32([0, 0, p, p, p, p, 0, 0]) }, // 3
      { name: "padded", shape: [1, 2 * h + 2 * p, 2 * w + 2 * p, cin] }, // 4
      { name: "filter", shape: [cout, 3, 3, cin], data: f32(Array.from(seeded(cout * 9 * cin, 43), (v) => v - 0.5)) }, // 5
      { name: "bias", shape: [cout], data: f32([0.1, -0.2, 0.3]) }, // 6
      { name: "y", shape: [1, 2 * h + 2 * p - 2, 2 * w + 2 * p - 2, cout] }, // 7
    ],
    ops: [
      { op: Op.RESIZE_NEAREST_NEIGHBOR, inputs: [0, 1], outputs: [2], options: resizeNearestOptions(variant === "alignCorners") },
      { op: Op.MIRROR_PAD, inputs: [2, 3], outputs: [4], options: mirrorPadOptions(variant === "symmetric" ? "symmetric" : "reflect") },
      { op: Op.CONV_2D, inputs: [4, 5, 6], outputs: [7], options: conv2dOptions({ padding: "VALID", activation: Act.RELU6 }) },
    ],
    inputs: [0],
    outputs: variant === "upsampledIsOutput" ? [7, 2] : [7],
  };
}

describe("graph rewrites: upsample ×2 → mirror pad → 3×3 conv as a sub-pixel conv", () => {
  const run = async (spec: ModelSpec, fuse: boolean, x: tf.Tensor4D): Promise<Float32Array> => {
    const graph = TfliteGraph.fromBytes(buildTflite(spec), { fuse });
    const [y, ...rest] = graph.execute([x]);
    const values = (await y!.data()) as Float32Array;
    tf.dispose([y!, ...rest]);
    graph.dispose();
    return values;
  };
  const stepKinds = (spec: ModelSpec) => {
    const model = parseTflite(buildTflite(spec));
    const constants = new Map([1, 3, 5, 6].map((i) => [i, model.tensors[i]!.data!]));
    return planGraph(model, {
      constantValues: (i) => {
        const bytes = constants.get(i);
        if (!bytes) return undefined;
        const copy = bytes.slice();
        return model.tensors[i]!.type === T.INT32 ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
      },
    }).steps.map((s) => (s.kind === "op" ? s.op.opName : s.kind));
  };

  it.each(["plain", "symmetric"] as const)(
    "fuses the three operators (%s padding) into one step computing the same values, at other sizes too",
    async (variant) => {
      expect(stepKinds(upsampleConvSpec(variant))).toEqual(["upsampleConv"]);
      for (const [h, w] of [
        [3, 4],
        [5, 2],
      ] as const) {
        const x = tf.tensor4d(
          Array.from(seeded(h * w * 2, 44), (v) => v * 4 - 2),
          [1, h, w, 2],
        );
        const [fused, plain] = [await run(upsampleConvSpec(variant), true, x), await run(upsampleConvSpec(variant), false, x)];
        x.dispose();
        expect(fused.length).toBe(2 * h * 2 * w * 3);
        expect(Math.max(...plain)).toBeGreaterThan(0.5);
        fused.forEach((v, i) => {
          expect(v).toBeCloseTo(plain[i]!, 5);
        });
      }
    },
  );

  it.each(["upsampledIsOutput", "alignCorners", "pad2"] as const)("does not fuse when the graph differs (%s)", (variant) => {
    expect(stepKinds(upsampleConvSpec(variant))).toEqual(["RESIZE_NEAREST_NEIGHBOR", "MIRROR_PAD", "CONV_2D"]);
  });
});
