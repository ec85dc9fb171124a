// Sizing (depth walk against the threshold, caps, venue minimums) and quantity alignment (lot
// steps, linear and inverse contracts, units, residual carry). Expected values are computed by
// hand in the comments; property tests check the alignment bounds and the walk's optimality.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DIR_AB, DIR_BA, type Direction } from '../../src/core/pair.js';
import { Alignment, alignLegs, hedgeLots, Sizer, SizingLimit, SizingReason } from '../../src/core/sizing.js';
import { TriggerAction, TriggerEvaluator } from '../../src/core/triggers.js';
import { BN_SPOT, OKX_INVERSE, OKX_SPOT, book, instrument, leg, pair } from './pair-fixtures.js';

const BTC = 100_000_000;

describe('sizing: walking both books against the threshold', () => {
  // A = Binance spot (lot 0.00001 = 1000 atoms), B = OKX spot (lot 1e-8 = 1 atom); open 8 USDT.
  // A asks: 64000.00 x 0.01, 64004.00 x 0.01, 64012.00 x 0.05
  const A = book([[6_399_000, 100_000]], [[6_400_000, 1000], [6_400_400, 1000], [6_401_200, 5000]]);
  // B bids: 64015.0 x 0.005, 64010.0 x 0.02, 64000.0 x 1
  const B = book([[640_150, 500_000], [640_100, 2_000_000], [640_000, 100_000_000]], [[640_200, 100_000_000]]);
  const model = (over = {}) => pair(leg(BN_SPOT()), leg(OKX_SPOT()), { open: '8', close: '-8', sizePerTrade: '0.05', positionMax: '1', ...over });

  it('vwap mode: the largest quantity whose VWAP edge still clears 8 USDT (0.0225 BTC)', () => {
    const m = model();
    const trig = new TriggerEvaluator().evaluate(m, A, B, 0, 0, null);
    expect(trig.action).toBe(TriggerAction.OPEN);
    expect(trig.direction).toBe(DIR_AB);
    const r = new Sizer().size(m, trig, A, B);
    // segments (atoms, surplus per atom in 0.01 steps over the 800 threshold):
    //  0.005 @ 64000.00 / 64015.0: +700;  0.005 @ 64000.00 / 64010.0: +200;
    //  0.010 @ 64004.00 / 64010.0: -200 (sum still 2.5e8 >= 0);
    //  64012.00 / 64010.0: -1000 per atom -> floor(2.5e8 / 1000) = 250000 atoms more
    expect(r.ok).toBe(true);
    expect(r.walkedAtoms).toBe(2_250_000);
    expect(r.limitedBy).toBe(SizingLimit.THRESHOLD);
    expect(r.levelsBuy).toBe(3);
    expect(r.levelsSell).toBe(2);
    expect(r.lotsA).toBe(2250); // 0.0225 BTC
    expect(r.lotsB).toBe(2_250_000);
    expect(r.residualAtoms).toBe(0);
    expect(r.limitTicksA).toBe(6_401_200);
    expect(r.limitTicksB).toBe(640_100);
    // VWAPs: buy (640000 + 640040 + 160030) / 0.0225 = 64003.1111; sell 1440.25 / 0.0225 = 64011.1111
    expect(r.vwapTicksA).toBeCloseTo(6_400_311.1111, 3);
    expect(r.vwapTicksB).toBeCloseTo(640_111.1111, 3);
    // the whole trade's edge is exactly the threshold: 8.00 USDT
    expect(r.expectedEdge).toBeCloseTo(800, 6);
    expect(r.toRecord()).toMatchObject({ reason: 'OK', limitedBy: 'THRESHOLD', lotsA: 2250 });
  });

  it('marginal mode: stops at the first level pair below the threshold (0.01 BTC)', () => {
    const m = model({ sizingEdge: 'marginal' });
    const trig = new TriggerEvaluator().evaluate(m, A, B, 0, 0, null);
    const r = new Sizer().size(m, trig, A, B);
    expect(r.walkedAtoms).toBe(1_000_000);
    expect(r.lotsA).toBe(1000);
    expect(r.limitTicksA).toBe(6_400_000);
    // sell VWAP (64015 + 64010) / 2 = 64012.50: edge 12.50 USDT
    expect(r.expectedEdge).toBe(1250);
  });

  it('caps: size per trade, room under the position maximum, distance to the target, external', () => {
    const sz = new Sizer();
    const ev = new TriggerEvaluator();
    let m = model({ sizePerTrade: '0.015' });
    let r = sz.size(m, ev.evaluate(m, A, B, 0, 0, null), A, B);
    expect([r.walkedAtoms, r.limitedBy, r.lotsA]).toEqual([1_500_000, SizingLimit.SIZE_PER_TRADE, 1500]);
    m = model({ positionMax: '0.05' });
    r = sz.size(m, ev.evaluate(m, A, B, 0.046 * BTC, 0, null), A, B);
    expect([r.walkedAtoms, r.limitedBy, r.lotsA]).toEqual([400_000, SizingLimit.POSITION, 400]);
    m = model();
    r = sz.size(m, ev.evaluate(m, A, B, 0, 0, null), A, B, 0, 123_456);
    expect([r.walkedAtoms, r.limitedBy, r.lotsA, r.lotsB]).toEqual([123_456, SizingLimit.EXTERNAL, 123, 123_000]);
    // closing BA (sell A, buy B) from a 0.003 BTC long: never beyond the target
    r = sz.sizeDirection(m, DIR_BA, TriggerAction.CLOSE, -100_000, 0.003 * BTC, 1, 10, A, B);
    expect([r.walkedAtoms, r.limitedBy, r.lotsA, r.lotsB]).toEqual([300_000, SizingLimit.POSITION, 300, 300_000]);
    // nothing left under the maximum
    r = sz.sizeDirection(m, DIR_AB, TriggerAction.OPEN, 800, 1 * BTC, 1, 10, A, B);
    expect(r.ok).toBe(false);
    expect(r.reason).toBe(SizingReason.CAPPED);
  });

  it('refuses what a venue would reject: minimum notional, and reports missing edge or depth', () => {
    const sz = new Sizer();
    // A asks: 0.00005 @ 64000.00 then 64100.00: after 5376 atoms the VWAP edge falls below 8;
    // 5 lots x 64000.00 = 3.20 USDT < the 5 USDT minimum notional
    const thinA = book([[6_399_000, 1000]], [[6_400_000, 5], [6_410_000, 100_000]]);
    const m = model();
    let r = sz.size(m, new TriggerEvaluator().evaluate(m, thinA, B, 0, 0, null), thinA, B);
    expect(r.walkedAtoms).toBe(5376);
    expect(r.lotsA).toBe(5);
    expect(r.ok).toBe(false);
    expect(r.reason).toBe(SizingReason.BELOW_MIN_NOTIONAL);
    r = sz.sizeDirection(m, DIR_AB, TriggerAction.OPEN, 2000, 0, 1, 10, A, B);
    expect(r.reason).toBe(SizingReason.NO_EDGE_AT_DEPTH);
    r = sz.sizeDirection(m, DIR_AB, TriggerAction.OPEN, 800, 0, 1, 10, book([], []), B);
    expect(r.reason).toBe(SizingReason.INSUFFICIENT_DEPTH);
    // no signal, no size
    const quiet = model({ open: '100', close: '0' });
    r = sz.size(quiet, new TriggerEvaluator().evaluate(quiet, A, B, 0, 0, null), A, B);
    expect(r.reason).toBe(SizingReason.NO_SIGNAL);
  });

  it('below one lot of the coarser leg is not a trade', () => {
    const coarse = pair(leg(instrument({ lotSize: '0.001', minQty: '0.001', minNotional: '0' })), leg(OKX_SPOT()), { open: '8', close: '-8', sizePerTrade: '0.0005', positionMax: '1' });
    const r = new Sizer().size(coarse, new TriggerEvaluator().evaluate(coarse, A2(), B, 0, 0, null), A2(), B);
    expect(r.walkedAtoms).toBe(50_000);
    expect(r.reason).toBe(SizingReason.BELOW_ONE_LOT);
  });
});

