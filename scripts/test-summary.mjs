// Prints the plain closing line of a test run, "N passed, N failed, N skipped", from vitest's
// JSON report (written when CI is set: see vitest.config.ts). Plain JavaScript ESM with node:
// builtins only, so it runs under any Node (CI calls it after `npm test`, on the system Node).
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results.json';
if (!existsSync(file)) {
  console.log(`test-summary: no ${file} (the test run did not get as far as writing its report)`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
