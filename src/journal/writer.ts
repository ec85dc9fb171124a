// Journal writer: appends records (format.ts) to one stream of a journal directory, with
// batching, group fsync, segment rotation and crash recovery of the stream's tail on open.
//
// DURABILITY POLICY (also in docs/JOURNAL.md):
// 1. Order intents. The executor that sends an order owns an intent stream (`intent-<venue or
//    executor name>`) and calls appendDurable() with the order's record BEFORE it hands the
//    request to the socket. appendDurable() returns only after the record (and everything
//    buffered before it) has been written to the file with write(2), i.e. it is owned by the
//    kernel: a kill -9 of the whole process at any later point cannot lose it. With
//    `intentSync: 'fdatasync'` it also returns only after fdatasync(2), which extends the
//    guarantee to a host crash / power loss, at the cost of a disk flush per order; the default
//    ('write') syncs intents with the group policy below (a host crash may lose the intents of
//    the last `groupMs`; those orders are then found by the venue query by client id prefix,
//    the deterministic client ids being derivable from the combo ids). The executor runs that
//    group fdatasync with tickAsync(): in libuv's thread pool, so the thread that sends orders
//    never waits for a disk flush (on this VM 0.4 ms at p50, 10 ms at most with the demo running,
//    and once 471 ms on an executor's thread during a host disk stall, measured 2026-11-22).
//    => After kill -9 of the whole process, every order that reached a venue has an intent
//       record in the journal (it was written before the send), and its outcome is found by
//       querying the venue by that client id (recovery.ts lists the ones without a final report).
// 2. Everything else (decisions, reports, risk, link and supervisor events), written by the
//    journal actor from its rings: appended to a user-space buffer, written with write(2) at the
//    end of every ring batch BEFORE the ring releases the batch (flush()), and fdatasync'ed in
//    groups: when `groupRecords` records are unsynced or the oldest unsynced one is older than
//    `groupMs` (tick()). A kill -9 loses only frames still in the shared-memory rings (not yet
//    journaled); a host crash may also lose the last `groupMs` of written records.
// 3. Rotation fdatasyncs the old segment before the new one is created; the directory is
//    fsynced after a segment is created, so a new segment's name survives a host crash.
//
// Invariants:
// - One writer per stream at a time (the caller guarantees it: the supervisor runs one journal
//   incarnation at a time, each executor owns its stream). Records are only ever appended.
// - open() repairs the stream's tail before appending: a torn last record is truncated away
//   (format.ts "Torn tail"); any other damage throws JOURNAL_CORRUPT and nothing is written.
// - progress(epoch, source) is the last ring sequence number journaled for that source, as
//   recovered from the file on open (checkpoint + records) and updated by every append: the
//   record and the progress are the same bytes, so they can never disagree after a crash.
// - No allocation per append in steady state (encodeRecordInto writes into the reused buffer);
//   progress bookkeeping uses a Map keyed by a number.
// - rehearse() (warming the intent path) never writes the stream: only its own scratch file.
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { nowUs as monoNowUs } from '../actors/clock.js';
import {
  CHECKPOINT_KIND,
  checkStreamName,
  decodeCheckpoint,
  decodeSegmentHeader,
  encodeCheckpoint,
  encodeRecordInto,
  encodeSegmentHeader,
  JournalError,
  MAX_RECORD_PAYLOAD,
  newRecordMeta,
  parseSegmentFileName,
  RECORD_FIXED_BYTES,
  RecordFlag,
  recordBytes,
  scanSegment,
  SEGMENT_HEADER_BYTES,
  segmentFileName,
  type RecordMeta,
  type SegmentHeader,
  type SourceProgress,
} from './format.js';

export interface JournalWriterOptions {
  readonly dir: string;
  readonly stream: string;
  /** Rotate to a new segment when the current one would exceed this size. Default 64 MiB. */
  readonly segmentBytes?: number;
  /** User-space batch buffer. Default 1 MiB. */
  readonly bufferBytes?: number;
  /** fdatasync when this many records are unsynced. Default 1024. */
  readonly groupRecords?: number;
  /** fdatasync (in tick()) when the oldest unsynced record is this old, ms. Default 50. */
  readonly groupMs?: number;
  /** What appendDurable() waits for: 'write' (kernel owns it) or 'fdatasync'. Default 'write'. */
  readonly intentSync?: 'write' | 'fdatasync';
  /** Wall clock, µs since the epoch (record time). Default performance.timeOrigin + now(). */
  readonly wallClockUs?: () => number;
  /** Monotonic ms for group timing. Default performance.now(). */
  readonly clockMs?: () => number;
  /** The fdatasync(2) tickAsync() starts. Default node:fs fdatasync (libuv's thread pool); tests inject failures. */
  readonly fdatasyncAsync?: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;
}

