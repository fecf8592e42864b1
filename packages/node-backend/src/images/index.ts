// Image IO for Node: decode files into core's RgbImage and write results back, safely.
export { readImage, DEFAULT_MAX_INPUT_PIXELS, type ReadImageOptions } from "./readImage.js";
export {
  writeImage,
  assertWritableOutput,
  assertWritableFile,
  assertOutputIsNotInput,
  type RunInputFile,
  outputFormatFromPath,
  SUPPORTED_OUTPUT_EXTENSIONS,
  HIGH_DEPTH_FORMATS,
  assertHighDepthOutput,
  DEFAULT_OUTPUT_QUALITY,
  TEMP_FILE_PREFIX,
  type OutputFormat,
  type WriteImageOptions,
} from "./writeImage.js";
export { insertPngText, readPngText } from "./pngText.js";
export { sniffImage, type ImageFormat, type SniffResult } from "./sniff.js";
