// Exact conversion between a venue's decimal strings and integers of a step (tick size, lot step).
//
// A `DecimalScale` is built once from the venue's step string ('0.01', '0.5', '10', '1e-8',
// '0.01000000') and then converts values both ways without floating-point arithmetic on decimals:
//
//   value = units * step,   step = stepMantissa * 10^-decimals   (stepMantissa, decimals integers)
//
// Invariants:
// - `toUnits` / `bytesToUnits` return an integer `units` such that `fromUnits(units)` equals the
//   input numerically, or NaN; they never round. A value that is not a whole number of steps is
//   an error (NOT_MULTIPLE), never silently floored.
// - Every intermediate integer stays at or below Number.MAX_SAFE_INTEGER (2^53 - 1); anything that
//   would exceed it is OVERFLOW. So every non-NaN result is exact.
// - Errors never throw on the hot-path methods: they return NaN and set `lastError` (a small
//   integer from `DecimalError`). `toUnitsStrict` is the throwing convenience for cold code.
// - No allocation in `toUnits` / `bytesToUnits` (the byte variant never creates a string);
//   `fromUnits` allocates only the returned string.
// - Accepted syntax: optional '-' or '+', digits with at most one '.', at least one digit,
//   optional exponent 'e'/'E' with optional sign (bounded to +-400). No spaces, no hex, no 'NaN'.
//   A negative zero parses as 0.
// - `plainUnits` (parsers' inline fast path for quoted plain decimals) returns either exactly what
//   `scanUntil` would, or PLAIN_OTHER and leaves the number to it.

/** Error codes set in `DecimalScale.lastError` (0 = none). */
export const DecimalError = {
  NONE: 0,
  /** Not a decimal number (empty, junk characters, two dots, no digits, bad exponent). */
  SYNTAX: 1,
  /** A valid number that is not a whole multiple of the step. */
  NOT_MULTIPLE: 2,
  /** The value in step units (or its mantissa at the step's scale) exceeds 2^53 - 1. */
  OVERFLOW: 3,
} as const;
export type DecimalErrorCode = (typeof DecimalError)[keyof typeof DecimalError];

const DECIMAL_ERROR_NAMES = ['NONE', 'SYNTAX', 'NOT_MULTIPLE', 'OVERFLOW'] as const;
export function decimalErrorName(code: number): string {
  return DECIMAL_ERROR_NAMES[code] ?? 'UNKNOWN';
}

/** Thrown by the strict (cold-path) helpers only. */
export class DecimalFormatError extends Error {
  constructor(
    readonly code: DecimalErrorCode,
    readonly input: string,
    readonly step: string,
  ) {
    super(`decimal ${decimalErrorName(code)}: ${JSON.stringify(input.length > 64 ? input.slice(0, 64) + '...' : input)} (step ${step})`);
    this.name = 'DecimalFormatError';
  }
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Exact powers of ten as doubles: 10^0 .. 10^22 are exact. */
const POW10: Float64Array = (() => {
  const p = new Float64Array(23);
  let v = 1;
  for (let i = 0; i < 23; i++) {
    p[i] = v;
    v *= 10;
  }
  return p;
})();
const MAX_EXP = 400;

/**
 * Result slots of the shared scanner: the scanned number is (-1)^neg * mant * 10^exp, with mant an
 * integer <= MAX_SAFE and no trailing zeros (or mant = 0). Written by scanString/scanBytes.
 * Module-level scratch is fine: JS runs one thread per isolate and the scan is synchronous.
 */
let sMant = 0;
let sExp = 0;
let sNeg = false;

/** Scans chars [start, end) of a string. Returns a DecimalError code. */
function scanString(s: string, start: number, end: number): number {
  let i = start;
  sNeg = false;
  if (i < end) {
    const c = s.charCodeAt(i);
    if (c === 45 /* - */) {
      sNeg = true;
      i++;
    } else if (c === 43 /* + */) i++;
  }
  let mant = 0;
  let zeros = 0; // trailing zeros seen but not yet multiplied into mant
  let fracDigits = 0;
  let digits = 0;
  let dot = false;
  let overflow = false;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      if (dot) fracDigits++;
      const d = c - 48;
      if (d === 0) {
        if (mant !== 0) zeros++;
        continue;
      }
      if (zeros > 0) {
        if (zeros > 15 || mant > MAX_SAFE / POW10[zeros]!) overflow = true;
        else mant *= POW10[zeros]!;
        zeros = 0;
      }
      if (mant > (MAX_SAFE - d) / 10) overflow = true;
      else mant = mant * 10 + d;
    } else if (c === 46 /* . */) {
      if (dot) return DecimalError.SYNTAX;
      dot = true;
    } else break;
  }
  if (digits === 0) return DecimalError.SYNTAX;
  let exp = 0;
  if (i < end) {
    const c = s.charCodeAt(i);
    if (c !== 101 && c !== 69) return DecimalError.SYNTAX;
    i++;
    let eneg = false;
    if (i < end) {
      const c2 = s.charCodeAt(i);
      if (c2 === 45) {
        eneg = true;
        i++;
      } else if (c2 === 43) i++;
    }
    let edigits = 0;
    for (; i < end; i++) {
      const c2 = s.charCodeAt(i);
      if (c2 < 48 || c2 > 57) return DecimalError.SYNTAX;
      if (exp < 100000) exp = exp * 10 + (c2 - 48);
      edigits++;
    }
    if (edigits === 0) return DecimalError.SYNTAX;
    if (exp > MAX_EXP) return mant === 0 ? finishZero() : eneg ? DecimalError.NOT_MULTIPLE : DecimalError.OVERFLOW;
    if (eneg) exp = -exp;
  }
  if (overflow) return DecimalError.OVERFLOW;
  if (mant === 0) return finishZero();
  sMant = mant;
  sExp = exp + zeros - fracDigits;
  return DecimalError.NONE;
}

