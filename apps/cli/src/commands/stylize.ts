import path from "node:path";
import { Args, Flags, type Interfaces } from "@oclif/core";
import {
  DEFAULT_CONTENT_LAYERS,
  DEFAULT_MAX_INPUT_PIXELS,
  DEFAULT_STYLE_LAYERS,
  GATYS_PRESETS,
  PasticheError,
  parseGatysOptions,
  type GatysOptionsInput,
  type StylizeEvent,
  type GatysPresetName,
} from "@pastiche/core";
import {
  GatysBatch,
  assertWritableOutput,
  initBackend,
  isFastRunSettings,
  readRunSettings,
  stylizeGatysFromFiles,
  verifyRunInputs,
  writeImage,
  type GatysFileRequest,
} from "@pastiche/node";
import { BATCH_FAILED_EXIT_CODE, batchFromCommandLine, runBatch, type BatchPair } from "../lib/batch.js";
import { BaseCommand } from "../lib/baseCommand.js";
import { GATYS_FLAGS, gatysOptionFlags } from "../lib/flagTables.js";
import { checkCounts, contentAndStyles, runInputFiles, styleMasksFor } from "../lib/inputs.js";
import { StopOnSignals } from "../lib/signals.js";
import { optionsFromFlags } from "../lib/optionFlags.js";
import { batchFlags, depthFlag, sharedStyleFlags } from "../lib/sharedFlags.js";
import { integerFlag } from "../lib/flags.js";
import { ProgressReporter, fmtDuration, type ProgressMode } from "../lib/progress.js";

export default class Stylize extends BaseCommand {
  static override summary = "Repaint a content image in the style of one or more style images (Gatys et al.).";
  static override description = `Optimises the output image so its VGG19 features match the content image and its Gram matrices match the style image(s). The objective is the TensorFlow tutorial's: content layer ${DEFAULT_CONTENT_LAYERS.join(",")}, style layers ${DEFAULT_STYLE_LAYERS.join(",")}, content weight 1e4, style weight 1e-2, TV weight 30. The default schedule is the fastest to its quality measured here: L-BFGS with a backtracking line search at one scale (coarse to fine, with Adam on tiled stages, for outputs too large for one pass). --preset tutorial runs the tutorial itself (Adam lr 0.02, β1 0.99, ε 0.1, 1000 steps), --preset seed the seed blog's run.

Batch mode — several contents × styles, one output each — is chosen by --style (repeatable) or by -o naming a directory (existing, or ending in /): every positional argument is then a content (file, directory or quoted glob), each pair is written to -o DIR under --name (default {content}-{style}.png), pairs whose output exists are skipped unless --force (so rerunning resumes), a failing pair is reported and the rest go on (exit 5 if any failed), and the weights and each style's Gram targets are computed once for the batch.`;
  static override examples = [
    "<%= config.bin %> stylize photo.jpg starry_night.jpg -o out.png --size 256 --iterations 200",
    "<%= config.bin %> stylize photo.jpg a.jpg b.jpg --style-blend-weights 3,7 -o out.png",
    "<%= config.bin %> stylize photo.jpg sky.jpg ground.jpg --mask sky-mask.png --mask ground-mask.png -o out.png",
    "<%= config.bin %> stylize photo.jpg wave.jpg -o out.png --optimizer lbfgs --iterations 300 --json",
    "<%= config.bin %> stylize --from out.png -o again.png --iterations 1000",
    "<%= config.bin %> stylize photos/ 'more/*.jpg' --style starry.jpg --style wave.jpg -o out/ --name '{content}-{style}.png'",
    "cat photo.jpg | <%= config.bin %> stylize - starry.jpg -o out.png",
    "<%= config.bin %> stylize photo.jpg starry_night.jpg -o tutorial.png --preset tutorial",
  ];
  static override strict = false; // several style images
  static override usage = [
    "stylize CONTENT STYLE... -o OUTPUT [flags]",
    "stylize --from PNG -o OUTPUT [flags]",
    "stylize CONTENT... --style STYLE... -o DIR [--name TEMPLATE] [--force] [flags]",
  ];
  static override args = {
    content: Args.string({
      description: "content image (JPEG, PNG, WebP or TIFF; - reads standard input); optional with --from; in batch mode every argument is a content",
    }),
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
    json: Flags.boolean({ description: "print one JSON object per progress event on stdout (batch mode: one per pair, then a summary)" }),
    depth: depthFlag,
    "save-scales": Flags.boolean({
      description: "multi-scale runs: also write each scale's result as it finishes (OUT-scale1.png, … atomically; 8-bit)",
    }),
    ...batchFlags,
  };

