import { ffmpegPath, lastLine, runTool } from "./ffmpegTools.js";

/** A synthetic test clip for {@link makeSyntheticClip}: output file, size, length and motion. */
export interface SyntheticClipRequest {
  readonly output: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly seconds: number;
  /** A sine tone as the audio track. */
  readonly audio?: boolean;
  /**
   * What it shows: ffmpeg's moving test pattern (testsrc2), or a slow pan over
   * `image` (any picture; default a testsrc2 frame), the motion optical flow is meant for.
   */
  readonly scene?: { readonly kind: "testsrc" } | { readonly kind: "pan"; readonly image?: string; readonly pixelsPerSecond?: number };
}

/** Makes a short clip with ffmpeg for tests and benchmarks (H.264 in mp4, or by the output's extension). */
export async function makeSyntheticClip(request: SyntheticClipRequest): Promise<void> {
  const { width, height, fps, seconds } = request;
  const scene = request.scene ?? { kind: "testsrc" };
  const audio = request.audio ? ["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=44100:duration=${seconds}`] : [];
  let video: string[];
  let filter: string[] = [];
  if (scene.kind === "testsrc") {
    video = ["-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`];
  } else {
    const speed = scene.pixelsPerSecond ?? Math.max(4, width / 8);
    // The picture scaled to cover 1.5× the frame, a frame-sized window moving right over it.
    const source = scene.image ? ["-loop", "1", "-i", scene.image] : ["-f", "lavfi", "-i", `testsrc2=size=${width * 2}x${height * 2}:rate=${fps}`];
    const pan = `scale=${Math.round(width * 1.5)}:${Math.round(height * 1.5)}:force_original_aspect_ratio=increase,crop=w=${width}:h=${height}:x='${speed}*t':y='${height}*0.2',fps=${fps}`;
    video = source;
    filter = ["-vf", pan];
  }
  const args = [
    "-v",
    "error",
    "-y",
    ...video,
    ...audio,
    ...filter,
    "-t",
    String(seconds),
    "-r",
    String(fps),
    "-pix_fmt",
    "yuv420p",
    ...(request.audio ? ["-c:a", "aac", "-shortest"] : []),
    request.output,
  ];
  const { code, stderr } = await runTool(ffmpegPath(), args);
  if (code !== 0) throw new Error(`ffmpeg could not make ${request.output}: ${lastLine(stderr)}`);
}
