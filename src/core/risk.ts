// Inline risk on the engine thread: trading state, pre-trade checks, breakers and the kill switch.
// Pure: no clock, no I/O; every input carries `nowUs`. Checks run in microseconds and allocate
// nothing (typed arrays sized at construction, one reused event object).
//
// Trading states: ACTIVE (everything the checks allow) / REDUCING (only orders that reduce
// exposure) / HALTED (no new exposure; only repairs that reduce asset exposure and kill-switch
// flattens). A breaker moves the state up (never down); only `resume` (an operator, after
// reconciliation) brings it back to ACTIVE. The engine starts REDUCING until `setReconciled`.
//
// Which checks apply to which order role (roles are the execution machine's OrderRole):
//
// | check                                   | OPEN | HEDGE / REPLENISH | UNWIND | FLATTEN |
// |-----------------------------------------|------|-------------------|--------|---------|
// | state: ACTIVE                           | yes  | yes               | yes    | yes     |
// | state: REDUCING                         | if it reduces the instrument position | if it reduces asset exposure | same | reduce-only |
// | state: HALTED                           | no   | if it reduces asset exposure      | same   | reduce-only |
// | reconciled (positions proven)           | yes  | -                 | -      | -       |
// | max order qty / notional                | yes  | yes               | yes    | -       |
// | position per instrument / asset (net, gross) | yes | -            | -      | -       |
// | book synced / non-empty / fresh         | yes  | -                 | -      | -       |
// | balance (spot) / margin (derivatives)   | yes  | yes               | -      | -       |
// | order-rate budget of the venue          | yes  | yes               | yes    | yes     |
// | open pairs, price band vs the other venue, venue-time skew, FX freshness: `checkCombo` (OPEN pairs) |
//
// Hedges and unwinds are not held to position limits or book freshness: refusing them would
// leave the very exposure the limits exist to prevent; they are bounded by their bands instead.
// While a restart's reconciliation has not proven the positions, no new combo opens at all (not
// even one that would reduce the positions read from the journal: they are not verified yet);
// only the recovery's own flatten orders trade.
//
// Invariants:
// - Every denial returns a stable nonzero RiskReason code, counts it, records the failing value
//   and limit (`lastValue`, `lastLimit`) and emits one DENIAL event with them (the journal record).
// - The state only rises through breakers; it falls only through `resume` / `setReconciled`.
// - Limits are inclusive: a value equal to its limit passes, one unit more is denied (the order
//   rate window is (now - windowUs, now]; a daily loss equal to the limit passes).
import type { Side } from '../venues/types.js';
import { bpsToTicks, OrderRole, type FlattenRequest } from './exec-types.js';
import type { MarketView } from './market.js';
import { excessTrades } from './reconcile.js';
import { notionalUnits, type Tradable, type TradableTable } from './tradable.js';

export const TradingState = {
  ACTIVE: 0,
  REDUCING: 1,
  HALTED: 2,
} as const;
export type TradingState = (typeof TradingState)[keyof typeof TradingState];
export const TRADING_STATE_NAMES: readonly string[] = ['ACTIVE', 'REDUCING', 'HALTED'];

/** Why an order or a pair was denied. Stable codes (journal); 0 = allowed. */
export const RiskReason = {
  OK: 0,
  HALTED: 1,
  /** REDUCING (or HALTED for a repair): the order does not reduce exposure. */
  REDUCE_ONLY: 2,
  /** Unknown instrument, or a quantity / price that is not a positive integer. */
  BAD_ORDER: 3,
  MAX_ORDER_QTY: 4,
  MAX_ORDER_NOTIONAL: 5,
  POSITION_INSTRUMENT: 6,
  POSITION_ASSET_NET: 7,
  POSITION_ASSET_GROSS: 8,
  OPEN_PAIRS: 9,
  PRICE_BAND: 10,
  BOOK_EMPTY: 11,
  BOOK_STALE: 12,
  BOOK_SKEW: 13,
  BOOK_NOT_SYNCED: 14,
  FX_STALE: 15,
  RATE_BUDGET: 16,
  BALANCE: 17,
  MARGIN: 18,
  /** A restart's reconciliation has not proven the positions yet: no new combo. */
  NOT_RECONCILED: 19,
} as const;
export type RiskReason = (typeof RiskReason)[keyof typeof RiskReason];
export const RISK_REASON_NAMES: readonly string[] = [
  'OK', 'HALTED', 'REDUCE_ONLY', 'BAD_ORDER', 'MAX_ORDER_QTY', 'MAX_ORDER_NOTIONAL', 'POSITION_INSTRUMENT',
  'POSITION_ASSET_NET', 'POSITION_ASSET_GROSS', 'OPEN_PAIRS', 'PRICE_BAND', 'BOOK_EMPTY', 'BOOK_STALE', 'BOOK_SKEW',
  'BOOK_NOT_SYNCED', 'FX_STALE', 'RATE_BUDGET', 'BALANCE', 'MARGIN', 'NOT_RECONCILED',
];
const REASON_COUNT = RISK_REASON_NAMES.length;

