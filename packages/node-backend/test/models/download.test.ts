import { createHash } from "node:crypto";
import { readdir, readFile, truncate, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadModel, verifyModel, type ModelEntry } from "../../src/models/index.js";
import { caught, expectOneLine, tempDir, writeLayersModel } from "./helpers.js";

// 300 kB of deterministic bytes, served in 16 kB chunks.
const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
const payloadMd5 = createHash("md5").update(payload).digest("hex");

let server: http.Server;
let base: string;
let root: string;
let cleanup: () => Promise<void>;

function entry(md5: string): ModelEntry {
  return {
    id: "testnet",
    title: "test network",
    license: "none",
    localForms: [
      { kind: "layers-model", path: "testnet/model.json" },
      { kind: "keras-h5", path: "testnet.h5" },
    ],
    download: { kind: "keras-h5", fileName: "testnet.h5", url: "https://example.invalid/testnet.h5", md5, sizeBytes: payload.length },
  };
}

beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir("pastiche-download-"));
  server = http.createServer((req, res) => {
    if (req.url === "/weights.h5") {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": payload.length });
      let off = 0;
      const push = (): void => {
        if (off >= payload.length) return void res.end();
        res.write(payload.subarray(off, off + 16_384));
        off += 16_384;
        setImmediate(push);
      };
      push();
    } else if (req.url === "/cut.h5") {
      // Promise the whole file, send a third of it, then drop the connection.
      res.writeHead(200, { "content-length": payload.length });
      res.write(payload.subarray(0, 100_000), () => res.socket?.destroy());
    } else {
      res.writeHead(404, "Not Found").end("nope");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await cleanup();
});

async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe("downloadModel", () => {
  it("streams the file into place, reporting progress, when the md5 matches", async () => {
    const dir = path.join(root, "ok");
    const progress: [number, number | undefined][] = [];
    const result = await downloadModel(entry(payloadMd5), {
      modelsDir: dir,
      url: `${base}/weights.h5`,
      onProgress: (received, total) => progress.push([received, total]),
    });
    const dest = path.join(dir, "testnet.h5");
    expect(result).toEqual({ path: dest, bytes: payload.length, md5: payloadMd5, url: `${base}/weights.h5` });
    expect((await readFile(dest)).equals(payload)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(["pastiche-manifest.json", "testnet.h5"]); // no temp file left behind
    // The sha256 as downloaded, which `models verify` checks the file against later.
    const manifest = JSON.parse(await readFile(path.join(dir, "pastiche-manifest.json"), "utf8")) as { files: Record<string, unknown> };
    expect(manifest.files["testnet.h5"]).toMatchObject({
      sha256: createHash("sha256").update(payload).digest("hex"),
      size: payload.length,
      recorded: "download",
    });
    expect(progress[0]).toEqual([0, payload.length]);
    expect(progress.at(-1)).toEqual([payload.length, payload.length]);
    expect(progress.length).toBeGreaterThan(3);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
  });

  it("keeps nothing and says so on an md5 mismatch", async () => {
    const dir = path.join(root, "mismatch");
    const wrong = "0123456789abcdef0123456789abcdef";
    const e = await caught(() => downloadModel(entry(wrong), { modelsDir: dir, url: `${base}/weights.h5` }));
    expect(e.code).toBe("HASH_MISMATCH");
    expect(e.message).toContain(`has md5 ${payloadMd5}, expected ${wrong}`);
    expect(e.message).toContain(path.join(dir, "testnet.h5"));
    expectOneLine(e);
    expect(await readdir(dir)).toEqual([]);
  });

  it("does not replace a good file with a bad download", async () => {
    const dir = path.join(root, "ok");
    await caught(() => downloadModel(entry("0".repeat(32)), { modelsDir: dir, url: `${base}/weights.h5` }));
    expect((await readFile(path.join(dir, "testnet.h5"))).equals(payload)).toBe(true);
  });

  it("fails with DOWNLOAD_FAILED, the manual path and the URL when the host is unreachable", async () => {
    const dir = path.join(root, "unreachable");
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/weights.h5`;
    const e = await caught(() => downloadModel(entry(payloadMd5), { modelsDir: dir, url }));
    expect(e.code).toBe("DOWNLOAD_FAILED");
    expect(e.message).toContain(`could not reach 127.0.0.1:${port}`);
    expect(e.message).toContain("ECONNREFUSED");
    expect(e.message).toContain(url);
    expect(e.message).toContain(path.join(dir, "testnet.h5"));
    expectOneLine(e);
    expect(await readdir(dir)).toEqual([]);
  });

  it("fails on an HTTP error status", async () => {
    const dir = path.join(root, "http404");
    const e = await caught(() => downloadModel(entry(payloadMd5), { modelsDir: dir, url: `${base}/missing.h5` }));
    expect(e.code).toBe("DOWNLOAD_FAILED");
    expect(e.message).toContain("answered HTTP 404 Not Found");
    expect(await readdir(dir)).toEqual([]);
  });

  it("fails when the connection drops mid-file, leaving nothing", async () => {
    const dir = path.join(root, "cut");
    const e = await caught(() => downloadModel(entry(payloadMd5), { modelsDir: dir, url: `${base}/cut.h5` }));
    expect(e.code).toBe("DOWNLOAD_FAILED");
    expect(e.message).toMatch(/after \d+ of 300000 bytes/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("uses fetchImpl and the registry URL when no url is given", async () => {
    const dir = path.join(root, "fetchimpl");
    const seen: string[] = [];
    const fetchImpl: typeof fetch = (input) => {
      seen.push(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      return Promise.resolve(new Response(payload, { status: 200 }));
    };
    const result = await downloadModel(entry(payloadMd5), { modelsDir: dir, fetchImpl });
    expect(seen).toEqual(["https://example.invalid/testnet.h5"]);
    expect(result.bytes).toBe(payload.length);
  });

  it("can be cancelled", async () => {
    const dir = path.join(root, "abort");
    const controller = new AbortController();
    const e = await caught(() =>
      downloadModel(entry(payloadMd5), {
        modelsDir: dir,
        url: `${base}/weights.h5`,
        signal: controller.signal,
        onProgress: (received) => {
          if (received > 50_000) controller.abort();
        },
      }),
    );
    expect(e.code).toBe("ABORTED");
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("verifyModel", () => {
  it("reports presence, md5 and shard sizes per accepted form", async () => {
    const dir = path.join(root, "verify");
    let v = await verifyModel(entry(payloadMd5), dir);
    expect(v.files.map((f) => [f.path, f.present, f.hash])).toEqual([
      [path.join(dir, "testnet/model.json"), false, "not-checked"],
      [path.join(dir, "testnet.h5"), false, "not-checked"],
    ]);
    expect(v.usable).toBeUndefined();

    await downloadModel(entry(payloadMd5), { modelsDir: dir, url: `${base}/weights.h5` });
    v = await verifyModel(entry(payloadMd5), dir);
    expect(v.files[1]).toMatchObject({ present: true, hash: "ok" });
    expect(v.usable).toEqual({ kind: "keras-h5", path: path.join(dir, "testnet.h5") });

    const content = await verifyModel(entry(payloadMd5), dir, { content: true });
    expect(content.files[1]!.content?.map((c) => [c.file, c.check.state])).toEqual([[path.join(dir, "testnet.h5"), "ok"]]);

    await writeFile(path.join(dir, "testnet.h5"), "tampered");
    v = await verifyModel(entry(payloadMd5), dir);
    expect(v.files[1]).toMatchObject({ present: true, hash: "mismatch" });
    expect(v.files[1]!.problem).toContain("pastiche models download testnet");
    expect(v.usable).toBeUndefined();

    const { shards } = await writeLayersModel(path.join(dir, "testnet"), [{ name: "k", shape: [40], values: new Float32Array(40) }], 64);
    v = await verifyModel(entry(payloadMd5), dir);
    expect(v.files[0]).toMatchObject({ present: true, hash: "not-checked", shards: "ok" });
    expect(v.usable).toEqual({ kind: "layers-model", path: path.join(dir, "testnet/model.json") });

    await truncate(path.join(dir, "testnet", shards[1]!), 5);
    v = await verifyModel(entry(payloadMd5), dir);
    expect(v.files[0]).toMatchObject({ present: true, shards: "bad" });
    expect(v.files[0]!.problem).toContain(`"${shards[1]}" is 5 bytes, expected 64`);
  });
});
