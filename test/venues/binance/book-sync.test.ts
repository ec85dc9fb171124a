// Binance spot and USD-M book-sync machines: the sample scenarios and every documented rule.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BinanceSpotBookSync } from '../../../src/venues/binance-spot/book-sync.js';
import { BinanceUsdmBookSync } from '../../../src/venues/binance-usdm/book-sync.js';
import { compareReplay, runBinanceReplay } from '../../../src/venues/binance/replay.js';
import { DepthUpdate } from '../../../src/venues/types.js';
import { OrderBook } from '../../../src/core/book.js';
import { sample, spec } from './samples.js';

function delta(U: number, u: number, bids: [number, number][] = [], asks: [number, number][] = [], pu = -1): DepthUpdate {
  const d = new DepthUpdate(4);
  d.kind = 'delta';
  d.firstId = U;
  d.lastId = u;
  d.prevId = pu;
  for (const [p, q] of bids) d.pushBid(p, q);
  for (const [p, q] of asks) d.pushAsk(p, q);
  return d;
}
function snap(id: number, bids: [number, number][] = [[100, 1]], asks: [number, number][] = [[101, 1]]): DepthUpdate {
  const d = delta(-1, id, bids, asks);
  d.kind = 'snapshot';
  return d;
}
const st = (s: { status: string; reason?: string }) => (s.status === 'resync' ? `resync:${s.reason}` : s.status);

describe('sample scenarios through book-replay', () => {
  it('spot 05: snapshot + two deltas -> expected book and nonce 110', () => {
    const sc = sample('binance_spot', '05');
    const r = runBinanceReplay({ venue: 'binance-spot', snapshot: JSON.stringify(sc.httpResponse), events: sc.messages.map((m: unknown) => JSON.stringify(m)) });
    expect(r.status).toBe('synced');
    if (r.status === 'break') return;
    expect(r.updateId).toBe(110);
    expect(r.bids).toEqual([['64000', '1.2'], ['63999', '2'], ['63998', '5']]);
    expect(r.asks).toEqual([['64002', '2.5'], ['64003', '0.7']]);
    expect(r.stats).toEqual({ applied: 2, dropped: 0, buffered: 0, skipped: 1 });
    expect(compareReplay(r, sc.parsedResponse)).toBeNull();
  });

  it('usdm 03: pu chain -> expected book and nonce 110, with an explicit spec', () => {
    const sc = sample('binance_usdm', '03');
    const r = runBinanceReplay({
      venue: 'binance-usdm', snapshot: JSON.stringify(sc.httpResponse), events: sc.messages.map((m: unknown) => JSON.stringify(m)),
      spec: spec('BTCUSDT', '0.10', '0.001', 'binance-usdm'),
    });
    expect(compareReplay(r, sc.parsedResponse)).toBeNull();
    if (r.status === 'break') return;
    expect(r.bids).toEqual([['64000', '1.2'], ['63998', '5']]);
    expect(r.asks).toEqual([['64003', '0.7']]);
  });

  it('usdm 03 with the snapshot after the first event (buffered path) gives the same book', () => {
    const sc = sample('binance_usdm', '03');
    const r = runBinanceReplay({ venue: 'binance-usdm', snapshot: JSON.stringify(sc.httpResponse), events: sc.messages.map((m: unknown) => JSON.stringify(m)), snapshotAfter: 1 });
    expect(compareReplay(r, sc.parsedResponse)).toBeNull();
  });

  it('spot 05 with the snapshot after the first event: rule 4 says the snapshot is too old', () => {
    const sc = sample('binance_spot', '05');
    const r = runBinanceReplay({ venue: 'binance-spot', snapshot: JSON.stringify(sc.httpResponse), events: sc.messages.map((m: unknown) => JSON.stringify(m)), snapshotAfter: 1 });
    expect(r).toMatchObject({ status: 'break', index: 1, reason: 'SNAPSHOT_TOO_OLD' });
  });

  it('replay reports the first break with its rule, and bad frames', () => {
    const sc = sample('binance_usdm', '03');
    const events = sc.messages.map((m: unknown) => JSON.stringify(m));
    events[2] = events[2].replace('"pu":105', '"pu":104');
    const r = runBinanceReplay({ venue: 'binance-usdm', snapshot: JSON.stringify(sc.httpResponse), events });
    expect(r).toMatchObject({ status: 'break', index: 2, reason: 'PREV_MISMATCH' });
    expect(compareReplay(r, sc.parsedResponse)).toMatch(/PREV_MISMATCH/);
    const bad = runBinanceReplay({ venue: 'binance-usdm', snapshot: JSON.stringify(sc.httpResponse), events: [events[1], '{"e":"depthUpdate",'] });
    expect(bad).toMatchObject({ status: 'break', index: 1, reason: 'BAD_MESSAGE' });
    const badSnap = runBinanceReplay({ venue: 'binance-usdm', snapshot: '{"bids":[]}', events });
    expect(badSnap).toMatchObject({ status: 'break', index: -1, reason: 'BAD_MESSAGE' });
  });
});

