// Binance order-entry request builders (REST and WebSocket API), shared by spot and USD-M through
// a BinanceProfile (PROTOCOLS.md §1.5, §2.5, §1.6).
//
// Invariants:
// - Prices and quantities go on the wire as the instrument's exact decimal strings, formatted
//   from integer ticks/lots by DecimalScale (never `64000.010000000002`).
// - Post-only: spot `type=LIMIT_MAKER` (no timeInForce); USD-M `type=LIMIT&timeInForce=GTX`.
//   IOC/FOK are LIMIT orders with that timeInForce; 'limit' is GTC.
// - Signed REST requests carry every parameter in the query string (allowed for POST/DELETE),
//   `timestamp` (and `recvWindow` when set) last before `signature`, which is appended last; the
//   signed string is exactly the string sent. The API key goes in the `X-MBX-APIKEY` header.
// - WS-API requests carry `apiKey`, `timestamp`, `signature` in params; the signature covers the
//   alphabetically sorted params.
// - Time is injected (`nowMs`); nothing here reads a clock. Client ids are validated against the
//   venue's documented pattern; a malformed intent throws OrderBuildError (an engine bug, never
//   venue input).
import type { Instrument } from '../../core/instrument.js';
import type { OrderIntent } from '../types.js';
import type { BinanceProfile } from './profile.js';
import { depthLimitFor } from './profile.js';
import { encodeQuery, signRest, signWsApi, type BinanceCredentials, type ParamValue, type Params } from './signing.js';

export class OrderBuildError extends Error {
  override readonly name = 'OrderBuildError';
}

export interface SignContext {
  /** Injected wall-clock time for `timestamp` (ms since the epoch, venue-synchronised). */
  readonly nowMs: number;
  /** recvWindow in ms (default: omitted, i.e. the venue's 5000). */
  readonly recvWindowMs?: number;
}

export interface RestRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** restBase + path + ('?' + query when non-empty). */
  readonly url: string;
  readonly path: string;
  /** Encoded query string, including `signature` when signed. */
  readonly query: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** REQUEST_WEIGHT this request costs, and ORDERS it counts against. */
  readonly weight: number;
  readonly orders: number;
}

export interface WsApiRequest {
  readonly id: string;
  readonly method: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The JSON text to send. */
  readonly text: string;
}

export interface NewOrderOptions {
  /** Default RESULT (final status in the answer, without the FULL fills list). */
  readonly newOrderRespType?: 'ACK' | 'RESULT' | 'FULL';
  readonly selfTradePreventionMode?: string;
}

/** The venue parameters of a new order, in wire order, without timestamp/signature/apiKey. */
export function newOrderParams(p: BinanceProfile, ins: Instrument, intent: OrderIntent, opts: NewOrderOptions = {}): [string, ParamValue][] {
  if (!p.clientIdPattern.test(intent.clientOrderId)) throw new OrderBuildError(`client order id ${JSON.stringify(intent.clientOrderId)} does not match ${p.clientIdPattern}`);
  if (!Number.isSafeInteger(intent.qtyLots) || intent.qtyLots <= 0) throw new OrderBuildError(`quantity must be a positive whole number of lots, got ${intent.qtyLots}`);
  const out: [string, ParamValue][] = [
    ['symbol', ins.symbol],
    ['side', intent.side === 'buy' ? 'BUY' : 'SELL'],
  ];
  const qty = ins.lot.fromUnits(intent.qtyLots);
  if (intent.type === 'market') {
    out.push(['type', 'MARKET'], ['quantity', qty]);
  } else {
    if (!Number.isSafeInteger(intent.priceTicks) || intent.priceTicks <= 0) throw new OrderBuildError(`limit price must be a positive whole number of ticks, got ${intent.priceTicks}`);
    const px = ins.tick.fromUnits(intent.priceTicks);
    if (intent.type === 'post_only') {
      if (p.futures) out.push(['type', 'LIMIT'], ['timeInForce', 'GTX']);
      else out.push(['type', 'LIMIT_MAKER']);
    } else {
      out.push(['type', 'LIMIT'], ['timeInForce', intent.type === 'ioc' ? 'IOC' : intent.type === 'fok' ? 'FOK' : 'GTC']);
    }
    out.push(['quantity', qty], ['price', px]);
  }
  out.push(['newClientOrderId', intent.clientOrderId]);
  if (intent.reduceOnly === true) {
    if (!p.futures) throw new OrderBuildError('reduceOnly is a futures parameter');
    out.push(['reduceOnly', 'true']);
  }
  out.push(['newOrderRespType', opts.newOrderRespType ?? 'RESULT']);
  if (opts.selfTradePreventionMode !== undefined) out.push(['selfTradePreventionMode', opts.selfTradePreventionMode]);
  return out;
}

