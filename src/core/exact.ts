// Exact integer arithmetic on doubles for the sizing and alignment paths (no BigInt: they run on
// the engine thread for every decision).
//
// Every function takes integers held exactly in doubles and returns an exact integer, or NaN when
// an input is out of its domain or the exact result does not fit in a safe integer. None of them
// allocates.
//
// Invariants:
// - `mulDivFloor(a, b, c)` = floor(a * b / c) exactly, also when the product a * b exceeds 2^53
//   (it is never formed as a rounded double). Domain: 0 <= a, b <= 2^53 - 1, 1 <= c <= 2^52.
//   When a * b <= 2^53 - 1 the product is exact and the remainder is taken with `%` (exact on
//   doubles); otherwise a shift-and-subtract long multiplication keeps every partial value below
//   2 * c <= 2^53, so every step is exact.
// - `mulDivRound` rounds half up (half away from zero for non-negative inputs); `mulDivCeil` rounds
//   up. The remainder of the last call is left in `lastRemainder` (0 <= r < c).
// - Signed variants are not provided on purpose: callers separate the sign (quantities are
//   non-negative; residuals are combined by the caller with exact integer additions).

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Largest divisor accepted by the long path: keeps 2 * remainder below 2^53. */
export const MAX_DIVISOR = 2 ** 52;

/** Remainder of the last mulDiv* call (a * b mod c), or NaN after a domain error. */
export let lastRemainder = 0;

function isNonNegInt(x: number): boolean {
  return x >= 0 && x <= MAX_SAFE && Math.floor(x) === x;
}

/** floor(a * b / c), exact; NaN outside the domain or when the result exceeds 2^53 - 1. */
export function mulDivFloor(a: number, b: number, c: number): number {
  if (!isNonNegInt(a) || !isNonNegInt(b) || !(c >= 1 && c <= MAX_DIVISOR && Math.floor(c) === c)) {
    lastRemainder = NaN;
    return NaN;
  }
  const p = a * b;
  if (p <= MAX_SAFE) {
    // exact product: % on doubles is exact, and p - r is an exact multiple of c
    const r = p % c;
    lastRemainder = r;
    return (p - r) / c;
  }
  // a = qa * c + ra  =>  a * b / c = qa * b + ra * b / c, with ra < c
  const ra = a % c;
  const qa = (a - ra) / c;
  const head = qa * b;
  if (head > MAX_SAFE) {
    lastRemainder = NaN;
    return NaN;
  }
  // long multiplication of ra * b modulo c, bits of b from the most significant:
  // invariant: (q * c + r) = ra * (bits of b seen so far), 0 <= r < c
  let q = 0;
  let r = 0;
  // split b into two 26-bit halves plus a top part so bit extraction stays in 32-bit integers
  const hi = Math.floor(b / 67108864); // b >> 26 (b < 2^53 => hi < 2^27)
  const lo = b - hi * 67108864;
  for (let i = 26; i >= 0; i--) {
    q *= 2;
    r *= 2;
    if (r >= c) {
      r -= c;
      q += 1;
    }
    if ((hi >>> i) & 1) {
      r += ra;
      if (r >= c) {
        r -= c;
        q += 1;
      }
    }
  }
  for (let i = 25; i >= 0; i--) {
    q *= 2;
    r *= 2;
    if (r >= c) {
      r -= c;
      q += 1;
    }
    if ((lo >>> i) & 1) {
      r += ra;
      if (r >= c) {
        r -= c;
        q += 1;
      }
    }
  }
  const out = head + q;
  if (out > MAX_SAFE) {
    lastRemainder = NaN;
    return NaN;
  }
  lastRemainder = r;
  return out;
}

/** round(a * b / c), ties up; exact. NaN outside the domain. */
export function mulDivRound(a: number, b: number, c: number): number {
  const q = mulDivFloor(a, b, c);
  if (q !== q) return NaN;
  const r = lastRemainder;
  // 2r < 2c <= 2^53: exact
  return 2 * r >= c ? q + 1 : q;
}

/** ceil(a * b / c); exact. NaN outside the domain. */
export function mulDivCeil(a: number, b: number, c: number): number {
  const q = mulDivFloor(a, b, c);
  if (q !== q) return NaN;
  return lastRemainder > 0 ? q + 1 : q;
}

/** Greatest common divisor of two non-negative safe integers (gcd(0, 0) = 0). */
export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** True when x is an integer whose magnitude is at most 2^53 - 1. */
export function isSafeInt(x: number): boolean {
  return Number.isSafeInteger(x);
}
