// Price-time-priority matching engine for one instrument of a simulated venue. Pure: no I/O, no
// clocks (every operation takes `nowMs`), no randomness.
//
// Units: prices are integer ticks, quantities integer lots of the instrument (InstrumentSpec);
// money is integer units of each asset (see ledger.ts). For one fill of q lots at p ticks:
//   notional (quote units) = p * q * quoteUnitsPerTickLot   (tick * lot * contractValue * 10^qd)
//   base amount (spot)     = q * baseUnitsPerLot            (lot * 10^bd)
// Both factors are computed exactly at construction and must be whole numbers (config error
// otherwise).
//
// Order types: 'limit' (GTC), 'ioc', 'fok', 'market' (an IOC whose limit is a protection price
// `marketProtectionBps` beyond the best opposite price at arrival, so it cannot sweep the whole
// book), 'post_only' (never takes: rejected with 'post_only_would_take', or with postOnly
// 'bounce' acknowledged then cancelled with reason 'post_only', as OKX and Binance USD-M GTX do;
// crossing any resting order, the account's own included, counts as taking).
//
// Self-trade prevention (defined here; venues default to the first mode): when a taker meets a
// resting order of the SAME account, no trade happens, and
//   'cancel_maker' (default; Binance EXPIRE_MAKER, OKX cancel_maker): the resting order is
//                  cancelled (reason 'self_trade') and matching continues behind it;
//   'cancel_taker': the taker stops; its remainder expires (reason 'self_trade'), fills so far stand;
//   'cancel_both':  both of the above.
// Self-trades never print. The mode is the taker's (per order, default from config).
//
// Reports: every accepted order first gets 'ack'; fills give 'partial_fill' / 'fill' (taker and
// maker, each with trade id, liquidity flag and fee); an order ends 'filled', 'cancelled' (by the
// user, self-trade prevention, post-only bounce, reduce-only exhausted) or 'expired' (IOC / FOK /
// market remainder). A refused order gets one 'rejected' report with a distinct reason and never
// touches the book or balances.
//
// Orders and client ids: venue order ids come from the Ledger (unique across its instruments).
// An order without a client id gets 'sim<orderId>'. Query and cancel by client id find the
// account's latest order with that id. Closed orders stay queryable until `retainTerminal` newer
// ones have closed (oldest forgotten first), except those of `forgetClosed` accounts, which are
// forgotten at once (and whose auto-assigned client ids are not indexed at all).
//
// Balances: spot buys lock limit * leaves * quoteUnitsPerTickLot of quote, sells lock
// leaves * baseUnitsPerLot of base; a fill at a better price releases the difference. Spot fees
// are charged in the asset received (buyer pays base, seller pays quote), as Binance and OKX do.
// Perpetuals (linear; kind 'perpetual' or 'future') book a signed position in lots with its entry
// cost; orders lock initial margin ceil(limit * leaves * qupt / leverage) of the quote (margin)
// asset, reduce-only orders lock none; the open position holds ceil(|entry cost| / leverage);
// fees and realized PnL settle in the margin asset. Unrealized PnL is not credited (conservative).
// Reduce-only (perpetuals only): refused unless its quantity fits in the position it reduces at
// placement; each fill is capped at what is left of that position, and a resting reduce-only
// order with nothing left to reduce is cancelled (reason 'reduce_only'). Closing part of a
// position releases its entry cost pro rata, rounded down; the residue stays with the open
// quantity and is released in full when the position closes, so realized PnL sums exactly.
// Fills are never refused after acceptance, so free margin can dip below zero by fees or by a
// sell filling above its limit; new orders are then refused until it recovers.
//
// Book-change output: every operation returns the price levels whose aggregate quantity it
// changed (final quantity, 0 = level removed), in order of first change, and the update ids
// before and after it; the update id grows by exactly 1 per operation that changed the book.
// Applying an operation's `levels` to the snapshot taken before it gives the snapshot after it.
//
// Invariants (checked by `checkInvariants`):
// - each side's levels are sorted by price, non-empty, and each level's total is the sum of its
//   orders' leaves quantities; orders within a level are in arrival order (time priority);
// - the book is never crossed after an operation (best bid < best ask);
// - every resting order is open with 0 < leaves <= qty, cum + leaves = qty;
// - locked balances equal what the open orders and positions reserve.
import type { InstrumentSpec, Side } from '../venues/types.js';
import { OrderBook } from '../core/book.js';
import { Instrument } from '../core/instrument.js';
import { DecimalScale } from '../core/decimal.js';
import { SimConfigError, bool, knownKeys, oneOf, optInt, record } from './check.js';
import { type Account, type BalanceView, type Ledger, feeUnits, mulDiv, mulExact } from './ledger.js';

export type SimOrderType = 'limit' | 'ioc' | 'fok' | 'market' | 'post_only';
export const SIM_ORDER_TYPES: readonly SimOrderType[] = ['limit', 'ioc', 'fok', 'market', 'post_only'];
export type SelfTradeMode = 'cancel_maker' | 'cancel_taker' | 'cancel_both';
export const SELF_TRADE_MODES: readonly SelfTradeMode[] = ['cancel_maker', 'cancel_taker', 'cancel_both'];
export type PostOnlyMode = 'reject' | 'bounce';

export type OrderStatus = 'new' | 'partially_filled' | 'filled' | 'cancelled' | 'expired' | 'rejected';
export type SimReportKind = 'ack' | 'partial_fill' | 'fill' | 'cancelled' | 'expired' | 'rejected';

/** Why an order or a cancel request was refused. Stable codes. */
export type RejectReason =
  | 'unknown_account'
  | 'invalid_order'         // malformed side / type / price / quantity, or notional beyond 2^53 units
  | 'invalid_client_id'     // not a string of 1..maxClientIdLength printable ASCII characters
  | 'duplicate_client_id'   // client id in use by the account (see Ledger client-id scope)
  | 'insufficient_balance'
  | 'post_only_would_take'
  | 'reduce_only'           // reduce-only on spot, or larger than the position it would reduce
  | 'below_min_qty'
  | 'below_min_notional'
  | 'order_not_found'       // cancel: no such order for this account
  | 'order_closed';         // cancel: the order is already filled, cancelled or expired

