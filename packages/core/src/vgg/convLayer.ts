import * as tf from "@tensorflow/tfjs-core";
import { conv2dBiasRelu, conv2dReluWithInputGrad, flipKernelForInputGrad, flippedConvInputGrad, type FastGradConvWeights } from "../ops/conv2dReluFastGrad.js";
import { conv2dReluBackpropInputGrad } from "../ops/conv2dReluBackpropInput.js";
import { winogradConv2d, winogradFilter, winogradPays } from "../ops/winogradConv2d.js";

/** How convolution input gradients are computed: see ops/conv2dReluFastGrad.ts. */
export type ConvGradient = "flipped-conv" | "tfjs";

/**
 * How a 3×3 conv is computed: "direct" (the backend's conv2d), "winograd" (ops/winogradConv2d.ts,
 * every layer) or "auto": Winograd where it measured faster for the layer's channels and image size
 * on the active backend (`winogradPays` in ops/winogradConv2d.ts), else direct. Winograd needs the
 * flipped-conv gradient: with convGradient "tfjs" every layer is direct.
 */
export type ConvAlgorithm = "auto" | "direct" | "winograd";

/**
 * One VGG conv + bias + ReLU layer with a custom input gradient. It borrows the kernel and bias and
 * owns what it derives from them: the flipped kernel (the flipped-conv gradient) and the Winograd
 * filters, built on first use at a size where they pay (they take 4× the kernel's memory), and
 * released by `dispose()`.
 */
export class VggConvLayer {
  private readonly weights: Pick<FastGradConvWeights, "kernel" | "bias">;
  private flipped: tf.Tensor4D | undefined;
  private winograd: tf.Tensor3D | undefined;
  private flippedWinograd: tf.Tensor3D | undefined;

  constructor(
    kernel: tf.Tensor4D,
    bias: tf.Tensor1D,
    private readonly gradient: ConvGradient,
    private readonly algorithm: ConvAlgorithm,
  ) {
    this.weights = { kernel, bias };
    if (gradient === "flipped-conv") this.flipped = flipKernelForInputGrad(kernel);
  }

  /** The layer on `x`; `gradientMasked`: the upstream gradient already carries ReLU's mask (see conv2dReluWithInputGrad). */
  apply(x: tf.Tensor4D, gradientMasked = false): tf.Tensor4D {
    const { kernel, bias } = this.weights;
    if (this.gradient === "tfjs") return conv2dReluBackpropInputGrad(x, this.weights);
    const [, h, w, inChannels] = x.shape;
    const outChannels = kernel.shape[3];
    const forward = this.uses(h, w, inChannels, outChannels)
      ? (t: tf.Tensor4D) => tf.relu(tf.add(winogradConv2d(t, (this.winograd ??= tf.keep(winogradFilter(kernel)))), bias)) as tf.Tensor4D
      : (t: tf.Tensor4D) => conv2dBiasRelu(t, this.weights);
    const flipped = this.flipped!;
    const inputGrad = this.uses(h, w, outChannels, inChannels)
      ? (dz: tf.Tensor4D) => winogradConv2d(dz, (this.flippedWinograd ??= tf.keep(winogradFilter(flipped))))
      : (dz: tf.Tensor4D) => flippedConvInputGrad(dz, flipped);
    return conv2dReluWithInputGrad(x, forward, inputGrad, gradientMasked);
  }

  /** Free the derived kernels (the weights stay the caller's). */
  dispose(): void {
    tf.dispose([this.flipped, this.winograd, this.flippedWinograd].filter((t) => t !== undefined));
    this.flipped = this.winograd = this.flippedWinograd = undefined;
  }

  private uses(h: number, w: number, inChannels: number, outChannels: number): boolean {
    return this.algorithm === "winograd" || (this.algorithm === "auto" && winogradPays(tf.getBackend(), h, w, inChannels, outChannels));
  }
}
