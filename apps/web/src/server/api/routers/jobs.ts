import { z } from "zod";
import {
  isTerminalStatus,
  JobCreateInputSchema,
  JobIdInputSchema,
  JobListInputSchema,
  type JobListOutput,
  type JobProgressEvent,
  type JobView,
} from "../../../shared/jobSchemas";
import type { PasticheApp } from "../../app";
import type { JobRow } from "../../db/repository/rows";
import { isDatabaseUnavailable } from "../../db/unavailable";
import { createClientResult, type ClientResult } from "../../jobs/clientResult";
import { limitedJobSchema } from "../../jobs/jobInput";
import { jobView } from "../../jobs/jobView";
import { modelAvailability } from "../../models";
import { retryIn } from "../../limits/rateLimit";
import { DISK_FULL_MESSAGE, quotaMessage } from "../../limits/storage";
import { newId } from "../../storage/ids";
import { createTRPCRouter, publicProcedure, TRPCError, zodErrorSentence } from "../trpc";

/** One of the visitor's jobs; another visitor's answers exactly like an id that does not exist. */
async function findJob(app: PasticheApp, owner: string, id: string): Promise<JobRow> {
  const row = await app.repo.jobs.own(id, owner);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "There is no job with that id." });
  return row;
}

function view(app: PasticheApp, row: JobRow): Promise<JobView> {
  return jobView(row, app.repo.jobs, app.queue.liveProgress(row.id));
}

const DEFAULT_PAGE = 20;
const OUTAGE_RETRY_MS = 1000;

/** `read`, tried again every second while the database is away, until `signal` aborts (then undefined). */
async function throughOutage<T>(signal: AbortSignal, read: () => Promise<T>): Promise<T | undefined> {
  for (;;) {
    try {
      return await read();
    } catch (e) {
      if (!isDatabaseUnavailable(e) || signal.aborted) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_RETRY_MS));
    if (signal.aborted) return undefined;
  }
}

