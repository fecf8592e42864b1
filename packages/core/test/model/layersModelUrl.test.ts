import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PasticheError } from "../../src/errors.js";
import type { FetchLike } from "../../src/model/fetchBytes.js";
import { loadLayersModelWeightsFromUrl } from "../../src/model/layersModelUrl.js";
import { disposeWeightMap } from "../../src/model/weightMap.js";
import { validateVgg19Weights } from "../../src/vgg/weights.js";

const vggDir = join(process.env.PASTICHE_MODELS_DIR ?? "/work/shared/models", "vgg19-notop-uint8");
const BASE = "https://models.example/vgg19-notop-uint8/";

/** Serves files of vggDir under BASE, optionally leaving one out. */
function servedDir(missing?: string): FetchLike {
  return (url) => {
    const name = url.startsWith(BASE) ? url.slice(BASE.length) : "";
    if (!name || name === missing) return Promise.resolve({ ok: false, status: 404, arrayBuffer: () => Promise.resolve(new ArrayBuffer(0)) });
    const bytes = new Uint8Array(readFileSync(join(vggDir, name)));
    return Promise.resolve({ ok: true, status: 200, arrayBuffer: () => Promise.resolve(bytes.buffer) });
  };
}

describe("loadLayersModelWeightsFromUrl", () => {
  it("loads the VGG19 weights with shards fetched relative to model.json", async () => {
    const weights = await loadLayersModelWeightsFromUrl(`${BASE}model.json`, { fetch: servedDir() });
    expect(() => {
      validateVgg19Weights(weights);
    }).not.toThrow();
    expect(Object.keys(weights).length).toBe(32); // 16 conv layers, kernel + bias each
    disposeWeightMap(weights);
  });

  it("names the shard URL that is missing", async () => {
    const e = await loadLayersModelWeightsFromUrl(`${BASE}model.json`, { fetch: servedDir("group1-shard3of20.bin") }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(PasticheError);
    expect((e as PasticheError).message).toContain(`${BASE}group1-shard3of20.bin: HTTP 404`);
  });
});
