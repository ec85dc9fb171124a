// OKX v5 book-sync state machine (PROTOCOLS.md 3.3): builds one instrument's local book from
// parsed pushes of one channel, by OKX's documented rules, and says after every message whether
// the book is in sync and, when not, which rule broke.
//
// Incremental channels (books, books-l2-tbt, books50-l2-tbt, books-elp):
// - A WS snapshot (action=snapshot, prevSeqId -1) replaces the book; its seqId starts the chain.
// - Every later message must have prevSeqId == the previous message's seqId ("okx.prevSeqId-chain").
//   Exceptions, both chained by prevSeqId: a heartbeat has seqId == prevSeqId and empty sides
//   ("okx.heartbeat-empty" if not empty); a maintenance reset has seqId < prevSeqId and is applied
//   like any update (the chain continues from its smaller seqId).
// - A message whose seqId is not newer than the book (seqId <= last, not a reset) was already
//   applied: dropped (duplicates from a replayed or doubled link never break the book).
// - REST bootstrap (changelog "Delist initial snapshot" procedure): ignore the first event if it
//   is action=snapshot; record the prevSeqId of the next event and buffer it and everything after;
//   ask for `GET /api/v5/market/books`; a snapshot whose seqId < the recorded prevSeqId is too old
//   ("okx.rest-snapshot-too-old": fetch again, buffer kept); set the book to the snapshot; discard
//   buffered events with seqId <= snapshot seqId; the first one left must satisfy
//   prevSeqId <= snapshot seqId < seqId ("okx.rest-first-event"); then the prevSeqId chain.
//   A maintenance reset during the bootstrap restarts it ("okx.reset-during-bootstrap").
// - Bootstrap modes: 'ws' (WS snapshot only; after a break: resubscribe), 'rest' (the procedure
//   above, WS snapshots ignored until synced; after a break: re-bootstrap on the live stream),
//   'auto' (use a WS snapshot when one comes, else the REST procedure; after a break:
//   re-bootstrap from REST, or a WS snapshot if the shell resubscribes).
// - After applying: a crossed book ("okx.crossed-book") or a non-zero checksum that does not match
//   the local book ("okx.checksum") is a break. checksum == 0 means absent (OKX since 2026-06).
//   Checksums use the venue's raw strings: once a non-zero checksum is seen (or with checksum
//   'always-record') the raw strings of each applied message are kept beside the book (cold path,
//   allocates).
// - More than maxBuffered events while waiting for the REST snapshot ("okx.buffer-limit",
//   BUFFER_OVERFLOW), an update for another instrument ("okx.instrument") or a non-snapshot push
//   on a snapshot channel ("okx.message-kind") are breaks too.
// Snapshot channels (books5, bbo-tbt): every push replaces the book; the same seqId twice is
// dropped; a crossed push is a break that the next push repairs.
//
// Invariants:
// - The book is tradable only when `state === 'synced'`; every 'resync' step leaves another state.
// - Every resync step's `detail` starts with the rule id ("okx.<rule>: ...").
// - `need` tells the I/O shell what to do next: 'rest-snapshot' (fetch GET /api/v5/market/books
//   and call onRestSnapshot), 'resubscribe' (unsubscribe + subscribe to get a WS snapshot) or
//   'none'.
// - Pure and deterministic: no clocks, no I/O. Steady-state (synced) updates allocate nothing
//   while checksums are 0; buffered events are copied into pooled DepthUpdates.
import { OrderBook } from '../../core/book.js';
import type { Instrument } from '../../core/instrument.js';
import { DepthUpdate, type SyncBreak, type SyncStep } from '../types.js';
import { crc32Ascii, crc32Byte, crc32Final, crc32Init, OKX_CHECKSUM_DEPTH } from './checksum.js';
import { isIncrementalChannel, type OkxBookChannel, type OkxRawLevels } from './frame-parser.js';

/** Stable rule ids named in resync details. */
export const OKX_SYNC_RULES = {
  WS_SNAPSHOT_FIRST: 'okx.ws-snapshot-first',
  PREV_CHAIN: 'okx.prevSeqId-chain',
  HEARTBEAT_EMPTY: 'okx.heartbeat-empty',
  REST_SNAPSHOT_SEQID: 'okx.rest-snapshot-seqId',
  REST_SNAPSHOT_TOO_OLD: 'okx.rest-snapshot-too-old',
  REST_FIRST_EVENT: 'okx.rest-first-event',
  RESET_DURING_BOOTSTRAP: 'okx.reset-during-bootstrap',
  BUFFER_LIMIT: 'okx.buffer-limit',
  CROSSED: 'okx.crossed-book',
  CHECKSUM: 'okx.checksum',
  INSTRUMENT: 'okx.instrument',
  MESSAGE_KIND: 'okx.message-kind',
  PARSE: 'okx.parse',
} as const;
export type OkxSyncRule = (typeof OKX_SYNC_RULES)[keyof typeof OKX_SYNC_RULES];

