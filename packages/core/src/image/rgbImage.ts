import { PasticheError } from "../errors.js";

/**
 * A decoded 8-bit RGB image in row-major order, 3 bytes per pixel. This is the only image type core
 * knows; decoding and encoding files belongs to the platform adapters (sharp in Node, canvas in a
 * browser).
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * Check that `image` is a well-formed {@link RgbImage}: positive integer sides and exactly
 * width × height × 3 bytes.
 *
 * @param what - Names the image in the error message, e.g. "Content image".
 * @throws PasticheError INVALID_IMAGE, naming `what` and the problem.
 */
export function assertRgbImage(image: RgbImage, what: string): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new PasticheError("INVALID_IMAGE", `${what}: invalid size ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new PasticheError("INVALID_IMAGE", `${what}: expected ${width * height * 3} bytes of RGB data, got ${data.length}`);
  }
}

/** The same layout with 16-bit samples (0–65535): a result kept at more than 8 bits for 16-bit PNG/TIFF output. */
export interface RgbImage16 {
  readonly width: number;
  readonly height: number;
  readonly data: Uint16Array;
}
