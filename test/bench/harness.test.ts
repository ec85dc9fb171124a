// Smoke test of the benchmark harness (bench/harness.ts): percentiles on known inputs, the
// shared-memory recorder, ratios and target checks, the table printer and the JSON writer.
// Nothing here runs a benchmark or depends on timing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Recorder,
  checkAtLeast,
  checkBelow,
  envInt,
  fmtRate,
  fmtRatio,
  fmtUs,
  formatCases,
  formatTable,
  loadBetween,
  percentileOfSorted,
  recorderBytes,
  summarize,
  summarizePooled,
  probeInterruptions,
  timesHigher,
  timesLower,
  writeReport,
  type SuiteReport,
} from '../../bench/harness.js';

describe('percentiles (nearest rank)', () => {
  it('gives the textbook values on 1..100', () => {
    const v = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(v, 100, 0.5)).toBe(50);
    expect(percentileOfSorted(v, 100, 0.99)).toBe(99);
    expect(percentileOfSorted(v, 100, 0.999)).toBe(100);
    expect(percentileOfSorted(v, 100, 0)).toBe(1);
    expect(percentileOfSorted(v, 100, 1)).toBe(100);
  });

  it('picks measured values only, and handles tiny and empty sets', () => {
    expect(percentileOfSorted([7], 1, 0.5)).toBe(7);
    expect(percentileOfSorted([1, 2], 2, 0.5)).toBe(1);
    expect(percentileOfSorted([1, 2], 2, 0.51)).toBe(2);
    expect(percentileOfSorted([], 0, 0.5)).toBeNaN();
  });

  it('p99.9 of 1..10000 is 9990 and max is the largest sample', () => {
    // Shuffled input: summarize sorts a copy and leaves the recording order alone.
    const n = 10_000;
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = ((i * 7919) % n) + 1;
    const first = v[0];
    const s = summarize(v, n);
    expect(s.count).toBe(n);
    expect(s.min).toBe(1);
    expect(s.p50).toBe(5000);
    expect(s.p99).toBe(9900);
    expect(s.p999).toBe(9990);
    expect(s.max).toBe(10_000);
    expect(s.mean).toBeCloseTo(5000.5, 10);
    expect(v[0]).toBe(first);
  });

  it('summarises only the first `count` values of the array', () => {
    const v = Float64Array.from([5, 1, 3, 1000, 1000]);
    const s = summarize(v, 3);
    expect(s).toMatchObject({ count: 3, min: 1, p50: 3, max: 5 });
  });
});

describe('pooled runs', () => {
  it('summarises every sample of several runs together, whatever their order and sizes', () => {
    const pooled = summarizePooled([new Float64Array([5, 1]), new Float64Array([]), new Float64Array([9, 3, 7])]);
    expect(pooled).toEqual(summarize(new Float64Array([1, 3, 5, 7, 9]), 5));
    expect(pooled.p50).toBe(5);
    expect(pooled.count).toBe(5);
    expect(summarizePooled([]).count).toBe(0);
  });
});

describe('interruption probe', () => {
  it('busy-loops for the time asked and counts only gaps above the threshold', () => {
    const none = probeInterruptions(20, 1e9); // no gap is that long
    expect(none.busyMs).toBeGreaterThanOrEqual(20);
    expect(none.gaps.count).toBe(0);
    expect(none.perSec).toBe(0);
    const all = probeInterruptions(20, -1); // every clock read is a "gap"
    expect(all.gaps.count).toBeGreaterThan(100);
    expect(all.perSec).toBeCloseTo((all.gaps.count + all.gaps.dropped) / (all.busyMs / 1000), 6);
    expect(all.gaps.min).toBeGreaterThanOrEqual(0);
    expect(all.thresholdUs).toBe(-1);
  });
});

describe('envInt', () => {
  it('takes the default when unset, floors, and refuses what is below its minimum', () => {
    const name = 'XMC_TEST_ENV_INT';
    try {
      delete process.env[name];
      expect(envInt(name, 7)).toBe(7);
      process.env[name] = '1_500.9';
      expect(envInt(name, 7)).toBe(1500);
      process.env[name] = '0';
      expect(() => envInt(name, 7)).toThrow(/XMC_TEST_ENV_INT must be a positive number, got 0/);
      expect(envInt(name, 7, 0)).toBe(0);
      process.env[name] = '0.5';
      expect(() => envInt(name, 7)).toThrow(RangeError);
      process.env[name] = '-1';
      expect(() => envInt(name, 7, 0)).toThrow(/must be a number >= 0, got -1/);
      process.env[name] = 'many';
      expect(() => envInt(name, 7, 0)).toThrow(RangeError);
    } finally {
      delete process.env[name];
    }
  });
});

