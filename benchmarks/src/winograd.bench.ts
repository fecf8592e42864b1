/**
 * `pnpm bench` (tfjs-node only): Winograd F(4×4, 3×3) against the direct convolution for every
 * VGG19 conv shape with at least 128 channels on both sides, forward (C → K) and input gradient
 * (K → C, the flipped-kernel conv), at 256 and 512 px, square and 4:3. Prints the time ratio per
 * shape (best of several runs, interleaved) beside what `winogradPays` picks, and the time the rule
 * loses against always picking the faster one: the evidence for the rule, re-measurable on any machine.
 */
import * as tf from "@tensorflow/tfjs-core";
import { DEFAULT_CONTENT_LAYERS, DEFAULT_STYLE_LAYERS } from "@pastiche/core";
import { winogradConv2d, winogradFilter, winogradPays } from "@pastiche/core/internal";
import { initBackend } from "@pastiche/node";
import { vggConvShapes, type VggConvShape } from "./gatysTiming.js";

const ROUNDS = 5;

/** Best of `ROUNDS` runs of `f`, in ms, each a few calls long and ended by one small read-back. */
function bestMs(f: () => tf.Tensor, calls: number): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS + 1; r++) {
    const start = performance.now();
    tf.tidy(() => {
      let y: tf.Tensor | undefined;
      for (let i = 0; i < calls; i++) y = f();
      tf.sum(y!).dataSync();
    });
    // The first round warms up (kernel selection, the allocator).
    if (r > 0) best = Math.min(best, (performance.now() - start) / calls);
  }
  return best;
}

/** The distinct conv shapes (H, W, C → K) of the Gatys iteration at width×height with ≥ 128 channels both sides, forward and input gradient. */
function convShapes(width: number, height: number): VggConvShape[] {
  const shapes = vggConvShapes(height, width, [...DEFAULT_CONTENT_LAYERS, ...DEFAULT_STYLE_LAYERS])
    .filter((s) => s.c >= 128 && s.k >= 128)
    .flatMap((s) => [s, { ...s, c: s.k, k: s.c, layer: `${s.layer} grad` }]);
  // Layers of one shape are measured once.
  return shapes.filter((s, i) => shapes.findIndex((t) => t.h === s.h && t.w === s.w && t.c === s.c && t.k === s.k) === i);
}

async function main(): Promise<void> {
  const backend = await initBackend();
  if (backend.name !== "tensorflow") {
    console.log(`winograd vs direct: skipped on ${backend.name} (Winograd is only picked on tfjs-node)`);
    return;
  }
  console.log("\nWinograd F(4×4,3×3) / direct conv time per VGG19 shape on tfjs-node (best of 5, < 1 is Winograd faster; * = winogradPays picks Winograd)");
  let ruleMs = 0;
  let bestPickMs = 0;
  let directMs = 0;
  let agree = 0;
  let total = 0;
  for (const [width, height] of [
    [256, 256],
    [256, 192],
    [512, 512],
    [512, 384],
  ] as const) {
    const cells: string[] = [];
    for (const { h, w, c, k, layer } of convShapes(width, height)) {
      const [x, kernel] = [tf.randomNormal<tf.Rank.R4>([1, h, w, c], 0, 1, "float32", 1), tf.randomNormal<tf.Rank.R4>([3, 3, c, k], 0, 0.05, "float32", 2)];
      const filter = winogradFilter(kernel);
      const calls = Math.max(2, Math.round(2e8 / (h * w * c * k * 9)));
      let direct = Infinity;
      let winograd = Infinity;
      // Interleaved, so that a slow moment of the machine hits both.
      for (let i = 0; i < 2; i++) {
        direct = Math.min(
          direct,
          bestMs(() => tf.conv2d(x, kernel, 1, "same"), calls),
        );
        winograd = Math.min(
          winograd,
          bestMs(() => winogradConv2d(x, filter), calls),
        );
      }
      tf.dispose([x, kernel, filter]);
      const picks = winogradPays("tensorflow", h, w, c, k);
      ruleMs += picks ? winograd : direct;
      bestPickMs += Math.min(winograd, direct);
      directMs += direct;
      total++;
      if (picks === winograd < direct) agree++;
      cells.push(`${layer} ${h}×${w} ${c}→${k}: ${(winograd / direct).toFixed(2)}${picks ? "*" : ""}`);
    }
    console.log(`${width}×${height}: ${cells.join(" | ")}`);
  }
  console.log(`rule agrees with the faster algorithm on ${agree} of ${total} shapes`);
  console.log(`these shapes' time, rule / always direct: ${(ruleMs / directMs).toFixed(3)}; rule / always the faster: ${(ruleMs / bestPickMs).toFixed(3)}`);
  console.log(`RESULTS ${JSON.stringify({ ruleOverDirect: ruleMs / directMs, ruleOverBest: ruleMs / bestPickMs, agree, total })}`);
}

await main();
