/**
 * The Fast-mode model files for in-browser stylisation: a manifest naming each file with its sha256
 * (URL path and Subresource-Integrity string) and the bytes themselves, so the browser can keep the
 * files forever under content-addressed URLs and verify what it fetched.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { MAGENTA_STYLE_PREDICT_MODEL, MAGENTA_STYLE_TRANSFER_MODEL, resolveModelsDir, type ModelEntry } from "@pastiche/node/light";

export interface ModelFileEntry {
  name: string;
  /** Relative to the manifest's own URL: `<baseUrl>files/<sha256hex>/<name>`. */
  url: string;
  /** Subresource Integrity: `sha256-<base64>`. */
  integrity: string;
  bytes: number;
}

export interface ModelManifest {
  version: 1;
  fast: { predictor: ModelFileEntry; transfer: ModelFileEntry };
}

/** One served file: its public entry and the bytes hashed (kept, so what is served always matches the hash). */
export interface ManifestFile {
  entry: ModelFileEntry;
  sha256: string;
  data: Buffer;
}

export interface BuiltModelManifest {
  manifest: ModelManifest;
  /** The manifest as served, and its ETag (a hash of that text). */
  json: string;
  etag: string;
  files: readonly ManifestFile[];
}

/** The first installed local form of a model, as the worker's lookup picks it (same search order). */
async function installedFile(entry: ModelEntry, modelsDir: string): Promise<string | undefined> {
  for (const form of entry.localForms) {
    const file = path.join(modelsDir, form.path);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) return file;
  }
  return undefined;
}

async function describeFile(file: string, baseUrl: string): Promise<ManifestFile> {
  const data = await readFile(file);
  const digest = createHash("sha256").update(data).digest();
  const sha256 = digest.toString("hex");
  const name = path.basename(file);
  return { sha256, data, entry: { name, url: `${baseUrl}files/${sha256}/${name}`, integrity: `sha256-${digest.toString("base64")}`, bytes: data.length } };
}

/**
 * Hashes the installed Fast model files. Undefined when either is missing (the page then runs Fast on
 * the server, which reports the missing model itself).
 */
export async function buildModelManifest(modelsDir: string, options: { baseUrl?: string } = {}): Promise<BuiltModelManifest | undefined> {
  const baseUrl = options.baseUrl ?? "";
  const [predictorFile, transferFile] = await Promise.all([
    installedFile(MAGENTA_STYLE_PREDICT_MODEL, modelsDir),
    installedFile(MAGENTA_STYLE_TRANSFER_MODEL, modelsDir),
  ]);
  if (predictorFile === undefined || transferFile === undefined) return undefined;
  const [predictor, transfer] = await Promise.all([describeFile(predictorFile, baseUrl), describeFile(transferFile, baseUrl)]);
  const manifest: ModelManifest = { version: 1, fast: { predictor: predictor.entry, transfer: transfer.entry } };
  const json = `${JSON.stringify(manifest, null, 2)}\n`;
  const etag = `"${createHash("sha256").update(json).digest("base64url").slice(0, 27)}"`;
  return { manifest, json, etag, files: [predictor, transfer] };
}

const KEY = Symbol.for("pastiche.web.modelManifest");
type ManifestCache = Map<string, Promise<BuiltModelManifest | undefined>>;
type GlobalWithManifests = typeof globalThis & { [KEY]?: ManifestCache };

/**
 * The manifest for a models directory, hashed once per process (on globalThis, as Next may evaluate
 * this module once per route bundle). A failed read is not kept, so the next request tries again.
 */
export function modelManifestFor(modelsDir: string | undefined): Promise<BuiltModelManifest | undefined> {
  const dir = path.resolve(modelsDir ?? resolveModelsDir().dir);
  const g = globalThis as GlobalWithManifests;
  const cache = (g[KEY] ??= new Map() as ManifestCache);
  let built = cache.get(dir);
  if (!built) {
    built = buildModelManifest(dir);
    cache.set(dir, built);
    built.catch(() => cache.delete(dir));
  }
  return built;
}
