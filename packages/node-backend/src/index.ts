// @pastiche/node: binds @pastiche/core to Node — backend choice, image files, model files.
export * from "./backend/index.js";
export * from "./images/index.js";
export * from "./models/index.js";
export { isModelInstalled } from "./models/installed.js";
export { writeFileAtomic, syncDirectory } from "./fs/atomicWrite.js";
export { openInputFile, readInputFile, readStdinOnce, STDIN_PATH, DEFAULT_MAX_INPUT_BYTES, type InputFileOptions } from "./fs/inputFile.js";
export { formatBytes } from "@pastiche/core";
export {
  stylizeGatysFromFiles,
  readGatysInputs,
  cachedVgg19Weights,
  GatysBatch,
  type GatysFileRequest,
  type GatysInputs,
  type GatysOutput,
} from "./pipeline/gatysFromFiles.js";
export {
  stylizeFastFromFiles,
  loadFastStyleModels,
  cachedFastStyleModels,
  loadMagentaGraphModels,
  readFastInputs,
  stylizeFastToImage,
  type FastFileRequest,
  type FastFileEvent,
  type FastModelsRequest,
  type LoadedFastModels,
  type TransferVariant,
} from "./pipeline/fastFromFiles.js";
export { MAGENTA_STYLE_PREDICT_MODEL, MAGENTA_STYLE_TRANSFER_MODEL, UNKNOWN_MD5 } from "./models/registry.js";
export {
  RUN_SETTINGS_KEY,
  formatRunSettings,
  hashRunInputs,
  initFile,
  RunSettingsSchema,
  parseRunSettings,
  readRunSettings,
  sha256File,
  verifyRunInputs,
  type InputHashes,
  type RunSettings,
  type GatysRunSettings,
  type FastRunSettings,
  isFastRunSettings,
} from "./pipeline/runSettings.js";
export * from "./video/index.js";
