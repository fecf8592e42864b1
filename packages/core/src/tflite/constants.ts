import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import { biasQuantization, decodeFloat16, dequantize } from "./dequantize.js";
import type { TfliteQuantization, TfliteTensor } from "./model.js";
import { TENSOR_TYPE_NAMES, TensorType } from "./schema.js";

/*
 * Constants (weights, biases, axes, paddings, sizes) as values the executor can use: float32 for
 * anything quantised or floating, int32 for plain integers. Decoded once, at load time.
 */

export interface ConstantValue {
  readonly shape: readonly number[];
  readonly dtype: "float32" | "int32";
  readonly values: Float32Array | Int32Array;
}

const BYTES: Partial<Record<number, number>> = {
  [TensorType.FLOAT32]: 4,
  [TensorType.FLOAT16]: 2,
  [TensorType.INT32]: 4,
  [TensorType.UINT8]: 1,
  [TensorType.INT64]: 8,
  [TensorType.INT16]: 2,
  [TensorType.INT8]: 1,
};

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Decode a constant tensor. `fallbackQuantization` supplies an int32 bias's quantisation when the
 * file leaves it out (see `biasQuantization`).
 */
export function decodeConstant(t: TfliteTensor, source: string, fallbackQuantization?: TfliteQuantization): ConstantValue {
  const data = t.data!;
  const bytesPer = BYTES[t.type];
  if (bytesPer === undefined) {
    throw new PasticheError("INVALID_WEIGHTS", `${source}: constant "${t.name}" has type ${TENSOR_TYPE_NAMES[t.type] ?? t.type}, which is not supported`);
  }
  const n = elementCount(t.shape);
  if (t.shape.some((d) => d < 0) || data.length !== n * bytesPer) {
    throw new PasticheError(
      "INVALID_WEIGHTS",
      `${source}: malformed TFLite file: constant "${t.name}" [${t.shape.join(",")}] needs ${n * bytesPer} bytes, its buffer holds ${data.length}`,
    );
  }
  // Copy into an aligned buffer: flatbuffer vectors are not necessarily 4-byte aligned.
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const raw = new Float64Array(n);
  let isFloat = false;
  switch (t.type) {
    case TensorType.FLOAT32:
      for (let i = 0; i < n; i++) raw[i] = view.getFloat32(4 * i, true);
      isFloat = true;
      break;
    case TensorType.FLOAT16:
      raw.set(decodeFloat16(data));
      isFloat = true;
      break;
    case TensorType.INT32:
      for (let i = 0; i < n; i++) raw[i] = view.getInt32(4 * i, true);
      break;
    case TensorType.INT64:
      for (let i = 0; i < n; i++) raw[i] = Number(view.getBigInt64(8 * i, true));
      break;
    case TensorType.INT16:
      for (let i = 0; i < n; i++) raw[i] = view.getInt16(2 * i, true);
      break;
    case TensorType.INT8:
      for (let i = 0; i < n; i++) raw[i] = view.getInt8(i);
      break;
    case TensorType.UINT8:
      for (let i = 0; i < n; i++) raw[i] = view.getUint8(i);
      break;
  }
  const q = t.quantization ?? fallbackQuantization;
  if (!isFloat && q) return { shape: t.shape, dtype: "float32", values: dequantize(raw, t.shape, q) };
  if (isFloat) return { shape: t.shape, dtype: "float32", values: Float32Array.from(raw) };
  return { shape: t.shape, dtype: "int32", values: Int32Array.from(raw) };
}

/** Fallback quantisation for an int32 bias without its own (input scale × weight scale). */
export function fallbackBiasQuantization(bias: TfliteTensor, input: TfliteTensor | undefined, filter: TfliteTensor): TfliteQuantization | undefined {
  if (bias.quantization || bias.type !== TensorType.INT32 || !filter.quantization || !input?.quantization) return undefined;
  return biasQuantization(input.quantization.scale[0]!, filter.quantization, bias.shape[0] ?? 1);
}

export function constantTensor(c: ConstantValue): tf.Tensor {
  return tf.tensor(c.values, [...c.shape], c.dtype);
}
