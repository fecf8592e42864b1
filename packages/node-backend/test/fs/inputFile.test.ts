import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readInputFile } from "../../src/fs/inputFile.js";
import { writeFileAtomic } from "../../src/fs/atomicWrite.js";
import { assertWritableOutput } from "../../src/images/writeImage.js";
import { sha256File } from "../../src/pipeline/runSettings.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pastiche-inputfile-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const codeOf = async (p: Promise<unknown>) =>
  (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as { code: string; message: string };

describe("readInputFile / sha256File: regular files only, size-capped", () => {
  it("reads a regular file", async () => {
    await writeFile(join(dir, "a.bin"), "hello");
    expect((await readInputFile(join(dir, "a.bin"))).toString()).toBe("hello");
  });

  it("refuses /dev/zero and a FIFO without blocking, and a file over the cap", async () => {
    expect(await codeOf(readInputFile("/dev/zero"))).toMatchObject({
      code: "INVALID_IMAGE",
      message: "File /dev/zero is a character device, not a regular file",
    });
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    expect((await codeOf(readInputFile(fifo))).message).toMatch(/is a FIFO \(named pipe\), not a regular file/);
    expect((await codeOf(sha256File(fifo))).message).toMatch(/is a FIFO/);
    await writeFile(join(dir, "big.bin"), new Uint8Array(2048));
    expect(await codeOf(readInputFile(join(dir, "big.bin"), { maxBytes: 1024 }))).toMatchObject({ code: "IMAGE_TOO_LARGE" });
    expect(await codeOf(readInputFile(join(dir, "nope")))).toMatchObject({ code: "FILE_NOT_FOUND" });
  });

  it("hashes an empty file as the sha256 of nothing", async () => {
    await writeFile(join(dir, "empty"), "");
    expect(await sha256File(join(dir, "empty"))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});

describe("assertWritableOutput: an existing output must be replaceable, and no input", () => {
  it("refuses a read-only file, and the output that is an input (also via a symlink)", async () => {
    const ro = join(dir, "ro.png");
    await writeFile(ro, "x");
    await chmod(ro, 0o444);
    expect((await codeOf(assertWritableOutput(ro))).message).toBe(
      `Cannot write ${ro}: it exists and is read-only (mode 0444); make it writable or choose another output`,
    );
    const input = join(dir, "style.png");
    await writeFile(input, "y");
    const link = join(dir, "link.png");
    await symlink(input, link);
    expect((await codeOf(assertWritableOutput(link, [{ path: input, role: "style image" }]))).message).toMatch(/it is the style image/);
    await expect(assertWritableOutput(join(dir, "new.png"), [{ path: input, role: "style image" }])).resolves.toBeUndefined();
  });

  it("a replaced file keeps its permission bits", async () => {
    const p = join(dir, "private.png");
    await writeFile(p, "old");
    await chmod(p, 0o600);
    await writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect((await stat(p)).mode & 0o777).toBe(0o600);
  });
});
