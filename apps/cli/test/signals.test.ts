/**
 * SIGTERM (`timeout`, systemd, `docker stop`) and SIGHUP (a closed terminal) stop a run as Ctrl-C
 * does: the partial result is written with its true iteration count recorded, and the exit code is
 * 128 + the signal's number. Real weights at 64 px; only when PASTICHE_MODELS_DIR points at them.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { readPngText } from "@pastiche/node";
import { NO_WEIGHTS, describeNeeding } from "@pastiche/vitest-config/needs";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BIN, assertBuilt, makeTempDir, removeDir, tempLeftovers, writeFixtures, type Fixtures } from "./helpers.js";

describeNeeding([process.env.PASTICHE_MODELS_DIR ? undefined : NO_WEIGHTS], "pastiche stylize: SIGTERM and SIGHUP keep the partial result", () => {
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

  /** Starts a long run, sends `signal` after its second iteration, and collects what it printed. */
  function interrupted(
    signal: NodeJS.Signals,
    output: string,
  ): Promise<{ code: number | null; events: { type: string; iteration?: number; iterations?: number }[] }> {
    const child = spawn(process.execPath, [BIN, "stylize", fx.content, fx.style, "-o", output, "--size", "64", "--iterations", "5000", "--json"], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 150_000,
    });
    const events: { type: string; iteration?: number; iterations?: number }[] = [];
    let buffered = "";
    let sent = false;
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      buffered += s;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) {
        const e = JSON.parse(line) as { type: string; iteration?: number };
        events.push(e);
        if (!sent && e.type === "iteration" && (e.iteration ?? 0) >= 2) {
          sent = true;
          child.kill(signal);
        }
      }
    });
    return new Promise((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => {
        resolve({ code, events });
      });
    });
  }

  it.each([
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const)("%s: exit %i, the partial PNG records the iterations it ran", { timeout: 160_000 }, async (signal, exitCode) => {
    const output = path.join(root!, `${signal}.png`);
    const { code, events } = await interrupted(signal, output);
    expect(code).toBe(exitCode);
    const done = events.find((e) => e.type === "done") as { iterations: number; aborted: boolean } | undefined;
    expect(done?.aborted).toBe(true);
    expect(done!.iterations).toBeGreaterThanOrEqual(2);
    expect(done!.iterations).toBeLessThan(5000);
    const settings = JSON.parse(readPngText(await readFile(output))["pastiche:settings"]!) as {
      options: { iterations: number };
      stopped?: { iterations: number; of: number };
    };
    expect(settings.stopped).toEqual({ iterations: done!.iterations, of: 5000 });
    expect(settings.options.iterations).toBe(5000);
    expect(await tempLeftovers(root!)).toEqual([]);
  });
});
