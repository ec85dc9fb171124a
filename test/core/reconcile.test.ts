// Restart reconciliation (core/reconcile.ts): which orders are queried, cancelled, retried and
// settled, fills counted once as cumulative increases, the settle window for "unknown order",
// and the excess trades that bring a group of hedged instruments back to net flat.
import { describe, expect, it } from 'vitest';
import { excessTrades, ReconStep, RestartReconciler, type ReconOrder, type ReconOrderInit, type ReconReport } from '../../src/core/reconcile.js';
import { Reason, ReportKind, ReportOrigin } from '../../src/core/exec-types.js';

const order = (cid: string, over: Partial<ReconOrderInit> = {}): ReconOrderInit => ({
  venue: 0, clientOrderId: cid, instrument: 0, side: 'buy', comboId: 7, leg: 0, orderRef: 1, qtyLots: 10, priceTicks: 100,
  sentWallUs: 1_000_000, cumQtyLots: 0, final: false, ...over,
});
const report = (kind: number, over: Partial<ReconReport> = {}): ReconReport => ({
  kind, origin: ReportOrigin.QUERY, reason: Reason.NONE, cumQtyLots: 0, leavesQtyLots: 0, lastPriceTicks: 0, avgPriceTicks: 0, ...over,
});

function setup(init: ReconOrderInit[], wall = { us: 100_000_000 }) {
  const sent: string[] = [];
  const rc = new RestartReconciler(init, {
    query: (o: Readonly<ReconOrder>) => sent.push(`query ${o.venue}/${o.clientOrderId}`),
    cancel: (o: Readonly<ReconOrder>) => sent.push(`cancel ${o.venue}/${o.clientOrderId}`),
  }, { retryUs: 1_000_000, settleUs: 5_000_000, wallNowUs: () => wall.us });
  return { rc, sent, wall };
}

describe('RestartReconciler', () => {
  it('queries only the orders that are not final in the journal, and is settled when none is left', () => {
    const { rc, sent } = setup([order('a', { final: true, cumQtyLots: 10 }), order('b'), order('c', { venue: 1 })]);
    expect(rc.settled).toBe(false);
    rc.start(0);
    expect(sent).toEqual(['query 0/b', 'query 1/c']);
    expect(rc.onReport(1, 9, 'b', report(ReportKind.FILL)).known).toBe(false); // other venue: not ours
    const f = rc.onReport(1, 0, 'b', report(ReportKind.FILL, { cumQtyLots: 10, avgPriceTicks: 101 }));
    expect(f).toMatchObject({ known: true, lots: 10, priceTicks: 101 });
    expect(rc.settled).toBe(false);
    rc.onReport(2, 1, 'c', report(ReportKind.REJECT, { reason: Reason.INSUFFICIENT_BALANCE, origin: ReportOrigin.STREAM }));
    expect(rc.settled).toBe(true);
    expect([...rc.all()].map((o) => o.outcome)).toEqual(['journal', 'filled', 'rejected']);
    expect(new Set([...rc.all()].map((o) => o.step))).toEqual(new Set([ReconStep.FINAL]));
  });

  it('counts a fill once: repeated and re-ordered answers add only the cumulative increase, late fills still count', () => {
    const { rc } = setup([order('a', { cumQtyLots: 3 })]);
    rc.start(0);
    expect(rc.onReport(1, 0, 'a', report(ReportKind.PARTIAL_FILL, { cumQtyLots: 3, leavesQtyLots: 7 })).lots).toBe(0); // already in the journal
    expect(rc.onReport(2, 0, 'a', report(ReportKind.PARTIAL_FILL, { cumQtyLots: 6, leavesQtyLots: 4, lastPriceTicks: 99 }))).toMatchObject({ lots: 3, priceTicks: 99 });
    expect(rc.onReport(3, 0, 'a', report(ReportKind.PARTIAL_FILL, { cumQtyLots: 5, leavesQtyLots: 5 })).lots).toBe(0); // older answer
    expect(rc.onReport(4, 0, 'a', report(ReportKind.FILL, { cumQtyLots: 10 })).lots).toBe(4);
    expect(rc.settled).toBe(true);
    expect(rc.onReport(5, 0, 'a', report(ReportKind.FILL, { cumQtyLots: 10 })).lots).toBe(0);
  });

  it('cancels an order the venue reports open, and settles on the cancel (its partial fill counted)', () => {
    const { rc, sent } = setup([order('a')]);
    rc.start(0);
    rc.onReport(1, 0, 'a', report(ReportKind.PARTIAL_FILL, { cumQtyLots: 4, leavesQtyLots: 6 }));
    expect(sent).toEqual(['query 0/a', 'cancel 0/a']);
    rc.onReport(2, 0, 'a', report(ReportKind.ACK)); // still open: no second cancel while cancelling
    expect(sent.length).toBe(2);
    rc.onReport(3, 0, 'a', report(ReportKind.CANCELLED, { origin: ReportOrigin.CANCEL, cumQtyLots: 4 }));
    expect(rc.settled).toBe(true);
    expect([...rc.all()][0]!.outcome).toBe('cancelled');
  });

  it('a cancel that finds nothing open asks again what happened', () => {
    const { rc, sent } = setup([order('a')]);
    rc.start(0);
    rc.onReport(1, 0, 'a', report(ReportKind.ACK, { leavesQtyLots: 10 }));
    rc.onReport(2, 0, 'a', report(ReportKind.REJECT, { origin: ReportOrigin.CANCEL, reason: Reason.UNKNOWN_ORDER }));
    expect(sent).toEqual(['query 0/a', 'cancel 0/a', 'query 0/a']);
    expect(rc.settled).toBe(false);
  });

  it('"unknown order" is conclusive only after the settle window since the send', () => {
    const wall = { us: 2_000_000 }; // 1 s after the send (sentWallUs 1 s), settle 5 s
    const { rc, sent } = setup([order('a')], wall);
    rc.start(0);
    rc.onReport(10, 0, 'a', report(ReportKind.REJECT, { reason: Reason.UNKNOWN_ORDER }));
    expect(rc.settled).toBe(false);
    expect(rc.wakeAtUs()).toBe(10 + 4_000_000); // queried again when the window has passed
    rc.onTimer(4_000_009);
    expect(sent).toEqual(['query 0/a']);
    wall.us = 6_000_010;
    rc.onTimer(4_000_010);
    expect(sent).toEqual(['query 0/a', 'query 0/a']);
    rc.onReport(4_000_020, 0, 'a', report(ReportKind.REJECT, { reason: Reason.UNKNOWN_ORDER }));
    expect(rc.settled).toBe(true);
    expect([...rc.all()][0]!.outcome).toBe('not found');
  });

  it('retries a query that failed (outcome unknown) or got no answer', () => {
    const { rc, sent } = setup([order('a')]);
    rc.start(0);
    rc.onReport(5, 0, 'a', report(ReportKind.OUTCOME_UNKNOWN, { reason: Reason.TIMEOUT }));
    rc.onTimer(999_999);
    expect(sent.length).toBe(1);
    rc.onTimer(1_000_000); // retryUs after the first query
    expect(sent.length).toBe(2);
    rc.onTimer(2_000_000); // no answer to the second: again
    expect(sent.length).toBe(3);
    expect(rc.wakeAtUs()).toBe(3_000_000);
  });

  it('refuses the same order twice', () => {
    expect(() => setup([order('a'), order('a')])).toThrow(/given twice/);
  });
});

