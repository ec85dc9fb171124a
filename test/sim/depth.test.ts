// src/sim/servers/depth.ts DiffStream: a REST snapshot taken at any update id inside a publish
// interval, plus the interval's diff event, gives exactly the engine's book, also when a level was
// added and removed again inside the interval (printed as removed, not left out as a net no-op).
import { describe, expect, it } from 'vitest';
import { applyLevelChanges, type BookSnapshot, type MatchingEngine } from '../../src/sim/matching.js';
import { DiffStream, type DepthEvent } from '../../src/sim/servers/depth.js';
import { spotEngine } from './helpers.js';

function engine(): MatchingEngine {
  const e = spotEngine();
  e.ledger.openAccount('a', { unlimited: true });
  return e;
}

/** A snapshot with an event's levels applied (absolute quantities, 0 removes). */
function apply(s: BookSnapshot, ev: DepthEvent): BookSnapshot {
  const changes = [
    ...ev.bids.map(([p, q]) => ({ side: 'buy' as const, priceTicks: p, qtyLots: q, prevQtyLots: 0 })),
    ...ev.asks.map(([p, q]) => ({ side: 'sell' as const, priceTicks: p, qtyLots: q, prevQtyLots: 0 })),
  ];
  return applyLevelChanges(s, changes, ev.u);
}

describe('DiffStream', () => {
  it('a level added and removed inside one interval is printed as removed, so a snapshot taken in between stays consistent', () => {
    const e = engine();
    e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 1 }, 1);
    e.place({ account: 'a', side: 'sell', type: 'limit', priceTicks: 110, qtyLots: 1 }, 2);
    const d = new DiffStream(e);
    // the interval: a bid at 99 appears, a REST snapshot is taken, the bid goes again
    const p = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 99, qtyLots: 2 }, 3);
    const mid = e.snapshot();
    expect(mid.bids).toContainEqual([99, 2]);
    e.cancel('a', { orderId: p.orderId }, 4);
    const ev = d.next()!;
    expect(ev.U).toBe(mid.updateId);
    expect(ev.u).toBe(e.updateId);
    expect(ev.bids).toEqual([[99, 0]]);
    // the client that loaded `mid` and applies the event has the engine's book
    const after = apply(mid, ev);
    const now = e.snapshot();
    expect(after.bids).toEqual(now.bids);
    expect(after.asks).toEqual(now.asks);
    // nothing moved since: no event
    expect(d.next()).toBeNull();
  });

  it('a depth-limited view prints a touched level only where the view could hold it', () => {
    const e = engine();
    e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 100, qtyLots: 1 }, 1);
    e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 98, qtyLots: 1 }, 2);
    const d = new DiffStream(e, 2); // top 2 levels per side
    // 97 comes and goes below the full 2-level view: never visible, not printed
    const p = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 97, qtyLots: 1 }, 3);
    e.cancel('a', { orderId: p.orderId }, 4);
    // 99 comes and goes inside the view's range: printed as removed
    const q = e.place({ account: 'a', side: 'buy', type: 'limit', priceTicks: 99, qtyLots: 1 }, 5);
    e.cancel('a', { orderId: q.orderId }, 6);
    const ev = d.next()!;
    expect(ev.bids).toEqual([[99, 0]]);
  });
});
