// Tradable: exact integer unit factors (or a construction error), inverse factors, the
// gram / troy-ounce unit factor, bps -> ticks.
import { describe, expect, it } from 'vitest';
import { bpsToTicks } from '../../src/core/exec-types.js';
import { TradableError, TradableTable, baseUnits, makeTradable, notionalUnits } from '../../src/core/tradable.js';

const base = { id: 0, venue: 0, symbol: 'X', base: 0, quote: 1, baseDecimals: 8, quoteDecimals: 8, kind: 'spot' as const, contractType: 'none' as const };

describe('makeTradable', () => {
  it('spot and linear factors are exact integers', () => {
    const s = makeTradable({ ...base, tickSize: '0.01', lotSize: '0.00001' });
    expect([s.baseUnitsPerLot, s.quoteUnitsPerTickLot, s.tickValue]).toEqual([1_000, 10, 0.01]); // 0.01 x 0.00001 x 1e8 = 10
    const p = makeTradable({ ...base, kind: 'derivative', contractType: 'linear', tickSize: '0.1', lotSize: '0.01', contractValue: '0.01' });
    expect([p.baseUnitsPerLot, p.quoteUnitsPerTickLot, p.settle]).toEqual([10_000, 1_000, 1]);
    expect(notionalUnits(p, 3, 650_000)).toBe(3 * 650_000 * 1_000);
    expect(baseUnits(p, 3, 650_000)).toBe(30_000);
  });

  it('gold per troy ounce measured in grams: the unit factor keeps it exact at enough decimals', () => {
    // 1 lot = 1 oz = 31.1034768 g; grams with 7 decimals
    const oz = makeTradable({ ...base, baseDecimals: 7, quoteDecimals: 2, tickSize: '0.1', lotSize: '1', unitFactor: '31.1034768' });
    expect(oz.baseUnitsPerLot).toBe(311_034_768);
    expect(() => makeTradable({ ...base, baseDecimals: 3, tickSize: '0.1', lotSize: '1', unitFactor: '31.1034768' })).toThrow(TradableError);
  });

  it('inverse contracts: notional per lot is fixed, base depends on the price', () => {
    const inv = makeTradable({ ...base, kind: 'derivative', contractType: 'inverse', tickSize: '0.5', lotSize: '1', contractValue: '10' });
    expect([inv.baseUnitsPerLot, inv.quoteUnitsPerTickLot, inv.contractQuoteUnits, inv.settle]).toEqual([0, 0, 1_000_000_000, 0]);
    // 10 USD at 50_000 (100_000 ticks of 0.5) = 0.0002 BTC
    expect(baseUnits(inv, 1, 100_000)).toBe(20_000);
    expect(notionalUnits(inv, 3, 100_000)).toBe(3_000_000_000);
  });

  it('a table needs dense ids', () => {
    const t = new TradableTable([makeTradable({ ...base, tickSize: '1', lotSize: '1' })]);
    expect(() => t.add(makeTradable({ ...base, id: 5, tickSize: '1', lotSize: '1' }))).toThrow(/index/);
    expect(t.find(9)).toBeUndefined();
  });

  it('bpsToTicks floors (a band never widens by rounding)', () => {
    expect(bpsToTicks(6_400_010, 0.0313)).toBe(20);
    expect(bpsToTicks(1_000_000, 10)).toBe(1_000);
    expect(bpsToTicks(999_999, 10)).toBe(999);
    expect(bpsToTicks(100, 1)).toBe(0);
  });
});
