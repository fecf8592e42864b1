import { fromImageData, type RgbImage } from "@pastiche/core";
import { asBrowserStylizeError, BrowserStylizeError } from "./errors.ts";
import { imageDataFromRgb, rgbFromSource, type BrowserImageSource } from "./pixels.ts";
import type { BrowserStylizer } from "./stylizer.ts";

export interface CameraStylizerOptions {
  /** Frame time to keep under (default 1000/24 ms): above it the processing size steps down, well below it steps up. */
  readonly targetFrameMs?: number;
  /** Bounds of the processing size's longest side (default 64..512 px). */
  readonly minSide?: number;
  readonly maxSide?: number;
  /** Called about once a second with the frames per second achieved and the side in use. */
  readonly onFps?: (fps: number, side: number) => void;
  readonly onError?: (error: BrowserStylizeError) => void;
}

export interface CameraStylizer {
  stop(): void;
  /** Frames stylised so far. */
  readonly frames: number;
}

/** Multiplicative steps: a quarter fewer pixels per step down, the reverse up. */
const STEP = Math.SQRT1_2 ** 0.5;

/**
 * Stylise `video` into `canvas` frame after frame, as fast as the device sustains: each frame
 * waits for the previous one (no queue builds up), and the processing size adapts to the measured
 * frame time. The style's bottleneck is predicted once (the stylizer caches it).
 */
export function startCameraStylizer(
  video: HTMLVideoElement,
  canvas: HTMLCanvasElement,
  style: BrowserImageSource,
  stylizer: BrowserStylizer,
  options: CameraStylizerOptions = {},
): CameraStylizer {
  const targetFrameMs = options.targetFrameMs ?? 1000 / 24;
  const minSide = options.minSide ?? 64;
  const maxSide = options.maxSide ?? 512;
  const styleRgb: RgbImage = rgbFromSource(style);
  const output = canvas.getContext("2d");
  if (!output) throw new BrowserStylizeError("BAD_IMAGE", "no 2D context on the output canvas");
  let side = Math.min(maxSide, 256);
  let stopped = false;
  let frames = 0;
  let averageMs: number | undefined;
  let windowStart = performance.now();
  let windowFrames = 0;

  const frame = (): RgbImage => {
    const scale = side / Math.max(video.videoWidth, video.videoHeight);
    const width = Math.max(1, Math.round(video.videoWidth * scale));
    const height = Math.max(1, Math.round(video.videoHeight * scale));
    const grab = new OffscreenCanvas(width, height);
    const context = grab.getContext("2d", { willReadFrequently: true });
    if (!context) throw new BrowserStylizeError("BAD_IMAGE", "no 2D canvas context to read the camera frame");
    context.drawImage(video, 0, 0, width, height);
    return fromImageData(context.getImageData(0, 0, width, height));
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      if (video.readyState < 2 || video.videoWidth === 0) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        continue;
      }
      const started = performance.now();
      const { image } = await stylizer.stylizeRgb(frame(), styleRgb);
      if (stopped) break;
      if (canvas.width !== image.width || canvas.height !== image.height) [canvas.width, canvas.height] = [image.width, image.height];
      output.putImageData(imageDataFromRgb(image), 0, 0);
      frames++;
      windowFrames++;
      const ms = performance.now() - started;
      // Smoothed so one slow frame (GC, a shader compile) does not shrink the picture.
      averageMs = averageMs === undefined ? ms : averageMs * 0.7 + ms * 0.3;
      if (averageMs > targetFrameMs && side > minSide) side = Math.max(minSide, Math.round(side * STEP));
      else if (averageMs < targetFrameMs * 0.6 && side < maxSide) side = Math.min(maxSide, Math.round(side / STEP));
      const now = performance.now();
      if (now - windowStart >= 1000) {
        options.onFps?.((windowFrames * 1000) / (now - windowStart), side);
        windowStart = now;
        windowFrames = 0;
      }
      // Let the page paint between frames.
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  };
  loop().catch((e: unknown) => {
    stopped = true;
    options.onError?.(asBrowserStylizeError(e));
  });

  return {
    stop() {
      stopped = true;
    },
    get frames() {
      return frames;
    },
  };
}
