import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { PasticheError, type RgbImage } from "@pastiche/core";
import { clipArgs } from "./decodeFrames.js";
import { ffmpegPath, lastLine, toolMissing } from "./ffmpegTools.js";

/** An output video container, chosen by {@link videoFormatFromPath} from the extension. */
export type VideoFormat = "mp4" | "webm" | "gif";

const FORMAT_BY_EXTENSION: Record<string, VideoFormat> = { ".mp4": "mp4", ".m4v": "mp4", ".mov": "mp4", ".webm": "webm", ".gif": "gif" };

/** The output video extensions accepted (`.mp4`, `.m4v`, `.mov`, `.webm`, `.gif`). */
export const SUPPORTED_VIDEO_EXTENSIONS: readonly string[] = Object.keys(FORMAT_BY_EXTENSION);

/** The container from the output's extension; OUTPUT_NOT_WRITABLE naming the choices otherwise. */
export function videoFormatFromPath(path: string): VideoFormat {
  const ext = /\.[^./]+$/.exec(path.toLowerCase())?.[0] ?? "";
  const format = FORMAT_BY_EXTENSION[ext];
  if (!format) {
    throw new PasticheError("OUTPUT_NOT_WRITABLE", `cannot write ${path}: a video output ends in ${SUPPORTED_VIDEO_EXTENSIONS.join(", ")}`);
  }
  return format;
}

export interface EncodeRequest {
  /** Where ffmpeg writes (the caller renames it into place). */
  readonly path: string;
  readonly format: VideoFormat;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** The input whose audio is muxed in (the same part of it), when it has audio and the format carries it. */
  readonly audioFrom?: { readonly path: string; readonly start: number; readonly duration: number | undefined } | undefined;
}

/** What each container is encoded with: H.264/AAC, VP9/Opus, or a GIF with a palette made for the clip. */
function codecArgs(format: VideoFormat, audio: boolean): string[] {
  switch (format) {
    case "mp4":
      return [
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "18",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        ...(audio ? ["-c:a", "aac"] : []),
        "-f",
        "mp4",
      ];
    case "webm":
      return [
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "0",
        "-crf",
        "32",
        "-pix_fmt",
        "yuv420p",
        ...(audio ? ["-c:a", "libopus"] : []),
        "-f",
        "webm",
      ];
    case "gif":
      return ["-filter_complex", "[0:v]split[a][b];[a]palettegen[p];[b][p]paletteuse", "-f", "gif"];
  }
}

/**
 * An ffmpeg process fed raw rgb24 frames on stdin. `write` waits for the pipe to drain (backpressure);
 * `finish` closes stdin and waits until the file is complete (a stopped run still ends in a
 * playable file: ffmpeg finalises whatever it was given); `abort` kills it.
 */
export class VideoEncoder {
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private stderr = "";
  private readonly exited: Promise<{ code: number | null; error?: NodeJS.ErrnoException }>;
  frames = 0;

  constructor(private readonly request: EncodeRequest) {
    const audio = request.audioFrom !== undefined && request.format !== "gif";
    const args = [
      "-v",
      "error",
      "-y",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "-s",
      `${request.width}x${request.height}`,
      "-r",
      String(request.fps),
      "-i",
      "pipe:0",
      ...(audio ? [...clipArgs(request.audioFrom.path, request.audioFrom.start, request.audioFrom.duration), "-map", "0:v", "-map", "1:a:0", "-shortest"] : []),
      ...codecArgs(request.format, audio),
      request.path,
    ];
    this.child = spawn(ffmpegPath(), args, { stdio: ["pipe", "ignore", "pipe"] });
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => (this.stderr = (this.stderr + d).slice(-4000)));
    // EPIPE when ffmpeg died early: reported by finish() with ffmpeg's own message.
    this.child.stdin.on("error", () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on("error", (error: NodeJS.ErrnoException) => {
        resolve({ code: null, error });
      });
      this.child.on("close", (code) => {
        resolve({ code });
      });
    });
  }

  async write(frame: RgbImage): Promise<void> {
    if (frame.width !== this.request.width || frame.height !== this.request.height) {
      throw new PasticheError(
        "INVALID_IMAGE",
        `frame ${this.frames + 1} is ${frame.width}x${frame.height}, the video ${this.request.width}x${this.request.height}`,
      );
    }
    const ok = this.child.stdin.write(frame.data);
    this.frames++;
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.child.stdin.off("drain", done);
          this.child.off("close", done);
          resolve();
        };
        this.child.stdin.once("drain", done);
        this.child.once("close", done);
      });
    }
  }

  async finish(): Promise<void> {
    this.child.stdin.end();
    const { code, error } = await this.exited;
    if (error) throw error.code === "ENOENT" ? toolMissing("ffmpeg", error) : error;
    if (code !== 0) throw new PasticheError("OUTPUT_NOT_WRITABLE", `ffmpeg could not encode ${this.request.format}: ${lastLine(this.stderr)}`);
  }

  async abort(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }
}
