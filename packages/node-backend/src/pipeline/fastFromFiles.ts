import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  GraphModelStyleModels,
  PasticheError,
  TfliteStyleModels,
  checkStyleCounts,
  ensureFastOptions,
  MIN_INPUT_SIDE,
  stylizeFast,
  untilDone,
  type ArbitraryStyleModels,
  type FastEvent,
  type FastOptions,
  type FastOptionsInput,
  type GraphModelLike,
  type RgbImage,
} from "@pastiche/core";
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import { assertHighDepthOutput, readImage, writeImage } from "../images/index.js";
import { RUN_SETTINGS_KEY, formatRunSettings, hashRunInputs, type FastRunSettings } from "./runSettings.js";
import { errorText } from "../models/fsUtil.js";
import { layersModelDirIOHandler } from "../models/layersModelDir.js";
import { locateModel, type ModelSource } from "../models/findModel.js";
import { MAGENTA_STYLE_PREDICT_MODEL, MAGENTA_STYLE_TRANSFER_MODEL, type ModelEntry } from "../models/registry.js";

const { version: PASTICHE_VERSION } = createRequire(import.meta.url)("../../package.json") as { version: string };

/** Which transfer file to use: the int8 or the fp16 TFLite file (both run in float32). */
export type TransferVariant = "int8" | "f16";

/** Which Magenta TFLite files {@link loadFastStyleModels} loads: explicit paths, else found in the models directory. */
export interface FastModelsRequest {
  /** An explicit style-prediction .tflite file; default: found in the models directory. */
  readonly predictorPath?: string;
  /** An explicit style-transfer .tflite file; default: found in the models directory. */
  readonly transferPath?: string;
  /** When searching the models directory: which transfer file (default: the first present, int8 first). */
  readonly transferVariant?: TransferVariant;
  readonly modelsDir?: string;
}

/** The loaded Fast networks and the files they came from. */
export interface LoadedFastModels {
  readonly models: TfliteStyleModels;
  readonly predictor: ModelSource;
  readonly transfer: ModelSource;
}

function transferEntry(variant: TransferVariant | undefined): ModelEntry {
  if (variant === undefined) return MAGENTA_STYLE_TRANSFER_MODEL;
  const form = MAGENTA_STYLE_TRANSFER_MODEL.localForms.find((f) => f.path.includes(variant === "f16" ? "_f16_" : "_quantized_"))!;
  return { ...MAGENTA_STYLE_TRANSFER_MODEL, localForms: [form] };
}

async function readModelFile(p: string): Promise<Uint8Array> {
  try {
    return await readFile(p);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    throw new PasticheError(missing ? "MODEL_NOT_FOUND" : "INVALID_WEIGHTS", missing ? `model file ${p} not found` : `cannot read ${p} (${errorText(e)})`, {
      cause: e,
    });
  }
}

/**
 * Locate and load Magenta's two TFLite networks. MODEL_NOT_FOUND names every path looked at;
 * INVALID_WEIGHTS names the file that is malformed or uses an unsupported operator.
 */
export async function loadFastStyleModels(request: FastModelsRequest = {}): Promise<LoadedFastModels> {
  const dirOption = request.modelsDir !== undefined ? { modelsDir: request.modelsDir } : {};
  const [predictor, transfer] = await Promise.all([
    locateModel(MAGENTA_STYLE_PREDICT_MODEL, { ...dirOption, ...(request.predictorPath !== undefined ? { weightsPath: request.predictorPath } : {}) }),
    locateModel(transferEntry(request.transferVariant), { ...dirOption, ...(request.transferPath !== undefined ? { weightsPath: request.transferPath } : {}) }),
  ]);
  const [p, t] = await Promise.all([readModelFile(predictor.path), readModelFile(transfer.path)]);
  const models = TfliteStyleModels.fromFiles({ predictor: p, transfer: t, predictorSource: predictor.path, transferSource: transfer.path });
  return { models, predictor, transfer };
}

// Models are loaded once per process and request: the web app serves many requests with them,
// and the bottleneck cache lives with the models object.
const modelsCache = new Map<string, Promise<LoadedFastModels>>();

/** {@link loadFastStyleModels}, once per process for the same request. */
export function cachedFastStyleModels(request: FastModelsRequest = {}): Promise<LoadedFastModels> {
  const key = JSON.stringify([request.predictorPath, request.transferPath, request.transferVariant, request.modelsDir]);
  let entry = modelsCache.get(key);
  if (!entry) {
    entry = loadFastStyleModels(request);
    entry.catch(() => modelsCache.delete(key));
    modelsCache.set(key, entry);
  }
  return entry;
}

/**
 * Magenta's float TF.js graph models (what `@magenta/image` loads), behind the same interface as
 * the TFLite files: each argument is an http(s) URL of a model.json, or a local model directory or
 * model.json. E.g. https://storage.googleapis.com/magentadata/js/checkpoints/style/arbitrary/predictor/model.json
 */
