// A small valid configuration as plain values (fresh object per call), for mutation tests.
export function baseConfig(): Record<string, any> {
  return {
    version: 1,
    assets: { BTC: { decimals: 8 }, USDT: { decimals: 9 } },
    venues: {
      'binance-spot': {
        links: {
          market: { primary: { ws: 'wss://stream.binance.com:9443', rest: 'https://api.binance.com' } },
          orders: { primary: { rest: 'https://api.binance.com', ws_api: 'wss://ws-api.binance.com:443/ws-api/v3' } },
        },
        credentials: { api_key: { env: 'XMC_BN_KEY' }, secret: { env: 'XMC_BN_SECRET' } },
        fees: { maker: '0.001', taker: '0.001' },
      },
      okx: {
        links: {
          market: { primary: { ws: 'wss://ws.okx.com:8443/ws/v5/public', rest: 'https://openapi.okx.com' } },
          orders: { primary: { rest: 'https://openapi.okx.com', ws_private: 'wss://ws.okx.com:8443/ws/v5/private' } },
        },
        credentials: { file: '/etc/xmc/okx.yaml' },
        fees: { maker: '0.0008', taker: '0.001' },
      },
    },
    instruments: [
      { id: 'bn', venue: 'binance-spot', symbol: 'BTCUSDT', kind: 'spot', base: 'BTC', quote: 'USDT', tick: '0.01', lot: '0.00001', min_qty: '0.00001', min_notional: '5' },
      { id: 'okx', venue: 'okx', symbol: 'BTC-USDT', kind: 'spot', base: 'BTC', quote: 'USDT' },
    ],
    pairs: [
      {
        id: 'cross', a: 'bn', b: 'okx',
        trigger: { type: 'counter_price', open: '10', close: '-5' },
        size_per_trade: '0.01',
        position: { max: '0.05' },
      },
    ],
    risk: {
      max_order_notional: '20000',
      breakers: {
        daily_loss: { limit: '500', currency: 'USDT' },
        unhedged: { max_ms: 3000, max_exposure_seconds: { BTC: '0.05' } },
      },
    },
  };
}
