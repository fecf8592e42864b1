import type * as tf from "@tensorflow/tfjs-core";
import type { NativeBinding, NativeTensorMetadata } from "../kernels/nativeBackend.js";

/**
 * tfjs-node's NodeJSKernelBackend as tracing sees it: every kernel goes through
 * `getInputTensorIds` (tfjs tensors → binding ids) and `binding.executeOp`; outputs come back
 * through `createOutputTensor`. Its class is not exported, hence this shape.
 */
export interface TraceableBackend {
  binding: NativeBinding;
  /** tfjs data id → the binding's tensor id; an entry lives while any tensor holds that data (`get` of a freed one throws). */
  readonly tensorMap: { has(dataId: object): boolean; get(dataId: object): { id: number } };
  getInputTensorIds(tensors: readonly tf.Tensor[]): number[];
  createOutputTensor(metadata: NativeTensorMetadata): tf.Tensor;
  loadSavedModelMetaGraph(path: string, tags: string): number;
}
