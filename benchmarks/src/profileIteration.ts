/**
 * `pnpm bench:profile [size] [optimizer] [convGradient]`: one Gatys iteration op by op (issue #12: "profile one
 * iteration and remove what is not the network"). Runs a single-scale run on the active backend
 * (PASTICHE_BACKEND) with the real VGG19 weights, lets two iterations warm up, then records every
 * kernel of the next two with `tf.profile` and prints the time per kernel name, largest first,
 * with the share of the total and the wall time of those iterations. On tfjs-node it runs op by op
 * (PASTICHE_TF_GRAPH=off) unless PASTICHE_TF_GRAPH says otherwise.
 */
import * as tf from "@tensorflow/tfjs-core";
import { disposeWeightMap, stylizeGatys, type GatysOptionsInput } from "@pastiche/core";
import { initBackend, loadVgg19Weights } from "@pastiche/node";
import { syntheticImage } from "./gatysTiming.js";

const size = Number(process.argv[2] ?? 256);
const optimizer = (process.argv[3] ?? "adam") as GatysOptionsInput["optimizer"];
const convGradient = (process.argv[4] ?? "auto") as GatysOptionsInput["convGradient"];
const WARM = 2;
const PROFILED = 2;

// tf.profile sees kernels, not the inside of a TensorFlow graph: op by op unless asked otherwise.
const backend = await initBackend(undefined, { ...process.env, PASTICHE_TF_GRAPH: process.env.PASTICHE_TF_GRAPH ?? "off" });
const { weights } = await loadVgg19Weights();
const run = stylizeGatys({
  content: syntheticImage(size, 0),
  styles: [syntheticImage(size, 1)],
  weights,
  options: { size, iterations: WARM + PROFILED + 1, scales: "off", tileSize: "off", optimizer, convGradient, previewEvery: 0 },
})[Symbol.asyncIterator]();

/** Consume events until `count` more iterations have ended. */
async function iterations(count: number): Promise<void> {
  for (let seen = 0; seen < count;) {
    const next = await run.next();
    if (next.done) throw new Error("the run ended before the profiled iterations");
    if (next.value.type === "iteration") seen++;
  }
}

await iterations(WARM);
const start = performance.now();
const info = await tf.profile(() => iterations(PROFILED));
const wallMs = (performance.now() - start) / PROFILED;
while (!(await run.next()).done);
disposeWeightMap(weights);

const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const ms = await k.kernelTimeMs;
  const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += (typeof ms === "number" ? ms : 0) / PROFILED;
  entry.calls += 1 / PROFILED;
  byKernel.set(k.name, entry);
}
const total = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
console.log(`one ${optimizer} iteration at ${size} px on ${backend.name}: ${wallMs.toFixed(0)} ms wall, ${total.toFixed(0)} ms in kernels`);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(
    `${name.padEnd(28)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${e.calls.toFixed(0).padStart(4)} calls`,
  );
}
