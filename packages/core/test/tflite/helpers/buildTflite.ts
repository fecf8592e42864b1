import { Builder } from "flatbuffers";
import { BuiltinOperator as Op, BuiltinOptions as Opt, TensorType as T } from "../../../src/tflite/schema.js";

/*
 * Writes small TFLite flatbuffers for the tests, with the `flatbuffers` Builder and the field
 * slots of the public schema (the same ones the importer reads; see src/tflite/schema.ts).
 */

export interface TensorSpec {
  name: string;
  shape: number[];
  /** TensorType; default FLOAT32. */
  type?: number;
  /** Constant bytes (little-endian). */
  data?: Uint8Array;
  quant?: { scale: number[]; zeroPoint?: number[]; dim?: number };
}

export type FieldValue = ["int8" | "int32" | "bool", number];

export interface OpSpec {
  op: number;
  inputs: number[];
  outputs: number[];
  /** BuiltinOptions type and fields by slot; omitted fields take the schema default. */
  options?: { type: number; fields: Record<number, FieldValue> };
  customCode?: string;
}

export interface ModelSpec {
  tensors: TensorSpec[];
  ops: OpSpec[];
  inputs: number[];
  outputs: number[];
  version?: number;
}

export const f32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
export const i32 = (values: number[]): Uint8Array => new Uint8Array(Int32Array.from(values).buffer);
export const i8 = (values: number[]): Uint8Array => new Uint8Array(Int8Array.from(values).buffer);

/** float32 → IEEE half (round to nearest; enough for test values). */
export function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | Math.round(mant / 8192);
}
export const f16 = (values: number[]): Uint8Array => new Uint8Array(Uint16Array.from(values.map(toHalf)).buffer);

function intVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

function floatVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]!);
  return b.endVector();
}

function longVector(b: Builder, values: number[]): number {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]!));
  return b.endVector();
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

export function buildTflite(spec: ModelSpec): Uint8Array {
  const b = new Builder(1024);
  // Buffers: 0 is the empty sentinel; each constant tensor gets its own.
  const bufferData: (Uint8Array | undefined)[] = [undefined];
  const tensorBuffer = spec.tensors.map((t) => (t.data ? bufferData.push(t.data) - 1 : 0));
  const buffers = bufferData.map((data) => {
    const d = data ? b.createByteVector(data) : 0;
    b.startObject(3);
    if (data) b.addFieldOffset(0, d, 0);
    return b.endObject();
  });
  const tensors = spec.tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = intVector(b, t.shape);
    let quant = 0;
    if (t.quant) {
      const scale = floatVector(b, t.quant.scale);
      const zp = longVector(b, t.quant.zeroPoint ?? t.quant.scale.map(() => 0));
      b.startObject(7);
      b.addFieldOffset(2, scale, 0);
      b.addFieldOffset(3, zp, 0);
      b.addFieldInt32(6, t.quant.dim ?? 0, 0);
      quant = b.endObject();
    }
    b.startObject(8);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, t.type ?? T.FLOAT32, 0);
    b.addFieldInt32(2, tensorBuffer[i]!, 0);
    b.addFieldOffset(3, name, 0);
    if (quant) b.addFieldOffset(4, quant, 0);
    return b.endObject();
  });
  const codes: { op: number; custom?: string }[] = [];
  const opcodeIndex = spec.ops.map((o) => {
    let k = codes.findIndex((c) => c.op === o.op && c.custom === o.customCode);
    if (k < 0) k = codes.push({ op: o.op, ...(o.customCode ? { custom: o.customCode } : {}) }) - 1;
    return k;
  });
  const opcodes = codes.map((c) => {
    const custom = c.custom ? b.createString(c.custom) : 0;
    b.startObject(4);
    b.addFieldInt8(0, Math.min(c.op, 127), 0);
    if (custom) b.addFieldOffset(1, custom, 0);
    b.addFieldInt32(2, 1, 1);
    b.addFieldInt32(3, c.op, 0);
    return b.endObject();
  });
  const operators = spec.ops.map((o, i) => {
    const inputs = intVector(b, o.inputs);
    const outputs = intVector(b, o.outputs);
    let options = 0;
    if (o.options) {
      const slots = Object.keys(o.options.fields).map(Number);
      b.startObject(slots.length === 0 ? 0 : Math.max(...slots) + 1);
      for (const slot of slots) {
        const [kind, value] = o.options.fields[slot]!;
        // force: write the value even when it equals the default
        if (kind === "int32") b.addFieldInt32(slot, value, value + 1);
        else b.addFieldInt8(slot, value, value + 1);
      }
      options = b.endObject();
    }
    b.startObject(5);
    b.addFieldInt32(0, opcodeIndex[i]!, -1);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    if (o.options) {
      b.addFieldInt8(3, o.options.type, 0);
      b.addFieldOffset(4, options, 0);
    }
    return b.endObject();
  });
  const tensorVec = offsetVector(b, tensors);
  const inputs = intVector(b, spec.inputs);
  const outputs = intVector(b, spec.outputs);
  const opVec = offsetVector(b, operators);
  const subgraphName = b.createString("main");
  b.startObject(5);
  b.addFieldOffset(0, tensorVec, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, opVec, 0);
  b.addFieldOffset(4, subgraphName, 0);
  const subgraph = b.endObject();
  const codesVec = offsetVector(b, opcodes);
  const subgraphs = offsetVector(b, [subgraph]);
  const buffersVec = offsetVector(b, buffers);
  const description = b.createString("built by the Pastiche tests");
  b.startObject(5);
  b.addFieldInt32(0, spec.version ?? 3, 0);
  b.addFieldOffset(1, codesVec, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffersVec, 0);
  const model = b.endObject();
  b.finish(model, "TFL3");
  return b.asUint8Array().slice();
}

