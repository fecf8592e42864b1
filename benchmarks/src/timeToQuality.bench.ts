/**
 * Time to quality (issue #12), not part of the default `pnpm bench` (about an hour at 512 px): J over
 * wall time for the tutorial algorithm, today's default and L-BFGS single-scale, each run through
 * the CLI's pipeline (stylizeGatysFromFiles) with explicit options on the active backend. The image
 * is written as PNG every PASTICHE_TTQ_EVERY iterations (previews) and at the end, and every PNG is
 * scored afterwards by the independent scorer in benchmarks/python/gatys_reference.py (PyTorch, its
 * own VGG19 from the same weights): J = 1e4·content + 1e-2·style, no TV, at the run's size. Prints J
 * against seconds and the time each run needs to reach the tutorial's final J.
 * Env: PASTICHE_MODELS_DIR, PASTICHE_IMAGES_DIR (default ../shared/images), PASTICHE_PYTHON,
 * PASTICHE_TTQ_SIZE (512), PASTICHE_TTQ_SCALE (iteration counts × this; 1), PASTICHE_TTQ_EVERY (10).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { GatysOptionsInput, RgbImage } from "@pastiche/core";
import { initBackend, stylizeGatysFromFiles, writeImage } from "@pastiche/node";

const SIZE = Number(process.env.PASTICHE_TTQ_SIZE ?? 512);
const SCALE = Number(process.env.PASTICHE_TTQ_SCALE ?? 1);
const EVERY = Number(process.env.PASTICHE_TTQ_EVERY ?? 10);
const PAIRS: readonly [string, string][] = [
  ["sailboat.jpg", "starry_night.jpg"],
  ["cornell.jpg", "the_great_wave.jpg"],
];
const its = (n: number) => Math.max(1, Math.round(n * SCALE));

/** The runs compared, as explicit options (none relies on a default that #11 may change). */
const RUNS: readonly { name: string; options: GatysOptionsInput }[] = [
  {
    name: "tutorial (Adam 0.02/0.99/0.1, 300 it., single scale)",
    options: {
      optimizer: "adam",
      learningRate: 0.02,
      adamBeta1: 0.99,
      adamEpsilon: 0.1,
      init: { kind: "content" },
      scales: "off",
      contentWeight: 1e4,
      styleWeight: 1e-2,
      tvWeight: 30,
      iterations: its(300),
    },
  },
  { name: "today's default (--iterations 150)", options: { iterations: its(150) } },
  { name: "L-BFGS single-scale, 100 it.", options: { optimizer: "lbfgs", scales: "off", iterations: its(100) } },
];

const python = process.env.PASTICHE_PYTHON ?? "python3";
const scorer = fileURLToPath(new URL("../python/gatys_reference.py", import.meta.url));
const images = path.resolve(process.env.PASTICHE_IMAGES_DIR ?? fileURLToPath(new URL("../../../shared/images", import.meta.url)));

function skip(reason: string): never {
  console.log(`time-to-quality benchmark skipped: ${reason}`);
  process.exit(0);
}

if (!process.env.PASTICHE_MODELS_DIR) skip("PASTICHE_MODELS_DIR is not set");
const probe = spawnSync(python, ["-c", "import torch, numpy, PIL"], { encoding: "utf8" });
if (probe.error || probe.status !== 0) skip(`the scorer needs ${python} with torch, numpy and Pillow (set PASTICHE_PYTHON)`);

interface Point {
  readonly seconds: number;
  readonly file: string;
  J?: number;
}

const backend = await initBackend();
console.log(`time to quality at ${SIZE} px on ${backend.name}, iterations × ${SCALE}, a PNG every ${EVERY} iterations`);
const dir = mkdtempSync(path.join(tmpdir(), "pastiche-ttq-"));
try {
  for (const [contentName, styleName] of PAIRS) {
    const content = path.join(images, "content", contentName);
    const style = path.join(images, "style", styleName);
    const curves: { name: string; points: Point[] }[] = [];
    for (const run of RUNS) {
      const points: Point[] = [];
      const write = async (image: RgbImage, seconds: number, tag: string) => {
        if (Math.max(image.width, image.height) < SIZE) return; // coarse multi-scale stages are not scored at full size
        const file = path.join(dir, `${curves.length}-${tag}.png`);
        await writeImage(file, image);
        points.push({ seconds, file });
      };
      for await (const e of stylizeGatysFromFiles({ content, styles: [style], options: { ...run.options, size: SIZE, seed: 1, previewEvery: EVERY } })) {
        if (e.type === "iteration" && e.preview) await write(e.preview, e.elapsedMs / 1000, `it${e.iteration}`);
        if (e.type === "done") await write(e.image, e.elapsedMs / 1000, "done");
      }
      curves.push({ name: run.name, points });
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
    console.log(`\n${contentName} × ${styleName}: the tutorial's final J = ${target.toExponential(3)}`);
    for (const c of curves) {
      const reached = c.points.find((p) => p.J! <= target);
      console.log(
        `${c.name}: ${c.points.at(-1)!.seconds.toFixed(0)} s, J ${c.points.at(-1)!.J!.toExponential(3)}; reaches the tutorial's J ${reached ? `at ${reached.seconds.toFixed(0)} s` : "not within the run"}`,
      );
      console.log(`  J over seconds: ${c.points.map((p) => `${p.seconds.toFixed(0)}:${p.J!.toExponential(2)}`).join(" ")}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
