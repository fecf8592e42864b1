import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs-core";
import { firstLineOf, type CompiledStep, type StepCompiler, type TensorStep, type TraceResult } from "@pastiche/core";
import type { TraceableBackend } from "./traceableBackend.js";
import { traceOps, type OpTrace } from "./opTrace.js";
import { STEP_TAG, stepSavedModel } from "./stepGraph.js";

/**
 * core's StepCompiler on tfjs-node: the traced ops become one TensorFlow graph, loaded as a
 * SavedModel session (the only graph entry point tfjs-node's binding has), so TensorFlow optimises
 * and schedules the whole evaluation and the per-op round trip through JS goes. A replay feeds
 * the image and the captured tensors by id; weights are not copied.
 */
export function nativeStepCompiler(backend: () => TraceableBackend): StepCompiler {
  return {
    trace(step: TensorStep, x: tf.Tensor4D): TraceResult {
      const native = backend();
      const outcome = traceOps(native, step, x);
      if (!("trace" in outcome)) return outcome;
      try {
        return { outputs: outcome.outputs, compiled: sessionFor(native, outcome.trace) };
      } catch (e) {
        return { outputs: outcome.outputs, declined: firstLineOf(e) };
      }
    },
  };
}

/** Write the trace's SavedModel to a temporary directory, load it, and remove the directory (the session keeps the graph). */
function sessionFor(native: TraceableBackend, trace: OpTrace): CompiledStep {
  const model = stepSavedModel(trace, native.binding);
  const dir = mkdtempSync(join(tmpdir(), "pastiche-step-"));
  let session: number;
  try {
    writeFileSync(join(dir, "saved_model.pb"), model.bytes);
    session = native.loadSavedModelMetaGraph(dir, STEP_TAG);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const captured = model.capturedIds.map((id) => trace.captured.get(id)!);
  const { shape, dtype } = trace.argument.tensor;
  const feeds = model.feeds.join(",");
  const fetches = model.fetches.join(",");
  let disposed = false;
  return {
    run(x) {
      if (disposed) throw new Error("compiled step used after dispose()");
      if (x.dtype !== dtype || x.shape.some((d, i) => d !== shape[i]))
        throw new Error(`compiled step traced at ${shape.join("×")} called at ${x.shape.join("×")}`);
      const ids = [native.getInputTensorIds([x])[0]!];
      for (const t of captured) {
        if (!native.tensorMap.has(t.dataId)) throw new Error("a tensor the compiled step reads (weights or targets) was disposed before the step");
        ids.push(native.tensorMap.get(t.dataId).id);
      }
      return native.binding.runSavedModel(session, ids, feeds, fetches).map((m) => native.createOutputTensor(m));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      native.binding.deleteSavedModel(session);
    },
  };
}
