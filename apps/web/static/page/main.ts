/**
 * The static page: Fast stylisation and the live camera entirely in the visitor's browser, through
 * the same engine the app uses (src/browser). Models and tfjs's WASM binaries are files beside this
 * page (written by `build:static`), so any static file host can serve it.
 */
import "../../src/browser/zodJitless.ts";
import {
  BrowserStylizeError,
  createBrowserStylizer,
  softwareWebglRenderer,
  startCameraStylizer,
  type BrowserBackendName,
  type BrowserStylizer,
  type CameraStylizer,
} from "../../src/browser/index.ts";

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no #${id}`);
  return found;
}

const contentInput = element("content-input", HTMLInputElement);
const styleInput = element("style-input", HTMLInputElement);
const sizeInput = element("size", HTMLInputElement);
const backendChoice = element("backend-choice", HTMLSelectElement);
const runButton = element("run", HTMLButtonElement);
const backendOutput = element("backend", HTMLOutputElement);
const backendNote = element("backend-note", HTMLElement);
const timingOutput = element("timing", HTMLOutputElement);
const message = element("message", HTMLParagraphElement);
const contentPreview = element("content-preview", HTMLCanvasElement);
const stylePreview = element("style-preview", HTMLCanvasElement);
const resultFigure = element("result-figure", HTMLElement);
const cameraStart = element("camera-start", HTMLButtonElement);
const cameraStop = element("camera-stop", HTMLButtonElement);
const fpsOutput = element("fps", HTMLOutputElement);
const sideOutput = element("camera-side", HTMLOutputElement);
const framesOutput = element("camera-frames", HTMLOutputElement);
const cameraVideo = element("camera-video", HTMLVideoElement);
const cameraOutput = element("camera-output", HTMLCanvasElement);

const say = (text: string) => {
  message.textContent = text;
};
const describe = (e: unknown) => (e instanceof BrowserStylizeError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e));

// ?backend=webgpu|webgl|wasm pins the engine (the selector reloads with it); absent: the automatic order.
const pinned = new URLSearchParams(location.search).get("backend");
const backends: readonly BrowserBackendName[] | undefined = pinned === "webgpu" || pinned === "webgl" || pinned === "wasm" ? [pinned] : undefined;
backendChoice.value = backends?.[0] ?? "auto";
backendChoice.addEventListener("change", () => {
  const params = new URLSearchParams(location.search);
  if (backendChoice.value === "auto") params.delete("backend");
  else params.set("backend", backendChoice.value);
  location.search = params.toString();
});

let stylizer: BrowserStylizer | undefined;
let content: ImageBitmap | undefined;
let style: ImageBitmap | undefined;
let camera: { stylizer: CameraStylizer; stream: MediaStream } | undefined;
let running = false;

function updateButtons(): void {
  runButton.disabled = !stylizer || running || camera !== undefined;
  cameraStart.disabled = !stylizer || running || camera !== undefined;
  cameraStop.disabled = camera === undefined;
}

function drawPreview(canvas: HTMLCanvasElement, bitmap: ImageBitmap): void {
  [canvas.width, canvas.height] = [bitmap.width, bitmap.height];
  canvas.getContext("2d")?.drawImage(bitmap, 0, 0);
}

async function readFile(input: HTMLInputElement, what: string, preview: HTMLCanvasElement): Promise<ImageBitmap | undefined> {
  const file = input.files?.[0];
  if (!file) return undefined;
  try {
    const bitmap = await createImageBitmap(file);
    drawPreview(preview, bitmap);
    say("");
    return bitmap;
  } catch {
    say(`${file.name} is not an image this browser can decode (choose a JPEG, PNG or WebP ${what})`);
    return undefined;
  }
}

contentInput.addEventListener("change", () => {
  void readFile(contentInput, "photo", contentPreview).then((b) => (content = b));
});
styleInput.addEventListener("change", () => {
  void readFile(styleInput, "style image", stylePreview).then((b) => (style = b));
});

/** The content at the requested longest side (never enlarged), drawn once so the engine reads fewer pixels. */
function contentAtSize(bitmap: ImageBitmap): OffscreenCanvas | ImageBitmap {
  const requested = Number(sizeInput.value);
  const longest = Math.max(bitmap.width, bitmap.height);
  if (!Number.isFinite(requested) || requested <= 0 || requested >= longest) return bitmap;
  const scale = requested / longest;
  const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
  const context = canvas.getContext("2d");
  if (!context) throw new BrowserStylizeError("BAD_IMAGE", "no 2D canvas context to resize the photo");
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas;
}

runButton.addEventListener("click", () => {
  if (!stylizer) return;
  if (!content || !style) {
    say("choose a content photo and a style image first");
    return;
  }
  const engine = stylizer;
  const [contentImage, styleImage] = [content, style];
  running = true;
  updateButtons();
  document.querySelector("[data-testid=result]")?.remove();
  timingOutput.textContent = "running…";
  say("");
  void (async () => {
    try {
      const { image, ms } = await engine.stylize(contentAtSize(contentImage), styleImage);
      const result = document.createElement("canvas");
      result.dataset.testid = "result";
      [result.width, result.height] = [image.width, image.height];
      result.getContext("2d")?.putImageData(image, 0, 0);
      resultFigure.append(result);
      timingOutput.textContent = `${Math.round(ms)} ms`;
      timingOutput.dataset.ms = String(ms);
    } catch (e) {
      timingOutput.textContent = "–";
      say(describe(e));
    } finally {
      running = false;
      updateButtons();
    }
  })();
});

cameraStart.addEventListener("click", () => {
  if (!stylizer) return;
  if (!style) {
    say("choose a style image first");
    return;
  }
  const [engine, styleImage] = [stylizer, style];
  void (async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
      cameraVideo.srcObject = stream;
      await cameraVideo.play();
      const live = startCameraStylizer(cameraVideo, cameraOutput, styleImage, engine, {
        onFps: (fps, side) => {
          fpsOutput.textContent = fps.toFixed(1);
          fpsOutput.dataset.fps = String(fps);
          sideOutput.textContent = String(side);
          framesOutput.textContent = String(live.frames);
        },
        onError: (e) => {
          say(describe(e));
          stopCamera();
        },
      });
      camera = { stylizer: live, stream };
      say("");
    } catch (e) {
      say(`the camera did not start: ${describe(e)}`);
    }
    updateButtons();
  })();
});

function stopCamera(): void {
  if (!camera) return;
  camera.stylizer.stop();
  framesOutput.textContent = String(camera.stylizer.frames);
  for (const track of camera.stream.getTracks()) track.stop();
  cameraVideo.srcObject = null;
  camera = undefined;
  updateButtons();
}
cameraStop.addEventListener("click", stopCamera);

// Start loading the engine and models at once, so the first click only stylises.
createBrowserStylizer({
  manifestUrl: new URL("models/manifest.json", location.href),
  wasmPath: new URL("tfjs-wasm/", location.href).href,
  ...(backends ? { backends } : {}),
})
  .then((ready) => {
    stylizer = ready;
    backendOutput.textContent = ready.backend;
    const software = softwareWebglRenderer();
    if (software) backendNote.textContent = ` (WebGL here is a software rasteriser, ${software}: ${ready.backend === "webgl" ? "slow" : "WASM is faster"})`;
    updateButtons();
  })
  .catch((e: unknown) => {
    backendOutput.textContent = "unavailable";
    say(`Stylisation cannot run in this browser: ${describe(e)}`);
  });
