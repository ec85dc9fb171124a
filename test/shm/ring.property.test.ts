// Ring property tests: random frame sizes (0..maxFrame) and random interleavings of reserve /
// commit / write / abandoned reservations / peek / batched release / writer and reader re-attach,
// on small rings so they wrap many times (and with indices starting just below 2^32 so the u32
// positions wrap too), against a simple model: a queue of committed frames plus byte accounting
// of the documented placement rule (a frame that does not fit before the end of the data area
// is preceded by padding up to the end). Checked: same frames, same order, same sequence numbers
// and bytes, "full" exactly when the model says full, counters and re-attach recovery.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShmError, ShmLayout, ShmMap, RingReader, RingWriter, ringSpec, ringStats } from '../../src/shm/index.js';
import { RING_CI, RING_PI, RING_REC0_PI, RING_REC0_SEQ, RING_REC1_PI, RING_REC1_SEQ } from '../../src/shm/formats.js';

function payloadByte(seq: number, i: number): number {
  return (Math.imul(seq, 131) + i * 7 + 3) & 255;
}

interface MFrame {
  seq: number;
  len: number;
  /** Position just after the frame (what the producer index becomes). */
  end: number;
}

/** The model: positions as plain (unbounded) numbers. `frames` holds the published frames not
 * yet released, followed by `staged` frames committed locally but not yet published. */
class Model {
  pi: number;
  ci: number;
  pubPi: number;
  seq = 0;
  pubSeq = 0;
  full = 0;
  frames: MFrame[] = [];
  staged = 0;
  peeked = 0; // how many of `frames` have been peeked
  constructor(readonly cap: number, start: number) {
    this.pi = start;
    this.ci = start;
    this.pubPi = start;
  }
  /** The end position if a frame of len fits, else null. */
  place(len: number): number | null {
    const size = Math.ceil((8 + len) / 8) * 8;
    const m = this.pi % this.cap;
    const tail = this.cap - m;
    const need = size <= tail ? size : tail + size;
    return need <= this.cap - (this.pi - this.ci) ? this.pi + need : null;
  }
  stage(len: number): boolean {
    const end = this.place(len);
    if (end === null) {
      this.full++;
      return false;
    }
    this.frames.push({ seq: this.seq, len, end });
    this.seq++;
    this.staged++;
    this.pi = end;
    return true;
  }
  publish(): void {
    this.staged = 0;
    this.pubPi = this.pi;
    this.pubSeq = this.seq;
  }
  send(len: number): boolean {
    const ok = this.stage(len);
    if (ok) this.publish();
    return ok;
  }
  /** The writer died: staged frames vanish. */
  dropStaged(): void {
    this.frames.splice(this.frames.length - this.staged, this.staged);
    this.staged = 0;
    this.pi = this.pubPi;
    this.seq = this.pubSeq;
  }
  peek(): MFrame | null {
    if (this.peeked === this.frames.length - this.staged) return null;
    return this.frames[this.peeked++]!;
  }
  release(): void {
    if (this.peeked === 0) return;
    this.ci = this.frames[this.peeked - 1]!.end;
    this.frames.splice(0, this.peeked);
    this.peeked = 0;
  }
}

type Op =
  | { t: 'reserve'; len: number }
  | { t: 'write'; len: number; align: number }
  | { t: 'abandon'; len: number; how: 'abort' | 'reattach' }
  | { t: 'stage'; lens: number[]; publish: boolean }
  | { t: 'publish' }
  | { t: 'peek'; n: number }
  | { t: 'release' }
  | { t: 'reattachReader' }
  | { t: 'reattachWriter' };

