import { readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmbeddedApp } from "../../src/server/app.js";
import { serveImage } from "../../src/server/http/handlers.js";
import { handleTrpc } from "../../src/server/http/trpcHandler.js";
import { callerFor, fakeRunners, hugePngHeader, jpegBytes, openApp, pngBytes, tempDir, testConfig, uploadForm, ownerOf, rejected } from "./helpers.js";

let app: EmbeddedApp;
let cleanup: () => void;

beforeEach(async () => {
  const { dir, remove } = tempDir();
  app = await openApp(
    testConfig(dir, { limits: { maxUploadBytes: 200_000, maxInputPixels: 4_000_000, maxOutputSide: 1024, maxIterations: 1000 } }),
    fakeRunners().factory,
  );
  cleanup = remove;
});

afterEach(async () => {
  await app.close();
  cleanup();
});

function storedFiles(): string[] {
  return ["uploads", "thumbnails"].flatMap((d) => readdirSync(path.join(app.paths.root, d)));
}

function uploadRows(): number {
  return (app.db.prepare("SELECT COUNT(*) AS n FROM uploads").get() as { n: number }).n;
}

describe("images.upload", () => {
  it("stores a PNG and a JPEG, typed from their bytes (not the name), with thumbnails", async () => {
    const caller = callerFor(app);
    const png = await caller.images.upload(uploadForm(await pngBytes(64, 48), "content", "photo.jpg"));
    expect(png).toMatchObject({ width: 64, height: 48, format: "png", url: `/api/images/${png.id}`, thumbnailUrl: `/api/images/${png.id}?thumb=1` });
    expect(png.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const jpeg = await caller.images.upload(uploadForm(await jpegBytes(40, 80), "style", "painting.png"));
    expect(jpeg).toMatchObject({ width: 40, height: 80, format: "jpeg" });
    expect(uploadRows()).toBe(2);

    const original = await serveImage(app, ownerOf("alice"), png.id, new URL(`http://x${png.url}`));
    expect(original.status).toBe(200);
    expect(original.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await original.arrayBuffer()).length).toBe(png.bytes);
    const thumb = await serveImage(app, ownerOf("alice"), png.id, new URL(`http://x${png.thumbnailUrl}`));
    expect(thumb.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await thumb.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(thumb.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it.each([
    ["a 0-byte file", () => Promise.resolve(Buffer.alloc(0)), "BAD_REQUEST", /empty/],
    ["a text file named .jpg", () => Promise.resolve(Buffer.from("hello, this is not a picture\n".repeat(10))), "BAD_REQUEST", /not an image/],
    ["a GIF", () => Promise.resolve(Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1")), "BAD_REQUEST", /GIF image/],
    [
      "a PNG header claiming 20000×20000",
      () => Promise.resolve(hugePngHeader(20000, 20000)),
      "PAYLOAD_TOO_LARGE",
      /20000×20000 \(400 megapixels\), over the limit of 4\.0 megapixels/,
    ],
    [
      "a file over the size limit",
      () => Promise.resolve(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(300_000)])),
      "PAYLOAD_TOO_LARGE",
      /over the upload limit/,
    ],
    ["a truncated PNG", async () => (await pngBytes(64, 64)).subarray(0, 60), "BAD_REQUEST", /damaged or incomplete/],
    ["a 8×8 image", () => pngBytes(8, 8), "BAD_REQUEST", /at least 16 pixels/],
  ] as const)("refuses %s with a readable message and stores nothing", async (_what, bytes, code, message) => {
    const e = await rejected(callerFor(app).images.upload(uploadForm(await bytes(), "content", "image.jpg")));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^The .*\.$/);
    expect(storedFiles()).toEqual([]);
    expect(uploadRows()).toBe(0);
  });

  it("refuses a form without a file or a role", async () => {
    const noFile = new FormData();
    noFile.set("role", "content");
    expect((await rejected(callerFor(app).images.upload(noFile))).message).toMatch(/No file/);
    const noRole = uploadForm(await pngBytes(), "content");
    noRole.set("role", "background");
    expect((await rejected(callerFor(app).images.upload(noRole))).message).toMatch(/content or a style/);
  });
});

describe("upload body limit (route handler)", () => {
  const url = "http://localhost/api/trpc/images.upload";

  async function errorOf(res: Response): Promise<{ message: string; data: { code: string; httpStatus: number } }> {
    const body = (await res.json()) as { error: { message: string; data: { code: string; httpStatus: number } } };
    return body.error;
  }

  it("accepts a multipart upload over HTTP", async () => {
    const res = await handleTrpc(new Request(url, { method: "POST", body: uploadForm(await pngBytes(), "style") }), app);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { format: string } } };
    expect(body.result.data.format).toBe("png");
  });

  it("refuses a declared Content-Length over the limit without reading the body", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const req = new Request(url, {
      method: "POST",
      body,
      headers: { "content-length": String(100 * 1024 * 1024), "content-type": "multipart/form-data; boundary=x" },
      duplex: "half",
    } as RequestInit);
    const res = await handleTrpc(req, app);
    expect(res.status).toBe(413);
    const error = await errorOf(res);
    expect(error.data.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toMatch(/^The file is 100 MB, over the upload limit of 195 KB\.$/);
    expect(pulled).toBeLessThanOrEqual(1);
    expect(storedFiles()).toEqual([]);
  });

  it("stops reading a streamed body (no Content-Length) once it passes the limit", async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 64 * 1024;
        if (sent > 100 * 1024 * 1024) controller.close();
        else controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const req = new Request(url, { method: "POST", body, headers: { "content-type": "multipart/form-data; boundary=x" }, duplex: "half" } as RequestInit);
    const res = await handleTrpc(req, app);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toBe("The file is larger than the upload limit of 195 KB.");
    expect(sent).toBeLessThan(1024 * 1024);
    expect(storedFiles()).toEqual([]);
  });
});