  /** Batch mode: one backend, weights and style targets for every pair; a failing pair does not stop the rest. */
  private async runBatch(flags: StylizeFlags, pairs: readonly BatchPair[]): Promise<void> {
    const options = parseGatysOptions(optionsFromFlags<GatysOptionsInput>(flags, GATYS_FLAGS));
    const mode: ProgressMode = flags.json ? "json" : flags.quiet ? "quiet" : process.stderr.isTTY ? "bar" : "lines";
    await initBackend(flags.backend);
    const session = new GatysBatch();
    const stop = new StopOnSignals();
    try {
      const summary = await runBatch(
        pairs,
        { force: flags.force, mode, signal: stop.signal },
        {
          checkPair: (pair) => assertWritableOutput(pair.output, runInputFiles(pair.content, [pair.style], undefined, options.init)),
          runPair: async (pair, progress) => {
            for await (const event of stylizeGatysFromFiles({
              ...runRequest(flags, options),
              content: pair.content,
              styles: [pair.style],
              batch: session,
              signal: stop.signal,
              // A partial result only as PNG, whose settings say it is partial: a rerun redoes it.
              output: { path: pair.output, keepPartial: pair.output.toLowerCase().endsWith(".png"), depth: flags.depth === "16" ? 16 : 8 },
            })) {
              if (event.type === "iteration") progress(event.iteration, event.iterations);
              await writeSideImages(pair.output, event);
              if (event.type === "done") return { aborted: event.aborted, elapsedMs: event.elapsedMs };
            }
            throw new Error("the run ended without a result");
          },
          reuse: () => ({ "style targets computed": session.styleTargets.computed, reused: session.styleTargets.reused }),
        },
      );
      if (summary.stopped) this.exit(stop.exitCode);
      if (summary.failed.length > 0) this.exit(BATCH_FAILED_EXIT_CODE);
    } finally {
      stop.dispose();
      session.dispose();
    }
  }

  async run(): Promise<void> {
    const { flags, raw } = await this.parse(Stylize);
    // The positional arguments in the order given: oclif's `argv` is re-sorted by first occurrence,
    // which reorders a repeated path (`a.jpg b.jpg a.jpg`) and would pair styles with the wrong masks.
    const argv = raw.flatMap((t) => (t.type === "arg" ? [t.input] : []));
    const batch = await batchFromCommandLine(flags, argv, {
      from: flags.from,
      mask: flags.mask,
      "style-blend-weights": (flags as Record<string, unknown>)["style-blend-weights"],
    });
    if (batch) return this.runBatch(flags, batch);
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
        ...runRequest(flags, options),
        content,
        styles,
        ...(styleMasks ? { styleMasks } : {}),
        signal: stop.signal,
        // The pipeline writes the result with its settings (a partial one too, on Ctrl-C, SIGTERM or SIGHUP).
        output: { path: flags.output, keepPartial: true, depth: flags.depth === "16" ? 16 : 8 },
      })) {
        progress.event(event);
        await writeSideImages(flags.output, event);
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

type StylizeFlags = Interfaces.InferredFlags<typeof Stylize.flags>;

/** The request fields a single run and a batch's pairs share. */
function runRequest(
  flags: StylizeFlags,
  options: GatysFileRequest["options"],
): Pick<GatysFileRequest, "options" | "maxInputPixels" | "weightsPath" | "stageResults"> {
  return {
    options,
    maxInputPixels: flags["max-input-pixels"],
    ...(flags.weights !== undefined ? { weightsPath: flags.weights } : {}),
    ...(flags["save-scales"] ? { stageResults: true } : {}),
  };
}

/** Previews (--save-every) and each scale's result (--save-scales), next to the output. */
async function writeSideImages(output: string, event: StylizeEvent): Promise<void> {
  if (event.type === "iteration" && event.preview) await writeImage(numbered(output, event.iteration), event.preview);
  if (event.type === "stage") await writeImage(scaleFile(output, event.stage.index + 1), event.image);
}

/** `out.png`, 2 → `out-scale2.png`. */
export function scaleFile(output: string, scale: number): string {
  const ext = path.extname(output);
  return `${output.slice(0, output.length - ext.length)}-scale${scale}${ext}`;
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
  return Object.fromEntries(Object.entries(recorded).filter(([key]) => !set.has(key)));
}
