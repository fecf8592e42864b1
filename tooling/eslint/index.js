// Shared flat config: strict, type-aware TypeScript rules for every package.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** @param {{ tsconfigRootDir: string, browser?: boolean }} opts */
export function config({ tsconfigRootDir }) {
  return tseslint.config(
    { ignores: ["dist/**", "node_modules/**", "coverage/**", "*.config.*", "bin/**"] },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
        "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        "@typescript-eslint/no-non-null-assertion": "off",
        "@typescript-eslint/no-unnecessary-condition": "off",
        "no-console": "off",
      },
    },
  );
}

/** Extra restriction for browser-safe packages: no Node built-ins. */
export const noNodeApis = {
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          { group: ["node:*"], message: "core must run in a browser: no Node APIs" },
          { group: ["fs", "path", "os", "crypto", "url", "child_process", "worker_threads", "stream"], message: "core must run in a browser: no Node APIs" },
        ],
      },
    ],
    "no-restricted-globals": ["error", "process", "Buffer", "__dirname", "require"],
  },
};
