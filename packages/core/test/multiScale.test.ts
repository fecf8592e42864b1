import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { disposeWeightMap, planStages, stageIterations, stylizeGatys, type StylizeEvent } from "../src/index.js";
import { scaleSizes } from "../src/gatys/plan.js";
import { SHALLOW_RUN_OPTIONS, syntheticVggWeights, testImage } from "./helpers/syntheticVgg.js";

const weights = syntheticVggWeights("block2_conv1");
afterAll(() => {
  disposeWeightMap(weights);
});
const small = SHALLOW_RUN_OPTIONS;
const content = testImage(40, 30);
const style = testImage(24, 24, 9);

describe("scale sizes", () => {
  it("auto: from minSize to the target, each step at most √2", () => {
    expect(scaleSizes(512, 128, "auto")).toEqual([128, 181, 256, 362, 512]);
    const sizes = scaleSizes(500, 128, "auto");
    expect(sizes[0]).toBe(128);
    expect(sizes.at(-1)).toBe(500);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]! / sizes[i - 1]!).toBeLessThanOrEqual(Math.SQRT2 + 0.01);
  });
  it("a number: that many stages, geometrically spaced; off or a small target: one", () => {
    expect(scaleSizes(512, 128, 3)).toEqual([128, 256, 512]);
    expect(scaleSizes(512, 128, 1)).toEqual([512]);
    expect(scaleSizes(512, 128, "off")).toEqual([512]);
    expect(scaleSizes(100, 128, "auto")).toEqual([100]);
    // auto (the default) starts above twice minSize: 256 px stays one scale, 257 px does not.
    expect(scaleSizes(256, 128, "auto")).toEqual([256]);
    expect(scaleSizes(257, 128, "auto")).toEqual([128, 161, 204, 257]);
  });
  it("iterations are a budget in full-size iterations: two thirds at the top, the rest by stage side", () => {
    const stages = planStages(512, 512, { minSize: 128, scales: "auto" });
    const its = stageIterations(stages, { iterations: 30 });
    expect(its).toEqual([5, 7, 9, 13, 20]);
    const cost = its.reduce((sum, n, i) => sum + (n * stages[i]!.width ** 2) / 512 ** 2, 0);
    expect(cost).toBeGreaterThan(29);
    expect(cost).toBeLessThan(31.5);
    expect(stageIterations(stages, { iterations: 30, iterationsPerScale: 4 })).toEqual([4, 4, 4, 4, 4]);
    expect(stageIterations(stages, { iterations: 30, iterationsPerScale: [9, 8, 7, 6, 5] })).toEqual([9, 8, 7, 6, 5]);
    expect(() => stageIterations(stages, { iterations: 30, iterationsPerScale: [9, 8] })).toThrow(
      /2 iterations per scale for 5 scales \(128, 181, 256, 362, 512 px\)/,
    );
    expect(stageIterations(planStages(200, 100, { minSize: 128, scales: "auto" }), { iterations: 30 })).toEqual([30]);
  });
  it("stages keep the output's aspect ratio", () => {
    expect(planStages(40, 30, { minSize: 20, scales: 2 })).toEqual([
      { index: 0, count: 2, width: 20, height: 15 },
      { index: 1, count: 2, width: 40, height: 30 },
    ]);
  });
});

describe("multi-scale stylizeGatys", () => {
  const collect = async (options: object, signal?: AbortSignal, stopAt?: number, controller?: AbortController) => {
    const events: StylizeEvent[] = [];
    for await (const e of stylizeGatys({ content, styles: [style], weights, options: { ...small, ...options }, ...(signal ? { signal } : {}) })) {
      events.push(e);
      if (e.type === "iteration" && e.iteration === stopAt) controller?.abort();
    }
    return events;
  };

  it("runs each stage at its size in order, numbers iterations across stages, ends at full size", async () => {
    const events = await collect({ scales: 3, minSize: 20, iterationsPerScale: 2, previewEvery: 1 });
    expect(events.map((e) => e.type)).toEqual(["start", ...Array<string>(6).fill("iteration"), "done"]);
    const start = events[0]!;
    if (start.type !== "start") throw new Error("no start");
    expect(start).toMatchObject({ width: 40, height: 30, iterations: 6 });
    expect(start.stages?.map((s) => [s.width, s.height])).toEqual([
      [20, 15],
      [28, 21],
      [40, 30],
    ]);
    const its = events.filter((e) => e.type === "iteration");
    expect(its.map((e) => e.iteration)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(its.map((e) => e.stage?.index)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(its.map((e) => e.iterations)).toEqual(Array<number>(6).fill(6));
    // Previews are at the stage's size; a stage's last iteration has none (its result is the next stage's start).
    expect(its.map((e) => e.preview?.width)).toEqual([20, undefined, 28, undefined, 40, undefined]);
    expect(its.at(-2)!.etaMs).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ type: "done", iterations: 6, aborted: false, image: { width: 40, height: 30 } });
  });

  it("does not leak tensors across stages", async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    // Adam's state has a fixed size, so the count is steady within a stage (L-BFGS's history grows: checked below).
    for await (const e of stylizeGatys({
      content,
      styles: [style],
      weights,
      options: { ...small, scales: 2, minSize: 20, iterationsPerScale: 4, averaging: 0.9 },
    })) {
      if (e.type === "iteration" && (e.iteration === 3 || e.iteration === 4 || e.iteration === 7 || e.iteration === 8)) counts.push(tf.memory().numTensors);
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[2]).toBe(counts[3]);
    expect(tf.memory().numTensors).toBe(before);
    // The default optimiser (L-BFGS with a backtracking line search) frees its history with each stage.
    for await (const e of stylizeGatys({
      content,
      styles: [style],
      weights,
      options: { ...small, optimizer: "auto", scales: 2, minSize: 20, iterationsPerScale: 4 },
    })) {
      if (e.type === "done") expect(e.aborted).toBe(false);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("resizes style masks to each stage, without leaking", async () => {
    const before = tf.memory().numTensors;
    const events: StylizeEvent[] = [];
    const mask = testImage(8, 8, 5);
    for await (const e of stylizeGatys({
      content,
      styles: [style],
      styleMasks: [mask],
      weights,
      options: { ...small, scales: 2, minSize: 20, iterationsPerScale: 2 },
    }))
      events.push(e);
    expect(events.at(-1)).toMatchObject({ type: "done", iterations: 4, image: { width: 40, height: 30 } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("an abort in an early stage still ends with a full-size done event", async () => {
    const controller = new AbortController();
    const events = await collect({ scales: 3, minSize: 20, iterationsPerScale: 3 }, controller.signal, 2, controller);
    expect(events.at(-1)).toMatchObject({ type: "done", iterations: 2, aborted: true, image: { width: 40, height: 30 } });
  });

  it("scales off is the single-scale run", async () => {
    const final = async (options: object) => {
      const done = (await collect({ iterations: 2, seed: 1, ...options })).at(-1)!;
      return done.type === "done" ? done.image.data : undefined;
    };
    expect(await final({ scales: "off" })).toEqual(await final({}));
  });
});
