// Shared vitest settings. When PASTICHE_TEST_RESULTS is set (CI), each package also writes a JSON
// report there, which .ci/summarize-tests.mjs sums into one closing line.
import { defineConfig } from "vitest/config";

/** @param {string} name @param {import("vitest/config").UserConfig["test"]} [test] */
export function pasticheVitestConfig(name, test = {}) {
  const results = process.env.PASTICHE_TEST_RESULTS;
  return defineConfig({
    test: {
      include: ["test/**/*.test.ts"],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      // One process per test file: tfjs keeps global engine state.
      pool: "forks",
      reporters: results ? ["default", ["json", { outputFile: `${results}/${name}.json` }]] : ["default"],
      ...test,
    },
  });
}
