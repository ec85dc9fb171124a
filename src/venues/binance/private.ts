// Binance private messages -> venue-neutral VenueOrderReport (src/venues/types.ts):
// - spot `executionReport`, delivered in the 2026 WebSocket-API user-data envelope
//   `{"subscriptionId":N,"event":{...}}` (the bare event form is accepted too);
// - USD-M `ORDER_TRADE_UPDATE`, `TRADE_LITE`, and `listenKeyExpired`;
// - order answers: REST `POST/GET/DELETE .../order` bodies and WS-API `order.*` results;
// - WS-API response envelopes `{"id","status","result"|"error","rateLimits"}`.
//
// Invariants:
// - Nothing throws: malformed input gives `{ type: 'error', detail }`.
// - Decimal fields keep the venue's exact strings; the *Ticks / *Lots fields are the same values
//   in the instrument's integer units (NaN when the symbol is not in the table or a value is off
//   the step; NaN also for quantities the message does not carry, e.g. TRADE_LITE cumulative).
// - Kinds: NEW/REPLACED/AMENDMENT -> ack; TRADE (and USD-M CALCULATED) -> fill when the order
//   status is FILLED, else partial_fill; CANCELED -> cancelled ('user'); EXPIRED /
//   EXPIRED_IN_MATCH / TRADE_PREVENTION-terminal -> cancelled ('expired', or 'post_only' for a
//   USD-M GTX order that expired unfilled); REJECTED -> reject. A cancel report names the
//   cancelled order by `C` (original client id) on spot: we report that id, not the cancel's own.
// - This is the executor's path, not the market-data hot path: it uses JSON.parse (a few messages
//   per order), and builds one report object per message.
import type { InstrumentTable } from '../../core/instrument.js';
import type { CancelReason, OrderReportKind, Side, VenueErrorInfo, VenueOrderReport, VenueOrderType } from '../types.js';
import { binanceErrorInfo } from './errors.js';

type Obj = Record<string, unknown>;
type BinanceVenue = 'binance-spot' | 'binance-usdm';

export type BinancePrivateEvent =
  | { readonly type: 'report'; readonly report: VenueOrderReport }
  /** USD-M: the listenKey expired; create a new one and reconnect the /private stream. */
  | { readonly type: 'listen_key_expired'; readonly eventTimeMs: number }
  /** Spot: the WS-API user-data subscription ended (`eventStreamTerminated`): subscribe again. */
  | { readonly type: 'stream_terminated'; readonly eventTimeMs: number }
  /** Balance / position events (outboundAccountPosition, balanceUpdate, ACCOUNT_UPDATE, ...). */
  | { readonly type: 'account'; readonly event: string; readonly data: Obj }
  /** A WS-API response envelope (answer to one of our requests). */
  | { readonly type: 'response'; readonly response: BinanceWsApiResponse }
  | { readonly type: 'ignored'; readonly event: string }
  | { readonly type: 'error'; readonly detail: string };

export interface BinanceWsApiResponse {
  readonly id: string;
  readonly status: number;
  /** The `result` object/array when the request succeeded. */
  readonly result: unknown;
  /** Mapped error when it failed. */
  readonly error: VenueErrorInfo | null;
  readonly rateLimits: readonly { rateLimitType: string; interval: string; intervalNum: number; limit: number; count: number }[];
}

const MAX_TEXT = 1 << 20;

function parse(text: string): Obj | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT) return null;
  try {
    const o = JSON.parse(text) as unknown;
    return o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as Obj) : null;
  } catch {
    return null;
  }
}

function str(o: Obj, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
}

function int(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,16}$/.test(v)) return Number(v);
  return 0;
}

function isZero(s: string): boolean {
  return /^[+-]?0*(\.0*)?$/.test(s);
}

function sideOf(s: string): Side | null {
  return s === 'BUY' ? 'buy' : s === 'SELL' ? 'sell' : null;
}

function orderTypeOf(type: string, tif: string): VenueOrderType {
  if (type === 'MARKET') return 'market';
  if (type === 'LIMIT_MAKER') return 'post_only';
  if (type === 'LIMIT') {
    if (tif === 'GTC' || tif === 'GTD' || tif === '') return 'limit';
    if (tif === 'IOC') return 'ioc';
    if (tif === 'FOK') return 'fok';
    if (tif === 'GTX') return 'post_only';
  }
  return 'other';
}

interface Units {
  idx: number;
  ticks(s: string): number;
  lots(s: string): number;
}

