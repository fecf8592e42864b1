import { Args, Flags, type Interfaces } from "@oclif/core";
import { PasticheError, parseFastOptions, type FastOptionsInput } from "@pastiche/core";
import {
  assertWritableOutput,
  initBackend,
  isFastRunSettings,
  readRunSettings,
  stylizeFastFromFiles,
  verifyRunInputs,
  type FastModelsRequest,
  type TransferVariant,
} from "@pastiche/node";
import { BaseCommand } from "../lib/baseCommand.js";
import { FAST_FLAGS, fastOptionFlags } from "../lib/flagTables.js";
import { checkCounts, contentAndStyles, runInputFiles } from "../lib/inputs.js";
import { optionsFromFlags } from "../lib/optionFlags.js";
import { batchFlags, depthFlag, sharedStyleFlags } from "../lib/sharedFlags.js";
import { BATCH_FAILED_EXIT_CODE, batchFromCommandLine, runBatch, type BatchPair } from "../lib/batch.js";
import { StopOnSignals } from "../lib/signals.js";

export default class Fast extends BaseCommand {
  static override summary = "Stylise in about a second with Magenta's arbitrary-style networks (Ghiasi et al. 2017).";
  static override description =
    "A style-prediction network maps each style image (scaled and cropped to --style-size) to a 100-value bottleneck; a transfer network paints the content image with it in one forward pass. Uses the TFLite files in the models directory (`pastiche models download magenta-style-predict` and `magenta-style-transfer`). Bottlenecks are cached per style image within a process, so a batch predicts each style once.\n\nBatch mode — several contents × styles, one output each — is chosen by --style (repeatable) or by -o naming a directory (existing, or ending in /): every positional argument is then a content (file, directory or quoted glob), each pair is written to -o DIR under --name (default {content}-{style}.png), existing outputs are skipped unless --force, and a failing pair is reported while the rest go on (exit 5 if any failed).";
  static override examples = [
    "<%= config.bin %> fast photo.jpg the_great_wave.jpg -o out.png --size 512",
    "<%= config.bin %> fast photo.jpg a.jpg b.jpg --style-blend-weights 3,7 --strength 0.7 -o out.png",
    "<%= config.bin %> fast --from out.png -o again.png --strength 0.5",
    "<%= config.bin %> fast photos/ --style wave.jpg --style 'paintings/*.jpg' -o out/",
  ];
  static override strict = false; // several style images
  static override usage = [
    "fast CONTENT STYLE... -o OUTPUT [flags]",
    "fast --from PNG -o OUTPUT [flags]",
    "fast CONTENT... --style STYLE... -o DIR [--name TEMPLATE] [--force] [flags]",
  ];
  static override args = {
    content: Args.string({
      description: "content image (JPEG, PNG, WebP or TIFF; - reads standard input); optional with --from; in batch mode every argument is a content",
    }),
    style: Args.string({ description: "style image(s); give several to blend them" }),
  };
  static override flags = {
    ...sharedStyleFlags,
    // Every option of core's FastOptionsSchema, generated from the schema.
    ...fastOptionFlags,
    transfer: Flags.string({ description: "transfer network: int8, f16 (which TFLite file in the models directory) or a PATH to a .tflite file" }),
    predictor: Flags.string({ description: "PATH to the style-prediction .tflite file [default: search PASTICHE_MODELS_DIR]" }),
    json: Flags.boolean({ description: "print one JSON object with the result and timings on stdout (batch mode: one per pair, then a summary)" }),
    from: Flags.string({
      description: "rerun the fast run recorded in this PNG (written by pastiche fast): same inputs (checked by sha256) and options; flags given override",
    }),
    depth: depthFlag,
    ...batchFlags,
  };

