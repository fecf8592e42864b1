import { PasticheError } from "@pastiche/core";
import type { VideoInfo } from "./probeVideo.js";

/**
 * The output frame size: the input's, or `size` on its longer side, both sides even (H.264 and VP9
 * in 4:2:0 need even sides) and at least 16 px.
 */
export function videoFrameSize(info: Pick<VideoInfo, "width" | "height">, size: number | undefined): { width: number; height: number } {
  const scale = size === undefined ? 1 : size / Math.max(info.width, info.height);
  const even = (v: number) => Math.max(16, 2 * Math.round((v * scale) / 2));
  return { width: even(info.width), height: even(info.height) };
}

/** Frames the decoder will give for the part asked: the duration taken × the output rate (an estimate for the progress bar). */
export function expectedFrames(info: Pick<VideoInfo, "duration">, fps: number, start: number, duration: number | undefined, path: string): number | undefined {
  if (info.duration === undefined) return duration === undefined ? undefined : Math.max(1, Math.round(duration * fps));
  if (start >= info.duration) {
    throw new PasticheError("INVALID_VIDEO", `--start ${start} is past the end of ${path} (${info.duration.toFixed(2)} s long)`);
  }
  const taken = Math.min(info.duration - start, duration ?? Infinity);
  return Math.max(1, Math.round(taken * fps));
}