describe('excessTrades', () => {
  // positions in base units: lots x units per lot (A: 1 unit per lot, B: 10 units per lot)
  const pos = (lots: Record<number, number>, per: Record<number, number>) => ({
    lots: (i: number) => lots[i] ?? 0,
    positionUnits: (i: number) => (lots[i] ?? 0) * (per[i] ?? 1),
  });

  it('takes the net back through the holder with the same sign, never beyond its position', () => {
    // long 35 units on A, short 20 units on B: net +15 -> sell 15 lots of A
    expect(excessTrades(pos({ 0: 35, 1: -2 }, { 0: 1, 1: 10 }), [0, 1])).toEqual([{ instrument: 0, side: 'sell', lots: 15 }]);
    // short side ahead: net -20 -> buy 2 lots of B
    expect(excessTrades(pos({ 0: 10, 1: -3 }, { 0: 1, 1: 10 }), [0, 1])).toEqual([{ instrument: 1, side: 'buy', lots: 2 }]);
    // one leg filled, the other never: all of it
    expect(excessTrades(pos({ 0: 0, 1: -3 }, { 0: 1, 1: 10 }), [0, 1])).toEqual([{ instrument: 1, side: 'buy', lots: 3 }]);
  });

  it('largest holder first across three instruments; whole lots leave the smallest residual', () => {
    expect(excessTrades(pos({ 0: 12, 1: 3, 2: -1 }, { 0: 1, 1: 10, 2: 10 }), [0, 1, 2])).toEqual([
      { instrument: 1, side: 'sell', lots: 3 },
      { instrument: 0, side: 'sell', lots: 2 },
    ]);
    // net -6: one lot of B (10) leaves +4, closer to flat than -6
    expect(excessTrades(pos({ 0: 4, 1: -1 }, { 0: 1, 1: 10 }), [0, 1])).toEqual([{ instrument: 1, side: 'buy', lots: 1 }]);
    // net -3: a lot of B would leave +7, so nothing is traded
    expect(excessTrades(pos({ 0: 7, 1: -1 }, { 0: 1, 1: 10 }), [0, 1])).toEqual([]);
    expect(excessTrades(pos({ 0: 0, 1: 0 }, {}), [0, 1])).toEqual([]);
  });
});
