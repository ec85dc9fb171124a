// `npm run bench` (every suite) and `npm run bench -- <suite> [<suite>...]` (some): runs the
// suites in order, prints each one's table, ratios and target checks, and writes
// bench/results/<suite>.json. Sizes come from BENCH_* environment variables (BENCHMARKING.md).
//
// Invariants: a suite's ratios and targets use only figures measured in this process run; a
// benchmark never fails the command because of a figure (targets are reported MET / MISSED);
// the command fails only when a suite cannot run at all.
import { formatCases, formatTable, formatTargets, fmtRatio, runtimeInfo, writeReport, type RuntimeInfo, type SuiteReport, type TargetCheck } from './harness.js';
import { SUITE_NAMES, isSuiteName, type SuiteName } from './suites.js';

type Runner = (runtime: RuntimeInfo) => Promise<SuiteReport>;

const RUNNERS: Record<SuiteName, () => Promise<Runner>> = {
  ring: async () => (await import('./ring.js')).runRingSuite,
  wake: async () => (await import('./wake.js')).runWakeSuite,
  codec: async () => (await import('./codec.js')).runCodecSuite,
  alloc: async () => (await import('./alloc.js')).runAllocSuite,
  supervisor: async () => (await import('./supervisor.js')).runSupervisorSuite,
  feed: async () => (await import('./feed.js')).runFeedSuite,
  'cold-path': async () => (await import('./cold-path.js')).runColdPathSuite,
  'tick-to-order': async () => (await import('./tick-to-order.js')).runTickToOrderSuite,
};

function usage(): string {
  return `usage: npm run bench [-- <suite>...]\n  suites: ${SUITE_NAMES.join(', ')} (default: all, in this order)`;
}

function printRuntime(rt: RuntimeInfo): void {
  console.log(`xmc bench  ${rt.date}`);
  console.log(`node ${rt.node}  V8 ${rt.v8}  ${rt.platform}  kernel ${rt.kernel}`);
  console.log(`cpu ${rt.cpuModel} x ${rt.cores} (available parallelism ${rt.availableParallelism}), load ${rt.loadAverage.join(' ')}`);
  console.log(`process affinity ${rt.processAffinity ?? 'unknown'}`);
}

function printReport(r: SuiteReport, file: string): void {
  console.log(`\n== ${r.suite}: ${r.description}`);
  if (r.baseline) console.log(`baseline: ${r.baseline}`);
  console.log(formatCases(r.cases));
  const ratioRows = Object.entries(r.ratios).map(([k, v]) => [k, fmtRatio(v)]);
  if (ratioRows.length > 0) {
    console.log('');
    console.log(formatTable(['ratio (same run)', 'value'], ratioRows));
  }
  if (r.targets.length > 0) {
    console.log('');
    console.log(formatTargets(r.targets));
  }
  for (const n of r.notes) console.log(`note: ${n}`);
  console.log(`wrote ${file}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage());
    return;
  }
  const unknown = args.filter((a) => !isSuiteName(a));
  if (unknown.length > 0) {
    console.error(`unknown suite: ${unknown.join(', ')}\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  const selected: SuiteName[] = args.length > 0 ? (args as SuiteName[]) : [...SUITE_NAMES];
  printRuntime(runtimeInfo());
  const allTargets: { suite: string; t: TargetCheck }[] = [];
  let failed = 0;
  for (const name of selected) {
    const started = performance.now();
    console.log(`\n-- running ${name}`);
    try {
      const runner = await RUNNERS[name]();
      const report = await runner(runtimeInfo());
      const file = writeReport(report);
      printReport(report, file);
      for (const t of report.targets) allTargets.push({ suite: name, t });
      console.log(`(${name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (err) {
      failed++;
      console.error(`suite ${name} could not run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  if (allTargets.length > 0 && selected.length > 1) {
    console.log('\n== targets (issue #2), this run');
    console.log(formatTargets(allTargets.map(({ suite, t }) => ({ ...t, target: `${suite}: ${t.target}` }))));
  }
  if (failed > 0) process.exitCode = 1;
}

await main();
