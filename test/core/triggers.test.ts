// Triggers: spread (exact integer edges), counter_price (depth VWAP net of fees) and ratio (FX and
// unit conversion, FX freshness), in both directions, with open/close hysteresis and position
// limits. Expected values are computed by hand in the comments.
import { describe, expect, it } from 'vitest';
import { DIR_AB, DIR_BA } from '../../src/core/pair.js';
import { FxRate, TriggerAction, TriggerEvaluator, TriggerReason, bookMid, setFxFromBook } from '../../src/core/triggers.js';
import { BN_SPOT, OKX_SPOT, book, instrument, leg, pair } from './pair-fixtures.js';

const BTC = 100_000_000; // atoms per BTC (8 decimals)

describe('spread trigger', () => {
  // A = Binance spot (tick 0.01), B = OKX spot (tick 0.1): common step 0.01, 1 B tick = 10 steps.
  const model = pair(leg(BN_SPOT()), leg(OKX_SPOT()), { open: '8', close: '2' });
  // A: bid 64000.00 x 0.5 BTC, ask 64000.50 x 0.3 BTC; B: bid 64010.0 x 0.2, ask 64010.5 x 0.2
  const A = book([[6_400_000, 50_000]], [[6_400_050, 30_000]]);
  const B = book([[640_100, 20_000_000]], [[640_105, 20_000_000]]);

  it('B bid - A ask: opens buy A / sell B, exact in common price steps, and carries its inputs', () => {
    const ev = new TriggerEvaluator();
    const r = ev.evaluate(model, A, B, 0, 1000, null);
    expect(model.commonStep).toBe('0.01');
    expect(model.openThreshold).toBe(800);
    // 64010.00 - 64000.50 = 9.50 USDT = 950 steps; reverse: 64000.00 - 64010.50 = -10.50
    expect(r.edgeAB).toBe(950);
    expect(r.edgeBA).toBe(-1050);
    expect(r.action).toBe(TriggerAction.OPEN);
    expect(r.direction).toBe(DIR_AB);
    expect(r.reason).toBe(TriggerReason.SIGNAL);
    expect(r.display(r.edge)).toBeCloseTo(9.5, 12);
    expect(r.display(r.threshold)).toBeCloseTo(8, 12);
    expect([r.aBidTicks, r.aBidLots, r.aAskTicks, r.aAskLots]).toEqual([6_400_000, 50_000, 6_400_050, 30_000]);
    expect([r.bBidTicks, r.bBidLots, r.bAskTicks, r.bAskLots]).toEqual([640_100, 20_000_000, 640_105, 20_000_000]);
    expect(r.toRecord()).toMatchObject({ action: 'OPEN', reason: 'SIGNAL', reasonAB: 'SIGNAL', reasonBA: 'BELOW_THRESHOLD', open: 8 });
    // the result object is reused, not reallocated
    expect(ev.evaluate(model, A, B, 0, 1001, null)).toBe(r);
  });

  it('A bid - B ask: opens buy B / sell A in the other direction', () => {
    // A: bid 64020.00, ask 64020.50; B: bid 64009.0, ask 64009.5 -> A bid - B ask = 10.50
    const A2 = book([[6_402_000, 50_000]], [[6_402_050, 30_000]]);
    const B2 = book([[640_090, 1_000_000]], [[640_095, 1_000_000]]);
    const r = new TriggerEvaluator().evaluate(model, A2, B2, 0, 0, null);
    expect(r.edgeBA).toBe(1050);
    expect(r.edgeAB).toBe(640_090 * 10 - 6_402_050); // -1150
    expect(r.direction).toBe(DIR_BA);
    expect(r.action).toBe(TriggerAction.OPEN);
  });

  it('compares exactly at the threshold: >= open fires, a threshold between steps rounds up', () => {
    const ev = new TriggerEvaluator();
    expect(ev.evaluate(pair(leg(BN_SPOT()), leg(OKX_SPOT()), { open: '9.5', close: '0' }), A, B, 0, 0, null).action).toBe(TriggerAction.OPEN);
    expect(ev.evaluate(pair(leg(BN_SPOT()), leg(OKX_SPOT()), { open: '9.51', close: '0' }), A, B, 0, 0, null).action).toBe(TriggerAction.NONE);
    const odd = pair(leg(BN_SPOT()), leg(OKX_SPOT()), { open: '9.495', close: '1.005' });
    expect(odd.openThreshold).toBe(950); // ceil(949.5)
    expect(odd.closeThreshold).toBe(100); // floor(100.5)
    expect(ev.evaluate(odd, A, B, 0, 0, null).action).toBe(TriggerAction.OPEN);
  });

  it('position maximum and disabled directions block opening, with the reason', () => {
    const ev = new TriggerEvaluator();
    const capped = pair(leg(BN_SPOT()), leg(OKX_SPOT()), { open: '8', close: '2', positionMax: '0.05' });
    let r = ev.evaluate(capped, A, B, 0.05 * BTC, 0, null);
    expect(r.action).toBe(TriggerAction.NONE);
    expect(r.reasonAB).toBe(TriggerReason.POSITION_LIMIT);
    expect(r.reason).toBe(TriggerReason.POSITION_LIMIT);
    r = ev.evaluate(capped, A, B, 0.04 * BTC, 0, null);
    expect(r.action).toBe(TriggerAction.OPEN);
    const oneWay = pair(leg(BN_SPOT()), leg(OKX_SPOT()), { open: '8', close: '2', openAB: false });
    r = ev.evaluate(oneWay, A, B, 0, 0, null);
    expect(r.action).toBe(TriggerAction.NONE);
    expect(r.reason).toBe(TriggerReason.DIRECTION_DISABLED);
  });

  it('basis hysteresis: opens when wide, closes toward the target only when converged', () => {
    // spot A vs perp B, open when perp bid - spot ask >= 30, close when perp ask - spot bid <= 5
    const basis = pair(leg(BN_SPOT()), leg(OKX_SPOT()), { open: '30', close: '5', openBA: false });
    const ev = new TriggerEvaluator();
    // wide: A 64000.00/64000.10, B 64035.0/64035.1 -> edgeAB = 34.90
    const Aw = book([[6_400_000, 50_000]], [[6_400_010, 50_000]]);
    const Bw = book([[640_350, 5_000_000]], [[640_351, 5_000_000]]);
    let r = ev.evaluate(basis, Aw, Bw, 0, 0, null);
    expect(r.action).toBe(TriggerAction.OPEN);
    expect(r.direction).toBe(DIR_AB);
    expect(r.edge).toBe(3490);
    // converging but not converged: B 64010.0/64010.1 -> perp ask - spot bid = 10.10 > 5: hold
    const Bm = book([[640_100, 5_000_000]], [[640_101, 5_000_000]]);
    r = ev.evaluate(basis, Aw, Bm, 0.01 * BTC, 0, null);
    expect(r.action).toBe(TriggerAction.NONE);
    expect(r.actionBA).toBe(TriggerAction.CLOSE);
    expect(r.thresholdBA).toBe(-500);
    expect(r.edgeBA).toBe(-1010);
    // converged: B 64004.0/64004.1 -> perp ask - spot bid = 4.10 <= 5: close (buy B, sell A)
    const Bc = book([[640_040, 5_000_000]], [[640_041, 5_000_000]]);
    r = ev.evaluate(basis, Aw, Bc, 0.01 * BTC, 0, null);
    expect(r.action).toBe(TriggerAction.CLOSE);
    expect(r.direction).toBe(DIR_BA);
    expect(r.edge).toBe(-410);
    // the same converged books with no position: nothing to close, and BA may not open
    r = ev.evaluate(basis, Aw, Bc, 0, 0, null);
    expect(r.action).toBe(TriggerAction.NONE);
    expect(r.reasonBA).toBe(TriggerReason.BELOW_THRESHOLD);
  });

  it('no signal on an empty side or a crossed local book', () => {
    const ev = new TriggerEvaluator();
    expect(ev.evaluate(model, book([], [[6_400_050, 1]]), B, 0, 0, null).reason).toBe(TriggerReason.NO_BOOK);
    expect(ev.evaluate(model, book([[6_400_060, 1]], [[6_400_050, 1]]), B, 0, 0, null).reason).toBe(TriggerReason.CROSSED_BOOK);
    expect(ev.result.action).toBe(TriggerAction.NONE);
  });

  it('refuses to compare prices of different currencies or units', () => {
    expect(() => pair(leg(BN_SPOT()), leg(OKX_SPOT(), { currency: 'USD' }))).toThrow(/same currency/);
    expect(() => pair(leg(BN_SPOT()), leg(OKX_SPOT(), { unitFactor: '2' }))).toThrow(/same unit/);
    expect(() => pair(leg(BN_SPOT()), leg(OKX_SPOT()), { open: '1', close: '1' })).toThrow(/below open/);
  });
});

