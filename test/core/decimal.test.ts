// DecimalScale: exact decimal string <-> integer step units, string and byte paths.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecimalError, DecimalFormatError, DecimalScale, decimalScale } from '../../src/core/decimal.js';

const enc = new TextEncoder();
function bytes(s: string, sc: DecimalScale): number {
  const pad = enc.encode(`["${s}"]`);
  return sc.bytesToUnits(pad, 2, pad.length - 2);
}

describe('DecimalScale construction', () => {
  it.each([
    ['0.01', 2, 1, '0.01'],
    ['0.01000000', 2, 1, '0.01'],
    ['0.5', 1, 5, '0.5'],
    ['10', 0, 10, '10'],
    ['10.000', 0, 10, '10'],
    ['1e-8', 8, 1, '0.00000001'],
    ['1E-8', 8, 1, '0.00000001'],
    ['2.5e-3', 4, 25, '0.0025'],
    ['1e+1', 0, 10, '10'],
    ['0.00000100', 6, 1, '0.000001'],
    ['1', 0, 1, '1'],
  ])('step %s -> decimals %i, mantissa %i', (step, decimals, mant, canon) => {
    const s = new DecimalScale(step);
    expect(s.decimals).toBe(decimals);
    expect(s.stepMantissa).toBe(mant);
    expect(s.step).toBe(canon);
  });

  it.each(['0', '0.000', '-0.01', '', 'abc', '1..0', '.', 'e5', '1e', '0x10', ' 1', 'NaN', 'Infinity'])('rejects step %j', (step) => {
    expect(() => new DecimalScale(step)).toThrow(DecimalFormatError);
  });

  it('caches scales by step string', () => {
    expect(decimalScale('0.01')).toBe(decimalScale('0.01'));
  });
});

describe('toUnits / bytesToUnits', () => {
  const tick = new DecimalScale('0.01');
  const cases: [string, string, number][] = [
    ['0.01', '64000.01', 6400001],
    ['0.01', '64000.01000000', 6400001],
    ['0.01', '64000', 6400000],
    ['0.01', '64000.', 6400000],
    ['0.01', '.5', 50],
    ['0.01', '0', 0],
    ['0.01', '0.00000000', 0],
    ['0.01', '-0', 0],
    ['0.01', '-1.25', -125],
    ['0.01', '+1.25', 125],
    ['0.01', '000123.4500', 12345],
    ['0.01', '1.5e2', 15000],
    ['0.01', '1234E-2', 1234],
    ['0.5', '64000.5', 128001],
    ['0.5', '3', 6],
    ['10', '64010', 6401],
    ['10', '1e4', 1000],
    ['1e-8', '4.00000200', 400000200],
    ['1e-8', '431.00000000', 43100000000],
    ['0.00001', '0.001', 100],
    ['0.0001', '0.0024', 24],
  ];
  it.each(cases)('step %s: %s -> %i', (step, v, units) => {
    const s = new DecimalScale(step);
    expect(s.toUnits(v)).toBe(units);
    expect(bytes(v, s)).toBe(units);
    expect(Object.is(s.toUnits(v), -0)).toBe(false);
  });

  const errors: [string, string, number][] = [
    ['0.01', '64000.011', DecimalError.NOT_MULTIPLE],
    ['0.01', '0.001', DecimalError.NOT_MULTIPLE],
    ['0.5', '0.3', DecimalError.NOT_MULTIPLE],
    ['10', '15', DecimalError.NOT_MULTIPLE],
    ['0.01', '1e-3', DecimalError.NOT_MULTIPLE],
    ['0.01', '', DecimalError.SYNTAX],
    ['0.01', '-', DecimalError.SYNTAX],
    ['0.01', '.', DecimalError.SYNTAX],
    ['0.01', '1.2.3', DecimalError.SYNTAX],
    ['0.01', '12a', DecimalError.SYNTAX],
    ['0.01', ' 12', DecimalError.SYNTAX],
    ['0.01', '1e', DecimalError.SYNTAX],
    ['0.01', '1e+', DecimalError.SYNTAX],
    ['0.01', 'null', DecimalError.SYNTAX],
    ['0.01', '0x1F', DecimalError.SYNTAX],
    ['0.01', '1e999', DecimalError.OVERFLOW],
    ['0.01', '1e-999', DecimalError.NOT_MULTIPLE],
    ['0.01', '90071992547409.92', DecimalError.OVERFLOW],
    ['1', '9007199254740992', DecimalError.OVERFLOW],
    ['1', '99999999999999999999999999', DecimalError.OVERFLOW],
    ['1e-8', '100000000000', DecimalError.OVERFLOW],
  ];
  it.each(errors)('step %s: %j -> error %i', (step, v, code) => {
    const s = new DecimalScale(step);
    expect(s.toUnits(v)).toBeNaN();
    expect(s.lastError).toBe(code);
    s.lastError = DecimalError.NONE;
    expect(bytes(v, s)).toBeNaN();
    expect(s.lastError).toBe(code);
    expect(() => s.toUnitsStrict(v)).toThrow(DecimalFormatError);
  });

  it('accepts exactly 2^53-1 units and zero strings of any length', () => {
    const one = new DecimalScale('1');
    expect(one.toUnits('9007199254740991')).toBe(9007199254740991);
    expect(one.toUnits('0'.repeat(10000))).toBe(0);
    expect(one.toUnits('1' + '0'.repeat(10000))).toBeNaN();
    expect(one.lastError).toBe(DecimalError.OVERFLOW);
  });

  it('rejects non-strings without throwing', () => {
    expect(tick.toUnits(123 as unknown as string)).toBeNaN();
    expect(tick.toUnits(null as unknown as string)).toBeNaN();
  });

  it('parses a sub-range of a string', () => {
    expect(tick.toUnitsRange('xx64000.01yy', 2, 10)).toBe(6400001);
  });
});

