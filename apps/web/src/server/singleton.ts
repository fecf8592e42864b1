/**
 * One PasticheApp per server process, started by the first request or by Next's instrumentation
 * hook, whichever comes first. Kept on globalThis because Next may evaluate this module more than
 * once (route bundles, dev reloads) and there must be only one queue driving the database. A start
 * that failed (cluster mode: the database was away) is tried again by the next request.
 */
import { createPasticheApp, type PasticheApp } from "./app";
import { databaseUnavailableResponse, isDatabaseUnavailable } from "./db/unavailable";
import { API_HEADERS } from "./http/apiHeaders";
import { resolveConfig } from "./limits/config";

const KEY = Symbol.for("pastiche.web.app");

type GlobalWithApp = typeof globalThis & { [KEY]?: Promise<PasticheApp> };

export function getPasticheApp(): Promise<PasticheApp> {
  const g = globalThis as GlobalWithApp;
  g[KEY] ??= startApp().catch((e: unknown) => {
    g[KEY] = undefined;
    throw e;
  });
  return g[KEY];
}

/** A route handler's body with the app; 503 with one sentence when it cannot start because the database is away. */
export async function withApp(respond: (app: PasticheApp) => Promise<Response>): Promise<Response> {
  let app: PasticheApp;
  try {
    app = await getPasticheApp();
  } catch (e) {
    if (!isDatabaseUnavailable(e)) throw e;
    console.error(`pastiche web: cannot start yet: ${e instanceof Error ? e.message : String(e)}`);
    return databaseUnavailableResponse(API_HEADERS);
  }
  return respond(app);
}

async function startApp(): Promise<PasticheApp> {
  const app = await createPasticheApp(resolveConfig());
  const stop = (): void => {
    // Embedded: workers are killed; jobs they were running stay 'running' and are re-queued at the next
    // start. Cluster: they go back to the queue at once.
    void app.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return app;
}