/** Same as scanString over bytes [start, end) of a Uint8Array (ASCII digits), no strings made. */
function scanBytes(b: Uint8Array, start: number, end: number): number {
  let i = start;
  sNeg = false;
  if (i < end) {
    const c = b[i]!;
    if (c === 45) {
      sNeg = true;
      i++;
    } else if (c === 43) i++;
  }
  let mant = 0;
  let zeros = 0;
  let fracDigits = 0;
  let digits = 0;
  let dot = false;
  let overflow = false;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) {
      digits++;
      if (dot) fracDigits++;
      const d = c - 48;
      if (d === 0) {
        if (mant !== 0) zeros++;
        continue;
      }
      if (zeros > 0) {
        if (zeros > 15 || mant > MAX_SAFE / POW10[zeros]!) overflow = true;
        else mant *= POW10[zeros]!;
        zeros = 0;
      }
      if (mant > (MAX_SAFE - d) / 10) overflow = true;
      else mant = mant * 10 + d;
    } else if (c === 46) {
      if (dot) return DecimalError.SYNTAX;
      dot = true;
    } else break;
  }
  if (digits === 0) return DecimalError.SYNTAX;
  let exp = 0;
  if (i < end) {
    const c = b[i]!;
    if (c !== 101 && c !== 69) return DecimalError.SYNTAX;
    i++;
    let eneg = false;
    if (i < end) {
      const c2 = b[i]!;
      if (c2 === 45) {
        eneg = true;
        i++;
      } else if (c2 === 43) i++;
    }
    let edigits = 0;
    for (; i < end; i++) {
      const c2 = b[i]!;
      if (c2 < 48 || c2 > 57) return DecimalError.SYNTAX;
      if (exp < 100000) exp = exp * 10 + (c2 - 48);
      edigits++;
    }
    if (edigits === 0) return DecimalError.SYNTAX;
    if (exp > MAX_EXP) return mant === 0 ? finishZero() : eneg ? DecimalError.NOT_MULTIPLE : DecimalError.OVERFLOW;
    if (eneg) exp = -exp;
  }
  if (overflow) return DecimalError.OVERFLOW;
  if (mant === 0) return finishZero();
  sMant = mant;
  sExp = exp + zeros - fracDigits;
  return DecimalError.NONE;
}

function finishZero(): number {
  sMant = 0;
  sExp = 0;
  sNeg = false;
  return DecimalError.NONE;
}

/**
 * A decimal step (tick size or lot step) and exact conversions to and from integer step units.
 * One instance per distinct step; instances are immutable except for `lastError`.
 */
