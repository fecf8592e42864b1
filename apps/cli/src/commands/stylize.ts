import path from "node:path";
import { Args, Flags } from "@oclif/core";
import {
  DEFAULT_CONTENT_LAYERS,
  DEFAULT_MAX_INPUT_PIXELS,
  DEFAULT_STYLE_LAYERS,
  GATYS_PRESETS,
  PasticheError,
  parseGatysOptions,
  type GatysOptionsInput,
  type GatysPresetName,
} from "@pastiche/core";
import { assertWritableOutput, initBackend, isFastRunSettings, readRunSettings, stylizeGatysFromFiles, verifyRunInputs, writeImage } from "@pastiche/node";
import { BaseCommand } from "../lib/baseCommand.js";
import { GATYS_FLAGS, gatysOptionFlags } from "../lib/flagTables.js";
import { checkCounts, contentAndStyles, runInputFiles, styleMasksFor } from "../lib/inputs.js";
import { StopOnSignals } from "../lib/signals.js";
import { optionsFromFlags } from "../lib/optionFlags.js";
import { sharedStyleFlags } from "../lib/sharedFlags.js";
import { integerFlag } from "../lib/flags.js";
import { ProgressReporter, fmtDuration, type ProgressMode } from "../lib/progress.js";

export default class Stylize extends BaseCommand {
  static override summary = "Repaint a content image in the style of one or more style images (Gatys et al.).";
  static override description = `Optimises the output image so its VGG19 features match the content image and its Gram matrices match the style image(s). The objective is the TensorFlow tutorial's: content layer ${DEFAULT_CONTENT_LAYERS.join(",")}, style layers ${DEFAULT_STYLE_LAYERS.join(",")}, content weight 1e4, style weight 1e-2, TV weight 30. The default schedule is the fastest to its quality measured here: L-BFGS with a backtracking line search at one scale (coarse to fine, with Adam on tiled stages, for outputs too large for one pass). --preset tutorial runs the tutorial itself (Adam lr 0.02, β1 0.99, ε 0.1, 1000 steps), --preset seed the seed blog's run.`;
  static override examples = [
    "<%= config.bin %> stylize photo.jpg starry_night.jpg -o out.png --size 256 --iterations 200",
    "<%= config.bin %> stylize photo.jpg a.jpg b.jpg --style-blend-weights 3,7 -o out.png",
    "<%= config.bin %> stylize photo.jpg sky.jpg ground.jpg --mask sky-mask.png --mask ground-mask.png -o out.png",
    "<%= config.bin %> stylize photo.jpg wave.jpg -o out.png --optimizer lbfgs --iterations 300 --json",
    "<%= config.bin %> stylize --from out.png -o again.png --iterations 1000",
    "<%= config.bin %> stylize photo.jpg starry_night.jpg -o tutorial.png --preset tutorial",
  ];
  static override strict = false; // several style images
  static override usage = ["stylize CONTENT STYLE... -o OUTPUT [flags]", "stylize --from PNG -o OUTPUT [flags]"];
  static override args = {
    content: Args.string({ description: "content image (JPEG, PNG, WebP or TIFF); optional with --from" }),
    style: Args.string({ description: "style image(s); give several to blend them" }),
  };
  static override flags = {
    ...sharedStyleFlags,
    // Every option of core's GatysOptionsSchema that the CLI offers, generated from the schema.
    ...gatysOptionFlags,
    from: Flags.string({
      description:
        "rerun the run recorded in this PNG (written by pastiche stylize; pastiche fast has its own --from): same inputs (checked by sha256), options and seed; flags given override",
    }),
    mask: Flags.string({
      description:
        "regional styles: a grayscale mask image per style image, in order (white: this style, black: not; soft values blend); repeat the flag or separate with commas",
      multiple: true,
      multipleNonGreedy: true, // `--mask a.png b.jpg` must leave b.jpg to the style images
    }),
    "max-input-pixels": integerFlag("max-input-pixels", {
      description: "refuse input images with more pixels (width × height) than this, before decoding them",
      min: 1,
      default: DEFAULT_MAX_INPUT_PIXELS,
    }),
    "print-every": integerFlag("print-every", {
      description:
        "a progress line every N iterations instead of the bar (neural-style's -print_iter) [default: a bar on a terminal, else about 20 lines per run]",
      min: 1,
    }),
    weights: Flags.string({ description: "VGG19 weights: a tfjs layers-model dir, its model.json, or the Keras .h5 [default: search PASTICHE_MODELS_DIR]" }),
    json: Flags.boolean({ description: "print one JSON object per progress event on stdout" }),
  };

