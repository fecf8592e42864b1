import * as tf from "@tensorflow/tfjs-core";
import { MAX_POOL_2X2_BACKPROP, maxPool2x2BackpropByMask, type MaskedRoute, type MaxPool2x2BackpropInputs } from "@pastiche/core";
import type { NativeBackend } from "./nativeBackend.js";

/**
 * VGG's max-pool backward pass (core's ops/maxPoolBackprop.ts) on tfjs-node as a broadcast
 * comparison and a broadcasting SelectV2, which TensorFlow runs 2–3× faster than its MaxPoolGrad.
 * Registered once when tfjs-node becomes the backend; WASM keeps tfjs's gradient, which is faster there.
 */
export function registerNativeMaxPoolBackprop(): void {
  if (tf.getKernel(MAX_POOL_2X2_BACKPROP, "tensorflow") !== undefined) return;
  tf.registerKernel({
    kernelName: MAX_POOL_2X2_BACKPROP,
    backendName: "tensorflow",
    kernelFunc: ({ inputs, backend }) => {
      const native = backend as unknown as NativeBackend;
      const dtype = { name: "T", type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT };
      // SelectV2 broadcasts its operands in place (tfjs's `where` would tile dy to full size first).
      const route: MaskedRoute = (atMax, dy) => tf.tidy(() => native.executeSingleOutput("SelectV2", [dtype], [atMax, dy, tf.scalar(0)]));
      return maxPool2x2BackpropByMask(inputs as MaxPool2x2BackpropInputs, route);
    },
  });
}
