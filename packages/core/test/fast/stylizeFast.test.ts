import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BottleneckCache,
  PasticheError,
  stylizeFast,
  untilDone,
  type ArbitraryStyleModels,
  type BottleneckCache as Cache,
  type FastEvent,
  type FastOptionsInput,
  type RgbImage,
} from "../../src/index.js";
import { blendBottlenecks, interpolateBottleneck } from "../../src/fast/bottleneck.js";
import { hashRgbImage } from "../../src/fast/imageHash.js";
import { paddedSide, withPaddedInput } from "../../src/fast/padding.js";
import { prepareStyleImage } from "../../src/fast/preprocess.js";

/**
 * Stand-in networks: the "bottleneck" is the image's mean colour (3 values), and the "transfer"
 * fills the image with that colour. Enough to check sizes, blending, strength and caching.
 */
class FakeModels implements ArbitraryStyleModels {
  readonly id = "fake";
  predictorCalls = 0;
  transferShapes: number[][] = [];
  predictStyle(style: tf.Tensor4D): tf.Tensor4D {
    this.predictorCalls++;
    return tf.mean(style, [1, 2], true);
  }
  transfer(content: tf.Tensor4D, bottleneck: tf.Tensor4D): tf.Tensor4D {
    // As the real models do: the network sees multiples of 4.
    return withPaddedInput(content, (x) => {
      this.transferShapes.push(x.shape);
      return tf.add(tf.mul(x, 0), bottleneck);
    });
  }
  dispose(): void {}
}

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = rgb[i % 3]!;
  return { width, height, data };
}

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe("bottleneck maths", () => {
  it("blends with normalised weights and interpolates towards the content", () => {
    expect(Array.from(blendBottlenecks([Float32Array.of(0, 4), Float32Array.of(4, 0)], [3, 1]))).toEqual([1, 3]);
    expect(Array.from(interpolateBottleneck(Float32Array.of(10, 0), Float32Array.of(0, 10), 0.25))).toEqual([2.5, 7.5]);
    expect(() => blendBottlenecks([Float32Array.of(1)], [0])).toThrow(RangeError);
  });

  it("hashes content, not identity", () => {
    const a = solid(4, 3, [1, 2, 3]);
    expect(hashRgbImage(a)).toBe(hashRgbImage({ ...a, data: a.data.slice() }));
    const b = { ...a, data: a.data.slice() };
    b.data[7] = 99;
    expect(hashRgbImage(b)).not.toBe(hashRgbImage(a));
    expect(hashRgbImage({ width: 3, height: 4, data: a.data })).not.toBe(hashRgbImage(a));
    expect(hashRgbImage(a)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("the LRU cache evicts the least recently used", () => {
    const c = new BottleneckCache(2);
    c.set("a", Float32Array.of(1));
    c.set("b", Float32Array.of(2));
    c.get("a");
    c.set("c", Float32Array.of(3));
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")).toBeDefined();
    expect(c.size).toBe(2);
  });
});

describe("prepareStyleImage", () => {
  it("scales the short side to the style size and crops the centre", async () => {
    // 8×4: left half black, right half white; short side 4 → 2 gives 4×2, centre crop 2×2.
    const data = new Uint8Array(8 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) for (let c = 0; c < 3; c++) data[(y * 8 + x) * 3 + c] = x < 4 ? 0 : 255;
    const t = prepareStyleImage({ width: 8, height: 4, data }, 2);
    expect(t.shape).toEqual([1, 2, 2, 3]);
    const v = await t.data();
    expect(v[0]).toBeCloseTo(0, 5); // left column from the black half
    expect(v[3]).toBeCloseTo(1, 5); // right column from the white half
    t.dispose();
  });
});

/** The done event of a run, options given beside the models (as these tests were first written). */
function fast(content: RgbImage, styles: RgbImage[], args: FastOptionsInput & { models: ArbitraryStyleModels; cache?: Cache | null; signal?: AbortSignal }) {
  const { models, cache, signal, ...options } = args;
  return untilDone(stylizeFast({ content, styles, models, options, ...(cache !== undefined ? { cache } : {}), ...(signal ? { signal } : {}) }));
}

describe("stylizeFast", () => {
  it("yields start, one step per network pass, then done with the image (the shape of a Gatys run)", async () => {
    const events: FastEvent[] = [];
    const red = solid(16, 16, [255, 0, 0]);
    for await (const e of stylizeFast({
      content: solid(40, 20, [0, 0, 0]),
      styles: [red, red],
      models: new FakeModels(),
      options: { size: 32, strength: 0.5 },
      cache: null,
    }))
      events.push(e);
    expect(events.map((e) => (e.type === "step" ? `${e.kind} ${e.step}/${e.steps}` : e.type))).toEqual([
      "start",
      "predict 1/4",
      "predict 2/4",
      "predict 3/4",
      "transfer 4/4",
      "done",
    ]);
    expect(events[0]).toMatchObject({ type: "start", width: 32, height: 16, steps: 4 });
    const done = events.at(-1)!;
    expect(done.type === "done" && [done.image.width, done.image.height]).toEqual([32, 16]);
  });

  it("pads the content to multiples of 4 for the network and returns it at its own size", async () => {
    const models = new FakeModels();
    const r = await fast(solid(37, 21, [10, 20, 30]), [solid(50, 40, [200, 100, 0])], { models, cache: null });
    expect([r.image.width, r.image.height]).toEqual([37, 21]);
    expect(models.transferShapes).toEqual([[1, paddedSide(21), paddedSide(37), 3]]);
    expect(Array.from(r.image.data.slice(0, 3))).toEqual([200, 100, 0]);
    expect(r.predictorRuns).toBe(1);
    expect(r.timings.totalMs).toBeGreaterThanOrEqual(r.timings.transferMs);
  });

  it("resizes to `size` on the longer side", async () => {
    const r = await fast(solid(40, 20, [0, 0, 0]), [solid(8, 8, [1, 1, 1])], { models: new FakeModels(), size: 64, cache: null });
    expect([r.image.width, r.image.height]).toEqual([64, 32]);
  });

  it("strength mixes with the content's own bottleneck; blend weights average the styles", async () => {
    const models = new FakeModels();
    const content = solid(16, 16, [0, 0, 0]);
    const red = solid(16, 16, [255, 0, 0]);
    const blue = solid(16, 16, [0, 0, 255]);
    const half = await fast(content, [red], { models, strength: 0.5, cache: null });
    expect(Array.from(half.image.data.slice(0, 3))).toEqual([128, 0, 0]);
    const none = await fast(content, [red], { models, strength: 0, cache: null });
    expect(Array.from(none.image.data.slice(0, 3))).toEqual([0, 0, 0]);
    const blend = await fast(content, [red, blue], { models, styleBlendWeights: [3, 1], cache: null });
    expect(Array.from(blend.image.data.slice(0, 3))).toEqual([191, 0, 64]);
  });

  it("a second run with the same style image skips the predictor", async () => {
    const models = new FakeModels();
    const style = solid(20, 20, [5, 6, 7]);
    const first = await fast(solid(16, 16, [0, 0, 0]), [style], { models });
    const second = await fast(solid(24, 16, [9, 9, 9]), [{ ...style, data: style.data.slice() }], { models });
    expect([first.predictorRuns, second.predictorRuns]).toEqual([1, 0]);
    expect(models.predictorCalls).toBe(1);
    const other = await fast(solid(16, 16, [0, 0, 0]), [solid(20, 20, [5, 6, 8])], { models });
    expect(other.predictorRuns).toBe(1);
  });

  it("validates its options and inputs with one-line errors", async () => {
    const models = new FakeModels();
    const img = solid(16, 16, [0, 0, 0]);
    const code = async (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => "none",
        (e: unknown) => (e instanceof PasticheError ? e.code : String(e)),
      );
    expect(await code(fast(img, [img], { models, strength: 1.5 }))).toBe("INVALID_OPTION");
    expect(await code(fast(img, [], { models }))).toBe("INVALID_OPTION");
    expect(await code(fast(img, [img], { models, styleBlendWeights: [1, 2] }))).toBe("INVALID_OPTION");
    expect(await code(fast(solid(5, 30, [0, 0, 0]), [img], { models }))).toBe("INVALID_IMAGE");
    const ac = new AbortController();
    ac.abort();
    expect(await code(fast(img, [img], { models, signal: ac.signal }))).toBe("ABORTED");
  });
});
