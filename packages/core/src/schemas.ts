// `@pastiche/core/schemas`: the option schemas and the error type without TensorFlow.js, for
// processes that validate runs but never execute one (the web server: it must stay small and
// responsive, and runs happen in a worker process that imports the full `@pastiche/core`).
export { PasticheError, isPasticheError, type PasticheErrorCode } from "./errors.js";
export { weightSchema, styleBlendWeightsSchema } from "./options/parse.js";
export { GatysOptionsSchema, parseGatysOptions, type GatysOptions, type GatysOptionsInput } from "./gatys/options.js";
export { FastOptionsSchema, parseFastOptions, type FastOptions, type FastOptionsInput } from "./fast/options.js";
