// Gatys in the page: core's public API only (VGG19 by URL, stylizeGatys), on a backend chosen by the
// browser engine. Bundlers get tfjs's gradients from this side-effect import (core checks for them).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { disposeWeightMap, loadLayersModelWeightsFromUrl, stylizeGatys, validateVgg19Weights, type GatysOptionsInput, type RgbImage } from "@pastiche/core";
import { config } from "zod";
import { chooseBackend, type BrowserBackendName } from "../../src/browser/backend.ts";

// As on the static page: no `Function("")` probe (a CSP report) from zod.
config({ jitless: true });

export interface GatysPageRun {
  backend: string;
  /** Total loss after each iteration. */
  losses: number[];
  width: number;
  height: number;
  /** Mean absolute difference of the result from the content, per channel value (0–255). */
  changed: number;
  loadMs: number;
  runMs: number;
}

export async function runGatys(input: {
  backend: BrowserBackendName;
  modelUrl: string;
  content: RgbImage;
  style: RgbImage;
  options: GatysOptionsInput;
}): Promise<GatysPageRun> {
  const backend = await chooseBackend({ backends: [input.backend], wasmPath: new URL("/tfjs-wasm/", location.href).href });
  const loadStarted = performance.now();
  const weights = await loadLayersModelWeightsFromUrl(new URL(input.modelUrl, location.href));
  validateVgg19Weights(weights);
  const loadMs = performance.now() - loadStarted;
  const losses: number[] = [];
  const runStarted = performance.now();
  try {
    for await (const event of stylizeGatys({ content: input.content, styles: [input.style], weights, options: input.options })) {
      if (event.type === "iteration") losses.push(event.losses.total);
      if (event.type === "done") {
        let sum = 0;
        for (let i = 0; i < event.image.data.length; i++) sum += Math.abs(event.image.data[i]! - input.content.data[i]!);
        return {
          backend,
          losses,
          width: event.image.width,
          height: event.image.height,
          changed: sum / event.image.data.length,
          loadMs,
          runMs: performance.now() - runStarted,
        };
      }
    }
  } finally {
    disposeWeightMap(weights);
  }
  throw new Error("the Gatys run ended without a result");
}

(globalThis as unknown as { pasticheGatys: typeof runGatys }).pasticheGatys = runGatys;
