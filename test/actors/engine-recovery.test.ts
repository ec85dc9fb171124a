// Restart recovery of the engine (src/actors/engine-recovery.ts) on the real core objects, without
// threads: a journal directory holding the two OrderSent intents of a combo that an engine sent
// before it died, a restarted recovery that queries both, learns that one leg filled and the
// other was rejected, flattens the filled leg (a position-reducing order) once its book has a top, reconciles,
// and later re-checks when a late fill arrives, waiting until no combo is in flight.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEngineModel } from '../../src/actors/engine.js';
import { EngineRecovery, RecoveryPhase } from '../../src/actors/engine-recovery.js';
import { riskConfigOf } from '../../src/config/index.js';
import { plainClientIds } from '../../src/core/client-ids.js';
import { ExecEventKind, ExecutionEngine, newExecReport, type ExecEvent, type NewOrderCmd } from '../../src/core/execution.js';
import { Reason, ReportKind, ReportOrigin, DEFAULT_EXEC_POLICY } from '../../src/core/exec-types.js';
import { TopsTable } from '../../src/core/market.js';
import { Positions, ReconcileGate } from '../../src/core/positions.js';
import type { ReconOrder } from '../../src/core/reconcile.js';
import { RiskEngine, TradingState } from '../../src/core/risk.js';
import { IntentLog } from '../../src/journal/index.js';
import { newStageTimes, OrderType, Side } from '../../src/wire/index.js';

