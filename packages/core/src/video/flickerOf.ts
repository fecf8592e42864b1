import * as tf from "@tensorflow/tfjs-core";
import type { RgbImage } from "../image/rgbImage.js";
import type { FramePairFlow } from "./flowField.js";
import { flicker } from "./ops/flicker.js";
import { occlusionMask } from "./ops/occlusionMask.js";
import { warpByFlow } from "./ops/warpByFlow.js";
import { flowToTensor, rgbImageToTensor3d } from "./stylizeVideo.js";

/**
 * The flicker of a stylised clip: the mean over consecutive pairs of mean |S_t − warp(S_{t−1})|
 * over the pixels where the input's flow holds (`flows[t]` between input frames t−1 and t;
 * `flows[0]` is unused), in 0–1 units of intensity.
 */
export async function flickerOf(outputs: readonly RgbImage[], flows: readonly (FramePairFlow | undefined)[]): Promise<number> {
  let sum = 0;
  let pairs = 0;
  for (let t = 1; t < outputs.length; t++) {
    const flow = flows[t];
    if (!flow) continue;
    const value = tf.tidy(() => {
      const backward = flowToTensor(flow.backward);
      const warped = warpByFlow(rgbImageToTensor3d(outputs[t - 1]!), backward);
      return flicker(rgbImageToTensor3d(outputs[t]!), warped, occlusionMask(flowToTensor(flow.forward), backward));
    });
    sum += (await value.data())[0]!;
    value.dispose();
    pairs++;
  }
  return pairs === 0 ? 0 : sum / pairs;
}
