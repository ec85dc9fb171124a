// Byte formats of the four region kinds (ring, board, counters, doorbell): every offset as a
// named constant, the size functions, and the initialisers `ShmLayout.create()` runs. The classes
// that use a region (ring.ts, board.ts, wait.ts, counters.ts) read these constants; nothing else
// hard-codes an offset. All offsets below are BYTE offsets relative to the start of the region,
// except the doorbell offsets stored inside a ring header, which are absolute byte offsets into
// the SharedArrayBuffer. Every region starts on a 64-byte cache line (layout.ts guarantees it).
//
// Ring region (see ring.ts for the protocol):
//   line 0 [0, 64)    read-only after create():
//                       +0  RING_CAPACITY        data capacity in bytes (power of two)
//                       +4  RING_CONS_DOORBELL   absolute byte offset of the doorbell the
//                                                 consumer parks on (own or a shared one)
//                       +8  RING_PROD_DOORBELL   absolute byte offset of the doorbell the producer
//                                                 parks on when the ring is full (own, line 4)
//                       +12 RING_FORMAT_MAGIC    'RNG1', checked on attach
//   line 1 [64, 128)  written only by the producer:
//                       +64 RING_PI               producer index (u32 byte position, wraps 2^32),
//                                                 published with Atomics.store
//                       +68 RING_REC0_PI, +72 RING_REC0_SEQ   recovery record 0 (index, next seq)
//                       +76 RING_REC1_PI, +80 RING_REC1_SEQ   recovery record 1
//                       +84 RING_FULL_COUNT       reserve() calls answered "full"
//   line 2 [128, 192) written only by the consumer:
//                       +128 RING_CI              consumer index (released position), Atomics.store
//                       +132 RING_RELEASES        release() calls that moved the index
//   line 3 [192, 256) the ring's own consumer doorbell (DOORBELL_* layout below)
//   line 4 [256, 320) the ring's producer doorbell (backpressure: producer parks when full)
//   [320, 320 + capacity)  data: frames of 8-byte header (length u32, seq u32) + payload,
//                          padded to 8 bytes.
//
// Board region (see board.ts):
//   line 0: +0 BOARD_SLOTS, +4 BOARD_SLOT_BYTES (max value bytes), +8 BOARD_STRIDE (bytes per
//           slot, a multiple of 64), +12 BOARD_FORMAT_MAGIC 'BRD1'
//   slot i at 64 + i * stride: +0 version (u32 seqlock word, odd while written), +4 length,
//           +8 value bytes (8-byte aligned), stride = align64(8 + slotBytes).
//
// Counters region (see counters.ts): n u32 words at +4*i, region size align64(4n) (at least 64).
//
// Doorbell region (see wait.ts), one cache line:
//   +0 DOORBELL_WAKE   futex word: producers add 1 before Atomics.notify; the parker waits on it
//   +4 DOORBELL_SLEEP  1 while the consumer announces it is about to park or is parked
//   +8 DOORBELL_PARKS  number of Atomics.wait/waitAsync calls (consumer-written statistic)

export const CACHE_LINE = 64;

/** Round `n` up to a multiple of 64 (one cache line). */
export function align64(n: number): number {
  return Math.ceil(n / CACHE_LINE) * CACHE_LINE;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 0x40000000;
}

// ---------------------------------------------------------------------------- doorbell
export const DOORBELL_BYTES = CACHE_LINE;
export const DOORBELL_WAKE = 0;
export const DOORBELL_SLEEP = 4;
export const DOORBELL_PARKS = 8;

export function initDoorbell(i32: Int32Array, byteOffset: number): void {
  const w = byteOffset >> 2;
  for (let i = 0; i < DOORBELL_BYTES >> 2; i++) i32[w + i] = 0;
}

// ---------------------------------------------------------------------------- ring
export const RING_CAPACITY = 0;
export const RING_CONS_DOORBELL = 4;
export const RING_PROD_DOORBELL = 8;
export const RING_FORMAT_MAGIC = 12;
export const RING_PRODUCER_LINE = 64;
export const RING_PI = 64;
export const RING_REC0_PI = 68;
export const RING_REC0_SEQ = 72;
export const RING_REC1_PI = 76;
export const RING_REC1_SEQ = 80;
export const RING_FULL_COUNT = 84;
export const RING_CONSUMER_LINE = 128;
export const RING_CI = 128;
export const RING_RELEASES = 132;
export const RING_OWN_CONS_DOORBELL = 192;
export const RING_OWN_PROD_DOORBELL = 256;
export const RING_HEADER_BYTES = 320;
/** 'RNG1' little-endian. */
export const RING_MAGIC = 0x31474e52;
/** Frame header: length u32 at +0, sequence number u32 at +4. */
export const FRAME_HEADER_BYTES = 8;
/** Length word of a padding marker: the rest of the data area up to the wrap is skipped. */
export const FRAME_PAD = -1;
/** Smallest ring capacity accepted (bytes). */
export const RING_MIN_CAPACITY = 64;

