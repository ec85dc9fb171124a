// SPSC ring of variable-length frames in a 'ring' region of the shared layout (byte format and
// offsets: formats.ts). One RingWriter and one RingReader at a time per ring.
//
// Frames. A frame is an 8-byte header (payload length u32, sequence number u32) followed by the
// payload, padded to a multiple of 8. The writer numbers frames 0, 1, 2, ... (mod 2^32). A frame
// is never split across the end of the data area: when it does not fit before the end, the
// writer puts a padding marker (length word FRAME_PAD = 0xFFFFFFFF) at the current position and
// the frame starts at data offset 0; the marker and the frame are published together.
// Max frame: the whole frame (header + padded payload) is at most capacity/2, i.e. a payload of
// at most `maxFrame = capacity/2 - 8` bytes. This guarantees that an empty ring accepts any legal
// frame wherever its index stands (padding < frame size <= capacity/2), so a producer waiting
// for space always makes progress once the consumer has drained the ring.
//
// Indices. PI (producer index, next write position) and CI (consumer index, everything before it
// is released) are byte positions that only grow and wrap modulo 2^32. Inside the writer and
// reader objects they are held as SIGNED int32 (`| 0` arithmetic): the same 32 bits as the u32
// position, but always a Word32 for V8, where a uint32 >= 2^31 would be a boxed double (a heap
// allocation per message for half of every 4 GiB of traffic). Public figures (ringStats) are u32.
// The data offset of a position is `pos & (capacity - 1)` (two's complement: also right for a
// negative int32). Used bytes = (PI - CI) | 0, always in [0, capacity]. PI lives on the producer's cache line, CI on the consumer's; each side keeps
// its cached copy of the other side's index in its own (thread-local) object and reloads it only
// when the cached value says "full" / "empty", so steady-state traffic touches each shared line
// once per batch.
//
// Full. reserve(len) needs (padding to the wrap if any) + frame bytes <= capacity - used. If not,
// it answers -1, counts a full event (RING_FULL_COUNT) and writes nothing: a full ring never
// overwrites unreleased data.
//
// Memory ordering (JS memory model; all Atomics operations are sequentially consistent):
//  - the writer fills header + payload with plain stores, then publishes with Atomics.store(PI);
//    the reader reads PI with Atomics.load. A seq-cst store/load pair on the same location is a
//    synchronizes-with edge, so every plain store before the publish happens-before every plain
//    load the reader makes after observing it: the reader never sees a partial frame.
//  - the reader finishes reading a frame before Atomics.store(CI) (release); the writer reloads
//    CI with Atomics.load before reusing that space: the reader's loads happen-before the
//    writer's overwriting stores, so a frame is never overwritten while it can still be read.
//  - wake-ups: see wait.ts (the publish precedes the doorbell check, both Atomics).
//
// Crash semantics (the supervisor relies on them):
//  - Writer. reserve() writes only into free space and private fields; nothing is visible until
//    commit() stores PI. A writer dying between reserve and commit leaves nothing visible.
//    Recovering nextSeq: besides PI, the producer line holds two recovery records
//    REC[k] = (pi, seq), meaning "after index pi, the next frame is number seq". One of them
//    describes the currently published state. A publish first writes the OTHER record with
//    (newPI, nextSeq) using plain stores, THEN stores PI = newPI, and from then on the roles of the
//    two records swap. A new writer reads PI and takes the record whose pi equals PI. Wherever
//    the old writer died, exactly one record matches: if PI was published, the new record is
//    complete (its stores precede the publish); if not, the untouched record still matches the
//    old PI, and a half-written new record holds either newPI or the index of two publishes ago,
//    neither equal to the old PI (a publish moves the index forward by 8..capacity bytes, two of
//    them by at most 2 * capacity <= 2^31, so no wrap modulo 2^32 can make them equal). So
//    nextSeq is recovered exactly. The records are written with plain stores: the new writer
//    reads them after the old thread has exited (the supervisor starts it after the 'exit'
//    event), and in the live case the publish's Atomics.store orders them before PI.
//    create() initialises REC0 = (0, 0) and REC1 = (odd sentinel, which no index can equal).
//  - Batching: stage() commits a frame locally without publishing it; publish() makes every
//    staged frame visible with one index store (and one doorbell check). commit() = stage() +
//    publish(). publish(false) / write(..., false) publish without the doorbell check; the
//    producer rings it later with wake() (until then a parked consumer finds the frames at its
//    park timeout: no frame is lost, only its wake-up is deferred). Staged frames are not
//    committed for crash purposes: a writer dying before publish() leaves none of them
//    visible, and its successor reuses their sequence numbers.
//  - Reader. A new reader starts at CI: frames released are never delivered again (exactly-once
//    for released frames); frames peeked but not released are delivered again (at-least-once for
//    unreleased ones). Release is the consumer's commit point.
//  - A new writer or reader must not attach while the old one can still run (the supervisor
//    attaches the replacement only after the old thread has exited).
import { ShmError } from './errors.js';
import type { ShmMap } from './layout.js';
import {
  FRAME_HEADER_BYTES,
  FRAME_PAD,
  RING_CAPACITY,
  RING_CI,
  RING_CONS_DOORBELL,
  RING_FORMAT_MAGIC,
  RING_FULL_COUNT,
  RING_HEADER_BYTES,
  RING_MAGIC,
  RING_PI,
  RING_PROD_DOORBELL,
  RING_REC0_PI,
  RING_REC0_SEQ,
  RING_REC1_PI,
  RING_REC1_SEQ,
  RING_RELEASES,
  ringMaxFrame,
} from './formats.js';
import { Doorbell, type Waiter } from './wait.js';

