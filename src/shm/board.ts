// Seqlock "board": a fixed number of slots, each holding the latest value (up to slotBytes bytes)
// written by ONE writer and read by any number of readers (e.g. top of book per instrument).
// Readers never block the writer and never write shared memory; a torn read is detected and
// retried. Byte format: formats.ts (board header line, then slots of `stride` bytes, each on its
// own cache lines: version u32, length u32, value at +8).
//
// Protocol for slot s with version word V (starts at 0 = never written):
//   writer: v = V (even); Atomics.store(V, v + 1)   odd: a write is in progress
//           store length and value bytes (plain stores)
//           Atomics.store(V, v + 2)                 even again: value complete
//   reader: v1 = Atomics.load(V); if odd, retry
//           copy length and value (plain loads)
//           v2 = Atomics.load(V); if v2 != v1, the copy may be torn: retry; else it is the value
//           written by the writer's generation v1.
// Why it is correct: the closing store of generation v1 happens-before the reader's load that
// observes v1 (seq-cst store/load pair), so the reader's copy sees at least that generation's
// bytes. If the writer started another generation during the copy, its opening store of v1 + 1
// precedes (in program order, hence in the total order of Atomics) every plain store of that
// generation, and the reader's closing Atomics.load follows its plain loads; on the targets we
// run on (x86-64, where V8 emits Atomics.store as XCHG, a full barrier, and the hardware keeps
// loads in order with loads), a copy that observed any byte of the new generation is followed by
// a closing load that observes at least v1 + 1, so the mismatch is detected. (The JS memory model
// alone does not order plain loads before a later seq-cst load; on a weaker CPU the reader would
// need its value loads done with Atomics.load, which this module's copy loop can switch to.)
// Versions wrap modulo 2^32; a reader would have to sleep through 2^31 writes between its two
// loads of the same slot to miss a change.
//
// Crash: a writer dying inside begin()/end() leaves the slot odd. BoardWriter.attach repairs
// such slots by publishing them empty (length 0, version made even), so readers stop retrying and
// read "no value" until the new writer writes the slot again. Until then a reader never hangs:
// read() gives up after `maxRetries` attempts and returns -1 (tryRead() never retries), so a
// reader actor keeps its heartbeat while the writer is dead or descheduled mid-write.
import { ShmError } from './errors.js';
import type { ShmMap } from './layout.js';
import {
  BOARD_FORMAT_MAGIC,
  BOARD_HEADER_BYTES,
  BOARD_MAGIC,
  BOARD_SLOT_BYTES,
  BOARD_SLOT_DATA,
  BOARD_SLOT_LENGTH,
  BOARD_SLOTS,
  BOARD_STRIDE,
} from './formats.js';
import { cpuPause } from './wait.js';

export { boardRegionBytes } from './formats.js';

interface BoardGeometry {
  i32: Int32Array;
  u8: Uint8Array;
  r32: Int32Array;
  slots: number;
  slotBytes: number;
  stride: number;
}

function geometry(map: ShmMap, name: string): BoardGeometry {
  const r = map.region(name, 'board');
  const i32 = new Int32Array(map.sab);
  const b = r.offset >> 2;
  const slots = i32[b + (BOARD_SLOTS >> 2)]!;
  const slotBytes = i32[b + (BOARD_SLOT_BYTES >> 2)]!;
  const stride = i32[b + (BOARD_STRIDE >> 2)]!;
  if (
    i32[b + (BOARD_FORMAT_MAGIC >> 2)] !== BOARD_MAGIC ||
    slotBytes !== r.param ||
    stride % 64 !== 0 ||
    stride < BOARD_SLOT_DATA + slotBytes ||
    BOARD_HEADER_BYTES + slots * stride !== r.bytes
  ) {
    throw new ShmError('SHM_BAD_REGION', `board '${name}': header does not match the region table`);
  }
  return {
    i32,
    u8: new Uint8Array(map.sab, r.offset, r.bytes),
    r32: new Int32Array(map.sab, r.offset, r.bytes >> 2),
    slots,
    slotBytes,
    stride,
  };
}

export class BoardWriter {
  /** The board region's bytes (shared); begin() returns offsets into it. */
  readonly u8: Uint8Array;
  readonly slots: number;
  readonly slotBytes: number;
  readonly name: string;
  private readonly r32: Int32Array;
  private readonly stride: number;
  private lastBuf: ArrayBufferLike | null = null;
  private lastBuf32: Int32Array | null = null;
  private lastBufDv: DataView | null = null;