export type OkxBootstrap = 'ws' | 'rest' | 'auto';
export type OkxChecksumMode = 'auto' | 'off' | 'always-record';
export type OkxSyncState =
  | 'awaiting-first'     // subscribed, nothing seen yet
  | 'awaiting-prev'      // REST bootstrap: waiting for the event whose prevSeqId we record
  | 'awaiting-rest'      // REST bootstrap: buffering, snapshot requested
  | 'awaiting-snapshot'  // ws mode after a break: waiting for a WS snapshot (resubscribe)
  | 'synced'
  | 'unsynced';          // snapshot channels after a crossed push
export type OkxSyncNeed = 'none' | 'rest-snapshot' | 'resubscribe';

export interface OkxBookSyncOptions {
  /** The channel this machine follows (default 'books'). */
  readonly channel?: OkxBookChannel;
  readonly bootstrap?: OkxBootstrap;
  /** 'auto': verify non-zero checksums (raw strings recorded once a non-zero one was seen). */
  readonly checksum?: OkxChecksumMode;
  /** Events buffered while waiting for the REST snapshot before giving up (default 10000). */
  readonly maxBuffered?: number;
  /** Initial book capacity per side (default 512; OKX books holds 400 levels). */
  readonly capacityPerSide?: number;
}

export interface OkxSyncBreakInfo {
  readonly reason: SyncBreak;
  readonly rule: OkxSyncRule;
  readonly detail: string;
}

const BUFFERED: SyncStep = Object.freeze({ status: 'buffered' });
const DROPPED: SyncStep = Object.freeze({ status: 'dropped' });
const APPLIED: SyncStep = Object.freeze({ status: 'applied' });
const HEARTBEAT: SyncStep = Object.freeze({ status: 'heartbeat' });

/**
 * Raw price/size strings of the levels applied while checksums are in use, keyed by price in
 * ticks (recorded when a message is applied, not when it arrives, so buffered messages and
 * snapshots land in book order). A size string is used only while the book still holds the
 * quantity it was recorded with; otherwise (and for prices never recorded, e.g. before the first
 * non-zero checksum) the exact canonical decimal is used.
 */
class RawShadow {
  readonly bidPx = new Map<number, string>();
  readonly bidSz = new Map<number, string>();
  readonly bidLots = new Map<number, number>();
  readonly askPx = new Map<number, string>();
  readonly askSz = new Map<number, string>();
  readonly askLots = new Map<number, number>();

  clear(): void {
    this.bidPx.clear();
    this.bidSz.clear();
    this.bidLots.clear();
    this.askPx.clear();
    this.askSz.clear();
    this.askLots.clear();
  }

  /** Record the raw strings of an update that is being applied to the book. */
  record(u: DepthUpdate, rs: RawStrings): void {
    const n = Math.min(u.bidCount, rs.bidPx.length);
    for (let i = 0; i < n; i++) this.put(true, u.bidPx[i]!, u.bidQty[i]!, rs.bidPx[i]!, rs.bidSz[i]!);
    const m = Math.min(u.askCount, rs.askPx.length);
    for (let i = 0; i < m; i++) this.put(false, u.askPx[i]!, u.askQty[i]!, rs.askPx[i]!, rs.askSz[i]!);
  }

  private put(bid: boolean, px: number, lots: number, pxRaw: string, szRaw: string): void {
    const P = bid ? this.bidPx : this.askPx;
    const S = bid ? this.bidSz : this.askSz;
    const L = bid ? this.bidLots : this.askLots;
    if (lots === 0) {
      P.delete(px);
      S.delete(px);
      L.delete(px);
      return;
    }
    P.set(px, pxRaw);
    S.set(px, szRaw);
    L.set(px, lots);
  }
}

function text(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
  return out;
}

/** Raw level strings of one message, copied out of the frame (cold path: checksums in use). */
interface RawStrings {
  readonly bidPx: string[];
  readonly bidSz: string[];
  readonly askPx: string[];
  readonly askSz: string[];
}

