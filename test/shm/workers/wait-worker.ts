// Test worker for wait strategies.
//   'pong'   echo every frame of ring `in` into ring `out` (parking with `strategy` when idle),
//            until a frame of length 0 arrives (echoed, then exit).
//   'ping'   send `rounds` single frames on `out`, each time waiting for the echo on `in`.
//   'fanin'  consume `count` frames from each ring of `rings` (all on one shared doorbell),
//            checking per-ring order, parking with `strategy` on that one doorbell.
//   'send1'  on a message from the parent, write one frame to `out`.
import { parentPort, workerData } from 'node:worker_threads';
import { ShmMap } from '../../../src/shm/layout.js';
import { RingReader, RingWriter } from '../../../src/shm/ring.js';
import { Waiter, type WaitStrategyName } from '../../../src/shm/wait.js';

export interface WaitWorkerOptions {
  role: 'ping' | 'pong' | 'fanin' | 'send1';
  sab: SharedArrayBuffer;
  strategy: WaitStrategyName;
  in?: string;
  out?: string;
  rings?: string[];
  rounds?: number;
  count?: number;
}

/** emptyWakes: parks that ended without work (spurious or late notifications; harmless). */
export type WaitWorkerResult =
  | { kind: 'done'; role: string; frames: number; parks: number; emptyWakes: number }
  | { kind: 'error'; message: string };

const o = workerData as WaitWorkerOptions;
const map = ShmMap.attach(o.sab);

function u32(u8: Uint8Array, at: number): number {
  return (u8[at]! | (u8[at + 1]! << 8) | (u8[at + 2]! << 16) | (u8[at + 3]! << 24)) >>> 0;
}

function put(w: RingWriter, v: number, len: number, waiter: Waiter): void {
  let off = w.reserve(len);
  while (off < 0) {
    w.waitForSpace(len, waiter);
    off = w.reserve(len);
  }
  if (len >= 4) {
    w.u8[off] = v & 255;
    w.u8[off + 1] = (v >>> 8) & 255;
    w.u8[off + 2] = (v >>> 16) & 255;
    w.u8[off + 3] = (v >>> 24) & 255;
  }
  w.commit();
}

function run(): WaitWorkerResult {
  if (o.role === 'send1') {
    const w = RingWriter.attach(map, o.out!);
    parentPort!.on('message', (v: number) => {
      put(w, v, 4, new Waiter('park', w.spaceDoorbell));
      parentPort!.postMessage('sent');
    });
    return { kind: 'done', role: o.role, frames: 0, parks: 0, emptyWakes: 0 };
  }
  if (o.role === 'fanin') {
    const readers = o.rings!.map((n) => RingReader.attach(map, n));
    const waiter = new Waiter(o.strategy, readers[0]!.doorbell, { parkTimeoutMs: Infinity });
    const hasWork = (): boolean => {
      for (let i = 0; i < readers.length; i++) if (readers[i]!.available()) return true;
      return false;
    };
    const next = readers.map(() => 0);
    let total = 0;
    let emptyWakes = 0;
    while (total < o.count! * readers.length) {
      let got = 0;
      for (let i = 0; i < readers.length; i++) {
        const r = readers[i]!;
        for (let len = r.peek(); len >= 0; len = r.peek()) {
          const v = u32(r.u8, r.frameOffset);
          if (v !== next[i]) throw new Error(`ring ${o.rings![i]}: got ${v}, expected ${next[i]}`);
          next[i]!++;
          got++;
        }
        r.release();
      }
      total += got;
      if (got === 0 && !waiter.waitFor(hasWork)) emptyWakes++;
    }
    return { kind: 'done', role: o.role, frames: total, parks: waiter.doorbell.parks, emptyWakes };
  }
  const r = RingReader.attach(map, o.in!);
  const w = RingWriter.attach(map, o.out!);
  const waiter = new Waiter(o.strategy, r.doorbell, { parkTimeoutMs: Infinity });
  const spaceWaiter = new Waiter(o.strategy, w.spaceDoorbell, { parkTimeoutMs: Infinity });
  const hasWork = (): boolean => r.available();
  let frames = 0;
  let emptyWakes = 0;
  if (o.role === 'pong') {
    for (;;) {
      const len = r.peek();
      if (len < 0) {
        if (!waiter.waitFor(hasWork)) emptyWakes++;
        continue;
      }
      const v = len >= 4 ? u32(r.u8, r.frameOffset) : 0;
      r.release();
      put(w, v, len, spaceWaiter);
      frames++;
      if (len === 0) break;
    }
  } else {
    for (let i = 0; i < o.rounds!; i++) {
      put(w, i, 4, spaceWaiter);
      let len = r.peek();
      while (len < 0) {
        if (!waiter.waitFor(hasWork)) emptyWakes++;
        len = r.peek();
      }
      const v = u32(r.u8, r.frameOffset);
      r.release();
      if (v !== i) throw new Error(`round ${i}: echo carried ${v}`);
      frames++;
    }
    put(w, 0, 0, spaceWaiter); // stop the ponger
  }
  return { kind: 'done', role: o.role, frames, parks: waiter.doorbell.parks, emptyWakes };
}

try {
  const res = run();
  if (o.role !== 'send1') parentPort!.postMessage(res);
} catch (e) {
  parentPort!.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies WaitWorkerResult);
}