/** Breakers (and other causes of a state change). Stable codes. */
export const Breaker = {
  DAILY_LOSS: 1,
  UNHEDGED_EXPOSURE: 2,
  REJECT_RATE: 3,
  SLIPPAGE: 4,
  ACK_LATENCY: 5,
  /** An order stayed of unknown outcome too long (execution UNKNOWN_ALARM). */
  UNRESOLVED_ORDER: 6,
  /** A combo's repair failed (execution ESCALATED). */
  REPAIR_FAILED: 7,
  KILL_SWITCH: 8,
  MANUAL: 9,
  /** Restart: trading is reduce-only until reconciliation proves every pair balanced. */
  RECONCILING: 10,
} as const;
export type Breaker = (typeof Breaker)[keyof typeof Breaker];
export const BREAKER_NAMES: readonly string[] = ['', 'DAILY_LOSS', 'UNHEDGED_EXPOSURE', 'REJECT_RATE', 'SLIPPAGE', 'ACK_LATENCY', 'UNRESOLVED_ORDER', 'REPAIR_FAILED', 'KILL_SWITCH', 'MANUAL', 'RECONCILING'];

export const RiskEventKind = {
  DENIAL: 1,
  BREAKER: 2,
  STATE: 3,
} as const;

/** One risk journal event (a reused object, valid during the sink call). */
export class RiskEvent {
  kind = 0;
  nowUs = 0;
  /** DENIAL: RiskReason; BREAKER / STATE: Breaker (the cause). */
  code = 0;
  role = 0;
  instrument = -1;
  venue = -1;
  /** The value that failed and its limit (DENIAL, BREAKER). */
  value = 0;
  limit = 0;
  state = 0;
  prevState = 0;
}

export interface RiskSink {
  event(ev: Readonly<RiskEvent>): void;
}

/** What risk reads about positions (the Positions class provides it). */
export interface PositionView {
  lots(instrument: number): number;
  positionUnits(instrument: number): number;
  assetNet(asset: number): number;
  assetGross(asset: number): number;
}

/** An external order-rate gate per venue (e.g. over the venue's own budget model and headers). */
export interface RateGate {
  /** Milliseconds to wait before an order may be sent (0 = now). */
  waitMs(nowMs: number): number;
}

export interface InstrumentRisk {
  readonly maxOrderLots?: number;
  /** In quote units (contract currency units for inverse). */
  readonly maxOrderNotionalUnits?: number;
  readonly maxPositionLots?: number;
  /** Derivatives: initial margin as bps of notional (e.g. 1000 = 10x leverage). */
  readonly initialMarginBps?: number;
}

export interface AssetRisk {
  readonly maxNetUnits?: number;
  readonly maxGrossUnits?: number;
  /** Free balance to keep per venue (units). */
  readonly minFreeUnits?: number;
  /** |net exposure| up to this counts as hedged (normally one lot of the coarsest instrument). */
  readonly unhedgedToleranceUnits?: number;
  /** Longest time the exposure may stay beyond the tolerance (µs). */
  readonly maxUnhedgedUs?: number;
  /** Budget of the exposure-time integral beyond the tolerance (units x µs). */
  readonly maxUnhedgedUnitsUs?: number;
}

export interface VenueRisk {
  /** At most maxOrders orders in any windowUs (the venue's limit times the headroom). */
  readonly maxOrders: number;
  readonly windowUs: number;
}

export interface RiskConfig {
  /** Index = instrument id; missing entries or fields = unlimited. */
  readonly instruments: readonly (InstrumentRisk | undefined)[];
  /** Index = asset id. */
  readonly assets: readonly (AssetRisk | undefined)[];
  /** Index = venue id; missing = no budget. */
  readonly venues: readonly (VenueRisk | undefined)[];
  readonly maxOpenPairs: number;
  readonly priceBandBps: number;
  readonly maxBookAgeUs: number;
  readonly maxVenueSkewUs: number;
  readonly maxFxAgeUs: number;
  /** Extra quote kept for fees in the spot balance check (bps of notional). */
  readonly feeHeadroomBps?: number;
  /** Deny when a needed balance was never set (default false: not checked until known). */
  readonly requireKnownBalance?: boolean;
  readonly breakers: {
    /** Trip when the day's PnL (reporting currency units) is below -maxDailyLoss. */
    readonly maxDailyLoss: number;
    readonly dailyLossAction?: TradingState;
    readonly unhedgedAction?: TradingState;
    readonly rejectRate: { readonly maxRatio: number; readonly windowUs: number; readonly minOrders: number; readonly action?: TradingState };
    readonly slippage: { readonly maxAvgBps: number; readonly windowFills: number; readonly action?: TradingState };
    readonly ackLatency: { readonly maxUs: number; readonly consecutive: number; readonly action?: TradingState };
  };
  /** Default REDUCING (until setReconciled); ACTIVE for tests and backtests. */
  readonly startState?: TradingState;
}

/** The pair-level input of `checkCombo` (a reused object the caller fills). */
export class ComboCheck {
  /** Legs: instrument, side, lots, limit price (ticks). */
  instA = 0;
  sideA: Side = 'buy';
  lotsA = 0;
  pxA = 0;
  instB = 0;
  sideB: Side = 'sell';
  lotsB = 0;
  pxB = 0;
  /** Non-terminal combos right now. */
  openPairs = 0;
  /** Converts B's price into A's price unit (fx x unit factors; 1 for same-unit pairs). */
  priceBToA = 1;
  /** When the pair's FX rate was last updated (µs); NaN = the pair uses no FX. */
  fxUpdatedUs = NaN;
}

const RB = 16; // buckets of the reject-rate window

/** Risk engine: one per engine thread. */
export class RiskEngine {
  state: TradingState;
  /** Why the state is above ACTIVE (the first breaker that raised it). */
  cause: Breaker | 0 = 0;
  reconciled = false;
  /** Details of the last denial / trip (for the journal). */
  lastReason: RiskReason = RiskReason.OK;
  lastValue = 0;
  lastLimit = 0;
  readonly denials = new Float64Array(REASON_COUNT);
  readonly tripped = new Uint8Array(BREAKER_NAMES.length);

