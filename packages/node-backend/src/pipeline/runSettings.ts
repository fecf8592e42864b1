/**
 * A run's settings as recorded in its output PNG (`pastiche:settings`), enough to run it again:
 * the inputs with their sha256, the validated options (with the seed actually used and the start
 * image, `options.init`) and the versions that produced it. `pastiche stylize --from out.png`
 * reads them back; the pipeline writes them (CLI and web results alike).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { FastOptionsSchema, GatysOptionsSchema, PasticheError, parseOptions, type FastOptions, type GatysInit, type GatysOptions } from "@pastiche/core";
import { readPngText } from "../images/index.js";
import { STDIN_PATH, openInputFile, readInputFile, readStdinOnce } from "../fs/inputFile.js";

/** The PNG text key under which a result records the settings that made it (`pastiche rerun` reads it). */
export const RUN_SETTINGS_KEY = "pastiche:settings";

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, { message: "not a sha256" });
const pathsSchema = z.array(z.string().min(1)).min(1);

const InputHashesSchema = z.object({
  content: sha256Schema,
  styles: z.array(sha256Schema),
  /** Only when the run had style masks. */
  styleMasks: z.array(sha256Schema).optional(),
  /** Only when the run started from an image file. */
  init: sha256Schema.optional(),
});
/** The sha256 of each input file of a run, recorded so a rerun can tell that they changed. */
export type InputHashes = z.output<typeof InputHashesSchema>;

/**
 * Settings written before `init` moved into the options kept it as a string beside them
 * ("content", "noise", "fast" or a path) and the options' own `init` as "image": read them as today's.
 */
function migrateLegacyInit(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || !("init" in raw)) return raw;
  const { init, ...rest } = raw as Record<string, unknown> & { options?: Record<string, unknown> };
  if (typeof init !== "string") return raw;
  const kind = init === "content" || init === "noise" || init === "fast" ? { kind: init } : { kind: "image", path: init };
  return { ...rest, options: { ...rest.options, init: kind } };
}

/**
 * Settings recorded before L-BFGS had a line search (#12) took full steps: an L-BFGS run without
 * `lbfgsLineSearch` reruns with "none", as it was made, not with today's default.
 */
function migrateBeforeLineSearch(raw: unknown): unknown {
  const options = typeof raw === "object" && raw !== null ? (raw as { options?: unknown }).options : undefined;
  if (typeof options !== "object" || options === null) return raw;
  const o = options as Record<string, unknown>;
  if (o.optimizer !== "lbfgs" || "lbfgsLineSearch" in o) return raw;
  return { ...(raw as object), options: { ...o, lbfgsLineSearch: "none" } };
}

/** What every run records, Gatys or fast. */
const commonSettings = {
  content: z.string().min(1),
  styles: pathsSchema,
  sha256: InputHashesSchema.optional(),
  /** e.g. { pastiche: "0.1.0", tfjs: "4.22.0", node: "v20.20.2" }. */
  versions: z.record(z.string(), z.string()).default({}),
  backend: z.string().default("unknown"),
};

const GatysRunSettingsSchema = z.object({
  /** Absent in settings written before `pastiche fast` recorded its own. */
  method: z.literal("gatys").default("gatys"),
  ...commonSettings,
  /** One mask image per style (regional styles); absent when the styles apply everywhere. */
  styleMasks: pathsSchema.optional(),
  options: GatysOptionsSchema,
  /**
   * Only on a partial result (the run was interrupted: Ctrl-C, SIGTERM, SIGHUP): the iterations
   * it had run of those planned; `options.iterations` stays the run asked for, so `--from` reruns it whole.
   */
  stopped: z.object({ iterations: z.number().int().nonnegative(), of: z.number().int().nonnegative() }).optional(),
});

const FastRunSettingsSchema = z.object({
  method: z.literal("fast"),
  ...commonSettings,
  options: FastOptionsSchema,
  /** The model files used (absolute paths), for the record; a rerun finds the models as usual. */
  predictorPath: z.string().optional(),
  transferPath: z.string().optional(),
});

/** The settings a result records (method, options, inputs, hashes, versions); older records are migrated. */
export const RunSettingsSchema = z.preprocess(
  (raw) => migrateBeforeLineSearch(migrateLegacyInit(raw)),
  z.discriminatedUnion("method", [GatysRunSettingsSchema, FastRunSettingsSchema]).superRefine((s, ctx) => {
    const masks = s.method === "gatys" ? s.styleMasks : undefined;
    const problem =
      !s.sha256 || s.sha256.styles.length !== s.styles.length
        ? "no input hashes: written before pastiche recorded them"
        : masks && masks.length !== s.styles.length
          ? "not one style mask per style image"
          : masks && s.sha256.styleMasks?.length !== masks.length
            ? "no hashes of the style masks"
            : s.method === "gatys" && s.options.init.kind === "image" && s.sha256.init === undefined
              ? "no hash of the starting image"
              : undefined;
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  }),
);

