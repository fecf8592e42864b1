import { DEFAULT_HOSTED_LIMITS, type SystemInfo } from "../../../shared/jobSchemas.js";
import { createTRPCRouter, publicProcedure } from "../trpc.js";

export const systemRouter = createTRPCRouter({
  info: publicProcedure.query((): SystemInfo => ({ backend: "not started", limits: DEFAULT_HOSTED_LIMITS, models: { quality: false, fast: false }, examples: [] })),
});
