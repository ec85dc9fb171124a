// Binance market-data client (spot and USD-M): one WebSocket link carrying the diff-depth streams
// of several instruments, the pure byte-level parser and one venue book-sync machine per
// instrument, REST depth snapshots fetched whenever a machine asks, and the feed events
// (src/venues/io/market.ts).
//
// Protocol (PROTOCOLS.md §1, §2): spot `<sym>@depth@100ms` on `/ws/<stream>` or
// `/stream?streams=`; USD-M the same names on `/public/...` (2026 split). The streams are in the
// URL, so nothing is sent after connecting. Keepalive: the server pings (spot 20 s, USD-M 3 min)
// and `ws` answers each ping with a pong echoing its payload. `serverShutdown` (raw or
// `!serverShutdown` combined) -> reconnect at once. Connections end at 24 h: reconnect before.
//
// Invariants:
// - Hot path (one depth frame): parse from the Buffer's bytes (no toString), one sync step, one
//   onBook for an applied update; no allocation besides what `ws` allocated for the frame.
// - Every frame that does not parse is counted and answered with a resync of the book it belongs
//   to (or of every book when it cannot be attributed: the frame may have been a lost update).
// - A disconnect unsyncs every book (sync machines reset: buffer again, new snapshot).
// - Snapshots are fetched through the REST client's budget (weights of `limit`), retried with a
//   delay when refused (too old, no overlap) or failed (Retry-After honoured).
import type { InstrumentTable } from '../../../core/instrument.js';
import type { VenueId } from '../../types.js';
import { MarketClientBase, snapshotRestFailure, type MarketClientCommon, type MarketDataClient, type MarketEvents, type SnapshotFetch } from '../../io/market.js';
import { WsLink, type WsLinkOptions } from '../../io/ws-link.js';
import { binanceSpotDepthStream, binanceSpotStreamUrl, BINANCE_SPOT_STREAM_BASE } from '../../binance-spot/endpoints.js';
import { BinanceSpotBookSync } from '../../binance-spot/book-sync.js';
import { binanceUsdmDepthStream, binanceUsdmStreamUrl, BINANCE_USDM_STREAM_HOST } from '../../binance-usdm/endpoints.js';
import { BinanceUsdmBookSync } from '../../binance-usdm/book-sync.js';
import type { BinanceBookSync } from '../book-sync.js';
import { parseErrorName } from '../byte-json.js';
import { BinanceMarketParser, BinanceMsg } from '../market-parser.js';
import { binanceProfile, type BinanceRestClient, type BinanceVenue } from './rest-client.js';
import { depthLimitFor } from '../profile.js';

/** Known feed limits: the largest frame a depth stream or snapshot legitimately sends. */
export const BINANCE_MARKET_MAX_PAYLOAD = 1 << 20; // 1 MiB: a 100 ms diff of a busy book is < 100 KB
export const BINANCE_SNAPSHOT_MAX_BYTES = 8 << 20;

export interface BinanceMarketClientOptions extends MarketClientCommon {
  readonly venue: BinanceVenue;
  /** Instruments 0..n-1 of this table are followed (their symbols as the venue spells them). */
  readonly table: InstrumentTable;
  /** REST client used for depth snapshots (its budget is shared with whoever else uses it). */
  readonly rest: BinanceRestClient;
  /** WS base: spot `wss://host:port` (paths /ws, /stream); USD-M host (paths /public/...). */
  readonly wsBase?: string;
  /** Spot: '@100ms' (default) or '' (1000 ms). USD-M: '@100ms' (default), '@500ms', ''. */
  readonly speed?: '' | '@100ms' | '@500ms';
  /** REST snapshot depth (rounded up to a documented limit). Default 1000. */
  readonly snapshotLimit?: number;
  /**
   * Levels per side the owner publishes: the book resyncs (DEPTH_EXHAUSTED) when they would reach
   * past the partial snapshot's range. Default 20; 0 turns the check off.
   */
  readonly coverDepth?: number;
  /** No frame for this long -> 'stale'. Default 5000. */
  readonly staleMs?: number;
  /** No frame (not even a server ping) for this long -> reconnect. Default: spot 60 s, USD-M 10 min. */
  readonly deadMs?: number;
  /** Events buffered per book while waiting for a snapshot. Default 10000. */
  readonly maxBuffered?: number;
  readonly link?: Partial<Pick<WsLinkOptions, 'backoff' | 'rng' | 'handshakeTimeoutMs' | 'maxPayload' | 'checkIntervalMs' | 'maxAgeMs'>>;
}

