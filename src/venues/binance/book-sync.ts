// The machinery shared by Binance's two local-book procedures (spot, USD-M): buffering diff events
// until a REST snapshot arrives, loading the snapshot, draining the buffer through the venue's
// rules, applying levels, the crossed-book check and the resync bookkeeping. The venue-specific
// rules (which events to drop, the first-event rule, continuity) live in `check()` of the
// subclasses in src/venues/binance-spot/book-sync.ts and src/venues/binance-usdm/book-sync.ts.
//
// States: 'buffering' (no usable book: events are copied into a buffer; `wantsSnapshot` asks the
// owner to GET a REST snapshot) and 'synced' (the book is a faithful copy as of `book.updateId`).
//
// Invariants:
// - `synced` is true only after a snapshot was loaded and every event since was accepted by the
//   venue's rules; any break (gap, pu mismatch, no overlap, crossed, bad message, buffer overflow)
//   clears the book, returns a `resync` SyncStep naming the rule, and goes back to 'buffering'.
// - The owner never needs to drop the stream on a break: events that are still valid stream data
//   (the event that revealed a gap or failed the first-event rule, and everything buffered after
//   it) stay buffered, so the next snapshot can be matched against them (Binance: "restart from
//   step 1" = buffer again, note the first U, fetch a snapshot).
// - A snapshot that arrives while synced is unsolicited and is ignored ('dropped').
// - Steady state (synced, no break) allocates nothing: SyncSteps other than `resync` are shared
//   constants and levels are applied straight from the caller's DepthUpdate. Buffering copies
//   events into pooled DepthUpdates (the pool grows only during (re)sync).
// - At most `maxBuffered` events are buffered; one more discards the buffer (BUFFER_OVERFLOW).
// - Levels are applied as absolute quantities; 0 deletes; deleting an absent level is normal.
// - Partial snapshots (Binance: "price levels outside of the initial snapshot that don't have a
//   quantity change won't have an update in the Diff. Depth Stream"): a snapshot side that came
//   back with `snapshotLimit` levels is only known down to its worst level. With `coverDepth` set,
//   once the market moves so that the top `coverDepth` levels of a side would reach past that
//   boundary (levels the venue may have and we never saw), the book breaks with DEPTH_EXHAUSTED and
//   is resynced from a fresh snapshot. A side with fewer levels than the limit was complete.
import { OrderBook } from '../../core/book.js';
import { DepthUpdate, type SyncBreak, type SyncStep } from '../types.js';

export const STEP_BUFFERED: SyncStep = Object.freeze({ status: 'buffered' });
export const STEP_DROPPED: SyncStep = Object.freeze({ status: 'dropped' });
export const STEP_APPLIED: SyncStep = Object.freeze({ status: 'applied' });

/** Verdicts of a venue's rules on one event (no side effects). */
export const Verdict = {
  APPLY: 0,
  DROP: 1,
  GAP: 2,
  PREV_MISMATCH: 3,
  NO_OVERLAP: 4,
} as const;
export type VerdictCode = (typeof Verdict)[keyof typeof Verdict];

export interface BookSyncOptions {
  /** Initial level capacity per book side (default 1024; Binance snapshots hold up to 5000/1000). */
  readonly capacityPerSide?: number;
  /** Events buffered while waiting for a snapshot before the buffer is discarded (default 10000). */
  readonly maxBuffered?: number;
  /** Levels per side the owner publishes and must be faithful (default 0: not checked). */
  readonly coverDepth?: number;
  /** Levels per side the snapshot request asked for (the venue's effective limit). */
  readonly snapshotLimit?: number;
}

export interface BookSyncCounters {
  applied: number;
  dropped: number;
  buffered: number;
  resyncs: number;
}

export abstract class BinanceBookSync {
  readonly book: OrderBook;
  state: 'buffering' | 'synced' = 'buffering';
  /** The owner should fetch a REST snapshot and pass it to `onSnapshot`. */
  wantsSnapshot = false;
  /** The last resync step (null when none yet). */
  lastBreak: SyncStep | null = null;
  readonly counters: BookSyncCounters = { applied: 0, dropped: 0, buffered: 0, resyncs: 0 };
  /** Id of the snapshot currently loaded (the book's starting point), -1 when none. */
  snapshotId = -1;

  /** Next event is the first one after the snapshot (the first-event rule applies). */
  protected first = false;
  private pool: DepthUpdate[] = [];
  private count = 0;
  private readonly maxBuffered: number;
  private readonly coverDepth: number;
  private readonly snapshotLimit: number;
  /** Worst sort key of each side's snapshot (-Infinity: the side was complete). */
  private bidBoundKey = -Infinity;
  private askBoundKey = -Infinity;

