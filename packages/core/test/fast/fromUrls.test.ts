import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PasticheError } from "../../src/errors.js";
import { TfliteStyleModels } from "../../src/fast/tfliteStyleModels.js";
import type { FetchLike } from "../../src/model/fetchBytes.js";

const modelsDir = join(process.env.PASTICHE_MODELS_DIR ?? "/work/shared/models", "magenta-arbitrary-tflite");
const PREDICTOR = "https://models.example/style_predict_quantized_256.tflite";
const TRANSFER = "https://models.example/style_transfer_f16_384.tflite";

function served(files: Record<string, Uint8Array>): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const fetch = (url: string) => {
    calls.push(url);
    const body = files[url];
    if (!body) return Promise.resolve({ ok: false, status: 404, statusText: "Not Found", arrayBuffer: () => Promise.resolve(new ArrayBuffer(0)) });
    return Promise.resolve({ ok: true, status: 200, arrayBuffer: () => Promise.resolve(body.slice().buffer) });
  };
  return Object.assign(fetch, { calls });
}

const sri = (bytes: Uint8Array) => `sha256-${createHash("sha256").update(bytes).digest("base64")}`;

async function rejection(p: Promise<unknown>): Promise<PasticheError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PasticheError);
  return e as PasticheError;
}

describe("TfliteStyleModels.fromUrls", () => {
  const predictor = new Uint8Array(readFileSync(join(modelsDir, "style_predict_quantized_256.tflite")));
  const transfer = new Uint8Array(readFileSync(join(modelsDir, "style_transfer_f16_384.tflite")));

  it("loads both networks by URL with matching integrity", async () => {
    const fetch = served({ [PREDICTOR]: predictor, [TRANSFER]: transfer });
    const models = await TfliteStyleModels.fromUrls(
      { predictor: PREDICTOR, transfer: new URL(TRANSFER) },
      { fetch, integrity: { predictor: sri(predictor), transfer: sri(transfer) } },
    );
    expect(models.bottleneckSize).toBe(100);
    expect(models.id).toBe(`tflite:${PREDICTOR}+${TRANSFER}`);
    expect(fetch.calls.sort()).toEqual([PREDICTOR, TRANSFER]);
    models.dispose();
  });

  it("names the URL on an HTTP error", async () => {
    const e = await rejection(TfliteStyleModels.fromUrls({ predictor: PREDICTOR, transfer: TRANSFER }, { fetch: served({ [PREDICTOR]: predictor }) }));
    expect(e.code).toBe("DOWNLOAD_FAILED");
    expect(e.message).toBe(`${TRANSFER}: HTTP 404 Not Found`);
  });

  it("rejects an integrity mismatch", async () => {
    const fetch = served({ [PREDICTOR]: predictor, [TRANSFER]: transfer });
    const e = await rejection(TfliteStyleModels.fromUrls({ predictor: PREDICTOR, transfer: TRANSFER }, { fetch, integrity: { transfer: sri(predictor) } }));
    expect(e.code).toBe("HASH_MISMATCH");
    expect(e.message).toContain(TRANSFER);
  });

  it("rejects a file that is not TFLite", async () => {
    const html = new TextEncoder().encode("<!doctype html><title>not a model</title>");
    const e = await rejection(
      TfliteStyleModels.fromUrls({ predictor: PREDICTOR, transfer: TRANSFER }, { fetch: served({ [PREDICTOR]: html, [TRANSFER]: transfer }) }),
    );
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toMatch(new RegExp(`^${PREDICTOR.replace(/[.]/g, "\\.")}: is not a TFLite file`));
  });

  it("reports an aborted download as ABORTED", async () => {
    const controller = new AbortController();
    controller.abort();
    const fetch: FetchLike = (_url, init) => Promise.reject(init?.signal?.aborted ? new DOMException("aborted", "AbortError") : new Error("signal not passed"));
    const e = await rejection(TfliteStyleModels.fromUrls({ predictor: PREDICTOR, transfer: TRANSFER }, { fetch, signal: controller.signal }));
    expect(e.code).toBe("ABORTED");
  });
});