/** Book for the 0.001-lot instrument: ask 64000.00 x 0.1 BTC. */
function A2() {
  return book([[6_399_000, 100]], [[6_400_000, 100]]);
}

describe('sizing with an inverse leg', () => {
  // A = spot BTC (lot 1e-8), B = inverse BTC-USD-SWAP (1 contract = 100 USD, tick 0.1); both in USD.
  const model = pair(leg(OKX_SPOT(), { currency: 'USD' }), leg(OKX_INVERSE()), { open: '20', close: '-20', sizePerTrade: '0.05', positionMax: '1' });
  // A asks: 64000.0 x 0.02 BTC; B bids: 64050.0 x 3 contracts, 64040.0 x 10
  const A = book([[639_900, 100_000_000]], [[640_000, 2_000_000]]);
  const B = book([[640_500, 3], [640_400, 10]], [[640_600, 100]]);

  it('walks contracts in base terms and aligns at the walked price (hand-computed)', () => {
    expect(model.b.invNum).toBe(100_000_000_000); // 1 x 100 USD x 1e8 atoms / 0.1 tick
    expect(model.b.invDen).toBe(1);
    const trig = new TriggerEvaluator().evaluate(model, A, B, 0, 0, null);
    expect(trig.edgeAB).toBe(500); // 64050.0 - 64000.0 = 50.0 USD in 0.1 steps
    const r = new Sizer().size(model, trig, A, B);
    // capacity of B's levels: floor(3e11 / 640500) = 468384 atoms, floor(1e12 / 640400) = 1561524;
    // A's single level (2e6 atoms) runs out first: 2,000,000 atoms walked
    expect(r.walkedAtoms).toBe(2_000_000);
    expect(r.limitedBy).toBe(SizingLimit.DEPTH);
    // B's walked VWAP = (640500 x 468384 + 640400 x 1531616) / 2e6 = 640423.4192 -> 640423;
    // B is the coarser leg: floor(2e6 x 640423 / 1e11) = 12 contracts = 12e11 / 640423 = 1873761.56 -> 1873762 atoms
    expect(r.lotsB).toBe(12);
    expect(r.legs.atomsB).toBe(1_873_762);
    expect(r.legs.fixedLeg).toBe(1);
    expect(r.lotsA).toBe(1_873_762);
    expect(r.residualAtoms).toBe(0);
    expect(r.limitTicksB).toBe(640_400); // 3 @ 64050.0 + 9 @ 64040.0
    expect(r.limitTicksA).toBe(640_000);
    // a carried residual of +500 atoms (net long) makes the bought spot leg 500 atoms smaller
    const r2 = new Sizer().size(model, trig, A, B, 500);
    expect(r2.lotsA).toBe(1_873_262);
    expect(r2.residualAtoms).toBe(0);
  });
});