  private readonly ev = new RiskEvent();
  private readonly cfg: RiskConfig;
  // per instrument
  private readonly maxLots: Float64Array;
  private readonly maxNotional: Float64Array;
  private readonly maxPos: Float64Array;
  private readonly imBps: Float64Array;
  // per asset
  private readonly maxNet: Float64Array;
  private readonly maxGross: Float64Array;
  private readonly minFree: Float64Array;
  private readonly tol: Float64Array;
  private readonly maxUnhUs: Float64Array;
  private readonly maxUnhInt: Float64Array;
  private readonly unhSinceUs: Float64Array;
  private readonly unhInt: Float64Array;
  private readonly unhLastUs: Float64Array;
  private readonly unhLast: Float64Array;
  // per venue x asset
  private readonly free: Float64Array;
  private readonly nAssets: number;
  // per venue: order-rate ring, reject-rate buckets, ack latency streak
  private readonly rateRing: Float64Array[];
  private readonly rateHead: Int32Array;
  private readonly rateCount: Int32Array;
  private readonly rateGates: (RateGate | undefined)[] = [];
  private readonly rrSent: Float64Array;
  private readonly rrRej: Float64Array;
  private readonly rrBucket: Float64Array;
  private readonly slowAcks: Int32Array;
  // slippage window (last N fills)
  private readonly slip: Float64Array;
  private slipHead = 0;
  private slipCount = 0;
  private slipSum = 0;

