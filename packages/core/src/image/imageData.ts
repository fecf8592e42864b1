import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import type { RgbImage } from "./rgbImage.js";

/** The shape of a browser `ImageData` (RGBA, 4 bytes per pixel); a plain object with these fields works too. */
export interface RgbaPixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray | Uint8Array;
}

/** An `ImageData`-like result: a real `ImageData` in a browser, a plain object elsewhere (Node). */
export interface ImageDataLike {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
  readonly colorSpace: "srgb" | "display-p3";
}

/** Browser pixel sources `tf.browser.fromPixels` reads. */
export type ImageSource = Parameters<typeof tf.browser.fromPixels>[0];

/**
 * Converts RGBA pixels (a canvas's `getImageData`) to core's RGB image; alpha is dropped.
 * @throws PasticheError INVALID_IMAGE when the size and data length disagree.
 * @example
 * ```ts
 * const content = fromImageData(canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height));
 * ```
 */
export function fromImageData(image: RgbaPixels): RgbImage {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new PasticheError("INVALID_IMAGE", `ImageData: invalid size ${width}x${height}`);
  }
  if (data.length !== width * height * 4) {
    throw new PasticheError("INVALID_IMAGE", `ImageData: expected ${width * height * 4} bytes of RGBA data, got ${data.length}`);
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; q < rgb.length; p += 4, q += 3) {
    rgb[q] = data[p]!;
    rgb[q + 1] = data[p + 1]!;
    rgb[q + 2] = data[p + 2]!;
  }
  return { width, height, data: rgb };
}

/**
 * Converts core's RGB image to opaque RGBA: a real `ImageData` when the global exists (browsers), else a plain object.
 * @example
 * ```ts
 * canvas.getContext("2d")!.putImageData(toImageData(result) as ImageData, 0, 0);
 * ```
 */
export function toImageData(image: RgbImage): ImageDataLike {
  const { width, height, data } = image;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0, q = 0; q < data.length; p += 4, q += 3) {
    rgba[p] = data[q]!;
    rgba[p + 1] = data[q + 1]!;
    rgba[p + 2] = data[q + 2]!;
    rgba[p + 3] = 255;
  }
  const ImageDataCtor = (globalThis as { ImageData?: new (data: Uint8ClampedArray, width: number, height: number) => ImageDataLike }).ImageData;
  return ImageDataCtor ? new ImageDataCtor(rgba, width, height) : { data: rgba, width, height, colorSpace: "srgb" };
}

/**
 * Reads an `HTMLImageElement`, `ImageBitmap`, canvas, video frame or `ImageData` into a float32
 * [1,H,W,3] tensor in [0,1] (the layout `rgbImageToTensor` gives). The caller disposes it.
 */
export function imageSourceToTensor(source: ImageSource): tf.Tensor4D {
  return tf.tidy(() => tf.expandDims<tf.Tensor4D>(tf.div(tf.cast(tf.browser.fromPixels(source, 3), "float32"), 255), 0));
}
