// OKX v5 request building (PROTOCOLS.md 3.2, 3.5): place order, cancel, query by clOrdId, in the
// REST form (`POST /api/v5/trade/order` ...) and the WS-trade form (`{"id","op":"order","args"}`),
// the account balance fetch, plus subscribe / unsubscribe and the keepalive text.
//
// Invariants:
// - Bodies are built in one fixed key order (instId, tdMode, clOrdId, side, ordType, px, sz, then
//   optional fields), so the same order always gives byte-identical JSON, which is what is signed.
// - Validation happens here, before anything is signed or sent: clOrdId `^[A-Za-z0-9]{1,32}$`;
//   SPOT uses tdMode `cash` and never sends posSide / reduceOnly; SWAP uses `cross`/`isolated`
//   and `sz` in contracts; limit-type orders need `px`, market orders must not send it; px and sz
//   are positive plain decimals. A spot market order is always sized in base currency
//   (`tgtCcy: base_ccy`), so `sz` means the same thing for every order type.
// - The WS order args use `instIdCode` (2026 form) when given, else `instId`.
// - Pure: no clock, no I/O. Signing is in sign.ts.
import type { Instrument } from '../../core/instrument.js';
import type { Side } from '../types.js';
import { isValidOkxClOrdId } from './client-id.js';
import { okxRestHeaders, type OkxCredentials, type OkxRestHeaders } from './sign.js';

export type OkxInstType = 'SPOT' | 'SWAP' | 'FUTURES';
export type OkxOrdType = 'limit' | 'market' | 'post_only' | 'fok' | 'ioc';
export type OkxTdMode = 'cash' | 'cross' | 'isolated';

export const OKX_PATHS = {
  placeOrder: '/api/v5/trade/order',
  cancelOrder: '/api/v5/trade/cancel-order',
  queryOrder: '/api/v5/trade/order',
  books: '/api/v5/market/books',
  booksFull: '/api/v5/market/books-full',
  instruments: '/api/v5/public/instruments',
  balance: '/api/v5/account/balance',
} as const;

/** The keepalive text the client sends when idle (the server answers the text "pong"). */
export const OKX_PING = 'ping';

export interface OkxOrderParams {
  readonly instId: string;
  readonly instType: OkxInstType;
  readonly side: Side;
  readonly ordType: OkxOrdType;
  /** Defaults: 'cash' for SPOT, 'cross' for SWAP/FUTURES. */
  readonly tdMode?: OkxTdMode;
  /** Limit price (required for limit, post_only, fok, ioc; absent for market). */
  readonly px?: string;
  /** Size: base currency for SPOT, contracts for SWAP/FUTURES. */
  readonly sz: string;
  readonly clOrdId: string;
  /** SWAP/FUTURES only. */
  readonly reduceOnly?: boolean;
  /** SWAP/FUTURES in long/short mode only; omit for net mode. */
  readonly posSide?: 'long' | 'short' | 'net';
  /** Order tag, up to 16 alphanumerics. */
  readonly tag?: string;
  /** WS order API: the instrument's integer instIdCode (2026 form). */
  readonly instIdCode?: number;
}

export interface OkxRestRequest {
  readonly method: 'GET' | 'POST';
  /** Path plus query string, exactly as sent and signed. */
  readonly path: string;
  /** Exact JSON body ('' for GET). */
  readonly body: string;
}

export interface OkxWsRequest {
  /** Request id echoed in the answer (1..32 alphanumerics). */
  readonly id: string;
  readonly op: 'order' | 'cancel-order';
  /** The exact text frame to send. */
  readonly text: string;
}

export type OkxBuild<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const DECIMAL = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;
const ALNUM_1_16 = /^[A-Za-z0-9]{1,16}$/;
const ALNUM_1_32 = /^[A-Za-z0-9]{1,32}$/;
const INST_ID = /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/;

function positiveDecimal(s: string | undefined): boolean {
  return typeof s === 'string' && DECIMAL.test(s) && /[1-9]/.test(s);
}

function fail<T>(reason: string): OkxBuild<T> {
  return { ok: false, reason };
}

