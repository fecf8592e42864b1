/**
 * Server configuration, from the environment (documented in docs/web.md). Read once at start; tests
 * build a config directly with {@link resolveConfig} and overrides.
 */
import path from "node:path";
import envPaths from "env-paths";
import { DEFAULT_HOSTED_LIMITS, type HostedLimits } from "../../shared/jobSchemas";

export interface ServerConfig {
  /** Database, uploads, results and previews live here. */
  dataDir: string;
  /** Where the workers look for model files (PASTICHE_MODELS_DIR; @pastiche/node's default if unset). */
  modelsDir: string | undefined;
  limits: HostedLimits;
  /** Jobs of each mode run at the same time (each in its own worker process). */
  concurrency: { quality: number; fast: number };
  /** Jobs a client may create per minute (token bucket: this many at once, refilled over a minute). */
  rateLimitPerMinute: number;
  /** Image files offered as example styles, imported at start; undefined: none. */
  exampleStylesDir: string | undefined;
  /**
   * Reverse proxies in front of the server that append to X-Forwarded-For: the client address is
   * the entry this many places from the right (0: the address Next itself saw).
   */
  trustedProxyHops: number;
  /** A Quality job writes a preview image every this many iterations. */
  previewEvery: number;
  /** Bytes a visitor may keep stored (uploads, thumbnails, results, previews). */
  visitorQuotaBytes: number;
  /** Uploads and jobs are deleted this long after they were made (jobs once they have ended). */
  retentionMs: number;
  /** Uploads a visitor (and, separately, an address) may send per minute. */
  uploadRateLimitPerMinute: number;
  /** Upload bytes a visitor (and, separately, an address) may send per minute. */
  uploadBytesPerMinute: number;
  /** Uploads and jobs are refused while the data directory's disk has less free space than this. */
  minFreeDiskBytes: number;
  /** Largest body of any POST other than an upload (tRPC mutations are small JSON). */
  maxRequestBytes: number;
  /**
   * Cluster mode (PASTICHE_DATABASE_URL=postgres://…): state, queue and images in PostgreSQL, shared
   * by every web server and `pnpm worker`; undefined: embedded mode (SQLite and the data directory).
   */
  databaseUrl: string | undefined;
  /** Cluster mode: jobs this server runs itself, per lane (PASTICHE_WORKERS, default 0: only `pnpm worker` machines run jobs). */
  workers: number;
  /** Cluster mode: seconds a job may run before the queue gives it to another worker (per lane; pg-boss 10 has no heartbeat). */
  queueExpirySeconds: { fast: number; quality: number };
  /**
   * Whether the page may run Fast jobs in the visitor's browser (PASTICHE_CLIENT_FAST=on|off, default
   * on) and keep the result with jobs.createClientResult; off: every job runs on the server.
   */
  clientFast: boolean;
}

/** Where the data lives by default: the per-user data directory, e.g. ~/.local/share/pastiche/web. */
export function defaultDataDir(): string {
  return path.join(envPaths("pastiche", { suffix: "" }).data, "web");
}

/** The environment (or a test's stand-in for it). */
type Env = Readonly<Record<string, string | undefined>>;

class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function intFromEnv(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  // A typo in a limit must stop the server, not silently lift the limit.
  if (!Number.isSafeInteger(value) || value < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

/**
 * A directory from the environment. Relative paths are taken from where the user typed the command
 * (pnpm's INIT_CWD): `PASTICHE_MODELS_DIR=../shared/models pnpm web` at the repository root means
 * the root's ../shared, although `next start` itself runs in apps/web.
 */
/** A positive decimal (retention can be a fraction of an hour, e.g. for a demo or a test). */
function positiveFromEnv(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a number > 0, got "${raw}"`);
  return value;
}

const MB = 1024 * 1024;

function dirFromEnv(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? path.resolve(env.INIT_CWD ?? process.cwd(), raw) : undefined;
}

/** An on/off switch; anything else stops the server rather than guessing. */
function switchFromEnv(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["on", "1", "true", "yes"].includes(raw)) return true;
  if (["off", "0", "false", "no"].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${env[name] ?? ""}"`);
}

function databaseUrlFromEnv(env: Env): string | undefined {
  const raw = env.PASTICHE_DATABASE_URL?.trim();
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError(`PASTICHE_DATABASE_URL must be a postgres:// URL, got "${raw.replace(/:[^:@/]*@/, ":…@")}"`);
  return raw;
}

export function resolveConfig(env: Env = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const config: ServerConfig = {
    dataDir: dirFromEnv(env, "PASTICHE_DATA_DIR") ?? defaultDataDir(),
    modelsDir: dirFromEnv(env, "PASTICHE_MODELS_DIR"),
    limits: {
      maxUploadBytes: intFromEnv(env, "PASTICHE_MAX_UPLOAD_BYTES", DEFAULT_HOSTED_LIMITS.maxUploadBytes, 1),
      maxInputPixels: intFromEnv(env, "PASTICHE_MAX_INPUT_PIXELS", DEFAULT_HOSTED_LIMITS.maxInputPixels, 256),
      maxOutputSide: intFromEnv(env, "PASTICHE_MAX_OUTPUT_SIDE", DEFAULT_HOSTED_LIMITS.maxOutputSide, 16),
      maxIterations: intFromEnv(env, "PASTICHE_MAX_ITERATIONS", DEFAULT_HOSTED_LIMITS.maxIterations, 1),
    },
    concurrency: {
      quality: intFromEnv(env, "PASTICHE_QUALITY_CONCURRENCY", 1, 1),
      fast: intFromEnv(env, "PASTICHE_FAST_CONCURRENCY", 1, 1),
    },
    rateLimitPerMinute: intFromEnv(env, "PASTICHE_RATE_LIMIT", 10, 1),
    exampleStylesDir: dirFromEnv(env, "PASTICHE_EXAMPLE_STYLES_DIR"),
    trustedProxyHops: intFromEnv(env, "PASTICHE_TRUSTED_PROXY_HOPS", 0, 0),
    previewEvery: intFromEnv(env, "PASTICHE_PREVIEW_EVERY", 5, 1),
    visitorQuotaBytes: intFromEnv(env, "PASTICHE_VISITOR_QUOTA_MB", 500, 1) * MB,
    retentionMs: Math.round(positiveFromEnv(env, "PASTICHE_RETENTION_HOURS", 168) * 3600_000),
    uploadRateLimitPerMinute: intFromEnv(env, "PASTICHE_UPLOAD_RATE_LIMIT", 20, 1),
    uploadBytesPerMinute: intFromEnv(env, "PASTICHE_UPLOAD_MB_PER_MINUTE", 100, 1) * MB,
    minFreeDiskBytes: intFromEnv(env, "PASTICHE_MIN_FREE_DISK_MB", 100, 0) * MB,
    maxRequestBytes: 64 * 1024,
    databaseUrl: databaseUrlFromEnv(env),
    workers: intFromEnv(env, "PASTICHE_WORKERS", 0, 0),
    queueExpirySeconds: {
      fast: intFromEnv(env, "PASTICHE_FAST_EXPIRY_SECONDS", 600, 1),
      quality: intFromEnv(env, "PASTICHE_QUALITY_EXPIRY_SECONDS", 7200, 1),
    },
    clientFast: switchFromEnv(env, "PASTICHE_CLIENT_FAST", true),
  };
  return { ...config, ...overrides, limits: { ...config.limits, ...overrides.limits } };
}
