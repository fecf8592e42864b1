import type * as tf from "@tensorflow/tfjs-core";

/** An attribute of a TensorFlow op as tfjs-node's binding takes it. */
export interface NativeOpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: unknown;
}

/** What tfjs-node's binding returns for each output of an op (or of a session run). */
export interface NativeTensorMetadata {
  readonly id: number;
  readonly shape: number[];
  readonly dtype: number;
}

/**
 * The parts of tfjs-node's native binding Pastiche uses: its type codes, running one op by name,
 * and (for graphs, ../graph) creating and reading tensors and running a SavedModel session.
 */
export interface NativeBinding {
  readonly TF_ATTR_STRING: number;
  readonly TF_ATTR_INT: number;
  readonly TF_ATTR_FLOAT: number;
  readonly TF_ATTR_BOOL: number;
  readonly TF_ATTR_TYPE: number;
  readonly TF_ATTR_SHAPE: number;
  readonly TF_FLOAT: number;
  readonly TF_STRING: number;
  executeOp(name: string, attrs: readonly NativeOpAttr[], inputs: readonly number[], numOutputs: number): NativeTensorMetadata[];
  createTensor(shape: readonly number[], dtype: number, values: ArrayLike<number | boolean | string> & { buffer?: ArrayBufferLike }): number;
  tensorDataSync(id: number): unknown;
  runSavedModel(sessionId: number, inputIds: readonly number[], inputNames: string, outputNames: string): NativeTensorMetadata[];
  deleteSavedModel(sessionId: number): void;
}

/**
 * The parts of tfjs-node's NodeJSKernelBackend that Pastiche's kernels use to run a TensorFlow op
 * by name (its class is not exported).
 */
export interface NativeBackend {
  readonly binding: NativeBinding;
  executeSingleOutput(name: string, attrs: readonly NativeOpAttr[], inputs: readonly tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: readonly NativeOpAttr[], inputs: readonly tf.Tensor[], numOutputs: number): tf.Tensor[];
}
