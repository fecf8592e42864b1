// `@pastiche/core/internal`: pieces the workspace's own tests (in other packages) reach for, no part
// of the public API and with no stability promise. @pastiche/node's suite checks core's custom
// gradients, kernels and tiled objective on tfjs-node (and the benchmarks compare the TFLite graph with and without its rewrite), which core's own suite (pinned to WASM) cannot.
export { conv2dReluTfjsGrad } from "./ops/conv2dReluFastGrad.js";
export { conv2dReluBackpropInputGrad } from "./ops/conv2dReluBackpropInput.js";
export { reluBackprop } from "./ops/reluBackprop.js";
export { maxPool2x2 } from "./ops/maxPoolBackprop.js";
export { imagePatches } from "./ops/imagePatches.js";
export { winogradConv2d, winogradFilter, winogradPays } from "./ops/winogradConv2d.js";
export { instanceNorm } from "./ops/instanceNorm.js";
export { TfliteGraph } from "./tflite/graph.js";
export { borderEnergyRatio } from "./gatys/tiling/tiles.js";
export { wholeImageObjective } from "./gatys/objective/objective.js";
export { tiledObjective } from "./gatys/objective/tiledObjective.js";
