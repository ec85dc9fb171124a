// Positions and PnL: exact integer results on hand-computed examples (FIFO realized PnL, balances,
// fees, mark-to-market, exposure across venues, inverse contracts), the execution machine's fill
// events, and the reconciliation helpers.
//
// Units (exec-helpers.ts): BTC and USDT with 8 decimals. Spot (venue 0): tick 0.01, lot 0.001 BTC
// -> 100_000 BTC units per lot, 0.01 * 0.001 * 1e8 = 1_000 USDT units per tick-lot. Perp (venue
// 1): tick 0.1, 1 contract = 0.001 BTC -> 100_000 units per lot, 10_000 USDT units per tick-lot.
import { describe, expect, it } from 'vitest';
import { ExecEventKind } from '../../src/core/execution.js';
import { TopsTable } from '../../src/core/market.js';
import { Positions, ReconcileGate, reconcileOpenOrders, reconcilePositions } from '../../src/core/positions.js';
import { TradableTable, makeTradable } from '../../src/core/tradable.js';
import { BTC, COARSE, K, PERP, SPOT, USDT, comboReq, makeInstruments, rep, setup } from './exec-helpers.js';

describe('Positions: spot', () => {
  it('realizes FIFO PnL exactly and keeps balances, fees and unrealized PnL consistent', () => {
    const p = new Positions(makeInstruments(), 2, 2);
    p.applyFill(SPOT, 'buy', 3, 6_400_000, 100, USDT); // 3 x 0.001 BTC at 64000.00
    p.applyFill(SPOT, 'buy', 2, 6_400_100, 100, USDT); // 2 x 0.001 BTC at 64001.00
    p.applyFill(SPOT, 'sell', 4, 6_400_500, 100, USDT); // 4 x 0.001 BTC at 64005.00
    // FIFO: 3 lots x 500 ticks + 1 lot x 400 ticks = 1_900 tick-lots = 0.019 USDT
    expect(p.realizedTickLots(SPOT)).toBe(1_900);
    expect(p.realizedUnits(SPOT)).toBe(1_900_000);
    expect(p.lots(SPOT)).toBe(1);
    expect(p.openCostTickLots(SPOT)).toBe(6_400_100);
    expect(p.avgEntryTicks(SPOT)).toBe(6_400_100);
    expect(p.balance(0, BTC)).toBe(100_000);
    // -(3 x 6_400_000 + 2 x 6_400_100) x 1_000 + 4 x 6_400_500 x 1_000 - 300 fees
    expect(p.balance(0, USDT)).toBe(-6_398_200_300);
    // the FIFO books and the balance agree: realized - openCost - fees
    expect(p.balance(0, USDT)).toBe(p.realizedUnits(SPOT) - p.openCostTickLots(SPOT) * 1_000 - p.feesUnits(USDT));
    expect(p.feesUnits(USDT)).toBe(300);
    // mark at the mid 6_400_050: (6_400_050 - 6_400_100) x 1_000
    expect(p.unrealizedUnits(SPOT, 6_400_050)).toBe(-50_000);
    const m = new TopsTable(4);
    m.set(SPOT, 6_400_000, 1, 6_400_100, 1, 1);
    p.markToMarket(m);
    expect(p.unrealizedUnits(SPOT)).toBe(-50_000);
    expect(p.pnlUnits(USDT)).toBe(1_900_000 - 50_000 - 300);
    expect(p.assetNet(BTC)).toBe(100_000);
  });

  it('a half-tick mid gives an exact half-unit result when the tick-lot value is odd', () => {
    const t = new TradableTable([makeTradable({ id: 0, venue: 0, symbol: 'X', base: 0, quote: 1, baseDecimals: 0, quoteDecimals: 0, kind: 'spot', contractType: 'none', tickSize: '1', lotSize: '1' })]);
    const p = new Positions(t, 2, 1);
    p.applyFill(0, 'buy', 3, 100);
    expect(p.unrealizedUnits(0, 100.5)).toBe(1.5);
  });
});

