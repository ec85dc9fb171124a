// Audit journal on-disk format: segment files of length-prefixed, CRC-checked records.
//
// A journal is a directory holding one or more STREAMS; a stream has exactly one writer at a time
// (the journal actor owns one, each executor owns its own intent stream) and is a sequence of
// segment files `<stream>.<index, 8 digits>.xmj`, index 1, 2, 3, ... Only the last segment of a
// stream is ever appended to.
//
// Segment header (SEGMENT_HEADER_BYTES = 128, little-endian):
//    0 "XMCJ"  magic                     4 u16 version (1)     6 u16 header bytes (128)
//    8 u32 segment index                12 u32 stream name length (<= 64)
//   16 f64 created, wall clock µs since the epoch
//   24 f64 created, monotonic clock µs (clock.ts nowUs): the anchor that maps stage times
//      (monotonic) onto wall time for this segment: wall = mono + (createdWallUs - createdMonoUs)
//   32..39 reserved (0)   40..103 stream name (UTF-8, zero padded)   104..123 reserved (0)
//  124 u32 CRC32 of bytes 0..123
//
// Record (anywhere after the header, back to back, no padding):
//    0 u32 payload length N (bytes after this 8-byte prefix), RECORD_FIXED_BYTES <= N <= MAX
//    4 u32 CRC32 (node:zlib crc32, the IEEE polynomial) of the N payload bytes
//    payload:
//    0 u16 kind (AuditKind of the body; CHECKPOINT_KIND for checkpoints; FOREIGN_KIND_BASE + Body
//          type for a frame that is not an AuditRecord)
//    2 u8  flags (RecordFlag)           3 u8 client order id length L (<= 255)
//    4 u32 code (the AuditRecord's kind-specific code)
//    8 u32 source (the writer's inbound ring index; 0 for intent streams)
//   12 u32 source epoch (identity of the ring's lifetime: a new process gets a new epoch)
//   16 u32 combo id (0 = none)         20 i32 venue id (-1 = none)    24 i32 instrument id (-1)
//   28 i32 leg (-1 = none)             32 u32 frame length F           36 u32 reserved (0)
//   40 f64 seq (the ring frame's sequence number; for intents the order ref)
//   48 f64 wall clock µs when the record was appended
//   56 f64 order ref (0 = none)
//   64 8 x f64 stage times (StageTimes order, monotonic µs, 0 = stage not passed)
//  128 L bytes client order id (UTF-8)
//  128 + L: F bytes body: the FlatBuffers frame exactly as it was received (never re-encoded)
//
// Invariants:
// - A record is valid only if its length is in range, it lies entirely inside the file and its
//   CRC matches; a reader never returns anything else.
// - Torn tail: a crash in the middle of an append leaves, at the end of the LAST segment, a
//   record that is cut short (declared end beyond the file end, or fewer than 8 bytes), or one
//   whose bytes read as zeros / fail the CRC with nothing but zero bytes after it (a file extended
//   before its data reached the disk). Recovery truncates the file at the end of the last valid
//   record. Anything else that fails (a bad record followed by more data, a bad record in an
//   earlier segment, a bad header) is CORRUPTION: reported with its file and offset, never
//   truncated silently and never misread.
import { crc32 } from 'node:zlib';
import { STAGE_COUNT, type StageTimesValue } from '../wire/index.js';

export const SEGMENT_MAGIC = 'XMCJ';
export const JOURNAL_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 128;
export const RECORD_PREFIX_BYTES = 8;
export const RECORD_FIXED_BYTES = 128;
/** Largest payload a record may declare (a larger length field is damage, not data). */
export const MAX_RECORD_PAYLOAD = 16 * 1024 * 1024;
export const MAX_STREAM_NAME = 64;
export const MAX_CLIENT_ID_BYTES = 255;
export const SEGMENT_SUFFIX = '.xmj';

/** Record kind of a progress checkpoint (first record of every segment after the first). */
export const CHECKPOINT_KIND = 0xff00;
/** Record kinds FOREIGN_KIND_BASE + wire Body type: a valid frame that is not an AuditRecord. */
export const FOREIGN_KIND_BASE = 0xf000;

export const RecordFlag = {
  /** Written and handed to the kernel (and fdatasync'ed when the policy says so) before the
   * order it describes was sent: an order intent. */
  INTENT: 1,
} as const;

export const JOURNAL_ERROR_CODES = [
  'JOURNAL_CORRUPT', // a record or header that fails its checks where no torn tail can be
  'JOURNAL_BAD_INPUT', // a record too large, a stream name or client id out of range
  'JOURNAL_CLOSED', // an append after close()
  'JOURNAL_IO', // the file system failed (the cause is attached)
] as const;
export type JournalErrorCode = (typeof JOURNAL_ERROR_CODES)[number];