function unitsFor(table: InstrumentTable | null, symbol: string): Units {
  const idx = table !== null ? table.indexOf(symbol) : -1;
  const ins = idx >= 0 && table !== null ? table.get(idx) : null;
  return {
    idx,
    ticks: (s) => (ins === null || s === '' ? NaN : ins.tick.toUnits(s)),
    lots: (s) => (ins === null || s === '' ? NaN : ins.lot.toUnits(s)),
  };
}

function kindOf(execType: string, status: string): { kind: OrderReportKind; cancel: CancelReason } {
  switch (execType) {
    case 'NEW':
    case 'REPLACED':
    case 'AMENDMENT':
      return { kind: 'ack', cancel: '' };
    case 'TRADE':
    case 'CALCULATED':
      return { kind: status === 'FILLED' ? 'fill' : 'partial_fill', cancel: '' };
    case 'CANCELED':
      return { kind: 'cancelled', cancel: 'user' };
    case 'EXPIRED':
      return { kind: 'cancelled', cancel: 'expired' };
    case 'TRADE_PREVENTION':
      return status === 'EXPIRED' || status === 'EXPIRED_IN_MATCH' || status === 'CANCELED' ? { kind: 'cancelled', cancel: 'expired' } : { kind: 'ack', cancel: '' };
    case 'REJECTED':
      return { kind: 'reject', cancel: '' };
    default:
      return { kind: 'outcome_unknown', cancel: '' };
  }
}

function rejectInfo(venue: BinanceVenue, reason: string): VenueErrorInfo {
  switch (reason) {
    case 'INSUFFICIENT_BALANCES':
      return { code: 'INSUFFICIENT_BALANCE', retryable: false, outcome: 'known', venueCode: reason, message: 'insufficient balance' };
    case 'WOULD_MATCH_IMMEDIATELY':
      return { code: 'POST_ONLY_REJECTED', retryable: false, outcome: 'known', venueCode: reason, message: 'post-only order would match immediately' };
    default:
      return { code: 'REJECTED', retryable: false, outcome: 'known', venueCode: reason || venue, message: reason || 'rejected' };
  }
}

/** Spot `executionReport` (the inner event object). */
export function mapSpotExecutionReport(e: Obj, table: InstrumentTable | null): VenueOrderReport | string {
  const symbol = str(e, 's');
  const side = sideOf(str(e, 'S'));
  if (symbol === '') return 'executionReport without s';
  if (side === null) return `executionReport: bad side ${JSON.stringify(e['S'])}`;
  const execType = str(e, 'x');
  const status = str(e, 'X');
  const { kind, cancel } = kindOf(execType, status);
  const orig = str(e, 'C');
  const clientOrderId = kind === 'cancelled' && orig !== '' ? orig : str(e, 'c');
  const u = unitsFor(table, symbol);
  const qty = str(e, 'q');
  const cumQty = str(e, 'z');
  const lastQty = str(e, 'l');
  const hasFill = (execType === 'TRADE' || execType === 'CALCULATED') && lastQty !== '' && !isZero(lastQty);
  const qtyLots = u.lots(qty);
  const cumQtyLots = cumQty === '' ? NaN : u.lots(cumQty);
  const terminal = kind === 'fill' || kind === 'cancelled' || kind === 'reject';
  const reason = str(e, 'r');
  const tradeId = int(e, 't');
  return {
    venue: 'binance-spot',
    kind,
    symbol,
    instrument: u.idx,
    clientOrderId,
    venueOrderId: str(e, 'i'),
    side,
    orderType: orderTypeOf(str(e, 'o'), str(e, 'f')),
    venueStatus: status,
    price: str(e, 'p'),
    qty,
    cumQty,
    // spot sends no average price; Z / z (cumulative quote / cumulative qty) is not a
    // decimal-exact quotient, so no average is reported
    avgPrice: '',
    lastQty: hasFill ? lastQty : '',
    lastPrice: hasFill ? str(e, 'L') : '',
    priceTicks: u.ticks(str(e, 'p')),
    qtyLots,
    cumQtyLots,
    leavesQtyLots: terminal ? 0 : qtyLots - cumQtyLots,
    lastQtyLots: hasFill ? u.lots(lastQty) : 0,
    lastPriceTicks: hasFill ? u.ticks(str(e, 'L')) : 0,
    tradeId: hasFill && tradeId >= 0 ? String(tradeId) : '',
    liquidity: hasFill ? (e['m'] === true ? 'maker' : 'taker') : '',
    lastFee: hasFill ? str(e, 'n') : '',
    lastFeeCcy: hasFill ? str(e, 'N') : '',
    cancelReason: cancel,
    error: kind === 'reject' ? rejectInfo('binance-spot', reason) : null,
    venueTimeMs: int(e, 'E'),
    fillTimeMs: hasFill ? int(e, 'T') : 0,
  };
}

