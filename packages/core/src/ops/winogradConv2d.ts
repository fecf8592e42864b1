import * as tf from "@tensorflow/tfjs-core";
import { imagePatches } from "./imagePatches.js";

/*
 * 3×3 "same" stride-1 convolution by Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray 2015,
 * points 0, ±1, ±2, ∞): each 4×4 output tile is Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A of its 6×6 input tile d,
 * so the channel products become 36 matrix products of [tiles, C]·[C, K]: 36 multiply-adds per 16
 * outputs (2.25 each) instead of the direct convolution's 9, 4× fewer. The tile transforms are
 * memory-bound passes; they pay only where the channels are many and the image small, so that the
 * products dominate (256 channels and more on both sides: VGG19's block3_conv2 to block5, see winogradPays).
 */

const BT = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
const G = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
const AT = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];

/** The Kronecker product: the 2-D transform M·X·Mᵀ of a row-major flattened X is kron(M, M)·vec(X). */
function kron(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  return a.flatMap((ra) => b.map((rb) => ra.flatMap((x) => rb.map((y) => x * y))));
}

/** The three 2-D transforms as matrices on flattened tiles, computed once (not per call). */
const FILTER_TRANSFORM = kron(G, G); // [36, 9]
const INPUT_TRANSFORM = kron(BT, BT); // [36, 36]
const OUTPUT_TRANSFORM = kron(AT, AT); // [16, 36]

/** Output tile side: the image is cut into 4×4 tiles, each computed from a 6×6 input tile. */
const TILE = 4;

/**
 * G g Gᵀ of a [3, 3, C, K] (HWIO) kernel, as the [36, C, K] filter {@link winogradConv2d} takes.
 * One matrix product on the device (no readback), computed once per kernel.
 */
export function winogradFilter(kernel: tf.Tensor4D): tf.Tensor3D {
  const [kh, kw, c, k] = kernel.shape;
  if (kh !== 3 || kw !== 3) throw new Error(`winogradFilter: needs a 3×3 kernel, got ${kh}×${kw}`);
  return tf.tidy(() => tf.reshape<tf.Rank.R3>(tf.matMul(tf.tensor2d(FILTER_TRANSFORM), tf.reshape(kernel, [9, c * k])), [36, c, k]));
}

/** The 3×3 "same", stride-1 convolution of `x` [N, H, W, C] with a {@link winogradFilter}, [N, H, W, K]. */
export function winogradConv2d(x: tf.Tensor4D, filter: tf.Tensor3D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const k = filter.shape[2];
  const [th, tw] = [Math.ceil(h / TILE), Math.ceil(w / TILE)];
  const tiles = n * th * tw;
  return tf.tidy(() => {
    // "same" padding of 1, plus up to 3 more at the bottom and right to fill the last tiles.
    const padded = tf.pad(x, [
      [0, 0],
      [1, TILE * th + 1 - h],
      [1, TILE * tw + 1 - w],
      [0, 0],
    ]);
    const d = tf.transpose(tf.reshape(imagePatches(padded, TILE + 2, TILE), [tiles, 36, c]), [1, 0, 2]);
    const v = tf.reshape<tf.Rank.R3>(tf.matMul(tf.tensor2d(INPUT_TRANSFORM), tf.reshape(d, [36, tiles * c])), [36, tiles, c]);
    const m = tf.matMul(v, filter); // [36, tiles, K]
    const y = tf.matMul(tf.tensor2d(OUTPUT_TRANSFORM), tf.reshape(m, [36, tiles * k])); // [(p, q), tiles·K]
    const image = tf.reshape<tf.Rank.R4>(tf.transpose(tf.reshape(y, [TILE, TILE, n, th, tw, k]), [2, 3, 0, 4, 1, 5]), [n, TILE * th, TILE * tw, k]);
    return th * TILE === h && tw * TILE === w ? image : tf.slice(image, [0, 0, 0, 0], [n, h, w, k]);
  });
}

/**
 * Whether F(4×4, 3×3) beats the direct convolution for an H×W image from `inChannels` to
 * `outChannels` on `backend`. Only tfjs-node was measured to gain (ExtractImagePatches makes its
 * input transform one copy; elsewhere it is 36 strided slices). `pnpm bench` measures every VGG19
 * shape (benchmarks/src/winograd.bench.ts; docs/backends.md has the tables of two machines): with
 * 256 or more channels on both sides and at least 24×32 pixels Winograd took 0.55–0.92 of the
 * direct conv's time on one machine and 0.56–1.13 on another (256 → 256, 512 → 256 about even
 * there); with 128 channels on either side or 16×16 pixels it is 0.94–2.5, so those stay direct.
 */
export function winogradPays(backend: string, height: number, width: number, inChannels: number, outChannels: number): boolean {
  return backend === "tensorflow" && inChannels >= 256 && outChannels >= 256 && height * width >= 24 * 32;
}
