// Simulates IO failures after the temp file exists (disk full, rename refused), which cannot be
// provoked reliably as root on a real file system.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { writeImage } from "../../src/images/writeImage.js";
import { catchPasticheError, makeTempDir, patternRgb } from "./helpers.js";

const fail = vi.hoisted(() => ({ write: false, rename: false }));

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      if (fail.write) {
        handle.writeFile = () => Promise.reject(errno("ENOSPC", "no space left on device, write"));
      }
      return handle;
    },
    rename: async (from: string, to: string) => {
      if (fail.rename) throw errno("EXDEV", "cross-device link not permitted, rename");
      return actual.rename(from, to);
    },
  };
});

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir: root, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

describe("writeImage failures after the temp file is created", () => {
  it.each([
    ["the write", "write", "no space left on device"],
    ["the rename", "rename", "EXDEV: cross-device link not permitted, rename"],
  ] as const)("removes the temp file and keeps the old target when %s fails", async (_name, which, reason) => {
    const dir = join(root, which);
    await mkdir(dir);
    const path = join(dir, "result.png");
    await writeFile(path, "previous result");
    fail[which] = true;
    try {
      const err = await catchPasticheError(() => writeImage(path, { width: 4, height: 4, data: patternRgb(4, 4) }));
      expect(err.code).toBe("OUTPUT_NOT_WRITABLE");
      expect(err.message).toBe(`Cannot write ${path}: ${reason}`);
    } finally {
      fail[which] = false;
    }
    expect(await readFile(path, "utf8")).toBe("previous result");
    expect(await readdir(dir)).toEqual(["result.png"]);
    // And the same call succeeds once the fault is gone.
    await writeImage(path, { width: 4, height: 4, data: patternRgb(4, 4) });
    expect(await readdir(dir)).toEqual(["result.png"]);
  });
});
