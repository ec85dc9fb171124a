// Arbitrage triggers: pure evaluation of one pair on its two order books.
//
// Each direction is a trade: AB = buy A at A's ask, sell B at B's bid; BA = buy B, sell A.
// Its edge, in the pair's threshold unit:
// - spread:        sell price - buy price at the top of the books, in common price steps (an exact
//                  integer; `displayScale` turns it into the quote currency);
// - counter_price: the same on the VWAPs of both books walked for the intended size (the pair's
//                  size per trade), net of both venues' taker fees:
//                  sell * (1 - feeSell) - buy * (1 + feeBuy)   ('price'), or
//                  (sell * (1 - feeSell)) / (buy * (1 + feeBuy)) - 1 in bps ('bps');
// - ratio:         A / (k * B) at the top of the books, k = fx * unitFactorA / unitFactorB converts
//                  B's price into A's unit and currency; in bps against `fairRatio`:
//                  AB: fair * k * bidB / askA - 1;  BA: bidA / (fair * k * askB) - 1.
//                  The FX rate must be fresh (`maxAgeMs`), else no signal (FX_STALE / FX_MISSING).
//
// Decision (hysteresis): a direction that moves the pair position away from its target OPENS
// when edge >= open (if that direction may open and the position maximum leaves room); a
// direction that moves it toward the target CLOSES when edge >= -close (the width measured at
// the closing prices is <= close). open > close is enforced by PairModel, and since the two
// directions' edges sum to less than zero on uncrossed books, at most one direction can fire; if
// both ever do (negative thresholds), the one further past its threshold wins.
//
// Invariants:
// - `evaluate` never allocates: it writes into one reused TriggerResult (read it before the next
//   call) and reads books through pxAtDepth/qtyAtDepth.
// - Deterministic: no clock of its own, `nowMs` is an input; same inputs give the same result.
// - A result always carries its inputs (both tops, FX, thresholds, both edges, per-direction
//   verdicts) so that the journal can record why it did or did not fire.
import type { BookSide, OrderBook } from './book.js';
import type { Instrument } from './instrument.js';
import { DIR_AB, DIR_BA, type LegModel, type PairModel, TRIGGER_COUNTER_PRICE, TRIGGER_RATIO, TRIGGER_SPREAD } from './pair.js';

export const TriggerAction = {
  NONE: 0,
  OPEN: 1,
  CLOSE: 2,
} as const;
export type TriggerActionCode = (typeof TriggerAction)[keyof typeof TriggerAction];

/** Why a direction (or the whole evaluation) did or did not fire. Stable codes. */
export const TriggerReason = {
  SIGNAL: 0,
  /** The edge is below the threshold that applies. */
  BELOW_THRESHOLD: 1,
  /** A side of either book is empty. */
  NO_BOOK: 2,
  /** A local book is crossed (best bid >= best ask): not trusted. */
  CROSSED_BOOK: 3,
  /** ratio with different currencies and no usable FX rate. */
  FX_MISSING: 4,
  /** The FX rate is older than its freshness limit. */
  FX_STALE: 5,
  /** The edge clears the open threshold but the position maximum leaves no room. */
  POSITION_LIMIT: 6,
  /** The edge clears the open threshold but the pair may not open in this direction. */
  DIRECTION_DISABLED: 7,
  /** counter_price: a book lacks depth for the intended size (within maxLevels). */
  INSUFFICIENT_DEPTH: 8,
} as const;
export type TriggerReasonCode = (typeof TriggerReason)[keyof typeof TriggerReason];

const REASON_NAMES = ['SIGNAL', 'BELOW_THRESHOLD', 'NO_BOOK', 'CROSSED_BOOK', 'FX_MISSING', 'FX_STALE', 'POSITION_LIMIT', 'DIRECTION_DISABLED', 'INSUFFICIENT_DEPTH'] as const;
export function triggerReasonName(code: number): string {
  return REASON_NAMES[code] ?? 'UNKNOWN';
}
const ACTION_NAMES = ['NONE', 'OPEN', 'CLOSE'] as const;
export function triggerActionName(code: number): string {
  return ACTION_NAMES[code] ?? 'UNKNOWN';
}

