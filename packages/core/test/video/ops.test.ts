import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { flicker } from "../../src/video/ops/flicker.js";
import { occlusionMask } from "../../src/video/ops/occlusionMask.js";
import { temporalBlend } from "../../src/video/ops/temporalBlend.js";
import { temporalLoss } from "../../src/video/ops/temporalLoss.js";
import { warpByFlow } from "../../src/video/ops/warpByFlow.js";

const uniformFlow = (h: number, w: number, dx: number, dy: number): tf.Tensor3D =>
  tf.tidy(() => tf.tile<tf.Tensor3D>(tf.tensor3d([dx, dy], [1, 1, 2]), [h, w, 1]));
const ramp = (h: number, w: number): tf.Tensor3D => tf.tidy(() => tf.reshape<tf.Rank.R3>(tf.range(0, h * w, 1, "float32"), [h, w, 1]));

describe("warpByFlow", () => {
  it("is the identity for a zero flow and shifts by whole pixels, clamping at the border", () => {
    const image = ramp(3, 4);
    const same = warpByFlow(image, uniformFlow(3, 4, 0, 0));
    expect(Array.from(same.dataSync())).toEqual(Array.from(image.dataSync()));
    const shifted = warpByFlow(image, uniformFlow(3, 4, 1, 0));
    // out(x, y) = image(x + 1, y); the last column samples the border.
    expect(Array.from(shifted.dataSync())).toEqual([1, 2, 3, 3, 5, 6, 7, 7, 9, 10, 11, 11]);
    const down = warpByFlow(image, uniformFlow(3, 4, 0, 1));
    expect(Array.from(down.dataSync()).slice(0, 4)).toEqual([4, 5, 6, 7]);
    tf.dispose([image, same, shifted, down]);
  });

  it("samples bilinearly between pixels", () => {
    const image = ramp(2, 2); // [[0, 1], [2, 3]]
    const out = warpByFlow(image, uniformFlow(2, 2, 0.5, 0.5));
    expect(out.dataSync()[0]).toBeCloseTo(1.5, 5);
    const quarter = warpByFlow(image, uniformFlow(2, 2, 0.25, 0));
    expect(quarter.dataSync()[0]).toBeCloseTo(0.25, 5);
    tf.dispose([image, out, quarter]);
  });

  it("leaves no tensors behind", () => {
    const image = ramp(4, 4);
    const flow = uniformFlow(4, 4, 0.3, -0.7);
    const before = tf.memory().numTensors;
    const out = warpByFlow(image, flow);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([image, flow, out]);
  });
});

describe("occlusionMask", () => {
  it("trusts consistent flows inside the frame and drops pixels whose flow leaves it", () => {
    // The scene moved 1 px right: forward +1, backward −1; the first column came from outside.
    const mask = occlusionMask(uniformFlow(2, 4, 1, 0), uniformFlow(2, 4, -1, 0));
    expect(Array.from(mask.dataSync())).toEqual([0, 1, 1, 1, 0, 1, 1, 1]);
    tf.dispose(mask);
  });

  it("rejects flows that do not come back (occlusions)", () => {
    const mask = occlusionMask(uniformFlow(3, 3, 2, 0), uniformFlow(3, 3, 2, 0));
    expect(Array.from(mask.dataSync()).every((v) => v === 0)).toBe(true);
    const small = occlusionMask(uniformFlow(3, 3, 0.2, 0), uniformFlow(3, 3, 0.2, 0)); // |0.4|² ≤ 0.5: within tolerance
    expect(small.dataSync()[4]).toBe(1);
    tf.dispose([mask, small]);
  });
});

describe("temporalBlend", () => {
  it("moves towards the warped previous output by the weight, only where the mask holds", () => {
    const current = tf.tensor3d([0, 0], [1, 2, 1]);
    const warped = tf.tensor3d([1, 1], [1, 2, 1]);
    const mask = tf.tensor3d([1, 0], [1, 2, 1]);
    expect(Array.from(temporalBlend(current, warped, mask, 0.75).dataSync())).toEqual([0.75, 0]);
    expect(Array.from(temporalBlend(current, warped, mask, 0).dataSync())).toEqual([0, 0]);
    tf.dispose([current, warped, mask]);
  });
});

describe("temporalLoss", () => {
  it("is the masked mean squared difference on the 0–255 scale, with no gradient on occluded pixels", () => {
    const image = tf.tensor4d([0.1, 0.2, 0.3, 0.5, 0.5, 0.5], [1, 1, 2, 3]);
    const warped = tf.tensor4d([0, 0.2, 0.3, 0, 0, 0], [1, 1, 2, 3]);
    const mask = tf.tensor4d([1, 0], [1, 1, 2, 1]);
    expect(temporalLoss(image, warped, mask).dataSync()[0]).toBeCloseTo((25.5 * 25.5) / 6, 2);
    const grad = tf.grad((x: tf.Tensor) => temporalLoss(x as tf.Tensor4D, warped, mask))(image);
    expect(Array.from(grad.dataSync()).slice(3)).toEqual([0, 0, 0]);
    expect(grad.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([image, warped, mask, grad]);
  });
});

describe("flicker", () => {
  it("is the mean absolute difference over reliable pixels and channels, 0 when none is reliable", () => {
    const a = tf.tensor3d([0.5, 0.5, 0.5, 1, 1, 1], [1, 2, 3]);
    const b = tf.tensor3d([0.25, 0.25, 0.25, 0, 0, 0], [1, 2, 3]);
    expect(flicker(a, b, tf.tensor3d([1, 0], [1, 2, 1])).dataSync()[0]).toBeCloseTo(0.25, 6);
    expect(flicker(a, b, tf.tensor3d([0, 0], [1, 2, 1])).dataSync()[0]).toBe(0);
    tf.dispose([a, b]);
  });
});
