import type { SystemInfo } from "../../../shared/jobSchemas";
import { usedBytes } from "../../limits/storage";
import { modelAvailability } from "../../models";
import { listExamples } from "../../storage/examples";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const systemRouter = createTRPCRouter({
  info: publicProcedure.query(({ ctx }): SystemInfo => {
    const { config, queue, uploads, db } = ctx.app;
    return {
      // Known once a worker has started (the server itself never loads TensorFlow.js).
      backend: queue.backend ?? "starts with the first job",
      limits: config.limits,
      models: modelAvailability(config.modelsDir),
      examples: listExamples(uploads),
      storage: { usedBytes: usedBytes(db, ctx.owner), quotaBytes: config.visitorQuotaBytes, retentionHours: config.retentionMs / 3600_000 },
    };
  }),
});
