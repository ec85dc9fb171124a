// Matching engine: order types, priority, cancel/query, client ids, self-trade prevention,
// balances and fees in exact integer units (spot and linear perpetual), config errors.
import { describe, expect, it } from 'vitest';
import { OrderBook, firstDifference } from '../../src/core/book.js';
import { SimConfigError } from '../../src/sim/check.js';
import { feeUnits, mulDiv } from '../../src/sim/ledger.js';
import { MatchingEngine, applyLevelChanges } from '../../src/sim/matching.js';
import { SPOT, SWAP, kinds, ledger, spotEngine } from './helpers.js';

function unlimited(e: MatchingEngine, ...ids: string[]): void {
  for (const id of ids) e.ledger.openAccount(id, { unlimited: true });
}

describe('price-time priority and partial fills', () => {
  it('fills the best price first, then earlier orders at a price before later ones', () => {
    const e = spotEngine();
    unlimited(e, 'a', 'b', 'c', 't');
    const a1 = e.place({ account: 'a', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 2 }, 1).orderId;
    const b1 = e.place({ account: 'b', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 2 }, 2).orderId;
    const c1 = e.place({ account: 'c', side: 'sell', type: 'limit', priceTicks: 99, qtyLots: 1 }, 3).orderId;
    const r = e.place({ account: 't', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 4 }, 4);
    expect(r.trades.map((t) => [t.makerOrderId, t.priceTicks, t.qtyLots])).toEqual([[c1, 99, 1], [a1, 100, 2], [b1, 100, 1]]);
    expect(r.trades.every((t) => t.takerSide === 'buy' && t.takerOrderId === r.orderId)).toBe(true);
    expect(new Set(r.trades.map((t) => t.tradeId)).size).toBe(3);
    // b1 partially filled, still first in the queue at 100
    expect(e.snapshot()).toEqual({ updateId: e.updateId, bids: [], asks: [[100, 1]] });
    expect(e.query('b', { orderId: b1 })).toMatchObject({ status: 'partially_filled', cumQtyLots: 1, leavesQtyLots: 1 });
    expect(r.levels).toEqual([
      { side: 'sell', priceTicks: 99, qtyLots: 0, prevQtyLots: 1 },
      { side: 'sell', priceTicks: 100, qtyLots: 1, prevQtyLots: 4 },
    ]);
    e.checkInvariants();
  });

  it('reports partial fills to taker and maker with cumulative and leaves quantities', () => {
    const e = spotEngine();
    unlimited(e, 'm', 't');
    const m = e.place({ account: 'm', side: 'buy', type: 'limit', priceTicks: 500, qtyLots: 10, clientOrderId: 'mk1' }, 1);
    expect(kinds(m)).toEqual([`ack:${m.orderId}`]);
    const t = e.place({ account: 't', side: 'sell', type: 'limit', priceTicks: 490, qtyLots: 4 }, 2);
    expect(t.reports.map((x) => [x.kind, x.liquidity, x.lastQtyLots, x.lastPriceTicks, x.cumQtyLots, x.leavesQtyLots])).toEqual([
      ['ack', '', 0, 0, 0, 4],
      ['fill', 'taker', 4, 500, 4, 0],
      ['partial_fill', 'maker', 4, 500, 4, 6],
    ]);
    expect(t.reports[1]!.tradeId).toBe(t.reports[2]!.tradeId);
    expect(e.levelQty('buy', 500)).toBe(6);
    // a resting taker remainder becomes a maker at its own price
    const t2 = e.place({ account: 't', side: 'sell', type: 'limit', priceTicks: 500, qtyLots: 9 }, 3);
    expect(t2.reports.map((x) => x.kind)).toEqual(['ack', 'partial_fill', 'fill']);
    expect(e.snapshot()).toMatchObject({ bids: [], asks: [[500, 3]] });
    expect(e.query('m', { clientOrderId: 'mk1' })).toMatchObject({ status: 'filled', cumQtyLots: 10, avgPriceTicks: 500 });
    e.checkInvariants();
  });
});

