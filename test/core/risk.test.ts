// Inline risk: every pre-trade check allows at its limit and denies one unit beyond with its
// stable reason code (and the failing value / limit journaled); breakers trip at their
// boundaries and raise the trading state; reduce-only and halted semantics per order role;
// the execution machine's events feed the breakers; the kill switch cancels, then flattens.
//
// Fixture (exec-helpers.ts): spot 0 (venue 0, 100_000 BTC units/lot, 1_000 USDT units/tick-lot),
// perp 1 (venue 1, 100_000 units/lot, 10_000 USDT units/tick-lot), coarse perp 2.
import { describe, expect, it } from 'vitest';
import { CollectingSink, ComboState, ExecEventKind, ExecutionEngine, OrderRole, Reason, type ExecEvent, type ExecSink } from '../../src/core/execution.js';
import { plainClientIds } from '../../src/core/client-ids.js';
import { TopsTable } from '../../src/core/market.js';
import { Positions } from '../../src/core/positions.js';
import {
  Breaker,
  ComboCheck,
  KillPhase,
  KillSwitch,
  RiskEngine,
  RiskEvent,
  RiskEventKind,
  RiskReason,
  TradingState,
  type RiskConfig,
} from '../../src/core/risk.js';
import { BTC, K, O, PERP, SPOT, TEST_POLICY, USDT, comboReq, makeInstruments, rep } from './exec-helpers.js';

const NOW = 10_000_000;

function config(over: Partial<RiskConfig> = {}): RiskConfig {
  return {
    instruments: [
      { maxOrderLots: 100, maxOrderNotionalUnits: 10 * 6_400_010 * 1_000, maxPositionLots: 50 },
      { maxOrderLots: 20, maxPositionLots: 40, initialMarginBps: 1_000 },
    ],
    assets: [
      { maxNetUnits: 2_000_000, maxGrossUnits: 5_000_000, unhedgedToleranceUnits: 100_000, maxUnhedgedUs: 1_000_000 },
      { minFreeUnits: 1_000 },
    ],
    venues: [{ maxOrders: 3, windowUs: 1_000_000 }, { maxOrders: 100, windowUs: 1_000_000 }],
    maxOpenPairs: 2,
    priceBandBps: 20,
    maxBookAgeUs: 500_000,
    maxVenueSkewUs: 200_000,
    maxFxAgeUs: 2_000_000,
    breakers: {
      maxDailyLoss: 1_000,
      rejectRate: { maxRatio: 0.5, windowUs: 1_000_000, minOrders: 4 },
      slippage: { maxAvgBps: 5, windowFills: 3 },
      ackLatency: { maxUs: 50_000, consecutive: 3 },
    },
    startState: TradingState.ACTIVE,
    ...over,
  };
}

class Journal {
  readonly events: RiskEvent[] = [];
  event(ev: Readonly<RiskEvent>): void {
    this.events.push(Object.assign(new RiskEvent(), ev));
  }
}

function fixture(over: Partial<RiskConfig> = {}) {
  const instruments = makeInstruments();
  const market = new TopsTable(4);
  market.set(SPOT, 6_400_000, 50, 6_400_010, 50, NOW, 1_000_000_000);
  market.set(PERP, 640_500, 50, 640_501, 50, NOW, 1_000_000_000);
  const positions = new Positions(instruments, 2, 2);
  const journal = new Journal();
  const risk = new RiskEngine(instruments, market, positions, config(over), journal);
  return { instruments, market, positions, risk, journal };
}

