import type * as tf from "@tensorflow/tfjs-core";

/** The objective at the current image: the loss and its gradient with respect to the image. */
export interface Evaluation {
  readonly loss: tf.Scalar;
  readonly grad: tf.Tensor4D;
}

/**
 * An optimiser of the image, which lives in a tf.Variable and is kept in [0,1] after every update.
 * `step` calls `evaluate` (L-BFGS may call it more than once in variants with line search) and
 * returns the evaluation at the image it started from; the caller disposes it.
 */
export interface ImageOptimizer {
  /** Evaluate at `image` (through `evaluate`) and update `image` in place; returns that evaluation. */
  step(image: tf.Variable<tf.Rank.R4>, evaluate: () => Evaluation): Evaluation;
  /** Free the optimiser's state tensors. */
  dispose(): void;
}
