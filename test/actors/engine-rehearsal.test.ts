// Decision rehearsal (src/actors/engine-rehearsal.ts) in-process, on the embedded configuration's
// pairs: it runs the whole decision on the live books through its own risk and execution engines
// (a concurrent pair sends two orders, a leader-follower pair the leader and then the follower),
// ends every combo, leaves the books untouched, gives way to a waiting frame, and stops for good
// when anything goes wrong.
// (The engine worker test checks that a running engine's rehearsals leave no trace in its rings,
// counters and journal.)
import { describe, expect, it } from 'vitest';
import { buildEngineModel } from '../../src/actors/engine.js';
import { DecisionRehearsal, type RehearsalDeps } from '../../src/actors/engine-rehearsal.js';
import { riskConfigOf } from '../../src/config/index.js';
import { OrderBook } from '../../src/core/book.js';
import { DIR_AB } from '../../src/core/pair.js';
import { TopsTable } from '../../src/core/market.js';
import { Positions } from '../../src/core/positions.js';
import { ComboCheck } from '../../src/core/risk.js';
import { Sizer } from '../../src/core/sizing.js';
import { TriggerEvaluator } from '../../src/core/triggers.js';
import type { ComboRequest, NewOrderCmd } from '../../src/core/execution.js';

function setup(pairIds: string[], over: Partial<RehearsalDeps> = {}) {
  const m = buildEngineModel(undefined, pairIds);
  const n = m.tradables.size;
  const books = Array.from({ length: n }, () => new OrderBook(64));
  const tops = new TopsTable(n);
  // every instrument: bids below and asks above ~64 000 USDT in its own ticks, 5 levels of 0.05 BTC
  m.instruments.forEach((ins, i) => {
    const t = m.tradables.get(i);
    const mid = ins.tick.toUnits('64000');
    const lots = t.inverse ? 50 : ins.lot.toUnits('0.05');
    for (let l = 0; l < 5; l++) {
      books[i]!.setBid(mid - 1 - l, lots);
      books[i]!.setAsk(mid + 1 + l, lots);
    }
    tops.set(i, mid - 1, lots, mid + 1, lots, 1, 0, true);
  });
  const before = books.map((b) => JSON.stringify([b.bids.count, b.asks.count, b.bids.bestPx(), b.asks.bestPx()]));
  const orders: NewOrderCmd[] = [];
  const decisions: [number, number, number][] = [];
  const cc = new ComboCheck();
  const deps: RehearsalDeps = {
    pairs: m.pairs,
    books,
    tops,
    positions: new Positions(m.tradables, Object.keys(m.config.assets).length, m.config.venues.length),
    tradables: m.tradables,
    riskConfig: riskConfigOf(m.config, m.tradables),
    assetCount: Object.keys(m.config.assets).length,
    evaluator: new TriggerEvaluator(),
    sizer: new Sizer(),
    cc,
    pairFx: m.pairs.map(() => null),
    pairPosition: () => 0,
    pending: () => false,
    tradable: () => true,
    fillComboCheck(k, s) {
      const x = m.pairs[k]!;
      cc.instA = x.a;
      cc.instB = x.b;
      cc.sideA = s.direction === DIR_AB ? 'buy' : 'sell';
      cc.sideB = s.direction === DIR_AB ? 'sell' : 'buy';
      cc.lotsA = s.lotsA;
      cc.lotsB = s.lotsB;
      cc.pxA = s.limitTicksA;
      cc.pxB = s.limitTicksB;
    },
    comboRequest(k, s, comboId): ComboRequest {
      const x = m.pairs[k]!;
      const lf = x.config.execution.mode === 'leader_follower';
      const ab = s.direction === DIR_AB;
      return {
        comboId,
        pairId: k,
        mode: lf ? 'leader_follower' : 'concurrent',
        ...(lf ? { leader: 0 } : {}),
        legs: [
          { instrument: x.a, side: ab ? 'buy' : 'sell', qtyLots: s.lotsA, refPriceTicks: s.limitTicksA, slippageTicks: 1 },
          { instrument: x.b, side: ab ? 'sell' : 'buy', qtyLots: s.lotsB, refPriceTicks: s.limitTicksB, slippageTicks: 1 },
        ],
      };
    },
    encodeOrder: (c) => void orders.push({ ...c }),
    encodeDecision: (k, comboId, qtyLots) => void decisions.push([k, comboId, qtyLots]),
    ...over,
  };
  const unchanged = () => books.map((b) => JSON.stringify([b.bids.count, b.asks.count, b.bids.bestPx(), b.asks.bestPx()])).every((s, i) => s === before[i]);
  return { m, deps, orders, decisions, unchanged };
}