/** Validate and normalise; returns the ordered args object of the order. */
function orderArgs(p: OkxOrderParams, ws: boolean): OkxBuild<Record<string, string | boolean | number>> {
  if (typeof p.instId !== 'string' || !INST_ID.test(p.instId)) return fail(`bad instId ${JSON.stringify(p.instId)}`);
  if (!isValidOkxClOrdId(p.clOrdId)) return fail('clOrdId must be 1..32 ASCII letters and digits');
  if (p.side !== 'buy' && p.side !== 'sell') return fail(`bad side ${JSON.stringify(p.side)}`);
  const spot = p.instType === 'SPOT';
  if (!spot && p.instType !== 'SWAP' && p.instType !== 'FUTURES') return fail(`bad instType ${JSON.stringify(p.instType)}`);
  const tdMode: OkxTdMode = p.tdMode ?? (spot ? 'cash' : 'cross');
  if (spot && tdMode !== 'cash') return fail('SPOT orders use tdMode cash (no margin)');
  if (!spot && tdMode !== 'cross' && tdMode !== 'isolated') return fail('SWAP/FUTURES orders use tdMode cross or isolated');
  if (!['limit', 'market', 'post_only', 'fok', 'ioc'].includes(p.ordType)) return fail(`bad ordType ${JSON.stringify(p.ordType)}`);
  const market = p.ordType === 'market';
  if (market && p.px !== undefined) return fail('market orders carry no px');
  if (!market && !positiveDecimal(p.px)) return fail('px must be a positive decimal for limit-type orders');
  if (!positiveDecimal(p.sz)) return fail('sz must be a positive decimal');
  if (spot && p.posSide !== undefined) return fail('posSide is not sent for SPOT');
  if (spot && p.reduceOnly !== undefined) return fail('reduceOnly is not sent for SPOT');
  if (p.tag !== undefined && !ALNUM_1_16.test(p.tag)) return fail('tag must be 1..16 ASCII letters and digits');
  const a: Record<string, string | boolean | number> = {};
  if (ws && p.instIdCode !== undefined) {
    if (!Number.isSafeInteger(p.instIdCode) || p.instIdCode < 0) return fail('instIdCode must be a non-negative integer');
    a['instIdCode'] = p.instIdCode;
  } else {
    a['instId'] = p.instId;
  }
  a['tdMode'] = tdMode;
  a['clOrdId'] = p.clOrdId;
  a['side'] = p.side;
  a['ordType'] = p.ordType;
  if (!market) a['px'] = p.px!;
  a['sz'] = p.sz;
  if (spot && market) a['tgtCcy'] = 'base_ccy';
  if (p.posSide !== undefined) a['posSide'] = p.posSide;
  if (p.reduceOnly !== undefined) a['reduceOnly'] = p.reduceOnly;
  if (p.tag !== undefined) a['tag'] = p.tag;
  return { ok: true, value: a };
}

/** `POST /api/v5/trade/order`. */
export function okxPlaceOrderRest(p: OkxOrderParams): OkxBuild<OkxRestRequest> {
  const a = orderArgs(p, false);
  if (!a.ok) return a;
  return { ok: true, value: { method: 'POST', path: OKX_PATHS.placeOrder, body: JSON.stringify(a.value) } };
}

/** WS `op: order` on /ws/v5/private (after login). `id` defaults to the clOrdId. */
export function okxPlaceOrderWs(p: OkxOrderParams, id: string = p.clOrdId): OkxBuild<OkxWsRequest> {
  if (!ALNUM_1_32.test(id)) return fail('WS request id must be 1..32 ASCII letters and digits');
  const a = orderArgs(p, true);
  if (!a.ok) return a;
  return { ok: true, value: { id, op: 'order', text: JSON.stringify({ id, op: 'order', args: [a.value] }) } };
}

export interface OkxOrderRef {
  readonly instId: string;
  /** The client id (preferred: known before the venue answers). */
  readonly clOrdId?: string;
  /** The venue id; OKX uses it when both are sent. */
  readonly ordId?: string;
  readonly instIdCode?: number;
}

function refArgs(r: OkxOrderRef, ws: boolean): OkxBuild<Record<string, string | number>> {
  if (typeof r.instId !== 'string' || !INST_ID.test(r.instId)) return fail(`bad instId ${JSON.stringify(r.instId)}`);
  if (r.clOrdId === undefined && r.ordId === undefined) return fail('clOrdId or ordId is required');
  if (r.clOrdId !== undefined && !isValidOkxClOrdId(r.clOrdId)) return fail('clOrdId must be 1..32 ASCII letters and digits');
  if (r.ordId !== undefined && !/^\d{1,32}$/.test(r.ordId)) return fail('ordId must be digits');
  const a: Record<string, string | number> = {};
  if (ws && r.instIdCode !== undefined) {
    if (!Number.isSafeInteger(r.instIdCode) || r.instIdCode < 0) return fail('instIdCode must be a non-negative integer');
    a['instIdCode'] = r.instIdCode;
  } else a['instId'] = r.instId;
  if (r.ordId !== undefined) a['ordId'] = r.ordId;
  if (r.clOrdId !== undefined) a['clOrdId'] = r.clOrdId;
  return { ok: true, value: a };
}

/** `POST /api/v5/trade/cancel-order`. */
export function okxCancelOrderRest(r: OkxOrderRef): OkxBuild<OkxRestRequest> {
  const a = refArgs(r, false);
  if (!a.ok) return a;
  return { ok: true, value: { method: 'POST', path: OKX_PATHS.cancelOrder, body: JSON.stringify(a.value) } };
}

