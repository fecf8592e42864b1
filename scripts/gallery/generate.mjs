#!/usr/bin/env node
// pnpm gallery — regenerate the README gallery (docs/gallery/*.jpg and docs/gallery.md), issue #5.
//
// Runs the built CLI (`node apps/cli/bin/run.js`, so `pnpm build` first) once per picture, on the
// test images, writing a PNG to a temp dir, then converts it to a small JPEG in docs/gallery/ with
// @pastiche/node's readImage/writeImage. docs/gallery.md lists each example with its command.
//
// Env: PASTICHE_IMAGES_DIR (default ../shared/images, relative to the repository root; holds
//      content/*.jpg and style/*.jpg), PASTICHE_MODELS_DIR (default ../shared/models),
//      PASTICHE_BACKEND (passed to the CLI as --backend; unset: the CLI picks, tfjs-node if loadable),
//      PASTICHE_GALLERY_ONLY (comma-separated picture names: regenerate just those; the markdown is
//      always written whole).
// Idempotent: every picture and the markdown are rewritten on each run (the markdown holds no
// timings or dates, so it only changes when the examples do). Any failure stops the run with one
// `gallery: error: …` line and a non-zero exit code; nothing is skipped.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "apps", "cli", "bin", "run.js");
const NODE_INDEX = join(ROOT, "packages", "node-backend", "dist", "index.js");
const GALLERY_DIR = join(ROOT, "docs", "gallery");
const GALLERY_MD = join(ROOT, "docs", "gallery.md");

const SIZE = 256; // longest side of every picture (the CLI's --size)
const ITERATIONS = 100; // Adam steps per Gatys example
const JPEG_QUALITY = 82;
const MAX_JPEG_BYTES = 150 * 1024;

const imagesDir = resolve(ROOT, process.env.PASTICHE_IMAGES_DIR || "../shared/images");
const modelsDir = resolve(ROOT, process.env.PASTICHE_MODELS_DIR || "../shared/models");
const backend = process.env.PASTICHE_BACKEND || undefined;

/** Input image paths as shown in the markdown: relative to the repository root (../shared/images/…). */
const img = (sub) => relative(ROOT, join(imagesDir, sub));
const C = { sailboat: img("content/sailboat.jpg"), cornell: img("content/cornell.jpg"), stata: img("content/stata.jpg") };
const S = { starry: img("style/starry_night.jpg"), wave: img("style/the_great_wave.jpg") };
const N = ["--size", String(SIZE)];
const G = [...N, "-n", String(ITERATIONS)];

/**
 * One row per example; each picture is one CLI run. `args` is the command after `pastiche`, without
 * `-o` (added as `-o <name>.png`). Everything is run from the repository root, as `pnpm pastiche` does.
 */
const EXAMPLES = [
  {
    title: "Gatys et al., the reference algorithm",
    pictures: [{ name: "sailboat-starry", args: ["stylize", C.sailboat, S.starry, ...G] }],
  },
  {
    title: "Colour preservation, luminance (`--preserve-colors luminance`)",
    pictures: [{ name: "sailboat-starry-luminance", args: ["stylize", C.sailboat, S.starry, ...G, "--preserve-colors", "luminance"] }],
  },
  {
    title: "Colour preservation, histogram matching (`--preserve-colors histogram`)",
    pictures: [{ name: "sailboat-starry-histogram", args: ["stylize", C.sailboat, S.starry, ...G, "--preserve-colors", "histogram"] }],
  },
  {
    title: "Two styles blended (`--style-blend-weights 1,1`)",
    pictures: [{ name: "cornell-starry-wave-blend", args: ["stylize", C.cornell, S.starry, S.wave, ...G, "--style-blend-weights", "1,1"] }],
  },
  {
    title: "Style scale: `--style-scale 0.5` (larger strokes) vs `--style-scale 2` (finer)",
    pictures: [
      { name: "cornell-wave-style-scale-0.5", args: ["stylize", C.cornell, S.wave, ...G, "--style-scale", "0.5"] },
      { name: "cornell-wave-style-scale-2", args: ["stylize", C.cornell, S.wave, ...G, "--style-scale", "2"] },
    ],
  },
  {
    title: "Multi-scale, coarse to fine (`--scales 3`: 128 → 181 → 256 px, 50 iterations each)",
    pictures: [{ name: "stata-starry-multiscale", args: ["stylize", C.stata, S.starry, ...N, "-n", "50", "--scales", "3", "--iterations-per-scale", "50"] }],
  },
  {
    title:
      "Seamless tiling (`--tile-size 64`: optimised in 64 px tiles under a grid that moves every step; outputs too large for `--max-memory` get this automatically)",
    pictures: [{ name: "sailboat-starry-tiled", args: ["stylize", C.sailboat, S.starry, ...G, "--tile-size", "64"] }],
  },
  {
    title: "Iterate averaging (`--average 0.97`)",
    pictures: [{ name: "sailboat-starry-average", args: ["stylize", C.sailboat, S.starry, ...G, "--average", "0.97"] }],
  },
  {
    title: "Fast arbitrary stylisation (`pastiche fast`), full strength and `--strength 0.5`",
    pictures: [
      { name: "stata-wave-fast", args: ["fast", C.stata, S.wave, ...N] },
      { name: "stata-wave-fast-strength-0.5", args: ["fast", C.stata, S.wave, ...N, "--strength", "0.5"] },
    ],
  },
  {
    title: "Gatys started from the fast result (`--init fast`), few iterations",
    pictures: [{ name: "stata-wave-init-fast", args: ["stylize", C.stata, S.wave, ...N, "-n", "30", "--init", "fast"] }],
  },
];