describe('time in force', () => {
  it('IOC: fills what it can, the remainder expires and never rests', () => {
    const e = spotEngine();
    unlimited(e, 'm', 't');
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 3 }, 1);
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 102, qtyLots: 3 }, 1);
    const r = e.place({ account: 't', side: 'buy', type: 'ioc', priceTicks: 101, qtyLots: 5 }, 2);
    const t = r.orderId;
    expect(kinds(r)).toEqual([`ack:${t}`, `partial_fill:${t}`, `fill:${r.trades[0]!.makerOrderId}`, `expired:${t}:ioc_remainder`]);
    expect(e.query('t', { orderId: r.orderId })).toMatchObject({ status: 'expired', reason: 'ioc_remainder', cumQtyLots: 3, leavesQtyLots: 0 });
    expect(e.snapshot()).toMatchObject({ bids: [], asks: [[102, 3]] });
  });

  it('FOK: all or nothing, and nothing changes when it cannot fill', () => {
    const e = spotEngine();
    unlimited(e, 'm', 't');
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 3 }, 1);
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 101, qtyLots: 3 }, 1);
    const before = e.snapshot();
    const no = e.place({ account: 't', side: 'buy', type: 'fok', priceTicks: 101, qtyLots: 7 }, 2);
    expect(kinds(no)).toEqual([`ack:${no.orderId}`, `expired:${no.orderId}:fok_unfilled`]);
    expect(no.trades).toEqual([]);
    expect(no.levels).toEqual([]);
    expect(no.updateId).toBe(no.prevUpdateId);
    expect(e.snapshot()).toEqual(before);
    const yes = e.place({ account: 't', side: 'buy', type: 'fok', priceTicks: 101, qtyLots: 6 }, 3);
    expect(yes.trades.map((t) => [t.priceTicks, t.qtyLots])).toEqual([[100, 3], [101, 3]]);
    expect(e.query('t', { orderId: yes.orderId })).toMatchObject({ status: 'filled', cumQtyLots: 6, cumNotional: 603 });
    expect(e.snapshot()).toMatchObject({ bids: [], asks: [] });
  });

  it('FOK counts only what self-trade prevention lets it take', () => {
    const e = spotEngine();
    unlimited(e, 'm', 't');
    e.place({ account: 't', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 3 }, 1);
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 3 }, 1);
    const no = e.place({ account: 't', side: 'buy', type: 'fok', priceTicks: 100, qtyLots: 4 }, 2);
    expect(no.reports.at(-1)).toMatchObject({ kind: 'expired', reason: 'fok_unfilled' });
    expect(e.levelQty('sell', 100)).toBe(6); // own order not cancelled by a failed FOK
    const yes = e.place({ account: 't', side: 'buy', type: 'fok', priceTicks: 100, qtyLots: 3 }, 3);
    expect(kinds(yes).map((k) => k.split(':')[0])).toEqual(['ack', 'cancelled', 'fill', 'fill']);
    expect(yes.reports[1]).toMatchObject({ account: 't', reason: 'self_trade' });
  });
});

describe('post-only', () => {
  it('rests when it would not take; is rejected when it would (reject mode)', () => {
    const e = spotEngine({ postOnly: 'reject' });
    unlimited(e, 'm', 't');
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 3 }, 1);
    const ok = e.place({ account: 't', side: 'buy', type: 'post_only', priceTicks: 99, qtyLots: 2 }, 2);
    expect(kinds(ok)).toEqual([`ack:${ok.orderId}`]);
    expect(e.levelQty('buy', 99)).toBe(2);
    const bad = e.place({ account: 't', side: 'buy', type: 'post_only', priceTicks: 100, qtyLots: 2, clientOrderId: 'po' }, 3);
    expect(bad).toMatchObject({ accepted: false, rejectReason: 'post_only_would_take', orderId: -1, trades: [], levels: [] });
    expect(bad.reports).toMatchObject([{ kind: 'rejected', reason: 'post_only_would_take', clientOrderId: 'po' }]);
    expect(e.query('t', { clientOrderId: 'po' })).toBeNull();
  });

  it('bounce mode acknowledges then cancels with reason post_only, without trading', () => {
    const e = spotEngine({ postOnly: 'bounce' });
    unlimited(e, 'm', 't');
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 3 }, 1);
    const r = e.place({ account: 't', side: 'buy', type: 'post_only', priceTicks: 105, qtyLots: 2, clientOrderId: 'po' }, 2);
    expect(r.accepted).toBe(true);
    expect(kinds(r)).toEqual([`ack:${r.orderId}`, `cancelled:${r.orderId}:post_only`]);
    expect(r.trades).toEqual([]);
    expect(r.levels).toEqual([]);
    expect(e.query('t', { clientOrderId: 'po' })).toMatchObject({ status: 'cancelled', reason: 'post_only', cumQtyLots: 0 });
  });
});

