// Venue-neutral contracts shared by every venue protocol folder (src/venues/<venue>/) and by the
// feed and executor actors. Pure types and small value classes: no I/O, no clocks.
//
// Invariants:
// - Prices and quantities leave a venue parser as integers of ticks and lot steps (held exactly in
//   a double), never as floating decimals. Conversion from the venue's decimal strings is exact
//   and rejects values that are not a whole number of ticks / lots. Balances (VenueBalance) are
//   the exception: asset amounts have no instrument step, so they stay the venue's exact decimal
//   strings (never floats); they are off the hot path.
// - A DepthUpdate is filled in place by a parser and reused for every message (no allocation per
//   message in steady state); its arrays grow only when a message has more levels than ever seen.
// - Venue sequence ids that can exceed 2^32 (Binance update ids, OKX seqId) are doubles; -1 means
//   "absent".

/** Venues whose protocols the project speaks. */
export type VenueId = 'binance-spot' | 'binance-usdm' | 'okx';
export const VENUE_IDS: readonly VenueId[] = ['binance-spot', 'binance-usdm', 'okx'];

export type Side = 'buy' | 'sell';

/** What a depth message was: a full snapshot that replaces the book, or incremental changes. */
export type DepthKind = 'snapshot' | 'delta';

/**
 * One parsed depth message (WS diff, WS snapshot, REST snapshot), in ticks and lots.
 * Filled in place by a venue parser; `reset()` before each parse.
 */
export class DepthUpdate {
  kind: DepthKind = 'delta';
  /** Index of the instrument in the parser's instrument table (-1 when unknown). */
  instrument = -1;
  /** Binance `U` / OKX: not used (-1). */
  firstId = -1;
  /** Binance `u` or snapshot `lastUpdateId` / OKX `seqId`. */
  lastId = -1;
  /** Binance USD-M `pu` / OKX `prevSeqId` (-1 on an OKX snapshot); -1 when the venue has none. */
  prevId = -1;
  /** Venue event time (ms since epoch, as the venue sent it); 0 when absent. */
  eventTimeMs = 0;
  /** Venue transaction / match-engine time where sent (Binance USD-M `T`, OKX `ts`); 0 when absent. */
  transactTimeMs = 0;
  /** OKX checksum; 0 means absent (fixed at 0 since 2026). */
  checksum = 0;
  bidCount = 0;
  askCount = 0;
  bidPx: Float64Array;
  bidQty: Float64Array;
  askPx: Float64Array;
  askQty: Float64Array;

  constructor(capacity = 64) {
    this.bidPx = new Float64Array(capacity);
    this.bidQty = new Float64Array(capacity);
    this.askPx = new Float64Array(capacity);
    this.askQty = new Float64Array(capacity);
  }

  reset(): void {
    this.kind = 'delta';
    this.instrument = -1;
    this.firstId = -1;
    this.lastId = -1;
    this.prevId = -1;
    this.eventTimeMs = 0;
    this.transactTimeMs = 0;
    this.checksum = 0;
    this.bidCount = 0;
    this.askCount = 0;
  }

  /** Makes this a copy of every field and level of `src` (arrays grow only when needed). */
  copyFrom(src: DepthUpdate): void {
    this.reset();
    this.kind = src.kind;
    this.instrument = src.instrument;
    this.firstId = src.firstId;
    this.lastId = src.lastId;
    this.prevId = src.prevId;
    this.eventTimeMs = src.eventTimeMs;
    this.transactTimeMs = src.transactTimeMs;
    this.checksum = src.checksum;
    for (let i = 0; i < src.bidCount; i++) this.pushBid(src.bidPx[i]!, src.bidQty[i]!);
    for (let i = 0; i < src.askCount; i++) this.pushAsk(src.askPx[i]!, src.askQty[i]!);
  }

  pushBid(px: number, qty: number): void {
    if (this.bidCount === this.bidPx.length) {
      this.bidPx = grow(this.bidPx);
      this.bidQty = grow(this.bidQty);
    }
    this.bidPx[this.bidCount] = px;
    this.bidQty[this.bidCount] = qty;
    this.bidCount++;
  }