/** Journal error. `retryable` only for I/O errors (a full disk may be freed). */
export class JournalError extends Error {
  readonly code: JournalErrorCode;
  readonly retryable: boolean;
  constructor(code: JournalErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'JournalError';
    this.code = code;
    this.retryable = code === 'JOURNAL_IO';
  }
}

/** The fixed fields of one record (everything but the client id bytes and the body). */
export interface RecordMeta {
  kind: number;
  flags: number;
  code: number;
  source: number;
  epoch: number;
  comboId: number;
  venue: number;
  instrument: number;
  leg: number;
  seq: number;
  wallUs: number;
  orderRef: number;
  clientOrderId: string;
  times: StageTimesValue;
}

export function newRecordMeta(): RecordMeta {
  return {
    kind: 0,
    flags: 0,
    code: 0,
    source: 0,
    epoch: 0,
    comboId: 0,
    venue: -1,
    instrument: -1,
    leg: -1,
    seq: 0,
    wallUs: 0,
    orderRef: 0,
    clientOrderId: '',
    times: {
      venueEventUs: 0,
      receivedUs: 0,
      bookAppliedUs: 0,
      ringCommittedUs: 0,
      decisionUs: 0,
      orderSentUs: 0,
      ackUs: 0,
      fillUs: 0,
    },
  };
}

export function checkStreamName(stream: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) {
    throw new JournalError('JOURNAL_BAD_INPUT', `stream name must match [A-Za-z0-9_-]{1,64}, got ${JSON.stringify(stream)}`);
  }
  return stream;
}

export function segmentFileName(stream: string, index: number): string {
  return `${stream}.${String(index).padStart(8, '0')}${SEGMENT_SUFFIX}`;
}

/** Parses a segment file name; null when the name is not one. */
export function parseSegmentFileName(name: string): { stream: string; index: number } | null {
  const m = /^([A-Za-z0-9_-]{1,64})\.(\d{8})\.xmj$/.exec(name);
  if (!m) return null;
  return { stream: m[1]!, index: Number(m[2]) };
}

// ------------------------------------------------------------------------------ segment header

export interface SegmentHeader {
  stream: string;
  index: number;
  createdWallUs: number;
  createdMonoUs: number;
}

export function encodeSegmentHeader(h: SegmentHeader): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_BYTES);
  b.write(SEGMENT_MAGIC, 0, 'latin1');
  b.writeUInt16LE(JOURNAL_VERSION, 4);
  b.writeUInt16LE(SEGMENT_HEADER_BYTES, 6);
  b.writeUInt32LE(h.index, 8);
  const n = b.write(checkStreamName(h.stream), 40, MAX_STREAM_NAME, 'utf8');
  b.writeUInt32LE(n, 12);
  b.writeDoubleLE(h.createdWallUs, 16);
  b.writeDoubleLE(h.createdMonoUs, 24);
  b.writeUInt32LE(crc32(b.subarray(0, 124)), 124);
  return b;
}

/** Decodes a segment header; throws JOURNAL_CORRUPT (with `what` in the message) when invalid. */
export function decodeSegmentHeader(b: Uint8Array, what: string): SegmentHeader {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < SEGMENT_HEADER_BYTES) throw new JournalError('JOURNAL_CORRUPT', `${what}: segment header cut short (${buf.length} B)`);
  if (buf.toString('latin1', 0, 4) !== SEGMENT_MAGIC) throw new JournalError('JOURNAL_CORRUPT', `${what}: not a journal segment (bad magic)`);
  if (buf.readUInt32LE(124) !== crc32(buf.subarray(0, 124))) throw new JournalError('JOURNAL_CORRUPT', `${what}: segment header CRC mismatch`);
  const version = buf.readUInt16LE(4);
  if (version !== JOURNAL_VERSION) throw new JournalError('JOURNAL_CORRUPT', `${what}: unsupported journal version ${version}`);
  const nameLen = buf.readUInt32LE(12);
  if (nameLen < 1 || nameLen > MAX_STREAM_NAME) throw new JournalError('JOURNAL_CORRUPT', `${what}: bad stream name length ${nameLen}`);
  return {
    index: buf.readUInt32LE(8),
    stream: buf.toString('utf8', 40, 40 + nameLen),
    createdWallUs: buf.readDoubleLE(16),
    createdMonoUs: buf.readDoubleLE(24),
  };
}

// ------------------------------------------------------------------------------ records

/** Bytes a record with this client id length and frame length takes in the file. */
export function recordBytes(clientIdBytes: number, frameLen: number): number {
  return RECORD_PREFIX_BYTES + RECORD_FIXED_BYTES + clientIdBytes + frameLen;
}

