// Sizing and quantity alignment: how much to trade once a trigger fired, and how many lots of each
// leg hedge the same base amount.
//
// Sizing (`Sizer.size`): walk both books level by level (the buy leg's asks and the sell leg's
// bids, best first, at most `maxLevels` each) in base atoms, segment by segment (a segment ends
// where either level runs out). For each segment the surplus per base atom over the threshold is
//   u = sellPx * mulSell * fSell - buyPx * mulBuy * fBuy * tBps - tPrice
// (f = 1 -/+ taker fee for counter_price, else 1; tBps = 1 + threshold / 1e4 for bps thresholds,
// else 1 and tPrice = the threshold). The trade's edge clears the threshold iff the summed surplus
// is >= 0 ('vwap' mode: the VWAP edge of the whole quantity) or every segment's u >= 0
// ('marginal' mode). The walk stops at the first quantity that would break the rule (marginal
// edges only get worse deeper in the books, so nothing further can qualify), at the caps (size
// per trade, room under the position maximum when opening, distance to the target when closing,
// an external cap from risk), or where a book ends. For the spread trigger every term is an
// integer (common price steps), so the comparison is exact.
//
// Alignment (`alignLegs`, `hedgeLots`): both legs hedge the same base amount across different
// lot steps, contract values (linear: base per lot fixed; inverse: base = contracts * ctVal /
// price, evaluated at a reference price), and units. The coarser leg (more base per lot) takes
// floor(base / its lot); the finer leg takes the nearest whole lots to the coarse leg's base plus
// the carried residual. The new residual (signed base atoms the legs failed to match, + = the
// pair is net long base) is reported and must be passed to the next trade. Everything is in
// integer lots and base atoms; inverse conversions are exact rationals rounded half up to an atom.
//
// Invariants:
// - No allocation per call: results are written into reused objects.
// - Quantities are integers; with zero carry the aligned legs differ by at most one lot of the
//   coarser leg in base terms (half a lot of the finer leg for spot / linear legs), and the
//   residual after a trade is at most half a fine lot for linear legs.
// - A trade that cannot meet either venue's minimum quantity or minimum notional is not proposed
//   (ok = false with a reason code), never silently rounded up.
import type { BookSide, OrderBook } from './book.js';
import { DIR_AB, type Direction, type LegModel, type PairModel } from './pair.js';
import { TriggerAction, type TriggerActionCode, type TriggerResult } from './triggers.js';

export const SizingReason = {
  OK: 0,
  /** The trigger did not fire. */
  NO_SIGNAL: 1,
  /** Not even the first base atom clears the threshold at the books' prices. */
  NO_EDGE_AT_DEPTH: 2,
  /** A cap (size per trade, position room, external) is zero. */
  CAPPED: 3,
  /** The quantity is smaller than one lot of the coarser leg. */
  BELOW_ONE_LOT: 4,
  BELOW_MIN_QTY: 5,
  BELOW_MIN_NOTIONAL: 6,
  /** A book is empty, or lacks the lots the aligned leg needs (within maxLevels). */
  INSUFFICIENT_DEPTH: 7,
  /** A quantity left the exact integer range. */
  OVERFLOW: 8,
} as const;
export type SizingReasonCode = (typeof SizingReason)[keyof typeof SizingReason];
const SIZING_REASON_NAMES = ['OK', 'NO_SIGNAL', 'NO_EDGE_AT_DEPTH', 'CAPPED', 'BELOW_ONE_LOT', 'BELOW_MIN_QTY', 'BELOW_MIN_NOTIONAL', 'INSUFFICIENT_DEPTH', 'OVERFLOW'] as const;
export function sizingReasonName(code: number): string {
  return SIZING_REASON_NAMES[code] ?? 'UNKNOWN';
}

