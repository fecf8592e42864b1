import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { disposeWeightMap, stylizeGatys, type StylizeEvent } from "../src/index.js";
import { IterateAverage } from "../src/optim/iterateAverage.js";
import { SHALLOW_RUN_OPTIONS, syntheticVggWeights, testImage } from "./helpers/syntheticVgg.js";

const weights = syntheticVggWeights("block2_conv1");
afterAll(() => {
  disposeWeightMap(weights);
});
const small = SHALLOW_RUN_OPTIONS;
const content = testImage(16, 12);
const style = testImage(20, 20, 9);

describe("IterateAverage", () => {
  it("is the bias-corrected exponential moving average of the updates", () => {
    const average = new IterateAverage(0.5);
    expect(average.value()).toBeUndefined();
    const xs = [2, 4, 8].map((v) => tf.fill<tf.Rank.R4>([1, 1, 1, 3], v));
    const got: number[] = [];
    for (const x of xs) {
      average.update(x);
      const v = average.value()!;
      got.push(v.dataSync()[0]!);
      v.dispose();
    }
    // Weights ∝ decay^(t−i)(1−decay), normalised by 1 − decay^t: 2; (1·2+2·4)/3; (2+2·4+4·8)/7.
    expect(got[0]).toBeCloseTo(2, 6);
    expect(got[1]).toBeCloseTo(10 / 3, 5);
    expect(got[2]).toBeCloseTo(42 / 7, 5);
    average.dispose();
    tf.dispose(xs);
  });

  it("in a run: the output is the average, different from the last iterate, with no tensor leak", async () => {
    const before = tf.memory().numTensors;
    const run = async (averaging: number) => {
      const counts: number[] = [];
      const events: StylizeEvent[] = [];
      for await (const e of stylizeGatys({ content, styles: [style], weights, options: { ...small, iterations: 6, averaging, previewEvery: 2 } })) {
        events.push(e);
        if (e.type === "iteration" && e.iteration >= 3) counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts).size).toBe(1);
      const done = events.at(-1)!;
      if (done.type !== "done") throw new Error("no done event");
      return done.image.data;
    };
    const plain = await run(0);
    expect(await run(0)).toEqual(plain);
    const averaged = await run(0.9);
    expect(averaged).not.toEqual(plain);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("refuses a decay outside [0, 1)", async () => {
    const iterate = stylizeGatys({ content, styles: [style], weights, options: { ...small, averaging: 1 } });
    await expect(iterate.next()).rejects.toThrow(/averaging/);
  });
});
