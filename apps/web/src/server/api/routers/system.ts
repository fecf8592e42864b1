import type { SystemInfo } from "../../../shared/jobSchemas";
import { modelAvailability } from "../../models";
import { listExamples } from "../../storage/examples";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const systemRouter = createTRPCRouter({
  info: publicProcedure.query(async ({ ctx }): Promise<SystemInfo> => {
    const { config, queue, repo } = ctx.app;
    return {
      // Known once a worker has started (the server itself never loads TensorFlow.js).
      backend: queue.backend ?? "starts with the first job",
      limits: config.limits,
      models: modelAvailability(config.modelsDir),
      examples: await listExamples(repo.uploads),
      storage: { usedBytes: await repo.retention.usedBytes(ctx.owner), quotaBytes: config.visitorQuotaBytes, retentionHours: config.retentionMs / 3600_000 },
      clientFast: config.clientFast,
    };
  }),
});
