export { MODELS_DIR_ENV, defaultModelsDir, resolveModelsDir, type ModelsDirInfo } from "./modelsDir.js";
export {
  MODEL_REGISTRY,
  VGG19_MODEL,
  getModelEntry,
  listModels,
  type LocalModelForm,
  type ModelDownloadSource,
  type ModelEntry,
  type ModelFileKind,
} from "./registry.js";
export { readLayersModelWeights, layersModelDirIOHandler, resolveModelJsonPath } from "./layersModelDir.js";
export { readKerasH5Weights, kerasWeightKey, type ReadKerasH5Options } from "./kerasH5.js";
export { locateModel, locateVgg19, loadVgg19Weights, readModelWeights, type LoadVgg19Options, type LocateOptions, type ModelSource } from "./findModel.js";
export {
  downloadModel,
  verifyModel,
  md5File,
  type DownloadOptions,
  type DownloadResult,
  type HashStatus,
  type ModelFileStatus,
  type ModelVerification,
  type VerifyOptions,
} from "./download.js";
export { MANIFEST_FILE, readModelManifest, sha256OfFile, type ContentCheck, type ModelManifest, type ManifestEntry } from "./manifest.js";
