import { fromImageData, toImageData, type RgbImage } from "@pastiche/core";
import { BrowserStylizeError } from "./errors.ts";

/** What the engine accepts as an image: anything a canvas can draw, or raw RGBA pixels. */
export type BrowserImageSource = ImageData | ImageBitmap | HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | OffscreenCanvas;

function sourceSize(source: Exclude<BrowserImageSource, ImageData>): { width: number; height: number } {
  if (typeof HTMLVideoElement !== "undefined" && source instanceof HTMLVideoElement) return { width: source.videoWidth, height: source.videoHeight };
  if (typeof HTMLImageElement !== "undefined" && source instanceof HTMLImageElement) return { width: source.naturalWidth, height: source.naturalHeight };
  return { width: source.width, height: source.height };
}

/** The RGBA pixels of `source`, drawn onto a canvas when it is not pixels already. */
export function readPixels(source: BrowserImageSource): ImageData {
  if (source instanceof ImageData) return source;
  const { width, height } = sourceSize(source);
  if (width === 0 || height === 0) throw new BrowserStylizeError("BAD_IMAGE", "the image has no pixels (not loaded yet?)");
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) throw new BrowserStylizeError("BAD_IMAGE", "no 2D canvas context to read the image's pixels");
  context.drawImage(source, 0, 0);
  return context.getImageData(0, 0, width, height);
}

/** The RGB pixels of `source` (core's image type). */
export function rgbFromSource(source: BrowserImageSource): RgbImage {
  return fromImageData(readPixels(source));
}

/** core's `toImageData` returns a real `ImageData` wherever the global exists, as in every browser. */
export function imageDataFromRgb(image: RgbImage): ImageData {
  return toImageData(image) as ImageData;
}