export { ringRegionBytes, ringMaxFrame, FRAME_HEADER_BYTES } from './formats.js';

interface RingGeometry {
  i32: Int32Array;
  /** Int32 index of the region start. */
  base: number;
  /** Byte offset of the data area in the SAB. */
  dataOffset: number;
  capacity: number;
  consDoorbell: number;
  prodDoorbell: number;
}

function geometry(map: ShmMap, name: string): RingGeometry {
  const r = map.region(name, 'ring');
  const i32 = new Int32Array(map.sab);
  const base = r.offset >> 2;
  const capacity = i32[base + (RING_CAPACITY >> 2)]!;
  if (i32[base + (RING_FORMAT_MAGIC >> 2)] !== RING_MAGIC || capacity !== r.param || capacity + RING_HEADER_BYTES !== r.bytes) {
    throw new ShmError('SHM_BAD_REGION', `ring '${name}': header does not match the region table (corrupt or not initialised)`);
  }
  const consDoorbell = i32[base + (RING_CONS_DOORBELL >> 2)]!;
  const prodDoorbell = i32[base + (RING_PROD_DOORBELL >> 2)]!;
  for (const d of [consDoorbell, prodDoorbell]) {
    if (d < 0 || d % 64 !== 0 || d + 64 > map.sab.byteLength) {
      throw new ShmError('SHM_BAD_REGION', `ring '${name}': doorbell offset ${d} out of bounds`);
    }
  }
  return { i32, base, dataOffset: r.offset + RING_HEADER_BYTES, capacity, consDoorbell, prodDoorbell };
}

/** The committed (index, next seq) pair, from the recovery record that matches PI. */
function recoverCommitted(g: RingGeometry, name: string): { pi: number; seq: number; record: 0 | 1 } {
  const { i32, base } = g;
  // A reader may attach while the writer runs: read PI, both records and PI again, and retry when
  // the writer published in between (it rewrites only the record that does not match the
  // published PI, so an unchanged PI means the matching record was read whole).
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const pi = Atomics.load(i32, base + (RING_PI >> 2));
    const pi0 = Atomics.load(i32, base + (RING_REC0_PI >> 2));
    const seq0 = Atomics.load(i32, base + (RING_REC0_SEQ >> 2));
    const pi1 = Atomics.load(i32, base + (RING_REC1_PI >> 2));
    const seq1 = Atomics.load(i32, base + (RING_REC1_SEQ >> 2));
    if (Atomics.load(i32, base + (RING_PI >> 2)) !== pi) continue;
    if (pi0 === pi) return { pi: pi >>> 0, seq: seq0 >>> 0, record: 0 };
    if (pi1 === pi) return { pi: pi >>> 0, seq: seq1 >>> 0, record: 1 };
    throw new ShmError('SHM_RING_CORRUPT', `ring '${name}': no recovery record matches the producer index ${pi >>> 0}`);
  }
  throw new ShmError('SHM_RING_CORRUPT', `ring '${name}': the producer index kept moving while attaching`);
}

