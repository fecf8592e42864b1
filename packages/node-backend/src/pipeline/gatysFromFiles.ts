import * as tf from "@tensorflow/tfjs-core";
import {
  PasticheError,
  parseGatysOptions,
  planRun,
  stylizeFast,
  stylizeGatys,
  styleLongestSide,
  type GatysOptions,
  type GatysOptionsInput,
  type RgbImage,
  type StylizeEvent,
  type WeightMap,
} from "@pastiche/core";
import { readImage } from "../images/index.js";
import { loadVgg19Weights, type ModelSource } from "../models/index.js";
import { cachedFastStyleModels } from "./fastFromFiles.js";

export interface GatysFileRequest {
  readonly content: string;
  readonly styles: readonly string[];
  /** Regional styles: one grayscale mask image per style, in order (see GatysInput.styleMasks). */
  readonly styleMasks?: readonly string[];
  /** "content", "noise", "fast" (the fast feed-forward result, see fastFromFiles.ts), or the path of a starting image. */
  readonly init?: string;
  readonly options?: GatysOptionsInput;
  /** Explicit weights (`--weights`): a layers-model dir, its model.json or a Keras .h5 file. */
  readonly weightsPath?: string;
  readonly modelsDir?: string;
  /** Refuse input images above this many pixels, before decoding them. */
  readonly maxInputPixels?: number;
  readonly signal?: AbortSignal;
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
 * The Gatys run from files, shared by the CLI and the web app: validate the options first (cheap
 * errors before slow work), decode the images (see readGatysInputs), load the weights,
 * then stream core's events. The caller decides where results go.
 */
export async function* stylizeGatysFromFiles(request: GatysFileRequest): AsyncGenerator<StylizeEvent, void, undefined> {
  const { content, styles, styleMasks, initImage, options } = await readGatysInputs(request);
  // What tiling can't do is refused now, not after loading the weights.
  planRun(content.width, content.height, options, tf.getBackend(), styleMasks !== undefined);
  const { weights } = await cachedVgg19Weights(request.weightsPath, request.modelsDir);
  yield* stylizeGatys({
    content,
    styles,
    ...(styleMasks ? { styleMasks } : {}),
    weights,
    options,
    ...(initImage ? { initImage } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  });
}

export interface GatysInputs {
  readonly content: RgbImage;
  readonly styles: RgbImage[];
  /** At the content's exact size. */
  readonly styleMasks: RgbImage[] | undefined;
  readonly initImage: RgbImage | undefined;
  readonly options: GatysOptions;
}

/**
 * Validates the options and decodes the images of a request: the content (and a starting image) at
 * the output size, the styles at `styleScale` × that size, style masks at the content's exact size.
 */
export async function readGatysInputs(request: Omit<GatysFileRequest, "signal">): Promise<GatysInputs> {
  const initKind = request.init === undefined || request.init === "content" || request.init === "noise" ? (request.init ?? "content") : "image";
  const options = parseGatysOptions({ ...request.options, init: initKind });
  // Checked before any file is read, like the blend weights.
  if (request.styleMasks && request.styleMasks.length !== request.styles.length) {
    throw new PasticheError("INVALID_OPTION", `${request.styleMasks.length} style masks for ${request.styles.length} style images (give one per style, in order)`);
  }
  const limit = request.maxInputPixels !== undefined ? { maxPixels: request.maxInputPixels } : {};
  const read = (path: string, longestSide = options.size): Promise<RgbImage> => readImage(path, { longestSide, ...limit });
  const content = await read(request.content);
  const styles = await Promise.all(request.styles.map((s) => read(s, styleLongestSide(options))));
  // Masks at the content's exact size (stretched if their aspect ratio differs), by sharp rather than core.
  const size = { width: content.width, height: content.height };
  const styleMasks = request.styleMasks ? await Promise.all(request.styleMasks.map((m) => readImage(m, { size, ...limit }))) : undefined;
  // "fast": start from Magenta's one-pass stylisation of the same inputs, so the optimisation only
  // has to refine it (a file literally named "fast" can be given as ./fast).
  const initImage =
    request.init === "fast"
      ? (
          await stylizeFast(content, styles, {
            models: (await cachedFastStyleModels(request.modelsDir !== undefined ? { modelsDir: request.modelsDir } : {})).models,
            ...(options.styleBlendWeights ? { styleBlendWeights: options.styleBlendWeights } : {}),
          })
        ).image
      : initKind === "image"
        ? await read(request.init!)
        : undefined;
  return { content, styles, styleMasks, initImage, options };
}