let dir: string | null = null;
afterEach(() => {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

function setup() {
  const m = buildEngineModel(undefined, ['btc-spot-cross']);
  const pair = m.pairs[0]!;
  const ta = m.tradables.get(pair.a);
  const tb = m.tradables.get(pair.b);
  // leg sizes that hedge the same base amount (the venues' lot steps differ)
  const lotsA = 1000;
  const lotsB = (lotsA * ta.baseUnitsPerLot) / tb.baseUnitsPerLot;
  if (!Number.isInteger(lotsB)) throw new Error('test setup: legs cannot be aligned');
  dir = mkdtempSync(join(tmpdir(), 'xmc-recovery-test-'));
  // what the dead incarnation sent: combo 5, leg 0 buys on A, leg 1 sells on B (intents only)
  const log = new IntentLog({ dir, executor: 'exec-test' });
  const sent = [
    { clientOrderId: 'xmc-5-0-0', orderRef: 1, instrumentId: pair.a, venueId: ta.venue, side: Side.Buy, orderType: OrderType.Ioc, priceTicks: 6_400_000, qtyLots: 1000, comboId: 5, leg: 0, reduceOnly: false },
    { clientOrderId: 'xmc-5-1-0', orderRef: 2, instrumentId: pair.b, venueId: tb.venue, side: Side.Sell, orderType: OrderType.Ioc, priceTicks: 640_000, qtyLots: lotsB, comboId: 5, leg: 1, reduceOnly: false },
  ];
  for (const o of sent) log.recordIntent(o, newStageTimes());
  log.close();

  const tops = new TopsTable(m.tradables.size);
  const positions = new Positions(m.tradables, 8, m.config.venues.length);
  const risk = new RiskEngine(m.tradables, tops, positions, riskConfigOf(m.config, m.tradables), { event: () => {} });
  const orders: NewOrderCmd[] = [];
  const queries: string[] = [];
  const cancels: string[] = [];
  const notes: string[] = [];
  let nextId = 100;
  let recovery: EngineRecovery;
  const exec = new ExecutionEngine({
    instruments: m.tradables,
    market: tops,
    clientIds: () => plainClientIds('t'),
    gate: risk,
    assetCount: 8,
    sink: {
      newOrder: (c) => orders.push({ ...c }),
      cancel: () => {},
      query: () => {},
      event(ev: Readonly<ExecEvent>) {
        if (ev.kind === ExecEventKind.FILL) positions.applyExecFill(ev);
        if (ev.kind === ExecEventKind.STATE) recovery.onJobState(ev.nowUs, ev.comboId, ev.state === 5 || ev.state === 6, ev.state === 5);
      },
    },
  });
  const gate = new ReconcileGate(m.tradables, [ta.venue, tb.venue], [{ pairId: 0, a: pair.a, b: pair.b }]);
  let reconciledCalls = 0;
  let refreshes = 0;
  const balances = { pending: [] as number[] };
  recovery = new EngineRecovery({
    journalDir: dir,
    journalBacklogBytes: () => 0,
    drainTimeoutUs: 1_000_000,
    positions,
    market: tops,
    risk,
    exec,
    gate,
    venues: [ta.venue, tb.venue],
    policy: { ...DEFAULT_EXEC_POLICY, settleUs: 0 },
    balancesPending: () => balances.pending,
    refreshBalances: () => refreshes++,
    balanceRetryUs: 2_000_000,
    query: (o: Readonly<ReconOrder>) => queries.push(o.clientOrderId),
    cancel: (o: Readonly<ReconOrder>) => cancels.push(o.clientOrderId),
    note: (t) => notes.push(t),
    pairFill: () => {},
    comboLegs: () => {},
    nextJobId: () => nextId++,
    reconciled: () => reconciledCalls++,
  });
  const report = (kind: number, cum: number, over: Partial<ReturnType<typeof newExecReport>> = {}) =>
    Object.assign(newExecReport(), { kind, origin: ReportOrigin.QUERY, cumQtyLots: cum, lastPriceTicks: 0, ...over });
  const top = (i: number, bid: number, ask: number) => tops.set(i, bid, 5000, ask, 5000, 1, 0, true);
  return { m, pair, ta, tb, lotsA, lotsB, positions, risk, exec, recovery, orders, queries, cancels, notes, report, top, reconciled: () => reconciledCalls, balances, refreshes: () => refreshes };
}

describe('engine restart recovery', () => {
  it('queries the dead incarnation\'s orders, flattens the filled leg of a half-failed combo, then reconciles', () => {
    const t = setup();
    expect(t.risk.state).toBe(TradingState.REDUCING);
    t.recovery.begin(1_000);
    expect(t.recovery.phase).toBe(RecoveryPhase.QUERY);
    expect(t.queries.sort()).toEqual(['xmc-5-0-0', 'xmc-5-1-0']);
    expect(t.notes.some((n) => n.startsWith('recovery: journal read') && n.includes('2 orders not final'))).toBe(true);
    // a report of an order the recovery does not hold is not its business
    expect(t.recovery.onReport(2_000, t.ta.venue, 'someone-else', t.report(ReportKind.FILL, 1))).toBe(false);
    // leg A filled, leg B rejected by the venue
    expect(t.recovery.onReport(2_000, t.ta.venue, 'xmc-5-0-0', t.report(ReportKind.FILL, 1000, { avgPriceTicks: 6_400_000 }))).toBe(true);
    expect(t.positions.lots(t.pair.a)).toBe(1000);
    t.recovery.onReport(3_000, t.tb.venue, 'xmc-5-1-0', t.report(ReportKind.REJECT, 0, { reason: Reason.INSUFFICIENT_BALANCE, origin: ReportOrigin.STREAM }));
    // unbalanced: repair planned, waits for a top on A
    expect(t.recovery.phase).toBe(RecoveryPhase.REPAIR);
    expect(t.orders).toHaveLength(0);
    expect(t.recovery.poll(4_000)).toBe(0);
    t.top(t.pair.a, 6_399_000, 6_401_000);
    expect(t.recovery.poll(5_000)).toBe(1);
    expect(t.orders).toHaveLength(1);
    const fl = t.orders[0]!;
    expect(fl).toMatchObject({ instrument: t.pair.a, side: 'sell', qtyLots: 1000 });
    expect(fl.priceTicks).toBeLessThan(6_400_000); // within the unwind band below the mid
    expect(t.risk.state).toBe(TradingState.REDUCING);
    // the flatten fills: balanced, reconciled, ACTIVE
    t.exec.onReport(6_000, Object.assign(newExecReport(), { kind: ReportKind.FILL, clientOrderId: fl.clientOrderId, orderRef: fl.orderRef, cumQtyLots: 1000, lastQtyLots: 1000, lastPriceTicks: 6_399_000 }));
    expect(t.positions.lots(t.pair.a)).toBe(0);
    expect(t.recovery.phase).toBe(RecoveryPhase.DONE);
    expect(t.reconciled()).toBe(1);
    expect(t.risk.state).toBe(TradingState.ACTIVE);
    expect(t.notes.findIndex((n) => n.startsWith('recovery: reconciled'))).toBeGreaterThan(t.notes.findIndex((n) => n.startsWith('recovery: flatten job')));
  });

  it('does not reconcile before every venue\'s balances are known, and asks for them again while waiting', () => {
    const t = setup();
    t.balances.pending = [t.tb.venue];
    t.recovery.begin(1_000);
    expect(t.refreshes()).toBe(1); // asked at once, in parallel with the journal read and queries
    t.recovery.onReport(2_000, t.ta.venue, 'xmc-5-0-0', t.report(ReportKind.FILL, 1000, { avgPriceTicks: 6_400_000 }));
    t.recovery.onReport(2_000, t.tb.venue, 'xmc-5-1-0', t.report(ReportKind.FILL, t.lotsB, { avgPriceTicks: 640_000 }));
    // balanced, but venue B's balances are unknown: not reconciled, still REDUCING
    expect(t.recovery.phase).toBe(RecoveryPhase.BALANCES);
    expect(t.recovery.active).toBe(true);
    expect(t.risk.state).toBe(TradingState.REDUCING);
    expect(t.reconciled()).toBe(0);
    expect(t.notes.some((n) => n.includes(`waiting for the balances of venues ${t.tb.venue}`))).toBe(true);
    // the retry is due 2 s after the last ask
    expect(t.recovery.wakeAtUs()).toBe(1_000 + 2_000_000);
    expect(t.recovery.poll(1_500_000)).toBe(0);
    expect(t.refreshes()).toBe(1);
    expect(t.recovery.poll(2_001_000)).toBe(1);
    expect(t.refreshes()).toBe(2);
    // a snapshot that leaves another venue pending changes nothing
    t.balances.pending = [t.ta.venue];
    t.recovery.onBalances(2_500_000);
    expect(t.recovery.phase).toBe(RecoveryPhase.BALANCES);
    // the last one arrives: reconciled, ACTIVE
    t.balances.pending = [];
    t.recovery.onBalances(2_600_000);
    expect(t.recovery.phase).toBe(RecoveryPhase.DONE);
    expect(t.reconciled()).toBe(1);
    expect(t.risk.state).toBe(TradingState.ACTIVE);
    expect(t.notes.at(-1)).toMatch(/every venue's balances known: reconciled/);
  });

  it('a late fill after reconciliation is checked again, only once no combo is in flight', () => {
    const t = setup();
    t.recovery.begin(1_000);
    t.recovery.onReport(2_000, t.ta.venue, 'xmc-5-0-0', t.report(ReportKind.FILL, 1000, { avgPriceTicks: 6_400_000 }));
    t.recovery.onReport(2_000, t.tb.venue, 'xmc-5-1-0', t.report(ReportKind.FILL, t.lotsB, { avgPriceTicks: 640_000 }));
    expect(t.recovery.phase).toBe(RecoveryPhase.DONE); // both legs filled: balanced at once
    expect(t.risk.state).toBe(TradingState.ACTIVE);
    // a combo of the new incarnation is in flight when a late fill of the old leg B shows up
    t.top(t.pair.a, 6_399_000, 6_401_000);
    t.top(t.pair.b, 639_900, 640_100);
    t.exec.startFlatten(3_000, { jobId: 50, instrument: t.pair.a, side: 'sell', qtyLots: 10, limitTicks: 6_390_000, maxAttempts: 1, windowUs: 1_000_000 });
    expect(t.exec.isQuiescent()).toBe(false);
    t.recovery.onReport(4_000, t.tb.venue, 'xmc-5-1-0', t.report(ReportKind.FILL, t.lotsB * 1.5, { origin: ReportOrigin.STREAM, lastPriceTicks: 640_000 }));
    expect(t.positions.lots(t.pair.b)).toBe(-t.lotsB * 1.5);
    expect(t.recovery.active).toBe(true); // a re-check is pending...
    expect(t.recovery.poll(5_000)).toBe(0); // ...but not while the job is in flight
    expect(t.recovery.phase).toBe(RecoveryPhase.DONE);
    const job = t.orders.at(-1)!;
    t.exec.onReport(6_000, Object.assign(newExecReport(), { kind: ReportKind.CANCELLED, clientOrderId: job.clientOrderId, orderRef: job.orderRef, cumQtyLots: 0 }));
    expect(t.exec.isQuiescent()).toBe(true);
    expect(t.recovery.poll(7_000)).toBe(1);
    // half a leg short on B now: the repair buys it back
    expect(t.recovery.phase).toBe(RecoveryPhase.REPAIR);
    expect(t.risk.state).toBe(TradingState.REDUCING);
    expect(t.orders.at(-1)).toMatchObject({ instrument: t.pair.b, side: 'buy', qtyLots: t.lotsB / 2 });
  });
});
