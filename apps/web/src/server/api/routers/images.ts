import { z } from "zod";
import { ImageRoleSchema, type UploadedImage } from "../../../shared/jobSchemas.js";
import { createTRPCRouter, publicProcedure, TRPCError } from "../trpc.js";

export const UploadFormSchema = z.instanceof(FormData);

export const imagesRouter = createTRPCRouter({
  upload: publicProcedure.input(UploadFormSchema).mutation(({ input }): UploadedImage => {
    void ImageRoleSchema.parse(input.get("role"));
    throw new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: "Uploads are not implemented yet." });
  }),
});
