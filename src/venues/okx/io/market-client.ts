// OKX v5 market-data client: one public WebSocket link subscribed to an order-book channel
// (`books` by default) for several instruments, the pure OkxMarketData (byte-level parser + one
// OkxBookSync per instrument), REST `GET /api/v5/market/books` snapshots when a sync machine
// asks for one (the 2026 bootstrap), resubscription when one asks for a WS snapshot, and the
// feed events (src/venues/io/market.ts).
//
// Protocol (PROTOCOLS.md §3.2, §3.3): subscribe `{"op":"subscribe","args":[{"channel","instId"}]}`
// on open; keepalive: after 20 s without a frame send the text `ping`, expect `pong`, else
// reconnect (the server drops silent connections after 30 s, close 4004); notice 64008 ("will
// close for a service upgrade") -> reconnect at once; subscribe/unsubscribe/login are budgeted
// (480 per hour per connection).
//
// Invariants:
// - Hot path (one books frame): parse from the Buffer's bytes, one sync step, one onBook for an
//   applied update; no allocation besides the frame `ws` allocated.
// - Every frame that does not parse is counted and answered with a resync of its book (or of
//   every book when it cannot be attributed).
// - A disconnect unsyncs every book (sync machines reset; the next subscription brings a WS
//   snapshot, or the REST bootstrap runs).
// - OKX checksum 0 means "absent" (handled by the sync machine).
import type { InstrumentTable } from '../../../core/instrument.js';
import { MarketClientBase, snapshotRestFailure, type MarketClientCommon, type MarketDataClient, type MarketEvents, type SnapshotFetch } from '../../io/market.js';
import { WsLink, type WsLinkOptions } from '../../io/ws-link.js';
import type { OkxBookSync, OkxBookSyncOptions } from '../book-sync.js';
import type { OkxBookChannel } from '../frame-parser.js';
import { OkxMarketData } from '../market-data.js';
import { okxSubscribe, OKX_PING } from '../requests.js';
import type { OkxRestClient } from './rest-client.js';

export const OKX_PUBLIC_WS = 'wss://ws.okx.com:8443/ws/v5/public';
/** A `books` snapshot of 400 levels per side is ~40 KB; books-full ~0.5 MB. */
export const OKX_MARKET_MAX_PAYLOAD = 4 << 20;

export interface OkxMarketClientOptions extends MarketClientCommon {
  /** Instruments 0..n-1 of this table are followed (instIds). */
  readonly table: InstrumentTable;
  /** REST client for the snapshot bootstrap. */
  readonly rest: OkxRestClient;
  /** Public WS URL. Default wss://ws.okx.com:8443/ws/v5/public. */
  readonly wsUrl?: string;
  /** Default 'books'. */
  readonly channel?: OkxBookChannel;
  readonly sync?: Omit<OkxBookSyncOptions, 'channel'>;
  /** REST snapshot depth (1..400). Default 400. */
  readonly snapshotDepth?: number;
  /** No frame for this long -> 'stale'. Default 5000. */
  readonly staleMs?: number;
  /** Idle time before a text ping (< 30 s). Default 20000. */
  readonly pingIdleMs?: number;
  /** Wait for any frame after a ping. Default 10000. */
  readonly pongTimeoutMs?: number;
  readonly link?: Partial<Pick<WsLinkOptions, 'backoff' | 'rng' | 'handshakeTimeoutMs' | 'maxPayload' | 'checkIntervalMs' | 'deadMs'>>;
}

export class OkxMarketClient extends MarketClientBase<OkxBookSync> implements MarketDataClient {
  readonly venue = 'okx' as const;
  readonly link: WsLink;
  readonly md: OkxMarketData;
  private readonly rest: OkxRestClient;
  private readonly channel: OkxBookChannel;
  private readonly depth: number;
  private subId = 1;
  /** Subscribe/unsubscribe/login requests on the current connection (480 per hour allowed). */
  private subscribeOps = 0;

