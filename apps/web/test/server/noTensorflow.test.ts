/**
 * The server process must never load TensorFlow.js: it would cost hundreds of MB and, with the WASM
 * backend, threads competing with the workers. A module resolution hook records every module Node
 * loads while the server's modules are imported and used; none may come from @tensorflow.
 */
import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
import { describe, expect, it } from "vitest";

const HOOK = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;

describe("the server process", () => {
  it("imports the router, the app and the route handlers without loading @tensorflow", async () => {
    const { port1, port2 } = new MessageChannel();
    const loaded: string[] = [];
    port1.on("message", (url: string) => loaded.push(url));
    port1.unref();
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`, { data: { port: port2 }, transferList: [port2] });
    const flush = () => new Promise((r) => setTimeout(r, 100));

    const { appRouter } = await import("../../src/server/api/root.js");
    const { handleTrpc } = await import("../../src/server/http/trpcHandler.js");
    await import("../../src/server/http/handlers.js");
    const { fakeRunners, openApp, tempDir, testConfig, callerFor, pngBytes, uploadForm } = await import("./helpers.js");
    const { dir, remove } = tempDir();
    const app = await openApp(testConfig(dir), fakeRunners(true).factory);
    const caller = callerFor(app);
    const { id } = await caller.images.upload(uploadForm(await pngBytes(), "content"));
    await caller.jobs.create({ mode: "fast", contentId: id, styleIds: [id] });
    await app.queue.settled();
    await handleTrpc(new Request("http://localhost/api/trpc/system.info"), app);
    await app.close();
    remove();
    expect(Object.keys(appRouter._def.procedures)).toContain("jobs.onProgress");
    await flush();
    expect(loaded.some((url) => url.includes("better-sqlite3") || url.includes("sharp"))).toBe(true);
    expect(loaded.filter((url) => url.includes("@tensorflow"))).toEqual([]);
    expect((globalThis as { _tfengine?: unknown })._tfengine).toBeUndefined();

    // The detector itself works: the full @pastiche/node does load TensorFlow.js.
    await import("@pastiche/node");
    await flush();
    expect(loaded.some((url) => url.includes("@tensorflow"))).toBe(true);
  });
});
