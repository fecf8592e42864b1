import { createTRPCRouter } from "./trpc.js";
import { imagesRouter } from "./routers/images.js";
import { jobsRouter } from "./routers/jobs.js";
import { systemRouter } from "./routers/system.js";

/** The whole API. The browser imports only `type AppRouter`. */
export const appRouter = createTRPCRouter({
  system: systemRouter,
  images: imagesRouter,
  jobs: jobsRouter,
});

export type AppRouter = typeof appRouter;
