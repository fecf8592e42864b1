import { z } from "zod";
import { IdSchema } from "../../../shared/ids";
import { ImageRoleSchema, type UploadedImage } from "../../../shared/jobSchemas";
import { DISK_FULL_MESSAGE, quotaMessage } from "../../limits/storage";
import { retryIn } from "../../limits/rateLimit";
import { storeUpload, tooManyBytes, UploadRefusal, type UploadRefusalReason } from "../../storage/uploads";
import { createTRPCRouter, publicProcedure, TRPCError } from "../trpc";

const UploadFormSchema = z.instanceof(FormData, { message: "Send the image as multipart form data with the fields file and role." });

const REFUSAL_CODES: Record<UploadRefusalReason, "BAD_REQUEST" | "PAYLOAD_TOO_LARGE" | "FORBIDDEN" | "SERVICE_UNAVAILABLE"> = {
  empty: "BAD_REQUEST",
  "too-many-bytes": "PAYLOAD_TOO_LARGE",
  "not-an-image": "BAD_REQUEST",
  "too-many-pixels": "PAYLOAD_TOO_LARGE",
  "too-small": "BAD_REQUEST",
  damaged: "BAD_REQUEST",
  quota: "FORBIDDEN",
  "disk-full": "SERVICE_UNAVAILABLE",
};

export function refusalError(e: UploadRefusal): TRPCError {
  return new TRPCError({ code: REFUSAL_CODES[e.reason], message: e.message, cause: e });
}

export const imagesRouter = createTRPCRouter({
  upload: publicProcedure.input(UploadFormSchema).mutation(async ({ ctx, input }): Promise<UploadedImage> => {
    const { app, owner } = ctx;
    const role = ImageRoleSchema.safeParse(input.get("role"));
    if (!role.success) throw new TRPCError({ code: "BAD_REQUEST", message: "Say whether the image is the content or a style (role: content or style)." });
    const file = input.get("file");
    if (!(file instanceof Blob)) throw new TRPCError({ code: "BAD_REQUEST", message: "No file was sent; choose an image to upload." });
    const { limits } = app.config;
    // Checked before reading the bytes into memory.
    if (file.size > limits.maxUploadBytes) throw refusalError(tooManyBytes(file.size, limits.maxUploadBytes));
    // Every attempt that gets this far costs a token: decoding is the expensive part, stored or not.
    const keys = [`v:${owner}`, `a:${ctx.clientIp}`];
    // Count and volume together: refused by either, charged by neither.
    const decision = await app.uploadLimiter.attempt(keys, async (tx) => {
      const volume = await app.uploadBytesLimiter.take(keys, file.size, tx);
      if (!volume.allowed)
        throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too much uploaded in the last minute; ${retryIn(volume.retryAfterMs)}.` });
    });
    if (!decision.allowed) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many uploads; ${retryIn(decision.retryAfterMs)}.` });
    if ((await app.freeDiskBytes()) < app.config.minFreeDiskBytes) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DISK_FULL_MESSAGE });
    try {
      return await storeUpload(
        new Uint8Array(await file.arrayBuffer()),
        role.data,
        { repo: app.repo, blobs: app.blobs, limits },
        {
          owner,
          admit: async (repo, diskBytes) => {
            // Serialises this visitor's uploads until the transaction ends (the row's, see storeUpload).
            await repo.buckets.lock([`quota:${owner}`]);
            const used = await repo.retention.usedBytes(owner);
            if (used + diskBytes > app.config.visitorQuotaBytes) throw new UploadRefusal("quota", quotaMessage(used, app.config.visitorQuotaBytes));
          },
        },
      );
    } catch (e) {
      if (e instanceof UploadRefusal) throw refusalError(e);
      throw e;
    }
  }),

  /** Deletes one of the visitor's uploads with its files; refused while a job of theirs uses it. */
  delete: publicProcedure.input(z.object({ id: IdSchema })).mutation(async ({ ctx, input }): Promise<{ deleted: true }> => {
    const { app } = ctx;
    const row = await app.repo.uploads.own(input.id, ctx.owner);
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "There is no image with that id." });
    const jobs = await app.repo.uploads.usedBy(row.id);
    if (jobs > 0)
      throw new TRPCError({
        code: "CONFLICT",
        message: `This image is used by ${jobs === 1 ? "one of your jobs" : `${jobs} of your jobs`}; delete ${jobs === 1 ? "it" : "them"} first.`,
      });
    await app.repo.uploads.markDeleting(row.id);
    await app.sweeper.purge();
    return { deleted: true };
  }),
});
