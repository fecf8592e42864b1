#!/usr/bin/env node
// pnpm setup:native — give @tensorflow/tfjs-node its native addon without Google's servers.
//
//   1. locate tfjs-node (as @pastiche/node resolves it) and the path its loader expects
//   2. get the pinned tensorflow-cpu wheel from PyPI (pip download, or PyPI's JSON API) and
//      verify its sha256; extract libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the
//      C headers into the cache (~/.cache/pastiche/native/<tf version>/), then drop the wheel
//   3. check that the libraries export every TF_*/TFE_* function the binding calls
//   4. build tfjs_binding.node from tfjs-node's own sources with node-gyp (cached)
//   5. install it plus the libraries into the tfjs-node package (deps/lib, lib/napi-vN)
//   6. load tfjs-node in a fresh process and check a conv2d against a JS reference
//
// Idempotent: every step is skipped when its cached result is present and matches the pins.
// Flags: --force (rebuild and reinstall; keeps the extracted libraries), --refetch (also
// re-download the wheel), --check (step 6 only), --uninstall (remove what step 5 put into the
// tfjs-node package; the cache stays, so a later run reinstalls in seconds), --help.
// Env: PASTICHE_NATIVE_CACHE (cache root, default $XDG_CACHE_HOME|~/.cache + /pastiche/native),
//      PASTICHE_WHEEL (path of an already downloaded wheel; still hash-checked),
//      PASTICHE_WHEEL_SOURCE (pip | pypi; default: pip when available, else pypi),
//      PASTICHE_PYPI_URL (default https://pypi.org), PASTICHE_NODE_GYP (path of node-gyp.js to run
//      instead of `pnpm dlx node-gyp@…`), PASTICHE_NODEDIR (prefix holding include/node).
import { spawnSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile, readlink, lstat } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { extractEntry, listZip } from "./lib/zip.mjs";
import { NODE_GYP, TENSORFLOW, TFJS_NODE_VERSION } from "./lib/pins.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const STEPS = 6;

class SetupError extends Error {
  constructor(step, message, hint) {
    super(message);
    this.step = step;
    this.hint = hint;
  }
}

const log = (msg) => console.log(msg);
const step = (n, msg) => log(`[${n}/${STEPS}] ${msg}`);
const detail = (msg) => log(`      ${msg}`);

async function main(argv) {
  const flags = new Set(argv);
  if (flags.has("--help") || flags.has("-h")) {
    log(
      readFileSync(fileURLToPath(import.meta.url), "utf8")
        .split("\n")
        .slice(1)
        .filter((l, i, a) => a.slice(0, i + 1).every((x) => x.startsWith("//")))
        .map((l) => l.replace(/^\/\/ ?/, ""))
        .join("\n"),
    );
    return;
  }
  for (const f of flags) {
    if (!["--force", "--refetch", "--check", "--uninstall"].includes(f)) throw new SetupError(0, `unknown argument ${f}`, "see --help");
  }
  if (flags.has("--check")) return check();
  if (flags.has("--uninstall")) return uninstall(locateTfjsNode());
  const force = flags.has("--force") || flags.has("--refetch");

  // 1. tfjs-node and where its loader looks
  step(1, "locating @tensorflow/tfjs-node");
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new SetupError(
      1,
      `unsupported platform ${process.platform}-${process.arch}`,
      `the pinned wheel is manylinux x86_64; on other platforms Pastiche uses the WASM backend`,
    );
  }
  const tfjs = locateTfjsNode();
  detail(`${tfjs.dir} (v${tfjs.version}); addon path ${relative(tfjs.dir, tfjs.addonPath)}, N-API ${tfjs.napi}`);

  const cache = join(cacheRoot(), TENSORFLOW.version);
  const libDir = join(cache, "lib");
  const includeDir = join(cache, "include");
  const addonDir = join(cache, "addon", `tfjs-node-${tfjs.version}-napi-v${tfjs.napi}`);
  const addonCached = join(addonDir, "tfjs_binding.node");
  const sourcesHash = await hashFiles([join(tfjs.dir, "binding.gyp"), ...(await listBindingSources(tfjs.dir))]);
  const stampPath = join(tfjs.dir, "deps", "pastiche-native.json");

  if (!force && (await installedStampMatches(stampPath, tfjs, sourcesHash))) {
    log(`      already installed (TensorFlow ${TENSORFLOW.version}, ${relative(ROOT, stampPath)}); use --force to rebuild`);
    step(6, "checking that tfjs-node loads and runs a conv");
    return check();
  }

  // 2. wheel → cache
  step(2, `libtensorflow ${TENSORFLOW.version} from the ${TENSORFLOW.project} wheel (cache ${cache})`);
  await ensureLibraries(cache, libDir, includeDir, flags.has("--refetch"));

  // 3. symbols
  step(3, "checking the C and eager C API symbols the binding uses");
  checkSymbols(tfjs.dir, libDir, includeDir);

  // 4. build
  step(4, `building tfjs_binding.node (N-API ${tfjs.napi}) with ${process.env.PASTICHE_NODE_GYP ?? NODE_GYP}`);
  const built = await readJson(join(addonDir, "build.json"));
  if (!force && existsSync(addonCached) && built?.sourcesHash === sourcesHash && built?.wheelSha256 === TENSORFLOW.sha256) {
    detail(`cached: ${addonCached}`);
  } else {
    await buildAddon(tfjs, cache, libDir, includeDir, addonDir, sourcesHash);
  }

  // 5. install
  step(5, `installing into ${relative(ROOT, tfjs.dir)}`);
  await install(tfjs, libDir, addonCached, stampPath, sourcesHash);

  // 6. check
  step(6, "checking that tfjs-node loads and runs a conv");
  await check();
}