function fail(message) {
  process.stderr.write(`gallery: error: ${message}\n`);
  process.exit(1);
}

const fmtTime = (ms) =>
  ms < 60_000 ? `${(ms / 1000).toFixed(0)}s` : `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s`;

/** Everything the examples need, checked up front so a missing file fails in milliseconds. */
function preflight() {
  for (const [what, path] of [
    ["CLI build", join(ROOT, "apps", "cli", "dist")],
    ["@pastiche/node build", NODE_INDEX],
  ]) {
    if (!existsSync(path)) fail(`${what} not found (${relative(ROOT, path)}); run \`pnpm build\` first`);
  }
  if (!existsSync(imagesDir)) fail(`images directory ${imagesDir} not found (set PASTICHE_IMAGES_DIR)`);
  const missingImages = [...Object.values(C), ...Object.values(S)].filter((p) => !existsSync(resolve(ROOT, p)));
  if (missingImages.length > 0) fail(`missing test image(s) in ${imagesDir}: ${missingImages.map((p) => relative(imagesDir, resolve(ROOT, p))).join(", ")}`);
  if (!existsSync(modelsDir)) fail(`models directory ${modelsDir} not found (set PASTICHE_MODELS_DIR)`);
  const has = (...alternatives) => alternatives.some((f) => existsSync(join(modelsDir, f)));
  const missing = [];
  if (!has("vgg19-notop-uint8/model.json", "vgg19-notop/model.json", "vgg19/model.json", "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5")) {
    missing.push("VGG19 weights (vgg19-notop-uint8/model.json or vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5)");
  }
  if (!has("magenta-arbitrary-tflite/style_predict_quantized_256.tflite")) missing.push("magenta-arbitrary-tflite/style_predict_quantized_256.tflite");
  if (!has("magenta-arbitrary-tflite/style_transfer_quantized_384.tflite", "magenta-arbitrary-tflite/style_transfer_f16_384.tflite")) {
    missing.push("magenta-arbitrary-tflite/style_transfer_quantized_384.tflite (or …_f16_384.tflite)");
  }
  if (missing.length > 0) fail(`missing model(s) in ${modelsDir}: ${missing.join("; ")}`);
}

/**
 * Runs the CLI. Its progress (plain lines on stderr when piped) is echoed, iteration lines thinned
 * to one every 10 s plus the last; its one-line `pastiche: error: …` is not echoed but becomes the rejection's message.
 */
function runCli(args, label) {
  const fullArgs = [CLI, ...args, ...(backend ? ["--backend", backend] : [])];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, fullArgs, {
      cwd: ROOT,
      env: { ...process.env, PASTICHE_MODELS_DIR: modelsDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let lastLine = "";
    let lastEcho = 0;
    let errorLine = "";
    const echo = (stream) => {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        pending += chunk;
        const lines = pending.split(/\r?\n|\r/);
        pending = lines.pop() ?? "";
        for (const line of lines) {
          if (line.trim() === "") continue;
          lastLine = line.trim();
          if (line.startsWith("pastiche: error:")) {
            errorLine = line.trim();
            continue;
          }
          const m = /iteration (\d+)\/(\d+)/.exec(line);
          if (m && m[1] !== m[2] && Date.now() - lastEcho < 10_000) continue;
          if (m) lastEcho = Date.now();
          process.stdout.write(`    ${line}\n`);
        }
      });
    };
    echo(child.stdout);
    echo(child.stderr);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) return resolvePromise();
      const why = errorLine || lastLine || "no message";
      reject(new Error(`${label}: \`pastiche ${args.join(" ")}\` failed (${signal ?? `exit code ${code}`}): ${why}`));
    });
  });
}

