/**
 * A TFLite model as plain data: what the importer reads from the flatbuffer before any tfjs tensor
 * exists. Only the first subgraph is kept (the models Pastiche imports have one).
 */

export interface TfliteQuantization {
  /** One scale per tensor, or one per channel along `quantizedDimension`. */
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly quantizedDimension: number;
}

export interface TfliteTensor {
  readonly index: number;
  readonly name: string;
  /** Static shape as written in the file (for inputs: the size the model was exported at). */
  readonly shape: readonly number[];
  /** TensorType code (see schema.ts). */
  readonly type: number;
  /** The constant's bytes, for weights and other constants; undefined for activations. */
  readonly data?: Uint8Array;
  readonly quantization?: TfliteQuantization;
}

export interface TfliteOperator {
  readonly index: number;
  /** The builtin operator code (schema.ts `BuiltinOperator`). */
  readonly opcode: number;
  /** Name for messages: "CONV_2D", or a custom operator's code. */
  readonly opName: string;
  /** Tensor indices; -1 marks an omitted optional input. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly options: TfliteOptions;
}

/** The options an operator carries, decoded for the operators Pastiche implements. */
export interface TfliteOptions {
  readonly padding?: "SAME" | "VALID";
  readonly strideH?: number;
  readonly strideW?: number;
  readonly dilationH?: number;
  readonly dilationW?: number;
  readonly depthMultiplier?: number;
  /** Fused activation code (schema.ts `ActivationFunctionType`). */
  readonly activation?: number;
  readonly keepDims?: boolean;
  readonly mirrorMode?: "reflect" | "symmetric";
  readonly alignCorners?: boolean;
  readonly halfPixelCenters?: boolean;
}

export interface TfliteModel {
  readonly version: number;
  readonly description: string;
  readonly tensors: readonly TfliteTensor[];
  readonly operators: readonly TfliteOperator[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}