/** Why an accepted order ended without filling completely. */
export type EndReason =
  | 'user'              // cancelled by request
  | 'ioc_remainder'     // IOC remainder
  | 'fok_unfilled'      // FOK could not fill completely: nothing traded
  | 'market_protection' // market order stopped at its protection price
  | 'no_liquidity'      // market order found no (more) opposite liquidity
  | 'post_only'         // post-only bounce
  | 'self_trade'        // self-trade prevention
  | 'reduce_only';      // reduce-only order has no position left to reduce

export interface PlaceRequest {
  readonly account: string;
  /** Client order id; empty or absent => the venue assigns 'sim<orderId>'. */
  readonly clientOrderId?: string;
  readonly side: Side;
  readonly type: SimOrderType;
  /** Limit price in ticks; ignored for 'market'. */
  readonly priceTicks?: number;
  readonly qtyLots: number;
  /** Perpetuals only. */
  readonly reduceOnly?: boolean;
  /** Self-trade prevention for this order (default: the engine's `selfTrade`). */
  readonly selfTrade?: SelfTradeMode;
}

export type OrderRef = { readonly orderId: number } | { readonly clientOrderId: string };

export interface OrderReport {
  readonly kind: SimReportKind;
  /** Engine-wide event sequence (execution id), strictly increasing. */
  readonly seq: number;
  readonly account: string;
  readonly symbol: string;
  /** Venue order id (-1 on a rejected placement: no order was created). */
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: SimOrderType;
  /** Limit price as requested (0 for market orders). */
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly reduceOnly: boolean;
  /** Order status after this event. */
  readonly status: OrderStatus;
  readonly cumQtyLots: number;
  readonly leavesQtyLots: number;
  /** Sum of fill price * fill qty in ticks * lots (average price = cumNotional / cumQtyLots). */
  readonly cumNotional: number;
  /** This event's fill (0 / -1 / '' when the event carries none). */
  readonly lastQtyLots: number;
  readonly lastPriceTicks: number;
  readonly tradeId: number;
  readonly liquidity: 'maker' | 'taker' | '';
  /** This fill's fee in units of `feeAsset` (negative = rebate). */
  readonly fee: number;
  readonly feeAsset: string;
  /** Reject reason, end reason, or ''. */
  readonly reason: RejectReason | EndReason | '';
  readonly timeMs: number;
}

export interface Trade {
  readonly tradeId: number;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly takerSide: Side;
  readonly takerOrderId: number;
  readonly makerOrderId: number;
  readonly takerAccount: string;
  readonly makerAccount: string;
  readonly timeMs: number;
}

/** One changed price level: side 'buy' = bids, 'sell' = asks; qtyLots 0 = level removed. */
export interface LevelChange {
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  /** Aggregate quantity before the operation (0 = level was absent). */
  readonly prevQtyLots: number;
}

export interface PositionView {
  readonly account: string;
  readonly symbol: string;
  readonly qtyLots: number;
  /** |entry cost| of the open quantity, margin-asset units. */
  readonly entryNotional: number;
  /** Average entry price in ticks (not an integer in general); 0 when flat. */
  readonly avgEntryTicks: number;
  readonly realized: number;
  readonly fees: number;
  readonly margin: number;
  readonly marginAsset: string;
}

export interface OpResult {
  /** Place: the order was accepted (acknowledged). Cancel: the order was cancelled. */
  readonly accepted: boolean;
  readonly rejectReason: RejectReason | null;
  /** The order placed or cancelled (-1 when none). */
  readonly orderId: number;
  readonly reports: readonly OrderReport[];
  readonly trades: readonly Trade[];
  readonly levels: readonly LevelChange[];
  /** Book update id before the operation. */
  readonly prevUpdateId: number;
  /** Book update id after it (prevUpdateId + 1 when `levels` is non-empty, else equal). */
  readonly updateId: number;
  /** Balances of the limited accounts the operation touched (unlimited accounts are omitted). */
  readonly balances: readonly BalanceView[];
  /** Positions (perpetuals) of the limited accounts the operation touched. */
  readonly positions: readonly PositionView[];
}

export interface OrderView {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly reduceOnly: boolean;
  readonly status: OrderStatus;
  readonly reason: EndReason | '';
  readonly cumQtyLots: number;
  readonly leavesQtyLots: number;
  readonly cumNotional: number;
  /** cumNotional / cumQtyLots (ticks, not an integer in general), 0 when nothing filled. */
  readonly avgPriceTicks: number;
  readonly fees: number;
  readonly feeAsset: string;
  readonly createdMs: number;
  readonly updatedMs: number;
}

export interface BookSnapshot {
  readonly updateId: number;
  /** Best first: [priceTicks, qtyLots]. */
  readonly bids: [number, number][];
  readonly asks: [number, number][];
}

export interface MatchingConfig {
  readonly instrument: InstrumentSpec;
  /** Fee rates in parts per million of notional (negative = rebate). Default 0. */
  readonly makerFeePpm?: number;
  readonly takerFeePpm?: number;
  /** Post-only that would take: 'reject' (Binance spot LIMIT_MAKER) or 'bounce'. Default 'reject'. */
  readonly postOnly?: PostOnlyMode;
  readonly selfTrade?: SelfTradeMode;
  /** Market order protection band in basis points of the best opposite price. Default 500. */
  readonly marketProtectionBps?: number;
  /** Perpetuals: initial-margin leverage (integer). Default 10. */
  readonly leverage?: number;
  /** Terminal orders kept queryable (oldest forgotten first). Default 10000. */
  readonly retainTerminal?: number;
  /** Book update id before the first change. Default 0. */
  readonly initialUpdateId?: number;
  readonly firstTradeId?: number;
  /** Apply the instrument's minQty / minNotional filters. Default true. */
  readonly checkMinimums?: boolean;
}

const CONFIG_KEYS = [
  'instrument', 'makerFeePpm', 'takerFeePpm', 'postOnly', 'selfTrade', 'marketProtectionBps', 'leverage',
  'retainTerminal', 'initialUpdateId', 'firstTradeId', 'checkMinimums',
] as const;

// ---- internal structures ------------------------------------------------------------------------

