// Simulated Binance USD-M futures venue: the futures profile of the shared Binance server
// (PROTOCOLS.md §2). 2026 forms: market data on `/public` (depth, bookTicker, trade) and
// `/market` (aggTrade), user data on `/private/ws?listenKey=..&events=..`; depth diffs carry `pu`;
// order entry weight 0 with ORDERS counted per 10 s and per minute; post-only is GTX (-5022 when
// it would take), an unfillable FOK is -5021 and not recorded. Balances: `GET /fapi/v3/balance`
// ("Futures Account Balance V3", weight 5; the V2 path answers the same).
import { BinanceVenueServer, type BinanceServerConfig, type BinanceSimProfile } from './binance-server.js';
import { STYLE_BINANCE_USDM } from './format.js';

export const BINANCE_USDM_SIM_PROFILE: BinanceSimProfile = Object.freeze({
  protocol: 'binance-usdm',
  futures: true,
  paths: Object.freeze({
    ping: '/fapi/v1/ping', time: '/fapi/v1/time', exchangeInfo: '/fapi/v1/exchangeInfo', depth: '/fapi/v1/depth',
    order: '/fapi/v1/order', openOrders: '/fapi/v1/openOrders', cancelAll: '/fapi/v1/allOpenOrders', account: '/fapi/v3/balance',
    accountAliases: Object.freeze(['/fapi/v2/balance']), positions: '/fapi/v2/positionRisk', listenKey: '/fapi/v1/listenKey',
  }),
  wsApiPath: '/ws-fapi/v1',
  // limits 5, 10, 20, 50 -> 2; 100 -> 5; 500 -> 10; 1000 -> 20
  depthLimits: Object.freeze([[5, 2], [10, 2], [20, 2], [50, 2], [100, 5], [500, 10], [1000, 20]] as const),
  depthExact: true,
  depthDefault: 500,
  depthMax: 1000,
  weights: Object.freeze({ exchangeInfo: 1, order: 0, cancel: 1, query: 1, openOrdersOne: 1, openOrdersAll: 40, account: 5, cancelAll: 1 }),
  clientIdRe: /^[.A-Z:/a-z0-9_-]{1,36}$/,
  diffSpeeds: Object.freeze({ '': 250, '@500ms': 500, '@100ms': 100 }),
  partialSpeeds: Object.freeze({ '': 250, '@500ms': 500, '@100ms': 100 }),
  style: STYLE_BINANCE_USDM,
  orderTypes: Object.freeze(['LIMIT', 'MARKET']),
  unsupportedTypes: Object.freeze(['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET']),
  tifs: Object.freeze(['GTC', 'IOC', 'FOK', 'GTX']),
  newOrderParams: Object.freeze([
    'symbol', 'side', 'positionSide', 'type', 'timeInForce', 'quantity', 'reduceOnly', 'price', 'newClientOrderId', 'stopPrice',
    'closePosition', 'activationPrice', 'callbackRate', 'workingType', 'priceProtect', 'newOrderRespType', 'priceMatch',
    'selfTradePreventionMode', 'goodTillDate',
  ]),
  unsupportedParams: Object.freeze(['stopPrice', 'closePosition', 'activationPrice', 'callbackRate', 'priceMatch', 'goodTillDate']),
});

export function startBinanceUsdmServer(cfg: Omit<BinanceServerConfig, 'profile'>): Promise<BinanceVenueServer> {
  return BinanceVenueServer.start({ ...cfg, profile: BINANCE_USDM_SIM_PROFILE });
}