describe('pre-trade order checks at their boundaries', () => {
  it('max order quantity', () => {
    const { risk, journal } = fixture();
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 20, 640_500)).toBe(RiskReason.OK);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 21, 640_500)).toBe(RiskReason.MAX_ORDER_QTY);
    expect([risk.lastValue, risk.lastLimit]).toEqual([21, 20]);
    const d = journal.events.at(-1)!;
    expect([d.kind, d.code, d.instrument, d.venue, d.value, d.limit]).toEqual([RiskEventKind.DENIAL, RiskReason.MAX_ORDER_QTY, PERP, 1, 21, 20]);
    expect(risk.denials[RiskReason.MAX_ORDER_QTY]).toBe(1);
  });

  it('max order notional (quote units)', () => {
    const { risk } = fixture();
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 10, 6_400_010)).toBe(RiskReason.OK);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 10, 6_400_011)).toBe(RiskReason.MAX_ORDER_NOTIONAL);
    expect(risk.lastValue - risk.lastLimit).toBe(10 * 1_000);
  });

  it('malformed orders are denied as BAD_ORDER', () => {
    const { risk } = fixture();
    expect(risk.checkOrder(NOW, OrderRole.OPEN, 99, 'buy', 1, 1)).toBe(RiskReason.BAD_ORDER);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 0, 6_400_000)).toBe(RiskReason.BAD_ORDER);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1.5, 6_400_000)).toBe(RiskReason.BAD_ORDER);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, NaN)).toBe(RiskReason.BAD_ORDER);
  });

  it('position per instrument: up to the limit, and reducing is always allowed', () => {
    const { risk, positions } = fixture({ assets: [{}, {}] }); // no asset limits here
    positions.applyFill(PERP, 'sell', 25, 640_500);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 15, 640_500)).toBe(RiskReason.OK); // -40
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 16, 640_500)).toBe(RiskReason.POSITION_INSTRUMENT);
    expect([risk.lastValue, risk.lastLimit]).toEqual([-41, 40]);
    positions.applyFill(PERP, 'sell', 20, 640_500); // -45: beyond the limit (e.g. lowered)
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'buy', 5, 640_500)).toBe(RiskReason.OK);
  });

  it('net position per asset across venues', () => {
    const { risk, positions } = fixture();
    positions.applyFill(SPOT, 'buy', 19, 6_400_000); // +1_900_000
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.OK); // 2_000_000
    positions.applyFill(SPOT, 'buy', 1, 6_400_000);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.POSITION_ASSET_NET);
    expect([risk.lastValue, risk.lastLimit]).toEqual([2_100_000, 2_000_000]);
    // the other venue's sell reduces the net: allowed
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 1, 640_500)).toBe(RiskReason.OK);
  });

  it('gross position per asset across venues', () => {
    const { risk, positions } = fixture();
    positions.applyFill(SPOT, 'buy', 20, 6_400_000); // +2_000_000
    positions.applyFill(PERP, 'sell', 25, 640_500); // -2_500_000 ; gross 4_500_000, net -500_000
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 5, 640_500)).toBe(RiskReason.OK); // gross 5_000_000
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 6, 640_500)).toBe(RiskReason.POSITION_ASSET_GROSS);
    expect([risk.lastValue, risk.lastLimit]).toEqual([5_100_000, 5_000_000]);
  });

  it('book not synced, empty, or older than maxBookAgeUs', () => {
    const { risk, market } = fixture();
    market.set(SPOT, 6_400_000, 50, 6_400_010, 50, NOW - 500_000);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.OK);
    market.set(SPOT, 6_400_000, 50, 6_400_010, 50, NOW - 500_001);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.BOOK_STALE);
    expect([risk.lastValue, risk.lastLimit]).toEqual([500_001, 500_000]);
    market.set(SPOT, NaN, 0, 6_400_010, 50, NOW);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.BOOK_EMPTY);
    market.set(SPOT, 6_400_000, 50, 6_400_010, 50, NOW, 0, false);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.BOOK_NOT_SYNCED);
    // a hedge is not held to the book checks (it is bounded by its band instead)
    expect(risk.checkOrder(NOW, OrderRole.HEDGE, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.OK);
  });

  it('order-rate budget per venue: at most maxOrders in any window, plus an external gate', () => {
    const { risk } = fixture();
    for (let t = 0; t < 3; t++) {
      expect(risk.checkOrder(NOW + t, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.OK);
      risk.onOrderSent(NOW + t, 0);
    }
    expect(risk.checkOrder(NOW + 3, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.RATE_BUDGET);
    expect(risk.checkOrder(NOW + 999_999, OrderRole.HEDGE, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.RATE_BUDGET);
    expect(risk.checkOrder(NOW + 1_000_000, OrderRole.HEDGE, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.OK);
    // the other venue has its own budget
    expect(risk.checkOrder(NOW + 3, OrderRole.OPEN, PERP, 'sell', 1, 640_500)).toBe(RiskReason.OK);
    let wait = 0;
    risk.setRateGate(1, { waitMs: () => wait });
    wait = 5;
    expect(risk.checkOrder(NOW + 3, OrderRole.OPEN, PERP, 'sell', 1, 640_500)).toBe(RiskReason.RATE_BUDGET);
    wait = 0;
    expect(risk.checkOrder(NOW + 3, OrderRole.OPEN, PERP, 'sell', 1, 640_500)).toBe(RiskReason.OK);
  });

  it('spot balance: quote for a buy (keeping minFree), base for a sell', () => {
    const { risk } = fixture();
    // 1 lot at 6_400_000 ticks = 6_400_000_000 USDT units; 1_000 must stay free
    risk.setFree(0, USDT, 6_400_001_000);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_000)).toBe(RiskReason.OK);
    risk.setFree(0, USDT, 6_400_000_999);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_000)).toBe(RiskReason.BALANCE);
    expect([risk.lastValue, risk.lastLimit]).toEqual([6_400_000_000, 6_399_999_999]);
    risk.setFree(0, BTC, 100_000);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'sell', 1, 6_400_000)).toBe(RiskReason.OK);
    risk.setFree(0, BTC, 99_999);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'sell', 1, 6_400_000)).toBe(RiskReason.BALANCE);
    // an unwind spends nothing new: not balance-checked
    expect(risk.checkOrder(NOW, OrderRole.UNWIND, SPOT, 'sell', 1, 6_400_000)).toBe(RiskReason.OK);
  });

  it('derivative margin for the opening part only', () => {
    const { risk, positions } = fixture();
    // 10 contracts at 640_500: notional 64_050_000_000 units, 10% initial margin
    risk.setFree(1, USDT, 6_405_001_000);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 10, 640_500)).toBe(RiskReason.OK);
    risk.setFree(1, USDT, 6_405_000_999);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 10, 640_500)).toBe(RiskReason.MARGIN);
    positions.applyFill(PERP, 'buy', 10, 640_000);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 10, 640_500)).toBe(RiskReason.OK); // closes the long
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 11, 640_500)).toBe(RiskReason.OK); // 1 opening: 640_500_000
    risk.setFree(1, USDT, 640_500_999);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 12, 640_500)).toBe(RiskReason.MARGIN);
  });

  it('an unknown balance is not checked unless requireKnownBalance', () => {
    expect(fixture().risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_000)).toBe(RiskReason.OK);
    expect(fixture({ requireKnownBalance: true }).risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_000)).toBe(RiskReason.BALANCE);
  });
});

