/**
 * The static page's build (`pnpm --filter @pastiche/web build:static`): Vite bundles static/page into a
 * folder any static file host can serve, and this plugin puts beside it what the page fetches at run
 * time — the Magenta Fast models under content-addressed names with a manifest of sha256 integrity
 * hashes (the same manifest the app's server publishes), and tfjs's WASM binaries.
 */
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveModelsDir } from "@pastiche/node/light";
import type { Plugin, UserConfig } from "vite";
import { buildModelManifest } from "../src/server/models/modelManifest.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Where `build:static` writes by default: apps/web/dist-static. */
export const DEFAULT_STATIC_OUT_DIR = path.join(HERE, "..", "dist-static");

export interface StaticSiteOptions {
  /** Holds magenta-arbitrary-tflite/ (default: PASTICHE_MODELS_DIR, else where the CLI looks). */
  readonly modelsDir?: string | undefined;
  readonly outDir?: string;
}

/** tfjs-backend-wasm's binaries (plain, SIMD, threaded SIMD: the backend picks what the browser supports). */
async function wasmBinaries(): Promise<string[]> {
  const dir = path.dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  return (await readdir(dir)).filter((f) => f.endsWith(".wasm")).map((f) => path.join(dir, f));
}

/** Writes models/manifest.json, models/files/<sha256>/<name> and tfjs-wasm/*.wasm into the output. */
export function staticModelsPlugin(modelsDir: string | undefined): Plugin {
  return {
    name: "pastiche-static-models",
    apply: "build",
    async writeBundle(output) {
      const outDir = output.dir!;
      const dir = path.resolve(modelsDir ?? resolveModelsDir().dir);
      const built = await buildModelManifest(dir);
      if (!built)
        throw new Error(`build:static: no Magenta Fast model files in ${dir} (set PASTICHE_MODELS_DIR to the folder holding magenta-arbitrary-tflite/)`);
      const models = path.join(outDir, "models");
      for (const file of built.files) {
        const target = path.join(models, file.entry.url);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, file.data);
      }
      await writeFile(path.join(models, "manifest.json"), built.json);
      const wasmOut = path.join(outDir, "tfjs-wasm");
      await mkdir(wasmOut, { recursive: true });
      for (const file of await wasmBinaries()) await copyFile(file, path.join(wasmOut, path.basename(file)));
    },
  };
}

/** The whole Vite configuration of the static page (used by vite.static.config.ts and the tests). */
export function staticSiteConfig(options: StaticSiteOptions = {}): UserConfig {
  return {
    root: path.join(HERE, "page"),
    // Relative URLs everywhere, so the folder works from any path on any host.
    base: "./",
    logLevel: "warn",
    build: { outDir: options.outDir ?? DEFAULT_STATIC_OUT_DIR, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096 },
    plugins: [staticModelsPlugin(options.modelsDir)],
  };
}
