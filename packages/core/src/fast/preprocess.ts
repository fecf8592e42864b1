import * as tf from "@tensorflow/tfjs-core";
import type { RgbImage } from "../image/rgbImage.js";
import { rgbImageToTensor } from "../image/tensorImage.js";

/**
 * The style predictor's input, as Magenta's TFLite example prepares it: scale so the shorter side
 * is `size` (bilinear, half-pixel centres — `tf.image.resize`'s default), then crop the centre
 * square. Returns [1, size, size, 3] in [0,1].
 */
export function prepareStyleImage(image: RgbImage, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const x = rgbImageToTensor(image);
    const { height: h, width: w } = image;
    const scale = size / Math.min(h, w);
    // Truncated like tf.cast(shape * scale, tf.int32); at least `size` so the crop fits.
    const nh = Math.max(size, Math.floor(h * scale));
    const nw = Math.max(size, Math.floor(w * scale));
    const resized = nh === h && nw === w ? x : tf.image.resizeBilinear(x, [nh, nw], false, true);
    const top = Math.floor((nh - size) / 2);
    const left = Math.floor((nw - size) / 2);
    return tf.slice(resized, [0, top, left, 0], [1, size, size, 3]);
  });
}

/** Scale so the longer side is `longestSide` (bilinear); the image unchanged if it already is. */
export function resizeLongestSide(x: tf.Tensor4D, longestSide: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (Math.max(h, w) === longestSide) return x;
  const scale = longestSide / Math.max(h, w);
  const size: [number, number] = [Math.max(1, Math.round(h * scale)), Math.max(1, Math.round(w * scale))];
  return tf.tidy(() => tf.clipByValue(tf.image.resizeBilinear(x, size, false, true), 0, 1));
}
