// Instrument table: the venue's instrument metadata (InstrumentSpec) turned into what the core
// needs to work in integer ticks and lots, plus symbol lookups that do not allocate.
//
// Invariants:
// - One table per venue (symbols are unique within a venue, not across venues: Binance spot and
//   USD-M both have BTCUSDT). An instrument's `index` is its position in the table and never
//   changes; tables only grow.
// - `tick` and `lot` are exact DecimalScales of the venue's tick size and lot step.
//   price = ticks * tickSize; quantity = lots * lotSize (in contracts for derivatives whose
//   lot is a contract count, e.g. OKX SWAP; in base currency for Binance spot and USD-M).
// - `minQtyLots` = ceil(minQty / lotSize); `minNotionalUnits` is the smallest integer N such that
//   ticks * lots >= N  <=>  price * qty * contractValue >= minNotional  (linear, spot), or
//   lots >= N  <=>  qty * contractValue >= minNotional (inverse: notional is in the contract's
//   quote currency and does not depend on price). Both are computed exactly (BigInt, at build
//   time only: never on the hot path).
// - Symbol lookups (`indexOf`, `indexOfBytes`) are ASCII case-insensitive (Binance stream names
//   are lowercase, event symbols uppercase), allocation-free, and return -1 when absent.
import type { InstrumentSpec } from '../venues/types.js';
import { DecimalScale, decimalScale } from './decimal.js';

/** Decimal string -> exact rational mantissa / 10^decimals, via DecimalScale's canonical form. */
function rational(value: string): { m: bigint; d: number } | null {
  const s = value.trim();
  if (s === '' ) return null;
  // zero has no DecimalScale (a step must be > 0): recognise it first
  if (/^[+]?0*(\.0*)?([eE][+-]?\d+)?$/.test(s) && /\d/.test(s)) return { m: 0n, d: 0 };
  const sc = new DecimalScale(s);
  return { m: BigInt(sc.stepMantissa), d: sc.decimals };
}

/** ceil(a / b) for non-negative rationals; clamps to MAX_SAFE_INTEGER. */
function ceilDiv(a: { m: bigint; d: number }, b: { m: bigint; d: number }): number {
  if (a.m === 0n) return 0;
  // a.m/10^a.d / (b.m/10^b.d) = a.m * 10^b.d / (b.m * 10^a.d)
  const num = a.m * 10n ** BigInt(b.d);
  const den = b.m * 10n ** BigInt(a.d);
  const q = (num + den - 1n) / den;
  return q > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(q);
}

function mul(a: { m: bigint; d: number }, b: { m: bigint; d: number }): { m: bigint; d: number } {
  return { m: a.m * b.m, d: a.d + b.d };
}

/** One instrument, ready for integer arithmetic. Immutable. */
export class Instrument {
  readonly symbol: string;
  readonly tick: DecimalScale;
  readonly lot: DecimalScale;
  /** Smallest order size in lots (ceil of minQty / lotSize). */
  readonly minQtyLots: number;
  /** See the header: threshold on ticks * lots (linear/spot) or on lots (inverse). 0 = no minimum. */
  readonly minNotionalUnits: number;
  /** Contract value as a double (1 for spot and Binance linear). Display and sizing only. */
  readonly contractValue: number;
  readonly isInverse: boolean;
  /** Quote-currency value of one tick times one lot (double; linear/spot), for sizing estimates. */
  readonly tickLotValue: number;

  constructor(
    readonly index: number,
    readonly spec: InstrumentSpec,
  ) {
    this.symbol = spec.symbol;
    this.tick = decimalScale(spec.tickSize);
    this.lot = decimalScale(spec.lotSize);
    const tick = rational(spec.tickSize)!;
    const lot = rational(spec.lotSize)!;
    const minQty = rational(spec.minQty || '0');
    const minNotional = rational(spec.minNotional || '0');
    const cv = rational(spec.contractValue || '1');
    if (minQty === null || minNotional === null || cv === null || cv.m === 0n) {
      throw new Error(`instrument ${spec.symbol}: bad minQty/minNotional/contractValue`);
    }
    this.minQtyLots = ceilDiv(minQty, lot);
    this.isInverse = spec.contractType === 'inverse';
    this.minNotionalUnits = this.isInverse ? ceilDiv(minNotional, mul(lot, cv)) : ceilDiv(minNotional, mul(mul(tick, lot), cv));
    this.contractValue = Number(spec.contractValue || '1');
    this.tickLotValue = this.tick.stepValue * this.lot.stepValue * this.contractValue;
  }

  /** Price ticks -> double price (display, ratios). */
  price(ticks: number): number {
    return this.tick.toNumber(ticks);
  }

