// The execution/risk/positions view of an instrument: which venue it trades on, which assets it
// moves, and the exact integer factors that turn lots and ticks into asset units.
//
// Units: every amount of an asset is an integer count of that asset's smallest unit, 10^-decimals
// of the asset (chosen per asset by the configuration, e.g. BTC 8 => 1 unit = 1e-8 BTC; the same
// convention as the simulator's ledger). Gold quoted per gram on one venue and per troy ounce on
// another is one asset (say XAU in grams) with a unit factor of 31.1034768 on the ounce venue.
//
// Invariants (checked once at construction, cold path, BigInt allowed there only):
// - `baseUnitsPerLot` is an exact positive integer for spot and linear instruments:
//   lots * baseUnitsPerLot = base units traded (lot * contractValue * unitFactor * 10^baseDecimals).
//   It is 0 for inverse contracts, whose base amount depends on the price (see `inverseBaseK`).
// - `quoteUnitsPerTickLot` is an exact positive integer for spot and linear instruments:
//   ticks * lots * quoteUnitsPerTickLot = quote units of notional. For inverse contracts it is 0
//   and `contractQuoteUnits` (an exact integer) is the quote notional of one lot.
// - If the configured decimals cannot represent a factor exactly, construction throws (pick more
//   decimals) rather than rounding: the core never holds an inexact unit factor.
// - Every instrument of a table has a distinct `id` equal to its index (the engine's instrument
//   ids, shared by all venues, as in the wire's `instrument_id`).
import type { Side } from '../venues/types.js';

export type { Side };

/** +1 for a buy, -1 for a sell. */
export function sideSign(side: Side): 1 | -1 {
  return side === 'buy' ? 1 : -1;
}

export function oppositeSide(side: Side): Side {
  return side === 'buy' ? 'sell' : 'buy';
}

/** What the core needs to know about one tradable instrument. Immutable. */
export interface Tradable {
  /** Engine-wide instrument id (index in the TradableTable). */
  readonly id: number;
  /** Engine venue id (index of the venue in the configuration). */
  readonly venue: number;
  /** For logs and reports only. */
  readonly symbol: string;
  /** Asset ids (index in the configuration's asset list). */
  readonly base: number;
  readonly quote: number;
  /** 'spot' moves balances of base and quote; 'derivative' holds a position settled in `settle`. */
  readonly kind: 'spot' | 'derivative';
  readonly inverse: boolean;
  /** Asset in which PnL and margin of a derivative settle (quote for linear, base for inverse). */
  readonly settle: number;
  /** Base units per lot (0 for inverse). */
  readonly baseUnitsPerLot: number;
  /** Quote units per (tick x lot) (0 for inverse). */
  readonly quoteUnitsPerTickLot: number;
  /** Inverse only: quote units of notional per lot (contract value in quote units). */
  readonly contractQuoteUnits: number;
  /**
   * Inverse only: base units of one lot at a price of one tick, so that
   * base units of `lots` at `ticks` = lots * inverseBaseK / ticks (a double; rounded where used).
   */
  readonly inverseBaseK: number;
  /** Smallest order size in lots (>= 1). */
  readonly minQtyLots: number;
  /** Price of one tick as a double (quote currency per venue unit): ratios and bands only. */
  readonly tickValue: number;
}

/** A rational number m / 10^d with m a BigInt (cold path only). */
interface Dec {
  m: bigint;
  d: number;
}

