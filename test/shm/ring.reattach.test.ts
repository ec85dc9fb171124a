// Re-attach and crash semantics of the ring: a writer that dies between reserve() and commit(),
// or at any store inside commit(), leaves either nothing or the whole frame visible, and a new
// writer recovers nextSeq exactly; a new reader continues from the released position: released
// frames are never delivered again, peeked-but-unreleased frames are delivered again. The last
// test does it with real worker threads killed mid-stream (worker.terminate()).
import { describe, expect, it } from 'vitest';
import { ShmLayout, ShmMap, RingReader, RingWriter, ringSpec, ringStats } from '../../src/shm/index.js';
import { startWorker } from './helpers.js';
import type { StreamOptions, StreamResult } from './workers/ring-stream.js';

function setup(cap = 256) {
  const sab = new ShmLayout([ringSpec('r', cap)]).create();
  const map = ShmMap.attach(sab);
  return { sab, map, w: RingWriter.attach(map, 'r'), r: RingReader.attach(map, 'r') };
}

function send(w: RingWriter, tag: number, len: number): void {
  const off = w.reserve(len);
  expect(off).toBeGreaterThanOrEqual(0);
  w.u8.fill(tag & 255, off, off + len);
  w.commit();
}

/** Drains the reader: [seq, len, first byte] per frame. */
function drain(r: RingReader): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let len = r.peek(); len >= 0; len = r.peek()) out.push([r.frameSeq, len, len > 0 ? r.u8[r.frameOffset]! : -1]);
  r.release();
  return out;
}

class Crash extends Error {}

/** Makes the writer "die" after `plainStores` plain stores into its Int32Array; an
 * Atomics operation on the proxy throws, i.e. the writer dies right before publishing. */
