// OKX v5 private answers -> venue-neutral results (PROTOCOLS.md 3.5, 3.6, 3.7, 3.2):
// - `orders` channel pushes and `GET /api/v5/trade/order` answers -> VenueOrderReport;
// - place / cancel / amend answers, REST and WS (`op: order` ...), including the per-order
//   sCode/sMsg failure form and top-level failures with empty data -> ack or VenueErrorInfo;
// - event frames (login, subscribe, error, notice) -> a small typed result.
//
// Invariants:
// - Never throws, whatever the input: malformed answers become an error result (outcome unknown
//   for order answers, because a garbled answer does not prove the order was not placed).
// - Per the docs, when a per-order `sCode` is present it decides, not the top-level `code`.
// - Quantities: `sz`, `accFillSz`, `fillSz` are in base currency for SPOT and in contracts for
//   SWAP; both are the instrument's lot unit, so *Lots fields use the instrument's lot step. A spot
//   market order sized in quote currency (tgtCcy quote_ccy) has no lot quantity: NaN.
// - Fees: OKX reports negative = charged; VenueOrderReport.lastFee is positive = paid, so the sign
//   is flipped exactly on the string.
// - These answers are JSON.parse'd: private messages are few (one per order event) and need
//   string ids anyway; the public book path is the byte-level one (frame-parser.ts).
import type { InstrumentTable } from '../../core/instrument.js';
import type {
  CancelReason, OrderReportKind, Side, VenueErrorInfo, VenueOrderReport, VenueOrderType,
} from '../types.js';
import { okxErrorInfo, okxHttpErrorInfo } from './errors.js';

/** Bodies above this size are not parsed (no legitimate order answer comes close). */
export const OKX_MAX_PRIVATE_BYTES = 1 << 20;

type Obj = Record<string, unknown>;

function parseObject(text: string): Obj | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > OKX_MAX_PRIVATE_BYTES) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
  } catch {
    return null;
  }
}

function str(o: Obj, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
}

function int(o: Obj, k: string): number {
  const s = str(o, k);
  if (!/^\d{1,16}$/.test(s)) return 0;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : 0;
}

function badAnswer(what: string, httpStatus: number, text: string): VenueErrorInfo {
  if (httpStatus !== 200 && httpStatus !== 0) return okxHttpErrorInfo(httpStatus, typeof text === 'string' ? text : '');
  return { code: 'UNKNOWN_ERROR', retryable: false, outcome: 'unknown', venueCode: 'BAD_RESPONSE', message: what };
}

// -------------------------------------------------------------------------------------------------
// Place / cancel / amend answers

export interface OkxOrderAck {
  readonly ok: true;
  readonly clOrdId: string;
  readonly ordId: string;
  /** Venue time of the answer (ms), 0 when absent. */
  readonly tsMs: number;
}

export interface OkxOrderFailure {
  readonly ok: false;
  readonly clOrdId: string;
  readonly ordId: string;
  readonly error: VenueErrorInfo;
}

export type OkxOrderResult = OkxOrderAck | OkxOrderFailure;

export interface OkxOpResponse {
  /** WS request id ('' for REST). */
  readonly id: string;
  /** WS op ('order', 'cancel-order', 'amend-order', 'batch-orders' ...; '' for REST). */
  readonly op: string;
  /** One result per order in `data` (empty when the request failed as a whole). */
  readonly results: readonly OkxOrderResult[];
  /** The request failed as a whole (no per-order data), or the answer was unusable. */
  readonly error: VenueErrorInfo | null;
  /** Venue gateway timestamps (µs), 0 when absent. */
  readonly inTimeUs: number;
  readonly outTimeUs: number;
}

/**
 * Map a place / cancel / amend answer (REST body with its HTTP status, or a WS op response with
 * httpStatus 0).
 */
export function parseOkxOrderResponse(text: string, httpStatus = 200, retryAfterMs?: number): OkxOpResponse {
  const o = parseObject(text);
  if (o === null) {
    return { id: '', op: '', results: [], error: badAnswer('unparseable order answer', httpStatus, text), inTimeUs: 0, outTimeUs: 0 };
  }
  const id = str(o, 'id');
  const op = str(o, 'op');
  const code = str(o, 'code');
  const msg = str(o, 'msg');
  const inTimeUs = int(o, 'inTime');
  const outTimeUs = int(o, 'outTime');
  const data = Array.isArray(o['data']) ? (o['data'] as unknown[]) : [];
  const results: OkxOrderResult[] = [];
  for (const d of data) {
    if (d === null || typeof d !== 'object' || Array.isArray(d)) continue;
    const e = d as Obj;
    const clOrdId = str(e, 'clOrdId');
    const ordId = str(e, 'ordId');
    const sCode = str(e, 'sCode');
    const effective = sCode !== '' ? sCode : code;
    if (effective === '0') {
      results.push({ ok: true, clOrdId, ordId, tsMs: int(e, 'ts') });
    } else {
      const error = okxErrorInfo({
        code: effective === '' ? 'BAD_RESPONSE' : effective,
        msg: sCode !== '' ? str(e, 'sMsg') : msg,
        subCode: str(e, 'subCode'),
        httpStatus,
        retryAfterMs,
      });
      results.push({ ok: false, clOrdId, ordId, error });
    }
  }
  let error: VenueErrorInfo | null = null;
  if (results.length === 0) {
    if (code === '0') error = badAnswer('success without order data', httpStatus, text);
    else if (code === '') error = badAnswer('answer without code', httpStatus, text);
    else error = okxErrorInfo({ code, msg, httpStatus, retryAfterMs });
  }
  return { id, op, results, error, inTimeUs, outTimeUs };
}

