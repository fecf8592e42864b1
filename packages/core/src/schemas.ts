// `@pastiche/core/schemas`: the option schemas and the error type without TensorFlow.js, for
// processes that validate runs but never execute one (the web server: it must stay small and
// responsive, and runs happen in a worker process that imports the full `@pastiche/core`).
export { PasticheError, isPasticheError, type PasticheErrorCode } from "./errors.js";
export { weightSchema, styleBlendWeightsSchema } from "./options/parse.js";
export {
  GatysOptionsSchema,
  GatysInitSchema,
  BUILT_IN_INITS,
  parseGatysOptions,
  ensureGatysOptions,
  type GatysOptions,
  type GatysOptionsInput,
  type GatysInit,
} from "./gatys/options.js";
export { checkStyleCounts, styleCountProblem, type StyleCounts, type StyleCountNames } from "./options/styleCounts.js";
export * from "./light.js";
export { FastOptionsSchema, parseFastOptions, ensureFastOptions, type FastOptions, type FastOptionsInput } from "./fast/options.js";
export { VideoOptionsSchema, parseVideoOptions, TEMPORAL_LOSS_SCALE, type VideoOptions, type VideoOptionsInput } from "./video/options.js";