function parseDec(s: string, what: string): Dec {
  const t = s.trim();
  const match = /^([+]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (match === null || (match[2] === '' && (match[3] ?? '') === '')) throw new TradableError(`${what}: not a decimal: ${JSON.stringify(s)}`);
  const int = match[2] ?? '';
  const frac = match[3] ?? '';
  let d = frac.length - Number(match[4] ?? '0');
  let m = BigInt((int + frac).replace(/^0+(?=\d)/, '') || '0');
  if (d < 0) {
    m *= 10n ** BigInt(-d);
    d = 0;
  }
  return { m, d };
}

function mulDec(a: Dec, b: Dec): Dec {
  return { m: a.m * b.m, d: a.d + b.d };
}

/** Exact integer value of a Dec, or throws naming `what` when it is not a whole number. */
function exactInt(x: Dec, what: string): number {
  const p = 10n ** BigInt(x.d);
  if (x.m % p !== 0n) throw new TradableError(`${what} is not a whole number of units (increase the asset decimals)`);
  const v = x.m / p;
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new TradableError(`${what} exceeds 2^53 - 1`);
  return Number(v);
}

export class TradableError extends Error {
  override readonly name = 'TradableError';
}

/** Inputs of `makeTradable`: the venue's decimal strings plus the configuration's asset scales. */
export interface TradableInput {
  readonly id: number;
  readonly venue: number;
  readonly symbol: string;
  readonly base: number;
  readonly quote: number;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
  readonly kind: 'spot' | 'derivative';
  readonly contractType: 'linear' | 'inverse' | 'none';
  /** Venue decimal strings. */
  readonly tickSize: string;
  readonly lotSize: string;
  /** Contract value ('1' for spot and Binance linear; OKX ctVal). Base for linear, quote for inverse. */
  readonly contractValue?: string;
  /** Extra factor from the venue's base unit to the asset's unit (e.g. '31.1034768' oz -> g). */
  readonly unitFactor?: string;
  readonly minQtyLots?: number;
}

/** Builds a Tradable with exact integer factors (throws TradableError when not representable). */
export function makeTradable(x: TradableInput): Tradable {
  const tick = parseDec(x.tickSize, `${x.symbol} tickSize`);
  const lot = parseDec(x.lotSize, `${x.symbol} lotSize`);
  const cv = parseDec(x.contractValue ?? '1', `${x.symbol} contractValue`);
  const uf = parseDec(x.unitFactor ?? '1', `${x.symbol} unitFactor`);
  if (tick.m <= 0n || lot.m <= 0n || cv.m <= 0n || uf.m <= 0n) throw new TradableError(`${x.symbol}: tick, lot, contract value and unit factor must be > 0`);
  const bScale: Dec = { m: 10n ** BigInt(x.baseDecimals), d: 0 };
  const qScale: Dec = { m: 10n ** BigInt(x.quoteDecimals), d: 0 };
  const inverse = x.contractType === 'inverse';
  let baseUnitsPerLot = 0;
  let quoteUnitsPerTickLot = 0;
  let contractQuoteUnits = 0;
  let inverseBaseK = 0;
  if (inverse) {
    // one lot = lot * cv quote; its base amount at price p = lot * cv / p * unitFactor
    contractQuoteUnits = exactInt(mulDec(mulDec(lot, cv), qScale), `${x.symbol} contract quote units per lot`);
    const numer = mulDec(mulDec(mulDec(lot, cv), uf), bScale);
    inverseBaseK = Number(numer.m) / 10 ** numer.d / (Number(tick.m) / 10 ** tick.d);
  } else {
    baseUnitsPerLot = exactInt(mulDec(mulDec(mulDec(lot, cv), uf), bScale), `${x.symbol} base units per lot`);
    quoteUnitsPerTickLot = exactInt(mulDec(mulDec(mulDec(tick, lot), cv), qScale), `${x.symbol} quote units per tick-lot`);
  }
  return {
    id: x.id,
    venue: x.venue,
    symbol: x.symbol,
    base: x.base,
    quote: x.quote,
    kind: x.kind,
    inverse,
    settle: inverse ? x.base : x.quote,
    baseUnitsPerLot,
    quoteUnitsPerTickLot,
    contractQuoteUnits,
    inverseBaseK,
    minQtyLots: Math.max(1, x.minQtyLots ?? 1),
    tickValue: Number(tick.m) / 10 ** tick.d,
  };
}

/** Base units of `lots` of an instrument (inverse: at `priceTicks`, rounded to the nearest unit). */
export function baseUnits(t: Tradable, lots: number, priceTicks: number): number {
  if (!t.inverse) return lots * t.baseUnitsPerLot;
  if (!(priceTicks > 0)) return NaN;
  return Math.round((lots * t.inverseBaseK) / priceTicks);
}

/** Quote notional in quote units of `lots` at `priceTicks` (inverse: independent of price). */
export function notionalUnits(t: Tradable, lots: number, priceTicks: number): number {
  return t.inverse ? lots * t.contractQuoteUnits : priceTicks * lots * t.quoteUnitsPerTickLot;
}

/** Instruments by engine id. Ids are dense: the instrument at index i has id i. */
export class TradableTable {
  private readonly list: Tradable[] = [];

  constructor(items: readonly Tradable[] = []) {
    for (const t of items) this.add(t);
  }

  add(t: Tradable): void {
    if (t.id !== this.list.length) throw new TradableError(`instrument id ${t.id} must equal its index ${this.list.length}`);
    this.list.push(t);
  }

  get size(): number {
    return this.list.length;
  }

  /** The instrument with this id (throws on an unknown id: a programming error). */
  get(id: number): Tradable {
    const t = this.list[id];
    if (t === undefined) throw new RangeError(`unknown instrument id ${id}`);
    return t;
  }

  /** The instrument with this id, or undefined (untrusted ids). */
  find(id: number): Tradable | undefined {
    return this.list[id];
  }

  all(): readonly Tradable[] {
    return this.list;
  }
}