/**
 * One FX rate: `rate` units of `quote` per 1 `base` (e.g. base USD, quote CNY, 7.1), with the
 * engine-clock time it was last set. A feed sets it on every update of its instrument; a
 * configured rate is set once at start (with its as-of time) and may never expire.
 */
export class FxRate {
  rate = NaN;
  /** Engine clock (ms) of the last update; NaN = never. */
  updatedMs = NaN;

  constructor(
    readonly id: string,
    readonly base: string,
    readonly quote: string,
    /** Freshness limit in ms (Infinity = never stale). */
    readonly maxAgeMs: number,
  ) {}

  set(rate: number, atMs: number): void {
    this.rate = rate;
    this.updatedMs = atMs;
  }

  /** Age at `nowMs` (Infinity when never set). */
  ageMs(nowMs: number): number {
    return this.updatedMs === this.updatedMs ? nowMs - this.updatedMs : Infinity;
  }

  usable(): boolean {
    return this.rate > 0 && this.rate < Infinity;
  }

  fresh(nowMs: number): boolean {
    return this.usable() && this.ageMs(nowMs) <= this.maxAgeMs;
  }
}

/** Mid price (double, in the instrument's quote) of a book, NaN when a side is empty. */
export function bookMid(book: OrderBook, ins: Instrument): number {
  const b = book.bids.bestPx();
  const a = book.asks.bestPx();
  return ins.price((b + a) / 2);
}

/**
 * Feeds an FX holder from its instrument's book: rate = mid (or 1 / mid when the instrument quotes
 * the FX source's currencies the other way round). Returns false, leaving the holder unchanged
 * (it then ages into FX_STALE), when a side of the book is empty. No allocation.
 */
export function setFxFromBook(fx: FxRate, book: OrderBook, ins: Instrument, invert: boolean, nowMs: number): boolean {
  const mid = bookMid(book, ins);
  if (!(mid > 0)) return false;
  fx.set(invert ? 1 / mid : mid, nowMs);
  return true;
}

/** The reused output of `TriggerEvaluator.evaluate`. Fields are plain numbers (no allocation). */
export class TriggerResult {
  pairId = '';
  nowMs = 0;
  /** TriggerAction of the chosen direction (NONE when nothing fires). */
  action: TriggerActionCode = TriggerAction.NONE;
  /** DIR_AB (+1), DIR_BA (-1), or 0 when nothing fires. */
  direction = 0;
  reason: TriggerReasonCode = TriggerReason.BELOW_THRESHOLD;
  /** Edge and threshold of the chosen direction (evaluation units), NaN when none. */
  edge = NaN;
  threshold = NaN;

  // inputs: both tops (ticks, lots; NaN / 0 when a side is empty)
  aBidTicks = NaN;
  aBidLots = 0;
  aAskTicks = NaN;
  aAskLots = 0;
  bBidTicks = NaN;
  bBidLots = 0;
  bAskTicks = NaN;
  bAskLots = 0;
  /** Pair position (base atoms, + = long A / short B) and target used for the decision. */
  positionAtoms = 0;
  targetAtoms = 0;

  // thresholds (evaluation units)
  openThreshold = NaN;
  closeThreshold = NaN;
  /** Multiply evaluation units by this for the quote currency (price units) or bps (1). */
  displayScale = 1;

  // per direction
  edgeAB = NaN;
  edgeBA = NaN;
  /** The threshold applied to each direction: open, or -close for a closing direction. */
  thresholdAB = NaN;
  thresholdBA = NaN;
  actionAB: TriggerActionCode = TriggerAction.NONE;
  actionBA: TriggerActionCode = TriggerAction.NONE;
  reasonAB: TriggerReasonCode = TriggerReason.BELOW_THRESHOLD;
  reasonBA: TriggerReasonCode = TriggerReason.BELOW_THRESHOLD;

  // counter_price: VWAPs (ticks, base-weighted) for the intended size
  intendedAtoms = 0;
  vwapBuyA = NaN;
  vwapSellB = NaN;
  vwapBuyB = NaN;
  vwapSellA = NaN;