  constructor(
    readonly instruments: TradableTable,
    readonly market: MarketView,
    readonly positions: PositionView,
    config: RiskConfig,
    private readonly sink?: RiskSink,
  ) {
    this.cfg = config;
    const ni = instruments.size;
    const na = Math.max(1, config.assets.length, ...instruments.all().map((t) => Math.max(t.base, t.quote, t.settle) + 1));
    const nv = Math.max(1, config.venues.length, ...instruments.all().map((t) => t.venue + 1));
    this.nAssets = na;
    const arr = (n: number, f: (i: number) => number | undefined, dflt: number): Float64Array => {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = f(i) ?? dflt;
      return a;
    };
    this.maxLots = arr(ni, (i) => config.instruments[i]?.maxOrderLots, Infinity);
    this.maxNotional = arr(ni, (i) => config.instruments[i]?.maxOrderNotionalUnits, Infinity);
    this.maxPos = arr(ni, (i) => config.instruments[i]?.maxPositionLots, Infinity);
    this.imBps = arr(ni, (i) => config.instruments[i]?.initialMarginBps, 10_000);
    this.maxNet = arr(na, (i) => config.assets[i]?.maxNetUnits, Infinity);
    this.maxGross = arr(na, (i) => config.assets[i]?.maxGrossUnits, Infinity);
    this.minFree = arr(na, (i) => config.assets[i]?.minFreeUnits, 0);
    this.tol = arr(na, (i) => config.assets[i]?.unhedgedToleranceUnits, 0);
    this.maxUnhUs = arr(na, (i) => config.assets[i]?.maxUnhedgedUs, Infinity);
    this.maxUnhInt = arr(na, (i) => config.assets[i]?.maxUnhedgedUnitsUs, Infinity);
    this.unhSinceUs = new Float64Array(na).fill(-1);
    this.unhInt = new Float64Array(na);
    this.unhLastUs = new Float64Array(na);
    this.unhLast = new Float64Array(na);
    this.free = new Float64Array(nv * na).fill(NaN);
    this.rateRing = [];
    for (let v = 0; v < nv; v++) this.rateRing.push(new Float64Array(Math.max(1, Math.min(1_000_000, config.venues[v]?.maxOrders ?? 1))));
    this.rateHead = new Int32Array(nv);
    this.rateCount = new Int32Array(nv);
    this.rrSent = new Float64Array(nv * RB);
    this.rrRej = new Float64Array(nv * RB);
    this.rrBucket = new Float64Array(nv * RB).fill(-1);
    this.slowAcks = new Int32Array(nv);
    this.slip = new Float64Array(Math.max(1, config.breakers.slippage.windowFills));
    this.state = config.startState ?? TradingState.REDUCING;
    if (this.state === TradingState.REDUCING) this.cause = Breaker.RECONCILING;
    else this.reconciled = true;
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs of the checks

  /** Free balance of an asset on a venue (units), from the venue's account updates. */
  setFree(venue: number, asset: number, units: number): void {
    this.free[venue * this.nAssets + asset] = units;
  }

  /** An external rate gate for a venue (consulted in addition to the built-in window). */
  setRateGate(venue: number, gate: RateGate | undefined): void {
    this.rateGates[venue] = gate;
  }

  // ---------------------------------------------------------------------------------------------
  // Pre-trade checks (no allocation)

  /** The OrderGate of the execution machine: follow-up orders (hedges, repairs, flattens). */
  allowOrder(nowUs: number, role: number, instrument: number, side: Side, lots: number, priceTicks: number): number {
    return this.checkOrder(nowUs, role, instrument, side, lots, priceTicks);
  }

  /** Checks one order. Returns 0 (allowed) or a RiskReason (denied, journaled). */
  checkOrder(nowUs: number, role: number, instrument: number, side: Side, lots: number, priceTicks: number): number {
    const t = this.instruments.find(instrument);
    if (t === undefined || !(Number.isInteger(lots) && lots > 0) || !(Number.isInteger(priceTicks) && priceTicks > 0)) {
      return this.deny(nowUs, RiskReason.BAD_ORDER, role, instrument, lots, 0);
    }
    const s = side === 'buy' ? 1 : -1;
    const pos = this.positions.lots(instrument);
    const flatten = role === OrderRole.FLATTEN;
    const open = role === OrderRole.OPEN;
    // ---- state
    if (open && !this.reconciled) return this.deny(nowUs, RiskReason.NOT_RECONCILED, role, instrument, lots, 0);
    if (flatten) {
      if (!reducesPosition(pos, s * lots)) return this.deny(nowUs, RiskReason.REDUCE_ONLY, role, instrument, pos, s * lots);
    } else if (this.state !== TradingState.ACTIVE) {
      const halted = this.state === TradingState.HALTED;
      if (open) {
        if (halted) return this.deny(nowUs, RiskReason.HALTED, role, instrument, lots, 0);
        if (!reducesPosition(pos, s * lots)) return this.deny(nowUs, RiskReason.REDUCE_ONLY, role, instrument, pos, s * lots);
      } else {
        const net = this.positions.assetNet(t.base);
        const d = s * unitsOf(t, lots, priceTicks);
        if (!(Math.abs(net + d) < Math.abs(net))) return this.deny(nowUs, halted ? RiskReason.HALTED : RiskReason.REDUCE_ONLY, role, instrument, net, d);
      }
    }
    // ---- size
    if (!flatten) {
      if (lots > this.maxLots[instrument]!) return this.deny(nowUs, RiskReason.MAX_ORDER_QTY, role, instrument, lots, this.maxLots[instrument]!);
      const notional = notionalUnits(t, lots, priceTicks);
      if (notional > this.maxNotional[instrument]!) return this.deny(nowUs, RiskReason.MAX_ORDER_NOTIONAL, role, instrument, notional, this.maxNotional[instrument]!);
    }
    // ---- positions and book (opening orders)
    if (open) {
      const after = pos + s * lots;
      const lim = this.maxPos[instrument]!;
      if (Math.abs(after) > lim && Math.abs(after) > Math.abs(pos)) return this.deny(nowUs, RiskReason.POSITION_INSTRUMENT, role, instrument, after, lim);
      const a = t.base;
      const units = unitsOf(t, lots, priceTicks);
      const net = this.positions.assetNet(a);
      const netAfter = net + s * units;
      if (Math.abs(netAfter) > this.maxNet[a]! && Math.abs(netAfter) > Math.abs(net)) return this.deny(nowUs, RiskReason.POSITION_ASSET_NET, role, instrument, netAfter, this.maxNet[a]!);
      const pu = this.positions.positionUnits(instrument);
      const gross = this.positions.assetGross(a);
      const grossAfter = gross - Math.abs(pu) + Math.abs(pu + s * units);
      if (grossAfter > this.maxGross[a]! && grossAfter > gross) return this.deny(nowUs, RiskReason.POSITION_ASSET_GROSS, role, instrument, grossAfter, this.maxGross[a]!);
      const code = this.bookCode(nowUs, instrument);
      if (code !== 0) return this.deny(nowUs, code, role, instrument, this.lastValue, this.lastLimit);
    }
    // ---- balance / margin (orders that can add exposure or spend)
    if (open || role === OrderRole.HEDGE || role === OrderRole.REPLENISH) {
      const code = this.fundsCode(t, s, pos, lots, priceTicks);
      if (code !== 0) return this.deny(nowUs, code, role, instrument, this.lastValue, this.lastLimit);
    }
    // ---- order rate
    const v = t.venue;
    const vr = this.cfg.venues[v];
    if (vr !== undefined) {
      const ring = this.rateRing[v]!;
      if (this.rateCount[v]! >= vr.maxOrders && ring[this.rateHead[v]!]! > nowUs - vr.windowUs) {
        return this.deny(nowUs, RiskReason.RATE_BUDGET, role, instrument, this.rateCount[v]!, vr.maxOrders);
      }
    }
    const g = this.rateGates[v];
    if (g !== undefined) {
      const w = g.waitMs(nowUs / 1000);
      if (w > 0) return this.deny(nowUs, RiskReason.RATE_BUDGET, role, instrument, w, 0);
    }
    return RiskReason.OK;
  }

  /**
   * Pre-trade check of a new pair trade (both OPEN legs): open pairs, both books (synced,
   * non-empty, fresh, venue-time skew), FX freshness, each leg's limit against the other venue's
   * mid (price band), then each leg's order checks. Returns 0 or the first RiskReason.
   */
  checkCombo(nowUs: number, c: ComboCheck): number {
    const cfg = this.cfg;
    if (c.openPairs >= cfg.maxOpenPairs) return this.deny(nowUs, RiskReason.OPEN_PAIRS, OrderRole.OPEN, c.instA, c.openPairs, cfg.maxOpenPairs);
    const ta = this.instruments.find(c.instA);
    const tb = this.instruments.find(c.instB);
    if (ta === undefined || tb === undefined) return this.deny(nowUs, RiskReason.BAD_ORDER, OrderRole.OPEN, ta === undefined ? c.instA : c.instB, 0, 0);
    let code = this.bookCode(nowUs, c.instA);
    if (code === 0) code = this.bookCode(nowUs, c.instB);
    if (code !== 0) return this.deny(nowUs, code, OrderRole.OPEN, this.lastInst, this.lastValue, this.lastLimit);
    const m = this.market;
    const va = m.venueTimeUs(c.instA);
    const vb = m.venueTimeUs(c.instB);
    if (va > 0 && vb > 0 && Math.abs(va - vb) > cfg.maxVenueSkewUs) return this.deny(nowUs, RiskReason.BOOK_SKEW, OrderRole.OPEN, c.instA, Math.abs(va - vb), cfg.maxVenueSkewUs);
    if (c.fxUpdatedUs === c.fxUpdatedUs && !(nowUs - c.fxUpdatedUs <= cfg.maxFxAgeUs)) return this.deny(nowUs, RiskReason.FX_STALE, OrderRole.OPEN, c.instA, nowUs - c.fxUpdatedUs, cfg.maxFxAgeUs);
    // price band: each leg's limit against the other venue's mid, in A's price unit
    const midA = ((m.bidTicks(c.instA) + m.askTicks(c.instA)) / 2) * ta.tickValue;
    const midB = ((m.bidTicks(c.instB) + m.askTicks(c.instB)) / 2) * tb.tickValue * c.priceBToA;
    const devA = (Math.abs(c.pxA * ta.tickValue - midB) / midB) * 10_000;
    if (!(devA <= cfg.priceBandBps)) return this.deny(nowUs, RiskReason.PRICE_BAND, OrderRole.OPEN, c.instA, devA, cfg.priceBandBps);
    const devB = (Math.abs(c.pxB * tb.tickValue * c.priceBToA - midA) / midA) * 10_000;
    if (!(devB <= cfg.priceBandBps)) return this.deny(nowUs, RiskReason.PRICE_BAND, OrderRole.OPEN, c.instB, devB, cfg.priceBandBps);
    code = this.checkOrder(nowUs, OrderRole.OPEN, c.instA, c.sideA, c.lotsA, c.pxA);
    if (code !== 0) return code;
    return this.checkOrder(nowUs, OrderRole.OPEN, c.instB, c.sideB, c.lotsB, c.pxB);
  }

  private lastInst = -1;

  private bookCode(nowUs: number, instrument: number): number {
    const m = this.market;
    this.lastInst = instrument;
    if (!m.synced(instrument)) {
      this.lastValue = 0;
      this.lastLimit = 1;
      return RiskReason.BOOK_NOT_SYNCED;
    }
    const bid = m.bidTicks(instrument);
    const ask = m.askTicks(instrument);
    if (bid !== bid || ask !== ask) {
      this.lastValue = 0;
      this.lastLimit = 0;
      return RiskReason.BOOK_EMPTY;
    }
    const age = nowUs - m.updatedUs(instrument);
    if (age > this.cfg.maxBookAgeUs) {
      this.lastValue = age;
      this.lastLimit = this.cfg.maxBookAgeUs;
      return RiskReason.BOOK_STALE;
    }
    return 0;
  }

  private fundsCode(t: Tradable, s: number, pos: number, lots: number, px: number): number {
    const v = t.venue;
    if (t.kind === 'spot') {
      // buy spends quote (+ fee headroom), sell spends base
      const asset = s > 0 ? t.quote : t.base;
      const need = s > 0 ? Math.ceil(px * lots * t.quoteUnitsPerTickLot * (1 + (this.cfg.feeHeadroomBps ?? 0) / 10_000)) : lots * t.baseUnitsPerLot;
      return this.freeCode(v, asset, need, RiskReason.BALANCE);
    }
    // derivatives: margin only for the part that opens or extends the position
    const closing = pos !== 0 && Math.sign(pos) !== s ? Math.min(Math.abs(pos), lots) : 0;
    const opening = lots - closing;
    if (opening <= 0) return 0;
    const notional = notionalUnits(t, opening, px);
    const need = t.inverse
      ? Math.ceil((((opening * t.inverseBaseK) / px) * this.imBps[t.id]!) / 10_000)
      : Math.ceil((notional * this.imBps[t.id]!) / 10_000);
    return this.freeCode(v, t.settle, need, RiskReason.MARGIN);
  }

  private freeCode(venue: number, asset: number, need: number, reason: number): number {
    const f = this.free[venue * this.nAssets + asset]!;
    if (f !== f) {
      if (this.cfg.requireKnownBalance === true) {
        this.lastValue = need;
        this.lastLimit = NaN;
        return reason;
      }
      return 0;
    }
    const avail = f - this.minFree[asset]!;
    if (need > avail) {
      this.lastValue = need;
      this.lastLimit = avail;
      return reason;
    }
    return 0;
  }

  private deny(nowUs: number, code: number, role: number, instrument: number, value: number, limit: number): number {
    this.lastReason = code as RiskReason;
    this.lastValue = value;
    this.lastLimit = limit;
    this.denials[code] = this.denials[code]! + 1;
    if (this.sink !== undefined) {
      const e = this.ev;
      e.kind = RiskEventKind.DENIAL;
      e.nowUs = nowUs;
      e.code = code;
      e.role = role;
      e.instrument = instrument;
      e.venue = this.instruments.find(instrument)?.venue ?? -1;
      e.value = value;
      e.limit = limit;
      e.state = this.state;
      e.prevState = this.state;
      this.sink.event(e);
    }
    return code;
  }

  // ---------------------------------------------------------------------------------------------
  // Observations feeding the budgets and breakers (no allocation)

  /** An order was sent to a venue: consumes the rate budget, counts for the reject rate. */
  onOrderSent(nowUs: number, venue: number): void {
    const vr = this.cfg.venues[venue];
    if (vr !== undefined) {
      const ring = this.rateRing[venue]!;
      const cap = ring.length;
      const n = this.rateCount[venue]!;
      if (n < cap) {
        ring[(this.rateHead[venue]! + n) % cap] = nowUs;
        this.rateCount[venue] = n + 1;
      } else {
        // full: overwrite the oldest
        ring[this.rateHead[venue]!] = nowUs;
        this.rateHead[venue] = (this.rateHead[venue]! + 1) % cap;
      }
      // drop entries that left the window
      while (this.rateCount[venue]! > 0 && ring[this.rateHead[venue]!]! <= nowUs - vr.windowUs) {
        this.rateHead[venue] = (this.rateHead[venue]! + 1) % cap;
        this.rateCount[venue] = this.rateCount[venue]! - 1;
      }
    }
    this.rrAdd(nowUs, venue, 1, 0);
  }

  /** A venue rejected one of our orders. */
  onReject(nowUs: number, venue: number): void {
    this.rrAdd(nowUs, venue, 0, 1);
  }

  /** An ack arrived `latencyUs` after the order was sent. */
  onAck(nowUs: number, venue: number, latencyUs: number): void {
    const b = this.cfg.breakers.ackLatency;
    if (venue < 0 || venue >= this.slowAcks.length) return;
    if (latencyUs > b.maxUs) {
      this.slowAcks[venue] = this.slowAcks[venue]! + 1;
      if (this.slowAcks[venue]! >= b.consecutive) this.trip(nowUs, Breaker.ACK_LATENCY, b.action ?? TradingState.REDUCING, latencyUs, b.maxUs);
    } else this.slowAcks[venue] = 0;
  }

  /**
   * A fill at `priceTicks` of an order that expected `refTicks`: slippage in bps (positive =
   * worse than expected) enters the window of the last N fills.
   */
  onFill(nowUs: number, side: Side, priceTicks: number, refTicks: number): void {
    if (!(refTicks > 0)) return;
    const bps = ((side === 'buy' ? priceTicks - refTicks : refTicks - priceTicks) / refTicks) * 10_000;
    const n = this.slip.length;
    if (this.slipCount === n) {
      this.slipSum -= this.slip[this.slipHead]!;
      this.slip[this.slipHead] = bps;
      this.slipHead = (this.slipHead + 1) % n;
    } else {
      this.slip[(this.slipHead + this.slipCount) % n] = bps;
      this.slipCount++;
    }
    this.slipSum += bps;
    const b = this.cfg.breakers.slippage;
    if (this.slipCount === n && this.slipSum / n > b.maxAvgBps) this.trip(nowUs, Breaker.SLIPPAGE, b.action ?? TradingState.REDUCING, this.slipSum / n, b.maxAvgBps);
  }

  /** The day's PnL in the reporting currency's units (a loss of exactly maxDailyLoss passes). */
  onPnl(nowUs: number, pnl: number): void {
    const b = this.cfg.breakers;
    if (pnl < -b.maxDailyLoss) this.trip(nowUs, Breaker.DAILY_LOSS, b.dailyLossAction ?? TradingState.HALTED, pnl, -b.maxDailyLoss);
  }

  /**
   * The net exposure of an asset across venues (units, e.g. Positions.assetNet). Integrates the
   * part beyond the tolerance over time; trips when it lasted longer than maxUnhedgedUs or its
   * integral exceeded maxUnhedgedUnitsUs. Call on every change and periodically (timers).
   */
  updateExposure(nowUs: number, asset: number, netUnits: number): void {
    if (asset < 0 || asset >= this.nAssets) return;
    const prev = this.unhLast[asset]!;
    const last = this.unhLastUs[asset]!;
    if (this.unhSinceUs[asset]! >= 0 && nowUs > last) this.unhInt[asset] = this.unhInt[asset]! + (Math.abs(prev) - this.tol[asset]!) * (nowUs - last);
    this.unhLast[asset] = netUnits;
    this.unhLastUs[asset] = nowUs;
    if (Math.abs(netUnits) <= this.tol[asset]!) {
      this.unhSinceUs[asset] = -1;
      this.unhInt[asset] = 0;
      return;
    }
    if (this.unhSinceUs[asset]! < 0) this.unhSinceUs[asset] = nowUs;
    const action = this.cfg.breakers.unhedgedAction ?? TradingState.REDUCING;
    const dur = nowUs - this.unhSinceUs[asset]!;
    if (dur > this.maxUnhUs[asset]!) this.trip(nowUs, Breaker.UNHEDGED_EXPOSURE, action, dur, this.maxUnhUs[asset]!);
    else if (this.unhInt[asset]! > this.maxUnhInt[asset]!) this.trip(nowUs, Breaker.UNHEDGED_EXPOSURE, action, this.unhInt[asset]!, this.maxUnhInt[asset]!);
  }

  /** Exposure-time integral beyond the tolerance of an asset so far (units x µs). */
  unhedgedIntegral(asset: number): number {
    return this.unhInt[asset] ?? 0;
  }

  /**
   * Feeds the execution machine's journal events (exec-types.ts ExecEventKind): ORDER_SENT ->
   * rate budget and reject-rate denominator; ORDER_FINAL REJECTED -> reject; ACKED -> latency;
   * FILL of an order in its leg's direction -> slippage; ESCALATED -> state; UNKNOWN_ALARM -> HALTED.
   */
  observeExecEvent(ev: { readonly kind: number; readonly nowUs: number; readonly venue: number; readonly status: number; readonly reason: number; readonly latencyUs: number; readonly role: number; readonly side: Side; readonly priceTicks: number; readonly refTicks: number; readonly imbalanceUnits: number }): void {
    switch (ev.kind) {
      case 2: // ORDER_SENT
        this.onOrderSent(ev.nowUs, ev.venue);
        break;
      case 7: // ORDER_FINAL
        if (ev.status === 7 /* REJECTED */ && ev.reason !== 200 /* our own risk */) this.onReject(ev.nowUs, ev.venue);
        break;
      case 15: // ACKED
        this.onAck(ev.nowUs, ev.venue, ev.latencyUs);
        break;
      case 6: // FILL
        if (ev.role !== OrderRole.UNWIND && ev.role !== OrderRole.FLATTEN) this.onFill(ev.nowUs, ev.side, ev.priceTicks, ev.refTicks);
        break;
      case 13: // ESCALATED
        this.trip(ev.nowUs, Breaker.REPAIR_FAILED, ev.reason === TradingState.HALTED ? TradingState.HALTED : TradingState.REDUCING, Math.abs(ev.imbalanceUnits), 0);
        break;
      case 14: // UNKNOWN_ALARM
        this.trip(ev.nowUs, Breaker.UNRESOLVED_ORDER, TradingState.HALTED, ev.latencyUs, 0);
        break;
    }
  }

  private rrAdd(nowUs: number, venue: number, sent: number, rej: number): void {
    const b = this.cfg.breakers.rejectRate;
    if (venue < 0 || venue * RB >= this.rrSent.length) return;
    const width = b.windowUs / RB;
    const bucket = Math.floor(nowUs / width);
    const k = venue * RB + (bucket % RB);
    if (this.rrBucket[k] !== bucket) {
      this.rrBucket[k] = bucket;
      this.rrSent[k] = 0;
      this.rrRej[k] = 0;
    }
    this.rrSent[k] = this.rrSent[k]! + sent;
    this.rrRej[k] = this.rrRej[k]! + rej;
    if (rej === 0) return;
    let s = 0;
    let r = 0;
    for (let i = 0; i < RB; i++) {
      const j = venue * RB + i;
      if (this.rrBucket[j]! > bucket - RB) {
        s += this.rrSent[j]!;
        r += this.rrRej[j]!;
      }
    }
    if (s >= b.minOrders && r / s > b.maxRatio) this.trip(nowUs, Breaker.REJECT_RATE, b.action ?? TradingState.REDUCING, r / s, b.maxRatio);
  }

  // ---------------------------------------------------------------------------------------------
  // State

  /**
   * Trips a breaker: the state rises to `action` if that is higher. A breaker is latched until
   * `resume`: tripping it again is silent unless it would raise the state.
   */
  trip(nowUs: number, breaker: Breaker, action: TradingState, value: number, limit: number): void {
    if (this.tripped[breaker] === 1 && action <= this.state) return;
    this.tripped[breaker] = 1;
    if (this.sink !== undefined) {
      const e = this.ev;
      e.kind = RiskEventKind.BREAKER;
      e.nowUs = nowUs;
      e.code = breaker;
      e.role = 0;
      e.instrument = -1;
      e.venue = -1;
      e.value = value;
      e.limit = limit;
      e.state = Math.max(this.state, action);
      e.prevState = this.state;
      this.sink.event(e);
    }
    if (action > this.state) this.setState(nowUs, action, breaker);
  }

  /** Operator halt (control plane). */
  halt(nowUs: number): void {
    this.trip(nowUs, Breaker.MANUAL, TradingState.HALTED, 0, 0);
  }

  /** Operator reduce-only (control plane). */
  reduceOnly(nowUs: number): void {
    this.trip(nowUs, Breaker.MANUAL, TradingState.REDUCING, 0, 0);
  }

  /**
   * Reconciliation result (ReconcileGate.proven). While not reconciled the state is at least
   * REDUCING; when it becomes proven and nothing else holds the state up, trading resumes.
   */
  setReconciled(nowUs: number, ok: boolean): void {
    this.reconciled = ok;
    if (!ok) {
      if (this.state < TradingState.REDUCING) this.setState(nowUs, TradingState.REDUCING, Breaker.RECONCILING);
    } else if (this.state === TradingState.REDUCING && this.cause === Breaker.RECONCILING && !this.anyLatched()) {
      this.setState(nowUs, TradingState.ACTIVE, Breaker.RECONCILING);
    }
  }

  /** A breaker other than RECONCILING is latched. */
  anyLatched(): boolean {
    for (let i = 1; i < this.tripped.length; i++) if (i !== Breaker.RECONCILING && this.tripped[i] === 1) return true;
    return false;
  }

  /**
   * Operator resume: back to ACTIVE, clearing latched breakers. Refused (returns false) while
   * reconciliation has not proven every pair balanced.
   */
  resume(nowUs: number): boolean {
    if (!this.reconciled) return false;
    this.tripped.fill(0);
    this.slowAcks.fill(0);
    this.slipCount = 0;
    this.slipSum = 0;
    this.slipHead = 0;
    this.rrBucket.fill(-1);
    this.setState(nowUs, TradingState.ACTIVE, Breaker.MANUAL);
    return true;
  }

  /** New trading day: the daily-loss latch is cleared (the state is not changed). */
  resetDaily(): void {
    this.tripped[Breaker.DAILY_LOSS] = 0;
  }

  private setState(nowUs: number, s: TradingState, cause: Breaker): void {
    const prev = this.state;
    if (prev === s) return;
    this.state = s;
    this.cause = s === TradingState.ACTIVE ? 0 : cause;
    if (this.sink !== undefined) {
      const e = this.ev;
      e.kind = RiskEventKind.STATE;
      e.nowUs = nowUs;
      e.code = cause;
      e.role = 0;
      e.instrument = -1;
      e.venue = -1;
      e.value = 0;
      e.limit = 0;
      e.state = s;
      e.prevState = prev;
      this.sink.event(e);
    }
  }
}

/** The order (signed lots d) reduces |position p| without crossing zero. */
function reducesPosition(p: number, d: number): boolean {
  return p !== 0 && Math.sign(d) !== Math.sign(p) && Math.abs(d) <= Math.abs(p);
}

/** Base units of an order (inverse: at its price). */
function unitsOf(t: Tradable, lots: number, px: number): number {
  return t.inverse ? (lots * t.inverseBaseK) / px : lots * t.baseUnitsPerLot;
}

// -------------------------------------------------------------------------------------------------
// Kill switch

/** What the kill switch drives (the ExecutionEngine provides it). */
export interface KillTarget {
  haltAll(nowUs: number): void;
  isQuiescent(): boolean;
  startFlatten(nowUs: number, req: FlattenRequest): { readonly terminal: boolean; readonly state: number };
}

/** Where venue-wide cancels go (wire Cancel with scope Venue). */
export interface KillSink {
  cancelAllOnVenue(venue: number): void;
}

export const KillPhase = {
  IDLE: 0,
  /** Venue-wide cancels sent; waiting until every order we sent is final. */
  CANCELLING: 1,
  FLATTENING: 2,
  DONE: 3,
  /** A flatten job escalated (could not trade within its band in time). */
  FAILED: 4,
} as const;
export type KillPhase = (typeof KillPhase)[keyof typeof KillPhase];

export interface KillOptions {
  readonly venues: readonly number[];
  /** Flatten after cancelling: 'exposure' = the net of each asset, 'all' = every position. */
  readonly flatten: 'none' | 'exposure' | 'all';
  /** Flatten orders trade no worse than mid -+ bandBps. */
  readonly bandBps: number;
  readonly maxAttempts: number;
  readonly windowUs: number;
  /** Fresh job ids (the engine's combo id sequence). */
  readonly nextJobId: () => number;
}

/** Position access the flatten needs (Positions provides it). */
export interface FlattenPositions extends PositionView {
  readonly instruments: TradableTable;
}

/**
 * Kill switch: HALT, cancel everything on every venue (venue-wide cancels plus the machine's own
 * per-order cancels and queries), and once every order we sent is final, optionally flatten the
 * residual within a band around the mid with reduce-only IOC jobs. Cold path (allocates).
 */
export class KillSwitch {
  phase: KillPhase = KillPhase.IDLE;
  readonly jobs: { id: number; job: { readonly terminal: boolean; readonly state: number } }[] = [];
  /** Instruments the flatten skipped (no book mid to price it). */
  readonly skipped: number[] = [];

