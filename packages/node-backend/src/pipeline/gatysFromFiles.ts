import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import {
  checkStyleCounts,
  chooseSeed,
  ensureGatysOptions,
  MIN_INPUT_SIDE,
  planGatysRun,
  StyleTargetCache,
  stylizeGatys,
  styleLongestSide,
  type GatysOptions,
  type GatysOptionsInput,
  type RgbImage,
  type StylizeEvent,
  type WeightMap,
} from "@pastiche/core";
import { assertHighDepthOutput, readImage, writeImage } from "../images/index.js";
import { loadVgg19Weights, type ModelSource } from "../models/index.js";
import { stylizeFastToImage } from "./fastFromFiles.js";
import { RUN_SETTINGS_KEY, formatRunSettings, hashRunInputs, type RunSettings } from "./runSettings.js";

const { version: PASTICHE_VERSION } = createRequire(import.meta.url)("../../package.json") as { version: string };

/** A Gatys run from image files ({@link stylizeGatysFromFiles}): inputs, options, weights and the output file. */
export interface GatysFileRequest {
  readonly content: string;
  readonly styles: readonly string[];
  /** Regional styles: one grayscale mask image per style, in order (see GatysInput.styleMasks). */
  readonly styleMasks?: readonly string[];
  /**
   * Parsed at the edge by `parseGatysOptions` (taken as they are) or raw (parsed here). The start
   * is `options.init`: `{ kind: "image", path }` is read from that file, `{ kind: "fast" }` is the
   * fast feed-forward result (see fastFromFiles.ts).
   */
  readonly options?: GatysOptions | GatysOptionsInput;
  /** Explicit weights (`--weights`): a layers-model dir, its model.json or a Keras .h5 file. */
  readonly weightsPath?: string;
  readonly modelsDir?: string;
  /** Refuse input images above this many pixels, before decoding them. */
  readonly maxInputPixels?: number;
  readonly signal?: AbortSignal;
  /** The batch this run belongs to: its style images are decoded once and their Gram targets reused. */
  readonly batch?: GatysBatch;
  /** Multi-scale runs: pass on a "stage" event with each earlier stage's result (`--save-scales`). */
  readonly stageResults?: boolean;
  /**
   * Where the result goes: written atomically, as a PNG with the run's settings (`pastiche:settings`)
   * so it can be rerun (`pastiche stylize --from`), before the "done" event is passed on.
   */
  readonly output?: GatysOutput;
}

/** Where a Gatys run's result goes, and at what depth. */
export interface GatysOutput {
  readonly path: string;
  /** Write the image of an aborted run too (the CLI's Ctrl-C); default true. */
  readonly keepPartial?: boolean;
  /** Bits per sample: 16 for a 16-bit PNG or TIFF (from core's float result); default 8. */
  readonly depth?: 8 | 16;
}

/**
 * What the runs of a batch share: each style image decoded once (by path and size) and its Gram
 * targets, computed by the first run that needs them (core's StyleTargetCache). The weights are
 * cached per process anyway. Call `dispose()` when the batch ends: it frees the targets' tensors.
 */
export class GatysBatch {
  readonly styleTargets = new StyleTargetCache();
  private readonly styles = new Map<string, Promise<RgbImage>>();

  /** The decoded style at `path` and `longestSide`, read by `read` the first time. */
  style(path: string, longestSide: number, read: () => Promise<RgbImage>): Promise<RgbImage> {
    const key = `${longestSide}\0${path}`;
    let image = this.styles.get(key);
    if (!image) {
      image = read();
      this.styles.set(key, image);
    }
    return image;
  }

  /** Free the batch's cached style targets. */
  dispose(): void {
    this.styleTargets.dispose();
    this.styles.clear();
  }
}

// Weights are read once per process and source: the web app runs many jobs on one server.
const weightsCache = new Map<string, Promise<{ weights: WeightMap; source: ModelSource }>>();

/** Load (once) the VGG19 weights the request points at. */
export function cachedVgg19Weights(weightsPath?: string, modelsDir?: string): Promise<{ weights: WeightMap; source: ModelSource }> {
  const key = `${weightsPath ?? ""}\0${modelsDir ?? ""}`;
  let entry = weightsCache.get(key);
  if (!entry) {
    entry = loadVgg19Weights({
      ...(weightsPath !== undefined ? { weightsPath } : {}),
      ...(modelsDir !== undefined ? { modelsDir } : {}),
    });
    entry.catch(() => weightsCache.delete(key));
    weightsCache.set(key, entry);
  }
  return entry;
}