describe('spot rules', () => {
  it('buffers until the snapshot and asks for one', () => {
    const s = new BinanceSpotBookSync();
    expect(s.wantsSnapshot).toBe(false);
    expect(st(s.onDelta(delta(5, 8)))).toBe('buffered');
    expect(s.wantsSnapshot).toBe(true);
    expect(s.synced).toBe(false);
    expect(s.firstBufferedId).toBe(5);
  });

  it('rule 4: snapshot lastUpdateId < first U -> fetch again, buffer kept', () => {
    const s = new BinanceSpotBookSync();
    s.onDelta(delta(10, 12));
    expect(st(s.onSnapshot(snap(9)))).toBe('resync:SNAPSHOT_TOO_OLD');
    expect(s.wantsSnapshot).toBe(true);
    expect(s.bufferedCount).toBe(1);
    expect(st(s.onSnapshot(snap(11)))).toBe('applied');
    expect(s.synced).toBe(true);
    expect(s.book.updateId).toBe(12);
  });

  it('rule 5: drops buffered u <= lastUpdateId, applies the bracketing event and the rest', () => {
    const s = new BinanceSpotBookSync();
    s.onDelta(delta(1, 5, [[90, 9]]));
    s.onDelta(delta(6, 10, [[91, 9]])); // u == L: dropped
    s.onDelta(delta(11, 12, [[92, 9]])); // U == L+1: continues
    s.onDelta(delta(13, 13, [[93, 9]]));
    expect(st(s.onSnapshot(snap(10)))).toBe('applied');
    expect(s.counters).toMatchObject({ dropped: 2, applied: 2 });
    expect(s.book.updateId).toBe(13);
    expect(s.book.bids.qtyAt(91)).toBe(0);
    expect(s.book.bids.qtyAt(92)).toBe(9);
  });

  it('first event not bracketing the snapshot -> NO_OVERLAP, the event stays buffered', () => {
    const s = new BinanceSpotBookSync();
    s.onDelta(delta(1, 5));
    s.onDelta(delta(8, 9)); // hole between 5 and 8
    expect(st(s.onSnapshot(snap(6)))).toBe('resync:NO_OVERLAP');
    expect(s.synced).toBe(false);
    expect(s.book.levelCount()).toBe(0);
    expect(s.bufferedCount).toBe(1);
    expect(s.firstBufferedId).toBe(8);
    expect(st(s.onSnapshot(snap(8)))).toBe('applied');
    expect(s.book.updateId).toBe(9);
  });

  it('snapshot before any event: the first event must satisfy U <= id + 1', () => {
    const s = new BinanceSpotBookSync();
    expect(st(s.onSnapshot(snap(100)))).toBe('applied');
    expect(s.synced).toBe(true);
    expect(st(s.onDelta(delta(90, 100)))).toBe('dropped'); // u <= L on the first event
    expect(st(s.onDelta(delta(102, 105)))).toBe('resync:NO_OVERLAP');
    const t = new BinanceSpotBookSync();
    t.onSnapshot(snap(100));
    expect(st(t.onDelta(delta(101, 105)))).toBe('applied');
  });

  it('steady state: u < id dropped, u == id re-applied (idempotent), U > id+1 is a GAP', () => {
    const s = new BinanceSpotBookSync();
    s.onSnapshot(snap(10));
    expect(st(s.onDelta(delta(11, 15, [[100, 3]])))).toBe('applied');
    expect(st(s.onDelta(delta(11, 14)))).toBe('dropped');
    expect(st(s.onDelta(delta(11, 15, [[100, 3]])))).toBe('applied');
    expect(s.book.bids.qtyAt(100)).toBe(3);
    expect(st(s.onDelta(delta(16, 16)))).toBe('applied');
    const r = s.onDelta(delta(18, 20));
    expect(r).toMatchObject({ status: 'resync', reason: 'GAP' });
    expect(r.status === 'resync' && r.detail).toMatch(/U=18 > book id 16/);
    expect(s.synced).toBe(false);
    expect(s.book.levelCount()).toBe(0);
    expect(s.bufferedCount).toBe(1); // restart from step 1 with this event buffered
    expect(st(s.onSnapshot(snap(19)))).toBe('applied');
    expect(s.book.updateId).toBe(20);
  });

  it('crossed book after an event, in a snapshot, and while draining -> CROSSED', () => {
    const s = new BinanceSpotBookSync();
    s.onSnapshot(snap(10, [[100, 1]], [[101, 1]]));
    expect(st(s.onDelta(delta(11, 11, [[101, 1]])))).toBe('resync:CROSSED');
    expect(s.synced).toBe(false);
    expect(s.bufferedCount).toBe(0);
    const t = new BinanceSpotBookSync();
    expect(st(t.onSnapshot(snap(10, [[102, 1]], [[101, 1]])))).toBe('resync:CROSSED');
    expect(t.wantsSnapshot).toBe(true);
    const u = new BinanceSpotBookSync();
    u.onDelta(delta(9, 11, [[105, 1]]));
    u.onDelta(delta(12, 12));
    expect(st(u.onSnapshot(snap(10)))).toBe('resync:CROSSED');
    expect(u.bufferedCount).toBe(1); // the event after the crossing one stays buffered
  });

  it('ignores an unsolicited snapshot while synced; rejects a snapshot fed as a diff', () => {
    const s = new BinanceSpotBookSync();
    s.onSnapshot(snap(10));
    expect(st(s.onSnapshot(snap(50)))).toBe('dropped');
    expect(st(s.onDelta(snap(11)))).toBe('resync:BAD_MESSAGE');
    expect(st(s.invalidate('BAD_MESSAGE', 'unparseable frame'))).toBe('resync:BAD_MESSAGE');
  });

  it('a partial snapshot: once the published top levels reach past its range, DEPTH_EXHAUSTED and a new snapshot', () => {
    // the venue returned exactly the 3 levels per side asked for: below 98 / above 103 is unknown
    const s = new BinanceSpotBookSync({ coverDepth: 2, snapshotLimit: 3 });
    s.onDelta(delta(11, 12));
    expect(st(s.onSnapshot(snap(11, [[100, 1], [99, 1], [98, 1]], [[101, 1], [102, 1], [103, 1]])))).toBe('applied');
    // the best bid goes: the top 2 bids are 99 and 98, still inside the snapshot's range
    expect(st(s.onDelta(delta(13, 13, [[100, 0]])))).toBe('applied');
    // a new level below the range is real (it changed), but what lies between 98 and it is not
    // known; the top 2 are still 99 / 98
    expect(st(s.onDelta(delta(14, 14, [[90, 5]])))).toBe('applied');
    // 99 goes too: the top 2 would be 98 and 90, and between them the venue may hold levels we
    // never saw
    const r = s.onDelta(delta(15, 15, [[99, 0]]));
    expect(st(r)).toBe('resync:DEPTH_EXHAUSTED');
    expect(s.synced).toBe(false);
    expect(s.wantsSnapshot).toBe(true);
    // the asks side is checked the same way
    const t = new BinanceSpotBookSync({ coverDepth: 2, snapshotLimit: 3 });
    t.onDelta(delta(11, 12));
    t.onSnapshot(snap(11, [[100, 1], [99, 1], [98, 1]], [[101, 1], [102, 1], [103, 1]]));
    expect(st(t.onDelta(delta(13, 13, [], [[101, 0]])))).toBe('applied');
    expect(st(t.onDelta(delta(14, 14, [], [[102, 0]])))).toBe('resync:DEPTH_EXHAUSTED');
  });

  it('a side the snapshot returned in full (fewer levels than the limit) is never exhausted; no coverDepth, no check', () => {
    const s = new BinanceSpotBookSync({ coverDepth: 2, snapshotLimit: 5 });
    s.onDelta(delta(11, 12));
    expect(st(s.onSnapshot(snap(11, [[100, 1], [99, 1], [98, 1]], [[101, 1], [102, 1]])))).toBe('applied');
    expect(st(s.onDelta(delta(13, 13, [[100, 0], [99, 0]], [[101, 0]])))).toBe('applied');
    expect(s.synced).toBe(true);
    const u = new BinanceSpotBookSync({ snapshotLimit: 3 });
    u.onDelta(delta(11, 12));
    u.onSnapshot(snap(11, [[100, 1], [99, 1], [98, 1]], [[101, 1], [102, 1], [103, 1]]));
    expect(st(u.onDelta(delta(13, 13, [[100, 0], [99, 0]])))).toBe('applied');
  });

  it('buffer overflow discards the buffer and keeps asking', () => {
    const s = new BinanceSpotBookSync({ maxBuffered: 3 });
    for (let i = 0; i < 3; i++) expect(st(s.onDelta(delta(i * 2 + 1, i * 2 + 2)))).toBe('buffered');
    expect(st(s.onDelta(delta(7, 8)))).toBe('resync:BUFFER_OVERFLOW');
    expect(s.bufferedCount).toBe(1);
    expect(s.firstBufferedId).toBe(7);
  });
});

