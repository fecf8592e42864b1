import * as tf from "@tensorflow/tfjs-core";
// Side-effect imports register the backends with tfjs-core.
import "@tensorflow/tfjs-backend-webgl";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { BrowserStylizeError } from "./errors.ts";

/** The tfjs backends the browser engine can use, fastest first. */
export type BrowserBackendName = "webgpu" | "webgl" | "wasm";
export const DEFAULT_BACKEND_ORDER: readonly BrowserBackendName[] = ["webgpu", "webgl", "wasm"];

export interface ChooseBackendOptions {
  /** Tried in this order; the first that initialises wins. */
  readonly backends?: readonly BrowserBackendName[];
  /** Where the tfjs WASM binaries are served from (our own origin, ending in "/"). */
  readonly wasmPath: string;
}

/** Whether this browser offers WebGPU at all (an adapter may still be refused: tfjs then fails to initialise it). */
function hasWebGpu(): boolean {
  return typeof navigator !== "undefined" && "gpu" in navigator && Boolean((navigator as { gpu?: unknown }).gpu);
}

/**
 * Initialise the first backend of `backends` that works here: WebGPU, then WebGL, then WASM. The
 * WebGPU backend's code is loaded only in a browser that has WebGPU, so the others never fetch it.
 */
export async function chooseBackend(options: ChooseBackendOptions): Promise<BrowserBackendName> {
  const order = options.backends ?? DEFAULT_BACKEND_ORDER;
  const failures: string[] = [];
  for (const name of order) {
    if (name === "wasm") setWasmPaths(options.wasmPath);
    try {
      if (name === "webgpu") {
        if (!hasWebGpu()) {
          failures.push("webgpu: not offered by this browser");
          continue;
        }
        // Registers the backend with tfjs-core, like the static imports above.
        await import("@tensorflow/tfjs-backend-webgpu");
      }
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
