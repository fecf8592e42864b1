import { Args, Flags } from "@oclif/core";
import { parseFastOptions, type FastOptionsInput } from "@pastiche/core";
import { assertWritableOutput, initBackend, stylizeFastFromFiles, writeImage } from "@pastiche/node";
import { BaseCommand } from "../lib/baseCommand.js";
import { contentAndStyles } from "../lib/inputs.js";
import { sharedStyleFlags } from "../lib/sharedFlags.js";
import { integerFlag, numberFlag } from "../lib/flags.js";

export default class Fast extends BaseCommand {
  static override summary = "Stylise in about a second with Magenta's arbitrary-style networks (Ghiasi et al. 2017).";
  static override description =
    "A style-prediction network maps each style image (scaled and cropped to --style-size) to a 100-value bottleneck; a transfer network paints the content image with it in one forward pass. Uses the TFLite files in the models directory (`pastiche models download magenta-style-predict` and `magenta-style-transfer`). Bottlenecks are cached per style image within a process.";
  static override examples = [
    "<%= config.bin %> fast photo.jpg the_great_wave.jpg -o out.png --size 512",
    "<%= config.bin %> fast photo.jpg a.jpg b.jpg --style-blend-weights 3,7 --strength 0.7 -o out.png",
  ];
  static override strict = false; // several style images
  static override args = {
    content: Args.string({ description: "content image (JPEG, PNG, WebP or TIFF)", required: true }),
    style: Args.string({ description: "style image(s); give several to blend them", required: true }),
  };
  static override flags = {
    ...sharedStyleFlags,
    size: integerFlag("size", { description: "longest side of the output in pixels", default: 512, min: 8 }),
    "style-size": integerFlag("style-size", { description: "side of the square the style image is scaled and cropped to for the predictor", default: 256, min: 32 }),
    strength: numberFlag("strength", { description: "0 (content unchanged) … 1 (full style) [default: 1]", min: 0 }),
    transfer: Flags.string({ description: "transfer network: int8, f16 (which TFLite file in the models directory) or a PATH to a .tflite file" }),
    predictor: Flags.string({ description: "PATH to the style-prediction .tflite file [default: search PASTICHE_MODELS_DIR]" }),
    json: Flags.boolean({ description: "print one JSON object with the result and timings on stdout" }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Fast);
    const { content, styles } = contentAndStyles(argv, flags["style-blend-weights"]);
    const options: FastOptionsInput = {
      size: flags.size,
      styleSize: flags["style-size"],
      ...(flags.strength !== undefined ? { strength: flags.strength } : {}),
      ...(flags["style-blend-weights"] ? { styleBlendWeights: flags["style-blend-weights"] } : {}),
    };
    // Cheap checks first: a bad flag or an unwritable output must not cost a model load.
    const parsed = parseFastOptions(options);
    await assertWritableOutput(flags.output);
    const variant = flags.transfer === "int8" || flags.transfer === "f16" ? flags.transfer : undefined;

    const backend = await initBackend(flags.backend);
    const result = await stylizeFastFromFiles({
      content,
      styles,
      options,
      ...(variant ? { transferVariant: variant } : flags.transfer !== undefined ? { transferPath: flags.transfer } : {}),
      ...(flags.predictor !== undefined ? { predictorPath: flags.predictor } : {}),
    });
    await writeImage(flags.output, result.image, {
      text: {
        Software: `pastiche ${this.config.version}`,
        "pastiche:settings": JSON.stringify({ method: "fast", content, styles, options: parsed, predictor: result.predictorPath, transfer: result.transferPath, backend: backend.name }),
      },
    });
    const { predictMs, transferMs, totalMs } = result.timings;
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ type: "done", output: flags.output, width: result.image.width, height: result.image.height, backend: backend.name, predictorRuns: result.predictorRuns, timings: result.timings, predictor: result.predictorPath, transfer: result.transferPath })}\n`,
      );
    } else if (!flags.quiet) {
      process.stderr.write(
        `wrote ${flags.output} (${result.image.width}×${result.image.height}) on ${backend.name} in ${Math.round(totalMs)} ms (style prediction ${Math.round(predictMs)} ms, transfer ${Math.round(transferMs)} ms)\n`,
      );
    }
  }
}
