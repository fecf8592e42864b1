/** Help, `models list`, `doctor` and `models download`, run as a user would. */
import { readdir } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, expectOneErrorLine, lines, makeTempDir, removeDir, runCli } from "./helpers.js";

let modelsDir: string | undefined;

beforeAll(async () => {
  assertBuilt();
  modelsDir = await makeTempDir("pastiche-cli-models-");
});

afterAll(async () => {
  await removeDir(modelsDir);
});

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const STYLIZE_FLAGS = [
  "--output",
  "--size",
  "--iterations",
  "--optimizer",
  "--lr",
  "--content-weight",
  "--style-weight",
  "--tv-weight",
  "--content-layers",
  "--style-layers",
  "--style-layer-weights",
  "--style-blend-weights",
  "--init",
  "--seed",
  "--preserve-colors",
  "--style-scale",
  "--average",
  "--scales",
  "--min-size",
  "--iterations-per-scale",
  "--tile-size",
  "--max-memory",
  "--save-every",
  "--max-input-pixels",
  "--backend",
  "--weights",
  "--json",
  "--quiet",
];

describe.concurrent("pastiche commands", () => {
  it("`pastiche --help` exits 0 and lists the commands", async () => {
    const r = await runCli(["--help"]);
    expect(r.code, r.stderr).toBe(0);
    for (const command of ["stylize", "doctor", "models"]) expect(r.stdout).toContain(command);
  });

  it("`pastiche stylize --help` exits 0 and lists every flag", async () => {
    const r = await runCli(["stylize", "--help"]);
    expect(r.code, r.stderr).toBe(0);
    for (const flag of STYLIZE_FLAGS) expect(r.stdout).toContain(flag);
  });

  it("`pastiche models list --json` prints parseable JSON", async () => {
    const r = await runCli(["models", "list", "--json"], { env: { PASTICHE_MODELS_DIR: modelsDir } });
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout) as { modelsDir: string; models: { id: string; installed: string | null }[] };
    expect(parsed.modelsDir).toBe(modelsDir);
    expect(parsed.models).toContainEqual(expect.objectContaining({ id: "vgg19", installed: null }));
  });

  it("`pastiche doctor --json` reports the wasm backend and the models dir", async () => {
    const r = await runCli(["doctor", "--json"], { env: { PASTICHE_MODELS_DIR: modelsDir, PASTICHE_BACKEND: "wasm" } });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      backend: { name: string };
      modelsDir: { dir: string; source: string };
      models: { id: string; files: { path: string; present: boolean }[] }[];
    };
    expect(report.backend.name).toBe("wasm");
    expect(report.modelsDir).toEqual({ dir: modelsDir, source: "env" });
    const vgg = report.models.find((m) => m.id === "vgg19");
    expect(vgg?.files.length).toBeGreaterThan(0);
    for (const f of vgg?.files ?? []) {
      expect(f.path.startsWith(modelsDir!)).toBe(true);
      expect(f.present).toBe(false);
    }
  });

  it("`models download` from an unreachable mirror: one line saying how to install by hand, exit 3", async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/x.h5`;
    const r = await runCli(["models", "download", "vgg19", "--url", url], { env: { PASTICHE_MODELS_DIR: modelsDir } });
    const dest = path.join(modelsDir!, "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5");
    const line = expectOneErrorLine(r, /could not reach 127\.0\.0\.1:\d+ to download vgg19/, 3);
    expect(line).toContain(`to install it by hand, download ${url} and save it as ${dest}`);
    expect(lines(r.stdout)).toEqual([]);
    expect(await readdir(modelsDir!), "no partial download left behind").toEqual([]);
  });

  it("`models download` of an unknown model: one line naming the known ones, exit 2", async () => {
    const r = await runCli(["models", "download", "vgg99"], { env: { PASTICHE_MODELS_DIR: modelsDir } });
    expectOneErrorLine(r, /unknown model "vgg99": known models are vgg19/, 2);
  });
});
