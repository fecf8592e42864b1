import type { SystemInfo } from "../../../shared/jobSchemas";
import { modelAvailability } from "../../models";
import { listExamples } from "../../storage/examples";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const systemRouter = createTRPCRouter({
  info: publicProcedure.query(({ ctx }): SystemInfo => {
    const { config, queue, uploads } = ctx.app;
    return {
      // Known once a worker has started (the server itself never loads TensorFlow.js).
      backend: queue.backend ?? "starts with the first job",
      limits: config.limits,
      models: modelAvailability(config.modelsDir),
      examples: listExamples(uploads),
    };
  }),
});