describe('market orders', () => {
  it('stop at the protection price and never sweep the whole book', () => {
    const e = spotEngine({ marketProtectionBps: 500 });
    unlimited(e, 'm', 't');
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 10_000, qtyLots: 1 }, 1);
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 10_500, qtyLots: 1 }, 1);
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 10_501, qtyLots: 1 }, 1);
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 20_000, qtyLots: 5 }, 1);
    const r = e.place({ account: 't', side: 'buy', type: 'market', qtyLots: 10 }, 2);
    expect(r.trades.map((t) => t.priceTicks)).toEqual([10_000, 10_500]);
    expect(r.reports.at(-1)).toMatchObject({ kind: 'expired', reason: 'market_protection', cumQtyLots: 2, priceTicks: 0 });
    expect(e.snapshot().asks).toEqual([[10_501, 1], [20_000, 5]]);
    // sell side: protection = ceil(best bid * 0.95)
    e.place({ account: 'm', side: 'buy', type: 'limit', priceTicks: 1001, qtyLots: 1 }, 3);
    e.place({ account: 'm', side: 'buy', type: 'limit', priceTicks: 951, qtyLots: 1 }, 3);
    e.place({ account: 'm', side: 'buy', type: 'limit', priceTicks: 950, qtyLots: 1 }, 3);
    const s = e.place({ account: 't', side: 'sell', type: 'market', qtyLots: 3 }, 4);
    expect(s.trades.map((t) => t.priceTicks)).toEqual([1001, 951]);
    expect(s.reports.at(-1)).toMatchObject({ kind: 'expired', reason: 'market_protection' });
  });

  it('expire with no_liquidity on an empty side, and fill completely when the band allows', () => {
    const e = spotEngine();
    unlimited(e, 'm', 't');
    const r = e.place({ account: 't', side: 'buy', type: 'market', qtyLots: 1 }, 1);
    expect(kinds(r)).toEqual([`ack:${r.orderId}`, `expired:${r.orderId}:no_liquidity`]);
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 2 }, 2);
    const f = e.place({ account: 't', side: 'buy', type: 'market', qtyLots: 2 }, 3);
    expect(f.reports.at(-2)).toMatchObject({ kind: 'fill', status: 'filled', liquidity: 'taker' });
    const g = e.place({ account: 't', side: 'buy', type: 'market', qtyLots: 2 }, 3);
    expect(g.reports.at(-1)).toMatchObject({ kind: 'expired', reason: 'no_liquidity' });
  });
});

describe('cancel and query', () => {
  it('by venue id and by client id; closed and unknown orders are distinct errors', () => {
    const e = spotEngine();
    unlimited(e, 'a', 'b');
    const p = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 5, clientOrderId: 'c-1' }, 10);
    expect(e.query('a', { clientOrderId: 'c-1' })).toMatchObject({ orderId: p.orderId, status: 'new', leavesQtyLots: 5, createdMs: 10 });
    expect(e.query('b', { clientOrderId: 'c-1' })).toBeNull(); // other accounts cannot see it
    expect(e.cancel('b', { orderId: p.orderId }, 11)).toMatchObject({ accepted: false, rejectReason: 'order_not_found' });
    e.place({ account: 'b', side: 'sell', type: 'ioc', priceTicks: 100, qtyLots: 2 }, 12);
    const c = e.cancel('a', { clientOrderId: 'c-1' }, 13);
    expect(c).toMatchObject({ accepted: true, orderId: p.orderId });
    expect(kinds(c)).toEqual([`cancelled:${p.orderId}:user`]);
    expect(c.levels).toEqual([{ side: 'buy', priceTicks: 100, qtyLots: 0, prevQtyLots: 3 }]);
    expect(e.query('a', { clientOrderId: 'c-1' })).toMatchObject({ status: 'cancelled', reason: 'user', cumQtyLots: 2, leavesQtyLots: 0, avgPriceTicks: 100, updatedMs: 13 });
    expect(e.cancel('a', { clientOrderId: 'c-1' }, 14)).toMatchObject({ accepted: false, rejectReason: 'order_closed' });
    expect(e.cancel('a', { orderId: 987654 }, 14)).toMatchObject({ accepted: false, rejectReason: 'order_not_found' });
    expect(e.cancel('a', { clientOrderId: 'nope' }, 14)).toMatchObject({ accepted: false, rejectReason: 'order_not_found' });
  });

  it('query reports average price over several fills', () => {
    const e = spotEngine();
    unlimited(e, 'm', 't');
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 1 }, 1);
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 103, qtyLots: 2 }, 1);
    e.place({ account: 't', side: 'buy', type: 'ioc', priceTicks: 110, qtyLots: 3, clientOrderId: 'x' }, 2);
    expect(e.query('t', { clientOrderId: 'x' })).toMatchObject({ status: 'filled', cumQtyLots: 3, cumNotional: 306, avgPriceTicks: 102 });
  });

  it('cancelAll removes every open order of one account only', () => {
    const e = spotEngine();
    unlimited(e, 'a', 'b');
    e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 1 }, 1);
    e.place({ account: 'a', side: 'sell', type: 'limit', priceTicks: 105, qtyLots: 1 }, 1);
    e.place({ account: 'b', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 4 }, 1);
    const r = e.cancelAll('a', 2);
    expect(r.reports.map((x) => x.kind)).toEqual(['cancelled', 'cancelled']);
    expect(e.openOrders('a')).toEqual([]);
    expect(e.snapshot()).toMatchObject({ bids: [[100, 4]], asks: [] });
  });

  it('assigns a client id when none is given; terminal history is bounded', () => {
    const e = spotEngine({ retainTerminal: 2 });
    unlimited(e, 'a');
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 1 }, i);
      expect(r.reports[0]!.clientOrderId).toBe(`sim${r.orderId}`);
      ids.push(r.orderId);
      e.cancel('a', { orderId: r.orderId }, i);
    }
    expect(e.query('a', { orderId: ids[0]! })).toBeNull();
    expect(e.query('a', { orderId: ids[1]! })).toBeNull();
    expect(e.query('a', { orderId: ids[3]! })).toMatchObject({ status: 'cancelled' });
  });
});

