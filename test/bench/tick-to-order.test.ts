// Smoke test of the tick-to-order suite (bench/tick-to-order.ts) in a tiny configuration: the
// whole engine against the simulator, once over rings and once over postMessage. Checks the
// report's shape and that every sample is real: stamps from the journal, positive, received <=
// book applied <= order sent, inside the measured window. No figure is checked against a target
// (the report's MET / MISSED is not asserted): this machine is shared and slow.
import { describe, expect, it } from 'vitest';
import { runtimeInfo } from '../../bench/harness.js';
import { runTickToOrderSuite, type T2oCaseRaw, type TickToOrderConfig } from '../../bench/tick-to-order.js';

describe('tick-to-order suite (tiny)', () => {
  it('measures real tick-to-order samples over rings and over postMessage', async () => {
    const config: TickToOrderConfig = {
      rates: [200],
      transports: ['port', 'ring'],
      stepsPerSec: 100,
      dislocationProb: 0.2,
      dislocationSteps: 5,
      pairs: ['btc-basis-okx'],
      warmupSec: 1,
      orders: 8,
      maxSec: 40,
      simCpu: null,
      pin: false,
      realtime: true,
      idlePoll: true,
      rehearseMs: null,
      executorRehearseMs: null,
      floorSamples: 60,
    };
    const raws: T2oCaseRaw[] = [];
    const report = await runTickToOrderSuite(runtimeInfo(), { config, onCase: (r) => raws.push(r), log: () => {} });

    expect(report.suite).toBe('tick-to-order');
    expect(report.cases.map((c) => c.name)).toEqual([
      'postMessage @ 200.0 upd/s',
      'ring @ 200.0 upd/s',
      'floor: wake ring park, cpu kept (idle polling)',
      'floor: wake postMessage, cpu kept (idle polling)',
    ]);
    expect(Object.keys(report.ratios)).toEqual([
      '200.0 upd/s p50 postMessage / ring',
      '200.0 upd/s p99 postMessage / ring',
      '200.0 upd/s p99.9 postMessage / ring',
      'floor: parked consumer woken, p50 postMessage / ring',
    ]);
    // the floor rows: real samples of a parked consumer on the engine's cpu (1), kept by idle polling as the cases were
    const [floorRing, floorPort] = report.cases.slice(2);
    for (const f of [floorRing!, floorPort!]) {
      expect(f.note).not.toMatch(/ERROR/);
      expect(f.samples).toBe(60);
      expect(f.p50_us).toBeGreaterThan(0);
      expect((f.extra as { idlePoll: string | null }).idlePoll).toMatch(/^cpu 1: idle polling \(tid \d+, SCHED_IDLE\)$/);
    }
    expect(report.ratios['floor: parked consumer woken, p50 postMessage / ring']).toBeCloseTo(floorPort!.p50_us! / floorRing!.p50_us!, 9);
    expect(report.notes.some((n) => n.startsWith('floor rows') && n.includes('kept by idle polling'))).toBe(true);
    expect(report.targets.map((t) => t.target)).toEqual(['200.0 upd/s: ring p50 >= 5x lower than postMessage']);

    expect(raws.map((r) => r.transport)).toEqual(['port', 'ring']);
    for (const [i, raw] of raws.entries()) {
      const row = report.cases[i]!;
      expect(raw.outcome).toBe('stopped');
      expect(raw.samples.length).toBeGreaterThan(0);
      expect(row.samples).toBe(raw.samples.length);
      expect(raw.negative).toBe(0);
      expect(raw.steps).toBeGreaterThan(0);
      expect(raw.achievedRate).toBeGreaterThan(0);
      for (const s of raw.samples) {
        expect(s.receivedUs).toBeGreaterThan(0);
        expect(s.bookAppliedUs).toBeGreaterThanOrEqual(s.receivedUs);
        expect(s.orderSentUs).toBeGreaterThan(s.receivedUs);
        expect(s.orderSentUs).toBeGreaterThanOrEqual(s.decisionUs);
      }
      const lat = raw.samples.map((s) => s.orderSentUs - s.receivedUs).sort((a, b) => a - b);
      expect(row.p50_us).toBeGreaterThan(0);
      expect(row.max_us).toBe(lat[lat.length - 1]);
      expect(row.p50_us!).toBeLessThanOrEqual(row.p99_us!);
      expect(row.p99_us!).toBeLessThanOrEqual(row.p999_us!);
      expect(row.msgs_per_sec).toBe(raw.achievedRate);
      // the demo's real-time classes, as each actor reported them (granted to root: CI and these machines)
      if (process.getuid?.() === 0) {
        expect(raw.pins.engine).toMatch(/sched fifo 10$/);
        expect(raw.pins['exec.okx']).toMatch(/sched fifo 20$/);
        expect(raw.pins['feed.okx.a']).toMatch(/sched fifo 10$/);
        expect(raw.pins.journal).not.toMatch(/sched/);
      }
      // unpinned actors: idle polling kept every online cpu, each with its own SCHED_IDLE thread
      expect(raw.idlePoll).toMatch(/^cpu 0: idle polling \(tid \d+, SCHED_IDLE\)(; cpu \d+: idle polling \(tid \d+, SCHED_IDLE\))*$/);
    }
  });
});