  constructor(opts: BookSyncOptions = {}) {
    this.book = new OrderBook(opts.capacityPerSide ?? 1024);
    this.maxBuffered = opts.maxBuffered ?? 10000;
    this.coverDepth = opts.coverDepth ?? 0;
    this.snapshotLimit = opts.snapshotLimit ?? Infinity;
  }

  get synced(): boolean {
    return this.state === 'synced';
  }

  /** Events currently buffered. */
  get bufferedCount(): number {
    return this.count;
  }

  /** First U of the buffered events (-1 when none). */
  get firstBufferedId(): number {
    return this.count > 0 ? this.pool[0]!.firstId : -1;
  }

  /** The venue rules for one event against the book id (`first`: first event after the snapshot). */
  protected abstract check(u: DepthUpdate, bookId: number, first: boolean): VerdictCode;

  /** Spot rule 4 ("snapshot lastUpdateId < first buffered U: fetch again"); USD-M has none. */
  protected abstract snapshotTooOld(lastUpdateId: number, firstBuffered: DepthUpdate): boolean;

  /** Forgets everything: empty book, empty buffer, waiting for events. */
  reset(): void {
    this.book.clear();
    this.count = 0;
    this.state = 'buffering';
    this.first = false;
    this.wantsSnapshot = false;
    this.snapshotId = -1;
  }

  /** Feed one diff event (a parsed `depthUpdate`). */
  onDelta(u: DepthUpdate): SyncStep {
    if (u.kind !== 'delta') return this.invalidate('BAD_MESSAGE', 'a depth snapshot (partial-depth stream?) was fed as a diff event');
    if (this.state === 'buffering') return this.buffer(u);
    return this.process(u);
  }

  /** Feed the REST snapshot the machine asked for. */
  onSnapshot(s: DepthUpdate): SyncStep {
    if (this.state === 'synced') return STEP_DROPPED;
    if (s.kind !== 'snapshot' || !(s.lastId >= 0)) {
      this.wantsSnapshot = true;
      return this.resyncStep('BAD_MESSAGE', `snapshot without a valid lastUpdateId (${s.lastId})`);
    }
    this.wantsSnapshot = false;
    const L = s.lastId;
    if (this.count > 0 && this.snapshotTooOld(L, this.pool[0]!)) {
      this.wantsSnapshot = true;
      return this.resyncStep('SNAPSHOT_TOO_OLD', `snapshot lastUpdateId ${L} < first buffered U ${this.pool[0]!.firstId}: fetch again`);
    }
    this.book.loadSnapshot(s);
    this.snapshotId = L;
    const bids = this.book.bids;
    const asks = this.book.asks;
    this.bidBoundKey = bids.count >= this.snapshotLimit ? bids.keys[0]! : -Infinity;
    this.askBoundKey = asks.count >= this.snapshotLimit ? asks.keys[0]! : -Infinity;
    if (this.book.isCrossed()) {
      this.book.clear();
      this.wantsSnapshot = true;
      this.snapshotId = -1;
      return this.resyncStep('CROSSED', `snapshot ${L} is crossed`);
    }
    this.state = 'synced';
    this.first = true;
    // drain the buffer through the rules
    const n = this.count;
    for (let i = 0; i < n; i++) {
      const e = this.pool[i]!;
      const v = this.check(e, this.book.updateId, this.first);
      if (v === Verdict.DROP) {
        this.counters.dropped++;
        continue;
      }
      if (v === Verdict.APPLY) {
        this.applyEvent(e);
        if (this.book.isCrossed()) {
          this.keepBuffered(i + 1, n);
          return this.breakSync('CROSSED', `book crossed after event U=${e.firstId} u=${e.lastId} (buffered)`);
        }
        if (!this.covered()) {
          this.keepBuffered(i + 1, n);
          return this.breakSync('DEPTH_EXHAUSTED', this.describeCoverage(e));
        }
        continue;
      }
      this.keepBuffered(i, n);
      return this.breakSync(verdictBreak(v), this.describe(v, e, true));
    }
    this.count = 0;
    return STEP_APPLIED;
  }

  /**
   * Marks the book unsynced from outside (e.g. an unparseable frame on this stream, a venue
   * reset, a reconnect). The buffer is kept only for reasons that do not invalidate the stream.
   */
  invalidate(reason: SyncBreak, detail: string): SyncStep {
    this.count = 0;
    return this.breakSync(reason, detail);
  }