  async run(): Promise<void> {
    const { flags, raw } = await this.parse(Stylize);
    // The positional arguments in the order given: oclif's `argv` is re-sorted by first occurrence,
    // which reorders a repeated path (`a.jpg b.jpg a.jpg`) and would pair styles with the wrong masks.
    const argv = raw.flatMap((t) => (t.type === "arg" ? [t.input] : []));
    // --from: the recorded run is the base; flags and inputs given on the command line override it.
    const settings = flags.from !== undefined ? await readRunSettings(flags.from) : undefined;
    if (settings && isFastRunSettings(settings)) {
      throw new PasticheError("INVALID_OPTION", `${flags.from} was made by pastiche fast: rerun it with \`pastiche fast --from ${flags.from}\``);
    }
    const from = settings;
    const recorded = from && argv.length === 0 ? from : undefined;
    const { content, styles } = recorded ? { content: recorded.content, styles: [...recorded.styles] } : contentAndStyles(argv);
    const styleMasks = flags.mask !== undefined ? styleMasksFor(flags.mask) : recorded?.styleMasks;
    const given = optionsFromFlags<GatysOptionsInput>(flags, GATYS_FLAGS);
    const input: GatysOptionsInput = {
      ...withoutPresetValues(from?.options, given.preset),
      // New inputs start from the content unless --init says otherwise.
      ...(from && !recorded ? { init: { kind: "content" } as const } : {}),
      ...given,
    };
    // Cheap checks first: a typo in a flag or an unwritable output must not cost a model load.
    // The options are parsed here, once; every layer below takes them as they are.
    const options = parseGatysOptions(input);
    checkCounts(styles.length, options.styleBlendWeights?.length, styleMasks?.length);
    await assertWritableOutput(flags.output, runInputFiles(content, styles, styleMasks, options.init));
    if (recorded) await verifyRunInputs(recorded, flags.from!);

    await initBackend(flags.backend);
    const mode: ProgressMode = flags.json ? "json" : flags.quiet ? "quiet" : process.stderr.isTTY && flags["print-every"] === undefined ? "bar" : "lines";
    const progress = new ProgressReporter(mode, flags["print-every"]);
    const stop = new StopOnSignals();
    try {
      for await (const event of stylizeGatysFromFiles({
        content,
        styles,
        ...(styleMasks ? { styleMasks } : {}),
        options,
        maxInputPixels: flags["max-input-pixels"],
        signal: stop.signal,
        // The pipeline writes the result with its settings (a partial one too, on Ctrl-C, SIGTERM or SIGHUP).
        output: { path: flags.output, keepPartial: true },
        ...(flags.weights !== undefined ? { weightsPath: flags.weights } : {}),
      })) {
        progress.event(event);
        if (event.type === "iteration" && event.preview) {
          await writeImage(numbered(flags.output, event.iteration), event.preview);
        }
        if (event.type === "done") {
          if (mode !== "json") {
            const what = event.aborted ? `stopped after ${event.iterations} iterations; partial result` : "wrote";
            process.stderr.write(`${what} ${flags.output} (${event.image.width}×${event.image.height}) in ${fmtDuration(event.elapsedMs)}\n`);
          }
          if (event.aborted) this.exit(stop.exitCode);
        }
      }
    } finally {
      progress.stop();
      stop.dispose();
    }
  }
}

/** `out.png`, 100 → `out-0100.png`. */
function numbered(output: string, iteration: number): string {
  const ext = path.extname(output);
  return `${output.slice(0, output.length - ext.length)}-${String(iteration).padStart(4, "0")}${ext}`;
}

/** `--from X --preset P`: the recorded values P sets give way to P's (flags given still override both). */
function withoutPresetValues(recorded: GatysOptionsInput | undefined, preset: GatysPresetName | undefined): GatysOptionsInput | undefined {
  if (!recorded || !preset) return recorded;
  const set = new Set(Object.keys(GATYS_PRESETS[preset]));
  return Object.fromEntries(Object.entries(recorded).filter(([key]) => !set.has(key))) as GatysOptionsInput;
}
