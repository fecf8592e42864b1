import { Args, Flags } from "@oclif/core";
import { PasticheError, parseFastOptions, type FastOptionsInput } from "@pastiche/core";
import { assertWritableOutput, initBackend, isFastRunSettings, readRunSettings, stylizeFastFromFiles, verifyRunInputs } from "@pastiche/node";
import { BaseCommand } from "../lib/baseCommand.js";
import { FAST_FLAGS, fastOptionFlags } from "../lib/flagTables.js";
import { checkCounts, contentAndStyles, runInputFiles } from "../lib/inputs.js";
import { optionsFromFlags } from "../lib/optionFlags.js";
import { sharedStyleFlags } from "../lib/sharedFlags.js";

export default class Fast extends BaseCommand {
  static override summary = "Stylise in about a second with Magenta's arbitrary-style networks (Ghiasi et al. 2017).";
  static override description =
    "A style-prediction network maps each style image (scaled and cropped to --style-size) to a 100-value bottleneck; a transfer network paints the content image with it in one forward pass. Uses the TFLite files in the models directory (`pastiche models download magenta-style-predict` and `magenta-style-transfer`). Bottlenecks are cached per style image within a process.";
  static override examples = [
    "<%= config.bin %> fast photo.jpg the_great_wave.jpg -o out.png --size 512",
    "<%= config.bin %> fast photo.jpg a.jpg b.jpg --style-blend-weights 3,7 --strength 0.7 -o out.png",
    "<%= config.bin %> fast --from out.png -o again.png --strength 0.5",
  ];
  static override strict = false; // several style images
  static override usage = ["fast CONTENT STYLE... -o OUTPUT [flags]", "fast --from PNG -o OUTPUT [flags]"];
  static override args = {
    content: Args.string({ description: "content image (JPEG, PNG, WebP or TIFF); optional with --from" }),
    style: Args.string({ description: "style image(s); give several to blend them" }),
  };
  static override flags = {
    ...sharedStyleFlags,
    // Every option of core's FastOptionsSchema, generated from the schema.
    ...fastOptionFlags,
    transfer: Flags.string({ description: "transfer network: int8, f16 (which TFLite file in the models directory) or a PATH to a .tflite file" }),
    predictor: Flags.string({ description: "PATH to the style-prediction .tflite file [default: search PASTICHE_MODELS_DIR]" }),
    json: Flags.boolean({ description: "print one JSON object with the result and timings on stdout" }),
    from: Flags.string({
      description: "rerun the fast run recorded in this PNG (written by pastiche fast): same inputs (checked by sha256) and options; flags given override",
    }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Fast);
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
    const variant = flags.transfer === "int8" || flags.transfer === "f16" ? flags.transfer : undefined;

    const backend = await initBackend(flags.backend);
    for await (const event of stylizeFastFromFiles({
      content,
      styles,
      options,
      output: { path: flags.output },
      ...(variant ? { transferVariant: variant } : flags.transfer !== undefined ? { transferPath: flags.transfer } : {}),
      ...(flags.predictor !== undefined ? { predictorPath: flags.predictor } : {}),
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
}