describe('trading states per order role', () => {
  it('REDUCING: opening orders only when they reduce the instrument position, repairs when they reduce asset exposure', () => {
    const { risk, positions } = fixture();
    positions.applyFill(SPOT, 'buy', 10, 6_400_000); // long 1_000_000 BTC units, unhedged
    risk.reduceOnly(NOW);
    expect(risk.state).toBe(TradingState.REDUCING);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'buy', 1, 6_400_010)).toBe(RiskReason.REDUCE_ONLY);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'sell', 10, 6_400_000)).toBe(RiskReason.OK);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'sell', 11, 6_400_000)).toBe(RiskReason.REDUCE_ONLY); // would flip short
    expect(risk.checkOrder(NOW, OrderRole.OPEN, PERP, 'sell', 5, 640_500)).toBe(RiskReason.REDUCE_ONLY); // opens a perp position
    // the hedge of that long (a replenish on the perp) reduces asset exposure: allowed
    expect(risk.checkOrder(NOW, OrderRole.REPLENISH, PERP, 'sell', 10, 640_500)).toBe(RiskReason.OK);
    expect(risk.checkOrder(NOW, OrderRole.REPLENISH, PERP, 'buy', 1, 640_500)).toBe(RiskReason.REDUCE_ONLY);
    // overshooting by less than the exposure still reduces |exposure|
    expect(risk.checkOrder(NOW, OrderRole.HEDGE, PERP, 'sell', 19, 640_500)).toBe(RiskReason.OK);
    expect(risk.checkOrder(NOW, OrderRole.HEDGE, PERP, 'sell', 20, 640_500)).toBe(RiskReason.REDUCE_ONLY);
  });

  it('HALTED: no opening orders at all; repairs that reduce exposure and reduce-only flattens pass', () => {
    const { risk, positions } = fixture();
    positions.applyFill(SPOT, 'buy', 10, 6_400_000);
    risk.halt(NOW);
    expect(risk.state).toBe(TradingState.HALTED);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'sell', 1, 6_400_000)).toBe(RiskReason.HALTED);
    expect(risk.checkOrder(NOW, OrderRole.UNWIND, SPOT, 'sell', 10, 6_400_000)).toBe(RiskReason.OK);
    expect(risk.checkOrder(NOW, OrderRole.UNWIND, SPOT, 'buy', 1, 6_400_000)).toBe(RiskReason.HALTED);
    expect(risk.checkOrder(NOW, OrderRole.FLATTEN, SPOT, 'sell', 10, 6_400_000)).toBe(RiskReason.OK);
    expect(risk.checkOrder(NOW, OrderRole.FLATTEN, SPOT, 'sell', 11, 6_400_000)).toBe(RiskReason.REDUCE_ONLY);
    expect(risk.checkOrder(NOW, OrderRole.FLATTEN, PERP, 'sell', 1, 640_500)).toBe(RiskReason.REDUCE_ONLY);
  });

  it('starts REDUCING until reconciliation proves every pair balanced; resume needs reconciliation', () => {
    const { risk, journal, positions } = fixture({ startState: undefined });
    expect(risk.state).toBe(TradingState.REDUCING);
    expect(risk.cause).toBe(Breaker.RECONCILING);
    // unverified positions (read from a journal): no new combo, not even one that would reduce
    // them; the recovery's flatten and a combo's repairs still pass
    positions.applyFill(SPOT, 'buy', 10, 6_400_000);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'sell', 10, 6_400_000)).toBe(RiskReason.NOT_RECONCILED);
    expect(risk.checkOrder(NOW, OrderRole.FLATTEN, SPOT, 'sell', 10, 6_400_000)).toBe(RiskReason.OK);
    expect(risk.checkOrder(NOW, OrderRole.UNWIND, SPOT, 'sell', 10, 6_400_000)).toBe(RiskReason.OK);
    expect(risk.resume(NOW)).toBe(false);
    risk.setReconciled(NOW, true);
    expect(risk.state).toBe(TradingState.ACTIVE);
    expect(journal.events.at(-1)!.kind).toBe(RiskEventKind.STATE);
    expect(risk.checkOrder(NOW, OrderRole.OPEN, SPOT, 'sell', 10, 6_400_000)).toBe(RiskReason.OK);
    // a reconnect that finds a mismatch goes back to reduce-only
    risk.setReconciled(NOW + 1, false);
    expect(risk.state).toBe(TradingState.REDUCING);
    // a breaker latched meanwhile keeps it there even when reconciliation succeeds
    risk.onPnl(NOW + 2, -500);
    risk.trip(NOW + 2, Breaker.SLIPPAGE, TradingState.REDUCING, 9, 5);
    risk.setReconciled(NOW + 3, true);
    expect(risk.state).toBe(TradingState.REDUCING);
    expect(risk.resume(NOW + 4)).toBe(true);
    expect(risk.state).toBe(TradingState.ACTIVE);
  });
});

