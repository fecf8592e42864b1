import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { PasticheError, checkWeightGroupShardSizes, parseTfjsModelJson } from "@pastiche/core";
import { syncDirectory } from "../fs/atomicWrite.js";
import { errorText, statOrUndefined } from "./fsUtil.js";
import { MODELS_DIR_ENV } from "./modelsDir.js";
import { UNKNOWN_MD5, type ModelEntry, type ModelFileKind } from "./registry.js";
import type { ModelSource } from "./findModel.js";
import { checkAgainstManifest, recordDownload, type ContentCheck } from "./manifest.js";

/** Options of {@link downloadModel}. */
export interface DownloadOptions {
  /** Directory the file goes into (created if needed); the file keeps the registry's name. */
  modelsDir: string;
  /** Called as bytes arrive; `total` is the Content-Length, else the registry's size. */
  onProgress?: (received: number, total: number | undefined) => void;
  /** Replaces the global `fetch` (tests, proxies). */
  fetchImpl?: typeof fetch;
  /** Replaces the registry's URL (mirrors, tests). The md5 is still the registry's. */
  url?: string;
  signal?: AbortSignal;
}

type Chunk = { done: true; value?: undefined } | { done: false; value: Uint8Array };

/** A finished download: where the file is, its size, its md5 and the URL it came from. */
export interface DownloadResult {
  path: string;
  bytes: number;
  md5: string;
  url: string;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function causeText(e: unknown): string {
  // fetch wraps the real reason (ECONNREFUSED, ENOTFOUND, …) in `cause`.
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return errorText(e);
}

/**
 * Download a model's file into `modelsDir`: HTTPS GET, streamed to a temporary file next to the
 * target while its md5 is computed, checked against the registry, then renamed into place, so the
 * target is either absent or complete. DOWNLOAD_FAILED (host unreachable, HTTP error, connection
 * lost) and HASH_MISMATCH messages say where to put a manually downloaded file.
 */
export async function downloadModel(entry: ModelEntry, options: DownloadOptions): Promise<DownloadResult> {
  const dl = entry.download;
  if (!dl) throw new PasticheError("INVALID_OPTION", `model "${entry.id}" has no download source`);
  const url = options.url ?? dl.url;
  const dest = path.join(path.resolve(options.modelsDir), dl.fileName);
  const dir = path.dirname(dest);
  const manual = `to install it by hand, download ${url} and save it as ${dest}`;
  const aborted = (): PasticheError => new PasticheError("ABORTED", `download of ${dl.fileName} cancelled`);

  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new PasticheError(
      "OUTPUT_NOT_WRITABLE",
      `cannot create the models directory ${dir} (${errorText(e)}); set ${MODELS_DIR_ENV} to a writable directory`,
      { cause: e },
    );
  }

  let res: Response;
  try {
    res = await (options.fetchImpl ?? fetch)(url, { redirect: "follow", ...(options.signal ? { signal: options.signal } : {}) });
  } catch (e) {
    if (options.signal?.aborted) throw aborted();
    throw new PasticheError("DOWNLOAD_FAILED", `could not reach ${hostOf(url)} to download ${entry.id} (${causeText(e)}); ${manual}`, { cause: e });
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new PasticheError("DOWNLOAD_FAILED", `${hostOf(url)} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""} for ${url}; ${manual}`);
  }
  const header = Number(res.headers.get("content-length") ?? NaN);
  const contentLength = Number.isInteger(header) && header > 0 ? header : undefined;
  const total = contentLength ?? dl.sizeBytes;

