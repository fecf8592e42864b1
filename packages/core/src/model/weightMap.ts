import type { Tensor } from "@tensorflow/tfjs-core";

/**
 * Named weights as Keras names them, without the `:0` suffix: `block1_conv1/kernel` ([3,3,in,out],
 * HWIO) and `block1_conv1/bias` ([out]). Every importer (tfjs layers model, Keras HDF5) produces one.
 */
export type WeightMap = Record<string, Tensor>;

/** Dispose every tensor of a {@link WeightMap} (the caller owns what a loader returns). */
export function disposeWeightMap(weights: WeightMap): void {
  for (const t of Object.values(weights)) t.dispose();
}