export class DecimalScale {
  /** The step in canonical form (no trailing fractional zeros, no exponent), e.g. '0.01', '10'. */
  readonly step: string;
  /** Digits after the decimal point in the canonical step (0 for integer steps). */
  readonly decimals: number;
  /** The step as an integer at scale 10^-decimals: '0.01' -> 1, '0.5' -> 5, '10' -> 10. */
  readonly stepMantissa: number;
  /** The step as a double (approximate where the decimal is not binary-exact). For display only. */
  readonly stepValue: number;
  /** Error code of the last failed conversion on this instance (DecimalError). */
  lastError: DecimalErrorCode = DecimalError.NONE;
  /** Index where the last `scanUntil` / `bytesToUnitsUntil` stopped (first byte not part of the number). */
  stop = 0;
  /** Result of the last successful `scanUntil` (a double field, written in place). */
  units = 0.5;

  constructor(step: string) {
    if (typeof step !== 'string' || step.length === 0 || step.length > 64) {
      throw new DecimalFormatError(DecimalError.SYNTAX, String(step), String(step));
    }
    const err = scanString(step, 0, step.length);
    if (err !== DecimalError.NONE) throw new DecimalFormatError(err as DecimalErrorCode, step, step);
    if (sMant === 0 || sNeg) throw new DecimalFormatError(DecimalError.SYNTAX, step, step);
    if (sExp >= 0) {
      if (sExp > 15 || sMant * POW10[sExp]! > MAX_SAFE) throw new DecimalFormatError(DecimalError.OVERFLOW, step, step);
      this.decimals = 0;
      this.stepMantissa = sMant * POW10[sExp]!;
    } else {
      if (-sExp > 22) throw new DecimalFormatError(DecimalError.OVERFLOW, step, step);
      this.decimals = -sExp;
      this.stepMantissa = sMant;
    }
    this.step = formatMantissa(this.stepMantissa, this.decimals, false);
    this.stepValue = this.stepMantissa / POW10[this.decimals]!;
  }

  /** Exact units for a decimal string, or NaN with `lastError` set. Never throws, never allocates. */
  toUnits(s: string): number {
    if (typeof s !== 'string') {
      this.lastError = DecimalError.SYNTAX;
      return NaN;
    }
    return this.finish(scanString(s, 0, s.length));
  }

  /** Like `toUnits` over chars [start, end) of a string. */
  toUnitsRange(s: string, start: number, end: number): number {
    return this.finish(scanString(s, start, end));
  }

  /** Exact units for the ASCII decimal in bytes [start, end), or NaN with `lastError` set. */
  bytesToUnits(b: Uint8Array, start: number, end: number): number {
    if (!this.scanUntil(b, start, end)) return NaN;
    if (this.stop !== end) {
      this.lastError = DecimalError.SYNTAX;
      return NaN;
    }
    return this.units;
  }

  /**
   * Parses the decimal that starts at `start` and ends at the first byte that cannot continue a
   * number (or at `end`); sets `stop` to that byte's index. Returns exact units, or NaN with
   * `lastError` set.
   */
  bytesToUnitsUntil(b: Uint8Array, start: number, end: number): number {
    return this.scanUntil(b, start, end) ? this.units : NaN;
  }