function extractRaw(raw: OkxRawLevels): RawStrings {
  const rs: RawStrings = { bidPx: [], bidSz: [], askPx: [], askSz: [] };
  for (let i = 0; i < raw.rawBidCount; i++) {
    rs.bidPx.push(text(raw.buf, raw.bidPxS[i]!, raw.bidPxE[i]!));
    rs.bidSz.push(text(raw.buf, raw.bidSzS[i]!, raw.bidSzE[i]!));
  }
  for (let i = 0; i < raw.rawAskCount; i++) {
    rs.askPx.push(text(raw.buf, raw.askPxS[i]!, raw.askPxE[i]!));
    rs.askSz.push(text(raw.buf, raw.askSzS[i]!, raw.askSzE[i]!));
  }
  return rs;
}

export class OkxBookSync {
  readonly book: OrderBook;
  readonly instrument: Instrument;
  readonly channel: OkxBookChannel;
  readonly bootstrap: OkxBootstrap;
  readonly checksumMode: OkxChecksumMode;
  private readonly incremental: boolean;
  private readonly maxBuffered: number;

  state: OkxSyncState = 'awaiting-first';
  need: OkxSyncNeed = 'none';
  /** seqId of the last applied message (the book's sequence position); -1 before any. */
  lastSeqId = -1;
  /** The last break, for diagnostics and `xmc book-replay`. */
  lastBreak: OkxSyncBreakInfo | null = null;

  // Counters (monotonic; for metrics).
  applied = 0;
  heartbeats = 0;
  dropped = 0;
  buffered = 0;
  resyncs = 0;
  resets = 0;
  checksumsVerified = 0;

  // REST bootstrap.
  private minPrevSeqId = -1;
  private firstAfterRestSnapshot = false;
  private readonly pool: DepthUpdate[] = [];
  /** Raw strings of each buffered event (only while checksums are in use), else null. */
  private readonly poolRaw: (RawStrings | null)[] = [];
  private bufCount = 0;

  // Checksum raw strings.
  private readonly shadow = new RawShadow();
  private shadowActive = false;

  constructor(instrument: Instrument, opts: OkxBookSyncOptions = {}) {
    this.instrument = instrument;
    this.channel = opts.channel ?? 'books';
    this.incremental = isIncrementalChannel(this.channel);
    this.bootstrap = opts.bootstrap ?? 'auto';
    this.checksumMode = opts.checksum ?? 'auto';
    this.maxBuffered = opts.maxBuffered ?? 10_000;
    this.book = new OrderBook(opts.capacityPerSide ?? 512);
    this.shadowActive = this.checksumMode === 'always-record';
  }

  isSynced(): boolean {
    return this.state === 'synced';
  }

  /** Forget everything (new connection / new subscription). */
  reset(): void {
    this.book.clear();
    this.state = 'awaiting-first';
    this.need = 'none';
    this.lastSeqId = -1;
    this.minPrevSeqId = -1;
    this.firstAfterRestSnapshot = false;
    this.bufCount = 0;
    this.shadow.clear();
    this.shadowActive = this.checksumMode === 'always-record';
  }

  /** Events currently buffered for the REST bootstrap. */
  get bufferedCount(): number {
    return this.bufCount;
  }

  /**
   * Feed one parsed WS push for this instrument and channel. `raw` (the parser) is needed only
   * to verify non-zero checksums with the venue's raw strings; without it the canonical
   * decimals are used.
   */
  onUpdate(u: DepthUpdate, raw: OkxRawLevels | null = null): SyncStep {
    if (u.instrument !== this.instrument.index) {
      return this.brk('BAD_MESSAGE', OKX_SYNC_RULES.INSTRUMENT,
        `update for instrument #${u.instrument}, this book is ${this.instrument.symbol} (#${this.instrument.index})`, null);
    }
    if (u.checksum !== 0 && this.checksumMode !== 'off') this.shadowActive = true;
    const rs = this.shadowActive && raw !== null ? extractRaw(raw) : null;
    if (!this.incremental) return this.onSnapshotChannel(u, rs);
    if (u.kind === 'snapshot') return this.onWsSnapshot(u, rs);
    switch (this.state) {
      case 'synced':
        return this.applyIncremental(u, true, rs);
      case 'awaiting-first':
        if (this.bootstrap === 'ws') {
          return this.brk('GAP', OKX_SYNC_RULES.WS_SNAPSHOT_FIRST,
            `update (prevSeqId ${u.prevId}, seqId ${u.lastId}) before any snapshot`, null);
        }
        return this.startBuffering(u, rs);
      case 'awaiting-prev':
        return this.startBuffering(u, rs);
      case 'awaiting-rest':
        return this.bufferOne(u, rs);
      default: // awaiting-snapshot, unsynced
        this.dropped++;
        return DROPPED;
    }
  }