describe('client order id uniqueness', () => {
  it("scope 'open': a duplicate of an open order is rejected; reuse is allowed once it is closed", () => {
    const e = spotEngine();
    unlimited(e, 'a', 'b');
    const first = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 1, clientOrderId: 'dup' }, 1);
    const dup = e.place({ account: 'a', side: 'sell', type: 'limit', priceTicks: 200, qtyLots: 1, clientOrderId: 'dup' }, 2);
    expect(dup).toMatchObject({ accepted: false, rejectReason: 'duplicate_client_id', orderId: -1 });
    expect(dup.reports).toMatchObject([{ kind: 'rejected', reason: 'duplicate_client_id', clientOrderId: 'dup' }]);
    // another account may use the same id
    expect(e.place({ account: 'b', side: 'buy', type: 'limit', priceTicks: 99, qtyLots: 1, clientOrderId: 'dup' }, 3).accepted).toBe(true);
    e.cancel('a', { orderId: first.orderId }, 4);
    const again = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 98, qtyLots: 1, clientOrderId: 'dup' }, 5);
    expect(again.accepted).toBe(true);
    expect(e.query('a', { clientOrderId: 'dup' })!.orderId).toBe(again.orderId); // latest wins
  });

  it("scope 'lifetime': an id can never be used twice", () => {
    const e = spotEngine({}, ledger({ clientIdScope: 'lifetime' }));
    unlimited(e, 'a');
    const first = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 1, clientOrderId: 'once' }, 1);
    e.cancel('a', { orderId: first.orderId }, 2);
    expect(e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 1, clientOrderId: 'once' }, 3).rejectReason).toBe('duplicate_client_id');
  });

  it('rejects malformed client ids and requests', () => {
    const e = spotEngine({}, ledger({ maxClientIdLength: 8 }));
    unlimited(e, 'a');
    expect(e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 1, qtyLots: 1, clientOrderId: 'x'.repeat(9) }, 1).rejectReason).toBe('invalid_client_id');
    expect(e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 1, qtyLots: 1, clientOrderId: 'a b' }, 1).rejectReason).toBe('invalid_client_id');
    expect(e.place({ account: 'zz', side: 'buy', type: 'limit', priceTicks: 1, qtyLots: 1 }, 1).rejectReason).toBe('unknown_account');
    for (const bad of [
      { side: 'up', type: 'limit', priceTicks: 1, qtyLots: 1 },
      { side: 'buy', type: 'stop', priceTicks: 1, qtyLots: 1 },
      { side: 'buy', type: 'limit', priceTicks: 0, qtyLots: 1 },
      { side: 'buy', type: 'limit', priceTicks: 1.5, qtyLots: 1 },
      { side: 'buy', type: 'limit', priceTicks: 1, qtyLots: 0 },
      { side: 'buy', type: 'limit', qtyLots: 1 },
      { side: 'buy', type: 'limit', priceTicks: 1e12, qtyLots: 1e9 },
      { side: 'buy', type: 'limit', priceTicks: 1, qtyLots: 1, selfTrade: 'allow' },
    ]) {
      const r = e.place({ account: 'a', ...bad } as never, 1);
      expect(r.rejectReason, JSON.stringify(bad)).toBe('invalid_order');
      expect(r.levels).toEqual([]);
    }
    expect(e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 1, qtyLots: 1, reduceOnly: true }, 1).rejectReason).toBe('reduce_only');
  });

  it('applies the instrument minimum quantity and notional filters', () => {
    const e = new MatchingEngine(ledger(), { instrument: { ...SPOT, minQty: '0.0001', minNotional: '5' } });
    unlimited(e, 'a');
    expect(e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 6_400_000, qtyLots: 9 }, 1).rejectReason).toBe('below_min_qty');
    // 0.0001 BTC at 40000.00 = 4 USDT < 5
    expect(e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 4_000_000, qtyLots: 10 }, 1).rejectReason).toBe('below_min_notional');
    expect(e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 5_000_000, qtyLots: 10 }, 1).accepted).toBe(true);
  });
});

