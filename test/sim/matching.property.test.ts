// Property tests of the matching engine over random order streams (fast-check):
// 1. against a naive model (a flat list of resting orders, sorted on every match): same
//    acceptance, reports, trades and book after every operation; the level changes an operation
//    reports are exactly the difference of the snapshots before and after it, replay onto the
//    adapters' OrderBook, and bump the update id by one;
// 2. with finite balances (spot and perpetual): supply is conserved, locked amounts equal what
//    open orders and positions reserve, spot balances never go negative.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OrderBook, firstDifference } from '../../src/core/book.js';
import { MatchingEngine, type BookSnapshot, type PlaceRequest, type PostOnlyMode, type SelfTradeMode, type SimOrderType } from '../../src/sim/matching.js';
import { SPOT, SWAP, kinds, ledger } from './helpers.js';

// ---- the naive model ----------------------------------------------------------------------------

interface MOrder {
  id: number;
  acct: string;
  isBuy: boolean;
  limit: number;
  leaves: number;
  seq: number;
  cid: string;
}

interface MResult {
  accepted: boolean;
  reason: string | null;
  reports: string[];
  trades: [number, number, number, number][]; // price, qty, maker id, taker id
}

class Model {
  resting: MOrder[] = [];
  closed = new Set<number>();
  owner = new Map<number, string>();
  nextId = 1;
  seq = 0;
  constructor(
    readonly postOnly: PostOnlyMode,
    readonly stpDefault: SelfTradeMode,
    readonly bps: number,
  ) {}

  /** Opposite resting orders crossing `limit`, in priority order (price, then arrival). */
  private queue(isBuy: boolean, limit: number): MOrder[] {
    return this.resting
      .filter((o) => o.isBuy !== isBuy && (isBuy ? o.limit <= limit : o.limit >= limit))
      .sort((x, y) => (isBuy ? x.limit - y.limit : y.limit - x.limit) || x.seq - y.seq);
  }

  private remove(o: MOrder): void {
    this.resting.splice(this.resting.indexOf(o), 1);
    this.closed.add(o.id);
  }

  place(r: PlaceRequest): MResult {
    const out: MResult = { accepted: false, reason: null, reports: [], trades: [] };
    const cid = r.clientOrderId ?? '';
    if (cid !== '' && this.resting.some((o) => o.acct === r.account && o.cid === cid)) {
      out.reason = 'duplicate_client_id';
      out.reports.push('rejected:-1:duplicate_client_id');
      return out;
    }
    const isBuy = r.side === 'buy';
    const opp = this.resting.filter((o) => o.isBuy !== isBuy).map((o) => o.limit);
    const best = opp.length === 0 ? undefined : isBuy ? Math.min(...opp) : Math.max(...opp);
    let limit = r.priceTicks ?? 0;
    if (r.type === 'market') {
      if (best === undefined) limit = 0;
      else limit = isBuy ? Math.floor((best * (10_000 + this.bps)) / 10_000) : Math.max(1, Math.ceil((best * (10_000 - this.bps)) / 10_000));
    }
    const wouldTake = best !== undefined && limit > 0 && (isBuy ? best <= limit : best >= limit);
    if (r.type === 'post_only' && wouldTake && this.postOnly === 'reject') {
      out.reason = 'post_only_would_take';
      out.reports.push('rejected:-1:post_only_would_take');
      return out;
    }
    out.accepted = true;
    const id = this.nextId++;
    this.owner.set(id, r.account);
    const t: MOrder = { id, acct: r.account, isBuy, limit, leaves: r.qtyLots, seq: this.seq++, cid: cid || `sim${id}` };
    out.reports.push(`ack:${id}`);
    const stp = r.selfTrade ?? this.stpDefault;
    const expire = (reason: string): void => {
      out.reports.push(`expired:${id}:${reason}`);
      this.closed.add(id);
    };
    if (r.type === 'market' && limit === 0) {
      expire('no_liquidity');
      return out;
    }
    if (r.type === 'post_only') {
      if (wouldTake) {
        out.reports.push(`cancelled:${id}:post_only`);
        this.closed.add(id);
      } else this.resting.push(t);
      return out;
    }
    if (r.type === 'fok') {
      let can = 0;
      for (const m of this.queue(isBuy, limit)) {
        if (m.acct === t.acct) {
          if (stp !== 'cancel_maker') break;
          continue;
        }
        can += m.leaves;
      }
      if (can < t.leaves) {
        expire('fok_unfilled');
        return out;
      }
    }
    let stop: string | null = null;
    while (t.leaves > 0) {
      const m = this.queue(isBuy, limit)[0];
      if (m === undefined) break;
      if (m.acct === t.acct) {
        if (stp !== 'cancel_taker') {
          this.remove(m);
          out.reports.push(`cancelled:${m.id}:self_trade`);
        }
        if (stp !== 'cancel_maker') {
          stop = 'self_trade';
          break;
        }
        continue;
      }
      const q = Math.min(t.leaves, m.leaves);
      t.leaves -= q;
      m.leaves -= q;
      out.trades.push([m.limit, q, m.id, id]);
      out.reports.push(`${t.leaves === 0 ? 'fill' : 'partial_fill'}:${id}`, `${m.leaves === 0 ? 'fill' : 'partial_fill'}:${m.id}`);
      if (m.leaves === 0) this.remove(m);
    }
    if (t.leaves === 0) this.closed.add(id);
    else if (stop !== null) expire(stop);
    else if (r.type === 'limit') this.resting.push(t);
    else if (r.type === 'market') expire(this.resting.some((o) => o.isBuy !== isBuy) ? 'market_protection' : 'no_liquidity');
    else expire(r.type === 'fok' ? 'fok_unfilled' : 'ioc_remainder');
    return out;
  }

