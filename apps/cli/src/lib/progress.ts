import type { LossTerms, StageInfo, StagePlan, StylizeEvent } from "@pastiche/core";
import cliProgress from "cli-progress";

export type ProgressMode = "bar" | "lines" | "json" | "quiet";

const fmt = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(2) : x.toFixed(2));
const fmtLosses = (l: LossTerms) => `loss ${fmt(l.total)} (content ${fmt(l.content)}, style ${fmt(l.style)}, tv ${fmt(l.tv)})`;
export const fmtDuration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
};

/**
 * Progress reporting for a run: a live bar with losses and ETA on a terminal, a plain line every
 * few iterations when piped, or one JSON object per event on stdout (previews left out: they are
 * pixels) for programs that drive the CLI.
 */
export class ProgressReporter {
  private bar: cliProgress.SingleBar | undefined;

  /** `printEvery`: in "lines" mode, a line every this many iterations (default: about 20 lines a run). */
  constructor(
    private readonly mode: ProgressMode,
    private readonly printEvery?: number,
  ) {}

  event(e: StylizeEvent): void {
    switch (this.mode) {
      case "json":
        process.stdout.write(`${JSON.stringify(withoutPixels(e))}\n`);
        return;
      case "quiet":
        return;
      case "bar": {
        this.barEvent(e);
        return;
      }
      case "lines": {
        this.lineEvent(e);
        return;
      }
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private barEvent(e: StylizeEvent): void {
    if (e.type === "start") {
      process.stderr.write(
        `stylizing ${e.width}×${e.height} on ${e.backend}, ${e.iterations} iterations (seed ${e.seed})${fmtStages(e.stages)}${fmtTiles(e.tileSize)}${fmtOptimizers(e.plan.stages)}\n`,
      );
      this.bar = new cliProgress.SingleBar(
        { format: " {bar} {value}/{total} | {losses} | {elapsed} elapsed, ETA {eta_}", stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(e.iterations, 0, { losses: "", elapsed: "0s", eta_: "…" });
    } else if (e.type === "iteration") {
      this.bar?.update(e.iteration, { losses: fmtLosses(e.losses), elapsed: fmtDuration(e.elapsedMs), eta_: fmtDuration(e.etaMs) });
    } else if (e.type === "done") {
      this.stop();
    }
  }

  private lineEvent(e: StylizeEvent): void {
    if (e.type === "start") {
      process.stderr.write(
        `stylizing ${e.width}x${e.height} on ${e.backend}, ${e.iterations} iterations (seed ${e.seed})${fmtStages(e.stages)}${fmtTiles(e.tileSize)}${fmtOptimizers(e.plan.stages)}\n`,
      );
    } else if (e.type === "iteration") {
      const every = this.printEvery ?? Math.max(1, Math.round(e.iterations / 20));
      if (e.iteration % every === 0 || e.iteration === 1 || e.iteration === e.iterations) {
        const stage = e.stage ? ` (scale ${e.stage.index + 1}/${e.stage.count}, ${e.stage.width}x${e.stage.height})` : "";
        process.stderr.write(
          `iteration ${e.iteration}/${e.iterations}${stage}: ${fmtLosses(e.losses)}, ${fmtDuration(e.elapsedMs)} elapsed, ETA ${fmtDuration(e.etaMs)}\n`,
        );
      }
    }
  }
}

/** ", 3 scales: 128, 181, 256 px" for multi-scale runs, with the tiled ones marked. */
function fmtStages(stages: readonly StageInfo[] | undefined): string {
  if (!stages) return "";
  const tiled = stages.filter((s) => s.tileSize !== undefined);
  const tiles = tiled.length > 0 ? ` (${tiled.map((s) => Math.max(s.width, s.height)).join(", ")} in ${tiled.map((s) => s.tileSize).join("/")} px tiles)` : "";
  return `, ${stages.length} scales: ${stages.map((s) => Math.max(s.width, s.height)).join(", ")} px${tiles}`;
}

const OPTIMIZER_NAMES = { adam: "Adam", lbfgs: "L-BFGS" } as const;

/** ", L-BFGS", or with `optimizer: "auto"` and tiled stages ", L-BFGS (Adam for the tiled 2048 px stage)". */
function fmtOptimizers(stages: readonly StagePlan[]): string {
  const kinds = new Set(stages.map((s) => s.optimizer.kind));
  const first = OPTIMIZER_NAMES[stages[0]!.optimizer.kind];
  if (kinds.size === 1) return `, ${first}`;
  const adam = stages.filter((s) => s.optimizer.kind === "adam").map((s) => Math.max(s.width, s.height));
  return `, L-BFGS (Adam for the tiled ${adam.join(", ")} px stage${adam.length > 1 ? "s" : ""})`;
}

/** ", in 736 px tiles" when a single-scale output is optimised in tiles. */
function fmtTiles(tileSize: number | undefined): string {
  return tileSize === undefined ? "" : `, in ${tileSize} px tiles`;
}

/** Events as JSON carry image sizes, not pixels: previews are written to files instead. */
function withoutPixels(e: StylizeEvent): unknown {
  if (e.type === "done") {
    const { image16: _image16, ...rest } = e;
    return { ...rest, image: { width: e.image.width, height: e.image.height } };
  }
  if (e.type === "stage") return { ...e, image: { width: e.image.width, height: e.image.height } };
  if (e.type === "iteration") {
    const { preview: _preview, ...rest } = e;
    return rest;
  }
  return e;
}