// ---------------------------------------------------------------------------------------------

function locateTfjsNode() {
  const fromNodeBackend = createRequire(join(ROOT, "packages/node-backend/package.json"));
  let pkgJson;
  try {
    pkgJson = fromNodeBackend.resolve("@tensorflow/tfjs-node/package.json");
  } catch {
    throw new SetupError(1, "@tensorflow/tfjs-node is not installed (it is an optional dependency of @pastiche/node)", "run `pnpm install` first");
  }
  const dir = dirname(pkgJson);
  const { version } = JSON.parse(readFileSync(pkgJson, "utf8"));
  if (version !== TFJS_NODE_VERSION) {
    throw new SetupError(
      1,
      `@tensorflow/tfjs-node is ${version}, this setup was verified with ${TFJS_NODE_VERSION}`,
      "update scripts/native/lib/pins.mjs after re-verifying (symbols, build, check)",
    );
  }
  // Ask tfjs-node's own loader (node-pre-gyp) where it will look for the addon.
  let addonPath;
  try {
    addonPath = createRequire(pkgJson)("@mapbox/node-pre-gyp").find(pkgJson);
  } catch (e) {
    throw new SetupError(1, `cannot compute the addon path with @mapbox/node-pre-gyp: ${errMsg(e)}`, "reinstall dependencies (`pnpm install`)");
  }
  const m = /napi-v(\d+)/.exec(addonPath);
  if (!m) throw new SetupError(1, `unexpected addon path ${addonPath} (no napi-vN)`);
  return { dir, version, addonPath, napi: Number(m[1]) };
}

function cacheRoot() {
  if (process.env.PASTICHE_NATIVE_CACHE) return process.env.PASTICHE_NATIVE_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pastiche", "native");
}