describe('checkCombo: pair-level checks', () => {
  function combo(): ComboCheck {
    const c = new ComboCheck();
    c.instA = SPOT;
    c.sideA = 'buy';
    c.lotsA = 1;
    c.pxA = 6_400_010;
    c.instB = PERP;
    c.sideB = 'sell';
    c.lotsB = 1;
    c.pxB = 640_500;
    c.openPairs = 0;
    return c;
  }

  it('allows a sane pair', () => {
    expect(fixture().risk.checkCombo(NOW, combo())).toBe(RiskReason.OK);
  });

  it('open pairs', () => {
    const { risk } = fixture();
    const c = combo();
    c.openPairs = 1;
    expect(risk.checkCombo(NOW, c)).toBe(RiskReason.OK);
    c.openPairs = 2;
    expect(risk.checkCombo(NOW, c)).toBe(RiskReason.OPEN_PAIRS);
  });

  it('venue-time skew between the two books', () => {
    const { risk, market } = fixture();
    market.set(PERP, 640_500, 50, 640_501, 50, NOW, 1_000_200_000);
    expect(risk.checkCombo(NOW, combo())).toBe(RiskReason.OK);
    market.set(PERP, 640_500, 50, 640_501, 50, NOW, 1_000_200_001);
    expect(risk.checkCombo(NOW, combo())).toBe(RiskReason.BOOK_SKEW);
    expect([risk.lastValue, risk.lastLimit]).toEqual([200_001, 200_000]);
  });

  it('either book stale or not synced', () => {
    const { risk, market } = fixture();
    market.set(PERP, 640_500, 50, 640_501, 50, NOW - 600_000, 1_000_000_000);
    expect(risk.checkCombo(NOW, combo())).toBe(RiskReason.BOOK_STALE);
    market.set(PERP, 640_500, 50, 640_501, 50, NOW, 1_000_000_000, false);
    expect(risk.checkCombo(NOW, combo())).toBe(RiskReason.BOOK_NOT_SYNCED);
  });

  it('FX freshness (only for pairs that use FX)', () => {
    const { risk } = fixture();
    const c = combo();
    c.fxUpdatedUs = NOW - 2_000_000;
    expect(risk.checkCombo(NOW, c)).toBe(RiskReason.OK);
    c.fxUpdatedUs = NOW - 2_000_001;
    expect(risk.checkCombo(NOW, c)).toBe(RiskReason.FX_STALE);
  });

  it('price band: each leg against the other venue mid, in a common unit', () => {
    const { risk } = fixture();
    const c = combo();
    // B mid = 640_500.5 ticks x 0.1 = 64050.05; A at 63922.00 is 19.99 bps away, 63921.00 is 20.15
    c.pxA = 6_392_200;
    expect(risk.checkCombo(NOW, c)).toBe(RiskReason.OK);
    c.pxA = 6_392_100;
    expect(risk.checkCombo(NOW, c)).toBe(RiskReason.PRICE_BAND);
    expect(risk.lastValue).toBeCloseTo(((64050.05 - 63921) / 64050.05) * 1e4, 9);
    // with a unit / FX conversion: B quoted at half of A's unit price
    c.pxA = 6_400_010;
    c.priceBToA = 0.5;
    expect(risk.checkCombo(NOW, c)).toBe(RiskReason.PRICE_BAND);
  });

  it('then each leg passes the order checks', () => {
    const { risk } = fixture();
    const c = combo();
    c.lotsB = 21;
    expect(risk.checkCombo(NOW, c)).toBe(RiskReason.MAX_ORDER_QTY);
  });
});

