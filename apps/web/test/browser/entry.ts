// The engine as the test page loads it: bundled by Vite, exposed on window for page.evaluate.
import * as engine from "../../src/browser/index.ts";

(globalThis as unknown as { pasticheEngine: typeof engine }).pasticheEngine = engine;
