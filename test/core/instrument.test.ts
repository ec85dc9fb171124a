// InstrumentTable: exact filters in ticks and lots, allocation-free case-insensitive lookups.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InstrumentTable } from '../../src/core/instrument.js';
import type { InstrumentSpec } from '../../src/venues/types.js';

function spec(over: Partial<InstrumentSpec>): InstrumentSpec {
  return {
    venue: 'binance-spot', symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', kind: 'spot',
    tickSize: '0.01', lotSize: '0.00001', minQty: '0.00001', minNotional: '5',
    contractValue: '1', contractValueCcy: 'BTC', contractType: 'none', ...over,
  };
}

describe('Instrument', () => {
  it('computes minimum quantity and notional in integer units exactly', () => {
    const t = new InstrumentTable([spec({})]);
    const btc = t.get(0);
    expect(btc.tick.step).toBe('0.01');
    expect(btc.lot.step).toBe('0.00001');
    expect(btc.minQtyLots).toBe(1);
    // 5 USDT / (0.01 * 0.00001) = 50_000_000 tick-lots
    expect(btc.minNotionalUnits).toBe(50_000_000);
    const px = btc.tick.toUnits('50000.00');
    expect(btc.meetsMinNotional(px, btc.lot.toUnits('0.0001'))).toBe(true); // 5.00 exactly
    expect(btc.meetsMinNotional(px, btc.lot.toUnits('0.00009'))).toBe(false); // 4.50
    expect(btc.meetsMinQty(0)).toBe(false);
    expect(btc.notional(px, 10)).toBeCloseTo(5, 10);
    expect(btc.price(px)).toBe(50000);
  });

  it('rounds a minQty that is off the lot grid up', () => {
    const i = new InstrumentTable([spec({ lotSize: '0.001', minQty: '0.0015' })]).get(0);
    expect(i.minQtyLots).toBe(2);
  });

  it('handles contract value and inverse contracts', () => {
    const t = new InstrumentTable([
      spec({ venue: 'okx', symbol: 'BTC-USDT-SWAP', kind: 'perpetual', tickSize: '0.1', lotSize: '0.01', minQty: '0.01', minNotional: '0', contractValue: '0.01', contractType: 'linear' }),
      spec({ venue: 'okx', symbol: 'BTC-USD-SWAP', kind: 'perpetual', tickSize: '0.1', lotSize: '1', minQty: '1', minNotional: '200', contractValue: '100', contractValueCcy: 'USD', contractType: 'inverse' }),
    ]);
    const lin = t.get(0);
    expect(lin.minNotionalUnits).toBe(0);
    expect(lin.notional(lin.tick.toUnits('60000'), 100)).toBeCloseTo(600, 8); // 1 contract * 0.01 BTC
    const inv = t.get(1);
    expect(inv.isInverse).toBe(true);
    expect(inv.minNotionalUnits).toBe(2); // 2 contracts of 100 USD
    expect(inv.meetsMinNotional(1, 2)).toBe(true);
    expect(inv.meetsMinNotional(999999, 1)).toBe(false);
  });
});

describe('InstrumentTable lookup', () => {
  const t = new InstrumentTable([spec({}), spec({ symbol: 'ETHUSDT' }), spec({ symbol: 'BNBBTC' })]);
  const enc = new TextEncoder();
  it('finds symbols case-insensitively by string, sub-range and bytes', () => {
    expect(t.indexOf('ETHUSDT')).toBe(1);
    expect(t.indexOf('ethusdt')).toBe(1);
    expect(t.indexOf('XRPUSDT')).toBe(-1);
    expect(t.indexOf('')).toBe(-1);
    const s = 'bnbbtc@depth@100ms';
    expect(t.indexOfRange(s, 0, s.indexOf('@'))).toBe(2);
    const b = enc.encode('{"s":"BTCUSDT"}');
    expect(t.indexOfBytes(b, 6, 13)).toBe(0);
    expect(t.indexOfBytes(b, 6, 12)).toBe(-1);
    expect(t.find('btcusdt')?.symbol).toBe('BTCUSDT');
  });

  it('keeps indexes stable when a spec is replaced, and grows', () => {
    const big = new InstrumentTable();
    const names: string[] = [];
    for (let i = 0; i < 500; i++) {
      names.push(`S${i}USDT`);
      big.add(spec({ symbol: `S${i}USDT` }));
    }
    big.add(spec({ symbol: 'S7USDT', tickSize: '0.1' }));
    expect(big.size).toBe(500);
    expect(big.get(7).tick.step).toBe('0.1');
    fc.assert(fc.property(fc.integer({ min: 0, max: 499 }), (i) => big.indexOf(names[i]!) === i));
    expect(() => big.add(spec({ symbol: 'BAD SYMBOL' }))).toThrow();
  });
});
