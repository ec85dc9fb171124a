// Smoke test of the wake suite (bench/wake.ts) in a tiny configuration: every case measures real
// samples, the kept cases ran with their idle-poll thread (pinned, SCHED_IDLE) and say so, and
// the ratios come from this run. No figure is checked against a target: this machine is shared.
import { describe, expect, it } from 'vitest';
import { runtimeInfo } from '../../bench/harness.js';
import { runWakeSuite } from '../../bench/wake.js';

describe('wake suite (tiny)', () => {
  it('measures a parked consumer woken on an idle and on a kept cpu, ring and postMessage', async () => {
    process.env.BENCH_WAKE_SAMPLES = '60';
    process.env.BENCH_WAKE_WARMUP = '10';
    process.env.BENCH_WAKE_RUNS = '2';
    const report = await runWakeSuite(runtimeInfo());
    expect(report.suite).toBe('wake');
    expect(report.cases.map((c) => c.name)).toEqual([
      'wake ring park, cpu idle',
      'wake ring park, cpu kept (idle polling)',
      'wake postMessage, cpu idle',
      'wake postMessage, cpu kept (idle polling)',
    ]);
    for (const c of report.cases) {
      expect(c.note).not.toMatch(/ERROR/);
      expect(c.samples).toBe(120); // two runs pooled
      expect(c.p50_us).toBeGreaterThan(0);
      expect(c.p50_us!).toBeLessThanOrEqual(c.p99_us!);
      const idle = (c.extra as { idlePoll: string | null }).idlePoll;
      if (c.name.includes('kept')) expect(idle).toMatch(/^cpu 1: idle polling \(tid \d+, SCHED_IDLE\)$/);
      else expect(idle).toBeNull();
    }
    expect(Object.keys(report.ratios)).toEqual([
      'ring park: idle / kept p50',
      'ring park: idle / kept p99',
      'postMessage: idle / kept p50',
      'postMessage: idle / kept p99',
      'cpu idle: postMessage / ring p50',
      'cpu idle: postMessage / ring p99',
      'cpu kept: postMessage / ring p50',
      'cpu kept: postMessage / ring p99',
    ]);
    expect(report.ratios['ring park: idle / kept p50']).toBeCloseTo(report.cases[0]!.p50_us! / report.cases[1]!.p50_us!, 9);
  });
});