/** USD-M `ORDER_TRADE_UPDATE` (the whole event: `{e,E,T,o:{...}}`). */
export function mapUsdmOrderTradeUpdate(ev: Obj, table: InstrumentTable | null): VenueOrderReport | string {
  const o = ev['o'];
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return 'ORDER_TRADE_UPDATE without o';
  const e = o as Obj;
  const symbol = str(e, 's');
  const side = sideOf(str(e, 'S'));
  if (symbol === '') return 'ORDER_TRADE_UPDATE without o.s';
  if (side === null) return `ORDER_TRADE_UPDATE: bad side ${JSON.stringify(e['S'])}`;
  const execType = str(e, 'x');
  const status = str(e, 'X');
  const tif = str(e, 'f');
  let { kind, cancel } = kindOf(execType, status);
  if (execType === 'EXPIRED' || status === 'EXPIRED_IN_MATCH') {
    kind = 'cancelled';
    cancel = tif === 'GTX' && isZero(str(e, 'z') || '0') ? 'post_only' : 'expired';
  }
  const u = unitsFor(table, symbol);
  const qty = str(e, 'q');
  const cumQty = str(e, 'z');
  const lastQty = str(e, 'l');
  const hasFill = (execType === 'TRADE' || execType === 'CALCULATED') && lastQty !== '' && !isZero(lastQty);
  const qtyLots = u.lots(qty);
  const cumQtyLots = cumQty === '' ? NaN : u.lots(cumQty);
  const terminal = kind === 'fill' || kind === 'cancelled' || kind === 'reject';
  const px = str(e, 'p');
  const tradeId = int(e, 't');
  return {
    venue: 'binance-usdm',
    kind,
    symbol,
    instrument: u.idx,
    clientOrderId: str(e, 'c'),
    venueOrderId: str(e, 'i'),
    side,
    orderType: orderTypeOf(str(e, 'o'), tif),
    venueStatus: status,
    price: px,
    qty,
    cumQty,
    avgPrice: str(e, 'ap'),
    lastQty: hasFill ? lastQty : '',
    lastPrice: hasFill ? str(e, 'L') : '',
    // market orders carry p = "0": no price
    priceTicks: px === '' || isZero(px) ? NaN : u.ticks(px),
    qtyLots,
    cumQtyLots,
    leavesQtyLots: terminal ? 0 : qtyLots - cumQtyLots,
    lastQtyLots: hasFill ? u.lots(lastQty) : 0,
    lastPriceTicks: hasFill ? u.ticks(str(e, 'L')) : 0,
    tradeId: hasFill && tradeId > 0 ? String(tradeId) : '',
    liquidity: hasFill ? (e['m'] === true ? 'maker' : 'taker') : '',
    lastFee: hasFill ? str(e, 'n') : '',
    lastFeeCcy: hasFill ? str(e, 'N') : '',
    cancelReason: cancel,
    error: kind === 'reject' ? rejectInfo('binance-usdm', str(e, 'er')) : null,
    venueTimeMs: int(ev, 'E'),
    fillTimeMs: hasFill ? int(e, 'T') : 0,
  };
}

/**
 * USD-M `TRADE_LITE`: a fast, reduced fill event. It carries this fill and the order's original
 * price and quantity but no cumulative quantity, status or fee: cumQty/leaves are NaN, and the
 * kind is 'fill' only when this one fill is the whole order (l == q), else 'partial_fill' (the
 * ORDER_TRADE_UPDATE that follows says whether the order completed).
 */
export function mapUsdmTradeLite(e: Obj, table: InstrumentTable | null): VenueOrderReport | string {
  const symbol = str(e, 's');
  const side = sideOf(str(e, 'S'));
  if (symbol === '') return 'TRADE_LITE without s';
  if (side === null) return `TRADE_LITE: bad side ${JSON.stringify(e['S'])}`;
  const u = unitsFor(table, symbol);
  const qty = str(e, 'q');
  const lastQty = str(e, 'l');
  const qtyLots = u.lots(qty);
  const lastQtyLots = u.lots(lastQty);
  const px = str(e, 'p');
  const whole = lastQtyLots === qtyLots && qtyLots > 0;
  return {
    venue: 'binance-usdm',
    kind: whole ? 'fill' : 'partial_fill',
    symbol,
    instrument: u.idx,
    clientOrderId: str(e, 'c'),
    venueOrderId: str(e, 'i'),
    side,
    orderType: 'other',
    venueStatus: 'TRADE_LITE',
    price: px,
    qty,
    cumQty: whole ? qty : '',
    avgPrice: '',
    lastQty,
    lastPrice: str(e, 'L'),
    priceTicks: px === '' || isZero(px) ? NaN : u.ticks(px),
    qtyLots,
    cumQtyLots: whole ? qtyLots : NaN,
    leavesQtyLots: whole ? 0 : NaN,
    lastQtyLots,
    lastPriceTicks: u.ticks(str(e, 'L')),
    tradeId: str(e, 't'),
    liquidity: e['m'] === true ? 'maker' : 'taker',
    lastFee: '',
    lastFeeCcy: '',
    cancelReason: '',
    error: null,
    venueTimeMs: int(e, 'E'),
    fillTimeMs: int(e, 'T'),
  };
}

