export { assertFlowField, type FlowField, type FramePairFlow } from "./flowField.js";
export { warpByFlow } from "./ops/warpByFlow.js";
export { occlusionMask } from "./ops/occlusionMask.js";
export { temporalBlend } from "./ops/temporalBlend.js";
export { temporalLoss } from "./ops/temporalLoss.js";
export { flicker } from "./ops/flicker.js";
export { VideoOptionsSchema, parseVideoOptions, TEMPORAL_LOSS_SCALE, type VideoOptions, type VideoOptionsInput } from "./options.js";
export {
  stylizeVideo,
  rgbImageToTensor3d,
  flowToTensor,
  type VideoInput,
  type VideoEvent,
  type VideoFrameInput,
  type VideoPainter,
  type WarpedPrevious,
} from "./stylizeVideo.js";
export { fastVideoPainter, type FastPainterInput } from "./painters/fastPainter.js";
export { gatysVideoPainter, type GatysPainterInput } from "./painters/gatysPainter.js";
export { flickerOf } from "./flickerOf.js";