export class BinanceMarketClient extends MarketClientBase<BinanceBookSync> implements MarketDataClient {
  readonly venue: VenueId;
  readonly link: WsLink;
  readonly url: string;
  private readonly parser: BinanceMarketParser;
  private readonly snapParser: BinanceMarketParser;
  private readonly rest: BinanceRestClient;
  private readonly table: InstrumentTable;
  private readonly limit: number;
  private readonly hint: number;

  constructor(
    opts: BinanceMarketClientOptions,
    events: MarketEvents,
  ) {
    const n = opts.table.size;
    super(n, events, opts);
    if (n === 0) throw new Error('binance market client: no instruments');
    this.venue = opts.venue;
    this.table = opts.table;
    this.rest = opts.rest;
    this.limit = opts.snapshotLimit ?? 1000;
    this.hint = n === 1 ? 0 : -1;
    const futures = opts.venue === 'binance-usdm';
    this.parser = new BinanceMarketParser(opts.table, { futures, maxFrameBytes: opts.link?.maxPayload ?? BINANCE_MARKET_MAX_PAYLOAD });
    this.snapParser = new BinanceMarketParser(opts.table, { futures, maxFrameBytes: BINANCE_SNAPSHOT_MAX_BYTES });
    const syncOpts = {
      capacityPerSide: Math.max(256, this.limit + 64),
      coverDepth: opts.coverDepth ?? 20,
      snapshotLimit: depthLimitFor(binanceProfile(opts.venue), this.limit)[0],
      ...(opts.maxBuffered === undefined ? {} : { maxBuffered: opts.maxBuffered }),
    };
    const streams: string[] = [];
    for (let i = 0; i < n; i++) {
      const sym = opts.table.get(i).symbol;
      this.syncs.push(futures ? new BinanceUsdmBookSync(syncOpts) : new BinanceSpotBookSync(syncOpts));
      streams.push(futures ? binanceUsdmDepthStream(sym, opts.speed ?? '@100ms') : binanceSpotDepthStream(sym, (opts.speed ?? '@100ms') !== ''));
    }
    this.url = futures
      ? binanceUsdmStreamUrl(streams, (opts.wsBase ?? BINANCE_USDM_STREAM_HOST).replace(/\/+$/, ''))
      : binanceSpotStreamUrl(streams, (opts.wsBase ?? BINANCE_SPOT_STREAM_BASE).replace(/\/+$/, ''));
    this.link = new WsLink(
      {
        name: `${opts.venue}:market`,
        url: this.url,
        maxPayload: BINANCE_MARKET_MAX_PAYLOAD,
        keepalive: { mode: 'server-ping' },
        staleMs: opts.staleMs ?? 5000,
        deadMs: opts.deadMs ?? (futures ? 600_000 : 60_000),
        maxAgeMs: 23.5 * 3600_000,
        skipUtf8Validation: true,
        ...opts.link,
      },
      {
        onOpen: () => this.onOpen(),
        onMessage: (data) => this.handleFrame(data),
        onClose: (code, reason) => this.disconnected(`closed ${code}${reason === '' ? '' : ` ${reason}`}`),
        onState: (s, reason) => this.onLinkState(s, reason),
        onHandlerError: (err) => this.onHandlerError(err),
      },
    );
  }

  get counts(): readonly { applied: number; dropped: number; buffered: number; resyncs: number }[] {
    return this.syncs.map((s) => s.counters);
  }

  // ---- frames ---------------------------------------------------------------------------------

  /**
   * Processes one frame as received on the link (the link's message handler; also the entry for
   * replay tools and fuzz tests). Never throws for any input.
   */
  handleFrame(buf: Uint8Array): void {
    const rx = this.clockUs();
    const c = this.counters;
    c.frames++;
    const p = this.parser;
    const k = p.parse(buf, 0, buf.length, this.hint);
    switch (k) {
      case BinanceMsg.DEPTH_UPDATE: {
        const d = p.depth;
        const i = d.instrument;
        const sync = this.syncs[i];
        if (sync === undefined || d.kind !== 'delta') {
          c.ignored++;
          return;
        }
        const step = sync.onDelta(d);
        if (step.status === 'applied') {
          const info = this.info;
          info.instrument = i;
          info.firstId = d.firstId;
          info.lastId = d.lastId;
          info.eventTimeMs = d.eventTimeMs;
          info.receivedUs = rx;
          info.snapshot = false;
          this.applied(sync.book);
          return;
        }
        this.countStep(i, step);
        if (sync.wantsSnapshot) this.wantSnapshot(i);
        return;
      }
      case BinanceMsg.SERVER_SHUTDOWN:
        c.shutdownNotices++;
        this.link.reconnect('serverShutdown');
        return;
      case BinanceMsg.ERROR:
        this.badFrame(`${parseErrorName(p.error)} at byte ${p.errorPos}`);
        return;
      case BinanceMsg.CONTROL_ERROR:
        c.venueErrors++;
        return;
      default:
        c.ignored++;
        return;
    }
  }

