/**
 * A run's settings as recorded in its output PNG (`pastiche:settings`), enough to run it again:
 * the inputs with their sha256, the validated options (with the seed actually used) and the
 * versions that produced it. `pastiche stylize --from out.png` reads them back.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { PasticheError, parseGatysOptions, type GatysOptions } from "@pastiche/core";
import { readPngText } from "../images/index.js";

export const RUN_SETTINGS_KEY = "pastiche:settings";

export interface InputHashes {
  readonly content: string;
  readonly styles: readonly string[];
  /** Only when the run had style masks. */
  readonly styleMasks?: readonly string[];
  /** Only when the run started from an image file. */
  readonly init?: string;
}

export interface RunSettings {
  readonly content: string;
  readonly styles: readonly string[];
  /** One mask image per style (regional styles); absent when the styles apply everywhere. */
  readonly styleMasks?: readonly string[];
  /** "content", "noise", "fast" or the path of a starting image. */
  readonly init: string;
  readonly options: GatysOptions;
  readonly sha256: InputHashes;
  /** e.g. { pastiche: "0.1.0", tfjs: "4.22.0", node: "v20.20.2" }. */
  readonly versions: Readonly<Record<string, string>>;
  readonly backend: string;
}

/** Whether `init` names a file (rather than one of the built-in starts). */
export function initIsFile(init: string): boolean {
  return init !== "content" && init !== "noise" && init !== "fast";
}

/** sha256 of a file, streamed, as hex; FILE_NOT_FOUND when it is missing. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new PasticheError("FILE_NOT_FOUND", `Image file ${path} not found`, { cause: e });
    throw new PasticheError("INVALID_IMAGE", `Image file ${path} cannot be read (${(e as Error).message})`, { cause: e });
  }
  return hash.digest("hex");
}

export async function hashRunInputs(inputs: { content: string; styles: readonly string[]; styleMasks?: readonly string[] | undefined; init: string }): Promise<InputHashes> {
  const [content, styles, styleMasks, init] = await Promise.all([
    sha256File(inputs.content),
    Promise.all(inputs.styles.map(sha256File)),
    inputs.styleMasks ? Promise.all(inputs.styleMasks.map(sha256File)) : undefined,
    initIsFile(inputs.init) ? sha256File(inputs.init) : undefined,
  ]);
  return { content, styles, ...(styleMasks ? { styleMasks } : {}), ...(init !== undefined ? { init } : {}) };
}

/** The JSON text of the PNG chunk. */
export function formatRunSettings(settings: RunSettings): string {
  return JSON.stringify(settings);
}

/** Parses and checks recorded settings; `source` names the file in errors. */
export function parseRunSettings(text: string, source: string): RunSettings {
  const bad = (what: string) => new PasticheError("INVALID_OPTION", `${source}: the recorded settings are unusable (${what})`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad("not JSON");
  }
  if (typeof raw !== "object" || raw === null) throw bad("not an object");
  const r = raw as Record<string, unknown>;
  const isString = (v: unknown): v is string => typeof v === "string";
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every(isString);
  if (!isString(r.content) || !isStrings(r.styles)) throw bad("no content or style images");
  const init = isString(r.init) ? r.init : "content";
  const sha = (r.sha256 ?? {}) as Record<string, unknown>;
  if (!isString(sha.content) || !isStrings(sha.styles) || sha.styles.length !== r.styles.length) {
    throw bad("no input hashes: written before pastiche recorded them");
  }
  if (initIsFile(init) && !isString(sha.init)) throw bad("no hash of the starting image");
  const styleMasks = r.styleMasks === undefined ? undefined : isStrings(r.styleMasks) && r.styleMasks.length === r.styles.length ? r.styleMasks : undefined;
  if (r.styleMasks !== undefined && styleMasks === undefined) throw bad("not one style mask per style image");
  if (styleMasks && !(isStrings(sha.styleMasks) && sha.styleMasks.length === styleMasks.length)) throw bad("no hashes of the style masks");
  let options: GatysOptions;
  try {
    options = parseGatysOptions((r.options ?? {}));
  } catch (e) {
    throw bad((e as Error).message);
  }
  const versions = typeof r.versions === "object" && r.versions !== null ? (r.versions as Record<string, string>) : {};
  return {
    content: r.content,
    styles: r.styles,
    ...(styleMasks ? { styleMasks } : {}),
    init,
    options,
    sha256: {
      content: sha.content,
      styles: sha.styles,
      ...(styleMasks && isStrings(sha.styleMasks) ? { styleMasks: sha.styleMasks } : {}),
      ...(isString(sha.init) ? { init: sha.init } : {}),
    },
    versions,
    backend: isString(r.backend) ? r.backend : "unknown",
  };
}

/** The settings recorded in a PNG written by `pastiche stylize`. */
export async function readRunSettings(pngPath: string): Promise<RunSettings> {
  let bytes: Buffer;
  try {
    bytes = await readFile(pngPath);
  } catch (e) {
    throw new PasticheError("FILE_NOT_FOUND", `Settings file ${pngPath} not found`, { cause: e });
  }
  const text = readPngText(bytes)[RUN_SETTINGS_KEY];
  if (text === undefined) throw new PasticheError("INVALID_IMAGE", `${pngPath} has no ${RUN_SETTINGS_KEY} text: only PNGs written by pastiche stylize have it`);
  return parseRunSettings(text, pngPath);
}

/** Refuses to rerun from inputs that changed since the run (INPUT_CHANGED names the file). */
export async function verifyRunInputs(settings: RunSettings, source: string): Promise<void> {
  const now = await hashRunInputs(settings);
  const check = (what: string, path: string, recorded: string | undefined, actual: string | undefined) => {
    if (recorded !== actual) {
      throw new PasticheError("INPUT_CHANGED", `${what} ${path} is not the file ${source} was made from (sha256 ${actual?.slice(0, 12) ?? "none"}…, recorded ${recorded?.slice(0, 12) ?? "none"}…)`);
    }
  };
  check("content image", settings.content, settings.sha256.content, now.content);
  settings.styles.forEach((s, i) => { check("style image", s, settings.sha256.styles[i], now.styles[i]); });
  settings.styleMasks?.forEach((m, i) => { check("style mask", m, settings.sha256.styleMasks?.[i], now.styleMasks?.[i]); });
  if (initIsFile(settings.init)) check("starting image", settings.init, settings.sha256.init, now.init);
}
