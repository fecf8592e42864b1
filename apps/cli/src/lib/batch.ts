/**
 * Batch mode of `stylize` and `fast`: several contents × several styles, one run per pair, written to
 * `-o DIR` under a name template. The command gives the per-pair run; this module expands the inputs,
 * names the outputs, skips finished ones (resumable), keeps going past a failing pair, and reports
 * progress and a summary (exit 5 when some pair failed).
 */
import { mkdir, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { PasticheError } from "@pastiche/core";
import { assertWritableOutput, readRunSettings, STDIN_PATH, SUPPORTED_OUTPUT_EXTENSIONS } from "@pastiche/node";
import cliProgress from "cli-progress";
import { glob, isDynamicPattern } from "tinyglobby";
import { fmtDuration, type ProgressMode } from "./progress.js";

/** Exit code of a batch in which some pairs failed (the others were written). */
export const BATCH_FAILED_EXIT_CODE = 5;

/** The default `--name`: the content's and the style's file names without their extensions. */
export const DEFAULT_NAME_TEMPLATE = "{content}-{style}.png";

/** What `--name` may contain, and what each placeholder becomes. */
export const NAME_PLACEHOLDERS = {
  content: "the content file's name without its extension",
  style: "the style file's name without its extension",
  n: "the pair's number in the batch (1, 2, …), zero-padded to the batch's width",
} as const;

/** Image files a directory argument contributes (by extension, case-insensitive; not recursive). */
const IMAGE_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"]);

/** Whether the command runs as a batch: `--style` given, or `-o` names a directory (existing, or ending in /). */
export async function isBatchOutput(output: string): Promise<boolean> {
  if (output.endsWith("/") || output.endsWith(path.sep)) return true;
  return (await stat(output).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Files, directories (their image files, sorted) and globs (tinyglobby; sorted) → file paths, in
 * the order given, each once. A spec that is neither an existing path nor a matching glob is refused.
 */
export async function expandInputs(specs: readonly string[], what: string): Promise<string[]> {
  const out: string[] = [];
  for (const spec of specs) {
    if (spec === STDIN_PATH) throw new PasticheError("INVALID_OPTION", `standard input (-) cannot be a ${what} of a batch: give files`);
    const st = await stat(spec).catch(() => undefined);
    if (st?.isDirectory()) {
      const names = (await readdir(spec)).filter((n) => IMAGE_EXTENSIONS.has(path.extname(n).toLowerCase()) && !n.startsWith(".")).sort();
      if (names.length === 0) throw new PasticheError("INVALID_OPTION", `${what} directory ${spec} has no image files (${[...IMAGE_EXTENSIONS].join(", ")})`);
      out.push(...names.map((n) => path.join(spec, n)));
    } else if (st || !isDynamicPattern(spec)) {
      out.push(spec); // a file, or a missing one: its run reports it
    } else {
      const matches = (await glob(spec, { onlyFiles: true, expandDirectories: false, absolute: path.isAbsolute(spec) })).sort();
      if (matches.length === 0) throw new PasticheError("INVALID_OPTION", `${what} pattern ${spec} matches no file`);
      out.push(...matches);
    }
  }
  return [...new Set(out)];
}

export interface BatchPair {
  readonly content: string;
  readonly style: string;
  readonly output: string;
}

const stem = (p: string) => path.basename(p, path.extname(p));

/**
 * Every content × style pair (contents outer) with its output path in `dir`. The template must be
 * a file name with a supported extension, use only known placeholders, and give each pair its own name.
 */
export function planBatch(contents: readonly string[], styles: readonly string[], dir: string, template: string): BatchPair[] {
  if (template.includes("/") || template.includes(path.sep)) {
    throw new PasticheError("INVALID_OPTION", `--name ${template}: a file name (the directory is -o), not a path`);
  }
  for (const [, key] of template.matchAll(/\{([^}]*)\}/g)) {
    if (!(key! in NAME_PLACEHOLDERS))
      throw new PasticheError(
        "INVALID_OPTION",
        `--name ${template}: unknown placeholder {${key}} (use ${Object.keys(NAME_PLACEHOLDERS)
          .map((k) => `{${k}}`)
          .join(", ")})`,
      );
  }
  if (!SUPPORTED_OUTPUT_EXTENSIONS.includes(path.extname(template).toLowerCase())) {
    throw new PasticheError("INVALID_OPTION", `--name ${template}: end it in one of ${SUPPORTED_OUTPUT_EXTENSIONS.join(", ")}`);
  }
  const total = contents.length * styles.length;
  const width = String(total).length;
  const pairs: BatchPair[] = [];
  const byOutput = new Map<string, BatchPair>();
  for (const content of contents) {
    for (const style of styles) {
      const n = String(pairs.length + 1).padStart(width, "0");
      const name = template.replace(/\{(content|style|n)\}/g, (_, key: string) => (key === "content" ? stem(content) : key === "style" ? stem(style) : n));
      const pair = { content, style, output: path.join(dir, name) };
      const clash = byOutput.get(pair.output);
      if (clash) {
        throw new PasticheError(
          "INVALID_OPTION",
          `--name ${template} gives ${pair.output} to both ${clash.content} × ${clash.style} and ${content} × ${style}: make the names differ (e.g. add {n})`,
        );
      }
      byOutput.set(pair.output, pair);
      pairs.push(pair);
    }
  }
  return pairs;
}

/** `-o DIR`: created if missing (with its parents), then checked writable, before any model loads. */
export async function prepareOutputDir(dir: string): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (st && !st.isDirectory()) throw new PasticheError("OUTPUT_NOT_WRITABLE", `Cannot write into ${dir}: it is not a directory`);
  if (!st) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw new PasticheError("OUTPUT_NOT_WRITABLE", `Cannot create the output directory ${dir} (${(e as Error).message.split("\n")[0]})`, { cause: e });
    }
  }
  // The probe of a would-be output: the directory accepts new files.
  await assertWritableOutput(path.join(dir, "pastiche-batch-probe.png"));
}

