import { JobCreateInputSchema, JobIdInputSchema, JobListInputSchema, type JobListOutput, type JobProgressEvent, type JobView } from "../../../shared/jobSchemas.js";
import { createTRPCRouter, publicProcedure, TRPCError } from "../trpc.js";

const notYet = (): never => {
  throw new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: "Jobs are not implemented yet." });
};

export const jobsRouter = createTRPCRouter({
  create: publicProcedure.input(JobCreateInputSchema).mutation((): { id: string } => notYet()),
  get: publicProcedure.input(JobIdInputSchema).query((): JobView => notYet()),
  list: publicProcedure.input(JobListInputSchema).query((): JobListOutput => notYet()),
  cancel: publicProcedure.input(JobIdInputSchema).mutation((): JobView => notYet()),
  onProgress: publicProcedure.input(JobIdInputSchema).subscription(async function* (): AsyncGenerator<JobProgressEvent, void, unknown> {
    await Promise.resolve();
    yield notYet();
  }),
});