describe('alignment across lot steps, contract types and units', () => {
  it('different lot steps: the residual is reported and carried to the next trade', () => {
    // A lot 0.002 BTC (200000 atoms, coarse), B lot 0.0003 BTC (30000 atoms)
    const m = pair(leg(instrument({ lotSize: '0.002', minQty: '0.002', minNotional: '0' })), leg(instrument({ venue: 'okx', symbol: 'X', tickSize: '0.01', lotSize: '0.0003', minQty: '0.0003', minNotional: '0' })));
    const out = new Alignment();
    // 0.01 BTC: A 5 lots = 1,000,000; B round(1e6 / 30000 = 33.33) = 33 lots = 990,000; residual +10,000
    alignLegs(m, DIR_AB, 1_000_000, 0, NaN, NaN, out);
    expect([out.ok, out.lotsA, out.lotsB, out.atomsA, out.atomsB, out.residualAtoms]).toEqual([true, 5, 33, 1_000_000, 990_000, 10_000]);
    // next trade carries +10,000: B sells 1,010,000 -> round(33.67) = 34 lots = 1,020,000; residual -10,000
    alignLegs(m, DIR_AB, 1_000_000, out.residualAtoms, NaN, NaN, out);
    expect([out.lotsA, out.lotsB, out.residualAtoms, out.carryInAtoms]).toEqual([5, 34, -10_000, 10_000]);
    // and back: 990,000 -> 33 lots; residual 0
    alignLegs(m, DIR_AB, 1_000_000, out.residualAtoms, NaN, NaN, out);
    expect([out.lotsB, out.residualAtoms]).toEqual([33, 0]);
    // the other direction (sell A, buy B) with a +10,000 carry buys 10,000 less on B: 33 lots, residual 0
    alignLegs(m, DIR_BA, 1_000_000, 10_000, NaN, NaN, out);
    expect([out.lotsA, out.lotsB, out.residualAtoms]).toEqual([5, 33, 0]);
    // less than one coarse lot
    alignLegs(m, DIR_AB, 199_999, 0, NaN, NaN, out);
    expect([out.ok, out.reason]).toEqual([false, SizingReason.BELOW_ONE_LOT]);
  });

  it('linear spot vs inverse contracts at a reference price (hand-computed)', () => {
    const m = pair(leg(BN_SPOT(), { currency: 'USD' }), leg(OKX_INVERSE()));
    const out = new Alignment();
    // at 64000.0: one 100 USD contract = 1e11 / 640000 = 156250 atoms (0.0015625 BTC) exactly
    alignLegs(m, DIR_AB, 1_000_000, 0, 6_400_000, 640_000, out);
    // B coarse: floor(6.4) = 6 contracts = 937,500 atoms; A: round(937.5) = 938 lots = 938,000; residual +500
    expect([out.fixedLeg, out.lotsB, out.atomsB, out.lotsA, out.atomsA, out.residualAtoms]).toEqual([1, 6, 937_500, 938, 938_000, 500]);
    // at 64001.3: 6 contracts = 6e11 / 640013 = 937480.957 -> 937,481 atoms; A round(937.481) = 937 lots; residual -481
    alignLegs(m, DIR_AB, 1_000_000, 0, 6_400_130, 640_013, out);
    expect([out.lotsB, out.atomsB, out.lotsA, out.residualAtoms]).toEqual([6, 937_481, 937, -481]);
  });

  it('hedging a fill of either leg (leader-follower)', () => {
    const m = pair(leg(BN_SPOT(), { currency: 'USD' }), leg(OKX_INVERSE()));
    const out = new Alignment();
    // 6 contracts sold at 64001.3 -> 937,481 atoms -> buy 937 spot lots
    hedgeLots(m, DIR_AB, 1, 6, 640_013, NaN, 0, out);
    expect([out.lotsA, out.lotsB, out.residualAtoms]).toEqual([937, 6, -481]);
    // 937 spot lots bought -> sell round(937,000 x 640013 / 1e11 = 5.997) = 6 contracts at 64001.3
    hedgeLots(m, DIR_AB, 0, 937, NaN, 640_013, 0, out);
    expect([out.lotsA, out.lotsB, out.atomsB, out.residualAtoms]).toEqual([937, 6, 937_481, -481]);
    hedgeLots(m, DIR_AB, 0, 0, NaN, 640_013, 0, out);
    expect(out.ok).toBe(false);
  });

  it('gold: 1000 g contracts vs 0.001 troy-ounce lots (31.1034768 g/oz)', () => {
    const au = instrument({ venue: 'okx', symbol: 'AU-CNY', base: 'XAU', quote: 'CNY', kind: 'future', tickSize: '0.02', lotSize: '1', minQty: '1', minNotional: '0', contractValue: '1000', contractValueCcy: 'XAU', contractType: 'linear' });
    const xau = instrument({ venue: 'binance-spot', symbol: 'XAUUSD', base: 'XAU', quote: 'USD', tickSize: '0.1', lotSize: '0.001', minQty: '0.001', minNotional: '0' });
    const m = pair(leg(au), leg(xau, { unitFactor: '31.1034768' }), { trigger: 'ratio', thresholdUnit: 'bps', open: '15', close: '5', baseAsset: 'XAU', baseDecimals: 10, sizePerTrade: '1000', positionMax: '100000' });
    const out = new Alignment();
    // one contract = 1000 g = 1e13 atoms; B: round(1e13 / 311034768 = 32150.75) = 32151 lots
    // = 10000078825968 atoms (1000.0078825968 g); residual -78825968 atoms = -0.0078825968 g
    alignLegs(m, DIR_AB, 1e13, 0, 30_300, 26_500, out);
    expect([out.lotsA, out.lotsB, out.atomsB, out.residualAtoms]).toEqual([1, 32_151, 10_000_078_825_968, -78_825_968]);
  });

  it('refuses a lot that is not a whole number of base atoms (rather than rounding)', () => {
    expect(() => pair(leg(instrument({ lotSize: '0.000000001', minQty: '0', minNotional: '0' })), leg(OKX_SPOT()))).toThrow(/more decimals/);
  });
});

