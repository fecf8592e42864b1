/**
 * #14's neural-style controls on real weights (64 px, 2 iterations; only with PASTICHE_MODELS_DIR):
 * each changes the result as documented and is recorded for --from; 16-bit PNG/TIFF output;
 * --save-scales writes each earlier scale; `-` reads the content from standard input, and a PNG made
 * so says it cannot be rerun from --from.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { readImage, readPngText } from "@pastiche/node";
import { NO_WEIGHTS, describeNeeding } from "@pastiche/vitest-config/needs";
import { expect, it } from "vitest";
import { expectOneErrorLine, runCli, suiteWorkspace } from "./helpers.js";

describeNeeding([process.env.PASTICHE_MODELS_DIR ? undefined : NO_WEIGHTS], "stylize controls on real weights (PASTICHE_MODELS_DIR)", () => {
  const ws = suiteWorkspace();

  // The optimiser is given explicitly: the product default may change.
  const base = ["--size", "64", "--optimizer", "adam", "--seed", "1"];
  const short = ["--iterations", "2", "--scales", "off"];
  const stylize = (out: string, extra: string[], stdin?: Uint8Array, schedule = short) =>
    runCli(["stylize", stdin ? "-" : ws.fx.content, ws.fx.style, "-o", out, ...base, ...schedule, ...extra], {
      timeoutMs: 150_000,
      ...(stdin ? { stdin } : {}),
    });
  const settingsOf = async (p: string) =>
    JSON.parse(readPngText(await readFile(p))["pastiche:settings"]!) as Record<string, unknown> & { options: Record<string, unknown> };
  const pixels = async (p: string) => Buffer.from((await readImage(p)).data).toString("hex");
  const width = async (p: string) => (await readImage(p)).width;

  it("--pooling avg and --normalize-gradients each change the image and are recorded", { timeout: 300_000 }, async () => {
    const [plain, avg, normalized] = ["plain", "avg", "normalized"].map((n) => path.join(ws.root, `${n}.png`)) as [string, string, string];
    const results = await Promise.all([stylize(plain, []), stylize(avg, ["--pooling", "avg"]), stylize(normalized, ["--normalize-gradients"])]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect((await settingsOf(plain)).options).toMatchObject({ pooling: "max", normalizeGradients: false });
    expect((await settingsOf(avg)).options.pooling).toBe("avg");
    expect((await settingsOf(normalized)).options.normalizeGradients).toBe(true);
    const reference = await pixels(plain);
    expect(await pixels(avg)).not.toBe(reference);
    expect(await pixels(normalized)).not.toBe(reference);
    expectOneErrorLine(await stylize(path.join(ws.root, "bad.png"), ["--pooling", "mean"]), /--pooling/, 2);
  });

  it("--depth 16 writes 16-bit PNG (settings kept) and TIFF; --init uniform is recorded; refused for JPEG", { timeout: 300_000 }, async () => {
    const png = path.join(ws.root, "deep.png");
    const tif = path.join(ws.root, "deep.tif");
    const [a, b] = await Promise.all([stylize(png, ["--depth", "16", "--init", "uniform"]), stylize(tif, ["--depth", "16"])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(await bitsPerSample(png)).toBe(16);
    expect(await bitsPerSample(tif)).toBe(16);
    expect((await settingsOf(png)).options.init).toEqual({ kind: "uniform" });
    expectOneErrorLine(await stylize(path.join(ws.root, "deep.jpg"), ["--depth", "16"]), /16-bit output needs a \.png or \.tif/, 2);
  });

  it("--save-scales writes each earlier scale's result as OUT-scaleN.png", { timeout: 200_000 }, async () => {
    const out = path.join(ws.root, "scales.png");
    const r = await stylize(out, ["--save-scales"], undefined, ["--iterations", "3", "--scales", "3", "--min-size", "32"]);
    expect(r.code, r.stderr).toBe(0);
    const sizes = await Promise.all([1, 2].map((n) => width(path.join(ws.root, `scales-scale${n}.png`))));
    expect(sizes[0]).toBeLessThan(sizes[1]!);
    expect(sizes[1]).toBeLessThan(64);
    expect(await width(out)).toBe(64);
  });

  it("- reads the content from standard input; --from on the result says it cannot be rerun", { timeout: 200_000 }, async () => {
    const out = path.join(ws.root, "stdin.png");
    const r = await stylize(out, [], await readFile(ws.fx.content));
    expect(r.code, r.stderr).toBe(0);
    const settings = await settingsOf(out);
    expect(settings.content).toBe("-");
    expect(await pixels(out)).toBe(await pixels(path.join(ws.root, "plain.png"))); // the same run as from the file
    const again = await runCli(["stylize", "--from", out, "-o", path.join(ws.root, "again.png")]);
    expectOneErrorLine(again, /made from a content image read from standard input \(-\), which cannot be checked or read again: give the content/, 2);
  });
});

/** Bits per sample from a PNG's IHDR or a (little-endian) TIFF's BitsPerSample tag. */
async function bitsPerSample(file: string): Promise<number | undefined> {
  const b = await readFile(file);
  if (b.toString("latin1", 12, 16) === "IHDR") return b[24];
  if (b.toString("latin1", 0, 2) !== "II") return undefined;
  const ifd = b.readUInt32LE(4);
  for (let i = 0; i < b.readUInt16LE(ifd); i++) {
    const entry = ifd + 2 + 12 * i;
    if (b.readUInt16LE(entry) !== 258) continue;
    const count = b.readUInt32LE(entry + 4);
    return count === 1 ? b.readUInt16LE(entry + 8) : b.readUInt16LE(b.readUInt32LE(entry + 8));
  }
  return undefined;
}
