import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { disposeWeightMap, rgbImageToTensor, stylizeGatys, type StylizeEvent } from "../src/index.js";
import { colorStatistics, matchColorStatistics } from "../src/color/colorStatistics.js";
import { rgbToYiq, transferLuminance, yiqToRgb } from "../src/color/yiq.js";
import { symmetricEigen3, symmetricPower3, multiply3, type Matrix3 } from "../src/color/matrix3.js";
import { syntheticVggWeights, testImage } from "./helpers/syntheticVgg.js";

const content = rgbImageToTensor(testImage(12, 10));
const style = rgbImageToTensor(testImage(9, 14, 5));
const result = rgbImageToTensor(testImage(12, 10, 5)); // a stand-in for a run's output, content-sized
const weights = syntheticVggWeights("block2_conv1");
afterAll(() => {
  tf.dispose([content, style, result]);
  disposeWeightMap(weights);
});

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(tol);
}

describe("symmetric 3×3 eigen-decomposition (Jacobi)", () => {
  const m: Matrix3 = [
    [4, 1, 0.5],
    [1, 3, -0.2],
    [0.5, -0.2, 2],
  ];
  it("reconstructs the matrix and has orthonormal eigenvectors", () => {
    const { values, vectors } = symmetricEigen3(m);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let rebuilt = 0;
        let dot = 0;
        for (let k = 0; k < 3; k++) {
          rebuilt += vectors[i]![k]! * values[k]! * vectors[j]![k]!;
          dot += vectors[k]![i]! * vectors[k]![j]!;
        }
        expect(rebuilt).toBeCloseTo(m[i]![j]!, 12);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });
  it("square root squared is the matrix; m^½ · m^−½ is the identity", () => {
    const root = symmetricPower3(m, 0.5);
    expectClose(multiply3(root, root).flat(), m.flat(), 1e-12);
    expectClose(multiply3(root, symmetricPower3(m, -0.5)).flat(), [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-12);
  });
});

describe("colour control", () => {
  it("RGB → YIQ → RGB is the identity", () => {
    const back = tf.tidy(() => yiqToRgb(rgbToYiq(content)));
    expectClose(back.dataSync(), content.dataSync(), 1e-5);
    back.dispose();
  });

  it("luminance transfer keeps the result's luminance and the content's chrominance", () => {
    const [y, iq, yResult, iqContent] = tf.tidy(() => {
      const split = (t: tf.Tensor4D) => tf.split(rgbToYiq(t), [1, 2], 3);
      const out = split(transferLuminance(result, content));
      return [out[0]!, out[1]!, split(result)[0]!, split(content)[1]!];
    });
    expectClose(y.dataSync(), yResult.dataSync(), 1e-5);
    expectClose(iq.dataSync(), iqContent.dataSync(), 1e-5);
    tf.dispose([y, iq, yResult, iqContent]);
  });

  it("colour statistics matching gives exactly the content's mean and covariance", () => {
    const matched = matchColorStatistics(style, content);
    expect(matched.shape).toEqual(style.shape);
    const got = colorStatistics(matched);
    const want = colorStatistics(content);
    expectClose(got.mean, want.mean, 1e-5);
    expectClose(got.covariance.flat(), want.covariance.flat(), 1e-5);
    matched.dispose();
  });

  it("colour statistics matching is the identity when the style is the content", () => {
    const matched = matchColorStatistics(content, content);
    expectClose(matched.dataSync(), content.dataSync(), 1e-4);
    matched.dispose();
  });

  it("the run applies preserveColors and leaks no tensors", async () => {
    const contentImage = testImage(16, 12);
    const styleImage = testImage(20, 20, 9);
    const small = {
      optimizer: "adam" as const,
      contentLayers: ["block2_conv1"],
      styleLayers: ["block1_conv1", "block2_conv1"],
      iterations: 2,
      previewEvery: 1,
    };
    const final = async (preserveColors: "none" | "luminance" | "histogram") => {
      const events: StylizeEvent[] = [];
      for await (const e of stylizeGatys({ content: contentImage, styles: [styleImage], weights, options: { ...small, preserveColors } })) events.push(e);
      const done = events.at(-1)!;
      if (done.type !== "done") throw new Error("no done event");
      return { image: done.image, preview: events.find((e) => e.type === "iteration" && e.preview) };
    };
    const before = tf.memory().numTensors;
    const none = await final("none");
    const luminance = await final("luminance");
    const histogram = await final("histogram");
    expect(tf.memory().numTensors).toBe(before);
    expect(luminance.image.data).not.toEqual(none.image.data);
    expect(histogram.image.data).not.toEqual(none.image.data);
    expect(luminance.preview).toBeDefined();
    // Luminance mode: the output's chrominance is the content's (up to rounding to bytes and clipping).
    const [outIq, contentIq] = tf.tidy(() => [
      tf.split(rgbToYiq(rgbImageToTensor(luminance.image)), [1, 2], 3)[1]!,
      tf.split(rgbToYiq(rgbImageToTensor(contentImage)), [1, 2], 3)[1]!,
    ]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(outIq, contentIq))).dataSync()[0]!);
    expect(diff).toBeLessThan(0.05);
    tf.dispose([outIq, contentIq]);
  });
});
