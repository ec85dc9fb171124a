// Behaviour module of the `supervisor` benchmark's consumer actor (run by src/actors/actor-main.ts
// under the real Supervisor). Every inbound frame carries a crash number k (u32 at the payload
// start). The first worker to see frame k marks it "crashed", notes its clock and throws: an
// uncaught exception, the worker dies. The frame was not released, so the replacement worker is
// handed the same frame first; seeing k already marked, it notes its clock as "resumed". The
// benchmark reads crash -> resume from these two stamps (nowUs, comparable across threads).
//
// Shared state (params, SharedArrayBuffers shared with the benchmark's main thread):
//   flags  Int32Array: flags[k] 0 = not seen, 1 = crashed on it, 2 = resumed on it
//   times  Float64Array: times[2k] crash stamp, times[2k + 1] resume stamp (µs)
// Invariant: flags[k] goes 0 -> 1 exactly once (compareExchange), and 1 -> 2 exactly once.
import type { ActorBehaviour, ActorContext } from '../src/actors/actor.js';
import { nowUs } from '../src/actors/clock.js';

export interface CrashProbeParams {
  readonly flags: SharedArrayBuffer;
  readonly times: SharedArrayBuffer;
}

export function createActor(raw: unknown): ActorBehaviour {
  const p = raw as CrashProbeParams;
  const flags = new Int32Array(p.flags);
  const times = new Float64Array(p.times);
  return {
    onFrame(_ctx: ActorContext, _ring: number, u8: Uint8Array, off: number) {
      const k = u8[off]! | (u8[off + 1]! << 8) | (u8[off + 2]! << 16) | (u8[off + 3]! << 24);
      if (k < 0 || k >= flags.length) return;
      if (Atomics.compareExchange(flags, k, 0, 1) === 0) {
        times[2 * k] = nowUs();
        throw new Error(`bench: crash ${k} on purpose`);
      }
      if (Atomics.load(flags, k) === 1) {
        times[2 * k + 1] = nowUs();
        Atomics.store(flags, k, 2);
        Atomics.notify(flags, k);
      }
    },
  };
}
