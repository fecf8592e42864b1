import { describe, expect, it } from "vitest";
import { GatysOptionsSchema, parseGatysOptions, planGatysRun, styleLongestSide, type PlanInput } from "../../src/index.js";
import { stageInfo } from "../../src/gatys/plan.js";

const DEFAULT_ITERATIONS = GatysOptionsSchema.shape.iterations.parse(undefined);

function plan(o: Parameters<typeof parseGatysOptions>[0], sizes: Partial<Pick<PlanInput, "content" | "styles" | "backend" | "hasMasks">> = {}) {
  return planGatysRun({
    content: { width: 512, height: 384 },
    styles: [{ width: 400, height: 400 }],
    backend: "wasm",
    hasMasks: false,
    seed: 42,
    ...sizes,
    options: parseGatysOptions(o),
  });
}

describe("planGatysRun: the whole run, decided once", () => {
  it("the default (README, docs/benchmarks.md): one scale of L-BFGS with backtracking, every iteration at the output size", () => {
    const p = plan({});
    const lbfgs = { kind: "lbfgs", learningRate: 1, historySize: 20, lineSearch: "backtracking" };
    expect(p.stages).toEqual([
      { index: 0, count: 1, width: 512, height: 384, iterations: DEFAULT_ITERATIONS, styleSizes: [{ width: 400, height: 400 }], optimizer: lbfgs },
    ]);
    expect(p.iterations).toBe(DEFAULT_ITERATIONS);
  });

  it("the default for an output that must be tiled: coarse to fine, L-BFGS at the stages that fit one pass, Adam at the tiled ones", () => {
    const p = plan({}, { content: { width: 4096, height: 3072 }, styles: [{ width: 4096, height: 4096 }] });
    expect(p.stages.map((s) => Math.max(s.width, s.height))).toEqual([128, 181, 256, 362, 512, 724, 1024, 1448, 2048, 2896, 4096]);
    const kinds = p.stages.map((s) => (s.tiling ? "tiled " : "") + s.optimizer.kind);
    expect(kinds.at(0)).toBe("lbfgs");
    expect(kinds.at(-1)).toBe("tiled adam");
    expect(kinds.every((k) => k === "lbfgs" || k === "tiled adam")).toBe(true);
    // With Adam, "auto" stays coarse to fine at any size above twice minSize.
    expect(plan({ optimizer: "adam" }).stages).toHaveLength(5);
  });

  it("single scale: one stage at the output size with every iteration, Adam's tutorial settings", () => {
    const p = plan({ scales: "off", iterations: 300, optimizer: "adam" });
    expect(p).toMatchObject({ width: 512, height: 384, iterations: 300, seed: 42, backend: "wasm" });
    const adam = { kind: "adam", learningRate: 0.02, beta1: 0.99, beta2: 0.999, epsilon: 0.1 };
    expect(p.stages).toEqual([{ index: 0, count: 1, width: 512, height: 384, iterations: 300, styleSizes: [{ width: 400, height: 400 }], optimizer: adam }]);
  });

  it("scales off keeps `iterations` even with a per-scale count; a per-scale list of the wrong length is refused", () => {
    expect(plan({ scales: "off", iterations: 50, iterationsPerScale: 7 }).stages[0]!.iterations).toBe(50);
    expect(() => plan({ scales: 3, iterationsPerScale: [1, 2] })).toThrow(/2 iterations per scale for 3 scales/);
  });

  it("multi-scale: stages coarse to fine, styles scaled with each stage, the total is their sum", () => {
    const p = plan({ scales: 3, minSize: 128, iterations: 90 });
    expect(p.stages.map((s) => [s.width, s.height])).toEqual([
      [128, 96],
      [256, 192],
      [512, 384],
    ]);
    expect(p.stages.map((s) => s.styleSizes[0]!.width)).toEqual([100, 200, 400]);
    expect(p.iterations).toBe(p.stages.reduce((n, s) => n + s.iterations, 0));
    expect(p.stages.at(-1)!.iterations).toBe(60);
    expect(stageInfo(p.stages[1]!)).toEqual({ index: 1, count: 3, width: 256, height: 192 });
  });

  it("styleSize: the styles (read at that size) stay at it at every stage instead of scaling with it", () => {
    const scaled = plan({ scales: 3, minSize: 128, iterations: 90 });
    expect(scaled.stages.map((s) => s.styleSizes[0]!.width)).toEqual([100, 200, 400]);
    const fixed = plan({ scales: 3, minSize: 128, iterations: 90, styleSize: 300 }, { styles: [{ width: 300, height: 300 }] });
    expect(fixed.stages.map((s) => s.styleSizes[0])).toEqual([0, 1, 2].map(() => ({ width: 300, height: 300 })));
    expect(styleLongestSide(parseGatysOptions({ size: 512, styleSize: 300 }))).toBe(300);
    expect(styleLongestSide(parseGatysOptions({ size: 512, styleScale: 0.5 }))).toBe(256);
  });

  it("L-BFGS with its own learning rate and history; an explicit rate wins", () => {
    expect(plan({ optimizer: "lbfgs", lbfgsHistory: 20 }).stages[0]!.optimizer).toEqual({
      kind: "lbfgs",
      learningRate: 1,
      historySize: 20,
      lineSearch: "backtracking",
    });
    expect(plan({ optimizer: "adam", learningRate: 0.5 }).stages[0]!.optimizer).toMatchObject({ kind: "adam", learningRate: 0.5 });
    expect(plan({ optimizer: "lbfgs", lbfgsLineSearch: "none", lbfgsMaxStep: 0.1 }).stages[0]!.optimizer).toMatchObject({ lineSearch: "none", maxStep: 0.1 });
  });

  it("tiling is settled per stage: a stage no larger than the tile is not tiled", () => {
    const p = plan({ tileSize: 256, scales: 3, minSize: 128 }, { content: { width: 1024, height: 768 } });
    expect(p.stages.map((s) => s.tileSize)).toEqual([undefined, 256, 256]);
    expect(p.stages[2]!.tiling).toEqual({ tileSize: 256, margin: 32, align: 16 });
    expect(stageInfo(p.stages[2]!)).toEqual({ index: 2, count: 3, width: 1024, height: 768, tileSize: 256 });
    // optimizer "auto" (the default): L-BFGS where the stage is one pass, Adam where it is tiled.
    expect(p.stages.map((s) => s.optimizer.kind)).toEqual(["lbfgs", "adam", "adam"]);
    expect(p.stages[1]!.optimizer).toEqual({ kind: "adam", learningRate: 0.02, beta1: 0.99, beta2: 0.999, epsilon: 0.1 });
  });

  it("refuses, before any work, a stage (here the coarsest) whose content or style is too small for the deepest layer", () => {
    expect(() => plan({ scales: 2, minSize: 16 }, { content: { width: 64, height: 10 } })).toThrow(
      /the content image is 16x3: layer block5_conv2 needs at least 16 pixels/,
    );
    expect(() =>
      plan(
        { scales: "off" },
        {
          styles: [
            { width: 400, height: 400 },
            { width: 12, height: 40 },
          ],
        },
      ),
    ).toThrow(/style image 2 is 12x40/);
  });

  it("is pure: the same input gives the same plan", () => {
    expect(plan({ scales: "auto", iterations: 100 })).toEqual(plan({ scales: "auto", iterations: 100 }));
  });
});

describe("options parsed once", () => {
  it("entry points take parsed options as they are (frozen), and parse raw ones", async () => {
    const { ensureGatysOptions } = await import("../../src/index.js");
    const parsed = parseGatysOptions({ tileSize: 256, init: { kind: "noise" } });
    expect(ensureGatysOptions(parsed)).toBe(parsed);
    expect(Object.isFrozen(parsed) && Object.isFrozen(parsed.init) && Object.isFrozen(parsed.styleLayers)).toBe(true);
    const raw = { tileSize: 256 as const };
    const fromRaw = ensureGatysOptions(raw);
    expect(fromRaw).not.toBe(raw);
    expect(fromRaw.tileSize).toBe(256);
    expect(ensureGatysOptions(fromRaw)).toBe(fromRaw);
  });
});
