// Exact conversion factors between the units a base asset is measured or quoted in.
//
// A factor is the number of the asset's units in one venue unit, as an exact decimal string
// (troy ounce venue, asset in grams: '31.1034768'). A factor that is not a terminating decimal
// (grams into troy ounces) is refused (null): measure the asset in the smaller unit instead.
// 'coin' (a count of coins or contracts' base) only converts to itself.
import { GRAMS_PER_UNIT, type QuantityUnit } from './types.js';

interface Dec {
  m: bigint;
  d: number;
}

function parse(s: string): Dec {
  const [i, f = ''] = s.split('.');
  return { m: BigInt((i ?? '') + f), d: f.length };
}

/** Asset units per one venue unit, or null when not convertible / not a terminating decimal. */
export function unitFactor(venueUnit: QuantityUnit, assetUnit: QuantityUnit): string | null {
  if (venueUnit === assetUnit) return '1';
  if (venueUnit === 'coin' || assetUnit === 'coin') return null;
  const a = parse(GRAMS_PER_UNIT[venueUnit]);
  const b = parse(GRAMS_PER_UNIT[assetUnit]);
  // (a.m / 10^a.d) / (b.m / 10^b.d) = a.m * 10^b.d / (b.m * 10^a.d)
  let n = a.m * 10n ** BigInt(b.d);
  let den = b.m * 10n ** BigInt(a.d);
  const g = gcd(n, den);
  n /= g;
  den /= g;
  // terminating iff den = 2^x * 5^y
  let t = den;
  let twos = 0;
  let fives = 0;
  while (t % 2n === 0n) {
    t /= 2n;
    twos++;
  }
  while (t % 5n === 0n) {
    t /= 5n;
    fives++;
  }
  if (t !== 1n) return null;
  const digits = Math.max(twos, fives);
  const scaled = (n * 10n ** BigInt(digits)) / den;
  const s = scaled.toString().padStart(digits + 1, '0');
  const int = s.slice(0, s.length - digits);
  const frac = s.slice(s.length - digits).replace(/0+$/, '');
  return frac.length > 0 ? `${int}.${frac}` : int;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}
