/**
 * #14 on real runs (64 px; only when PASTICHE_MODELS_DIR points at the weights). SIGTERM (`timeout`,
 * systemd, `docker stop`) and SIGHUP (a closed terminal) stop a run as Ctrl-C does: the partial
 * result is written with its true iteration count recorded, and the exit code is 128 + the signal's
 * number. The optimiser controls change the run as documented: --lbfgs-history (L-BFGS's memory)
 * changes the image and is recorded for --from; --print-every prints a line every N iterations;
 * --preset gives its run, under the flags given, and is recorded for --from.
 */
import path from "node:path";
import { readPngText } from "@pastiche/node";
import { NO_WEIGHTS, describeNeeding } from "@pastiche/vitest-config/needs";
import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { interruptWhen, lines, runCli, suiteWorkspace, tempLeftovers } from "./helpers.js";

describeNeeding(
  [process.env.PASTICHE_MODELS_DIR ? undefined : NO_WEIGHTS],
  "pastiche stylize on real weights: signals and controls (PASTICHE_MODELS_DIR)",
  () => {
    const ws = suiteWorkspace();

    /** Starts a long run, sends `signal` after its second iteration, and collects what it printed. */
    async function interrupted(
      signal: NodeJS.Signals,
      output: string,
    ): Promise<{ code: number | null; events: { type: string; iteration?: number; iterations?: number }[] }> {
      return interruptWhen<{ type: string; iteration?: number; iterations?: number }>(
        ["stylize", ws.fx.content, ws.fx.style, "-o", output, "--size", "64", "--iterations", "5000", "--json"],
        (e) => e.type === "iteration" && (e.iteration ?? 0) >= 2,
        signal,
        150_000,
      );
    }

    it.each([
      ["SIGTERM", 143],
      ["SIGHUP", 129],
    ] as const)("%s: exit %i, the partial PNG records the iterations it ran", { timeout: 160_000 }, async (signal, exitCode) => {
      const output = path.join(ws.root, `${signal}.png`);
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
      expect(await tempLeftovers(ws.root)).toEqual([]);
    });

    const lbfgs = (out: string, extra: string[]) =>
      runCli(
        [
          "stylize",
          ws.fx.content,
          ws.fx.style,
          "-o",
          out,
          "--size",
          "64",
          "--iterations",
          "4",
          "--optimizer",
          "lbfgs",
          "--seed",
          "1",
          "--scales",
          "off",
          ...extra,
        ],
        {
          timeoutMs: 110_000,
        },
      );

    it(
      "--lbfgs-history 1 gives another image than the default 20, recorded in the settings; --print-every 1 prints every iteration",
      { timeout: 240_000 },
      async () => {
        const a = path.join(ws.root, "history-default.png");
        const b = path.join(ws.root, "history-1.png");
        const [ra, rb] = await Promise.all([lbfgs(a, []), lbfgs(b, ["--lbfgs-history", "1", "--print-every", "1"])]);
        expect(ra.code, ra.stderr).toBe(0);
        expect(rb.code, rb.stderr).toBe(0);
        expect(lines(rb.stderr).filter((l) => /^iteration \d+\/4/.test(l))).toHaveLength(4);
        const settings = (p: string) =>
          readFile(p).then((bytes) => JSON.parse(readPngText(bytes)["pastiche:settings"]!) as { options: { lbfgsHistory: number } });
        expect((await settings(a)).options.lbfgsHistory).toBe(20);
        expect((await settings(b)).options.lbfgsHistory).toBe(1);
        expect((await readFile(a)).equals(await readFile(b))).toBe(false);
      },
    );

    it("--preset seed runs the seed blog's settings, explicit flags override them, and --from reruns the preset", { timeout: 240_000 }, async () => {
      const out = path.join(ws.root, "seed.png");
      const r = await runCli(
        ["stylize", ws.fx.content, ws.fx.style, "-o", out, "--size", "64", "--preset", "seed", "--iterations", "2", "--seed", "1", "--json"],
        {
          timeoutMs: 110_000,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      const start = JSON.parse(lines(r.stdout)[0]!) as { type: string; plan: { stages: { optimizer: { kind: string; epsilon: number } }[] } };
      expect(start.type).toBe("start");
      expect(start.plan.stages.map((s) => s.optimizer)).toEqual([{ kind: "adam", learningRate: 0.02, beta1: 0.99, beta2: 0.999, epsilon: 0.1 }]);
      type Recorded = { options: { preset: string; contentWeight: number; styleWeight: number; tvWeight: number; iterations: number; scales: string } };
      const settings = async (p: string) => JSON.parse(readPngText(await readFile(p))["pastiche:settings"]!) as Recorded;
      expect((await settings(out)).options).toMatchObject({ preset: "seed", contentWeight: 1e3, styleWeight: 1e-2, tvWeight: 0, iterations: 2, scales: "off" });
      const again = path.join(ws.root, "seed-again.png");
      const rerun = await runCli(["stylize", "--from", out, "-o", again, "--iterations", "1", "--quiet"], { timeoutMs: 110_000 });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect((await settings(again)).options).toMatchObject({ preset: "seed", contentWeight: 1e3, tvWeight: 0, iterations: 1 });
    });
  },
);
