/**
 * `@pastiche/core/schemas`: the option schemas, their defaults and the error type without
 * TensorFlow.js, for processes that validate runs but never execute one (a web server must stay
 * small and responsive; its runs happen in a worker that imports the full `@pastiche/core`).
 * Every name here is also exported by `@pastiche/core`.
 *
 * @example
 * ```ts
 * import { FastOptionsSchema } from "@pastiche/core/schemas";
 * const options = FastOptionsSchema.parse({ size: 256 }); // the rest defaulted
 * ```
 *
 * @packageDocumentation
 */
export { PasticheError, isPasticheError, type PasticheErrorCode } from "./errors.js";
export {
  GatysOptionsSchema,
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
export { VideoOptionsSchema, parseVideoOptions, type VideoOptions, type VideoOptionsInput } from "./video/options.js";
