// Two-leg execution, leader-follower mode (leader = leg 1, the perp sell; follower = leg 0, the
// spot buy), plus kill-switch flatten jobs, the risk gate and the leader choice. Same fixture as
// the concurrent tests (exec-helpers.ts): follower hedges are IOC at min(ask + 5, ref + 20) =
// 6_400_015 while the spot ask is 6_400_010.
import { describe, expect, it } from 'vitest';
import { ComboState, ExecEventKind, FailureKind, OrderRole, OrderStatus, Reason, chooseLeader, type OrderGate } from '../../src/core/execution.js';
import { COMBO, K, O, PERP, SPOT, commandLog, comboReq, rep, rule, sentIds, setup } from './exec-helpers.js';

const LF = { mode: 'leader_follower', leader: 1 } as const;

describe('leader-follower mode', () => {
  it('sends the leader first and hedges each fill as it arrives; an under-filled leader is fine', () => {
    const { exec, sink } = setup();
    const c = exec.start(0, comboReq(LF));
    expect(commandLog(sink)).toEqual(['new x-7-1-0 sell ioc 10@640499']);
    exec.onReport(10, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 640_500, leavesQtyLots: 4 }));
    expect(commandLog(sink)).toEqual(['new x-7-1-0 sell ioc 10@640499', 'new x-7-0-0 buy ioc 6@6400015']);
    expect(sink.orders[1]!.role).toBe(OrderRole.HEDGE);
    exec.onReport(11, rep(K.CANCELLED, 1, 0, { reason: Reason.EXPIRED, cumQtyLots: 6 }));
    expect(c.state).toBe(ComboState.OPENING);
    exec.onReport(20, rep(K.FILL, 0, 0, { cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 6_400_010 }));
    expect(c.state).toBe(ComboState.DONE);
    expect([c.legs[0].netLots, c.legs[1].netLots]).toEqual([6, 6]);
  });

  it('never has two live orders on the follower: later leader fills wait for the running hedge', () => {
    const { exec, sink } = setup({ policy: { leaderOrderType: 'limit' } });
    const c = exec.start(0, comboReq(LF));
    exec.onReport(5, rep(K.ACK, 1, 0));
    exec.onReport(10, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 3, lastQtyLots: 3, lastPriceTicks: 640_500, leavesQtyLots: 7 }));
    exec.onReport(11, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 7, lastQtyLots: 4, lastPriceTicks: 640_500, leavesQtyLots: 3 }));
    expect(commandLog(sink)).toEqual(['new x-7-1-0 sell limit 10@640500', 'new x-7-0-0 buy ioc 3@6400015']);
    exec.onReport(12, rep(K.FILL, 0, 0, { cumQtyLots: 3, lastQtyLots: 3, lastPriceTicks: 6_400_010 }));
    expect(commandLog(sink).at(-1)).toBe('new x-7-0-1 buy ioc 4@6400015');
    exec.onReport(13, rep(K.FILL, 1, 0, { cumQtyLots: 10, lastQtyLots: 3, lastPriceTicks: 640_500 }));
    exec.onReport(14, rep(K.FILL, 0, 1, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 6_400_010 }));
    expect(commandLog(sink).at(-1)).toBe('new x-7-0-2 buy ioc 3@6400015');
    exec.onReport(15, rep(K.FILL, 0, 2, { cumQtyLots: 3, lastQtyLots: 3, lastPriceTicks: 6_400_010 }));
    expect(c.state).toBe(ComboState.DONE);
    expect([c.legs[0].netLots, c.legs[1].netLots]).toEqual([10, 10]);
  });

  it('late fill after cancel: a resting leader is cancelled at expiry, fills that race the cancel are hedged', () => {
    const { exec, sink } = setup({ policy: { leaderOrderType: 'limit', leaderRestUs: 3_000_000 } });
    const c = exec.start(0, comboReq(LF));
    exec.onReport(5, rep(K.ACK, 1, 0));
    exec.onReport(10, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 2, lastQtyLots: 2, lastPriceTicks: 640_500, leavesQtyLots: 8 }));
    exec.onReport(20, rep(K.FILL, 0, 0, { cumQtyLots: 2, lastQtyLots: 2, lastPriceTicks: 6_400_010 }));
    expect(exec.wakeAtUs()).toBe(3_000_000);
    exec.onTimer(3_000_000);
    expect(commandLog(sink).at(-1)).toBe('cancel x-7-1-0');
    // a fill that was already on its way
    exec.onReport(3_000_100, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 5, lastQtyLots: 3, lastPriceTicks: 640_500, leavesQtyLots: 5 }));
    expect(commandLog(sink).at(-1)).toBe('new x-7-0-1 buy ioc 3@6400015');
    exec.onReport(3_000_200, rep(K.CANCELLED, 1, 0, { origin: O.CANCEL, reason: Reason.CANCELLED_BY_ENGINE, cumQtyLots: 5 }));
    exec.onReport(3_000_300, rep(K.FILL, 0, 1, { cumQtyLots: 3, lastQtyLots: 3, lastPriceTicks: 6_400_010 }));
    expect(c.state).toBe(ComboState.DONE);
    expect([c.legs[0].netLots, c.legs[1].netLots]).toEqual([5, 5]);
    // a fill reported after the venue said cancelled (re-ordered streams): applied, never dropped;
    // the DONE combo reopens and hedges it
    exec.onReport(3_000_400, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 6, lastQtyLots: 1, lastPriceTicks: 640_500 }));
    expect(sink.events.some((e) => e.kind === ExecEventKind.LATE_FILL && e.qtyLots === 1)).toBe(true);
    expect(c.state).toBe(ComboState.REPAIRING);
    expect(commandLog(sink).at(-1)).toBe('new x-7-0-2 buy ioc 1@6400015');
    exec.onReport(3_000_500, rep(K.FILL, 0, 2, { cumQtyLots: 1, lastQtyLots: 1, lastPriceTicks: 6_400_010 }));
    expect(c.state).toBe(ComboState.DONE);
    expect([c.legs[0].netLots, c.legs[1].netLots]).toEqual([6, 6]);
    expect(new Set(sentIds(sink)).size).toBe(sentIds(sink).length);
  });

  it('post-only bounce: the leader re-quotes at the passive top with a new client id', () => {
    const { exec, sink } = setup({ policy: { leaderOrderType: 'post_only' } });
    const c = exec.start(0, comboReq(LF));
    expect(commandLog(sink)).toEqual(['new x-7-1-0 sell post_only 10@640500']);
    exec.onReport(10, rep(K.REJECT, 1, 0, { reason: Reason.POST_ONLY_WOULD_TAKE }));
    // sell: join the ask 640_501 (never below ref - band = 640_498)
    expect(commandLog(sink).at(-1)).toBe('new x-7-1-1 sell post_only 10@640501');
    exec.onReport(20, rep(K.FILL, 1, 1, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 640_501 }));
    expect(commandLog(sink).at(-1)).toBe('new x-7-0-0 buy ioc 10@6400015');
    exec.onReport(30, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    expect(c.state).toBe(ComboState.DONE);
  });

  it('post-only bounce reported as an expiry (GTX), up to maxAttempts re-quotes, then gives up balanced', () => {
    const { exec, sink } = setup({ policy: { leaderOrderType: 'post_only' } });
    const c = exec.start(0, comboReq(LF));
    for (let a = 0; a < 3; a++) exec.onReport(10 + a, rep(K.CANCELLED, 1, a, { reason: Reason.POST_ONLY_WOULD_TAKE }));
    expect(commandLog(sink)).toEqual(['new x-7-1-0 sell post_only 10@640500', 'new x-7-1-1 sell post_only 10@640501', 'new x-7-1-2 sell post_only 10@640501']);
    expect(c.state).toBe(ComboState.DONE);
    expect(c.legs[1].lastFailure).toBe(FailureKind.POST_ONLY_BOUNCE);
  });

  it("post-only bounce with postOnlyReprice 'cross' takes liquidity with an IOC; action 'unwind' gives up", () => {
    const a = setup({ policy: { leaderOrderType: 'post_only', postOnlyReprice: 'cross' } });
    a.exec.start(0, comboReq(LF));
    a.exec.onReport(10, rep(K.REJECT, 1, 0, { reason: Reason.POST_ONLY_WOULD_TAKE }));
    expect(commandLog(a.sink).at(-1)).toBe('new x-7-1-1 sell ioc 10@640499');
    const b = setup({ policy: { leaderOrderType: 'post_only', postOnlyBounce: rule({ action: 'unwind' }) } });
    const c = b.exec.start(0, comboReq(LF));
    b.exec.onReport(10, rep(K.REJECT, 1, 0, { reason: Reason.POST_ONLY_WOULD_TAKE }));
    expect(b.sink.orders).toHaveLength(1);
    expect(c.state).toBe(ComboState.DONE);
  });

  it('a follower reject stops hedging: the leader is cancelled, then the follower is replenished', () => {
    const { exec, sink } = setup({ policy: { leaderOrderType: 'limit' } });
    const c = exec.start(0, comboReq(LF));
    exec.onReport(10, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 640_500, leavesQtyLots: 6 }));
    exec.onReport(20, rep(K.REJECT, 0, 0, { reason: Reason.RATE_LIMITED }));
    expect(c.hedgingStopped).toBe(true);
    expect(commandLog(sink)).toEqual(['new x-7-1-0 sell limit 10@640500', 'new x-7-0-0 buy ioc 4@6400015', 'cancel x-7-1-0']);
    exec.onReport(30, rep(K.CANCELLED, 1, 0, { origin: O.CANCEL, reason: Reason.CANCELLED_BY_ENGINE, cumQtyLots: 4 }));
    expect(c.state).toBe(ComboState.REPAIRING);
    expect(c.repairFailure).toBe(FailureKind.REJECT);
    expect(commandLog(sink).at(-1)).toBe('new x-7-0-1 buy ioc 4@6400015');
    exec.onReport(40, rep(K.FILL, 0, 1, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 6_400_010 }));
    expect(c.state).toBe(ComboState.DONE);
    expect([c.legs[0].netLots, c.legs[1].netLots]).toEqual([4, 4]);
  });

  it('a follower of unknown outcome blocks further hedges until the query answers', () => {
    const { exec, sink } = setup({ policy: { leaderOrderType: 'limit', settleUs: 1_000_000 } });
    const c = exec.start(0, comboReq(LF));
    exec.onReport(10, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 640_500, leavesQtyLots: 6 }));
    exec.onReport(20, rep(K.OUTCOME_UNKNOWN, 0, 0, { reason: Reason.VENUE_SERVER_ERROR }));
    exec.onReport(30, rep(K.FILL, 1, 0, { cumQtyLots: 10, lastQtyLots: 6, lastPriceTicks: 640_500 }));
    expect(commandLog(sink)).toEqual(['new x-7-1-0 sell limit 10@640500', 'new x-7-0-0 buy ioc 4@6400015', 'query x-7-0-0']);
    // found: it had filled 4 -> hedge the remaining 6 with a new id
    exec.onReport(40, rep(K.FILL, 0, 0, { origin: O.QUERY, cumQtyLots: 4, avgPriceTicks: 6_400_010 }));
    expect(commandLog(sink).at(-1)).toBe('new x-7-0-1 buy ioc 6@6400015');
    exec.onReport(50, rep(K.FILL, 0, 1, { cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 6_400_010 }));
    expect(c.state).toBe(ComboState.DONE);
  });

  it('a follower not found after the settle window is a failure: leader cancelled, follower replenished', () => {
    const { exec, sink } = setup({ policy: { leaderOrderType: 'limit', settleUs: 1_000_000 } });
    const c = exec.start(0, comboReq(LF));
    exec.onReport(10, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 640_500, leavesQtyLots: 6 }));
    exec.onReport(20, rep(K.OUTCOME_UNKNOWN, 0, 0, { reason: Reason.DISCONNECTED }));
    exec.onReport(1_000_010, rep(K.REJECT, 0, 0, { origin: O.QUERY, reason: Reason.UNKNOWN_ORDER }));
    expect(c.legs[0].orders[0]!.status).toBe(OrderStatus.NOT_FOUND);
    expect(commandLog(sink).at(-1)).toBe('cancel x-7-1-0');
    exec.onReport(1_000_020, rep(K.CANCELLED, 1, 0, { origin: O.CANCEL, cumQtyLots: 4 }));
    expect(c.repairFailure).toBe(FailureKind.UNKNOWN_NOT_FOUND);
    expect(commandLog(sink).at(-1)).toBe('new x-7-0-1 buy ioc 4@6400015');
  });

  it('no follower liquidity within the hedge band: stop, then unwind the leader fills when repair cannot price', () => {
    const { exec, sink, market } = setup({ policy: { leaderOrderType: 'limit', noPrice: rule({ windowUs: 500_000 }) } });
    const c = exec.start(0, comboReq(LF));
    market.set(SPOT, 6_400_100, 5, 6_400_110, 5, 1); // ask above ref + 20
    exec.onReport(10, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 640_500, leavesQtyLots: 6 }));
    expect(c.legs[0].lastFailure).toBe(FailureKind.NO_PRICE);
    expect(commandLog(sink)).toEqual(['new x-7-1-0 sell limit 10@640500', 'cancel x-7-1-0']);
    exec.onReport(20, rep(K.CANCELLED, 1, 0, { origin: O.CANCEL, cumQtyLots: 4 }));
    expect(c.state).toBe(ComboState.REPAIRING);
    exec.onTimer(500_020);
    expect(c.state).toBe(ComboState.UNWINDING);
    // leader sold 4 at 640_500: buy back within avg + 5 = 640_505 -> min(ask + 1, 640_505)
    expect(commandLog(sink).at(-1)).toBe('new x-7-1-1 buy ioc 4@640502');
    exec.onReport(30 + 500_000, rep(K.FILL, 1, 1, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 640_501 }));
    expect(c.state).toBe(ComboState.DONE);
    expect([c.legs[0].netLots, c.legs[1].netLots]).toEqual([0, 0]);
  });
});

