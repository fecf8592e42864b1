import { pasticheVitestConfig } from "@pastiche/vitest-config";

export default pasticheVitestConfig("web");
