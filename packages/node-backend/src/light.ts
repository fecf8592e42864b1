/**
 * `@pastiche/node/light`: the pieces of `@pastiche/node` that load neither TensorFlow.js nor sharp
 * (format sniffing, the models directory, the model catalogue, atomic writes), for a server process
 * that checks uploads and reports model availability but leaves every run to a worker process.
 *
 * @packageDocumentation
 */
export { sniffImage, pngHasEnd, jpegHasEnd, SNIFF_LENGTH, SUPPORTED_INPUT_FORMATS, type ImageFormat, type SniffResult } from "./images/sniff.js";
export { resolveModelsDir, defaultModelsDir, MODELS_DIR_ENV, type ModelsDirInfo } from "./models/modelsDir.js";
export { VGG19_MODEL, MAGENTA_STYLE_PREDICT_MODEL, MAGENTA_STYLE_TRANSFER_MODEL, type ModelEntry, type LocalModelForm } from "./models/registry.js";
export { crc32, pngChunk, readPngText } from "./images/pngText.js";
export { isModelInstalled } from "./models/installed.js";
export { writeFileAtomic, TEMP_FILE_PREFIX } from "./fs/atomicWrite.js";
// TF-free values from core, re-exported so the web server needs one import for them.
export { formatBytes, DEFAULT_MAX_INPUT_PIXELS, FAST_DEFAULT_SIZE, WEB_QUALITY_DEFAULTS } from "@pastiche/core/light";
