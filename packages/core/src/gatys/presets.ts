/**
 * Named option sets for the textbook results. A preset only fills what the caller left out: values
 * given explicitly (flags, a form, an API call) win, and the schema's defaults fill the rest. Applied
 * once, where the options are parsed ({@link applyGatysPreset} inside `parseGatysOptions`); the preset's
 * name stays in the parsed options, so recorded settings rerun it.
 */
/** The tutorial's optimiser and start, shared by both presets: Adam 0.02/0.99/0.999/ε 0.1 from the content image, one scale. */
const TUTORIAL_ADAM = {
  optimizer: "adam",
  learningRate: 0.02,
  adamBeta1: 0.99,
  adamBeta2: 0.999,
  adamEpsilon: 0.1,
  init: { kind: "content" },
  scales: "off",
} as const;

/**
 * Named sets of Gatys options that reproduce a known setup; `preset: "tutorial"` in the options
 * applies one (explicit options still win, see {@link applyGatysPreset}).
 */
export const GATYS_PRESETS = {
  /**
   * TensorFlow's tutorial "Neural style transfer", exactly: Adam lr 0.02, β₁ 0.99, ε 0.1 from the
   * content image, one scale, content 1e4, style 1e-2, total variation 30, 10 epochs × 100 steps.
   */
  tutorial: {
    ...TUTORIAL_ADAM,
    contentWeight: 1e4,
    styleWeight: 1e-2,
    tvWeight: 30,
    iterations: 1000,
  },
  /** The seed blog's run: the tutorial's Adam from the content image, content 1e3, style 1e-2, no total variation, 1000 epochs. */
  seed: {
    ...TUTORIAL_ADAM,
    contentWeight: 1e3,
    styleWeight: 1e-2,
    tvWeight: 0,
    iterations: 1000,
  },
} as const;

/** The name of a {@link GATYS_PRESETS} entry. */
export type GatysPresetName = keyof typeof GATYS_PRESETS;
/** The preset names, for a CLI flag's choices or a form's select. */
export const GATYS_PRESET_NAMES = Object.keys(GATYS_PRESETS) as [GatysPresetName, ...GatysPresetName[]];

/**
 * The input with its preset's values under the ones given (an `undefined` value counts as not
 * given). Without a preset, or with a name the schema will refuse, the input as it is. `keys`:
 * only those of the preset's values (an edge that accepts fewer options, such as the web form).
 */
export function applyGatysPreset<T>(input: T, keys?: readonly string[]): T {
  if (typeof input !== "object" || input === null) return input;
  const name = (input as { preset?: unknown }).preset;
  if (typeof name !== "string" || !Object.hasOwn(GATYS_PRESETS, name)) return input;
  const preset = Object.entries(GATYS_PRESETS[name as GatysPresetName]).filter(([key]) => !keys || keys.includes(key));
  const given = Object.entries(input).filter(([, value]) => value !== undefined);
  return Object.fromEntries([...preset, ...given]) as T;
}
