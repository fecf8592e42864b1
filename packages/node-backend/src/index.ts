// @pastiche/node: binds @pastiche/core to Node — backend choice, image files, model files.
export * from "./backend/index.js";
export * from "./images/index.js";
export * from "./models/index.js";
export { stylizeGatysFromFiles, cachedVgg19Weights, type GatysFileRequest } from "./pipeline/gatysFromFiles.js";
