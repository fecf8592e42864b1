import { createTRPCRouter } from "./trpc";
import { imagesRouter } from "./routers/images";
import { jobsRouter } from "./routers/jobs";
import { systemRouter } from "./routers/system";

/** The whole API. The browser imports only `type AppRouter`. */
export const appRouter = createTRPCRouter({
  system: systemRouter,
  images: imagesRouter,
  jobs: jobsRouter,
});

export type AppRouter = typeof appRouter;
