// OrderBook: sorted typed-array sides against a naive Map model.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OrderBook, firstDifference } from '../../src/core/book.js';
import { DepthUpdate } from '../../src/venues/types.js';

class NaiveBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  set(side: 'b' | 'a', px: number, qty: number): void {
    const m = side === 'b' ? this.bids : this.asks;
    if (qty > 0) m.set(px, qty);
    else m.delete(px);
  }
  levels(): { bids: [number, number][]; asks: [number, number][] } {
    return {
      bids: [...this.bids.entries()].sort((x, y) => y[0] - x[0]),
      asks: [...this.asks.entries()].sort((x, y) => x[0] - y[0]),
    };
  }
}

function update(bids: [number, number][], asks: [number, number][], kind: 'snapshot' | 'delta' = 'delta', lastId = -1): DepthUpdate {
  const u = new DepthUpdate(2);
  u.kind = kind;
  u.lastId = lastId;
  for (const [p, q] of bids) u.pushBid(p, q);
  for (const [p, q] of asks) u.pushAsk(p, q);
  return u;
}

describe('OrderBook basics', () => {
  it('keeps best at the top, deletes on 0, ignores deleting absent levels', () => {
    const b = new OrderBook(4);
    expect(b.bestBidPx()).toBeNaN();
    expect(b.bestAskPx()).toBeNaN();
    expect(b.isCrossed()).toBe(false);
    b.applyLevels(update([[100, 5], [101, 1], [99, 2]], [[103, 4], [102, 3], [105, 1]]));
    expect(b.bestBidPx()).toBe(101);
    expect(b.bestBidQty()).toBe(1);
    expect(b.bestAskPx()).toBe(102);
    expect(b.bestAskQty()).toBe(3);
    expect(b.levelCount()).toBe(6);
    b.setBid(101, 0);
    b.setAsk(104, 0); // absent: no-op
    expect(b.bestBidPx()).toBe(100);
    expect(b.toLevels()).toEqual({ bids: [[100, 5], [99, 2]], asks: [[102, 3], [103, 4], [105, 1]] });
    b.setAsk(102, 7);
    expect(b.asks.qtyAt(102)).toBe(7);
    expect(b.asks.qtyAt(104)).toBe(0);
    b.checkInvariants();
  });

  it('grows past its initial capacity', () => {
    const b = new OrderBook(4);
    for (let i = 0; i < 1000; i++) b.setBid(i * 3 % 1000, i + 1);
    expect(b.bids.count).toBe(1000);
    b.checkInvariants();
  });

  it('detects a crossed or locked book', () => {
    const b = new OrderBook();
    b.setBid(100, 1);
    b.setAsk(101, 1);
    expect(b.isCrossed()).toBe(false);
    b.setBid(101, 1);
    expect(b.isCrossed()).toBe(true); // locked (bid == ask) counts as crossed
    b.setBid(101, 0);
    b.setBid(102, 1);
    expect(b.isCrossed()).toBe(true);
  });

  it('top-N writes into caller arrays without allocating and clips to their length', () => {
    const b = new OrderBook();
    b.applyLevels(update([[100, 1], [99, 2], [98, 3]], [[101, 4]]));
    const px = new Float64Array(2);
    const qty = new Float64Array(2);
    expect(b.topBids(5, px, qty)).toBe(2);
    expect([...px]).toEqual([100, 99]);
    expect([...qty]).toEqual([1, 2]);
    expect(b.topAsks(5, px, qty)).toBe(1);
    expect(px[0]).toBe(101);
    expect(b.bids.pxAtDepth(2)).toBe(98);
    expect(b.bids.pxAtDepth(3)).toBeNaN();
  });

  it('loads snapshots in venue order (best first), reverse order and unsorted with duplicates', () => {
    const want = { bids: [[100, 1], [99, 2], [98, 3]], asks: [[101, 4], [102, 5]] };
    const b = new OrderBook(2);
    b.setBid(50, 1);
    b.loadSnapshot(update([[100, 1], [99, 2], [98, 3]], [[101, 4], [102, 5]], 'snapshot', 77));
    expect(b.toLevels()).toEqual(want);
    expect(b.updateId).toBe(77);
    b.loadSnapshot(update([[98, 3], [99, 2], [100, 1]], [[102, 5], [101, 4]], 'snapshot', 78));
    expect(b.toLevels()).toEqual(want);
    b.loadSnapshot(update([[99, 9], [100, 1], [98, 3], [99, 2], [97, 0]], [[102, 5], [101, 4], [103, 0]], 'snapshot', 79));
    expect(b.toLevels()).toEqual(want);
    b.checkInvariants();
    b.loadSnapshot(update([], [], 'snapshot', 80));
    expect(b.levelCount()).toBe(0);
  });

  it('firstDifference names the first differing level', () => {
    const a = new OrderBook();
    const b = new OrderBook();
    a.setBid(100, 1);
    b.setBid(100, 1);
    expect(a.equals(b)).toBe(true);
    b.setAsk(101, 2);
    expect(firstDifference(a, b)).toBe('asks level count 0 != 1');
    a.setAsk(101, 3);
    expect(firstDifference(a, b)).toBe('asks[0] @101 qty 3 != 2');
    a.setAsk(101, 2);
    a.setBid(99, 1);
    expect(a.equals(b, 1)).toBe(true);
    expect(a.equals(b)).toBe(false);
  });
});

describe('OrderBook against a Map model (property)', () => {
  const op = fc.record({
    side: fc.constantFrom<'b' | 'a'>('b', 'a'),
    px: fc.integer({ min: 0, max: 60 }),
    qty: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1e9 })),
  });
  it('matches after any sequence of sets, deletes and snapshots', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(op, fc.constant('snap' as const)), { maxLength: 400 }), (ops) => {
        const book = new OrderBook(4);
        const model = new NaiveBook();
        for (const o of ops) {
          if (o === 'snap') {
            const lv = model.levels();
            book.loadSnapshot(update(lv.bids, lv.asks, 'snapshot'));
            continue;
          }
          book[o.side === 'b' ? 'setBid' : 'setAsk'](o.px, o.qty);
          model.set(o.side, o.px, o.qty);
        }
        book.checkInvariants();
        expect(book.toLevels()).toEqual(model.levels());
        const lv = model.levels();
        expect(book.bestBidPx()).toBe(lv.bids.length ? lv.bids[0]![0] : NaN);
        expect(book.bestAskPx()).toBe(lv.asks.length ? lv.asks[0]![0] : NaN);
        const crossed = lv.bids.length > 0 && lv.asks.length > 0 && lv.bids[0]![0] >= lv.asks[0]![0];
        expect(book.isCrossed()).toBe(crossed);
      }),
      { numRuns: 500 },
    );
  });

  it('deep books (binary-search path) match too', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 100, maxLength: 2000 }), (ops) => {
        const book = new OrderBook(8);
        const model = new NaiveBook();
        for (const o of ops) {
          const px = o.px * 97 + (o.qty % 13); // spread prices over a wider range
          book[o.side === 'b' ? 'setBid' : 'setAsk'](px, o.qty);
          model.set(o.side, px, o.qty);
        }
        book.checkInvariants();
        expect(book.toLevels()).toEqual(model.levels());
      }),
      { numRuns: 100 },
    );
  });
});
