import * as tf from "@tensorflow/tfjs-core";
import { assertRgbImage, type RgbImage, type RgbImage16 } from "./rgbImage.js";

/** RGB bytes → [1, H, W, 3] float32 in [0,1]. */
export function rgbImageToTensor(image: RgbImage): tf.Tensor4D {
  assertRgbImage(image, "image");
  const floats = new Float32Array(image.data.length);
  for (let i = 0; i < floats.length; i++) floats[i] = image.data[i]! / 255;
  return tf.tensor4d(floats, [1, image.height, image.width, 3]);
}

/** [1, H, W, 3] in [0,1] → integer samples 0…max, rounded to the nearest level (one read-back). */
async function tensorToSamples(t: tf.Tensor4D, max: number): Promise<{ width: number; height: number; ints: tf.TypedArray }> {
  const [, height, width] = t.shape;
  const levels = tf.tidy(() => tf.cast(tf.round(tf.mul(tf.clipByValue(t, 0, 1), max)), "int32"));
  try {
    return { width, height, ints: await levels.data() };
  } finally {
    levels.dispose();
  }
}

/** [1, H, W, 3] in [0,1] → RGB bytes, rounded to the nearest level. */
export async function tensorToRgbImage(t: tf.Tensor4D): Promise<RgbImage> {
  const { width, height, ints } = await tensorToSamples(t, 255);
  return { width, height, data: Uint8Array.from(ints) };
}

/** [1, H, W, 3] in [0,1] → 16-bit samples, rounded to the nearest of 65536 levels. */
export async function tensorToRgbImage16(t: tf.Tensor4D): Promise<RgbImage16> {
  const { width, height, ints } = await tensorToSamples(t, 65535);
  return { width, height, data: Uint16Array.from(ints) };
}

/** Bilinear resize of a 16-bit image (as {@link resizeRgbImage}); the same image if the size matches. */
export async function resizeRgbImage16(image: RgbImage16, width: number, height: number): Promise<RgbImage16> {
  if (image.width === width && image.height === height) return image;
  const resized = tf.tidy(() => {
    const floats = Float32Array.from(image.data, (v) => v / 65535);
    return tf.image.resizeBilinear(tf.tensor4d(floats, [1, image.height, image.width, 3]), [height, width], false, true);
  });
  try {
    return await tensorToRgbImage16(resized);
  } finally {
    resized.dispose();
  }
}

/** Bilinear resize of an RgbImage (half-pixel centres, alignCorners false); the same image if the size matches. */
export async function resizeRgbImage(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  const resized = tf.tidy(() => tf.image.resizeBilinear(rgbImageToTensor(image), [height, width], false, true));
  try {
    return await tensorToRgbImage(resized);
  } finally {
    resized.dispose();
  }
}
