import { PasticheError } from "../errors.js";
import { FbReader, FlatbufferError, type FbTable } from "./flatbufferReader.js";
import type { TfliteModel, TfliteOperator, TfliteOptions, TfliteQuantization, TfliteTensor } from "./model.js";
import {
  BufferField,
  BuiltinOperator,
  BuiltinOptions,
  Conv2DOptionsField,
  DepthwiseConv2DOptionsField,
  ElementwiseOptionsField,
  MirrorPadMode,
  MirrorPadOptionsField,
  ModelField,
  OperatorCodeField,
  OperatorField,
  Padding,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  QuantizationField,
  ReducerOptionsField,
  ResizeNearestNeighborOptionsField,
  SubGraphField,
  TensorField,
  TFLITE_FILE_IDENTIFIER,
  operatorName,
} from "./schema.js";

/*
 * Parsing a .tflite flatbuffer into a TfliteModel (model.ts). Browser-safe: it takes the bytes.
 * Every structural problem (truncated file, offsets out of range, tensor indices that point
 * nowhere, weights shorter than their shape) is an INVALID_WEIGHTS naming the file and the problem.
 */

export interface ParseTfliteOptions {
  /** Names the file in error messages, e.g. its path. Default "model.tflite". */
  source?: string;
}

function malformed(source: string, message: string, cause?: unknown): PasticheError {
  return new PasticheError("INVALID_WEIGHTS", `${source}: malformed TFLite file: ${message}`, cause === undefined ? undefined : { cause });
}

/** Parse a .tflite file. Throws INVALID_WEIGHTS (one line) when the bytes are not a usable model. */
export function parseTflite(bytes: Uint8Array | ArrayBuffer, options: ParseTfliteOptions = {}): TfliteModel {
  const source = options.source ?? "model.tflite";
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.length < 8) throw malformed(source, `only ${u8.length} bytes`);
  const ident = String.fromCharCode(u8[4]!, u8[5]!, u8[6]!, u8[7]!);
  if (ident !== TFLITE_FILE_IDENTIFIER) {
    throw new PasticheError("INVALID_WEIGHTS", `${source}: not a TFLite model (file identifier "${printable(ident)}", expected "${TFLITE_FILE_IDENTIFIER}")`);
  }
  try {
    return readModel(new FbReader(u8), u8, source);
  } catch (e) {
    if (e instanceof PasticheError) throw e;
    if (e instanceof FlatbufferError || e instanceof RangeError) throw malformed(source, e.message, e);
    throw malformed(source, e instanceof Error ? e.message : String(e), e);
  }
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, "?");
}

function readModel(r: FbReader, bytes: Uint8Array, source: string): TfliteModel {
  const model = r.root();
  const version = model.uint32(ModelField.version);
  if (version !== 3) throw malformed(source, `schema version ${version}, expected 3`);
  const opcodes = model.tables(ModelField.operatorCodes, "operator code").map(readOpcode);
  const buffers = model.tables(ModelField.buffers, "buffer").map((b, i) => readBuffer(b, i, bytes, source));
  const subgraphs = model.tables(ModelField.subgraphs, "subgraph");
  const graph = subgraphs[0];
  if (!graph) throw malformed(source, "no subgraph");
  if (subgraphs.length > 1) {
    throw new PasticheError("INVALID_WEIGHTS", `${source}: has ${subgraphs.length} subgraphs; only single-subgraph TFLite models are supported`);
  }
  const tensors = graph.tables(SubGraphField.tensors, "tensor").map((t, i) => readTensor(t, i, buffers, source));
  const checkIndex = (i: number, what: string, optional: boolean): void => {
    if ((optional && i === -1) || (Number.isInteger(i) && i >= 0 && i < tensors.length)) return;
    throw malformed(source, `${what} refers to tensor ${i}, but there are ${tensors.length}`);
  };
  const inputs = graph.int32s(SubGraphField.inputs) ?? [];
  const outputs = graph.int32s(SubGraphField.outputs) ?? [];
  inputs.forEach((i) => {
    checkIndex(i, "a graph input", false);
  });
  outputs.forEach((i) => {
    checkIndex(i, "a graph output", false);
  });
  if (outputs.length === 0) throw malformed(source, "the graph has no outputs");
  const operators = graph.tables(SubGraphField.operators, "operator").map((op, index): TfliteOperator => {
    const opcodeIndex = op.uint32(OperatorField.opcodeIndex);
    const code = opcodes[opcodeIndex];
    if (!code) throw malformed(source, `operator ${index} uses operator code ${opcodeIndex}, but there are ${opcodes.length}`);
    const opInputs = op.int32s(OperatorField.inputs) ?? [];
    const opOutputs = op.int32s(OperatorField.outputs) ?? [];
    const opName = code.builtin === BuiltinOperator.CUSTOM ? `custom operator "${code.custom ?? "?"}"` : operatorName(code.builtin);
    opInputs.forEach((i) => {
      checkIndex(i, `operator ${index} (${opName})`, true);
    });
    opOutputs.forEach((i) => {
      checkIndex(i, `operator ${index} (${opName})`, false);
    });
    return {
      index,
      opcode: code.builtin,
      opName,
      inputs: opInputs,
      outputs: opOutputs,
      options: readOptions(op, code.builtin, `operator ${index} (${opName})`, source),
    };
  });
  return { version, description: model.string(ModelField.description) ?? "", tensors, operators, inputs, outputs };
}

