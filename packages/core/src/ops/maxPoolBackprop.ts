import * as tf from "@tensorflow/tfjs-core";
import { reluBackprop } from "./reluBackprop.js";

/**
 * Kernel name of the backward pass of VGG's 2×2, stride-2, "valid" max pool. Backends may register
 * a faster one (tfjs-node does, see @pastiche/node's backend/kernels: TensorFlow's MaxPoolGrad was
 * ~5% of a 512 px Gatys iteration); elsewhere tfjs's own gradient runs.
 */
export const MAX_POOL_2X2_BACKPROP = "PasticheMaxPool2x2Backprop";

/** The inputs of the {@link MAX_POOL_2X2_BACKPROP} kernel. */
export interface MaxPool2x2BackpropInputs extends tf.NamedTensorMap {
  /** The gradient of the pool's output, [N, ⌊H/2⌋, ⌊W/2⌋, C]. */
  readonly dy: tf.Tensor;
  /** The pool's input, [N, H, W, C]. */
  readonly x: tf.Tensor;
  /** The pool's output. */
  readonly y: tf.Tensor;
}

/**
 * The 2×2 stride-2 max pool of VGG ("valid": an odd last row or column is dropped). Its gradient is
 * the registered {@link MAX_POOL_2X2_BACKPROP} kernel where the backend has one, else tfjs's.
 *
 * `appliesReluGradient` (only where the kernel is registered, see {@link maxPoolGradientIsKernel}):
 * the pool's input is a ReLU's output that nothing else reads, and the pool's gradient also does
 * that ReLU's backward pass, on its own 4× smaller output: an input that is its window's maximum
 * is positive exactly where that maximum is. The layer before then skips its full-size ReLU pass
 * (`gradientMasked` in ops/conv2dReluFastGrad.ts).
 */
export function maxPool2x2(x: tf.Tensor4D, appliesReluGradient = false): tf.Tensor4D {
  if (!maxPoolGradientIsKernel()) return tf.maxPool(x, 2, 2, "valid");
  return (appliesReluGradient ? maxPoolWithReluAndKernelGrad : maxPoolWithKernelGrad)(x) as tf.Tensor4D;
}

/** Whether the active backend registered {@link MAX_POOL_2X2_BACKPROP}, so that {@link maxPool2x2} can apply ReLU's gradient. */
export function maxPoolGradientIsKernel(): boolean {
  return tf.getKernel(MAX_POOL_2X2_BACKPROP, tf.getBackend()) !== undefined;
}

/** The pool with the registered kernel as its gradient, the upstream gradient first masked by ReLU's or not; built once (it captures nothing). */
function poolWithKernelGrad(reluFirst: boolean) {
  return tf.customGrad((input, save) => {
    const y = tf.maxPool(input as tf.Tensor4D, 2, 2, "valid");
    (save as tf.GradSaveFunc)([input as tf.Tensor4D, y]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [xs, ys] = saved as [tf.Tensor4D, tf.Tensor4D];
        const inputs: MaxPool2x2BackpropInputs = { dy: reluFirst ? reluBackprop(dy, ys) : dy, x: xs, y: ys };
        return tf.engine().runKernel<tf.Tensor4D>(MAX_POOL_2X2_BACKPROP, inputs);
      },
    };
  });
}

const maxPoolWithKernelGrad = poolWithKernelGrad(false);
const maxPoolWithReluAndKernelGrad = poolWithKernelGrad(true);

/**
 * Where `atMax` holds, `dy` (broadcast to `atMax`'s shape), else 0: the routing step of
 * {@link maxPool2x2BackpropByMask}. The default multiplies by the cast mask; a backend with a
 * broadcasting select passes that instead (tfjs-node: SelectV2, ~27% faster; tfjs's `where` broadcasts
 * by copying first).
 */
export type MaskedRoute = (atMax: tf.Tensor, dy: tf.Tensor) => tf.Tensor;

const multiplyByMask: MaskedRoute = (atMax, dy) => tf.mul(tf.cast(atMax, "float32"), dy);

/**
 * dy routed to every input equal to its window's maximum, as one broadcast comparison and one
 * `route` (default: a multiply by the mask): 2–2.6× faster than TensorFlow's MaxPoolGrad on
 * tfjs-node (docs/backends.md), ~4× slower than WASM's, so only backends where it wins register
 * it. It differs from MaxPoolGrad only where a window's maximum is tied: each tied input gets dy,
 * not just the first. In VGG every pool follows a ReLU, whose ties are zeros, and the ReLU's
 * backward pass zeroes those anyway.
 */
export function maxPool2x2BackpropByMask({ dy, x, y }: MaxPool2x2BackpropInputs, route: MaskedRoute = multiplyByMask): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = x.shape as [number, number, number, number];
    const [h, w] = [Math.floor(height / 2), Math.floor(width / 2)];
    const even = height === 2 * h && width === 2 * w ? x : tf.slice(x, [0, 0, 0, 0], [n, 2 * h, 2 * w, channels]);
    const windows = tf.reshape(even, [n * h, 2, w, 2, channels]);
    const atMax = tf.equal(windows, tf.reshape(y, [n * h, 1, w, 1, channels]));
    const dx = tf.reshape<tf.Rank.R4>(route(atMax, tf.reshape(dy, [n * h, 1, w, 1, channels])), [n, 2 * h, 2 * w, channels]);
    return even === x
      ? dx
      : tf.pad(dx, [
          [0, 0],
          [0, height - 2 * h],
          [0, width - 2 * w],
          [0, 0],
        ]);
  });
}
