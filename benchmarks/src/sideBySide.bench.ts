/**
 * `pnpm bench` (per-iteration, side by side): the TensorFlow tutorial's Gatys algorithm in PyTorch
 * (benchmarks/python/gatys_reference.py, same VGG19 weights) against Pastiche on tfjs-node and on
 * WASM, at 256 and 512 px, square and 4:3 (photos are rarely square, and the convolutions' shapes
 * change with it), interleaved round by round in one run so machine load hits all alike; medians
 * over the rounds, the ratio to PyTorch and the GFLOP/s of the convolutions.
 * PyTorch comes from PASTICHE_PYTHON (default python3); without it, or without torch, that column is
 * skipped with one line. Needs the real weights (PASTICHE_MODELS_DIR).
 * "tensorflow-eager" is this build on tfjs-node with PASTICHE_TF_GRAPH=off: op by op, not one
 * TensorFlow graph per evaluation, so the graph's gain is a ratio within the same run.
 * PASTICHE_BENCH_BASELINE=<checkout>/benchmarks/dist/iteration.bench.js adds that (built) checkout's
 * Pastiche as "tensorflow-before" and "wasm-before" to the same rounds, for before/after ratios.
 * PASTICHE_BENCH_ROUNDS (3), PASTICHE_BENCH_SIZES (256,512,256x192,512x384: width or width×height)
 * and PASTICHE_BENCH_ENGINES (a comma list of the engine names above) narrow a run.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchDimensions, parseBenchShape } from "./gatysTiming.js";

const ROUNDS = Number(process.env.PASTICHE_BENCH_ROUNDS ?? 3);
const SIZES = (process.env.PASTICHE_BENCH_SIZES ?? "256,512,256x192,512x384").split(",");
/** Steps timed per measurement (after a warm-up step); WASM is ~5× slower, so fewer at 512 px. */
const ITERATIONS: Record<string, (size: number) => number> = { pytorch: () => 3, tensorflow: () => 3, wasm: (s) => (s > 256 ? 1 : 2) };
const baseline = process.env.PASTICHE_BENCH_BASELINE;

const python = process.env.PASTICHE_PYTHON ?? "python3";
const reference = fileURLToPath(new URL("../python/gatys_reference.py", import.meta.url));
const child = fileURLToPath(new URL("./iteration.bench.js", import.meta.url));

interface Measurement {
  readonly seconds: number;
  readonly gflop: number;
}

function lastJson(stdout: string, prefix: string): Measurement | undefined {
  const line = stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(prefix));
  return line ? (JSON.parse(prefix === "{" ? line : line.slice(prefix.length)) as Measurement) : undefined;
}

function measure(engine: string, size: string): Measurement | undefined {
  const [backend, build] = engine.split("-") as [string, string | undefined];
  const { width, height } = benchDimensions(parseBenchShape(size));
  const iterations = String(ITERATIONS[backend]!(Math.max(width, height)));
  const script = build === "before" ? baseline! : child;
  const r =
    engine === "pytorch"
      ? spawnSync(python, [reference, "speed", "--size", String(width), "--height", String(height), "--iterations", iterations], { encoding: "utf8" })
      : spawnSync(process.execPath, [script, size, iterations], {
          encoding: "utf8",
          env: { ...process.env, PASTICHE_BACKEND: backend, TF_CPP_MIN_LOG_LEVEL: "2", ...(build === "eager" ? { PASTICHE_TF_GRAPH: "off" } : {}) },
        });
  if (r.status !== 0) {
    console.log(`${engine} ${size} px: exit ${r.status}: ${(r.stderr.trim().split("\n").pop() ?? "").slice(0, 200)}`);
    return undefined;
  }
  return lastJson(r.stdout, engine === "pytorch" ? "{" : "RESULTS ");
}

/** Why an engine cannot run here (one line), or undefined when it can. */
function unavailable(engine: string): string | undefined {
  if (engine === "pytorch") {
    const r = spawnSync(python, ["-c", "import torch, numpy"], { encoding: "utf8" });
    if (r.error) return `${python} not found (set PASTICHE_PYTHON)`;
    if (r.status !== 0) return `${python} cannot import torch/numpy: ${(r.stderr.trim().split("\n").pop() ?? "").slice(0, 160)}`;
    return undefined;
  }
  const r = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", `import { initBackend } from "@pastiche/node"; await initBackend(${JSON.stringify(engine)});`],
    {
      encoding: "utf8",
      cwd: fileURLToPath(new URL(".", import.meta.url)),
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" },
    },
  );
  return r.status === 0
    ? undefined
    : (
        r.stderr
          .trim()
          .split("\n")
          .find((l) => l.includes("Error")) ?? "backend did not load"
      ).slice(0, 200);
}

if (!process.env.PASTICHE_MODELS_DIR) {
  console.log("side-by-side per-iteration benchmark skipped: PASTICHE_MODELS_DIR is not set (real VGG19 weights needed)");
  process.exit(0);
}
const only = process.env.PASTICHE_BENCH_ENGINES?.split(",");
const candidates = ["pytorch", "tensorflow", "tensorflow-eager", "wasm", ...(baseline ? ["tensorflow-before", "wasm-before"] : [])].filter(
  (e) => !only || only.includes(e),
);
const engines = candidates.filter((e) => {
  const why = unavailable(e.split("-")[0]!);
  if (why) console.log(`${e}: skipped (${why})`);
  return why === undefined;
});
const times: Record<string, number[]> = {};
const gflop: Record<string, number> = {};
for (let round = 1; round <= ROUNDS; round++) {
  for (const size of SIZES) {
    // WASM's baseline only at 256 px: a WASM iteration at 512 px takes ~15 s and its kernels are
    // unchanged. Builds before 2026-12-04 measure squares only.
    const square = !size.includes("x");
    for (const engine of engines.filter((e) => (Number(size) <= 256 || e !== "wasm-before") && (square || !e.endsWith("-before")))) {
      const m = measure(engine, size);
      if (!m) {
        console.log(`${engine} ${size} px round ${round}: failed`);
        continue;
      }
      (times[`${engine}@${size}`] ??= []).push(m.seconds);
      gflop[size] = m.gflop;
      console.log(`round ${round}, ${size} px, ${engine.padEnd(10)} ${m.seconds.toFixed(3)} s/iteration`);
    }
  }
}
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`\nper Adam iteration, medians of ${ROUNDS} interleaved rounds (GFLOP/s of the convolutions, forward + input gradient):`);
for (const size of SIZES) {
  const torch = times[`pytorch@${size}`];
  for (const engine of engines) {
    const t = times[`${engine}@${size}`];
    if (!t) continue;
    const s = median(t);
    const before = times[`${engine}-before@${size}`];
    const eager = times[`${engine}-eager@${size}`];
    const ratio =
      (torch && engine !== "pytorch" ? `, ${(s / median(torch)).toFixed(2)}× PyTorch` : "") +
      (eager ? `, ${(s / median(eager)).toFixed(2)}× op by op` : "") +
      (before ? `, ${(s / median(before)).toFixed(2)}× before` : "");
    console.log(`${`${size} px, ${engine}`.padEnd(26)} ${s.toFixed(3)} s (${(gflop[size]! / s).toFixed(0)} GFLOP/s)${ratio}`);
  }
}
const results = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
console.log(`RESULTS ${JSON.stringify(results)}`);
