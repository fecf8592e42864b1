import * as tf from "@tensorflow/tfjs-core";
import { afterEach, describe, expect, it } from "vitest";
import { compileStep } from "../src/compile/compiledStep.js";
import { registerStepCompiler, unregisterStepCompiler, type StepCompiler, type TensorStep } from "../src/compile/stepCompiler.js";

/** A compiler that "compiles" by calling the step, counting what the wrapper asks of it. */
function countingCompiler(decline?: (x: tf.Tensor4D) => string | undefined) {
  const counts = { traces: 0, runs: 0, disposed: 0 };
  const compiler: StepCompiler = {
    trace(step, x) {
      counts.traces++;
      const outputs = step(x);
      const why = decline?.(x);
      if (why) return { outputs, declined: why };
      return {
        outputs,
        compiled: {
          run: (y) => {
            counts.runs++;
            return step(y);
          },
          dispose: () => counts.disposed++,
        },
      };
    },
  };
  return { compiler, counts };
}

const double: TensorStep = (x) => [tf.mul(x, 2), tf.sum(x)];

describe("compileStep", () => {
  afterEach(() => {
    unregisterStepCompiler(tf.getBackend());
  });

  it("is the step itself when the backend registered no compiler", () => {
    let calls = 0;
    const step = compileStep((x) => {
      calls++;
      return double(x);
    });
    const x = tf.ones<tf.Rank.R4>([1, 2, 2, 3]);
    const [y, s] = step(x);
    expect(Array.from(y!.dataSync())).toEqual(new Array(12).fill(2));
    expect(s!.dataSync()[0]).toBe(12);
    expect(calls).toBe(1);
    expect(step.declined).toBeUndefined();
    tf.dispose([x, y!, s!]);
    step.dispose();
  });

  it("traces the first call at a shape (returning its outputs) and replays the graph after that", () => {
    const { compiler, counts } = countingCompiler();
    registerStepCompiler(tf.getBackend(), compiler);
    const step = compileStep(double);
    const x = tf.fill<tf.Rank.R4>([1, 2, 2, 3], 3);
    const first = step(x);
    expect(counts).toEqual({ traces: 1, runs: 0, disposed: 0 });
    expect(first[1]!.dataSync()[0]).toBe(36);
    const second = step(x);
    const third = step(x);
    expect(counts).toEqual({ traces: 1, runs: 2, disposed: 0 });
    expect(third[1]!.dataSync()[0]).toBe(36);
    tf.dispose([x, ...first, ...second, ...third]);
    step.dispose();
    expect(counts.disposed).toBe(1);
  });

  it("traces each new shape once and disposes every graph it made", () => {
    const { compiler, counts } = countingCompiler();
    registerStepCompiler(tf.getBackend(), compiler);
    const step = compileStep(double);
    const a = tf.ones<tf.Rank.R4>([1, 2, 2, 3]);
    const b = tf.ones<tf.Rank.R4>([1, 4, 2, 3]);
    const outs = [a, b, a, b, a].flatMap((x) => step(x));
    expect(counts).toEqual({ traces: 2, runs: 3, disposed: 0 });
    step.dispose();
    expect(counts.disposed).toBe(2);
    tf.dispose([a, b, ...outs]);
  });

  it("runs a declined shape eagerly from then on, saying why, and still traces other shapes", () => {
    const { compiler, counts } = countingCompiler((x) => (x.shape[1] === 2 ? "reads a tensor back" : undefined));
    registerStepCompiler(tf.getBackend(), compiler);
    let calls = 0;
    const step = compileStep((x) => {
      calls++;
      return double(x);
    });
    const small = tf.ones<tf.Rank.R4>([1, 2, 2, 3]);
    const outs = [...step(small), ...step(small), ...step(small)];
    expect(counts).toEqual({ traces: 1, runs: 0, disposed: 0 });
    expect(calls).toBe(3);
    expect(step.declined).toBe("reads a tensor back");
    const big = tf.ones<tf.Rank.R4>([1, 4, 4, 3]);
    outs.push(...step(big), ...step(big));
    expect(counts).toEqual({ traces: 2, runs: 1, disposed: 0 });
    step.dispose();
    expect(counts.disposed).toBe(1);
    tf.dispose([small, big, ...outs]);
  });

  it("runs a step called inside another step's trace eagerly (the outer trace records its ops)", () => {
    const { compiler, counts } = countingCompiler();
    registerStepCompiler(tf.getBackend(), compiler);
    const inner = compileStep(double);
    const outer = compileStep((x) => tf.tidy(() => inner(x)));
    const x = tf.ones<tf.Rank.R4>([1, 2, 2, 3]);
    const outs = outer(x);
    expect(counts).toEqual({ traces: 1, runs: 0, disposed: 0 }); // the outer trace only
    expect(outs[1]!.dataSync()[0]).toBe(12);
    inner.dispose();
    expect(counts.disposed).toBe(0);
    outer.dispose();
    expect(counts.disposed).toBe(1);
    tf.dispose([x, ...outs]);
  });

  it("goes back to the step itself, for good, when a replay throws", () => {
    let disposed = 0;
    let calls = 0;
    registerStepCompiler(tf.getBackend(), {
      trace: (step, x) => ({
        outputs: step(x),
        compiled: {
          run: () => {
            throw new Error("Session fail to run with error: no kernel\nmore detail");
          },
          dispose: () => disposed++,
        },
      }),
    });
    const step = compileStep((x) => {
      calls++;
      return double(x);
    });
    const x = tf.ones<tf.Rank.R4>([1, 2, 2, 3]);
    const outs = [...step(x), ...step(x), ...step(x)];
    expect(calls).toBe(3); // the trace, then the fallback after the failed replay, then eagerly
    expect(disposed).toBe(1);
    expect(step.declined).toBe("the graph failed: Session fail to run with error: no kernel");
    expect(outs[5]!.dataSync()[0]).toBe(12);
    step.dispose();
    expect(disposed).toBe(1);
    tf.dispose([x, ...outs]);
  });
});
