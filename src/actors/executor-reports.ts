// Pure mapping of the executor: venue-neutral order reports and errors (src/venues/types.ts) to
// wire OrderReport values (src/wire/xmc.fbs), with the report's origin and stable reason codes.
// No I/O, no clocks: the executor actor (executor.ts) fills one reused OrderReportValue per report.
//
// Invariants:
// - cumQtyLots is always a number (0 when the venue did not say), leavesQtyLots is never negative;
//   the engine treats cumQty as authoritative, so a duplicated report never counts twice.
// - An error whose outcome is 'unknown' becomes OutcomeUnknown (reason Timeout / Disconnected /
//   VenueServerError); a known one becomes Reject with the mapped reason and the venue's code.
import type { VenueErrorInfo, VenueOrderReport, OrderReportKind } from '../venues/types.js';
import { ReasonCode, ReportKind, ReportOrigin, Side, type OrderReportValue } from '../wire/index.js';

/** What the executor remembers of one order it placed (or learned of). */
export interface ExecOrder {
  readonly clientOrderId: string;
  orderRef: number;
  /** Wire instrument id and the channel's instrument index. */
  instrumentId: number;
  instrument: number;
  side: Side;
  comboId: number;
  leg: number;
  qtyLots: number;
  /** Last (kind, cumQty) reported from the order stream: exact repeats are dropped. */
  lastKind: number;
  lastCum: number;
}

const KIND: Readonly<Record<OrderReportKind, ReportKind>> = {
  ack: ReportKind.Ack,
  partial_fill: ReportKind.PartialFill,
  fill: ReportKind.Fill,
  reject: ReportKind.Reject,
  cancelled: ReportKind.Cancelled,
  outcome_unknown: ReportKind.OutcomeUnknown,
};

/** Stable reason of a venue error. */
export function reasonOfError(e: VenueErrorInfo): ReasonCode {
  if (e.outcome === 'unknown') {
    if (e.code === 'TIMEOUT') return ReasonCode.Timeout;
    if (e.code === 'VENUE_UNAVAILABLE' || e.code === 'OUTCOME_UNKNOWN') return /disconnect|closed|socket/i.test(e.message) ? ReasonCode.Disconnected : ReasonCode.VenueServerError;
    return ReasonCode.VenueServerError;
  }
  switch (e.code) {
    case 'INSUFFICIENT_BALANCE':
      return ReasonCode.InsufficientBalance;
    case 'POST_ONLY_REJECTED':
      return ReasonCode.PostOnlyWouldTake;
    case 'ORDER_NOT_FOUND':
      return ReasonCode.UnknownOrder;
    case 'DUPLICATE_CLIENT_ID':
      return ReasonCode.DuplicateClientOrderId;
    case 'RATE_LIMITED':
    case 'IP_BANNED':
      return ReasonCode.RateLimited;
    case 'MARKET_CLOSED':
      return ReasonCode.MarketClosed;
    case 'VENUE_UNAVAILABLE':
    case 'TIMEOUT':
      return ReasonCode.Disconnected; // known: the request never left (socket down)
    default:
      return ReasonCode.VenueRejectOther;
  }
}

