import { readFile } from "node:fs/promises";
import path from "node:path";
import type * as tf from "@tensorflow/tfjs-core";
import { PasticheError, decodeLayersModelWeights, loadWeightShards, parseTfjsModelJson, type WeightMap } from "@pastiche/core";
import { errorText, readFileArrayBuffer, statOrUndefined } from "./fsUtil.js";

/**
 * TensorFlow.js layers models (model.json + binary shards) on the local disk. The decoding and the
 * byte-count checks are core's; this file only reads files.
 */

/** The model.json for a path that is either a model directory or the model.json itself. */
export async function resolveModelJsonPath(pathOrDir: string): Promise<string> {
  const p = path.resolve(pathOrDir);
  const st = await statOrUndefined(p);
  if (!st) throw new PasticheError("FILE_NOT_FOUND", `model not found: ${p} does not exist`);
  if (!st.isDirectory()) return p;
  const json = path.join(p, "model.json");
  if (!(await statOrUndefined(json))?.isFile()) {
    throw new PasticheError("FILE_NOT_FOUND", `${p} is not a TensorFlow.js model directory: ${json} does not exist`);
  }
  return json;
}

async function readModelJson(modelJsonPath: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(modelJsonPath, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new PasticheError("FILE_NOT_FOUND", `model not found: ${modelJsonPath} does not exist`);
    throw new PasticheError("INVALID_WEIGHTS", `${modelJsonPath}: cannot read (${errorText(e)})`, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new PasticheError("INVALID_WEIGHTS", `${modelJsonPath}: not valid JSON (${errorText(e)})`, { cause: e });
  }
}

/** Reads a shard named in the manifest, relative to the model.json's directory (and inside it). */
function shardReader(modelJsonPath: string): (shard: string) => Promise<ArrayBuffer> {
  const dir = path.dirname(modelJsonPath);
  return async (shard) => {
    const full = path.resolve(dir, shard);
    const rel = path.relative(dir, full);
    if (rel.startsWith("..") || path.isAbsolute(rel)) {
      throw new PasticheError("INVALID_WEIGHTS", `${modelJsonPath}: weights shard path "${shard}" points outside the model directory`);
    }
    try {
      return await readFileArrayBuffer(full);
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
      throw new PasticheError(
        "INVALID_WEIGHTS",
        missing
          ? `${modelJsonPath}: weights shard ${full} is missing; the model is incomplete, download it again`
          : `${modelJsonPath}: cannot read weights shard ${full} (${errorText(e)})`,
        { cause: e },
      );
    }
  };
}

/**
 * Read the weights of a TensorFlow.js layers model on disk (`dir` or `dir/model.json`) into a
 * WeightMap keyed by Keras names. FILE_NOT_FOUND for a missing model.json; INVALID_WEIGHTS for bad
 * JSON or a missing/short shard, naming the file.
 */
export async function readLayersModelWeights(pathOrDir: string): Promise<WeightMap> {
  const modelJsonPath = await resolveModelJsonPath(pathOrDir);
  const json = await readModelJson(modelJsonPath);
  return decodeLayersModelWeights(json, shardReader(modelJsonPath), { source: modelJsonPath });
}

/**
 * A `tf.io.IOHandler` whose `load()` reads a layers model from disk, shards size-checked; for
 * `tf.loadLayersModel` / `tf.loadGraphModel` where those packages are available.
 */
export function layersModelDirIOHandler(pathOrDir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJsonPath = await resolveModelJsonPath(pathOrDir);
      const raw = await readModelJson(modelJsonPath);
      const json = parseTfjsModelJson(raw, modelJsonPath);
      const groups = await loadWeightShards(json, shardReader(modelJsonPath), modelJsonPath);
      const j = raw as Record<string, unknown>;
      type A = Required<tf.io.ModelArtifacts>;
      const artifacts: tf.io.ModelArtifacts = {
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: groups.flat(),
      };
      if (j["modelTopology"] !== undefined) artifacts.modelTopology = j["modelTopology"] as A["modelTopology"];
      for (const key of ["format", "generatedBy", "convertedBy"] as const) {
        const value = j[key];
        if (typeof value === "string") artifacts[key] = value;
      }
      if (j["userDefinedMetadata"] !== undefined) artifacts.userDefinedMetadata = j["userDefinedMetadata"] as A["userDefinedMetadata"];
      if (j["signature"] !== undefined) artifacts.signature = j["signature"] as A["signature"];
      if (j["modelInitializer"] !== undefined) artifacts.modelInitializer = j["modelInitializer"] as A["modelInitializer"];
      return artifacts;
    },
  };
}
