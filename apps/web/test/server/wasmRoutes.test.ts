/** GET /tfjs-wasm/<version>/<file>: only the installed tfjs-backend-wasm's own binaries, cacheable for good. */
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { serveTfjsWasm, TFJS_WASM_FILES } from "../../src/server/http/wasmRoutes.js";

const require = createRequire(import.meta.url);
const DIST = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
const VERSION = (require("@tensorflow/tfjs-backend-wasm/package.json") as { version: string }).version;
const get = (version: string, name: string) => serveTfjsWasm(new Request("http://x/"), version, name, DIST);

describe("serveTfjsWasm", () => {
  it.each(TFJS_WASM_FILES)("serves %s as immutable application/wasm", async (name) => {
    const res = await get(VERSION, name);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/wasm");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
    expect([...bytes.subarray(0, 4)]).toEqual([0x00, 0x61, 0x73, 0x6d]); // "\0asm"
  });

  it.each([
    [VERSION, "tfjs-backend-wasm.js"],
    [VERSION, "../package.json"],
    [VERSION, "tfjs-backend-wasm.wasm/"],
    ["0.0.1", "tfjs-backend-wasm.wasm"],
    ["..", "tfjs-backend-wasm.wasm"],
  ])("answers 404 for version %s, file %s", async (version, name) => {
    expect((await get(version, name)).status).toBe(404);
  });

  it("HEAD gets the headers without the body", async () => {
    const res = await serveTfjsWasm(new Request("http://x/", { method: "HEAD" }), VERSION, TFJS_WASM_FILES[0]!, DIST);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("content-length"))).toBeGreaterThan(1000);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});