describe('Recorder', () => {
  it('counts samples beyond its capacity as dropped, never stores them', () => {
    const r = new Recorder(3);
    for (const x of [4, 2, 9, 100, 200]) r.record(x);
    expect(r.count).toBe(3);
    expect(r.dropped).toBe(2);
    expect(r.summary()).toMatchObject({ count: 3, dropped: 2, min: 2, p50: 4, max: 9 });
    r.reset();
    expect(r.count).toBe(0);
    expect(r.summary().count).toBe(0);
  });

  it('shares its samples through a SharedArrayBuffer', () => {
    const sab = new SharedArrayBuffer(recorderBytes(4) + 64);
    const writer = new Recorder(4, sab, 64);
    writer.record(1.5);
    writer.record(0.5);
    const reader = new Recorder(4, sab, 64);
    expect(reader.count).toBe(2);
    expect(reader.summary()).toMatchObject({ min: 0.5, max: 1.5 });
    expect(() => new Recorder(100, sab, 64)).toThrow(RangeError);
    expect(() => new Recorder(0)).toThrow(RangeError);
  });
});

describe('ratios and targets', () => {
  it('computes times-lower and times-higher, NaN when a figure is missing', () => {
    expect(timesLower(100, 2)).toBe(50);
    expect(timesHigher(1000, 25_000)).toBe(25);
    expect(timesLower(100, undefined)).toBeNaN();
    expect(timesLower(100, 0)).toBeNaN();
    expect(timesHigher(0, 5)).toBeNaN();
  });

  it('marks targets met or missed exactly at the boundary', () => {
    expect(checkAtLeast('x', 50, 50).met).toBe(true);
    expect(checkAtLeast('x', 50, 49.99).met).toBe(false);
    expect(checkAtLeast('x', 50, Number.NaN).met).toBe(false);
    expect(checkBelow('heap', 1024, 1023).met).toBe(true);
    expect(checkBelow('heap', 1024, 1024).met).toBe(false);
  });
});

describe('machine load share', () => {
  it('splits busy time into this process, others and steal', () => {
    const a = { total: 1000, idle: 500, steal: 0, self: 100 };
    const b = { total: 2000, idle: 900, steal: 100, self: 400 };
    // 1000 ticks: 400 idle, 300 ours, 100 steal, so 200 others.
    expect(loadBetween(a, b)).toEqual({ otherPct: 20, selfPct: 30, stealPct: 10 });
    expect(loadBetween(null, b)).toBeNull();
  });
});

describe('formatting', () => {
  it('formats figures by magnitude', () => {
    expect(fmtUs(0.734)).toBe('0.73');
    expect(fmtUs(17.06)).toBe('17.1');
    expect(fmtUs(2866.4)).toBe('2866');
    expect(fmtUs(undefined)).toBe('-');
    expect(fmtRate(4_270_000)).toBe('4.27M');
    expect(fmtRate(218_500)).toBe('218.5k');
    expect(fmtRatio(21.04)).toBe('21.0x');
    expect(fmtRatio(1.644)).toBe('1.64x');
    expect(fmtRatio(Number.NaN)).toBe('-');
  });

  it('pads columns: first left-aligned, the others right-aligned', () => {
    const t = formatTable(['case', 'p50'], [['a', '1.00'], ['longer', '123.4']]);
    expect(t.split('\n')).toEqual(['case      p50', '------  -----', 'a        1.00', 'longer  123.4']);
    expect(() => formatTable(['a', 'b'], [['only one']])).toThrow(RangeError);
  });

  it('prints a case row with its percentiles and rate', () => {
    const t = formatCases([{ name: 'lat 64B ring spin', p50_us: 0.5, p99_us: 12, p999_us: 900, max_us: 1500, samples: 20000 }]);
    const row = t.split('\n')[2]!;
    expect(row).toMatch(/^lat 64B ring spin\s+0\.50\s+12\.0\s+900\.0\s+1500\s+-\s+20000$/);
  });
});

describe('writeReport', () => {
  it('writes <suite>.json with NaN as null, <suite>.tmp.json for a filtered run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xmc-bench-'));
    try {
      const report: SuiteReport = {
        suite: 'demo',
        description: 'd',
        runtime: {
          date: '2026-01-01T00:00:00.000Z',
          node: 'v24',
          v8: '13',
          platform: 'linux-x64',
          kernel: 'k',
          cpuModel: 'cpu',
          cores: 2,
          availableParallelism: 2,
          loadAverage: [0, 0, 0],
          processAffinity: '0-1',
          pinning: {},
        },
        config: {},
        baseline: null,
        cases: [{ name: 'c', p50_us: 1 }],
        ratios: { r: Number.NaN },
        targets: [],
        notes: [],
      };
      const file = writeReport(report, dir);
      expect(file).toBe(join(dir, 'demo.json'));
      const back = JSON.parse(readFileSync(file, 'utf8')) as { ratios: { r: unknown }; cases: { p50_us: number }[] };
      expect(back.ratios.r).toBeNull();
      expect(back.cases[0]!.p50_us).toBe(1);
      // A filtered (partial) run never replaces the full results.
      const saved = process.env.BENCH_FILTER;
      process.env.BENCH_FILTER = 'spin';
      try {
        expect(writeReport(report, dir)).toBe(join(dir, 'demo.tmp.json'));
      } finally {
        if (saved === undefined) delete process.env.BENCH_FILTER;
        else process.env.BENCH_FILTER = saved;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
