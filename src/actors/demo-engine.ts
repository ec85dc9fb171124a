// Demo actor: reads the demo feed's FlatBuffers BookTop frames from inbound ring 0 in place,
// keeps the best bid/ask per venue, counts crosses (one venue's bid above the other's ask: an
// arbitrage signal) and records the ring latency (ring-committed stage -> read, on the
// cross-thread clock) in the stats block (demo-frames.ts).
// Idempotent across restarts: it records the next ring sequence number with each frame's effect
// (before the runtime releases the batch) and skips redelivered frames below it.
// No allocation per frame: one FrameView over the ring's bytes, reused accessors.
import type { ActorBehaviour, ActorContext } from './actor.js';
import { nowUs } from './clock.js';
import { Body, FrameView, Stage } from '../wire/index.js';
import { STAT, latencyBin } from './demo-frames.js';

export interface DemoEngineParams {
  /** Counters region holding the stats block. */
  readonly stats: string;
}

export function createActor(raw: unknown): ActorBehaviour {
  const p = raw as DemoEngineParams;
  let f64: Float64Array;
  let st: Int32Array;
  let view: FrameView | null = null;
  let sb = 0;
  let sumIdx = 0;
  const bid = [0, 0];
  const ask = [0, 0];
  return {
    onStart(ctx: ActorContext) {
      f64 = new Float64Array(ctx.map.sab);
      st = new Int32Array(ctx.map.sab);
      const r = ctx.map.region(p.stats, 'counters');
      sb = r.offset >> 2;
      sumIdx = (r.offset >> 3) + (STAT.SUM_F64_WORD >> 1);
    },
    onFrame(_ctx: ActorContext, _ring: number, u8: Uint8Array, off: number, _len: number, seq: number) {
      if (seq < (Atomics.load(st, sb + STAT.NEXT) >>> 0)) {
        Atomics.add(st, sb + STAT.DUPS, 1);
        return;
      }
      if (view === null || view.u8 !== u8) view = new FrameView(u8);
      view.at(off);
      if (view.kind() === Body.BookTop) {
        const lat = nowUs() - view.stage(Stage.RingCommitted);
        const v = view.bookTop().venueId() & 1;
        bid[v] = view.bidPriceTicks(0);
        ask[v] = view.askPriceTicks(0);
        const o = v ^ 1;
        if (ask[o]! > 0 && (bid[v]! > ask[o]! || bid[o]! > ask[v]!)) Atomics.add(st, sb + STAT.CROSSED, 1);
        Atomics.add(st, sb + STAT.FRAMES, 1);
        Atomics.store(st, sb + STAT.LAST_SEQ, view.bookLastSeq() | 0);
        const latUs = lat > 0 ? lat : 0;
        if (latUs > (Atomics.load(st, sb + STAT.MAX_LAT_US) >>> 0)) Atomics.store(st, sb + STAT.MAX_LAT_US, Math.min(latUs, 0x7fffffff) | 0);
        Atomics.add(st, sb + STAT.HIST + latencyBin(latUs), 1);
        f64[sumIdx] = f64[sumIdx]! + latUs;
      } else {
        Atomics.add(st, sb + STAT.OTHER, 1);
      }
      Atomics.store(st, sb + STAT.NEXT, (seq + 1) | 0);
    },
  };
}
