import * as tf from "@tensorflow/tfjs-core";
import { PasticheError, registerStepCompiler } from "@pastiche/core";
import { nativeStepCompiler } from "./graph/nativeStepCompiler.js";
import type { TraceableBackend } from "./graph/traceableBackend.js";
import { registerNativeInstanceNorm } from "./kernels/instanceNorm.js";
import { registerNativeReluBackprop } from "./kernels/reluBackprop.js";
import { registerNativeMaxPoolBackprop } from "./kernels/maxPoolBackprop.js";
import { registerNativeImagePatches } from "./kernels/imagePatches.js";
import { initWasmBackend } from "./wasmThreads.js";
import { restoreUtilIsNullOrUndefined } from "./nodeUtilShim.js";

/** `tensorflow` is tfjs-node's own name for its native (libtensorflow) backend. */
export type BackendChoice = "auto" | "tensorflow" | "wasm";
/** The values {@link initBackend} accepts (the CLI's `--backend` choices). */
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "tensorflow", "wasm"];

/** Which tfjs backend {@link initBackend} made active, why, and how it is configured. */
export interface BackendInfo {
  readonly name: "tensorflow" | "wasm";
  /** Why this backend: what was asked for and what happened to the alternatives. */
  readonly reason: string;
  readonly threads?: number;
  readonly simd?: boolean;
  /** tfjs-node only: whether Gatys evaluations run as one TensorFlow graph each (PASTICHE_TF_GRAPH). */
  readonly graph?: boolean;
  readonly tfjsVersion: string;
}

let active: Promise<BackendInfo> | undefined;

/**
 * Pick and initialise the tfjs backend once per process: `requested` (a flag) wins over
 * `PASTICHE_BACKEND`, which wins over "auto". Auto takes tfjs-node when its native addon loads
 * (it cannot be installed without internet, so it is an optional dependency) and otherwise the
 * WASM backend with threads. The pure-JS cpu backend is never used: it is ~30× slower.
 */
export async function initBackend(requested?: string, env: NodeJS.ProcessEnv = process.env): Promise<BackendInfo> {
  const choice = parseChoice(requested ?? env.PASTICHE_BACKEND ?? "auto", requested ? "--backend" : "PASTICHE_BACKEND");
  const graph = parseGraphSwitch(env.PASTICHE_TF_GRAPH);
  active ??= init(choice, graph).catch((e: unknown) => {
    active = undefined;
    throw e;
  });
  return active;
}

/** PASTICHE_TF_GRAPH: "on" (default) runs each Gatys evaluation as one TensorFlow graph on tfjs-node; "off" runs it op by op. */
function parseGraphSwitch(value: string | undefined): boolean {
  const v = (value ?? "on").trim().toLowerCase();
  if (v === "on" || v === "off") return v === "on";
  throw new PasticheError("INVALID_OPTION", `PASTICHE_TF_GRAPH: unknown value "${value}" (use on or off)`);
}

function parseChoice(value: string, source: string): BackendChoice {
  const v = value.trim().toLowerCase();
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new PasticheError("INVALID_OPTION", `${source}: unknown backend "${value}" (use ${BACKEND_CHOICES.join(", ")})`);
}

async function init(choice: BackendChoice, graph: boolean): Promise<BackendInfo> {
  // "@tensorflow/tfjs" registers every op's gradient (tfjs-core alone ships none); tfjs-node
  // imports it too. One copy of tfjs-core serves both.
  await import("@tensorflow/tfjs");
  let nativeFailure = "not requested";
  if (choice !== "wasm") {
    const native = await tryTfjsNode();
    if (native === true) {
      // Traced and replayed as a TensorFlow session: 0.8–0.9× the op-by-op time (docs/backends.md).
      if (graph) {
        registerStepCompiler(
          "tensorflow",
          nativeStepCompiler(() => tf.findBackend("tensorflow") as unknown as TraceableBackend),
        );
      }
      return { name: "tensorflow", reason: `tfjs-node loaded (${choice === "auto" ? "auto" : "requested"})`, graph, tfjsVersion: tf.version_core };
    }
    nativeFailure = native;
    if (choice === "tensorflow") {
      throw new PasticheError(
        "BACKEND_UNAVAILABLE",
        `backend "tensorflow" is unavailable: @tensorflow/tfjs-node did not load (${nativeFailure}); use --backend wasm or see docs/backends.md`,
      );
    }
  }
  const { threads, simd } = await initWasmBackend();
  const reason = choice === "wasm" ? "requested" : `tfjs-node unavailable: ${nativeFailure}`;
  return { name: "wasm", reason, threads, simd, tfjsVersion: tf.version_core };
}

/** true when tfjs-node's addon loaded and its backend is active, else the first line of why not. */
async function tryTfjsNode(): Promise<true | string> {
  try {
    restoreUtilIsNullOrUndefined();
    await import("@tensorflow/tfjs-node");
    if (await tf.setBackend("tensorflow")) {
      registerNativeReluBackprop();
      registerNativeMaxPoolBackprop();
      registerNativeImagePatches();
      registerNativeInstanceNorm();
      return true;
    }
    return "its backend failed to initialise";
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // The whole first line: it names the path tfjs-node looked at, which is what a user needs to fix it.
    return message.split("\n")[0]!.trim();
  }
}
