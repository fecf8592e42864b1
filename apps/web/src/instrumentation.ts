/**
 * Next's start-up hook, run before the server handles a request: install the request gate (the
 * client's socket address for the rate limits, 400 for malformed URLs; see server/http/peer.ts) and
 * start the job queue with the server, so queued jobs run before any request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installRequestGate } = await import("./server/http/peer");
  installRequestGate();
  const { getPasticheApp } = await import("./server/singleton");
  // Cluster mode with the database away: the first request tries again (and answers 503 meanwhile).
  await getPasticheApp().catch((e: unknown) => {
    console.error(`pastiche web: not started yet: ${e instanceof Error ? e.message : String(e)}`);
  });
}
