// Demo actor: a synthetic feed publishing FlatBuffers BookTop messages (5 levels per side) of two
// venues into outbound ring 0 at `ratePerSec`. Every top is a deterministic function of its ring
// sequence number, so a restarted feed continues exactly where the ring's recovered nextSeq says
// (no state of its own). Thin by design: it only produces frames. No allocation per frame: one
// reused encoder, envelope head and BookTop input.
import type { ActorBehaviour, ActorContext } from './actor.js';
import { nowUs } from './clock.js';
import { BookFlags, newBookTopInput, newEnvelopeHead, threadEncoder } from '../wire/index.js';
import { DEMO_LEVELS } from './demo-frames.js';

export interface DemoFeedParams {
  readonly ratePerSec: number;
  /** Max frames per poll. */
  readonly burst?: number;
}

/** Mid price in ticks of frame `seq`: a slow wave plus a small deterministic jitter. */
function midTicks(seq: number): number {
  const h = Math.imul(seq ^ 0x27d4eb2d, 0x165667b1) >>> 30;
  return 6_400_000 + Math.round(2_000 * Math.sin(seq / 2_000)) + h;
}

export function createActor(raw: unknown): ActorBehaviour {
  const p = raw as DemoFeedParams;
  const burst = p.burst ?? 64;
  const enc = threadEncoder();
  const head = newEnvelopeHead(1);
  const top = newBookTopInput(DEMO_LEVELS);
  top.bidCount = DEMO_LEVELS;
  top.askCount = DEMO_LEVELS;
  top.flags = BookFlags.Synced;
  let t0 = 0;
  let seq0 = 0;
  return {
    onStart(ctx: ActorContext) {
      t0 = nowUs();
      seq0 = ctx.outbound[0]!.nextSeq;
    },
    poll(ctx: ActorContext): number {
      const w = ctx.outbound[0]!;
      const due = seq0 + Math.floor(((nowUs() - t0) * p.ratePerSec) / 1e6);
      let n = 0;
      while (n < burst && w.nextSeq < due) {
        const seq = w.nextSeq;
        const venue = seq & 1;
        // Venue 1 quotes a little higher; every so often the two books cross.
        const mid = midTicks(seq) + venue * (seq % 97 === 0 ? 40 : 3);
        top.venueId = venue;
        top.instrumentId = 1;
        top.firstSeq = seq >>> 1;
        top.lastSeq = seq >>> 1;
        for (let k = 0; k < DEMO_LEVELS; k++) {
          (top.bidPriceTicks as Float64Array)[k] = mid - 5 - k;
          (top.bidQtyLots as Float64Array)[k] = 1 + ((seq + k) % 13);
          (top.askPriceTicks as Float64Array)[k] = mid + 5 + k;
          (top.askQtyLots as Float64Array)[k] = 1 + ((seq + k) % 7);
        }
        const now = nowUs();
        top.venueTimeUs = now;
        head.seq = seq;
        head.times.venueEventUs = now;
        head.times.receivedUs = now;
        head.times.bookAppliedUs = now;
        head.times.ringCommittedUs = now;
        const e = enc.bookTop(head, top);
        if (!w.write(e.bytes, e.start, e.end)) {
          ctx.waitForSpace(0, e.end - e.start);
          break;
        }
        n++;
      }
      return n;
    },
  };
}
