import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { flickerOf, type FramePairFlow, type RgbImage } from "@pastiche/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { initBackend } from "../../src/backend/index.js";
import { decodeFrames, framePairFlow, makeSyntheticClip, stylizeVideoFromFiles, type VideoFileEvent } from "../../src/index.js";

/** ffprobe's count of decoded frames, rate, duration and stream kinds. */
function probe(path: string): { frames: number; fps: number; duration: number; kinds: string[] } {
  const out = JSON.parse(
    execFileSync("ffprobe", ["-v", "error", "-count_frames", "-print_format", "json", "-show_streams", "-show_format", path], { encoding: "utf8" }),
  ) as { streams: { codec_type: string; nb_read_frames?: string; avg_frame_rate: string }[]; format: { duration: string } };
  const video = out.streams.find((s) => s.codec_type === "video")!;
  const [n, d] = video.avg_frame_rate.split("/").map(Number);
  return { frames: Number(video.nb_read_frames), fps: n! / d!, duration: Number(out.format.duration), kinds: out.streams.map((s) => s.codec_type) };
}

async function allFrames(path: string): Promise<RgbImage[]> {
  const frames: RgbImage[] = [];
  for await (const f of decodeFrames({ path, width: 96, height: 64, fps: 10, start: 0 })) frames.push(f);
  return frames;
}

describeNeeding([needs.ffmpeg(), needs.models("magenta-arbitrary-tflite")], "pastiche video's pipeline, fast method", () => {
  const dir = mkdtempSync(join(tmpdir(), "pastiche-video-"));
  const input = join(dir, "pan.mp4");
  const style = join(dir, "style.png");
  beforeAll(async () => {
    await initBackend();
    await makeSyntheticClip({ output: input, width: 96, height: 64, fps: 10, seconds: 1, audio: true, scene: { kind: "pan", pixelsPerSecond: 20 } });
    execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "mandelbrot=size=128x128", "-frames:v", "1", style]);
  }, 60_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (output: string, temporalWeight: number, extra: object = {}): Promise<VideoFileEvent[]> => {
    const events: VideoFileEvent[] = [];
    for await (const e of stylizeVideoFromFiles({ input, styles: [style], output, method: "fast", video: { temporalWeight, ...extra } })) events.push(e);
    return events;
  };

  it("keeps the frame count, rate, duration and audio, and flickers less with temporal consistency", async () => {
    const alone = join(dir, "alone.mp4");
    const held = join(dir, "held.mp4");
    await run(alone, 0);
    const events = await run(held, 0.7);
    expect(events[0]).toMatchObject({ type: "start", width: 96, height: 64, fps: 10, frames: 10, hasAudio: true, resumedFrames: 0 });
    expect(events.filter((e) => e.type === "frame")).toHaveLength(10);
    expect(events.at(-1)).toMatchObject({ type: "done", frames: 10, stopped: false });
    for (const out of [alone, held]) {
      const p = probe(out);
      expect(p).toMatchObject({ frames: 10, fps: 10, kinds: ["video", "audio"] });
      expect(p.duration).toBeCloseTo(1, 0);
    }
    const inputs = await allFrames(input);
    const flows: (FramePairFlow | undefined)[] = [undefined];
    for (let t = 1; t < inputs.length; t++) flows.push(await framePairFlow(inputs[t - 1]!, inputs[t]!));
    const [fAlone, fHeld] = [await flickerOf(await allFrames(alone), flows), await flickerOf(await allFrames(held), flows)];
    expect(fHeld).toBeLessThan(fAlone * 0.8);
    // Nothing left behind but the outputs.
    expect(readdirSync(dir).sort()).toEqual(["alone.mp4", "held.mp4", "pan.mp4", "style.png"]);
  });

  it("takes a part with start/duration and writes a gif without audio", async () => {
    const gif = join(dir, "part.gif");
    await run(gif, 0.5, { start: 0.2, duration: 0.5, size: 48 });
    const p = probe(gif);
    expect(p.frames).toBe(5);
    expect(p.kinds).toEqual(["video"]);
    rmSync(gif);
  });

  it("refuses a part with no frames and writes nothing", async () => {
    const out = join(dir, "none.mp4");
    await expect(run(out, 0.5, { start: 5 })).rejects.toThrow(/--start 5 is past the end of .*pan\.mp4 \(1\.00 s long\)/);
    expect(existsSync(out)).toBe(false);
  });
});