export const jobsRouter = createTRPCRouter({
  create: publicProcedure
    .input(JobCreateInputSchema)
    // This server's limits (and the defaults they imply) apply to the raw input, as sent: the input
    // schema only knows core's bounds, and its defaults could exceed a smaller configured limit.
    .use(async ({ ctx, getRawInput, next }) => {
      const parsed = limitedJobSchema(ctx.app).safeParse(await getRawInput());
      if (!parsed.success) throw new TRPCError({ code: "BAD_REQUEST", message: zodErrorSentence(parsed.error), cause: parsed.error });
      return next({ ctx: { job: parsed.data } });
    })
    .mutation(async ({ ctx }): Promise<{ id: string }> => {
      const { app, job, owner } = ctx;
      // A job that cannot run is refused now rather than failing in the queue minutes later.
      if (!modelAvailability(app.config.modelsDir)[job.mode]) {
        throw new TRPCError({
          code: "PRECONDITION_FAILED",
          message: `This server does not have the model files ${job.mode === "quality" ? "Quality" : "Fast"} jobs need; ask its operator to install them (pastiche models download).`,
        });
      }
      const used = await app.repo.retention.usedBytes(owner);
      if (used >= app.config.visitorQuotaBytes) throw new TRPCError({ code: "FORBIDDEN", message: quotaMessage(used, app.config.visitorQuotaBytes) });
      if ((await app.freeDiskBytes()) < app.config.minFreeDiskBytes) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DISK_FULL_MESSAGE });
      const id = newId();
      // The checks and the insert in the rate limiter's transaction: only a job actually created costs a token.
      const decision = await app.jobLimiter.attempt([`v:${owner}`, `a:${ctx.clientIp}`], async (tx) => {
        if (!(await tx.uploads.visible(job.contentId, owner)))
          throw new TRPCError({ code: "NOT_FOUND", message: "The content image is not on the server any more; please upload it again." });
        for (const styleId of job.styleIds) {
          if (!(await tx.uploads.visible(styleId, owner)))
            throw new TRPCError({ code: "NOT_FOUND", message: "A style image is not on the server any more; please upload it again." });
        }
        await tx.jobs.insert({
          id,
          mode: job.mode,
          options: job.options,
          contentId: job.contentId,
          styleIds: job.styleIds,
          client: ctx.clientIp,
          owner,
          createdAt: new Date().toISOString(),
        });
      });
      if (!decision.allowed)
        throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many jobs from you or your address; ${retryIn(decision.retryAfterMs)}.` });
      await app.queue.submit(id, job.mode);
      return { id };
    }),

  /**
   * Keeps a Fast result the visitor's browser made (multipart: the PNG `file`, the `job` as JSON like
   * jobs.create's Fast input, the tfjs `backend`, the `ms` it took) as a finished job of theirs. The
   * PNG is decoded and re-encoded here and checked against the job's size and content image.
   */
  createClientResult: publicProcedure
    .input(z.instanceof(FormData, { message: "Send the result as multipart form data with the fields file, job, backend and ms." }))
    .mutation(({ ctx, input }): Promise<ClientResult> => createClientResult(ctx, input)),

  get: publicProcedure.input(JobIdInputSchema).query(async ({ ctx, input }): Promise<JobView> => view(ctx.app, await findJob(ctx.app, ctx.owner, input.id))),

  list: publicProcedure.input(JobListInputSchema).query(async ({ ctx, input }): Promise<JobListOutput> => {
    const limit = input.limit ?? DEFAULT_PAGE;
    let before: number | undefined;
    if (input.cursor !== undefined) {
      if (!/^\d{1,15}$/.test(input.cursor)) throw new TRPCError({ code: "BAD_REQUEST", message: "That page cursor is not valid." });
      before = Number(input.cursor);
    }
    // One extra row tells whether there is a next page.
    const rows = await ctx.app.repo.jobs.list(ctx.owner, limit + 1, before);
    const page = rows.slice(0, limit);
    return { items: await Promise.all(page.map((row) => view(ctx.app, row))), nextCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null };
  }),

  cancel: publicProcedure.input(JobIdInputSchema).mutation(async ({ ctx, input }): Promise<JobView> => {
    await findJob(ctx.app, ctx.owner, input.id);
    // An already finished job is left as it is; the view says how it ended.
    await ctx.app.queue.cancel(input.id);
    return view(ctx.app, await findJob(ctx.app, ctx.owner, input.id));
  }),

  /**
   * Deletes a job with its result and preview (a queued or running one is cancelled first; its
   * files go once its worker has stopped). Its uploads stay until deleted or expired.
   */
  delete: publicProcedure.input(JobIdInputSchema).mutation(async ({ ctx, input }): Promise<{ deleted: true }> => {
    const { app } = ctx;
    const row = await findJob(app, ctx.owner, input.id);
    await app.queue.cancel(row.id);
    await app.repo.jobs.markDeleting(row.id);
    await app.sweeper.purge();
    return { deleted: true };
  }),

  /** Publishes the job's result under a read-only link of its own (nothing else of the visitor's becomes visible). */
  publish: publicProcedure.input(JobIdInputSchema).mutation(async ({ ctx, input }): Promise<JobView> => {
    const { app } = ctx;
    const row = await findJob(app, ctx.owner, input.id);
    if (!row.has_result) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "Only a finished job with a result can be published." });
    if (row.share_token === null) await app.repo.jobs.setShareToken(row.id, newId());
    return view(app, await findJob(app, ctx.owner, row.id));
  }),

  /** Withdraws the published link; the old link answers 404 from then on. */
  unpublish: publicProcedure.input(JobIdInputSchema).mutation(async ({ ctx, input }): Promise<JobView> => {
    const { app } = ctx;
    const row = await findJob(app, ctx.owner, input.id);
    await app.repo.jobs.setShareToken(row.id, null);
    return view(app, await findJob(app, ctx.owner, row.id));
  }),

  onProgress: publicProcedure.input(JobIdInputSchema).subscription(async function* ({ ctx, input, signal }): AsyncGenerator<JobProgressEvent, void, unknown> {
    const { app } = ctx;
    const first = await findJob(app, ctx.owner, input.id);
    const controller = new AbortController();
    const stop = (): void => {
      controller.abort();
    };
    signal?.addEventListener("abort", stop, { once: true });
    // Listening before the first read, so no change between the read and the wait is lost.
    const changes = app.events.changes(first.id, first.mode, controller.signal);
    try {
      let current = await view(app, first);
      yield { type: "job", job: current };
      while (!isTerminalStatus(current.status)) {
        const next = await changes.next();
        if (next.done === true) return;
        // The database away for a while (cluster mode): the stream waits for it instead of failing.
        const latest = await throughOutage(controller.signal, async () => {
          const row = await app.repo.jobs.own(input.id, ctx.owner);
          return row ? view(app, row) : undefined;
        });
        // Deleted meanwhile: the stream ends like it would for an unknown id.
        if (!latest) return;
        current = latest;
        yield { type: "job", job: current };
      }
    } finally {
      signal?.removeEventListener("abort", stop);
      controller.abort();
      await changes.return?.();
    }
  }),
});
