import * as tf from "@tensorflow/tfjs-core";
import { z } from "zod";
import { PasticheError } from "../errors.js";
import type { WeightMap } from "./weightMap.js";

/*
 * Reading the weights of a TensorFlow.js model (`model.json` + binary shards), as written by
 * `tensorflowjs_converter`. Browser-safe: the caller supplies the shard bytes (fetched, read from
 * disk, taken from an upload), this module validates the manifest, checks the byte counts and decodes.
 */

const QuantizationSchema = z
  .object({
    dtype: z.enum(["uint8", "uint16", "float16"]),
    scale: z.number().optional(),
    min: z.number().optional(),
  })
  .loose()
  .refine((q) => q.dtype === "float16" || (q.scale !== undefined && q.min !== undefined), {
    message: "uint8/uint16 quantization needs both scale and min",
  });

const WeightEntrySchema = z
  .object({
    name: z.string().min(1),
    shape: z.array(z.number().int().nonnegative()),
    dtype: z.enum(["float32", "int32", "bool", "complex64", "string"]),
    quantization: QuantizationSchema.optional(),
  })
  .loose();

const WeightGroupSchema = z
  .object({
    paths: z.array(z.string().min(1)),
    weights: z.array(WeightEntrySchema),
  })
  .loose();

const ModelJsonSchema = z
  .object({
    format: z.string().optional(),
    modelTopology: z.unknown().optional(),
    weightsManifest: z.array(WeightGroupSchema),
  })
  .loose();

/** One entry of a tfjs model.json's `weightsManifest[].weights`: name, shape, dtype (and quantization). */
export type TfjsWeightEntry = z.infer<typeof WeightEntrySchema>;
/** One group of a tfjs model.json's `weightsManifest`: its shard files and the weights they hold, in order. */
export type TfjsWeightGroup = z.infer<typeof WeightGroupSchema>;
/** A tfjs model.json as far as the weights go (`format`, `weightsManifest`), checked by {@link parseTfjsModelJson}. */
export type TfjsModelJson = z.infer<typeof ModelJsonSchema>;

/** The `format` values accepted; older converters omit it, which is accepted too. */
export const TFJS_MODEL_FORMATS = ["layers-model", "graph-model"] as const;

/**
 * Where shard bytes come from: every group's shards in manifest order (group 1's paths, then group
 * 2's, …), or a function that reads one shard given its manifest path (e.g. `group1-shard1of20.bin`).
 */
export type WeightShards = ArrayBuffer[] | ((path: string) => Promise<ArrayBuffer>);

/** Options of {@link decodeLayersModelWeights}. */
export interface DecodeWeightsOptions {
  /** Names the model in error messages, e.g. the model.json path or URL. Default "model.json". */
  source?: string;
}

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

function invalid(source: string, message: string, cause?: unknown): PasticheError {
  return new PasticheError("INVALID_WEIGHTS", `${source}: ${message}`, cause === undefined ? undefined : { cause });
}

/** Validate a parsed model.json: a layers model or graph model with a `weightsManifest`. */
export function parseTfjsModelJson(modelJson: unknown, source = "model.json"): TfjsModelJson {
  const parsed = ModelJsonSchema.safeParse(modelJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw invalid(source, `not a TensorFlow.js model.json with a weightsManifest (${where}${issue?.message ?? "invalid"})`);
  }
  const json = parsed.data;
  if (json.format !== undefined && !(TFJS_MODEL_FORMATS as readonly string[]).includes(json.format)) {
    throw invalid(source, `unsupported model format "${json.format}", expected "layers-model" or "graph-model"`);
  }
  json.weightsManifest.forEach((group, g) => {
    const strings = group.weights.find((w) => w.dtype === "string");
    if (strings) throw invalid(source, `weight "${strings.name}" has dtype string, which is not supported`);
    if (group.paths.length === 0 && weightGroupByteLength(group) > 0) {
      throw invalid(source, `weight group ${g + 1} lists weights but no shard files`);
    }
  });
  return json;
}

/** Bytes a weight occupies in the shards: elements × bytes per element of its stored dtype. */
export function weightByteLength(entry: TfjsWeightEntry): number {
  const size = entry.shape.reduce((a, b) => a * b, 1);
  const stored = entry.quantization?.dtype ?? entry.dtype;
  const bytes = BYTES_PER_ELEMENT[stored];
  if (bytes === undefined) throw new PasticheError("INVALID_WEIGHTS", `weight "${entry.name}" has unsupported dtype ${stored}`);
  return size * bytes;
}

/** Bytes a weight group's shards hold together, according to its manifest entries. */
export function weightGroupByteLength(group: TfjsWeightGroup): number {
  return group.weights.reduce((sum, w) => sum + weightByteLength(w), 0);
}

/**
 * Check that a group's shard files (given by their sizes, in manifest order) hold exactly the bytes
 * its weights need. `tensorflowjs_converter` writes equal-sized shards with a smaller last one, which
 * lets the message name the shard that is short; otherwise it names the group's files.
 */
