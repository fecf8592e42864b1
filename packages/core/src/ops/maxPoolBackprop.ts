import * as tf from "@tensorflow/tfjs-core";

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
 */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  if (tf.getKernel(MAX_POOL_2X2_BACKPROP, tf.getBackend()) === undefined) return tf.maxPool(x, 2, 2, "valid");
  return maxPoolWithKernelGrad(x) as tf.Tensor4D;
}

/** The pool with the registered kernel as its gradient; it captures nothing, so it is built once. */
const maxPoolWithKernelGrad = tf.customGrad((input, save) => {
  const y = tf.maxPool(input as tf.Tensor4D, 2, 2, "valid");
  (save as tf.GradSaveFunc)([input as tf.Tensor4D, y]);
  return {
    value: y,
    gradFunc: (dy, saved) => {
      const [xs, ys] = saved as [tf.Tensor4D, tf.Tensor4D];
      const inputs: MaxPool2x2BackpropInputs = { dy, x: xs, y: ys };
      return tf.engine().runKernel<tf.Tensor4D>(MAX_POOL_2X2_BACKPROP, inputs);
    },
  };
});

/**
 * dy routed to every input equal to its window's maximum, as one broadcast comparison and one
 * multiply: 2–2.6× faster than TensorFlow's MaxPoolGrad on tfjs-node (docs/backends.md), ~4×
 * slower than WASM's, so only backends where it wins register it. It differs from MaxPoolGrad only
 * where a window's maximum is tied: each tied input gets dy, not just the first. In VGG every pool
 * follows a ReLU, whose ties are zeros, and the ReLU's backward pass zeroes those anyway.
 */
export function maxPool2x2BackpropByMask({ dy, x, y }: MaxPool2x2BackpropInputs): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = x.shape as [number, number, number, number];
    const [h, w] = [Math.floor(height / 2), Math.floor(width / 2)];
    const even = height === 2 * h && width === 2 * w ? x : tf.slice(x, [0, 0, 0, 0], [n, 2 * h, 2 * w, channels]);
    const windows = tf.reshape(even, [n * h, 2, w, 2, channels]);
    const atMax = tf.cast(tf.equal(windows, tf.reshape(y, [n * h, 1, w, 1, channels])), "float32");
    const dx = tf.reshape<tf.Rank.R4>(tf.mul(atMax, tf.reshape(dy, [n * h, 1, w, 1, channels])), [n, 2 * h, 2 * w, channels]);
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
