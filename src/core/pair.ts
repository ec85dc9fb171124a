// A configured arbitrage pair turned into exact integer factors for the trigger and the sizing
// code: legs A and B (an Instrument each), how a tick of each leg compares with the other, and how
// a lot of each leg converts into units of the pair's base asset.
//
// Units:
// - Prices are integer ticks of each leg's instrument. For the `spread` and `counter_price`
//   triggers both legs must quote the same currency per the same unit; their prices are compared
//   in a common price step (the greatest common divisor of both tick sizes, e.g. ticks 0.01 and
//   0.1 -> 0.01), so one A tick = `commonPerTick` common steps (an exact integer).
// - Base amounts are integer "atoms" of the pair's base asset: 10^-baseDecimals of the asset's unit
//   (BTC with 8 decimals -> 1 atom = 1e-8 BTC; gold measured in grams with 3 decimals -> 1 mg).
//   This is the asset-unit convention of `tradable.ts`, so pair positions and residuals read the
//   same as the positions module.
// - Spot and linear legs: base atoms = lots * `perLotAtoms` (exact positive integer:
//   lot * contractValue * unitFactor * 10^baseDecimals). Construction throws when that is not a
//   whole number (pick more decimals for the asset) rather than rounding.
// - Inverse legs (contract value in quote): base atoms of `lots` at `ticks` =
//   lots * invNum / (ticks * invDen), a reduced exact rational; rounded where an integer is
//   needed (`baseAtoms`: half up; depth capacity: down).
// - `unitFactor` converts the venue's unit of base into the asset's unit (a troy-ounce venue
//   quoting gold measured in grams: 31.1034768). For a `ratio` pair, leg B's price converts into
//   leg A's price unit by k = fx * unitFactorA / unitFactorB (fx = A currency per B currency).
//
// Invariants: built once on the cold path (BigInt is used here only); immutable afterwards; every
// integer factor is a safe integer (construction throws a PairSpecError naming the field otherwise).
import { DecimalScale } from './decimal.js';
import { gcd, MAX_DIVISOR, mulDivFloor, mulDivRound } from './exact.js';
import type { Instrument } from './instrument.js';

export type TriggerType = 'spread' | 'counter_price' | 'ratio';
/** Unit of the open/close thresholds: price difference in the legs' quote currency, or basis points. */
export type ThresholdUnit = 'price' | 'bps';
/** How sizing judges depth: the VWAP edge of the whole quantity, or every marginal unit. */
export type SizingEdge = 'vwap' | 'marginal';

export const TRIGGER_SPREAD = 0;
export const TRIGGER_COUNTER_PRICE = 1;
export const TRIGGER_RATIO = 2;

/** Buy A, sell B (profits when B's bid is above A's ask). */
export const DIR_AB = 1;
/** Buy B, sell A. */
export const DIR_BA = -1;
export type Direction = typeof DIR_AB | typeof DIR_BA;

export class PairSpecError extends Error {
  constructor(
    /** Field of the pair spec (e.g. 'a.unitFactor', 'open'). */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'PairSpecError';
  }
}

export interface LegSpec {
  readonly instrument: Instrument;
  /** Fee rates as decimal strings ('0.001' = 10 bps; negative maker = rebate). */
  readonly takerFee: string;
  readonly makerFee: string;
  /** Currency of the leg's prices (normally the instrument's quote). */
  readonly currency: string;
  /** Asset units per one venue unit of base (exact decimal string; '1' when the same unit). */
  readonly unitFactor: string;
}

export interface PairSpec {
  readonly id: string;
  readonly trigger: TriggerType;
  readonly thresholdUnit: ThresholdUnit;
  /** Open when the edge of a trade that moves the position away from the target is >= open. */
  readonly open: string;
  /**
   * Close (trade toward the target) when the width measured at the closing prices is <= close,
   * i.e. when the edge of the closing trade is >= -close. `close` < `open` (hysteresis).
   */
  readonly close: string;
  readonly a: LegSpec;
  readonly b: LegSpec;
  /** The pair's base asset (both legs hedge amounts of it) and its decimals (atoms). */
  readonly baseAsset: string;
  readonly baseDecimals: number;
  /** Base asset amounts (decimal strings in the asset's unit). */
  readonly sizePerTrade: string;
  readonly positionTarget: string;
  readonly positionMax: string;
  /** Directions allowed to OPEN (closing toward the target is always allowed). */
  readonly openAB: boolean;
  readonly openBA: boolean;
  /** ratio only: the neutral value of A / (k * B) (default '1'). */
  readonly fairRatio?: string;
  /** ratio only: true when the FX source quotes B's currency per A's (the pair uses 1 / rate). */
  readonly invertFx?: boolean;
  readonly sizingEdge?: SizingEdge;
  /** Depth levels per book that sizing and the counter-price VWAP may walk (default 50). */
  readonly maxLevels?: number;
}

