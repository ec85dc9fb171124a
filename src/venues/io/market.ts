// The venue-neutral shape of a market-data client (one WebSocket link of one venue, several
// instruments) and the machinery every venue's client shares: link status derivation, the
// per-instrument synced/unsynced bookkeeping, REST-snapshot scheduling with retries, and the
// events a feed actor consumes, the start/stop/reconnect delegation to the link, the per-instrument
// sync machines (`syncs`, filled by the subclass) and the disconnect step (reset every machine,
// unsync every book). The venue clients (src/venues/binance/io/market-client.ts,
// src/venues/okx/io/market-client.ts) add the protocol: URL and subscription, frame dispatch to
// the venue's pure parser and sync machine, and the snapshot request.
//
// Invariants:
// - `onBook` is called only for an instrument whose sync machine says it is in sync, right after
//   an applied update; between an `onUnsynced` and the next `onBook` the book must be treated as
//   untradable. A book going from synced to unsynced (sync break, bad frame attributed to it,
//   disconnect) produces exactly one `onUnsynced`; breaks while already unsynced are only counted.
// - Link status: 'connecting' while the socket opens, 'down' when it is closed, 'stale' when the
//   link saw no frame for its stale limit, else 'synced' when every book is in sync, 'syncing'
//   otherwise. `onStatus` fires on every change, never twice for the same status.
// - At most one snapshot request per instrument is in flight or scheduled at a time; a failed or
//   unusable snapshot is retried after a delay (the venue's Retry-After when it gave one, else a
//   growing backoff), never in a tight loop.
// - Events are delivered synchronously from the socket's message handler; the BookUpdateInfo
//   object is reused (copy what you keep). An event handler that throws is caught by the link and
//   answered with a resync of every book.
import type { OrderBook } from '../../core/book.js';
import type { SyncStep, VenueErrorInfo, VenueId } from '../types.js';
import { Backoff, type BackoffOptions, type Rng } from './backoff.js';
import type { WsLink, WsLinkState } from './ws-link.js';

export type FeedLinkStatus = 'connecting' | 'syncing' | 'synced' | 'stale' | 'down';

/** What an applied update was. Reused and overwritten for every event. */
export interface BookUpdateInfo {
  /** Index of the instrument in the client's InstrumentTable. */
  instrument: number;
  /** First venue id covered (Binance U, OKX prevSeqId + 1; a snapshot's id for a snapshot). */
  firstId: number;
  /** Last venue id covered (Binance u, OKX seqId). */
  lastId: number;
  /** Venue event time (ms since the epoch, venue clock); 0 when the venue sent none. */
  eventTimeMs: number;
  /** Frame received / book applied, on the client's microsecond clock. */
  receivedUs: number;
  appliedUs: number;
  /** The book was (re)built from a snapshot by this update: the first publication after a sync. */
  snapshot: boolean;
}

export interface MarketEvents {
  onBook(book: OrderBook, info: BookUpdateInfo): void;
  /** `reason`: a SyncBreak code, 'DISCONNECTED' or 'HANDLER_ERROR'; `detail`: human text. */
  onUnsynced(instrument: number, reason: string, detail: string): void;
  onStatus(status: FeedLinkStatus, reason: string): void;
}

export interface MarketCounters {
  frames: number;
  /** Updates applied to a synced book (each one an onBook). */
  applied: number;
  heartbeats: number;
  buffered: number;
  dropped: number;
  resyncs: number;
  /** Frames that did not parse (each counted once; answered with a resync). */
  badFrames: number;
  /** Bad frames that could not be attributed to one book (every book was resynced). */
  unattributedBadFrames: number;
  /** Valid frames of no interest (other channels, answers, unknown instruments). */
  ignored: number;
  /** Venue errors sent on the stream (subscription refused, ...). */
  venueErrors: number;
  snapshotRequests: number;
  snapshotsApplied: number;
  snapshotFailures: number;
  /** Snapshots the sync machine refused (too old, no overlap): fetched again. */
  snapshotsRejected: number;
  shutdownNotices: number;
  handlerErrors: number;
  disconnects: number;
}

