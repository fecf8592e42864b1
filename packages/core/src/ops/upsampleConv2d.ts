import * as tf from "@tensorflow/tfjs-core";
import { depthToSpace } from "./pixelBlocks.js";

/*
 * "Nearest ×2 upsample → mirror pad by 1 → valid 3×3 conv" (the decoder of Magenta's transfer
 * network, twice) as one sub-pixel convolution on the low-resolution input: each output pixel of
 * phase (a, b) — its row and column parity — reads only a 2×2 neighbourhood of the input, through
 * the original taps summed where the upsample repeats a pixel. So a 3×3 conv with 4·O output
 * channels, one per phase, followed by depth-to-space computes the same values without building the
 * upsampled image or padding it (4× the pixels of the input, and two full-resolution passes).
 *
 * Derivation, per axis: output row 2k + a, tap i (0…2) reads upsampled row 2k + a + i − 1, which is
 * input row k + ⌊(a + i − 1)/2⌋, i.e. tap ⌊(a + i + 1)/2⌋ of the input padded by one row. At the
 * borders the upsampled image's reflection (row −1 = row 1) and its symmetric mirror (row −1 =
 * row 0) are both input row 0: the low-resolution input is padded symmetrically, whichever mode the
 * file uses.
 */

/** A prepared sub-pixel filter: [3, 3, C, 4·O], phase (a, b) in channels (2a + b)·O … (2a + b + 1)·O − 1. */
export interface UpsampleConvFilter {
  readonly filter: tf.Tensor4D;
  /** The bias repeated for each phase, or undefined. */
  readonly bias: tf.Tensor1D | undefined;
}

/** The input tap (0…2 of the input padded by one) that tap `i` of a 3×3 kernel reads for output phase `a`. */
const inputTap = (a: number, i: number): number => Math.floor((a + i + 1) / 2);

/** The sub-pixel filter of a [3, 3, C, O] filter (values in HWIO order). Built once at load time. */
export function upsampleConvFilter(
  values: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  bias: ArrayLike<number> | undefined,
): UpsampleConvFilter {
  const [kh, kw, c, o] = shape;
  if (kh !== 3 || kw !== 3) throw new Error(`upsampleConvFilter: a 3×3 filter is needed, got ${kh}×${kw}`);
  const outC = 4 * o;
  const out = new Float32Array(3 * 3 * c * outC);
  for (let a = 0; a < 2; a++)
    for (let b = 0; b < 2; b++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          const p = inputTap(a, i);
          const q = inputTap(b, j);
          for (let ci = 0; ci < c; ci++) {
            const src = ((i * kw + j) * c + ci) * o;
            const dst = ((p * 3 + q) * c + ci) * outC + (2 * a + b) * o;
            for (let oi = 0; oi < o; oi++) out[dst + oi] = out[dst + oi]! + values[src + oi]!;
          }
        }
  return {
    filter: tf.tensor4d(out, [3, 3, c, outC]),
    bias: bias ? tf.tensor1d(Float32Array.from({ length: outC }, (_, k) => bias[k % o]!)) : undefined,
  };
}

/** conv3×3(mirrorPad(upsample×2(x), 1)) for x [N, H, W, C]: [N, 2H, 2W, O]. */
export function upsampleConv2d(x: tf.Tensor4D, f: UpsampleConvFilter, activation: tf.fused.Activation): tf.Tensor4D {
  return tf.tidy(() => {
    const padded = tf.mirrorPad(
      x,
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      "symmetric",
    );
    const phases = tf.fused.conv2d({ x: padded, filter: f.filter, strides: 1, pad: "valid", ...(f.bias ? { bias: f.bias } : {}), activation });
    return depthToSpace(phases, 2);
  });
}
