/*
 * The subset of the public TFLite flatbuffer schema (tensorflow/compiler/mlir/lite/schema/schema.fbs)
 * that Pastiche reads: enum values and, per table, the slot index of each field (the vtable entry
 * is at 4 + 2·slot). Written by hand rather than generated: the importer needs a dozen tables of a
 * schema with hundreds, and every read goes through a bounds-checked reader (flatbufferReader.ts).
 */

/** TFLite's TensorType enum (the types Pastiche can decode; others are named in errors). */
export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
  FLOAT64: 10,
} as const;

export const TENSOR_TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(TensorType).map(([k, v]) => [v, k]));

/** Builtin operator codes this importer implements, plus a few it names in errors. */
export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  RESIZE_BILINEAR: 23,
  SOFTMAX: 25,
  TANH: 28,
  CUSTOM: 32,
  PAD: 34,
  TRANSPOSE: 39,
  MEAN: 40,
  SUB: 41,
  DIV: 42,
  SPLIT: 49,
  TRANSPOSE_CONV: 67,
  RSQRT: 76,
  RESIZE_NEAREST_NEIGHBOR: 97,
  SQUARED_DIFFERENCE: 99,
  MIRROR_PAD: 100,
  QUANTIZE: 114,
} as const;

const OPERATOR_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(BuiltinOperator).map(([k, v]) => [v, k]));

/** A readable name for an operator code, e.g. "CONV_2D" or "builtin operator 201". */
export function operatorName(code: number): string {
  return OPERATOR_NAMES[code] ?? `builtin operator ${code}`;
}

/**
 * Operators encoded with `deprecated_builtin_code` (a byte) only go up to 127; newer files put the
 * real code in `builtin_code` and this placeholder in the byte.
 */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** The BuiltinOptions union's type tags for the options tables read here. */
export const BuiltinOptions = {
  NONE: 0,
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  AddOptions: 11,
  MulOptions: 21,
  ReducerOptions: 27,
  SubOptions: 28,
  ResizeNearestNeighborOptions: 74,
  MirrorPadOptions: 77,
} as const;

export const ActivationFunctionType = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;
export const Padding = { SAME: 0, VALID: 1 } as const;
export const MirrorPadMode = { REFLECT: 0, SYMMETRIC: 1 } as const;

/** Field slots, per table. */
export const ModelField = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 } as const;
export const OperatorCodeField = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 } as const;
export const SubGraphField = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 } as const;
export const TensorField = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5, sparsity: 6, shapeSignature: 7 } as const;
export const QuantizationField = { min: 0, max: 1, scale: 2, zeroPoint: 3, detailsType: 4, details: 5, quantizedDimension: 6 } as const;
export const OperatorField = { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4, customOptions: 5 } as const;
export const BufferField = { data: 0, offset: 1, size: 2 } as const;
export const Conv2DOptionsField = { padding: 0, strideW: 1, strideH: 2, fusedActivation: 3, dilationW: 4, dilationH: 5 } as const;
export const DepthwiseConv2DOptionsField = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  depthMultiplier: 3,
  fusedActivation: 4,
  dilationW: 5,
  dilationH: 6,
} as const;
/** AddOptions, SubOptions and MulOptions all keep the fused activation in slot 0. */
export const ElementwiseOptionsField = { fusedActivation: 0 } as const;
export const ReducerOptionsField = { keepDims: 0 } as const;
export const MirrorPadOptionsField = { mode: 0 } as const;
export const ResizeNearestNeighborOptionsField = { alignCorners: 0, halfPixelCenters: 1 } as const;

/** The 4-byte file identifier TFLite writes after the root offset. */
export const TFLITE_FILE_IDENTIFIER = "TFL3";
