/** Shared test fixtures: a temp data dir, an app with an injectable runner, callers, image bytes. */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { MAGENTA_STYLE_PREDICT_MODEL, MAGENTA_STYLE_TRANSFER_MODEL, VGG19_MODEL, pngChunk } from "@pastiche/node/light";
import { modelsDir } from "@pastiche/vitest-config/needs";
import { TRPCError } from "@trpc/server";
import sharp from "sharp";
import { expect } from "vitest";
import { createCallerFactory } from "../../src/server/api/trpc.js";
import { appRouter } from "../../src/server/api/root.js";
import { createEmbeddedApp, createPasticheApp, type EmbeddedApp, type PasticheApp } from "../../src/server/app.js";
import { KyselyRepository } from "../../src/server/db/repository/kyselyRepository.js";
import type { BlobKind } from "../../src/server/storage/blobs/blobStore.js";
import { resolveConfig, type ServerConfig } from "../../src/server/limits/config.js";
import { PEER_HEADER, peerHeaderValue } from "../../src/server/http/peer.js";
import { ownerKey } from "../../src/server/http/visitor.js";
import { VISITOR_COOKIE } from "../../src/server/http/visitorCookie.js";
import type { JobRunner, RunnerFactory, RunOutcome, RunProgress, RunTask } from "../../src/server/queue/runner.js";

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../migrations");

export function tempDir(prefix = "pastiche-web-test-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The real model files (jobs are refused when the models they need are missing); without them (a
 * fresh clone), empty stand-ins that pass the server's file check, for tests whose runners are fake.
 */
export const MODELS_DIR = modelsDir() ?? standInModelsDir();

function standInModelsDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pastiche-web-models-"));
  for (const entry of [VGG19_MODEL, MAGENTA_STYLE_PREDICT_MODEL, MAGENTA_STYLE_TRANSFER_MODEL]) {
    const file = path.join(dir, entry.localForms[0]!.path);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "");
  }
  process.once("exit", () => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export function testConfig(dataDir: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  // An otherwise empty environment: tests never depend on the developer's other PASTICHE_* variables.
  return resolveConfig(
    {},
    {
      dataDir,
      modelsDir: MODELS_DIR,
      rateLimitPerMinute: 1000,
      uploadRateLimitPerMinute: 1000,
      uploadBytesPerMinute: 1024 ** 3,
      minFreeDiskBytes: 0,
      ...overrides,
    },
  );
}

/** An embedded-mode app (SQLite, data directory) with these runners. */
export function openApp(config: ServerConfig, runnerFactory: RunnerFactory): Promise<EmbeddedApp> {
  return createEmbeddedApp(config, { runnerFactory, migrationsDir: MIGRATIONS_DIR, log: () => undefined });
}

/** The two ways the app runs: a shared suite runs once per mode. */
export type AppMode = "embedded" | "cluster";

/**
 * An app in either mode; cluster mode on the PostgreSQL database `databaseUrl`, running its jobs
 * itself (PASTICHE_WORKERS=1) with these runners, as a `pnpm worker` would.
 */
export function openAppIn(mode: AppMode, config: ServerConfig, runnerFactory: RunnerFactory, databaseUrl?: string): Promise<PasticheApp> {
  if (mode === "embedded") return openApp(config, runnerFactory);
  if (databaseUrl === undefined) throw new Error("cluster mode needs a database URL");
  return createPasticheApp({ ...config, databaseUrl, workers: 1 }, { runnerFactory, log: () => undefined });
}

/** The app's database as a query builder, in either mode (for tests that look at rows directly). */
export function sqlOf(app: PasticheApp): KyselyRepository["db"] {
  if (!(app.repo instanceof KyselyRepository)) throw new Error("the app's repository is not the Kysely one");
  return app.repo.db;
}

/** Rows in a table, in either mode. */
export async function countRows(app: PasticheApp, table: "jobs" | "uploads"): Promise<number> {
  const r = await sqlOf(app)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Every blob the app stores, as "kind/id", sorted. */
export async function blobList(app: PasticheApp): Promise<string[]> {
  const kinds: BlobKind[] = ["upload", "thumbnail", "result", "preview"];
  const all = await Promise.all(kinds.map(async (k) => (await app.blobs.list(k)).map((id) => `${k}/${id}`)));
  return all.flat().sort();
}

export async function hasBlob(app: PasticheApp, kind: BlobKind, id: string): Promise<boolean> {
  return (await app.blobs.get(kind, id)) !== undefined;
}

const factory = createCallerFactory(appRouter);

/** The owner key of a visitor cookie (a test picks its visitors by name). */
export function ownerOf(visitor: string): string {
  return ownerKey(visitorId(visitor));
}

/** A well-formed visitor id derived from a name, for cookies in HTTP-level tests. */
export function visitorId(visitor: string): string {
  return createHash("sha256").update(visitor).digest("base64url").slice(0, 22);
}

/** A caller acting as one visitor (default "alice") from one address. */
export function callerFor(app: PasticheApp, clientIp = "203.0.113.7", visitor = "alice") {
  return factory({ app, clientIp, owner: ownerOf(visitor), refusal: null });
}

/** Headers of a request from a visitor (cookie) at an address (as the request gate records it). */
export function visitorHeaders(visitor = "alice", address = "203.0.113.7", extra: Record<string, string> = {}): Record<string, string> {
  return { cookie: `${VISITOR_COOKIE}=${visitorId(visitor)}`, [PEER_HEADER]: peerHeaderValue(address), ...extra };
}

/** A run the test controls: progress and outcome are pushed by hand. */
export interface FakeRun {
  task: RunTask;
  signal: AbortSignal;
  progress(p: Partial<RunProgress>): void;
  finish(outcome: RunOutcome): void;
}

/**
 * A JobRunner whose runs the test drives (`runs` in start order). With `autoSucceed`, every run
 * writes a tiny result PNG and succeeds at once. A cancelled run resolves `cancelled` on abort, like
 * the real worker.
 */
export class FakeRunner implements JobRunner {
  readonly backend = "fake";
  readonly runs: FakeRun[] = [];
  closed = false;

  constructor(private readonly autoSucceed = false) {}

  run(task: RunTask, onProgress: (p: RunProgress) => void, signal: AbortSignal): Promise<RunOutcome> {
    return new Promise<RunOutcome>((resolve) => {
      let done = false;
      const finish = (outcome: RunOutcome): void => {
        if (done) return;
        done = true;
        resolve(outcome);
      };
      signal.addEventListener(
        "abort",
        () => {
          finish({ status: "cancelled" });
        },
        { once: true },
      );
      this.runs.push({
        task,
        signal,
        progress: (p) => {
          onProgress({ iteration: 1, iterations: 10, elapsedMs: 10, etaMs: 90, losses: null, previewWritten: false, ...p });
        },
        finish,
      });
      if (this.autoSucceed)
        void writeTinyPng(task.resultPath).then(() => {
          finish({ status: "succeeded" });
        });
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** One FakeRunner per lane (concurrency 1 each): `runners.fast`, `runners.quality`. */
export function fakeRunners(autoSucceed = false): { runners: { fast: FakeRunner; quality: FakeRunner }; factory: RunnerFactory } {
  const runners = { fast: new FakeRunner(autoSucceed), quality: new FakeRunner(autoSucceed) };
  return { runners, factory: (mode) => runners[mode] };
}

export async function writeTinyPng(file: string): Promise<void> {
  await sharp({ create: { width: 16, height: 16, channels: 3, background: "#336699" } })
    .png()
    .toFile(file);
}

export function pngBytes(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .png()
    .toBuffer();
}

export function jpegBytes(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 20, g: 120, b: 240 } } })
    .jpeg()
    .toBuffer();
}

/**
 * A small, valid-looking PNG whose header claims `width`×`height` (the pixel data is a few bytes):
 * what a decompression bomb looks like to a server that trusts the header.
 */
export function hugePngHeader(width = 20000, height = 20000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.alloc(1024))),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

export function uploadForm(bytes: Uint8Array, role: "content" | "style", name = "image.png"): FormData {
  const form = new FormData();
  form.set("file", new File([new Uint8Array(bytes)], name));
  form.set("role", role);
  return form;
}

/** The TRPCError a call was refused with (fails the test if it was not refused). */
export async function rejected(promise: Promise<unknown>): Promise<TRPCError> {
  const e: unknown = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TRPCError);
  return e as TRPCError;
}

/** Polls until `check` returns true (for state reached asynchronously). */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Polls an async `check` until it gives a value (not undefined/false); returns it. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A JPEG carrying what a phone writes: GPS position, camera, copyright, and orientation 6 (the
 * pixels are stored sideways: `width`×`height` as stored, shown rotated a quarter turn).
 */
export function jpegWithExif(width = 64, height = 32): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 90 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: "PhoneMaker", Model: "Phone 9", Copyright: "Alice Example" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "51/1 30/1 0/1", GPSLongitudeRef: "W", GPSLongitude: "0/1 7/1 0/1" },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Whether an image's EXIF block points at a GPS IFD (tag 0x8825, either byte order). */
export async function hasGps(bytes: Uint8Array): Promise<boolean> {
  const exif = (await sharp(bytes).metadata()).exif;
  return exif !== undefined && (exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88])));
}