/** What bounded the walked quantity. */
export const SizingLimit = {
  NONE: 0,
  SIZE_PER_TRADE: 1,
  POSITION: 2,
  EXTERNAL: 3,
  /** A book ran out (or maxLevels was reached). */
  DEPTH: 4,
  /** The edge at deeper levels no longer clears the threshold. */
  THRESHOLD: 5,
} as const;
export type SizingLimitCode = (typeof SizingLimit)[keyof typeof SizingLimit];
const SIZING_LIMIT_NAMES = ['NONE', 'SIZE_PER_TRADE', 'POSITION', 'EXTERNAL', 'DEPTH', 'THRESHOLD'] as const;
export function sizingLimitName(code: number): string {
  return SIZING_LIMIT_NAMES[code] ?? 'UNKNOWN';
}

/** Both legs of an aligned trade (reused output of alignLegs / hedgeLots). */
export class Alignment {
  ok = false;
  reason: SizingReasonCode = SizingReason.OK;
  /** The leg whose lots were fixed first (the coarser one, or the hedged-from leg). */
  fixedLeg: 0 | 1 = 0;
  lotsA = 0;
  lotsB = 0;
  /** Base atoms of each leg (inverse legs at their reference price, rounded half up). */
  atomsA = 0;
  atomsB = 0;
  carryInAtoms = 0;
  /** Signed base atoms left unmatched after this trade (+ = net long base): the next carry. */
  residualAtoms = 0;

  reset(carry: number): void {
    this.ok = false;
    this.reason = SizingReason.OK;
    this.fixedLeg = 0;
    this.lotsA = 0;
    this.lotsB = 0;
    this.atomsA = 0;
    this.atomsB = 0;
    this.carryInAtoms = carry;
    this.residualAtoms = carry;
  }
}

/**
 * Aligns a trade of `baseAtoms` in direction `dir`: the coarser leg takes floor(base / lot), the
 * finer leg the nearest lots to the coarse leg's base plus `carryAtoms` (the residual of the
 * previous trade). `refTicksA/B` price inverse legs (ignored for linear legs).
 */
export function alignLegs(model: PairModel, dir: Direction, baseAtoms: number, carryAtoms: number, refTicksA: number, refTicksB: number, out: Alignment): Alignment {
  out.reset(carryAtoms);
  const a = model.a;
  const b = model.b;
  const perA = a.inverse ? a.baseAtoms(1, refTicksA) : a.perLotAtoms;
  const perB = b.inverse ? b.baseAtoms(1, refTicksB) : b.perLotAtoms;
  if (perA !== perA || perB !== perB) return fail(out, SizingReason.OVERFLOW);
  const coarse: 0 | 1 = perA >= perB ? 0 : 1;
  const c = coarse === 0 ? a : b;
  const cTicks = coarse === 0 ? refTicksA : refTicksB;
  const lotsC = c.lotsFloor(baseAtoms, cTicks);
  if (lotsC !== lotsC) return fail(out, SizingReason.OVERFLOW);
  if (lotsC <= 0) return fail(out, SizingReason.BELOW_ONE_LOT);
  return matchOther(model, dir, coarse, lotsC, refTicksA, refTicksB, carryAtoms, out);
}

/**
 * Hedge of a fill: `lots` filled (or to be placed) on `fromLeg` at `fromTicks`; returns the other
 * leg's nearest lots (at `toTicks` for an inverse leg) that hedge the same base plus the carry.
 */
export function hedgeLots(model: PairModel, dir: Direction, fromLeg: 0 | 1, lots: number, fromTicks: number, toTicks: number, carryAtoms: number, out: Alignment): Alignment {
  out.reset(carryAtoms);
  if (!(lots > 0)) return fail(out, SizingReason.BELOW_ONE_LOT);
  const ta = fromLeg === 0 ? fromTicks : toTicks;
  const tb = fromLeg === 0 ? toTicks : fromTicks;
  return matchOther(model, dir, fromLeg, lots, ta, tb, carryAtoms, out);
}

