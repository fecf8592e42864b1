import type * as tf from "@tensorflow/tfjs-core";

/** An attribute of a TensorFlow op as tfjs-node's binding takes it. */
export interface NativeOpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: unknown;
}

/**
 * The parts of tfjs-node's NodeJSKernelBackend that Pastiche's kernels use to run a TensorFlow op
 * by name (its class is not exported).
 */
export interface NativeBackend {
  readonly binding: {
    readonly TF_ATTR_TYPE: number;
    readonly TF_ATTR_INT: number;
    readonly TF_ATTR_FLOAT: number;
    readonly TF_ATTR_BOOL: number;
    readonly TF_ATTR_STRING: number;
    readonly TF_FLOAT: number;
  };
  executeSingleOutput(name: string, attrs: readonly NativeOpAttr[], inputs: readonly tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: readonly NativeOpAttr[], inputs: readonly tf.Tensor[], numOutputs: number): tf.Tensor[];
}
