import type * as tf from "@tensorflow/tfjs-core";
import type { NativeBinding, NativeOpAttr } from "../kernels/nativeBackend.js";
import type { TraceableBackend } from "./traceableBackend.js";

/** One TensorFlow op as the binding ran it: binding ids in and out. */
export interface TracedOp {
  readonly name: string;
  readonly attrs: readonly NativeOpAttr[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

/** A tensor the binding created from JS values during the trace: a constant of the graph. */
export interface TracedConstant {
  readonly shape: readonly number[];
  readonly dtype: number;
  readonly bytes: Uint8Array;
}

/** A tensor that existed before the call and that its ops read; clones share its data id, which outlives them. */
export interface CapturedTensor {
  readonly dataId: object;
  readonly shape: readonly number[];
  readonly dtype: tf.DataType;
}

/**
 * Every op of one call, in order. `argument` is the id of the image fed on each replay; `captured`
 * are the tensors that existed before the call and that its ops read (weights, targets): fed by
 * id on each replay, so they must outlive the graph.
 */
export interface OpTrace {
  readonly ops: readonly TracedOp[];
  readonly constants: ReadonlyMap<number, TracedConstant>;
  readonly argument: { readonly id: number; readonly tensor: tf.Tensor };
  readonly captured: ReadonlyMap<number, CapturedTensor>;
  readonly outputs: readonly number[];
}

export type TraceOutcome = { readonly outputs: tf.Tensor[] } & ({ readonly trace: OpTrace } | { readonly declined: string });

/**
 * Run `step(x)` once on tfjs-node while recording what reaches the binding. A read of an op's
 * result from JS inside the step (data-dependent control flow) makes the trace unusable: declined.
 * The hooks are instance overrides, removed whatever happens.
 */
export function traceOps(backend: TraceableBackend, step: (x: tf.Tensor4D) => tf.Tensor[], x: tf.Tensor4D): TraceOutcome {
  const binding = backend.binding;
  const argumentId = backend.getInputTensorIds([x])[0]!; // materialises x first, so it is never taken for a constant
  const ops: TracedOp[] = [];
  const constants = new Map<number, TracedConstant>();
  const seen = new Map<number, CapturedTensor>();
  let declined: string | undefined;
  const own = Object.getOwnPropertyDescriptor(backend, "getInputTensorIds");
  const getIds = backend.getInputTensorIds.bind(backend);
  backend.getInputTensorIds = (tensors) => {
    const ids = getIds(tensors);
    tensors.forEach((t, i) => seen.set(ids[i]!, { dataId: t.dataId, shape: t.shape, dtype: t.dtype }));
    return ids;
  };
  backend.binding = Object.create(binding, {
    executeOp: {
      value: (name: string, attrs: readonly NativeOpAttr[], inputs: readonly number[], numOutputs: number) => {
        const out = binding.executeOp(name, attrs, inputs, numOutputs);
        ops.push({ name, attrs, inputs: [...inputs], outputs: out.map((o) => o.id) });
        return out;
      },
    },
    createTensor: {
      value: (shape: readonly number[], dtype: number, values: Parameters<NativeBinding["createTensor"]>[2]) => {
        const id = binding.createTensor(shape, dtype, values);
        if (dtype === binding.TF_STRING || !ArrayBuffer.isView(values)) declined ??= `a ${dtype === binding.TF_STRING ? "string" : "non-typed-array"} tensor`;
        else
          constants.set(id, { shape: [...shape], dtype, bytes: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) });
        return id;
      },
    },
    tensorDataSync: {
      value: (id: number) => {
        declined ??= "the step reads a tensor back to JS";
        return binding.tensorDataSync(id);
      },
    },
  }) as NativeBinding;
  let outputs: tf.Tensor[];
  try {
    outputs = step(x);
  } finally {
    backend.binding = binding;
    if (own) Object.defineProperty(backend, "getInputTensorIds", own);
    else delete (backend as Partial<TraceableBackend>).getInputTensorIds;
  }
  if (declined) return { outputs, declined };
  const produced = new Set(ops.flatMap((o) => o.outputs));
  const captured = new Map<number, CapturedTensor>();
  for (const op of ops) {
    for (const id of op.inputs) {
      if (id === argumentId || produced.has(id) || constants.has(id) || captured.has(id)) continue;
      const tensor = seen.get(id);
      if (!tensor) return { outputs, declined: `op ${op.name} reads a tensor the trace cannot name` };
      captured.set(id, tensor);
    }
  }
  const outputIds = backend.getInputTensorIds(outputs);
  // A tensor returned as is (no op made it) is fed and passed through.
  outputIds.forEach((id, i) => {
    if (id !== argumentId && !produced.has(id) && !constants.has(id) && !captured.has(id)) {
      const t = outputs[i]!;
      captured.set(id, { dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    }
  });
  return { outputs, trace: { ops, constants, argument: { id: argumentId, tensor: x }, captured, outputs: outputIds } };
}
