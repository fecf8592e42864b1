/**
 * The optimiser controls added for #14 change the run as documented: --lbfgs-history (L-BFGS's
 * memory) changes the image and is recorded for --from; --print-every prints a line every N
 * iterations. Real weights at 64 px, 4 iterations; only when PASTICHE_MODELS_DIR points at them.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { readPngText } from "@pastiche/node";
import { NO_WEIGHTS, describeNeeding } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { assertBuilt, lines, makeTempDir, removeDir, runCli, writeFixtures, type Fixtures } from "./helpers.js";

describeNeeding([process.env.PASTICHE_MODELS_DIR ? undefined : NO_WEIGHTS], "pastiche stylize: --lbfgs-history and --print-every (PASTICHE_MODELS_DIR)", () => {
  let root: string | undefined;
  let fx: Fixtures;
  beforeAll(async () => {
    assertBuilt();
    root = await makeTempDir();
    fx = await writeFixtures(path.join(root, "inputs"));
  });
  afterAll(async () => {
    await removeDir(root);
  });

  const lbfgs = (out: string, extra: string[]) =>
    runCli(
      ["stylize", fx.content, fx.style, "-o", out, "--size", "64", "--iterations", "4", "--optimizer", "lbfgs", "--seed", "1", "--scales", "off", ...extra],
      {
        timeoutMs: 110_000,
      },
    );

  it(
    "--lbfgs-history 1 gives another image than the default 100, recorded in the settings; --print-every 1 prints every iteration",
    { timeout: 240_000 },
    async () => {
      const a = path.join(root!, "history-default.png");
      const b = path.join(root!, "history-1.png");
      const [ra, rb] = await Promise.all([lbfgs(a, []), lbfgs(b, ["--lbfgs-history", "1", "--print-every", "1"])]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rb.code, rb.stderr).toBe(0);
      expect(lines(rb.stderr).filter((l) => /^iteration \d+\/4/.test(l))).toHaveLength(4);
      const settings = (p: string) =>
        readFile(p).then((bytes) => JSON.parse(readPngText(bytes)["pastiche:settings"]!) as { options: { lbfgsHistory: number } });
      expect((await settings(a)).options.lbfgsHistory).toBe(100);
      expect((await settings(b)).options.lbfgsHistory).toBe(1);
      expect((await readFile(a)).equals(await readFile(b))).toBe(false);
    },
  );
});
