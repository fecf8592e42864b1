import { rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import {
  MIN_INPUT_SIDE,
  PasticheError,
  fastVideoPainter,
  gatysVideoPainter,
  parseVideoOptions,
  stylizeVideo,
  type FastOptions,
  type GatysOptions,
  type RgbImage,
  type VideoFrameInput,
  type VideoOptions,
  type VideoOptionsInput,
  type VideoPainter,
} from "@pastiche/core";
import { tempPathIn } from "../fs/atomicWrite.js";
import { assertWritableFile, readImage } from "../images/index.js";
import { cachedFastStyleModels, type FastModelsRequest } from "../pipeline/fastFromFiles.js";
import { cachedVgg19Weights } from "../pipeline/gatysFromFiles.js";
import { sha256File } from "../pipeline/runSettings.js";
import { decodeFrames } from "./decodeFrames.js";
import { VideoEncoder, videoFormatFromPath, type VideoFormat } from "./encodeVideo.js";
import { FrameStore } from "./frameStore.js";
import { framePairFlow } from "./opticalFlow.js";
import { probeVideo, type VideoInfo } from "./probeVideo.js";
import { expectedFrames, videoFrameSize } from "./videoSize.js";

/** How each frame is stylised: the Fast networks or Gatys optimisation. */
export type VideoMethod = "fast" | "gatys";

/** A video stylisation from files ({@link stylizeVideoFromFiles}): input, styles, output, method and options. */
export interface VideoFileRequest {
  readonly input: string;
  readonly styles: readonly string[];
  readonly output: string;
  readonly method: VideoMethod;
  readonly video?: VideoOptions | VideoOptionsInput;
  /** `--method fast`: the network's options (their `size` is ignored: frames come at the video's size). */
  readonly fast?: FastOptions;
  readonly fastModels?: FastModelsRequest;
  /** `--method gatys`: the first frame's run; later frames run `video.frameIterations` from the warped previous output. */
  readonly gatys?: GatysOptions;
  readonly vggWeightsPath?: string;
  /** Checked between frames: the current frame is finished and a playable partial video written. */
  readonly signal?: AbortSignal;
}

/** What {@link stylizeVideoFromFiles} yields: "start", then per-frame progress, then "done". */
export type VideoFileEvent =
  | {
      readonly type: "start";
      readonly width: number;
      readonly height: number;
      readonly fps: number;
      /** Frames the part asked should give (from its duration), when known. */
      readonly frames: number | undefined;
      readonly hasAudio: boolean;
      /** Gatys: frames kept from an interrupted run with the same settings. */
      readonly resumedFrames: number;
      readonly input: VideoInfo;
    }
  | {
      readonly type: "frame";
      readonly index: number;
      readonly frames: number | undefined;
      readonly reliable: number;
      readonly elapsedMs: number;
      /** Frames painted per second in this run so far (resumed frames not counted). */
      readonly fps: number;
      readonly etaMs: number | undefined;
    }
  | {
      readonly type: "done";
      readonly output: string;
      readonly frames: number;
      readonly stopped: boolean;
      readonly elapsedMs: number;
      readonly hasAudio: boolean;
    };

/**
 * `pastiche video`: decode the input's frames through ffmpeg (raw RGB over a pipe), compute the
 * optical flow between consecutive input frames (when temporal consistency is on), paint them with
 * core's `stylizeVideo`, and encode the result with the input's frame rate and audio. The output
 * appears only when complete (a temp file renamed into place); a stop (signal) ends with a
 * playable video of the frames finished so far.
 */
export async function* stylizeVideoFromFiles(request: VideoFileRequest): AsyncGenerator<VideoFileEvent, void, undefined> {
  const options = parseVideoOptions(request.video ?? {});
  const format = videoFormatFromPath(request.output);
  await assertWritableFile(request.output, [
    { path: request.input, role: "input video" },
    ...request.styles.map((path, i) => ({ path, role: `style image ${i + 1}` })),
  ]);
  const info = await probeVideo(request.input);
  const { width, height } = videoFrameSize(info, options.size);
  const fps = options.fps ?? info.fps;
  const total = expectedFrames(info, fps, options.start, options.duration, request.input);
  const clip = { path: request.input, width, height, fps, start: options.start, duration: options.duration };
  const audio = info.hasAudio && format !== "gif" ? { path: request.input, start: options.start, duration: options.duration } : undefined;
  const styles = await Promise.all(
    request.styles.map((p) => readImage(p, { minSide: MIN_INPUT_SIDE, ...(request.method === "gatys" ? { longestSide: Math.max(width, height) } : {}) })),
  );
  const consistent = options.temporalWeight > 0;

  // Gatys is slow per frame: finished frames are kept so a rerun continues (see FrameStore).
  const store = request.method === "gatys" ? await FrameStore.open(request.output, await runKey(request, options, width, height, fps)) : undefined;
  const resumed = store?.finished ?? 0;
  const previousOutput = resumed > 0 ? await store!.get(resumed - 1) : undefined;
  const painter = await makePainter(request, options, styles, previousOutput);
  yield { type: "start", width, height, fps, frames: total, hasAudio: audio !== undefined, resumedFrames: resumed, input: info };

  const tmp = tempPathIn(dirname(request.output));
  let encoder: VideoEncoder | undefined;
  const started = performance.now();
  let written = resumed;
  let stopped = false;
  try {
    // Fast streams straight into the encoder; Gatys writes frames to its store and encodes them at the end.
    const sink = async (index: number, image: RgbImage): Promise<void> => {
      if (store) return store.put(index, image);
      encoder ??= new VideoEncoder({ path: tmp, format, width, height, fps, audioFrom: audio });
      await encoder.write(image);
    };
    const frames = inputFrames(decodeFrames(clip), consistent, resumed);
    for await (const event of stylizeVideo({
      frames,
      painter,
      firstIndex: resumed,
      ...(previousOutput ? { previousOutput } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    })) {
      if (event.type === "done") {
        stopped = event.stopped;
        continue;
      }
      await sink(event.index, event.image);
      written = event.index + 1;
      const painted = written - resumed;
      const rate = painted / ((performance.now() - started) / 1000);
      yield {
        type: "frame",
        index: event.index,
        frames: total,
        reliable: event.reliable,
        elapsedMs: performance.now() - started,
        fps: rate,
        etaMs: total === undefined ? undefined : (Math.max(0, total - written) / rate) * 1000,
      };
    }
    if (written === 0 && stopped) throw new PasticheError("ABORTED", "stopped before the first frame was finished: nothing written");
    if (written === 0) {
      throw new PasticheError(
        "INVALID_VIDEO",
        `${request.input} gave no frames${options.start > 0 || options.duration !== undefined ? " in the part asked (--start/--duration)" : ""}`,
      );
    }
    if (store) encoder = await encodeStored(store, written, { path: tmp, format, width, height, fps, audioFrom: audio });
    await encoder!.finish();
    await rename(tmp, request.output);
    if (store && !stopped) await store.remove();
  } catch (e) {
    await encoder?.abort().catch(() => undefined);
    throw e;
  } finally {
    painter.dispose?.();
    await rm(tmp, { force: true });
  }
  yield { type: "done", output: request.output, frames: written, stopped, elapsedMs: performance.now() - started, hasAudio: audio !== undefined };
}

/** Input frames with the flows from the previous input frame (when consistent); the first `skip` (already finished) only serve as the previous frame. */
async function* inputFrames(decoded: AsyncIterable<RgbImage>, consistent: boolean, skip: number): AsyncGenerator<VideoFrameInput, void, undefined> {
  let previous: RgbImage | undefined;
  let index = 0;
  for await (const image of decoded) {
    if (index++ >= skip) yield { image, ...(consistent && previous ? { flow: await framePairFlow(previous, image) } : {}) };
    previous = image;
  }
}

async function makePainter(
  request: VideoFileRequest,
  options: VideoOptions,
  styles: readonly RgbImage[],
  previousOutput: RgbImage | undefined,
): Promise<VideoPainter> {
  if (request.method === "fast") {
    const { models } = await cachedFastStyleModels(request.fastModels);
    return fastVideoPainter({ models, styles, temporalWeight: options.temporalWeight, ...(request.fast ? { options: request.fast } : {}) });
  }
  const { weights } = await cachedVgg19Weights(request.vggWeightsPath);
  return gatysVideoPainter({
    weights,
    styles,
    frameIterations: options.frameIterations,
    temporalWeight: options.temporalWeight,
    ...(request.gatys ? { options: request.gatys } : {}),
    ...(previousOutput ? { previousOutput } : {}),
  });
}

/** What a resumable run's frames depend on: the inputs' bytes and every option. */
async function runKey(request: VideoFileRequest, options: VideoOptions, width: number, height: number, fps: number): Promise<string> {
  const [input, ...styles] = await Promise.all([request.input, ...request.styles].map(sha256File));
  return JSON.stringify({ version: 1, input, styles, video: options, gatys: request.gatys, width, height, fps });
}

/** An encoder fed the stored frames 0…count−1, in order. */
async function encodeStored(store: FrameStore, count: number, request: ConstructorParameters<typeof VideoEncoder>[0]): Promise<VideoEncoder> {
  const encoder = new VideoEncoder(request);
  try {
    for (let i = 0; i < count; i++) await encoder.write(await store.get(i));
  } catch (e) {
    await encoder.abort();
    throw e;
  }
  return encoder;
}

export type { VideoFormat };
