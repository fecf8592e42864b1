/**
 * A full disk fails the upload or the job with one clear sentence and leaves nothing half-done: the
 * file system refusing a write (ENOSPC, simulated: the test cannot fill a real disk) and SQLite
 * refusing a row (SQLITE_FULL, real: the database is capped with max_page_count).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EmbeddedApp } from "../../src/server/app.js";
import { callerFor, fakeRunners, jpegBytes, openApp, pngBytes, tempDir, testConfig, uploadForm, rejected } from "./helpers.js";

const writes = vi.hoisted(() => ({ failFrom: Infinity, count: 0 }));

vi.mock("../../src/server/storage/atomicWrite.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/server/storage/atomicWrite.js")>();
  return {
    writeFileAtomic: async (file: string, data: Uint8Array) => {
      if (++writes.count >= writes.failFrom) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      await original.writeFileAtomic(file, data);
    },
  };
});

const DISK_FULL = "The server's disk is full, so nothing was stored; please try again later.";

let app: EmbeddedApp;
let cleanup: () => void;

beforeEach(async () => {
  const tmp = tempDir();
  cleanup = tmp.remove;
  app = await openApp(testConfig(tmp.dir), fakeRunners().factory);
  writes.failFrom = Infinity;
  writes.count = 0;
});

afterEach(async () => {
  await app.close();
  cleanup();
});

function files(): string[] {
  return ["uploads", "thumbnails", "results", "previews"].flatMap((d) => readdirSync(path.join(app.paths.root, d)));
}

describe("a full disk", () => {
  it("fails an upload whose file (or thumbnail) cannot be written, keeping nothing", async () => {
    for (const failFrom of [1, 2]) {
      writes.count = 0;
      writes.failFrom = failFrom;
      const e = await rejected(callerFor(app).images.upload(uploadForm(await pngBytes(), "content")));
      expect([e.code, e.message]).toEqual(["SERVICE_UNAVAILABLE", DISK_FULL]);
      expect(files()).toEqual([]);
      expect(app.db.prepare("SELECT COUNT(*) AS n FROM uploads").get()).toEqual({ n: 0 });
    }
  });

  it("fails uploads and jobs when the database cannot grow, keeping no files without rows", async () => {
    const caller = callerFor(app);
    const content = (await caller.images.upload(uploadForm(await pngBytes(), "content"))).id;
    const style = (await caller.images.upload(uploadForm(await jpegBytes(), "style"))).id;
    const stored = files().sort();
    // Fill the database to a hard cap: every page already allocated, none more allowed.
    app.db.exec("CREATE TABLE filler (x BLOB)");
    const pages = app.db.pragma("page_count", { simple: true }) as number;
    app.db.pragma(`max_page_count = ${pages}`);
    const fill = app.db.prepare("INSERT INTO filler VALUES (zeroblob(?))");
    // Ever smaller rows, until not even a tiny one fits in the pages' free space.
    for (const size of [2000, 500, 100, 20, 1]) {
      try {
        for (;;) fill.run(size);
      } catch (e) {
        expect((e as { code?: string }).code).toBe("SQLITE_FULL");
      }
    }
    // The jobs table's own pages may still hold a few rows; then the database is full.
    let created = 0;
    let refusal: TRPCError | undefined;
    while (refusal === undefined && created < 500) {
      try {
        await caller.jobs.create({ mode: "fast", contentId: content, styleIds: [style], options: { size: 64 } });
        created++;
      } catch (e) {
        refusal = e as TRPCError;
      }
    }
    expect(refusal).toBeInstanceOf(TRPCError);
    expect([refusal?.code, refusal?.message]).toEqual(["SERVICE_UNAVAILABLE", DISK_FULL]);
    expect(app.db.prepare("SELECT COUNT(*) AS n FROM jobs").get()).toEqual({ n: created });
    // Likewise uploads: the files are written, the row does not fit, the files go again.
    const png = await pngBytes();
    let upload: TRPCError | undefined;
    for (let i = 0; upload === undefined && i < 500; i++)
      upload = await caller.images.upload(uploadForm(png, "content")).then(
        () => undefined,
        (e: unknown) => e as TRPCError,
      );
    expect([upload?.code, upload?.message]).toEqual(["SERVICE_UNAVAILABLE", DISK_FULL]);
    const rows = (app.db.prepare("SELECT id FROM uploads").all() as { id: string }[]).map((r) => r.id);
    expect(files().sort()).toEqual(rows.flatMap((id) => [id, `${id}.jpg`]).sort());
    expect(files().length).toBeGreaterThanOrEqual(stored.length);
  });
});
