import { open } from "node:fs/promises";
import * as tf from "@tensorflow/tfjs-core";
import type H5 from "h5wasm/node";
import { PasticheError, type WeightMap } from "@pastiche/core";
import { errorText, statOrUndefined } from "./fsUtil.js";

/**
 * Keras HDF5 weight files (`model.save_weights("x.h5")`, Keras Applications' `*_notop.h5`), read with
 * h5wasm. Layout: the root (or `model_weights/` in a full-model save) has an attribute `layer_names`;
 * each layer's group has an attribute `weight_names` listing its datasets, found at
 * `<layer>/<weight name>`. Weight names are `block1_conv1/kernel:0` in Keras 2, or
 * `block1_conv1_W_1:0` / `block1_conv1_b_1:0` in the Keras 1-era files Keras Applications still
 * serves for VGG; both become `block1_conv1/kernel` and `block1_conv1/bias`.
 */

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Hdf5Header {
  /** Where the superblock (and its signature) starts. */
  offset: number;
  /** The file size the superblock records (base address + end-of-file address), when readable. */
  recordedSize?: number;
}

/**
 * Find the HDF5 superblock: its signature is at offset 0, 512, 1024, 2048, … (a user block may
 * precede it). Also read the end-of-file address it records, so a truncated file (an interrupted
 * download) is caught here with a clear message instead of HDF5's multi-line diagnostics.
 */
async function readHdf5Header(file: string, size: number): Promise<Hdf5Header | undefined> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(64);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      const { bytesRead } = await fh.read(buf, 0, 64, offset);
      if (bytesRead < 8 || !buf.subarray(0, 8).equals(HDF5_SIGNATURE)) continue;
      const version = buf[8];
      // Superblock v0/v1: sizes of offsets at byte 13, addresses (base, free space, EOF) from byte
      // 24 (v0) or 28 (v1). v2/v3: size of offsets at byte 9, addresses (base, extension, EOF) from 12.
      const sizeOfOffsets = version === 0 || version === 1 ? buf[13] : buf[9];
      const start = version === 0 ? 24 : version === 1 ? 28 : 12;
      const read = (at: number): number | undefined => {
        if (at + (sizeOfOffsets ?? 0) > bytesRead) return undefined;
        if (sizeOfOffsets === 8) return Number(buf.readBigUInt64LE(at));
        if (sizeOfOffsets === 4) return buf.readUInt32LE(at);
        return undefined;
      };
      const base = read(start);
      const eof = sizeOfOffsets === undefined ? undefined : read(start + 2 * sizeOfOffsets);
      return version !== undefined && version <= 3 && base !== undefined && eof !== undefined ? { offset, recordedSize: base + eof } : { offset };
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

function stringList(value: unknown): string[] | undefined {
  const one = (v: unknown): string | undefined =>
    typeof v === "string" ? v : v instanceof Uint8Array ? new TextDecoder().decode(v).replace(/\0+$/, "") : undefined;
  if (Array.isArray(value)) {
    const out = value.map(one);
    return out.every((s): s is string => s !== undefined) ? out : undefined;
  }
  const s = one(value);
  return s === undefined ? undefined : [s];
}

/** `block1_conv1/kernel:0` → `block1_conv1/kernel`; `block1_conv1_W_1:0` → `block1_conv1/kernel`. */
export function kerasWeightKey(layer: string, weightName: string): string {
  const name = weightName.replace(/:\d+$/, "");
  const legacy = new RegExp(`^${layer.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}_(W|b)(_\\d+)?$`).exec(name);
  if (legacy) return `${layer}/${legacy[1] === "W" ? "kernel" : "bias"}`;
  const last = name.slice(name.lastIndexOf("/") + 1);
  return `${layer}/${last}`;
}

export interface ReadKerasH5Options {
  /** Read only these layers (default: every layer in `layer_names` that has weights). */
  layers?: readonly string[];
}

/**
 * Read a Keras HDF5 weights file into a WeightMap (float32 tensors, Keras names without `:0`).
 * FILE_NOT_FOUND if it does not exist; INVALID_WEIGHTS, naming the file, if it is not HDF5, is
 * truncated or corrupt, or does not have the Keras layout.
 */