  async run(): Promise<void> {
    const { argv: parsed, flags } = await this.parse(Fast);
    const argv = parsed.map(String);
    const batch = await batchFromCommandLine(flags, argv, {
      from: flags.from,
      "style-blend-weights": (flags as Record<string, unknown>)["style-blend-weights"],
    });
    if (batch) return this.runBatch(flags, batch);
    // --from: the recorded fast run is the base; flags and inputs given on the command line override it.
    const from = flags.from !== undefined ? await readRunSettings(flags.from) : undefined;
    if (from && !isFastRunSettings(from)) {
      throw new PasticheError("INVALID_OPTION", `${flags.from} was made by pastiche stylize: rerun it with \`pastiche stylize --from ${flags.from}\``);
    }
    const recorded = from && argv.length === 0 ? from : undefined;
    const { content, styles } = recorded ? { content: recorded.content, styles: [...recorded.styles] } : contentAndStyles(argv);
    // Cheap checks first: a bad flag or an unwritable output must not cost a model load. Parsed once, here.
    const options = parseFastOptions({ ...from?.options, ...optionsFromFlags<FastOptionsInput>(flags, FAST_FLAGS, from === undefined) });
    checkCounts(styles.length, options.styleBlendWeights?.length);
    await assertWritableOutput(flags.output, runInputFiles(content, styles));
    if (recorded) await verifyRunInputs(recorded, flags.from!);
    const backend = await initBackend(flags.backend);
    for await (const event of stylizeFastFromFiles({
      ...modelsRequest(flags),
      content,
      styles,
      options,
      output: { path: flags.output, depth: flags.depth === "16" ? 16 : 8 },
    })) {
      if (event.type !== "done") continue;
      const { predictMs, transferMs, totalMs } = event.timings;
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ type: "done", output: flags.output, width: event.image.width, height: event.image.height, backend: backend.name, predictorRuns: event.predictorRuns, timings: event.timings, predictor: event.predictorPath, transfer: event.transferPath })}\n`,
        );
      } else if (!flags.quiet) {
        process.stderr.write(
          `wrote ${flags.output} (${event.image.width}×${event.image.height}) on ${backend.name} in ${Math.round(totalMs)} ms (style prediction ${Math.round(predictMs)} ms, transfer ${Math.round(transferMs)} ms)\n`,
        );
      }
    }
  }

  /** Batch mode: one backend and model load; each style's bottleneck predicted once (the models' cache). */
  private async runBatch(flags: FastFlags, pairs: readonly BatchPair[]): Promise<void> {
    const options = parseFastOptions(optionsFromFlags<FastOptionsInput>(flags, FAST_FLAGS));
    await initBackend(flags.backend);
    const stop = new StopOnSignals();
    let predictorRuns = 0;
    try {
      const summary = await runBatch(
        pairs,
        { force: flags.force, mode: flags.json ? "json" : flags.quiet ? "quiet" : process.stderr.isTTY ? "bar" : "lines", signal: stop.signal },
        {
          checkPair: (pair) => assertWritableOutput(pair.output, runInputFiles(pair.content, [pair.style])),
          runPair: async (pair) => {
            for await (const event of stylizeFastFromFiles({
              ...modelsRequest(flags),
              content: pair.content,
              styles: [pair.style],
              options,
              output: { path: pair.output, depth: flags.depth === "16" ? 16 : 8 },
            })) {
              if (event.type !== "done") continue;
              predictorRuns += event.predictorRuns;
              return { aborted: false, elapsedMs: event.timings.totalMs };
            }
            throw new Error("the run ended without a result");
          },
          reuse: () => ({ "style predictions": predictorRuns }),
        },
      );
      if (summary.stopped) this.exit(stop.exitCode);
      if (summary.failed.length > 0) this.exit(BATCH_FAILED_EXIT_CODE);
    } finally {
      stop.dispose();
    }
  }
}

type FastFlags = Interfaces.InferredFlags<typeof Fast.flags>;

/** Which model files: --transfer (a variant or a path) and --predictor. */
function modelsRequest(flags: FastFlags): FastModelsRequest {
  const variant: TransferVariant | undefined = flags.transfer === "int8" || flags.transfer === "f16" ? flags.transfer : undefined;
  return {
    ...(variant ? { transferVariant: variant } : flags.transfer !== undefined ? { transferPath: flags.transfer } : {}),
    ...(flags.predictor !== undefined ? { predictorPath: flags.predictor } : {}),
  };
}
