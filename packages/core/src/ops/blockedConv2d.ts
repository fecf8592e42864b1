import * as tf from "@tensorflow/tfjs-core";
import { depthToSpace, spaceToDepth } from "./pixelBlocks.js";

/**
 * A "valid", stride-1 convolution with a large kernel and few channels (Magenta's 9×9 convolutions
 * from 3 to 8 and from 8 to 3 channels) rewritten on B×B pixel blocks: space-to-depth on the input,
 * a small convolution with B²·C in and B²·O out channels, depth-to-space on the output. It does
 * ~1.8× the multiply-adds, but with 48–128 channels instead of 3–8 the backends' conv kernels
 * (oneDNN, XNNPACK) vectorise over channels and run several times faster: on tfjs-node the two
 * 9×9 layers took half of the transfer network's time at 512 px.
 */
export interface BlockedConvFilter {
  readonly block: number;
  /** [kb, kb', B²·C, B²·O]: the blocked kernel. */
  readonly filter: tf.Tensor4D;
  /** The bias repeated for each of the B² output positions of a block, or undefined. */
  readonly bias: tf.Tensor1D | undefined;
  readonly kernelSize: readonly [number, number];
  readonly outChannels: number;
}

/** The block sizes `convBlockSize` may pick. */
export const BLOCK_SIZES: readonly number[] = [2, 4];

/**
 * The block size for a large-kernel conv from `inChannels` to `outChannels` (one of them < 8) on
 * `backend`, 1 for the plain conv. Measured at 512 px, idle, in one run (ms, plain / 2×2 / 4×4):
 * tfjs-node 3 → 8: 61 / 35 / 26, 8 → 3: 92 / 30 / 24; WASM 3 → 8: 50 / 52 / 71, 8 → 3: 91 / 65 / 63.
 * Other backends keep what WASM does.
 */
export function convBlockSize(backend: string, inChannels: number, outChannels: number): number {
  if (backend === "tensorflow") return 4;
  return outChannels < 8 && inChannels >= outChannels ? 2 : 1;
}

/** Blocks per kernel side: the block offsets a (0…B−1) plus the kernel's reach (K−1), in blocks. */
const blocksFor = (k: number, b: number): number => Math.floor((b + k - 2) / b) + 1;

/**
 * The blocked kernel of an [kh, kw, C, O] filter (values in HWIO order):
 * W'[P, Q, (q·B + r)·C + c, (a·B + b)·O + o] = w[B·P + q − a, B·Q + r − b, c, o] where in range.
 * Built once at load time.
 */
export function blockConvFilter(
  values: Float32Array,
  shape: readonly [number, number, number, number],
  bias: Float32Array | undefined,
  block: number,
): BlockedConvFilter {
  const [kh, kw, c, o] = shape;
  const B = block;
  const ph = blocksFor(kh, B);
  const pw = blocksFor(kw, B);
  const inC = B * B * c;
  const outC = B * B * o;
  const out = new Float32Array(ph * pw * inC * outC);
  for (let P = 0; P < ph; P++)
    for (let Q = 0; Q < pw; Q++)
      for (let q = 0; q < B; q++)
        for (let r = 0; r < B; r++)
          for (let a = 0; a < B; a++)
            for (let b = 0; b < B; b++) {
              const dy = B * P + q - a;
              const dx = B * Q + r - b;
              if (dy < 0 || dy >= kh || dx < 0 || dx >= kw) continue;
              for (let ci = 0; ci < c; ci++) {
                const src = ((dy * kw + dx) * c + ci) * o;
                const dst = ((P * pw + Q) * inC + (q * B + r) * c + ci) * outC + (a * B + b) * o;
                for (let oi = 0; oi < o; oi++) out[dst + oi] = values[src + oi]!;
              }
            }
  const repeated = bias ? Float32Array.from({ length: outC }, (_, i) => bias[i % o]!) : undefined;
  return {
    block: B,
    filter: tf.tensor4d(out, [ph, pw, inC, outC]),
    bias: repeated ? tf.tensor1d(repeated) : undefined,
    kernelSize: [kh, kw],
    outChannels: o,
  };
}

/** The "valid" convolution of x [1, H, W, C] with the original filter, computed blocked. */
export function blockedConv2d(x: tf.Tensor4D, f: BlockedConvFilter, activation: tf.fused.Activation): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const [n, h, w] = x.shape;
    const B = f.block;
    const [kh, kw] = f.kernelSize;
    const oh = h - kh + 1;
    const ow = w - kw + 1;
    const bh = Math.ceil(oh / B);
    const bw = Math.ceil(ow / B);
    // Input blocks the output blocks read: (bh + kb − 1)·B rows, ≥ h; zeros past the edge only feed
    // outputs that are cropped away.
    const hs = bh + blocksFor(kh, B) - 1;
    const ws = bw + blocksFor(kw, B) - 1;
    const padded = tf.pad(x, [
      [0, 0],
      [0, hs * B - h],
      [0, ws * B - w],
      [0, 0],
    ]);
    const s2d = spaceToDepth(padded, B);
    const y = tf.fused.conv2d({ x: s2d, filter: f.filter, strides: 1, pad: "valid", ...(f.bias ? { bias: f.bias } : {}), activation });
    const o = f.outChannels;
    const d2s = depthToSpace(y, B);
    return bh * B === oh && bw * B === ow ? d2s : tf.slice(d2s, [0, 0, 0, 0], [n, oh, ow, o]);
  });
}
