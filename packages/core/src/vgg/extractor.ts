import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import { validateVgg19Weights } from "./weights.js";
import type { WeightMap } from "../model/weightMap.js";
import { VggConvLayer, type ConvAlgorithm, type ConvGradient } from "./convLayer.js";
import { VGG19_LAYERS, deepestLayerIndex, resolveLayerName, type VggLayer } from "./layers.js";
import { preprocessCaffe } from "./preprocess.js";
import { maxPool2x2, maxPoolGradientIsKernel } from "../ops/maxPoolBackprop.js";

export type { ConvAlgorithm, ConvGradient } from "./convLayer.js";

/**
 * The faster gradient per tfjs backend, as `pnpm bench` measured it (docs/benchmarks.md): the
 * flipped-kernel forward conv on every backend measured. On WASM it is ~5× faster than
 * Conv2DBackpropInput; on tfjs-node, idle and interleaved in one run (2026-12-03), a whole Adam
 * iteration took 1.09 vs 1.30 s at 256 px and 3.55 vs 4.59 s at 512 px (TensorFlow's backprop-input
 * kernel ran at ~78 GFLOP/s, its forward conv at ~140). Unknown backends get it too: it only needs
 * a fast forward convolution.
 */
const PREFERRED_CONV_GRADIENT: Readonly<Record<string, ConvGradient>> = { wasm: "flipped-conv", tensorflow: "flipped-conv" };

/**
 * The conv-layer gradient that is faster on `backend` (default: the active one): the flipped-kernel
 * convolution on WASM and tfjs-node, and wherever nothing was measured.
 */
export function preferredConvGradient(backend: string = tf.getBackend()): ConvGradient {
  return PREFERRED_CONV_GRADIENT[backend] ?? "flipped-conv";
}

/** Options of a {@link VggFeatureExtractor}. */
export interface VggExtractorOptions {
  /** Layers whose activations `extract` returns, in Keras (`block4_conv2`) or Torch (`relu4_2`) names. */
  readonly layers: readonly string[];
  /** Default: the faster one on the active backend ({@link preferredConvGradient}). */
  readonly convGradient?: ConvGradient | "auto";
  /** Direct or Winograd convolutions; default "auto" (see {@link ConvAlgorithm}). */
  readonly convAlgorithm?: ConvAlgorithm;
  /** The pooling layers' op: max (VGG as trained, default) or average (Gatys et al. prefer it; neural-style's -pooling avg). */
  readonly pooling?: VggPooling;
}

/** VGG19's pooling: "max" as trained, or "avg" (smoother results, as Gatys et al. suggest). */
export type VggPooling = "max" | "avg";

/**
 * A layer of the truncated network. `poolTakesRelu`: a conv whose output only the max pool after
 * it reads, or that pool: the pool can do the conv's ReLU backward pass (4× fewer pixels) where
 * the backend has the pool's gradient kernel (see ops/maxPoolBackprop.ts).
 */
type Stage = { readonly layer: VggLayer; readonly conv?: VggConvLayer; readonly poolTakesRelu: boolean };

/**
 * VGG19 feature extractor, fully convolutional (any input size), with Keras' "caffe" preprocessing
 * inside: it takes RGB in [0,1]. The network is truncated after the deepest requested layer.
 *
 * It borrows the weight tensors (the caller disposes the WeightMap) and owns only the kernels its
 * layers derive from them (flipped, Winograd), released by `dispose()`.
 */
export class VggFeatureExtractor {
  /** Requested layers, resolved to Keras names, in the order given (duplicates removed). */
  readonly layers: readonly string[];
  private readonly stages: readonly Stage[];
  private readonly pooling: VggPooling;
  private disposed = false;

  constructor(weights: WeightMap, options: VggExtractorOptions) {
    if (options.layers.length === 0) {
      throw new PasticheError("INVALID_OPTION", "no VGG19 layers requested");
    }
    this.layers = [...new Set(options.layers.map(resolveLayerName))];
    const gradient = options.convGradient === undefined || options.convGradient === "auto" ? preferredConvGradient() : options.convGradient;
    const layers = VGG19_LAYERS.slice(0, deepestLayerIndex(this.layers) + 1);
    validateVgg19Weights(
      weights,
      layers.filter((l) => l.kind === "conv").map((l) => l.name),
    );
    const algorithm = options.convAlgorithm ?? "auto";
    this.pooling = options.pooling ?? "max";
    // The fold needs the flipped-conv gradient (the "tfjs" one does its own ReLU step) and an unread conv output.
    const folds = (i: number) =>
      this.pooling === "max" &&
      gradient === "flipped-conv" &&
      layers[i]?.kind === "conv" &&
      layers[i + 1]?.kind === "pool" &&
      !this.layers.includes(layers[i].name);
    // Presence and shapes were checked by validateVgg19Weights.
    this.stages = layers.map((layer, i) =>
      layer.kind === "pool"
        ? { layer, poolTakesRelu: folds(i - 1) }
        : {
            layer,
            conv: new VggConvLayer(weights[`${layer.name}/kernel`] as tf.Tensor4D, weights[`${layer.name}/bias`] as tf.Tensor1D, gradient, algorithm),
            poolTakesRelu: folds(i),
          },
    );
  }

  /**
   * Activations (post-ReLU for convs) of the requested layers for a batch of RGB images in [0,1].
   * Call inside `tf.tidy` (or dispose the results): intermediates are not kept.
   */
  extract(rgb01: tf.Tensor4D): Record<string, tf.Tensor4D> {
    if (this.disposed) throw new Error("VggFeatureExtractor used after dispose()");
    const wanted = new Set(this.layers);
    const out: Record<string, tf.Tensor4D> = {};
    // The backend is the call's (a run may switch it), the structure the constructor's.
    const poolMasks = maxPoolGradientIsKernel();
    let h = preprocessCaffe(rgb01);
    for (const { layer, conv, poolTakesRelu } of this.stages) {
      if (!conv) h = this.pooling === "avg" ? tf.avgPool(h, 2, 2, "valid") : maxPool2x2(h, poolMasks && poolTakesRelu);
      else h = conv.apply(h, poolMasks && poolTakesRelu);
      if (wanted.has(layer.name)) out[layer.name] = h;
    }
    return out;
  }

  /** Free the kernels the layers derived (the weights stay the caller's). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.stages) s.conv?.dispose();
  }
}
