import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

let cached: string | undefined;

/**
 * The apps/web directory, where migrations/ and the compiled worker (dist/worker) live. Found from the
 * working directory rather than import.meta.url because Next bundles the server code into .next/:
 * `next start`, `next dev` and vitest all run in apps/web, and `pnpm web` at the root is covered too.
 */
export function appRoot(): string {
  if (cached !== undefined) return cached;
  const candidates = [process.env.PASTICHE_WEB_ROOT, process.cwd(), path.join(process.cwd(), "apps", "web")].filter((c): c is string => Boolean(c));
  for (const dir of candidates) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "@pastiche/web") {
      cached = path.resolve(dir);
      return cached;
    }
  }
  throw new Error(`cannot find the @pastiche/web package directory from ${process.cwd()}; run the server from apps/web or set PASTICHE_WEB_ROOT`);
}

/** The compiled worker script, apps/web/dist/worker/main.js. */
export function defaultWorkerScript(): string {
  return path.join(appRoot(), "dist", "worker", "main.js");
}