type ParsedSettings = z.output<typeof RunSettingsSchema>;
/** A Gatys run's settings (`pastiche stylize`, web Quality). `method` may be left out when writing. */
export type GatysRunSettings = Omit<Extract<ParsedSettings, { method: "gatys" }>, "sha256" | "options" | "method"> & {
  readonly method?: "gatys";
  readonly sha256: InputHashes;
  readonly options: GatysOptions;
};
/** A fast run's settings (`pastiche fast`, web Fast). */
export type FastRunSettings = Omit<Extract<ParsedSettings, { method: "fast" }>, "sha256" | "options"> & {
  readonly sha256: InputHashes;
  readonly options: FastOptions;
};
/** A result's recorded settings: a Gatys or a Fast run. */
export type RunSettings = GatysRunSettings | FastRunSettings;

/** Whether recorded settings are of a fast run. */
export function isFastRunSettings(s: RunSettings): s is FastRunSettings {
  return s.method === "fast";
}

/** The image file a start names, if it is one. */
export function initFile(init: GatysInit): string | undefined {
  return init.kind === "image" ? init.path : undefined;
}

/**
 * sha256 of an input file, streamed, as hex: a regular file within the input size cap (a settings
 * chunk edited to name /dev/zero or a FIFO is refused at once); FILE_NOT_FOUND when it is missing.
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  if (path === STDIN_PATH) return hash.update(await readStdinOnce()).digest("hex");
  const { handle, size } = await openInputFile(path, { what: "Image file" });
  try {
    // Never more than the size checked above, even if the file grows meanwhile.
    if (size > 0) for await (const chunk of handle.createReadStream({ start: 0, end: size - 1, autoClose: false })) hash.update(chunk as Buffer);
  } catch (e) {
    throw new PasticheError("INVALID_IMAGE", `Image file ${path} cannot be read (${(e as Error).message})`, { cause: e });
  } finally {
    await handle.close().catch(() => undefined);
  }
  return hash.digest("hex");
}

/**
 * The sha256 of a run's input files (content, styles, masks, init image), for {@link RunSettings}.
 *
 * @throws PasticheError FILE_NOT_FOUND when an input is missing, INVALID_IMAGE when it cannot be read.
 */
export async function hashRunInputs(inputs: {
  content: string;
  styles: readonly string[];
  styleMasks?: readonly string[] | undefined;
  init: GatysInit;
}): Promise<InputHashes> {
  const initPath = initFile(inputs.init);
  const [content, styles, styleMasks, init] = await Promise.all([
    sha256File(inputs.content),
    Promise.all(inputs.styles.map(sha256File)),
    inputs.styleMasks ? Promise.all(inputs.styleMasks.map(sha256File)) : undefined,
    initPath !== undefined ? sha256File(initPath) : undefined,
  ]);
  return { content, styles, ...(styleMasks ? { styleMasks } : {}), ...(init !== undefined ? { init } : {}) };
}

/** The JSON text of the PNG chunk. */
export function formatRunSettings(settings: RunSettings): string {
  return JSON.stringify(settings);
}

/** Parses and checks recorded settings; `source` names the file in errors. */
export function parseRunSettings(text: string, source: string): RunSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PasticheError("INVALID_OPTION", `${source}: the recorded settings are unusable (not JSON)`);
  }
  try {
    return parseOptions(RunSettingsSchema, raw) as RunSettings;
  } catch (e) {
    throw new PasticheError("INVALID_OPTION", `${source}: the recorded settings are unusable (${(e as Error).message.replace(/^invalid option /, "")})`);
  }
}

/** The settings recorded in a PNG written by `pastiche stylize`. */
export async function readRunSettings(pngPath: string): Promise<RunSettings> {
  const bytes = await readInputFile(pngPath, { what: "Settings file" });
  const text = readPngText(bytes)[RUN_SETTINGS_KEY];
  if (text === undefined)
    throw new PasticheError("INVALID_IMAGE", `${pngPath} has no ${RUN_SETTINGS_KEY} text: only PNGs written by pastiche stylize or fast have it`);
  return parseRunSettings(text, pngPath);
}

/** Refuses to rerun from inputs that changed since the run (INPUT_CHANGED names the file). */
export async function verifyRunInputs(settings: RunSettings, source: string): Promise<void> {
  if (settings.content === STDIN_PATH) {
    throw new PasticheError(
      "INPUT_CHANGED",
      `${source} was made from a content image read from standard input (-), which cannot be checked or read again: give the content (and style) images on the command line`,
    );
  }
  const init: GatysInit = isFastRunSettings(settings) ? { kind: "content" } : settings.options.init;
  const styleMasks = isFastRunSettings(settings) ? undefined : settings.styleMasks;
  const now = await hashRunInputs({ content: settings.content, styles: settings.styles, styleMasks, init });
  const check = (what: string, path: string, recorded: string | undefined, actual: string | undefined) => {
    if (recorded !== actual) {
      throw new PasticheError(
        "INPUT_CHANGED",
        `${what} ${path} is not the file ${source} was made from (sha256 ${actual?.slice(0, 12) ?? "none"}…, recorded ${recorded?.slice(0, 12) ?? "none"}…)`,
      );
    }
  };
  check("content image", settings.content, settings.sha256.content, now.content);
  settings.styles.forEach((s, i) => {
    check("style image", s, settings.sha256.styles[i], now.styles[i]);
  });
  styleMasks?.forEach((m, i) => {
    check("style mask", m, settings.sha256.styleMasks?.[i], now.styleMasks?.[i]);
  });
  const initPath = initFile(init);
  if (initPath !== undefined) check("starting image", initPath, settings.sha256.init, now.init);
}