function opArb(maxFrame: number): fc.Arbitrary<Op> {
  const len = fc.oneof(fc.integer({ min: 0, max: maxFrame }), fc.constantFrom(0, 1, 7, 8, 9, maxFrame - 1, maxFrame));
  return fc.oneof(
    { weight: 5, arbitrary: len.map((l) => ({ t: 'reserve', len: l }) as Op) },
    { weight: 5, arbitrary: fc.record({ t: fc.constant('write' as const), len, align: fc.integer({ min: 0, max: 7 }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('abandon' as const), len, how: fc.constantFrom('abort' as const, 'reattach' as const) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('stage' as const), lens: fc.array(len, { minLength: 1, maxLength: 5 }), publish: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constant({ t: 'publish' } as Op) },
    { weight: 6, arbitrary: fc.record({ t: fc.constant('peek' as const), n: fc.integer({ min: 1, max: 4 }) }) },
    { weight: 4, arbitrary: fc.constant({ t: 'release' } as Op) },
    { weight: 1, arbitrary: fc.constant({ t: 'reattachReader' } as Op) },
    { weight: 1, arbitrary: fc.constant({ t: 'reattachWriter' } as Op) },
  );
}

/** Moves a fresh ring's indices to `start` (as if that many bytes had gone through). */
function setStart(sab: SharedArrayBuffer, name: string, start: number): void {
  const map = ShmMap.attach(sab);
  const i32 = new Int32Array(sab);
  const b = map.region(name).offset >> 2;
  i32[b + (RING_PI >> 2)] = start | 0;
  i32[b + (RING_CI >> 2)] = start | 0;
  i32[b + (RING_REC0_PI >> 2)] = start | 0;
  i32[b + (RING_REC0_SEQ >> 2)] = 0;
  i32[b + (RING_REC1_PI >> 2)] = -1;
  i32[b + (RING_REC1_SEQ >> 2)] = -1;
}

/** A cheap equality check (expect() per operation is too slow for thousands of steps). */
function eq(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: got ${String(actual)}, model says ${String(expected)}`);
}

let totalFull = 0;
let totalFrames = 0;

function runScenario(cap: number, start: number, ops: Op[]): void {
  const sab = new ShmLayout([ringSpec('r', cap)]).create();
  if (start !== 0) setStart(sab, 'r', start);
  const map = ShmMap.attach(sab);
  let w = RingWriter.attach(map, 'r');
  let r = RingReader.attach(map, 'r');
  const model = new Model(cap, start);
  const src = new Uint8Array(w.maxFrame + 16);
  const garbage = 0xa5;

  for (const op of ops) {
    switch (op.t) {
      case 'reserve': {
        const off = w.reserve(op.len);
        const ok = model.send(op.len);
        eq(off >= 0, ok, `reserve(${op.len}) accepted`);
        if (ok) {
          eq(off % 8, 0, 'payload offset alignment');
          eq(off + op.len <= cap, true, 'frame inside the data area');
          for (let i = 0; i < op.len; i++) w.u8[off + i] = payloadByte(model.seq - 1, i);
          w.commit();
        }
        break;
      }
      case 'write': {
        const s = model.seq;
        for (let i = 0; i < op.len; i++) src[op.align + i] = payloadByte(s, i);
        const ok = w.write(src, op.align, op.align + op.len);
        eq(ok, model.send(op.len), `write(${op.len}) accepted`);
        break;
      }
      case 'abandon': {
        const off = w.reserve(op.len);
        eq(off >= 0, model.place(op.len) !== null, `abandoned reserve(${op.len}) accepted`);
        if (off < 0) model.full++;
        else for (let i = 0; i < op.len; i++) w.u8[off + i] = garbage;
        if (op.how === 'abort') w.abort();
        else {
          w = RingWriter.attach(map, 'r'); // the old writer "died" between reserve and commit
          model.dropStaged();
        }
        eq(w.nextSeq, model.seq, 'nextSeq after an abandoned reservation');
        break;
      }
      case 'peek': {
        for (let k = 0; k < op.n; k++) {
          const f = model.peek();
          const len = r.peek();
          if (f === null) {
            eq(len, -1, 'peek on an empty ring');
            break;
          }
          eq(len, f.len, `frame ${f.seq} length`);
          eq(r.frameSeq, f.seq % 2 ** 32, 'frame seq');
          eq(r.nextSeq, f.seq + 1, 'reader nextSeq');
          for (let i = 0; i < len; i++) {
            if (r.u8[r.frameOffset + i] !== payloadByte(f.seq, i)) {
              throw new Error(`frame ${f.seq} byte ${i}: ${r.u8[r.frameOffset + i]} != ${payloadByte(f.seq, i)}`);
            }
          }
        }
        break;
      }
      case 'release':
        r.release();
        model.release();
        break;
      case 'reattachReader':
        // Peeked but unreleased frames are delivered again; released ones never.
        r = RingReader.attach(map, 'r');
        model.peeked = 0;
        eq(r.nextSeq, model.frames.length > model.staged ? model.frames[0]!.seq : model.pubSeq, 'reader nextSeq after re-attach');
        break;
      case 'stage': {
        for (const len of op.lens) {
          const off = w.reserve(len);
          const ok = model.stage(len);
          eq(off >= 0, ok, `staged reserve(${len}) accepted`);
          if (!ok) break;
          for (let i = 0; i < len; i++) w.u8[off + i] = payloadByte(model.seq - 1, i);
          w.stage();
        }
        if (op.publish) {
          w.publish();
          model.publish();
        }
        break;
      }
      case 'publish':
        w.publish();
        model.publish();
        break;
      case 'reattachWriter':
        w = RingWriter.attach(map, 'r'); // staged, unpublished frames die with the old writer
        model.dropStaged();
        eq(w.nextSeq, model.seq, 'writer nextSeq after re-attach');
        eq(w.fullCount, model.full, 'full count after re-attach');
        break;
    }
    eq(w.usedBytes(), model.pi - model.ci, `${op.t}: used bytes`);
    eq(w.nextSeq, model.seq, `${op.t}: writer nextSeq`);
    eq(w.fullCount, model.full, `${op.t}: full count`);
  }
  w.publish();
  model.publish();
  const st = ringStats(map, 'r');
  expect(st.usedBytes).toBe(model.pi - model.ci);
  expect(st.committedFrames).toBe(model.seq);
  expect(st.fullCount).toBe(model.full);
  expect(st.producerIndex).toBe(model.pi % 2 ** 32);
  expect(st.consumerIndex).toBe(model.ci % 2 ** 32);
  totalFull += model.full;
  totalFrames += model.seq;
  // Drain: everything committed comes out, in order.
  r.release();
  model.release();
  for (;;) {
    const f = model.peek();
    const len = r.peek();
    if (f === null) {
      expect(len).toBe(-1);
      break;
    }
    expect([len, r.frameSeq]).toEqual([f.len, f.seq]);
  }
}

describe('ring against a model', () => {
  it('random sizes and interleavings on small rings (many wrap-arounds)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(64, 128, 256, 512),
        fc.constantFrom(0, 0, 8, 40, 2 ** 32 - 64, 2 ** 32 - 8, 2 ** 32 - 200),
        fc.integer({ min: 0, max: 1 << 20 }),
        (cap, start, seed) => {
          const ops = fc.sample(fc.array(opArb(cap / 2 - 8), { minLength: 100, maxLength: 800 }), { numRuns: 1, seed })[0]!;
          runScenario(cap, start, ops);
        },
      ),
      { numRuns: 400 },
    );
    // The generated interleavings do reach "full" and wrap a lot.
    expect(totalFull).toBeGreaterThan(100);
    expect(totalFrames).toBeGreaterThan(10_000);
  });

  it('long random runs wrap a 64-byte ring thousands of times', () => {
    fc.assert(
      fc.property(fc.array(opArb(24), { minLength: 3000, maxLength: 5000 }), fc.constantFrom(0, 2 ** 32 - 16), (ops, start) => {
        runScenario(64, start, ops);
      }),
      { numRuns: 12 },
    );
  });

  it('is full exactly at capacity and accepts the largest frame into an empty ring at any position', () => {
    const cap = 256;
    for (let startFrames = 0; startFrames < cap / 8; startFrames++) {
      const sab = new ShmLayout([ringSpec('r', cap)]).create();
      const map = ShmMap.attach(sab);
      const w = RingWriter.attach(map, 'r');
      const r = RingReader.attach(map, 'r');
      // Move the indices by startFrames empty frames (8 bytes each), released.
      for (let i = 0; i < startFrames; i++) expect(w.write(new Uint8Array(0), 0, 0)).toBe(true);
      while (r.peek() >= 0);
      r.release();
      expect(w.maxFrame).toBe(cap / 2 - 8);
      expect(w.reserve(w.maxFrame)).toBeGreaterThanOrEqual(0);
      w.commit();
      // 8-byte frames fill the rest exactly: used + free = capacity, then "full".
      let n = 0;
      while (w.reserve(0) >= 0) {
        w.commit();
        n++;
      }
      const st = ringStats(map, 'r');
      // Padding only ever precedes a frame that did not fit before the end.
      expect(st.usedBytes).toBeGreaterThan(cap - 8 - 1);
      expect(st.usedBytes).toBeLessThanOrEqual(cap);
      expect(n).toBeGreaterThan(0);
      expect(w.fullCount).toBe(1);
    }
  });

  it('rejects oversized frames and commit without reserve, without touching the ring', () => {
    const sab = new ShmLayout([ringSpec('r', 128)]).create();
    const map = ShmMap.attach(sab);
    const w = RingWriter.attach(map, 'r');
    expect(() => w.reserve(w.maxFrame + 1)).toThrowError(expect.objectContaining({ code: 'SHM_FRAME_TOO_LARGE' }));
    expect(() => w.reserve(-1)).toThrowError(ShmError);
    expect(() => w.commit()).toThrowError(expect.objectContaining({ code: 'SHM_NOT_RESERVED' }));
    expect(ringStats(map, 'r')).toMatchObject({ usedBytes: 0, committedFrames: 0, fullCount: 0 });
  });
});