/** Counters of a ring, read from shared memory (for monitoring and tests; allocates). */
export interface RingStats {
  capacity: number;
  /** Producer index (bytes ever committed incl. padding, mod 2^32). */
  producerIndex: number;
  /** Consumer index (bytes ever released, mod 2^32). */
  consumerIndex: number;
  /** Bytes committed but not yet released. */
  usedBytes: number;
  /** Frames committed so far (mod 2^32) = sequence number of the next frame. */
  committedFrames: number;
  /** reserve() calls answered "full". */
  fullCount: number;
  /** release() calls that moved the consumer index. */
  releases: number;
}

export function ringStats(map: ShmMap, name: string): RingStats {
  const g = geometry(map, name);
  const { pi, seq } = recoverCommitted(g, name);
  const ci = Atomics.load(g.i32, g.base + (RING_CI >> 2)) >>> 0;
  return {
    capacity: g.capacity,
    producerIndex: pi,
    consumerIndex: ci,
    usedBytes: (pi - ci) >>> 0,
    committedFrames: seq,
    fullCount: Atomics.load(g.i32, g.base + (RING_FULL_COUNT >> 2)) >>> 0,
    releases: Atomics.load(g.i32, g.base + (RING_RELEASES >> 2)) >>> 0,
  };
}

export class RingWriter {
  /** The ring's data area (shared). reserve() returns offsets into it. */
  readonly u8: Uint8Array;
  readonly capacity: number;
  /** Largest payload of one frame: capacity/2 - 8. */
  readonly maxFrame: number;
  /** The doorbell the consumer parks on (rung after every commit). */
  readonly doorbell: Doorbell;
  /** The doorbell this writer parks on while the ring is full (the reader rings it on release). */
  readonly spaceDoorbell: Doorbell;
  readonly name: string;

  private readonly i32: Int32Array;
  private readonly d32: Int32Array;
  private readonly mask: number;
  private readonly piIdx: number;
  private readonly ciIdx: number;
  private readonly fullIdx: number;
  private readonly rec0: number;
  private readonly rec1: number;
  /** Local producer index: end of the last staged frame. */
  private pi: number;
  /** Producer index last published (Atomics.store). */
  private publishedPi: number;
  /** Int32 index of the recovery record describing the published state. */
  private currentRec: number;
  private seq: number;
  private cachedCi: number;
  private full: number;
  private pendingEnd = 0;
  /** A frame is reserved and not yet staged (pendingEnd is its end position). */
  private reserved = false;
  private wanted = 0;
  private lastBuf: ArrayBufferLike | null = null;
  private lastSrc32: Int32Array | null = null;
  private lastSrcDv: DataView | null = null;
  /** Preallocated predicate for backpressure waits: "a frame of `wanted` bytes fits". */
  private readonly spacePredicate: () => boolean;

  private constructor(map: ShmMap, name: string) {
    const g = geometry(map, name);
    const rec = recoverCommitted(g, name);
    this.name = name;
    this.i32 = g.i32;
    this.capacity = g.capacity;
    this.mask = g.capacity - 1;
    this.maxFrame = ringMaxFrame(g.capacity);
    this.u8 = new Uint8Array(map.sab, g.dataOffset, g.capacity);
    this.d32 = new Int32Array(map.sab, g.dataOffset, g.capacity >> 2);
    this.piIdx = g.base + (RING_PI >> 2);
    this.ciIdx = g.base + (RING_CI >> 2);
    this.fullIdx = g.base + (RING_FULL_COUNT >> 2);
    this.rec0 = g.base + (RING_REC0_PI >> 2);
    this.rec1 = g.base + (RING_REC1_PI >> 2);
    this.pi = rec.pi | 0;
    this.publishedPi = rec.pi | 0;
    this.currentRec = rec.record === 0 ? this.rec0 : this.rec1;
    this.seq = rec.seq;
    this.cachedCi = Atomics.load(g.i32, this.ciIdx);
    this.full = g.i32[this.fullIdx]! >>> 0;
    this.doorbell = new Doorbell(map.sab, g.consDoorbell);
    this.spaceDoorbell = new Doorbell(map.sab, g.prodDoorbell);
    this.spacePredicate = () => this.hasSpace(this.wanted);
  }