export function checkWeightGroupShardSizes(group: TfjsWeightGroup, groupIndex: number, shardSizes: readonly number[], source = "model.json"): void {
  const expected = weightGroupByteLength(group);
  const actual = shardSizes.reduce((a, b) => a + b, 0);
  if (actual === expected && shardSizes.length === group.paths.length) return;
  const n = group.paths.length;
  const groupInfo = `weight group ${groupIndex + 1} needs ${expected} bytes in ${n} shard file${n === 1 ? "" : "s"}, they hold ${actual}`;
  let culprit: { index: number; expected: number } | undefined;
  if (n === 1) {
    culprit = { index: 0, expected };
  } else if (shardSizes.length === n) {
    const full = Math.max(...shardSizes.slice(0, n - 1));
    const lastExpected = expected - full * (n - 1);
    if (lastExpected > 0 && lastExpected <= full) {
      const index = shardSizes.findIndex((s, i) => s !== (i === n - 1 ? lastExpected : full));
      if (index >= 0) culprit = { index, expected: index === n - 1 ? lastExpected : full };
    }
  }
  if (culprit) {
    throw invalid(
      source,
      `weights shard "${group.paths[culprit.index]}" is ${shardSizes[culprit.index] ?? 0} bytes, expected ${culprit.expected} (${groupInfo}); the file is truncated or corrupt, download the model again`,
    );
  }
  const files = n <= 3 ? group.paths.join(", ") : `${group.paths[0]} … ${group.paths[n - 1]}`;
  throw invalid(source, `weights shards ${files} do not match the manifest (${groupInfo}); download the model again`);
}

/**
 * Fetch and size-check every group's shards, in manifest order. Returns one list of buffers per
 * group. A missing shard or one of the wrong size is an INVALID_WEIGHTS naming the shard file.
 */
export async function loadWeightShards(json: TfjsModelJson, shards: WeightShards, source = "model.json"): Promise<ArrayBuffer[][]> {
  const allPaths = json.weightsManifest.flatMap((g) => g.paths);
  if (Array.isArray(shards) && shards.length !== allPaths.length) {
    if (shards.length < allPaths.length) {
      throw invalid(source, `weights shard "${allPaths[shards.length]}" is missing: the manifest lists ${allPaths.length} shard files, got ${shards.length}`);
    }
    throw invalid(source, `got ${shards.length} weight shards but the manifest lists ${allPaths.length}`);
  }
  const groups: ArrayBuffer[][] = [];
  let next = 0;
  for (const [g, group] of json.weightsManifest.entries()) {
    const buffers: ArrayBuffer[] = [];
    for (const path of group.paths) {
      let buffer: ArrayBuffer | undefined;
      if (Array.isArray(shards)) {
        buffer = shards[next];
      } else {
        try {
          buffer = await shards(path);
        } catch (e) {
          if (e instanceof PasticheError) throw e;
          throw invalid(source, `could not read weights shard "${path}": ${e instanceof Error ? e.message : String(e)}`, e);
        }
      }
      next++;
      if (!(buffer instanceof ArrayBuffer)) {
        throw invalid(source, `weights shard "${path}" is missing (expected an ArrayBuffer)`);
      }
      buffers.push(buffer);
    }
    checkWeightGroupShardSizes(
      group,
      g,
      buffers.map((b) => b.byteLength),
      source,
    );
    groups.push(buffers);
  }
  return groups;
}

/** Keras names carry a `:0` output suffix in some exports; WeightMap keys never do. */
export function stripOutputSuffix(name: string): string {
  return name.endsWith(":0") ? name.slice(0, -2) : name;
}

/**
 * Decode the weights of a TensorFlow.js layers model (or graph model) into a WeightMap keyed by the
 * Keras weight names without `:0`. Quantised weights (uint8/uint16 affine, float16) come out as
 * float32, dequantised (`value = q * scale + min`). The caller owns (and disposes) the tensors.
 */
export async function decodeLayersModelWeights(modelJson: unknown, shards: WeightShards, options: DecodeWeightsOptions = {}): Promise<WeightMap> {
  const source = options.source ?? "model.json";
  const json = parseTfjsModelJson(modelJson, source);
  const groups = await loadWeightShards(json, shards, source);
  const out: WeightMap = {};
  try {
    json.weightsManifest.forEach((group, g) => {
      const buffers = groups[g] ?? [];
      const specs = group.weights as unknown as tf.io.WeightsManifestEntry[];
      let decoded: tf.NamedTensorMap;
      try {
        decoded = tf.tidy(() => tf.io.decodeWeights(buffers, specs));
      } catch (e) {
        throw invalid(source, `could not decode weight group ${g + 1}: ${e instanceof Error ? e.message : String(e)}`, e);
      }
      const seen = new Set(Object.keys(out));
      const duplicate = Object.keys(decoded)
        .map(stripOutputSuffix)
        .find((name) => seen.has(name) || (seen.add(name), false));
      if (duplicate !== undefined) {
        for (const t of Object.values(decoded)) t.dispose();
        throw invalid(source, `weight "${duplicate}" appears more than once in the manifest`);
      }
      for (const [rawName, tensor] of Object.entries(decoded)) out[stripOutputSuffix(rawName)] = tensor;
    });
  } catch (e) {
    for (const t of Object.values(out)) t.dispose();
    throw e;
  }
  return out;
}