function signedRest(p: BinanceProfile, creds: BinanceCredentials, method: RestRequest['method'], path: string, params: Params, sign: SignContext, weight: number, orders: number): RestRequest {
  const all: (readonly [string, ParamValue])[] = [...params];
  if (sign.recvWindowMs !== undefined) all.push(['recvWindow', sign.recvWindowMs]);
  all.push(['timestamp', sign.nowMs]);
  const unsigned = encodeQuery(all);
  const query = `${unsigned}&signature=${signRest(creds.secret, unsigned)}`;
  return { method, url: `${p.restBase}${path}?${query}`, path, query, body: '', headers: { 'X-MBX-APIKEY': creds.apiKey }, weight, orders };
}

export function restNewOrder(p: BinanceProfile, creds: BinanceCredentials, ins: Instrument, intent: OrderIntent, sign: SignContext, opts: NewOrderOptions = {}): RestRequest {
  return signedRest(p, creds, 'POST', p.paths.order, newOrderParams(p, ins, intent, opts), sign, p.weights.newOrder, 1);
}

/** Cancel by client order id (`origClientOrderId`). */
export function restCancelOrder(p: BinanceProfile, creds: BinanceCredentials, symbol: string, clientOrderId: string, sign: SignContext): RestRequest {
  return signedRest(p, creds, 'DELETE', p.paths.order, [['symbol', symbol], ['origClientOrderId', clientOrderId]], sign, p.weights.cancelOrder, 0);
}

/** Query by client order id (`origClientOrderId`): how an unknown outcome is resolved. */
export function restQueryOrder(p: BinanceProfile, creds: BinanceCredentials, symbol: string, clientOrderId: string, sign: SignContext): RestRequest {
  return signedRest(p, creds, 'GET', p.paths.order, [['symbol', symbol], ['origClientOrderId', clientOrderId]], sign, p.weights.queryOrder, 0);
}

/** Open orders (for reconciliation after a restart), optionally of one symbol. */
export function restOpenOrders(p: BinanceProfile, creds: BinanceCredentials, symbol: string | null, sign: SignContext): RestRequest {
  const params: Params = symbol === null ? [] : [['symbol', symbol]];
  // weights from the venues' REST docs (not in PROTOCOLS.md): spot 6 / 80 (all symbols), USD-M 1 / 40
  const weight = p.futures ? (symbol === null ? 40 : 1) : symbol === null ? 80 : 6;
  return signedRest(p, creds, 'GET', p.paths.openOrders, params, sign, weight, 0);
}

/**
 * Signed balance fetch (USER_DATA): spot `GET /api/v3/account?omitZeroBalances=true` (weight 20;
 * only non-zero balances, which is what a snapshot needs: an asset not listed is zero), USD-M
 * `GET /fapi/v3/balance` (weight 5; one entry per asset, no parameters).
 */
export function restBalances(p: BinanceProfile, creds: BinanceCredentials, sign: SignContext): RestRequest {
  const params: Params = p.futures ? [] : [['omitZeroBalances', 'true']];
  return signedRest(p, creds, 'GET', p.paths.balance, params, sign, p.weights.balance, 0);
}

