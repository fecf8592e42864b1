export type { ArbitraryStyleModels, GraphModelLike } from "./models.js";
export { TfliteStyleModels, type TfliteStyleModelFiles } from "./tfliteStyleModels.js";
export { GraphModelStyleModels } from "./graphModelStyleModels.js";
export { BottleneckCache } from "./bottleneckCache.js";
export { blendBottlenecks, interpolateBottleneck } from "./bottleneck.js";
export { hashRgbImage } from "./imageHash.js";
export { prepareStyleImage, resizeLongestSide } from "./preprocess.js";
export { paddedSide, withPaddedInput, MIN_TRANSFER_SIDE, TRANSFER_SIZE_MULTIPLE } from "./padding.js";
export { FastOptionsSchema, parseFastOptions, ensureFastOptions, type FastOptions, type FastOptionsInput } from "./options.js";
export {
  stylizeFast,
  predictBottleneck,
  defaultBottleneckCache,
  type FastInput,
  type FastEvent,
  type FastTimings,
} from "./stylizeFast.js";
