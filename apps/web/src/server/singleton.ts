/**
 * One PasticheApp per server process, started by the first request or by Next's instrumentation
 * hook, whichever comes first. Kept on globalThis because Next may evaluate this module more than
 * once (route bundles, dev reloads) and there must be only one queue driving the database.
 */
import { createPasticheApp, type PasticheApp } from "./app";
import { resolveConfig } from "./limits/config";

const KEY = Symbol.for("pastiche.web.app");

type GlobalWithApp = typeof globalThis & { [KEY]?: PasticheApp };

export function getPasticheApp(): PasticheApp {
  const g = globalThis as GlobalWithApp;
  g[KEY] ??= startApp();
  return g[KEY];
}

function startApp(): PasticheApp {
  const app = createPasticheApp(resolveConfig());
  const stop = (): void => {
    // Workers are killed; jobs they were running stay 'running' and are re-queued at the next start.
    void app.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return app;
}
