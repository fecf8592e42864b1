/** The in-browser engine (client-only): Fast stylisation on the visitor's device. */
// First: before core builds its zod schemas (see zodJitless.ts).
import "./zodJitless.ts";
export { createBrowserStylizer, type BrowserStylizer, type BrowserStylizerOptions, type BrowserStylizeResult } from "./stylizer.ts";
export { chooseBackend, DEFAULT_BACKEND_ORDER, softwareWebglRenderer, softwareWebGpuAdapter, type BrowserBackendName } from "./backend.ts";
export { BrowserStylizeError, type BrowserStylizeErrorCode } from "./errors.ts";
export { fetchManifest, fetchModelFile, type ManifestFile, type ModelManifest } from "./modelFiles.ts";
export { type BrowserImageSource } from "./pixels.ts";
export { startCameraStylizer, type CameraStylizer, type CameraStylizerOptions } from "./camera.ts";