export function newMarketCounters(): MarketCounters {
  return {
    frames: 0, applied: 0, heartbeats: 0, buffered: 0, dropped: 0, resyncs: 0, badFrames: 0, unattributedBadFrames: 0,
    ignored: 0, venueErrors: 0, snapshotRequests: 0, snapshotsApplied: 0, snapshotFailures: 0, snapshotsRejected: 0,
    shutdownNotices: 0, handlerErrors: 0, disconnects: 0,
  };
}

/** What every venue market-data client offers a feed actor. */
export interface MarketDataClient {
  readonly venue: VenueId;
  readonly status: FeedLinkStatus;
  readonly counters: MarketCounters;
  readonly link: WsLink;
  start(): void;
  stop(): Promise<void>;
  /** Proactive reconnect (e.g. operator request). */
  reconnect(reason: string): void;
  /** The local book of an instrument (valid to read only while isSynced). */
  book(instrument: number): OrderBook;
  isSynced(instrument: number): boolean;
  /** Number of instruments the client follows (indices 0..n-1 of its table). */
  readonly instrumentCount: number;
}

/** The answer of one snapshot fetch. */
export type SnapshotFetch =
  | { readonly ok: true }
  | { readonly ok: false; readonly detail: string; readonly retryAfterMs?: number };

export interface MarketClientCommon {
  /** Microsecond clock for stage times (the feed actor passes clock.ts nowUs). */
  readonly clockUs?: () => number;
  /** Delays between snapshot retries. Default 50 ms .. 5 s. */
  readonly snapshotBackoff?: BackoffOptions;
  readonly rng?: Rng;
}

/** What the base needs of a venue's book-sync machine. */
export interface BookSyncMachine {
  readonly book: OrderBook;
  /** Forget everything (disconnect): buffer again, wait for a new snapshot. */
  reset(): void;
}

/** A failed REST snapshot answer as a SnapshotFetch (the venue's Retry-After kept). */
export function snapshotRestFailure(error: VenueErrorInfo): SnapshotFetch {
  const detail = `${error.code} ${error.venueCode}: ${error.message}`;
  return error.retryAfterMs === undefined ? { ok: false, detail } : { ok: false, detail, retryAfterMs: error.retryAfterMs };
}

/**
 * Shared bookkeeping. Subclasses own the link and the parser and fill `syncs` (one machine per
 * instrument, in table order) in their constructor; they call `applied`, `unsynced`,
 * `wantSnapshot`, `disconnected`, and implement `fetchSnapshot` / `stillWantsSnapshot`.
 */
export abstract class MarketClientBase<S extends BookSyncMachine> {
  abstract readonly link: WsLink;
  /** The sync machine of each instrument (index = instrument); filled by the subclass. */
  protected readonly syncs: S[] = [];
  readonly counters: MarketCounters = newMarketCounters();
  status: FeedLinkStatus = 'down';
  statusReason = 'not started';
  protected readonly info: BookUpdateInfo = { instrument: -1, firstId: -1, lastId: -1, eventTimeMs: 0, receivedUs: 0, appliedUs: 0, snapshot: false };
  protected readonly clockUs: () => number;
  protected readonly synced: boolean[];
  protected syncedCount = 0;
  protected linkState: WsLinkState = 'idle';
  protected stopped = false;
  private readonly fetching: boolean[];
  private readonly timers: (ReturnType<typeof setTimeout> | null)[];
  private readonly retry: Backoff[];

  constructor(
    readonly instrumentCount: number,
    protected readonly events: MarketEvents,
    common: MarketClientCommon,
  ) {
    this.clockUs = common.clockUs ?? (() => performance.now() * 1000);
    this.synced = new Array<boolean>(instrumentCount).fill(false);
    this.fetching = new Array<boolean>(instrumentCount).fill(false);
    this.timers = new Array<ReturnType<typeof setTimeout> | null>(instrumentCount).fill(null);
    const rng = common.rng ?? Math.random;
    this.retry = Array.from({ length: instrumentCount }, () => new Backoff({ baseMs: 50, maxMs: 5000, ...common.snapshotBackoff }, rng));
  }

  isSynced(instrument: number): boolean {
    return this.synced[instrument] === true;
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelSnapshotTimers();
    await this.link.stop();
  }

  /** Proactive reconnect (e.g. operator request). */
  reconnect(reason: string): void {
    this.link.reconnect(reason);
  }

  /** The local book of an instrument (valid to read only while isSynced). */
  book(instrument: number): OrderBook {
    return this.syncs[instrument]!.book;
  }