  /**
   * Feed the parsed REST `GET /api/v5/market/books` answer (DepthUpdate kind 'snapshot' whose
   * lastId is the snapshot seqId). Ignored unless the machine asked for it.
   */
  onRestSnapshot(snap: DepthUpdate, raw: OkxRawLevels | null = null): SyncStep {
    if (this.state !== 'awaiting-rest' || !this.incremental) {
      this.dropped++;
      return DROPPED;
    }
    if (snap.instrument !== this.instrument.index) {
      return this.brk('BAD_MESSAGE', OKX_SYNC_RULES.INSTRUMENT,
        `REST snapshot for instrument #${snap.instrument}, this book is ${this.instrument.symbol}`, null);
    }
    const S = snap.lastId;
    if (!(S >= 0)) {
      return this.softBreak('BAD_MESSAGE', OKX_SYNC_RULES.REST_SNAPSHOT_SEQID, 'REST snapshot has no seqId: fetch again');
    }
    if (S < this.minPrevSeqId) {
      return this.softBreak('SNAPSHOT_TOO_OLD', OKX_SYNC_RULES.REST_SNAPSHOT_TOO_OLD,
        `snapshot seqId ${S} < prevSeqId ${this.minPrevSeqId} of the first buffered event: fetch again`);
    }
    this.shadow.clear();
    if (raw !== null && this.shadowActive) this.shadow.record(snap, extractRaw(raw));
    this.book.loadSnapshot(snap);
    this.lastSeqId = S;
    this.state = 'synced';
    this.need = 'none';
    this.firstAfterRestSnapshot = true;
    const n = this.bufCount;
    this.bufCount = 0;
    if (this.book.isCrossed()) return this.crossed(null);
    this.applied++;
    for (let i = 0; i < n; i++) {
      const step = this.applyIncremental(this.pool[i]!, false, this.poolRaw[i] ?? null);
      if (step.status === 'resync') return step;
    }
    return APPLIED;
  }

  /**
   * A frame for this instrument and channel could not be parsed (the parser's error code in
   * `detail`): an update may have been lost, so the book is out of sync.
   */
  onBadMessage(detail: string): SyncStep {
    return this.brk('BAD_MESSAGE', OKX_SYNC_RULES.PARSE, detail, null);
  }

  // ---------------------------------------------------------------------------------------------

  /** A full book replaces the local one: the raw strings start again from its levels. */
  private loadFull(u: DepthUpdate, rs: RawStrings | null): void {
    if (this.shadowActive) {
      this.shadow.clear();
      if (rs !== null) this.shadow.record(u, rs);
    }
    this.book.loadSnapshot(u);
  }

  private onSnapshotChannel(u: DepthUpdate, rs: RawStrings | null): SyncStep {
    if (u.kind !== 'snapshot') {
      return this.brk('BAD_MESSAGE', OKX_SYNC_RULES.MESSAGE_KIND, `${this.channel} push that is not a full snapshot`, null);
    }
    if (u.lastId >= 0 && u.lastId === this.lastSeqId && this.state === 'synced') {
      this.dropped++;
      return DROPPED;
    }
    this.loadFull(u, rs);
    this.lastSeqId = u.lastId;
    this.state = 'synced';
    if (this.book.isCrossed()) return this.crossed(u);
    if (!this.checksumOk(u)) return this.checksumBreak(u);
    this.applied++;
    return APPLIED;
  }

  private onWsSnapshot(u: DepthUpdate, rs: RawStrings | null): SyncStep {
    if (this.bootstrap === 'rest' && this.state !== 'synced') {
      // The changelog procedure ignores the WS snapshot event; the REST snapshot is the base.
      if (this.state === 'awaiting-first') this.state = 'awaiting-prev';
      this.dropped++;
      return DROPPED;
    }
    this.bufCount = 0;
    this.loadFull(u, rs);
    this.lastSeqId = u.lastId;
    this.firstAfterRestSnapshot = false;
    this.state = 'synced';
    this.need = 'none';
    if (this.book.isCrossed()) return this.crossed(u);
    if (!this.checksumOk(u)) return this.checksumBreak(u);
    this.applied++;
    return APPLIED;
  }

