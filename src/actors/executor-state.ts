// The executor's progress record in shared memory (a counters region), which survives a crash of
// the executor worker: the restarted incarnation reads it to stay AT MOST ONCE per order.
//
// Layout (Int32 words from the region start):
//   0 NEXT_LO, 1 NEXT_HI   the next inbound ring sequence number not yet taken (hi * 2^32 + lo)
//   2 STARTS               incarnations started
//   3 CRASHES              planned test crashes done (test hook of executor.ts)
//   4 TAKEN                request frames taken (all incarnations)
//   5 RECOVERED            orders reported outcome-unknown by a restarted incarnation
//   6 DUPS                 redelivered frames skipped (already taken)
//   7 RETAKEN              cancel / query requests re-run after a restart
//   8 REHEARSALS           order-path rehearsals run (executor-rehearsal.ts)
//   then `slots` slots of SLOT_WORDS words each:
//   +0 STATE (FREE / TAKEN), +1 LEN, +2 SEQ_LO, +3 SEQ_HI, +16 bytes: the request frame itself.
//
// Invariants (the order of the stores is the protocol):
// - take(): the frame bytes, length and sequence are written, THEN STATE = TAKEN (Atomics.store),
//   and the caller then advances NEXT, and only THEN sends the request. So a request that may
//   have reached a venue always has a TAKEN slot or NEXT beyond its frame.
// - On restart (recover()): NEXT = max(NEXT, seq + 1 of every TAKEN slot), so a frame taken just
//   before a crash is never taken (sent) again even if NEXT had not moved yet; every TAKEN slot is
//   handed to the new incarnation: a NewOrder is reported outcome unknown (never re-sent), a
//   Cancel or Query is run again (repeating them is harmless).
// - A slot is freed only after the report that settles the request was written to the outbound
//   ring (or queued for it), so a crash in between yields a duplicate report, never a lost one.
// - Single writer: only the executor thread of the current generation writes here.
import type { ShmMap } from '../shm/layout.js';

export const EXEC_STATE = { NEXT_LO: 0, NEXT_HI: 1, STARTS: 2, CRASHES: 3, TAKEN: 4, RECOVERED: 5, DUPS: 6, RETAKEN: 7, REHEARSALS: 8 } as const;
export const EXEC_HEADER_WORDS = 16;
/** Words per slot: 4 header words + room for one request frame. */
export const EXEC_SLOT_WORDS = 128;
export const EXEC_SLOT_FRAME_BYTES = (EXEC_SLOT_WORDS - 4) * 4;
export const SLOT_FREE = 0;
export const SLOT_TAKEN = 1;
const TWO32 = 4294967296;

/** Counter words (int32) a region needs for `slots` in-flight requests. */
export function executorStateWords(slots: number): number {
  return EXEC_HEADER_WORDS + slots * EXEC_SLOT_WORDS;
}

export class ExecutorState {
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  readonly slots: number;

  constructor(sab: SharedArrayBuffer, offsetBytes: number, countWords: number) {
    this.i32 = new Int32Array(sab, offsetBytes, countWords);
    this.u8 = new Uint8Array(sab, offsetBytes, countWords * 4);
    this.slots = Math.floor((countWords - EXEC_HEADER_WORDS) / EXEC_SLOT_WORDS);
    if (this.slots < 1) throw new RangeError('executor state: region too small for one slot');
  }

  static attach(map: ShmMap, region: string): ExecutorState {
    const r = map.region(region, 'counters');
    return new ExecutorState(map.sab, r.offset, Math.floor(r.bytes / 4));
  }

  get next(): number {
    return (Atomics.load(this.i32, EXEC_STATE.NEXT_HI) >>> 0) * TWO32 + (Atomics.load(this.i32, EXEC_STATE.NEXT_LO) >>> 0);
  }

  setNext(seq: number): void {
    // hi first: the value only grows, and a torn read is impossible (single thread reads it back)
    Atomics.store(this.i32, EXEC_STATE.NEXT_HI, Math.floor(seq / TWO32) | 0);
    Atomics.store(this.i32, EXEC_STATE.NEXT_LO, seq % TWO32 | 0);
  }

  word(w: number): number {
    return Atomics.load(this.i32, w);
  }

  add(w: number, n = 1): number {
    return Atomics.add(this.i32, w, n) + n;
  }

  private slotWord(slot: number): number {
    return EXEC_HEADER_WORDS + slot * EXEC_SLOT_WORDS;
  }

  state(slot: number): number {
    return Atomics.load(this.i32, this.slotWord(slot));
  }

  seqOf(slot: number): number {
    const w = this.slotWord(slot);
    return (Atomics.load(this.i32, w + 3) >>> 0) * TWO32 + (Atomics.load(this.i32, w + 2) >>> 0);
  }

  /** Byte offset of the slot's frame in `u8`. */
  frameOffset(slot: number): number {
    return (this.slotWord(slot) + 4) * 4;
  }

  frameLength(slot: number): number {
    return Atomics.load(this.i32, this.slotWord(slot) + 1);
  }

  /**
   * Records request frame `seq` (u8[off, off+len)) as TAKEN. Returns the slot, -1 when every
   * slot is in use, -2 when the frame is larger than a slot holds.
   */
  take(seq: number, u8: Uint8Array, off: number, len: number): number {
    if (len > EXEC_SLOT_FRAME_BYTES) return -2;
    for (let s = 0; s < this.slots; s++) {
      const w = this.slotWord(s);
      if (Atomics.load(this.i32, w) !== SLOT_FREE) continue;
      const dst = (w + 4) * 4;
      for (let i = 0; i < len; i++) this.u8[dst + i] = u8[off + i]!;
      Atomics.store(this.i32, w + 1, len);
      Atomics.store(this.i32, w + 2, seq % TWO32 | 0);
      Atomics.store(this.i32, w + 3, Math.floor(seq / TWO32) | 0);
      Atomics.store(this.i32, w, SLOT_TAKEN);
      Atomics.add(this.i32, EXEC_STATE.TAKEN, 1);
      return s;
    }
    return -1;
  }

  free(slot: number): void {
    Atomics.store(this.i32, this.slotWord(slot), SLOT_FREE);
  }

  /**
   * Start of an incarnation: counts the start, moves NEXT past every TAKEN slot and returns the
   * TAKEN slots in sequence order (the previous incarnation's unsettled requests).
   */
  recover(): number[] {
    Atomics.add(this.i32, EXEC_STATE.STARTS, 1);
    const taken: number[] = [];
    let next = this.next;
    for (let s = 0; s < this.slots; s++) {
      if (this.state(s) !== SLOT_TAKEN) continue;
      taken.push(s);
      const seq = this.seqOf(s);
      if (seq + 1 > next) next = seq + 1;
    }
    if (next !== this.next) this.setNext(next);
    return taken.sort((a, b) => this.seqOf(a) - this.seqOf(b));
  }
}