  /** Attach the (single) writer of ring `name`; continues from the committed state. */
  static attach(map: ShmMap, name: string): RingWriter {
    return new RingWriter(map, name);
  }

  /** Sequence number the next reserved frame will carry (= frames committed or staged so far). */
  get nextSeq(): number {
    return this.seq;
  }

  /** Number of reserve() calls answered "full" over the ring's life (shared counter). */
  get fullCount(): number {
    return this.full;
  }

  /**
   * Reserves a frame of `len` payload bytes (0 <= len <= maxFrame). Returns the offset in `u8`
   * where the payload goes, or -1 when the ring is full (counted; nothing is overwritten). The
   * frame becomes visible only at commit(). A second reserve() before commit() replaces the
   * first reservation.
   */
  reserve(len: number): number {
    if (!(len >= 0 && len <= this.maxFrame) || (len | 0) !== len) {
      throw new ShmError('SHM_FRAME_TOO_LARGE', `ring '${this.name}': frame of ${len} bytes (max ${this.maxFrame})`);
    }
    const size = (FRAME_HEADER_BYTES + len + 7) & ~7;
    const pi = this.pi;
    let m = pi & this.mask;
    const tail = this.capacity - m;
    const need = size <= tail ? size : tail + size;
    if (need > this.capacity - ((pi - this.cachedCi) | 0)) {
      this.cachedCi = Atomics.load(this.i32, this.ciIdx);
      if (need > this.capacity - ((pi - this.cachedCi) | 0)) {
        this.full = (this.full + 1) >>> 0;
        this.i32[this.fullIdx] = this.full | 0;
        return -1;
      }
    }
    const d32 = this.d32;
    if (size > tail) {
      d32[m >> 2] = FRAME_PAD;
      m = 0;
    }
    const w = m >> 2;
    d32[w] = len;
    d32[w + 1] = this.seq | 0;
    this.pendingEnd = (pi + need) | 0;
    this.reserved = true;
    return m + FRAME_HEADER_BYTES;
  }

  /** Publishes the reserved frame and wakes a parked consumer (no syscall if it is awake).
   * Same as stage() + publish(). `wake` false: publish only (see publish()). */
  commit(wake = true): void {
    this.stage();
    this.publish(wake);
  }

  /** Commits the reserved frame locally without publishing it: the consumer sees it at the next
   * publish() (or commit()). Lets a producer publish a burst with one index store. */
  stage(): void {
    if (!this.reserved) throw new ShmError('SHM_NOT_RESERVED', `ring '${this.name}': commit()/stage() without reserve()`);
    this.reserved = false;
    this.pi = this.pendingEnd;
    this.seq = (this.seq + 1) >>> 0;
  }

  /**
   * Publishes every staged frame (one Atomics.store) and rings the consumer's doorbell. With
   * `wake` false the frames are published (visible, committed for crash purposes) but the
   * doorbell is not rung: a parked consumer finds them at its next wake-up (its park timeout, or
   * the next wake()), so a producer can keep a futex wake off a latency-critical moment.
   */
  publish(wake = true): void {
    const pi = this.pi;
    if (pi === this.publishedPi) return;
    const i32 = this.i32;
    const rec = this.currentRec === this.rec0 ? this.rec1 : this.rec0;
    i32[rec] = pi | 0;
    i32[rec + 1] = this.seq | 0;
    Atomics.store(i32, this.piIdx, pi | 0);
    this.currentRec = rec;
    this.publishedPi = pi;
    if (wake) this.doorbell.ring();
  }

