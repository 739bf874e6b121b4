// The closing lines of scripts/test: one per Node line ("v26.12.1: N passed, N failed, N skipped"),
// then the sum of all runs alone on the last line, the plain line CI reads. A run that left no
// results (vitest crashed, or never started) counts as one failed test, so the sum never hides it.
// Each failed test is named above its line's counts with the first line of its error, because CI
// keeps only the tail of the output and a count alone does not say what to fix.
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
    for (const failure of failures(r)) console.log(`${line}: FAILED ${failure}`);
  } catch (err) {
    console.log(`${line}: no results (${err.code ?? err.message}); counted as 1 failed`);
    counts = { passed: 0, failed: 1, skipped: 0 };
  }
  console.log(`${line}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  for (const k of Object.keys(total)) total[k] += counts[k];
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);

/** "file > test name: first line of the error" for each failed test, and each file that failed to load. */
function failures(report) {
  const out = [];
  for (const file of report.testResults ?? []) {
    const name = file.name.replace(/^.*?\/(test\/)/, '$1');
    const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    if (failed.length === 0 && file.status === 'failed') out.push(`${name}: ${firstLine(file.message)}`);
    for (const t of failed) out.push(`${name} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
  }
  return out;
}

function firstLine(text) {
  return String(text ?? '').split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 300) ?? '';
}
