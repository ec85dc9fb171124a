// Binance rate-limit budget (pure, injected time) and exchangeInfo parsing.
import { describe, expect, it } from 'vitest';
import { BinanceRateBudget } from '../../../src/venues/binance/rate-limits.js';
import { parseBinanceExchangeInfo } from '../../../src/venues/binance/exchange-info.js';
import { BINANCE_SPOT } from '../../../src/venues/binance-spot/endpoints.js';
import { BINANCE_USDM } from '../../../src/venues/binance-usdm/endpoints.js';
import { InstrumentTable } from '../../../src/core/instrument.js';
import { sample } from './samples.js';

describe('BinanceRateBudget', () => {
  const T0 = 1_700_000_080_000; // 40 s into a minute (minutes start at ...040_000, ...100_000)
  it('counts weight and orders in aligned windows and says how long to wait', () => {
    const b = new BinanceRateBudget([{ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 10 }, { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 100 }], 1);
    for (let i = 0; i < 10; i++) {
      expect(b.canSend(1, 1, T0 + i)).toBe(true);
      b.record(1, 1, T0 + i);
    }
    expect(b.canSend(1, 1, T0 + 20)).toBe(false);
    expect(b.waitMs(1, 1, T0 + 20)).toBe(10_000 - 20); // next 10 s window
    expect(b.canSend(5, 0, T0 + 20)).toBe(true); // weight-only request still fits
    expect(b.canSend(1, 1, T0 + 10_000)).toBe(true); // new window
  });

  it('applies headroom', () => {
    const b = new BinanceRateBudget([{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 100 }], 0.5);
    b.record(50, 0, T0);
    expect(b.canSend(1, 0, T0)).toBe(false);
  });

  it('syncs from X-MBX headers (any case, arrays) and never lowers a count', () => {
    const b = new BinanceRateBudget(BINANCE_SPOT.defaultRateLimits, 1);
    b.onHeaders({ 'x-mbx-used-weight-1m': '5990', 'X-MBX-ORDER-COUNT-10S': ['3', '49'], 'x-mbx-order-count-1d': '4044', 'x-mbx-used-weight': '5990', 'content-type': 'x' }, T0);
    const u = b.usage(T0);
    expect(u).toContainEqual({ type: 'REQUEST_WEIGHT', window: '1M', count: 5990, limit: 6000 });
    expect(u).toContainEqual({ type: 'ORDERS', window: '10S', count: 49, limit: 50 });
    expect(u).toContainEqual({ type: 'ORDERS', window: '1D', count: 4044, limit: 160000 });
    expect(b.canSend(25, 0, T0)).toBe(false);
    expect(b.canSend(1, 1, T0)).toBe(true);
    b.onHeaders({ 'x-mbx-used-weight-1m': '10' }, T0 + 1);
    expect(b.usage(T0 + 1)[0]!.count).toBe(5990);
    b.onHeaders({ 'x-mbx-used-weight-1m': 'junk', 'x-mbx-order-count-7x': '1' }, T0 + 2);
    expect(b.usage(T0 + 2)[0]!.count).toBe(5990);
  });

  it('reads WS-API rateLimits arrays (spot 06 sample)', () => {
    const b = new BinanceRateBudget(BINANCE_SPOT.defaultRateLimits, 1);
    b.onRateLimits(sample('binance_spot', '06').rateLimits, T0);
    expect(b.usage(T0).map((x) => x.count)).toEqual([322, 13, 4044, 0]);
  });

  it('429/418 block until Retry-After, with documented fallbacks', () => {
    const b = new BinanceRateBudget(BINANCE_USDM.defaultRateLimits);
    b.onLimited(429, 7000, T0);
    expect(b.waitMs(1, 0, T0 + 1000)).toBe(6000);
    b.onLimited(418, undefined, T0);
    expect(b.blockedUntilMs).toBe(T0 + 120_000);
    const c = new BinanceRateBudget(BINANCE_USDM.defaultRateLimits);
    c.onLimited(429, undefined, T0);
    expect(c.blockedUntilMs).toBe(T0 + 20_000); // end of the current minute
  });

  it('withRules keeps counts of identical windows', () => {
    const b = new BinanceRateBudget(BINANCE_USDM.defaultRateLimits, 1);
    b.record(10, 1, T0);
    const c = b.withRules([{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 }]);
    expect(c.usage(T0)).toEqual([{ type: 'REQUEST_WEIGHT', window: '1M', count: 10, limit: 2400 }]);
  });
});