  // conversion used (sizing reuses these): value of one tick of each leg in evaluation price units
  mulA = NaN;
  mulB = NaN;
  /** ratio: effective FX (A currency per B currency) and its age; NaN when not used. */
  fx = NaN;
  fxAgeMs = NaN;
  /** ratio: k = fx * unitFactorA / unitFactorB. */
  priceFactorB = NaN;

  /** Edge / threshold in display units (quote currency, or bps). */
  display(x: number): number {
    return x * this.displayScale;
  }

  /**
   * The numeric inputs of the decision (the journal's decision record), always the same keys in
   * the same order, written into `dst`: a `dst` reused from one decision to the next allocates
   * nothing.
   */
  inputsInto(dst: Record<string, number>): Record<string, number> {
    dst.nowMs = this.nowMs;
    dst.direction = this.direction;
    dst.edge = this.display(this.edge);
    dst.threshold = this.display(this.threshold);
    dst.aBid = this.aBidTicks;
    dst.aBidLots = this.aBidLots;
    dst.aAsk = this.aAskTicks;
    dst.aAskLots = this.aAskLots;
    dst.bBid = this.bBidTicks;
    dst.bBidLots = this.bBidLots;
    dst.bAsk = this.bAskTicks;
    dst.bAskLots = this.bAskLots;
    dst.position = this.positionAtoms;
    dst.target = this.targetAtoms;
    dst.open = this.display(this.openThreshold);
    dst.close = this.display(this.closeThreshold);
    dst.edgeAB = this.display(this.edgeAB);
    dst.edgeBA = this.display(this.edgeBA);
    dst.thresholdAB = this.display(this.thresholdAB);
    dst.thresholdBA = this.display(this.thresholdBA);
    dst.fx = this.fx;
    dst.fxAgeMs = this.fxAgeMs;
    dst.vwapBuyA = this.vwapBuyA;
    dst.vwapSellB = this.vwapSellB;
    dst.vwapBuyB = this.vwapBuyB;
    dst.vwapSellA = this.vwapSellA;
    return dst;
  }

  /** A plain snapshot for tests and logs: the names of the codes, then inputsInto (allocates). */
  toRecord(): Record<string, number | string> {
    return {
      pair: this.pairId, action: triggerActionName(this.action), reason: triggerReasonName(this.reason),
      reasonAB: triggerReasonName(this.reasonAB), reasonBA: triggerReasonName(this.reasonBA),
      ...this.inputsInto({}),
    };
  }
}

/** Evaluates pairs; one instance per engine thread (it owns the reused result). */
export class TriggerEvaluator {
  readonly result = new TriggerResult();
  // scratch of walkVwap
  private wTicks = NaN;