function readOpcode(t: FbTable): { builtin: number; custom: string | undefined } {
  const deprecated = t.int8(OperatorCodeField.deprecatedBuiltinCode);
  const builtin = t.int32(OperatorCodeField.builtinCode);
  // Files from before the int32 field only set the byte; newer ones set both (or the placeholder).
  return { builtin: deprecated === PLACEHOLDER_FOR_GREATER_OP_CODES ? builtin : Math.max(deprecated, builtin), custom: t.string(OperatorCodeField.customCode) };
}

function readBuffer(t: FbTable, index: number, bytes: Uint8Array, source: string): Uint8Array | undefined {
  const data = t.bytes(BufferField.data);
  if (data && data.length > 0) return data;
  // Large models keep buffers after the flatbuffer, addressed by offset and size (offset 1 = none).
  const offset = t.uint64(BufferField.offset);
  const size = t.uint64(BufferField.size);
  if (offset > 1) {
    if (offset + size > bytes.length) throw malformed(source, `buffer ${index} (${size} bytes at ${offset}) lies outside the ${bytes.length}-byte file`);
    return bytes.subarray(offset, offset + size);
  }
  return undefined;
}

function readTensor(t: FbTable, index: number, buffers: readonly (Uint8Array | undefined)[], source: string): TfliteTensor {
  const name = t.string(TensorField.name) ?? `tensor ${index}`;
  const shape = t.int32s(TensorField.shape) ?? [];
  if (shape.some((d) => d < -1)) throw malformed(source, `tensor "${name}" has shape [${shape.join(",")}]`);
  const bufferIndex = t.uint32(TensorField.buffer);
  if (bufferIndex >= buffers.length && bufferIndex !== 0) {
    throw malformed(source, `tensor "${name}" refers to buffer ${bufferIndex}, but there are ${buffers.length}`);
  }
  const data = buffers[bufferIndex];
  const q = t.table(TensorField.quantization, `quantization of tensor "${name}"`);
  const quantization = q ? readQuantization(q, name, shape, source) : undefined;
  return {
    index,
    name,
    shape,
    type: t.int8(TensorField.type),
    ...(data ? { data } : {}),
    ...(quantization ? { quantization } : {}),
  };
}

function readQuantization(q: FbTable, name: string, shape: readonly number[], source: string): TfliteQuantization | undefined {
  const scale = q.float32s(QuantizationField.scale) ?? [];
  if (scale.length === 0) return undefined; // min/max only (training ranges): not quantised
  const zeroPoint = q.int64s(QuantizationField.zeroPoint) ?? [];
  const quantizedDimension = q.int32(QuantizationField.quantizedDimension);
  if (zeroPoint.length !== 0 && zeroPoint.length !== scale.length) {
    throw malformed(source, `tensor "${name}" has ${scale.length} quantisation scales but ${zeroPoint.length} zero points`);
  }
  if (scale.length > 1 && (quantizedDimension < 0 || quantizedDimension >= shape.length || shape[quantizedDimension] !== scale.length)) {
    throw malformed(source, `tensor "${name}" [${shape.join(",")}] has ${scale.length} per-channel scales along dimension ${quantizedDimension}`);
  }
  if (scale.some((s) => !Number.isFinite(s))) throw malformed(source, `tensor "${name}" has a non-finite quantisation scale`);
  return { scale, zeroPoint: zeroPoint.length > 0 ? zeroPoint : scale.map(() => 0), quantizedDimension };
}

