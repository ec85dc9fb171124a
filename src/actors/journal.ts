// Journal actor: consumes one or more inbound rings of AuditRecord frames and appends each frame,
// as received (no re-encoding), to its journal stream (src/journal/writer.ts), off the hot path
// of every other actor.
//
// Exactly once across restarts (crash, hang, kill by the supervisor, graceful stop):
// - Every record carries (epoch, source = inbound ring index, ring frame seq). The epoch is a
//   random nonzero u32 kept in this actor's progress region in shared memory: the same for every
//   incarnation attached to the same shared memory, new for a new process (whose rings restart
//   at seq 0). On start the writer recovers the last journaled seq per (epoch, ring) FROM THE
//   FILE (torn tail truncated first), so the record and the progress can never disagree.
// - A frame whose seq is not after the recovered/last journaled seq of its ring is a
//   redelivery (peeked by a previous incarnation, written, never released) and is skipped.
// - onBatchEnd writes the batch to the file (write(2)) BEFORE the runtime releases it: a frame
//   released by the ring is always in the file, so nothing released is lost; nothing is
//   appended twice. Frames not released are redelivered and either appended (not in the file)
//   or skipped (in the file).
// - Group fdatasync (the writer's policy) runs from poll(); onStop closes (syncs) the stream.
// Frames that are not AuditRecords are still journaled (kind FOREIGN_KIND_BASE + body type), and
// frames that do not even parse as wire frames are journaled raw (kind UNREADABLE_KIND) and
// counted: the journal never drops what it was given.
//
// Progress region (counters, JOURNAL_PROGRESS_WORDS words), written only by this actor:
//   0 EPOCH   1 RECORDS (appended and written)   2 DUPS (redeliveries skipped)
//   3 BAD (unreadable frames)   4 SYNCS   5 STARTS   6 GAPS (a ring's first frame after a start
//   was beyond the journaled seq + 1: frames released but missing from the file; must stay 0)
//   8 + i: NEXT[i], the ring-i seq following the last frame written (i < JOURNAL_MAX_RINGS)
import { randomBytes } from 'node:crypto';
import type { ActorBehaviour, ActorContext } from './actor.js';
import { FrameView } from '../wire/index.js';
import { FOREIGN_KIND_BASE, newRecordMeta } from '../journal/format.js';
import { metaFromFrame } from '../journal/records.js';
import { JournalWriter } from '../journal/writer.js';

export const JOURNAL_MAX_RINGS = 8;
export const JOURNAL_PROGRESS_WORDS = 8 + JOURNAL_MAX_RINGS;
export const JP = { EPOCH: 0, RECORDS: 1, DUPS: 2, BAD: 3, SYNCS: 4, STARTS: 5, GAPS: 6, NEXT: 8 } as const;
export const UNREADABLE_KIND = FOREIGN_KIND_BASE + 0xff;

export interface JournalActorParams {
  /** Journal directory. */
  readonly dir: string;
  /** Stream name. Default 'main'. */
  readonly stream?: string;
  /** Counters region of JOURNAL_PROGRESS_WORDS words (see the header). */
  readonly progress: string;
  readonly groupMs?: number;
  readonly groupRecords?: number;
  readonly segmentBytes?: number;
}

/** Whether ring seq `seq` comes after `last` (u32 sequence numbers, modulo 2^32). */
export function seqAfter(seq: number, last: number): boolean {
  const d = (seq - last) >>> 0;
  return d !== 0 && d < 0x80000000;
}

export function createActor(raw: unknown): ActorBehaviour {
  const p = raw as JournalActorParams;
  let writer: JournalWriter;
  let st: Int32Array;
  let base = 0;
  let epoch = 0;
  const meta = newRecordMeta();
  const last: number[] = [];
  const first: boolean[] = [];
  const views: (FrameView | null)[] = [];
  let batchCount = 0;

  return {
    onStart(ctx: ActorContext) {
      if (ctx.inbound.length > JOURNAL_MAX_RINGS) throw new Error(`journal: at most ${JOURNAL_MAX_RINGS} inbound rings`);
      const r = ctx.map.region(p.progress, 'counters');
      st = new Int32Array(ctx.map.sab);
      base = r.offset >> 2;
      epoch = Atomics.load(st, base + JP.EPOCH) >>> 0;
      if (epoch === 0) {
        let e = 0;
        while (e === 0) e = randomBytes(4).readUInt32LE(0);
        Atomics.compareExchange(st, base + JP.EPOCH, 0, e | 0);
        epoch = Atomics.load(st, base + JP.EPOCH) >>> 0;
      }
      writer = JournalWriter.open({
        dir: p.dir,
        stream: p.stream ?? 'main',
        groupMs: p.groupMs,
        groupRecords: p.groupRecords,
        segmentBytes: p.segmentBytes,
      });
      for (let i = 0; i < ctx.inbound.length; i++) {
        last[i] = writer.progress(epoch, i);
        first[i] = true;
        views[i] = null;
        if (last[i]! >= 0) Atomics.store(st, base + JP.NEXT + i, (last[i]! + 1) | 0);
      }
      Atomics.add(st, base + JP.STARTS, 1);
    },

    onFrame(_ctx: ActorContext, ring: number, u8: Uint8Array, off: number, len: number, seq: number) {
      const l = last[ring]!;
      if (l >= 0 && !seqAfter(seq, l)) {
        Atomics.add(st, base + JP.DUPS, 1);
        return;
      }
      if (first[ring]) {
        first[ring] = false;
        if (l >= 0 && seq !== ((l + 1) >>> 0)) Atomics.add(st, base + JP.GAPS, 1);
      }
      let v = views[ring]!;
      if (v === null || v.u8 !== u8) v = views[ring] = new FrameView(u8);
      try {
        v.at(off);
        metaFromFrame(v, meta);
      } catch {
        meta.kind = UNREADABLE_KIND;
        meta.code = 0;
        meta.comboId = 0;
        meta.venue = meta.instrument = meta.leg = -1;
        meta.orderRef = 0;
        meta.clientOrderId = '';
        const t = meta.times;
        t.venueEventUs = t.receivedUs = t.bookAppliedUs = t.ringCommittedUs = t.decisionUs = t.orderSentUs = t.ackUs = t.fillUs = 0;
        Atomics.add(st, base + JP.BAD, 1);
      }
      meta.flags = 0;
      meta.source = ring;
      meta.epoch = epoch;
      meta.seq = seq;
      meta.wallUs = 0;
      writer.append(meta, u8, off, off + len);
      last[ring] = seq;
      batchCount++;
    },

    onBatchEnd(_ctx: ActorContext, ring: number) {
      // The commit point: the batch reaches the file before the ring releases it.
      writer.flush();
      if (last[ring]! >= 0) Atomics.store(st, base + JP.NEXT + ring, (last[ring]! + 1) | 0);
      if (batchCount > 0) Atomics.add(st, base + JP.RECORDS, batchCount);
      batchCount = 0;
    },

    poll(): number {
      if (writer.tick()) Atomics.add(st, base + JP.SYNCS, 1);
      return 0;
    },

    onStop() {
      writer.close();
      Atomics.add(st, base + JP.SYNCS, 1);
    },
  };
}
