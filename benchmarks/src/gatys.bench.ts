/**
 * `pnpm bench`: speed and memory of the Gatys engine on the active backend, measured in one run so
 * the ratios are comparable: seconds per iteration at 256 and 512 px (Adam, L-BFGS), forward-only
 * time, the speed-up of the flipped-kernel conv gradient over tfjs's own, and peak RSS.
 * Uses the real VGG19 weights when PASTICHE_MODELS_DIR has them, else random weights of the same
 * shapes (timing does not depend on the values).
 */
import * as tf from "@tensorflow/tfjs-core";
import { VggFeatureExtractor, disposeWeightMap, preferredConvGradient, VGG19_CONV_LAYERS, type GatysOptionsInput, type WeightMap } from "@pastiche/core";
import { initBackend, loadVgg19Weights } from "@pastiche/node";
import { secondsPerIteration as timeIterations } from "./gatysTiming.js";

const STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"];
let peakRss = process.memoryUsage().rss;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const rssTimer = setInterval(sampleRss, 50);

const secondsPerIteration = (weights: WeightMap, size: number, options: GatysOptionsInput, iterations: number) =>
  timeIterations(weights, size, options, iterations, sampleRss);

function randomWeights(): WeightMap {
  const w: WeightMap = {};
  for (const l of VGG19_CONV_LAYERS) {
    if (l.kind !== "conv") continue;
    w[`${l.name}/kernel`] = tf.randomNormal([3, 3, l.inChannels, l.outChannels], 0, Math.sqrt(2 / (9 * l.inChannels)));
    w[`${l.name}/bias`] = tf.zeros([l.outChannels]);
  }
  return w;
}

function forwardSeconds(weights: WeightMap, size: number, reps: number): number {
  const ex = new VggFeatureExtractor(weights, { layers: [...STYLE_LAYERS, "block5_conv2"] });
  const x = tf.randomUniform<tf.Rank.R4>([1, size, size, 3]);
  const run = () =>
    tf.tidy(() =>
      Object.values(ex.extract(x))
        .map((t) => tf.sum(t))
        .reduce((a, b) => tf.add(a, b))
        .dataSync(),
    );
  run();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) run();
  const s = (performance.now() - t0) / 1000 / reps;
  x.dispose();
  ex.dispose();
  sampleRss();
  return s;
}

async function main(): Promise<void> {
  const backend = await initBackend();
  let weights: WeightMap;
  let weightsNote: string;
  try {
    const loaded = await loadVgg19Weights();
    weights = loaded.weights;
    weightsNote = `real VGG19 weights (${loaded.source.path})`;
  } catch {
    weights = randomWeights();
    weightsNote = "random weights of VGG19's shapes (no PASTICHE_MODELS_DIR)";
  }
  console.log(`backend: ${backend.name}${backend.threads ? ` (${backend.threads} threads, SIMD ${backend.simd ? "on" : "off"})` : ""} — ${backend.reason}`);
  console.log(`weights: ${weightsNote}`);
  console.log("");
  const results: Record<string, number> = {};
  const add = (name: string, value: string) => {
    console.log(`${name.padEnd(52)} ${value}`);
  };

  for (const size of [256, 512]) add(`forward only (content+style layers), ${size} px`, `${forwardSeconds(weights, size, size === 256 ? 3 : 2).toFixed(2)} s`);
  const adam256 = await secondsPerIteration(weights, 256, { optimizer: "adam", convGradient: "flipped-conv" }, 3);
  results.adam256 = adam256;
  add("Gatys iteration, Adam, 256 px, flipped-kernel conv gradient", `${adam256.toFixed(2)} s`);
  add("Gatys iteration, L-BFGS, 256 px", `${(await secondsPerIteration(weights, 256, { optimizer: "lbfgs" }, 3)).toFixed(2)} s`);
  results.adam512 = await secondsPerIteration(weights, 512, { optimizer: "adam" }, 2);
  add("Gatys iteration, Adam, 512 px", `${results.adam512.toFixed(2)} s`);
  add("Gatys iteration, L-BFGS, 512 px", `${(await secondsPerIteration(weights, 512, { optimizer: "lbfgs" }, 2)).toFixed(2)} s`);
  const tfjsGrad256 = await secondsPerIteration(weights, 256, { optimizer: "adam", convGradient: "tfjs" }, 2);
  add("Gatys iteration, Adam, 256 px, tfjs's conv gradient", `${tfjsGrad256.toFixed(2)} s`);
  results.adam256TfjsGrad = tfjsGrad256;
  add("speed-up of the flipped-kernel conv gradient", `${(tfjsGrad256 / adam256).toFixed(2)}× (default on ${backend.name}: ${preferredConvGradient()})`);
  sampleRss();
  add("peak RSS", `${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  // For benchmarks/src/compare.ts, which runs this once per backend.
  console.log(`RESULTS ${JSON.stringify({ backend: backend.name, ...results })}`);
  clearInterval(rssTimer);
  disposeWeightMap(weights);
}

await main();