  private process(u: DepthUpdate): SyncStep {
    const v = this.check(u, this.book.updateId, this.first);
    if (v === Verdict.APPLY) {
      this.applyEvent(u);
      if (this.book.isCrossed()) return this.breakSync('CROSSED', `book crossed after event U=${u.firstId} u=${u.lastId}`);
      if (!this.covered()) return this.breakSync('DEPTH_EXHAUSTED', this.describeCoverage(u));
      return STEP_APPLIED;
    }
    if (v === Verdict.DROP) {
      this.counters.dropped++;
      return STEP_DROPPED;
    }
    const detail = this.describe(v, u, false);
    const step = this.breakSync(verdictBreak(v), detail);
    this.copyIntoBuffer(u); // still valid stream data: the next snapshot is matched against it
    return step;
  }

  /** The top `coverDepth` levels of each side lie within what the snapshot and the diffs showed. */
  private covered(): boolean {
    const d = this.coverDepth;
    if (d <= 0) return true;
    const b = this.book.bids;
    const a = this.book.asks;
    // keys ascend with the best at the end: the d-th best level is keys[count - d]
    if (this.bidBoundKey !== -Infinity && (b.count < d || b.keys[b.count - d]! < this.bidBoundKey)) return false;
    if (this.askBoundKey !== -Infinity && (a.count < d || a.keys[a.count - d]! < this.askBoundKey)) return false;
    return true;
  }

  private describeCoverage(u: DepthUpdate): string {
    return `after event U=${u.firstId} u=${u.lastId} the top ${this.coverDepth} levels reach past the snapshot's ${this.snapshotLimit}-level range (levels there were never seen): fetch a new snapshot`;
  }

  private applyEvent(u: DepthUpdate): void {
    const book = this.book;
    book.applyLevels(u);
    book.updateId = u.lastId;
    book.eventTimeMs = u.eventTimeMs;
    this.first = false;
    this.counters.applied++;
  }

  private buffer(u: DepthUpdate): SyncStep {
    if (this.count >= this.maxBuffered) {
      this.count = 0;
      const step = this.resyncStep('BUFFER_OVERFLOW', `more than ${this.maxBuffered} events buffered without a usable snapshot; buffer discarded`);
      this.copyIntoBuffer(u);
      this.wantsSnapshot = true;
      return step;
    }
    this.copyIntoBuffer(u);
    this.wantsSnapshot = true;
    return STEP_BUFFERED;
  }

  private copyIntoBuffer(u: DepthUpdate): void {
    let slot = this.pool[this.count];
    if (slot === undefined) {
      slot = new DepthUpdate(Math.max(8, u.bidCount, u.askCount));
      this.pool.push(slot);
    }
    slot.copyFrom(u);
    this.count++;
    this.counters.buffered++;
  }

  /** Keeps buffered events [from, n) as the new buffer (moving pooled objects, no copies). */
  private keepBuffered(from: number, n: number): void {
    const pool = this.pool;
    for (let i = from, j = 0; i < n; i++, j++) {
      const t = pool[j]!;
      pool[j] = pool[i]!;
      pool[i] = t;
    }
    this.count = n - from;
  }

  private breakSync(reason: SyncBreak, detail: string): SyncStep {
    this.book.clear();
    this.state = 'buffering';
    this.first = false;
    this.snapshotId = -1;
    this.wantsSnapshot = true;
    return this.resyncStep(reason, detail);
  }

  private resyncStep(reason: SyncBreak, detail: string): SyncStep {
    this.counters.resyncs++;
    const step: SyncStep = { status: 'resync', reason, detail };
    this.lastBreak = step;
    return step;
  }

  private describe(v: VerdictCode, u: DepthUpdate, buffered: boolean): string {
    const id = this.book.updateId;
    const where = buffered ? ' (buffered)' : '';
    switch (v) {
      case Verdict.GAP:
        return `gap: U=${u.firstId} > book id ${id} + 1${where}`;
      case Verdict.PREV_MISMATCH:
        return `pu=${u.prevId} != previous u ${id}${where}`;
      case Verdict.NO_OVERLAP:
        return `first event U=${u.firstId} u=${u.lastId} does not bracket snapshot lastUpdateId ${id}${where}`;
      default:
        return `verdict ${v}`;
    }
  }
}

function verdictBreak(v: VerdictCode): SyncBreak {
  return v === Verdict.GAP ? 'GAP' : v === Verdict.PREV_MISMATCH ? 'PREV_MISMATCH' : 'NO_OVERLAP';
}
