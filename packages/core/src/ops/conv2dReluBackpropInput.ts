import * as tf from "@tensorflow/tfjs-core";
import { conv2dBiasRelu, conv2dReluWithInputGrad, type FastGradConvWeights } from "./conv2dReluFastGrad.js";

/**
 * A 3×3 ("same", stride 1) conv + bias + ReLU whose input gradient is tfjs's Conv2DBackpropInput
 * kernel (via conv2dTranspose), with the ReLU step of reluBackprop.ts. It is the "tfjs" conv
 * gradient: the same kernels as tfjs's autograd of conv2dReluTfjsGrad, minus autograd's ReLU
 * derivative (five ops on tfjs-node) and the unused kernel/bias gradient bookkeeping. On tfjs-node
 * TensorFlow's backward-data convolution (oneDNN) is as fast as a forward one.
 */
export function conv2dReluBackpropInputGrad(x: tf.Tensor4D, w: Pick<FastGradConvWeights, "kernel" | "bias">): tf.Tensor4D {
  return conv2dReluWithInputGrad(
    x,
    (t) => conv2dBiasRelu(t, w),
    (dz) => tf.conv2dTranspose(dz, w.kernel, x.shape, 1, "same"),
  );
}
