// Shared fixtures for the trigger and sizing tests: instruments shaped like the simulator's
// venues (and a gold pair quoted in CNY per gram vs USD per troy ounce), books built level by
// level in ticks and lots, and pair models.
import { OrderBook } from '../../src/core/book.js';
import { InstrumentTable, type Instrument } from '../../src/core/instrument.js';
import { PairModel, type LegSpec, type PairSpec } from '../../src/core/pair.js';
import type { InstrumentSpec } from '../../src/venues/types.js';

export function instrument(over: Partial<InstrumentSpec>): Instrument {
  return new InstrumentTable([{
    venue: 'binance-spot', symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', kind: 'spot',
    tickSize: '0.01', lotSize: '0.00001', minQty: '0.00001', minNotional: '5',
    contractValue: '1', contractValueCcy: 'BTC', contractType: 'none', ...over,
  }]).get(0);
}

/** Binance-spot-like BTCUSDT: tick 0.01, lot 0.00001 BTC (1000 atoms at 8 decimals), min notional 5. */
export const BN_SPOT = (): Instrument => instrument({});
/** OKX-like BTC-USDT spot: tick 0.1, lot 0.00000001 BTC (1 atom). */
export const OKX_SPOT = (): Instrument => instrument({ venue: 'okx', symbol: 'BTC-USDT', tickSize: '0.1', lotSize: '0.00000001', minQty: '0.00001', minNotional: '0' });
/** OKX-like inverse BTC-USD-SWAP: tick 0.1, 1 contract = 100 USD. */
export const OKX_INVERSE = (): Instrument => instrument({
  venue: 'okx', symbol: 'BTC-USD-SWAP', quote: 'USD', kind: 'perpetual', tickSize: '0.1', lotSize: '1', minQty: '1', minNotional: '0',
  contractValue: '100', contractValueCcy: 'USD', contractType: 'inverse',
});

export function leg(ins: Instrument, over: Partial<LegSpec> = {}): LegSpec {
  return { instrument: ins, takerFee: '0', makerFee: '0', currency: ins.spec.quote, unitFactor: '1', ...over };
}

export function pair(a: LegSpec, b: LegSpec, over: Partial<PairSpec> = {}): PairModel {
  return new PairModel({
    id: 'p', trigger: 'spread', thresholdUnit: 'price', open: '8', close: '-8', a, b,
    baseAsset: 'BTC', baseDecimals: 8, sizePerTrade: '1', positionTarget: '0', positionMax: '10',
    openAB: true, openBA: true, ...over,
  });
}

/** A book from [price ticks, lots] levels (bids and asks, any order). */
export function book(bids: readonly (readonly [number, number])[], asks: readonly (readonly [number, number])[]): OrderBook {
  const b = new OrderBook(64);
  for (const [p, q] of bids) b.setBid(p, q);
  for (const [p, q] of asks) b.setAsk(p, q);
  return b;
}