/** The first (single-order) result of an answer, or its whole-request error. */
export function okxSingleOrderResult(r: OkxOpResponse): OkxOrderResult {
  const first = r.results[0];
  if (first !== undefined) return first;
  return { ok: false, clOrdId: '', ordId: '', error: r.error ?? badAnswer('empty order answer', 200, '') };
}

// -------------------------------------------------------------------------------------------------
// Order reports (orders channel, order query)

const ORDER_TYPES: Readonly<Record<string, VenueOrderType>> = {
  limit: 'limit', market: 'market', post_only: 'post_only', ioc: 'ioc', fok: 'fok',
};

/** OKX cancelSource codes (PROTOCOLS.md 3.6; "31" post-only auto-cancel from public adapters). */
export function okxCancelReason(cancelSource: string): CancelReason {
  switch (cancelSource) {
    case '1': return 'user';
    case '13': // FOK not fully filled
    case '14': return 'expired'; // IOC remainder
    case '31': return 'post_only';
    default: return 'venue';
  }
}

export function okxCancelSourceIsPostOnly(cancelSource: string): boolean {
  return cancelSource === '31';
}

function negateDecimal(s: string): string {
  if (s === '') return '';
  if (s.startsWith('-')) return s.slice(1);
  if (/^\+?0*(\.0*)?$/.test(s)) return '0';
  return '-' + (s.startsWith('+') ? s.slice(1) : s);
}

export interface OkxReportMapping {
  readonly reports: VenueOrderReport[];
  /** One line per entry that could not be mapped (missing ids, bad side, ...). */
  readonly errors: string[];
}

/** Map one OKX order object (orders push entry or query answer entry). */
export function mapOkxOrder(e: Obj, table: InstrumentTable | null): VenueOrderReport | string {
  const instId = str(e, 'instId');
  const ordId = str(e, 'ordId');
  const clOrdId = str(e, 'clOrdId');
  if (instId === '') return 'order without instId';
  if (ordId === '' && clOrdId === '') return 'order without ordId and clOrdId';
  const sideStr = str(e, 'side');
  if (sideStr !== 'buy' && sideStr !== 'sell') return `order ${ordId}: bad side ${JSON.stringify(sideStr)}`;
  const side: Side = sideStr;
  const state = str(e, 'state');
  const ordTypeStr = str(e, 'ordType');
  const orderType = ORDER_TYPES[ordTypeStr] ?? 'other';
  const price = str(e, 'px');
  const qty = str(e, 'sz');
  const cumQty = str(e, 'accFillSz');
  const lastQty = str(e, 'fillSz');
  const lastPrice = str(e, 'fillPx');
  const idx = table !== null ? table.indexOf(instId) : -1;
  const ins = idx >= 0 && table !== null ? table.get(idx) : null;
  const lots = (s: string): number => (ins === null || s === '' ? NaN : ins.lot.toUnits(s));
  const ticks = (s: string): number => (ins === null || s === '' ? NaN : ins.tick.toUnits(s));
  const quoteSized = orderType === 'market' && str(e, 'instType') === 'SPOT' &&
    (str(e, 'tgtCcy') === 'quote_ccy' || (str(e, 'tgtCcy') === '' && side === 'buy'));
  const qtyLots = quoteSized ? NaN : lots(qty);
  const cumQtyLots = cumQty === '' ? 0 : lots(cumQty);
  const lastQtyLots = lastQty === '' ? 0 : lots(lastQty);
  const hasFill = lastQty !== '' && !/^0*(\.0*)?$/.test(lastQty);
  const lastPriceTicks = hasFill ? ticks(lastPrice) : 0;
  let kind: OrderReportKind;
  switch (state) {
    case 'live': kind = 'ack'; break;
    case 'partially_filled': kind = hasFill ? 'partial_fill' : 'ack'; break;
    case 'filled': kind = 'fill'; break;
    case 'canceled':
    case 'mmp_canceled': kind = 'cancelled'; break;
    default: kind = 'outcome_unknown';
  }
  const code = str(e, 'code');
  const error = code !== '' && code !== '0' ? okxErrorInfo({ code, msg: str(e, 'msg') }) : null;
  const execType = str(e, 'execType');
  const terminal = kind === 'fill' || kind === 'cancelled';
  return {
    venue: 'okx',
    kind,
    symbol: instId,
    instrument: idx,
    clientOrderId: clOrdId,
    venueOrderId: ordId,
    side,
    orderType,
    venueStatus: state,
    price,
    qty,
    cumQty,
    avgPrice: str(e, 'avgPx'),
    lastQty: hasFill ? lastQty : '',
    lastPrice: hasFill ? lastPrice : '',
    priceTicks: price === '' ? NaN : ticks(price),
    qtyLots,
    cumQtyLots,
    leavesQtyLots: terminal ? 0 : qtyLots - cumQtyLots,
    lastQtyLots: hasFill ? lastQtyLots : 0,
    lastPriceTicks,
    tradeId: hasFill ? str(e, 'tradeId') : '',
    liquidity: hasFill ? (execType === 'M' ? 'maker' : execType === 'T' ? 'taker' : '') : '',
    lastFee: hasFill ? negateDecimal(str(e, 'fillFee')) : '',
    lastFeeCcy: hasFill ? str(e, 'fillFeeCcy') : '',
    cancelReason: kind === 'cancelled' ? okxCancelReason(str(e, 'cancelSource')) : '',
    error,
    venueTimeMs: int(e, 'uTime'),
    fillTimeMs: hasFill ? int(e, 'fillTime') : 0,
  };
}