  /** The sync machine of an instrument (diagnostics, tests). */
  sync(instrument: number): S {
    return this.syncs[instrument]!;
  }

  /** The link closed: every machine resets and every book unsyncs ('down' reported at once). */
  protected disconnected(reason: string): void {
    this.counters.disconnects++;
    this.linkState = 'down'; // report 'down' at once, not 'syncing' while the books unsync
    for (let j = 0; j < this.syncs.length; j++) {
      this.syncs[j]!.reset();
      this.unsynced(j, 'DISCONNECTED', reason);
    }
  }

  /** Fetch a snapshot for `instrument` and hand it to its sync machine. */
  protected abstract fetchSnapshot(instrument: number): Promise<SnapshotFetch>;
  /** Whether the sync machine of `instrument` (still) asks for a REST snapshot. */
  protected abstract stillWantsSnapshot(instrument: number): boolean;

  /** Call after an update was applied to a synced book (info filled by the caller). */
  protected applied(book: OrderBook): void {
    const i = this.info.instrument;
    this.counters.applied++;
    if (!this.synced[i]) {
      this.synced[i] = true;
      this.syncedCount++;
      this.retry[i]!.reset();
      if (this.syncedCount === this.instrumentCount) this.refreshStatus('all books synced');
    }
    this.info.appliedUs = this.clockUs();
    this.events.onBook(book, this.info);
  }

  /** Counts a sync step that did not change the book (buffered, dropped, resync); a resync also
   * marks the book unsynced. Both venue clients route their non-applied steps through here. */
  protected countStep(instrument: number, step: SyncStep): void {
    const c = this.counters;
    switch (step.status) {
      case 'buffered':
        c.buffered++;
        break;
      case 'dropped':
        c.dropped++;
        break;
      case 'resync':
        c.resyncs++;
        this.unsynced(instrument, step.reason, step.detail);
        break;
      default:
        break;
    }
  }

  /** Call when a book left sync (resync step, bad frame, disconnect). */
  protected unsynced(instrument: number, reason: string, detail: string): void {
    if (this.synced[instrument]) {
      this.synced[instrument] = false;
      this.syncedCount--;
      this.events.onUnsynced(instrument, reason, detail);
      this.refreshStatus(`${reason}: ${detail}`);
    }
  }

  /** Ask for a snapshot of `instrument` (no-op while one is in flight or scheduled). */
  protected wantSnapshot(instrument: number, delayMs = 0): void {
    if (this.stopped || this.fetching[instrument] || this.timers[instrument] !== null) return;
    if (delayMs > 0) {
      this.timers[instrument] = setTimeout(() => {
        this.timers[instrument] = null;
        this.wantSnapshot(instrument, 0);
      }, delayMs);
      return;
    }
    this.fetching[instrument] = true;
    this.counters.snapshotRequests++;
    this.fetchSnapshot(instrument).then(
      (r) => this.snapshotDone(instrument, r),
      (err: unknown) => this.snapshotDone(instrument, { ok: false, detail: String(err) }),
    );
  }

  private snapshotDone(instrument: number, r: SnapshotFetch): void {
    this.fetching[instrument] = false;
    if (this.stopped) return;
    if (!r.ok) this.counters.snapshotFailures++;
    if (!this.stillWantsSnapshot(instrument)) return;
    const wait = this.retry[instrument]!.next();
    this.wantSnapshot(instrument, !r.ok && r.retryAfterMs !== undefined ? Math.max(r.retryAfterMs, wait) : wait);
  }

  protected cancelSnapshotTimers(): void {
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i];
      if (t !== null && t !== undefined) clearTimeout(t);
      this.timers[i] = null;
    }
  }

  /** Link state changes from the WsLink. */
  protected onLinkState(state: WsLinkState, reason: string): void {
    this.linkState = state;
    this.refreshStatus(reason);
  }

  protected refreshStatus(reason: string): void {
    let s: FeedLinkStatus;
    switch (this.linkState) {
      case 'connecting':
        s = 'connecting';
        break;
      case 'open':
        s = this.syncedCount === this.instrumentCount ? 'synced' : 'syncing';
        break;
      case 'stale':
        s = 'stale';
        break;
      default:
        s = 'down';
    }
    if (s === this.status) return;
    this.status = s;
    this.statusReason = reason;
    this.events.onStatus(s, reason);
  }
}
