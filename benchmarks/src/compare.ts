/**
 * `pnpm bench`: runs the Gatys and fast-path benchmarks once per available backend (WASM always;
 * tfjs-node when its addon is installed, see `pnpm setup:native`), each in its own process since a
 * process has one backend, then prints the ratios between them measured in this one run.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

// turbo runs this in benchmarks/; relative directories are meant from the repository root, where
// `pnpm bench` is typed (e.g. PASTICHE_MODELS_DIR=../shared/models).
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
for (const key of ["PASTICHE_MODELS_DIR", "PASTICHE_IMAGES_DIR"]) {
  const value = process.env[key];
  if (value) process.env[key] = path.resolve(repoRoot, value);
}

function run(script: string, backend: string): Record<string, number> | undefined {
  console.log(`\n=== ${script} on ${backend} ===`);
  const child = spawnSync(process.execPath, [here(script)], {
    env: { ...process.env, PASTICHE_BACKEND: backend, TF_CPP_MIN_LOG_LEVEL: "2" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  let results: Record<string, number> | undefined;
  for (const line of child.stdout.split("\n")) {
    if (line.startsWith("RESULTS ")) results = JSON.parse(line.slice(8)) as Record<string, number>;
    else if (line !== "") console.log(line);
  }
  if (child.status !== 0) console.log(`(skipped: ${script} exited with ${child.status})`);
  return results;
}

// tfjs-node is tried too: without its addon the child says so in one line and is skipped.
const gatys = Object.fromEntries(["wasm", "tensorflow"].map((b) => [b, run("./gatys.bench.js", b)]));
for (const b of ["wasm", "tensorflow"].filter((b) => gatys[b])) run("./fast.bench.js", b);
// Per-iteration side by side with PyTorch (skips PyTorch with one line when Python/torch are missing).
const sideBySide = run("./sideBySide.bench.js", "tensorflow");
// Winograd vs direct per VGG19 conv shape, and how close winogradPays comes to the faster pick (tfjs-node only).
const winograd = gatys.tensorflow ? run("./winograd.bench.js", "tensorflow") : undefined;
// Video (#16): flicker, throughput of --method fast and seconds per frame of --method gatys, per backend.
const video = Object.fromEntries(["wasm", "tensorflow"].filter((b) => gatys[b]).map((b) => [b, run("./video.bench.js", b)]));
// Multi-scale vs single-scale on the fastest backend available (it is a quality-per-time comparison).
run("./multiscale.bench.js", gatys.tensorflow ? "tensorflow" : "wasm");

console.log("\n=== summary ===");
const wasm = gatys.wasm;
const native = gatys.tensorflow;
const line = (name: string, value: string) => {
  console.log(`${name.padEnd(60)} ${value}`);
};
if (wasm?.adam256 !== undefined) line("Gatys Adam iteration 256 px, WASM", `${wasm.adam256.toFixed(2)} s`);
if (native?.adam256 !== undefined && native.adam256TfjsGrad !== undefined) {
  const best = Math.min(native.adam256, native.adam256TfjsGrad);
  line("Gatys Adam iteration 256 px, native (faster conv gradient)", `${best.toFixed(2)} s`);
  if (wasm?.adam256 !== undefined) line("native speed-up over WASM, 256 px", `${(wasm.adam256 / best).toFixed(2)}×`);
  if (wasm?.adam512 !== undefined && native.adam512 !== undefined) line("native speed-up over WASM, 512 px", `${(wasm.adam512 / native.adam512).toFixed(2)}×`);
} else {
  line("native backend", "not installed (run `pnpm setup:native`)");
}
for (const size of ["256", "512", "256x192", "512x384"]) {
  const torch = sideBySide?.[`pytorch@${size}`];
  const tfn = sideBySide?.[`tensorflow@${size}`];
  const wasmSide = sideBySide?.[`wasm@${size}`];
  if (torch === undefined) continue;
  line(`PyTorch CPU iteration ${size} px (same run, interleaved)`, `${torch.toFixed(2)} s`);
  if (tfn !== undefined) line(`native / PyTorch, ${size} px`, `${(tfn / torch).toFixed(2)}×`);
  if (wasmSide !== undefined) line(`WASM / PyTorch, ${size} px`, `${(wasmSide / torch).toFixed(2)}×`);
}
if (winograd?.ruleOverBest !== undefined) {
  line("Winograd rule on tfjs-node: conv time / always direct", winograd.ruleOverDirect!.toFixed(3));
  line(
    "Winograd rule on tfjs-node: conv time / always the faster pick",
    `${winograd.ruleOverBest.toFixed(3)} (${winograd.agree} of ${winograd.total} shapes right)`,
  );
}
for (const b of ["wasm", "tensorflow"]) {
  const v = video[b];
  if (!v) continue;
  for (const size of [256, 512]) {
    if (v[`fast${size}`] !== undefined)
      line(`video fast ${size} px on ${b}: frame by frame / consistent`, `${v[`fast${size}`]!.toFixed(2)} / ${v[`fastConsistent${size}`]!.toFixed(2)} fps`);
  }
  if (v.flickerAlone !== undefined) line(`video flicker on ${b}: consistent / frame by frame`, `${(v.flickerConsistent! / v.flickerAlone).toFixed(2)}×`);
  if (v.gatysPerFrame !== undefined) line(`video gatys 128 px on ${b}, later frames`, `${v.gatysPerFrame.toFixed(1)} s per frame`);
}
if (video.wasm?.fast256 !== undefined && video.tensorflow?.fast256 !== undefined) {
  line("video fast 256 px, native / WASM throughput", `${(video.tensorflow.fast256 / video.wasm.fast256).toFixed(2)}×`);
}
