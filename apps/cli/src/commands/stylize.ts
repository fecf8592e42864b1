import path from "node:path";
import { Args, Flags } from "@oclif/core";
import { DEFAULT_CONTENT_LAYERS, DEFAULT_STYLE_LAYERS, parseGatysOptions, type GatysOptionsInput } from "@pastiche/core";
import {
  DEFAULT_MAX_INPUT_PIXELS,
  RUN_SETTINGS_KEY,
  assertWritableOutput,
  formatRunSettings,
  hashRunInputs,
  initBackend,
  readRunSettings,
  stylizeGatysFromFiles,
  verifyRunInputs,
  writeImage,
} from "@pastiche/node";
import { BaseCommand } from "../lib/baseCommand.js";
import { contentAndStyles, styleMasksFor } from "../lib/inputs.js";
import { sharedStyleFlags } from "../lib/sharedFlags.js";
import { bytesFlag, integerFlag, iterationsPerScaleFlag, listFlag, numberFlag, numberListFlag, scalesFlag, tileSizeFlag } from "../lib/flags.js";
import { ProgressReporter, fmtDuration, type ProgressMode } from "../lib/progress.js";

export default class Stylize extends BaseCommand {
  static override summary = "Repaint a content image in the style of one or more style images (Gatys et al.).";
  static override description = `Optimises the output image so its VGG19 features match the content image and its Gram matrices match the style image(s). Defaults follow the TensorFlow tutorial: content layer ${DEFAULT_CONTENT_LAYERS.join(",")}, style layers ${DEFAULT_STYLE_LAYERS.join(",")}, content weight 1e4, style weight 1e-2, TV weight 30, Adam lr 0.02 (β1 0.99, ε 0.1).`;
  static override examples = [
    "<%= config.bin %> stylize photo.jpg starry_night.jpg -o out.png --size 256 --iterations 200",
    "<%= config.bin %> stylize photo.jpg a.jpg b.jpg --style-blend-weights 3,7 -o out.png",
    "<%= config.bin %> stylize photo.jpg sky.jpg ground.jpg --mask sky-mask.png --mask ground-mask.png -o out.png",
    "<%= config.bin %> stylize photo.jpg wave.jpg -o out.png --optimizer lbfgs --iterations 300 --json",
    "<%= config.bin %> stylize --from out.png -o again.png --iterations 1000",
  ];
  static override strict = false; // several style images
  static override args = {
    content: Args.string({ description: "content image (JPEG, PNG, WebP or TIFF); optional with --from" }),
    style: Args.string({ description: "style image(s); give several to blend them" }),
  };
  static override flags = {
    ...sharedStyleFlags,
    from: Flags.string({ description: "rerun the run recorded in this PNG (written by pastiche stylize): same inputs (checked by sha256), options and seed; flags given override" }),
    size: integerFlag("size", { description: "longest side of the output in pixels [default: 512]", min: 16 }),
    iterations: integerFlag("iterations", { description: "optimisation steps [default: 500]", min: 1, char: "n" }),
    optimizer: Flags.string({ description: "optimiser [default: adam]", options: ["adam", "lbfgs"] }),
    lr: numberFlag("lr", { description: "learning rate [default: 0.02 Adam, 1 L-BFGS]", min: Number.MIN_VALUE }),
    "content-weight": numberFlag("content-weight", { description: "content loss weight [default: 1e4]", min: 0 }),
    "style-weight": numberFlag("style-weight", { description: "style loss weight [default: 1e-2]", min: 0 }),
    "tv-weight": numberFlag("tv-weight", { description: "total variation weight [default: 30]", min: 0 }),
    "content-layers": listFlag("comma-separated content layers (block5_conv2 or relu5_2 style)"),
    "style-layers": listFlag("comma-separated style layers"),
    "style-layer-weights": numberListFlag("style-layer-weights", "one weight per style layer"),
    mask: Flags.string({
      description: "regional styles: a grayscale mask image per style image, in order (white: this style, black: not; soft values blend); repeat the flag or separate with commas",
      multiple: true,
      multipleNonGreedy: true, // `--mask a.png b.jpg` must leave b.jpg to the style images
    }),
    init: Flags.string({ description: "starting image: content, noise, fast (the `pastiche fast` result, needs the Magenta models), or a PATH to an image [default: content]" }),
    "preserve-colors": Flags.string({
      description: "keep the content's colours: luminance (style on the luminance only) or histogram (style recoloured to the content's colour statistics first)",
      options: ["none", "luminance", "histogram"],
    }),
    "style-scale": numberFlag("style-scale", {
      description: "style images resized to this × the output's longest side (0.5: larger brush strokes; max 4) [default: 1]",
      min: Number.MIN_VALUE,
    }),
    average: numberFlag("average", {
      description: "output a moving average of the image over the iterations with this decay (0.95–0.99: smoother) [default: 0, off]",
      min: 0,
    }),
    scales: scalesFlag("coarse to fine: auto (from --min-size growing by √2, for outputs over twice --min-size), off, or a number of stages [default: auto]"),
    "min-size": integerFlag("min-size", { description: "longest side of the first stage with --scales [default: 128]", min: 16 }),
    "iterations-per-scale": iterationsPerScaleFlag(
      "iterations of every stage with --scales, or one per stage coarse to fine (40,30,20,…) [default: --iterations is the budget in full-size iterations, 2/3 of it at full size]",
    ),
    "tile-size": tileSizeFlag("optimise in tiles of this side (px), with a grid that moves every step so no seams show: auto (only when the output would not fit --max-memory), off, or pixels [default: auto]"),
    "max-memory": bytesFlag("max-memory", "memory budget for one optimisation step, e.g. 6GB; larger outputs are tiled to stay within it [default: 6GB]"),
    seed: integerFlag("seed", { description: "random seed (noise init); printed when not given", min: 0 }),
    "save-every": integerFlag("save-every", { description: "also write the image every N iterations (OUT-0100.png …) [default: 0, never]", min: 0 }),
    "max-input-pixels": integerFlag("max-input-pixels", {
      description: "refuse input images with more pixels (width × height) than this, before decoding them",
      min: 1,
      default: DEFAULT_MAX_INPUT_PIXELS,
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
    // (The flags have no oclif defaults, so "given" is "defined"; the schema supplies the defaults.)
    const from = flags.from !== undefined ? await readRunSettings(flags.from) : undefined;
    const { content, styles } =
      from && argv.length === 0 ? { content: from.content, styles: [...from.styles] } : contentAndStyles(argv, flags["style-blend-weights"]);
    const styleMasks = flags.mask !== undefined ? styleMasksFor(flags.mask, styles.length) : from && argv.length === 0 ? from.styleMasks : undefined;
    const init = flags.init ?? (from && argv.length === 0 ? from.init : "content");
    const options: GatysOptionsInput = {
      ...from?.options,
      ...defined({
        size: flags.size,
        optimizer: flags.optimizer as "adam" | "lbfgs" | undefined,
        previewEvery: flags["save-every"],
        iterations: flags.iterations,
        learningRate: flags.lr,
        contentWeight: flags["content-weight"],
        styleWeight: flags["style-weight"],
        tvWeight: flags["tv-weight"],
        contentLayers: flags["content-layers"],
        styleLayers: flags["style-layers"],
        styleLayerWeights: flags["style-layer-weights"],
        styleBlendWeights: flags["style-blend-weights"],
        seed: flags.seed,
        preserveColors: flags["preserve-colors"] as GatysOptionsInput["preserveColors"],
        styleScale: flags["style-scale"],
        averaging: flags.average,
        scales: flags.scales,
        minSize: flags["min-size"],
        // One number means every stage (and is recorded as such for --from).
        iterationsPerScale: flags["iterations-per-scale"]?.length === 1 ? flags["iterations-per-scale"][0] : flags["iterations-per-scale"],
        tileSize: flags["tile-size"],
        maxMemory: flags["max-memory"],
      }),
    };
    // Cheap checks first: a typo in a flag or an unwritable output must not cost a model load.
    const parsed = parseGatysOptions(options);
    await assertWritableOutput(flags.output);
    if (from && argv.length === 0) await verifyRunInputs(from, flags.from!);
    // Hashed while the run starts; a missing file fails in the run itself with the usual message.
    const hashes = hashRunInputs({ content, styles, styleMasks, init });
    hashes.catch(() => undefined);

    const backend = await initBackend(flags.backend);
    const mode: ProgressMode = flags.json ? "json" : flags.quiet ? "quiet" : process.stderr.isTTY ? "bar" : "lines";
    const progress = new ProgressReporter(mode);
    const controller = new AbortController();
    const onSigint = () => { controller.abort(); };
    process.once("SIGINT", onSigint);
    let seed = parsed.seed;
    try {
      for await (const event of stylizeGatysFromFiles({
        content,
        styles,
        ...defined({ styleMasks }),
        init,
        options,
        maxInputPixels: flags["max-input-pixels"],
        signal: controller.signal,
        ...defined({ weightsPath: flags.weights }),
      })) {
        progress.event(event);
        if (event.type === "start") seed = event.seed;
        if (event.type === "iteration" && event.preview) {
          await writeImage(numbered(flags.output, event.iteration), event.preview);
        }
        if (event.type === "done") {
          await writeImage(flags.output, event.image, {
            text: {
              Software: `pastiche ${this.config.version}`,
              // The seed actually used, so noise initialisation repeats too; options.init as the run saw it.
              [RUN_SETTINGS_KEY]: formatRunSettings({
                content,
                styles,
                ...defined({ styleMasks }),
                init,
                options: { ...parsed, init: init === "content" || init === "noise" ? init : "image", ...(seed !== undefined ? { seed } : {}) },
                sha256: await hashes,
                versions: { pastiche: this.config.version, tfjs: backend.tfjsVersion, node: process.version },
                backend: backend.name,
              }),
            },
          });
          if (mode !== "json") {
            const what = event.aborted ? `stopped after ${event.iterations} iterations; partial result` : "wrote";
            process.stderr.write(`${what} ${flags.output} (${event.image.width}×${event.image.height}) in ${fmtDuration(event.elapsedMs)}\n`);
          }
          if (event.aborted) this.exit(130);
        }
      }
    } finally {
      progress.stop();
      process.off("SIGINT", onSigint);
    }
  }
}

/** `out.png`, 100 → `out-0100.png`. */
function numbered(output: string, iteration: number): string {
  const ext = path.extname(output);
  return `${output.slice(0, output.length - ext.length)}-${String(iteration).padStart(4, "0")}${ext}`;
}

/** Drop undefined values so optional options keep their defaults. */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