describe('alignment properties', () => {
  /** A linear spot instrument with lot m x 10^-d (d <= 8, so lots are whole atoms at 8 decimals). */
  const linear = (m: number, d: number) => instrument({ venue: 'okx', symbol: `L${m}E${d}`, tickSize: '0.1', lotSize: (m / 10 ** d).toFixed(d), minQty: '0', minNotional: '0' });
  const lot = fc.tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 0, max: 8 }));
  const dir = fc.constantFrom<Direction>(DIR_AB, DIR_BA);

  it('with no carry, aligned legs never differ by more than one lot of the coarser leg (half a fine lot)', () => {
    fc.assert(fc.property(lot, lot, fc.integer({ min: 0, max: 1e11 }), dir, ([ma, da], [mb, db], target, d) => {
      const m = pair(leg(linear(ma, da)), leg(linear(mb, db)));
      const out = alignLegs(m, d, target, 0, NaN, NaN, new Alignment());
      const coarse = Math.max(m.a.perLotAtoms, m.b.perLotAtoms);
      const fine = Math.min(m.a.perLotAtoms, m.b.perLotAtoms);
      if (!out.ok) return target < coarse || out.lotsA === 0 || out.lotsB === 0;
      return Number.isInteger(out.lotsA) && Number.isInteger(out.lotsB)
        && out.atomsA === out.lotsA * m.a.perLotAtoms && out.atomsB === out.lotsB * m.b.perLotAtoms
        && Math.abs(out.atomsA - out.atomsB) <= coarse
        && 2 * Math.abs(out.atomsA - out.atomsB) <= fine
        && Math.max(out.atomsA, out.atomsB) <= target + fine;
    }), { numRuns: 500 });
  });

  it('carrying the residual keeps the cumulative imbalance within half a fine lot over any sequence of trades', () => {
    fc.assert(fc.property(lot, lot, fc.array(fc.tuple(fc.integer({ min: 1, max: 1e10 }), dir), { minLength: 1, maxLength: 40 }), ([ma, da], [mb, db], trades) => {
      const m = pair(leg(linear(ma, da)), leg(linear(mb, db)));
      const fine = Math.min(m.a.perLotAtoms, m.b.perLotAtoms);
      const out = new Alignment();
      let carry = 0;
      let netA = 0; // signed base of leg A positions
      let netB = 0;
      for (const [target, d] of trades) {
        alignLegs(m, d, target, carry, NaN, NaN, out);
        if (!out.ok) continue;
        const s = d === DIR_AB ? 1 : -1;
        netA += s * out.atomsA;
        netB -= s * out.atomsB;
        carry = out.residualAtoms;
        if (carry !== netA + netB) return false; // the residual is the true imbalance
        if (2 * Math.abs(carry) > fine) return false;
      }
      return true;
    }), { numRuns: 300 });
  });

  it('inverse legs: aligned legs differ by at most one coarse lot in base terms', () => {
    const m = pair(leg(BN_SPOT(), { currency: 'USD' }), leg(OKX_INVERSE()));
    fc.assert(fc.property(fc.integer({ min: 100_000, max: 2_000_000 }), fc.integer({ min: 0, max: 5e9 }), dir, (ticks, target, d) => {
      const out = alignLegs(m, d, target, 0, ticks * 10, ticks, new Alignment());
      if (!out.ok) return true;
      const perInv = m.b.baseAtoms(1, ticks);
      const coarse = Math.max(perInv, m.a.perLotAtoms);
      // + 1 atom for the half-up rounding of the inverse conversion
      return Math.abs(out.atomsA - out.atomsB) <= coarse + 1 && Math.abs(out.atomsB - m.b.baseAtoms(out.lotsB, ticks)) === 0;
    }), { numRuns: 500 });
  });
});