class Order {
  status: OrderStatus = 'new';
  reason: EndReason | '' = '';
  leaves: number;
  cum = 0;
  cumNotional = 0;
  fees = 0;
  /** Units of the lock asset this order reserves now. */
  lock = 0;
  level: Level | null = null;
  updatedMs: number;
  /** The client id is registered with the ledger and in the engine's client-id index. */
  cidTracked = true;

  constructor(
    readonly id: number,
    readonly cid: string,
    readonly acct: Account,
    readonly side: Side,
    readonly isBuy: boolean,
    readonly type: SimOrderType,
    /** Price as requested (0 for market). */
    readonly price: number,
    /** Matching limit: the price, or the protection price of a market order. */
    readonly limit: number,
    readonly qty: number,
    readonly reduceOnly: boolean,
    readonly stp: SelfTradeMode,
    readonly createdMs: number,
  ) {
    this.leaves = qty;
    this.updatedMs = createdMs;
  }

  get open(): boolean {
    return this.status === 'new' || this.status === 'partially_filled';
  }
}

class Level {
  total = 0;
  readonly orders: Order[] = [];
  constructor(readonly price: number) {}
}

/** One side of the simulator's book: levels sorted by priority key, best at the end. */
class SimSide {
  readonly levels: Level[] = [];
  readonly byPrice = new Map<number, Level>();
  constructor(readonly isBid: boolean) {}

  best(): Level | undefined {
    return this.levels[this.levels.length - 1];
  }

  private key(px: number): number {
    return this.isBid ? px : -px;
  }

  /** Index where a level with this price is, or should be inserted. */
  private search(px: number): number {
    const k = this.key(px);
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.key(this.levels[mid]!.price) < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  getOrCreate(px: number): Level {
    let l = this.byPrice.get(px);
    if (l === undefined) {
      l = new Level(px);
      this.levels.splice(this.search(px), 0, l);
      this.byPrice.set(px, l);
    }
    return l;
  }

  remove(l: Level): void {
    const i = this.search(l.price);
    if (this.levels[i] !== l) throw new Error(`sim book: level ${l.price} not at its slot`);
    this.levels.splice(i, 1);
    this.byPrice.delete(l.price);
  }
}

/** Per-operation accumulator. */
class Op {
  readonly reports: OrderReport[] = [];
  readonly trades: Trade[] = [];
  /** Touched levels in order of first change, with their quantity before the operation. */
  readonly touched: { isBid: boolean; price: number; prev: number }[] = [];
  /** Accounts whose balances changed (few per operation: a list beats a Set here). */
  readonly accounts: Account[] = [];
  constructor(readonly nowMs: number) {}

  touch(isBid: boolean, price: number, prev: number): void {
    const t = this.touched;
    // Linear scan: an operation touches one level, or the few levels a taker sweeps.
    for (let i = 0; i < t.length; i++) if (t[i]!.price === price && t[i]!.isBid === isBid) return;
    t.push({ isBid, price, prev });
  }