  /**
   * Evaluates `model` on the two books. `positionAtoms` is the pair position (base atoms, + = long
   * A / short B); `fx` the pair's FX source (ignored when the pair needs none). Returns the reused
   * result.
   */
  evaluate(model: PairModel, bookA: OrderBook, bookB: OrderBook, positionAtoms: number, nowMs: number, fx: FxRate | null): TriggerResult {
    const r = this.result;
    r.pairId = model.id;
    r.nowMs = nowMs;
    r.action = TriggerAction.NONE;
    r.direction = 0;
    r.edge = NaN;
    r.threshold = NaN;
    r.positionAtoms = positionAtoms;
    r.targetAtoms = model.positionTargetAtoms;
    r.openThreshold = model.openThreshold;
    r.closeThreshold = model.closeThreshold;
    r.displayScale = model.bps ? 1 : model.commonStepValue;
    r.edgeAB = NaN;
    r.edgeBA = NaN;
    r.thresholdAB = NaN;
    r.thresholdBA = NaN;
    r.actionAB = TriggerAction.NONE;
    r.actionBA = TriggerAction.NONE;
    r.reasonAB = TriggerReason.BELOW_THRESHOLD;
    r.reasonBA = TriggerReason.BELOW_THRESHOLD;
    r.intendedAtoms = 0;
    r.vwapBuyA = NaN;
    r.vwapSellB = NaN;
    r.vwapBuyB = NaN;
    r.vwapSellA = NaN;
    r.fx = NaN;
    r.fxAgeMs = NaN;
    r.priceFactorB = NaN;

    const ab = bookA.bids;
    const aa = bookA.asks;
    const bb = bookB.bids;
    const ba = bookB.asks;
    r.aBidTicks = ab.bestPx();
    r.aBidLots = ab.bestQty();
    r.aAskTicks = aa.bestPx();
    r.aAskLots = aa.bestQty();
    r.bBidTicks = bb.bestPx();
    r.bBidLots = bb.bestQty();
    r.bAskTicks = ba.bestPx();
    r.bAskLots = ba.bestQty();
    if (ab.count === 0 || aa.count === 0 || bb.count === 0 || ba.count === 0) return this.none(TriggerReason.NO_BOOK);
    if (r.aBidTicks >= r.aAskTicks || r.bBidTicks >= r.bAskTicks) return this.none(TriggerReason.CROSSED_BOOK);

    // conversion of each leg's ticks into evaluation price units
    if (model.trigger === TRIGGER_RATIO) {
      let k = model.unitRatio;
      if (model.needsFx) {
        if (fx === null || !fx.usable()) return this.none(TriggerReason.FX_MISSING);
        const age = fx.ageMs(nowMs);
        const eff = model.invertFx ? 1 / fx.rate : fx.rate;
        r.fx = eff;
        r.fxAgeMs = age;
        if (!(age <= fx.maxAgeMs)) return this.none(TriggerReason.FX_STALE);
        k *= eff;
      }
      r.priceFactorB = k;
      r.mulA = model.a.tickValue;
      r.mulB = model.b.tickValue * k * model.fairRatio;
    } else {
      r.mulA = model.a.commonPerTick;
      r.mulB = model.b.commonPerTick;
    }

    // edges per direction
    if (model.trigger === TRIGGER_SPREAD) {
      // exact integers (common price steps)
      r.edgeAB = r.bBidTicks * r.mulB - r.aAskTicks * r.mulA;
      r.edgeBA = r.aBidTicks * r.mulA - r.bAskTicks * r.mulB;
    } else if (model.trigger === TRIGGER_RATIO) {
      r.edgeAB = ((r.bBidTicks * r.mulB) / (r.aAskTicks * r.mulA) - 1) * 10_000;
      r.edgeBA = ((r.aBidTicks * r.mulA) / (r.bAskTicks * r.mulB) - 1) * 10_000;
    } else if (model.trigger === TRIGGER_COUNTER_PRICE) {
      const q = model.sizePerTradeAtoms;
      r.intendedAtoms = q;
      const lv = model.maxLevels;
      r.vwapBuyA = this.walkVwap(aa, model.a, q, lv) ? this.wTicks : NaN;
      r.vwapSellB = this.walkVwap(bb, model.b, q, lv) ? this.wTicks : NaN;
      r.vwapBuyB = this.walkVwap(ba, model.b, q, lv) ? this.wTicks : NaN;
      r.vwapSellA = this.walkVwap(ab, model.a, q, lv) ? this.wTicks : NaN;
      r.edgeAB = netEdge(model.bps, r.vwapSellB * r.mulB, model.b, r.vwapBuyA * r.mulA, model.a);
      r.edgeBA = netEdge(model.bps, r.vwapSellA * r.mulA, model.a, r.vwapBuyB * r.mulB, model.b);
    }

    // verdict per direction
    const p = positionAtoms;
    const target = model.positionTargetAtoms;
    const max = model.positionMaxAtoms;
    // AB increases the position
    let act: TriggerActionCode;
    let thr: number;
    let why: TriggerReasonCode;
    if (p < target) {
      act = TriggerAction.CLOSE;
      thr = -model.closeThreshold;
      why = verdict(r.edgeAB, thr, false, false);
    } else {
      act = TriggerAction.OPEN;
      thr = model.openThreshold;
      why = verdict(r.edgeAB, thr, !model.openAB, max - p <= 0);
    }
    r.actionAB = act;
    r.thresholdAB = thr;
    r.reasonAB = why;
    if (p > target) {
      act = TriggerAction.CLOSE;
      thr = -model.closeThreshold;
      why = verdict(r.edgeBA, thr, false, false);
    } else {
      act = TriggerAction.OPEN;
      thr = model.openThreshold;
      why = verdict(r.edgeBA, thr, !model.openBA, max + p <= 0);
    }
    r.actionBA = act;
    r.thresholdBA = thr;
    r.reasonBA = why;

    const fireAB = r.reasonAB === TriggerReason.SIGNAL;
    const fireBA = r.reasonBA === TriggerReason.SIGNAL;
    if (fireAB && (!fireBA || r.edgeAB - r.thresholdAB >= r.edgeBA - r.thresholdBA)) return this.fire(DIR_AB, r.actionAB, r.edgeAB, r.thresholdAB);
    if (fireBA) return this.fire(DIR_BA, r.actionBA, r.edgeBA, r.thresholdBA);
    // nothing fires: report the most telling reason
    r.reason = worst(r.reasonAB, r.reasonBA);
    return r;
  }