describe('risk gate on follow-up orders', () => {
  it('a denied replenish sends nothing, consumes no attempt, and is retried after retryDelayUs', () => {
    let deny = 13;
    const calls: number[] = [];
    const gate: OrderGate = {
      allowOrder: (_now, role) => {
        calls.push(role);
        return deny;
      },
    };
    const { exec, sink } = setup({ gate, policy: { retryDelayUs: 50_000 } });
    const c = exec.start(0, comboReq());
    expect(calls).toEqual([]); // initial legs are checked by the caller (risk.checkCombo) before start
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(20, rep(K.REJECT, 1, 0, { reason: Reason.PRICE_OUT_OF_VENUE_BAND }));
    expect(calls).toEqual([OrderRole.REPLENISH]);
    expect(sink.events.filter((e) => e.kind === ExecEventKind.GATE_DENIED).map((e) => e.reason)).toEqual([13]);
    expect(sink.orders).toHaveLength(2);
    expect(exec.wakeAtUs()).toBe(50_020);
    deny = 0;
    exec.onTimer(50_020);
    expect(commandLog(sink).at(-1)).toBe('new x-7-1-1 sell ioc 10@640499');
    expect(c.phaseAttempts).toBe(1);
  });
});

describe('kill-switch flatten job', () => {
  it('sells the residual with reduce-only IOCs at the limit until flat', () => {
    const { exec, sink } = setup();
    const j = exec.startFlatten(0, { jobId: 9, instrument: PERP, side: 'sell', qtyLots: 5, limitTicks: 640_400, maxAttempts: 3, windowUs: 1_000_000 });
    expect(commandLog(sink)).toEqual(['new x-9-0-0 sell ioc 5@640400 ro']);
    exec.onReport(10, { ...rep(K.CANCELLED, 0, 0, { reason: Reason.EXPIRED, cumQtyLots: 3, lastQtyLots: 3, lastPriceTicks: 640_500 }), orderRef: 9 * 2 ** 20, clientOrderId: 'x-9-0-0' });
    expect(commandLog(sink).at(-1)).toBe('new x-9-0-1 sell ioc 2@640400 ro');
    exec.onReport(20, { ...rep(K.FILL, 0, 0, { cumQtyLots: 2, lastQtyLots: 2, lastPriceTicks: 640_450 }), orderRef: 9 * 2 ** 20 + 1, clientOrderId: 'x-9-0-1' });
    expect(j.state).toBe(ComboState.DONE);
    expect(exec.isQuiescent()).toBe(true);
  });

  it('waits while the book is beyond the limit and escalates when its window ends', () => {
    const { exec, sink, market } = setup();
    market.set(SPOT, 6_300_000, 5, 6_300_010, 5, 1);
    const j = exec.startFlatten(0, { jobId: 9, instrument: SPOT, side: 'sell', qtyLots: 5, limitTicks: 6_390_000, maxAttempts: 3, windowUs: 1_000_000 });
    expect(sink.orders).toHaveLength(0);
    exec.onTimer(1_000_000);
    expect(j.state).toBe(ComboState.ESCALATED);
    expect(sink.orders).toHaveLength(0);
    expect(exec.combo(COMBO)).toBeUndefined();
  });
});

describe('chooseLeader', () => {
  it('leads with the thinner book relative to the leg target, then the slower venue', () => {
    expect(chooseLeader(5, 10, 50, 10)).toBe(0);
    expect(chooseLeader(50, 10, 5, 10)).toBe(1);
    expect(chooseLeader(20, 10, 20, 10, 300, 900)).toBe(1);
    expect(chooseLeader(20, 10, 20, 10, 900, 300)).toBe(0);
  });
});