async function ensureLibraries(cache, libDir, includeDir, refetch) {
  const marker = join(cache, "extracted.json");
  const done = await readJson(marker);
  if (!refetch && done?.sha256 === TENSORFLOW.sha256 && TENSORFLOW.libraries.every((l) => existsSync(join(libDir, l.split("/").pop())))) {
    detail(`cached: ${libDir}`);
    return;
  }
  await rm(marker, { force: true });
  const wheelDir = join(cache, "wheel");
  const wheel = join(wheelDir, TENSORFLOW.wheel);
  if (refetch) await rm(wheel, { force: true });
  if (!(await wheelOk(wheel))) await obtainWheel(wheelDir, wheel);

  detail("extracting libraries and C headers");
  let entries;
  try {
    entries = await listZip(wheel);
  } catch (e) {
    throw new SetupError(2, `cannot read the wheel ${wheel}: ${errMsg(e)}`, "delete it and re-run (or use --refetch)");
  }
  for (const lib of TENSORFLOW.libraries) {
    const entry = entries.find((e) => e.name === lib);
    if (!entry) throw new SetupError(2, `${TENSORFLOW.wheel} has no ${lib}`, "the pinned version must ship libtensorflow_cc.so.2 (TensorFlow ≥ 2.12)");
    await extractEntry(wheel, entry, join(libDir, lib.split("/").pop()));
  }
  await rm(includeDir, { recursive: true, force: true });
  const headers = entries.filter((e) => e.name.startsWith(TENSORFLOW.includePrefix) && !e.name.endsWith("/"));
  if (!headers.some((e) => e.name.endsWith("/c/eager/c_api.h"))) throw new SetupError(2, "the wheel has no tensorflow/c/eager/c_api.h");
  for (const e of headers) {
    await extractEntry(wheel, e, join(includeDir, "tensorflow", e.name.slice(TENSORFLOW.includePrefix.length)));
  }
  await writeFile(
    marker,
    JSON.stringify({ version: TENSORFLOW.version, wheel: TENSORFLOW.wheel, sha256: TENSORFLOW.sha256, headers: headers.length }, null, 2),
  );
  await rm(wheel, { force: true }); // 230 MB; the extracted files are the cache
  detail(`${TENSORFLOW.libraries.length} libraries, ${headers.length} headers → ${cache}`);
}

async function wheelOk(wheel) {
  if (!existsSync(wheel)) return false;
  const digest = await sha256File(wheel);
  if (digest === TENSORFLOW.sha256) return true;
  detail(`cached wheel has sha256 ${digest}, expected ${TENSORFLOW.sha256}: fetching again`);
  await rm(wheel, { force: true });
  return false;
}

async function obtainWheel(wheelDir, wheel) {
  await mkdir(wheelDir, { recursive: true });
  const local = process.env.PASTICHE_WHEEL;
  if (local) {
    detail(`using PASTICHE_WHEEL=${local}`);
    if (!existsSync(local)) throw new SetupError(2, `PASTICHE_WHEEL=${local} does not exist`);
    await copyFile(local, `${wheel}.part`);
  } else {
    const source = process.env.PASTICHE_WHEEL_SOURCE ?? (hasPip() ? "pip" : "pypi");
    if (source === "pip") await downloadWithPip(wheelDir);
    else if (source === "pypi") await downloadFromPypi(`${wheel}.part`);
    else throw new SetupError(2, `PASTICHE_WHEEL_SOURCE=${source}: use pip or pypi`);
  }
  const part = existsSync(`${wheel}.part`) ? `${wheel}.part` : wheel;
  const digest = await sha256File(part);
  if (digest !== TENSORFLOW.sha256) {
    await rm(part, { force: true });
    throw new SetupError(
      2,
      `sha256 mismatch for ${TENSORFLOW.wheel}: got ${digest}, expected ${TENSORFLOW.sha256}`,
      "the download is corrupt or not the pinned file; it was deleted",
    );
  }
  if (part !== wheel) await rename(part, wheel);
  detail(`sha256 ok (${TENSORFLOW.sha256})`);
}

function hasPip() {
  const r = spawnSync(pythonExe(), ["-m", "pip", "--version"], { encoding: "utf8" });
  return r.status === 0;
}

function pythonExe() {
  return process.env.PYTHON ?? "python3";
}

