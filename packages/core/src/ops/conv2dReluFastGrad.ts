import * as tf from "@tensorflow/tfjs-core";
import { reluBackprop } from "./reluBackprop.js";

/**
 * A 3×3 ("same", stride 1) convolution + bias + ReLU whose INPUT gradient is computed as a forward
 * convolution with the kernel flipped spatially and its in/out channels swapped, instead of tfjs's
 * Conv2DBackpropInput kernel. On WASM that kernel is ~5× slower than a forward conv (XNNPACK has a
 * fast forward path only), and Gatys optimisation needs input gradients alone — so kernel and bias
 * get no gradient here. They are closure constants, not inputs, so tfjs never asks for one.
 *
 * Only valid for odd square kernels with stride 1 and "same" padding, which is all VGG uses: then
 * the transposed convolution equals a "same" convolution with the flipped kernel.
 */
export interface FastGradConvWeights {
  readonly kernel: tf.Tensor4D; // [kh, kw, in, out]
  readonly bias: tf.Tensor1D; // [out]
  /** reverse(kernel, [0,1]) transposed to [kh, kw, out, in]; precomputed once, not per call. */
  readonly flippedKernel: tf.Tensor4D;
}

export function flipKernelForInputGrad(kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]));
}

export function conv2dReluFastGrad(x: tf.Tensor4D, w: FastGradConvWeights): tf.Tensor4D {
  return conv2dReluWithInputGrad(
    x,
    (t) => conv2dBiasRelu(t, w),
    (dz) => flippedConvInputGrad(dz, w.flippedKernel),
  );
}

/** The conv's input gradient from the ReLU-masked upstream gradient: a "same" conv with the flipped kernel. */
export function flippedConvInputGrad(dz: tf.Tensor4D, flippedKernel: tf.Tensor4D): tf.Tensor4D {
  return tf.conv2d(dz, flippedKernel, 1, "same");
}

/** The layer's forward pass: conv2d ("same", stride 1) + bias + ReLU as one fused op where the backend has it. */
export function conv2dBiasRelu(x: tf.Tensor4D, w: Pick<FastGradConvWeights, "kernel" | "bias">): tf.Tensor4D {
  return tf.fused.conv2d({ x, filter: w.kernel, strides: 1, pad: "same", bias: w.bias, activation: "relu" });
}

/**
 * A conv + bias + ReLU layer, `forward`, whose backward pass is ReLU's (from the saved output, see
 * reluBackprop.ts) followed by `inputGrad`, the convolution's input gradient; no kernel or bias
 * gradients (the image is what is optimised). `gradientMasked`: the upstream gradient is already
 * zero wherever the output is (the max pool after the layer applied ReLU's mask at its own, 4×
 * smaller, resolution: ops/maxPoolBackprop.ts), so the full-size ReLU pass is skipped.
 */
export function conv2dReluWithInputGrad(
  x: tf.Tensor4D,
  forward: (x: tf.Tensor4D) => tf.Tensor4D,
  inputGrad: (dz: tf.Tensor4D) => tf.Tensor4D,
  gradientMasked = false,
): tf.Tensor4D {
  const op = tf.customGrad((input, save) => {
    const saveTensors = save as tf.GradSaveFunc;
    const y = forward(input as tf.Tensor4D);
    saveTensors(gradientMasked ? [] : [y]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        if (gradientMasked) return inputGrad(dy as tf.Tensor4D);
        const [out] = saved as [tf.Tensor4D];
        return inputGrad(reluBackprop(dy, out) as tf.Tensor4D);
      },
    };
  });
  return op(x) as tf.Tensor4D;
}

/** The same layer with tfjs's own gradients (Conv2DBackpropInput): the reference and the fallback. */
export function conv2dReluTfjsGrad(x: tf.Tensor4D, w: Pick<FastGradConvWeights, "kernel" | "bias">): tf.Tensor4D {
  return tf.relu(tf.add(tf.conv2d(x, w.kernel, 1, "same"), w.bias)) as tf.Tensor4D;
}
