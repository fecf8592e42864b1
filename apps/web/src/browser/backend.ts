import * as tf from "@tensorflow/tfjs-core";
// Side-effect imports register the backends with tfjs-core.
import "@tensorflow/tfjs-backend-webgl";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { BrowserStylizeError } from "./errors.ts";

/** The tfjs backends the browser engine can use, fastest first. */
export type BrowserBackendName = "webgl" | "wasm";
export const DEFAULT_BACKEND_ORDER: readonly BrowserBackendName[] = ["webgl", "wasm"];

export interface ChooseBackendOptions {
  /** Tried in this order; the first that initialises wins. */
  readonly backends?: readonly BrowserBackendName[];
  /** Where the tfjs WASM binaries are served from (our own origin, ending in "/"). */
  readonly wasmPath: string;
}

/**
 * Initialise the first backend of `backends` that works here. WebGPU is left out: its tfjs package
 * is not installed in this repository yet (see docs); WebGL, then WASM.
 */
export async function chooseBackend(options: ChooseBackendOptions): Promise<BrowserBackendName> {
  const order = options.backends ?? DEFAULT_BACKEND_ORDER;
  const failures: string[] = [];
  for (const name of order) {
    if (name === "wasm") setWasmPaths(options.wasmPath);
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
      failures.push(`${name}: did not initialise`);
    } catch (e) {
      failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new BrowserStylizeError("NO_BACKEND", `no tfjs backend initialised in this browser (${failures.join("; ")})`);
}
