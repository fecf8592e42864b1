/**
 * Time to quality (issue #12), `pnpm bench:quality` (not part of `pnpm bench`: about an hour at
 * 512 px): J over wall time for the tutorial algorithm (`preset: "tutorial"`, 300 iterations), the
 * default (no options at all), the previous default and the candidates the default was chosen from,
 * each run through the CLI's pipeline (stylizeGatysFromFiles) on the active backend, one run after
 * the other in this process. The image is written as PNG every PASTICHE_TTQ_EVERY iterations of the
 * full-size stage (previews) and at the end, and every PNG is scored afterwards by the independent
 * scorer in benchmarks/python/gatys_reference.py (PyTorch, its own VGG19 from the same weights):
 * J = 1e4·content + 1e-2·style, no TV, at the run's size. Besides seconds, each point carries the
 * run's deterministic cost so far, in full-size VGG evaluations (a coarse stage's evaluation counts
 * its share of the pixels), and each run its measured seconds per full-size evaluation, so runs made
 * under different machine load can be compared. Prints J against seconds and the time (and cost)
 * each run needs to reach the tutorial's 300-iteration J, and writes the plot of the first pair to
 * PASTICHE_TTQ_SVG (default docs/time-to-quality.svg).
 * Env: PASTICHE_MODELS_DIR, PASTICHE_IMAGES_DIR (default ../shared/images), PASTICHE_PYTHON,
 * PASTICHE_TTQ_SIZE (512), PASTICHE_TTQ_SCALE (iteration counts × this; 1), PASTICHE_TTQ_EVERY (5),
 * PASTICHE_TTQ_PAIRS ("content.jpg:style.jpg,…" under the images dir; default two pairs),
 * PASTICHE_TTQ_RUNS (comma-separated run keys; default all).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_GATYS_ITERATIONS, type GatysOptionsInput, type RgbImage } from "@pastiche/core";
import { initBackend, stylizeGatysFromFiles, writeImage } from "@pastiche/node";
import { svgPlot } from "./svgPlot.js";

const SIZE = Number(process.env.PASTICHE_TTQ_SIZE ?? 512);
const SCALE = Number(process.env.PASTICHE_TTQ_SCALE ?? 1);
const EVERY = Number(process.env.PASTICHE_TTQ_EVERY ?? 5);
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const images = path.resolve(repoRoot, process.env.PASTICHE_IMAGES_DIR ?? "../shared/images");
const PAIRS: readonly [string, string][] = (
  process.env.PASTICHE_TTQ_PAIRS ?? "content/sailboat.jpg:style/starry_night.jpg,content/cornell.jpg:style/the_great_wave.jpg"
)
  .split(",")
  .map((pair) => pair.split(":") as [string, string]);
const svgPath = path.resolve(repoRoot, process.env.PASTICHE_TTQ_SVG ?? "docs/time-to-quality.svg");
const its = (n: number) => Math.max(1, Math.round(n * SCALE));

/** The runs compared. The first is the reference whose final J is the target. */
const RUNS: readonly { key: string; name: string; options: GatysOptionsInput }[] = [
  { key: "tutorial", name: "tutorial: --preset tutorial -n 300 (Adam, single scale)", options: { preset: "tutorial", iterations: its(300) } },
  { key: "default", name: "the default (no flags): L-BFGS, coarse to fine", options: SCALE === 1 ? {} : { iterations: its(DEFAULT_GATYS_ITERATIONS) } },
  { key: "previous", name: "previous default: Adam, 5 scales, -n 150", options: { optimizer: "adam", iterations: its(150) } },
  { key: "lbfgs-single", name: "L-BFGS single scale, -n 100", options: { optimizer: "lbfgs", scales: "off", iterations: its(100) } },
  {
    key: "lbfgs-backtracking",
    name: "L-BFGS coarse to fine, backtracking line search",
    options: { optimizer: "lbfgs", lbfgsLineSearch: "backtracking", ...(SCALE === 1 ? {} : { iterations: its(DEFAULT_GATYS_ITERATIONS) }) },
  },
];

const python = process.env.PASTICHE_PYTHON ?? "python3";
const scorer = fileURLToPath(new URL("../python/gatys_reference.py", import.meta.url));

function skip(reason: string): never {
  console.log(`time-to-quality benchmark skipped: ${reason}`);
  process.exit(0);
}

if (!process.env.PASTICHE_MODELS_DIR) skip("PASTICHE_MODELS_DIR is not set");
process.env.PASTICHE_MODELS_DIR = path.resolve(repoRoot, process.env.PASTICHE_MODELS_DIR);
const probe = spawnSync(python, ["-c", "import torch, numpy, PIL"], { encoding: "utf8" });
if (probe.error || probe.status !== 0) skip(`the scorer needs ${python} with torch, numpy and Pillow (set PASTICHE_PYTHON)`);

const wanted = process.env.PASTICHE_TTQ_RUNS?.split(",");
const runs = RUNS.filter((r) => r.key === "tutorial" || !wanted || wanted.includes(r.key));

interface Point {
  readonly seconds: number;
  /** Full-size VGG evaluations so far. */
  readonly cost: number;
  readonly file: string;
  J?: number;
}
interface RunCurve {
  readonly name: string;
  readonly points: Point[];
  /** Measured seconds per full-size evaluation in this run (its wall time over its cost). */
  secondsPerEvaluation: number;
  load: number;
}