  const tmp = path.join(dir, `.${path.basename(dest)}.${process.pid}.${randomBytes(4).toString("hex")}.part`);
  let fh: FileHandle | undefined;
  let renamed = false;
  try {
    try {
      fh = await open(tmp, "w");
    } catch (e) {
      throw new PasticheError(
        "OUTPUT_NOT_WRITABLE",
        `cannot write to the models directory ${dir} (${errorText(e)}); set ${MODELS_DIR_ENV} to a writable directory`,
        { cause: e },
      );
    }
    const hash = createHash("md5");
    const sha256 = createHash("sha256");
    let received = 0;
    const reader: { read(): Promise<Chunk>; cancel(): Promise<void> } = res.body.getReader();
    options.onProgress?.(0, total);
    for (;;) {
      let chunk: Chunk;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (options.signal?.aborted) throw aborted();
        throw new PasticheError(
          "DOWNLOAD_FAILED",
          `the connection to ${hostOf(url)} broke after ${received} of ${total} bytes (${causeText(e)}); try again, or ${manual}`,
          { cause: e },
        );
      }
      if (chunk.done) break;
      hash.update(chunk.value);
      sha256.update(chunk.value);
      try {
        await fh.write(chunk.value);
      } catch (e) {
        await reader.cancel().catch(() => undefined);
        throw new PasticheError("OUTPUT_NOT_WRITABLE", `cannot write ${tmp} (${errorText(e)})`, { cause: e });
      }
      received += chunk.value.byteLength;
      options.onProgress?.(received, total);
    }
    await fh.sync(); // on disk before the rename makes it visible
    await fh.close();
    fh = undefined;
    if (contentLength !== undefined && received !== contentLength) {
      throw new PasticheError("DOWNLOAD_FAILED", `the download from ${hostOf(url)} ended after ${received} of ${contentLength} bytes; try again, or ${manual}`);
    }
    const md5 = hash.digest("hex");
    // No published hash (UNKNOWN_MD5): nothing to compare with; the CLI says "not checked".
    if (dl.md5 !== UNKNOWN_MD5 && md5 !== dl.md5.toLowerCase()) {
      throw new PasticheError(
        "HASH_MISMATCH",
        `downloaded ${dl.fileName} (${received} bytes) has md5 ${md5}, expected ${dl.md5}; nothing was saved. Try again, or ${manual} and check its md5`,
      );
    }
    await rename(tmp, dest);
    renamed = true;
    await syncDirectory(dir);
    // `models verify` later checks the file against the hash it had as it arrived.
    await recordDownload(path.resolve(options.modelsDir), dest, sha256.digest("hex"), received);
    return { path: dest, bytes: received, md5, url };
  } finally {
    if (fh) await fh.close().catch(() => undefined);
    if (!renamed) await rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** md5 of a file, streamed. */
export async function md5File(file: string): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** A file's md5 against the registry: matching, not matching, or not checked (no published hash). */
export type HashStatus = "ok" | "mismatch" | "not-checked";

/** One accepted local form of a model as {@link verifyModel} found it. */
export interface ModelFileStatus {
  kind: ModelFileKind;
  /** Absolute path of the file (the model.json for a layers model). */
  path: string;
  present: boolean;
  /** md5 against the registry, for the downloadable file; layers models are "not-checked". */
  hash: HashStatus;
  /** Layers models only: whether every shard exists with the size the manifest needs. */
  shards?: "ok" | "bad";
  /** One line saying what is wrong, when something is. */
  problem?: string;
  /** With `content` checking: each file of the form (a layers model's model.json and shards) against the manifest. */
  content?: { file: string; check: ContentCheck }[];
}

/** Options of {@link verifyModel}. */
export interface VerifyOptions {
  /** Hash every file and compare it with the models directory's manifest (slow for big files). */
  readonly content?: boolean;
  /** With `content`: record the hashes of files the manifest has none for (first verification). */
  readonly record?: boolean;
}

/** What {@link verifyModel} found for one model: each local form's status and the one loading would use. */
export interface ModelVerification {
  id: string;
  modelsDir: string;
  /** One status per accepted local form, in search order. */
  files: ModelFileStatus[];
  /** The first form that is present and passed its checks: what loading would use. */
  usable?: ModelSource;
}

async function checkLayersModel(modelJsonPath: string): Promise<string | undefined> {
  let json;
  try {
    json = parseTfjsModelJson(JSON.parse(await readFile(modelJsonPath, "utf8")) as unknown, modelJsonPath);
  } catch (e) {
    return e instanceof PasticheError ? e.message : `${modelJsonPath}: cannot read (${errorText(e)})`;
  }
  const dir = path.dirname(modelJsonPath);
  for (const [g, group] of json.weightsManifest.entries()) {
    const sizes: number[] = [];
    for (const shard of group.paths) {
      const st = await statOrUndefined(path.resolve(dir, shard));
      if (!st?.isFile()) return `${modelJsonPath}: weights shard ${path.resolve(dir, shard)} is missing`;
      sizes.push(st.size);
    }
    try {
      checkWeightGroupShardSizes(group, g, sizes, modelJsonPath);
    } catch (e) {
      return e instanceof PasticheError ? e.message : errorText(e);
    }
  }
  return undefined;
}

/**
 * Check what of a model is in `modelsDir`: for each accepted local form whether it is present;
 * the downloadable file's md5 against the registry; a layers model's shard sizes against its manifest.
 */
export async function verifyModel(entry: ModelEntry, modelsDir: string, options: VerifyOptions = {}): Promise<ModelVerification> {
  const root = path.resolve(modelsDir);
  const files: ModelFileStatus[] = [];
  for (const form of entry.localForms) {
    const p = path.join(root, form.path);
    const present = (await statOrUndefined(p))?.isFile() ?? false;
    const status: ModelFileStatus = { kind: form.kind, path: p, present, hash: "not-checked" };
    if (present && form.kind === "layers-model") {
      const problem = await checkLayersModel(p);
      status.shards = problem ? "bad" : "ok";
      if (problem) status.problem = problem;
    } else if (present && entry.download && entry.download.md5 !== UNKNOWN_MD5 && path.normalize(form.path) === path.normalize(entry.download.fileName)) {
      const md5 = await md5File(p);
      status.hash = md5 === entry.download.md5.toLowerCase() ? "ok" : "mismatch";
      if (status.hash === "mismatch") {
        status.problem = `${p} has md5 ${md5}, expected ${entry.download.md5}; delete it and run \`pastiche models download ${entry.id}\``;
      }
    }
    if (present && options.content) await checkContent(entry, root, status, options.record ?? false);
    files.push(status);
  }
  const good = files.find((f) => f.present && f.hash !== "mismatch" && f.shards !== "bad" && !f.content?.some((c) => c.check.state === "changed"));
  return { id: entry.id, modelsDir: root, files, ...(good ? { usable: { kind: good.kind, path: good.path } } : {}) };
}

/** The files a local form consists of: the file itself, plus a layers model's shards (those that exist). */
async function formFiles(status: ModelFileStatus): Promise<string[]> {
  if (status.kind !== "layers-model") return [status.path];
  try {
    const json = parseTfjsModelJson(JSON.parse(await readFile(status.path, "utf8")) as unknown, status.path);
    const dir = path.dirname(status.path);
    const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => path.resolve(dir, p)));
    const present = await Promise.all(shards.map(async (s) => ((await statOrUndefined(s))?.isFile() ? s : undefined)));
    return [status.path, ...present.filter((s): s is string => s !== undefined)];
  } catch {
    return [status.path];
  }
}

async function checkContent(entry: ModelEntry, root: string, status: ModelFileStatus, record: boolean): Promise<void> {
  const files = await formFiles(status);
  const checks = await checkAgainstManifest(root, files, record);
  status.content = files.map((file) => ({ file, check: checks.get(file)! }));
  const changed = status.content.find((c) => c.check.state === "changed");
  if (changed && changed.check.state === "changed" && status.problem === undefined) {
    const { against, sha256 } = changed.check;
    const when = against.recorded === "download" ? `when pastiche downloaded it (${against.at})` : `when it was first verified (${against.at})`;
    status.problem = `${changed.file} is corrupt or changed: sha256 ${sha256.slice(0, 16)}…, recorded ${against.sha256.slice(0, 16)}… ${when}; delete it and run \`pastiche models download ${entry.id}\` (or copy it again)`;
  }
}