describe('self-trade prevention', () => {
  function setup(): MatchingEngine {
    const e = spotEngine();
    unlimited(e, 'a', 'b');
    e.place({ account: 'b', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 2 }, 1); // id 1
    e.place({ account: 'a', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 2 }, 1); // id 2
    e.place({ account: 'b', side: 'sell', type: 'limit', priceTicks: 100, qtyLots: 2 }, 1); // id 3
    return e;
  }

  it('cancel_maker (default): own resting order is cancelled, matching continues, no self-trade prints', () => {
    const e = setup();
    const r = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 5 }, 2);
    expect(kinds(r)).toEqual(['ack:4', 'partial_fill:4', 'fill:1', 'cancelled:2:self_trade', 'partial_fill:4', 'fill:3', ]);
    expect(r.trades.map((t) => t.makerOrderId)).toEqual([1, 3]);
    expect(e.snapshot()).toMatchObject({ bids: [[100, 1]], asks: [] });
    e.checkInvariants();
  });

  it('cancel_taker: the taker stops at its own order and its remainder expires', () => {
    const e = setup();
    const r = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 5, selfTrade: 'cancel_taker' }, 2);
    expect(kinds(r)).toEqual(['ack:4', 'partial_fill:4', 'fill:1', 'expired:4:self_trade']);
    expect(e.snapshot()).toMatchObject({ bids: [], asks: [[100, 4]] });
  });

  it('cancel_both: both orders end', () => {
    const e = setup();
    const r = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 5, selfTrade: 'cancel_both' }, 2);
    expect(kinds(r)).toEqual(['ack:4', 'partial_fill:4', 'fill:1', 'cancelled:2:self_trade', 'expired:4:self_trade']);
    expect(e.snapshot()).toMatchObject({ bids: [], asks: [[100, 2]] });
  });
});

