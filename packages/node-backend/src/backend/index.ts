export { initBackend, BACKEND_CHOICES, type BackendChoice, type BackendInfo } from "./selectBackend.js";
export { initWasmBackend, type WasmBackendInfo } from "./wasmThreads.js";