function crashAfter(w: RingWriter, plainStores: number): void {
  const target = (w as unknown as { i32: Int32Array }).i32;
  let n = 0;
  const proxy = new Proxy(target, {
    set(t, k, v) {
      if (n++ >= plainStores) throw new Crash(`died after ${plainStores} stores`);
      return Reflect.set(t, k, v);
    },
    get(t, k) {
      const v = Reflect.get(t, k);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
  (w as unknown as { i32: Int32Array }).i32 = proxy;
}

describe('ring re-attach', () => {
  it('a writer abandoned between reserve and commit leaves nothing visible; a new writer continues', () => {
    const { map, w, r } = setup();
    send(w, 1, 10);
    send(w, 2, 20);
    const off = w.reserve(30);
    w.u8.fill(0xee, off, off + 30); // written, never committed: the writer "dies" here
    expect(r.peek()).toBe(10); // frame 0 is visible...
    expect(r.frameSeq).toBe(0);
    r.release();
    const w2 = RingWriter.attach(map, 'r');
    expect(w2.nextSeq).toBe(2);
    expect(drain(r)).toEqual([[1, 20, 2]]); // ...frame 1 too, the abandoned one never
    send(w2, 3, 5);
    send(w2, 4, 0);
    expect(drain(r)).toEqual([[2, 5, 3], [3, 0, -1]]);
    expect(ringStats(map, 'r').committedFrames).toBe(4);
  });

  for (const plainStores of [0, 1, 2]) {
    it(`a writer dying inside commit() after ${plainStores} of its record stores publishes nothing; nextSeq is recovered`, () => {
      const { map, w, r } = setup(128);
      // Go around the ring a few times so both recovery records have been used.
      for (let i = 0; i < 11; i++) {
        send(w, i, 24);
        expect(drain(r)).toEqual([[i, 24, i]]);
      }
      for (const seqParity of [0, 1]) {
        const w1 = RingWriter.attach(map, 'r');
        if (w1.nextSeq % 2 !== seqParity) send(w1, 99, 1);
        drain(r);
        const before = w1.nextSeq;
        const off = w1.reserve(40);
        w1.u8.fill(7, off, off + 40);
        crashAfter(w1, plainStores);
        // Proxy: plain stores beyond the allowance throw Crash; Atomics.store on it throws TypeError.
        expect(() => w1.commit()).toThrow(plainStores < 2 ? Crash : TypeError);
        expect(r.peek()).toBe(-1);
        const w2 = RingWriter.attach(map, 'r');
        expect(w2.nextSeq).toBe(before);
        send(w2, 5, 3);
        expect(drain(r)).toEqual([[before, 3, 5]]);
      }
    });
  }

  for (const plainStores of [0, 1, 2]) {
    it(`a writer dying inside its very first commit() after ${plainStores} record stores leaves a fresh ring`, () => {
      const { map, w, r } = setup(128);
      const off = w.reserve(8);
      w.u8.fill(1, off, off + 8);
      crashAfter(w, plainStores);
      expect(() => w.commit()).toThrow(plainStores < 2 ? Crash : TypeError);
      const w2 = RingWriter.attach(map, 'r');
      expect(w2.nextSeq).toBe(0);
      expect(RingReader.attach(map, 'r').nextSeq).toBe(0);
      send(w2, 2, 8);
      expect(drain(r)).toEqual([[0, 8, 2]]);
    });
  }

  it('stage()/publish(): staged frames are invisible until published and die with their writer', () => {
    const { map, w, r } = setup(256);
    for (let i = 0; i < 3; i++) {
      const off = w.reserve(4);
      w.u8.fill(i, off, off + 4);
      w.stage();
    }
    expect(w.staged).toBe(true);
    expect(r.peek()).toBe(-1);
    w.publish();
    expect(w.staged).toBe(false);
    const off = w.reserve(4);
    w.u8.fill(3, off, off + 4);
    w.stage(); // frame 3 staged, then the writer dies
    expect(w.nextSeq).toBe(4);
    const w2 = RingWriter.attach(map, 'r');
    expect(w2.nextSeq).toBe(3);
    expect(drain(r)).toEqual([[0, 4, 0], [1, 4, 1], [2, 4, 2]]);
    send(w2, 7, 4);
    expect(drain(r)).toEqual([[3, 4, 7]]);
    // A publish with staged frames that dies inside publish() leaves the previous state.
    for (let i = 0; i < 2; i++) {
      const o = w2.reserve(4);
      w2.u8.fill(8, o, o + 4);
      w2.stage();
    }
    crashAfter(w2, 1);
    expect(() => w2.publish()).toThrow(Crash);
    expect(RingWriter.attach(map, 'r').nextSeq).toBe(4);
    expect(r.peek()).toBe(-1);
  });

  it('a writer dying right after publishing (before ringing the doorbell) has committed the frame', () => {
    const { map, w, r } = setup(128);
    send(w, 1, 1);
    const off = w.reserve(2);
    w.u8.fill(9, off, off + 2);
    (w as unknown as { doorbell: { ring(): void } }).doorbell = {
      ring() {
        throw new Crash('died after the publish');
      },
    };
    expect(() => w.commit()).toThrow(Crash);
    const w2 = RingWriter.attach(map, 'r');
    expect(w2.nextSeq).toBe(2);
    expect(drain(r)).toEqual([[0, 1, 1], [1, 2, 9]]);
  });

  it('a new reader skips released frames and re-delivers peeked-but-unreleased ones', () => {
    const { map, w, r } = setup();
    for (let i = 0; i < 6; i++) send(w, 10 + i, i);
    expect(r.peek()).toBe(0);
    expect(r.peek()).toBe(1);
    r.release(); // frames 0, 1 released: exactly-once
    expect(r.peek()).toBe(2);
    expect(r.peek()).toBe(3); // frames 2, 3 peeked, not released: at-least-once
    const r2 = RingReader.attach(map, 'r');
    expect(r2.nextSeq).toBe(2);
    expect(drain(r2)).toEqual([[2, 2, 12], [3, 3, 13], [4, 4, 14], [5, 5, 15]]);
    const r3 = RingReader.attach(map, 'r');
    expect(r3.nextSeq).toBe(6); // empty: the writer's next sequence number
    expect(r3.peek()).toBe(-1);
  });

  it('a reader attaching at a padding marker starts at the frame after the wrap', () => {
    const { map, w, r } = setup(64);
    send(w, 1, 16); // [0, 24)
    send(w, 2, 16); // [24, 48)
    drain(r);
    send(w, 3, 16); // does not fit in [48, 64): padding, then [0, 24)
    const r2 = RingReader.attach(map, 'r');
    expect(r2.nextSeq).toBe(2);
    expect(drain(r2)).toEqual([[2, 16, 3]]);
  });

  it('worker threads killed mid-stream (producer between reserve and commit, consumer with unreleased frames) lose and duplicate nothing released', async () => {
    const count = 200_000;
    const sab = new ShmLayout([ringSpec('r', 2048)]).create();
    const map = ShmMap.attach(sab);
    const W = 'test/shm/workers/ring-stream.ts';
    const base = { sab, ring: 'r', seed: 77, count, maxLen: 2048 / 2 - 8, strategy: 'park' as const };
    const p1 = startWorker<StreamResult>(W, { ...base, role: 'producer', crashAt: 50_000 } satisfies StreamOptions);
    const c1 = startWorker<StreamResult>(W, { ...base, role: 'consumer', crashAt: 120_000 } satisfies StreamOptions);
    const workers = [p1, c1];
    try {
      const producerSide = (async () => {
        const m = await p1.next();
        expect(m).toMatchObject({ kind: 'crashed', role: 'producer', firstSeq: 0, peekedUpTo: 50_000 });
        await p1.kill();
        expect(ringStats(map, 'r').committedFrames).toBe(50_000);
        const p2 = startWorker<StreamResult>(W, { ...base, role: 'producer' } satisfies StreamOptions);
        workers.push(p2);
        return p2.next();
      })();
      const consumerSide = (async () => {
        const m = await c1.next();
        expect(m).toMatchObject({ kind: 'crashed', role: 'consumer', firstSeq: 0, releasedUpTo: 120_000, peekedUpTo: 120_003 });
        await c1.kill();
        const c2 = startWorker<StreamResult>(W, { ...base, role: 'consumer' } satisfies StreamOptions);
        workers.push(c2);
        return c2.next();
      })();
      const [p2done, c2done] = await Promise.all([producerSide, consumerSide]);
      // The new producer continued at frame 50,000 (the abandoned reservation never appeared);
      // the new consumer got frame 120,000 next (the 3 peeked frames again, nothing released).
      expect(p2done).toMatchObject({ kind: 'done', firstSeq: 50_000, nextSeq: count });
      expect(c2done).toMatchObject({ kind: 'done', firstSeq: 120_000, nextSeq: count, verified: count - 120_000 });
      expect(ringStats(map, 'r')).toMatchObject({ committedFrames: count, usedBytes: 0 });
    } finally {
      await Promise.all(workers.map((w) => w.kill()));
    }
  });
});
