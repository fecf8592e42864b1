import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { RgbImage } from "@pastiche/core";
import { readImage, writeImage } from "../images/index.js";

/**
 * Finished frames of a resumable (Gatys) video run, as PNGs in a work folder beside the output
 * (`.OUT.pastiche-frames/`), with the run's key: re-running the same command continues after the
 * last finished frame; a different input, style or option starts the folder afresh. Removed once
 * the whole video is written.
 */
export class FrameStore {
  private constructor(
    readonly dir: string,
    readonly finished: number,
  ) {}

  static pathFor(output: string): string {
    return join(dirname(output), `.${basename(output)}.pastiche-frames`);
  }

  /** Opens (or starts) the folder for `key`: the frames kept are the consecutive ones from frame 1 of a run with the same key. */
  static async open(output: string, key: string): Promise<FrameStore> {
    const dir = FrameStore.pathFor(output);
    const recorded = await readFile(join(dir, "run.json"), "utf8").catch(() => undefined);
    if (recorded !== key) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "run.json"), key);
      return new FrameStore(dir, 0);
    }
    const names = new Set(await readdir(dir));
    let finished = 0;
    while (names.has(FrameStore.frameName(finished))) finished++;
    return new FrameStore(dir, finished);
  }

  static frameName(index: number): string {
    return `frame-${String(index + 1).padStart(6, "0")}.png`;
  }

  /** Written atomically, so a frame is either whole or absent after a kill. */
  async put(index: number, image: RgbImage): Promise<void> {
    await writeImage(join(this.dir, FrameStore.frameName(index)), image);
  }

  get(index: number): Promise<RgbImage> {
    return readImage(join(this.dir, FrameStore.frameName(index)));
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