/**
 * Encodes one record into `dst` at `pos` (the caller made sure recordBytes(...) fit) and returns
 * the position after it. Allocation-free: the client id is written with Buffer#write, the frame
 * copied byte range to byte range, the CRC computed over the payload in place.
 */
export function encodeRecordInto(dst: Buffer, pos: number, m: RecordMeta, frame: Uint8Array, start: number, end: number): number {
  const p = pos + RECORD_PREFIX_BYTES;
  const cidLen = m.clientOrderId.length === 0 ? 0 : dst.write(m.clientOrderId, p + RECORD_FIXED_BYTES, MAX_CLIENT_ID_BYTES, 'utf8');
  const frameLen = end - start;
  const payload = RECORD_FIXED_BYTES + cidLen + frameLen;
  dst.writeUInt16LE(m.kind & 0xffff, p);
  dst.writeUInt8(m.flags & 0xff, p + 2);
  dst.writeUInt8(cidLen, p + 3);
  dst.writeUInt32LE(m.code >>> 0, p + 4);
  dst.writeUInt32LE(m.source >>> 0, p + 8);
  dst.writeUInt32LE(m.epoch >>> 0, p + 12);
  dst.writeUInt32LE(m.comboId >>> 0, p + 16);
  dst.writeInt32LE(m.venue | 0, p + 20);
  dst.writeInt32LE(m.instrument | 0, p + 24);
  dst.writeInt32LE(m.leg | 0, p + 28);
  dst.writeUInt32LE(frameLen, p + 32);
  dst.writeUInt32LE(0, p + 36);
  dst.writeDoubleLE(m.seq, p + 40);
  dst.writeDoubleLE(m.wallUs, p + 48);
  dst.writeDoubleLE(m.orderRef, p + 56);
  const t = m.times;
  dst.writeDoubleLE(t.venueEventUs, p + 64);
  dst.writeDoubleLE(t.receivedUs, p + 72);
  dst.writeDoubleLE(t.bookAppliedUs, p + 80);
  dst.writeDoubleLE(t.ringCommittedUs, p + 88);
  dst.writeDoubleLE(t.decisionUs, p + 96);
  dst.writeDoubleLE(t.orderSentUs, p + 104);
  dst.writeDoubleLE(t.ackUs, p + 112);
  dst.writeDoubleLE(t.fillUs, p + 120);
  const fp = p + RECORD_FIXED_BYTES + cidLen;
  for (let i = 0; i < frameLen; i++) dst[fp + i] = frame[start + i]!;
  dst.writeUInt32LE(payload, pos);
  dst.writeUInt32LE(crc32(dst.subarray(p, p + payload)), pos + 4);
  return p + payload;
}

/** One record as read back (a fresh object; the frame is a copy, valid forever). */
export interface JournalEntry extends RecordMeta {
  /** Stream and segment it came from, and its byte offset there. */
  stream: string;
  segment: number;
  offset: number;
  /** The body: the FlatBuffers frame bytes as they were received. */
  frame: Uint8Array;
  /** Wall time (µs) of the segment's monotonic anchor: wall = mono + monoToWallUs. */
  monoToWallUs: number;
}

const STAGE_KEYS: readonly (keyof StageTimesValue)[] = [
  'venueEventUs',
  'receivedUs',
  'bookAppliedUs',
  'ringCommittedUs',
  'decisionUs',
  'orderSentUs',
  'ackUs',
  'fillUs',
];
if (STAGE_KEYS.length !== STAGE_COUNT) throw new Error('journal: stage list out of date with the wire');

/** Outcome of scanning one segment's record area. */
export interface SegmentScan {
  /** Byte offset just after the last valid record (where a writer would append). */
  validEnd: number;
  /** Records found (decoded entries when the scan was asked for them). */
  count: number;
  /** A torn tail was found at validEnd (bytes validEnd..file end are not a record). */
  torn: boolean;
  /** Why the tail is torn (for reports), '' when not torn. */
  tornReason: string;
}

function allZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Scans the records of one segment held in `b` (whole file, header included). Calls `onRecord`
 * for each valid record. `isLast`: whether this is the stream's last segment, the only place a
 * torn tail may be; elsewhere a bad record throws JOURNAL_CORRUPT, as does a bad record followed
 * by non-zero data anywhere.
 */
