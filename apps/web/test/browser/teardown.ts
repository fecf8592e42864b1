import { rmSync } from "node:fs";
import type { Browser } from "playwright-core";

/** The end of a browser test file: the browser, the static server and the work directory, whichever were made. */
export async function tearDown(browser: Browser | undefined, server: { close(): Promise<void> } | undefined, work: string | undefined): Promise<void> {
  await browser?.close();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
}
