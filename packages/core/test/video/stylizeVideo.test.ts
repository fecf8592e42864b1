import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import {
  fastVideoPainter,
  disposeWeightMap,
  flickerOf,
  gatysVideoPainter,
  stylizeVideo,
  type ArbitraryStyleModels,
  type FlowField,
  type FramePairFlow,
  type RgbImage,
  type VideoEvent,
  type VideoFrameInput,
} from "../../src/index.js";
import { withPaddedInput } from "../../src/fast/padding.js";
import { syntheticVggWeights, testImage } from "../helpers/syntheticVgg.js";

/** A network that paints the content plus fresh noise every call: frame-by-frame output flickers. */
class NoisyModels implements ArbitraryStyleModels {
  readonly id = "noisy";
  private calls = 0;
  predictStyle(style: tf.Tensor4D): tf.Tensor4D {
    return tf.mean(style, [1, 2], true);
  }
  transfer(content: tf.Tensor4D): tf.Tensor4D {
    const seed = ++this.calls;
    return withPaddedInput(content, (x) => tf.clipByValue(tf.add(x, tf.randomUniform(x.shape, -0.3, 0.3, "float32", seed)), 0, 1) as tf.Tensor4D);
  }
  dispose(): void {}
}

const W = 32;
const H = 24;
const uniform = (dx: number, dy: number): FlowField => {
  const data = new Float32Array(W * H * 2);
  for (let i = 0; i < W * H; i++) {
    data[2 * i] = dx;
    data[2 * i + 1] = dy;
  }
  return { width: W, height: H, data };
};
/** A pan: frame t shows the scene moved 1 px left, so each pixel was 1 px to the right in the previous frame. */
const panFlow: FramePairFlow = { forward: uniform(-1, 0), backward: uniform(1, 0) };
const panFrames = (n: number, withFlow: boolean): VideoFrameInput[] =>
  Array.from({ length: n }, (_, t) => ({ image: testImage(W, H, t), ...(withFlow && t > 0 ? { flow: panFlow } : {}) }));

async function frames(events: AsyncIterable<VideoEvent>): Promise<{ images: RgbImage[]; done: Extract<VideoEvent, { type: "done" }> }> {
  const images: RgbImage[] = [];
  let done: Extract<VideoEvent, { type: "done" }> | undefined;
  for await (const e of events) {
    if (e.type === "frame") images.push(e.image);
    else done = e;
  }
  return { images, done: done! };
}

describe("stylizeVideo with the fast painter", () => {
  const style = testImage(16, 16, 3);

  it("flickers less with temporal consistency than frame by frame, and leaves no tensors behind", async () => {
    const flows = panFrames(6, true).map((f) => f.flow);
    const before = tf.memory().numTensors;
    const alone = await frames(
      stylizeVideo({
        frames: panFrames(6, false),
        painter: await fastVideoPainter({ models: new NoisyModels(), styles: [style], temporalWeight: 0, cache: null }),
      }),
    );
    const held = await frames(
      stylizeVideo({
        frames: panFrames(6, true),
        painter: await fastVideoPainter({ models: new NoisyModels(), styles: [style], temporalWeight: 0.8, cache: null }),
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(alone.images).toHaveLength(6);
    expect(held.done).toMatchObject({ type: "done", frames: 6, stopped: false });
    const [fAlone, fHeld] = [await flickerOf(alone.images, flows), await flickerOf(held.images, flows)];
    expect(fHeld).toBeLessThan(fAlone * 0.6);
  });

  it("reports how much of each frame the flow held, and stops between frames on abort", async () => {
    const controller = new AbortController();
    const painter = await fastVideoPainter({ models: new NoisyModels(), styles: [style], temporalWeight: 0.5, cache: null });
    const seen: VideoEvent[] = [];
    for await (const e of stylizeVideo({ frames: panFrames(5, true), painter, signal: controller.signal })) {
      seen.push(e);
      if (e.type === "frame" && e.index === 1) controller.abort();
    }
    const frameEvents = seen.filter((e) => e.type === "frame");
    expect(frameEvents.map((e) => e.index)).toEqual([0, 1]);
    expect(frameEvents[0]!.reliable).toBe(0);
    // All but the last column (whose source left the frame) hold.
    expect(frameEvents[1]!.reliable).toBeCloseTo((W - 1) / W, 5);
    expect(seen.at(-1)).toMatchObject({ type: "done", frames: 2, stopped: true });
  });

  it("refuses a flow of the wrong size naming the frame", async () => {
    const painter = await fastVideoPainter({ models: new NoisyModels(), styles: [style], temporalWeight: 0.5, cache: null });
    const bad = [
      { image: testImage(W, H, 0) },
      { image: testImage(W, H, 1), flow: { forward: { width: 2, height: 2, data: new Float32Array(8) }, backward: panFlow.backward } },
    ];
    await expect(frames(stylizeVideo({ frames: bad, painter }))).rejects.toThrow(/forward flow into frame 2: expected a 32x24 flow field/);
  });
});

describe("stylizeVideo with the Gatys painter (Ruder et al.)", () => {
  it("adds the temporal loss on later frames and leaves no tensors behind", async () => {
    const weights = syntheticVggWeights("block3_conv1");
    const options = { contentLayers: ["block2_conv2"], styleLayers: ["block1_conv1", "block2_conv1"], iterations: 3, scales: "off" as const };
    const before = tf.memory().numTensors;
    const temporal: (number | undefined)[] = [];
    const painter = gatysVideoPainter({
      weights,
      styles: [testImage(16, 16, 5)],
      options,
      frameIterations: 2,
      temporalWeight: 1,
      onEvent: (e) => {
        if (e.type === "done") temporal.push(e.losses?.temporal);
      },
    });
    const { images } = await frames(stylizeVideo({ frames: panFrames(3, true), painter }));
    // The style's Grams were computed for the first frame and reused by the two later ones.
    expect([painter.styleTargets.computed, painter.styleTargets.reused]).toEqual([1, 2]);
    painter.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(images).toHaveLength(3);
    expect(temporal[0]).toBeUndefined();
    expect(temporal[1]).toBeGreaterThan(0);
    expect(temporal[2]).toBeGreaterThan(0);
    disposeWeightMap(weights);
  });
});