/** WS `op: cancel-order`. */
export function okxCancelOrderWs(r: OkxOrderRef, id: string): OkxBuild<OkxWsRequest> {
  if (!ALNUM_1_32.test(id)) return fail('WS request id must be 1..32 ASCII letters and digits');
  const a = refArgs(r, true);
  if (!a.ok) return a;
  return { ok: true, value: { id, op: 'cancel-order', text: JSON.stringify({ id, op: 'cancel-order', args: [a.value] }) } };
}

/** `GET /api/v5/trade/order?instId=...&clOrdId=...` (query by client id; ordId wins if both). */
export function okxQueryOrderRest(r: OkxOrderRef): OkxBuild<OkxRestRequest> {
  const a = refArgs(r, false);
  if (!a.ok) return a;
  const q: string[] = [`instId=${encodeURIComponent(r.instId)}`];
  if (r.ordId !== undefined) q.push(`ordId=${r.ordId}`);
  if (r.clOrdId !== undefined) q.push(`clOrdId=${r.clOrdId}`);
  return { ok: true, value: { method: 'GET', path: `${OKX_PATHS.queryOrder}?${q.join('&')}`, body: '' } };
}

/** `GET /api/v5/market/books?instId=...&sz=...` (REST snapshot with seqId; sz 1..400). */
export function okxBooksRest(instId: string, sz = 400): OkxBuild<OkxRestRequest> {
  if (!INST_ID.test(instId)) return fail(`bad instId ${JSON.stringify(instId)}`);
  if (!Number.isInteger(sz) || sz < 1 || sz > 400) return fail('sz must be 1..400');
  return { ok: true, value: { method: 'GET', path: `${OKX_PATHS.books}?instId=${instId}&sz=${sz}`, body: '' } };
}

/** `GET /api/v5/public/instruments?instType=...` */
export function okxInstrumentsRest(instType: OkxInstType, instId?: string): OkxBuild<OkxRestRequest> {
  if (instType !== 'SPOT' && instType !== 'SWAP' && instType !== 'FUTURES') return fail('bad instType');
  if (instId !== undefined && !INST_ID.test(instId)) return fail(`bad instId ${JSON.stringify(instId)}`);
  const q = instId === undefined ? `instType=${instType}` : `instType=${instType}&instId=${instId}`;
  return { ok: true, value: { method: 'GET', path: `${OKX_PATHS.instruments}?${q}`, body: '' } };
}

/**
 * `GET /api/v5/account/balance[?ccy=BTC,ETH]` (signed, read permission): the trading account's
 * non-zero balances. `ccy`: at most 20 currencies; absent = the whole account.
 */
export function okxBalanceRest(ccy?: readonly string[]): OkxBuild<OkxRestRequest> {
  if (ccy === undefined || ccy.length === 0) return { ok: true, value: { method: 'GET', path: OKX_PATHS.balance, body: '' } };
  if (ccy.length > 20) return fail('at most 20 currencies per balance request');
  for (const c of ccy) if (!/^[A-Za-z0-9]{1,20}$/.test(c)) return fail(`bad currency ${JSON.stringify(c)}`);
  return { ok: true, value: { method: 'GET', path: `${OKX_PATHS.balance}?ccy=${ccy.join(',')}`, body: '' } };
}

/** Signed headers for a built REST request (private endpoints). */
export function okxSignedHeaders(creds: OkxCredentials, epochMs: number, req: OkxRestRequest, demo = false): OkxRestHeaders {
  return okxRestHeaders(creds, epochMs, req.method, req.path, req.body, demo);
}

/** Order price and size strings from integer ticks and lots (exact, trailing zeros trimmed). */
export function okxPxSz(ins: Instrument, priceTicks: number, qtyLots: number): { px: string; sz: string } {
  return { px: ins.tick.fromUnitsTrimmed(priceTicks), sz: ins.lot.fromUnitsTrimmed(qtyLots) };
}

export interface OkxChannelArg {
  readonly channel: string;
  readonly instId?: string;
  readonly instType?: string;
  readonly instFamily?: string;
}

/** `{"id","op":"subscribe"|"unsubscribe","args":[...]}`; args total must stay <= 64 KB. */
export function okxSubscribe(op: 'subscribe' | 'unsubscribe', args: readonly OkxChannelArg[], id?: string): OkxBuild<string> {
  if (args.length === 0) return fail('no channels');
  if (id !== undefined && !ALNUM_1_32.test(id)) return fail('id must be 1..32 ASCII letters and digits');
  const clean = args.map((a) => {
    const o: Record<string, string> = { channel: a.channel };
    if (a.instType !== undefined) o['instType'] = a.instType;
    if (a.instFamily !== undefined) o['instFamily'] = a.instFamily;
    if (a.instId !== undefined) o['instId'] = a.instId;
    return o;
  });
  const argsText = JSON.stringify(clean);
  if (argsText.length > 64 * 1024) return fail('subscription args exceed 64 KB');
  const text = id === undefined ? `{"op":"${op}","args":${argsText}}` : `{"id":"${id}","op":"${op}","args":${argsText}}`;
  return { ok: true, value: text };
}
