import type * as tf from "@tensorflow/tfjs-core";

/**
 * Magenta's arbitrary-stylisation networks (Ghiasi et al. 2017) behind one interface, whatever
 * they were loaded from (TFLite files, TF.js graph models). Both take RGB in [0,1].
 */
export interface ArbitraryStyleModels {
  /** Identifies the weights (e.g. the files' names); part of the bottleneck cache key. */
  readonly id: string;
  /** Style image [1,H,W,3] → style bottleneck [1,1,1,N] (N = 100 for Magenta's). */
  predictStyle(style: tf.Tensor4D): tf.Tensor4D;
  /** Content image [1,H,W,3] at any size and a bottleneck → the stylised image [1,H,W,3] in [0,1]. */
  transfer(content: tf.Tensor4D, bottleneck: tf.Tensor4D): tf.Tensor4D;
  /** Free the networks' tensors. */
  dispose(): void;
}

/**
 * The part of a tfjs GraphModel (`tf.loadGraphModel`) used here, typed structurally so that core
 * does not depend on tfjs-converter: the caller loads the model and hands it over.
 */
export interface GraphModelLike {
  /** Run the graph on one tensor or a list of them (tfjs's `GraphModel.predict`). */
  predict(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;
  /** Free the graph's weights. */
  dispose(): void;
}
