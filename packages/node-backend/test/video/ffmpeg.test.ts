import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { decodeFrames, framePairFlow, makeSyntheticClip, probeVideo } from "../../src/index.js";
import { VideoEncoder } from "../../src/video/encodeVideo.js";
import { videoFrameSize } from "../../src/video/videoSize.js";

describeNeeding([needs.ffmpeg()], "ffmpeg decoding, encoding and flow", () => {
  const dir = mkdtempSync(join(tmpdir(), "pastiche-video-"));
  const clip = join(dir, "clip.mp4");
  const pan = join(dir, "pan.mp4");
  beforeAll(async () => {
    await makeSyntheticClip({ output: clip, width: 96, height: 64, fps: 10, seconds: 1, audio: true });
    await makeSyntheticClip({ output: pan, width: 96, height: 64, fps: 10, seconds: 1, scene: { kind: "pan", pixelsPerSecond: 20 } });
  }, 60_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("probes size, frame rate, duration and audio with ffprobe", async () => {
    const info = await probeVideo(clip);
    expect(info).toMatchObject({ width: 96, height: 64, fps: 10, hasAudio: true, codec: "h264" });
    expect(info.duration).toBeCloseTo(1, 1);
    expect(videoFrameSize(info, 47)).toEqual({ width: 48, height: 32 });
  });

  it("streams every frame as raw RGB, and a part of the clip with --start/--duration", async () => {
    const all = [];
    for await (const f of decodeFrames({ path: clip, width: 96, height: 64, fps: 10, start: 0 })) all.push(f);
    expect(all).toHaveLength(10);
    expect(all[0]!.data.length).toBe(96 * 64 * 3);
    let part = 0;
    for await (const _ of decodeFrames({ path: clip, width: 48, height: 32, fps: 10, start: 0.5, duration: 0.3 })) part++;
    expect(part).toBe(3);
  });

  it("measures the pan's motion with Farnebäck, both ways", async () => {
    const frames = [];
    for await (const f of decodeFrames({ path: pan, width: 96, height: 64, fps: 10, start: 0 })) frames.push(f);
    const { forward, backward } = await framePairFlow(frames[3]!, frames[4]!);
    const meanDx = (d: Float32Array) => d.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0) / (d.length / 2);
    // The window moves 2 px right per frame at the clip's scale, so the scene moves about 2 px left.
    expect(meanDx(forward.data)).toBeLessThan(-1);
    expect(meanDx(backward.data)).toBeGreaterThan(1);
  });

  it("encodes raw frames to mp4, webm and gif with the frame count and rate asked", async () => {
    const frame = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3).fill(128) };
    for (const format of ["mp4", "webm", "gif"] as const) {
      const out = join(dir, `raw.${format}`);
      const encoder = new VideoEncoder({ path: out, format, width: 32, height: 32, fps: 5 });
      for (let i = 0; i < 5; i++) await encoder.write(frame);
      await encoder.finish();
      const info = await probeVideo(out);
      expect(info.fps).toBeCloseTo(5, 5);
      expect(info.width).toBe(32);
    }
  });

  it("refuses what is not a video in one line", async () => {
    const text = join(dir, "notes.txt");
    writeFileSync(text, "hello, not a video\n");
    await expect(probeVideo(text)).rejects.toThrow(/notes\.txt is not a video ffmpeg can read/);
    const empty = join(dir, "empty.mp4");
    writeFileSync(empty, "");
    await expect(probeVideo(empty)).rejects.toThrow(/empty\.mp4 is empty, not a video/);
    await expect(probeVideo(dir)).rejects.toThrow(/is a directory/);
    await expect(probeVideo(join(dir, "nope.mp4"))).rejects.toThrow(/not found/);
  });
});