describe('sizing walk property: the walked quantity is the largest that clears the threshold', () => {
  // brute force over the books in atoms: money(q) of the first q atoms of a side
  function money(levels: readonly (readonly [number, number])[], perLot: number, mul: number, q: number): number {
    let left = q;
    let sum = 0;
    for (const [px, lots] of levels) {
      const cap = lots * perLot;
      const x = Math.min(cap, left);
      sum += px * mul * x;
      left -= x;
      if (left === 0) break;
    }
    return left > 0 ? NaN : sum;
  }
  const levelsArb = (lo: number, hi: number) => fc.uniqueArray(fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 6, selector: (x) => x[0] });

  it('vwap mode (spread, exact integers)', () => {
    fc.assert(fc.property(levelsArb(64_000_00, 64_030_00), levelsArb(6_400_000, 6_403_000), fc.integer({ min: 0, max: 3000 }), (asks, bidsRaw, thr) => {
      // A = Binance-like spot (lot 1000 atoms, tick 0.01), B = the same lot, tick 0.001 -> common 0.001
      const a = leg(instrument({ minNotional: '0', minQty: '0' }));
      const b = leg(instrument({ venue: 'okx', symbol: 'B', tickSize: '0.001', minNotional: '0', minQty: '0' }));
      const m = pair(a, b, { open: String(thr / 1000), close: '-100', sizePerTrade: '1', positionMax: '10' });
      const asksA = [...asks].sort((x, y) => x[0] - y[0]).map(([p, q]) => [Math.round(p / 10), q] as const);
      const uniqAsks = asksA.filter((x, i) => i === 0 || x[0] !== asksA[i - 1]![0]);
      const bidsB = [...bidsRaw].sort((x, y) => y[0] - x[0]);
      const A = book([[1, 1]], uniqAsks);
      const B = book(bidsB, [[7_000_000, 1]]);
      const r = new Sizer().sizeDirection(m, DIR_AB, TriggerAction.OPEN, m.openThreshold, 0, m.a.commonPerTick, m.b.commonPerTick, A, B);
      const surplus = (q: number) => money(bidsB, 1000, m.b.commonPerTick, q) - money(uniqAsks, 1000, m.a.commonPerTick, q) - m.openThreshold * q;
      const q = r.walkedAtoms;
      if (q === 0) return r.reason === SizingReason.NO_EDGE_AT_DEPTH && !(surplus(1) >= 0);
      if (!(surplus(q) >= 0)) return false;
      if (r.limitedBy === SizingLimit.THRESHOLD) return !(surplus(q + 1) >= 0);
      if (r.limitedBy === SizingLimit.DEPTH) return Number.isNaN(surplus(q + 1));
      return r.limitedBy === SizingLimit.SIZE_PER_TRADE && q === m.sizePerTradeAtoms;
    }), { numRuns: 400 });
  });
});