function matchOther(model: PairModel, dir: Direction, fixed: 0 | 1, lotsFixed: number, ticksA: number, ticksB: number, carry: number, out: Alignment): Alignment {
  const fx = fixed === 0 ? model.a : model.b;
  const other = fixed === 0 ? model.b : model.a;
  const fTicks = fixed === 0 ? ticksA : ticksB;
  const oTicks = fixed === 0 ? ticksB : ticksA;
  const atomsFixed = fx.baseAtoms(lotsFixed, fTicks);
  if (!(atomsFixed === atomsFixed) || !Number.isSafeInteger(atomsFixed)) return fail(out, SizingReason.OVERFLOW);
  // sign of the fixed leg's base change: A is bought in direction AB
  const sA = dir === DIR_AB ? 1 : -1;
  const sFixed = fixed === 0 ? sA : -sA;
  // want carry + sFixed * atomsFixed + sOther * atomsOther = 0, sOther = -sFixed
  const target = atomsFixed + sFixed * carry;
  const lotsOther = target > 0 ? other.lotsNearest(target, oTicks) : 0;
  if (lotsOther !== lotsOther) return fail(out, SizingReason.OVERFLOW);
  const atomsOther = lotsOther > 0 ? other.baseAtoms(lotsOther, oTicks) : 0;
  if (atomsOther !== atomsOther) return fail(out, SizingReason.OVERFLOW);
  out.fixedLeg = fixed;
  if (fixed === 0) {
    out.lotsA = lotsFixed;
    out.atomsA = atomsFixed;
    out.lotsB = lotsOther;
    out.atomsB = atomsOther;
  } else {
    out.lotsB = lotsFixed;
    out.atomsB = atomsFixed;
    out.lotsA = lotsOther;
    out.atomsA = atomsOther;
  }
  out.residualAtoms = carry + sA * out.atomsA - sA * out.atomsB;
  if (!Number.isSafeInteger(out.residualAtoms)) return fail(out, SizingReason.OVERFLOW);
  if (lotsOther <= 0) {
    out.reason = SizingReason.BELOW_ONE_LOT;
    out.ok = false;
    return out;
  }
  out.ok = true;
  return out;
}

function fail(out: Alignment, reason: SizingReasonCode): Alignment {
  out.ok = false;
  out.reason = reason;
  return out;
}

/** The reused output of `Sizer.size`. */
export class SizingResult {
  ok = false;
  reason: SizingReasonCode = SizingReason.NO_SIGNAL;
  direction = 0;
  action: TriggerActionCode = TriggerAction.NONE;
  /** Threshold (evaluation units) the walk had to clear. */
  threshold = NaN;
  /** The smallest of the caps, and which cap it was. */
  capAtoms = 0;
  limitedBy: SizingLimitCode = SizingLimit.NONE;
  /** Largest base amount whose edge clears the threshold at depth (before lot alignment). */
  walkedAtoms = 0;
  /** Book levels touched by the walk (buy side, sell side). */
  levelsBuy = 0;
  levelsSell = 0;
  /** Aligned legs. */
  readonly legs = new Alignment();
  /** Worst price each leg needs (its IOC limit before any slippage budget), ticks. */
  limitTicksA = NaN;
  limitTicksB = NaN;
  /** Expected VWAP of each leg for its aligned lots (ticks, base-weighted). */
  vwapTicksA = NaN;
  vwapTicksB = NaN;
  /** Edge of the aligned trade on those VWAPs (evaluation units, as the trigger's). */
  expectedEdge = NaN;

  get lotsA(): number {
    return this.legs.lotsA;
  }
  get lotsB(): number {
    return this.legs.lotsB;
  }
  get residualAtoms(): number {
    return this.legs.residualAtoms;
  }

