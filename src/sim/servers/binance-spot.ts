// Simulated Binance spot venue: the spot profile of the shared Binance server (PROTOCOLS.md §1).
// Paths, weights, stream speeds and number style are the documented spot ones; user data only
// through the WebSocket API (`userDataStream.subscribe.signature`), as in 2026.
import { BinanceVenueServer, type BinanceServerConfig, type BinanceSimProfile } from './binance-server.js';
import { STYLE_BINANCE_SPOT } from './format.js';

export const BINANCE_SPOT_SIM_PROFILE: BinanceSimProfile = Object.freeze({
  protocol: 'binance-spot',
  futures: false,
  paths: Object.freeze({
    ping: '/api/v3/ping', time: '/api/v3/time', exchangeInfo: '/api/v3/exchangeInfo', depth: '/api/v3/depth',
    order: '/api/v3/order', openOrders: '/api/v3/openOrders', cancelAll: '/api/v3/openOrders', account: '/api/v3/account',
    accountAliases: Object.freeze([]), positions: null, listenKey: null,
  }),
  wsApiPath: '/ws-api/v3',
  // limit 1-100 -> 5, 101-500 -> 25, 501-1000 -> 50, 1001-5000 -> 250
  depthLimits: Object.freeze([[100, 5], [500, 25], [1000, 50], [5000, 250]] as const),
  depthExact: false,
  depthDefault: 100,
  depthMax: 5000,
  weights: Object.freeze({ exchangeInfo: 20, order: 1, cancel: 1, query: 4, openOrdersOne: 6, openOrdersAll: 80, account: 20, cancelAll: 1 }),
  clientIdRe: /^[a-zA-Z0-9-_]{1,36}$/,
  diffSpeeds: Object.freeze({ '': 1000, '@100ms': 100 }),
  partialSpeeds: Object.freeze({ '': 1000, '@100ms': 100 }),
  style: STYLE_BINANCE_SPOT,
  orderTypes: Object.freeze(['LIMIT', 'MARKET', 'LIMIT_MAKER']),
  unsupportedTypes: Object.freeze(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']),
  tifs: Object.freeze(['GTC', 'IOC', 'FOK']),
  newOrderParams: Object.freeze([
    'symbol', 'side', 'type', 'timeInForce', 'quantity', 'quoteOrderQty', 'price', 'newClientOrderId', 'strategyId', 'strategyType',
    'stopPrice', 'trailingDelta', 'icebergQty', 'newOrderRespType', 'selfTradePreventionMode', 'pegPriceType', 'pegOffsetValue', 'pegOffsetType',
  ]),
  unsupportedParams: Object.freeze(['quoteOrderQty', 'stopPrice', 'trailingDelta', 'icebergQty', 'pegPriceType', 'pegOffsetValue', 'pegOffsetType']),
});

export function startBinanceSpotServer(cfg: Omit<BinanceServerConfig, 'profile'>): Promise<BinanceVenueServer> {
  return BinanceVenueServer.start({ ...cfg, profile: BINANCE_SPOT_SIM_PROFILE });
}
