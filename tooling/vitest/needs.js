// What a test needs from outside the repository — the real model weights, ../shared's images, a
// Chromium — and a skip with a one-line reason when it is absent, so `pnpm test` passes on any
// fresh clone. Skipped tests are counted as skipped in vitest's summary (and .ci's).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

/** The repository root (this file is tooling/vitest/needs.js). */
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The workspace's shared folder beside the repository (models and test images; not in a clone). */
export const SHARED_DIR = path.resolve(REPO_ROOT, "../shared");

const isDir = (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** PASTICHE_MODELS_DIR (resolved from the repository root), else ../shared/models when present. */
export function modelsDir() {
  const env = process.env.PASTICHE_MODELS_DIR?.trim();
  if (env) return path.resolve(REPO_ROOT, env);
  const shared = path.join(SHARED_DIR, "models");
  return isDir(shared) ? shared : undefined;
}

/** PASTICHE_TEST_IMAGES, else ../shared/images when present. */
export function sharedImagesDir() {
  const env = process.env.PASTICHE_TEST_IMAGES?.trim();
  if (env) return path.resolve(REPO_ROOT, env);
  const shared = path.join(SHARED_DIR, "images");
  return isDir(shared) ? shared : undefined;
}

/** PASTICHE_CHROMIUM when it exists, else the first Chromium on PATH. */
export function chromiumPath() {
  const env = process.env.PASTICHE_CHROMIUM?.trim();
  if (env) return existsSync(env) ? env : undefined;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/**
 * The directory holding PostgreSQL's initdb and pg_ctl: PASTICHE_PG_BIN, else PATH, else Debian's
 * /usr/lib/postgresql/<newest>/bin.
 */
export function postgresBinDir() {
  const env = process.env.PASTICHE_PG_BIN?.trim();
  const has = (dir) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl"));
  if (env) return has(env) ? env : undefined;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) if (dir && has(dir)) return dir;
  const debian = "/usr/lib/postgresql";
  const versions = isDir(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions.map((v) => path.join(debian, v, "bin")).find(has);
  return found;
}

/** PostgreSQL refuses to run as root: as root, the throwaway cluster runs as this user (`postgres`). */
function postgresUserProblem() {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "running as root and there is no postgres user to run PostgreSQL as";
  }
}

/** Why a test gated on PASTICHE_MODELS_DIR alone (as the node and CLI suites are) is skipped. */
export const NO_WEIGHTS = "no real weights: set PASTICHE_MODELS_DIR (CI points it at ../shared/models)";

/** Each returns undefined when the thing is there, else why a test that needs it is skipped. */
export const needs = {
  /** The real weights; `subdirs` (e.g. "magenta-arbitrary-tflite") must be in the models directory. */
  models: (...subdirs) => {
    const dir = modelsDir();
    if (!dir) return "no real weights (set PASTICHE_MODELS_DIR, or put them in ../shared/models)";
    const missing = subdirs.find((s) => !existsSync(path.join(dir, s)));
    return missing ? `no ${missing} in the models directory ${dir}` : undefined;
  },
  sharedImages: () => (sharedImagesDir() ? undefined : `no test images (${path.join(SHARED_DIR, "images")} is absent; PASTICHE_TEST_IMAGES)`),
  chromium: () => (chromiumPath() ? undefined : "no Chromium (PASTICHE_CHROMIUM, or chromium on PATH)"),
  /** initdb and pg_ctl, to start a throwaway cluster (Debian: apt-get install postgresql). */
  postgres: () => (postgresBinDir() ? postgresUserProblem() : "no PostgreSQL (initdb and pg_ctl: apt-get install postgresql, or PASTICHE_PG_BIN)"),
  /** ffmpeg and ffprobe on PATH, for `pastiche video` (Debian: apt-get install ffmpeg). */
  ffmpeg: () => (onPath("ffmpeg") && onPath("ffprobe") ? undefined : "no ffmpeg/ffprobe on PATH (apt-get install ffmpeg)"),
};

function onPath(name) {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, name)));
}

/** The first reason among `reasons` (undefined when nothing is missing). */
export function missing(...reasons) {
  return reasons.find((r) => r !== undefined);
}

/**
 * `describe` when nothing in `reasons` is missing; else the suite is skipped, the reason in its
 * title, and said once on stderr.
 */
export function describeNeeding(reasons, title, fn) {
  const reason = missing(...reasons);
  if (reason === undefined) return describe(title, fn);
  process.stderr.write(`skipped "${title}": ${reason}\n`);
  return describe.skip(`${title} (skipped: ${reason})`, fn);
}

/** `it` likewise, for one test. */
export function itNeeding(reasons, title, fn, timeout) {
  const reason = missing(...reasons);
  if (reason === undefined) return it(title, fn, timeout);
  process.stderr.write(`skipped "${title}": ${reason}\n`);
  return it.skip(`${title} (skipped: ${reason})`, fn, timeout);
}
