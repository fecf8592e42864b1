/** Next's start-up hook: start the job queue with the server, so queued jobs run before any request. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getPasticheApp } = await import("./server/singleton");
  getPasticheApp();
}