  private constructor(map: ShmMap, name: string) {
    const g = geometry(map, name);
    this.name = name;
    this.u8 = g.u8;
    this.r32 = g.r32;
    this.slots = g.slots;
    this.slotBytes = g.slotBytes;
    this.stride = g.stride;
    // Repair slots left odd by a writer that died mid-write: publish them empty.
    for (let s = 0; s < this.slots; s++) {
      const vi = this.versionIndex(s);
      const v = Atomics.load(this.r32, vi);
      if ((v & 1) !== 0) {
        this.r32[vi + 1] = 0;
        Atomics.store(this.r32, vi, (v + 1) | 0);
      }
    }
  }

  /** Attach the (single) writer of board `name`. */
  static attach(map: ShmMap, name: string): BoardWriter {
    return new BoardWriter(map, name);
  }

  private versionIndex(slot: number): number {
    return (BOARD_HEADER_BYTES + slot * this.stride + 0) >> 2;
  }

  private checkSlot(slot: number, len: number): void {
    if (!(slot >= 0 && slot < this.slots && (slot | 0) === slot) || !(len >= 0 && len <= this.slotBytes)) {
      throw new ShmError('SHM_BAD_SLOT', `board '${this.name}': slot ${slot} / length ${len} out of range (${this.slots} slots of ${this.slotBytes} bytes)`);
    }
  }

  /**
   * Starts writing `slot` (makes its version odd) and sets the value length (default slotBytes).
   * Returns the offset in `u8` where the value goes. Finish with end(slot).
   */
  begin(slot: number, len: number = this.slotBytes): number {
    this.checkSlot(slot, len);
    const r32 = this.r32;
    const vi = this.versionIndex(slot);
    Atomics.store(r32, vi, (r32[vi]! + 1) | 0);
    r32[vi + (BOARD_SLOT_LENGTH >> 2)] = len;
    return BOARD_HEADER_BYTES + slot * this.stride + BOARD_SLOT_DATA;
  }

  /** Publishes the value written since begin(slot) (version even again). */
  end(slot: number): void {
    const r32 = this.r32;
    const vi = this.versionIndex(slot);
    Atomics.store(r32, vi, (r32[vi]! + 1) | 0);
  }

  /** begin + copy src[start, end) + end. Allocates nothing per call (views over src.buffer are
   * cached per buffer). */
  write(slot: number, src: Uint8Array, start: number, end: number): void {
    const len = end - start;
    const off = this.begin(slot, len);
    const u8 = this.u8;
    if (len < 16) {
      for (let i = 0; i < len; i++) u8[off + i] = src[start + i]!;
    } else {
      const buf = src.buffer;
      if (buf !== this.lastBuf) {
        this.lastBuf = buf;
        this.lastBuf32 = new Int32Array(buf, 0, buf.byteLength >> 2);
        this.lastBufDv = new DataView(buf);
      }
      const r32 = this.r32;
      const words = len >> 2;
      const dw = off >> 2;
      const abs = src.byteOffset + start;
      if ((abs & 3) === 0) {
        const s32 = this.lastBuf32!;
        const sw = abs >> 2;
        for (let i = 0; i < words; i++) r32[dw + i] = s32[sw + i]!;
      } else {
        const dv = this.lastBufDv!;
        for (let i = 0; i < words; i++) r32[dw + i] = dv.getInt32(abs + 4 * i, true);
      }
      for (let i = words << 2; i < len; i++) u8[off + i] = src[start + i]!;
    }
    this.end(slot);
  }

  /** Current version of a slot (even: stable; 0: never written). */
  version(slot: number): number {
    return Atomics.load(this.r32, this.versionIndex(slot)) >>> 0;
  }
}

export class BoardReader {
  /** The board region's bytes (shared). */
  readonly u8: Uint8Array;
  readonly slots: number;
  readonly slotBytes: number;
  readonly name: string;
  private readonly r32: Int32Array;
  private readonly stride: number;
  private lastBuf: ArrayBufferLike | null = null;
  private lastBuf32: Int32Array | null = null;
  private lastBufDv: DataView | null = null;
  private retryCount = 0;
  /** Attempts read() makes before answering -1 (slot stuck mid-write). */
  readonly maxRetries: number;
  /** Version of the value returned by the last successful read(). */
  lastVersion = 0;

