/**
 * Multi-threaded tfjs WASM backend under plain Node.js, without patching node_modules.
 *
 * tfjs-backend-wasm@4.22 only uses its threaded-SIMD build in browsers: the
 * `WASM_HAS_MULTITHREAD_SUPPORT` flag is hard-wired to false in Node, and the
 * Emscripten glue hands its pthread workers Blob URLs, which `worker_threads`
 * cannot load. Every global patched below is patched only for the duration of
 * `tf.setBackend("wasm")` and restored right after it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import * as wasm from "@tensorflow/tfjs-backend-wasm";

export interface WasmBackendInfo {
  threads: number;
  simd: boolean;
}

/** backend.cc never uses more than 8 threads (the glue pre-spawns 8 workers). */
const MAX_THREADS = 8;
const INIT_TIMEOUT_MS = 30_000;
const MAIN_SCRIPT_PREFIX = "var WasmBackendModuleThreadedSimd = ";
const WORKER_SCRIPT_MARKER = "WasmBackendModuleThreadedSimd(Module)";

let initPromise: Promise<WasmBackendInfo> | undefined;

/**
 * Registers and activates the "wasm" tfjs backend with `threads` XNNPACK threads
 * (default: CPU count, capped at 4). Falls back to the single-threaded SIMD build
 * if the threaded one cannot start. The first successful call wins.
 */
export async function initWasmBackend(options: { threads?: number } = {}): Promise<WasmBackendInfo> {
  initPromise ??= init(options).catch((err: unknown) => {
    initPromise = undefined;
    throw err;
  });
  const info = await initPromise;
  if (tf.getBackend() !== "wasm") await tf.setBackend("wasm");
  return info;
}

async function init(options: { threads?: number }): Promise<WasmBackendInfo> {
  const requested = options.threads ?? Math.min(os.availableParallelism(), 4);
  const threads = Math.max(1, Math.min(MAX_THREADS, Math.floor(requested)));
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;

  // tfjs only ships a threaded *SIMD* build, so threads require SIMD.
  if (threads > 1 && simd && (await initThreaded(threads))) {
    return { threads: wasm.getThreadsCount(), simd };
  }
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend("wasm"))) throw new Error("Failed to initialise the tfjs wasm backend");
  return { threads: wasm.getThreadsCount(), simd };
}

async function initThreaded(threads: number): Promise<boolean> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pastiche-wasm-"));
  const cleanup = (): void => {
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", cleanup);
  const mainPath = path.join(dir, "main.js");
  const workerPath = path.join(dir, "worker.cjs");
  const workerBlobs = new WeakSet<Blob>();
  const realCreateObjectURL = URL.createObjectURL.bind(URL);
  const realCpus = os.cpus.bind(os);
  const workers: Worker[] = [];

  class PoolWorker extends Worker {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      workers.push(this);
    }
    // The glue ref()s a worker while it runs a pthread, and XNNPACK's pool threads
    // never finish, so Node would never exit. They only ever work while the main
    // thread is blocked in a kernel, so they need not keep the process alive.
    // (Until its "loaded" message the glue keeps a new worker ref'd, as by default.)
    override ref(): void {
      // intentionally a no-op
    }
  }

  const restores = [
    // The glue does `globalThis.Worker = require("worker_threads").Worker` and spawns
    // its pool with `new Worker(path)`: hand it our subclass instead (and ignore its
    // assignment, so no Worker global is left behind).
    patchProperty(globalThis, "Worker", { get: () => PoolWorker, set: () => undefined }),

    // Copy the two scripts tfjs puts in Blobs to real files. The main script
    // ("var WasmBackendModuleThreadedSimd = <factory source>") is posted to each
    // worker as a Blob; the worker script goes through createObjectURL (below).
    patchProperty(globalThis, "Blob", {
      value: class RecordingBlob extends Blob {
        constructor(...args: ConstructorParameters<typeof Blob>) {
          super(...args);
          const [parts] = args;
          const text = parts?.every((p) => typeof p === "string") ? parts.join("") : "";
          if (text.startsWith(MAIN_SCRIPT_PREFIX)) {
            fs.writeFileSync(mainPath, text);
          } else if (text.includes(WORKER_SCRIPT_MARKER)) {
            workerBlobs.add(this);
            if (!fs.existsSync(workerPath)) fs.writeFileSync(workerPath, workerPrelude(mainPath) + text);
          }
        }
      },
    }),

    // The worker script's Blob URL -> a file path `new Worker()` can load.
    patchProperty(URL, "createObjectURL", {
      value: (blob: Blob): string => (workerBlobs.has(blob) ? workerPath : realCreateObjectURL(blob)),
    }),

    // THE reason threads stayed at 1 even once the workers loaded: backend.cc caps
    // the pool at emscripten_num_logical_cores() / 2 (assuming hyper-threading), and
    // the glue reads that from os.cpus().length in the module's static constructors.
    // On a 2-CPU machine that is 1 thread, whatever setThreadsCount() asked for.
    patchProperty(os, "cpus", {
      value: () => {
        const cpus = realCpus();
        return Array.from({ length: Math.max(cpus.length, 2 * threads) }, (_, i) => cpus[i % cpus.length]);
      },
    }),
  ];

  let ok = false;
  try {
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
    wasm.setThreadsCount(threads);
    // If a worker never answered, setBackend would hang forever. Giving up is safe:
    // the next setBackend() makes tfjs discard this attempt.
    ok = await Promise.race([tf.setBackend("wasm"), new Promise<boolean>((resolve) => setTimeout(resolve, INIT_TIMEOUT_MS, false).unref())]);
  } catch {
    ok = false;
  } finally {
    for (const restore of restores) restore();
  }
  if (!ok) {
    for (const worker of workers) void worker.terminate();
    return false;
  }
  // Every worker has read both scripts by the time the module resolves.
  cleanup();
  process.off("exit", cleanup);
  return true;
}

/**
 * Prepended to tfjs's worker script. The main script it evaluates is the source of a
 * function cut out of tfjs's Rollup bundle, so it refers to the bundle's module-scope
 * aliases (require$$0...), recreated here as worker globals. The worker also receives
 * the main script as a Blob, which it would turn into a Blob URL: give it the file.
 */
function workerPrelude(mainPath: string): string {
  return (
    'Object.assign(globalThis,{require$$0:require("fs"),require$$1:require("path"),' +
    'require$$3:require("perf_hooks"),require$$4:require("os"),commonjsGlobal:globalThis});' +
    `URL.createObjectURL=()=>${JSON.stringify(mainPath)};URL.revokeObjectURL=()=>{};\n`
  );
}

/** Redefines obj[key]; the returned function restores the original property exactly. */
function patchProperty(obj: object, key: string, descriptor: PropertyDescriptor): () => void {
  const saved = Object.getOwnPropertyDescriptor(obj, key);
  Object.defineProperty(obj, key, { ...descriptor, configurable: true });
  return () => {
    if (saved) Object.defineProperty(obj, key, saved);
    else Reflect.deleteProperty(obj, key);
  };
}