  /** Rings the consumer's doorbell (after quiet publishes; no syscall unless it is parked). */
  wake(): void {
    this.doorbell.ring();
  }

  /** Frames staged and not yet published. */
  get staged(): boolean {
    return this.pi !== this.publishedPi;
  }

  /** Drops a reservation without publishing anything. */
  abort(): void {
    this.reserved = false;
  }

  /**
   * reserve + one copy of src[start, end) + commit (`wake` as for publish()). Returns false (counted as full) when the
   * ring has no room. Allocates nothing per call (views over src.buffer are cached per buffer,
   * so pass the builder's backing array and a start offset rather than a fresh subarray, e.g.
   * `bb = builder.dataBuffer(); write(bb.bytes(), bb.position(), bb.capacity())`).
   */
  write(src: Uint8Array, start: number, end: number, wake = true): boolean {
    const len = end - start;
    const off = this.reserve(len);
    if (off < 0) return false;
    this.copyIn(src, start, len, off);
    this.commit(wake);
    return true;
  }

  /** Whether a frame of `len` payload bytes would fit now (reloads the consumer index). */
  hasSpace(len: number): boolean {
    const size = (FRAME_HEADER_BYTES + len + 7) & ~7;
    const m = this.pi & this.mask;
    const tail = this.capacity - m;
    const need = size <= tail ? size : tail + size;
    this.cachedCi = Atomics.load(this.i32, this.ciIdx);
    return need <= this.capacity - ((this.pi - this.cachedCi) | 0);
  }

  /**
   * Backpressure: waits with `waiter` (which must be built on `spaceDoorbell`) until a frame of
   * `len` bytes fits. Returns true when it fits, false when the waiter gave up (timeout).
   */
  waitForSpace(len: number, waiter: Waiter): boolean {
    this.wanted = len;
    return waiter.waitFor(this.spacePredicate);
  }

  /** Async form of waitForSpace (for actors that keep their event loop served). */
  waitForSpaceAsync(len: number, waiter: Waiter): Promise<boolean> {
    this.wanted = len;
    return waiter.waitForAsync(this.spacePredicate);
  }

  /** Bytes committed and not yet released (reloads the consumer index). */
  usedBytes(): number {
    this.cachedCi = Atomics.load(this.i32, this.ciIdx);
    return (this.pi - this.cachedCi) | 0;
  }

  private copyIn(src: Uint8Array, start: number, len: number, off: number): void {
    const u8 = this.u8;
    if (len < 16) {
      for (let i = 0; i < len; i++) u8[off + i] = src[start + i]!;
      return;
    }
    const buf = src.buffer;
    if (buf !== this.lastBuf) {
      this.lastBuf = buf;
      this.lastSrc32 = new Int32Array(buf, 0, buf.byteLength >> 2);
      this.lastSrcDv = new DataView(buf);
    }
    const d32 = this.d32;
    const words = len >> 2;
    const dw = off >> 2;
    const abs = src.byteOffset + start;
    if ((abs & 3) === 0) {
      const s32 = this.lastSrc32!;
      const sw = abs >> 2;
      for (let i = 0; i < words; i++) d32[dw + i] = s32[sw + i]!;
    } else {
      const dv = this.lastSrcDv!;
      for (let i = 0; i < words; i++) d32[dw + i] = dv.getInt32(abs + 4 * i, true);
    }
    for (let i = words << 2; i < len; i++) u8[off + i] = src[start + i]!;
  }
}

export class RingReader {
  /** The ring's data area (shared). Payload of the peeked frame: u8[frameOffset, +length). */
  readonly u8: Uint8Array;
  readonly capacity: number;
  readonly maxFrame: number;
  /** The doorbell this reader's consumer parks on (shared by all rings naming it). */
  readonly doorbell: Doorbell;
  /** The producer's backpressure doorbell (rung on release when the producer parks). */
  readonly spaceDoorbell: Doorbell;
  readonly name: string;
  /** Offset in u8 of the payload of the last peeked frame. */
  frameOffset = 0;
  /** Sequence number of the last peeked frame. */
  frameSeq = 0;

