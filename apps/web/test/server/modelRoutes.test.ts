import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModelManifest } from "../../src/server/models/modelManifest.js";
import { serveModelFile, serveModelManifest } from "../../src/server/http/modelRoutes.js";
import { tempDir } from "./helpers.js";

// Small stand-in files under the real names: the routes hash and serve bytes, they never parse them.
const PREDICTOR = "style_predict_quantized_256.tflite";
const TRANSFER = "style_transfer_f16_384.tflite";
const predictorBytes = Buffer.from("TFL3 predictor stand-in ".repeat(40));
const transferBytes = Buffer.from("TFL3 transfer stand-in ".repeat(25));

let modelsDir: string;
let emptyDir: string;
const removers: (() => void)[] = [];

beforeAll(() => {
  const models = tempDir();
  const empty = tempDir();
  removers.push(models.remove, empty.remove);
  modelsDir = models.dir;
  emptyDir = empty.dir;
  mkdirSync(path.join(modelsDir, "magenta-arbitrary-tflite"));
  writeFileSync(path.join(modelsDir, "magenta-arbitrary-tflite", PREDICTOR), predictorBytes);
  writeFileSync(path.join(modelsDir, "magenta-arbitrary-tflite", TRANSFER), transferBytes);
});

afterAll(() => {
  for (const remove of removers) remove();
});

const sha256Hex = (data: Buffer): string => createHash("sha256").update(data).digest("hex");
const get = (url: string, headers: Record<string, string> = {}): Request => new Request(`http://localhost${url}`, { headers });

describe("model manifest", () => {
  it("names each Fast model file with its hash, size and a URL relative to the manifest", async () => {
    const built = await buildModelManifest(modelsDir, { baseUrl: "models/" });
    expect(built?.manifest).toEqual({
      version: 1,
      fast: {
        predictor: {
          name: PREDICTOR,
          url: `models/files/${sha256Hex(predictorBytes)}/${PREDICTOR}`,
          integrity: `sha256-${createHash("sha256").update(predictorBytes).digest("base64")}`,
          bytes: predictorBytes.length,
        },
        transfer: {
          name: TRANSFER,
          url: `models/files/${sha256Hex(transferBytes)}/${TRANSFER}`,
          integrity: `sha256-${createHash("sha256").update(transferBytes).digest("base64")}`,
          bytes: transferBytes.length,
        },
      },
    });
  });

  it("is undefined when the Fast models are not installed", async () => {
    expect(await buildModelManifest(emptyDir)).toBeUndefined();
  });
});

describe("GET /api/models/manifest.json", () => {
  it("serves the manifest with no-cache and an ETag, 304 for a current copy", async () => {
    const res = await serveModelManifest(get("/api/models/manifest.json"), modelsDir);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const manifest = (await res.json()) as { fast: { predictor: { url: string } } };
    expect(manifest.fast.predictor.url).toBe(`files/${sha256Hex(predictorBytes)}/${PREDICTOR}`);

    const again = await serveModelManifest(get("/api/models/manifest.json", { "If-None-Match": etag ?? "" }), modelsDir);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const stale = await serveModelManifest(get("/api/models/manifest.json", { "If-None-Match": '"other"' }), modelsDir);
    expect(stale.status).toBe(200);
  });

  it("answers 404 with a sentence when the Fast models are not installed", async () => {
    const res = await serveModelManifest(get("/api/models/manifest.json"), emptyDir);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/Fast models are not installed/);
  });
});

describe("GET /api/models/files/:sha256/:name", () => {
  it("serves a manifest file's bytes, immutable for a year, with type and length", async () => {
    const sha = sha256Hex(transferBytes);
    const res = await serveModelFile(get(`/api/models/files/${sha}/${TRANSFER}`), modelsDir, sha, TRANSFER);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-length")).toBe(String(transferBytes.length));
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await res.arrayBuffer()).equals(transferBytes)).toBe(true);
  });

  it("answers 404 for anything that is not exactly a manifest entry", async () => {
    const predictorSha = sha256Hex(predictorBytes);
    const cases: [string, string][] = [
      [predictorSha, TRANSFER], // a real hash with another entry's name
      [sha256Hex(Buffer.from("nope")), PREDICTOR], // an unknown hash
      [predictorSha, `../magenta-arbitrary-tflite/${PREDICTOR}`], // path traversal in the name
      [`..%2F..%2F${predictorSha}`, PREDICTOR],
      [predictorSha, "style_transfer_quantized_384.tflite"], // a file that is not installed here
    ];
    for (const [sha, name] of cases) {
      const res = await serveModelFile(get(`/api/models/files/x/y`), modelsDir, sha, name);
      expect(res.status, `${sha}/${name}`).toBe(404);
    }
    const res = await serveModelFile(get(`/api/models/files/x/y`), emptyDir, predictorSha, PREDICTOR);
    expect(res.status).toBe(404);
  });
});
