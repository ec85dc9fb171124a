// The cold-path suite on a tiny configuration: both cases measured, every op a real decision (the
// suite throws when the trigger does not fire or the sizing finds nothing), ratios from this run.
// Figures are not asserted (this machine is shared); only that they exist and are consistent.
import { describe, expect, it } from 'vitest';
import { runtimeInfo } from '../../bench/harness.js';
import { runColdPathSuite } from '../../bench/cold-path.js';

describe('cold-path suite (tiny)', () => {
  it('times the decision with warm caches and after a sweep', async () => {
    const r = await runColdPathSuite(runtimeInfo(), { warmup: 300, samples: 25, sweepMiB: 2 });
    expect(r.suite).toBe('cold-path');
    expect(r.cases.map((c) => c.name)).toEqual(['decision, warm caches', 'decision, cold caches (2 MiB sweep)']);
    for (const c of r.cases) {
      expect(c.samples).toBe(25);
      expect(c.p50_us!).toBeGreaterThan(0);
      expect(c.p50_us!).toBeLessThanOrEqual(c.p99_us!);
    }
    expect(r.ratios['cold / warm p50']).toBeCloseTo(r.cases[1]!.p50_us! / r.cases[0]!.p50_us!, 9);
    expect(r.config).toMatchObject({ pair: 'btc-spot-cross', samples: 25 });
  });
});
