import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import h5wasm from "h5wasm/node";
import { expect } from "vitest";
import { PasticheError } from "@pastiche/core";

export async function useWasm(): Promise<void> {
  await tf.setBackend("wasm");
  await tf.ready();
}

export async function tempDir(prefix = "pastiche-models-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Await `fn` and return the PasticheError it throws. */
export async function caught(fn: () => unknown): Promise<PasticheError> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof PasticheError)) throw e;
    return e;
  }
  throw new Error("expected a PasticheError");
}

export interface H5Weight {
  name: string;
  shape: number[];
  values: Float32Array;
}
export interface H5Layer {
  name: string;
  weights: H5Weight[];
}

/** Fixed-length byte strings, as h5py writes numpy `S` arrays (Keras' `layer_names`/`weight_names`). */
function fixedStrings(target: InstanceType<typeof h5wasm.Group>, name: string, values: string[]): void {
  const len = Math.max(1, ...values.map((v) => v.length));
  target.create_attribute(name, values, [values.length], `S${len}`);
}

/**
 * Write a Keras-layout HDF5 weights file: root attribute `layer_names`, per layer a group with
 * attribute `weight_names` and datasets at `<layer>/<weight name>` (a `/` in the weight name makes
 * nested groups, as h5py does). `underModelWeights` nests everything in `model_weights/` like a
 * full-model save.
 */
export async function writeKerasH5(file: string, layers: H5Layer[], options: { underModelWeights?: boolean; earliestFormat?: boolean } = {}): Promise<void> {
  await h5wasm.ready;
  // `earliestFormat` writes superblock version 0, as h5py does by default (Keras Applications' files).
  const f = new h5wasm.File(file, "w", options.earliestFormat ? { libver: ["earliest", "v108"] } : {});
  try {
    f.create_attribute("backend", "tensorflow");
    f.create_attribute("keras_version", "2.2.4");
    const root = options.underModelWeights ? f.create_group("model_weights") : f;
    fixedStrings(
      root,
      "layer_names",
      layers.map((l) => l.name),
    );
    for (const layer of layers) {
      const g = root.create_group(layer.name);
      fixedStrings(
        g,
        "weight_names",
        layer.weights.map((w) => w.name),
      );
      for (const w of layer.weights) {
        const parts = w.name.split("/");
        let parent = g;
        for (const part of parts.slice(0, -1)) {
          const existing = parent.get(part);
          parent = existing instanceof h5wasm.Group ? existing : parent.create_group(part);
        }
        parent.create_dataset({ name: parts[parts.length - 1]!, data: w.values, shape: w.shape, dtype: "<f" });
      }
    }
  } finally {
    f.close();
  }
}

export function seq(n: number, scale = 0.01, offset = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => offset + (i - n / 2) * scale);
}

/** A small tfjs layers model dir: one group, float32, given weights split into shards of `shardBytes`. */
export async function writeLayersModel(
  dir: string,
  weights: { name: string; shape: number[]; values: Float32Array }[],
  shardBytes = 64,
): Promise<{ modelJson: string; shards: string[] }> {
  await mkdir(dir, { recursive: true });
  const total = weights.reduce((n, w) => n + w.values.byteLength, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const w of weights) {
    all.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength), off);
    off += w.values.byteLength;
  }
  const n = Math.max(1, Math.ceil(total / shardBytes));
  const shards = Array.from({ length: n }, (_, i) => `group1-shard${i + 1}of${n}.bin`);
  for (const [i, s] of shards.entries()) await writeFile(path.join(dir, s), all.subarray(i * shardBytes, (i + 1) * shardBytes));
  const modelJson = path.join(dir, "model.json");
  await writeFile(
    modelJson,
    JSON.stringify({
      format: "layers-model",
      generatedBy: "test",
      convertedBy: "test",
      modelTopology: { class_name: "Functional", config: { layers: [] } },
      weightsManifest: [{ paths: shards, weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: "float32" })) }],
    }),
  );
  return { modelJson, shards };
}

export function expectOneLine(e: Error): void {
  expect(e.message).not.toMatch(/\n/);
}