/** The venue's numeric error code (Binance -2010, OKX 51008), 0 when it has none. */
export function venueErrorCode(e: VenueErrorInfo | null): number {
  if (e === null) return 0;
  const n = Number(e.venueCode);
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function num(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/** Resets `dst` to the order's identity (or neutral values) with the given kind and origin. */
export function baseReport(dst: OrderReportValue, o: ExecOrder | null, clientOrderId: string, venueId: number, kind: ReportKind, origin: ReportOrigin): OrderReportValue {
  dst.kind = kind;
  dst.reason = ReasonCode.None;
  dst.clientOrderId = clientOrderId;
  dst.orderRef = o?.orderRef ?? 0;
  dst.instrumentId = o?.instrumentId ?? 0;
  dst.venueId = venueId;
  dst.side = o?.side ?? Side.Unset;
  dst.comboId = o?.comboId ?? 0;
  dst.leg = o?.leg ?? 0;
  dst.lastQtyLots = 0;
  dst.lastPriceTicks = 0;
  dst.cumQtyLots = 0;
  dst.leavesQtyLots = kind === ReportKind.Ack || kind === ReportKind.OutcomeUnknown ? (o?.qtyLots ?? 0) : 0;
  dst.venueOrderId = '';
  dst.venueErrorCode = 0;
  dst.retryable = false;
  dst.venueTimeUs = 0;
  dst.origin = origin;
  dst.avgPriceTicks = 0;
  return dst;
}

/** A failed request as a report: OutcomeUnknown when the venue may have acted, else Reject. */
export function errorReport(dst: OrderReportValue, o: ExecOrder | null, clientOrderId: string, venueId: number, e: VenueErrorInfo, origin: ReportOrigin): OrderReportValue {
  baseReport(dst, o, clientOrderId, venueId, e.outcome === 'unknown' ? ReportKind.OutcomeUnknown : ReportKind.Reject, origin);
  dst.reason = reasonOfError(e);
  dst.venueErrorCode = venueErrorCode(e);
  dst.retryable = e.retryable;
  return dst;
}

/**
 * A venue report as a wire report. `instrumentId` is the wire id of r.instrument (-1: use the
 * order's), `tickSize` the instrument's tick as a number (for the average price; 0: leave 0).
 */
export function venueReport(dst: OrderReportValue, o: ExecOrder | null, r: VenueOrderReport, venueId: number, instrumentId: number, tickSize: number, origin: ReportOrigin): OrderReportValue {
  baseReport(dst, o, r.clientOrderId, venueId, KIND[r.kind], origin);
  if (instrumentId >= 0) dst.instrumentId = instrumentId;
  if (o === null || o.side === Side.Unset) dst.side = r.side === 'sell' ? Side.Sell : Side.Buy;
  const qty = Number.isFinite(r.qtyLots) ? r.qtyLots : (o?.qtyLots ?? 0);
  let cum = num(r.cumQtyLots);
  if (r.kind === 'fill' && cum === 0) cum = qty; // a FILLED answer that did not carry the executed quantity
  dst.cumQtyLots = cum;
  dst.leavesQtyLots = Number.isFinite(r.leavesQtyLots) ? Math.max(0, r.leavesQtyLots) : r.kind === 'ack' || r.kind === 'partial_fill' ? Math.max(0, qty - cum) : 0;
  dst.lastQtyLots = num(r.lastQtyLots);
  dst.lastPriceTicks = num(r.lastPriceTicks);
  dst.venueOrderId = r.venueOrderId;
  dst.venueTimeUs = num(r.venueTimeMs) * 1000;
  if (r.avgPrice !== '' && tickSize > 0) {
    const avg = Number(r.avgPrice) / tickSize;
    if (Number.isFinite(avg) && avg > 0) dst.avgPriceTicks = Math.round(avg * 1e6) / 1e6;
  }
  if (r.kind === 'cancelled') {
    dst.reason =
      r.cancelReason === 'expired' ? ReasonCode.Expired
      : r.cancelReason === 'post_only' ? ReasonCode.PostOnlyWouldTake
      : r.cancelReason === 'user' ? ReasonCode.CancelledByEngine
      : r.cancelReason === 'venue' ? ReasonCode.CancelledByVenue
      : ReasonCode.None;
  }
  if (r.error !== null) {
    if (r.kind === 'reject' || r.kind === 'outcome_unknown') dst.reason = reasonOfError(r.error);
    dst.venueErrorCode = venueErrorCode(r.error);
    dst.retryable = r.error.retryable;
  }
  return dst;
}

/** True when a stream report repeats the last one of the order exactly (same kind and cumQty). */
export function isRepeat(o: ExecOrder | null, kind: number, cum: number): boolean {
  if (o === null) return false;
  if (o.lastKind === kind && o.lastCum === cum) return true;
  o.lastKind = kind;
  o.lastCum = cum;
  return false;
}
