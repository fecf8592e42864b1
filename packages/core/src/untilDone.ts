/**
 * Runs an event stream (`stylizeGatys`, `stylizeFast`) to its end and returns its "done" event, for
 * callers that want only the result.
 */
export async function untilDone<E extends { readonly type: string }>(events: AsyncIterable<E>): Promise<Extract<E, { type: "done" }>> {
  let done: Extract<E, { type: "done" }> | undefined;
  for await (const event of events) if (event.type === "done") done = event as Extract<E, { type: "done" }>;
  if (!done) throw new Error("the run ended without a done event");
  return done;
}