  constructor(
    private readonly risk: RiskEngine,
    private readonly target: KillTarget,
    private readonly positions: FlattenPositions,
    private readonly market: MarketView,
    private readonly sink: KillSink,
    private readonly opts: KillOptions,
  ) {}

  engage(nowUs: number): void {
    if (this.phase !== KillPhase.IDLE) return;
    this.risk.trip(nowUs, Breaker.KILL_SWITCH, TradingState.HALTED, 0, 0);
    for (const v of this.opts.venues) this.sink.cancelAllOnVenue(v);
    this.target.haltAll(nowUs);
    this.phase = KillPhase.CANCELLING;
    this.step(nowUs);
  }

  /** Advances the procedure (call after reports and on timers). */
  step(nowUs: number): void {
    if (this.phase === KillPhase.CANCELLING) {
      if (!this.target.isQuiescent()) return;
      if (this.opts.flatten === 'none') {
        this.phase = KillPhase.DONE;
        return;
      }
      this.startFlattens(nowUs);
      this.phase = KillPhase.FLATTENING;
    }
    if (this.phase === KillPhase.FLATTENING) {
      let failed = false;
      for (const j of this.jobs) {
        if (!j.job.terminal) return;
        if (j.job.state !== 5 /* DONE */) failed = true;
      }
      this.phase = failed || this.skipped.length > 0 ? KillPhase.FAILED : KillPhase.DONE;
    }
  }