/** Why a pair is not run again: its output exists and is finished (a partial PNG, `stopped`, is redone). */
async function finishedOutput(output: string): Promise<boolean> {
  const st = await stat(output).catch(() => undefined);
  if (!st) return false;
  if (path.extname(output).toLowerCase() !== ".png") return true; // batches write partial results as PNG only
  const settings = await readRunSettings(output).catch(() => undefined);
  return !settings || !("stopped" in settings) || settings.stopped === undefined;
}

export type PairStatus = "written" | "skipped" | "failed" | "stopped";

export interface PairResult {
  readonly content: string;
  readonly style: string;
  readonly output: string;
  readonly status: PairStatus;
  readonly message?: string;
  readonly elapsedMs?: number;
}

/** What a command's run of one pair reports back. */
export interface PairRun {
  /** The run was aborted by a signal (its partial result was written if the format allows). */
  readonly aborted: boolean;
  readonly elapsedMs: number;
}

export interface BatchCallbacks {
  /** Run one pair, writing `pair.output`; `progress(i, n)` reports iterations within it. Throw to fail it. */
  runPair(pair: BatchPair, progress: (done: number, total: number) => void): Promise<PairRun>;
  /** Checks before the pair runs (e.g. the output is none of its inputs); a throw fails just this pair. */
  checkPair(pair: BatchPair): Promise<void>;
  /** What the batch computed once and reused (style targets, bottlenecks), for the summary. */
  reuse?(): Readonly<Record<string, number>>;
}

export interface BatchSummary {
  readonly type: "summary";
  readonly pairs: number;
  readonly written: number;
  readonly skipped: number;
  readonly failed: readonly PairResult[];
  /** Set when a signal stopped the batch: the pairs not run are left for a rerun. */
  readonly stopped: boolean;
  readonly notRun: number;
  readonly elapsedMs: number;
  readonly reuse?: Readonly<Record<string, number>>;
}

/**
 * Runs the pairs in order: a finished output is skipped unless `force`; a failing pair is reported
 * and the rest go on; a signal stops after the current pair. Reports each pair (a bar over the batch
 * on a terminal, a line per pair when piped, one JSON object per pair under --json) and returns the
 * summary (also reported).
 */
export async function runBatch(
  pairs: readonly BatchPair[],
  opts: { force: boolean; mode: ProgressMode; signal: AbortSignal },
  callbacks: BatchCallbacks,
): Promise<BatchSummary> {
  const started = performance.now();
  const reporter = new BatchReporter(opts.mode, pairs.length);
  const results: PairResult[] = [];
  let stopped = false;
  try {
    for (const [i, pair] of pairs.entries()) {
      if (opts.signal.aborted) {
        stopped = true;
        break;
      }
      reporter.begin(i, pair);
      let result: PairResult;
      if (!opts.force && (await finishedOutput(pair.output))) {
        result = { ...pair, status: "skipped", message: "exists (--force to redo)" };
      } else {
        try {
          await callbacks.checkPair(pair);
          const run = await callbacks.runPair(pair, (done, total) => {
            reporter.iteration(done, total);
          });
          result = { ...pair, status: run.aborted ? "stopped" : "written", elapsedMs: run.elapsedMs };
          if (run.aborted) stopped = true;
        } catch (e) {
          if (opts.signal.aborted) stopped = true;
          result = { ...pair, status: "failed", message: (e instanceof Error ? e.message : String(e)).split("\n")[0]! };
        }
      }
      results.push(result);
      reporter.end(i, result);
      if (stopped) break;
    }
  } finally {
    reporter.stop();
  }
  const summary: BatchSummary = {
    type: "summary",
    pairs: pairs.length,
    written: results.filter((r) => r.status === "written").length,
    skipped: results.filter((r) => r.status === "skipped").length,
    failed: results.filter((r) => r.status === "failed"),
    stopped,
    notRun: pairs.length - results.filter((r) => r.status !== "stopped").length,
    elapsedMs: performance.now() - started,
    ...(callbacks.reuse ? { reuse: callbacks.reuse() } : {}),
  };
  reporter.summary(summary);
  return summary;
}