/** Exact rational m / 10^d (cold path only). */
interface Dec {
  m: bigint;
  d: number;
}

function parseDec(s: string, field: string, allowNegative = false): Dec {
  if (typeof s !== 'string') throw new PairSpecError(field, `expected a decimal string, found ${typeof s}`);
  const t = s.trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (match === null || ((match[2] ?? '') === '' && (match[3] ?? '') === '')) throw new PairSpecError(field, `not a decimal: ${JSON.stringify(s)}`);
  const neg = match[1] === '-';
  if (neg && !allowNegative) throw new PairSpecError(field, `must not be negative: ${s}`);
  const int = match[2] ?? '';
  const frac = match[3] ?? '';
  let d = frac.length - Number(match[4] ?? '0');
  let m = BigInt(int + frac === '' ? '0' : int + frac);
  if (d < 0) {
    m *= 10n ** BigInt(-d);
    d = 0;
  }
  while (d > 0 && m % 10n === 0n && m !== 0n) {
    m /= 10n;
    d--;
  }
  if (m === 0n) d = 0;
  return { m: neg ? -m : m, d };
}

function mul(a: Dec, b: Dec): Dec {
  let m = a.m * b.m;
  let d = a.d + b.d;
  while (d > 0 && m % 10n === 0n) {
    m /= 10n;
    d--;
  }
  return { m, d: m === 0n ? 0 : d };
}