  private startFlattens(nowUs: number): void {
    const pos = this.positions;
    const all = pos.instruments.all();
    if (this.opts.flatten === 'all') {
      for (const t of all) {
        const lots = pos.lots(t.id);
        if (lots !== 0) this.flatten(nowUs, t, lots > 0 ? 'sell' : 'buy', Math.abs(lots));
      }
      return;
    }
    // 'exposure': per asset, trade the net back through the instruments holding it (largest first)
    const assets = new Set<number>();
    for (const t of all) assets.add(t.base);
    for (const a of assets) {
      const held = all.filter((t) => t.base === a).map((t) => t.id);
      for (const x of excessTrades(pos, held)) this.flatten(nowUs, pos.instruments.get(x.instrument), x.side, x.lots);
    }
  }

  private flatten(nowUs: number, t: Tradable, side: Side, lots: number): void {
    const mid = (this.market.bidTicks(t.id) + this.market.askTicks(t.id)) / 2;
    if (mid !== mid) {
      this.skipped.push(t.id);
      return;
    }
    const band = bpsToTicks(mid, this.opts.bandBps);
    const limit = side === 'sell' ? Math.max(1, Math.ceil(mid - band)) : Math.floor(mid + band);
    const id = this.opts.nextJobId();
    const job = this.target.startFlatten(nowUs, { jobId: id, instrument: t.id, side, qtyLots: lots, limitTicks: limit, maxAttempts: this.opts.maxAttempts, windowUs: this.opts.windowUs });
    this.jobs.push({ id, job });
  }
}