  /** Lots -> double quantity in the venue's quantity unit (display, sizing). */
  qty(lots: number): number {
    return this.lot.toNumber(lots);
  }

  /** Approximate notional in the quote currency (linear/spot) or contract currency (inverse). */
  notional(ticks: number, lots: number): number {
    return this.isInverse ? lots * this.lot.stepValue * this.contractValue : ticks * lots * this.tickLotValue;
  }

  meetsMinQty(lots: number): boolean {
    return lots >= this.minQtyLots && lots > 0;
  }

  /** Exact check of the minimum notional filter (see header). */
  meetsMinNotional(ticks: number, lots: number): boolean {
    return this.isInverse ? lots >= this.minNotionalUnits : ticks * lots >= this.minNotionalUnits;
  }
}

/** FNV-1a over ASCII-uppercased bytes, 32-bit. */
function up(c: number): number {
  return c >= 97 && c <= 122 ? c - 32 : c;
}

/** Instruments of one venue, by index and by symbol. */
export class InstrumentTable {
  private readonly list: Instrument[] = [];
  private readonly names: Uint8Array[] = [];
  private slots: Int32Array = new Int32Array(64).fill(-1);

  constructor(specs: readonly InstrumentSpec[] = []) {
    for (const s of specs) this.add(s);
  }

  get size(): number {
    return this.list.length;
  }

  /** Adds an instrument (or replaces the spec of an existing symbol, keeping its index). */
  add(spec: InstrumentSpec): Instrument {
    const existing = this.indexOf(spec.symbol);
    if (existing >= 0) {
      const ins = new Instrument(existing, spec);
      this.list[existing] = ins;
      return ins;
    }
    for (let i = 0; i < spec.symbol.length; i++) {
      const c = spec.symbol.charCodeAt(i);
      if (c < 33 || c > 126) throw new Error(`instrument symbol must be printable ASCII: ${JSON.stringify(spec.symbol)}`);
    }
    const index = this.list.length;
    const ins = new Instrument(index, spec);
    this.list.push(ins);
    const bytes = new Uint8Array(spec.symbol.length);
    for (let i = 0; i < bytes.length; i++) bytes[i] = up(spec.symbol.charCodeAt(i));
    this.names.push(bytes);
    if ((this.list.length + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.insertSlot(index);
    return ins;
  }

  /** Instrument at an index (throws on a bad index: cold-path misuse). */
  get(index: number): Instrument {
    const ins = this.list[index];
    if (ins === undefined) throw new RangeError(`no instrument at index ${index}`);
    return ins;
  }

  /** Instrument by symbol, or undefined. */
  find(symbol: string): Instrument | undefined {
    const i = this.indexOf(symbol);
    return i >= 0 ? this.list[i] : undefined;
  }

  all(): readonly Instrument[] {
    return this.list;
  }

  /** Index of a symbol (ASCII case-insensitive), -1 when absent. No allocation. */
  indexOf(symbol: string): number {
    return this.indexOfRange(symbol, 0, symbol.length);
  }

  /** Index of the symbol in chars [start, end) of a string, -1 when absent. No allocation. */
  indexOfRange(s: string, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ up(s.charCodeAt(i)), 0x01000193);
    const mask = this.slots.length - 1;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const idx = this.slots[p]!;
      if (idx < 0) return -1;
      const name = this.names[idx]!;
      if (name.length !== end - start) continue;
      let ok = true;
      for (let i = 0; i < name.length; i++) {
        if (name[i] !== up(s.charCodeAt(start + i))) {
          ok = false;
          break;
        }
      }
      if (ok) return idx;
    }
  }

  /** Index of the ASCII symbol in bytes [start, end), -1 when absent. No allocation. */
  indexOfBytes(b: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ up(b[i]!), 0x01000193);
    const mask = this.slots.length - 1;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const idx = this.slots[p]!;
      if (idx < 0) return -1;
      const name = this.names[idx]!;
      if (name.length !== end - start) continue;
      let ok = true;
      for (let i = 0; i < name.length; i++) {
        if (name[i] !== up(b[start + i]!)) {
          ok = false;
          break;
        }
      }
      if (ok) return idx;
    }
  }

  private hashOf(idx: number): number {
    const name = this.names[idx]!;
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name[i]!, 0x01000193);
    return h;
  }

  private insertSlot(idx: number): void {
    const mask = this.slots.length - 1;
    let p = this.hashOf(idx) & mask;
    while (this.slots[p]! >= 0) p = (p + 1) & mask;
    this.slots[p] = idx;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(-1);
    for (let i = 0; i < this.names.length; i++) this.insertSlot(i);
  }
}