async function downloadWithPip(wheelDir) {
  const args = [
    "-m",
    "pip",
    "download",
    "--no-deps",
    `${TENSORFLOW.project}==${TENSORFLOW.version}`,
    "--python-version",
    TENSORFLOW.pythonVersion,
    "--implementation",
    "cp",
    "--only-binary=:all:",
    "--platform",
    TENSORFLOW.platform,
    "--dest",
    wheelDir,
    "--progress-bar",
    "off",
  ];
  detail(`${pythonExe()} ${args.join(" ")}`);
  const r = spawnSync(pythonExe(), args, { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    throw new SetupError(
      2,
      `pip download failed (exit ${r.status ?? r.signal})`,
      "check access to PyPI (or your pip index), or set PASTICHE_WHEEL_SOURCE=pypi, or PASTICHE_WHEEL=/path/to/" + TENSORFLOW.wheel,
    );
  }
  if (!existsSync(join(wheelDir, TENSORFLOW.wheel))) {
    const got = (await readdir(wheelDir)).filter((f) => f.endsWith(".whl"));
    throw new SetupError(2, `pip did not produce ${TENSORFLOW.wheel} (found: ${got.join(", ") || "nothing"})`);
  }
}

async function downloadFromPypi(dest) {
  const base = (process.env.PASTICHE_PYPI_URL ?? "https://pypi.org").replace(/\/$/, "");
  const index = `${base}/pypi/${TENSORFLOW.project}/json`;
  detail(`GET ${index}`);
  let url;
  try {
    const res = await fetch(index);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const meta = await res.json();
    const file = (meta.releases?.[TENSORFLOW.version] ?? []).find((f) => f.filename === TENSORFLOW.wheel);
    if (!file) throw new Error(`release ${TENSORFLOW.version} has no file ${TENSORFLOW.wheel}`);
    if (file.digests?.sha256 !== TENSORFLOW.sha256) throw new Error(`PyPI lists sha256 ${file.digests?.sha256} for it, pinned is ${TENSORFLOW.sha256}`);
    url = new URL(file.url, res.url).href;
  } catch (e) {
    throw new SetupError(2, `PyPI metadata lookup failed: ${errMsg(e)}`, "check access to PyPI, or set PASTICHE_WHEEL=/path/to/" + TENSORFLOW.wheel);
  }
  detail(`GET ${url}`);
  try {
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    let n = 0;
    let shown = 0;
    const body = Readable.fromWeb(res.body);
    body.on("data", (c) => {
      n += c.length;
      if (n - shown > 25e6) {
        shown = n;
        detail(`${(n / 1e6).toFixed(0)} / ${(TENSORFLOW.size / 1e6).toFixed(0)} MB`);
      }
    });
    await pipeline(body, createWriteStream(dest));
  } catch (e) {
    await rm(dest, { force: true });
    throw new SetupError(2, `download failed: ${errMsg(e)}`, "re-run, or set PASTICHE_WHEEL=/path/to/" + TENSORFLOW.wheel);
  }
}

/** Every TF_/TFE_ function the binding sources call must be exported by the two libraries. */
function checkSymbols(tfjsDir, libDir, includeDir) {
  const bindingDir = join(tfjsDir, "binding");
  const sources = readdirSyncSafe(bindingDir)
    .filter((f) => /\.(cc|h)$/.test(f))
    .map((f) => readFileSync(join(bindingDir, f), "utf8"));
  const called = new Set();
  for (const src of sources) for (const m of src.matchAll(/\b(TFE?_[A-Za-z0-9_]+)\s*\(/g)) called.add(m[1]);
  // Not library functions: tfjs-node's own RAII classes, and the TF_TString_* helpers, which are
  // inline functions of the headers (tsl/platform/ctstring.h).
  const own = new Set();
  for (const src of sources) for (const m of src.matchAll(/\b(?:class|struct)\s+(TFE?_\w+)/g)) own.add(m[1]);
  const inline = new Set();
  for (const h of ["tsl/platform/ctstring.h", "tsl/platform/ctstring_internal.h", "core/platform/ctstring.h"]) {
    const p = join(includeDir, "tensorflow", h);
    if (existsSync(p)) for (const m of readFileSync(p, "utf8").matchAll(/inline\b[^;{(]*?\b(TF_\w+)\s*\(/g)) inline.add(m[1]);
  }
  const needed = [...called].filter((s) => !own.has(s) && !inline.has(s)).sort();
  const exported = new Set();
  for (const lib of TENSORFLOW.libraries) {
    const r = spawnSync("nm", ["-D", "--defined-only", join(libDir, lib.split("/").pop())], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.error || r.status !== 0) {
      detail(`skipped: nm (binutils) is not available (${r.error ? errMsg(r.error) : r.stderr.trim()}); the load check will catch missing symbols`);
      return;
    }
    for (const line of r.stdout.split("\n")) {
      const [, type, name] = line.trim().split(/\s+/);
      if (type === "T" && name) exported.add(name.replace(/@.*$/, ""));
    }
  }
  const missing = needed.filter((s) => !exported.has(s));
  if (missing.length) {
    throw new SetupError(
      3,
      `libtensorflow ${TENSORFLOW.version} does not export ${missing.length} function(s) the binding uses: ${missing.join(", ")}`,
      "pick another TensorFlow version in scripts/native/lib/pins.mjs",
    );
  }
  detail(
    `${needed.length} functions, all exported (${[...own].length} tfjs-node classes and ${[...inline].filter((s) => called.has(s)).length} inline header helpers not counted)`,
  );
}

async function buildAddon(tfjs, cache, libDir, includeDir, addonDir, sourcesHash) {
  const nodedir = findNodedir();
  for (const [tool, hint] of [
    [pythonExe(), "node-gyp needs Python 3 (apt-get install python3)"],
    ["make", "apt-get install make"],
    [process.env.CXX ?? "g++", "apt-get install g++"],
  ]) {
    const r = spawnSync(tool, ["--version"], { stdio: "ignore" });
    if (r.error || r.status !== 0) throw new SetupError(4, `${tool} is not available`, hint);
  }
  // A private copy of the sources, so nothing is built inside node_modules.
  const buildDir = join(cache, "build", `tfjs-node-${tfjs.version}`);
  await rm(buildDir, { recursive: true, force: true });
  await mkdir(join(buildDir, "binding"), { recursive: true });
  await copyFile(join(tfjs.dir, "binding.gyp"), join(buildDir, "binding.gyp"));
  for (const f of await listBindingSources(tfjs.dir)) await copyFile(f, join(buildDir, "binding", f.split("/").pop()));
  // binding.gyp links -ltensorflow -ltensorflow_framework from deps/lib and includes deps/include.
  // libtensorflow.so → libtensorflow_cc.so.2: the C API lives there (the addon records the
  // SONAME, libtensorflow_cc.so.2, as its dependency).
  await mkdir(join(buildDir, "deps", "lib"), { recursive: true });
  await symlink(includeDir, join(buildDir, "deps", "include"));
  for (const [name, target] of libLinks(libDir)) await symlink(target, join(buildDir, "deps", "lib", name));

  const modulePath = join(buildDir, "lib", `napi-v${tfjs.napi}`);
  const gypArgs = [
    "rebuild",
    `--nodedir=${nodedir}`,
    "--jobs",
    "max",
    "--",
    "-Dmodule_name=tfjs_binding",
    `-Dmodule_path=${modulePath}`,
    `-Dnapi_build_version=${tfjs.napi}`,
  ];
  const [cmd, args] = process.env.PASTICHE_NODE_GYP ? [process.execPath, [process.env.PASTICHE_NODE_GYP, ...gypArgs]] : ["pnpm", ["dlx", NODE_GYP, ...gypArgs]];
  const logPath = join(buildDir, "build.log");
  detail(`${cmd === process.execPath ? "node" : cmd} ${args.join(" ")}  (log: ${logPath})`);
  const code = await run(cmd, args, buildDir, logPath);
  const built = join(modulePath, "tfjs_binding.node");
  if (code !== 0 || !existsSync(built)) {
    const tail = (await readFile(logPath, "utf8").catch(() => "")).split("\n").slice(-25).join("\n");
    throw new SetupError(
      4,
      `node-gyp failed (exit ${code}); last lines of ${logPath}:\n${tail}`,
      "`pnpm dlx` needs the npm registry; offline, set PASTICHE_NODE_GYP to a node-gyp.js (e.g. npm's bundled one)",
    );
  }
  await mkdir(addonDir, { recursive: true });
  await copyFile(built, join(addonDir, "tfjs_binding.node.tmp"));
  await rename(join(addonDir, "tfjs_binding.node.tmp"), join(addonDir, "tfjs_binding.node"));
  await writeFile(
    join(addonDir, "build.json"),
    JSON.stringify({ sourcesHash, wheelSha256: TENSORFLOW.sha256, node: process.version, napi: tfjs.napi }, null, 2),
  );
  detail(`built: ${join(addonDir, "tfjs_binding.node")}`);
}

function findNodedir() {
  const candidates = [process.env.PASTICHE_NODEDIR, process.env.npm_config_nodedir, join(dirname(process.execPath), "..")].filter(Boolean);
  for (const dir of candidates) {
    if (existsSync(join(dir, "include", "node", "node_api.h")) && existsSync(join(dir, "include", "node", "common.gypi"))) return dir;
  }
  throw new SetupError(
    4,
    `Node.js headers not found (looked for include/node/node_api.h and common.gypi under ${candidates.join(", ")})`,
    "install the headers of this Node version and set PASTICHE_NODEDIR to their prefix; node-gyp would otherwise try to download them from nodejs.org",
  );
}

/** [name, target] symlinks for deps/lib: link-time names and the .so.2 alias. */
function libLinks(libDir) {
  return [
    ["libtensorflow_cc.so.2", join(libDir, "libtensorflow_cc.so.2")],
    ["libtensorflow_framework.so.2", join(libDir, "libtensorflow_framework.so.2")],
    ["libtensorflow.so", "libtensorflow_cc.so.2"],
    ["libtensorflow.so.2", "libtensorflow_cc.so.2"],
    ["libtensorflow_framework.so", "libtensorflow_framework.so.2"],
  ];
}

async function install(tfjs, libDir, addonCached, stampPath, sourcesHash) {
  const depsLib = join(tfjs.dir, "deps", "lib");
  await mkdir(depsLib, { recursive: true });
  for (const [name, target] of libLinks(libDir)) {
    const dest = join(depsLib, name);
    if (name.endsWith(".so.2") && target.startsWith("/")) {
      // Real files: hard links to the cache where possible (no copy), else a copy. The addon's
      // RUNPATH is $ORIGIN/../../deps/lib, so they must be here, not only in the cache.
      await placeFile(target, dest);
    } else {
      await placeSymlink(target, dest);
    }
  }
  await mkdir(dirname(tfjs.addonPath), { recursive: true });
  await copyFile(addonCached, `${tfjs.addonPath}.tmp`);
  await rename(`${tfjs.addonPath}.tmp`, tfjs.addonPath);
  const stamp = {
    tensorflow: TENSORFLOW.version,
    wheel: TENSORFLOW.wheel,
    wheelSha256: TENSORFLOW.sha256,
    tfjsNode: tfjs.version,
    napi: tfjs.napi,
    sourcesHash,
    addonSha256: await sha256File(tfjs.addonPath),
    libs: Object.fromEntries(
      await Promise.all(
        TENSORFLOW.libraries.map(async (l) => {
          const name = l.split("/").pop();
          return [name, (await stat(join(depsLib, name))).size];
        }),
      ),
    ),
  };
  await writeFile(stampPath, JSON.stringify(stamp, null, 2));
  detail(`${relative(tfjs.dir, tfjs.addonPath)}, deps/lib/{libtensorflow_cc.so.2, libtensorflow_framework.so.2, links}`);
}

async function uninstall(tfjs) {
  const stampPath = join(tfjs.dir, "deps", "pastiche-native.json");
  if (!existsSync(stampPath)) {
    log(`nothing to uninstall: ${relative(ROOT, stampPath)} is absent (the addon was not installed by this script)`);
    return;
  }
  const depsLib = join(tfjs.dir, "deps", "lib");
  for (const [name] of libLinks("")) await rm(join(depsLib, name), { force: true });
  await rm(tfjs.addonPath, { force: true });
  await rm(stampPath, { force: true });
  for (const d of [depsLib, join(tfjs.dir, "deps"), dirname(tfjs.addonPath), join(tfjs.dir, "lib")]) {
    try {
      if ((await readdir(d)).length === 0) await rm(d, { recursive: true });
    } catch {
      /* absent */
    }
  }
  log(`removed the native addon and libtensorflow from ${relative(ROOT, tfjs.dir)} (cache kept: ${cacheRoot()}); tfjs-node no longer loads, "auto" uses WASM`);
}

async function placeFile(src, dest) {
  const tmp = `${dest}.tmp-${process.pid}`;
  await rm(tmp, { force: true });
  try {
    await link(src, tmp);
  } catch {
    await copyFile(src, tmp);
  }
  await rename(tmp, dest);
}

async function placeSymlink(target, dest) {
  try {
    if ((await lstat(dest)).isSymbolicLink() && (await readlink(dest)) === target) return;
  } catch {
    /* absent */
  }
  await rm(dest, { force: true });
  await symlink(target, dest);
}

async function installedStampMatches(stampPath, tfjs, sourcesHash) {
  const s = await readJson(stampPath);
  if (!s || s.wheelSha256 !== TENSORFLOW.sha256 || s.tfjsNode !== tfjs.version || s.napi !== tfjs.napi || s.sourcesHash !== sourcesHash) return false;
  if (!existsSync(tfjs.addonPath) || (await sha256File(tfjs.addonPath)) !== s.addonSha256) return false;
  for (const [name, size] of Object.entries(s.libs ?? {})) {
    const st = await stat(join(tfjs.dir, "deps", "lib", name)).catch(() => undefined);
    if (!st || st.size !== size) return false;
  }
  return true;
}

async function check() {
  // TF_CPP_MIN_LOG_LEVEL=1 hides libtensorflow's INFO lines (oneDNN notice, CPU feature guard).
  const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? "1" };
  const code = await run(process.execPath, [fileURLToPath(new URL("./check-native.mjs", import.meta.url))], ROOT, undefined, env);
  if (code !== 0) {
    throw new SetupError(6, "tfjs-node does not work with the installed addon (see above)", "re-run with --force; if it persists, report the output");
  }
}

// ---------------------------------------------------------------------------------------------

function run(cmd, args, cwd, logPath, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: logPath ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"] });
    if (logPath) {
      const out = createWriteStream(logPath);
      child.stdout.pipe(out, { end: false });
      child.stderr.pipe(out, { end: false });
      child.on("close", (code, signal) => out.end(() => resolve(code ?? `signal ${signal}`)));
    } else {
      child.on("close", (code, signal) => resolve(code ?? `signal ${signal}`));
    }
    child.on("error", (e) => {
      if (logPath) writeFile(logPath, `cannot run ${cmd}: ${errMsg(e)}\n`).finally(() => resolve(127));
      else resolve(127);
    });
  });
}

async function listBindingSources(tfjsDir) {
  return readdirSyncSafe(join(tfjsDir, "binding"))
    .filter((f) => /\.(cc|h)$/.test(f))
    .sort()
    .map((f) => join(tfjsDir, "binding", f));
}

function readdirSyncSafe(dir) {
  try {
    return readdirSync(dir);
  } catch {
    throw new SetupError(1, `${dir} is missing: is @tensorflow/tfjs-node fully installed?`, "run `pnpm install`");
  }
}

async function hashFiles(files) {
  const h = createHash("sha256");
  for (const f of files)
    h.update(f.split("/").pop())
      .update("\0")
      .update(await readFile(f));
  return h.digest("hex");
}

async function sha256File(path) {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk);
  return h.digest("hex");
}

async function readJson(path) {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
}

function errMsg(e) {
  return e instanceof Error ? e.message : String(e);
}

main(process.argv.slice(2)).catch((e) => {
  if (e instanceof SetupError) {
    console.error(`setup:native: error${e.step ? ` (step ${e.step}/${STEPS})` : ""}: ${e.message}`);
    if (e.hint) console.error(`  hint: ${e.hint}`);
  } else {
    console.error(`setup:native: unexpected error: ${e instanceof Error ? e.stack : String(e)}`);
  }
  process.exit(1);
});
