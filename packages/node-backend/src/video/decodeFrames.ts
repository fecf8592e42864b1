import { spawn } from "node:child_process";
import { PasticheError, type RgbImage } from "@pastiche/core";
import { ffmpegPath, lastLine, toolMissing } from "./ffmpegTools.js";

/** What {@link decodeFrames} decodes: the video file and the frame size ffmpeg scales to. */
export interface DecodeRequest {
  readonly path: string;
  /** Frame size out of the decoder (ffmpeg scales). */
  readonly width: number;
  readonly height: number;
  /** Frames per second out (ffmpeg's fps filter drops or repeats frames). */
  readonly fps: number;
  /** Seconds into the input. */
  readonly start: number;
  /** Seconds taken; default to the end. */
  readonly duration?: number | undefined;
}

/** The ffmpeg arguments that take a part of an input (`-ss`/`-t` before `-i`, so they apply to that input). */
export function clipArgs(path: string, start: number, duration: number | undefined): string[] {
  return [...(start > 0 ? ["-ss", String(start)] : []), ...(duration !== undefined ? ["-t", String(duration)] : []), "-i", path];
}

/**
 * The input's frames as RGB images, streamed from ffmpeg's stdout as raw rgb24 (no frame files):
 * one ffmpeg process, read with backpressure, killed when the consumer stops early.
 */
export async function* decodeFrames(request: DecodeRequest): AsyncGenerator<RgbImage, void, undefined> {
  const { width, height } = request;
  const frameBytes = width * height * 3;
  const args = [
    "-v",
    "error",
    "-nostdin",
    ...clipArgs(request.path, request.start, request.duration),
    "-an",
    "-sn",
    "-vf",
    `fps=${request.fps},scale=${width}:${height}:flags=area`,
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "pipe:1",
  ];
  const child = spawn(ffmpegPath(), args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.on("error", (error: NodeJS.ErrnoException) => {
      resolve({ code: null, error });
    });
    child.on("close", (code) => {
      resolve({ code });
    });
  });
  let finished = false;
  try {
    let frame = Buffer.allocUnsafe(frameBytes);
    let filled = 0;
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(frame, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          yield { width, height, data: new Uint8Array(frame.buffer, frame.byteOffset, frameBytes) };
          frame = Buffer.allocUnsafe(frameBytes);
          filled = 0;
        }
      }
    }
    const { code, error } = await exited;
    finished = true;
    if (error) throw error.code === "ENOENT" ? toolMissing("ffmpeg", error) : error;
    if (code !== 0) throw new PasticheError("INVALID_VIDEO", `cannot decode ${request.path}: ${lastLine(stderr)}`);
  } finally {
    if (!finished) child.kill("SIGKILL");
  }
}