  private constructor(map: ShmMap, name: string, maxRetries: number) {
    const g = geometry(map, name);
    this.name = name;
    this.maxRetries = maxRetries;
    this.u8 = g.u8;
    this.r32 = g.r32;
    this.slots = g.slots;
    this.slotBytes = g.slotBytes;
    this.stride = g.stride;
  }

  /** Attach a reader of board `name` (any number of readers). `maxRetries` (default 100,000,
   * a few milliseconds of pausing) bounds how long read() waits for a slot stuck mid-write. */
  static attach(map: ShmMap, name: string, opts: { maxRetries?: number } = {}): BoardReader {
    return new BoardReader(map, name, opts.maxRetries ?? 100_000);
  }

  /** Torn or in-progress reads retried so far by this reader. */
  get retries(): number {
    return this.retryCount;
  }

  /** Current version of a slot (even: stable; odd: being written; 0: never written). */
  version(slot: number): number {
    return Atomics.load(this.r32, (BOARD_HEADER_BYTES + slot * this.stride) >> 2) >>> 0;
  }

  /**
   * Copies the latest complete value of `slot` into dst[0, len) and returns len (0 if the slot
   * was never written). Retries while the writer is mid-write or the copy was torn; returns -1
   * if that lasted maxRetries attempts (dst then holds garbage). Allocates nothing when called
   * repeatedly with buffers over the same ArrayBuffer.
   */
  read(slot: number, dst: Uint8Array): number {
    return this.readSlot(slot, dst, this.maxRetries);
  }

  /** One attempt: like read(), but returns -1 at once if the slot is mid-write or the copy tore. */
  tryRead(slot: number, dst: Uint8Array): number {
    return this.readSlot(slot, dst, 0);
  }

  private readSlot(slot: number, dst: Uint8Array, maxRetries: number): number {
    if (!(slot >= 0 && slot < this.slots && (slot | 0) === slot)) {
      throw new ShmError('SHM_BAD_SLOT', `board '${this.name}': slot ${slot} out of range (${this.slots} slots)`);
    }
    const r32 = this.r32;
    const u8 = this.u8;
    const vi = (BOARD_HEADER_BYTES + slot * this.stride) >> 2;
    const off = (vi << 2) + BOARD_SLOT_DATA;
    const max = this.slotBytes;
    for (let attempt = 0; ; attempt++) {
      if (attempt > maxRetries) return -1;
      if (attempt > 0) {
        this.retryCount++;
        cpuPause();
      }
      const v1 = Atomics.load(r32, vi);
      if ((v1 & 1) !== 0) continue;
      const len = r32[vi + (BOARD_SLOT_LENGTH >> 2)]!;
      if (len >= 0 && len <= max && len <= dst.length) {
        if (len < 16) {
          for (let i = 0; i < len; i++) dst[i] = u8[off + i]!;
        } else {
          const buf = dst.buffer;
          if (buf !== this.lastBuf) {
            this.lastBuf = buf;
            this.lastBuf32 = new Int32Array(buf, 0, buf.byteLength >> 2);
            this.lastBufDv = new DataView(buf);
          }
          const words = len >> 2;
          const sw = off >> 2;
          const abs = dst.byteOffset;
          if ((abs & 3) === 0) {
            const d32 = this.lastBuf32!;
            const dw = abs >> 2;
            for (let i = 0; i < words; i++) d32[dw + i] = r32[sw + i]!;
          } else {
            const dv = this.lastBufDv!;
            for (let i = 0; i < words; i++) dv.setInt32(abs + 4 * i, r32[sw + i]!, true);
          }
          for (let i = words << 2; i < len; i++) dst[i] = u8[off + i]!;
        }
      }
      if (Atomics.load(r32, vi) === v1) {
        if (!(len >= 0 && len <= max)) {
          throw new ShmError('SHM_BAD_REGION', `board '${this.name}': slot ${slot} has length ${len} (max ${max}): corrupt`);
        }
        if (len > dst.length) {
          throw new ShmError('SHM_DST_TOO_SMALL', `board '${this.name}': slot ${slot} holds ${len} bytes, dst has ${dst.length}`);
        }
        this.lastVersion = v1 >>> 0;
        return len;
      }
    }
  }
}