  /** The event whose prevSeqId the REST snapshot must reach. */
  private startBuffering(u: DepthUpdate, rs: RawStrings | null): SyncStep {
    if (u.lastId < u.prevId) {
      // A maintenance reset: its prevSeqId is in the old sequence; wait for the next event.
      this.resets++;
      this.state = 'awaiting-prev';
      this.dropped++;
      return DROPPED;
    }
    this.minPrevSeqId = u.prevId;
    this.bufCount = 0;
    this.state = 'awaiting-rest';
    this.need = 'rest-snapshot';
    return this.bufferOne(u, rs);
  }

  private bufferOne(u: DepthUpdate, rs: RawStrings | null): SyncStep {
    if (u.lastId < u.prevId) {
      this.resets++;
      this.bufCount = 0;
      this.state = 'awaiting-prev';
      this.need = 'none';
      return this.report('RESET', OKX_SYNC_RULES.RESET_DURING_BOOTSTRAP,
        `maintenance reset (prevSeqId ${u.prevId} -> seqId ${u.lastId}) while bootstrapping: restart from the next event`);
    }
    if (this.bufCount >= this.maxBuffered) {
      this.bufCount = 0;
      this.state = 'awaiting-prev';
      this.need = 'none';
      return this.report('BUFFER_OVERFLOW', OKX_SYNC_RULES.BUFFER_LIMIT,
        `${this.maxBuffered} events buffered without a usable REST snapshot: restart the bootstrap`);
    }
    let slot = this.pool[this.bufCount];
    if (slot === undefined) {
      slot = new DepthUpdate(Math.max(16, u.bidCount, u.askCount));
      this.pool.push(slot);
    }
    slot.copyFrom(u);
    this.poolRaw[this.bufCount] = rs;
    this.bufCount++;
    this.buffered++;
    return BUFFERED;
  }

  /** The seqId/prevSeqId rules for one incremental update while synced. */
  private applyIncremental(u: DepthUpdate, live: boolean, rs: RawStrings | null): SyncStep {
    const last = this.lastSeqId;
    if (u.prevId !== last) {
      if (this.firstAfterRestSnapshot) {
        // Discard seqId <= snapshot seqId; the first kept must have prevSeqId <= S < seqId.
        if (u.lastId <= last && u.lastId >= u.prevId) {
          this.dropped++;
          return DROPPED;
        }
        if (!(u.prevId <= last && last < u.lastId)) {
          return this.brk('GAP', OKX_SYNC_RULES.REST_FIRST_EVENT,
            `first event after the snapshot (seqId ${last}) has prevSeqId ${u.prevId}, seqId ${u.lastId}: needs prevSeqId <= ${last} < seqId`,
            live ? u : null, rs);
        }
      } else {
        if (u.lastId <= last && u.prevId < last && u.lastId >= u.prevId) {
          this.dropped++;
          return DROPPED;
        }
        return this.brk(u.prevId > last ? 'GAP' : 'PREV_MISMATCH', OKX_SYNC_RULES.PREV_CHAIN,
          `expected prevSeqId ${last}, got ${u.prevId} (seqId ${u.lastId})`, live ? u : null, rs);
      }
    } else if (u.lastId === u.prevId) {
      if (u.bidCount !== 0 || u.askCount !== 0) {
        return this.brk('BAD_MESSAGE', OKX_SYNC_RULES.HEARTBEAT_EMPTY,
          `seqId == prevSeqId == ${u.lastId} with ${u.bidCount} bids and ${u.askCount} asks`, null);
      }
      this.firstAfterRestSnapshot = false;
      this.heartbeats++;
      return HEARTBEAT;
    }
    if (u.lastId < u.prevId) this.resets++;
    this.firstAfterRestSnapshot = false;
    if (rs !== null) this.shadow.record(u, rs);
    this.book.applyLevels(u);
    this.book.updateId = u.lastId;
    this.book.eventTimeMs = u.eventTimeMs;
    this.lastSeqId = u.lastId;
    if (this.book.isCrossed()) return this.crossed(u);
    if (!this.checksumOk(u)) return this.checksumBreak(u);
    this.applied++;
    return APPLIED;
  }

