// Positions and PnL per instrument, per asset across venues and per (venue, asset) balance, from
// fills in integer units; plus the reconciliation helpers used after a restart.
//
// Model:
// - An instrument's position is signed lots (+ long). Spot "positions" are the inventory traded
//   since the baseline (set from the venue after reconciliation with `setPosition`).
// - Open lots are kept FIFO as (lots, entry price ticks) entries, all of the position's sign. A
//   fill against the position closes the oldest entries first; realized PnL of each close is
//   closeLots * (exit - entry) * sign, an exact integer of tick-lots; anything beyond the position
//   opens a new one of the other sign.
// - Linear and spot PnL in quote units = tick-lots * quoteUnitsPerTickLot (exact integers while
//   below 2^53). Inverse PnL is in base units: lots * inverseBaseK * (1/entry - 1/exit), rounded
//   to the nearest unit per close (the one place a rounding happens; documented, deterministic).
// - Balances (per venue and asset) move with fills: a spot buy of L lots at P adds
//   L * baseUnitsPerLot of base and takes P * L * quoteUnitsPerTickLot of quote; a derivative
//   close credits its realized PnL to the settle asset; every fee is taken from its fee asset
//   (a negative fee is a rebate).
// - Exposure of an asset across venues (`assetNet`) = sum over its instruments of position lots
//   in base units (spot and linear: lots * baseUnitsPerLot, exact; inverse: at the last mark or
//   fill price, rounded). `assetGross` is the sum of absolute values.
// - Mark-to-market uses a mark price in ticks (normally the book mid, which may be a half tick:
//   unrealized PnL can then carry a half unit when quoteUnitsPerTickLot is odd).
//
// Invariants:
// - FIFO entries all have the sign of the position; sum of entry lots = |position|.
// - For spot instruments: quote balance delta = realized - openCost (+ fees in quote), i.e. the
//   FIFO accounting and the balances agree exactly (tested).
// - No allocation per fill in steady state (the FIFO arrays double only when a position is built
//   from more fills than ever before).
import type { Side } from '../venues/types.js';
import type { MarketView } from './market.js';
import type { Tradable, TradableTable } from './tradable.js';

class InstrumentBook {
  lots = 0;
  /** Signed sum of lots * entry ticks over the open FIFO (negative for a short). */
  openCost = 0;
  realizedTickLots = 0;
  /** Realized PnL in settle-asset units (quote for spot/linear, base for inverse). */
  realizedUnits = 0;
  lastPriceTicks = NaN;
  markTicks = NaN;
  qLots: Float64Array = new Float64Array(16);
  qPx: Float64Array = new Float64Array(16);
  head = 0;
  count = 0;

  constructor(readonly t: Tradable) {}

  push(lots: number, px: number): void {
    if (this.head + this.count === this.qLots.length) {
      if (this.head > 0) {
        this.qLots.copyWithin(0, this.head, this.head + this.count);
        this.qPx.copyWithin(0, this.head, this.head + this.count);
        this.head = 0;
      }
      if (this.count === this.qLots.length) {
        const a = new Float64Array(this.qLots.length * 2);
        const b = new Float64Array(this.qPx.length * 2);
        a.set(this.qLots);
        b.set(this.qPx);
        this.qLots = a;
        this.qPx = b;
      }
    }
    const i = this.head + this.count;
    this.qLots[i] = lots;
    this.qPx[i] = px;
    this.count++;
  }
}

export class Positions {
  private readonly books: InstrumentBook[];
  private bal: Float64Array;
  private fees: Float64Array;
  private readonly assetCount: number;
  private readonly venueCount: number;

