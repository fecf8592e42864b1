import * as tf from "@tensorflow/tfjs-core";
import type { Evaluation, ImageOptimizer } from "./types.js";

/** Adam's hyper-parameters (see {@link ADAM_DEFAULTS} for the defaults used by Gatys runs). */
export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** The TensorFlow tutorial's settings for style transfer. */
export const ADAM_DEFAULTS: AdamOptions = { learningRate: 0.02, beta1: 0.99, beta2: 0.999, epsilon: 0.1 };

/**
 * Adam with Keras' update rule, x −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε). tfjs's AdamOptimizer adds ε
 * to √v̂ instead, which with the large ε = 0.1 used for style transfer takes different steps, so
 * results would not match the reference algorithm. The image is clipped to [0,1] after each step.
 */
export class AdamImageOptimizer implements ImageOptimizer {
  private m: tf.Tensor | undefined;
  private v: tf.Tensor | undefined;
  private t = 0;

  constructor(private readonly options: AdamOptions = ADAM_DEFAULTS) {}

  /** Evaluate the loss and its gradient at `image`, then move `image` one Adam step; returns the evaluation. */
  step(image: tf.Variable<tf.Rank.R4>, evaluate: () => Evaluation): Evaluation {
    const evaluation = evaluate();
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon } = this.options;
    this.t += 1;
    const alpha = (lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    const g = evaluation.grad;
    const [m, v] = tf.tidy(() => {
      const m = this.m ? tf.add(tf.mul(this.m, b1), tf.mul(g, 1 - b1)) : tf.mul(g, 1 - b1);
      const v = this.v ? tf.add(tf.mul(this.v, b2), tf.mul(tf.square(g), 1 - b2)) : tf.mul(tf.square(g), 1 - b2);
      image.assign(tf.clipByValue(tf.sub(image, tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(v), epsilon))), 0, 1) as tf.Tensor4D);
      return [m, v];
    });
    this.m?.dispose();
    this.v?.dispose();
    this.m = m;
    this.v = v;
    return evaluation;
  }

  /** Free the moment estimates. */
  dispose(): void {
    this.m?.dispose();
    this.v?.dispose();
    this.m = this.v = undefined;
  }
}
