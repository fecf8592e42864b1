/**
 * Backend-agnostic neural style transfer for TensorFlow.js: Fast (Magenta arbitrary-style) and
 * Gatys (optimisation over VGG19 features) stylisation, video, option schemas and model loaders.
 * It uses no Node API, so the same code runs in a browser and in Node; pick and initialise a tfjs
 * backend first (in Node, `@pastiche/node` does that and reads files).
 *
 * @example Fast stylisation in a browser
 * ```ts
 * import "@tensorflow/tfjs-backend-webgl";
 * import { TfliteStyleModels, fromImageData, stylizeFast, toImageData, untilDone } from "@pastiche/core";
 *
 * const models = await TfliteStyleModels.fromUrls({ predictor: "/models/predict.tflite", transfer: "/models/transfer.tflite" });
 * const done = await untilDone(stylizeFast({ content: fromImageData(contentPixels), styles: [fromImageData(stylePixels)], models }));
 * canvas.getContext("2d")!.putImageData(toImageData(done.image) as ImageData, 0, 0);
 * ```
 *
 * @packageDocumentation
 */
// The public API, deliberately: what the CLI, the web app, @pastiche/node and an outside user need.
// Everything else in src/ is internal; the workspace's own tests import it by path (or, from other
// packages, through `@pastiche/core/internal`, which carries no stability promise).

// Errors
export { PasticheError, isPasticheError, firstLineOf, type PasticheErrorCode } from "./errors.js";

// Images: core's pixel type, and adapters from browser pixels and to tensors
export { assertRgbImage, type RgbImage, type RgbImage16 } from "./image/rgbImage.js";
export { fromImageData, toImageData, imageSourceToTensor, type RgbaPixels, type ImageDataLike, type ImageSource } from "./image/imageData.js";
export { rgbImageToTensor, tensorToRgbImage } from "./image/tensorImage.js";

// Fast (feed-forward, arbitrary style) stylisation
export { stylizeFast, type FastInput, type FastEvent, type FastTimings } from "./fast/stylizeFast.js";
export { FastOptionsSchema, parseFastOptions, ensureFastOptions, type FastOptions, type FastOptionsInput } from "./fast/options.js";
export { TfliteStyleModels, type TfliteStyleModelFiles, type TfliteStyleModelUrls, type TfliteFetchOptions } from "./fast/tfliteStyleModels.js";
export { GraphModelStyleModels } from "./fast/graphModelStyleModels.js";
export type { ArbitraryStyleModels, GraphModelLike } from "./fast/models.js";
export { BottleneckCache } from "./fast/bottleneckCache.js";

// Gatys (optimisation) stylisation
export { stylizeGatys, type GatysInput } from "./gatys/stylizeGatys.js";
export {
  GatysOptionsSchema,
  BUILT_IN_INITS,
  parseGatysOptions,
  ensureGatysOptions,
  styleLongestSide,
  DEFAULT_CONTENT_LAYERS,
  DEFAULT_STYLE_LAYERS,
  type GatysOptions,
  type GatysOptionsInput,
  type GatysInit,
} from "./gatys/options.js";
export { GATYS_PRESETS, GATYS_PRESET_NAMES, applyGatysPreset, type GatysPresetName } from "./gatys/presets.js";
export type { StylizeEvent, StageStartEvent, LossTerms } from "./gatys/events.js";
export type { StageInfo } from "./gatys/stage.js";
export {
  planGatysRun,
  chooseSeed,
  planStages,
  stageIterations,
  type RunPlan,
  type StagePlan,
  type OptimizerPlan,
  type PlanInput,
  type Size,
} from "./gatys/plan.js";
export { StyleTargetCache } from "./gatys/objective/styleTargetCache.js";