/** What open() found and repaired. */
export interface WriterRecovery {
  /** Segments of the stream found on open. */
  readonly segments: number;
  /** Records in the last segment. */
  readonly recordsInLast: number;
  /** Bytes cut from a torn tail (0 = clean). */
  readonly truncatedBytes: number;
  readonly tornReason: string;
  /** A last segment whose header itself was torn and that was removed. */
  readonly removedEmptySegment: boolean;
}

const progressKey = (epoch: number, source: number): number => (epoch >>> 0) * 65_536 + (source & 0xffff);

/** Encoded size of a record of `m` with a body of `bodyBytes`; throws JOURNAL_BAD_INPUT when it cannot be one. */
function checkedRecordBytes(m: RecordMeta, bodyBytes: number): number {
  const cidBytes = m.clientOrderId.length === 0 ? 0 : Buffer.byteLength(m.clientOrderId, 'utf8');
  if (cidBytes > 255) throw new JournalError('JOURNAL_BAD_INPUT', `client order id longer than 255 bytes`);
  const need = recordBytes(cidBytes, bodyBytes);
  if (need - 8 > MAX_RECORD_PAYLOAD) throw new JournalError('JOURNAL_BAD_INPUT', `record of ${need} B exceeds the maximum`);
  return need;
}

const defaultWallUs = (): number => (performance.timeOrigin + performance.now()) * 1000;

export function listSegments(dir: string, stream: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new JournalError('JOURNAL_IO', `cannot list ${dir}`, { cause: e });
  }
  const out: number[] = [];
  for (const n of names) {
    const p = parseSegmentFileName(n);
    if (p && p.stream === stream) out.push(p.index);
  }
  return out.sort((a, b) => a - b);
}

export class JournalWriter {
  readonly dir: string;
  readonly stream: string;
  readonly recovery: WriterRecovery;
  private readonly segmentBytes: number;
  private readonly groupRecords: number;
  private readonly groupMs: number;
  private readonly intentFsync: boolean;
  private readonly wallUs: () => number;
  private readonly clockMs: () => number;
  private buf: Buffer;
  private bufLen = 0;
  private fd = -1;
  private segIndex = 0;
  /** File position where the buffer's first byte goes. */
  private filePos = 0;
  private recordsInSegment = 0;
  private unsynced = 0;
  private firstUnsyncedMs = 0;
  /** Records covered by the fdatasync tickAsync() has running (0: none running). */
  private asyncCovered = 0;
  /** Bumped by every synchronous sync(): an asynchronous one started before it is superseded. */
  private syncEpoch = 0;
  private asyncFailure: JournalError | null = null;
  private readonly fdatasyncAsync: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;
  private closed = false;
  /** rehearse(): scratch buffer and file (`<stream>.warm`, opened on first use). */
  private warmBuf = Buffer.allocUnsafe(1024);
  private warmFd = -1;
  private readonly progressMap = new Map<number, SourceProgress>();
  /** Counters (observability). */
  appended = 0;
  syncs = 0;
  writes = 0;
  /** rehearse() calls that wrote their scratch record. */
  rehearsals = 0;

  private constructor(opts: JournalWriterOptions) {
    this.dir = opts.dir;
    this.stream = checkStreamName(opts.stream);
    this.segmentBytes = Math.max(opts.segmentBytes ?? 64 * 1024 * 1024, SEGMENT_HEADER_BYTES + 4096);
    this.groupRecords = Math.max(1, opts.groupRecords ?? 1024);
    this.groupMs = Math.max(0, opts.groupMs ?? 50);
    this.intentFsync = (opts.intentSync ?? 'write') === 'fdatasync';
    this.wallUs = opts.wallClockUs ?? defaultWallUs;
    this.clockMs = opts.clockMs ?? (() => performance.now());
    this.fdatasyncAsync = opts.fdatasyncAsync ?? fdatasync;
    this.buf = Buffer.allocUnsafe(Math.max(opts.bufferBytes ?? 1024 * 1024, 64 * 1024));
    this.recovery = this.openTail();
  }

