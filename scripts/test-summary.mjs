// The closing lines of scripts/test: one per Node line ("v26.12.1: N passed, N failed, N skipped"),
// then the sum of all runs alone on the last line, the plain line CI reads. A run that left no
// results (vitest crashed, or never started) counts as one failed test, so the sum never hides it.
// Usage: node scripts/test-summary.mjs test-output/results-<line>.json ...
import fs from 'node:fs';

const total = { passed: 0, failed: 0, skipped: 0 };
for (const file of process.argv.slice(2)) {
  const line = file.replace(/^.*results-(.*)\.json$/, '$1');
  let counts;
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    counts = { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
    if (r.numTotalTests === 0 || r.success === false && r.numFailedTests === 0) counts.failed += 1; // no test ran, or a suite failed to load
  } catch (err) {
    console.log(`${line}: no results (${err.code ?? err.message}); counted as 1 failed`);
    counts = { passed: 0, failed: 1, skipped: 0 };
  }
  console.log(`${line}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  for (const k of Object.keys(total)) total[k] += counts[k];
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