describe('breakers', () => {
  it('daily loss: a loss equal to the limit passes, beyond it halts', () => {
    const { risk, journal } = fixture();
    risk.onPnl(NOW, -1_000);
    expect(risk.state).toBe(TradingState.ACTIVE);
    risk.onPnl(NOW, -1_000.5);
    expect(risk.state).toBe(TradingState.HALTED);
    expect(risk.cause).toBe(Breaker.DAILY_LOSS);
    const b = journal.events.find((e) => e.kind === RiskEventKind.BREAKER)!;
    expect([b.code, b.value, b.limit, b.state]).toEqual([Breaker.DAILY_LOSS, -1_000.5, -1_000, TradingState.HALTED]);
  });

  it('unhedged exposure for longer than maxUnhedgedUs', () => {
    const { risk } = fixture();
    risk.updateExposure(NOW, BTC, 500_000);
    risk.updateExposure(NOW + 1_000_000, BTC, 500_000);
    expect(risk.state).toBe(TradingState.ACTIVE);
    risk.updateExposure(NOW + 1_000_001, BTC, 500_000);
    expect(risk.state).toBe(TradingState.REDUCING);
    expect(risk.cause).toBe(Breaker.UNHEDGED_EXPOSURE);
  });

  it('unhedged exposure x time budget beyond the tolerance; back within tolerance resets it', () => {
    const { risk } = fixture({ assets: [{ unhedgedToleranceUnits: 100_000, maxUnhedgedUnitsUs: 4e11 }] });
    risk.updateExposure(0, BTC, 500_000);
    risk.updateExposure(500_000, BTC, 100_000); // within tolerance: reset
    expect(risk.unhedgedIntegral(BTC)).toBe(0);
    risk.updateExposure(1_000_000, BTC, 500_000);
    risk.updateExposure(2_000_000, BTC, 500_000); // (500_000 - 100_000) x 1_000_000 = 4e11
    expect(risk.unhedgedIntegral(BTC)).toBe(4e11);
    expect(risk.state).toBe(TradingState.ACTIVE);
    risk.updateExposure(2_000_001, BTC, 500_000);
    expect(risk.state).toBe(TradingState.REDUCING);
  });

  it('reject rate over the window, once enough orders were sent', () => {
    const { risk } = fixture();
    for (let i = 0; i < 3; i++) risk.onOrderSent(NOW + i, 1);
    for (let i = 0; i < 3; i++) risk.onReject(NOW + 10 + i, 1); // 3 of 3 but fewer than minOrders
    expect(risk.state).toBe(TradingState.ACTIVE);
    const r = fixture().risk;
    for (let i = 0; i < 4; i++) r.onOrderSent(NOW + i, 1);
    r.onReject(NOW + 10, 1);
    r.onReject(NOW + 11, 1); // 2 / 4 = 0.5: at the limit
    expect(r.state).toBe(TradingState.ACTIVE);
    r.onReject(NOW + 12, 1); // 3 / 4
    expect(r.state).toBe(TradingState.REDUCING);
    expect(r.cause).toBe(Breaker.REJECT_RATE);
  });

  it('rejects that left the window do not count', () => {
    const { risk } = fixture();
    for (let i = 0; i < 4; i++) risk.onOrderSent(NOW + i, 1);
    risk.onReject(NOW + 10, 1);
    risk.onReject(NOW + 11, 1);
    for (let i = 0; i < 4; i++) risk.onOrderSent(NOW + 2_000_000 + i, 1);
    risk.onReject(NOW + 2_000_010, 1);
    expect(risk.state).toBe(TradingState.ACTIVE);
  });

  it('slippage: average over the last N fills', () => {
    const { risk } = fixture();
    // buy at ref 1_000_000: +400 ticks = 4 bps worse
    risk.onFill(NOW, 'buy', 1_000_400, 1_000_000);
    risk.onFill(NOW, 'sell', 999_500, 1_000_000); // 5 bps worse
    risk.onFill(NOW, 'buy', 1_000_600, 1_000_000); // 6: average 5, at the limit
    expect(risk.state).toBe(TradingState.ACTIVE);
    risk.onFill(NOW, 'buy', 1_000_700, 1_000_000); // window 5, 6, 7: average 6
    expect(risk.state).toBe(TradingState.REDUCING);
    expect(risk.cause).toBe(Breaker.SLIPPAGE);
  });

  it('ack latency: N consecutive slow acks on a venue', () => {
    const { risk } = fixture();
    risk.onAck(NOW, 0, 60_000);
    risk.onAck(NOW, 0, 60_000);
    risk.onAck(NOW, 0, 50_000); // at the limit: not slow, the streak resets
    risk.onAck(NOW, 0, 60_000);
    risk.onAck(NOW, 1, 60_000); // another venue
    risk.onAck(NOW, 0, 60_000);
    expect(risk.state).toBe(TradingState.ACTIVE);
    risk.onAck(NOW, 0, 60_000);
    expect(risk.state).toBe(TradingState.REDUCING);
    expect(risk.cause).toBe(Breaker.ACK_LATENCY);
  });

  it('the state only rises through breakers, and a latched breaker journals once', () => {
    const { risk, journal } = fixture();
    risk.halt(NOW);
    risk.trip(NOW, Breaker.SLIPPAGE, TradingState.REDUCING, 9, 5);
    expect(risk.state).toBe(TradingState.HALTED);
    const n = journal.events.length;
    risk.trip(NOW, Breaker.SLIPPAGE, TradingState.REDUCING, 10, 5);
    expect(journal.events).toHaveLength(n);
  });
});

