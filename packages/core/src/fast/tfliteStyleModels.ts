import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import { fetchBytes, type FetchLike } from "../model/fetchBytes.js";
import { TfliteGraph } from "../tflite/graph.js";
import type { ArbitraryStyleModels } from "./models.js";
import { withPaddedInput } from "./padding.js";

/** The bytes of Magenta's two TFLite networks, for {@link TfliteStyleModels.fromFiles}. */
export interface TfliteStyleModelFiles {
  /** The style-prediction network, e.g. style_predict_quantized_256.tflite. */
  readonly predictor: Uint8Array | ArrayBuffer;
  /** The transfer network, e.g. style_transfer_quantized_384.tflite or style_transfer_f16_384.tflite. */
  readonly transfer: Uint8Array | ArrayBuffer;
  /** Names used in messages and as the cache id, e.g. the file names. */
  readonly predictorSource?: string;
  readonly transferSource?: string;
}

/** Where Magenta's two TFLite networks are served, for {@link TfliteStyleModels.fromUrls} (relative URLs resolve against the page). */
export interface TfliteStyleModelUrls {
  /** The style-prediction network, e.g. `style_predict_quantized_256.tflite`. */
  readonly predictor: string | URL;
  /** The style-transfer network, e.g. `style_transfer_quantized_384.tflite` (int8) or `style_transfer_f16_384.tflite`. */
  readonly transfer: string | URL;
}

/** How {@link TfliteStyleModels.fromUrls} fetches. */
export interface TfliteFetchOptions {
  /** Defaults to the global fetch. */
  readonly fetch?: FetchLike;
  /** Subresource-integrity strings ("sha256-<base64>") checked before parsing. */
  readonly integrity?: { readonly predictor?: string; readonly transfer?: string };
  /** Aborts the downloads (ABORTED). */
  readonly signal?: AbortSignal;
}

/** A TFLite flatbuffer carries the identifier "TFL3" at bytes 4-7. */
function assertTfliteFile(url: string, bytes: Uint8Array): void {
  const id = String.fromCharCode(...bytes.subarray(4, 8));
  if (id !== "TFL3") throw new PasticheError("INVALID_WEIGHTS", `${url}: is not a TFLite file (${bytes.length} bytes, no TFL3 identifier)`);
}

/**
 * Magenta's networks from their TFLite files. The transfer network's inputs are told apart by
 * shape (the image has 3 channels, the bottleneck as many as the predictor outputs), not by name.
 */
export class TfliteStyleModels implements ArbitraryStyleModels {
  readonly id: string;
  readonly bottleneckSize: number;
  private readonly contentInput: number;
  private readonly disposeAll: () => void;

  constructor(
    readonly predictor: TfliteGraph,
    readonly transformer: TfliteGraph,
  ) {
    this.id = `tflite:${predictor.source}+${transformer.source}`;
    this.disposeAll = () => {
      predictor.dispose();
      transformer.dispose();
    };
    const bad = (g: TfliteGraph, what: string): PasticheError =>
      new PasticheError("INVALID_WEIGHTS", `${g.source}: is not ${what} (inputs ${g.inputs.map((i) => `${i.name} [${i.shape.join(",")}]`).join(", ")})`);
    if (predictor.inputs.length !== 1 || predictor.inputs[0]!.shape.at(-1) !== 3 || predictor.outputs.length !== 1) {
      throw bad(predictor, "a style-prediction network (one RGB input, one output)");
    }
    this.bottleneckSize = predictor.outputs[0]!.shape.at(-1) ?? 0;
    const contentInput = transformer.inputs.findIndex((i) => i.shape.length === 4 && i.shape[3] === 3);
    if (transformer.inputs.length !== 2 || contentInput < 0 || transformer.inputs[1 - contentInput]!.shape.at(-1) !== this.bottleneckSize) {
      throw bad(transformer, `a style-transfer network (an RGB input and a ${this.bottleneckSize}-value bottleneck)`);
    }
    this.contentInput = contentInput;
  }

  /** Parse and prepare both files; INVALID_WEIGHTS names the file at fault. */
  static fromFiles(files: TfliteStyleModelFiles): TfliteStyleModels {
    const predictor = TfliteGraph.fromBytes(files.predictor, { source: files.predictorSource ?? "style predictor" });
    let transformer: TfliteGraph;
    try {
      transformer = TfliteGraph.fromBytes(files.transfer, { source: files.transferSource ?? "style transfer" });
    } catch (e) {
      predictor.dispose();
      throw e;
    }
    try {
      return new TfliteStyleModels(predictor, transformer);
    } catch (e) {
      predictor.dispose();
      transformer.dispose();
      throw e;
    }
  }

  /**
   * Fetches both files (in parallel), checks integrity and the TFLite identifier, then parses them.
   * @throws PasticheError DOWNLOAD_FAILED (HTTP error), HASH_MISMATCH, INVALID_WEIGHTS or ABORTED, naming the URL.
   * @example const models = await TfliteStyleModels.fromUrls({ predictor: "models/predict.tflite", transfer: "models/transfer.tflite" });
   */
  static async fromUrls(urls: TfliteStyleModelUrls, options: TfliteFetchOptions = {}): Promise<TfliteStyleModels> {
    const predictorUrl = String(urls.predictor);
    const transferUrl = String(urls.transfer);
    const common = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.signal ? { signal: options.signal } : {}) };
    const [predictor, transfer] = await Promise.all([
      fetchBytes(predictorUrl, { ...common, ...(options.integrity?.predictor ? { integrity: options.integrity.predictor } : {}) }),
      fetchBytes(transferUrl, { ...common, ...(options.integrity?.transfer ? { integrity: options.integrity.transfer } : {}) }),
    ]);
    assertTfliteFile(predictorUrl, predictor);
    assertTfliteFile(transferUrl, transfer);
    return TfliteStyleModels.fromFiles({ predictor, transfer, predictorSource: predictorUrl, transferSource: transferUrl });
  }

  predictStyle(style: tf.Tensor4D): tf.Tensor4D {
    const [out] = this.predictor.execute([style]);
    return out as tf.Tensor4D;
  }

  transfer(content: tf.Tensor4D, bottleneck: tf.Tensor4D): tf.Tensor4D {
    return withPaddedInput(content, (x) => {
      const inputs = this.contentInput === 0 ? [x, bottleneck] : [bottleneck, x];
      const [out] = this.transformer.execute(inputs);
      return out as tf.Tensor4D;
    });
  }

  /** Free both networks' weight tensors; the object is unusable afterwards. */
  dispose(): void {
    this.disposeAll();
  }
}
