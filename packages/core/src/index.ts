export { assertRgbImage, type RgbImage, type RgbImage16 } from "./image/rgbImage.js";
export { fromImageData, toImageData, imageSourceToTensor, type RgbaPixels, type ImageDataLike, type ImageSource } from "./image/imageData.js";
export { fetchBytes, type FetchLike, type FetchBytesOptions } from "./model/fetchBytes.js";
export { loadLayersModelWeightsFromUrl, type LayersModelUrlOptions } from "./model/layersModelUrl.js";
export * from "./model/index.js";
export { VGG19_LAYERS, VGG19_CONV_LAYERS, resolveLayerName, deepestLayerIndex, type VggLayer } from "./vgg/layers.js";
export { preprocessCaffe, VGG_BGR_MEANS } from "./vgg/preprocess.js";
export { VggFeatureExtractor, preferredConvGradient, type ConvGradient, type VggExtractorOptions, type VggPooling } from "./vgg/extractor.js";
export { conv2dReluFastGrad, conv2dReluTfjsGrad, flipKernelForInputGrad, type FastGradConvWeights } from "./ops/conv2dReluFastGrad.js";
export { conv2dReluBackpropInputGrad } from "./ops/conv2dReluBackpropInput.js";
export { reluBackprop, RELU_BACKPROP, type ReluBackpropInputs } from "./ops/reluBackprop.js";
export { instanceNorm, INSTANCE_NORM, type InstanceNormInputs, type InstanceNormAttrs } from "./ops/instanceNorm.js";
export { gramMatrix, blendGrams } from "./losses/gram.js";
export { contentLoss, meanSquaredError } from "./losses/content.js";
export { styleLoss, maskedStyleLoss, type MaskedStyleTarget } from "./losses/style.js";
export { maskedGramMatrix } from "./losses/maskedGram.js";
export { layerMasks, poolsBefore } from "./vgg/layerMasks.js";
export { maskImageToTensor } from "./gatys/objective/styleMasks.js";
export { totalVariation } from "./losses/totalVariation.js";
export { AdamImageOptimizer, ADAM_DEFAULTS, type AdamOptions } from "./optim/adam.js";
export { LbfgsImageOptimizer, LBFGS_DEFAULTS, type LbfgsOptions } from "./optim/lbfgs.js";
export type { Evaluation, ImageOptimizer } from "./optim/types.js";
export { IterateAverage } from "./optim/iterateAverage.js";
// The option schemas, parsing, style counts and plain defaults: `@pastiche/core/schemas` (TF-free).
export * from "./schemas.js";
export { styleLongestSide, DEFAULT_CONTENT_LAYERS, DEFAULT_STYLE_LAYERS } from "./gatys/options.js";
export type { StylizeEvent, StageStartEvent, LossTerms } from "./gatys/events.js";
export { stylizeGatys, type GatysInput } from "./gatys/stylizeGatys.js";
export { StyleTargetCache } from "./gatys/objective/styleTargetCache.js";
export { normalizeGradient, normalizedFeatures } from "./losses/normalizeGradient.js";
export { assertGradientsRegistered } from "./gatys/gradients.js";
export { parseOptions } from "./options/parse.js";
export { rgbImageToTensor, tensorToRgbImage, tensorToRgbImage16, resizeRgbImage, resizeRgbImage16 } from "./image/tensorImage.js";
export {
  planGatysRun,
  chooseSeed,
  stageInfo,
  scaleSizes,
  fitLongestSide,
  planStages,
  stageIterations,
  type RunPlan,
  type StagePlan,
  type OptimizerPlan,
  type PlanInput,
  type Size,
} from "./gatys/plan.js";
export type { StageInfo } from "./gatys/stage.js";
export * from "./color/index.js";
export * from "./tflite/index.js";
export * from "./fast/index.js";
export { planTiles, axisCuts, coreInFeatures, tileOffsets, borderEnergyRatio, type Rect, type Tile, type TileGrid } from "./gatys/tiling/tiles.js";
export { imageGrams } from "./gatys/objective/styleTargets.js";
export { wholeImageObjective, type Objective, type ObjectiveInput } from "./gatys/objective/objective.js";
export { tiledObjective, type TiledObjectiveInput } from "./gatys/objective/tiledObjective.js";
export { resolveTiling, tileAlignment, type GramTiling } from "./gatys/tiling/resolveTiling.js";
export { untilDone } from "./untilDone.js";
export { chooseTileSize, estimateEvaluationBytes, memoryModel, activationShare, MEMORY_MODELS, type MemoryModel } from "./gatys/tiling/memoryBudget.js";
export * from "./video/index.js";
