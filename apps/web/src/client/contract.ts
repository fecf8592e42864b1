/**
 * The two runtime values of the API contract the browser needs. They are not imported from
 * `@/shared/jobSchemas` on purpose: that module builds zod schemas at load time, and zod probes
 * `new Function` (its JIT), which the page's CSP forbids and reports as a violation; it would also
 * put zod and core's option schemas into the page bundle. The types below tie both values to the
 * shared module at compile time, so they cannot drift.
 */
import type { JobStatus } from "@/shared/jobSchemas";

export const MAX_STYLES: typeof import("@/shared/jobSchemas").MAX_STYLES = 4;

const TERMINAL: ReadonlySet<JobStatus> = new Set<JobStatus>(["succeeded", "failed", "cancelled"] satisfies typeof import("@/shared/jobSchemas").TERMINAL_STATUSES);

/** Statuses a job never leaves: no more progress events will come. */
export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL.has(status);
}
