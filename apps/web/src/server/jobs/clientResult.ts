/**
 * jobs.createClientResult: a Fast result the visitor's browser made, kept as a finished job of
 * theirs, so it joins the history like a server job's. Nothing from the client is trusted: the job
 * input goes through jobs.create's schema and this server's limits, the inputs must be images the
 * visitor may use, and the PNG is decoded and re-encoded by the upload checks (the stored result is
 * sharp's, without metadata) and must have the size the job asked for, in the content's proportions.
 * It costs what an upload costs (count, bytes per minute) and what a job costs (the job rate), and
 * counts against the visitor's quota; it expires with their other work.
 */
import { sniffImage } from "@pastiche/node/light";
import { CLIENT_BACKENDS, type ClientBackend, type FastJobOptions, type JobProgress } from "../../shared/jobSchemas";
import type { Context } from "../api/trpc";
import { TRPCError, zodErrorSentence } from "../api/trpc";
import { refusalError } from "../api/routers/images";
import { retryIn } from "../limits/rateLimit";
import { DISK_FULL_MESSAGE, isDiskFull, quotaMessage } from "../limits/storage";
import { newId } from "../storage/ids";
import { checkImage, tooManyBytes, UploadRefusal } from "../storage/uploads";
import { limitedJobSchema } from "./jobInput";

export interface ClientResult {
  id: string;
}

/** Longest a browser stylisation may say it took (an hour): anything else is not a measurement. */
const MAX_CLIENT_MS = 3_600_000;
/** The `job` field is small JSON (ids and a few options). */
const MAX_JOB_FIELD_CHARS = 16 * 1024;

function badRequest(message: string): TRPCError {
  return new TRPCError({ code: "BAD_REQUEST", message });
}

function parseJobField(raw: FormDataEntryValue | null, ctx: Context) {
  if (typeof raw !== "string" || raw.length > MAX_JOB_FIELD_CHARS)
    throw badRequest("Send the job as JSON in the field job (its contentId, styleIds and options).");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw badRequest("The job field is not valid JSON.");
  }
  const parsed = limitedJobSchema(ctx.app).safeParse(typeof json === "object" && json !== null ? { ...json, mode: "fast" } : json);
  if (!parsed.success) throw new TRPCError({ code: "BAD_REQUEST", message: zodErrorSentence(parsed.error), cause: parsed.error });
  if (parsed.data.mode !== "fast") throw badRequest("Only Fast jobs run in the browser.");
  return { ...parsed.data, options: parsed.data.options as FastJobOptions & { size: number } };
}

function parseBackend(raw: FormDataEntryValue | null): ClientBackend {
  const backend = CLIENT_BACKENDS.find((b) => b === raw);
  if (backend === undefined) throw badRequest(`Name the browser's tfjs backend in the field backend (${CLIENT_BACKENDS.join(", ")}).`);
  return backend;
}

function parseMs(raw: FormDataEntryValue | null): number {
  const ms = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_CLIENT_MS)
    throw badRequest(`The field ms must be the stylisation's time in milliseconds (0–${MAX_CLIENT_MS}).`);
  return Math.round(ms);
}

/** The stylised image has the content's proportions at the asked longest side (core rounds the short side). */
function sizeProblem(result: { width: number; height: number }, content: { width: number; height: number }, size: number): string | undefined {
  const landscape = content.width >= content.height;
  const long = landscape ? result.width : result.height;
  const short = landscape ? result.height : result.width;
  const expectedShort = Math.max(1, Math.round((Math.min(content.width, content.height) * size) / Math.max(content.width, content.height)));
  if (long === size && Math.abs(short - expectedShort) <= 1) return undefined;
  const expected = landscape ? `${size}×${expectedShort}` : `${expectedShort}×${size}`;
  return `The result is ${result.width}×${result.height}; a Fast job of this content image at size ${size} makes ${expected}.`;
}

