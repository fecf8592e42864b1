import { createRequire } from "node:module";
import type { FlowField, FramePairFlow, RgbImage } from "@pastiche/core";

/*
 * Optical flow between input frames with OpenCV's Farnebäck (Farnebäck 2003) from
 * @techstark/opencv-js, OpenCV's own WebAssembly build. Computed here on the Node side, not in
 * core: the module is a 10 MB script that core's browser bundle should not carry; core takes flows
 * as data (a browser app can compute them with the same package in a worker).
 */

interface CvMat {
  readonly data: Uint8Array;
  readonly data32F: Float32Array;
  delete(): void;
}
interface Cv {
  readonly CV_8UC1: number;
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  calcOpticalFlowFarneback(
    prev: CvMat,
    next: CvMat,
    flow: CvMat,
    pyrScale: number,
    levels: number,
    winsize: number,
    iterations: number,
    polyN: number,
    polySigma: number,
    flags: number,
  ): void;
}

// Boxed: the Emscripten module is a thenable, so a promise resolving to it directly would never settle.
let loaded: Promise<{ readonly cv: Cv }> | undefined;

/** OpenCV, loaded once per process (about 0.1–0.3 s to compile its WebAssembly). */
export async function loadOpenCv(): Promise<{ readonly cv: Cv }> {
  loaded ??= (async () => {
    // require, not import(): the module's exports are a thenable, which `await import()` would wait on forever.
    const cv = createRequire(import.meta.url)("@techstark/opencv-js") as Cv & { onRuntimeInitialized?: () => void };
    if (typeof cv.calcOpticalFlowFarneback !== "function") await new Promise<void>((resolve) => (cv.onRuntimeInitialized = resolve));
    return { cv };
  })();
  return loaded;
}

/** Luma (BT.601) of an RGB image into an 8-bit OpenCV matrix. */
function grayMat(cv: Cv, image: RgbImage): CvMat {
  const mat = new cv.Mat(image.height, image.width, cv.CV_8UC1);
  const { data } = image;
  const out = mat.data;
  for (let i = 0, j = 0; j < out.length; i += 3, j++) out[j] = (299 * data[i]! + 587 * data[i + 1]! + 114 * data[i + 2]!) / 1000;
  return mat;
}

/** Farnebäck settings: OpenCV's sample values, a window of about 1/8 of the frame's shorter side (15–31 px). */
function farneback(cv: Cv, from: CvMat, to: CvMat, width: number, height: number): FlowField {
  const flow = new cv.Mat(); // Farnebäck allocates it as CV_32FC2
  try {
    const winsize = Math.max(15, Math.min(31, Math.round(Math.min(width, height) / 8) | 1));
    cv.calcOpticalFlowFarneback(from, to, flow, 0.5, 4, winsize, 3, 5, 1.2, 0);
    return { width, height, data: new Float32Array(flow.data32F) };
  } finally {
    flow.delete();
  }
}

/** The forward (previous → current) and backward (current → previous) flows of a pair of frames. */
export async function framePairFlow(previous: RgbImage, current: RgbImage): Promise<FramePairFlow> {
  const { cv } = await loadOpenCv();
  const a = grayMat(cv, previous);
  const b = grayMat(cv, current);
  try {
    return { forward: farneback(cv, a, b, current.width, current.height), backward: farneback(cv, b, a, current.width, current.height) };
  } finally {
    a.delete();
    b.delete();
  }
}