describe('Positions: derivatives', () => {
  it('a short closed and flipped long: realized PnL settles into the venue quote balance', () => {
    const p = new Positions(makeInstruments(), 2, 2);
    p.applyFill(PERP, 'sell', 5, 640_500, 32_025, USDT); // fee 0.00032025 USDT
    p.applyFill(PERP, 'buy', 8, 640_400);
    // closes 5: 5 x (640_500 - 640_400) = 500 tick-lots = 5_000_000 units (0.05 USDT)
    expect(p.realizedTickLots(PERP)).toBe(500);
    expect(p.realizedUnits(PERP)).toBe(5_000_000);
    expect(p.lots(PERP)).toBe(3);
    expect(p.openCostTickLots(PERP)).toBe(3 * 640_400);
    expect(p.balance(1, USDT)).toBe(5_000_000 - 32_025);
    expect(p.balance(1, BTC)).toBe(0);
    expect(p.assetNet(BTC)).toBe(300_000);
    expect(p.unrealizedUnits(PERP, 640_410)).toBe(3 * 10 * 10_000);
    expect(p.pnlUnits(USDT)).toBe(5_000_000 - 32_025);
  });

  it('nets exposure across venues and instruments', () => {
    const p = new Positions(makeInstruments(), 2, 2);
    p.applyFill(SPOT, 'buy', 30, 6_400_000); // +3_000_000 BTC units on venue 0
    p.applyFill(PERP, 'sell', 10, 640_500); // -1_000_000 on venue 1
    p.applyFill(COARSE, 'sell', 2, 640_500); // -2_000_000 on venue 1
    expect(p.assetNet(BTC)).toBe(0);
    expect(p.assetGross(BTC)).toBe(6_000_000);
    p.applyFill(COARSE, 'buy', 1, 640_600);
    expect(p.assetNet(BTC)).toBe(1_000_000);
  });

  it('inverse contracts: PnL in base units from 1/price, rounded once per close', () => {
    // BTC-USD inverse: 1 contract = 100 USD, tick 0.1
    const t = new TradableTable([
      makeTradable({ id: 0, venue: 0, symbol: 'BTC-USD-SWAP', base: BTC, quote: USDT, baseDecimals: 8, quoteDecimals: 8, kind: 'derivative', contractType: 'inverse', tickSize: '0.1', lotSize: '1', contractValue: '100' }),
    ]);
    const inv = t.get(0);
    expect(inv.inverseBaseK).toBe(1e11);
    expect(inv.contractQuoteUnits).toBe(10_000_000_000);
    const p = new Positions(t, 2, 1);
    p.applyFill(0, 'buy', 10, 500_000); // 1_000 USD at 50_000.0 = 0.02 BTC
    expect(p.positionUnits(0)).toBe(2_000_000);
    p.applyFill(0, 'sell', 10, 625_000); // at 62_500.0 the same 1_000 USD is 0.016 BTC
    expect(p.realizedUnits(0)).toBe(400_000); // 0.004 BTC
    expect(p.balance(0, BTC)).toBe(400_000);
    expect(p.pnlUnits(BTC)).toBe(400_000);
    expect(p.lots(0)).toBe(0);
  });

  it('a reconciled baseline position then closes against its entry', () => {
    const p = new Positions(makeInstruments(), 2, 2);
    p.setPosition(PERP, -4, 641_000);
    expect(p.assetNet(BTC)).toBe(-400_000);
    p.applyFill(PERP, 'buy', 4, 640_000);
    expect(p.realizedUnits(PERP)).toBe(4 * 1_000 * 10_000);
    expect(p.lots(PERP)).toBe(0);
  });
});

describe('Positions from the execution machine', () => {
  it('applies FILL and LATE_FILL events; exposure matches the machine', () => {
    const { exec, sink } = setup();
    exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010, feeUnits: 640, feeAsset: USDT }));
    exec.onReport(20, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 7, lastQtyLots: 7, lastPriceTicks: 640_500, leavesQtyLots: 3 }));
    const p = new Positions(makeInstruments(), 2, 2);
    let applied = 0;
    for (const ev of sink.events) if (p.applyExecFill(ev)) applied++;
    expect(applied).toBe(2);
    expect(sink.events.filter((e) => e.kind === ExecEventKind.FILL)).toHaveLength(2);
    expect(p.lots(SPOT)).toBe(10);
    expect(p.lots(PERP)).toBe(-7);
    expect(p.assetNet(BTC)).toBe(exec.assetExposure(BTC));
    expect(p.assetNet(BTC)).toBe(300_000);
    expect(p.balance(0, USDT)).toBe(-10 * 6_400_010 * 1_000 - 640);
  });
});

