/**
 * Helpers for the CLI tests: they run the built CLI (`bin/run.js` → `dist/`) as a child process,
 * exactly as a user would, so `pnpm build` must have run first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TEMP_FILE_PREFIX, writeImage } from "@pastiche/node";
import type { RgbImage } from "@pastiche/core";
import { afterAll, beforeAll, expect } from "vitest";

export const BIN = fileURLToPath(new URL("../bin/run.js", import.meta.url));
const BUILT_COMMAND = fileURLToPath(new URL("../dist/commands/stylize.js", import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(BUILT_COMMAND)) {
    throw new Error(`${BUILT_COMMAND} does not exist: run \`pnpm build\` at the repository root before the CLI tests`);
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Environment on top of the test's; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /** Bytes piped to the CLI's standard input (default: none, standard input empty). */
  stdin?: Uint8Array;
}

/** Runs `node bin/run.js …args` and collects its output; never rejects on a non-zero exit. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  // The CLI's own default applies (quiet libtensorflow when tfjs-node is the backend).
  delete env["TF_CPP_MIN_LOG_LEVEL"];
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) Reflect.deleteProperty(env, key);
    else env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 60_000,
    });
    // Standard input: the bytes given, else at its end at once (as /dev/null).
    child.stdin.end(options.stdin);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The non-empty lines of a stream's output. */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** Exactly one stderr line, `pastiche: error: …` matching `pattern`, and a non-zero exit code (or `code`). */
export function expectOneErrorLine(result: CliResult, pattern: RegExp, code?: number): string {
  const errLines = lines(result.stderr);
  expect(errLines, `stderr was:\n${result.stderr}`).toHaveLength(1);
  const line = errLines[0]!;
  expect(line.startsWith("pastiche: error: "), line).toBe(true);
  expect(line).toMatch(pattern);
  if (code === undefined) expect(result.code).not.toBe(0);
  else expect(result.code, line).toBe(code);
  expect(result.signal).toBeNull();
  return line;
}

/** Names in `dir` left behind by an interrupted atomic write. */
export async function tempLeftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith(TEMP_FILE_PREFIX));
}

export async function makeTempDir(prefix = "pastiche-cli-test-"): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

/** A deterministic RGB test pattern (gradients plus a checkerboard: something for VGG to see). */
export function testPattern(width: number, height: number, seed = 0): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const check = ((x >> 3) + (y >> 3) + seed) % 2 === 0 ? 60 : 0;
      data[i] = Math.round((255 * x) / Math.max(1, width - 1)) ^ check;
      data[i + 1] = Math.round((255 * y) / Math.max(1, height - 1)) ^ check;
      data[i + 2] = (seed * 97 + check * 2) % 256;
    }
  }
  return { width, height, data };
}

export interface Fixtures {
  dir: string;
  /** 64×48 JPEG. */
  content: string;
  /** 40×40 PNG. */
  style: string;
  /** 0 bytes, named .jpg. */
  empty: string;
  /** Plain text, named .jpg. */
  text: string;
  /** The first half of `content`. */
  truncated: string;
}

export const CONTENT_SIZE = { width: 64, height: 48 } as const;

/** Writes the input images every test reads (none of them modifies these). */
export async function writeFixtures(dir: string): Promise<Fixtures> {
  await mkdir(dir, { recursive: true });
  const f: Fixtures = {
    dir,
    content: path.join(dir, "content.jpg"),
    style: path.join(dir, "style.png"),
    empty: path.join(dir, "empty.jpg"),
    text: path.join(dir, "notes.jpg"),
    truncated: path.join(dir, "truncated.jpg"),
  };
  await writeImage(f.content, testPattern(CONTENT_SIZE.width, CONTENT_SIZE.height, 0));
  await writeImage(f.style, testPattern(40, 40, 1));
  await writeFile(f.empty, new Uint8Array(0));
  await writeFile(f.text, "this is not an image\n");
  const jpeg = await readFile(f.content);
  await writeFile(f.truncated, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  return f;
}

export interface WeightSpec {
  name: string;
  shape: number[];
}

/**
 * A TensorFlow.js layers-model directory (model.json + one float32 shard) holding `weights`; the
 * shard gets `shardBytes` bytes (default: exactly what the manifest needs).
 */
export async function writeLayersModel(dir: string, weights: readonly WeightSpec[], shardBytes?: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const needed = weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  const manifest = {
    format: "layers-model",
    generatedBy: "pastiche cli tests",
    weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: weights.map((w) => ({ ...w, dtype: "float32" })) }],
  };
  await writeFile(path.join(dir, "model.json"), JSON.stringify(manifest));
  const shard = new Float32Array(Math.ceil((shardBytes ?? needed) / 4)).fill(0.01);
  await writeFile(path.join(dir, "group1-shard1of1.bin"), new Uint8Array(shard.buffer, 0, shardBytes ?? needed));
  return dir;
}

export interface TestWorkspace {
  readonly root: string;
  readonly fx: Fixtures;
  /** An empty models directory: a run that gets as far as loading a model exits 3, "not found". */
  readonly emptyModels: string;
}

/** A fresh temp directory with the fixtures and an empty models directory (the built CLI checked first). */
export async function makeWorkspace(): Promise<TestWorkspace> {
  assertBuilt();
  const root = await makeTempDir();
  const fx = await writeFixtures(path.join(root, "inputs"));
  const emptyModels = path.join(root, "models-empty");
  await mkdir(emptyModels);
  return { root, fx, emptyModels };
}

/** A workspace for the enclosing suite: made before its tests, removed after; read `root`/`fx` inside tests. */
export function suiteWorkspace(): TestWorkspace {
  let ws: TestWorkspace | undefined;
  beforeAll(async () => {
    ws = await makeWorkspace();
  });
  afterAll(async () => {
    await removeDir(ws?.root);
  });
  const get = () => {
    if (!ws) throw new Error("suiteWorkspace() read outside a test");
    return ws;
  };
  return {
    get root() {
      return get().root;
    },
    get fx() {
      return get().fx;
    },
    get emptyModels() {
      return get().emptyModels;
    },
  };
}

/**
 * Starts the CLI with `--json`-style output and hands each JSON line to `onObject` as it arrives
 * (with the child, e.g. to signal it); resolves with the exit code and every object.
 */
export function spawnJsonLines<T extends object>(
  args: readonly string[],
  onObject: (o: T, child: ChildProcess) => void,
  timeoutMs = 150_000,
): Promise<{ code: number | null; objects: T[] }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
  const objects: T[] = [];
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    buffered += s;
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    for (const line of parts) {
      const o = JSON.parse(line) as T;
      objects.push(o);
      onObject(o, child);
    }
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code, objects });
    });
  });
}

/**
 * Runs the CLI (with --json) and sends `signal` once `stopWhen` accepts an event; resolves with the
 * exit code and every event.
 */
export async function interruptWhen<E extends object>(
  args: readonly string[],
  stopWhen: (event: E) => boolean,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<{ code: number | null; events: E[] }> {
  let sent = false;
  const { code, objects } = await spawnJsonLines<E>(
    args,
    (e, child) => {
      if (!sent && stopWhen(e)) {
        sent = true;
        child.kill(signal);
      }
    },
    timeoutMs,
  );
  return { code, events: objects };
}
