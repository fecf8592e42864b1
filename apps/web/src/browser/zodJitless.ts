/**
 * Imported before anything that loads @pastiche/core: core builds zod schemas when its modules load,
 * and zod probes `new Function` while building its first object schema unless jitless is set. A
 * strict CSP (no 'unsafe-eval') reports that probe as a violation although zod catches it; jitless
 * parsing skips it (and is as correct, a little slower for large inputs, which options are not).
 */
import { config } from "zod";

config({ jitless: true });