describe('spot balances and fees (exact integer units)', () => {
  // BTC and USDT at 8 decimals: 1 lot = 1000 BTC units, 1 tick*lot = 10 USDT units.
  it('locks, settles at the maker price, charges fees in the asset received and conserves supply', () => {
    const l = ledger();
    const e = spotEngine({ makerFeePpm: 100, takerFeePpm: 200 }, l);
    l.openAccount('S', { balances: { BTC: 100_000_000 } }); // 1 BTC
    l.openAccount('B', { balances: { USDT: 10_000_000_000_000 } }); // 100000 USDT
    const s = e.place({ account: 'S', side: 'sell', type: 'limit', priceTicks: 6_400_000, qtyLots: 50_000 }, 1); // 0.5 BTC @ 64000.00
    expect(s.balances).toEqual([
      { account: 'S', asset: 'BTC', total: 100_000_000, free: 50_000_000, locked: 50_000_000 },
      { account: 'S', asset: 'USDT', total: 0, free: 0, locked: 0 },
    ]);
    const b = e.place({ account: 'B', side: 'buy', type: 'limit', priceTicks: 6_401_000, qtyLots: 20_000 }, 2); // 0.2 BTC @ 64010.00
    // fill at the maker's 64000.00: 12800 USDT; taker fee 0.02% of 0.2 BTC in BTC; maker fee 0.01% of 12800 in USDT
    expect(b.reports[1]).toMatchObject({ kind: 'fill', liquidity: 'taker', fee: 4000, feeAsset: 'BTC', lastPriceTicks: 6_400_000 });
    expect(b.reports[2]).toMatchObject({ kind: 'partial_fill', liquidity: 'maker', fee: 128_000_000, feeAsset: 'USDT' });
    expect(l.balanceView('B', 'USDT')).toEqual({ account: 'B', asset: 'USDT', total: 8_720_000_000_000, free: 8_720_000_000_000, locked: 0 });
    expect(l.balanceView('B', 'BTC')).toMatchObject({ total: 19_996_000, free: 19_996_000, locked: 0 });
    expect(l.balanceView('S', 'BTC')).toMatchObject({ total: 80_000_000, free: 50_000_000, locked: 30_000_000 });
    expect(l.balanceView('S', 'USDT')).toMatchObject({ total: 1_279_872_000_000, free: 1_279_872_000_000, locked: 0 });
    expect(l.feesCollected.get('BTC')).toBe(4000);
    expect(l.feesCollected.get('USDT')).toBe(128_000_000);
    // a resting remainder locks at its own limit; the part filled at a better price is released
    const b2 = e.place({ account: 'B', side: 'buy', type: 'limit', priceTicks: 6_401_000, qtyLots: 40_000 }, 3);
    expect(b2.trades).toHaveLength(1);
    expect(l.balanceView('B', 'USDT')).toMatchObject({
      total: 8_720_000_000_000 - 6_400_000 * 30_000 * 10,
      locked: 6_401_000 * 10_000 * 10,
    });
    expect(e.lockedByOrders('B', 'USDT')).toBe(6_401_000 * 10_000 * 10);
    expect(l.supply('BTC')).toBe(100_000_000);
    expect(l.supply('USDT')).toBe(10_000_000_000_000);
    e.checkInvariants();
  });

  it('rejects on insufficient free balance without side effects', () => {
    const l = ledger();
    const e = spotEngine({}, l);
    l.openAccount('B', { balances: { USDT: 10_000_000_000 } }); // 100 USDT
    const r = e.place({ account: 'B', side: 'buy', type: 'limit', priceTicks: 6_400_000, qtyLots: 100 }, 1); // 0.001 BTC = 64 USDT: ok
    expect(r.accepted).toBe(true);
    const r2 = e.place({ account: 'B', side: 'buy', type: 'limit', priceTicks: 6_400_000, qtyLots: 100 }, 1); // another 64: no
    expect(r2).toMatchObject({ accepted: false, rejectReason: 'insufficient_balance', levels: [] });
    expect(l.balanceView('B', 'USDT')).toMatchObject({ total: 10_000_000_000, locked: 6_400_000_000 });
    expect(e.place({ account: 'B', side: 'sell', type: 'limit', priceTicks: 6_500_000, qtyLots: 1 }, 1).rejectReason).toBe('insufficient_balance');
    // cancelling releases the lock
    e.cancel('B', { orderId: r.orderId }, 2);
    expect(l.balanceView('B', 'USDT')).toMatchObject({ free: 10_000_000_000, locked: 0 });
  });

  it('rounds charges up and rebates down, exactly, even beyond 2^53 intermediates', () => {
    expect(feeUnits(1000, 200)).toBe(1); // 0.2 -> 1
    expect(feeUnits(64_000_010, -50)).toBe(-3200); // rebate 3200.0005 -> 3200
    expect(feeUnits(64_000_000, 50)).toBe(3200);
    expect(feeUnits(0, 1000)).toBe(0);
    expect(mulDiv(9_000_000_000_000_000, 999_999, 1_000_000, false)).toBe(8_999_991_000_000_000);
    const P = BigInt(2 ** 53 - 1) * 3n;
    expect(mulDiv(2 ** 53 - 1, 3, 7, true)).toBe(Number((P + 6n) / 7n));
    expect(mulDiv(2 ** 53 - 1, 3, 7, false)).toBe(Number(P / 7n));
    const e = spotEngine({ makerFeePpm: -50, takerFeePpm: 200 });
    e.ledger.openAccount('m', { balances: { BTC: 1_000_000 } });
    e.ledger.openAccount('t', { balances: { USDT: 1_000_000_000_000 } });
    e.place({ account: 'm', side: 'sell', type: 'limit', priceTicks: 6_400_001, qtyLots: 1 }, 1);
    const r = e.place({ account: 't', side: 'buy', type: 'ioc', priceTicks: 6_400_001, qtyLots: 1 }, 2);
    expect(r.reports.map((x) => x.fee)).toEqual([0, 1, -3200]);
    expect(e.ledger.balanceView('m', 'USDT').total).toBe(64_000_010 + 3200);
    expect(e.ledger.feesCollected.get('USDT')).toBe(-3200);
    expect(e.ledger.supply('USDT')).toBe(1_000_000_000_000);
  });

  it('per-account fee overrides apply', () => {
    const e = spotEngine({ makerFeePpm: 1000, takerFeePpm: 1000 });
    e.ledger.openAccount('vip', { unlimited: true, makerFeePpm: 0, takerFeePpm: 0 });
    e.ledger.openAccount('t', { unlimited: true });
    e.place({ account: 'vip', side: 'sell', type: 'limit', priceTicks: 100_000, qtyLots: 10 }, 1);
    const r = e.place({ account: 't', side: 'buy', type: 'ioc', priceTicks: 100_000, qtyLots: 10 }, 1);
    expect(r.reports.slice(1).map((x) => [x.liquidity, x.fee])).toEqual([['taker', 10], ['maker', 0]]);
  });
});

