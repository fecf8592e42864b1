import path from "node:path";
import envPaths from "env-paths";

/** The environment variable that points Pastiche at a directory of model files. */
export const MODELS_DIR_ENV = "PASTICHE_MODELS_DIR";

/** Where the models directory is and how that was decided ({@link resolveModelsDir}). */
export interface ModelsDirInfo {
  /** Absolute path of the models directory (it may not exist yet). */
  dir: string;
  /** `env`: from PASTICHE_MODELS_DIR; `default`: the per-user cache directory. */
  source: "env" | "default";
}

/**
 * The per-user cache directory for model files, like Keras' `~/.keras/models`: `~/.cache/pastiche/models`
 * on Linux (or `$XDG_CACHE_HOME/pastiche/models`), `~/Library/Caches/pastiche/models` on macOS,
 * `%LOCALAPPDATA%\pastiche\Cache\models` on Windows.
 */
export function defaultModelsDir(): string {
  return path.join(envPaths("pastiche", { suffix: "" }).cache, "models");
}

/**
 * Where model files live: `PASTICHE_MODELS_DIR` if set (resolved against the working directory),
 * else {@link defaultModelsDir}. `source` says which, for `pastiche doctor`.
 */
export function resolveModelsDir(env: Record<string, string | undefined> = process.env): ModelsDirInfo {
  const fromEnv = env[MODELS_DIR_ENV]?.trim();
  if (fromEnv) return { dir: path.resolve(fromEnv), source: "env" };
  return { dir: defaultModelsDir(), source: "default" };
}