/**
 * Maps one order answer (REST 2xx body, WS-API `result`, or an order query) to a report. There is
 * no "last fill" in an answer: lastQty is '' and the consumer uses cumQty. Kinds follow `status`.
 */
export function mapBinanceOrderAnswer(venue: BinanceVenue, body: unknown, table: InstrumentTable | null): VenueOrderReport | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'order answer is not an object';
  const e = body as Obj;
  const symbol = str(e, 'symbol');
  const side = sideOf(str(e, 'side'));
  if (symbol === '') return 'order answer without symbol';
  if (side === null) return `order answer: bad side ${JSON.stringify(e['side'])}`;
  const status = str(e, 'status');
  let kind: OrderReportKind;
  let cancel: CancelReason = '';
  const tif = str(e, 'timeInForce');
  switch (status) {
    case 'NEW':
    case 'PENDING_NEW':
    case 'PARTIALLY_FILLED':
      kind = 'ack';
      break;
    case 'FILLED':
      kind = 'fill';
      break;
    case 'CANCELED':
    case 'PENDING_CANCEL':
      kind = 'cancelled';
      cancel = 'user';
      break;
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      kind = 'cancelled';
      cancel = tif === 'GTX' && isZero(str(e, 'executedQty') || '0') ? 'post_only' : 'expired';
      break;
    case 'REJECTED':
      kind = 'reject';
      break;
    default:
      kind = 'outcome_unknown';
  }
  const u = unitsFor(table, symbol);
  const qty = str(e, 'origQty');
  const cumQty = str(e, 'executedQty');
  const qtyLots = u.lots(qty);
  const cumQtyLots = cumQty === '' ? NaN : u.lots(cumQty);
  const terminal = kind === 'fill' || kind === 'cancelled' || kind === 'reject';
  const px = str(e, 'price');
  return {
    venue,
    kind,
    symbol,
    instrument: u.idx,
    clientOrderId: str(e, 'clientOrderId'),
    venueOrderId: str(e, 'orderId'),
    side,
    orderType: orderTypeOf(str(e, 'type'), tif),
    venueStatus: status,
    price: px,
    qty,
    cumQty,
    avgPrice: str(e, 'avgPrice'),
    lastQty: '',
    lastPrice: '',
    priceTicks: px === '' || isZero(px) ? NaN : u.ticks(px),
    qtyLots,
    cumQtyLots,
    leavesQtyLots: terminal ? 0 : qtyLots - cumQtyLots,
    lastQtyLots: 0,
    lastPriceTicks: 0,
    tradeId: '',
    liquidity: '',
    lastFee: '',
    lastFeeCcy: '',
    cancelReason: cancel,
    error: kind === 'reject' ? rejectInfo(venue, '') : null,
    venueTimeMs: int(e, venue === 'binance-spot' ? 'transactTime' : 'updateTime') || int(e, 'updateTime') || int(e, 'time'),
    fillTimeMs: 0,
  };
}

/**
 * The report for an order request that failed (HTTP error, WS-API error, timeout): 'reject' when
 * the venue certainly did not act, 'outcome_unknown' otherwise (query by client id next).
 */
export function binanceErrorReport(venue: BinanceVenue, symbol: string, clientOrderId: string, side: Side, error: VenueErrorInfo, table: InstrumentTable | null, nowMs = 0): VenueOrderReport {
  const idx = table !== null ? table.indexOf(symbol) : -1;
  return {
    venue,
    kind: error.outcome === 'known' ? 'reject' : 'outcome_unknown',
    symbol,
    instrument: idx,
    clientOrderId,
    venueOrderId: '',
    side,
    orderType: 'other',
    venueStatus: '',
    price: '',
    qty: '',
    cumQty: '',
    avgPrice: '',
    lastQty: '',
    lastPrice: '',
    priceTicks: NaN,
    qtyLots: NaN,
    cumQtyLots: NaN,
    leavesQtyLots: NaN,
    lastQtyLots: 0,
    lastPriceTicks: 0,
    tradeId: '',
    liquidity: '',
    lastFee: '',
    lastFeeCcy: '',
    cancelReason: '',
    error,
    venueTimeMs: nowMs,
    fillTimeMs: 0,
  };
}