describe('linear perpetual positions', () => {
  // tick 0.1, lot 0.01 contract, 0.01 BTC per contract: 1 tick*lot = 1000 USDT units (8 decimals).
  it('books positions, margin, fees and realized PnL exactly, including a flip', () => {
    const l = ledger();
    const e = new MatchingEngine(l, { instrument: SWAP, makerFeePpm: 200, takerFeePpm: 500, leverage: 10 });
    expect(e.quoteUnitsPerTickLot).toBe(1000);
    for (const a of ['L', 'M', 'N']) l.openAccount(a, { balances: { USDT: 1_000_000_000_000 } }); // 10000 USDT each
    const m = e.place({ account: 'M', side: 'sell', type: 'limit', priceTicks: 640_000, qtyLots: 1000 }, 1);
    expect(l.balanceView('M', 'USDT').locked).toBe(64_000_000_000); // 10 contracts * 0.01 BTC * 64000 / 10
    const t = e.place({ account: 'L', side: 'buy', type: 'ioc', priceTicks: 640_100, qtyLots: 400 }, 2);
    expect(t.positions).toEqual([
      { account: 'L', symbol: 'BTC-USDT-SWAP', qtyLots: 400, entryNotional: 256_000_000_000, avgEntryTicks: 640_000, realized: 0, fees: 128_000_000, margin: 25_600_000_000, marginAsset: 'USDT' },
      { account: 'M', symbol: 'BTC-USDT-SWAP', qtyLots: -400, entryNotional: 256_000_000_000, avgEntryTicks: 640_000, realized: 0, fees: 51_200_000, margin: 25_600_000_000, marginAsset: 'USDT' },
    ]);
    expect(l.balanceView('L', 'USDT')).toMatchObject({ total: 1_000_000_000_000 - 128_000_000, locked: 25_600_000_000 });
    expect(l.balanceView('M', 'USDT')).toMatchObject({ total: 1_000_000_000_000 - 51_200_000, locked: 25_600_000_000 + 38_400_000_000 });
    expect(e.lockedByOrders('M', 'USDT')).toBe(38_400_000_000);
    e.cancel('M', { orderId: m.orderId }, 3);

    // L closes 3 of its 4 contracts 1000.0 higher: +30 USDT realized
    e.place({ account: 'N', side: 'buy', type: 'limit', priceTicks: 650_000, qtyLots: 300 }, 4);
    expect(e.place({ account: 'L', side: 'sell', type: 'ioc', priceTicks: 650_000, qtyLots: 500, reduceOnly: true }, 5).rejectReason).toBe('reduce_only');
    expect(e.place({ account: 'L', side: 'buy', type: 'ioc', priceTicks: 650_000, qtyLots: 1, reduceOnly: true }, 5).rejectReason).toBe('reduce_only');
    const c = e.place({ account: 'L', side: 'sell', type: 'ioc', priceTicks: 650_000, qtyLots: 300, reduceOnly: true }, 5);
    expect(c.positions.find((p) => p.account === 'L')).toMatchObject({ qtyLots: 100, entryNotional: 64_000_000_000, realized: 3_000_000_000, fees: 128_000_000 + 97_500_000, margin: 6_400_000_000 });
    expect(l.balanceView('L', 'USDT')).toMatchObject({ total: 1_002_774_500_000, locked: 6_400_000_000 });

    // a sell of 300 when long 100 closes 100 (realized +0.9 at 64900.0) and opens a 200 short at 64900.0
    e.place({ account: 'N', side: 'buy', type: 'limit', priceTicks: 649_000, qtyLots: 300 }, 6);
    const f = e.place({ account: 'L', side: 'sell', type: 'ioc', priceTicks: 649_000, qtyLots: 300 }, 7);
    const lp = f.positions.find((p) => p.account === 'L')!;
    expect(lp).toMatchObject({ qtyLots: -200, entryNotional: 129_800_000_000, avgEntryTicks: 649_000, realized: 3_000_000_000 + 900_000_000, margin: 12_980_000_000 });
    // N (long 600) and L (short 200) + M (short 400): positions net to zero
    const net = ['L', 'M', 'N'].reduce((s, a) => s + e.position(a)!.qtyLots, 0);
    expect(net).toBe(0);
    // conservation: balances + fees collected = deposits + realized of all (realized sums to the PnL transfer)
    const realized = ['L', 'M', 'N'].reduce((s, a) => s + e.position(a)!.realized, 0);
    expect(l.supply('USDT')).toBe(3_000_000_000_000 + realized);
    e.checkInvariants();
  });

  it('caps a resting reduce-only order at the position left and cancels it when nothing is left', () => {
    const l = ledger();
    const e = new MatchingEngine(l, { instrument: SWAP });
    l.openAccount('L', { balances: { USDT: 1_000_000_000_000 } });
    l.openAccount('x', { unlimited: true });
    e.place({ account: 'x', side: 'sell', type: 'limit', priceTicks: 640_000, qtyLots: 100 }, 1);
    e.place({ account: 'L', side: 'buy', type: 'ioc', priceTicks: 640_000, qtyLots: 100 }, 1); // long 100
    const ro1 = e.place({ account: 'L', side: 'sell', type: 'limit', priceTicks: 650_000, qtyLots: 100, reduceOnly: true }, 2);
    const ro2 = e.place({ account: 'L', side: 'sell', type: 'limit', priceTicks: 650_100, qtyLots: 100, reduceOnly: true }, 2);
    expect(l.balanceView('L', 'USDT').locked).toBe(6_400_000_000); // reduce-only orders lock no margin
    // FOK sees the same rule as matching: the second reduce-only order is not liquidity
    const fok = e.place({ account: 'x', side: 'buy', type: 'fok', priceTicks: 660_000, qtyLots: 200 }, 3);
    expect(fok.reports.at(-1)).toMatchObject({ kind: 'expired', reason: 'fok_unfilled' });
    expect(fok.levels).toEqual([]);
    // a big buyer lifts both: the first closes the position, the second has nothing to reduce
    const r = e.place({ account: 'x', side: 'buy', type: 'ioc', priceTicks: 660_000, qtyLots: 200 }, 3);
    expect(r.trades.map((t) => [t.makerOrderId, t.qtyLots])).toEqual([[ro1.orderId, 100]]);
    expect(kinds(r)).toContain(`cancelled:${ro2.orderId}:reduce_only`);
    expect(r.reports.at(-1)).toMatchObject({ kind: 'expired', reason: 'ioc_remainder', cumQtyLots: 100 });
    expect(e.position('L')!.qtyLots).toBe(0);
    expect(e.snapshot().asks).toEqual([]);
    e.checkInvariants();
  });
});

