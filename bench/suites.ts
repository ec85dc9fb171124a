// The names of the benchmark suites, in the order `npm run bench` runs them. Kept apart from
// run.ts so that profile.ts can tell a suite name from an xmc command without loading any suite.
export const SUITE_NAMES = ['ring', 'wake', 'codec', 'alloc', 'supervisor', 'feed', 'cold-path', 'tick-to-order'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

export function isSuiteName(s: string): s is SuiteName {
  return (SUITE_NAMES as readonly string[]).includes(s);
}
