import * as tf from "@tensorflow/tfjs-core";
import { MAX_POOL_2X2_BACKPROP, maxPool2x2BackpropByMask, type MaxPool2x2BackpropInputs } from "@pastiche/core";

/**
 * VGG's max-pool backward pass (core's ops/maxPoolBackprop.ts) on tfjs-node as a broadcast
 * comparison and multiply, which TensorFlow runs 2–2.6× faster than its MaxPoolGrad. Registered once
 * when tfjs-node becomes the backend; WASM keeps tfjs's gradient, which is faster there.
 */
export function registerNativeMaxPoolBackprop(): void {
  if (tf.getKernel(MAX_POOL_2X2_BACKPROP, "tensorflow") !== undefined) return;
  tf.registerKernel({
    kernelName: MAX_POOL_2X2_BACKPROP,
    backendName: "tensorflow",
    kernelFunc: ({ inputs }) => maxPool2x2BackpropByMask(inputs as MaxPool2x2BackpropInputs),
  });
}