describe('usdm rules', () => {
  it('drops u < lastUpdateId, first event needs U <= L <= u, then the pu chain', () => {
    const s = new BinanceUsdmBookSync();
    s.onDelta(delta(80, 90, [], [], 79));
    s.onDelta(delta(91, 99, [], [], 90)); // u < 100: dropped
    s.onDelta(delta(100, 104, [[50, 1]], [], 99)); // U <= 100 <= u: first
    s.onDelta(delta(105, 106, [], [], 104));
    expect(st(s.onSnapshot(snap(100)))).toBe('applied');
    expect(s.counters).toMatchObject({ dropped: 2, applied: 2 });
    expect(s.book.updateId).toBe(106);
    expect(st(s.onDelta(delta(107, 110, [], [], 106)))).toBe('applied');
  });

  it('u == lastUpdateId on the first event is kept (only u < L is dropped)', () => {
    const s = new BinanceUsdmBookSync();
    s.onDelta(delta(95, 100, [[60, 2]], [], 94));
    expect(st(s.onSnapshot(snap(100)))).toBe('applied');
    expect(s.counters.applied).toBe(1);
    expect(s.book.bids.qtyAt(60)).toBe(2);
  });

  it('first event not bracketing -> NO_OVERLAP (snapshot older than the stream)', () => {
    const s = new BinanceUsdmBookSync();
    s.onDelta(delta(101, 105, [], [], 100));
    expect(st(s.onSnapshot(snap(100)))).toBe('resync:NO_OVERLAP');
    expect(s.bufferedCount).toBe(1);
    expect(st(s.onSnapshot(snap(103)))).toBe('applied');
  });

  it('pu break -> PREV_MISMATCH, event buffered for the re-initialisation', () => {
    const s = new BinanceUsdmBookSync();
    s.onSnapshot(snap(100));
    expect(st(s.onDelta(delta(95, 105, [], [], 90)))).toBe('applied');
    const r = s.onDelta(delta(107, 110, [], [], 106));
    expect(r).toMatchObject({ status: 'resync', reason: 'PREV_MISMATCH' });
    expect(r.status === 'resync' && r.detail).toMatch(/pu=106 != previous u 105/);
    expect(s.bufferedCount).toBe(1);
    expect(st(s.onSnapshot(snap(108)))).toBe('applied');
    expect(s.book.updateId).toBe(110);
  });

  it('duplicates (u <= id) are dropped in steady state instead of breaking the pu chain', () => {
    const s = new BinanceUsdmBookSync();
    s.onSnapshot(snap(100));
    s.onDelta(delta(95, 105, [], [], 90));
    s.onDelta(delta(106, 110, [], [], 105));
    expect(st(s.onDelta(delta(106, 110, [], [], 105)))).toBe('dropped');
    expect(st(s.onDelta(delta(111, 111, [], [], 110)))).toBe('applied');
  });

  it('crossed -> CROSSED', () => {
    const s = new BinanceUsdmBookSync();
    s.onSnapshot(snap(100));
    expect(st(s.onDelta(delta(95, 105, [], [[99, 1]], 90)))).toBe('resync:CROSSED');
  });
});