/** A sink that journals exec events, applies fills to positions and feeds risk. */
class Wiring implements ExecSink {
  readonly log = new CollectingSink();
  constructor(
    private readonly positions: Positions,
    private readonly risk: () => RiskEngine,
  ) {}
  newOrder(c: Parameters<ExecSink['newOrder']>[0]): void {
    this.log.newOrder(c);
  }
  cancel(c: Parameters<ExecSink['cancel']>[0]): void {
    this.log.cancel(c);
  }
  query(c: Parameters<ExecSink['query']>[0]): void {
    this.log.query(c);
  }
  event(ev: Readonly<ExecEvent>): void {
    this.log.event(ev);
    this.positions.applyExecFill(ev);
    this.risk().observeExecEvent(ev);
  }
}

function wired(over: Partial<RiskConfig> = {}) {
  const f = fixture(over);
  let risk: RiskEngine | undefined;
  const sink = new Wiring(f.positions, () => risk!);
  const exec = new ExecutionEngine({
    instruments: f.instruments,
    market: f.market,
    sink,
    clientIds: () => plainClientIds('x'),
    gate: { allowOrder: (now, role, inst, side, lots, px) => risk!.allowOrder(now, role, inst, side, lots, px) },
    policy: TEST_POLICY,
    assetCount: 2,
  });
  risk = f.risk;
  return { ...f, exec, sink };
}

