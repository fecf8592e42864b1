import * as tf from "@tensorflow/tfjs-core";
import { RELU_BACKPROP, type ReluBackpropInputs } from "@pastiche/core";

/** The parts of tfjs-node's NodeJSKernelBackend this kernel uses (its class is not exported). */
interface NativeBackend {
  readonly binding: { readonly TF_ATTR_TYPE: number; readonly TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: readonly { name: string; type: number; value: unknown }[], inputs: readonly tf.Tensor[]): tf.Tensor;
}

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
