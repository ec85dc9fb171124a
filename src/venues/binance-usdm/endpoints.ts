// Binance USD-M futures endpoints and constants (PROTOCOLS.md §2; 2026 forms: market-data streams
// split into /public (depth, book ticker: high frequency) and /market (aggTrade, markPrice,
// kline, tickers), user data on /private?listenKey=...&events=...; legacy URLs retired
// 2026-04-23).
//
// [UNVERIFIED] per PROTOCOLS.md §6.2: the complete stream-to-route mapping. We route depth,
// partial depth, bookTicker and trade (seen on /public in 2026-08 recordings) to /public and
// everything else to /market.
import type { BinanceProfile } from '../binance/profile.js';
import { BINANCE_USDM_CLIENT_ID } from '../binance/client-id.js';

export const BINANCE_USDM_STREAM_HOST = 'wss://fstream.binance.com';
export const BINANCE_USDM_REST_BASE = 'https://fapi.binance.com';
export const BINANCE_USDM_WS_API = 'wss://ws-fapi.binance.com/ws-fapi/v1';
export const BINANCE_USDM_LISTEN_KEY_PATH = '/fapi/v1/listenKey';

export const BINANCE_USDM: BinanceProfile = Object.freeze({
  venue: 'binance-usdm',
  futures: true,
  restBase: BINANCE_USDM_REST_BASE,
  wsApiUrl: BINANCE_USDM_WS_API,
  paths: Object.freeze({
    order: '/fapi/v1/order',
    depth: '/fapi/v1/depth',
    exchangeInfo: '/fapi/v1/exchangeInfo',
    serverTime: '/fapi/v1/time',
    openOrders: '/fapi/v1/openOrders',
    // "Futures Account Balance V3 (USER_DATA)", the current documented balance endpoint (V2
    // `/fapi/v2/balance` is the older form with the same fields)
    balance: '/fapi/v3/balance',
  }),
  // limits 5, 10, 20, 50 -> 2; 100 -> 5; 500 -> 10; 1000 -> 20
  depthLimits: Object.freeze([[5, 2], [10, 2], [20, 2], [50, 2], [100, 5], [500, 10], [1000, 20]] as const),
  // new order: 0 request weight (counts on the ORDERS limits only)
  // balance V3: weight 5
  weights: Object.freeze({ newOrder: 0, cancelOrder: 1, queryOrder: 1, exchangeInfo: 1, balance: 5 }),
  clientIdPattern: BINANCE_USDM_CLIENT_ID,
  defaultRateLimits: Object.freeze([
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
    { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
  ] as const),
  privateEvents: Object.freeze(['ORDER_TRADE_UPDATE', 'TRADE_LITE', 'ACCOUNT_UPDATE']),
});

export type UsdmRoute = 'public' | 'market';

/** Which 2026 route a stream name belongs to. */
export function binanceUsdmRoute(stream: string): UsdmRoute {
  const at = stream.indexOf('@');
  const kind = at >= 0 ? stream.slice(at + 1) : stream;
  if (kind.startsWith('depth') || kind === 'bookTicker' || stream === '!bookTicker' || kind === 'trade') return 'public';
  return 'market';
}

/** Market-data URL on the split infrastructure; all streams must share one route. */
export function binanceUsdmStreamUrl(streams: readonly string[], host = BINANCE_USDM_STREAM_HOST): string {
  if (streams.length === 0) throw new Error('binance usdm: no streams');
  const route = binanceUsdmRoute(streams[0]!);
  for (const s of streams) {
    if (binanceUsdmRoute(s) !== route) throw new Error(`binance usdm: ${s} is not on /${route}; open one connection per route`);
  }
  return streams.length === 1 ? `${host}/${route}/ws/${streams[0]}` : `${host}/${route}/stream?streams=${streams.join('/')}`;
}

/** User-data URL: `/private/ws?listenKey=<key>&events=E1/E2`. */
export function binanceUsdmPrivateUrl(listenKey: string, events: readonly string[] = BINANCE_USDM.privateEvents, host = BINANCE_USDM_STREAM_HOST): string {
  return `${host}/private/ws?listenKey=${encodeURIComponent(listenKey)}&events=${events.join('/')}`;
}

export function binanceUsdmDepthStream(symbol: string, speed: '' | '@100ms' | '@500ms' = '@100ms'): string {
  return `${symbol.toLowerCase()}@depth${speed}`;
}