export async function createClientResult(ctx: Context, form: FormData): Promise<ClientResult> {
  const { app, owner, clientIp } = ctx;
  if (!app.config.clientFast) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: "This server runs every job itself (PASTICHE_CLIENT_FAST=off); create a job with jobs.create.",
    });
  }
  const file = form.get("file");
  if (!(file instanceof Blob)) throw badRequest("No result was sent; the field file must hold the PNG.");
  const job = parseJobField(form.get("job"), ctx);
  const backend = parseBackend(form.get("backend"));
  const ms = parseMs(form.get("ms"));
  const { limits } = app.config;
  if (file.size > limits.maxUploadBytes) throw refusalError(tooManyBytes(file.size, limits.maxUploadBytes));

  // An upload's costs, before the decode (the expensive part): refused by either limit, charged by neither.
  const keys = [`v:${owner}`, `a:${clientIp}`];
  const decision = await app.uploadLimiter.attempt(keys, async (tx) => {
    const volume = await app.uploadBytesLimiter.take(keys, file.size, tx);
    if (!volume.allowed) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too much uploaded in the last minute; ${retryIn(volume.retryAfterMs)}.` });
  });
  if (!decision.allowed) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many uploads; ${retryIn(decision.retryAfterMs)}.` });
  const used = await app.repo.retention.usedBytes(owner);
  if (used >= app.config.visitorQuotaBytes) throw new TRPCError({ code: "FORBIDDEN", message: quotaMessage(used, app.config.visitorQuotaBytes) });
  if ((await app.freeDiskBytes()) < app.config.minFreeDiskBytes) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DISK_FULL_MESSAGE });

  const bytes = new Uint8Array(await file.arrayBuffer());
  const sniffed = sniffImage(bytes.subarray(0, 16));
  if (bytes.length > 0 && !(sniffed.ok && sniffed.format === "png")) throw badRequest("The result must be a PNG image.");
  let image: Awaited<ReturnType<typeof checkImage>>;
  try {
    // No result is larger than the largest output the server itself would make.
    image = await checkImage(bytes, { maxUploadBytes: limits.maxUploadBytes, maxInputPixels: Math.min(limits.maxInputPixels, limits.maxOutputSide ** 2) });
  } catch (e) {
    if (e instanceof UploadRefusal) throw refusalError(e);
    throw e;
  }
  const content = await app.repo.uploads.visible(job.contentId, owner);
  if (!content) throw new TRPCError({ code: "NOT_FOUND", message: "The content image is not on the server any more; please upload it again." });
  const problem = sizeProblem(image, content, job.options.size);
  if (problem !== undefined) throw badRequest(problem);

  const id = newId();
  const stored = image.encoded;
  const now = new Date().toISOString();
  const progress: JobProgress = { iteration: 1, iterations: 1, elapsedMs: ms, etaMs: null, losses: null, browserBackend: backend };
  try {
    // Blob first, row last (as uploads): a crash in between leaves only a blob without a row, which start-up removes.
    await app.blobs.put("result", id, stored);
    const made = await app.jobLimiter.attempt(keys, async (tx) => {
      // Serialises this visitor's stores until the transaction ends (as images.upload does).
      await tx.buckets.lock([`quota:${owner}`]);
      const usedNow = await tx.retention.usedBytes(owner);
      if (usedNow + stored.length > app.config.visitorQuotaBytes)
        throw new TRPCError({ code: "FORBIDDEN", message: quotaMessage(usedNow, app.config.visitorQuotaBytes) });
      for (const styleId of job.styleIds) {
        if (!(await tx.uploads.visible(styleId, owner)))
          throw new TRPCError({ code: "NOT_FOUND", message: "A style image is not on the server any more; please upload it again." });
      }
      if (!(await tx.uploads.visible(job.contentId, owner)))
        throw new TRPCError({ code: "NOT_FOUND", message: "The content image is not on the server any more; please upload it again." });
      // Inserted, started and finished in one transaction: no queue ever sees it queued.
      await tx.jobs.insert({
        id,
        mode: "fast",
        options: job.options,
        contentId: job.contentId,
        styleIds: job.styleIds,
        client: clientIp,
        owner,
        createdAt: now,
      });
      await tx.jobs.start(id, now);
      await tx.jobs.updateProgress(id, progress, false);
      await tx.jobs.finish(id, "succeeded", now, null, true);
      await tx.jobs.setDiskBytes(id, stored.length);
    });
    if (!made.allowed) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many jobs from you or your address; ${retryIn(made.retryAfterMs)}.` });
  } catch (e) {
    await app.blobs.delete("result", id).catch(() => undefined);
    if (isDiskFull(e)) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DISK_FULL_MESSAGE, cause: e });
    throw e;
  }
  app.events.jobChanged(id);
  return { id };
}
