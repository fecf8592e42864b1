import { readFileSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { NO_WEIGHTS, describeNeeding } from "@pastiche/vitest-config/needs";
import { expect, it } from "vitest";
import { TfliteStyleModels } from "../../src/index.js";
import { TfliteGraph } from "../../src/tflite/graph.js";
import { parseTflite } from "../../src/tflite/parse.js";

// The real Magenta TFLite files, when PASTICHE_MODELS_DIR points at a directory holding them.
const dir = process.env.PASTICHE_MODELS_DIR ? path.resolve(process.env.PASTICHE_MODELS_DIR, "magenta-arbitrary-tflite") : undefined;
const file = (name: string): Uint8Array => readFileSync(path.join(dir!, name));

/**
 * Expected values from an independent float32 interpreter of the same files (Python, TensorFlow's
 * ops, weights dequantised the same way) on the synthetic images below.
 */
const REFERENCE = {
  bottleneck: [
    0.9404255151748657, -1.4063291549682617, 2.1403615474700928, 1.6044871807098389, -1.8807274103164673, -1.3460849523544312, 2.4040141105651855,
    1.715376377105713, -0.07989144325256348, -0.0665583536028862, -0.4834083914756775, -0.6123182773590088,
  ],
  quantized: {
    mean: [0.5795182585716248, 0.43860840797424316, 0.36538246273994446],
    samples: [0.8396832346916199, 0.13142721354961395, 0.45695406198501587, 0.932881236076355, 0.6366872191429138, 0.4786159098148346, 0.09764648973941803],
  },
  f16: {
    mean: [0.5792372822761536, 0.4379135072231293, 0.3647077977657318],
    samples: [0.8404433131217957, 0.1312180459499359, 0.457151859998703, 0.9284021854400635, 0.6466677188873291, 0.5025484561920166, 0.10287714004516602],
  },
  sampleIndices: [0, 1, 777, 5000, 9000, 12345, 18431],
} as const;

function synthetic(h: number, w: number, a: number, b: number, c: number): tf.Tensor4D {
  const data = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < 3; k++) data[(y * w + x) * 3 + k] = ((x * a + y * b + k * c) % 256) / 255;
  return tf.tensor4d(data, [1, h, w, 3]);
}

describeNeeding([dir ? undefined : NO_WEIGHTS], "the real Magenta TFLite files", () => {
  it("parse: names, shapes and operators", () => {
    const p = parseTflite(file("style_predict_quantized_256.tflite"));
    expect(p.operators).toHaveLength(66);
    expect(p.tensors[p.inputs[0]!]!.name).toBe("style_image");
    expect(p.tensors[p.outputs[0]!]!.shape).toEqual([1, 1, 1, 100]);
    for (const name of ["style_transfer_quantized_384.tflite", "style_transfer_f16_384.tflite"]) {
      const t = parseTflite(file(name));
      expect(t.inputs.map((i) => t.tensors[i]!.name)).toEqual(["content_image", "mobilenet_conv/Conv/BiasAdd"]);
      expect(t.tensors[t.outputs[0]!]!.name).toBe("transformer/expand/conv3/conv/Sigmoid");
      expect(t.operators.filter((o) => o.opName === "RESIZE_NEAREST_NEIGHBOR")).toHaveLength(3);
    }
  });

  it("predicts the bottleneck and paints at a size other than 384, as the float reference does", async () => {
    const before = tf.memory().numTensors;
    const predictor = file("style_predict_quantized_256.tflite");
    for (const variant of ["quantized", "f16"] as const) {
      const models = TfliteStyleModels.fromFiles({ predictor, transfer: file(`style_transfer_${variant}_384.tflite`) });
      const style = synthetic(256, 256, 7, 3, 50);
      const content = synthetic(64, 96, 5, 11, 80);
      const b = models.predictStyle(style);
      expect(b.shape).toEqual([1, 1, 1, 100]);
      const bv = await b.data();
      REFERENCE.bottleneck.forEach((v, i) => {
        expect(bv[i]).toBeCloseTo(v, 4);
      });
      const y = models.transfer(content, b);
      expect(y.shape).toEqual([1, 64, 96, 3]);
      const yv = (await y.data()) as Float32Array;
      const ref = REFERENCE[variant];
      REFERENCE.sampleIndices.forEach((idx, k) => {
        expect(Math.abs(yv[idx]! - ref.samples[k]!)).toBeLessThan(2e-4);
      });
      const means = [0, 1, 2].map((c) => yv.filter((_, i) => i % 3 === c).reduce((a, v) => a + v, 0) / (64 * 96));
      means.forEach((m, c) => {
        expect(Math.abs(m - ref.mean[c]!)).toBeLessThan(1e-4);
      });
      tf.dispose([style, content, b, y]);
      models.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("int8 and fp16 transfer files agree within a few levels, also off the multiple-of-4 grid", async () => {
    const predictor = TfliteGraph.fromBytes(file("style_predict_quantized_256.tflite"));
    const int8 = new TfliteStyleModels(predictor, TfliteGraph.fromBytes(file("style_transfer_quantized_384.tflite")));
    const fp16 = TfliteGraph.fromBytes(file("style_transfer_f16_384.tflite"));
    const style = synthetic(256, 256, 3, 9, 40);
    const content = synthetic(97, 130, 5, 11, 80); // padded to 100×132 inside, cropped back
    const b = int8.predictStyle(style);
    const a = int8.transfer(content, b);
    const f16Models = new TfliteStyleModels(TfliteGraph.fromBytes(file("style_predict_quantized_256.tflite")), fp16);
    const f = f16Models.transfer(content, b);
    expect(a.shape).toEqual([1, 97, 130, 3]);
    const diff = (await tf.mean(tf.abs(tf.sub(a, f))).data())[0]! * 255;
    expect(diff).toBeLessThan(3);
    tf.dispose([style, content, b, a, f]);
    int8.dispose();
    f16Models.dispose();
  });
});
