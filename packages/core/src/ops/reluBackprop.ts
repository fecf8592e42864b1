import * as tf from "@tensorflow/tfjs-core";

/**
 * Kernel name of the ReLU backward pass from ReLU's output: dy where y > 0, else 0. Backends may
 * register a one-pass kernel under it (tfjs-node does: TensorFlow's LeakyReluGrad with α = 0, see
 * @pastiche/node's backend/kernels); tfjs has none of its own.
 */
export const RELU_BACKPROP = "PasticheReluBackprop";

/** The inputs of the {@link RELU_BACKPROP} kernel: the upstream gradient and ReLU's output. */
export interface ReluBackpropInputs extends tf.NamedTensorMap {
  readonly dy: tf.Tensor;
  /** ReLU's output (≥ 0); its positive entries are where the input was positive. */
  readonly y: tf.Tensor;
}

/**
 * dy · [y > 0]. tfjs's own ReLU gradient is mul(dy, step(x)), and tfjs-node runs step as five
 * TensorFlow ops (IsNan, Greater, Fill, Select, Select): ~4× a plain elementwise op, a quarter of
 * a 256 px Gatys iteration. WASM's Step is a single fast kernel, so it keeps that composite.
 */
export function reluBackprop(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (tf.getKernel(RELU_BACKPROP, tf.getBackend()) !== undefined) {
    const inputs: ReluBackpropInputs = { dy, y };
    return tf.engine().runKernel<tf.Tensor>(RELU_BACKPROP, inputs);
  }
  return tf.mul(dy, tf.step(y));
}
