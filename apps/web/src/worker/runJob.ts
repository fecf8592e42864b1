/**
 * Runs one job with @pastiche/node's file pipelines — the same calls the CLI makes — and writes the
 * result (and previews) atomically with writeImage.
 */
import { isPasticheError } from "@pastiche/core";
import { stylizeFastFromFiles, stylizeGatysFromFiles, writeImage } from "@pastiche/node";
import type { RunOutcome, RunProgress, RunTask } from "./protocol.js";

export interface RunContext {
  signal: AbortSignal;
  modelsDir: string | undefined;
  progress(progress: RunProgress): void;
}

function message(e: unknown): string {
  if (isPasticheError(e)) return e.message;
  // Writes are atomic (temp file + rename): a full disk leaves no partial result behind.
  const code = (e as { code?: unknown } | null)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") return "The server's disk is full, so the result could not be saved; please try again later.";
  const text = e instanceof Error ? e.message : String(e);
  return `The job failed: ${text.split("\n")[0] ?? "unknown error"}`;
}

async function runFast(task: RunTask, ctx: RunContext): Promise<RunOutcome> {
  if (task.mode !== "fast") throw new Error("not a fast task");
  const started = Date.now();
  const result = await stylizeFastFromFiles({
    content: task.contentPath,
    styles: task.stylePaths,
    options: task.options,
    maxInputPixels: task.maxInputPixels,
    signal: ctx.signal,
    ...(ctx.modelsDir !== undefined ? { modelsDir: ctx.modelsDir } : {}),
  });
  if (ctx.signal.aborted) return { status: "cancelled" };
  await writeImage(task.resultPath, result.image);
  ctx.progress({ iteration: 1, iterations: 1, elapsedMs: Date.now() - started, etaMs: 0, losses: null, previewWritten: false });
  return { status: "succeeded" };
}

async function runQuality(task: RunTask, ctx: RunContext): Promise<RunOutcome> {
  for await (const event of stylizeGatysFromFiles({
    content: task.contentPath,
    styles: task.stylePaths,
    options: { ...task.options, previewEvery: task.previewEvery },
    maxInputPixels: task.maxInputPixels,
    signal: ctx.signal,
    ...(ctx.modelsDir !== undefined ? { modelsDir: ctx.modelsDir } : {}),
  })) {
    if (event.type === "start") {
      ctx.progress({ iteration: 0, iterations: event.iterations, elapsedMs: 0, etaMs: null, losses: null, previewWritten: false });
    } else if (event.type === "iteration") {
      if (event.preview) await writeImage(task.previewPath, event.preview, { quality: 85 });
      const { total, content, style, tv } = event.losses;
      ctx.progress({
        iteration: event.iteration,
        iterations: event.iterations,
        elapsedMs: event.elapsedMs,
        etaMs: event.etaMs,
        losses: { total, content, style, tv },
        previewWritten: event.preview !== undefined,
      });
    } else {
      // A cancelled run keeps no result: the user asked to stop, not for a partial image.
      if (event.aborted) return { status: "cancelled" };
      await writeImage(task.resultPath, event.image);
      return { status: "succeeded" };
    }
  }
  return { status: "failed", error: "The run ended without a result." };
}

export async function runJob(task: RunTask, ctx: RunContext): Promise<RunOutcome> {
  try {
    return task.mode === "fast" ? await runFast(task, ctx) : await runQuality(task, ctx);
  } catch (e) {
    if (ctx.signal.aborted) return { status: "cancelled" };
    return { status: "failed", error: message(e) };
  }
}
