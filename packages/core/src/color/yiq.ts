import * as tf from "@tensorflow/tfjs-core";
import { invert3, transpose3, type Matrix3 } from "./matrix3.js";

/** RGB → YIQ (NTSC): Y is luminance, I and Q the chrominance. */
export const RGB_TO_YIQ: Matrix3 = [
  [0.299, 0.587, 0.114],
  [0.5959, -0.2746, -0.3213],
  [0.2115, -0.5227, 0.3112],
];
// The exact inverse of the matrix above (not the rounded textbook one), so a round trip is the identity.
export const YIQ_TO_RGB: Matrix3 = invert3(RGB_TO_YIQ);

/** Applies a 3×3 colour matrix to every pixel of an [..., 3] tensor. */
export function applyColorMatrix<T extends tf.Tensor>(image: T, m: Matrix3): T {
  return tf.tidy(() => {
    // pixels (N×3) · mᵀ: the transpose is a constant, so no transposed-operand matmul (slow on WASM).
    const pixels = tf.reshape(image, [-1, 3]);
    return tf.reshape(tf.matMul(pixels, tf.tensor2d(transpose3(m).flat(), [3, 3])), image.shape) as T;
  });
}

export function rgbToYiq<T extends tf.Tensor>(rgb: T): T {
  return applyColorMatrix(rgb, RGB_TO_YIQ);
}

export function yiqToRgb<T extends tf.Tensor>(yiq: T): T {
  return applyColorMatrix(yiq, YIQ_TO_RGB);
}

/**
 * The result's luminance with the content's chrominance (Gatys et al. 2017, "luminance-only
 * transfer"): the style changes brightness patterns, the content keeps its colours. Both are
 * [1, H, W, 3] RGB of the same size; the output is not clipped (tensorToRgbImage clips).
 */
export function transferLuminance(result: tf.Tensor4D, content: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [y] = tf.split(rgbToYiq(result), [1, 2], 3);
    const [, iq] = tf.split(rgbToYiq(content), [1, 2], 3);
    return yiqToRgb(tf.concat([y!, iq!], 3) as tf.Tensor4D);
  });
}
