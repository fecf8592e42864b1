/**
 * #14's file findings, on the spawned CLI: every case exits non-zero with one `pastiche: error: …` line
 * naming the problem, quickly (before any model load: PASTICHE_MODELS_DIR is empty, so a case that got
 * that far would exit 3), with no file written and every input unchanged. A hang (the old FIFO and
 * /dev/zero behaviour) fails as the run's timeout killing the CLI.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, copyFile, mkdir, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseGatysOptions } from "@pastiche/core";
import { RUN_SETTINGS_KEY, formatRunSettings, hashRunInputs, writeImage } from "@pastiche/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOneErrorLine, removeDir, runCli, testPattern, type Fixtures, makeWorkspace } from "./helpers.js";

let root: string | undefined;
let fx: Fixtures;
let emptyModels: string;
let sums: Map<string, string>;

const sha = async (p: string) =>
  createHash("sha256")
    .update(await readFile(p))
    .digest("hex");

beforeAll(async () => {
  ({ root, fx, emptyModels } = await makeWorkspace());
  sums = new Map(await Promise.all([fx.content, fx.style].map(async (p) => [p, await sha(p)] as const)));
});

afterAll(async () => {
  // The fixtures every case read are byte for byte what they were.
  for (const [p, sum] of sums) expect(await sha(p), p).toBe(sum);
  await removeDir(root);
});

const run = (args: string[], timeoutMs = 20_000) => runCli(args, { env: { PASTICHE_MODELS_DIR: emptyModels }, timeoutMs });

let dirs = 0;
async function freshDir(): Promise<string> {
  const dir = path.join(root!, `case-${++dirs}`);
  await mkdir(dir);
  return dir;
}

describe.concurrent("outputs that would destroy something are refused before any work", () => {
  it("-o naming the style image: refused, the painting unchanged", async () => {
    const dir = await freshDir();
    const style = path.join(dir, "painting.png");
    await copyFile(fx.style, style);
    const before = await sha(style);
    for (const cmd of ["stylize", "fast"]) {
      const r = await run([cmd, fx.content, style, "-o", style]);
      expectOneErrorLine(r, new RegExp(`Cannot write .*painting\\.png: it is the style image \\(.*painting\\.png\\); choose another output`), 2);
    }
    expect(await sha(style)).toBe(before);
    expect(await readdir(dir)).toEqual(["painting.png"]);
  });

  it("-o a symlink to the content, and a hard link to it: refused", async () => {
    const dir = await freshDir();
    const content = path.join(dir, "photo.jpg");
    await copyFile(fx.content, content);
    const viaSymlink = path.join(dir, "link.jpg");
    await symlink(content, viaSymlink);
    const viaHardLink = path.join(dir, "hard.jpg");
    execFileSync("ln", [content, viaHardLink]);
    for (const out of [viaSymlink, viaHardLink]) {
      const r = await run(["stylize", content, fx.style, "-o", out]);
      expectOneErrorLine(r, /it is the content image .*photo\.jpg/, 2);
    }
    expect(await sha(content)).toBe(sums.get(fx.content));
  });

  it("-o naming a mask or the starting image: refused", async () => {
    const dir = await freshDir();
    const mask = path.join(dir, "mask.png");
    await writeImage(mask, testPattern(64, 48));
    const r1 = await run(["stylize", fx.content, fx.style, "--mask", mask, "-o", mask]);
    expectOneErrorLine(r1, /it is the style mask/, 2);
    const r2 = await run(["stylize", fx.content, fx.style, "--init", mask, "-o", mask]);
    expectOneErrorLine(r2, /it is the starting image/, 2);
  });

  it("an existing read-only (0444) output: refused up front, left as it was (content and mode)", async () => {
    const dir = await freshDir();
    const out = path.join(dir, "out.png");
    await writeFile(out, "previous result");
    await chmod(out, 0o444);
    const r = await run(["stylize", fx.content, fx.style, "-o", out]);
    expectOneErrorLine(r, /Cannot write .*out\.png: it exists and is read-only \(mode 0444\)/, 2);
    expect(await readFile(out, "utf8")).toBe("previous result");
    expect((await stat(out)).mode & 0o777).toBe(0o444);
  });
});

/** `chattr +i` needs CAP_LINUX_IMMUTABLE and a file system with attributes: else that case is skipped. */
function tryChattr(flag: "+i" | "-i", file: string): boolean {
  try {
    execFileSync("chattr", [flag, file], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

it("an immutable existing output: refused before the run, naming the file, not the folder", async (ctx) => {
  const dir = await freshDir();
  const out = path.join(dir, "out.png");
  await writeFile(out, "previous result");
  if (!tryChattr("+i", out)) ctx.skip();
  try {
    const r = await run(["stylize", fx.content, fx.style, "-o", out]);
    expectOneErrorLine(r, /Cannot write .*out\.png: it exists and is immutable/, 2);
    expect(await readFile(out, "utf8")).toBe("previous result");
  } finally {
    tryChattr("-i", out);
  }
});

describe.concurrent("inputs that are not regular files, or too small, are refused at once", () => {
  it("/dev/zero as the content image", async () => {
    const r = await run(["stylize", "/dev/zero", fx.style, "-o", path.join(await freshDir(), "out.png")]);
    expectOneErrorLine(r, /Image file \/dev\/zero is a character device, not a regular file/, 2);
  });

  it("a FIFO as the style image (nobody writing to it)", async () => {
    const dir = await freshDir();
    const fifo = path.join(dir, "style.fifo");
    execFileSync("mkfifo", [fifo]);
    const r = await run(["fast", fx.content, fifo, "-o", path.join(dir, "out.png")]);
    expectOneErrorLine(r, /style\.fifo is a FIFO \(named pipe\), not a regular file/, 2);
  });

  it("a directory as the content image", async () => {
    const dir = await freshDir();
    const r = await run(["stylize", dir, fx.style, "-o", path.join(dir, "out.png")]);
    expectOneErrorLine(r, /is a directory, not a regular file/, 2);
  });

  it("a 1×1 image (below the documented 16 px)", async () => {
    const dir = await freshDir();
    const tiny = path.join(dir, "tiny.png");
    await writeImage(tiny, testPattern(1, 1));
    const r = await run(["stylize", tiny, fx.style, "-o", path.join(dir, "out.png")]);
    expectOneErrorLine(r, /tiny\.png is 1x1: it needs at least 16 pixels on each side/, 2);
    expect(await readdir(dir)).toEqual(["tiny.png"]);
  });
});

/** A PNG whose settings chunk names `content` and `styles` as given (hashes of the real fixtures). */
async function settingsPng(dir: string, content: string, styles: string[]): Promise<string> {
  const hashes = await hashRunInputs({ content: fx.content, styles: [fx.style], init: { kind: "content" } });
  const settings = {
    content,
    styles,
    options: parseGatysOptions({ size: 32, iterations: 2, seed: 5 }),
    sha256: { content: hashes.content, styles: styles.map(() => hashes.styles[0]!) },
    versions: { pastiche: "test" },
    backend: "wasm",
  };
  const png = path.join(dir, "recorded.png");
  await writeImage(png, testPattern(4, 4), { text: { [RUN_SETTINGS_KEY]: formatRunSettings(settings) } });
  return png;
}

describe.concurrent("--from with edited settings", () => {
  it("a settings chunk naming /dev/zero: refused quickly, not hashed forever", async () => {
    const dir = await freshDir();
    const png = await settingsPng(dir, "/dev/zero", [fx.style]);
    const r = await run(["stylize", "--from", png, "-o", path.join(dir, "out.png")]);
    expectOneErrorLine(r, /\/dev\/zero is a character device, not a regular file/, 2);
  });

  it("200,000 style images: refused by the limit, not EMFILE", async () => {
    const dir = await freshDir();
    const png = await settingsPng(
      dir,
      fx.content,
      Array.from({ length: 200_000 }, () => fx.style),
    );
    const r = await run(["stylize", "--from", png, "-o", path.join(dir, "out.png")], 40_000);
    expectOneErrorLine(r, /200000 style images: at most 64 can be blended in one run/, 2);
    expect(r.stderr).not.toMatch(/EMFILE/);
  });
});