  /** A plain snapshot for the journal and tests (allocates: cold path). */
  toRecord(): Record<string, number | string | boolean> {
    return {
      ok: this.ok, reason: sizingReasonName(this.reason), direction: this.direction, threshold: this.threshold,
      capAtoms: this.capAtoms, limitedBy: sizingLimitName(this.limitedBy), walkedAtoms: this.walkedAtoms,
      lotsA: this.legs.lotsA, lotsB: this.legs.lotsB, atomsA: this.legs.atomsA, atomsB: this.legs.atomsB,
      carryIn: this.legs.carryInAtoms, residual: this.legs.residualAtoms,
      limitTicksA: this.limitTicksA, limitTicksB: this.limitTicksB, vwapTicksA: this.vwapTicksA, vwapTicksB: this.vwapTicksB,
      expectedEdge: this.expectedEdge,
    };
  }
}

/** Sizes trades; one instance per engine thread (it owns the reused result). */
export class Sizer {
  readonly result = new SizingResult();
  // scratch of walkLots
  private wLimit = NaN;
  private wVwap = NaN;

  /**
   * Sizes the trade a trigger decided (`trig` must be the evaluator's result for the same books).
   * `carryAtoms` is the pair's residual from the previous trade; `extraCapAtoms` an optional cap
   * in base atoms (e.g. from risk).
   */
  size(model: PairModel, trig: TriggerResult, bookA: OrderBook, bookB: OrderBook, carryAtoms = 0, extraCapAtoms = Infinity): SizingResult {
    if (trig.action === TriggerAction.NONE || (trig.direction !== 1 && trig.direction !== -1)) {
      const r = this.result;
      this.clear(carryAtoms);
      r.reason = SizingReason.NO_SIGNAL;
      return r;
    }
    return this.sizeDirection(model, trig.direction as Direction, trig.action, trig.threshold, trig.positionAtoms, trig.mulA, trig.mulB, bookA, bookB, carryAtoms, extraCapAtoms);
  }