function readOptions(op: FbTable, opcode: number, what: string, source: string): TfliteOptions {
  const type = op.uint8(OperatorField.builtinOptionsType);
  const expect = (wanted: number): FbTable | undefined => {
    if (type === BuiltinOptions.NONE) return undefined;
    if (type !== wanted) throw malformed(source, `${what} carries options of type ${type}, expected ${wanted}`);
    return op.table(OperatorField.builtinOptions, `${what} options`);
  };
  const padding = (v: number): "SAME" | "VALID" => {
    if (v === Padding.SAME) return "SAME";
    if (v === Padding.VALID) return "VALID";
    throw malformed(source, `${what} has padding ${v}`);
  };
  switch (opcode) {
    case BuiltinOperator.CONV_2D: {
      const o = expect(BuiltinOptions.Conv2DOptions);
      const F = Conv2DOptionsField;
      return {
        padding: padding(o?.int8(F.padding) ?? 0),
        strideW: o?.int32(F.strideW) ?? 0,
        strideH: o?.int32(F.strideH) ?? 0,
        activation: o?.int8(F.fusedActivation) ?? 0,
        // The schema's default for dilation is 1: writers omit the field when it is.
        dilationW: o?.int32(F.dilationW, 1) ?? 1,
        dilationH: o?.int32(F.dilationH, 1) ?? 1,
      };
    }
    case BuiltinOperator.DEPTHWISE_CONV_2D: {
      const o = expect(BuiltinOptions.DepthwiseConv2DOptions);
      const F = DepthwiseConv2DOptionsField;
      return {
        padding: padding(o?.int8(F.padding) ?? 0),
        strideW: o?.int32(F.strideW) ?? 0,
        strideH: o?.int32(F.strideH) ?? 0,
        depthMultiplier: o?.int32(F.depthMultiplier) ?? 0,
        activation: o?.int8(F.fusedActivation) ?? 0,
        dilationW: o?.int32(F.dilationW, 1) ?? 1,
        dilationH: o?.int32(F.dilationH, 1) ?? 1,
      };
    }
    case BuiltinOperator.ADD:
      return { activation: expect(BuiltinOptions.AddOptions)?.int8(ElementwiseOptionsField.fusedActivation) ?? 0 };
    case BuiltinOperator.SUB:
      return { activation: expect(BuiltinOptions.SubOptions)?.int8(ElementwiseOptionsField.fusedActivation) ?? 0 };
    case BuiltinOperator.MUL:
      return { activation: expect(BuiltinOptions.MulOptions)?.int8(ElementwiseOptionsField.fusedActivation) ?? 0 };
    case BuiltinOperator.MEAN:
      return { keepDims: expect(BuiltinOptions.ReducerOptions)?.bool(ReducerOptionsField.keepDims) ?? false };
    case BuiltinOperator.MIRROR_PAD: {
      const mode = expect(BuiltinOptions.MirrorPadOptions)?.int8(MirrorPadOptionsField.mode) ?? 0;
      if (mode !== MirrorPadMode.REFLECT && mode !== MirrorPadMode.SYMMETRIC) throw malformed(source, `${what} has mirror-pad mode ${mode}`);
      return { mirrorMode: mode === MirrorPadMode.REFLECT ? "reflect" : "symmetric" };
    }
    case BuiltinOperator.RESIZE_NEAREST_NEIGHBOR: {
      const o = expect(BuiltinOptions.ResizeNearestNeighborOptions);
      return {
        alignCorners: o?.bool(ResizeNearestNeighborOptionsField.alignCorners) ?? false,
        halfPixelCenters: o?.bool(ResizeNearestNeighborOptionsField.halfPixelCenters) ?? false,
      };
    }
    default:
      return {};
  }
}