/** The batch's progress: a bar over the pairs (with the current run's iterations), lines, or JSON. */
class BatchReporter {
  private bar: cliProgress.SingleBar | undefined;
  private current = "";

  constructor(
    private readonly mode: ProgressMode,
    private readonly total: number,
  ) {
    if (mode === "bar") {
      this.bar = new cliProgress.SingleBar(
        { format: " {bar} {value}/{total} pairs | {pair} {run} | {duration_formatted}", stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { pair: "", run: "" });
    }
  }

  begin(i: number, pair: BatchPair): void {
    this.current = `${path.basename(pair.content)} × ${path.basename(pair.style)}`;
    this.bar?.update(i, { pair: this.current, run: "" });
  }

  iteration(done: number, total: number): void {
    this.bar?.update({ run: `(${done}/${total})` });
  }

  end(i: number, r: PairResult): void {
    switch (this.mode) {
      case "json":
        process.stdout.write(`${JSON.stringify({ type: "pair", index: i + 1, ...r })}\n`);
        return;
      case "bar":
        this.bar?.update(i + 1, { pair: this.current, run: "" }); // failures are listed in the summary
        return;
      case "lines":
        process.stderr.write(`[${i + 1}/${this.total}] ${this.current}: ${describe(r)}\n`);
        return;
      case "quiet":
        if (r.status === "failed") process.stderr.write(`pastiche: failed: ${r.content} × ${r.style}: ${r.message}\n`);
    }
  }

  summary(s: BatchSummary): void {
    this.stop();
    if (this.mode === "json") {
      process.stdout.write(`${JSON.stringify(s)}\n`);
      return;
    }
    if (this.mode === "quiet" && s.failed.length === 0) return;
    const parts = [`${s.written} written`, `${s.skipped} skipped (already there)`, `${s.failed.length} failed`];
    if (s.stopped) parts.push(`stopped by a signal, ${s.notRun} not done (rerun the same command to resume)`);
    const reuse = s.reuse
      ? ` (${Object.entries(s.reuse)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")})`
      : "";
    process.stderr.write(`batch: ${s.pairs} pairs: ${parts.join(", ")} in ${fmtDuration(s.elapsedMs)}${reuse}\n`);
    for (const f of s.failed) process.stderr.write(`  failed: ${f.content} × ${f.style} → ${f.output}: ${f.message}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

function describe(r: PairResult): string {
  switch (r.status) {
    case "written":
      return `wrote ${r.output} in ${fmtDuration(r.elapsedMs ?? 0)}`;
    case "skipped":
      return `skipped, ${r.output} ${r.message}`;
    case "stopped":
      return `stopped; partial result ${r.output}`;
    case "failed":
      return `FAILED: ${r.message}`;
  }
}

/**
 * The batch a command line asks for, or undefined for a single run. Batch mode: `--style` given, or
 * `-o` a directory (existing, or ending in /). Then every positional argument is a content and the
 * styles come from `--style`; the output directory is created if needed and checked writable here,
 * before any model loads.
 */
export async function batchFromCommandLine(
  flags: { readonly output: string; readonly style?: readonly string[] | undefined; readonly name?: string | undefined },
  argv: readonly string[],
  refused: Readonly<Record<string, unknown>>,
): Promise<BatchPair[] | undefined> {
  const outputIsDir = await isBatchOutput(flags.output);
  if (flags.style === undefined && !outputIsDir) {
    if (flags.name !== undefined) throw new PasticheError("INVALID_OPTION", "--name is for batch mode: give the styles with --style and a directory as -o");
    return undefined;
  }
  if (flags.style === undefined) {
    throw new PasticheError(
      "INVALID_OPTION",
      `-o ${flags.output} is a directory, which means batch mode: give the style images with --style (repeatable); the positional arguments are then the contents`,
    );
  }
  if (!outputIsDir && SUPPORTED_OUTPUT_EXTENSIONS.includes(path.extname(flags.output).toLowerCase())) {
    throw new PasticheError(
      "INVALID_OPTION",
      `--style means batch mode, where -o is a directory: ${flags.output} looks like a file (--name sets the file names)`,
    );
  }
  for (const [flag, value] of Object.entries(refused)) {
    if (value !== undefined) throw new PasticheError("INVALID_OPTION", `--${flag} is not available in batch mode (one style per output)`);
  }
  if (argv.length === 0) throw new PasticheError("INVALID_OPTION", "batch mode: give at least one content image (file, directory or glob) before the flags");
  const contents = await expandInputs(argv, "content");
  const styles = await expandInputs(flags.style, "style");
  const pairs = planBatch(contents, styles, flags.output, flags.name ?? DEFAULT_NAME_TEMPLATE);
  await prepareOutputDir(flags.output);
  return pairs;
}
