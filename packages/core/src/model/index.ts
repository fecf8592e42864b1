export { disposeWeightMap, type WeightMap } from "./weightMap.js";
export {
  decodeLayersModelWeights,
  parseTfjsModelJson,
  loadWeightShards,
  checkWeightGroupShardSizes,
  weightByteLength,
  weightGroupByteLength,
  stripOutputSuffix,
  TFJS_MODEL_FORMATS,
  type DecodeWeightsOptions,
  type TfjsModelJson,
  type TfjsWeightEntry,
  type TfjsWeightGroup,
  type WeightShards,
} from "./tfjsLayersModel.js";
export { validateVgg19Weights, VGG19_CONV_WEIGHT_SPECS, VGG19_CONV_LAYER_NAMES, type Vgg19ConvWeightSpec } from "../vgg/weights.js";