describe('reconciliation', () => {
  it('reports position mismatches per venue (an omitted instrument counts as flat)', () => {
    const p = new Positions(makeInstruments(), 2, 2);
    p.applyFill(PERP, 'sell', 5, 640_500);
    expect(reconcilePositions(p, 1, [{ instrument: PERP, lots: -5 }])).toEqual([]);
    expect(reconcilePositions(p, 1, [])).toEqual([{ instrument: PERP, ours: -5, venue: 0 }]);
    expect(reconcilePositions(p, 1, [{ instrument: PERP, lots: -5 }, { instrument: COARSE, lots: 1 }])).toEqual([{ instrument: COARSE, ours: 0, venue: 1 }]);
    // spot inventory is compared only when asked
    p.applyFill(SPOT, 'buy', 2, 6_400_000);
    expect(reconcilePositions(p, 0, [])).toEqual([]);
    expect(reconcilePositions(p, 0, [], 'all')).toEqual([{ instrument: SPOT, ours: 2, venue: 0 }]);
  });

  it('diffs open orders: ours to query, the venue-only ones to cancel, and mismatches', () => {
    const ours = [
      { clientOrderId: 'a', instrument: 0, side: 'buy' as const, leavesLots: 5 },
      { clientOrderId: 'b', instrument: 1, side: 'sell' as const, leavesLots: 2 },
      { clientOrderId: 'c', instrument: 1, side: 'sell' as const, leavesLots: 2 },
    ];
    const venue = [
      { clientOrderId: 'b', instrument: 1, side: 'sell' as const, leavesLots: 2 },
      { clientOrderId: 'c', instrument: 1, side: 'sell' as const, leavesLots: 1 },
      { clientOrderId: 'z', instrument: 0, side: 'buy' as const, leavesLots: 9 },
    ];
    const d = reconcileOpenOrders(ours, venue);
    expect(d.onlyOurs.map((o) => o.clientOrderId)).toEqual(['a']);
    expect(d.onlyVenue.map((o) => o.clientOrderId)).toEqual(['z']);
    expect(d.mismatched.map((m) => [m.ours.leavesLots, m.venue.leavesLots])).toEqual([[2, 1]]);
  });

  it('lists the machine open orders for that comparison', () => {
    const { exec } = setup();
    exec.start(0, comboReq());
    exec.onReport(5, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 3, lastQtyLots: 3, lastPriceTicks: 640_500, leavesQtyLots: 7 }));
    expect(exec.openOrders(1).map((o) => [o.clientOrderId, o.leavesLots])).toEqual([['x-7-1-0', 7]]);
    expect(exec.openOrders()).toHaveLength(2);
  });

  it('the gate opens only when every venue is reconciled and every pair group nets out', () => {
    const instruments = makeInstruments();
    const gate = new ReconcileGate(instruments, [0, 1], [{ pairId: 1, a: SPOT, b: PERP }, { pairId: 2, a: SPOT, b: COARSE }]);
    const p = new Positions(instruments, 2, 2);
    expect(gate.proven).toBe(false); // never checked
    p.applyFill(SPOT, 'buy', 30, 6_400_000);
    p.applyFill(PERP, 'sell', 10, 640_500);
    p.applyFill(COARSE, 'sell', 1, 640_500);
    gate.venueReconciled(0, true);
    gate.venueReconciled(1, true);
    // spot +3_000_000, perp -1_000_000, coarse -1_000_000: one group, 1_000_000 >= one coarse lot
    expect(gate.check(p)).toBe(false);
    expect(gate.unbalancedPairs).toEqual([1, 2]);
    p.applyFill(COARSE, 'sell', 1, 640_500);
    expect(gate.check(p)).toBe(true);
    gate.venueReconciled(1, false);
    expect(gate.proven).toBe(false);
    expect(gate.pendingVenues).toEqual([1]);
  });
});
