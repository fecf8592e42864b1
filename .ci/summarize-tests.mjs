// Sums vitest's JSON reports (one per package, in each directory given) into one line:
// "N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dirs = process.argv.slice(2);
let passed = 0,
  failed = 0,
  skipped = 0;
for (const dir of dirs) {
  const reports = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
  if (reports.length === 0) {
    console.error("no test reports found in", dir);
    process.exit(1);
  }
  for (const name of reports) {
    const report = JSON.parse(readFileSync(join(dir, name), "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
