/**
 * Runs one job with @pastiche/node's file pipelines — the same calls the CLI makes. The pipelines
 * write the result (a Quality PNG with its run settings, so it can be rerun with `pastiche stylize
 * --from`); previews are written here.
 */
import { isPasticheError } from "@pastiche/core";
import { stylizeFastFromFiles, stylizeGatysFromFiles, writeImage } from "@pastiche/node";
import { CHECKPOINT_TEXT, type RunOutcome, type RunProgress, type RunTask } from "./protocol.ts";

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
  for await (const event of stylizeFastFromFiles({
    content: task.contentPath,
    styles: task.stylePaths,
    options: task.options,
    maxInputPixels: task.maxInputPixels,
    signal: ctx.signal,
    // The pipeline writes the result (with how it was made) before "done".
    output: { path: task.resultPath },
    ...(ctx.modelsDir !== undefined ? { modelsDir: ctx.modelsDir } : {}),
  })) {
    // Each network pass is a step, so the progress is the run's own.
    if (event.type === "step")
      ctx.progress({ iteration: event.step, iterations: event.steps, elapsedMs: event.elapsedMs, etaMs: null, losses: null, previewWritten: false });
    if (event.type === "done") return ctx.signal.aborted ? { status: "cancelled" } : { status: "succeeded" };
  }
  return { status: "failed", error: "The run ended without a result." };
}

async function runQuality(task: RunTask, ctx: RunContext): Promise<RunOutcome> {
  // Resumed: the checkpoint's image is the start and its iterations are done (Adam's moments start again).
  const done = task.resume?.iteration ?? 0;
  const options =
    task.resume && "iterations" in task.options
      ? { ...task.options, iterations: task.options.iterations - done, init: { kind: "image" as const, path: task.resume.imagePath } }
      : task.options;
  for await (const event of stylizeGatysFromFiles({
    content: task.contentPath,
    styles: task.stylePaths,
    options: { ...options, previewEvery: task.previewEvery },
    maxInputPixels: task.maxInputPixels,
    signal: ctx.signal,
    // Written with the run's settings (so the result can be rerun); a cancelled run keeps no result.
    output: { path: task.resultPath, keepPartial: false },
    ...(ctx.modelsDir !== undefined ? { modelsDir: ctx.modelsDir } : {}),
  })) {
    if (event.type === "start") {
      ctx.progress({ iteration: done, iterations: event.iterations + done, elapsedMs: 0, etaMs: null, losses: null, previewWritten: false });
    } else if (event.type === "iteration") {
      if (event.preview) {
        if (task.checkpointPath !== undefined)
          await writeImage(task.checkpointPath, event.preview, { text: { [CHECKPOINT_TEXT]: String(event.iteration + done) } });
        await writeImage(task.previewPath, event.preview, { quality: 85 });
      }
      const { total, content, style, tv } = event.losses;
      ctx.progress({
        iteration: event.iteration + done,
        iterations: event.iterations + done,
        elapsedMs: event.elapsedMs,
        etaMs: event.etaMs,
        losses: { total, content, style, tv },
        previewWritten: event.preview !== undefined,
      });
    } else if (event.type === "done") {
      // A cancelled run keeps no result: the user asked to stop, not for a partial image.
      return event.aborted ? { status: "cancelled" } : { status: "succeeded" };
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