/** Parses a WS-API response envelope; errors are mapped (needs the injected now for retryAfter). */
export function parseBinanceWsApiResponse(venue: BinanceVenue, o: Obj, nowMs: number): BinanceWsApiResponse | string {
  const idv = o['id'];
  const id = typeof idv === 'string' ? idv : typeof idv === 'number' ? String(idv) : idv === null ? '' : null;
  if (id === null) return 'ws-api response with a bad id';
  const status = typeof o['status'] === 'number' ? o['status'] : 0;
  const rl = Array.isArray(o['rateLimits']) ? (o['rateLimits'] as unknown[]) : [];
  const rateLimits = rl.filter((x): x is BinanceWsApiResponse['rateLimits'][number] => {
    if (x === null || typeof x !== 'object') return false;
    const r = x as Obj;
    return typeof r['rateLimitType'] === 'string' && typeof r['interval'] === 'string' && typeof r['intervalNum'] === 'number' && typeof r['limit'] === 'number' && typeof r['count'] === 'number';
  });
  let error: VenueErrorInfo | null = null;
  const err = o['error'];
  if (err !== undefined && err !== null) {
    if (typeof err !== 'object') return 'ws-api response with a bad error';
    const eo = err as Obj;
    const data = eo['data'];
    const retryAfter = data !== null && typeof data === 'object' ? (data as Obj)['retryAfter'] : undefined;
    error = binanceErrorInfo({
      venue,
      httpStatus: status,
      code: typeof eo['code'] === 'number' || typeof eo['code'] === 'string' ? (eo['code'] as number | string) : undefined,
      msg: typeof eo['msg'] === 'string' ? eo['msg'] : '',
      ...(typeof retryAfter === 'number' ? { retryAfterEpochMs: retryAfter, nowMs } : {}),
    });
  } else if (status >= 400) {
    error = binanceErrorInfo({ venue, httpStatus: status });
  }
  return { id, status, result: o['result'], error, rateLimits };
}

/**
 * Maps one frame from a private connection: the spot WS-API connection (user-data envelopes and
 * responses) or the USD-M /private stream (bare events). Never throws.
 */
export function mapBinancePrivateMessage(venue: BinanceVenue, text: string, table: InstrumentTable | null, nowMs = 0): BinancePrivateEvent {
  const top = parse(text);
  if (top === null) return { type: 'error', detail: 'unparseable private message' };
  let e: Obj = top;
  const inner = top['event'];
  if ('subscriptionId' in top) {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return { type: 'error', detail: 'user-data envelope without an event object' };
    e = inner as Obj;
  } else if (!('e' in top) && ('status' in top || 'result' in top || 'error' in top) && 'id' in top) {
    const r = parseBinanceWsApiResponse(venue, top, nowMs);
    return typeof r === 'string' ? { type: 'error', detail: r } : { type: 'response', response: r };
  }
  const name = typeof e['e'] === 'string' ? e['e'] : '';
  if (name === '') return { type: 'error', detail: 'private event without e' };
  switch (name) {
    case 'executionReport': {
      const r = mapSpotExecutionReport(e, table);
      return typeof r === 'string' ? { type: 'error', detail: r } : { type: 'report', report: r };
    }
    case 'ORDER_TRADE_UPDATE': {
      const r = mapUsdmOrderTradeUpdate(e, table);
      return typeof r === 'string' ? { type: 'error', detail: r } : { type: 'report', report: r };
    }
    case 'TRADE_LITE': {
      const r = mapUsdmTradeLite(e, table);
      return typeof r === 'string' ? { type: 'error', detail: r } : { type: 'report', report: r };
    }
    case 'listenKeyExpired':
      return { type: 'listen_key_expired', eventTimeMs: int(e, 'E') };
    case 'eventStreamTerminated':
      return { type: 'stream_terminated', eventTimeMs: int(e, 'E') };
    case 'outboundAccountPosition':
    case 'balanceUpdate':
    case 'externalLockUpdate':
    case 'ACCOUNT_UPDATE':
    case 'MARGIN_CALL':
    case 'ACCOUNT_CONFIG_UPDATE':
      return { type: 'account', event: name, data: e };
    default:
      return { type: 'ignored', event: name };
  }
}
