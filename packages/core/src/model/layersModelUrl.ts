import { PasticheError } from "../errors.js";
import { fetchBytes, type FetchLike } from "./fetchBytes.js";
import { decodeLayersModelWeights } from "./tfjsLayersModel.js";
import type { WeightMap } from "./weightMap.js";

/** How {@link loadLayersModelWeightsFromUrl} fetches. */
export interface LayersModelUrlOptions {
  /** Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /** Aborts the downloads (ABORTED). */
  readonly signal?: AbortSignal;
}

/**
 * Reads the weights of a TensorFlow.js layers model served over HTTP (model.json + shards fetched
 * relative to it) into a WeightMap keyed by Keras names — the URL twin of node's readLayersModelWeights;
 * decoding and size checks are the shared decodeLayersModelWeights.
 * @throws PasticheError DOWNLOAD_FAILED / ABORTED naming the URL, INVALID_WEIGHTS for bad JSON or short shards.
 * @example const weights = await loadLayersModelWeightsFromUrl("https://example.com/vgg19-notop-uint8/model.json"); validateVgg19Weights(weights);
 */
export async function loadLayersModelWeightsFromUrl(modelJsonUrl: string | URL, options: LayersModelUrlOptions = {}): Promise<WeightMap> {
  const base = String(modelJsonUrl);
  const fetchOptions = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  const text = new TextDecoder().decode(await fetchBytes(base, fetchOptions));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PasticheError("INVALID_WEIGHTS", `${base}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  // Relative URLs need a base; in a page that is its location (globalThis.location), elsewhere the URL must be absolute.
  const pageBase = (globalThis as { location?: { href: string } }).location?.href;
  const resolved = new URL(base, pageBase);
  const readShard = async (shard: string): Promise<ArrayBuffer> => {
    const bytes = await fetchBytes(new URL(shard, resolved).href, fetchOptions);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  };
  return decodeLayersModelWeights(json, readShard, { source: base });
}
