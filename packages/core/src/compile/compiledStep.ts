import * as tf from "@tensorflow/tfjs-core";
import { firstLineOf } from "../errors.js";
import { getStepCompiler, type CompiledStep, type TensorStep } from "./stepCompiler.js";

/** A step that runs as the active backend's graph where it can; `dispose` frees its graphs. */
export interface StepFunction {
  (x: tf.Tensor4D): tf.Tensor[];
  /** Why the compiler declined a shape (the latest such), which then runs eagerly; undefined when none was. */
  readonly declined: string | undefined;
  /** Free the graphs of every traced shape; the step itself stays usable (it traces again). */
  dispose(): void;
}

// A step traced inside another's trace would be recorded there op by op but replayed outside it: nested steps run eagerly.
let tracing = false;

/**
 * `step`, compiled by the active backend's {@link StepCompiler} when one is registered: the first
 * call at a given backend and image shape is traced (and returns its own outputs), later calls at
 * that shape replay the graph. A shape the compiler declines, or whose graph throws, runs eagerly
 * from then on, and so does a step called inside another's trace. Without a compiler (WASM, the browser) this is `step` itself.
 */
export function compileStep(step: TensorStep): StepFunction {
  const graphs = new Map<string, CompiledStep | "eager">();
  let declined: string | undefined;
  const run = ((x: tf.Tensor4D) => {
    const backend = tf.getBackend();
    const compiler = getStepCompiler(backend);
    if (!compiler || tracing) return step(x);
    const key = `${backend}:${x.dtype}:${x.shape.join("x")}`;
    const graph = graphs.get(key);
    if (graph === "eager") return step(x);
    if (graph) {
      try {
        return graph.run(x);
      } catch (e) {
        // A graph that fails where the op-by-op step might not (a kernel TensorFlow has only eagerly, memory):
        // this shape goes back to the step itself, which either works or says what is wrong.
        graph.dispose();
        graphs.set(key, "eager");
        declined = `the graph failed: ${firstLineOf(e)}`;
        return step(x);
      }
    }
    tracing = true;
    let traced;
    try {
      traced = compiler.trace(step, x);
    } finally {
      tracing = false;
    }
    if ("compiled" in traced) {
      graphs.set(key, traced.compiled);
    } else {
      graphs.set(key, "eager");
      declined = traced.declined;
    }
    return traced.outputs;
  }) as StepFunction;
  Object.defineProperty(run, "declined", { get: () => declined });
  run.dispose = () => {
    for (const g of graphs.values()) if (g !== "eager") g.dispose();
    graphs.clear();
  };
  return run;
}