describe('book output', () => {
  it('level changes replay onto the previous snapshot and onto the adapters\' OrderBook', () => {
    const e = spotEngine({ initialUpdateId: 1000 });
    unlimited(e, 'a', 'b');
    const core = new OrderBook(8);
    let snap = e.snapshot();
    expect(snap.updateId).toBe(1000);
    const ops = [
      () => e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 99, qtyLots: 3 }, 1),
      () => e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 98, qtyLots: 3 }, 1),
      () => e.place({ account: 'b', side: 'sell', type: 'limit', priceTicks: 101, qtyLots: 3 }, 1),
      () => e.place({ account: 'b', side: 'sell', type: 'limit', priceTicks: 97, qtyLots: 10 }, 1),
      () => e.place({ account: 'a', side: 'buy', type: 'fok', priceTicks: 97, qtyLots: 100 }, 1),
      () => e.cancel('b', { orderId: 3 }, 2),
    ];
    for (const op of ops) {
      const r = op();
      expect(r.updateId).toBe(r.prevUpdateId + (r.levels.length > 0 ? 1 : 0));
      snap = applyLevelChanges(snap, r.levels, r.updateId);
      expect(snap).toEqual(e.snapshot());
      for (const c of r.levels) (c.side === 'buy' ? core.setBid(c.priceTicks, c.qtyLots) : core.setAsk(c.priceTicks, c.qtyLots));
      expect(firstDifference(core, e.toOrderBook())).toBeNull();
    }
    expect(e.updateId).toBe(1005); // the FOK changed nothing
    expect(e.snapshot(1)).toEqual({ updateId: 1005, bids: [], asks: [[97, 4]] });
  });
});

describe('config validation', () => {
  it('names the field, what was expected and what was found', () => {
    const l = ledger();
    const err = (cfg: unknown): SimConfigError => {
      try {
        new MatchingEngine(l, cfg as never);
      } catch (e) {
        expect(e).toBeInstanceOf(SimConfigError);
        return e as SimConfigError;
      }
      throw new Error('no error');
    };
    expect(err({ instrument: { ...SPOT, quote: 'EUR' } }).field).toBe('engine.instrument.quote');
    expect(err({ instrument: { ...SPOT, kind: 'option' } }).message).toMatch(/engine\.instrument\.kind: expected one of "spot", "perpetual", "future", found "option"/);
    expect(err({ instrument: { ...SWAP, contractType: 'inverse' } }).field).toBe('engine.instrument.contractType');
    expect(err({ instrument: SPOT, makerFeePpm: 0.5 }).field).toBe('engine.makerFeePpm');
    expect(err({ instrument: SPOT, postOnly: 'maybe' }).field).toBe('engine.postOnly');
    expect(err({ instrument: SPOT, leverag: 3 }).field).toBe('engine.leverag');
    expect(err({ instrument: { ...SPOT, tickSize: 'abc' } }).field).toBe('engine.instrument');
    // a tick*lot finer than the quote asset's unit cannot be booked exactly
    const coarse = new (l.constructor as typeof import('../../src/sim/ledger.js').Ledger)({ assets: { BTC: 8, USDT: 2 } });
    expect(() => new MatchingEngine(coarse, { instrument: SPOT })).toThrow(/whole number of asset units/);
    expect(() => ledger({ clientIdScope: 'forever' as never })).toThrow(/ledger\.clientIdScope/);
  });
});