  private none(reason: TriggerReasonCode): TriggerResult {
    const r = this.result;
    r.reason = reason;
    r.reasonAB = reason;
    r.reasonBA = reason;
    return r;
  }

  private fire(dir: number, action: TriggerActionCode, edge: number, thr: number): TriggerResult {
    const r = this.result;
    r.direction = dir;
    r.action = action;
    r.edge = edge;
    r.threshold = thr;
    r.reason = TriggerReason.SIGNAL;
    return r;
  }

  /**
   * Walks one side for `atoms` base atoms (at most `maxLevels` levels); on success sets `wTicks` to
   * the base-weighted VWAP in ticks and returns true; false when the side is too thin.
   */
  private walkVwap(side: BookSide, leg: LegModel, atoms: number, maxLevels: number): boolean {
    let left = atoms;
    let sum = 0;
    const n = side.count < maxLevels ? side.count : maxLevels;
    for (let d = 0; d < n && left > 0; d++) {
      const px = side.pxAtDepth(d);
      const cap = leg.baseAtomsFloor(side.qtyAtDepth(d), px);
      if (!(cap > 0)) continue;
      const x = cap < left ? cap : left;
      sum += px * x;
      left -= x;
    }
    if (left > 0) return false;
    this.wTicks = sum / atoms;
    return true;
  }
}

function netEdge(bps: boolean, sellValue: number, sellLeg: LegModel, buyValue: number, buyLeg: LegModel): number {
  const s = sellValue * (1 - sellLeg.takerFee);
  const b = buyValue * (1 + buyLeg.takerFee);
  return bps ? (s / b - 1) * 10_000 : s - b;
}

function verdict(edge: number, thr: number, disabled: boolean, full: boolean): TriggerReasonCode {
  if (edge !== edge) return TriggerReason.INSUFFICIENT_DEPTH;
  if (!(edge >= thr)) return TriggerReason.BELOW_THRESHOLD;
  if (disabled) return TriggerReason.DIRECTION_DISABLED;
  if (full) return TriggerReason.POSITION_LIMIT;
  return TriggerReason.SIGNAL;
}

/** Overall reason when no direction fires: a blocked signal or missing depth beats "below". */
function worst(a: TriggerReasonCode, b: TriggerReasonCode): TriggerReasonCode {
  if (a === TriggerReason.INSUFFICIENT_DEPTH || b === TriggerReason.INSUFFICIENT_DEPTH) return TriggerReason.INSUFFICIENT_DEPTH;
  if (a === TriggerReason.POSITION_LIMIT || b === TriggerReason.POSITION_LIMIT) return TriggerReason.POSITION_LIMIT;
  if (a === TriggerReason.DIRECTION_DISABLED || b === TriggerReason.DIRECTION_DISABLED) return TriggerReason.DIRECTION_DISABLED;
  return TriggerReason.BELOW_THRESHOLD;
}