describe('property: a lossless stream reproduces the venue book; a lossy one never lies', () => {
  // A model venue: random level changes grouped into events with consecutive update ids.
  const change = fc.record({ bid: fc.boolean(), px: fc.integer({ min: 0, max: 30 }), qty: fc.integer({ min: 0, max: 5 }) });
  const event = fc.array(change, { minLength: 1, maxLength: 4 });
  for (const venue of ['spot', 'usdm'] as const) {
    it(`${venue}`, () => {
      fc.assert(
        fc.property(fc.array(event, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 60 }), fc.array(fc.integer({ min: 0, max: 59 }), { maxLength: 3 }), (events, snapAt, losses) => {
          // venue book: bids at px 0..30, asks at px 40..70 (never crossed)
          const venueBook = new OrderBook();
          const frames: DepthUpdate[] = [];
          const snaps: DepthUpdate[] = [];
          let id = 1000;
          let prev = id;
          for (const ev of events) {
            snaps.push(toSnap(venueBook, id));
            const d = delta(id + 1, id + ev.length, [], [], prev);
            for (const c of ev) {
              if (c.bid) {
                d.pushBid(c.px, c.qty);
                venueBook.setBid(c.px, c.qty);
              } else {
                d.pushAsk(c.px + 40, c.qty);
                venueBook.setAsk(c.px + 40, c.qty);
              }
            }
            id += ev.length;
            prev = id;
            frames.push(d);
          }
          snaps.push(toSnap(venueBook, id));
          const lost = new Set(losses);
          const s = venue === 'spot' ? new BinanceSpotBookSync() : new BinanceUsdmBookSync();
          const at = Math.min(snapAt, frames.length);
          let snapshotDone = false;
          for (let i = 0; i < frames.length; i++) {
            if (i === at && !snapshotDone) {
              s.onSnapshot(snaps[i]!);
              snapshotDone = true;
            }
            if (lost.has(i)) continue;
            const step = s.onDelta(frames[i]!);
            if (step.status === 'resync' && s.wantsSnapshot) {
              // refetch immediately: the venue snapshot as of the previous event
              s.onSnapshot(snaps[i + 1]!);
            }
            if (s.synced) {
              // whenever we say synced, our book equals the venue's as of our update id
              const venueAt = snaps.find((x) => x.lastId === s.book.updateId);
              if (venueAt) {
                const b = new OrderBook();
                b.loadSnapshot(venueAt);
                expect(s.book.equals(b)).toBe(true);
              }
            }
          }
          if (!snapshotDone) s.onSnapshot(snaps[frames.length]!);
          if (lost.size === 0 && s.synced) expect(s.book.equals(venueBook)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  }
});

function toSnap(book: OrderBook, id: number): DepthUpdate {
  const lv = book.toLevels();
  return snap(id, lv.bids, lv.asks);
}
