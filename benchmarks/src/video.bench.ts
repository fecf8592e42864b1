/**
 * `pnpm bench` (video, #16) on the active backend: a slow pan over one of the shared content images
 * (made with ffmpeg), stylised with `pastiche video`'s pipeline — flicker frame by frame vs with
 * temporal consistency (mean |S_t − warp(S_{t−1})| over the pixels where the input's flow holds),
 * end-to-end throughput (decode, flow, network, encode) for --method fast at 256 and 512 px with and
 * without consistency, and seconds per frame for --method gatys. PASTICHE_VIDEO_STRIP=FILE.png also
 * writes a strip of frames (frame by frame above, consistent below; the input frames are not included). Needs ffmpeg and the weights.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { flickerOf, type FramePairFlow, type RgbImage } from "@pastiche/core";
import {
  decodeFrames,
  framePairFlow,
  initBackend,
  makeSyntheticClip,
  probeVideo,
  stylizeVideoFromFiles,
  writeImage,
  type VideoFileRequest,
} from "@pastiche/node";
import { loadavg } from "node:os";

const images = process.env.PASTICHE_IMAGES_DIR ?? path.resolve(process.cwd(), "../../shared/images");

async function frames(file: string): Promise<RgbImage[]> {
  const info = await probeVideo(file);
  const out: RgbImage[] = [];
  for await (const f of decodeFrames({ path: file, width: info.width, height: info.height, fps: info.fps, start: 0 })) out.push(f);
  return out;
}

async function run(request: VideoFileRequest): Promise<{ fps: number; secondsPerFrame: number; frames: number }> {
  let done: { frames: number; elapsedMs: number } | undefined;
  for await (const e of stylizeVideoFromFiles(request)) if (e.type === "done") done = e;
  return { fps: done!.frames / (done!.elapsedMs / 1000), secondsPerFrame: done!.elapsedMs / 1000 / done!.frames, frames: done!.frames };
}

/** Frames `picks` of each clip side by side, one row per clip. */
function strip(rows: readonly RgbImage[][], picks: readonly number[]): RgbImage {
  const { width: w, height: h } = rows[0]![0]!;
  const gap = 4;
  const width = picks.length * w + (picks.length - 1) * gap;
  const height = rows.length * h + (rows.length - 1) * gap;
  const data = new Uint8Array(width * height * 3).fill(255);
  rows.forEach((row, r) => {
    picks.forEach((p, c) => {
      const f = row[p]!;
      for (let y = 0; y < h; y++) data.set(f.data.subarray(y * w * 3, (y + 1) * w * 3), ((r * (h + gap) + y) * width + c * (w + gap)) * 3);
    });
  });
  return { width, height, data };
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const dir = mkdtempSync(path.join(tmpdir(), "pastiche-video-bench-"));
  const results: Record<string, number> = {};
  const add = (name: string, value: string) => {
    console.log(`${name.padEnd(60)} ${value}`);
  };
  console.log(`\nvideo — backend: ${backend.name}, load average ${loadavg()[0]!.toFixed(1)} on ${(await import("node:os")).cpus().length} cores`);
  try {
    const style = path.join(images, "style/the_great_wave.jpg");
    const content = path.join(images, "content/stata.jpg");
    for (const size of [256, 512]) {
      const clip = path.join(dir, `pan${size}.mp4`);
      const seconds = size === 256 ? 1.2 : 0.8;
      await makeSyntheticClip({
        output: clip,
        width: size,
        height: Math.round((size * 2) / 3 / 2) * 2,
        fps: 10,
        seconds,
        scene: { kind: "pan", image: content, pixelsPerSecond: size / 12 },
      });
      const base = { input: clip, styles: [style], method: "fast" as const };
      const alone = path.join(dir, `alone${size}.mp4`);
      const held = path.join(dir, `held${size}.mp4`);
      const a = await run({ ...base, output: alone, video: { temporalWeight: 0 } });
      const b = await run({ ...base, output: held, video: { temporalWeight: 0.6 } });
      add(`fast ${size} px, frame by frame (${a.frames} frames, end to end)`, `${a.fps.toFixed(2)} fps`);
      add(
        `fast ${size} px, temporal consistency 0.6 (flow + warp + blend)`,
        `${b.fps.toFixed(2)} fps (${((b.secondsPerFrame / a.secondsPerFrame) * 100).toFixed(0)}% of the time per frame of frame by frame)`,
      );
      results[`fast${size}`] = a.fps;
      results[`fastConsistent${size}`] = b.fps;
      if (size === 256) {
        const input = await frames(clip);
        const flows: (FramePairFlow | undefined)[] = [undefined];
        for (let t = 1; t < input.length; t++) flows.push(await framePairFlow(input[t - 1]!, input[t]!));
        const [outAlone, outHeld] = [await frames(alone), await frames(held)];
        const [fa, fh] = [await flickerOf(outAlone, flows), await flickerOf(outHeld, flows)];
        add("flicker 256 px, frame by frame (mean |S_t − warp(S_t−1)|, 0–255)", (fa * 255).toFixed(2));
        add("flicker 256 px, temporal consistency 0.6", `${(fh * 255).toFixed(2)} (${(fh / fa).toFixed(2)}× frame by frame)`);
        results.flickerAlone = fa * 255;
        results.flickerConsistent = fh * 255;
        const stripPath = process.env.PASTICHE_VIDEO_STRIP;
        if (stripPath) {
          await writeImage(stripPath, strip([outAlone, outHeld], [0, 3, 6, 9]));
          add("strip written", stripPath);
        }
      }
    }
    // Gatys: 128 px, a first frame of 100 iterations, then 20 per frame from the warped previous output.
    const clip = path.join(dir, "pan128.mp4");
    await makeSyntheticClip({ output: clip, width: 128, height: 86, fps: 10, seconds: 0.4, scene: { kind: "pan", image: content, pixelsPerSecond: 10 } });
    let first = 0;
    let last = 0;
    const times: number[] = [];
    for await (const e of stylizeVideoFromFiles({
      input: clip,
      styles: [style],
      output: path.join(dir, "gatys.mp4"),
      method: "gatys",
      video: { frameIterations: 20, temporalWeight: 0.6 },
      gatys: (await import("@pastiche/core")).parseGatysOptions({ iterations: 100, scales: "off" }),
    })) {
      if (e.type === "frame") {
        times.push(e.elapsedMs - last);
        last = e.elapsedMs;
        if (e.index === 0) first = e.elapsedMs;
      }
    }
    const later = times.slice(1);
    const perLater = later.reduce((x, y) => x + y, 0) / later.length / 1000;
    add("gatys 128 px, first frame (100 iterations)", `${(first / 1000).toFixed(1)} s`);
    add("gatys 128 px, each later frame (20 iterations + temporal loss)", `${perLater.toFixed(1)} s per frame`);
    results.gatysFirst = first / 1000;
    results.gatysPerFrame = perLater;
  } catch (e) {
    console.log(`skipped: ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  results.load = loadavg()[0]!;
  console.log(`RESULTS ${JSON.stringify(results)}`);
}

await main();