/**
 * The Gatys run from files, shared by the CLI and the web app: the options as given (parsed once,
 * at the edge), the images decoded (see readGatysInputs), the run planned — what it can't do is
 * refused now, before the weights load — then core's events streamed, and the result written with
 * its settings when `output` is given.
 */
export async function* stylizeGatysFromFiles(request: GatysFileRequest): AsyncGenerator<StylizeEvent, void, undefined> {
  const highDepth = request.output?.depth === 16;
  if (highDepth) assertHighDepthOutput(request.output.path);
  const { content, styles, styleMasks, initImage, options } = await readGatysInputs(request);
  const plan = planGatysRun({ content, styles, options, backend: tf.getBackend(), hasMasks: styleMasks !== undefined, seed: chooseSeed(options) });
  // Hashed while the weights load; a file missing by now has failed to decode already.
  const hashes = request.output ? hashRunInputs({ ...request, init: options.init }) : undefined;
  hashes?.catch(() => undefined);
  const { weights } = await cachedVgg19Weights(request.weightsPath, request.modelsDir);
  for await (const event of stylizeGatys({
    content,
    styles,
    ...(styleMasks ? { styleMasks } : {}),
    weights,
    options,
    plan,
    ...(initImage ? { initImage } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.batch ? { styleTargets: request.batch.styleTargets } : {}),
    ...(request.stageResults ? { stageResults: true } : {}),
    ...(highDepth ? { highDepth } : {}),
  })) {
    if (event.type === "done" && request.output && (!event.aborted || request.output.keepPartial !== false)) {
      const settings: RunSettings = {
        method: "gatys",
        content: request.content,
        styles: [...request.styles],
        ...(request.styleMasks ? { styleMasks: [...request.styleMasks] } : {}),
        // The seed actually used, so a noise start repeats too.
        options: { ...options, seed: plan.seed },
        sha256: await hashes!,
        versions: { pastiche: PASTICHE_VERSION, tfjs: tf.version_core, node: process.version },
        backend: tf.getBackend(),
        ...(event.aborted ? { stopped: { iterations: event.iterations, of: plan.iterations } } : {}),
      };
      await writeImage(request.output.path, highDepth && event.image16 ? event.image16 : event.image, {
        text: { Software: `pastiche ${PASTICHE_VERSION}`, [RUN_SETTINGS_KEY]: formatRunSettings(settings) },
      });
    }
    yield event;
  }
}

/** The decoded inputs of a Gatys run, at the sizes the run needs. */
export interface GatysInputs {
  readonly content: RgbImage;
  readonly styles: RgbImage[];
  /** At the content's exact size. */
  readonly styleMasks: RgbImage[] | undefined;
  readonly initImage: RgbImage | undefined;
  readonly options: GatysOptions;
}

/**
 * Decodes the images of a request: the content (and a starting image) at the output size, the
 * styles at `styleScale` × that size, style masks at the content's exact size. The counts are
 * checked before any file is read.
 */
export async function readGatysInputs(request: Omit<GatysFileRequest, "signal" | "output" | "stageResults">): Promise<GatysInputs> {
  const options = ensureGatysOptions(request.options ?? {});
  checkStyleCounts({ styles: request.styles.length, blendWeights: options.styleBlendWeights?.length, masks: request.styleMasks?.length });
  // Inputs below the documented minimum side are refused, not scaled up from nothing.
  const limit = { minSide: MIN_INPUT_SIDE, ...(request.maxInputPixels !== undefined ? { maxPixels: request.maxInputPixels } : {}) };
  const read = (path: string, longestSide = options.size): Promise<RgbImage> => readImage(path, { longestSide, ...limit });
  const content = await read(request.content);
  const styleSide = styleLongestSide(options);
  const { batch } = request;
  const styles = await Promise.all(request.styles.map((s) => (batch ? batch.style(s, styleSide, () => read(s, styleSide)) : read(s, styleSide))));
  // Masks at the content's exact size (stretched if their aspect ratio differs), by sharp rather than core.
  const size = { width: content.width, height: content.height };
  const styleMasks = request.styleMasks ? await Promise.all(request.styleMasks.map((m) => readImage(m, { size, ...limit }))) : undefined;
  const { init } = options;
  // "fast": start from Magenta's one-pass stylisation of the same inputs, so the optimisation only
  // has to refine it.
  const initImage =
    init.kind === "fast"
      ? await stylizeFastToImage(content, styles, {
          ...(request.modelsDir !== undefined ? { modelsDir: request.modelsDir } : {}),
          ...(options.styleBlendWeights ? { styleBlendWeights: options.styleBlendWeights } : {}),
        })
      : init.kind === "image"
        ? await read(init.path)
        : undefined;
  return { content, styles, styleMasks, initImage, options };
}