const backend = await initBackend();
console.log(`time to quality at ${SIZE} px on ${backend.name}, iterations × ${SCALE}, a PNG every ${EVERY} iterations; load ${loadavg()[0]!.toFixed(1)}`);
const dir = mkdtempSync(path.join(tmpdir(), "pastiche-ttq-"));
try {
  for (const [pairIndex, [contentName, styleName]] of PAIRS.entries()) {
    const content = path.join(images, contentName);
    const style = path.join(images, styleName);
    const curves: RunCurve[] = [];
    for (const run of runs) {
      const points: Point[] = [];
      let cost = 0;
      let full = 0;
      let stageEvaluations = 0;
      let stageIndex = 0;
      const write = async (image: RgbImage, seconds: number, tag: string) => {
        if (Math.max(image.width, image.height) < SIZE) return; // coarse stages are not scored at full size
        const file = path.join(dir, `${pairIndex}-${curves.length}-${tag}.png`);
        await writeImage(file, image);
        points.push({ seconds, cost, file });
      };
      const loads: number[] = [];
      let seconds = 0;
      for await (const e of stylizeGatysFromFiles({ content, styles: [style], options: { ...run.options, size: SIZE, seed: 1, previewEvery: EVERY } })) {
        if (e.type === "start") full = e.width * e.height;
        if (e.type === "iteration") {
          const stage = e.stage ?? { index: 0, width: Math.sqrt(full), height: Math.sqrt(full) };
          if (stage.index !== stageIndex) [stageIndex, stageEvaluations] = [stage.index, 0];
          cost += ((e.evaluations - stageEvaluations) * stage.width * stage.height) / full;
          stageEvaluations = e.evaluations;
          if (e.iteration % 10 === 0) loads.push(loadavg()[0]!);
          if (e.preview) await write(e.preview, e.elapsedMs / 1000, `it${e.iteration}`);
        }
        if (e.type === "done") {
          seconds = e.elapsedMs / 1000;
          await write(e.image, seconds, "done");
        }
      }
      curves.push({ name: run.name, points, secondsPerEvaluation: seconds / cost, load: loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length) });
      console.log(
        `  ${run.name}: ${seconds.toFixed(0)} s, ${cost.toFixed(1)} full-size evaluations (${(seconds / cost).toFixed(2)} s each), load ${curves.at(-1)!.load.toFixed(1)}`,
      );
    }
    const files = curves.flatMap((c) => c.points.map((p) => p.file));
    const scored = spawnSync(python, [scorer, "score", "--content", content, "--style", style, "--size", String(SIZE), "--image", ...files], {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    if (scored.status !== 0) throw new Error(`scorer failed: ${scored.stderr.trim().split("\n").pop() ?? ""}`);
    const byFile = new Map(
      scored.stdout
        .trim()
        .split("\n")
        .map((l) => {
          const r = JSON.parse(l) as { image: string; J: number };
          return [r.image, r.J] as const;
        }),
    );
    for (const c of curves) for (const p of c.points) p.J = byFile.get(p.file);
    const target = curves[0]!.points.at(-1)!.J!;
    // The same per-evaluation time for every run turns costs into comparable seconds.
    const perEvaluation = median(curves.map((c) => c.secondsPerEvaluation));
    console.log(
      `\n${contentName} × ${styleName}: the tutorial's final J = ${target.toExponential(3)}; median ${perEvaluation.toFixed(2)} s per full-size evaluation`,
    );
    console.log("| run | wall time | J at the end | reaches the tutorial's J at | cost then (full-size evaluations) | cost × median s/evaluation |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const c of curves) {
      const reached = c.points.find((p) => p.J! <= target);
      const last = c.points.at(-1)!;
      console.log(
        `| ${c.name} | ${last.seconds.toFixed(0)} s | ${last.J!.toExponential(2)} | ${reached ? `${reached.seconds.toFixed(0)} s` : "not within the run"} | ${reached ? reached.cost.toFixed(1) : "—"} | ${reached ? `${(reached.cost * perEvaluation).toFixed(0)} s` : "—"} |`,
      );
    }
    for (const c of curves)
      console.log(`  ${c.name}: ${c.points.map((p) => `${p.seconds.toFixed(0)}s/${p.cost.toFixed(0)}ev:${p.J!.toExponential(2)}`).join(" ")}`);
    if (pairIndex === 0) {
      mkdirSync(path.dirname(svgPath), { recursive: true });
      const svg = svgPlot(
        curves.map((c) => ({ name: c.name, points: c.points.map((p) => ({ x: p.seconds, y: p.J! })) })),
        {
          title: `J over wall time, ${path.basename(contentName)} × ${path.basename(styleName)}, ${SIZE} px, ${backend.name} (load ${median(curves.map((c) => c.load)).toFixed(1)})`,
          xLabel: "seconds",
          yLabel: "J = 1e4·content + 1e-2·style (independent scorer)",
          reference: { y: target, label: "tutorial, 300 iterations" },
        },
      );
      writeFileSync(svgPath, svg);
      console.log(`plot: ${path.relative(repoRoot, svgPath)}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
