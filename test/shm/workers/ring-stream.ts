// Test worker: one side of a ring stream (role 'producer' or 'consumer') over a shared layout.
// Frames are test/shm/workers/frames.ts frames, numbered from the ring's own sequence numbers.
// Options let a side "crash" at a chosen frame: it stops between reserve() and commit() (producer)
// or after peeking frames it has not released (consumer), reports, and blocks until terminated.
import { parentPort, workerData } from 'node:worker_threads';
import { ShmMap } from '../../../src/shm/layout.js';
import { RingReader, RingWriter, ringStats } from '../../../src/shm/ring.js';
import { Waiter, type WaitStrategyName } from '../../../src/shm/wait.js';
import { checkFrame, fillFrame, frameLength } from './frames.js';

export interface StreamOptions {
  role: 'producer' | 'consumer';
  sab: SharedArrayBuffer;
  ring: string;
  seed: number;
  /** Total frames of the stream (sequence numbers 0 .. count-1). */
  count: number;
  maxLen: number;
  strategy: WaitStrategyName;
  /** Producer: stop inside frame `crashAt` (reserved, half-filled, not committed).
   *  Consumer: after releasing frames < crashAt, peek a few more, then stop. */
  crashAt?: number;
  /** Consumer: every `forceFullEvery` frames, hold off (without consuming) until the producer has
   *  met a full ring: its full count moved, or it is parked waiting for space. */
  forceFullEvery?: number;
  /** Consumer: release after this many peeked frames (and always before parking). */
  releaseBatch?: number;
}

export type StreamResult =
  | { kind: 'done'; role: string; firstSeq: number; nextSeq: number; fullCount: number; parks: number; verified: number }
  | { kind: 'crashed'; role: string; firstSeq: number; releasedUpTo: number; peekedUpTo: number }
  | { kind: 'error'; role: string; message: string };

const o = workerData as StreamOptions;
const map = ShmMap.attach(o.sab);
const block = new Int32Array(new SharedArrayBuffer(4));

function blockForever(): never {
  for (;;) Atomics.wait(block, 0, 0);
}

function producer(): void {
  const w = RingWriter.attach(map, o.ring);
  const waiter = new Waiter(o.strategy, w.spaceDoorbell, { parkTimeoutMs: Infinity });
  const scratch = new Uint8Array(w.maxFrame + 16);
  const firstSeq = w.nextSeq;
  for (let seq = firstSeq; seq < o.count; seq++) {
    const len = frameLength(o.seed, seq, o.maxLen);
    if (seq === o.crashAt) {
      let off = w.reserve(len);
      while (off < 0) {
        w.waitForSpace(len, waiter);
        off = w.reserve(len);
      }
      fillFrame(w.u8, off, len >> 1, o.seed, seq); // half-written
      parentPort!.postMessage({ kind: 'crashed', role: 'producer', firstSeq, releasedUpTo: -1, peekedUpTo: seq } satisfies StreamResult);
      blockForever();
    }
    if ((seq & 1) === 0) {
      // Copy path, with the source at a varying alignment.
      const at = seq & 7;
      fillFrame(scratch, at, len, o.seed, seq);
      while (!w.write(scratch, at, at + len)) w.waitForSpace(len, waiter);
    } else {
      // Zero-copy path.
      let off = w.reserve(len);
      while (off < 0) {
        w.waitForSpace(len, waiter);
        off = w.reserve(len);
      }
      fillFrame(w.u8, off, len, o.seed, seq);
      w.commit();
    }
  }
  parentPort!.postMessage({
    kind: 'done', role: 'producer', firstSeq, nextSeq: w.nextSeq, fullCount: w.fullCount, parks: w.spaceDoorbell.parks, verified: 0,
  } satisfies StreamResult);
}

function consumer(): void {
  const r = RingReader.attach(map, o.ring);
  const waiter = new Waiter(o.strategy, r.doorbell, { parkTimeoutMs: Infinity });
  const hasWork = (): boolean => r.available();
  const batch = o.releaseBatch ?? 16;
  const firstSeq = r.nextSeq;
  let expect = firstSeq;
  let sinceRelease = 0;
  let verified = 0;
  let lastForced = -1;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (expect < o.count) {
    if (o.forceFullEvery !== undefined && expect % o.forceFullEvery === 0 && expect !== lastForced) {
      lastForced = expect;
      // Release first: a producer parked on a full ring must be able to run and fill it again.
      r.release();
      sinceRelease = 0;
      // Hold off (sleeping, not spinning) until the producer has been told "full" once more.
      // The producer may already be parked on a full ring (it parks only after a "full").
      const before = ringStats(map, o.ring).fullCount;
      while (
        ringStats(map, o.ring).fullCount === before &&
        !r.spaceDoorbell.sleeping &&
        ringStats(map, o.ring).committedFrames < o.count
      ) {
        Atomics.wait(pause, 0, 0, 1);
      }
    }
    if (o.crashAt !== undefined && expect === o.crashAt) {
      r.release();
      const releasedUpTo = expect;
      // Peek (and verify) a few frames past the release point, then die without releasing them.
      let peeked = 0;
      while (peeked < 3 && expect < o.count) {
        const len = r.peek();
        if (len < 0) {
          waiter.waitFor(hasWork);
          continue;
        }
        expect++;
        peeked++;
      }
      parentPort!.postMessage({ kind: 'crashed', role: 'consumer', firstSeq, releasedUpTo, peekedUpTo: expect } satisfies StreamResult);
      blockForever();
    }
    const len = r.peek();
    if (len < 0) {
      r.release();
      sinceRelease = 0;
      waiter.waitFor(hasWork);
      continue;
    }
    if (r.frameSeq !== expect >>> 0) throw new Error(`expected frame seq ${expect}, got ${r.frameSeq}`);
    const bad = checkFrame(r.u8, r.frameOffset, len, o.seed, expect, o.maxLen);
    if (bad !== null) throw new Error(bad);
    verified++;
    expect++;
    if (++sinceRelease >= batch) {
      r.release();
      sinceRelease = 0;
    }
  }
  r.release();
  parentPort!.postMessage({
    kind: 'done', role: 'consumer', firstSeq, nextSeq: r.nextSeq, fullCount: 0, parks: r.doorbell.parks, verified,
  } satisfies StreamResult);
}

try {
  if (o.role === 'producer') producer();
  else consumer();
} catch (e) {
  parentPort!.postMessage({ kind: 'error', role: o.role, message: e instanceof Error ? e.message : String(e) } satisfies StreamResult);
}