describe('counter_price trigger', () => {
  // A = Binance spot (taker 0.1 %), B = OKX spot (taker 0.1 %); intended size 0.02 BTC.
  const a = leg(BN_SPOT(), { takerFee: '0.001' });
  const b = leg(OKX_SPOT(), { takerFee: '0.001' });
  // A asks: 64000.00 x 0.01, 64001.00 x 0.02; A bids: 63990.00 x 0.05
  const A = book([[6_399_000, 5000]], [[6_400_000, 1000], [6_400_100, 2000]]);
  // B bids: 64200.0 x 0.015, 64190.0 x 0.05; B asks: 64210.0 x 0.05
  const B = book([[642_000, 1_500_000], [641_900, 5_000_000]], [[642_100, 5_000_000]]);

  it('walks both books for the intended size and nets both taker fees (price units)', () => {
    const m = pair(a, b, { trigger: 'counter_price', open: '50', close: '0', sizePerTrade: '0.02' });
    const r = new TriggerEvaluator().evaluate(m, A, B, 0, 0, null);
    // buy A: 0.01 @ 64000 + 0.01 @ 64001 -> VWAP 64000.50; sell B: 0.015 @ 64200 + 0.005 @ 64190 -> 64197.50
    expect(r.vwapBuyA).toBe(6_400_050);
    expect(r.vwapSellB).toBe(641_975);
    expect(r.intendedAtoms).toBe(2_000_000);
    // net: 64197.5 * 0.999 - 64000.5 * 1.001 = 64133.3025 - 64064.5005 = 68.802 USDT per BTC
    expect(r.display(r.edgeAB)).toBeCloseTo(68.802, 6);
    expect(r.action).toBe(TriggerAction.OPEN);
    expect(r.direction).toBe(DIR_AB);
    // the same books gross of fees would show 197.00: the fees matter
    const gross = pair(leg(BN_SPOT()), leg(OKX_SPOT()), { trigger: 'counter_price', open: '50', close: '0', sizePerTrade: '0.02' });
    const rg = new TriggerEvaluator().evaluate(gross, A, B, 0, 0, null);
    expect(rg.display(rg.edgeAB)).toBeCloseTo(197, 6);
    // a threshold above the net edge does not fire
    const high = pair(a, b, { trigger: 'counter_price', open: '70', close: '0', sizePerTrade: '0.02' });
    expect(new TriggerEvaluator().evaluate(high, A, B, 0, 0, null).action).toBe(TriggerAction.NONE);
  });

  it('in basis points: (64133.3025 / 64064.5005 - 1) * 1e4 = 10.7395 bps', () => {
    const m = pair(a, b, { trigger: 'counter_price', thresholdUnit: 'bps', open: '10', close: '-10', sizePerTrade: '0.02' });
    const r = new TriggerEvaluator().evaluate(m, A, B, 0, 0, null);
    expect(r.edgeAB).toBeCloseTo(10.739489, 5);
    expect(r.action).toBe(TriggerAction.OPEN);
  });

  it('the reverse direction walks A bids and B asks', () => {
    const m = pair(a, b, { trigger: 'counter_price', open: '50', close: '0', sizePerTrade: '0.02' });
    const r = new TriggerEvaluator().evaluate(m, A, B, 0, 0, null);
    // sell A 0.02 @ 63990.00, buy B 0.02 @ 64210.0: 63990 * 0.999 - 64210 * 1.001 = 63926.01 - 64274.21 = -348.20
    expect(r.vwapSellA).toBe(6_399_000);
    expect(r.vwapBuyB).toBe(642_100);
    expect(r.display(r.edgeBA)).toBeCloseTo(63990 * 0.999 - 64210 * 1.001, 6);
    expect(r.display(r.edgeBA)).toBeCloseTo(-348.2, 6);
  });

  it('no signal when a book lacks depth for the intended size', () => {
    const m = pair(a, b, { trigger: 'counter_price', open: '50', close: '0', sizePerTrade: '0.05' });
    const r = new TriggerEvaluator().evaluate(m, A, B, 0, 0, null);
    expect(r.action).toBe(TriggerAction.NONE);
    expect(r.reason).toBe(TriggerReason.INSUFFICIENT_DEPTH);
    expect(r.vwapBuyA).toBeNaN(); // A asks hold 0.03 BTC only
  });
});