  /** Opens (creating the directory and first segment if needed) and repairs the stream's tail. */
  static open(opts: JournalWriterOptions): JournalWriter {
    return new JournalWriter(opts);
  }

  /** Last ring sequence number journaled for (epoch, source), or -1 when none. */
  progress(epoch: number, source: number): number {
    return this.progressMap.get(progressKey(epoch, source))?.lastSeq ?? -1;
  }

  /** Every (epoch, source) progress entry (copies). */
  allProgress(): SourceProgress[] {
    return [...this.progressMap.values()].map((p) => ({ ...p }));
  }

  /** Current segment index (observability, tests). */
  get segment(): number {
    return this.segIndex;
  }

  /**
   * Buffers one record whose body is frame[start, end). `m.wallUs` is set to now when 0.
   * Written at the next flush()/tick()/appendDurable(); fdatasync'ed by the group policy.
   */
  append(m: RecordMeta, frame: Uint8Array, start: number, end: number): void {
    if (this.closed) throw new JournalError('JOURNAL_CLOSED', `stream ${this.stream} is closed`);
    const need = checkedRecordBytes(m, end - start);
    if (this.recordsInSegment > (this.segIndex > 1 ? 1 : 0) && this.filePos + this.bufLen + need > this.segmentBytes) this.rotate();
    if (this.bufLen + need > this.buf.length) {
      this.flush();
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    }
    if (m.wallUs === 0) m.wallUs = this.wallUs();
    this.bufLen = encodeRecordInto(this.buf, this.bufLen, m, frame, start, end);
    this.recordsInSegment++;
    this.appended++;
    if (m.kind !== CHECKPOINT_KIND) this.noteProgress(m.epoch, m.source, m.seq);
    if (this.unsynced++ === 0) this.firstUnsyncedMs = this.clockMs();
    if (this.unsynced >= this.groupRecords) this.sync();
  }

  /**
   * Appends an order intent and returns once it is written to the file (write(2)), and with
   * intentSync 'fdatasync' once it is on the disk: call it BEFORE sending the order.
   */
  appendDurable(m: RecordMeta, frame: Uint8Array, start: number, end: number): void {
    this.throwAsyncFailure();
    m.flags |= RecordFlag.INTENT;
    this.append(m, frame, start, end);
    if (this.intentFsync) this.sync();
    else this.flush();
  }

  /**
   * Rehearses appendDurable() for a record that is NOT journaled, to keep that path warm in the
   * cpu caches between orders (executor-rehearsal.ts): the same size checks and record encoding
   * (header, client id, checksum) into a scratch buffer, and the same positioned write(2) of it
   * at offset 0 of the stream's scratch file `<stream>.warm` (never a segment name, so no reader
   * lists it; removed by close()). It touches nothing of the stream: not its buffer, file,
   * position, counters, progress or sync state. `m.wallUs` is set to now, as append() does.
   */
  rehearse(m: RecordMeta, frame: Uint8Array, start: number, end: number): void {
    if (this.closed) throw new JournalError('JOURNAL_CLOSED', `stream ${this.stream} is closed`);
    const need = checkedRecordBytes(m, end - start);
    if (this.warmBuf.length < need) this.warmBuf = Buffer.allocUnsafe(need);
    m.wallUs = this.wallUs();
    const n = encodeRecordInto(this.warmBuf, 0, m, frame, start, end);
    if (this.warmFd < 0) {
      try {
        this.warmFd = openSync(this.warmPath(), 'w');
      } catch (e) {
        throw new JournalError('JOURNAL_IO', `cannot open ${this.warmPath()}`, { cause: e });
      }
    }
    try {
      writeSync(this.warmFd, this.warmBuf, 0, n, 0);
    } catch (e) {
      throw new JournalError('JOURNAL_IO', `write to ${this.warmPath()} failed`, { cause: e });
    }
    this.rehearsals++;
  }

  /** Writes the buffered records to the file (write(2)); no fdatasync. */
  flush(): void {
    if (this.bufLen === 0) return;
    let off = 0;
    try {
      while (off < this.bufLen) {
        off += writeSync(this.fd, this.buf, off, this.bufLen - off, this.filePos + off);
      }
    } catch (e) {
      throw new JournalError('JOURNAL_IO', `write to ${this.currentPath()} failed`, { cause: e });
    }
    this.filePos += this.bufLen;
    this.bufLen = 0;
    this.writes++;
  }

