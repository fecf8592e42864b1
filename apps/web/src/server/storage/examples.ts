/**
 * Bundled example styles: the images in PASTICHE_EXAMPLE_STYLES_DIR are imported once as style
 * uploads (through the same checks as a user's upload) and offered by system.info.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { ExampleStyle } from "../../shared/jobSchemas";
import type { UploadStore } from "../db/repository/repository";
import { storeUpload, thumbnailUrl, type StoreUploadDeps } from "./uploads";

const IMAGE_NAME = /\.(jpe?g|png|webp|tiff?)$/i;

/** "the_great_wave.jpg" → "The great wave". */
export function exampleName(file: string): string {
  const base = path.basename(file, path.extname(file)).replace(/[_-]+/g, " ").trim();
  return base.charAt(0).toUpperCase() + base.slice(1);
}

export async function importExampleStyles(dir: string, deps: StoreUploadDeps, log: (m: string) => void): Promise<void> {
  const files = (await readdir(dir)).filter((f) => IMAGE_NAME.test(f)).sort();
  for (const file of files) {
    if (await deps.repo.uploads.byExampleKey(file)) continue;
    try {
      await storeUpload(await readFile(path.join(dir, file)), "style", deps, { owner: null, exampleKey: file });
    } catch (e) {
      log(`example style ${file} skipped: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

export async function listExamples(uploads: UploadStore): Promise<ExampleStyle[]> {
  return (await uploads.examples()).map((row) => ({ id: row.id, name: exampleName(row.example_key ?? row.id), thumbnailUrl: thumbnailUrl(row.id) }));
}