/** Options helpers, by the schema's slots. */
export const conv2dOptions = (o: { padding?: "SAME" | "VALID"; stride?: [number, number]; activation?: number; dilation?: [number, number] }) => ({
  type: Opt.Conv2DOptions,
  fields: {
    0: ["int8", o.padding === "VALID" ? 1 : 0],
    1: ["int32", o.stride?.[1] ?? 1],
    2: ["int32", o.stride?.[0] ?? 1],
    3: ["int8", o.activation ?? 0],
    // dilation written only when given: a missing field must mean 1
    ...(o.dilation ? { 4: ["int32", o.dilation[1]], 5: ["int32", o.dilation[0]] } : {}),
  } as Record<number, FieldValue>,
});

export const depthwiseOptions = (o: { padding?: "SAME" | "VALID"; stride?: [number, number]; multiplier: number; activation?: number }) => ({
  type: Opt.DepthwiseConv2DOptions,
  fields: {
    0: ["int8", o.padding === "VALID" ? 1 : 0],
    1: ["int32", o.stride?.[1] ?? 1],
    2: ["int32", o.stride?.[0] ?? 1],
    3: ["int32", o.multiplier],
    4: ["int8", o.activation ?? 0],
  } as Record<number, FieldValue>,
});

export const activationOptions = (type: number, activation: number) => ({ type, fields: { 0: ["int8", activation] } as Record<number, FieldValue> });
export const addOptions = (activation = 0) => activationOptions(Opt.AddOptions, activation);
export const subOptions = (activation = 0) => activationOptions(Opt.SubOptions, activation);
export const mulOptions = (activation = 0) => activationOptions(Opt.MulOptions, activation);
export const reducerOptions = (keepDims: boolean) => ({ type: Opt.ReducerOptions, fields: { 0: ["bool", keepDims ? 1 : 0] } as Record<number, FieldValue> });
export const mirrorPadOptions = (mode: "reflect" | "symmetric") => ({
  type: Opt.MirrorPadOptions,
  fields: { 0: ["int8", mode === "reflect" ? 0 : 1] } as Record<number, FieldValue>,
});

export const resizeNearestOptions = (alignCorners: boolean) => ({
  type: Opt.ResizeNearestNeighborOptions,
  fields: { 0: ["bool", alignCorners ? 1 : 0] } as Record<number, FieldValue>,
});

export { Op, T };