const mdEscape = (s) => s.replace(/\|/g, "\\|");
/** `pastiche <command> <images…> -o <name>.png <flags…>`: the images are the leading `.jpg` arguments. */
function commandText(picture) {
  const [command, ...rest] = picture.args;
  const nImages = rest.findIndex((a) => !a.endsWith(".jpg"));
  const cut = nImages === -1 ? rest.length : nImages;
  return ["pastiche", command, ...rest.slice(0, cut), "-o", `${picture.name}.png`, ...rest.slice(cut)].join(" ");
}

function markdown() {
  const modelsShown = relative(ROOT, modelsDir);
  const lines = [
    "# Gallery",
    "",
    "<!-- Generated by `pnpm gallery` (scripts/gallery/generate.mjs); edit the script, not this file. -->",
    "",
    `One example per feature, all at ${SIZE} px on the test images of \`${relative(ROOT, imagesDir)}\` (not shipped here).`,
    `Each command runs from the repository root with \`PASTICHE_MODELS_DIR=${modelsShown}\` (\`pnpm pastiche …\`);`,
    `the pictures are the PNG outputs converted to JPEG (quality ${JPEG_QUALITY}). Gatys runs start from the content image,`,
    "so they are repeatable up to floating-point differences between backends.",
    "",
    "| example | command | picture |",
    "| --- | --- | --- |",
  ];
  EXAMPLES.forEach((example, i) => {
    const commands = example.pictures.map((p) => `\`${mdEscape(commandText(p))}\``).join("<br><br>");
    const pictures = example.pictures.map((p) => `![${mdEscape(p.name)}](gallery/${p.name}.jpg)`).join(" ");
    lines.push(`| ${i + 1}. ${mdEscape(example.title)} | ${commands} | ${pictures} |`);
  });
  lines.push("");
  return lines.join("\n");
}

async function main() {
  preflight();
  const { readImage, writeImage } = await import(pathToFileURL(NODE_INDEX).href);
  const only = process.env.PASTICHE_GALLERY_ONLY?.split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  const all = EXAMPLES.flatMap((e, i) => e.pictures.map((p) => ({ ...p, example: i + 1 })));
  const unknown = (only ?? []).filter((n) => !all.some((p) => p.name === n));
  if (unknown.length > 0) fail(`PASTICHE_GALLERY_ONLY names no picture of the gallery: ${unknown.join(", ")}`);
  const pictures = only ? all.filter((p) => only.includes(p.name)) : all;
  console.log(`gallery: ${pictures.length} pictures from ${EXAMPLES.length} examples, ${SIZE} px, backend ${backend ?? "auto"}`);
  console.log(`gallery: images ${imagesDir}, models ${modelsDir}, output ${relative(ROOT, GALLERY_DIR)}/`);
  await mkdir(GALLERY_DIR, { recursive: true });
  const tmp = await mkdtemp(join(tmpdir(), "pastiche-gallery-"));
  const t0 = Date.now();
  const results = [];
  try {
    for (const [k, picture] of pictures.entries()) {
      const label = `[${k + 1}/${pictures.length}] ${picture.name}`;
      console.log(`${label} (example ${picture.example}): ${commandText(picture)}`);
      const t = Date.now();
      const png = join(tmp, `${picture.name}.png`);
      await runCli([...picture.args, "-o", png], label);
      const jpg = join(GALLERY_DIR, `${picture.name}.jpg`);
      await writeImage(jpg, await readImage(png, { longestSide: SIZE }), { quality: JPEG_QUALITY });
      const { size } = await stat(jpg);
      if (size > MAX_JPEG_BYTES)
        throw new Error(`${label}: ${relative(ROOT, jpg)} is ${(size / 1024).toFixed(0)} KB, over the ${MAX_JPEG_BYTES / 1024} KB limit`);
      results.push({ jpg, size });
      console.log(`${label}: wrote ${relative(ROOT, jpg)} (${(size / 1024).toFixed(1)} KB) in ${fmtTime(Date.now() - t)}`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  await writeFile(GALLERY_MD, markdown());
  const expected = new Set(all.map((p) => `${p.name}.jpg`));
  const stale = (await readdir(GALLERY_DIR)).filter((f) => !expected.has(f));
  for (const f of stale) console.log(`gallery: note: ${relative(ROOT, join(GALLERY_DIR, f))} is not produced by this script (left in place)`);
  const total = results.reduce((s, r) => s + r.size, 0);
  console.log(`gallery: wrote ${results.length} pictures (${(total / 1024).toFixed(0)} KB) and ${relative(ROOT, GALLERY_MD)} in ${fmtTime(Date.now() - t0)}`);
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