/** Unsigned REST depth snapshot, with the smallest documented limit >= `limit`. */
export function restDepthSnapshot(p: BinanceProfile, symbol: string, limit: number): RestRequest {
  const [lim, weight] = depthLimitFor(p, limit);
  const query = encodeQuery([['symbol', symbol], ['limit', lim]]);
  return { method: 'GET', url: `${p.restBase}${p.paths.depth}?${query}`, path: p.paths.depth, query, body: '', headers: {}, weight, orders: 0 };
}

export function restExchangeInfo(p: BinanceProfile): RestRequest {
  return { method: 'GET', url: `${p.restBase}${p.paths.exchangeInfo}`, path: p.paths.exchangeInfo, query: '', body: '', headers: {}, weight: p.weights.exchangeInfo, orders: 0 };
}

/** USD-M listenKey: POST creates (or returns and extends), PUT extends 60 min, DELETE closes. API-key header, unsigned. */
export function restUsdmListenKey(p: BinanceProfile, creds: BinanceCredentials, method: 'POST' | 'PUT' | 'DELETE'): RestRequest {
  if (!p.futures) throw new OrderBuildError('spot user data is only available through the WebSocket API (userDataStream.subscribe.signature)');
  const path = '/fapi/v1/listenKey';
  return { method, url: `${p.restBase}${path}`, path, query: '', body: '', headers: { 'X-MBX-APIKEY': creds.apiKey }, weight: 1, orders: 0 };
}

function wsApi(creds: BinanceCredentials, id: string, method: string, base: Params, sign: SignContext): WsApiRequest {
  const params: Record<string, ParamValue> = {};
  for (const [k, v] of base) params[k] = v;
  params['apiKey'] = creds.apiKey;
  if (sign.recvWindowMs !== undefined) params['recvWindow'] = sign.recvWindowMs;
  params['timestamp'] = sign.nowMs;
  params['signature'] = signWsApi(creds.secret, params);
  return { id, method, params, text: JSON.stringify({ id, method, params }) };
}

/** WS-API request ids: alphanumeric (and '-') up to 36 characters, as the docs allow. */
function checkId(id: string): void {
  if (!/^[A-Za-z0-9-]{1,36}$/.test(id)) throw new OrderBuildError(`ws-api request id must be 1..36 letters, digits or '-', got ${JSON.stringify(id)}`);
}

export function wsApiNewOrder(p: BinanceProfile, creds: BinanceCredentials, id: string, ins: Instrument, intent: OrderIntent, sign: SignContext, opts: NewOrderOptions = {}): WsApiRequest {
  checkId(id);
  return wsApi(creds, id, 'order.place', newOrderParams(p, ins, intent, opts), sign);
}

export function wsApiCancelOrder(_p: BinanceProfile, creds: BinanceCredentials, id: string, symbol: string, clientOrderId: string, sign: SignContext): WsApiRequest {
  checkId(id);
  return wsApi(creds, id, 'order.cancel', [['symbol', symbol], ['origClientOrderId', clientOrderId]], sign);
}

export function wsApiQueryOrder(_p: BinanceProfile, creds: BinanceCredentials, id: string, symbol: string, clientOrderId: string, sign: SignContext): WsApiRequest {
  checkId(id);
  return wsApi(creds, id, 'order.status', [['symbol', symbol], ['origClientOrderId', clientOrderId]], sign);
}

/** Spot user-data subscription on the WS API without logon (any key type). */
export function wsApiUserDataSubscribe(p: BinanceProfile, creds: BinanceCredentials, id: string, sign: SignContext): WsApiRequest {
  if (p.futures) throw new OrderBuildError('USD-M user data uses a listenKey stream on /private');
  checkId(id);
  return wsApi(creds, id, 'userDataStream.subscribe.signature', [], sign);
}
