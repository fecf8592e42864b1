import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";

/**
 * The transfer network downsamples by 4 and upsamples back, so it needs sides that are multiples
 * of 4. Other sizes are mirror-padded at the bottom and right and the result cropped back.
 */
export const TRANSFER_SIZE_MULTIPLE = 4;
/** Below this the network's own 4-pixel mirror padding has nothing to reflect. */
export const MIN_TRANSFER_SIDE = 8;

export function paddedSide(side: number, multiple = TRANSFER_SIZE_MULTIPLE): number {
  return Math.max(MIN_TRANSFER_SIDE, Math.ceil(side / multiple) * multiple);
}

/** Run `fn` on `x` padded to multiples of 4 and crop its result back to `x`'s size. */
export function withPaddedInput(x: tf.Tensor4D, fn: (padded: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (h < MIN_TRANSFER_SIDE || w < MIN_TRANSFER_SIDE) {
    throw new PasticheError("INVALID_IMAGE", `content image is ${w}×${h}; fast stylisation needs at least ${MIN_TRANSFER_SIDE}×${MIN_TRANSFER_SIDE} pixels`);
  }
  const ph = paddedSide(h) - h;
  const pw = paddedSide(w) - w;
  if (ph === 0 && pw === 0) return fn(x);
  return tf.tidy(() => {
    const padded = tf.mirrorPad(
      x,
      [
        [0, 0],
        [0, ph],
        [0, pw],
        [0, 0],
      ],
      "reflect",
    );
    const y = fn(padded);
    return tf.slice(y, [0, 0, 0, 0], [1, h, w, y.shape[3]]);
  });
}
