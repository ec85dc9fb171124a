// Reconnect backoff: exponential growth to a cap, jitter from the injected (seeded) RNG, reset.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Backoff, mulberry32 } from '../../../src/venues/io/backoff.js';

describe('Backoff', () => {
  it('grows by the factor up to the cap, and restarts after reset', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, factor: 2, jitter: 0 }, () => 0.5);
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('is reproducible with the same seed and differs with another', () => {
    const run = (seed: number): number[] => {
      const b = new Backoff({ baseMs: 50, maxMs: 5000 }, mulberry32(seed));
      return Array.from({ length: 10 }, () => b.next());
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('every wait lies in [delay * (1 - jitter), delay] and never above maxMs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 20_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (base, extra, jitter, seed) => {
        const b = new Backoff({ baseMs: base, maxMs: base + extra, jitter }, mulberry32(seed));
        for (let n = 0; n < 20; n++) {
          const d = b.delayOf(n);
          const w = b.next();
          expect(w).toBeLessThanOrEqual(base + extra);
          expect(w).toBeGreaterThanOrEqual(Math.floor(d * (1 - jitter)) - 1);
          expect(w).toBeLessThanOrEqual(Math.ceil(d) + 1);
        }
      }),
    );
  });

  it('rejects nonsense options', () => {
    expect(() => new Backoff({ baseMs: 10, maxMs: 5 }, Math.random)).toThrow(RangeError);
    expect(() => new Backoff({ jitter: 2 }, Math.random)).toThrow(RangeError);
  });
});