  private readonly i32: Int32Array;
  private readonly d32: Int32Array;
  private readonly mask: number;
  private readonly piIdx: number;
  private readonly ciIdx: number;
  private readonly relIdx: number;
  private pos: number;
  private released: number;
  private cachedPi: number;
  private seq: number;

  private constructor(map: ShmMap, name: string) {
    const g = geometry(map, name);
    this.name = name;
    this.i32 = g.i32;
    this.capacity = g.capacity;
    this.mask = g.capacity - 1;
    this.maxFrame = ringMaxFrame(g.capacity);
    this.u8 = new Uint8Array(map.sab, g.dataOffset, g.capacity);
    this.d32 = new Int32Array(map.sab, g.dataOffset, g.capacity >> 2);
    this.piIdx = g.base + (RING_PI >> 2);
    this.ciIdx = g.base + (RING_CI >> 2);
    this.relIdx = g.base + (RING_RELEASES >> 2);
    this.doorbell = new Doorbell(map.sab, g.consDoorbell);
    this.spaceDoorbell = new Doorbell(map.sab, g.prodDoorbell);
    const ci = Atomics.load(g.i32, this.ciIdx);
    this.pos = ci;
    this.released = ci;
    const rec = recoverCommitted(g, name);
    this.cachedPi = rec.pi | 0;
    if (ci === (rec.pi | 0)) {
      this.seq = rec.seq;
    } else {
      // The frame at CI (after a padding marker, if any) is the next one delivered.
      let m = ci & this.mask;
      if (this.d32[m >> 2] === FRAME_PAD) m = 0;
      this.seq = this.d32[(m >> 2) + 1]! >>> 0;
    }
  }

  /** Attach the (single) reader of ring `name`; continues from the released position. */
  static attach(map: ShmMap, name: string): RingReader {
    return new RingReader(map, name);
  }

  /** Sequence number of the next frame peek() will deliver. */
  get nextSeq(): number {
    return this.seq;
  }

  /**
   * Payload length of the next not-yet-peeked frame, or -1 when there is none. Sets frameOffset
   * and frameSeq. The frame stays valid (not overwritten) until release().
   */
  peek(): number {
    let pos = this.pos;
    if (pos === this.cachedPi) {
      this.cachedPi = Atomics.load(this.i32, this.piIdx);
      if (pos === this.cachedPi) return -1;
    }
    const d32 = this.d32;
    let m = pos & this.mask;
    let len = d32[m >> 2]!;
    if (len === FRAME_PAD) {
      pos = (pos + this.capacity - m) | 0;
      m = 0;
      len = d32[0]!;
    }
    if (!(len >= 0 && len <= this.maxFrame)) {
      throw new ShmError('SHM_RING_CORRUPT', `ring '${this.name}': frame length ${len} at position ${pos >>> 0}`);
    }
    const seq = d32[(m >> 2) + 1]! >>> 0;
    this.frameSeq = seq;
    this.frameOffset = m + FRAME_HEADER_BYTES;
    this.pos = (pos + ((FRAME_HEADER_BYTES + len + 7) & ~7)) | 0;
    this.seq = (seq + 1) >>> 0;
    return len;
  }

  /** Releases every frame peeked so far (batched release) and wakes a producer parked on full. */
  release(): void {
    const pos = this.pos;
    if (pos === this.released) return;
    this.released = pos;
    const i32 = this.i32;
    Atomics.store(i32, this.ciIdx, pos | 0);
    i32[this.relIdx] = (i32[this.relIdx]! + 1) | 0;
    this.spaceDoorbell.ring();
  }

  /** Whether a frame is waiting that peek() has not delivered yet (one Atomics.load at most). */
  available(): boolean {
    if (this.pos !== this.cachedPi) return true;
    this.cachedPi = Atomics.load(this.i32, this.piIdx);
    return this.pos !== this.cachedPi;
  }

  /** Frames peeked and not yet released hold this many bytes. */
  get unreleasedBytes(): number {
    return (this.pos - this.released) | 0;
  }
}