export async function readKerasH5Weights(file: string, options: ReadKerasH5Options = {}): Promise<WeightMap> {
  const st = await statOrUndefined(file);
  if (!st?.isFile()) throw new PasticheError("FILE_NOT_FOUND", `weights file not found: ${file} does not exist`);
  const bad = (what: string, cause?: unknown): PasticheError =>
    new PasticheError("INVALID_WEIGHTS", `${file}: ${what}`, cause === undefined ? undefined : { cause });
  let header: Hdf5Header | undefined;
  try {
    header = await readHdf5Header(file, st.size);
  } catch (e) {
    throw bad(`cannot read (${errorText(e)})`, e);
  }
  if (!header) throw bad("not an HDF5 file (no HDF5 signature); expected Keras .h5 weights");
  if (header.recordedSize !== undefined && header.recordedSize > st.size) {
    throw bad(`truncated: the file is ${st.size} bytes, its HDF5 header says ${header.recordedSize}; download it again`);
  }

  // Loaded on first use: the HDF5 WebAssembly module is a few MB that most commands never need.
  const h5wasm: typeof H5 = (await import("h5wasm/node")).default;
  await h5wasm.ready;
  let h5: InstanceType<typeof h5wasm.File>;
  try {
    h5 = new h5wasm.File(file, "r");
  } catch (e) {
    throw bad(`cannot open as HDF5 (${errorText(e)}); the file is truncated or corrupt, download it again`, e);
  }
  // h5wasm reports a failed open with file_id -1 rather than throwing (truncated files end up here).
  if (h5.file_id < 0n) throw bad("cannot open as HDF5; the file is truncated or corrupt, download it again");

  const out: WeightMap = {};
  try {
    let root: InstanceType<typeof h5wasm.Group> = h5;
    if (!("layer_names" in h5.attrs)) {
      const mw = h5.get("model_weights");
      if (mw instanceof h5wasm.Group && "layer_names" in mw.attrs) root = mw;
      else throw bad("no layer_names attribute: not a Keras weights file");
    }
    const layerNames = stringList(root.attrs["layer_names"]?.value);
    if (!layerNames) throw bad("layer_names attribute is not a list of strings");
    const wanted = options.layers ?? layerNames;
    for (const layer of wanted) {
      if (!layerNames.includes(layer)) throw bad(`layer ${layer} is not in the file (it has ${layerNames.join(", ")})`);
      const group = root.get(layer);
      if (!(group instanceof h5wasm.Group)) throw bad(`layer ${layer} has no group`);
      const weightNames = stringList(group.attrs["weight_names"]?.value ?? []);
      if (!weightNames) throw bad(`layer ${layer}: weight_names attribute is not a list of strings`);
      for (const weightName of weightNames) {
        const ds = group.get(weightName);
        if (!(ds instanceof h5wasm.Dataset)) throw bad(`dataset ${layer}/${weightName} is missing`);
        const shape = ds.shape ?? [];
        let value: unknown;
        try {
          value = ds.value;
        } catch (e) {
          throw bad(`cannot read dataset ${layer}/${weightName} (${errorText(e)})`, e);
        }
        if (!(value instanceof Float32Array || value instanceof Float64Array)) {
          throw bad(`dataset ${layer}/${weightName} has dtype ${JSON.stringify(ds.dtype)}, expected float32`);
        }
        const size = shape.reduce((a, b) => a * b, 1);
        if (value.length !== size) {
          throw bad(`dataset ${layer}/${weightName} holds ${value.length} values, its shape [${shape.join(",")}] needs ${size}`);
        }
        const key = kerasWeightKey(layer, weightName);
        if (out[key]) throw bad(`two weights of layer ${layer} map to ${key}`);
        out[key] = tf.tensor(value instanceof Float32Array ? value : Float32Array.from(value), shape, "float32");
      }
    }
  } catch (e) {
    for (const t of Object.values(out)) t.dispose();
    if (e instanceof PasticheError) throw e;
    // h5wasm throws plain errors ("error - name not defined!") when the file's structure is damaged.
    throw bad(`cannot read the HDF5 structure (${errorText(e)}); the file is corrupt, download it again`, e);
  } finally {
    try {
      h5.close();
    } catch {
      // Closing a damaged file can fail too; the error that matters is already on its way.
    }
  }
  return out;
}
