import * as tf from "@tensorflow/tfjs-core";

/**
 * Exponential moving average of the optimiser's iterates (crowsonkb's style-transfer-pytorch): the
 * optimised image jitters from step to step, its average does not, so the average is smoother and
 * often lower in loss. Bias-corrected like Adam's moments: after t updates the weights sum to 1, so
 * early averages are not pulled towards zero. Owns one tensor.
 */
export class IterateAverage {
  private accum: tf.Tensor4D | undefined;
  private decayPower = 1;

  constructor(private readonly decay: number) {}

  update(image: tf.Tensor4D): void {
    const previous = this.accum;
    this.accum = tf.tidy<tf.Tensor4D>(() =>
      previous === undefined ? tf.mul(image, 1 - this.decay) : tf.add(tf.mul(previous, this.decay), tf.mul(image, 1 - this.decay)),
    );
    previous?.dispose();
    this.decayPower *= this.decay;
  }

  /** The bias-corrected average as a new tensor (the caller disposes it); undefined before any update. */
  value(): tf.Tensor4D | undefined {
    const accum = this.accum;
    return accum === undefined ? undefined : tf.tidy(() => tf.div<tf.Tensor4D>(accum, 1 - this.decayPower));
  }

  dispose(): void {
    this.accum?.dispose();
    this.accum = undefined;
  }
}
