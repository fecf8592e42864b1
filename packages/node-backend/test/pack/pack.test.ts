// The published form of @pastiche/core and @pastiche/node: `pnpm pack` both, install the tarballs
// into an empty project outside the workspace (os.tmpdir(), so nothing resolves to the repository's
// node_modules), and run the READMEs' Node examples there, verbatim, on the real Magenta models.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describeNeeding, modelsDir, needs, sharedImagesDir } from "@pastiche/vitest-config/needs";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";

const run = promisify(execFile);
const packagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const coreDir = path.join(packagesDir, "core");
const nodeDir = path.join(packagesDir, "node-backend");

/** The fenced block right after `<!-- pack-test: NAME ... -->` in a README. */
function readmeExample(readme: string, name: string): string {
  const text = readFileSync(readme, "utf8");
  const match = new RegExp(`<!-- pack-test: ${name}\\b[^>]*-->\\s*\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!match) throw new Error(`${readme}: no js block after <!-- pack-test: ${name} -->`);
  return match[1]!;
}

/** Newest modification time under `dir` (source files), to tell whether dist/ is stale. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Child processes get the machine's environment without the workspace's pnpm/npm settings. */
function outsideEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|pnpm_|PNPM_|INIT_CWD$|PASTICHE_BACKEND$)/i.test(k)) env[k] = v;
  return env;
}

// The packed install has no tfjs-node addon (its install script is not run), so the native pass
// of CI would only repeat the WASM pass's check.
const nativePass = process.env.PASTICHE_BACKEND === "tensorflow" ? "the packed install runs on WASM; checked in the WASM pass" : undefined;

describeNeeding([needs.models("magenta-arbitrary-tflite"), needs.sharedImages(), nativePass], "packed @pastiche/core and @pastiche/node", () => {
  let project: string;

  beforeAll(async () => {
    project = await mkdtemp(path.join(os.tmpdir(), "pastiche-pack-"));
    // `pnpm test` builds first (turbo); a direct vitest run may find dist/ older than src/.
    for (const dir of [coreDir, nodeDir]) {
      const dist = path.join(dir, "dist/index.js");
      if (!existsSync(dist) || statSync(dist).mtimeMs < newestMtime(path.join(dir, "src"))) {
        await run("pnpm", ["exec", "tsc", "-p", "tsconfig.build.json"], { cwd: dir });
      }
    }
    const tarballs = path.join(project, "tarballs");
    for (const dir of [coreDir, nodeDir]) await run("pnpm", ["pack", "--pack-destination", tarballs], { cwd: dir, env: outsideEnv() });
    const tgz = (name: string) =>
      path.join(
        tarballs,
        readdirSync(tarballs).find((f) => f.startsWith(`pastiche-${name}-`))!,
      );
    const core = `file:${tgz("core")}`;
    const node = `file:${tgz("node")}`;
    const tfjsVersion = (JSON.parse(readFileSync(path.join(coreDir, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies[
      "@tensorflow/tfjs-core"
    ]!;
    const manifest = {
      name: "pastiche-pack-check",
      private: true,
      type: "module",
      // The peer (tfjs-core) and, for the core-only example, a backend: what a user installs beside core.
      dependencies: { "@pastiche/core": core, "@pastiche/node": node, "@tensorflow/tfjs-core": tfjsVersion, "@tensorflow/tfjs-backend-wasm": tfjsVersion },
    };
    await writeFile(path.join(project, "package.json"), JSON.stringify(manifest, null, 2));
    // @pastiche/node's packed manifest asks for @pastiche/core 0.1.0, which is not on the registry:
    // the override points it at the tarball. No install script is needed (README: allowBuilds).
    await writeFile(
      path.join(project, "pnpm-workspace.yaml"),
      `overrides:\n  "@pastiche/core": "${core}"\nallowBuilds:\n  "@tensorflow/tfjs-node": false\n  core-js: false\n  sharp: false\n`,
    );
    await run("pnpm", ["install", "--prefer-offline", "--no-frozen-lockfile", "--reporter=append-only"], { cwd: project, env: outsideEnv(), timeout: 150_000 });
  }, 170_000);

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it("installs from the tarballs alone: dist with types, one tfjs-core shared by both packages", () => {
    const pkg = (name: string) => JSON.parse(readFileSync(path.join(project, "node_modules", name, "package.json"), "utf8")) as Record<string, unknown>;
    for (const name of ["@pastiche/core", "@pastiche/node"]) {
      const manifest = pkg(name) as { exports: Record<string, { types: string; default: string }> };
      for (const entry of Object.values(manifest.exports)) {
        expect(existsSync(path.join(project, "node_modules", name, entry.default)), `${name} ${entry.default}`).toBe(true);
        expect(existsSync(path.join(project, "node_modules", name, entry.types)), `${name} ${entry.types}`).toBe(true);
      }
    }
    expect(JSON.stringify(pkg("@pastiche/node"))).not.toContain("workspace:");
    const tfjsCores = readdirSync(path.join(project, "node_modules/.pnpm")).filter((d) => d.startsWith("@tensorflow+tfjs-core@"));
    expect(tfjsCores).toHaveLength(1);
  });

  it("runs @pastiche/node's README example: two image files in, a stylised PNG out", async () => {
    await writeFile(path.join(project, "example.mjs"), readmeExample(path.join(nodeDir, "README.md"), "node-example"));
    const out = path.join(project, "out.png");
    const content = path.join(sharedImagesDir()!, "content/sailboat.jpg");
    const style = path.join(sharedImagesDir()!, "style/starry_night.jpg");
    const { stdout } = await run(process.execPath, ["example.mjs", content, style, out], {
      cwd: project,
      env: { ...outsideEnv(), PASTICHE_MODELS_DIR: modelsDir()! },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/out\.png: \d+x\d+ in \d+ ms on (wasm|tensorflow)/);
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe("png");
    expect(Math.max(meta.width, meta.height)).toBe(128);
    // A stylised picture, not a blank: its pixels vary.
    const stats = await sharp(out).stats();
    expect(Math.min(...stats.channels.map((c) => c.stdev))).toBeGreaterThan(5);
  });

  it("runs @pastiche/core's README example: core alone, RGBA pixels in and out", async () => {
    await writeFile(path.join(project, "core-example.mjs"), readmeExample(path.join(coreDir, "README.md"), "core-example"));
    const out = path.join(project, "out.ppm");
    const { stdout } = await run(process.execPath, ["core-example.mjs", modelsDir()!, out], { cwd: project, env: outsideEnv(), timeout: 120_000 });
    expect(stdout.trim()).toBe(`${out}: 96x64`);
    const ppm = await readFile(out);
    const header = "P6 96 64 255\n";
    expect(ppm.subarray(0, header.length).toString()).toBe(header);
    const pixels = ppm.subarray(header.length);
    expect(pixels.length).toBe(96 * 64 * 3);
    // The style's yellow/blue stripes moved the gradient's colours: not the content copied through.
    const mean = (c: number) => pixels.filter((_, i) => i % 3 === c).reduce((a, b) => a + b, 0) / (96 * 64);
    expect(Math.abs(mean(2) - 128)).toBeGreaterThan(5);
  });
});
