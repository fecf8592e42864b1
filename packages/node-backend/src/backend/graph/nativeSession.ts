import type * as tf from "@tensorflow/tfjs-core";
import type { NativeOpAttr } from "../kernels/nativeBackend.js";

/** What tfjs-node's binding returns for each output of an op (or of a session run). */
export interface NativeTensorMetadata {
  readonly id: number;
  readonly shape: number[];
  readonly dtype: number;
}

/** The parts of tfjs-node's binding that tracing and replaying a step use. */
export interface NativeBinding {
  readonly TF_ATTR_STRING: number;
  readonly TF_ATTR_INT: number;
  readonly TF_ATTR_FLOAT: number;
  readonly TF_ATTR_BOOL: number;
  readonly TF_ATTR_TYPE: number;
  readonly TF_ATTR_SHAPE: number;
  readonly TF_FLOAT: number;
  readonly TF_INT32: number;
  readonly TF_BOOL: number;
  readonly TF_STRING: number;
  executeOp(name: string, attrs: readonly NativeOpAttr[], inputs: readonly number[], numOutputs: number): NativeTensorMetadata[];
  createTensor(shape: readonly number[], dtype: number, values: ArrayLike<number | boolean | string> & { buffer?: ArrayBufferLike }): number;
  tensorDataSync(id: number): unknown;
  runSavedModel(sessionId: number, inputIds: readonly number[], inputNames: string, outputNames: string): NativeTensorMetadata[];
  deleteSavedModel(sessionId: number): void;
}

/**
 * tfjs-node's NodeJSKernelBackend as tracing sees it: every kernel goes through
 * `getInputTensorIds` (tfjs tensors → binding ids) and `binding.executeOp`; outputs come back
 * through `createOutputTensor`. Its class is not exported, hence this shape.
 */
export interface TraceableBackend {
  binding: NativeBinding;
  /** tfjs data id → the binding's tensor id; an entry lives while any tensor holds that data. */
  readonly tensorMap: { has(dataId: object): boolean; get(dataId: object): { id: number } | undefined };
  getInputTensorIds(tensors: readonly tf.Tensor[]): number[];
  createOutputTensor(metadata: NativeTensorMetadata): tf.Tensor;
  loadSavedModelMetaGraph(path: string, tags: string): number;
}