  pushAsk(px: number, qty: number): void {
    if (this.askCount === this.askPx.length) {
      this.askPx = grow(this.askPx);
      this.askQty = grow(this.askQty);
    }
    this.askPx[this.askCount] = px;
    this.askQty[this.askCount] = qty;
    this.askCount++;
  }
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** Why a venue's book-sync rules declared the local book out of sync. Stable codes. */
export type SyncBreak =
  | 'GAP'               // an update id / seqId was skipped
  | 'PREV_MISMATCH'     // Binance USD-M `pu` or OKX `prevSeqId` does not chain
  | 'SNAPSHOT_TOO_OLD'  // snapshot older than the first buffered event: fetch again
  | 'NO_OVERLAP'        // no buffered event brackets the snapshot id
  | 'CROSSED'           // best bid >= best ask after applying
  | 'CHECKSUM'          // OKX non-zero checksum mismatch
  | 'BAD_MESSAGE'       // unparseable or wrong-typed frame for this stream
  | 'RESET'             // venue maintenance reset / server-side reset seen
  | 'BUFFER_OVERFLOW'   // too many events buffered while waiting for a snapshot: buffer discarded
  | 'DEPTH_EXHAUSTED';  // the top levels the owner publishes reach past the partial snapshot's range

/** Result of feeding one update to a venue's book-sync state machine. */
/** Where a book replay (xmc book-replay, any venue) found sync broken. */
export interface ReplayBreak {
  readonly status: 'break';
  /** 0-based index of the event line where sync broke; -1 = the snapshot itself. */
  readonly index: number;
  readonly reason: SyncBreak;
  readonly detail: string;
}

export type SyncStep =
  | { readonly status: 'buffered' }          // waiting for the snapshot
  | { readonly status: 'dropped' }           // stale or duplicate, ignored by the rules
  | { readonly status: 'applied' }           // the book changed and is in sync
  | { readonly status: 'heartbeat' }         // in sync, nothing changed (OKX no-change message)
  | { readonly status: 'resync'; readonly reason: SyncBreak; readonly detail: string };

/** Error classes every venue error maps to. Stable codes, with retry and outcome semantics. */
export type XmcErrorCode =
  | 'TIMEOUT'               // no answer in time: outcome unknown
  | 'VENUE_UNAVAILABLE'     // 5xx / service unavailable: outcome unknown for orders
  | 'OUTCOME_UNKNOWN'       // the venue itself says status unknown (Binance -1007, OKX 50004/51149)
  | 'RATE_LIMITED'          // 429 / venue rate-limit code: not executed, retry after a delay
  | 'IP_BANNED'             // 418: not executed, stop sending until Retry-After
  | 'AUTH'                  // bad key / signature / permissions: not executed, not retryable
  | 'TIMESTAMP'             // timestamp outside recvWindow: not executed, retry after clock sync
  | 'INSUFFICIENT_BALANCE'  // not executed
  | 'INVALID_ORDER'         // bad price, qty, filters, precision: not executed
  | 'POST_ONLY_REJECTED'    // post-only would take liquidity: not executed
  | 'ORDER_NOT_FOUND'       // cancel/query of an unknown order
  | 'DUPLICATE_CLIENT_ID'   // client order id already used
  | 'MARKET_CLOSED'         // instrument halted / not trading
  | 'REJECTED'              // any other explicit rejection
  | 'UNKNOWN_ERROR';        // unmapped: treated as outcome unknown

export interface VenueErrorInfo {
  readonly code: XmcErrorCode;
  /** The same request may be sent again (after a delay where the venue says so). */
  readonly retryable: boolean;
  /** 'known' = the venue certainly did not act (or certainly did); 'unknown' = query before acting. */
  readonly outcome: 'known' | 'unknown';
  /** The venue's own code (number or string) and message, for logs and the journal. */
  readonly venueCode: string;
  readonly message: string;
  /** Milliseconds the venue asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs?: number;
}

/** Instrument metadata the core needs to work in integer ticks and lots. */
export interface InstrumentSpec {
  readonly venue: VenueId;
  /** The venue's own symbol / instId, exactly as the venue spells it (e.g. BTCUSDT, BTC-USDT-SWAP). */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly kind: 'spot' | 'perpetual' | 'future';
  /** Tick size and lot step as the venue's decimal strings (exact). */
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minQty: string;
  readonly minNotional: string;
  /** Contract value in `contractValueCcy` per contract (OKX ctVal); '1' for spot and Binance linear. */
  readonly contractValue: string;
  readonly contractValueCcy: string;
  readonly contractType: 'linear' | 'inverse' | 'none';
}

// ------------------------------------------------------------------------------------------------
// Order reports (added with the OKX adapter; venue mappers fill them from private streams and
// order-query answers; the executor turns them into wire OrderReport messages).

/** What an order update says happened (mirrors wire ReportKind). */
export type OrderReportKind = 'ack' | 'partial_fill' | 'fill' | 'reject' | 'cancelled' | 'outcome_unknown';

/** Order types the engine places (mirrors wire OrderType). 'other' = not placed by us. */
export type VenueOrderType = 'limit' | 'market' | 'post_only' | 'ioc' | 'fok' | 'other';

/** Why a cancelled order ended: by us, IOC/FOK remainder expired, post-only bounce, or the venue. */
export type CancelReason = 'user' | 'expired' | 'post_only' | 'venue' | '';

/**
 * One order-state change as a venue reported it, venue-neutral. Decimal fields are the venue's
 * exact strings; the *Ticks / *Lots fields are the same values in the instrument's integer units
 * (NaN when the instrument is not in the mapper's table or a value is not on the step).
 * A fill can come with any kind: `lastQtyLots > 0` means this update carries a fill.
 */
export interface VenueOrderReport {
  readonly venue: VenueId;
  readonly kind: OrderReportKind;
  readonly symbol: string;
  /** Index in the mapper's InstrumentTable, -1 when unknown. */
  readonly instrument: number;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly side: Side;
  readonly orderType: VenueOrderType;
  /** The venue's own status word (e.g. OKX `partially_filled`, Binance `PARTIALLY_FILLED`). */
  readonly venueStatus: string;
  readonly price: string;
  readonly qty: string;
  readonly cumQty: string;
  readonly avgPrice: string;
  readonly lastQty: string;
  readonly lastPrice: string;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly cumQtyLots: number;
  readonly leavesQtyLots: number;
  readonly lastQtyLots: number;
  readonly lastPriceTicks: number;
  /** Venue trade id of this update's fill, '' when none. */
  readonly tradeId: string;
  readonly liquidity: 'maker' | 'taker' | '';
  /** Fee of this update's fill: positive = paid, negative = rebate (exact decimal string). */
  readonly lastFee: string;
  readonly lastFeeCcy: string;
  readonly cancelReason: CancelReason;
  /** A failed request reported on the stream (e.g. a failed amend), else null. */
  readonly error: VenueErrorInfo | null;
  /** Venue time of the update (ms since the epoch). */
  readonly venueTimeMs: number;
  /** Venue time of the fill (ms), 0 when none. */
  readonly fillTimeMs: number;
}

// ---- Order entry (added with the Binance adapters; venue-neutral) ----

/**
 * What the engine wants placed, in integer ticks and lots of one instrument. `type` uses the
 * wire's order types: 'limit' = GTC limit; 'ioc' / 'fok' = limit with that time in force;
 * 'post_only' (Binance spot LIMIT_MAKER, USD-M GTX, OKX post_only); 'market'.
 */
export interface OrderIntent {
  /** Deterministic client order id (see each venue's client-id module). */
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: Exclude<VenueOrderType, 'other'>;
  /** Limit price in ticks (ignored for market orders). */
  readonly priceTicks: number;
  /** Quantity in lots. */
  readonly qtyLots: number;
  /** Derivatives only: the order may only reduce a position. */
  readonly reduceOnly?: boolean;
}

// ---- Balances (added with the venue balance feed; venue-neutral) ----
//
// Venue balances reach the executor in two ways: a REST fetch of the whole account
// (OrderChannel.fetchBalances, a snapshot) and the private streams (OrderChannelEvents.onBalance:
// the changed assets, or for Binance USD-M a coalesced REST re-fetch after ACCOUNT_UPDATE).
// Amounts are the venue's exact decimal strings (off the hot path: a few messages per fill).

/** One asset's balance at a venue, decimal strings in the asset's own unit (e.g. '0.01234', '1000'). */
export interface VenueBalance {
  /** Venue asset code as the venue writes it: 'USDT', 'BTC'. */
  readonly asset: string;
  /** Available for new orders: spot `free`; USD-M `availableBalance`; OKX `availBal`. */
  readonly free: string;
  /** Total: spot free+locked; USD-M wallet balance (`balance` / `wb`); OKX `cashBal`. */
  readonly total: string;
}

export interface VenueBalanceUpdate {
  readonly venue: VenueId;
  readonly balances: readonly VenueBalance[];
  /** true: the whole account (a REST answer): an asset not listed is zero; false: only the listed assets changed. */
  readonly snapshot: boolean;
  readonly source: 'rest' | 'stream';
  /** Venue event / update time, ms since epoch (0 when the venue gave none). */
  readonly venueTimeMs: number;
}

export type BalanceOutcome =
  | { readonly ok: true; readonly update: VenueBalanceUpdate }
  | { readonly ok: false; readonly error: VenueErrorInfo };