  constructor(
    readonly instruments: TradableTable,
    assetCount: number,
    venueCount: number,
  ) {
    this.books = instruments.all().map((t) => new InstrumentBook(t));
    this.assetCount = assetCount;
    this.venueCount = venueCount;
    this.bal = new Float64Array(assetCount * venueCount);
    this.fees = new Float64Array(assetCount);
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs

  /**
   * One fill: `lots` (> 0) bought or sold at `priceTicks`, with its fee (units of `feeAsset`,
   * positive = paid, -1 asset = none).
   */
  applyFill(instrument: number, side: Side, lots: number, priceTicks: number, feeUnits = 0, feeAsset = -1): void {
    const b = this.books[instrument];
    if (b === undefined || !(lots > 0)) return;
    const t = b.t;
    const s = side === 'buy' ? 1 : -1;
    b.lastPriceTicks = priceTicks;
    let rem = lots;
    // close against the FIFO while the fill opposes the position
    while (rem > 0 && b.count > 0 && (b.lots > 0 ? s < 0 : s > 0)) {
      const i = b.head;
      const entryLots = b.qLots[i]!;
      const entryPx = b.qPx[i]!;
      const q = rem < entryLots ? rem : entryLots;
      const posSign = b.lots > 0 ? 1 : -1;
      const tickLots = q * (priceTicks - entryPx) * posSign;
      b.realizedTickLots += tickLots;
      let units: number;
      if (t.inverse) units = Math.round(q * t.inverseBaseK * (1 / entryPx - 1 / priceTicks) * posSign);
      else units = tickLots * t.quoteUnitsPerTickLot;
      b.realizedUnits += units;
      if (t.kind === 'derivative') this.addBal(t.venue, t.settle, units);
      b.lots -= posSign * q;
      b.openCost -= posSign * q * entryPx;
      rem -= q;
      if (q === entryLots) {
        b.head++;
        b.count--;
        if (b.count === 0) b.head = 0;
      } else b.qLots[i] = entryLots - q;
    }
    if (rem > 0) {
      b.push(rem, priceTicks);
      b.lots += s * rem;
      b.openCost += s * rem * priceTicks;
    }
    if (t.kind === 'spot') {
      this.addBal(t.venue, t.base, s * lots * t.baseUnitsPerLot);
      this.addBal(t.venue, t.quote, -s * lots * priceTicks * t.quoteUnitsPerTickLot);
    }
    if (feeAsset >= 0 && feeUnits !== 0) {
      this.addBal(t.venue, feeAsset, -feeUnits);
      if (feeAsset < this.assetCount) this.fees[feeAsset] = this.fees[feeAsset]! + feeUnits;
    }
  }

  /** Applies an execution FILL / LATE_FILL event (src/core/exec-types.ts kinds 6 and 10). */
  applyExecFill(ev: { readonly kind: number; readonly instrument: number; readonly side: Side; readonly qtyLots: number; readonly priceTicks: number; readonly feeUnits: number; readonly feeAsset: number }): boolean {
    if (ev.kind !== 6 && ev.kind !== 10) return false;
    this.applyFill(ev.instrument, ev.side, ev.qtyLots, ev.priceTicks, ev.feeUnits, ev.feeAsset);
    return true;
  }

  /**
   * Sets an instrument's position (the reconciled baseline after a restart): one FIFO entry of
   * |lots| at `entryTicks`. Realized PnL and balances are not touched.
   */
  setPosition(instrument: number, lots: number, entryTicks: number): void {
    const b = this.books[instrument]!;
    b.head = 0;
    b.count = 0;
    b.lots = 0;
    b.openCost = 0;
    if (lots !== 0) {
      b.push(Math.abs(lots), entryTicks);
      b.lots = lots;
      b.openCost = lots * entryTicks;
    }
    b.lastPriceTicks = entryTicks;
  }

  /** Sets the mark price (ticks) of an instrument. */
  setMark(instrument: number, markTicks: number): void {
    const b = this.books[instrument];
    if (b !== undefined) b.markTicks = markTicks;
  }

  /** Marks every instrument at its book mid (instruments without both sides keep their mark). */
  markToMarket(m: MarketView): void {
    for (let i = 0; i < this.books.length; i++) {
      const mid = (m.bidTicks(i) + m.askTicks(i)) / 2;
      if (mid === mid) this.books[i]!.markTicks = mid;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Queries (no allocation)

  /** Signed position in lots. */
  lots(instrument: number): number {
    return this.books[instrument]?.lots ?? 0;
  }

  /** Signed sum of lots x entry ticks of the open position. */
  openCostTickLots(instrument: number): number {
    return this.books[instrument]?.openCost ?? 0;
  }

  /** Average entry price of the open position (ticks, may be fractional), NaN when flat. */
  avgEntryTicks(instrument: number): number {
    const b = this.books[instrument];
    return b !== undefined && b.lots !== 0 ? b.openCost / b.lots : NaN;
  }

  realizedTickLots(instrument: number): number {
    return this.books[instrument]?.realizedTickLots ?? 0;
  }

  /** Realized PnL in units of the instrument's settle asset (quote for spot/linear, base for inverse). */
  realizedUnits(instrument: number): number {
    return this.books[instrument]?.realizedUnits ?? 0;
  }

  /** Unrealized PnL in settle-asset units at `markTicks` (default: the instrument's mark). */
  unrealizedUnits(instrument: number, markTicks?: number): number {
    const b = this.books[instrument];
    if (b === undefined || b.lots === 0) return 0;
    const mark = markTicks ?? b.markTicks;
    if (mark !== mark) return NaN;
    const t = b.t;
    if (!t.inverse) return (b.lots * mark - b.openCost) * t.quoteUnitsPerTickLot;
    const sign = b.lots > 0 ? 1 : -1;
    let u = 0;
    for (let i = b.head; i < b.head + b.count; i++) u += b.qLots[i]! * t.inverseBaseK * (1 / b.qPx[i]! - 1 / mark) * sign;
    return Math.round(u);
  }

  /** Fees paid in an asset (units; rebates negative). */
  feesUnits(asset: number): number {
    return asset >= 0 && asset < this.assetCount ? this.fees[asset]! : 0;
  }

  /** Balance change of an asset on a venue since the baseline (units). */
  balance(venue: number, asset: number): number {
    if (venue < 0 || venue >= this.venueCount || asset < 0 || asset >= this.assetCount) return 0;
    return this.bal[venue * this.assetCount + asset]!;
  }

  /** Base units of an instrument's position (inverse: at its mark, else its last price). */
  positionUnits(instrument: number): number {
    const b = this.books[instrument];
    if (b === undefined || b.lots === 0) return 0;
    const t = b.t;
    if (!t.inverse) return b.lots * t.baseUnitsPerLot;
    const px = b.markTicks === b.markTicks ? b.markTicks : b.lastPriceTicks;
    return Math.round((b.lots * t.inverseBaseK) / px);
  }

  /** Net exposure of an asset across venues (base units, + long). */
  assetNet(asset: number): number {
    let n = 0;
    for (let i = 0; i < this.books.length; i++) if (this.books[i]!.t.base === asset) n += this.positionUnits(i);
    return n;
  }

  /** Sum of |position| of an asset's instruments across venues (base units). */
  assetGross(asset: number): number {
    let n = 0;
    for (let i = 0; i < this.books.length; i++) if (this.books[i]!.t.base === asset) n += Math.abs(this.positionUnits(i));
    return n;
  }

  /**
   * Total PnL in one settle asset: realized + unrealized (at the marks) of every instrument that
   * settles in it, minus the fees paid in it.
   */
  pnlUnits(asset: number): number {
    let p = 0;
    for (let i = 0; i < this.books.length; i++) {
      const b = this.books[i]!;
      if (b.t.settle !== asset) continue;
      p += b.realizedUnits;
      if (b.lots !== 0) {
        const u = this.unrealizedUnits(i);
        if (u === u) p += u;
      }
    }
    return p - this.feesUnits(asset);
  }

  private addBal(venue: number, asset: number, units: number): void {
    if (venue < 0 || venue >= this.venueCount || asset < 0 || asset >= this.assetCount) return;
    const k = venue * this.assetCount + asset;
    this.bal[k] = this.bal[k]! + units;
  }
}

// -------------------------------------------------------------------------------------------------
// Reconciliation (cold path: after a restart or a reconnect, before trading resumes)

export interface VenuePosition {
  readonly instrument: number;
  readonly lots: number;
}

export interface PositionMismatch {
  readonly instrument: number;
  readonly ours: number;
  readonly venue: number;
}

/**
 * Compares our positions on one venue with the venue's report. An instrument of that venue that
 * the report omits counts as flat there. Returns the mismatches (empty = proven equal).
 */
export function reconcilePositions(pos: Positions, venue: number, reported: readonly VenuePosition[], kinds: 'derivative' | 'all' = 'derivative'): PositionMismatch[] {
  const byInst = new Map<number, number>();
  for (const r of reported) byInst.set(r.instrument, (byInst.get(r.instrument) ?? 0) + r.lots);
  const out: PositionMismatch[] = [];
  for (const t of pos.instruments.all()) {
    if (t.venue !== venue || (kinds === 'derivative' && t.kind !== 'derivative')) continue;
    const v = byInst.get(t.id) ?? 0;
    byInst.delete(t.id);
    const ours = pos.lots(t.id);
    if (ours !== v) out.push({ instrument: t.id, ours, venue: v });
  }
  for (const [instrument, v] of byInst) if (v !== 0) out.push({ instrument, ours: 0, venue: v });
  return out;
}

/** An open order as we or the venue see it. */
export interface OpenOrderView {
  readonly clientOrderId: string;
  readonly instrument: number;
  readonly side: Side;
  readonly leavesLots: number;
}

export interface OpenOrdersDiff {
  /** We think these are open; the venue does not list them: query each by client id. */
  readonly onlyOurs: OpenOrderView[];
  /** Open at the venue, unknown to us: cancel them (or adopt them) before trading. */
  readonly onlyVenue: OpenOrderView[];
  /** Open on both sides with different side, instrument or remaining quantity. */
  readonly mismatched: { readonly ours: OpenOrderView; readonly venue: OpenOrderView }[];
}

export function reconcileOpenOrders(ours: readonly OpenOrderView[], venue: readonly OpenOrderView[]): OpenOrdersDiff {
  const v = new Map<string, OpenOrderView>();
  for (const o of venue) v.set(o.clientOrderId, o);
  const onlyOurs: OpenOrderView[] = [];
  const mismatched: { ours: OpenOrderView; venue: OpenOrderView }[] = [];
  for (const o of ours) {
    const w = v.get(o.clientOrderId);
    if (w === undefined) onlyOurs.push(o);
    else {
      v.delete(o.clientOrderId);
      if (w.side !== o.side || w.instrument !== o.instrument || w.leavesLots !== o.leavesLots) mismatched.push({ ours: o, venue: w });
    }
  }
  return { onlyOurs, onlyVenue: [...v.values()], mismatched };
}

export interface PairInstruments {
  readonly pairId: number;
  readonly a: number;
  readonly b: number;
}

/**
 * The restart gate: trading stays reduce-only until every venue has been reconciled (its
 * positions and open orders proven equal to ours) and both legs of every pair are proven
 * balanced. Pairs that share an instrument are checked together as one group (a spot leg
 * hedged by two perps is balanced when the three positions net out): a group is balanced when
 * |sum of its positions in base units| < one lot of its coarsest instrument.
 */
export class ReconcileGate {
  private readonly pending = new Set<number>();
  private readonly groups: { pairs: number[]; instruments: number[]; tolerance: number }[] = [];
  private unbalanced: number[] = [];
  private unbalancedGroupList: { readonly instruments: readonly number[]; readonly tolerance: number }[] = [];
  private checked = false;

  constructor(instruments: TradableTable, venues: readonly number[], pairs: readonly PairInstruments[]) {
    for (const v of venues) this.pending.add(v);
    // union-find over instruments connected by pairs
    const parent = new Map<number, number>();
    const find = (x: number): number => {
      let r = x;
      while (parent.get(r) !== r) r = parent.get(r)!;
      parent.set(x, r);
      return r;
    };
    for (const p of pairs) {
      for (const i of [p.a, p.b]) if (!parent.has(i)) parent.set(i, i);
      parent.set(find(p.a), find(p.b));
    }
    const byRoot = new Map<number, { pairs: number[]; instruments: number[]; tolerance: number }>();
    for (const p of pairs) {
      const r = find(p.a);
      let g = byRoot.get(r);
      if (g === undefined) {
        g = { pairs: [], instruments: [], tolerance: 0 };
        byRoot.set(r, g);
        this.groups.push(g);
      }
      g.pairs.push(p.pairId);
      for (const i of [p.a, p.b]) {
        if (!g.instruments.includes(i)) {
          g.instruments.push(i);
          const t = instruments.get(i);
          g.tolerance = Math.max(g.tolerance, t.inverse ? 1 : t.baseUnitsPerLot);
        }
      }
    }
  }

  /** Records a venue as reconciled (positions and open orders proven equal), or not. */
  venueReconciled(venue: number, ok: boolean): void {
    if (ok) this.pending.delete(venue);
    else this.pending.add(venue);
  }

  /** Re-evaluates pair balance from positions; returns `proven`. */
  check(pos: Positions): boolean {
    this.checked = true;
    this.unbalanced = [];
    this.unbalancedGroupList = [];
    for (const g of this.groups) {
      let sum = 0;
      for (const i of g.instruments) sum += pos.positionUnits(i);
      if (!(Math.abs(sum) < g.tolerance)) {
        this.unbalanced.push(...g.pairs);
        this.unbalancedGroupList.push(g);
      }
    }
    return this.proven;
  }

  /** Every venue reconciled and every pair balanced at the last check (false before any check). */
  get proven(): boolean {
    return this.checked && this.pending.size === 0 && this.unbalanced.length === 0;
  }

  get pendingVenues(): number[] {
    return [...this.pending];
  }

  get unbalancedPairs(): readonly number[] {
    return this.unbalanced;
  }

  /** The instrument groups (connected by pairs) whose net base position failed the last check. */
  get unbalancedGroups(): readonly { readonly instruments: readonly number[]; readonly tolerance: number }[] {
    return this.unbalancedGroupList;
  }
}
