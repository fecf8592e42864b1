import { z } from "zod";
import { ImageRoleSchema, type UploadedImage } from "../../../shared/jobSchemas";
import { storeUpload, tooManyBytes, UploadRefusal, type UploadRefusalReason } from "../../storage/uploads";
import { createTRPCRouter, publicProcedure, TRPCError } from "../trpc";

const UploadFormSchema = z.instanceof(FormData, { message: "Send the image as multipart form data with the fields file and role." });

const REFUSAL_CODES: Record<UploadRefusalReason, "BAD_REQUEST" | "PAYLOAD_TOO_LARGE"> = {
  empty: "BAD_REQUEST",
  "too-many-bytes": "PAYLOAD_TOO_LARGE",
  "not-an-image": "BAD_REQUEST",
  "too-many-pixels": "PAYLOAD_TOO_LARGE",
  "too-small": "BAD_REQUEST",
  damaged: "BAD_REQUEST",
};

export function refusalError(e: UploadRefusal): TRPCError {
  return new TRPCError({ code: REFUSAL_CODES[e.reason], message: e.message, cause: e });
}

export const imagesRouter = createTRPCRouter({
  upload: publicProcedure
    // A body refused by the route handler (too large) is reported before tRPC reads any input.
    .use(({ ctx, next }) => {
      if (ctx.bodyRefusal) throw ctx.bodyRefusal;
      return next();
    })
    .input(UploadFormSchema)
    .mutation(async ({ ctx, input }): Promise<UploadedImage> => {
      const role = ImageRoleSchema.safeParse(input.get("role"));
      if (!role.success) throw new TRPCError({ code: "BAD_REQUEST", message: "Say whether the image is the content or a style (role: content or style)." });
      const file = input.get("file");
      if (!(file instanceof Blob)) throw new TRPCError({ code: "BAD_REQUEST", message: "No file was sent; choose an image to upload." });
      const { limits } = ctx.app.config;
      // Checked before reading the bytes into memory.
      if (file.size > limits.maxUploadBytes) {
        throw refusalError(tooManyBytes(file.size, limits.maxUploadBytes));
      }
      try {
        return await storeUpload(new Uint8Array(await file.arrayBuffer()), role.data, { paths: ctx.app.paths, uploads: ctx.app.uploads, limits });
      } catch (e) {
        if (e instanceof UploadRefusal) throw refusalError(e);
        throw e;
      }
    }),
});
