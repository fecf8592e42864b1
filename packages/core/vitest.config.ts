import { pasticheVitestConfig } from "@pastiche/vitest-config";

export default pasticheVitestConfig("core", { setupFiles: ["test/setup.ts"] });
