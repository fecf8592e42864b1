import * as tf from "@tensorflow/tfjs-core";
import { INSTANCE_NORM, type InstanceNormAttrs, type InstanceNormInputs } from "@pastiche/core";
import type { NativeBackend } from "./nativeBackend.js";

/**
 * core's instance norm (ops/instanceNorm.ts) as one TensorFlow kernel: FusedBatchNormV3 in training
 * mode normalises with the batch's own mean and biased variance per channel, which for a batch of
 * one are the instance's — two passes over the activation instead of the five of the composite.
 * Registered once when tfjs-node becomes the backend.
 */
export function registerNativeInstanceNorm(): void {
  if (tf.getKernel(INSTANCE_NORM, "tensorflow") !== undefined) return;
  tf.registerKernel({
    kernelName: INSTANCE_NORM,
    backendName: "tensorflow",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, scale, offset } = inputs as InstanceNormInputs;
      const { epsilon } = attrs as unknown as InstanceNormAttrs;
      const native = backend as unknown as NativeBackend;
      const b = native.binding;
      const float = { type: b.TF_ATTR_TYPE, value: b.TF_FLOAT };
      // Training mode takes no running statistics: empty mean and variance.
      const empty = tf.tensor1d([], "float32");
      try {
        const outputs = native.executeMultipleOutputs(
          "FusedBatchNormV3",
          [
            { name: "T", ...float },
            { name: "U", ...float },
            { name: "epsilon", type: b.TF_ATTR_FLOAT, value: epsilon },
            { name: "data_format", type: b.TF_ATTR_STRING, value: "NHWC" },
            { name: "is_training", type: b.TF_ATTR_BOOL, value: true },
          ],
          [x, scale, offset, empty, empty],
          6,
        );
        tf.dispose(outputs.slice(1));
        return outputs[0]!;
      } finally {
        empty.dispose();
      }
    },
  });
}
