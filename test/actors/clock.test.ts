// The cross-thread monotonic clock: a value stamped in one thread and read in another after a
// handshake (Atomics store/load, so the stamp happens-before the read) is never in the reader's
// future, beyond the two threads' stated calibration errors. No timing thresholds.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { compiledModule } from '../../src/paths.js';
import { calibrationErrorUs, clockOffsetUs, nowMs, nowUs } from '../../src/actors/clock.js';

describe('clock', () => {
  it('is CLOCK_MONOTONIC in microseconds and never goes backwards within a thread', () => {
    const h0 = Number(process.hrtime.bigint() / 1000n);
    const t = nowUs();
    const h1 = Number(process.hrtime.bigint() / 1000n);
    expect(t).toBeGreaterThanOrEqual(h0 - calibrationErrorUs() - 1);
    expect(t).toBeLessThanOrEqual(h1 + calibrationErrorUs() + 1);
    let prev = nowUs();
    let backwards = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = nowUs();
      if (v < prev) backwards++;
      prev = v;
    }
    expect(backwards).toBe(0);
    expect(Math.abs(nowMs() * 1000 - nowUs())).toBeLessThan(1e6);
    expect(Number.isFinite(clockOffsetUs())).toBe(true);
  });

  it('a stamp from another thread is never in the future of the reader (both directions)', async () => {
    const rounds = 200;
    const sab = new SharedArrayBuffer(8 + 8 * 4);
    const flags = new Int32Array(sab, 0, 2);
    const f64 = new Float64Array(sab, 8, 4);
    const worker = new Worker(compiledModule('test/actors/fixtures/clock-worker.ts'), { workerData: { sab, rounds } });
    const exited = new Promise<number>((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    });
    let worstWorkerStampAhead = -Infinity;
    let workerErr = 0;
    for (let i = 0; i < rounds; i++) {
      f64[0] = nowUs();
      Atomics.store(flags, 0, 2 * i + 1);
      Atomics.notify(flags, 0);
      // Park (never spin) until the worker answered; a Promise-based wait keeps the event loop alive.
      while (Atomics.load(flags, 0) !== 2 * i + 2) {
        const r = Atomics.waitAsync(flags, 0, 2 * i + 1, 1000);
        if (r.async) await r.value;
      }
      const mine = nowUs();
      worstWorkerStampAhead = Math.max(worstWorkerStampAhead, f64[1]! - mine);
      workerErr = f64[2]!;
    }
    expect(await exited).toBe(0);
    const tolerance = calibrationErrorUs() + workerErr;
    // The worker's stamp read here, and the main stamp read in the worker, are not in the future.
    expect(worstWorkerStampAhead).toBeLessThanOrEqual(tolerance);
    expect(f64[3]!).toBeLessThanOrEqual(tolerance);
    // And they are on the same scale (loose: both happened within the last minute).
    expect(worstWorkerStampAhead).toBeGreaterThan(-60e6);
    expect(f64[3]!).toBeGreaterThan(-60e6);
  });
});