  constructor(
    opts: OkxMarketClientOptions,
    events: MarketEvents,
  ) {
    const n = opts.table.size;
    super(n, events, opts);
    if (n === 0) throw new Error('okx market client: no instruments');
    this.rest = opts.rest;
    this.channel = opts.channel ?? 'books';
    this.depth = opts.snapshotDepth ?? 400;
    const subs = [];
    for (let i = 0; i < n; i++) subs.push({ instId: opts.table.get(i).symbol, channel: this.channel });
    this.md = new OkxMarketData(opts.table, subs, opts.sync ?? {}, { maxFrameBytes: opts.link?.maxPayload ?? OKX_MARKET_MAX_PAYLOAD });
    for (let i = 0; i < n; i++) this.syncs.push(this.md.sync(opts.table.get(i).symbol, this.channel)!);
    this.link = new WsLink(
      {
        name: 'okx:market',
        url: opts.wsUrl ?? OKX_PUBLIC_WS,
        maxPayload: OKX_MARKET_MAX_PAYLOAD,
        keepalive: { mode: 'text-ping', idleMs: opts.pingIdleMs ?? 20_000, pongTimeoutMs: opts.pongTimeoutMs ?? 10_000, pingText: OKX_PING },
        staleMs: opts.staleMs ?? 5000,
        skipUtf8Validation: true,
        maxSendPerSec: 20,
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

  // ---- connection -----------------------------------------------------------------------------

  private onOpen(): void {
    this.subscribeOps = 0;
    for (const s of this.syncs) s.reset();
    const args = this.syncs.map((s) => ({ channel: this.channel, instId: s.instrument.symbol }));
    const built = okxSubscribe('subscribe', args, `s${this.subId++}`);
    if (built.ok) {
      this.subscribeOps++;
      this.link.send(built.value);
    }
  }

  private resubscribe(i: number): void {
    if (this.subscribeOps + 2 > 480 || !this.link.isOpen) return;
    const arg = [{ channel: this.channel, instId: this.syncs[i]!.instrument.symbol }];
    const un = okxSubscribe('unsubscribe', arg, `u${this.subId++}`);
    const sub = okxSubscribe('subscribe', arg, `s${this.subId++}`);
    if (!un.ok || !sub.ok) return;
    this.subscribeOps += 2;
    this.syncs[i]!.reset();
    this.link.send(un.value);
    this.link.send(sub.value);
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
    const o = this.md.onFrame(buf, 0, buf.length);
    switch (o.kind) {
      case 'book': {
        const sync = o.sync;
        const step = o.step;
        if (sync === null || step === null) {
          c.ignored++;
          return;
        }
        const i = o.instrument;
        if (step.status === 'applied') {
          const u = this.md.parser.update;
          const info = this.info;
          info.instrument = i;
          const snap = u.kind === 'snapshot';
          info.firstId = snap || u.prevId < 0 ? u.lastId : u.prevId + 1;
          info.lastId = sync.lastSeqId;
          info.eventTimeMs = u.eventTimeMs;
          info.receivedUs = rx;
          info.snapshot = snap;
          this.applied(sync.book);
          return;
        }
        if (step.status === 'heartbeat') {
          c.heartbeats++;
          return;
        }
        this.countStep(i, step);
        this.serveNeed(i);
        return;
      }
      case 'error':
        this.badFrame(o.instrument, o.error ?? 'MALFORMED');
        return;
      case 'event': {
        const p = this.md.parser;
        if (p.event === 'notice' && p.code === 64008) {
          c.shutdownNotices++;
          this.link.reconnect('notice 64008: service upgrade');
        } else if (p.event === 'error' || p.event === 'channel-conn-count-error') {
          c.venueErrors++;
        }
        return;
      }
      case 'pong':
        return;
      default:
        c.ignored++;
        return;
    }
  }

  private serveNeed(i: number): void {
    const need = this.syncs[i]!.need;
    if (need === 'rest-snapshot') this.wantSnapshot(i);
    else if (need === 'resubscribe') this.resubscribe(i);
  }

  private badFrame(instrument: number, code: string): void {
    const c = this.counters;
    c.badFrames++;
    if (instrument >= 0) {
      // OkxMarketData already marked that book unsynced (BAD_MESSAGE, okx.parse)
      c.resyncs++;
      this.unsynced(instrument, 'BAD_MESSAGE', `unparseable frame: ${code}`);
      this.serveNeed(instrument);
      return;
    }
    c.unattributedBadFrames++;
    for (let j = 0; j < this.syncs.length; j++) {
      const step = this.syncs[j]!.onBadMessage(`unattributed unparseable frame: ${code}`);
      c.resyncs++;
      if (step.status === 'resync') this.unsynced(j, step.reason, step.detail);
      this.serveNeed(j);
    }
  }

  private onHandlerError(err: unknown): void {
    this.counters.handlerErrors++;
    const detail = err instanceof Error ? err.message : String(err);
    for (let j = 0; j < this.syncs.length; j++) {
      this.syncs[j]!.onBadMessage(`handler error: ${detail}`);
      this.unsynced(j, 'HANDLER_ERROR', detail);
      this.serveNeed(j);
    }
  }

  // ---- snapshots ------------------------------------------------------------------------------

  protected stillWantsSnapshot(i: number): boolean {
    return this.syncs[i]!.need === 'rest-snapshot' && this.link.isOpen;
  }

  protected async fetchSnapshot(i: number): Promise<SnapshotFetch> {
    const sync = this.syncs[i]!;
    const instId = sync.instrument.symbol;
    const a = await this.rest.books(instId, this.depth);
    if (this.stopped) return { ok: true };
    if (!a.ok) return snapshotRestFailure(a.error);
    if (sync.need !== 'rest-snapshot') return { ok: true };
    const rx = this.clockUs();
    const step = this.md.onRestSnapshot(instId, this.channel, a.body);
    if (typeof step === 'string') {
      this.counters.badFrames++;
      return { ok: false, detail: `snapshot: ${step}`, ...(a.retryAfterMs === undefined ? {} : { retryAfterMs: a.retryAfterMs }) };
    }
    if (step.status === 'applied') {
      this.counters.snapshotsApplied++;
      const info = this.info;
      info.instrument = i;
      info.firstId = sync.lastSeqId;
      info.lastId = sync.lastSeqId;
      info.eventTimeMs = sync.book.eventTimeMs;
      info.receivedUs = rx;
      info.snapshot = true;
      this.applied(sync.book);
      return { ok: true };
    }
    if (step.status === 'resync') {
      this.counters.snapshotsRejected++;
      this.counters.resyncs++;
      this.serveNeed(i);
      return { ok: false, detail: `${step.reason}: ${step.detail}` };
    }
    return { ok: true };
  }
}
