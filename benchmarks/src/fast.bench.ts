/**
 * `pnpm bench` (second part): the fast path (Magenta's networks imported from TFLite) on the active
 * backend: model load, style-predictor time, transfer time at 384, 512 and 1024 px (first run,
 * which includes the backend's one-off kernel setup, and the median of warm runs), the whole fast
 * path (predictor + transfer, weights loaded) and the GFLOP/s achieved, and peak RSS. Needs the
 * TFLite files in PASTICHE_MODELS_DIR (or the default models directory); skipped without them.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import { stylizeFast, untilDone, type RgbImage } from "@pastiche/core";
import { TfliteGraph } from "@pastiche/core/internal";
import { initBackend, loadFastStyleModels } from "@pastiche/node";

// Multiply-accumulates per output pixel of the networks (the issue's 1.85 GMAC at 384×384, 0.39
// GMAC for the predictor at 256×256); a MAC is 2 FLOPs.
const TRANSFER_MAC_PER_PIXEL = 1.85e9 / (384 * 384);
const PREDICTOR_MAC = 0.39e9;

let peakRss = process.memoryUsage().rss;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const rssTimer = setInterval(sampleRss, 50);

function image(width: number, height: number, phase: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (Math.sin(i * 0.001 + phase) * 127 + 128) | 0;
  return { width, height, data };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const backend = await initBackend();
  console.log("");
  console.log(`fast path — backend: ${backend.name}${backend.threads ? ` (${backend.threads} threads, SIMD ${backend.simd ? "on" : "off"})` : ""}`);
  let loaded;
  const t0 = performance.now();
  try {
    loaded = await loadFastStyleModels();
  } catch (e) {
    console.log(`skipped: ${(e as Error).message}`);
    clearInterval(rssTimer);
    return;
  }
  const { models } = loaded;
  const add = (name: string, value: string) => {
    console.log(`${name.padEnd(52)} ${value}`);
  };
  add("load both TFLite files (parse, dequantise)", `${(performance.now() - t0).toFixed(0)} ms`);
  add("files", `${loaded.predictor.path}, ${loaded.transfer.path}`);

  // Predictor alone, at 256 (warm).
  const style = image(256, 256, 1);
  const predict = async (): Promise<number> => {
    const r = await untilDone(stylizeFast({ content: image(8, 8, 0), styles: [style], models, cache: null }));
    sampleRss();
    return r.timings.predictMs;
  };
  const firstPredict = await predict();
  const predictMs = median([await predict(), await predict(), await predict()]);
  add(
    "style predictor, 256 px (first run / warm)",
    `${firstPredict.toFixed(0)} / ${predictMs.toFixed(0)} ms (${((2 * PREDICTOR_MAC) / (predictMs / 1000) / 1e9).toFixed(1)} GFLOP/s)`,
  );

  const bottleneck = tf.randomNormal<tf.Rank.R4>([1, 1, 1, 100], 0, 0.5);
  for (const size of [384, 512, 1024]) {
    const x = tf.randomUniform<tf.Rank.R4>([1, size, size, 3]);
    const run = (): number => {
      const t = performance.now();
      const y = models.transfer(x, bottleneck);
      y.dataSync();
      y.dispose();
      sampleRss();
      return performance.now() - t;
    };
    const first = run();
    const warm = median(Array.from({ length: size === 1024 ? 3 : 5 }, run));
    const gflops = (2 * TRANSFER_MAC_PER_PIXEL * size * size) / (warm / 1000) / 1e9;
    add(`transfer, ${size}×${size} (first run / warm)`, `${first.toFixed(0)} / ${warm.toFixed(0)} ms (${gflops.toFixed(1)} GFLOP/s)`);
    x.dispose();
  }

  // The graph rewrites (tflite/fuse.ts: instance norm as one kernel, upsample-pad-conv as a
  // sub-pixel conv): all, all but the sub-pixel conv, none — interleaved in this run so that machine
  // load affects them alike.
  {
    const bytes = readFileSync(loaded.transfer.path);
    const variants = {
      all: TfliteGraph.fromBytes(bytes),
      "instance norm only": TfliteGraph.fromBytes(bytes, { fuse: ["instanceNorm"] }),
      none: TfliteGraph.fromBytes(bytes, { fuse: false }),
    };
    const keys = Object.keys(variants) as (keyof typeof variants)[];
    const x = tf.randomUniform<tf.Rank.R4>([1, 512, 512, 3]);
    const times = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<keyof typeof variants, number[]>;
    for (let i = 0; i < 7; i++) {
      for (const key of keys) {
        const t = performance.now();
        const [y] = variants[key].execute([x, bottleneck]);
        y!.dataSync();
        y!.dispose();
        if (i > 0) times[key].push(performance.now() - t);
      }
    }
    const [all, norm, none] = keys.map((k) => median(times[k]));
    add("transfer 512 px, rewrites all / instance norm only", `${all!.toFixed(0)} / ${norm!.toFixed(0)} ms (${(all! / norm!).toFixed(2)}×)`);
    add("transfer 512 px, rewrites all / none", `${all!.toFixed(0)} / ${none!.toFixed(0)} ms (${(all! / none!).toFixed(2)}×)`);
    x.dispose();
    for (const g of Object.values(variants)) g.dispose();
  }
  bottleneck.dispose();

  // The whole fast path as `pastiche fast` runs it (no bottleneck cache), weights loaded.
  for (const size of [512, 1024]) {
    const content = image(size, size, 2);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await untilDone(stylizeFast({ content, styles: [style], models, cache: null }));
      times.push(r.timings.totalMs);
      sampleRss();
    }
    add(`whole fast path, ${size} px (predictor + transfer; runs)`, `${times.map((t) => t.toFixed(0)).join(", ")} ms`);
    // Issue #12's target: 512 px in at most 0.15 s on tfjs-node, models loaded.
    if (size === 512) add("  target ≤ 150 ms at 512 px (best run / target)", `${(Math.min(...times) / 150).toFixed(2)}×`);
  }
  sampleRss();
  add("peak RSS", `${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  clearInterval(rssTimer);
  models.dispose();
}

await main();
