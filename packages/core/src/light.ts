/**
 * `@pastiche/core/light`: plain values and helpers with neither TensorFlow.js nor zod, for browser
 * code that must stay small (a web page's bundle) and for anything that only formats or defaults.
 * Every name here is also exported by `@pastiche/core`.
 *
 * @packageDocumentation
 */
export {
  FAST_DEFAULT_SIZE,
  WEB_QUALITY_DEFAULTS,
  DEFAULT_GATYS_ITERATIONS,
  DEFAULT_LBFGS_HISTORY,
  DEFAULT_MAX_INPUT_PIXELS,
  DEFAULT_MAX_INPUT_BYTES,
  MIN_INPUT_SIDE,
  MAX_STYLE_IMAGES,
} from "./options/defaults.js";
export { formatBytes } from "./formatBytes.js";
export { GATYS_PRESETS, GATYS_PRESET_NAMES, applyGatysPreset, type GatysPresetName } from "./gatys/presets.js";
