// Exact decimal formatting for the simulated venues' wire messages: integer ticks, lots, asset
// units and tick*lot notionals back to the decimal strings each venue prints.
//
// Invariants:
// - Every string is exact (BigInt arithmetic where a product could pass 2^53; this is the
//   simulator, not our hot path): no `64000.010000000002`.
// - Averages that are not a whole number of ticks are rounded half-up at a stated number of
//   decimals (venues print rounded averages too); everything else is exact.
import type { Instrument } from '../../core/instrument.js';

/** Integer `units` at scale 10^-decimals as a decimal string; `minDecimals` pads, trimming is the default. */
export function unitsToDecimal(units: number | bigint, decimals: number, minDecimals = 0): string {
  let v = typeof units === 'bigint' ? units : BigInt(units);
  const neg = v < 0n;
  if (neg) v = -v;
  let digits = v.toString();
  let out: string;
  if (decimals === 0) out = digits;
  else {
    if (digits.length <= decimals) digits = '0'.repeat(decimals - digits.length + 1) + digits;
    const cut = digits.length - decimals;
    let frac = digits.slice(cut);
    let e = frac.length;
    while (e > minDecimals && frac.charCodeAt(e - 1) === 48) e--;
    frac = frac.slice(0, e);
    out = frac.length > 0 ? `${digits.slice(0, cut)}.${frac}` : digits.slice(0, cut);
  }
  if (minDecimals > decimals) out = padFraction(out, minDecimals);
  return neg && v !== 0n ? `-${out}` : out;
}

/** Pads (never trims) the fractional part of a plain decimal to at least `n` digits. */
export function padFraction(s: string, n: number): string {
  if (n <= 0) return s;
  const dot = s.indexOf('.');
  const have = dot < 0 ? 0 : s.length - dot - 1;
  if (have >= n) return s;
  return (dot < 0 ? `${s}.` : s) + '0'.repeat(n - have);
}

/** How a venue prints prices and quantities. */
export interface NumberStyle {
  /** Minimum fractional digits (Binance spot pads to 8); 0 = the step's own precision or trimmed. */
  readonly pad: number;
  /** Trim trailing zeros (OKX) instead of printing the step's precision (Binance USD-M). */
  readonly trim: boolean;
}

export const STYLE_BINANCE_SPOT: NumberStyle = { pad: 8, trim: false };
export const STYLE_BINANCE_USDM: NumberStyle = { pad: 0, trim: false };
export const STYLE_OKX: NumberStyle = { pad: 0, trim: true };

/** Digits after the point in a step as the venue wrote it ('0.10' -> 2: Binance USD-M prints 64089.20). */
function rawDecimals(step: string): number {
  const dot = step.indexOf('.');
  return dot < 0 ? 0 : step.length - dot - 1;
}

export function priceStr(ins: Instrument, ticks: number, style: NumberStyle): string {
  if (style.trim) return ins.tick.fromUnitsTrimmed(ticks);
  return padFraction(ins.tick.fromUnits(ticks), style.pad > 0 ? style.pad : rawDecimals(ins.spec.tickSize));
}

export function qtyStr(ins: Instrument, lots: number, style: NumberStyle): string {
  if (style.trim) return ins.lot.fromUnitsTrimmed(lots);
  return padFraction(ins.lot.fromUnits(lots), style.pad > 0 ? style.pad : rawDecimals(ins.spec.lotSize));
}

/** A zero in the style ('0.00000000', '0', '0.000' at the lot's precision). */
export function zeroQty(ins: Instrument, style: NumberStyle): string {
  return qtyStr(ins, 0, style);
}

/**
 * Quote value of `ticksTimesLots` (sum of price ticks * lots) times `contractValue` (1 for spot and
 * Binance linear), exact: units * tick * lot * cv.
 */
export function notionalStr(ins: Instrument, ticksTimesLots: number, style: NumberStyle, contractValue = '1'): string {
  const cv = decimalParts(contractValue);
  const m = BigInt(ticksTimesLots) * BigInt(ins.tick.stepMantissa) * BigInt(ins.lot.stepMantissa) * cv.m;
  const d = ins.tick.decimals + ins.lot.decimals + cv.d;
  const s = unitsToDecimal(m, d, style.trim ? 0 : Math.max(ins.tick.decimals, 0));
  return style.pad > 0 ? padFraction(s, style.pad) : s;
}

/**
 * Average price of `cumTicksTimesLots / cumLots` ticks as a decimal: exact when it is a whole
 * number of ticks (printed at the tick's precision), else rounded half-up to `extra` more digits.
 * `zero` is returned when nothing filled.
 */
export function avgPriceStr(ins: Instrument, cumTicksTimesLots: number, cumLots: number, style: NumberStyle, zero: string, extra = 4): string {
  if (cumLots <= 0) return zero;
  const num = BigInt(cumTicksTimesLots);
  const den = BigInt(cumLots);
  if (num % den === 0n) return priceStr(ins, Number(num / den), style);
  // price = (num / den) * tickMantissa / 10^tickDecimals, rounded at tickDecimals + extra digits
  const d = ins.tick.decimals + extra;
  const scaled = num * BigInt(ins.tick.stepMantissa) * 10n ** BigInt(extra);
  const q = (scaled * 2n + den) / (den * 2n);
  const s = unitsToDecimal(q, d, style.trim ? 0 : d);
  return style.pad > 0 ? padFraction(s, style.pad) : s;
}

function decimalParts(s: string): { m: bigint; d: number } {
  const t = s.trim();
  const dot = t.indexOf('.');
  if (dot < 0) return { m: BigInt(t), d: 0 };
  return { m: BigInt(t.slice(0, dot) + t.slice(dot + 1)), d: t.length - dot - 1 };
}