  private crossed(u: DepthUpdate | null): SyncStep {
    const b = this.book;
    const ins = this.instrument;
    return this.brk('CROSSED', OKX_SYNC_RULES.CROSSED,
      `best bid ${ins.tick.fromUnitsTrimmed(b.bestBidPx())} >= best ask ${ins.tick.fromUnitsTrimmed(b.bestAskPx())}` +
      (u !== null ? ` after seqId ${u.lastId}` : ' in the snapshot'), null);
  }

  private checksumBreak(u: DepthUpdate): SyncStep {
    return this.brk('CHECKSUM', OKX_SYNC_RULES.CHECKSUM,
      `checksum ${u.checksum} of seqId ${u.lastId} != ${this.computeChecksum()} of the local book`, null);
  }

  private checksumOk(u: DepthUpdate): boolean {
    if (u.checksum === 0 || this.checksumMode === 'off') return true;
    this.checksumsVerified++;
    return this.computeChecksum() === u.checksum;
  }

  /** The historical OKX checksum of the current local book (25 levels per side). */
  computeChecksum(): number {
    const book = this.book;
    const tick = this.instrument.tick;
    const lot = this.instrument.lot;
    const sh = this.shadow;
    let crc = crc32Init();
    let first = true;
    for (let i = 0; i < OKX_CHECKSUM_DEPTH; i++) {
      const hasBid = i < book.bids.count;
      const hasAsk = i < book.asks.count;
      if (!hasBid && !hasAsk) break;
      if (hasBid) {
        const px = book.bids.pxAtDepth(i);
        const q = book.bids.qtyAtDepth(i);
        if (!first) crc = crc32Byte(crc, 58);
        first = false;
        crc = crc32Ascii(crc, sh.bidPx.get(px) ?? tick.fromUnitsTrimmed(px));
        crc = crc32Byte(crc, 58);
        crc = crc32Ascii(crc, sh.bidLots.get(px) === q ? sh.bidSz.get(px)! : lot.fromUnitsTrimmed(q));
      }
      if (hasAsk) {
        const px = book.asks.pxAtDepth(i);
        const q = book.asks.qtyAtDepth(i);
        if (!first) crc = crc32Byte(crc, 58);
        first = false;
        crc = crc32Ascii(crc, sh.askPx.get(px) ?? tick.fromUnitsTrimmed(px));
        crc = crc32Byte(crc, 58);
        crc = crc32Ascii(crc, sh.askLots.get(px) === q ? sh.askSz.get(px)! : lot.fromUnitsTrimmed(q));
      }
    }
    return crc32Final(crc);
  }

  /** A resync step that leaves the state alone (bootstrap-internal events). */
  private report(reason: SyncBreak, rule: OkxSyncRule, detail: string): SyncStep {
    this.resyncs++;
    this.lastBreak = { reason, rule, detail };
    return { status: 'resync', reason, detail: `${rule}: ${detail}` };
  }

  /** REST snapshot unusable: fetch again, keep the buffer. */
  private softBreak(reason: SyncBreak, rule: OkxSyncRule, detail: string): SyncStep {
    this.need = 'rest-snapshot';
    return this.report(reason, rule, detail);
  }

  /**
   * The book is out of sync. `resume` is a live update that broke the chain without being
   * applied; in the REST modes it starts the next bootstrap at once.
   */
  private brk(reason: SyncBreak, rule: OkxSyncRule, detail: string, resume: DepthUpdate | null, resumeRaw: RawStrings | null = null): SyncStep {
    this.firstAfterRestSnapshot = false;
    this.bufCount = 0;
    if (!this.incremental) {
      this.state = 'unsynced';
      this.need = 'none';
    } else if (this.bootstrap === 'ws') {
      this.state = 'awaiting-snapshot';
      this.need = 'resubscribe';
    } else {
      this.state = 'awaiting-prev';
      this.need = 'none';
      if (resume !== null && resume.kind === 'delta' && resume.lastId >= resume.prevId) {
        this.minPrevSeqId = resume.prevId;
        this.state = 'awaiting-rest';
        this.need = 'rest-snapshot';
        this.slot0(resume).copyFrom(resume);
        this.poolRaw[0] = resumeRaw;
        this.bufCount = 1;
        this.buffered++;
      }
    }
    return this.report(reason, rule, detail);
  }

  private slot0(u: DepthUpdate): DepthUpdate {
    let s = this.pool[0];
    if (s === undefined) {
      s = new DepthUpdate(Math.max(16, u.bidCount, u.askCount));
      this.pool.push(s);
    }
    return s;
  }
}
