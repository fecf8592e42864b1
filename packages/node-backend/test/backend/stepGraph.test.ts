import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import {
  VggFeatureExtractor,
  compileStep,
  getStepCompiler,
  parseGatysOptions,
  registerStepCompiler,
  unregisterStepCompiler,
  type TensorStep,
} from "@pastiche/core";
import { wholeImageObjective } from "@pastiche/core/internal";
import { initBackend } from "../../src/index.js";
import { maxRelDiff, vggWeights } from "./tensorHelpers.js";

// Runs on the backend the suite runs on; the graph exists on tfjs-node only.
const backend = await initBackend();
const native = backend.name === "tensorflow";

/** `run` with the backend's step compiler switched off: the op-by-op reference. */
function eagerly<T>(run: () => T): T {
  const compiler = getStepCompiler("tensorflow");
  unregisterStepCompiler("tensorflow");
  try {
    return run();
  } finally {
    if (compiler) registerStepCompiler("tensorflow", compiler);
  }
}

async function savedModelCount(): Promise<number> {
  const tfn = (await import("@tensorflow/tfjs-node")) as unknown as { node: { getNumOfSavedModels(): number } };
  return tfn.node.getNumOfSavedModels();
}

describe.runIf(native)("a Gatys step as one TensorFlow graph (tfjs-node)", () => {
  const kernel = tf.randomNormal<tf.Rank.R4>([3, 3, 3, 8], 0, 0.3, "float32", 1);
  // A conv, a JS-created constant, a reduction and the gradient: what a Gatys evaluation is made of.
  const step: TensorStep = (x) =>
    tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad((t: tf.Tensor4D) => tf.sum(tf.square(tf.sub(tf.relu(tf.conv2d(t, kernel, 1, "same")), tf.scalar(0.25)))))(x);
      return [value, grad];
    });

  it("replays the traced evaluation with the eager values, leaking no tensor and freeing its session", async () => {
    const sessions = await savedModelCount();
    const compiled = compileStep(step);
    const x = tf.randomUniform<tf.Rank.R4>([1, 9, 7, 3], 0, 1, "float32", 2);
    const [traced, tracedGrad] = compiled(x); // the trace is a real (eager) call
    expect(await savedModelCount()).toBe(sessions + 1);
    const before = tf.memory().numTensors;
    for (const seed of [3, 4, 5]) {
      const y = tf.randomUniform<tf.Rank.R4>([1, 9, 7, 3], 0, 1, "float32", seed);
      const [value, grad] = compiled(y);
      const [eagerValue, eagerGrad] = eagerly(() => step(y));
      expect(maxRelDiff(value!, eagerValue!)).toBeLessThan(1e-6);
      expect(maxRelDiff(grad!, eagerGrad!)).toBeLessThan(1e-6);
      expect(grad!.shape).toEqual([1, 9, 7, 3]);
      tf.dispose([y, value!, grad!, eagerValue!, eagerGrad!]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(compiled.declined).toBeUndefined();
    compiled.dispose();
    expect(await savedModelCount()).toBe(sessions);
    tf.dispose([x, traced!, tracedGrad!]);
  });

  it("equals the op-by-op objective: loss, gradient and terms of a VGG19 Gatys evaluation", async () => {
    const sessions = await savedModelCount();
    const weights = vggWeights("block5_conv2", 11);
    const options = parseGatysOptions({ size: 64, scales: "off", tileSize: "off" });
    const style = { width: 64, height: 48, data: Uint8Array.from({ length: 64 * 48 * 3 }, (_, i) => (i * 37) % 256) };
    const content = tf.randomUniform<tf.Rank.R4>([1, 48, 64, 3], 0, 1, "float32", 6);
    const extractor = new VggFeatureExtractor(weights, { layers: [...options.contentLayers, ...options.styleLayers] });
    const graphObjective = wholeImageObjective({ extractor, content, styles: [style], options });
    const eagerObjective = eagerly(() => wholeImageObjective({ extractor, content, styles: [style], options }));
    try {
      for (const seed of [7, 8, 9]) {
        const x = tf.randomUniform<tf.Rank.R4>([1, 48, 64, 3], 0, 1, "float32", seed);
        const g = graphObjective.evaluate(x);
        const gTerms = graphObjective.takeTerms();
        expect(await savedModelCount()).toBe(sessions + 1); // one graph, traced by the first evaluation
        const e = eagerly(() => eagerObjective.evaluate(x));
        const eTerms = eagerObjective.takeTerms();
        expect(maxRelDiff(g.loss, e.loss)).toBeLessThan(1e-5);
        expect(maxRelDiff(g.grad, e.grad)).toBeLessThan(1e-5);
        expect(maxRelDiff(gTerms, eTerms)).toBeLessThan(1e-5);
        expect(g.loss.dataSync()[0]).toBeGreaterThan(0);
        tf.dispose([x, g.loss, g.grad, gTerms, e.loss, e.grad, eTerms]);
      }
    } finally {
      graphObjective.dispose();
      eagerObjective.dispose();
      expect(await savedModelCount()).toBe(sessions);
      extractor.dispose();
      content.dispose();
      for (const t of Object.values(weights)) t.dispose();
    }
  });

  it("declines a step that reads a tensor back to JS, which then runs op by op", async () => {
    const sessions = await savedModelCount();
    let calls = 0;
    const compiled = compileStep((x) => {
      calls++;
      const s = tf.sum(x);
      const positive = s.dataSync()[0]! > 0; // data-dependent control flow: no graph can hold it
      return [positive ? tf.mul(x, 2) : tf.neg(x), s];
    });
    const x = tf.ones<tf.Rank.R4>([1, 2, 2, 3]);
    const outs = [...compiled(x), ...compiled(x)];
    expect(compiled.declined).toMatch(/reads a tensor back/);
    expect(calls).toBe(2);
    expect(Array.from(outs[2]!.dataSync())).toEqual(new Array(12).fill(2));
    expect(await savedModelCount()).toBe(sessions);
    compiled.dispose();
    tf.dispose([x, ...outs]);
  });

  it("declines, and stays correct op by op, when the graph cannot be written (no writable temporary directory)", async () => {
    const sessions = await savedModelCount();
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = "/nonexistent/pastiche-test"; // os.tmpdir() reads it on every call
    try {
      const compiled = compileStep(step);
      const x = tf.randomUniform<tf.Rank.R4>([1, 5, 4, 3], 0, 1, "float32", 12);
      const [value, grad] = compiled(x);
      const [again] = compiled(x);
      expect(compiled.declined).toMatch(/ENOENT/);
      const [eagerValue, eagerGrad] = eagerly(() => step(x));
      expect(maxRelDiff(value!, eagerValue!)).toBe(0);
      expect(maxRelDiff(again!, eagerValue!)).toBe(0);
      expect(maxRelDiff(grad!, eagerGrad!)).toBe(0);
      expect(await savedModelCount()).toBe(sessions);
      compiled.dispose();
      tf.dispose([x, value!, grad!, again!, eagerValue!, eagerGrad!]);
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
  });

  it("does not replay once a tensor it reads is disposed: the graph says why, the step itself then fails as tfjs does", () => {
    const captured = tf.fill([1, 2, 2, 3], 5);
    const compiled = compileStep((x) => [tf.add(x, captured)]);
    const x = tf.ones<tf.Rank.R4>([1, 2, 2, 3]);
    const [first] = compiled(x);
    const [second] = compiled(x);
    expect(Array.from(second!.dataSync())).toEqual(new Array(12).fill(6));
    captured.dispose();
    expect(() => compiled(x)).toThrow(); // tfjs's own error for the disposed input ("Cannot read properties of undefined")
    expect(compiled.declined).toMatch(/^the graph failed: a tensor the compiled step reads \(weights or targets\) was disposed before the step$/);
    compiled.dispose();
    tf.dispose([x, first!, second!]);
  });

  it("passes through what a step returns as is: its image and a tensor it did not compute", () => {
    const kept = tf.fill([2, 3], 7);
    const compiled = compileStep((x) => [x, kept, tf.add(x, 1)]);
    const x = tf.ones<tf.Rank.R4>([1, 2, 2, 3]);
    const y = tf.fill<tf.Rank.R4>([1, 2, 2, 3], 4);
    const outs = [...compiled(x), ...compiled(y)];
    expect(compiled.declined).toBeUndefined();
    expect(Array.from(outs[3]!.dataSync())).toEqual(new Array(12).fill(4));
    expect(Array.from(outs[4]!.dataSync())).toEqual(new Array(6).fill(7));
    expect(Array.from(outs[5]!.dataSync())).toEqual(new Array(12).fill(5));
    compiled.dispose();
    tf.dispose([x, y, kept, ...outs]);
  });

  it("refuses an unknown PASTICHE_TF_GRAPH with a one-line typed error", async () => {
    await expect(initBackend(undefined, { PASTICHE_TF_GRAPH: "maybe" })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await expect(initBackend(undefined, { PASTICHE_TF_GRAPH: "maybe" })).rejects.toThrow(/^PASTICHE_TF_GRAPH: unknown value "maybe" \(use on or off\)$/);
    expect(backend.graph).toBe(true);
  });
});
