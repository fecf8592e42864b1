export { PasticheError, isPasticheError, type PasticheErrorCode } from "./errors.js";
export { assertRgbImage, type RgbImage } from "./image.js";
export * from "./model/index.js";
export {
  VGG19_LAYERS,
  VGG19_CONV_LAYERS,
  resolveLayerName,
  deepestLayerIndex,
  type VggLayer,
} from "./vgg/layers.js";
export { preprocessCaffe, VGG_BGR_MEANS } from "./vgg/preprocess.js";
export { VggFeatureExtractor, preferredConvGradient, type ConvGradient, type VggExtractorOptions } from "./vgg/extractor.js";
export {
  conv2dReluFastGrad,
  conv2dReluTfjsGrad,
  flipKernelForInputGrad,
  type FastGradConvWeights,
} from "./ops/conv2dReluFastGrad.js";
export { conv2dReluBackpropInputGrad } from "./ops/conv2dReluBackpropInput.js";
export { reluBackprop, RELU_BACKPROP, type ReluBackpropInputs } from "./ops/reluBackprop.js";
export { gramMatrix, blendGrams } from "./losses/gram.js";
export { contentLoss, meanSquaredError } from "./losses/content.js";
export { styleLoss, maskedStyleLoss, type MaskedStyleTarget } from "./losses/style.js";
export { maskedGramMatrix } from "./losses/maskedGram.js";
export { layerMasks, poolsBefore } from "./vgg/layerMasks.js";
export { maskImageToTensor } from "./run/styleMasks.js";
export { totalVariation } from "./losses/totalVariation.js";
export { AdamImageOptimizer, ADAM_DEFAULTS, type AdamOptions } from "./optim/adam.js";
export { LbfgsImageOptimizer, LBFGS_DEFAULTS, type LbfgsOptions } from "./optim/lbfgs.js";
export type { Evaluation, ImageOptimizer } from "./optim/types.js";
export { IterateAverage } from "./optim/iterateAverage.js";
export {
  GatysOptionsSchema,
  parseGatysOptions,
  styleLongestSide,
  DEFAULT_CONTENT_LAYERS,
  DEFAULT_STYLE_LAYERS,
  type GatysOptions,
  type GatysOptionsInput,
} from "./run/options.js";
export type { StylizeEvent, LossTerms } from "./run/events.js";
export { stylizeGatys, type GatysInput } from "./run/gatys.js";
export { assertGradientsRegistered } from "./run/gradients.js";
export { parseOptions, styleBlendWeightsSchema, weightSchema } from "./optionSchemas.js";
export { rgbImageToTensor, tensorToRgbImage, resizeRgbImage } from "./run/tensorImage.js";
export { scaleSizes, planStages, planRun, stageIterations, stylizeMultiScale, type StageRunner } from "./run/multiScale.js";
export type { StageInfo } from "./run/stage.js";
export * from "./color/index.js";
export * from "./tflite/index.js";
export * from "./fast/index.js";
export { planTiles, axisCuts, coreInFeatures, tileOffsets, borderEnergyRatio, type Rect, type Tile, type TileGrid } from "./run/tiles.js";
export { imageGrams, type GramTiling } from "./run/styleTargets.js";
export { wholeImageObjective, type Objective, type ObjectiveInput } from "./run/objective.js";
export { tiledObjective, type TiledObjectiveInput } from "./run/tiledObjective.js";
export { resolveTiling, tileAlignment, formatBytes } from "./run/tiling.js";
export { chooseTileSize, estimateEvaluationBytes, memoryModel, activationShare, MEMORY_MODELS, type MemoryModel } from "./run/memoryBudget.js";
