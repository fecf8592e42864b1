/**
 * `pastiche video` (#16), spawned as a user runs it, on clips ffmpeg makes in a temp dir. Bad inputs
 * need only ffmpeg; the runs need the real weights (Magenta; VGG19 for --method gatys).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describeNeeding, itNeeding, needs } from "@pastiche/vitest-config/needs";
import { makeSyntheticClip } from "@pastiche/node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { assertBuilt, expectOneErrorLine, interruptWhen, makeTempDir, removeDir, runCli } from "./helpers.js";

/** ffprobe's count of decoded frames and the stream kinds. */
function probe(file: string): { frames: number; kinds: string[] } {
  const out = JSON.parse(execFileSync("ffprobe", ["-v", "error", "-count_frames", "-print_format", "json", "-show_streams", file], { encoding: "utf8" })) as {
    streams: { codec_type: string; nb_read_frames?: string }[];
  };
  return { frames: Number(out.streams.find((s) => s.codec_type === "video")!.nb_read_frames), kinds: out.streams.map((s) => s.codec_type) };
}

/** Plays it through: ffmpeg decodes every frame without an error. */
function plays(file: string): boolean {
  execFileSync("ffmpeg", ["-v", "error", "-xerror", "-i", file, "-f", "null", "-"]);
  return true;
}

type VideoEvent = { type: string; index?: number; frames?: number; stopped?: boolean; resumedFrames?: number };

/** Runs `pastiche video … --json` and sends `signal` once frame `after` (0-based) is reported. */
function interrupted(args: readonly string[], signal: NodeJS.Signals, after: number): Promise<{ code: number | null; events: VideoEvent[] }> {
  return interruptWhen<VideoEvent>(["video", ...args, "--json"], (e) => e.type === "frame" && (e.index ?? -1) >= after, signal, 240_000);
}

describeNeeding([needs.ffmpeg()], "pastiche video", () => {
  let dir: string;
  let clip: string;
  let long: string;
  let style: string;
  beforeAll(async () => {
    assertBuilt();
    dir = await makeTempDir("pastiche-video-");
    clip = path.join(dir, "clip.mp4");
    long = path.join(dir, "long.mp4");
    style = path.join(dir, "style.png");
    await makeSyntheticClip({ output: clip, width: 64, height: 48, fps: 10, seconds: 0.6, audio: true, scene: { kind: "pan", pixelsPerSecond: 20 } });
    await makeSyntheticClip({ output: long, width: 64, height: 48, fps: 10, seconds: 20, audio: true });
    execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "mandelbrot=size=96x96", "-frames:v", "1", style]);
    execFileSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=1", path.join(dir, "tone.wav")]);
  }, 60_000);
  afterAll(async () => {
    await removeDir(dir);
  });

  it("refuses bad inputs in one line and writes nothing", async () => {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path.join(dir, "notes.txt"), "not a video\n");
    const out = path.join(dir, "never.mp4");
    const cases: [string[], RegExp][] = [
      [[path.join(dir, "notes.txt"), style], /notes\.txt is not a video ffmpeg can read/],
      [[path.join(dir, "tone.wav"), style], /tone\.wav has no video stream \(only audio\)/],
      [[style, style], /style\.png is a still image/],
      [[clip, style, "--start", "30"], /--start 30 is past the end of .*clip\.mp4/],
      [[clip, style, "--size", "100000"], /--size: must be at most 4096, got 100000/],
      [[path.join(dir, "missing.mp4"), style], /missing\.mp4 not found/],
    ];
    for (const [args, pattern] of cases) expectOneErrorLine(await runCli(["video", ...args, "-o", out]), pattern, 2);
    expectOneErrorLine(await runCli(["video", clip, style, "-o", path.join(dir, "out.avi")]), /a video output ends in \.mp4/, 2);
    expectOneErrorLine(await runCli(["video", clip, style, "-o", clip]), /it is the input video/, 2);
    expect(existsSync(out)).toBe(false);
  });

  it("says how to install ffmpeg when it is missing", async () => {
    const r = await runCli(["video", clip, style, "-o", path.join(dir, "x.mp4")], { env: { PASTICHE_FFPROBE: path.join(dir, "no-ffprobe") } });
    expectOneErrorLine(r, /no-ffprobe not found: pastiche video needs ffmpeg and ffprobe; install it \(Debian\/Ubuntu: apt-get install ffmpeg/, 2);
  });

  itNeeding(
    [needs.models("magenta-arbitrary-tflite")],
    "fast: keeps frames, rate and audio; SIGINT finishes the frame and leaves a playable partial video",
    async () => {
      const out = path.join(dir, "fast.webm");
      const r = await runCli(["video", clip, style, "-o", out], { timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/wrote 6 frames to .*fast\.webm with the input's audio/);
      expect(probe(out)).toEqual({ frames: 6, kinds: ["video", "audio"] });

      const partial = path.join(dir, "partial.mp4");
      const { code, events } = await interrupted([long, style, "-o", partial], "SIGINT", 1);
      expect(code).toBe(130);
      const done = events.at(-1)!;
      expect(done).toMatchObject({ type: "done", stopped: true });
      expect(done.frames).toBeGreaterThanOrEqual(2);
      expect(done.frames).toBeLessThan(200);
      const p = probe(partial);
      expect(p.frames).toBe(done.frames);
      expect(p.kinds).toEqual(["video", "audio"]);
      expect(plays(partial)).toBe(true);
      expect(readdirSync(dir).filter((n) => n.startsWith(".pastiche-tmp-"))).toEqual([]);
    },
    240_000,
  );

  itNeeding(
    [needs.models("vgg19-notop-uint8")],
    "gatys: an interrupted run continues after its last finished frame",
    async () => {
      const out = path.join(dir, "gatys.mp4");
      const args = [clip, style, "-o", out, "--method", "gatys", "--size", "32", "--iterations", "3", "--frame-iterations", "2", "--duration", "0.4"];
      const first = await interrupted(args, "SIGTERM", 0);
      expect(first.code).toBe(143);
      const stopped = first.events.at(-1)!;
      expect(stopped).toMatchObject({ type: "done", stopped: true });
      expect(plays(out)).toBe(true);
      const store = path.join(dir, ".gatys.mp4.pastiche-frames");
      expect(readdirSync(store).filter((n) => n.endsWith(".png"))).toHaveLength(stopped.frames!);

      const again = await runCli(["video", ...args, "--json"], { timeoutMs: 200_000 });
      expect(again.code, again.stderr).toBe(0);
      const events = again.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as VideoEvent);
      expect(events[0]).toMatchObject({ type: "start", resumedFrames: stopped.frames });
      expect(events.filter((e) => e.type === "frame").map((e) => e.index)).toEqual(Array.from({ length: 4 - stopped.frames! }, (_, i) => stopped.frames! + i));
      expect(probe(out)).toEqual({ frames: 4, kinds: ["video", "audio"] });
      expect(existsSync(store)).toBe(false);
    },
    400_000,
  );
});
