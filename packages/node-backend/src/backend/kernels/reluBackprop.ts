import * as tf from "@tensorflow/tfjs-core";
import { RELU_BACKPROP, type ReluBackpropInputs } from "@pastiche/core";
import type { NativeBackend } from "./nativeBackend.js";

/**
 * core's ReLU backward pass (ops/reluBackprop.ts) as TensorFlow's one-pass ReluGrad(gradients,
 * features) on tfjs-node: `features` may be ReLU's output, since it is positive exactly where the
 * input was. Registered once when tfjs-node becomes the backend.
 */
export function registerNativeReluBackprop(): void {
  if (tf.getKernel(RELU_BACKPROP, "tensorflow") !== undefined) return;
  tf.registerKernel({
    kernelName: RELU_BACKPROP,
    backendName: "tensorflow",
    kernelFunc: ({ inputs, backend }) => {
      const { dy, y } = inputs as ReluBackpropInputs;
      const native = backend as unknown as NativeBackend;
      const dtype = { name: "T", type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT };
      return native.executeSingleOutput("ReluGrad", [dtype], [dy, y]);
    },
  });
}
