import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { PasticheError } from "../../src/errors.js";
import { fromImageData, imageSourceToTensor, toImageData } from "../../src/image/imageData.js";
import { rgbImageToTensor } from "../../src/image/tensorImage.js";

describe("ImageData adapters", () => {
  const rgba = { width: 2, height: 1, data: new Uint8ClampedArray([10, 20, 30, 0, 200, 100, 50, 128]) };

  it("drops alpha and restores it opaque", () => {
    const rgb = fromImageData(rgba);
    expect([...rgb.data]).toEqual([10, 20, 30, 200, 100, 50]);
    const back = toImageData(rgb);
    expect([...back.data]).toEqual([10, 20, 30, 255, 200, 100, 50, 255]);
    expect(back.data).toBeInstanceOf(Uint8ClampedArray);
    expect([back.width, back.height, back.colorSpace]).toEqual([2, 1, "srgb"]);
  });

  it("rejects a data length that does not match the size", () => {
    expect(() => fromImageData({ width: 2, height: 2, data: rgba.data })).toThrow(PasticheError);
    expect(() => fromImageData({ width: 2, height: 2, data: rgba.data })).toThrow("expected 16 bytes of RGBA data, got 8");
  });

  it("reads pixel data into the same tensor as rgbImageToTensor", async () => {
    // Outside a browser fromPixels takes tfjs's PixelData ({ width, height, data: Uint8Array } RGBA).
    const fromPixels = imageSourceToTensor({ width: rgba.width, height: rgba.height, data: new Uint8Array(rgba.data) });
    const reference = rgbImageToTensor(fromImageData(rgba));
    expect(fromPixels.shape).toEqual([1, 1, 2, 3]);
    expect(Array.from(await fromPixels.data())).toEqual(Array.from(await reference.data()));
    tf.dispose([fromPixels, reference]);
  });
});
