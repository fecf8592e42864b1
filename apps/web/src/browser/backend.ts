import * as tf from "@tensorflow/tfjs-core";
// Side-effect imports register the backends with tfjs-core.
import "@tensorflow/tfjs-backend-webgl";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { BrowserStylizeError } from "./errors.ts";

/** The tfjs backends the browser engine can use, fastest first. */
export type BrowserBackendName = "webgpu" | "webgl" | "wasm";
export const DEFAULT_BACKEND_ORDER: readonly BrowserBackendName[] = ["webgpu", "webgl", "wasm"];

export interface ChooseBackendOptions {
  /**
   * Tried in this order; the first that initialises wins. Absent: DEFAULT_BACKEND_ORDER, except that
   * WebGL on a software rasteriser and WebGPU on a software adapter (no GPU) go last.
   */
  readonly backends?: readonly BrowserBackendName[];
  /** Where the tfjs WASM binaries are served from (our own origin, ending in "/"). */
  readonly wasmPath: string;
}

/** Whether this browser offers WebGPU at all (an adapter may still be refused: tfjs then fails to initialise it). */
function hasWebGpu(): boolean {
  return typeof navigator !== "undefined" && "gpu" in navigator && Boolean((navigator as { gpu?: unknown }).gpu);
}

/** Renderers that are the CPU standing in for a GPU (Chromium's SwiftShader, Mesa's llvmpipe). */
const SOFTWARE_RENDERER = /SwiftShader|llvmpipe|softpipe|software/i;

/**
 * The WebGL renderer's name when it is a software rasteriser, else undefined (a GPU, or unknown).
 * tfjs's WebGL kernels on one are 40–90× slower than WASM (docs/benchmarks.md, "In the browser").
 */
export function softwareWebglRenderer(): string | undefined {
  if (typeof OffscreenCanvas === "undefined") return undefined;
  try {
    const gl = new OffscreenCanvas(1, 1).getContext("webgl2");
    if (!gl) return undefined;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return SOFTWARE_RENDERER.test(renderer) ? renderer : undefined;
  } catch {
    return undefined;
  }
}

/** What Chromium's WebGPU adapter says of itself (GPUAdapterInfo; typed here, as lib.dom has no WebGPU types). */
interface AdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/**
 * The WebGPU adapter's name when it is the CPU (a fallback adapter, or SwiftShader), else undefined
 * (a GPU, no adapter, or unknown). On one, tfjs's WebGPU kernels are slower still than WebGL's.
 */
export async function softwareWebGpuAdapter(): Promise<string | undefined> {
  if (!hasWebGpu()) return undefined;
  try {
    const gpu = (navigator as unknown as { gpu: { requestAdapter(): Promise<{ info?: AdapterInfo; isFallbackAdapter?: boolean } | null> } }).gpu;
    const adapter = await gpu.requestAdapter();
    if (!adapter) return undefined;
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(" ");
    return adapter.isFallbackAdapter || info.isFallbackAdapter || SOFTWARE_RENDERER.test(name) ? name || "a fallback adapter" : undefined;
  } catch {
    return undefined;
  }
}

/** DEFAULT_BACKEND_ORDER with the backends that would run on the CPU here moved last (WASM is faster). */
async function automaticOrder(): Promise<BrowserBackendName[]> {
  const software: Partial<Record<BrowserBackendName, string>> = { webgl: softwareWebglRenderer(), webgpu: await softwareWebGpuAdapter() };
  const onCpu = (["webgl", "webgpu"] as const).filter((b) => software[b] !== undefined);
  return [...DEFAULT_BACKEND_ORDER.filter((b) => software[b] === undefined), ...onCpu];
}

/**
 * Initialise the first backend of `backends` that works here: WebGPU, then WebGL, then WASM. The
 * WebGPU backend's code is loaded only in a browser that has WebGPU, so the others never fetch it.
 */
export async function chooseBackend(options: ChooseBackendOptions): Promise<BrowserBackendName> {
  const order = options.backends ?? (await automaticOrder());
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