describe('exchangeInfo', () => {
  const spotInfo = {
    timezone: 'UTC', serverTime: 1565246363776,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
      { rateLimitType: 'BOGUS', interval: 'MINUTE', intervalNum: 1, limit: 1 },
    ],
    symbols: [
      { symbol: 'BTCUSDT', status: 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT', filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
        { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
        { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true },
      ] },
      { symbol: 'OLDUSDT', status: 'BREAK', baseAsset: 'OLD', quoteAsset: 'USDT', filters: [] },
      { symbol: 'BADUSDT', status: 'TRADING', baseAsset: 'BAD', quoteAsset: 'USDT', filters: [{ filterType: 'PRICE_FILTER', tickSize: '0.00000000' }] },
      { symbol: 'LEGACY', status: 'TRADING', baseAsset: 'L', quoteAsset: 'G', filters: [
        { filterType: 'PRICE_FILTER', tickSize: '0.001' }, { filterType: 'LOT_SIZE', minQty: '1', stepSize: '1' }, { filterType: 'MIN_NOTIONAL', minNotional: '10' },
      ] },
    ],
  };
  it('spot: tick, lot, minQty, NOTIONAL / MIN_NOTIONAL, rate limits, errors', () => {
    const r = parseBinanceExchangeInfo('binance-spot', JSON.stringify(spotInfo));
    expect(r.instruments.map((i) => i.symbol)).toEqual(['BTCUSDT', 'LEGACY']);
    expect(r.instruments[0]).toMatchObject({ tickSize: '0.01000000', lotSize: '0.00001000', minQty: '0.00001000', minNotional: '5.00000000', kind: 'spot', contractType: 'none' });
    expect(r.instruments[1]!.minNotional).toBe('10');
    expect(r.rateLimits).toHaveLength(2);
    expect(r.errors.length).toBe(2);
    expect(r.serverTimeMs).toBe(1565246363776);
    const t = new InstrumentTable(r.instruments);
    expect(t.get(0).tick.step).toBe('0.01');
    expect(t.get(0).minNotionalUnits).toBe(50_000_000);
    expect(parseBinanceExchangeInfo('binance-spot', JSON.stringify(spotInfo), { includeNonTrading: true }).errors.length).toBe(3);
  });
  it('usdm: contract types and MIN_NOTIONAL.notional', () => {
    const info = { rateLimits: [], symbols: [
      { symbol: 'BTCUSDT', pair: 'BTCUSDT', contractType: 'PERPETUAL', status: 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT', marginAsset: 'USDT', filters: [
        { filterType: 'PRICE_FILTER', tickSize: '0.10' }, { filterType: 'LOT_SIZE', stepSize: '0.001', minQty: '0.001' }, { filterType: 'MIN_NOTIONAL', notional: '100' },
      ] },
      { symbol: 'BTCUSDT_261225', contractType: 'CURRENT_QUARTER', status: 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT', filters: [
        { filterType: 'PRICE_FILTER', tickSize: '0.10' }, { filterType: 'LOT_SIZE', stepSize: '0.001', minQty: '0.001' },
      ] },
    ] };
    const r = parseBinanceExchangeInfo('binance-usdm', JSON.stringify(info));
    expect(r.instruments.map((i) => [i.symbol, i.kind, i.minNotional, i.contractType])).toEqual([['BTCUSDT', 'perpetual', '100', 'linear'], ['BTCUSDT_261225', 'future', '0', 'linear']]);
  });
  it('never throws on junk', () => {
    for (const t of ['', 'null', '[]', '{"symbols":5}', '{"symbols":[null,1,{"symbol":{}}]}', '{"rateLimits":[null]}']) {
      expect(() => parseBinanceExchangeInfo('binance-spot', t)).not.toThrow();
    }
  });
});