  /** flush() + fdatasync(2); also covers the records of a tickAsync() still running. */
  sync(): void {
    this.flush();
    if (this.unsynced === 0 && this.asyncCovered === 0) return;
    try {
      fdatasyncSync(this.fd);
    } catch (e) {
      throw new JournalError('JOURNAL_IO', `fdatasync of ${this.currentPath()} failed`, { cause: e });
    }
    this.unsynced = 0;
    this.asyncCovered = 0;
    this.syncEpoch++;
    this.syncs++;
  }

  /** Group policy: syncs when the oldest unsynced record is `groupMs` old. True if it synced. */
  tick(): boolean {
    if (!this.groupDue()) return false;
    this.sync();
    return true;
  }

  /**
   * The group policy of tick(), with the fdatasync(2) in libuv's thread pool instead of on the
   * calling thread (the executor, whose thread sends the orders): when due, it writes the buffer
   * (write(2)) and starts the fdatasync; those records stay `pending` until it completes. At most
   * one runs at a time. A failure is thrown by the next tickAsync() or appendDurable(), as tick()
   * would have thrown it. True if it started one.
   */
  tickAsync(): boolean {
    this.throwAsyncFailure();
    if (this.asyncCovered > 0 || !this.groupDue()) return false;
    this.flush();
    const epoch = this.syncEpoch;
    const path = this.currentPath();
    this.asyncCovered = this.unsynced;
    this.unsynced = 0; // the next append starts a new group
    this.fdatasyncAsync(this.fd, (err) => {
      if (epoch !== this.syncEpoch) return; // a synchronous sync (rotation, close) covered them since
      this.asyncCovered = 0;
      if (err !== null) this.asyncFailure = new JournalError('JOURNAL_IO', `fdatasync of ${path} failed`, { cause: err });
      else this.syncs++;
    });
    return true;
  }

  /** Unsynced records whose oldest is `groupMs` old: the group policy says sync. */
  private groupDue(): boolean {
    return this.unsynced > 0 && this.clockMs() - this.firstUnsyncedMs >= this.groupMs;
  }

  private throwAsyncFailure(): void {
    const f = this.asyncFailure;
    if (f === null) return;
    this.asyncFailure = null;
    throw f;
  }

  /** Records appended but not yet fdatasync'ed (those of a running tickAsync() included). */
  get pending(): number {
    return this.unsynced + this.asyncCovered;
  }

  close(): void {
    if (this.closed) return;
    this.sync();
    closeSync(this.fd);
    if (this.warmFd >= 0) {
      closeSync(this.warmFd);
      this.warmFd = -1;
      rmSync(this.warmPath(), { force: true });
    }
    this.closed = true;
  }

  // -------------------------------------------------------------------------- internals

  private noteProgress(epoch: number, source: number, seq: number): void {
    const k = progressKey(epoch, source);
    const p = this.progressMap.get(k);
    if (p === undefined) this.progressMap.set(k, { epoch: epoch >>> 0, source, lastSeq: seq });
    else p.lastSeq = seq;
  }

  private warmPath(): string {
    return join(this.dir, `${this.stream}.warm`);
  }

  private currentPath(): string {
    return join(this.dir, segmentFileName(this.stream, this.segIndex));
  }