describe('decision rehearsal', () => {
  it('runs whole decisions on the live books, once per period, ending every combo', () => {
    const { deps, orders, decisions, unchanged } = setup(['btc-spot-cross', 'btc-basis-okx']);
    const r = new DecisionRehearsal(deps, 1000);
    expect(r.poll(0)).toBe(true); // pair 0: concurrent, both legs
    expect(r.poll(500)).toBe(false); // within the period
    expect(r.poll(1000)).toBe(true); // pair 1: leader-follower, leader then follower
    expect(r.poll(2000)).toBe(true); // pair 0 again
    expect(r.failed).toBeNull();
    expect(r.runs).toBe(3);
    expect(orders.map((o) => [o.comboId, o.leg, o.side])).toEqual([
      [1, 0, 'buy'], [1, 1, 'sell'],
      [2, 0, 'buy'], [2, 1, 'sell'], // the leader's order, then the follower's on the leader's fill
      [3, 0, 'sell'], [3, 1, 'buy'], // pair 0 again: the other direction
    ]);
    expect(orders.every((o) => o.clientOrderId.startsWith('rehearsal') && o.qtyLots > 0 && o.priceTicks > 0)).toBe(true);
    // one decision record per rehearsed combo, sized as its leg A
    expect(decisions.map(([k, id]) => [k, id])).toEqual([[0, 1], [1, 2], [0, 3]]);
    expect(decisions.map(([, id, lots]) => lots)).toEqual([1, 2, 3].map((id) => orders.find((o) => o.comboId === id && o.leg === 0)!.qtyLots));
    expect(unchanged()).toBe(true);
  });

  it('gives way to a waiting frame: not started, stopped before its combo, or ended without its decision record', () => {
    // pending() answers from a script: one answer per call, then false
    const answers: boolean[] = [];
    const { deps, orders, decisions, unchanged } = setup(['btc-spot-cross', 'btc-basis-okx'], { pending: () => answers.shift() ?? false });
    const r = new DecisionRehearsal(deps, 1000);

    // a frame waits when it is due: nothing runs, and it stays due
    answers.push(true);
    expect(r.poll(0)).toBe(false);
    expect([r.runs, r.yielded, orders.length, decisions.length]).toEqual([0, 1, 0, 0]);

    // a frame arrives during the sizing and risk check: stopped before placing anything, and the
    // same pair and direction are rehearsed at the next poll, still at t = 0
    answers.push(false, true);
    expect(r.poll(0)).toBe(false);
    expect([r.runs, r.yielded, orders.length, decisions.length]).toEqual([0, 2, 0, 0]);
    expect(r.poll(0)).toBe(true);
    expect(orders.map((o) => [o.comboId, o.leg, o.side])).toEqual([[1, 0, 'buy'], [1, 1, 'sell']]);
    expect(decisions.map(([k, id]) => [k, id])).toEqual([[0, 1]]);

    // a frame arrives once the combo is placed: no decision record, but the combo still ends
    // (the leader-follower pair: the follower is placed on the leader's fill)
    answers.push(false, false, true);
    expect(r.poll(1000)).toBe(true);
    expect([r.runs, r.yielded]).toEqual([2, 3]);
    expect(orders.filter((o) => o.comboId === 2).map((o) => o.leg)).toEqual([0, 1]);
    expect(decisions).toHaveLength(1);

    // and the rehearsals go on as before
    expect(r.poll(2000)).toBe(true);
    expect(orders.filter((o) => o.comboId === 3).map((o) => [o.leg, o.side])).toEqual([[0, 'sell'], [1, 'buy']]);
    expect(decisions.map(([k, id]) => [k, id])).toEqual([[0, 1], [0, 3]]);
    expect(r.failed).toBeNull();
    expect(r.runs).toBe(3);
    expect(unchanged()).toBe(true);
  });

  it('an exception stops the rehearsals for good and says why', () => {
    const { deps } = setup(['btc-spot-cross'], {
      encodeOrder: () => {
        throw new Error('encoder broke');
      },
    });
    const r = new DecisionRehearsal(deps, 1000);
    expect(r.poll(0)).toBe(false);
    expect(r.failed).toMatch(/rehearsal of pair 0 threw: encoder broke/);
    expect(r.poll(5000)).toBe(false);
    expect(r.runs).toBe(0);
  });

  it('a pair whose books are not tradable is skipped (no run, no failure)', () => {
    const { deps, orders } = setup(['btc-spot-cross']);
    const r = new DecisionRehearsal({ ...deps, tradable: () => false }, 1000);
    expect(r.poll(0)).toBe(false);
    expect(r.failed).toBeNull();
    expect(r.runs).toBe(0);
    expect(orders).toEqual([]);
  });
});