  /** A frame that does not parse: it may have been an update, so the book(s) resync. */
  private badFrame(detail: string): void {
    const c = this.counters;
    c.badFrames++;
    const i = this.parser.depth.instrument;
    if (i >= 0 && i < this.syncs.length) {
      this.breakBook(i, 'BAD_MESSAGE', `unparseable frame: ${detail}`);
      return;
    }
    c.unattributedBadFrames++;
    for (let j = 0; j < this.syncs.length; j++) this.breakBook(j, 'BAD_MESSAGE', `unparseable frame (instrument unknown): ${detail}`);
  }

  private breakBook(i: number, reason: 'BAD_MESSAGE', detail: string): void {
    const sync = this.syncs[i]!;
    const step = sync.invalidate(reason, detail);
    this.counters.resyncs++;
    if (step.status === 'resync') this.unsynced(i, step.reason, step.detail);
    this.wantSnapshot(i);
  }

  private onHandlerError(err: unknown): void {
    this.counters.handlerErrors++;
    const detail = err instanceof Error ? err.message : String(err);
    for (let j = 0; j < this.syncs.length; j++) {
      this.syncs[j]!.invalidate('BAD_MESSAGE', `handler error: ${detail}`);
      this.unsynced(j, 'HANDLER_ERROR', detail);
      this.wantSnapshot(j);
    }
  }

  /**
   * The streams are in the URL, so nothing is sent. Spot: a snapshot is fetched at once for
   * every book (a quiet market may send no event for a while); the first event after it must
   * still satisfy the first-event rule (U <= lastUpdateId + 1 < u + 1), else the book is fetched
   * again, so this only shortens the time to the first sync. USD-M's first event must bracket
   * the snapshot id (U <= L <= u), which an event newer than the snapshot never does: there the
   * documented order (events first, then the snapshot) is kept.
   */
  private onOpen(): void {
    if (this.venue !== 'binance-spot') return;
    for (let j = 0; j < this.syncs.length; j++) this.wantSnapshot(j);
  }

  // ---- snapshots ------------------------------------------------------------------------------

  protected stillWantsSnapshot(i: number): boolean {
    return this.syncs[i]!.wantsSnapshot && this.link.isOpen;
  }

  protected async fetchSnapshot(i: number): Promise<SnapshotFetch> {
    const sym = this.table.get(i).symbol;
    const a = await this.rest.depthSnapshot(sym, this.limit);
    if (this.stopped) return { ok: true };
    if (!a.ok) return snapshotRestFailure(a.error);
    const sync = this.syncs[i]!;
    if (sync.synced) return { ok: true };
    const rx = this.clockUs();
    const sp = this.snapParser;
    const k = sp.parse(a.body, 0, a.body.length, i);
    if (k !== BinanceMsg.DEPTH_SNAPSHOT) {
      this.counters.badFrames++;
      return { ok: false, detail: `snapshot: ${k === BinanceMsg.ERROR ? parseErrorName(sp.error) : 'not a depth snapshot'}` };
    }
    const step = sync.onSnapshot(sp.depth);
    if (step.status === 'applied') {
      this.counters.snapshotsApplied++;
      const info = this.info;
      info.instrument = i;
      info.firstId = sync.snapshotId;
      info.lastId = sync.book.updateId;
      info.eventTimeMs = sync.book.eventTimeMs;
      info.receivedUs = rx;
      info.snapshot = true;
      this.applied(sync.book);
      return { ok: true };
    }
    if (step.status === 'resync') {
      this.counters.snapshotsRejected++;
      this.counters.resyncs++;
      return { ok: false, detail: `${step.reason}: ${step.detail}` };
    }
    return { ok: true };
  }
}