// Video
export { stylizeVideo, type VideoInput, type VideoEvent, type VideoFrameInput, type VideoPainter, type WarpedPrevious } from "./video/stylizeVideo.js";
export { fastVideoPainter, type FastPainterInput } from "./video/painters/fastPainter.js";
export { gatysVideoPainter, type GatysPainterInput } from "./video/painters/gatysPainter.js";
export { VideoOptionsSchema, parseVideoOptions, type VideoOptions, type VideoOptionsInput } from "./video/options.js";
export type { FlowField, FramePairFlow } from "./video/flowField.js";
export { flickerOf } from "./video/flickerOf.js";

// Defaults, limits and option helpers shared by every mode
export {
  FAST_DEFAULT_SIZE,
  WEB_QUALITY_DEFAULTS,
  DEFAULT_GATYS_ITERATIONS,
  DEFAULT_LBFGS_HISTORY,
  DEFAULT_MAX_INPUT_PIXELS,
  DEFAULT_MAX_INPUT_BYTES,
  MIN_INPUT_SIDE,
  MAX_STYLE_IMAGES,
} from "./options/defaults.js";
export { checkStyleCounts, styleCountProblem, type StyleCounts, type StyleCountNames } from "./options/styleCounts.js";
export { parseOptions } from "./options/parse.js";
export { formatBytes } from "./formatBytes.js";
export { untilDone } from "./untilDone.js";

// Model weights: from URLs (browser or Node), or decoded from bytes a caller read itself
export { loadLayersModelWeightsFromUrl, type LayersModelUrlOptions } from "./model/layersModelUrl.js";
export type { FetchLike } from "./model/fetchBytes.js";
export { disposeWeightMap, type WeightMap } from "./model/weightMap.js";
export {
  decodeLayersModelWeights,
  parseTfjsModelJson,
  loadWeightShards,
  checkWeightGroupShardSizes,
  type DecodeWeightsOptions,
  type TfjsModelJson,
  type TfjsWeightEntry,
  type TfjsWeightGroup,
  type WeightShards,
} from "./model/tfjsLayersModel.js";
export { validateVgg19Weights, VGG19_CONV_LAYER_NAMES } from "./vgg/weights.js";

// Building blocks for a custom objective: VGG19 features, losses, image optimisers
export {
  VggFeatureExtractor,
  preferredConvGradient,
  type ConvAlgorithm,
  type ConvGradient,
  type VggExtractorOptions,
  type VggPooling,
} from "./vgg/extractor.js";
export { VGG19_LAYERS, VGG19_CONV_LAYERS, resolveLayerName, deepestLayerIndex, type VggLayer } from "./vgg/layers.js";
export { gramMatrix } from "./losses/gram.js";
export { contentLoss } from "./losses/content.js";
export { styleLoss } from "./losses/style.js";
export { totalVariation } from "./losses/totalVariation.js";
export { AdamImageOptimizer, ADAM_DEFAULTS, type AdamOptions } from "./optim/adam.js";
export { LbfgsImageOptimizer, LBFGS_DEFAULTS, type LbfgsOptions } from "./optim/lbfgs.js";
export type { Evaluation, ImageOptimizer } from "./optim/types.js";

// For backend packages: the custom kernels a backend may register natively (as @pastiche/node does for tfjs-node)
export { RELU_BACKPROP, type ReluBackpropInputs } from "./ops/reluBackprop.js";
export { IMAGE_PATCHES, type ImagePatchesInputs, type ImagePatchesAttrs } from "./ops/imagePatches.js";
export { MAX_POOL_2X2_BACKPROP, maxPool2x2BackpropByMask, type MaskedRoute, type MaxPool2x2BackpropInputs } from "./ops/maxPoolBackprop.js";
export { INSTANCE_NORM, type InstanceNormInputs, type InstanceNormAttrs } from "./ops/instanceNorm.js";
// ...and the step compiler a backend may register to run a whole evaluation as one graph
export {
  registerStepCompiler,
  unregisterStepCompiler,
  getStepCompiler,
  type StepCompiler,
  type CompiledStep,
  type TensorStep,
  type TraceResult,
} from "./compile/stepCompiler.js";
export { compileStep, type StepFunction } from "./compile/compiledStep.js";