  cancel(acct: string, id: number): MResult {
    const o = this.resting.find((x) => x.id === id && x.acct === acct);
    if (o !== undefined) {
      this.remove(o);
      return { accepted: true, reason: null, reports: [`cancelled:${id}:user`], trades: [] };
    }
    if (this.owner.get(id) === acct && this.closed.has(id)) return { accepted: false, reason: 'order_closed', reports: [], trades: [] };
    return { accepted: false, reason: 'order_not_found', reports: [], trades: [] };
  }

  snapshot(): { bids: [number, number][]; asks: [number, number][] } {
    const agg = (isBuy: boolean): [number, number][] => {
      const m = new Map<number, number>();
      for (const o of this.resting) if (o.isBuy === isBuy) m.set(o.limit, (m.get(o.limit) ?? 0) + o.leaves);
      return [...m.entries()].sort((x, y) => (isBuy ? y[0] - x[0] : x[0] - y[0]));
    };
    return { bids: agg(true), asks: agg(false) };
  }
}

// ---- streams ------------------------------------------------------------------------------------

type Cmd = { t: 'place'; req: PlaceRequest } | { t: 'cancel'; account: string; pick: number };

const ACCOUNTS = ['a', 'b', 'c'] as const;
/** Two accounts meet themselves often (self-trade paths); three give more variety. */
const MODEL_ACCOUNTS = ['a', 'b'] as const;
const typeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<SimOrderType>('limit') },
  { weight: 2, arbitrary: fc.constant<SimOrderType>('ioc') },
  { weight: 2, arbitrary: fc.constant<SimOrderType>('fok') },
  { weight: 1, arbitrary: fc.constant<SimOrderType>('market') },
  { weight: 2, arbitrary: fc.constant<SimOrderType>('post_only') },
);
const placeArb: fc.Arbitrary<Cmd> = fc
  .record({
    account: fc.constantFrom(...MODEL_ACCOUNTS),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    type: typeArb,
    priceTicks: fc.integer({ min: 95, max: 105 }),
    qtyLots: fc.integer({ min: 1, max: 8 }),
    stp: fc.option(fc.constantFrom<SelfTradeMode>('cancel_maker', 'cancel_taker', 'cancel_both'), { nil: undefined }),
    cid: fc.option(fc.constantFrom('c0', 'c1', 'c2'), { nil: undefined, freq: 3 }),
  })
  .map((x) => {
    const req: PlaceRequest = {
      account: x.account, side: x.side, type: x.type, qtyLots: x.qtyLots,
      // buyers bid a little lower and sellers ask a little higher than the middle, so books get depth
      ...(x.type === 'market' ? {} : { priceTicks: x.priceTicks + (x.side === 'buy' ? -2 : 2) }),
      ...(x.stp === undefined ? {} : { selfTrade: x.stp }),
      ...(x.cid === undefined ? {} : { clientOrderId: x.cid }),
    };
    return { t: 'place' as const, req };
  });