/** Map an `orders` channel push (text of the WS frame). */
export function mapOkxOrdersPush(text: string, table: InstrumentTable | null): OkxReportMapping {
  const o = parseObject(text);
  if (o === null) return { reports: [], errors: ['unparseable orders push'] };
  const arg = o['arg'];
  if (arg === null || typeof arg !== 'object' || str(arg as Obj, 'channel') !== 'orders') {
    return { reports: [], errors: ['not an orders push'] };
  }
  return mapEntries(o['data'], table);
}

/** Map a `GET /api/v5/trade/order` answer (query by clOrdId / ordId). */
export function parseOkxOrderQuery(text: string, table: InstrumentTable | null, httpStatus = 200):
  { readonly report: VenueOrderReport | null; readonly error: VenueErrorInfo | null } {
  const o = parseObject(text);
  if (o === null) return { report: null, error: badAnswer('unparseable order query answer', httpStatus, text) };
  const code = str(o, 'code');
  if (code !== '0') {
    return { report: null, error: okxErrorInfo({ code: code === '' ? 'BAD_RESPONSE' : code, msg: str(o, 'msg'), httpStatus }) };
  }
  const m = mapEntries(o['data'], table);
  const r = m.reports[0];
  if (r === undefined) {
    return { report: null, error: badAnswer(m.errors[0] ?? 'order query answer without order', httpStatus, text) };
  }
  return { report: r, error: null };
}

function mapEntries(data: unknown, table: InstrumentTable | null): OkxReportMapping {
  const reports: VenueOrderReport[] = [];
  const errors: string[] = [];
  if (!Array.isArray(data)) return { reports, errors: ['data is not an array'] };
  for (const d of data) {
    if (d === null || typeof d !== 'object' || Array.isArray(d)) {
      errors.push('order entry is not an object');
      continue;
    }
    const r = mapOkxOrder(d as Obj, table);
    if (typeof r === 'string') errors.push(r);
    else reports.push(r);
  }
  return { reports, errors };
}

// -------------------------------------------------------------------------------------------------
// Events (login, subscribe, error, notice)

export interface OkxEventResult {
  readonly event: string;
  readonly code: string;
  readonly msg: string;
  readonly connId: string;
  readonly id: string;
  /** Non-null for `error` events and for a login with a non-zero code. */
  readonly error: VenueErrorInfo | null;
  /** 64008: the server will close this connection soon for a service upgrade: reconnect. */
  readonly reconnectSoon: boolean;
}

/** Map an event frame (cold path; the frame parser already classified it as 'event'). */
export function parseOkxEvent(text: string): OkxEventResult | null {
  const o = parseObject(text);
  if (o === null) return null;
  const event = str(o, 'event');
  if (event === '') return null;
  const code = str(o, 'code');
  const msg = str(o, 'msg');
  const failed = event === 'error' || event === 'channel-conn-count-error' || (event === 'login' && code !== '' && code !== '0');
  return {
    event,
    code,
    msg,
    connId: str(o, 'connId'),
    id: str(o, 'id'),
    error: failed ? okxErrorInfo({ code: code === '' ? 'BAD_RESPONSE' : code, msg }) : null,
    reconnectSoon: event === 'notice' && code === '64008',
  };
}