/** a / b as a reduced fraction of BigInts (b > 0). */
function ratio(a: Dec, b: Dec): { n: bigint; d: bigint } {
  let n = a.m * 10n ** BigInt(b.d);
  let d = b.m * 10n ** BigInt(a.d);
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = bgcd(n < 0n ? -n : n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

function bgcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n !== d < 0n ? q - 1n : q;
}

function ceilDiv(n: bigint, d: bigint): bigint {
  return -floorDiv(-n, d);
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function safe(v: bigint, field: string, what: string): number {
  if (v > SAFE || v < -SAFE) throw new PairSpecError(field, `${what} exceeds 2^53 (${v})`);
  return Number(v);
}

function decToNumber(x: Dec): number {
  return Number(x.m) / 10 ** x.d;
}

/** One leg, ready for integer arithmetic. Immutable. */
export class LegModel {
  readonly instrument: Instrument;
  readonly inverse: boolean;
  /** Base atoms per lot (spot / linear); 0 for inverse legs. */
  readonly perLotAtoms: number;
  /** Inverse legs: base atoms = lots * invNum / (ticks * invDen); both 0 for linear legs. */
  readonly invNum: number;
  readonly invDen: number;
  /** Common price steps per tick of this leg (spread / counter_price pairs; 0 for ratio). */
  readonly commonPerTick: number;
  /** Price of one tick as a double, in the leg's currency per venue unit (display, ratio). */
  readonly tickValue: number;
  readonly takerFee: number;
  readonly makerFee: number;
  readonly currency: string;
  /** unitFactor as a double (price conversion of ratio pairs). */
  readonly unitFactor: number;

  constructor(
    readonly index: 0 | 1,
    spec: LegSpec,
    baseDecimals: number,
    commonPerTick: number,
  ) {
    const leg = index === 0 ? 'a' : 'b';
    const ins = spec.instrument;
    this.instrument = ins;
    this.inverse = ins.isInverse;
    this.currency = spec.currency;
    const lot = parseDec(ins.spec.lotSize, `${leg}.instrument.lotSize`);
    const tick = parseDec(ins.spec.tickSize, `${leg}.instrument.tickSize`);
    const cv = parseDec(ins.spec.contractValue || '1', `${leg}.instrument.contractValue`);
    const uf = parseDec(spec.unitFactor, `${leg}.unitFactor`);
    if (uf.m <= 0n) throw new PairSpecError(`${leg}.unitFactor`, 'must be > 0');
    const scale: Dec = { m: 10n ** BigInt(baseDecimals), d: 0 };
    if (this.inverse) {
      // atoms of one lot at price p: lot * cv / p * uf * 10^D, with p = ticks * tick
      const r = ratio(mul(mul(mul(lot, cv), uf), scale), tick);
      if (r.n > BigInt(MAX_DIVISOR) || r.d > BigInt(MAX_DIVISOR)) {
        throw new PairSpecError(`${leg}.instrument`, 'inverse contract factor exceeds 2^52 (fewer base decimals?)');
      }
      this.perLotAtoms = 0;
      this.invNum = Number(r.n);
      this.invDen = Number(r.d);
    } else {
      const per = mul(mul(mul(lot, cv), uf), scale);
      if (per.d > 0) {
        throw new PairSpecError(
          `${leg}.instrument.lotSize`,
          `one lot (${ins.spec.lotSize} x contract value ${ins.spec.contractValue || '1'} x unit factor ${spec.unitFactor}) is not a whole number of 1e-${baseDecimals} base units: give the base asset more decimals`,
        );
      }
      this.perLotAtoms = safe(per.m, `${leg}.instrument.lotSize`, 'base atoms per lot');
      if (this.perLotAtoms <= 0) throw new PairSpecError(`${leg}.instrument.lotSize`, 'must be > 0');
      this.invNum = 0;
      this.invDen = 0;
    }
    this.commonPerTick = commonPerTick;
    this.tickValue = decToNumber(tick);
    this.takerFee = decToNumber(parseDec(spec.takerFee, `${leg}.takerFee`, true));
    this.makerFee = decToNumber(parseDec(spec.makerFee, `${leg}.makerFee`, true));
    if (!(this.takerFee > -0.01 && this.takerFee < 0.01) || !(this.makerFee > -0.01 && this.makerFee < 0.01)) {
      throw new PairSpecError(`${leg}.fees`, 'fee rates must be within (-1%, 1%)');
    }
    this.unitFactor = decToNumber(uf);
  }

  /**
   * Base atoms of `lots` at `ticks` (ticks only matter for inverse legs; rounded half up there).
   * NaN when a price is needed and missing, or on overflow.
   */
  baseAtoms(lots: number, ticks: number): number {
    if (!this.inverse) return lots * this.perLotAtoms;
    if (!(ticks > 0)) return NaN;
    const den = ticks * this.invDen;
    if (den > MAX_DIVISOR) return NaN;
    return mulDivRound(lots, this.invNum, den);
  }

  /** Base atoms of `lots` at `ticks`, rounded down (depth capacity). */
  baseAtomsFloor(lots: number, ticks: number): number {
    if (!this.inverse) return lots * this.perLotAtoms;
    if (!(ticks > 0)) return NaN;
    const den = ticks * this.invDen;
    if (den > MAX_DIVISOR) return NaN;
    return mulDivFloor(lots, this.invNum, den);
  }

  /** Lots nearest to `atoms` base atoms (ties up) at `ticks`. NaN on overflow / missing price. */
  lotsNearest(atoms: number, ticks: number): number {
    if (atoms <= 0) return 0;
    if (!this.inverse) {
      const r = atoms % this.perLotAtoms;
      const q = (atoms - r) / this.perLotAtoms;
      return 2 * r >= this.perLotAtoms ? q + 1 : q;
    }
    if (!(ticks > 0)) return NaN;
    // lots = atoms * ticks * invDen / invNum
    const m = ticks * this.invDen;
    if (m > Number.MAX_SAFE_INTEGER) return NaN;
    return mulDivRound(atoms, m, this.invNum);
  }

  /** Whole lots that hold at most `atoms` base atoms at `ticks`. NaN on overflow / missing price. */
  lotsFloor(atoms: number, ticks: number): number {
    if (atoms <= 0) return 0;
    if (!this.inverse) {
      const r = atoms % this.perLotAtoms;
      return (atoms - r) / this.perLotAtoms;
    }
    if (!(ticks > 0)) return NaN;
    const m = ticks * this.invDen;
    if (m > Number.MAX_SAFE_INTEGER) return NaN;
    return mulDivFloor(atoms, m, this.invNum);
  }
}

/** A pair ready for evaluation. Immutable; build once per configuration. */
export class PairModel {
  readonly id: string;
  readonly trigger: 0 | 1 | 2;
  readonly triggerType: TriggerType;
  readonly thresholdUnit: ThresholdUnit;
  readonly bps: boolean;
  readonly a: LegModel;
  readonly b: LegModel;
  readonly baseAsset: string;
  readonly baseDecimals: number;
  /** Common price step (spread / counter_price pairs), e.g. '0.01'; '' for ratio pairs. */
  readonly commonStep: string;
  /** The common step as a double (display). */
  readonly commonStepValue: number;
  /**
   * Thresholds in evaluation units: spread -> common price steps (open rounded UP, close rounded
   * DOWN to whole steps, so integer comparisons are exact); counter_price 'price' -> common steps
   * as a double; 'bps' -> basis points.
   */
  readonly openThreshold: number;
  readonly closeThreshold: number;
  /** The thresholds as configured (decimal strings), for the journal. */
  readonly openText: string;
  readonly closeText: string;
  readonly sizePerTradeAtoms: number;
  readonly positionTargetAtoms: number;
  readonly positionMaxAtoms: number;
  readonly openAB: boolean;
  readonly openBA: boolean;
  readonly fairRatio: number;
  /** ratio pairs: unitFactorA / unitFactorB (leg B price -> leg A price unit, before FX). */
  readonly unitRatio: number;
  /** ratio pairs: whether an FX rate is needed (the legs' currencies differ). */
  readonly needsFx: boolean;
  readonly invertFx: boolean;
  readonly sizingEdge: SizingEdge;
  readonly maxLevels: number;
  /** Fees enter the edge (counter_price only: spread and ratio are gross signals). */
  readonly netOfFees: boolean;

  constructor(spec: PairSpec) {
    this.id = spec.id;
    this.triggerType = spec.trigger;
    this.trigger = spec.trigger === 'spread' ? TRIGGER_SPREAD : spec.trigger === 'counter_price' ? TRIGGER_COUNTER_PRICE : spec.trigger === 'ratio' ? TRIGGER_RATIO : (-1 as never);
    if ((this.trigger as number) < 0) throw new PairSpecError('trigger', `unknown trigger ${JSON.stringify(spec.trigger)}`);
    this.thresholdUnit = spec.thresholdUnit;
    if (spec.trigger === 'spread' && spec.thresholdUnit !== 'price') throw new PairSpecError('thresholdUnit', "a spread trigger's thresholds are in price units");
    if (spec.trigger === 'ratio' && spec.thresholdUnit !== 'bps') throw new PairSpecError('thresholdUnit', "a ratio trigger's thresholds are in basis points");
    if (spec.thresholdUnit !== 'price' && spec.thresholdUnit !== 'bps') throw new PairSpecError('thresholdUnit', 'price or bps');
    this.bps = spec.thresholdUnit === 'bps';
    this.netOfFees = spec.trigger === 'counter_price';
    if (!Number.isInteger(spec.baseDecimals) || spec.baseDecimals < 0 || spec.baseDecimals > 15) {
      throw new PairSpecError('baseDecimals', 'an integer in [0, 15]');
    }
    this.baseAsset = spec.baseAsset;
    this.baseDecimals = spec.baseDecimals;
    const ia = spec.a.instrument;
    const ib = spec.b.instrument;

    // common price step for price comparisons
    let common = '';
    let perA = 0;
    let perB = 0;
    if (spec.trigger !== 'ratio') {
      if (spec.a.currency !== spec.b.currency) {
        throw new PairSpecError('b.currency', `a ${spec.trigger} trigger compares prices directly: both legs must quote the same currency (${spec.a.currency} vs ${spec.b.currency}); use a ratio trigger with an FX source`);
      }
      const ua = parseDec(spec.a.unitFactor, 'a.unitFactor');
      const ub = parseDec(spec.b.unitFactor, 'b.unitFactor');
      if (ua.m !== ub.m || ua.d !== ub.d) {
        throw new PairSpecError('b.unitFactor', `a ${spec.trigger} trigger compares prices directly: both legs must quote per the same unit; use a ratio trigger`);
      }
      const ta = new DecimalScale(ia.spec.tickSize);
      const tb = new DecimalScale(ib.spec.tickSize);
      const cd = Math.max(ta.decimals, tb.decimals);
      const ma = ta.stepMantissa * 10 ** (cd - ta.decimals);
      const mb = tb.stepMantissa * 10 ** (cd - tb.decimals);
      if (!Number.isSafeInteger(ma) || !Number.isSafeInteger(mb)) throw new PairSpecError('a.instrument.tickSize', 'tick sizes too far apart to compare exactly');
      const g = gcd(ma, mb);
      perA = ma / g;
      perB = mb / g;
      common = new DecimalScale(cd === 0 ? String(g) : (g / 10 ** cd).toFixed(cd)).step;
    }
    this.commonStep = common;
    this.commonStepValue = common === '' ? NaN : Number(common);
    this.a = new LegModel(0, spec.a, spec.baseDecimals, perA);
    this.b = new LegModel(1, spec.b, spec.baseDecimals, perB);

    // thresholds
    const open = parseDec(spec.open, 'open', true);
    const close = parseDec(spec.close, 'close', true);
    this.openText = spec.open;
    this.closeText = spec.close;
    const lt = open.d === close.d ? open.m <= close.m : open.m * 10n ** BigInt(close.d) <= close.m * 10n ** BigInt(open.d);
    if (lt) throw new PairSpecError('close', `must be below open (${spec.close} >= ${spec.open}): the band between them is the hysteresis`);
    if (this.trigger === TRIGGER_SPREAD) {
      const step = parseDec(common, 'commonStep');
      const ro = ratio(open, step);
      const rc = ratio(close, step);
      this.openThreshold = safe(ceilDiv(ro.n, ro.d), 'open', 'threshold in price steps');
      this.closeThreshold = safe(floorDiv(rc.n, rc.d), 'close', 'threshold in price steps');
    } else if (!this.bps) {
      const step = parseDec(common, 'commonStep');
      const ro = ratio(open, step);
      const rc = ratio(close, step);
      this.openThreshold = Number(ro.n) / Number(ro.d);
      this.closeThreshold = Number(rc.n) / Number(rc.d);
    } else {
      this.openThreshold = decToNumber(open);
      this.closeThreshold = decToNumber(close);
    }

    // base amounts
    const scale: Dec = { m: 10n ** BigInt(spec.baseDecimals), d: 0 };
    const atoms = (s: string, field: string, allowNeg: boolean, round: 'floor' | 'exact'): number => {
      const v = mul(parseDec(s, field, allowNeg), scale);
      const den = 10n ** BigInt(v.d);
      if (round === 'exact' && v.m % den !== 0n) throw new PairSpecError(field, `${s} is not a whole number of 1e-${spec.baseDecimals} ${spec.baseAsset}`);
      return safe(floorDiv(v.m, den), field, 'base amount');
    };
    this.sizePerTradeAtoms = atoms(spec.sizePerTrade, 'sizePerTrade', false, 'floor');
    this.positionTargetAtoms = atoms(spec.positionTarget, 'positionTarget', true, 'exact');
    this.positionMaxAtoms = atoms(spec.positionMax, 'positionMax', false, 'floor');
    if (this.sizePerTradeAtoms <= 0) throw new PairSpecError('sizePerTrade', `must be at least 1e-${spec.baseDecimals} ${spec.baseAsset}`);
    if (Math.abs(this.positionTargetAtoms) > this.positionMaxAtoms) throw new PairSpecError('positionTarget', 'must be within [-max, max]');
    this.openAB = spec.openAB;
    this.openBA = spec.openBA;

    // ratio
    this.fairRatio = decToNumber(parseDec(spec.fairRatio ?? '1', 'fairRatio'));
    if (!(this.fairRatio > 0)) throw new PairSpecError('fairRatio', 'must be > 0');
    this.unitRatio = this.a.unitFactor / this.b.unitFactor;
    this.needsFx = spec.trigger === 'ratio' && spec.a.currency !== spec.b.currency;
    this.invertFx = spec.invertFx === true;
    this.sizingEdge = spec.sizingEdge ?? 'vwap';
    if (this.sizingEdge !== 'vwap' && this.sizingEdge !== 'marginal') throw new PairSpecError('sizingEdge', 'vwap or marginal');
    this.maxLevels = spec.maxLevels ?? 50;
    if (!Number.isInteger(this.maxLevels) || this.maxLevels < 1) throw new PairSpecError('maxLevels', 'an integer >= 1');
  }

  leg(i: 0 | 1): LegModel {
    return i === 0 ? this.a : this.b;
  }

  /** Base atoms as a double amount of the base asset (display, journal). */
  atomsToAmount(atoms: number): number {
    return atoms / 10 ** this.baseDecimals;
  }
}