describe('risk fed by the execution machine', () => {
  it('counts sent orders, rejects and acks; an escalated combo raises the state', () => {
    const { exec, risk, market } = wired({ venues: [{ maxOrders: 2, windowUs: 1_000_000 }, { maxOrders: 100, windowUs: 1_000_000 }] });
    market.set(SPOT, 6_400_000, 50, 6_400_010, 50, NOW);
    const c = exec.start(NOW, comboReq({ policy: { partialFill: { action: 'unwind', maxAttempts: 1, windowUs: 1, bandBps: 0 }, unwind: { maxAttempts: 1, windowUs: 10_000_000, bandBps: 1 } } }));
    // the rate budget of venue 0 already holds the initial spot order
    exec.onReport(NOW + 70_000, rep(K.ACK, 0, 0));
    exec.onReport(NOW + 70_001, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(NOW + 70_002, rep(K.CANCELLED, 1, 0, { reason: Reason.EXPIRED, cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 640_500 }));
    expect(c.state).toBe(ComboState.UNWINDING);
    exec.onReport(NOW + 70_003, rep(K.CANCELLED, 0, 1, { reason: Reason.EXPIRED }));
    expect(c.state).toBe(ComboState.ESCALATED);
    expect(risk.state).toBe(TradingState.REDUCING);
    expect(risk.cause).toBe(Breaker.REPAIR_FAILED);
    // venue 0 saw 2 orders within the window: its budget (2) is used up
    expect(risk.checkOrder(NOW + 70_004, OrderRole.UNWIND, SPOT, 'sell', 4, 6_400_000)).toBe(RiskReason.RATE_BUDGET);
  });
});

describe('kill switch', () => {
  it('halts, cancels everything, waits for every order to be final, then flattens the net exposure within the band', () => {
    const { exec, risk, positions, market, sink } = wired();
    const c = exec.start(NOW, comboReq());
    exec.onReport(NOW + 1, rep(K.PARTIAL_FILL, 0, 0, { cumQtyLots: 3, lastQtyLots: 3, lastPriceTicks: 6_400_010, leavesQtyLots: 7 }));
    exec.onReport(NOW + 2, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 1, lastQtyLots: 1, lastPriceTicks: 640_500, leavesQtyLots: 9 }));
    expect(positions.assetNet(BTC)).toBe(200_000);
    const venueCancels: number[] = [];
    let nextId = 100;
    const ks = new KillSwitch(risk, exec, positions, market, { cancelAllOnVenue: (v) => venueCancels.push(v) }, { venues: [0, 1], flatten: 'exposure', bandBps: 10, maxAttempts: 2, windowUs: 5_000_000, nextJobId: () => nextId++ });
    ks.engage(NOW + 10);
    expect(risk.state).toBe(TradingState.HALTED);
    expect(venueCancels).toEqual([0, 1]);
    expect(sink.log.cancels.map((x) => x.clientOrderId)).toEqual(['x-7-0-0', 'x-7-1-0']);
    expect(ks.phase).toBe(KillPhase.CANCELLING);
    exec.onReport(NOW + 20, rep(K.CANCELLED, 0, 0, { origin: O.CANCEL, cumQtyLots: 3 }));
    ks.step(NOW + 20);
    expect(ks.phase).toBe(KillPhase.CANCELLING);
    exec.onReport(NOW + 21, rep(K.CANCELLED, 1, 0, { origin: O.CANCEL, cumQtyLots: 1 }));
    expect(c.state).toBe(ComboState.ESCALATED);
    ks.step(NOW + 21);
    expect(ks.phase).toBe(KillPhase.FLATTENING);
    // net +200_000 BTC units: sell 2 spot lots, no lower than ceil(mid - 10 bps) = 6_400_005 - 6_400
    const flat = sink.log.orders.at(-1)!;
    expect([flat.clientOrderId, flat.side, flat.type, flat.qtyLots, flat.priceTicks, flat.role]).toEqual(['x-100-0-0', 'sell', 'ioc', 2, 6_393_605, OrderRole.FLATTEN]);
    exec.onReport(NOW + 30, { ...rep(K.FILL, 0, 0, { cumQtyLots: 2, lastQtyLots: 2, lastPriceTicks: 6_400_000 }), orderRef: 100 * 2 ** 20, clientOrderId: 'x-100-0-0' });
    ks.step(NOW + 30);
    expect(ks.phase).toBe(KillPhase.DONE);
    expect(positions.assetNet(BTC)).toBe(0);
    expect(sink.log.events.some((e) => e.kind === ExecEventKind.GATE_DENIED)).toBe(false);
  });

  it("flatten 'all' closes every position; 'none' stops after the cancels", () => {
    const { exec, risk, positions, market, sink } = wired();
    positions.applyFill(SPOT, 'buy', 5, 6_400_000);
    positions.applyFill(PERP, 'sell', 5, 640_500);
    let nextId = 200;
    const ks = new KillSwitch(risk, exec, positions, market, { cancelAllOnVenue: () => {} }, { venues: [0, 1], flatten: 'all', bandBps: 10, maxAttempts: 2, windowUs: 5_000_000, nextJobId: () => nextId++ });
    ks.engage(NOW);
    expect(ks.phase).toBe(KillPhase.FLATTENING);
    expect(sink.log.orders.map((o) => [o.clientOrderId, o.side, o.qtyLots, o.reduceOnly])).toEqual([
      ['x-200-0-0', 'sell', 5, false],
      ['x-201-0-0', 'buy', 5, true],
    ]);
    const b = wired();
    const ks2 = new KillSwitch(b.risk, b.exec, b.positions, b.market, { cancelAllOnVenue: () => {} }, { venues: [0, 1], flatten: 'none', bandBps: 10, maxAttempts: 2, windowUs: 5_000_000, nextJobId: () => 1 });
    ks2.engage(NOW);
    expect(ks2.phase).toBe(KillPhase.DONE);
  });
});
