import { stat } from "node:fs/promises";
import { DEFAULT_MAX_INPUT_PIXELS, MIN_INPUT_SIDE, PasticheError } from "@pastiche/core";
import { z } from "zod";
import { openInputFile } from "../fs/inputFile.js";
import { ffprobePath, lastLine, runTool } from "./ffmpegTools.js";

/** What `pastiche video` needs to know about an input before decoding it. */
export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** Frames per second (the stream's average rate). */
  readonly fps: number;
  /** Seconds, when known. */
  readonly duration: number | undefined;
  readonly hasAudio: boolean;
  readonly codec: string;
}

const ProbeSchema = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        avg_frame_rate: z.string().optional(),
        r_frame_rate: z.string().optional(),
        duration: z.string().optional(),
        disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
      }),
    )
    .default([]),
  format: z.object({ format_name: z.string().optional(), duration: z.string().optional() }).partial().default({}),
});

const rate = (r: string | undefined): number | undefined => {
  const m = /^(\d+)\/(\d+)$/.exec(r ?? "");
  if (!m || Number(m[2]) === 0) return undefined;
  const v = Number(m[1]) / Number(m[2]);
  return v > 0 && Number.isFinite(v) ? v : undefined;
};

/** Formats ffprobe reads still images with: an image is not a video. */
const STILL_IMAGE_FORMAT = /^(image2|.*_pipe|gif_pipe)$/;

/**
 * Reads an input's video stream with ffprobe (JSON). INVALID_VIDEO, one line, for a file that is
 * not a regular file, not readable by ffmpeg, a still image, or has no video stream; IMAGE_TOO_LARGE
 * for frames past the pixel cap.
 */
export async function probeVideo(path: string): Promise<VideoInfo> {
  // A regular file, checked without hanging on a FIFO (ffmpeg would wait on it forever).
  const { handle } = await openInputFile(path, { what: "Video", maxBytes: Number.MAX_SAFE_INTEGER }).catch((e: unknown) => {
    if (e instanceof PasticheError && e.code === "INVALID_IMAGE") throw new PasticheError("INVALID_VIDEO", e.message);
    throw e;
  });
  await handle.close();
  if ((await stat(path)).size === 0) throw new PasticheError("INVALID_VIDEO", `${path} is empty, not a video`);
  const { code, stdout, stderr } = await runTool(ffprobePath(), ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", path]);
  if (code !== 0) throw new PasticheError("INVALID_VIDEO", `${path} is not a video ffmpeg can read (${lastLine(stderr)})`);
  const parsed = ProbeSchema.safeParse(JSON.parse(stdout || "{}"));
  if (!parsed.success) throw new PasticheError("INVALID_VIDEO", `${path}: ffprobe's answer was not understood`);
  const { streams, format } = parsed.data;
  const video = streams.find((s) => s.codec_type === "video" && !s.disposition?.attached_pic);
  if (!video) throw new PasticheError("INVALID_VIDEO", `${path} has no video stream${streams.some((s) => s.codec_type === "audio") ? " (only audio)" : ""}`);
  if (STILL_IMAGE_FORMAT.test(format.format_name ?? ""))
    throw new PasticheError("INVALID_VIDEO", `${path} is a still image (${format.format_name}), not a video`);
  const { width, height } = video;
  if (!width || !height) throw new PasticheError("INVALID_VIDEO", `${path}: its video stream has no frame size`);
  if (width * height > DEFAULT_MAX_INPUT_PIXELS) {
    throw new PasticheError("IMAGE_TOO_LARGE", `${path} has ${width}x${height} frames: over the limit of ${DEFAULT_MAX_INPUT_PIXELS} pixels a frame`);
  }
  if (Math.min(width, height) < MIN_INPUT_SIDE) {
    throw new PasticheError("INVALID_VIDEO", `${path} has ${width}x${height} frames: it needs at least ${MIN_INPUT_SIDE} pixels on each side`);
  }
  const fps = rate(video.avg_frame_rate) ?? rate(video.r_frame_rate);
  if (fps === undefined) throw new PasticheError("INVALID_VIDEO", `${path}: its video stream has no frame rate`);
  const duration = Number(video.duration ?? format.duration);
  return {
    width,
    height,
    fps,
    duration: Number.isFinite(duration) && duration > 0 ? duration : undefined,
    hasAudio: streams.some((s) => s.codec_type === "audio"),
    codec: video.codec_name ?? "unknown",
  };
}
