import path from "node:path";
import { PasticheError, disposeWeightMap, validateVgg19Weights, type WeightMap } from "@pastiche/core";
import { statOrUndefined } from "./fsUtil.js";
import { readKerasH5Weights } from "./kerasH5.js";
import { readLayersModelWeights } from "./layersModelDir.js";
import { MODELS_DIR_ENV, resolveModelsDir } from "./modelsDir.js";
import { VGG19_MODEL, type ModelEntry, type ModelFileKind } from "./registry.js";

/** A model file found on disk: its kind and absolute path. */
export interface ModelSource {
  kind: ModelFileKind;
  /** Absolute path: the model.json of a layers model, the .h5 file of Keras weights. */
  path: string;
}

/** Where to look for a model: an explicit path, else the models directory. */
export interface LocateOptions {
  /** An explicit file or directory (`--weights`): a layers-model dir or its model.json, a .h5 file,
   * or a directory holding the accepted forms. Searched instead of the models directory. */
  weightsPath?: string;
  /** The models directory; default {@link resolveModelsDir}. */
  modelsDir?: string;
  /** Environment for {@link resolveModelsDir}; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** What kind of model file a path is, judged by name: `.json` → layers model, `.tflite` → TFLite, anything else → HDF5. */
function kindOfFile(p: string): ModelFileKind {
  const lower = p.toLowerCase();
  return lower.endsWith(".json") ? "layers-model" : lower.endsWith(".tflite") ? "tflite" : "keras-h5";
}

async function isFile(p: string): Promise<boolean> {
  return (await statOrUndefined(p))?.isFile() ?? false;
}

/** First of the entry's local forms present in `dir`; `looked` collects every path tried. */
async function searchDir(entry: ModelEntry, dir: string, looked: string[]): Promise<ModelSource | undefined> {
  for (const form of entry.localForms) {
    const p = path.join(dir, form.path);
    looked.push(p);
    if (await isFile(p)) return { kind: form.kind, path: p };
  }
  return undefined;
}

function howToGet(entry: ModelEntry): string {
  const setDir = `set ${MODELS_DIR_ENV} to a directory holding one of: ${entry.localForms.map((f) => f.path).join(", ")}`;
  if (!entry.download) return setDir;
  const { sizeBytes, url } = entry.download;
  return `run \`pastiche models download ${entry.id}\` (${Math.round(sizeBytes / 1e6)} MB from ${new URL(url).host}) or ${setDir}`;
}

/**
 * Find a model's files on disk without reading them. With `weightsPath`, only that path is
 * considered; otherwise the entry's local forms are tried in order in the models directory.
 * MODEL_NOT_FOUND (one line) names what is missing, every path looked at and how to get it.
 */
export async function locateModel(entry: ModelEntry, options: LocateOptions = {}): Promise<ModelSource> {
  const looked: string[] = [];
  if (options.weightsPath !== undefined) {
    const p = path.resolve(options.weightsPath);
    const st = await statOrUndefined(p);
    if (st?.isFile()) return { kind: kindOfFile(p), path: p };
    if (st?.isDirectory()) {
      const json = path.join(p, "model.json");
      looked.push(json);
      if (await isFile(json)) return { kind: "layers-model", path: json };
      const found = await searchDir(entry, p, looked);
      if (found) return found;
    } else {
      looked.push(p);
    }
    throw new PasticheError(
      "MODEL_NOT_FOUND",
      `${entry.title} (${entry.id}) not found at the given weights path ${p}: looked at ${looked.join(", ")}; pass a TensorFlow.js model directory, its model.json or a Keras .h5 file, or ${howToGet(entry)}`,
    );
  }
  const resolved = options.modelsDir !== undefined ? { dir: path.resolve(options.modelsDir), source: "option" as const } : resolveModelsDir(options.env);
  const found = await searchDir(entry, resolved.dir, looked);
  if (found) return found;
  const from = resolved.source === "env" ? ` (from ${MODELS_DIR_ENV})` : resolved.source === "default" ? " (the default cache)" : "";
  throw new PasticheError(
    "MODEL_NOT_FOUND",
    `${entry.title} (${entry.id}) not found in the models directory ${resolved.dir}${from}: looked at ${looked.join(", ")}; to get them, ${howToGet(entry)}`,
  );
}

/**
 * Find VGG19's weights: the explicit `weightsPath`, else the models directory's accepted forms in order.
 *
 * @throws PasticheError MODEL_NOT_FOUND, naming every path looked at.
 */
export function locateVgg19(options: LocateOptions = {}): Promise<ModelSource> {
  return locateModel(VGG19_MODEL, options);
}

/** Read the weights of a located model file into a WeightMap. */
export function readModelWeights(source: ModelSource): Promise<WeightMap> {
  if (source.kind === "tflite") {
    return Promise.reject(new PasticheError("INVALID_OPTION", `${source.path} is a TFLite model, not a weight map; load it with loadFastStyleModels`));
  }
  return source.kind === "layers-model" ? readLayersModelWeights(source.path) : readKerasH5Weights(source.path);
}

/** Options of {@link loadVgg19Weights}: where to look, and which layers must be present. */
export interface LoadVgg19Options extends LocateOptions {
  /** Validate only these conv layers (default: all 16). */
  layers?: readonly string[];
}

/**
 * Locate, read and validate the VGG19 weights: every (requested) conv layer must have a kernel
 * [3,3,in,out] and a bias [out]. The caller owns the returned tensors (`disposeWeightMap`).
 */
export async function loadVgg19Weights(options: LoadVgg19Options = {}): Promise<{ weights: WeightMap; source: ModelSource }> {
  const source = await locateVgg19(options);
  const weights = await readModelWeights(source);
  try {
    validateVgg19Weights(weights, options.layers);
  } catch (e) {
    disposeWeightMap(weights);
    if (e instanceof PasticheError && e.code === "INVALID_WEIGHTS") {
      throw new PasticheError(e.code, `${source.path}: ${e.message}`, { cause: e });
    }
    throw e;
  }
  return { weights, source };
}
