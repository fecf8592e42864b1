/** README's flag tables are the commands' own definitions: regenerate them (`pnpm --filter @pastiche/cli readme`) when a flag changes. */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { README_COMMANDS, flagTable, withFlagTables, type OclifManifest } from "../src/lib/readmeFlags.js";
import { assertBuilt } from "./helpers.js";

describe("README flag tables", () => {
  it("match the built CLI's flags", async () => {
    assertBuilt();
    const manifest = JSON.parse(await readFile(new URL("../oclif.manifest.json", import.meta.url), "utf8")) as OclifManifest;
    const readme = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
    expect(readme, "README.md's flag tables are stale: run `pnpm --filter @pastiche/cli readme`").toBe(withFlagTables(readme, manifest));
    for (const command of README_COMMANDS) {
      const table = flagTable(manifest, command);
      expect(table).toContain("`-o, --output` | (required)");
      expect(table).toContain("`--backend auto\\|tensorflow\\|wasm`");
    }
    expect(flagTable(manifest, "stylize")).toMatch(/`--size` \| 512 \| longest side of the output in pixels \|/);
  });
});
