// A/B link arbitration (src/core/arbitration.ts): unit cases and a property test of two links
// delivering the same sequence stream with random delays, drops and resyncs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ArbVerdict, BookFlag, LinkArbiter } from '../../src/core/arbitration.js';
import { BookFlags } from '../../src/wire/index.js';

const S = BookFlag.SYNCED;

describe('LinkArbiter', () => {
  it('uses the wire BookFlags bit values', () => {
    expect(BookFlag.SYNCED).toBe(BookFlags.Synced);
    expect(BookFlag.SNAPSHOT).toBe(BookFlags.Snapshot);
    expect(BookFlag.RESYNCING).toBe(BookFlags.Resyncing);
    expect(BookFlag.STALE).toBe(BookFlags.Stale);
  });

  it('first arrival wins; duplicates and older tops from the other link are dropped and counted', () => {
    const a = new LinkArbiter(2);
    expect(a.offer(0, 0, S, 10)).toBe(ArbVerdict.APPLY);
    expect(a.offer(0, 1, S, 10)).toBe(ArbVerdict.DUPLICATE);
    expect(a.offer(0, 1, S, 11)).toBe(ArbVerdict.APPLY);
    expect(a.winnerOf(0)).toBe(1);
    expect(a.offer(0, 0, S, 11)).toBe(ArbVerdict.DUPLICATE);
    expect(a.offer(0, 0, S, 9)).toBe(ArbVerdict.OLDER);
    expect(a.lastApplied(0)).toBe(11);
    expect(a.counters).toEqual({ applied: 2, duplicates: 2, older: 1, unsynced: 0, invalid: 0 });
    // instruments are independent
    expect(a.offer(1, 0, S, 3)).toBe(ArbVerdict.APPLY);
    expect(a.lastApplied(0)).toBe(11);
  });

  it('a link that is behind never rolls the book back', () => {
    const a = new LinkArbiter(1);
    for (let s = 1; s <= 5; s++) a.offer(0, 0, S, s);
    for (let s = 1; s <= 5; s++) expect(a.offer(0, 1, S, s)).not.toBe(ArbVerdict.APPLY);
    expect(a.lastApplied(0)).toBe(5);
  });

  it('unsynced, resyncing and stale tops are never applied or tradable', () => {
    const a = new LinkArbiter(1);
    expect(a.tradable(0)).toBe(false);
    expect(a.offer(0, 0, 0, 5)).toBe(ArbVerdict.UNSYNCED);
    expect(a.offer(0, 0, BookFlag.RESYNCING, 6)).toBe(ArbVerdict.UNSYNCED);
    expect(a.offer(0, 0, S | BookFlag.STALE, 7)).toBe(ArbVerdict.UNSYNCED);
    expect(a.offer(0, 0, S | BookFlag.RESYNCING, 8)).toBe(ArbVerdict.UNSYNCED);
    expect(a.lastApplied(0)).toBe(-1);
    expect(a.tradable(0)).toBe(false);
    expect(a.offer(0, 0, S | BookFlag.SNAPSHOT, 9)).toBe(ArbVerdict.APPLY);
    expect(a.tradable(0)).toBe(true);
    expect(a.offer(0, 0, BookFlag.RESYNCING, 0)).toBe(ArbVerdict.UNSYNCED);
    expect(a.tradable(0)).toBe(false);
  });

  it('when the winning link goes down the other continues without losing an update', () => {
    const a = new LinkArbiter(1);
    a.offer(0, 0, S, 1);
    a.offer(0, 1, S, 1);
    a.offer(0, 0, S, 2); // A ahead
    a.offer(0, 0, S, 3);
    a.offer(0, 0, BookFlag.RESYNCING, 0); // A drops
    expect(a.tradable(0)).toBe(true); // B is still in sync
    expect(a.offer(0, 1, S, 2)).toBe(ArbVerdict.OLDER);
    expect(a.offer(0, 1, S, 3)).toBe(ArbVerdict.DUPLICATE);
    expect(a.offer(0, 1, S, 4)).toBe(ArbVerdict.APPLY);
    a.linkDown(0, 1);
    expect(a.tradable(0)).toBe(false);
    expect(a.offer(0, 0, S | BookFlag.SNAPSHOT, 6)).toBe(ArbVerdict.APPLY);
    expect(a.tradable(0)).toBe(true);
  });

  it('rejects bad instrument and link indexes; reset forgets the applied id', () => {
    const a = new LinkArbiter(1);
    expect(a.offer(1, 0, S, 1)).toBe(ArbVerdict.INVALID);
    expect(a.offer(0, 2, S, 1)).toBe(ArbVerdict.INVALID);
    expect(a.offer(-1, 0, S, 1)).toBe(ArbVerdict.INVALID);
    expect(a.offer(0, 0, S, NaN)).toBe(ArbVerdict.UNSYNCED);
    expect(a.counters.invalid).toBe(3);
    a.offer(0, 0, S, 100);
    a.reset(0);
    expect(a.tradable(0)).toBe(false);
    expect(a.offer(0, 1, S, 1)).toBe(ArbVerdict.APPLY);
  });

  // Two links deliver the same stream 1..N in order, each with its own random latency (order
  // preserving), random drops, and random resync episodes (an unsynced top, then the link skips
  // some sequence ids and resumes synced). Merged by arrival time (ties: lower seq first).
  it('property: each delivered sequence id is applied exactly once, in order; unsynced never tradable', () => {
    const linkArb = fc.record({
      gaps: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 60, maxLength: 60 }),
      drops: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
      resyncAt: fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 3 }),
      resyncLen: fc.integer({ min: 1, max: 8 }),
      start: fc.integer({ min: 0, max: 20 }),
    });
    fc.assert(
      fc.property(linkArb, linkArb, (la, lb) => {
        type Ev = { t: number; link: number; seq: number; synced: boolean };
        const evs: Ev[] = [];
        const build = (l: typeof la, link: number): void => {
          let t = l.start;
          let skip = 0;
          for (let s = 1; s <= 60; s++) {
            t += l.gaps[s - 1]!;
            if (l.resyncAt.includes(s)) {
              evs.push({ t, link, seq: 0, synced: false });
              skip = l.resyncLen;
            }
            if (skip > 0) {
              skip--;
              continue;
            }
            if (l.drops[s - 1]) continue;
            evs.push({ t, link, seq: s, synced: true });
          }
        };
        build(la, 0);
        build(lb, 1);
        evs.sort((x, y) => x.t - y.t || (x.synced ? x.seq : 0) - (y.synced ? y.seq : 0) || x.link - y.link);
        const arb = new LinkArbiter(1);
        const applied: number[] = [];
        const linkSynced = [false, false];
        let any = false;
        for (const e of evs) {
          const v = arb.offer(0, e.link, e.synced ? S : BookFlag.RESYNCING, e.seq);
          linkSynced[e.link] = e.synced;
          if (v === ArbVerdict.APPLY) {
            expect(e.synced).toBe(true);
            applied.push(e.seq);
            any = true;
          }
          if (!e.synced) expect(v).toBe(ArbVerdict.UNSYNCED);
          // tradable iff something applied and some link's latest top was synced
          expect(arb.tradable(0)).toBe(any && (linkSynced[0]! || linkSynced[1]!));
        }
        // exactly once and in order: strictly increasing
        for (let i = 1; i < applied.length; i++) expect(applied[i]!).toBeGreaterThan(applied[i - 1]!);
        // nothing lost: every synced top that arrives above everything seen so far is applied (a
        // lower one arriving later is superseded: tops are full states, the newer one contains it)
        const expected: number[] = [];
        let max = -1;
        for (const e of evs) if (e.synced && e.seq > max) expected.push((max = e.seq));
        expect(applied).toEqual(expected);
        // the book ends at the latest state either link delivered
        expect(arb.lastApplied(0)).toBe(max);
        // each link delivers in order and its first arrivals come in sequence order when the links
        // share one timeline (then nothing is superseded: every delivered id is applied once)
        if (la.gaps.join() === lb.gaps.join() && la.start === lb.start) {
          const delivered = [...new Set(evs.filter((e) => e.synced).map((e) => e.seq))].sort((x, y) => x - y);
          expect(applied).toEqual(delivered);
        }
        const c = arb.counters;
        expect(c.applied + c.duplicates + c.older).toBe(evs.filter((e) => e.synced).length);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('property: links on one timeline with independent drops and jitter-free copies -> each id once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 80, maxLength: 80 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 80, maxLength: 80 }),
        fc.integer({ min: 0, max: 1 }),
        (gaps, loss, first) => {
          // loss[s]: 0 both deliver, 1 only A, 2 only B, 3 neither
          let t = 0;
          const evs: { t: number; link: number; seq: number }[] = [];
          for (let s = 1; s <= 80; s++) {
            t += gaps[s - 1]!;
            const l = loss[s - 1]!;
            if (l === 0 || l === 1) evs.push({ t, link: 0, seq: s });
            if (l === 0 || l === 2) evs.push({ t, link: 1, seq: s });
          }
          // same-time copies: `first` decides which link is seen first
          evs.sort((x, y) => x.t - y.t || (x.link === first ? -1 : 1));
          const arb = new LinkArbiter(1);
          const applied: number[] = [];
          for (const e of evs) if (arb.offer(0, e.link, S, e.seq) === ArbVerdict.APPLY) applied.push(e.seq);
          const delivered = loss.map((l, i) => (l === 3 ? -1 : i + 1)).filter((s) => s > 0);
          expect(applied).toEqual(delivered);
          expect(arb.counters.duplicates).toBe(loss.filter((l) => l === 0).length);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
