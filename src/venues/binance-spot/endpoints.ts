// Binance spot endpoints and constants (PROTOCOLS.md §1; 2026 forms: user data only through the
// WebSocket API `userDataStream.subscribe.signature`, the listenKey REST flow is gone).
import type { BinanceProfile } from '../binance/profile.js';
import { BINANCE_SPOT_CLIENT_ID } from '../binance/client-id.js';

export const BINANCE_SPOT_STREAM_BASE = 'wss://stream.binance.com:9443';
/** Market-data-only mirror (no user data). */
export const BINANCE_SPOT_DATA_STREAM_BASE = 'wss://data-stream.binance.vision';
export const BINANCE_SPOT_REST_BASE = 'https://api.binance.com';
export const BINANCE_SPOT_DATA_REST_BASE = 'https://data-api.binance.vision';
export const BINANCE_SPOT_WS_API = 'wss://ws-api.binance.com:443/ws-api/v3';

export const BINANCE_SPOT: BinanceProfile = Object.freeze({
  venue: 'binance-spot',
  futures: false,
  restBase: BINANCE_SPOT_REST_BASE,
  wsApiUrl: BINANCE_SPOT_WS_API,
  paths: Object.freeze({
    order: '/api/v3/order',
    depth: '/api/v3/depth',
    exchangeInfo: '/api/v3/exchangeInfo',
    serverTime: '/api/v3/time',
    openOrders: '/api/v3/openOrders',
    // Account information (USER_DATA), sent with omitZeroBalances=true
    balance: '/api/v3/account',
  }),
  // limit 1-100 -> 5, 101-500 -> 25, 501-1000 -> 50, 1001-5000 -> 250
  depthLimits: Object.freeze([[100, 5], [500, 25], [1000, 50], [5000, 250]] as const),
  // account information: weight 20 (spot REST docs, "Account information (USER_DATA)")
  weights: Object.freeze({ newOrder: 1, cancelOrder: 1, queryOrder: 4, exchangeInfo: 20, balance: 20 }),
  clientIdPattern: BINANCE_SPOT_CLIENT_ID,
  defaultRateLimits: Object.freeze([
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
    { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
  ] as const),
  privateEvents: Object.freeze([]),
});

/**
 * Market-data stream URL: one stream raw (`/ws/<name>`), several combined
 * (`/stream?streams=a/b`). Stream names use lower-case symbols.
 */
export function binanceSpotStreamUrl(streams: readonly string[], base = BINANCE_SPOT_STREAM_BASE): string {
  if (streams.length === 0) throw new Error('binance spot: no streams');
  return streams.length === 1 ? `${base}/ws/${streams[0]}` : `${base}/stream?streams=${streams.join('/')}`;
}

/** `<symbol>@depth@100ms` (or @depth for the 1000 ms stream). */
export function binanceSpotDepthStream(symbol: string, fast = true): string {
  return `${symbol.toLowerCase()}@depth${fast ? '@100ms' : ''}`;
}