describe('fromUnits', () => {
  it.each([
    ['0.01', 6400001, '64000.01', '64000.01'],
    ['0.01', 6400000, '64000.00', '64000'],
    ['0.01', 1, '0.01', '0.01'],
    ['0.01', 0, '0.00', '0'],
    ['0.01', -125, '-1.25', '-1.25'],
    ['0.5', 128001, '64000.5', '64000.5'],
    ['0.5', 128000, '64000.0', '64000'],
    ['10', 6401, '64010', '64010'],
    ['1e-8', 400000200, '4.00000200', '4.000002'],
    ['0.001', 1, '0.001', '0.001'],
  ])('step %s: %i -> %s / %s', (step, units, fixed, trimmed) => {
    const s = new DecimalScale(step);
    expect(s.fromUnits(units)).toBe(fixed);
    expect(s.fromUnitsTrimmed(units)).toBe(trimmed);
  });

  it('never prints binary float artefacts (64000.01 + tick arithmetic)', () => {
    const s = new DecimalScale('0.01');
    const u = s.toUnits('64000.01');
    expect(s.fromUnits(u + 1)).toBe('64000.02');
    expect(64000.01 + 0.01).not.toBe(64000.02); // why the integer representation exists
  });

  it('rejects non-integers and out-of-range units', () => {
    const s = new DecimalScale('0.01');
    expect(() => s.fromUnits(1.5)).toThrow(RangeError);
    expect(() => s.fromUnits(NaN)).toThrow(RangeError);
    expect(() => new DecimalScale('10').fromUnits(Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
  });

  it('floorUnits rounds doubles down to whole steps, tolerant of binary noise', () => {
    expect(new DecimalScale('0.1').floorUnits(0.3)).toBe(3);
    expect(new DecimalScale('0.01').floorUnits(1.239)).toBe(123);
    expect(new DecimalScale('0.5').floorUnits(1.4)).toBe(2);
  });
});

describe('properties', () => {
  const steps = fc.constantFrom('0.01', '0.5', '10', '1e-8', '0.00001', '0.1', '1', '0.25', '5', '0.000001');
  it('fromUnits -> toUnits round-trips (string and bytes), trimmed too', () => {
    fc.assert(
      fc.property(steps, fc.integer({ min: -1e12, max: 1e12 }), (step, units) => {
        const s = new DecimalScale(step);
        if (Math.abs(units * s.stepMantissa) > Number.MAX_SAFE_INTEGER) return;
        const str = s.fromUnits(units);
        expect(s.toUnits(str)).toBe(units);
        expect(bytes(str, s)).toBe(units);
        expect(s.toUnits(s.fromUnitsTrimmed(units))).toBe(units);
        // trailing zeros and a redundant exponent do not change the value
        expect(s.toUnits(str + (str.includes('.') ? '000' : '.000'))).toBe(units);
        expect(s.toUnits(str + 'e0')).toBe(units);
      }),
      { numRuns: 3000 },
    );
  });

  it('a value off the step grid is NOT_MULTIPLE, never rounded', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 9 }), (units, extra) => {
        const s = new DecimalScale('0.01');
        const str = s.fromUnits(units) + String(extra); // one more non-zero digit
        expect(s.toUnits(str)).toBeNaN();
        expect(s.lastError).toBe(DecimalError.NOT_MULTIPLE);
      }),
    );
  });

  it('bytesToUnitsUntil stops at the first byte that cannot continue the number it read', () => {
    const s = new DecimalScale('0.001');
    const alphabet = fc.constantFrom(...'0123456789.-+eE'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 24 }), fc.constantFrom('"', ',', ']', '}', ' '), (str, term) => {
        const buf = enc.encode(`${str}${term}x`);
        const u = s.bytesToUnitsUntil(buf, 0, buf.length);
        if (Number.isNaN(u)) return;
        const stop = s.stop;
        expect(stop).toBeGreaterThan(0);
        expect(stop).toBeLessThanOrEqual(str.length);
        // the number it read is exactly the bytes before stop, and the byte at stop is no digit
        expect(s.bytesToUnits(buf, 0, stop)).toBe(u);
        expect(s.toUnits(str.slice(0, stop))).toBe(u);
        expect(/[0-9]/.test(String.fromCharCode(buf[stop]!))).toBe(false);
        if (stop === str.length) expect(s.toUnits(str)).toBe(u);
      }),
      { numRuns: 5000 },
    );
  });

  it('random strings never throw and either parse exactly or set an error', () => {
    const s = new DecimalScale('0.001');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.-+eE x'.split('')), maxLength: 30 }), (str) => {
        s.lastError = DecimalError.NONE;
        const u = s.toUnits(str);
        const b = bytes(str, s);
        expect(Object.is(u, b) || (Number.isNaN(u) && Number.isNaN(b))).toBe(true);
        if (Number.isNaN(u)) expect(s.lastError).not.toBe(DecimalError.NONE);
        else {
          expect(Number.isInteger(u)).toBe(true);
          // cross-check against a float parse where the float is exact enough
          const f = Number(str);
          if (Number.isFinite(f) && Math.abs(f) < 1e9) expect(Math.abs(u / 1000 - f)).toBeLessThan(1e-6);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