  private openTail(): WriterRecovery {
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new JournalError('JOURNAL_IO', `cannot create ${this.dir}`, { cause: e });
    }
    const segs = listSegments(this.dir, this.stream);
    let removedEmptySegment = false;
    // A last segment whose header never fully reached the file holds no record: remove it.
    while (segs.length > 0) {
      const last = segs[segs.length - 1]!;
      const path = join(this.dir, segmentFileName(this.stream, last));
      const bytes = readFileSync(path);
      if (bytes.length >= SEGMENT_HEADER_BYTES) break;
      rmSync(path);
      segs.pop();
      removedEmptySegment = true;
    }
    if (segs.length === 0) {
      this.createSegment(1, []);
      return { segments: 0, recordsInLast: 0, truncatedBytes: 0, tornReason: '', removedEmptySegment };
    }
    const last = segs[segs.length - 1]!;
    const path = join(this.dir, segmentFileName(this.stream, last));
    const bytes = readFileSync(path);
    const header = decodeSegmentHeader(bytes, path);
    if (header.index !== last || header.stream !== this.stream) {
      throw new JournalError('JOURNAL_CORRUPT', `${path}: header names ${header.stream}#${header.index}`);
    }
    let sawCheckpointFirst = false;
    const scan = scanSegment(bytes, path, true, (p, _len, recPos) => {
      const kind = bytes.readUInt16LE(p);
      if (kind === CHECKPOINT_KIND) {
        if (recPos === SEGMENT_HEADER_BYTES) sawCheckpointFirst = true;
        const cid = bytes[p + 3]!;
        const fl = bytes.readUInt32LE(p + 32);
        for (const s of decodeCheckpoint(bytes.subarray(p + RECORD_FIXED_BYTES + cid, p + RECORD_FIXED_BYTES + cid + fl))) {
          this.noteProgress(s.epoch, s.source, s.lastSeq);
        }
      } else {
        this.noteProgress(bytes.readUInt32LE(p + 12), bytes.readUInt32LE(p + 8), bytes.readDoubleLE(p + 40));
      }
    });
    if (!sawCheckpointFirst && segs.length > 1) {
      // The checkpoint of this segment was torn away: take the progress of the previous one
      // (whose records all precede this segment's).
      const prevPath = join(this.dir, segmentFileName(this.stream, segs[segs.length - 2]!));
      const prev = readFileSync(prevPath);
      decodeSegmentHeader(prev, prevPath);
      const saved = new Map(this.progressMap);
      this.progressMap.clear();
      scanSegment(prev, prevPath, false, (p) => {
        const kind = prev.readUInt16LE(p);
        if (kind === CHECKPOINT_KIND) {
          const cid = prev[p + 3]!;
          const fl = prev.readUInt32LE(p + 32);
          for (const s of decodeCheckpoint(prev.subarray(p + RECORD_FIXED_BYTES + cid, p + RECORD_FIXED_BYTES + cid + fl))) {
            this.noteProgress(s.epoch, s.source, s.lastSeq);
          }
        } else this.noteProgress(prev.readUInt32LE(p + 12), prev.readUInt32LE(p + 8), prev.readDoubleLE(p + 40));
      });
      for (const [k, v] of saved) this.progressMap.set(k, v);
    }
    try {
      this.fd = openSync(path, 'r+');
      if (scan.torn) {
        ftruncateSync(this.fd, scan.validEnd);
        fsyncSync(this.fd);
      }
    } catch (e) {
      throw new JournalError('JOURNAL_IO', `cannot open ${path} for append`, { cause: e });
    }
    this.segIndex = last;
    this.filePos = scan.validEnd;
    this.recordsInSegment = scan.count;
    return {
      segments: segs.length,
      recordsInLast: scan.count,
      truncatedBytes: bytes.length - scan.validEnd,
      tornReason: scan.tornReason,
      removedEmptySegment,
    };
  }

  /** Creates segment `index` with its header (+ a checkpoint record) in one write, fsyncs it and the directory. */
  private createSegment(index: number, progress: SourceProgress[]): void {
    const header: SegmentHeader = { stream: this.stream, index, createdWallUs: this.wallUs(), createdMonoUs: monoNowUs() };
    const h = encodeSegmentHeader(header);
    let first: Buffer = h;
    let records = 0;
    if (index > 1) {
      const body = encodeCheckpoint(progress);
      const rec = Buffer.allocUnsafe(recordBytes(0, body.length));
      const m = newRecordMeta();
      m.kind = CHECKPOINT_KIND;
      m.wallUs = header.createdWallUs;
      encodeRecordInto(rec, 0, m, body, 0, body.length);
      first = Buffer.concat([h, rec]);
      records = 1;
    }
    const path = join(this.dir, segmentFileName(this.stream, index));
    try {
      const fd = openSync(path, 'wx+');
      let off = 0;
      while (off < first.length) off += writeSync(fd, first, off, first.length - off, off);
      fdatasyncSync(fd);
      this.fd = fd;
      const dfd = openSync(this.dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch (e) {
      throw new JournalError('JOURNAL_IO', `cannot create segment ${path}`, { cause: e });
    }
    this.segIndex = index;
    this.filePos = first.length;
    this.recordsInSegment = records;
  }

  private rotate(): void {
    this.sync();
    try {
      fdatasyncSync(this.fd);
      closeSync(this.fd);
    } catch (e) {
      throw new JournalError('JOURNAL_IO', `cannot close ${this.currentPath()}`, { cause: e });
    }
    this.createSegment(this.segIndex + 1, this.allProgress());
  }
}
