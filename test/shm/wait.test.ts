// Wait strategies: no lost wake-up under many park/notify cycles between two threads (a lost
// wake-up would hang: parks here have no timeout; extra, empty wake-ups are allowed and happen
// when a producer is descheduled between winning the doorbell and notifying), one consumer parked on one shared doorbell for
// several rings, async-park keeping the event loop served, and "no notify while awake".
import { describe, expect, it } from 'vitest';
import {
  Doorbell,
  HAS_ATOMICS_PAUSE,
  RingReader,
  RingWriter,
  ShmLayout,
  ShmMap,
  Waiter,
  doorbellSpec,
  ringSpec,
  ringStats,
  type WaitStrategyName,
} from '../../src/shm/index.js';
import { startWorker } from './helpers.js';
import type { WaitWorkerOptions, WaitWorkerResult } from './workers/wait-worker.js';

const W = 'test/shm/workers/wait-worker.ts';

async function pingPong(rounds: number, strategy: WaitStrategyName) {
  const sab = new ShmLayout([ringSpec('ping', 256), ringSpec('pong', 256)]).create();
  const pong = startWorker<WaitWorkerResult>(W, { role: 'pong', sab, strategy, in: 'ping', out: 'pong' } satisfies WaitWorkerOptions);
  const ping = startWorker<WaitWorkerResult>(W, { role: 'ping', sab, strategy, in: 'pong', out: 'ping', rounds } satisfies WaitWorkerOptions);
  try {
    return await Promise.all([ping.next(), pong.next()]);
  } finally {
    await Promise.all([ping.kill(), pong.kill()]);
  }
}

