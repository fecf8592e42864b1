/**
 * `pastiche models verify` checks content: a bit-flipped shard (same size, so the shard-size check
 * passes) is named, exit 3. The first verification records the hashes and says so.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, expectOneErrorLine, lines, makeTempDir, removeDir, runCli, writeLayersModel } from "./helpers.js";

let root: string | undefined;
beforeAll(async () => {
  assertBuilt();
  root = await makeTempDir();
});
afterAll(async () => {
  await removeDir(root);
});

describe("pastiche models verify", () => {
  it("records hashes at first verification, then names a bit-flipped shard", async () => {
    const modelsDir = path.join(root!, "models");
    const modelDir = await writeLayersModel(path.join(modelsDir, "vgg19-notop-uint8"), [{ name: "block1_conv1/bias", shape: [64] }]);
    const env = { PASTICHE_MODELS_DIR: modelsDir };

    const first = await runCli(["models", "verify", "vgg19"], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/group1-shard1of1\.bin: sha256 recorded now \(first verification: no published hash/);
    expect(first.stdout).toMatch(/model\.json: shard sizes match model\.json/);
    const manifest = JSON.parse(await readFile(path.join(modelsDir, "pastiche-manifest.json"), "utf8")) as { files: Record<string, { recorded: string }> };
    expect(Object.keys(manifest.files).sort()).toEqual(["vgg19-notop-uint8/group1-shard1of1.bin", "vgg19-notop-uint8/model.json"]);

    const second = await runCli(["models", "verify", "vgg19"], { env });
    expect(second.code).toBe(0);
    expect(lines(second.stdout).filter((l) => l.includes("sha256 ok (unchanged since first verified"))).toHaveLength(2);

    const shard = path.join(modelDir, "group1-shard1of1.bin");
    const bytes = await readFile(shard);
    bytes[10] = bytes[10]! ^ 0x01;
    await writeFile(shard, bytes);
    const third = await runCli(["models", "verify", "vgg19"], { env });
    expectOneErrorLine(third, /group1-shard1of1\.bin is corrupt or changed: sha256 [0-9a-f]{16}…, recorded [0-9a-f]{16}… when it was first verified/, 3);
    expect(third.stdout).toMatch(/group1-shard1of1\.bin: BAD — sha256/);

    const json = await runCli(["models", "verify", "vgg19", "--json"], { env });
    expect(json.code).toBe(3);
    const error = JSON.parse(json.stdout.trim()) as { type: string; code: string; message: string };
    expect([error.type, error.code]).toEqual(["error", "INVALID_WEIGHTS"]);
    expect(error.message).toContain("group1-shard1of1.bin is corrupt");
  });
});
