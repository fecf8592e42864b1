/**
 * Fast jobs in the visitor's browser: the engine (src/browser) is loaded on first use only (its own
 * chunk, with tfjs), set up once per page (backend, models from the server's manifest, cached in the
 * Cache API), then reused, with its per-style bottleneck cache, for every later run.
 */
import type { BrowserStylizer } from "@/browser";
import type { ClientBackend } from "@/shared/constants";

/** The server's model manifest (src/server/http/modelRoutes.ts). */
export const MODEL_MANIFEST_URL = "/api/models/manifest.json";

export interface BrowserFastInput {
  contentUrl: string;
  styleUrls: readonly string[];
  options: { size: number; strength: number; styleBlendWeights?: number[] };
}

export interface BrowserFastResult {
  png: Blob;
  backend: ClientBackend;
  /** The stylisation itself (pixels in to pixels out), not the set-up or the image downloads. */
  ms: number;
  width: number;
  height: number;
}

/** What the browser needs before it is worth trying (else the app goes straight to the server). */
export function browserCanTry(): boolean {
  return typeof WebAssembly === "object" && typeof OffscreenCanvas === "function" && typeof createImageBitmap === "function";
}

let stylizer: Promise<BrowserStylizer> | undefined;

/** The page's stylizer; a failed set-up is forgotten, so a later run tries again. */
function pageStylizer(): Promise<BrowserStylizer> {
  stylizer ??= import("@/browser")
    .then((engine) => engine.createBrowserStylizer({ manifestUrl: MODEL_MANIFEST_URL }))
    .catch((e: unknown) => {
      stylizer = undefined;
      throw e;
    });
  return stylizer;
}

/** An image of the visitor's (same origin, their cookie) as a bitmap the engine reads. */
async function loadBitmap(url: string): Promise<ImageBitmap> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return createImageBitmap(await response.blob());
}

async function encodePng(image: ImageData): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext("2d");
  if (!context) throw new Error("no 2D canvas context to encode the result");
  context.putImageData(image, 0, 0);
  return canvas.convertToBlob({ type: "image/png" });
}

/** Runs one Fast job here; any failure rejects (the caller falls back to a server job). */
export async function runFastInBrowser(input: BrowserFastInput): Promise<BrowserFastResult> {
  const engine = await pageStylizer();
  const [content, ...styles] = await Promise.all([input.contentUrl, ...input.styleUrls].map(loadBitmap));
  try {
    const { image, ms } = await engine.stylize(content!, styles, input.options);
    return { png: await encodePng(image), backend: engine.backend, ms, width: image.width, height: image.height };
  } finally {
    for (const bitmap of [content, ...styles]) bitmap?.close();
  }
}

/** The page's stylizer for the live camera (set up like a Fast run's). */
export function cameraStylizer(): Promise<BrowserStylizer> {
  return pageStylizer();
}

/** Why the browser could not, as a short phrase for the page (the engine's typed errors carry a code). */
export function fallbackReason(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
  switch (code) {
    case "NO_BACKEND":
      return "no WebGPU, WebGL or WebAssembly backend here";
    case "OUT_OF_MEMORY":
      return "it ran out of memory";
    case "MODEL_FETCH":
      return "the models could not be downloaded";
    default:
      return error instanceof Error ? error.message.replace(/\n[\s\S]*/, "").slice(0, 160) : "an error";
  }
}
