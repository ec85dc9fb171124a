// Two-leg execution, concurrent mode: every failure kind, the exact commands emitted, and the
// final balance. Fixture: buy 10 spot lots (venue 0, ref 6_400_010, slip 5, band 20 ticks, unwind
// band 50 ticks) against sell 10 perp contracts (venue 1, ref 640_500, slip 1, band 2, unwind
// band 5); both lots are 100_000 BTC units. Books: spot 6_400_000 / 6_400_010, perp 640_500 /
// 640_501. (Bands are configured in bps; see exec-helpers.ts for the tick values.)
import { describe, expect, it } from 'vitest';
import { ComboState, Escalation, ExecEventKind, FailureKind, OrderStatus, Reason } from '../../src/core/execution.js';
import { COARSE, COMBO, K, O, PERP, SPOT, UNWIND_BPS, cid, commandLog, comboReq, rep, rule, sentIds, setup } from './exec-helpers.js';

const OPEN_CMDS = ['new x-7-0-0 buy ioc 10@6400015', 'new x-7-1-0 sell ioc 10@640499'];

describe('concurrent mode', () => {
  it('sends both legs as IOC at ref +- slippage and ends DONE when both fill', () => {
    const { exec, sink } = setup();
    const c = exec.start(1_000, comboReq());
    expect(commandLog(sink)).toEqual(OPEN_CMDS);
    expect(sink.orders.map((o) => o.orderRef)).toEqual([7 * 2 ** 20, 7 * 2 ** 20 + 2 ** 16]);
    exec.onReport(1_500, rep(K.ACK, 0, 0));
    exec.onReport(1_600, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    expect(c.state).toBe(ComboState.OPENING);
    expect(exec.assetExposure(0)).toBe(1_000_000); // 10 lots x 100_000 units long, unhedged
    exec.onReport(1_700, rep(K.FILL, 1, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 640_500 }));
    expect(c.state).toBe(ComboState.DONE);
    expect(c.imbalanceUnits()).toBe(0);
    expect(exec.assetExposure(0)).toBe(0);
    // exposure x time: 1_000_000 units for 100 µs
    expect(exec.unhedgedUnitsUs(0, 5_000)).toBe(100_000_000);
    expect(c.unhedgedUnitsUs).toBe(100_000_000);
    expect(commandLog(sink)).toEqual(OPEN_CMDS);
    expect(exec.wakeAtUs()).toBe(Infinity);
    expect(exec.activeCount()).toBe(0);
  });

  it('counts fills from cumQty only: duplicates and re-ordered reports never double count', () => {
    const { exec, sink } = setup();
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.PARTIAL_FILL, 0, 0, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 6_400_010, leavesQtyLots: 6 }));
    exec.onReport(11, rep(K.PARTIAL_FILL, 0, 0, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 6_400_010, leavesQtyLots: 6 }));
    exec.onReport(12, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 6, lastPriceTicks: 6_400_012 }));
    exec.onReport(13, rep(K.PARTIAL_FILL, 0, 0, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 6_400_010 })); // stale, after final
    expect(c.legs[0].netLots).toBe(10);
    expect(c.legs[0].legCostTickLots).toBe(4 * 6_400_010 + 6 * 6_400_012);
    const fills = sink.events.filter((e) => e.kind === ExecEventKind.FILL);
    expect(fills.map((f) => [f.qtyLots, f.priceTicks])).toEqual([[4, 6_400_010], [6, 6_400_012]]);
    expect(sink.events.filter((e) => e.kind === ExecEventKind.IGNORED)).toHaveLength(1);
  });

  it('reject (retryable reason): replenishes the lagging leg with a new client id within its band', () => {
    const { exec, sink } = setup();
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(20, rep(K.REJECT, 1, 0, { reason: Reason.PRICE_OUT_OF_VENUE_BAND }));
    expect(c.state).toBe(ComboState.REPAIRING);
    expect(c.repairFailure).toBe(FailureKind.REJECT);
    // bid 640_500, bound 640_500 - 2 = 640_498: max(640_500 - 1, 640_498)
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'new x-7-1-1 sell ioc 10@640499']);
    exec.onReport(30, rep(K.FILL, 1, 1, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 640_500 }));
    expect(c.state).toBe(ComboState.DONE);
    expect([c.legs[0].netLots, c.legs[1].netLots]).toEqual([10, 10]);
  });

  it('reject (hard reason, insufficient balance): no replenish, unwinds the filled leg', () => {
    const { exec, sink } = setup();
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(20, rep(K.REJECT, 1, 0, { reason: Reason.INSUFFICIENT_BALANCE }));
    expect(c.state).toBe(ComboState.UNWINDING);
    // avg fill 6_400_010, bound ceil(6_400_010 - 50) = 6_399_960; bid 6_400_000: max(6_399_995, 6_399_960)
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'new x-7-0-1 sell ioc 10@6399995']);
    exec.onReport(30, rep(K.FILL, 0, 1, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_399_999 }));
    expect(c.state).toBe(ComboState.DONE);
    expect([c.legs[0].netLots, c.legs[1].netLots]).toEqual([0, 0]);
    expect(exec.assetExposure(0)).toBe(0);
  });

  it('outcome unknown resolved as filled: queried by client id, never re-sent', () => {
    const { exec, sink } = setup();
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(20, rep(K.OUTCOME_UNKNOWN, 1, 0, { reason: Reason.TIMEOUT }));
    expect(c.legs[1].last!.status).toBe(OrderStatus.UNKNOWN);
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'query x-7-1-0']);
    // no answer within queryRetryUs (1 s): the same query again (safe to repeat), still no new order
    exec.onTimer(1_000_020);
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'query x-7-1-0', 'query x-7-1-0']);
    exec.onReport(1_000_100, rep(K.FILL, 1, 0, { origin: O.QUERY, cumQtyLots: 10, avgPriceTicks: 640_500 }));
    expect(c.state).toBe(ComboState.DONE);
    expect(c.legs[1].netLots).toBe(10);
    expect(sink.orders).toHaveLength(2);
  });

  it('outcome unknown resolved as not found: re-sent with a NEW client id only after the settle window', () => {
    const { exec, sink } = setup({ policy: { settleUs: 5_000_000 } });
    const c = exec.start(1_000, comboReq());
    exec.onReport(2_000, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(3_000, rep(K.OUTCOME_UNKNOWN, 1, 0, { reason: Reason.DISCONNECTED }));
    // "not found" 3 ms after sending is not conclusive: nothing is sent, the query is repeated at sent + settle
    exec.onReport(4_000, rep(K.REJECT, 1, 0, { origin: O.QUERY, reason: Reason.UNKNOWN_ORDER }));
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'query x-7-1-0']);
    expect(c.state).toBe(ComboState.OPENING);
    expect(exec.wakeAtUs()).toBe(5_001_000);
    exec.onTimer(5_001_000);
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'query x-7-1-0', 'query x-7-1-0']);
    exec.onReport(5_002_000, rep(K.REJECT, 1, 0, { origin: O.QUERY, reason: Reason.UNKNOWN_ORDER }));
    expect(c.legs[1].orders[0]!.status).toBe(OrderStatus.NOT_FOUND);
    expect(c.repairFailure).toBe(FailureKind.UNKNOWN_NOT_FOUND);
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'query x-7-1-0', 'query x-7-1-0', 'new x-7-1-1 sell ioc 10@640499']);
    expect(sink.events.some((e) => e.kind === ExecEventKind.NEVER_PLACED && e.clientOrderId === cid(1, 0))).toBe(true);
    exec.onReport(5_003_000, rep(K.FILL, 1, 1, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 640_500 }));
    expect(c.state).toBe(ComboState.DONE);
    expect(new Set(sentIds(sink)).size).toBe(sentIds(sink).length);
  });

  it('a per-venue settle window overrides the policy', () => {
    const { exec, sink } = setup({ settleUsByVenue: [5_000_000, 200_000] });
    exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(20, rep(K.OUTCOME_UNKNOWN, 1, 0));
    exec.onReport(200_000, rep(K.REJECT, 1, 0, { origin: O.QUERY, reason: Reason.UNKNOWN_ORDER }));
    expect(sink.orders.map((o) => o.clientOrderId)).toEqual([cid(0, 0), cid(1, 0), cid(1, 1)]);
  });

  it('no report at all within ackTimeoutUs: the order is queried, not re-sent', () => {
    const { exec, sink } = setup({ policy: { ackTimeoutUs: 500_000 } });
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    expect(exec.wakeAtUs()).toBe(500_000);
    exec.onTimer(499_999);
    expect(sink.queries).toHaveLength(0);
    exec.onTimer(500_000);
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'query x-7-1-0']);
    // found: partially filled and expired (an IOC) -> replenish the rest with a new id
    exec.onReport(600_000, rep(K.CANCELLED, 1, 0, { origin: O.QUERY, reason: Reason.EXPIRED, cumQtyLots: 7, avgPriceTicks: 640_500 }));
    expect(c.legs[1].netLots).toBe(7);
    expect(commandLog(sink).at(-1)).toBe('new x-7-1-1 sell ioc 3@640499');
  });

  it('partial fill then replenish: the IOC remainder expires, the missing 4 lots are replenished', () => {
    const { exec, sink } = setup();
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(20, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 640_500, leavesQtyLots: 4 }));
    expect(c.state).toBe(ComboState.OPENING);
    exec.onReport(21, rep(K.CANCELLED, 1, 0, { reason: Reason.EXPIRED, cumQtyLots: 6 }));
    expect(c.state).toBe(ComboState.REPAIRING);
    expect(c.repairFailure).toBe(FailureKind.PARTIAL_FILL);
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'new x-7-1-1 sell ioc 4@640499']);
    exec.onReport(30, rep(K.FILL, 1, 1, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 640_499 }));
    expect(c.state).toBe(ComboState.DONE);
    expect([c.legs[0].netLots, c.legs[1].netLots]).toEqual([10, 10]);
  });

  it('replenish exhausted (3 attempts) then unwind the excess on the filled venue', () => {
    const { exec, sink } = setup();
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(20, rep(K.CANCELLED, 1, 0, { reason: Reason.EXPIRED, cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 640_500 }));
    for (let a = 1; a <= 3; a++) exec.onReport(20 + a, rep(K.CANCELLED, 1, a, { reason: Reason.EXPIRED, cumQtyLots: 0 }));
    expect(c.state).toBe(ComboState.UNWINDING);
    expect(commandLog(sink)).toEqual([
      ...OPEN_CMDS,
      'new x-7-1-1 sell ioc 4@640499',
      'new x-7-1-2 sell ioc 4@640499',
      'new x-7-1-3 sell ioc 4@640499',
      'new x-7-0-1 sell ioc 4@6399995',
    ]);
    const states = sink.events.filter((e) => e.kind === ExecEventKind.STATE).map((e) => e.state);
    expect(states).toEqual([ComboState.REPAIRING, ComboState.UNWINDING]);
    exec.onReport(30, rep(K.FILL, 0, 1, { cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 6_400_000 }));
    expect(c.state).toBe(ComboState.DONE);
    expect([c.legs[0].netLots, c.legs[1].netLots]).toEqual([6, 6]);
    expect(c.legs[0].unwoundLots).toBe(4);
  });

  it('unwind failure then escalate to the policy level with the residual reported', () => {
    const { exec, sink } = setup({ policy: { escalateTo: Escalation.HALTED, partialFill: rule({ maxAttempts: 1 }), unwind: { maxAttempts: 2, windowUs: 3_000_000, bandBps: UNWIND_BPS } } });
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(20, rep(K.CANCELLED, 1, 0, { reason: Reason.EXPIRED, cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 640_500 }));
    exec.onReport(21, rep(K.CANCELLED, 1, 1, { reason: Reason.EXPIRED }));
    exec.onReport(22, rep(K.CANCELLED, 0, 1, { reason: Reason.EXPIRED }));
    exec.onReport(23, rep(K.REJECT, 0, 2, { reason: Reason.RATE_LIMITED }));
    expect(c.state).toBe(ComboState.ESCALATED);
    expect(c.escalation).toBe(Escalation.HALTED);
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'new x-7-1-1 sell ioc 4@640499', 'new x-7-0-1 sell ioc 4@6399995', 'new x-7-0-2 sell ioc 4@6399995']);
    const esc = sink.events.find((e) => e.kind === ExecEventKind.ESCALATED)!;
    expect(esc.reason).toBe(Escalation.HALTED);
    expect(esc.imbalanceUnits).toBe(400_000);
    expect(exec.assetExposure(0)).toBe(400_000);
    expect(c.idle).toBe(true);
  });

  it('waits for the book to come back inside the band, then unwinds when the replenish window ends', () => {
    const { exec, sink, market } = setup({ policy: { partialFill: rule({ windowUs: 1_000_000 }), retryDelayUs: 250_000 } });
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    market.set(PERP, 640_490, 5, 640_491, 5, 20); // bid below ref - band = 640_498
    exec.onReport(20, rep(K.CANCELLED, 1, 0, { reason: Reason.EXPIRED, cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 640_500 }));
    expect(c.state).toBe(ComboState.REPAIRING);
    expect(sink.orders).toHaveLength(2);
    expect(exec.wakeAtUs()).toBe(250_020);
    for (let t = 250_020; t < 1_000_020; t += 250_000) exec.onTimer(t);
    expect(sink.orders).toHaveLength(2);
    exec.onTimer(1_000_020);
    expect(c.state).toBe(ComboState.UNWINDING);
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'new x-7-0-1 sell ioc 4@6399995']);
  });

  it('replenishes as soon as a poke shows the book back in band', () => {
    const { exec, sink, market } = setup();
    exec.start(0, comboReq());
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    market.set(PERP, 640_490, 5, 640_491, 5, 20);
    exec.onReport(20, rep(K.CANCELLED, 1, 0, { reason: Reason.EXPIRED, cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 640_500 }));
    market.set(PERP, 640_499, 5, 640_500, 5, 30);
    exec.poke(30); // within retryDelay: still waits
    expect(sink.orders).toHaveLength(2);
    exec.poke(100_020);
    expect(commandLog(sink).at(-1)).toBe('new x-7-1-1 sell ioc 4@640498');
  });

  it('both legs under-filled equally is balanced: DONE without repair', () => {
    const { exec, sink } = setup();
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.CANCELLED, 0, 0, { reason: Reason.EXPIRED, cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 6_400_010 }));
    exec.onReport(20, rep(K.CANCELLED, 1, 0, { reason: Reason.EXPIRED, cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 640_500 }));
    expect(c.state).toBe(ComboState.DONE);
    expect(sink.orders).toHaveLength(2);
  });

  it('aligns legs with different lot sizes: balanced means less than one coarse lot apart', () => {
    const { exec, sink } = setup();
    const c = exec.start(0, comboReq({
      legs: [
        { instrument: SPOT, side: 'buy', qtyLots: 10, refPriceTicks: 6_400_010, slippageTicks: 5 },
        { instrument: COARSE, side: 'sell', qtyLots: 1, refPriceTicks: 640_500, slippageTicks: 1 },
      ],
    }));
    expect(c.coarseUnits).toBe(1_000_000);
    exec.onReport(10, rep(K.FILL, 1, 0, { cumQtyLots: 1, lastQtyLots: 1, lastPriceTicks: 640_500 }));
    exec.onReport(20, rep(K.CANCELLED, 0, 0, { reason: Reason.EXPIRED, cumQtyLots: 4, lastQtyLots: 4, lastPriceTicks: 6_400_010 }));
    // imbalance 400_000 - 1_000_000 = -600_000: spot lags by 6 lots
    expect(c.imbalanceUnits()).toBe(-600_000);
    expect(commandLog(sink).at(-1)).toBe('new x-7-0-1 buy ioc 6@6400015');
    exec.onReport(30, rep(K.FILL, 0, 1, { cumQtyLots: 6, lastQtyLots: 6, lastPriceTicks: 6_400_010 }));
    expect(c.state).toBe(ComboState.DONE);
    expect(c.imbalanceUnits()).toBe(0);
  });

  it('a fully missing coarse leg is not balanced: the fine leg is unwound when the coarse one cannot be replenished', () => {
    const { exec, sink } = setup({ policy: { reject: rule({ action: 'unwind' }) } });
    const c = exec.start(0, comboReq({
      legs: [
        { instrument: SPOT, side: 'buy', qtyLots: 10, refPriceTicks: 6_400_010, slippageTicks: 5 },
        { instrument: COARSE, side: 'sell', qtyLots: 1, refPriceTicks: 640_500, slippageTicks: 1 },
      ],
    }));
    exec.onReport(10, rep(K.FILL, 0, 0, { cumQtyLots: 10, lastQtyLots: 10, lastPriceTicks: 6_400_010 }));
    exec.onReport(20, rep(K.REJECT, 1, 0, { reason: Reason.VENUE_REJECT_OTHER }));
    expect(c.state).toBe(ComboState.UNWINDING);
    expect(commandLog(sink).at(-1)).toBe('new x-7-0-1 sell ioc 10@6399995');
  });

  it('halt: cancels live orders, resolves them, ends DONE if balanced or ESCALATED(HALTED) otherwise', () => {
    const { exec, sink } = setup();
    const c = exec.start(0, comboReq());
    exec.onReport(10, rep(K.ACK, 0, 0));
    exec.onReport(11, rep(K.PARTIAL_FILL, 1, 0, { cumQtyLots: 3, lastQtyLots: 3, lastPriceTicks: 640_500, leavesQtyLots: 7 }));
    exec.haltAll(20);
    expect(c.state).toBe(ComboState.STOPPING);
    expect(commandLog(sink)).toEqual([...OPEN_CMDS, 'cancel x-7-0-0', 'cancel x-7-1-0']);
    expect(() => exec.start(30, comboReq({ comboId: 8 }))).toThrow(/halted/);
    exec.onReport(40, rep(K.CANCELLED, 0, 0, { origin: O.CANCEL, reason: Reason.CANCELLED_BY_ENGINE, cumQtyLots: 0 }));
    expect(exec.isQuiescent()).toBe(false);
    // the cancel of leg 1 is refused: not open there -> query, never assumed
    exec.onReport(41, rep(K.REJECT, 1, 0, { origin: O.CANCEL, reason: Reason.UNKNOWN_ORDER }));
    expect(commandLog(sink).at(-1)).toBe('query x-7-1-0');
    exec.onReport(50, rep(K.CANCELLED, 1, 0, { origin: O.QUERY, reason: Reason.EXPIRED, cumQtyLots: 3 }));
    expect(exec.isQuiescent()).toBe(true);
    expect(c.state).toBe(ComboState.ESCALATED);
    expect(c.escalation).toBe(Escalation.HALTED);
    expect(c.imbalanceUnits()).toBe(-300_000);
    expect(sink.orders).toHaveLength(2);
  });

  it('a cancel refused for another reason is retried, then an unanswered cancel is queried', () => {
    const { exec, sink } = setup({ policy: { queryRetryUs: 100_000, cancelTimeoutUs: 300_000 } });
    exec.start(0, comboReq());
    exec.onReport(10, rep(K.ACK, 0, 0));
    exec.onReport(10, rep(K.ACK, 1, 0));
    exec.haltAll(20);
    exec.onReport(30, rep(K.REJECT, 0, 0, { origin: O.CANCEL, reason: Reason.RATE_LIMITED }));
    exec.onTimer(100_030);
    expect(commandLog(sink).filter((l) => l === 'cancel x-7-0-0')).toHaveLength(2);
    exec.onTimer(400_030);
    expect(commandLog(sink).filter((l) => l === 'query x-7-0-0')).toHaveLength(1);
  });

  it('ignores reports that match nothing, and rejects invalid requests', () => {
    const { exec, sink } = setup();
    expect(exec.onReport(0, rep(K.FILL, 0, 0, { orderRef: 12345 * 2 ** 20, clientOrderId: 'zz' }))).toBe(false);
    expect(sink.events.at(-1)!.kind).toBe(ExecEventKind.IGNORED);
    exec.start(0, comboReq());
    expect(() => exec.start(0, comboReq())).toThrow(/already used/);
    expect(() => exec.start(0, comboReq({ comboId: 0 }))).toThrow(/combo id/);
    expect(() => exec.start(0, comboReq({ comboId: 9, legs: [comboReq().legs[0], { ...comboReq().legs[1], side: 'buy' }] }))).toThrow(/opposite/);
    // a report carrying only the client id (e.g. after a restart) is matched by it
    expect(exec.onReport(1, { ...rep(K.ACK, 0, 0), orderRef: 0 })).toBe(true);
    expect(exec.combo(COMBO)!.legs[0].last!.status).toBe(OrderStatus.LIVE);
  });
});