  account(a: Account): void {
    if (!this.accounts.includes(a)) this.accounts.push(a);
  }
}

function ceilDiv(a: number, d: number): number {
  return mulDiv(a, 1, d, true);
}

/** Exact tick * lot * contractValue * 10^decimals as a positive safe integer, or a config error. */
function unitsPer(parts: readonly string[], decimals: number, field: string, what: string): number {
  let m = 1n;
  let d = 0;
  for (const p of parts) {
    const s = new DecimalScale(p);
    m *= BigInt(s.stepMantissa);
    d += s.decimals;
  }
  // value = m * 10^(decimals - d)
  const e = decimals - d;
  let v: bigint;
  if (e >= 0) v = m * 10n ** BigInt(e);
  else {
    const div = 10n ** BigInt(-e);
    if (m % div !== 0n) throw new SimConfigError(field, `${what} to be a whole number of asset units (raise the asset's decimals)`, `${parts.join(' * ')} at ${decimals} decimals`);
    v = m / div;
  }
  if (v <= 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new SimConfigError(field, `${what} between 1 and 2^53 - 1 units`, v.toString());
  return Number(v);
}

const CID_RE = /^[\x21-\x7e]+$/;

// ---- the engine ---------------------------------------------------------------------------------

export class MatchingEngine {
  readonly symbol: string;
  readonly spec: InstrumentSpec;
  readonly isPerp: boolean;
  /** Spot: base asset; perpetual: '' (positions are in lots). */
  readonly baseAsset: string;
  /** Spot: quote asset; perpetual: the margin / settlement asset. */
  readonly quoteAsset: string;
  readonly quoteUnitsPerTickLot: number;
  /** Spot only (0 for perpetuals). */
  readonly baseUnitsPerLot: number;
  readonly makerFeePpm: number;
  readonly takerFeePpm: number;
  readonly postOnly: PostOnlyMode;
  readonly selfTrade: SelfTradeMode;
  readonly marketProtectionBps: number;
  readonly leverage: number;
  readonly retainTerminal: number;
  readonly checkMinimums: boolean;
  readonly instrument: Instrument;

  private readonly bids = new SimSide(true);
  private readonly asks = new SimSide(false);
  private readonly orders = new Map<number, Order>();
  /** account id + '\0' + client id -> latest order with that client id. */
  private readonly byCid = new Map<string, Order>();
  private readonly terminal: Order[] = [];
  private terminalHead = 0;
  private updateIdValue: number;
  /** Called with the level changes of every operation that moved the update id (depth.ts). */
  private readonly levelListeners: ((changes: readonly LevelChange[]) => void)[] = [];
  private nextTradeId: number;
  private seq = 0;

  constructor(
    readonly ledger: Ledger,
    config: MatchingConfig,
  ) {
    const c = record(config, 'engine');
    knownKeys(c, 'engine', CONFIG_KEYS);
    const spec = record(c['instrument'], 'engine.instrument') as unknown as InstrumentSpec;
    for (const f of ['symbol', 'base', 'quote', 'tickSize', 'lotSize'] as const) {
      if (typeof spec[f] !== 'string' || spec[f].length === 0) throw new SimConfigError(`engine.instrument.${f}`, 'a non-empty string', spec[f]);
    }
    const kind = oneOf(spec.kind, 'engine.instrument.kind', ['spot', 'perpetual', 'future'] as const);
    if (spec.contractType === 'inverse') throw new SimConfigError('engine.instrument.contractType', "'linear' or 'none' (inverse contracts are not simulated)", spec.contractType);
    this.spec = spec;
    this.symbol = spec.symbol;
    this.isPerp = kind !== 'spot';
    try {
      this.instrument = new Instrument(0, spec);
    } catch (e) {
      throw new SimConfigError('engine.instrument', 'valid tickSize / lotSize / minQty / minNotional / contractValue decimals', (e as Error).message);
    }
    if (!ledger.hasAsset(spec.quote)) throw new SimConfigError('engine.instrument.quote', `an asset of the ledger (${ledger.assets().join(', ')})`, spec.quote);
    const cv = this.isPerp ? spec.contractValue || '1' : '1';
    this.quoteAsset = spec.quote;
    this.quoteUnitsPerTickLot = unitsPer([spec.tickSize, spec.lotSize, cv], ledger.decimals(spec.quote), 'engine.instrument', 'tickSize * lotSize * contractValue');
    if (this.isPerp) {
      this.baseAsset = '';
      this.baseUnitsPerLot = 0;
    } else {
      if (!ledger.hasAsset(spec.base)) throw new SimConfigError('engine.instrument.base', `an asset of the ledger (${ledger.assets().join(', ')})`, spec.base);
      this.baseAsset = spec.base;
      this.baseUnitsPerLot = unitsPer([spec.lotSize], ledger.decimals(spec.base), 'engine.instrument', 'lotSize');
    }
    this.makerFeePpm = optInt(c['makerFeePpm'], 'engine.makerFeePpm', 0, -1_000_000, 1_000_000);
    this.takerFeePpm = optInt(c['takerFeePpm'], 'engine.takerFeePpm', 0, -1_000_000, 1_000_000);
    this.postOnly = oneOf(c['postOnly'], 'engine.postOnly', ['reject', 'bounce'] as const, 'reject');
    this.selfTrade = oneOf(c['selfTrade'], 'engine.selfTrade', SELF_TRADE_MODES, 'cancel_maker');
    this.marketProtectionBps = optInt(c['marketProtectionBps'], 'engine.marketProtectionBps', 500, 1, 9999);
    this.leverage = optInt(c['leverage'], 'engine.leverage', 10, 1, 1000);
    this.retainTerminal = optInt(c['retainTerminal'], 'engine.retainTerminal', 10_000, 0);
    this.updateIdValue = optInt(c['initialUpdateId'], 'engine.initialUpdateId', 0, 0);
    this.nextTradeId = optInt(c['firstTradeId'], 'engine.firstTradeId', 1, 0);
    this.checkMinimums = bool(c['checkMinimums'], 'engine.checkMinimums', true);
  }

  /** Current book update id (grows by 1 per operation that changed the book). */
  /** Observes the level changes of every book-changing operation (in order, synchronously). */
  onLevelChanges(l: (changes: readonly LevelChange[]) => void): void {
    this.levelListeners.push(l);
  }

  get updateId(): number {
    return this.updateIdValue;
  }

  // ---- operations -------------------------------------------------------------------------------

  place(req: PlaceRequest, nowMs: number): OpResult {
    const op = new Op(nowMs);
    const acct = typeof req?.account === 'string' ? this.ledger.account(req.account) : undefined;
    if (acct === undefined) return this.rejectPlace(op, req, 'unknown_account');
    const side = req.side;
    const type = req.type;
    if ((side !== 'buy' && side !== 'sell') || !SIM_ORDER_TYPES.includes(type)) return this.rejectPlace(op, req, 'invalid_order');
    const qty = req.qtyLots;
    if (!Number.isSafeInteger(qty) || qty <= 0) return this.rejectPlace(op, req, 'invalid_order');
    const isMarket = type === 'market';
    const price = isMarket ? 0 : req.priceTicks;
    if (!isMarket && (typeof price !== 'number' || !Number.isSafeInteger(price) || price <= 0)) return this.rejectPlace(op, req, 'invalid_order');
    const stp = req.selfTrade ?? this.selfTrade;
    if (!SELF_TRADE_MODES.includes(stp)) return this.rejectPlace(op, req, 'invalid_order');
    const reduceOnly = req.reduceOnly === true;
    if (req.reduceOnly !== undefined && typeof req.reduceOnly !== 'boolean') return this.rejectPlace(op, req, 'invalid_order');

    let cid = req.clientOrderId ?? '';
    const autoCid = cid === '';
    if (typeof cid !== 'string' || cid.length > this.ledger.maxClientIdLength || (cid.length > 0 && !CID_RE.test(cid))) return this.rejectPlace(op, req, 'invalid_client_id');
    if (cid.length > 0 && this.ledger.clientIdInUse(acct, cid)) return this.rejectPlace(op, req, 'duplicate_client_id');

    const isBuy = side === 'buy';
    const opp = isBuy ? this.asks : this.bids;
    const bestOpp = opp.best();

    if (reduceOnly) {
      if (!this.isPerp) return this.rejectPlace(op, req, 'reduce_only');
      if (qty > this.reducible(acct, isBuy, 0)) return this.rejectPlace(op, req, 'reduce_only');
    }

    // Matching limit: market orders get a protection price off the best opposite level.
    let limit = price as number;
    if (isMarket) {
      if (bestOpp === undefined) limit = 0;
      else if (isBuy) limit = mulDiv(bestOpp.price, 10_000 + this.marketProtectionBps, 10_000, false);
      else limit = Math.max(1, mulDiv(bestOpp.price, 10_000 - this.marketProtectionBps, 10_000, true));
    }

    if (this.checkMinimums) {
      if (!this.instrument.meetsMinQty(qty)) return this.rejectPlace(op, req, 'below_min_qty');
      const refPx = isMarket ? (bestOpp?.price ?? 0) : limit;
      if (refPx > 0 && !this.instrument.meetsMinNotional(refPx, qty)) return this.rejectPlace(op, req, 'below_min_notional');
    }
    if (limit > 0 && !Number.isSafeInteger(limit * qty * this.quoteUnitsPerTickLot)) return this.rejectPlace(op, req, 'invalid_order');

    const wouldTake = bestOpp !== undefined && limit > 0 && (isBuy ? bestOpp.price <= limit : bestOpp.price >= limit);
    if (type === 'post_only' && wouldTake && this.postOnly === 'reject') return this.rejectPlace(op, req, 'post_only_would_take');

    // Balance check on the amount the order would reserve.
    const lockAsset = this.lockAsset(isBuy);
    const need = limit > 0 ? this.lockFor(isBuy, limit, qty, reduceOnly) : 0;
    if (!acct.unlimited && need > acct.balance(lockAsset).free) return this.rejectPlace(op, req, 'insufficient_balance');

    // Accepted.
    const id = this.ledger.allocateOrderId();
    if (cid.length === 0) cid = `sim${id}`;
    const o = new Order(id, cid, acct, side, isBuy, type, price as number, limit, qty, reduceOnly, stp, nowMs);
    // Auto-assigned ids of a forgetClosed account (the generator's quotes) are unique by
    // construction and never queried by client id: skip that bookkeeping on the busiest path.
    o.cidTracked = !(autoCid && acct.forgetClosed);
    if (o.cidTracked) {
      this.ledger.registerClientId(acct, cid, id);
      this.byCid.set(cidKey(acct.id, cid), o);
    }
    this.orders.set(id, o);
    this.setLock(op, o, need);
    this.report(op, o, 'ack', 0, 0, -1, '', 0, '');

    if (isMarket && limit === 0) {
      this.end(op, o, 'expired', 'no_liquidity');
      return this.finish(op, true, null, id);
    }
    if (type === 'post_only') {
      if (wouldTake) this.end(op, o, 'cancelled', 'post_only');
      else this.rest(op, o);
      return this.finish(op, true, null, id);
    }
    if (type === 'fok' && this.fillable(o) < qty) {
      this.end(op, o, 'expired', 'fok_unfilled');
      return this.finish(op, true, null, id);
    }
    const stop = this.match(op, o);
    if (o.leaves > 0) {
      if (stop !== null) this.end(op, o, 'expired', stop);
      else if (type === 'limit') this.rest(op, o);
      else if (type === 'market') this.end(op, o, 'expired', opp.best() === undefined ? 'no_liquidity' : 'market_protection');
      else this.end(op, o, 'expired', type === 'fok' ? 'fok_unfilled' : 'ioc_remainder');
    }
    return this.finish(op, true, null, id);
  }

  /** Cancels an open order of `account` by venue order id or client order id. */
  cancel(account: string, ref: OrderRef, nowMs: number): OpResult {
    const op = new Op(nowMs);
    const o = this.lookup(account, ref);
    if (o === undefined) return this.finish(op, false, 'order_not_found', -1);
    if (!o.open) return this.finish(op, false, 'order_closed', o.id);
    this.end(op, o, 'cancelled', 'user');
    return this.finish(op, true, null, o.id);
  }

  /** Cancels every open order of an account on this instrument (one operation). */
  cancelAll(account: string, nowMs: number): OpResult {
    const op = new Op(nowMs);
    const mine: Order[] = [];
    for (const o of this.orders.values()) if (o.open && o.acct.id === account) mine.push(o);
    for (const o of mine) this.end(op, o, 'cancelled', 'user');
    return this.finish(op, mine.length > 0, mine.length > 0 ? null : 'order_not_found', -1);
  }

  /** The order of `account` with this venue id, or the latest with this client id; null if unknown. */
  query(account: string, ref: OrderRef): OrderView | null {
    const o = this.lookup(account, ref);
    return o === undefined ? null : this.view(o);
  }

  /** Any order by venue id regardless of account (simulator internals, fault injection). */
  inspect(orderId: number): OrderView | null {
    const o = this.orders.get(orderId);
    return o === undefined ? null : this.view(o);
  }

  /** Remaining quantity of an order if it is open, else 0. No allocation. */
  openLeaves(orderId: number): number {
    const o = this.orders.get(orderId);
    return o !== undefined && o.open ? o.leaves : 0;
  }

  openOrders(account: string): OrderView[] {
    const out: OrderView[] = [];
    for (const o of this.orders.values()) if (o.open && o.acct.id === account) out.push(this.view(o));
    return out;
  }

  position(account: string): PositionView | null {
    const acct = this.ledger.account(account);
    if (acct === undefined || !this.isPerp) return null;
    return this.positionView(acct);
  }

  // ---- book views -------------------------------------------------------------------------------

  bestBid(): number {
    return this.bids.best()?.price ?? NaN;
  }

  bestAsk(): number {
    return this.asks.best()?.price ?? NaN;
  }

  /** Aggregate quantity at a price ('buy' = bids), 0 when absent. */
  levelQty(side: Side, priceTicks: number): number {
    return (side === 'buy' ? this.bids : this.asks).byPrice.get(priceTicks)?.total ?? 0;
  }

  levelCount(side: Side): number {
    return (side === 'buy' ? this.bids : this.asks).levels.length;
  }

  /** Full (or depth-limited) snapshot with the current update id. */
  snapshot(depth = Infinity): BookSnapshot {
    return { updateId: this.updateIdValue, bids: sideLevels(this.bids, depth), asks: sideLevels(this.asks, depth) };
  }

  /** Loads this book into a core OrderBook (the adapters' book) for level-by-level comparison. */
  toOrderBook(into: OrderBook = new OrderBook(Math.max(16, this.bids.levels.length, this.asks.levels.length))): OrderBook {
    into.clear();
    for (const l of this.bids.levels) into.setBid(l.price, l.total);
    for (const l of this.asks.levels) into.setAsk(l.price, l.total);
    into.updateId = this.updateIdValue;
    return into;
  }

  /** Throws when an invariant of the header is broken (tests). */
  checkInvariants(): void {
    for (const side of [this.bids, this.asks]) {
      const name = side.isBid ? 'bids' : 'asks';
      if (side.byPrice.size !== side.levels.length) throw new Error(`${name}: price map and level list disagree`);
      for (let i = 0; i < side.levels.length; i++) {
        const l = side.levels[i]!;
        if (side.byPrice.get(l.price) !== l) throw new Error(`${name}: level ${l.price} missing from map`);
        if (i > 0) {
          const prev = side.levels[i - 1]!.price;
          if (side.isBid ? !(prev < l.price) : !(prev > l.price)) throw new Error(`${name}: levels out of order at ${i}`);
        }
        if (l.orders.length === 0) throw new Error(`${name}: empty level ${l.price}`);
        let sum = 0;
        for (const o of l.orders) {
          if (o.level !== l || o.limit !== l.price) throw new Error(`${name}: order ${o.id} on the wrong level`);
          if (!o.open || o.leaves <= 0 || o.cum + o.leaves !== o.qty) throw new Error(`${name}: bad resting order ${o.id}`);
          if (o.isBuy !== side.isBid) throw new Error(`${name}: order ${o.id} on the wrong side`);
          sum += o.leaves;
        }
        if (sum !== l.total) throw new Error(`${name}: level ${l.price} total ${l.total} != sum ${sum}`);
      }
    }
    const b = this.bids.best();
    const a = this.asks.best();
    if (b !== undefined && a !== undefined && b.price >= a.price) throw new Error(`book crossed: ${b.price} >= ${a.price}`);
    for (const o of this.orders.values()) {
      if (o.open && o.level === null) throw new Error(`open order ${o.id} is not on the book`);
      if (!o.open && o.lock !== 0) throw new Error(`closed order ${o.id} still locks ${o.lock}`);
      if (o.open && o.lock !== this.lockFor(o.isBuy, o.limit, o.leaves, o.reduceOnly)) throw new Error(`order ${o.id} lock ${o.lock} is stale`);
    }
  }

  /** Units of `asset` that this engine's open orders of `account` reserve (tests). */
  lockedByOrders(account: string, asset: string): number {
    let s = 0;
    for (const o of this.orders.values()) if (o.open && o.acct.id === account && this.lockAsset(o.isBuy) === asset) s += o.lock;
    return s;
  }

  // ---- matching ---------------------------------------------------------------------------------

  /** Matches a taker against the opposite side. Returns why it stopped early, or null. */
  private match(op: Op, t: Order): EndReason | null {
    const opp = t.isBuy ? this.asks : this.bids;
    while (t.leaves > 0) {
      const lvl = opp.best();
      if (lvl === undefined || (t.isBuy ? lvl.price > t.limit : lvl.price < t.limit)) return null;
      const m = lvl.orders[0]!;
      if (m.acct === t.acct) {
        if (t.stp !== 'cancel_taker') this.end(op, m, 'cancelled', 'self_trade');
        if (t.stp !== 'cancel_maker') return 'self_trade';
        continue;
      }
      let q = t.leaves < m.leaves ? t.leaves : m.leaves;
      if (m.reduceOnly) {
        const cap = this.reducible(m.acct, m.isBuy, 0);
        if (cap <= 0) {
          this.end(op, m, 'cancelled', 'reduce_only');
          continue;
        }
        if (cap < q) q = cap;
      }
      if (t.reduceOnly) {
        const cap = this.reducible(t.acct, t.isBuy, 0);
        if (cap <= 0) return 'reduce_only';
        if (cap < q) q = cap;
      }
      this.execute(op, t, m, q, lvl);
    }
    return null;
  }

  /**
   * How much a taker could fill right now under the same rules as `match`, without changing
   * anything (for FOK).
   */
  private fillable(t: Order): number {
    const opp = t.isBuy ? this.asks : this.bids;
    const need = t.leaves;
    let got = 0;
    let posDelta: Map<Account, number> | null = null;
    for (let li = opp.levels.length - 1; li >= 0; li--) {
      const lvl = opp.levels[li]!;
      if (t.isBuy ? lvl.price > t.limit : lvl.price < t.limit) break;
      for (const m of lvl.orders) {
        if (m.acct === t.acct) {
          if (t.stp !== 'cancel_maker') return got;
          continue;
        }
        let q = Math.min(need - got, m.leaves);
        if (m.reduceOnly) {
          const d = posDelta?.get(m.acct) ?? 0;
          q = Math.min(q, this.reducible(m.acct, m.isBuy, d));
          if (q <= 0) continue;
        }
        if (t.reduceOnly) {
          q = Math.min(q, this.reducible(t.acct, t.isBuy, t.isBuy ? got : -got));
          if (q <= 0) return got;
        }
        if (this.isPerp) {
          posDelta ??= new Map();
          posDelta.set(m.acct, (posDelta.get(m.acct) ?? 0) + (m.isBuy ? q : -q));
        }
        got += q;
        if (got >= need) return got;
      }
    }
    return got;
  }

  private execute(op: Op, t: Order, m: Order, q: number, lvl: Level): void {
    const px = lvl.price;
    const tradeId = this.nextTradeId++;
    op.touch(!t.isBuy, px, lvl.total);
    lvl.total -= q;
    fillOrder(t, q, px, op.nowMs);
    fillOrder(m, q, px, op.nowMs);
    if (m.leaves === 0) {
      lvl.orders.shift();
      m.level = null;
      if (lvl.orders.length === 0) (t.isBuy ? this.asks : this.bids).remove(lvl);
    }
    const buy = t.isBuy ? t : m;
    const sell = t.isBuy ? m : t;
    const buyTaker = buy === t;
    const fb = this.settle(op, buy, q, px, buyTaker);
    const fs = this.settle(op, sell, q, px, !buyTaker);
    const tFee = buyTaker ? fb : fs;
    const mFee = buyTaker ? fs : fb;
    if (t.leaves === 0) this.closeOrder(t, 'filled', '');
    if (m.leaves === 0) this.closeOrder(m, 'filled', '');
    this.report(op, t, t.leaves === 0 ? 'fill' : 'partial_fill', q, px, tradeId, 'taker', tFee, '');
    this.report(op, m, m.leaves === 0 ? 'fill' : 'partial_fill', q, px, tradeId, 'maker', mFee, '');
    op.trades.push({
      tradeId, priceTicks: px, qtyLots: q, takerSide: t.side, takerOrderId: t.id, makerOrderId: m.id,
      takerAccount: t.acct.id, makerAccount: m.acct.id, timeMs: op.nowMs,
    });
  }

  /** Books one side of a fill; returns the fee charged to that order (in `feeAssetOf`). */
  private settle(op: Op, o: Order, q: number, px: number, taker: boolean): number {
    const acct = o.acct;
    op.account(acct);
    const ppm = taker ? (acct.takerFeePpm ?? this.takerFeePpm) : (acct.makerFeePpm ?? this.makerFeePpm);
    const notional = mulExact(mulExact(px, q), this.quoteUnitsPerTickLot);
    let fee: number;
    if (!this.isPerp) {
      const baseAmt = mulExact(q, this.baseUnitsPerLot);
      const quote = acct.balance(this.quoteAsset);
      const base = acct.balance(this.baseAsset);
      if (o.isBuy) {
        fee = feeUnits(baseAmt, ppm);
        quote.total -= notional;
        base.total += baseAmt - fee;
        this.ledger.collectFee(this.baseAsset, fee);
      } else {
        fee = feeUnits(notional, ppm);
        base.total -= baseAmt;
        quote.total += notional - fee;
        this.ledger.collectFee(this.quoteAsset, fee);
      }
    } else {
      const bal = acct.balance(this.quoteAsset);
      const pos = acct.position(this.symbol);
      fee = feeUnits(notional, ppm);
      bal.total -= fee;
      pos.feeUnits += fee;
      this.ledger.collectFee(this.quoteAsset, fee);
      const s = o.isBuy ? 1 : -1;
      if (pos.qtyLots === 0 || Math.sign(pos.qtyLots) === s) {
        pos.qtyLots += s * q;
        pos.costUnits += s * notional;
      } else {
        const absP = Math.abs(pos.qtyLots);
        const absC = Math.abs(pos.costUnits);
        const r = q < absP ? q : absP;
        const released = r === absP ? absC : mulDiv(absC, r, absP, false);
        const closeValue = r === q ? notional : mulExact(mulExact(px, r), this.quoteUnitsPerTickLot);
        const realized = pos.qtyLots > 0 ? closeValue - released : released - closeValue;
        pos.realizedUnits += realized;
        bal.total += realized;
        const ps = Math.sign(pos.qtyLots);
        pos.qtyLots -= ps * r;
        pos.costUnits -= ps * released;
        if (pos.qtyLots === 0) pos.costUnits = 0;
        const rest = q - r;
        if (rest > 0) {
          pos.qtyLots = s * rest;
          pos.costUnits = s * (notional - closeValue);
        }
      }
      const margin = ceilDiv(Math.abs(pos.costUnits), this.leverage);
      bal.locked += margin - pos.marginUnits;
      pos.marginUnits = margin;
    }
    o.fees += fee;
    this.setLock(op, o, o.leaves > 0 ? this.lockFor(o.isBuy, o.limit, o.leaves, o.reduceOnly) : 0);
    return fee;
  }

  // ---- order state helpers ----------------------------------------------------------------------

  private rest(op: Op, o: Order): void {
    const side = o.isBuy ? this.bids : this.asks;
    const lvl = side.getOrCreate(o.limit);
    op.touch(o.isBuy, lvl.price, lvl.total);
    lvl.orders.push(o);
    lvl.total += o.leaves;
    o.level = lvl;
  }

  /** Ends an open order that did not fill completely (taker remainder or resting order). */
  private end(op: Op, o: Order, status: 'cancelled' | 'expired', reason: EndReason): void {
    const lvl = o.level;
    if (lvl !== null) {
      const side = o.isBuy ? this.bids : this.asks;
      op.touch(o.isBuy, lvl.price, lvl.total);
      const i = lvl.orders.indexOf(o);
      if (i < 0) throw new Error(`sim book: order ${o.id} not in its level`);
      lvl.orders.splice(i, 1);
      lvl.total -= o.leaves;
      if (lvl.orders.length === 0) side.remove(lvl);
      o.level = null;
    }
    this.setLock(op, o, 0);
    o.updatedMs = op.nowMs;
    this.closeOrder(o, status, reason);
    this.report(op, o, status, 0, 0, -1, '', 0, reason);
  }

  private closeOrder(o: Order, status: OrderStatus, reason: EndReason | ''): void {
    o.status = status;
    o.reason = reason;
    if (o.cidTracked) this.ledger.releaseClientId(o.acct, o.cid, o.id);
    if (o.acct.forgetClosed || this.retainTerminal === 0) {
      this.forget(o);
      return;
    }
    this.terminal.push(o);
    if (this.terminal.length - this.terminalHead > this.retainTerminal) {
      this.forget(this.terminal[this.terminalHead]!);
      this.terminal[this.terminalHead++] = undefined as unknown as Order;
      if (this.terminalHead > 1024 && this.terminalHead * 2 > this.terminal.length) {
        this.terminal.splice(0, this.terminalHead);
        this.terminalHead = 0;
      }
    }
  }

  private forget(o: Order): void {
    if (this.orders.get(o.id) === o) this.orders.delete(o.id);
    if (!o.cidTracked) return;
    const k = cidKey(o.acct.id, o.cid);
    if (this.byCid.get(k) === o) this.byCid.delete(k);
  }

  private lookup(account: string, ref: OrderRef): Order | undefined {
    if (ref === null || typeof ref !== 'object') return undefined;
    if ('orderId' in ref) {
      const o = this.orders.get(ref.orderId);
      return o !== undefined && o.acct.id === account ? o : undefined;
    }
    if (typeof ref.clientOrderId !== 'string') return undefined;
    return this.byCid.get(cidKey(account, ref.clientOrderId));
  }

  private lockAsset(isBuy: boolean): string {
    return this.isPerp || isBuy ? this.quoteAsset : this.baseAsset;
  }

  /** Units an order reserves for `leaves` lots at its matching limit. */
  private lockFor(isBuy: boolean, limit: number, leaves: number, reduceOnly: boolean): number {
    if (this.isPerp) return reduceOnly ? 0 : ceilDiv(mulExact(mulExact(limit, leaves), this.quoteUnitsPerTickLot), this.leverage);
    return isBuy ? mulExact(mulExact(limit, leaves), this.quoteUnitsPerTickLot) : mulExact(leaves, this.baseUnitsPerLot);
  }

  private setLock(op: Op, o: Order, units: number): void {
    if (units === o.lock) return;
    o.acct.balance(this.lockAsset(o.isBuy)).locked += units - o.lock;
    o.lock = units;
    op.account(o.acct);
  }

  /** Lots an order on `isBuy` side could still reduce of the account's position (+ delta lots). */
  private reducible(acct: Account, isBuy: boolean, delta: number): number {
    const p = (acct.positions.get(this.symbol)?.qtyLots ?? 0) + delta;
    return isBuy ? (p < 0 ? -p : 0) : p > 0 ? p : 0;
  }

  private report(op: Op, o: Order, kind: SimReportKind, lastQty: number, lastPx: number, tradeId: number, liquidity: 'maker' | 'taker' | '', fee: number, reason: EndReason | ''): void {
    op.reports.push({
      kind, seq: ++this.seq, account: o.acct.id, symbol: this.symbol, orderId: o.id, clientOrderId: o.cid,
      side: o.side, type: o.type, priceTicks: o.price, qtyLots: o.qty, reduceOnly: o.reduceOnly, status: o.status,
      cumQtyLots: o.cum, leavesQtyLots: o.open ? o.leaves : 0, cumNotional: o.cumNotional,
      lastQtyLots: lastQty, lastPriceTicks: lastPx, tradeId, liquidity, fee,
      feeAsset: lastQty > 0 ? this.feeAssetOf(o.isBuy) : '', reason, timeMs: op.nowMs,
    });
  }

  private feeAssetOf(isBuy: boolean): string {
    return this.isPerp || !isBuy ? this.quoteAsset : this.baseAsset;
  }

  private rejectPlace(op: Op, req: PlaceRequest, reason: RejectReason): OpResult {
    const r = (req ?? {}) as Partial<PlaceRequest>;
    op.reports.push({
      kind: 'rejected', seq: ++this.seq, account: String(r.account ?? ''), symbol: this.symbol, orderId: -1,
      clientOrderId: typeof r.clientOrderId === 'string' ? r.clientOrderId : '',
      side: r.side === 'sell' ? 'sell' : 'buy', type: SIM_ORDER_TYPES.includes(r.type as SimOrderType) ? (r.type as SimOrderType) : 'limit',
      priceTicks: typeof r.priceTicks === 'number' ? r.priceTicks : 0, qtyLots: typeof r.qtyLots === 'number' ? r.qtyLots : 0,
      reduceOnly: r.reduceOnly === true, status: 'rejected', cumQtyLots: 0, leavesQtyLots: 0, cumNotional: 0,
      lastQtyLots: 0, lastPriceTicks: 0, tradeId: -1, liquidity: '', fee: 0, feeAsset: '', reason, timeMs: op.nowMs,
    });
    return this.finish(op, false, reason, -1);
  }

  private finish(op: Op, accepted: boolean, rejectReason: RejectReason | null, orderId: number): OpResult {
    const levels: LevelChange[] = [];
    for (const t of op.touched) {
      const qty = (t.isBid ? this.bids : this.asks).byPrice.get(t.price)?.total ?? 0;
      if (qty !== t.prev) levels.push({ side: t.isBid ? 'buy' : 'sell', priceTicks: t.price, qtyLots: qty, prevQtyLots: t.prev });
    }
    const prevUpdateId = this.updateIdValue;
    if (levels.length > 0) {
      this.updateIdValue++;
      for (const l of this.levelListeners) l(levels);
    }
    const balances: BalanceView[] = [];
    const positions: PositionView[] = [];
    for (const a of op.accounts) {
      if (a.unlimited) continue;
      if (!this.isPerp) balances.push(this.ledger.balanceView(a.id, this.baseAsset));
      balances.push(this.ledger.balanceView(a.id, this.quoteAsset));
      if (this.isPerp) positions.push(this.positionView(a));
    }
    return { accepted, rejectReason, orderId, reports: op.reports, trades: op.trades, levels, prevUpdateId, updateId: this.updateIdValue, balances, positions };
  }

  private positionView(a: Account): PositionView {
    const p = a.positions.get(this.symbol);
    const qty = p?.qtyLots ?? 0;
    const cost = Math.abs(p?.costUnits ?? 0);
    return {
      account: a.id, symbol: this.symbol, qtyLots: qty, entryNotional: cost,
      avgEntryTicks: qty === 0 ? 0 : cost / (Math.abs(qty) * this.quoteUnitsPerTickLot),
      realized: p?.realizedUnits ?? 0, fees: p?.feeUnits ?? 0, margin: p?.marginUnits ?? 0, marginAsset: this.quoteAsset,
    };
  }

  private view(o: Order): OrderView {
    return {
      orderId: o.id, clientOrderId: o.cid, account: o.acct.id, symbol: this.symbol, side: o.side, type: o.type,
      priceTicks: o.price, qtyLots: o.qty, reduceOnly: o.reduceOnly, status: o.status, reason: o.reason,
      cumQtyLots: o.cum, leavesQtyLots: o.open ? o.leaves : 0, cumNotional: o.cumNotional,
      avgPriceTicks: o.cum > 0 ? o.cumNotional / o.cum : 0, fees: o.fees, feeAsset: this.feeAssetOf(o.isBuy),
      createdMs: o.createdMs, updatedMs: o.updatedMs,
    };
  }
}

function fillOrder(o: Order, q: number, px: number, nowMs: number): void {
  o.leaves -= q;
  o.cum += q;
  o.cumNotional += px * q;
  o.status = o.leaves === 0 ? 'filled' : 'partially_filled';
  o.updatedMs = nowMs;
}

function cidKey(account: string, cid: string): string {
  return account + '\u0000' + cid;
}

function sideLevels(side: SimSide, depth: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = side.levels.length - 1; i >= 0 && out.length < depth; i--) {
    const l = side.levels[i]!;
    out.push([l.price, l.total]);
  }
  return out;
}

/** Applies level changes to a snapshot's level arrays (tests, protocol servers). Returns a new snapshot. */
export function applyLevelChanges(snap: BookSnapshot, changes: readonly LevelChange[], updateId: number): BookSnapshot {
  const bids = new Map(snap.bids);
  const asks = new Map(snap.asks);
  for (const c of changes) {
    const m = c.side === 'buy' ? bids : asks;
    if (c.qtyLots > 0) m.set(c.priceTicks, c.qtyLots);
    else m.delete(c.priceTicks);
  }
  return {
    updateId,
    bids: [...bids.entries()].sort((a, b) => b[0] - a[0]),
    asks: [...asks.entries()].sort((a, b) => a[0] - b[0]),
  };
}