/** Bytes of a ring region with `capacity` data bytes (a power of two, at least 64). */
export function ringRegionBytes(capacity: number): number {
  return RING_HEADER_BYTES + capacity;
}

/** Largest payload of one frame in a ring of `capacity` bytes: a whole frame (8-byte header +
 * payload, padded to 8) is at most capacity/2, so an empty ring always accepts any legal frame
 * wherever its index stands (padding to the wrap + frame <= capacity). */
export function ringMaxFrame(capacity: number): number {
  return capacity / 2 - FRAME_HEADER_BYTES;
}

export function initRing(
  i32: Int32Array,
  byteOffset: number,
  capacity: number,
  consumerDoorbell: number,
): void {
  const w = byteOffset >> 2;
  for (let i = 0; i < RING_HEADER_BYTES >> 2; i++) i32[w + i] = 0;
  i32[w + (RING_CAPACITY >> 2)] = capacity;
  i32[w + (RING_CONS_DOORBELL >> 2)] = consumerDoorbell;
  i32[w + (RING_PROD_DOORBELL >> 2)] = byteOffset + RING_OWN_PROD_DOORBELL;
  i32[w + (RING_FORMAT_MAGIC >> 2)] = RING_MAGIC;
  // Recovery record 0 says "index 0 is followed by frame seq 0"; record 1 matches no index
  // (an odd position is impossible: frames are 8-byte aligned).
  i32[w + (RING_REC0_PI >> 2)] = 0;
  i32[w + (RING_REC0_SEQ >> 2)] = 0;
  i32[w + (RING_REC1_PI >> 2)] = -1;
  i32[w + (RING_REC1_SEQ >> 2)] = -1;
  // Data need not be cleared: nothing reads beyond the published producer index.
}

// ---------------------------------------------------------------------------- board
export const BOARD_SLOTS = 0;
export const BOARD_SLOT_BYTES = 4;
export const BOARD_STRIDE = 8;
export const BOARD_FORMAT_MAGIC = 12;
export const BOARD_HEADER_BYTES = CACHE_LINE;
/** Slot header: seqlock version u32 at +0, value length u32 at +4; value at +8. */
export const BOARD_SLOT_VERSION = 0;
export const BOARD_SLOT_LENGTH = 4;
export const BOARD_SLOT_DATA = 8;
/** 'BRD1' little-endian. */
export const BOARD_MAGIC = 0x31445242;

export function boardStride(slotBytes: number): number {
  return align64(BOARD_SLOT_DATA + slotBytes);
}

/** Bytes of a board region with `slots` slots of at most `slotBytes` value bytes each. */
export function boardRegionBytes(slots: number, slotBytes: number): number {
  return BOARD_HEADER_BYTES + slots * boardStride(slotBytes);
}

export function initBoard(i32: Int32Array, byteOffset: number, bytes: number, slotBytes: number): void {
  const w = byteOffset >> 2;
  for (let i = 0; i < bytes >> 2; i++) i32[w + i] = 0;
  const stride = boardStride(slotBytes);
  i32[w + (BOARD_SLOTS >> 2)] = (bytes - BOARD_HEADER_BYTES) / stride;
  i32[w + (BOARD_SLOT_BYTES >> 2)] = slotBytes;
  i32[w + (BOARD_STRIDE >> 2)] = stride;
  i32[w + (BOARD_FORMAT_MAGIC >> 2)] = BOARD_MAGIC;
}

// ---------------------------------------------------------------------------- counters
/** Bytes of a counters region holding `n` u32 counters. */
export function countersRegionBytes(n: number): number {
  return Math.max(CACHE_LINE, align64(n * 4));
}

export function initCounters(i32: Int32Array, byteOffset: number, bytes: number): void {
  const w = byteOffset >> 2;
  for (let i = 0; i < bytes >> 2; i++) i32[w + i] = 0;
}
