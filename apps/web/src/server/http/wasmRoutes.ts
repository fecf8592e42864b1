/**
 * GET /tfjs-wasm/<version>/<file>: tfjs's WebAssembly binaries for the in-browser engine's WASM backend
 * (src/browser/backend.ts points setWasmPaths here), from our own origin so the page's CSP
 * (connect-src 'self', 'wasm-unsafe-eval') lets them load. Only the package's known file names are
 * served, read from the installed package: nothing in the request becomes a path. The version is
 * in the URL (the page asks for the one its bundle was built with, `version_wasm`), so the files can
 * be cached for good: another version is another URL, and a mismatched one answers 404.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { appRoot } from "../appRoot";
import { API_HEADERS } from "./apiHeaders";
import { notFound } from "./serveFile";

/** The binaries @tensorflow/tfjs-backend-wasm ships (plain, SIMD, threaded SIMD: tfjs picks one by the browser's features). */
export const TFJS_WASM_FILES: readonly string[] = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"];

/** The package's dist directory (pnpm links it into apps/web/node_modules). */
export function tfjsWasmDir(): string {
  return path.join(appRoot(), "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
}

const versions = new Map<string, string>();

/** The version of the package whose dist is `dir`. */
function installedVersion(dir: string): string {
  let version = versions.get(dir);
  if (version === undefined) {
    version = (JSON.parse(readFileSync(path.join(dir, "..", "package.json"), "utf8")) as { version: string }).version;
    versions.set(dir, version);
  }
  return version;
}

const loaded = new Map<string, Promise<Buffer>>();

export async function serveTfjsWasm(req: Request, version: string, name: string, dir: string = tfjsWasmDir()): Promise<Response> {
  if (!TFJS_WASM_FILES.includes(name)) return notFound("WASM file");
  let installed: string;
  try {
    installed = installedVersion(dir);
  } catch {
    return notFound("WASM file");
  }
  if (version !== installed) return notFound("WASM file");
  const key = path.join(dir, name);
  let bytes = loaded.get(key);
  if (!bytes) {
    // Read once per process: the files change only with the installed package (a new deploy).
    bytes = readFile(key);
    loaded.set(key, bytes);
  }
  let data: Buffer;
  try {
    data = await bytes;
  } catch {
    loaded.delete(key);
    return notFound("WASM file");
  }
  const headers = {
    ...API_HEADERS,
    "Content-Type": "application/wasm",
    "Content-Length": String(data.length),
    // Versioned URL: these bytes never change under it.
    "Cache-Control": "public, max-age=31536000, immutable",
  };
  return new Response(req.method === "HEAD" ? null : new Uint8Array(data), { headers });
}
