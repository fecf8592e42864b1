/**
 * Content checks for installed model files: the sha256 of every file (a layers model's model.json
 * and each shard) against a manifest in the models directory, `pastiche-manifest.json`. Publishers
 * give a hash for few of these files (Keras' md5 for the VGG19 .h5, checked besides); for the rest
 * the manifest records the sha256 when pastiche downloads a file, or the first time it verifies one
 * it did not download — which can only detect later changes (a bit flip, a truncated copy), not
 * whether the file was good when first seen. Each result says which of these it is.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../fs/atomicWrite.js";
import { errorText } from "./fsUtil.js";

/** The file in the models directory that records each model file's sha256 (for `verify --content`). */
export const MANIFEST_FILE = "pastiche-manifest.json";

const ManifestSchema = z.object({
  version: z.literal(1),
  /** Keyed by the path relative to the models directory, with forward slashes. */
  files: z.record(
    z.string(),
    z.object({
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      size: z.number().int().nonnegative(),
      /** "download": hashed as pastiche downloaded it; "first-verification": hashed when first verified. */
      recorded: z.enum(["download", "first-verification"]),
      at: z.string(),
    }),
  ),
});
export type ModelManifest = z.output<typeof ManifestSchema>;
export type ManifestEntry = ModelManifest["files"][string];

export function manifestKey(modelsDir: string, file: string): string {
  return path.relative(path.resolve(modelsDir), path.resolve(file)).split(path.sep).join("/");
}

/** The manifest of a models directory; an empty one when there is none. A corrupt manifest is an error naming it. */
export async function readModelManifest(modelsDir: string): Promise<ModelManifest> {
  const p = path.join(modelsDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(p, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, files: {} };
    throw new Error(`cannot read ${p} (${errorText(e)})`);
  }
  const parsed = ManifestSchema.safeParse(JSON.parse(text) as unknown);
  if (!parsed.success) throw new Error(`${p} is not a pastiche model manifest; delete it to record the hashes afresh`);
  return parsed.data;
}

export async function writeModelManifest(modelsDir: string, manifest: ModelManifest): Promise<void> {
  await writeFileAtomic(path.join(modelsDir, MANIFEST_FILE), new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
}

/** sha256 and size of a file, streamed. */
export async function sha256OfFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

/** Records a downloaded file's sha256 (best effort: a read-only models directory keeps no manifest). */
export async function recordDownload(modelsDir: string, file: string, sha256: string, size: number): Promise<void> {
  try {
    const manifest = await readModelManifest(modelsDir);
    manifest.files[manifestKey(modelsDir, file)] = { sha256, size, recorded: "download", at: new Date().toISOString() };
    await writeModelManifest(modelsDir, manifest);
  } catch {
    // The download itself succeeded and was checked against the published md5 where there is one.
  }
}

/** How one file's content compared with its recorded hash. */
export type ContentCheck =
  | { readonly state: "ok"; readonly sha256: string; readonly against: ManifestEntry }
  | { readonly state: "changed"; readonly sha256: string; readonly against: ManifestEntry }
  | { readonly state: "recorded-now"; readonly sha256: string }
  | { readonly state: "unrecorded"; readonly sha256: string; readonly why: string };

/**
 * Compares the files with the manifest; files it has no hash for are recorded (first verification)
 * when `record` is set, the manifest written once at the end.
 */
export async function checkAgainstManifest(modelsDir: string, files: readonly string[], record: boolean): Promise<Map<string, ContentCheck>> {
  const manifest = await readModelManifest(modelsDir);
  const results = new Map<string, ContentCheck>();
  let added = false;
  for (const file of files) {
    const { sha256, size } = await sha256OfFile(file);
    const against = manifest.files[manifestKey(modelsDir, file)];
    if (against) results.set(file, { state: against.sha256 === sha256 ? "ok" : "changed", sha256, against });
    else if (record) {
      manifest.files[manifestKey(modelsDir, file)] = { sha256, size, recorded: "first-verification", at: new Date().toISOString() };
      results.set(file, { state: "recorded-now", sha256 });
      added = true;
    } else results.set(file, { state: "unrecorded", sha256, why: "not recorded yet (run pastiche models verify)" });
  }
  if (added) {
    try {
      await writeModelManifest(modelsDir, manifest);
    } catch (e) {
      for (const [file, r] of results) {
        if (r.state === "recorded-now")
          results.set(file, { state: "unrecorded", sha256: r.sha256, why: `could not record it in ${MANIFEST_FILE} (${errorText(e)})` });
      }
    }
  }
  return results;
}
