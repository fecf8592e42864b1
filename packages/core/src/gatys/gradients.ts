import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";

// Kernels whose gradients the Gatys objective differentiates through (Conv2D has its own, custom).
const NEEDED = ["MaxPool", "Reverse", "Sub", "Multiply", "RealDiv", "BatchMatMul", "Reshape", "Mean", "SquaredDifference", "Sum", "AddN", "Slice"];

/**
 * tfjs-core ships gradient definitions separately from the ops: they are registered by importing
 * `@tensorflow/tfjs` (Node) or `@tensorflow/tfjs-core/dist/register_all_gradients` (bundlers). Say
 * so plainly instead of failing deep inside backprop.
 */
export function assertGradientsRegistered(): void {
  const missing = NEEDED.filter((k) => tf.getGradient(k) === undefined);
  if (missing.length > 0) {
    throw new PasticheError(
      "GRADIENTS_NOT_REGISTERED",
      `tfjs gradients are not registered (missing: ${missing.join(", ")}): import "@tensorflow/tfjs" or "@tensorflow/tfjs-core/dist/register_all_gradients" before running`,
    );
  }
}
