import { pasticheVitestConfig } from "@pastiche/vitest-config";

// `pnpm --filter @pastiche/web bench:web`: not part of `pnpm test` (the include differs).
export default pasticheVitestConfig("web-bench", { include: ["bench/**/*.bench.ts"], testTimeout: 1_800_000, hookTimeout: 300_000 });