const cancelArb: fc.Arbitrary<Cmd> = fc.record({ t: fc.constant('cancel' as const), account: fc.constantFrom(...MODEL_ACCOUNTS), pick: fc.nat() });
const cmdArb = fc.oneof({ weight: 4, arbitrary: placeArb }, { weight: 1, arbitrary: cancelArb });

function levelDiff(a: BookSnapshot | ReturnType<Model['snapshot']>, b: BookSnapshot | ReturnType<Model['snapshot']>): string[] {
  const out: string[] = [];
  for (const [side, x, y] of [['buy', a.bids, b.bids], ['sell', a.asks, b.asks]] as const) {
    const mx = new Map(x);
    const my = new Map(y);
    for (const p of new Set([...mx.keys(), ...my.keys()])) {
      const qx = mx.get(p) ?? 0;
      const qy = my.get(p) ?? 0;
      if (qx !== qy) out.push(`${side}:${p}:${qy}:${qx}`); // side:price:new:prev
    }
  }
  return out.sort();
}

describe('matching engine against a naive model', () => {
  it('agrees on reports, trades and books; level changes are exactly the snapshot diff', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<PostOnlyMode>('reject', 'bounce'),
        fc.constantFrom<SelfTradeMode>('cancel_maker', 'cancel_taker', 'cancel_both'),
        fc.integer({ min: 100, max: 600 }),
        fc.array(cmdArb, { minLength: 1, maxLength: 120, size: 'large' }),
        (postOnly, selfTrade, bps, cmds) => {
          const l = ledger();
          const e = new MatchingEngine(l, { instrument: SPOT, postOnly, selfTrade, marketProtectionBps: bps, initialUpdateId: 7 });
          for (const a of MODEL_ACCOUNTS) l.openAccount(a, { unlimited: true });
          const model = new Model(postOnly, selfTrade, bps);
          const core = new OrderBook(4);
          let before = e.snapshot();
          for (const c of cmds) {
            let r;
            let m: MResult;
            if (c.t === 'place') {
              r = e.place(c.req, 1);
              m = model.place(c.req);
            } else {
              const id = model.nextId === 1 ? 1 : (c.pick % (model.nextId + 1)) + 1; // sometimes unknown
              r = e.cancel(c.account, { orderId: id }, 1);
              m = model.cancel(c.account, id);
            }
            expect(r.accepted).toBe(m.accepted);
            expect(r.rejectReason).toBe(m.reason);
            expect(kinds(r)).toEqual(m.reports);
            expect(r.trades.map((t) => [t.priceTicks, t.qtyLots, t.makerOrderId, t.takerOrderId])).toEqual(m.trades);
            const after = e.snapshot();
            expect({ bids: after.bids, asks: after.asks }).toEqual(model.snapshot());
            // level changes == snapshot difference, with correct previous quantities
            expect(r.levels.map((x) => `${x.side}:${x.priceTicks}:${x.qtyLots}:${x.prevQtyLots}`).sort()).toEqual(levelDiff(before, after));
            expect(new Set(r.levels.map((x) => `${x.side}:${x.priceTicks}`)).size).toBe(r.levels.length);
            expect(r.prevUpdateId).toBe(before.updateId);
            expect(r.updateId).toBe(before.updateId + (r.levels.length > 0 ? 1 : 0));
            for (const x of r.levels) (x.side === 'buy' ? core.setBid(x.priceTicks, x.qtyLots) : core.setAsk(x.priceTicks, x.qtyLots));
            expect(firstDifference(core, e.toOrderBook())).toBeNull();
            expect(core.isCrossed()).toBe(false);
            e.checkInvariants();
            before = after;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ---- balances -----------------------------------------------------------------------------------

const moneyCmd = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('place' as const),
      account: fc.constantFrom(...ACCOUNTS),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      type: typeArb,
      priceTicks: fc.integer({ min: 6_390_000, max: 6_410_000 }),
      qtyLots: fc.integer({ min: 1, max: 40_000 }),
      reduceOnly: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cancel' as const), account: fc.constantFrom(...ACCOUNTS), pick: fc.nat({ max: 200 }) }) },
);

describe('balances over random streams', () => {
  it('spot: supply conserved, locks match open orders, nothing negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 1000 }), fc.integer({ min: 0, max: 2000 }), fc.array(moneyCmd, { maxLength: 80, size: 'medium' }), (maker, taker, cmds) => {
        const l = ledger();
        const e = new MatchingEngine(l, { instrument: SPOT, makerFeePpm: maker, takerFeePpm: taker });
        for (const a of ACCOUNTS) l.openAccount(a, { balances: { BTC: 100_000_000, USDT: 5_000_000_000_000 } });
        for (const c of cmds) {
          if (c.t === 'place') e.place({ account: c.account, side: c.side, type: c.type, priceTicks: c.priceTicks, qtyLots: c.qtyLots }, 1);
          else e.cancel(c.account, { orderId: c.pick }, 1);
          expect(l.supply('BTC')).toBe(300_000_000);
          expect(l.supply('USDT')).toBe(15_000_000_000_000);
          for (const a of ACCOUNTS) {
            for (const asset of ['BTC', 'USDT']) {
              const b = l.balanceView(a, asset);
              expect(b.locked).toBe(e.lockedByOrders(a, asset));
              expect(b.free).toBeGreaterThanOrEqual(0);
              expect(Number.isSafeInteger(b.total)).toBe(true);
            }
          }
          e.checkInvariants();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('perpetual: positions net to zero, USDT = deposits + realized PnL, locks = order margin + position margin', () => {
    fc.assert(
      fc.property(fc.array(moneyCmd, { maxLength: 80, size: 'medium' }), (cmds) => {
        const l = ledger();
        const e = new MatchingEngine(l, { instrument: SWAP, makerFeePpm: 200, takerFeePpm: 500, leverage: 5 });
        for (const a of ACCOUNTS) l.openAccount(a, { balances: { USDT: 100_000_000_000_000 } });
        for (const c of cmds) {
          if (c.t === 'place') {
            e.place({ account: c.account, side: c.side, type: c.type, priceTicks: Math.round(c.priceTicks / 10), qtyLots: 1 + (c.qtyLots % 500), reduceOnly: c.reduceOnly }, 1);
          } else e.cancel(c.account, { orderId: c.pick }, 1);
          let net = 0;
          let realized = 0;
          for (const a of ACCOUNTS) {
            const p = e.position(a)!;
            net += p.qtyLots;
            realized += p.realized;
            expect(l.balanceView(a, 'USDT').locked).toBe(e.lockedByOrders(a, 'USDT') + p.margin);
            expect(p.margin).toBe(Number((BigInt(p.entryNotional) + 4n) / 5n));
            if (p.qtyLots === 0) expect(p.entryNotional).toBe(0);
          }
          expect(net).toBe(0);
          expect(l.supply('USDT')).toBe(300_000_000_000_000 + realized);
          e.checkInvariants();
        }
      }),
      { numRuns: 150 },
    );
  });
});
