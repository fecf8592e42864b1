import { chromiumPath } from "@pastiche/vitest-config/needs";
import { chromium, type Browser, type Page } from "playwright-core";

/**
 * Debian's Chromium, headless, as the browser tests and the browser benchmark drive it: WebGL on
 * SwiftShader (software: this machine has no GPU), Chromium's fake camera granted without a prompt.
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath() ?? "/usr/bin/chromium",
    args: [
      "--headless=new",
      "--no-sandbox",
      "--use-angle=swiftshader",
      "--enable-unsafe-swiftshader",
      "--disable-background-networking",
      "--no-first-run",
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      ...extraArgs,
    ],
  });
}

/** Collects a page's uncaught errors and Content-Security-Policy violations (each one is a failure); counts the errors on `globalThis.uncaughtErrors` for waits. */
export async function watchPageProblems(page: Page): Promise<() => Promise<string[]>> {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { cspViolations: string[] }).cspViolations = seen;
    const g = globalThis as unknown as { uncaughtErrors: number };
    g.uncaughtErrors = 0;
    addEventListener("error", () => g.uncaughtErrors++);
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline code"}`));
  });
  return async () => {
    const csp = await page.evaluate(() => (globalThis as unknown as { cspViolations?: string[] }).cspViolations ?? []).catch(() => []);
    return [...problems, ...csp.map((v) => `CSP violation: ${v}`)];
  };
}