  /**
   * The sizing walk for an explicit direction and threshold (evaluation units, see the trigger),
   * with `mulA/mulB` the value of one tick of each leg (TriggerResult.mulA/mulB).
   */
  sizeDirection(
    model: PairModel,
    dir: Direction,
    action: TriggerActionCode,
    threshold: number,
    positionAtoms: number,
    mulA: number,
    mulB: number,
    bookA: OrderBook,
    bookB: OrderBook,
    carryAtoms = 0,
    extraCapAtoms = Infinity,
  ): SizingResult {
    const r = this.result;
    this.clear(carryAtoms);
    r.direction = dir;
    r.action = action;
    r.threshold = threshold;
    const ab = dir === DIR_AB;
    const buyLeg = ab ? model.a : model.b;
    const sellLeg = ab ? model.b : model.a;
    const buySide = ab ? bookA.asks : bookB.asks;
    const sellSide = ab ? bookB.bids : bookA.bids;
    const mulBuy = ab ? mulA : mulB;
    const mulSell = ab ? mulB : mulA;
    const fSell = model.netOfFees ? 1 - sellLeg.takerFee : 1;
    const fBuy = model.netOfFees ? 1 + buyLeg.takerFee : 1;
    const tBps = model.bps ? 1 + threshold / 10_000 : 1;
    const tPrice = model.bps ? 0 : threshold;
    const kBuy = mulBuy * fBuy * tBps;
    const kSell = mulSell * fSell;

    // caps
    let cap = model.sizePerTradeAtoms;
    let limit: SizingLimitCode = SizingLimit.SIZE_PER_TRADE;
    const p = positionAtoms;
    const room = action === TriggerAction.CLOSE ? Math.abs(p - model.positionTargetAtoms) : ab ? model.positionMaxAtoms - p : model.positionMaxAtoms + p;
    if (room < cap) {
      cap = room;
      limit = SizingLimit.POSITION;
    }
    if (extraCapAtoms < cap) {
      cap = Math.floor(extraCapAtoms);
      limit = SizingLimit.EXTERNAL;
    }
    r.capAtoms = cap > 0 ? cap : 0;
    if (!(cap > 0)) {
      r.limitedBy = limit;
      r.reason = SizingReason.CAPPED;
      return r;
    }
    if (buySide.count === 0 || sellSide.count === 0) {
      r.limitedBy = SizingLimit.DEPTH;
      r.reason = SizingReason.INSUFFICIENT_DEPTH;
      return r;
    }

    // walk both books segment by segment
    const maxLv = model.maxLevels;
    const nBuy = buySide.count < maxLv ? buySide.count : maxLv;
    const nSell = sellSide.count < maxLv ? sellSide.count : maxLv;
    const marginal = model.sizingEdge === 'marginal';
    let ib = 0;
    let is = 0;
    let pxB = buySide.pxAtDepth(0);
    let pxS = sellSide.pxAtDepth(0);
    let remB = buyLeg.baseAtomsFloor(buySide.qtyAtDepth(0), pxB);
    let remS = sellLeg.baseAtomsFloor(sellSide.qtyAtDepth(0), pxS);
    if (remB !== remB || remS !== remS) {
      r.reason = SizingReason.OVERFLOW;
      return r;
    }
    let q = 0;
    let surplus = 0;
    let sumBuy = 0;
    let sumSell = 0;
    let usedB = 0;
    let usedS = 0;
    let stop: SizingLimitCode = limit;
    for (;;) {
      if (q >= cap) {
        stop = limit;
        break;
      }
      if (remB <= 0) {
        if (++ib >= nBuy) {
          stop = SizingLimit.DEPTH;
          break;
        }
        pxB = buySide.pxAtDepth(ib);
        remB = buyLeg.baseAtomsFloor(buySide.qtyAtDepth(ib), pxB);
        if (remB !== remB) {
          r.reason = SizingReason.OVERFLOW;
          return r;
        }
        continue;
      }
      if (remS <= 0) {
        if (++is >= nSell) {
          stop = SizingLimit.DEPTH;
          break;
        }
        pxS = sellSide.pxAtDepth(is);
        remS = sellLeg.baseAtomsFloor(sellSide.qtyAtDepth(is), pxS);
        if (remS !== remS) {
          r.reason = SizingReason.OVERFLOW;
          return r;
        }
        continue;
      }
      const u = pxS * kSell - pxB * kBuy - tPrice;
      let x = remB < remS ? remB : remS;
      if (cap - q < x) x = cap - q;
      if (u < 0) {
        if (marginal) {
          stop = SizingLimit.THRESHOLD;
          break;
        }
        const after = surplus + u * x;
        if (after < 0) {
          // the largest part of this segment that keeps the summed surplus >= 0
          const part = Math.floor(surplus / -u);
          if (part > 0) {
            q += part;
            surplus += u * part;
            sumBuy += pxB * part;
            sumSell += pxS * part;
            usedB = ib + 1;
            usedS = is + 1;
          }
          stop = SizingLimit.THRESHOLD;
          break;
        }
      }
      q += x;
      surplus += u * x;
      sumBuy += pxB * x;
      sumSell += pxS * x;
      remB -= x;
      remS -= x;
      usedB = ib + 1;
      usedS = is + 1;
    }
    r.limitedBy = stop;
    r.walkedAtoms = q;
    r.levelsBuy = usedB;
    r.levelsSell = usedS;
    if (q <= 0) {
      r.reason = stop === SizingLimit.DEPTH ? SizingReason.INSUFFICIENT_DEPTH : SizingReason.NO_EDGE_AT_DEPTH;
      return r;
    }
    if (!Number.isSafeInteger(q)) {
      r.reason = SizingReason.OVERFLOW;
      return r;
    }

    // align the legs at the walked VWAPs (reference prices of inverse legs)
    const refBuy = Math.round(sumBuy / q);
    const refSell = Math.round(sumSell / q);
    const refA = ab ? refBuy : refSell;
    const refB = ab ? refSell : refBuy;
    const al = alignLegs(model, dir, q, carryAtoms, refA, refB, r.legs);
    if (!al.ok) {
      r.reason = al.reason;
      return r;
    }

    // each leg's limit price and VWAP for its aligned lots
    const aSide = ab ? bookA.asks : bookA.bids;
    const bSide = ab ? bookB.bids : bookB.asks;
    if (!this.walkLots(aSide, model.a, al.lotsA, maxLv)) return this.depthFail();
    r.limitTicksA = this.wLimit;
    r.vwapTicksA = this.wVwap;
    if (!this.walkLots(bSide, model.b, al.lotsB, maxLv)) return this.depthFail();
    r.limitTicksB = this.wLimit;
    r.vwapTicksB = this.wVwap;

    // venue minimums (notional at the limit price: what the venue checks)
    const ia = model.a.instrument;
    const ib2 = model.b.instrument;
    if (!ia.meetsMinQty(al.lotsA) || !ib2.meetsMinQty(al.lotsB)) return this.minFail(SizingReason.BELOW_MIN_QTY);
    if (!ia.meetsMinNotional(r.limitTicksA, al.lotsA) || !ib2.meetsMinNotional(r.limitTicksB, al.lotsB)) return this.minFail(SizingReason.BELOW_MIN_NOTIONAL);

    // expected edge of the aligned trade
    const buyVwap = ab ? r.vwapTicksA : r.vwapTicksB;
    const sellVwap = ab ? r.vwapTicksB : r.vwapTicksA;
    const s = sellVwap * mulSell * fSell;
    const bv = buyVwap * mulBuy * fBuy;
    r.expectedEdge = model.bps ? (s / bv - 1) * 10_000 : s - bv;
    r.ok = true;
    r.reason = SizingReason.OK;
    return r;
  }

