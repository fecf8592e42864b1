export { parseTflite, type ParseTfliteOptions } from "./parse.js";
export { TfliteGraph, type LoadTfliteOptions, type TfliteTensorInfo } from "./graph.js";
export { SUPPORTED_TFLITE_OPERATORS } from "./ops.js";
export { float16ToFloat32, decodeFloat16, dequantize, biasQuantization } from "./dequantize.js";
export type { TfliteModel, TfliteOperator, TfliteOptions, TfliteQuantization, TfliteTensor } from "./model.js";
export {
  BuiltinOperator as TfliteBuiltinOperator,
  BuiltinOptions as TfliteBuiltinOptions,
  TensorType as TfliteTensorType,
  ActivationFunctionType as TfliteActivation,
} from "./schema.js";
