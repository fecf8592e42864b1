import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { PasticheError } from "../../src/index.js";
import { ActivationFunctionType as Act } from "../../src/tflite/schema.js";
import { TfliteGraph } from "../../src/tflite/graph.js";
import { Op, T, addOptions, buildTflite, conv2dOptions, f32, i32, i8, mirrorPadOptions, reducerOptions } from "./helpers/buildTflite.js";
import { seeded } from "./helpers/reference.js";

// A small model using most of the importer: quantised conv, mirror pad, resize, mean, add.
const model = buildTflite({
  tensors: [
    { name: "x", shape: [1, 4, 4, 2] },
    { name: "pad", shape: [4, 2], type: T.INT32, data: i32([0, 0, 1, 1, 1, 1, 0, 0]) },
    { name: "xp", shape: [1, 6, 6, 2] },
    {
      name: "w",
      shape: [3, 3, 3, 2],
      type: T.INT8,
      data: i8(Array.from(seeded(54, 9, -100, 100), Math.round)),
      quant: { scale: [0.01, 0.02, 0.03], zeroPoint: [0, 0, 0], dim: 0 },
    },
    { name: "b", shape: [3], data: f32([0.1, 0.2, 0.3]) },
    { name: "c", shape: [1, 4, 4, 3] },
    { name: "size", shape: [2], type: T.INT32, data: i32([8, 8]) },
    { name: "up", shape: [1, 8, 8, 3] },
    { name: "axes", shape: [2], type: T.INT32, data: i32([1, 2]) },
    { name: "m", shape: [1, 1, 1, 3] },
    { name: "y", shape: [1, 8, 8, 3] },
  ],
  ops: [
    { op: Op.MIRROR_PAD, inputs: [0, 1], outputs: [2], options: mirrorPadOptions("reflect") },
    { op: Op.CONV_2D, inputs: [2, 3, 4], outputs: [5], options: conv2dOptions({ padding: "VALID", activation: Act.RELU }) },
    { op: Op.RESIZE_NEAREST_NEIGHBOR, inputs: [5, 6], outputs: [7] },
    { op: Op.MEAN, inputs: [7, 8], outputs: [9], options: reducerOptions(true) },
    { op: Op.ADD, inputs: [7, 9], outputs: [10], options: addOptions() },
  ],
  inputs: [0],
  outputs: [10],
});

/** Load and run; anything but success or a PasticheError is a failure of the importer. */
function tryModel(bytes: Uint8Array): "ok" | "error" {
  let graph: TfliteGraph | undefined;
  const x = tf.ones([1, 4, 4, 2]);
  try {
    graph = TfliteGraph.fromBytes(bytes, { source: "fuzz.tflite" });
    tf.dispose(graph.execute([x]));
    return "ok";
  } catch (e) {
    if (!(e instanceof PasticheError)) throw new Error(`not a PasticheError: ${String(e)}`, { cause: e });
    expect(e.message).toMatch(/^fuzz\.tflite: /);
    expect(e.message).not.toContain("\n");
    return "error";
  } finally {
    graph?.dispose();
    x.dispose();
  }
}

describe("malformed TFLite files", () => {
  it("the intact model loads and runs", () => {
    expect(tryModel(model)).toBe("ok");
  });

  it("every truncation gives a one-line INVALID_WEIGHTS, never a crash", () => {
    const before = tf.memory().numTensors;
    for (let n = 0; n < model.length; n += Math.max(1, Math.floor(model.length / 300))) {
      expect(tryModel(model.slice(0, n))).toBe("error");
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("random corruption either still works or fails cleanly, quickly", () => {
    const before = tf.memory().numTensors;
    const started = performance.now();
    let s = 12345;
    const rand = (n: number): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s % n;
    };
    const outcomes = { ok: 0, error: 0 };
    for (let trial = 0; trial < 600; trial++) {
      const bytes = model.slice();
      const flips = 1 + rand(6);
      for (let k = 0; k < flips; k++) {
        const at = rand(bytes.length);
        // Mix small nudges (plausible offsets) with arbitrary bytes and 0xff runs (huge lengths).
        bytes[at] = trial % 3 === 0 ? 0xff : trial % 3 === 1 ? (bytes[at]! + 1 + rand(4)) & 0xff : rand(256);
      }
      outcomes[tryModel(bytes)]++;
    }
    expect(outcomes.error).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(tf.memory().numTensors).toBe(before);
  });
});