describe('ratio trigger: gold in CNY per gram vs USD per troy ounce', () => {
  // A: CNY per gram, tick 0.02, 1 lot = 1 contract of 1000 g. B: USD per troy oz, tick 0.1, lot 0.001 oz.
  // The pair's base asset is XAU in grams with 10 decimals (0.001 oz = 0.0311034768 g).
  const AU_CNY = instrument({ venue: 'okx', symbol: 'AU-CNY', base: 'XAU', quote: 'CNY', kind: 'future', tickSize: '0.02', lotSize: '1', minQty: '1', minNotional: '0', contractValue: '1000', contractValueCcy: 'XAU', contractType: 'linear' });
  const XAU_USD = instrument({ venue: 'binance-spot', symbol: 'XAUUSD', base: 'XAU', quote: 'USD', tickSize: '0.1', lotSize: '0.001', minQty: '0.001', minNotional: '0' });
  const spec = { trigger: 'ratio' as const, thresholdUnit: 'bps' as const, open: '15', close: '5', baseAsset: 'XAU', baseDecimals: 10, sizePerTrade: '1000', positionMax: '100000' };
  const model = pair(leg(AU_CNY), leg(XAU_USD, { unitFactor: '31.1034768' }), spec);
  // A: bid 606.00 ask 606.02 CNY/g; B: bid 2649.9 ask 2650.0 USD/oz
  const A = book([[30_300, 10]], [[30_301, 10]]);
  const B = book([[26_499, 1_000_000]], [[26_500, 1_000_000]]);
  const usdcny = new FxRate('usdcny', 'USD', 'CNY', 5000);

  it('converts B with k = 7.10 / 31.1034768 and fires sell A / buy B at 17.915 bps', () => {
    usdcny.set(7.1, 1000);
    const r = new TriggerEvaluator().evaluate(model, A, B, 0, 3000, usdcny);
    expect(model.a.perLotAtoms).toBe(1000 * 1e10);
    expect(model.b.perLotAtoms).toBe(311_034_768);
    // k = 7.10 / 31.1034768 = 0.22827030063725866 CNY/g per USD/oz
    expect(r.priceFactorB).toBeCloseTo(0.22827030063725866, 15);
    expect(r.fx).toBe(7.1);
    expect(r.fxAgeMs).toBe(2000);
    // B ask in CNY/g = 2650.0 * k = 604.916296688735; A bid / that - 1 = 17.91493 bps
    expect(r.edgeBA).toBeCloseTo(17.91493, 4);
    // B bid in CNY/g = 604.893469658672; / A ask 606.02 - 1 = -18.58900 bps
    expect(r.edgeAB).toBeCloseTo(-18.589, 3);
    expect(r.action).toBe(TriggerAction.OPEN);
    expect(r.direction).toBe(DIR_BA);
  });

  it('a fair ratio shifts the neutral point (1.001 -> 7.907 bps: below the 15 bps open)', () => {
    usdcny.set(7.1, 1000);
    const m = pair(leg(AU_CNY), leg(XAU_USD, { unitFactor: '31.1034768' }), { ...spec, fairRatio: '1.001' });
    const r = new TriggerEvaluator().evaluate(m, A, B, 0, 3000, usdcny);
    expect(r.edgeBA).toBeCloseTo(7.907023, 4);
    expect(r.action).toBe(TriggerAction.NONE);
  });

  it('stale FX gives no signal, with the reason and the age; exactly at the limit is still fresh', () => {
    usdcny.set(7.1, 1000);
    const ev = new TriggerEvaluator();
    let r = ev.evaluate(model, A, B, 0, 6001, usdcny);
    expect(r.action).toBe(TriggerAction.NONE);
    expect(r.reason).toBe(TriggerReason.FX_STALE);
    expect(r.fxAgeMs).toBe(5001);
    expect(r.edgeAB).toBeNaN();
    r = ev.evaluate(model, A, B, 0, 6000, usdcny);
    expect(r.reason).toBe(TriggerReason.SIGNAL);
  });

  it('missing FX gives no signal', () => {
    const ev = new TriggerEvaluator();
    expect(ev.evaluate(model, A, B, 0, 0, null).reason).toBe(TriggerReason.FX_MISSING);
    expect(ev.evaluate(model, A, B, 0, 0, new FxRate('x', 'USD', 'CNY', 1000)).reason).toBe(TriggerReason.FX_MISSING);
  });

  it('an FX source quoted the other way round is inverted (CNY/USD 0.140845...)', () => {
    const inv = pair(leg(AU_CNY), leg(XAU_USD, { unitFactor: '31.1034768' }), { ...spec, invertFx: true });
    const cnyusd = new FxRate('cnyusd', 'CNY', 'USD', 5000);
    cnyusd.set(1 / 7.1, 0);
    const r = new TriggerEvaluator().evaluate(inv, A, B, 0, 10, cnyusd);
    expect(r.fx).toBeCloseTo(7.1, 12);
    expect(r.edgeBA).toBeCloseTo(17.91493, 4);
  });

  it('a feed FX rate is the mid of its book (inverted when quoted the other way round)', () => {
    const usdcnh = instrument({ venue: 'okx', symbol: 'USD-CNH', base: 'USD', quote: 'CNH', tickSize: '0.0001', lotSize: '1', minNotional: '0', minQty: '1' });
    expect(bookMid(book([[71_000, 5]], [[71_002, 5]]), usdcnh)).toBeCloseTo(7.1001, 12);
    expect(bookMid(book([], [[71_002, 5]]), usdcnh)).toBeNaN();
    const fx = new FxRate('usdcnh', 'USD', 'CNH', 1000);
    expect(setFxFromBook(fx, book([[71_000, 5]], [[71_002, 5]]), usdcnh, false, 50)).toBe(true);
    expect([fx.rate, fx.updatedMs]).toEqual([7.1001, 50]);
    // an empty side leaves the last rate, which then goes stale
    expect(setFxFromBook(fx, book([], [[71_002, 5]]), usdcnh, false, 60)).toBe(false);
    expect(fx.updatedMs).toBe(50);
    expect(fx.fresh(1050)).toBe(true);
    expect(fx.fresh(1051)).toBe(false);
    const cnhusd = new FxRate('cnhusd', 'CNH', 'USD', 1000);
    setFxFromBook(cnhusd, book([[71_000, 5]], [[71_002, 5]]), usdcnh, true, 0);
    expect(cnhusd.rate).toBeCloseTo(1 / 7.1001, 15);
  });

  it('same currency needs no FX: the unit conversion alone', () => {
    const XAU_CNY_OZ = instrument({ venue: 'binance-spot', symbol: 'XAUCNY', base: 'XAU', quote: 'CNY', tickSize: '0.1', lotSize: '0.001', minQty: '0.001', minNotional: '0' });
    const m = pair(leg(AU_CNY), leg(XAU_CNY_OZ, { unitFactor: '31.1034768' }), spec);
    expect(m.needsFx).toBe(false);
    // B: 18815.0 CNY/oz ask = 604.91630 CNY/g (18815 / 31.1034768; = 2650.0 USD x 7.10); bid 18814.0
    const B2 = book([[188_140, 1000]], [[188_150, 1000]]);
    const r = new TriggerEvaluator().evaluate(m, A, B2, 0, 0, null);
    expect(r.edgeBA).toBeCloseTo((606.0 / (18815.0 / 31.1034768) - 1) * 1e4, 9);
    expect(r.edgeBA).toBeCloseTo(17.91493, 4); // the same price as 2650.0 USD/oz at 7.10
  });
});
