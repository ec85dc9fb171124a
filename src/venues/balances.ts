// Venue-neutral helpers of the balance mappers (src/venues/binance/balances.ts,
// src/venues/okx/balances.ts): the mapping result type, validation of the venue's decimal
// strings, the exact sum of two decimal strings (Binance spot total = free + locked), JSON shape
// helpers (isObj, timeMsOf), and how a private client counts and delivers a stream mapping
// (deliverBalance).
//
// Invariants:
// - Pure and total: nothing throws, whatever the input; a value that is not a plain decimal
//   string (optional '-', digits, optional fraction) is refused, never coerced.
// - Sums are exact on the strings (digit arithmetic, no floating point, no BigInt); the result
//   keeps the longer fraction of the two operands ('1.50' + '0.125' = '1.625', '10.00' + '0' =
//   '10.00'), so values keep the venue's precision.
// - Off the hot path (a few balance messages per fill): plain strings and small arrays are fine.
import type { VenueBalanceUpdate } from './types.js';

/** What a balance mapper made of one venue message or answer. */
export type BalanceMapping =
  | {
      readonly ok: true;
      readonly update: VenueBalanceUpdate;
      /** Entries left out because they were malformed (only stream updates skip; snapshots fail). */
      readonly skipped: number;
    }
  | { readonly ok: false; readonly detail: string };

const DECIMAL = /^-?\d{1,40}(?:\.\d{1,40})?$/;
const UNSIGNED = /^\d{1,40}(?:\.\d{1,40})?$/;

/**
 * What a private client does with a stream mapping: a refused message and every skipped entry
 * count as bad messages; an accepted update is counted and delivered.
 */
export function deliverBalance(m: BalanceMapping, counters: { badMessages: number; balances: number }, onBalance: ((u: VenueBalanceUpdate) => void) | undefined): void {
  if (!m.ok) {
    counters.badMessages++;
    return;
  }
  counters.badMessages += m.skipped;
  counters.balances++;
  onBalance?.(m.update);
}

/** A JSON object (not null, not an array). */
export function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Millisecond time of field `k` from a non-negative integer or a numeric string; 0 when absent or malformed. */
export function timeMsOf(o: Record<string, unknown>, k: string): number {
  const v = o[k];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{1,16}$/.test(v)) return Number(v);
  return 0;
}

/** A plain decimal string as venues send amounts ('12', '0.5', '-3.25'); no exponent, no '+'. */
export function isDecimalString(v: unknown): v is string {
  return typeof v === 'string' && DECIMAL.test(v);
}

/** A venue asset code: 1..32 printable characters without spaces (e.g. 'USDT', '1000SATS'). */
export function isAssetCode(v: unknown): v is string {
  return typeof v === 'string' && /^[\x21-\x7e]{1,32}$/.test(v);
}

/**
 * Exact a + b of two non-negative decimal strings; null when either is not one. The result has
 * as many fraction digits as the longer operand (none when neither has a fraction).
 */
export function addDecimalStrings(a: string, b: string): string | null {
  if (typeof a !== 'string' || typeof b !== 'string' || !UNSIGNED.test(a) || !UNSIGNED.test(b)) return null;
  const [ai, af = ''] = a.split('.') as [string, string?];
  const [bi, bf = ''] = b.split('.') as [string, string?];
  const fracLen = Math.max(af.length, bf.length);
  const intLen = Math.max(ai.length, bi.length);
  const x = ai.padStart(intLen, '0') + af.padEnd(fracLen, '0');
  const y = bi.padStart(intLen, '0') + bf.padEnd(fracLen, '0');
  const out: number[] = new Array<number>(x.length);
  let carry = 0;
  for (let i = x.length - 1; i >= 0; i--) {
    const d = x.charCodeAt(i) - 48 + (y.charCodeAt(i) - 48) + carry;
    out[i] = d % 10;
    carry = d >= 10 ? 1 : 0;
  }
  let digits = (carry === 1 ? '1' : '') + out.join('');
  let intPart = digits.slice(0, digits.length - fracLen);
  const fracPart = digits.slice(digits.length - fracLen);
  intPart = intPart.replace(/^0+(?=\d)/, '');
  if (intPart === '') intPart = '0';
  digits = fracLen > 0 ? `${intPart}.${fracPart}` : intPart;
  return digits;
}
