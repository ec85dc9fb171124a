// Exact integer helpers: floor / round / ceil of a * b / c without forming a rounded product,
// checked against BigInt over the whole safe-integer domain.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gcd, lastRemainder, MAX_DIVISOR, mulDivCeil, mulDivFloor, mulDivRound } from '../../src/core/exact.js';

const MAX = Number.MAX_SAFE_INTEGER;

describe('mulDiv', () => {
  it('hand-picked cases, including products beyond 2^53', () => {
    expect(mulDivFloor(7, 3, 2)).toBe(10);
    expect(lastRemainder).toBe(1);
    expect(mulDivRound(7, 3, 2)).toBe(11); // 10.5 rounds up
    expect(mulDivCeil(6, 3, 2)).toBe(9);
    // 1e11 * 123456789 = 1.23456789e19 > 2^53; / 640013 = 19289451745117.3...
    expect(mulDivFloor(1e11, 123_456_789, 640_013)).toBe(Number(10n ** 11n * 123456789n / 640013n));
    expect(mulDivFloor(MAX, MAX, MAX_DIVISOR)).toBeNaN(); // result beyond 2^53
    expect(mulDivFloor(-1, 2, 3)).toBeNaN();
    expect(mulDivFloor(1, 2, 0)).toBeNaN();
    expect(mulDivFloor(1.5, 2, 3)).toBeNaN();
    expect(gcd(12, 18)).toBe(6);
  });

  it('agrees with BigInt for any safe operands', () => {
    const big = (a: number, b: number, c: number) => (BigInt(a) * BigInt(b)) / BigInt(c);
    fc.assert(fc.property(fc.integer({ min: 0, max: MAX }), fc.integer({ min: 0, max: MAX }), fc.integer({ min: 1, max: MAX_DIVISOR }), (a, b, c) => {
      const q = big(a, b, c);
      const r = (BigInt(a) * BigInt(b)) % BigInt(c);
      const f = mulDivFloor(a, b, c);
      if (q > BigInt(MAX)) return Number.isNaN(f);
      const round = 2n * r >= BigInt(c) ? q + 1n : q;
      const ceil = r > 0n ? q + 1n : q;
      return f === Number(q) && lastRemainder === Number(r)
        && (round > BigInt(MAX) || mulDivRound(a, b, c) === Number(round))
        && (ceil > BigInt(MAX) || mulDivCeil(a, b, c) === Number(ceil));
    }), { numRuns: 3000 });
    // small divisors and large products (the long-multiplication path)
    fc.assert(fc.property(fc.integer({ min: 2 ** 30, max: MAX }), fc.integer({ min: 2 ** 30, max: 2 ** 40 }), fc.integer({ min: 2 ** 20, max: 2 ** 52 }), (a, b, c) => {
      const q = big(a, b, c);
      const f = mulDivFloor(a, b, c);
      return q > BigInt(MAX) ? Number.isNaN(f) : f === Number(q);
    }), { numRuns: 3000 });
  });
});