  private clear(carry: number): void {
    const r = this.result;
    r.ok = false;
    r.reason = SizingReason.OK;
    r.direction = 0;
    r.action = TriggerAction.NONE;
    r.threshold = NaN;
    r.capAtoms = 0;
    r.limitedBy = SizingLimit.NONE;
    r.walkedAtoms = 0;
    r.levelsBuy = 0;
    r.levelsSell = 0;
    r.legs.reset(carry);
    r.limitTicksA = NaN;
    r.limitTicksB = NaN;
    r.vwapTicksA = NaN;
    r.vwapTicksB = NaN;
    r.expectedEdge = NaN;
  }

  private depthFail(): SizingResult {
    const r = this.result;
    r.legs.ok = false;
    r.legs.reason = SizingReason.INSUFFICIENT_DEPTH;
    r.reason = SizingReason.INSUFFICIENT_DEPTH;
    return r;
  }

  private minFail(reason: SizingReasonCode): SizingResult {
    const r = this.result;
    r.legs.ok = false;
    r.legs.reason = reason;
    r.reason = reason;
    return r;
  }

  /**
   * Walks `lots` on one side (at most maxLevels): sets wLimit (worst level's ticks) and wVwap
   * (base-weighted VWAP in ticks). False when the side holds fewer lots.
   */
  private walkLots(side: BookSide, leg: LegModel, lots: number, maxLevels: number): boolean {
    let left = lots;
    let pxSum = 0;
    let wSum = 0;
    const n = side.count < maxLevels ? side.count : maxLevels;
    let d = 0;
    let px = NaN;
    for (; d < n && left > 0; d++) {
      px = side.pxAtDepth(d);
      const avail = side.qtyAtDepth(d);
      const x = avail < left ? avail : left;
      // base weight of x lots at px (inverse: x / px; linear: x)
      const w = leg.inverse ? x / px : x;
      pxSum += px * w;
      wSum += w;
      left -= x;
    }
    if (left > 0) return false;
    this.wLimit = px;
    this.wVwap = pxSum / wSum;
    return true;
  }
}
