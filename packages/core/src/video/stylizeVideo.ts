import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import { assertRgbImage, type RgbImage } from "../image/rgbImage.js";
import { assertFlowField, type FlowField, type FramePairFlow } from "./flowField.js";
import { occlusionMask } from "./ops/occlusionMask.js";
import { warpByFlow } from "./ops/warpByFlow.js";

/** One input frame, with the flows between the previous input frame and it (absent for the first, or frame by frame). */
export interface VideoFrameInput {
  readonly image: RgbImage;
  readonly flow?: FramePairFlow;
}

/** The previous output warped into the current frame, and where that warp holds ([H, W, 3] and [H, W, 1]); borrowed. */
export interface WarpedPrevious {
  readonly warped: tf.Tensor3D;
  readonly mask: tf.Tensor3D;
}

/** How each frame is painted: `previous` is absent for the first frame and when there is no flow. */
export interface VideoPainter {
  /** Stylise `frame`, starting from (or blending with) the warped previous output when there is one. */
  paint(frame: RgbImage, previous: WarpedPrevious | undefined): Promise<RgbImage>;
  /** Frees what the painter keeps across frames (e.g. style targets); called by whoever made it, once the clip ends. */
  dispose?(): void;
}

/** What {@link stylizeVideo} stylises: frames (with their optical flow) and the painter that stylises each one. */
export interface VideoInput {
  readonly frames: AsyncIterable<VideoFrameInput> | Iterable<VideoFrameInput>;
  readonly painter: VideoPainter;
  /** Resuming: the output of the frame before the first one given (which then carries the flow from it). */
  readonly previousOutput?: RgbImage;
  /** Index of the first frame given (resuming); default 0. */
  readonly firstIndex?: number;
  /** Checked between frames: the frame being painted is finished, then the stream ends with `stopped`. */
  readonly signal?: AbortSignal;
}

/** What {@link stylizeVideo} yields: one "frame" per stylised frame, then "done" (`stopped` when the signal ended it early). */
export type VideoEvent =
  | {
      readonly type: "frame";
      readonly index: number;
      readonly image: RgbImage;
      /** Share of the frame's pixels where the flow held (the previous output was used); 0 for the first. */
      readonly reliable: number;
      readonly elapsedMs: number;
    }
  | { readonly type: "done"; readonly frames: number; readonly stopped: boolean; readonly elapsedMs: number };

/** An RgbImage as a [H, W, 3] tensor in 0–1. */
export function rgbImageToTensor3d(image: RgbImage): tf.Tensor3D {
  return tf.tidy(() => tf.div<tf.Tensor3D>(tf.tensor3d(image.data, [image.height, image.width, 3], "int32"), 255));
}

/** A flow field as a [H, W, 2] tensor. */
export function flowToTensor(flow: FlowField): tf.Tensor3D {
  return tf.tensor3d(flow.data, [flow.height, flow.width, 2], "float32");
}

/**
 * Video style transfer as an async iterable: each input frame is painted by `painter` (the fast
 * network or a Gatys run), given the previous output warped along the backward flow and the
 * forward–backward occlusion mask, so that consecutive outputs agree where the scene does
 * (Ruder et al. 2016). Yields one "frame" event per output frame, in order, then "done".
 *
 * The only tensors alive between frames are the warped previous output and its mask, created and
 * released here.
 */
export async function* stylizeVideo(input: VideoInput): AsyncGenerator<VideoEvent, void, undefined> {
  const started = performance.now();
  let previous = input.previousOutput;
  let index = input.firstIndex ?? 0;
  let count = 0;
  let stopped = false;
  for await (const frame of input.frames) {
    if (input.signal?.aborted) {
      stopped = true;
      break;
    }
    assertRgbImage(frame.image, `frame ${index + 1}`);
    const { width, height } = frame.image;
    let warpedPrevious: WarpedPrevious | undefined;
    try {
      let reliable = 0;
      if (previous && frame.flow) {
        if (previous.width !== width || previous.height !== height) {
          throw new PasticheError("INVALID_IMAGE", `frame ${index + 1} is ${width}x${height}, the previous output ${previous.width}x${previous.height}`);
        }
        assertFlowField(frame.flow.forward, width, height, `forward flow into frame ${index + 1}`);
        assertFlowField(frame.flow.backward, width, height, `backward flow of frame ${index + 1}`);
        const prev = previous;
        const flow = frame.flow;
        warpedPrevious = tf.tidy(() => {
          const backward = flowToTensor(flow.backward);
          return { warped: warpByFlow(rgbImageToTensor3d(prev), backward), mask: occlusionMask(flowToTensor(flow.forward), backward) };
        });
        const share = tf.mean(warpedPrevious.mask);
        reliable = (await share.data())[0]!;
        share.dispose();
      }
      const image = await input.painter.paint(frame.image, warpedPrevious);
      previous = image;
      yield { type: "frame", index, image, reliable, elapsedMs: performance.now() - started };
    } finally {
      if (warpedPrevious) tf.dispose([warpedPrevious.warped, warpedPrevious.mask]);
    }
    index++;
    count++;
  }
  yield { type: "done", frames: count, stopped, elapsedMs: performance.now() - started };
}
