import type { RgbImage } from "@pastiche/core";
import { BrowserStylizeError } from "./errors.ts";

/** What the engine accepts as an image: anything a canvas can draw, or raw RGBA pixels. */
export type BrowserImageSource = ImageData | ImageBitmap | HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | OffscreenCanvas;

function sourceSize(source: Exclude<BrowserImageSource, ImageData>): { width: number; height: number } {
  if (typeof HTMLVideoElement !== "undefined" && source instanceof HTMLVideoElement) return { width: source.videoWidth, height: source.videoHeight };
  if (typeof HTMLImageElement !== "undefined" && source instanceof HTMLImageElement) return { width: source.naturalWidth, height: source.naturalHeight };
  return { width: source.width, height: source.height };
}

/** The RGBA pixels of `source`, drawn onto a canvas when it is not pixels already. */
export function toImageData(source: BrowserImageSource): ImageData {
  if (source instanceof ImageData) return source;
  const { width, height } = sourceSize(source);
  if (width === 0 || height === 0) throw new BrowserStylizeError("BAD_IMAGE", "the image has no pixels (not loaded yet?)");
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) throw new BrowserStylizeError("BAD_IMAGE", "no 2D canvas context to read the image's pixels");
  context.drawImage(source, 0, 0);
  return context.getImageData(0, 0, width, height);
}

// Local until core's fromImageData/toImageData (issue #15, corelib) land; same contract.
export function rgbFromImageData(image: ImageData): RgbImage {
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    data[i * 3] = image.data[i * 4]!;
    data[i * 3 + 1] = image.data[i * 4 + 1]!;
    data[i * 3 + 2] = image.data[i * 4 + 2]!;
  }
  return { width: image.width, height: image.height, data };
}

export function imageDataFromRgb(image: RgbImage): ImageData {
  const pixels = image.width * image.height;
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    rgba[i * 4] = image.data[i * 3]!;
    rgba[i * 4 + 1] = image.data[i * 3 + 1]!;
    rgba[i * 4 + 2] = image.data[i * 3 + 2]!;
    rgba[i * 4 + 3] = 255;
  }
  return new ImageData(rgba, image.width, image.height);
}