export async function loadMagentaGraphModels(predictor: string, transformer: string): Promise<ArbitraryStyleModels> {
  const { loadGraphModel } = await import("@tensorflow/tfjs");
  const load = async (where: string, what: string): Promise<GraphModelLike> => {
    try {
      return /^https?:\/\//.test(where) ? await loadGraphModel(where) : await loadGraphModel(layersModelDirIOHandler(where));
    } catch (e) {
      if (e instanceof PasticheError) throw e;
      throw new PasticheError("INVALID_WEIGHTS", `cannot load the ${what} graph model from ${where}: ${errorText(e).split("\n")[0]}`, { cause: e });
    }
  };
  const p = await load(predictor, "style predictor");
  let t: GraphModelLike;
  try {
    t = await load(transformer, "style transfer");
  } catch (e) {
    p.dispose();
    throw e;
  }
  return new GraphModelStyleModels(p, t, `graph-model:${predictor}+${transformer}`);
}

/** A Fast run from image files ({@link stylizeFastFromFiles}): inputs, options, models and the output file. */
export interface FastFileRequest extends FastModelsRequest {
  readonly content: string;
  readonly styles: readonly string[];
  /**
   * Parsed at the edge by `parseFastOptions` (taken as they are) or raw (parsed here). `size` is the
   * output's longest side (the content is resized by sharp); unset: the content's own size.
   */
  readonly options?: FastOptions | FastOptionsInput;
  /** Refuse input images above this many pixels, before decoding them. */
  readonly maxInputPixels?: number;
  /** Models to use instead of the TFLite files (e.g. from {@link loadMagentaGraphModels}). */
  readonly models?: ArbitraryStyleModels;
  readonly signal?: AbortSignal;
  /** Where the result goes: written atomically (a PNG records how it was made) before "done" is passed on; `depth` 16 for a 16-bit PNG/TIFF. */
  readonly output?: { readonly path: string; readonly depth?: 8 | 16 };
}

/** The fast path's events from files; "done" also names the model files used (absolute paths). */
export type FastFileEvent =
  Exclude<FastEvent, { type: "done" }> | (Extract<FastEvent, { type: "done" }> & { readonly predictorPath?: string; readonly transferPath?: string });

/** Read the content (at the output size) and the style images (as they are: core crops them). */
export async function readFastInputs(
  request: Pick<FastFileRequest, "content" | "styles" | "maxInputPixels">,
  size: number | undefined,
): Promise<{ content: RgbImage; styles: RgbImage[] }> {
  const maxPixels = { minSide: MIN_INPUT_SIDE, ...(request.maxInputPixels !== undefined ? { maxPixels: request.maxInputPixels } : {}) };
  const content = await readImage(request.content, { ...(size !== undefined ? { longestSide: size } : {}), ...maxPixels });
  const styles = await Promise.all(request.styles.map((s) => readImage(s, maxPixels)));
  return { content, styles };
}

/**
 * The fast path from files, shared by the CLI and the web app: the options as given (parsed once,
 * at the edge), the images decoded (the content at the output size), the models loaded once per
 * process, then core's events, the result written first when `output` is given.
 */
export async function* stylizeFastFromFiles(request: FastFileRequest): AsyncGenerator<FastFileEvent, void, undefined> {
  const options = ensureFastOptions(request.options ?? {});
  checkStyleCounts({ styles: request.styles.length, blendWeights: options.styleBlendWeights?.length });
  const highDepth = request.output?.depth === 16;
  if (highDepth) assertHighDepthOutput(request.output.path);
  const { content, styles } = await readFastInputs(request, options.size);
  // Hashed while the models load, for the settings the output records.
  const hashes = request.output ? hashRunInputs({ content: request.content, styles: request.styles, init: { kind: "content" } }) : undefined;
  hashes?.catch(() => undefined);
  const loaded = request.models ? undefined : await cachedFastStyleModels(request);
  const models = request.models ?? loaded!.models;
  const paths = loaded ? { predictorPath: path.resolve(loaded.predictor.path), transferPath: path.resolve(loaded.transfer.path) } : {};
  // The content was already resized by sharp (better than bilinear for downscaling).
  const { size: _size, ...coreOptions } = options;
  for await (const event of stylizeFast({
    content,
    styles,
    models,
    options: coreOptions,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(highDepth ? { highDepth } : {}),
  })) {
    if (event.type !== "done") {
      yield event;
      continue;
    }
    if (request.output) {
      // The same schema as a Gatys run's (RunSettingsSchema), so `pastiche fast --from` reruns it.
      const settings: FastRunSettings = {
        method: "fast",
        content: request.content,
        styles: [...request.styles],
        options,
        ...paths,
        sha256: await hashes!,
        versions: { pastiche: PASTICHE_VERSION, tfjs: tf.version_core, node: process.version },
        backend: event.backend,
      };
      await writeImage(request.output.path, highDepth && event.image16 ? event.image16 : event.image, {
        text: { Software: `pastiche ${PASTICHE_VERSION}`, [RUN_SETTINGS_KEY]: formatRunSettings(settings) },
      });
    }
    yield { ...event, ...paths };
  }
}

/** The fast result for images already decoded, with the models found as for the CLI (`--init fast`). */
export async function stylizeFastToImage(
  content: RgbImage,
  styles: readonly RgbImage[],
  request: FastModelsRequest & { styleBlendWeights?: readonly number[] },
): Promise<RgbImage> {
  const { styleBlendWeights, ...modelsRequest } = request;
  const { models } = await cachedFastStyleModels(modelsRequest);
  const done = await untilDone(stylizeFast({ content, styles, models, options: styleBlendWeights ? { styleBlendWeights: [...styleBlendWeights] } : {} }));
  return done.image;
}