export function scanSegment(
  b: Buffer,
  what: string,
  isLast: boolean,
  onRecord?: (payloadPos: number, payloadLen: number, recordPos: number) => void,
): SegmentScan {
  let pos = SEGMENT_HEADER_BYTES;
  let count = 0;
  const size = b.length;
  const torn = (reason: string): SegmentScan => {
    if (!isLast) throw new JournalError('JOURNAL_CORRUPT', `${what}: ${reason} at offset ${pos} of a segment that is not the last`);
    return { validEnd: pos, count, torn: true, tornReason: reason };
  };
  while (pos < size) {
    if (size - pos < RECORD_PREFIX_BYTES) return torn(`record prefix cut short (${size - pos} B)`);
    const len = b.readUInt32LE(pos);
    if (len < RECORD_FIXED_BYTES || len > MAX_RECORD_PAYLOAD) {
      if (allZero(b, pos, size)) return torn('zero-filled tail');
      throw new JournalError('JOURNAL_CORRUPT', `${what}: record length ${len} out of range at offset ${pos}`);
    }
    const end = pos + RECORD_PREFIX_BYTES + len;
    if (end > size) return torn(`record of ${len} B cut short (file ends ${size - pos - RECORD_PREFIX_BYTES} B into it)`);
    const p = pos + RECORD_PREFIX_BYTES;
    if (b.readUInt32LE(pos + 4) !== crc32(b.subarray(p, end))) {
      if (allZero(b, end, size)) return torn('CRC mismatch in the last record');
      throw new JournalError('JOURNAL_CORRUPT', `${what}: record CRC mismatch at offset ${pos} (followed by more data)`);
    }
    const cidLen = b[p + 3]!;
    const frameLen = b.readUInt32LE(p + 32);
    if (RECORD_FIXED_BYTES + cidLen + frameLen !== len) {
      throw new JournalError('JOURNAL_CORRUPT', `${what}: record at offset ${pos} has inconsistent lengths`);
    }
    onRecord?.(p, len, pos);
    count++;
    pos = end;
  }
  return { validEnd: pos, count, torn: false, tornReason: '' };
}

/** Decodes the record whose payload starts at `p` into a fresh entry (frame copied). */
export function decodeRecord(b: Buffer, p: number, header: SegmentHeader, offset: number): JournalEntry {
  const cidLen = b[p + 3]!;
  const frameLen = b.readUInt32LE(p + 32);
  const times = {} as StageTimesValue;
  for (let i = 0; i < STAGE_COUNT; i++) times[STAGE_KEYS[i]!] = b.readDoubleLE(p + 64 + 8 * i);
  const fp = p + RECORD_FIXED_BYTES + cidLen;
  return {
    stream: header.stream,
    segment: header.index,
    offset,
    kind: b.readUInt16LE(p),
    flags: b[p + 2]!,
    code: b.readUInt32LE(p + 4),
    source: b.readUInt32LE(p + 8),
    epoch: b.readUInt32LE(p + 12),
    comboId: b.readUInt32LE(p + 16),
    venue: b.readInt32LE(p + 20),
    instrument: b.readInt32LE(p + 24),
    leg: b.readInt32LE(p + 28),
    seq: b.readDoubleLE(p + 40),
    wallUs: b.readDoubleLE(p + 48),
    orderRef: b.readDoubleLE(p + 56),
    times,
    clientOrderId: b.toString('utf8', p + RECORD_FIXED_BYTES, p + RECORD_FIXED_BYTES + cidLen),
    frame: new Uint8Array(b.subarray(fp, fp + frameLen)),
    monoToWallUs: header.createdWallUs - header.createdMonoUs,
  };
}

// ------------------------------------------------------------------------------ checkpoints

/** Progress of one source: the last ring sequence number journaled for (epoch, source). */
export interface SourceProgress {
  epoch: number;
  source: number;
  lastSeq: number;
}

/** Body of a checkpoint record: n x (u32 epoch, u32 source, f64 lastSeq). */
export function encodeCheckpoint(progress: readonly SourceProgress[]): Buffer {
  const b = Buffer.alloc(4 + 16 * progress.length);
  b.writeUInt32LE(progress.length, 0);
  progress.forEach((s, i) => {
    b.writeUInt32LE(s.epoch >>> 0, 4 + 16 * i);
    b.writeUInt32LE(s.source >>> 0, 8 + 16 * i);
    b.writeDoubleLE(s.lastSeq, 12 + 16 * i);
  });
  return b;
}

export function decodeCheckpoint(body: Uint8Array): SourceProgress[] {
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (b.length < 4) throw new JournalError('JOURNAL_CORRUPT', 'checkpoint body cut short');
  const n = b.readUInt32LE(0);
  if (b.length !== 4 + 16 * n) throw new JournalError('JOURNAL_CORRUPT', 'checkpoint body length mismatch');
  const out: SourceProgress[] = [];
  for (let i = 0; i < n; i++) out.push({ epoch: b.readUInt32LE(4 + 16 * i), source: b.readUInt32LE(8 + 16 * i), lastSeq: b.readDoubleLE(12 + 16 * i) });
  return out;
}