describe('wait strategies', () => {
  it('200,000 single-frame ping-pongs with the park strategy all complete (no lost wake-up)', async () => {
    const [ping, pong] = await pingPong(200_000, 'park');
    expect(ping).toMatchObject({ kind: 'done', frames: 200_000 });
    expect(pong).toMatchObject({ kind: 'done', frames: 200_001 });
    if (ping.kind !== 'done' || pong.kind !== 'done') throw new Error('unreachable');
    // Both sides really parked (many times): the protocol was exercised, not bypassed.
    expect(ping.parks + pong.parks).toBeGreaterThan(1000);
  });

  it('20,000 ping-pongs with spin-park complete', async () => {
    const [ping, pong] = await pingPong(20_000, 'spin-park');
    expect(ping).toMatchObject({ kind: 'done', frames: 20_000 });
    expect(pong).toMatchObject({ kind: 'done', frames: 20_001 });
  });

  it('one consumer parks on one shared doorbell for three inbound rings', async () => {
    const count = 50_000;
    const sab = new ShmLayout([doorbellSpec('wake'), ringSpec('a', 512, 'wake'), ringSpec('b', 512, 'wake'), ringSpec('c', 512, 'wake')]).create();
    const consumer = startWorker<WaitWorkerResult>(W, { role: 'fanin', sab, strategy: 'park', rings: ['a', 'b', 'c'], count } satisfies WaitWorkerOptions);
    // Producers: ring-stream producers would do; here each 'ping' side without a reply is not
    // usable, so the main thread produces into all three rings, parking on backpressure.
    const map = ShmMap.attach(sab);
    const writers = ['a', 'b', 'c'].map((n) => RingWriter.attach(map, n));
    try {
      const spaceWaiters = writers.map((w) => new Waiter('park', w.spaceDoorbell, { parkTimeoutMs: 1000 }));
      for (let i = 0; i < count; i++) {
        for (let k = 0; k < 3; k++) {
          const w = writers[k]!;
          let off = w.reserve(4);
          while (off < 0) {
            w.waitForSpace(4, spaceWaiters[k]!);
            off = w.reserve(4);
          }
          new DataView(w.u8.buffer, w.u8.byteOffset + off, 4).setUint32(0, i, true);
          w.commit();
        }
      }
      const res = await consumer.next();
      expect(res).toMatchObject({ kind: 'done', frames: 3 * count });
      expect(Doorbell.attach(map, 'wake').parks).toBeGreaterThan(0);
    } finally {
      await consumer.kill();
    }
  });

  it('async-park keeps the event loop served: a timer fires while waiting, then a frame wakes it', async () => {
    const sab = new ShmLayout([ringSpec('r', 256)]).create();
    const map = ShmMap.attach(sab);
    const r = RingReader.attach(map, 'r');
    const waiter = new Waiter('async-park', r.doorbell, { parkTimeoutMs: Infinity });
    const hasWork = (): boolean => r.available();
    const sender = startWorker<string>(W, { role: 'send1', sab, strategy: 'park', out: 'r' } satisfies WaitWorkerOptions);
    try {
      for (let round = 0; round < 200; round++) {
        let timerFired = false;
        const waiting = waiter.waitForAsync(hasWork);
        // The timer can only fire if the event loop is free while the waiter is parked; only
        // then does the other thread get asked to produce the frame that ends the wait.
        setTimeout(() => {
          timerFired = true;
          sender.worker.postMessage(round);
        }, 0);
        await expect(waiting).resolves.toBe(true);
        expect(timerFired).toBe(true);
        expect(r.peek()).toBe(4);
        expect(new DataView(r.u8.buffer, r.u8.byteOffset + r.frameOffset, 4).getUint32(0, true)).toBe(round);
        r.release();
        expect(await sender.next()).toBe('sent');
      }
      expect(r.doorbell.parks).toBe(200);
    } finally {
      await sender.kill();
    }
  });

  it('rings no doorbell while the other side is awake, and returns false on timeout', () => {
    expect(HAS_ATOMICS_PAUSE).toBe(true); // Node 24
    const sab = new ShmLayout([ringSpec('r', 256)]).create();
    const map = ShmMap.attach(sab);
    const w = RingWriter.attach(map, 'r');
    const r = RingReader.attach(map, 'r');
    for (let i = 0; i < 100; i++) {
      expect(w.write(new Uint8Array(8), 0, 8)).toBe(true);
      expect(r.peek()).toBe(8);
      r.release();
    }
    expect(w.doorbell.notifies).toBe(0);
    expect(r.spaceDoorbell.notifies).toBe(0);
    const hasWork = (): boolean => r.available();
    for (const s of ['spin', 'spin-park', 'park', 'async-park'] as const) {
      expect(new Waiter(s, r.doorbell, { parkTimeoutMs: 5, spinIterations: 10 }).waitFor(hasWork)).toBe(false);
    }
    expect(r.doorbell.sleeping).toBe(false);
    // A parker that announced itself is notified exactly once per park by a commit.
    Atomics.store(r.doorbell.i32, r.doorbell.sleepIndex, 1);
    w.write(new Uint8Array(8), 0, 8);
    w.write(new Uint8Array(8), 0, 8);
    expect(w.doorbell.notifies).toBe(1);
    expect(r.doorbell.sleeping).toBe(false);
    expect(new Waiter('park', r.doorbell).waitFor(hasWork)).toBe(true);
    expect(() => new Waiter('nap' as WaitStrategyName, r.doorbell)).toThrow(TypeError);
  });

  it('a quiet write publishes without waking the parker; wake() rings once', () => {
    const sab = new ShmLayout([ringSpec('r', 256)]).create();
    const map = ShmMap.attach(sab);
    const w = RingWriter.attach(map, 'r');
    const r = RingReader.attach(map, 'r');
    Atomics.store(r.doorbell.i32, r.doorbell.sleepIndex, 1); // the consumer announced parking
    expect(w.write(new Uint8Array([7, 7, 7, 7]), 0, 4, false)).toBe(true);
    expect(w.doorbell.notifies).toBe(0);
    expect(r.doorbell.sleeping).toBe(true);
    // published all the same: visible, and what a new writer recovers as committed
    expect(ringStats(map, 'r')).toMatchObject({ committedFrames: 1, usedBytes: 16 });
    expect(r.available()).toBe(true);
    w.wake();
    expect(w.doorbell.notifies).toBe(1);
    expect(r.doorbell.sleeping).toBe(false);
    w.wake(); // nobody parked: no notify
    expect(w.doorbell.notifies).toBe(1);
    expect(r.peek()).toBe(4);
    expect([...r.u8.subarray(r.frameOffset, r.frameOffset + 4)]).toEqual([7, 7, 7, 7]);
  });

  // The interleaving that once hung a stream on a loaded machine: the producer publishes a frame,
  // is preempted before its doorbell check; the consumer finds the frame by itself, takes it and
  // parks again; the producer's late check then lands right after the new announcement. It
  // clears SLEEP and adds to WAKE. A park that read WAKE only after that would sleep with SLEEP
  // already 0, and the next commit would not ring. The park must instead see the word move.
  // announced() runs the producer's late check at exactly that point; parkTimeoutMs 0 keeps the
  // park from blocking this thread, and lastPark says what a real park would have done.
  class LateRingWaiter extends Waiter {
    constructor(
      doorbell: Doorbell,
      private readonly lateRing: () => void,
    ) {
      super('park', doorbell, { parkTimeoutMs: 0 });
    }
    protected override announced(): void {
      this.lateRing();
    }
  }

  it('a producer\'s late ring after the next announcement cannot swallow that park (sync and async)', async () => {
    const sab = new ShmLayout([ringSpec('r', 256)]).create();
    const map = ShmMap.attach(sab);
    const w = RingWriter.attach(map, 'r');
    const r = RingReader.attach(map, 'r');
    const hasWork = (): boolean => r.available();
    const waiter = new LateRingWaiter(r.doorbell, () => w.doorbell.ring());
    for (const mode of ['sync', 'async'] as const) {
      expect(w.write(new Uint8Array(8), 0, 8)).toBe(true); // published; consumer awake: no ring
      expect(r.peek()).toBe(8); // the consumer takes it without parking
      r.release();
      const notifiesBefore = w.doorbell.notifies;
      const found = mode === 'sync' ? waiter.waitFor(hasWork) : await waiter.waitForAsync(hasWork);
      expect(found).toBe(false);
      expect(w.doorbell.notifies).toBe(notifiesBefore + 1); // the late ring won the exchange...
      expect(r.doorbell.sleeping).toBe(false); // ...and cleared the announcement
      // ...so the park must not have slept: the futex word moved after the park read it.
      expect(waiter.lastPark).toBe('not-equal');
    }
  });
});