  /**
   * The hot-path entry for parsers: like `bytesToUnitsUntil`, but the result goes to the `units`
   * field and the return value says whether it succeeded (a double returned from a non-inlined
   * call is boxed when it exceeds the Smi range, e.g. 431 BTC in 1e-8 lots; a field is written
   * in place). One pass, no strings, no module state. Fast path: optional '.', at most 15
   * digits, no sign or exponent (every value Binance and OKX send); anything else goes through
   * the general scanner.
   */
  scanUntil(b: Uint8Array, start: number, end: number): boolean {
    // two loops (integer digits, then fraction digits) with nothing but the digit test and the
    // accumulation per byte: the digit and fraction counts come from the positions
    let i = start;
    let m = 0;
    for (; i < end; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      m = m * 10 + d;
    }
    let digits = i - start;
    let frac = -1;
    if (i < end && b[i] === 46) {
      const f0 = ++i;
      for (; i < end; i++) {
        const d = b[i]! - 48;
        if (d < 0 || d > 9) break;
        m = m * 10 + d;
      }
      frac = i - f0;
      digits += frac;
    }
    let slow = digits > 15;
    if (!slow && i < end) {
      const c = b[i]!;
      slow = c === 101 || c === 69 || c === 45 || c === 43;
    }
    if (slow) {
      let e = start;
      while (e < end) {
        const c = b[e]!;
        if ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 45 || c === 43) e++;
        else break;
      }
      this.stop = e;
      const u = this.finish(scanBytes(b, start, e));
      this.units = u;
      return u === u;
    }
    this.stop = i;
    if (digits === 0) {
      this.lastError = DecimalError.SYNTAX;
      return false;
    }
    const k = this.decimals - (frac < 0 ? 0 : frac);
    if (k >= 0) {
      if (k > 0) {
        m *= POW10[k]!;
        if (m > MAX_SAFE) {
          this.lastError = DecimalError.OVERFLOW;
          return false;
        }
      }
    } else if (m !== 0) {
      if (-k > 22) {
        this.lastError = DecimalError.NOT_MULTIPLE;
        return false;
      }
      // m / p instead of m % p (a slow fmod): for m < 2^53 a non-multiple's quotient is more than
      // half an ulp from every integer, so the floor test is exact.
      const q = m / POW10[-k]!;
      if (q !== Math.floor(q)) {
        this.lastError = DecimalError.NOT_MULTIPLE;
        return false;
      }
      m = q;
    }
    const sm = this.stepMantissa;
    if (sm !== 1) {
      m = m / sm;
      if (m !== Math.floor(m)) {
        this.lastError = DecimalError.NOT_MULTIPLE;
        return false;
      }
    }
    this.units = m;
    return true;
  }

  /** Cold-path variant of `toUnits` that throws a DecimalFormatError instead of returning NaN. */
  toUnitsStrict(s: string): number {
    const u = this.toUnits(s);
    if (u !== u) throw new DecimalFormatError(this.lastError, String(s), this.step);
    return u;
  }

  /** True when the string is a valid whole number of steps. */
  isMultiple(s: string): boolean {
    return this.toUnits(s) === this.toUnits(s) && this.lastError === DecimalError.NONE;
  }

  /**
   * The exact decimal string of `units` steps, with exactly `decimals` fractional digits
   * (the step's own precision: tick '0.01' -> '64000.01', '64000.00'; step '10' -> '64010').
   * Throws a RangeError for non-integers or |units * stepMantissa| > 2^53 - 1.
   */
  fromUnits(units: number): string {
    return formatMantissa(this.mantissaOf(units), this.decimals, false);
  }

  /** Like `fromUnits` but without trailing fractional zeros ('64000.10' -> '64000.1', '5.00' -> '5'). */
  fromUnitsTrimmed(units: number): string {
    return formatMantissa(this.mantissaOf(units), this.decimals, true);
  }

  /** The value as a double (approximate). For display, sizing estimates and ratios, never for the wire. */
  toNumber(units: number): number {
    return (units * this.stepMantissa) / POW10[this.decimals]!;
  }

  /** Nearest whole number of steps at or below a double value (sizing helper; not exact for the wire). */
  floorUnits(value: number): number {
    // Nudge by a relative epsilon so 0.3 / 0.1 (= 2.9999999999999996) floors to 3.
    const q = (value * POW10[this.decimals]!) / this.stepMantissa;
    return Math.floor(q + Math.abs(q) * 1e-12 + 1e-12);
  }

  private mantissaOf(units: number): number {
    if (!Number.isInteger(units)) throw new RangeError(`DecimalScale(${this.step}).fromUnits: not an integer: ${units}`);
    const m = units * this.stepMantissa;
    if (m > MAX_SAFE || m < -MAX_SAFE) throw new RangeError(`DecimalScale(${this.step}).fromUnits: out of range: ${units}`);
    return m;
  }

  private finish(err: number): number {
    if (err !== DecimalError.NONE) {
      this.lastError = err as DecimalErrorCode;
      return NaN;
    }
    if (sMant === 0) return 0;
    // value = mant * 10^exp; at step scale: mant * 10^(exp + decimals), must be an integer.
    const k = sExp + this.decimals;
    let m: number;
    if (k >= 0) {
      if (k > 15) {
        this.lastError = DecimalError.OVERFLOW;
        return NaN;
      }
      m = sMant * POW10[k]!;
      if (m > MAX_SAFE) {
        this.lastError = DecimalError.OVERFLOW;
        return NaN;
      }
    } else {
      // mant has no trailing zeros, so dividing by 10^-k can never be exact.
      this.lastError = DecimalError.NOT_MULTIPLE;
      return NaN;
    }
    const units = m / this.stepMantissa;
    if (units !== Math.floor(units)) {
      this.lastError = DecimalError.NOT_MULTIPLE;
      return NaN;
    }
    return sNeg ? -units : units;
  }
}

