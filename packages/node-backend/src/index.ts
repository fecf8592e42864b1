/**
 * `@pastiche/node` binds `@pastiche/core` to Node: it picks a TensorFlow.js backend (tfjs-node when
 * its native addon loads, else threaded WASM), reads and writes image files, finds, downloads and
 * verifies model files, and runs whole Fast, Gatys and video stylisations from files to files.
 *
 * @example Fast stylisation of two files
 * ```ts
 * import { initBackend, loadFastStyleModels, readImage, writeImage } from "@pastiche/node";
 * import { stylizeFast, untilDone } from "@pastiche/core";
 *
 * await initBackend("auto");
 * const { models } = await loadFastStyleModels({ modelsDir: "./models" });
 * const [content, style] = await Promise.all([readImage("content.jpg"), readImage("style.jpg")]);
 * const done = await untilDone(stylizeFast({ content, styles: [style], models, options: { size: 256 } }));
 * await writeImage("out.png", done.image);
 * ```
 *
 * @packageDocumentation
 */

// Backend choice
export { initBackend, BACKEND_CHOICES, type BackendChoice, type BackendInfo } from "./backend/selectBackend.js";

// Image files
export { readImage, DEFAULT_MAX_INPUT_PIXELS, type ReadImageOptions } from "./images/readImage.js";
export {
  writeImage,
  assertWritableOutput,
  outputFormatFromPath,
  SUPPORTED_OUTPUT_EXTENSIONS,
  TEMP_FILE_PREFIX,
  type RunInputFile,
  type OutputFormat,
  type WriteImageOptions,
} from "./images/writeImage.js";
export { readPngText } from "./images/pngText.js";
export { sniffImage, type ImageFormat, type SniffResult } from "./images/sniff.js";
export { STDIN_PATH } from "./fs/inputFile.js";

// Model files: where they live, what they are, download and verification
export { MODELS_DIR_ENV, defaultModelsDir, resolveModelsDir, type ModelsDirInfo } from "./models/modelsDir.js";
export {
  MODEL_REGISTRY,
  VGG19_MODEL,
  MAGENTA_STYLE_PREDICT_MODEL,
  MAGENTA_STYLE_TRANSFER_MODEL,
  UNKNOWN_MD5,
  getModelEntry,
  listModels,
  type LocalModelForm,
  type ModelDownloadSource,
  type ModelEntry,
  type ModelFileKind,
} from "./models/registry.js";
export { readLayersModelWeights } from "./models/layersModelDir.js";
export { locateVgg19, loadVgg19Weights, type LoadVgg19Options, type LocateOptions, type ModelSource } from "./models/findModel.js";
export {
  downloadModel,
  verifyModel,
  type DownloadOptions,
  type DownloadResult,
  type HashStatus,
  type ModelFileStatus,
  type ModelVerification,
  type VerifyOptions,
} from "./models/download.js";
export { MANIFEST_FILE, type ContentCheck } from "./models/manifest.js";
export { isModelInstalled } from "./models/installed.js";

// Whole runs, files to files
export {
  stylizeFastFromFiles,
  loadFastStyleModels,
  cachedFastStyleModels,
  loadMagentaGraphModels,
  stylizeFastToImage,
  type FastFileRequest,
  type FastFileEvent,
  type FastModelsRequest,
  type LoadedFastModels,
  type TransferVariant,
} from "./pipeline/fastFromFiles.js";
export { stylizeGatysFromFiles, cachedVgg19Weights, GatysBatch, type GatysFileRequest, type GatysInputs, type GatysOutput } from "./pipeline/gatysFromFiles.js";
export {
  RUN_SETTINGS_KEY,
  formatRunSettings,
  hashRunInputs,
  RunSettingsSchema,
  parseRunSettings,
  readRunSettings,
  verifyRunInputs,
  isFastRunSettings,
  type InputHashes,
  type RunSettings,
  type GatysRunSettings,
  type FastRunSettings,
} from "./pipeline/runSettings.js";

// Video files
export { probeVideo, type VideoInfo } from "./video/probeVideo.js";
export { decodeFrames, type DecodeRequest } from "./video/decodeFrames.js";
export { videoFormatFromPath, SUPPORTED_VIDEO_EXTENSIONS, type VideoFormat } from "./video/encodeVideo.js";
export { framePairFlow } from "./video/opticalFlow.js";
export { stylizeVideoFromFiles, type VideoFileRequest, type VideoFileEvent, type VideoMethod } from "./video/videoFromFiles.js";
export { makeSyntheticClip, type SyntheticClipRequest } from "./video/syntheticClips.js";