/** Formats an integer mantissa at scale 10^-decimals as a plain decimal string. */
function formatMantissa(m: number, decimals: number, trim: boolean): string {
  const neg = m < 0;
  let digits = String(neg ? -m : m);
  if (decimals > 0) {
    if (digits.length <= decimals) digits = '0'.repeat(decimals - digits.length + 1) + digits;
    const cut = digits.length - decimals;
    let frac = digits.slice(cut);
    if (trim) {
      let e = frac.length;
      while (e > 0 && frac.charCodeAt(e - 1) === 48) e--;
      frac = frac.slice(0, e);
    }
    digits = frac.length > 0 ? digits.slice(0, cut) + '.' + frac : digits.slice(0, cut);
  }
  return neg && m !== 0 ? '-' + digits : digits;
}

/** Cache of scales by step string, so instruments sharing a step share one instance (cold path). */
const scaleCache = new Map<string, DecimalScale>();
export function decimalScale(step: string): DecimalScale {
  let s = scaleCache.get(step);
  if (s === undefined) {
    s = new DecimalScale(step);
    scaleCache.set(step, s);
  }
  return s;
}

/** plainUnits: not a number of the plain form (the caller hands it to DecimalScale.scanUntil). */
export const PLAIN_OTHER = -1;
/** plainUnits: index of the closing quote after the last value it converted. */
export let plainStop = 0;

/**
 * Parsers' fast path for the numbers venues send inside JSON strings: digits with at most one
 * '.', at most 15 digits, closed by a '"', on any scale (step = stepMantissa x 10^-decimals: tick
 * '0.1', '0.5' or '5', lot '0.00000001'; `DecimalScale.decimals`, `.stepMantissa`). Returns the
 * exact units, as DecimalScale.scanUntil would (fraction digits beyond the scale must be zeros,
 * the value a whole number of steps), and sets
 * `plainStop` to the quote; PLAIN_OTHER for anything else, valid or not, so that the caller's
 * DecimalScale.scanUntil decides (the same value or the same error as without this path). A
 * module function with no object state, so the optimising compiler can inline it into a
 * parser's level loop.
 */
export function plainUnits(b: Uint8Array, start: number, end: number, decimals: number, stepMantissa: number): number {
  // The same two loops as scanUntil's, on purpose: V8 keeps type feedback per function, so
  // behind one shared helper Binance's 13-digit mantissas (beyond int32, as doubles) would set
  // the arithmetic for OKX's 6-9 digit ones too wherever both venues run in one isolate.
  let m = 0;
  let i = start;
  for (; i < end; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) break;
    m = m * 10 + d;
  }
  let digits = i - start;
  let frac = -1;
  if (i < end && b[i] === 46) {
    const f0 = ++i;
    for (; i < end; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      m = m * 10 + d;
    }
    frac = i - f0;
    digits += frac;
  }
  if (i >= end || b[i] !== 0x22 || digits === 0 || digits > 15 || frac === 0) return PLAIN_OTHER;
  const k = decimals - (frac < 0 ? 0 : frac);
  if (k > 0) {
    m *= POW10[k]!;
    if (m > MAX_SAFE) return PLAIN_OTHER;
  } else if (k < 0 && m !== 0) {
    // zeros beyond the scale ('64000.01000000' on 0.01): m / p instead of m % p, as scanUntil
    if (-k > 22) return PLAIN_OTHER;
    const q = m / POW10[-k]!;
    if (q !== Math.floor(q)) return PLAIN_OTHER;
    m = q;
  }
  if (stepMantissa !== 1) {
    // a step such as '0.5' or '5': a whole number of steps or not, exactly as in scanUntil
    m = m / stepMantissa;
    if (m !== Math.floor(m)) return PLAIN_OTHER;
  }
  plainStop = i;
  return m;
}
