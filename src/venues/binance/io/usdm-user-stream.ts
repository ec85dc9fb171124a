// Binance USD-M user-data stream (PROTOCOLS.md §2.6): a listenKey from `POST /fapi/v1/listenKey`,
// the 2026 `/private/ws?listenKey=<k>&events=ORDER_TRADE_UPDATE/TRADE_LITE/ACCOUNT_UPDATE`
// socket, a `PUT` keepalive well inside the key's 60 minutes, and `listenKeyExpired` (or a PUT
// answered -1125 "listenKey does not exist") -> a new key and a new connection.
// ORDER_TRADE_UPDATE and TRADE_LITE frames are mapped to VenueOrderReport and handed to
// `onReport`. ACCOUNT_UPDATE carries the wallet balance (`wb`) but no available balance (`cw` is
// the cross wallet balance, not what new orders may use), so with `onBalance` set every
// ACCOUNT_UPDATE is answered by a REST balance re-fetch (`GET /fapi/v3/balance`), coalesced: at
// most one fetch in flight and one queued behind it; each successful fetch is handed to
// `onBalance` as a snapshot (source 'rest'). A failed re-fetch is counted and dropped (the
// executor's periodic fetchBalances covers it). Per the docs, ACCOUNT_UPDATE is not pushed for
// orders that are placed or cancelled without a fill, so the available balance those lock or
// release reaches the executor through its own fetches, not through this stream.
//
// Invariants:
// - Every connection asks for a key first (POST returns the active key and extends it, or a new
//   one), so a reconnect after an expiry always uses a valid key.
// - A frame that does not map is counted, never thrown.
// - Balance re-fetches never overlap (CoalescedRefresh) and stop with the stream.
// - Keepalive: the server pings every 3 minutes and `ws` answers with pongs; reconnect with
//   backoff on any close.
import type { InstrumentTable } from '../../../core/instrument.js';
import type { VenueBalanceUpdate, VenueOrderReport } from '../../types.js';
import { CoalescedRefresh } from '../../io/coalesce.js';
import { WsLink, type WsLinkOptions, type WsLinkState } from '../../io/ws-link.js';
import { binanceUsdmPrivateUrl, BINANCE_USDM, BINANCE_USDM_STREAM_HOST } from '../../binance-usdm/endpoints.js';
import { parseUsdmAccountUpdate } from '../balances.js';
import { mapBinancePrivateMessage } from '../private.js';
import type { BinanceRestClient } from './rest-client.js';

export interface BinanceUsdmUserStreamOptions {
  /** The USD-M REST client (listenKey calls, with its API key). */
  readonly rest: BinanceRestClient;
  readonly table: InstrumentTable;
  /** Stream host (paths /private/ws...). Default wss://fstream.binance.com. */
  readonly wsBase?: string;
  readonly events?: readonly string[];
  readonly onReport?: (r: VenueOrderReport) => void;
  /** Balance snapshots re-fetched over REST after each ACCOUNT_UPDATE (coalesced). */
  readonly onBalance?: (u: VenueBalanceUpdate) => void;
  readonly onState?: (s: WsLinkState, reason: string) => void;
  /** listenKey keepalive (PUT) period. Default 30 minutes. */
  readonly keepaliveMs?: number;
  readonly wallClockMs?: () => number;
  readonly link?: Partial<Pick<WsLinkOptions, 'backoff' | 'rng' | 'handshakeTimeoutMs' | 'deadMs' | 'checkIntervalMs'>>;
}

export interface UsdmUserStreamCounters {
  listenKeys: number;
  keepalives: number;
  keepaliveFailures: number;
  expired: number;
  reports: number;
  badMessages: number;
  accountUpdates: number;
  balanceFetches: number;
  balanceFetchFailures: number;
}

export class BinanceUsdmUserStream {
  readonly link: WsLink;
  readonly counters: UsdmUserStreamCounters = { listenKeys: 0, keepalives: 0, keepaliveFailures: 0, expired: 0, reports: 0, badMessages: 0, accountUpdates: 0, balanceFetches: 0, balanceFetchFailures: 0 };
  /** The listenKey of the current connection ('' before the first). */
  listenKey = '';
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly wall: () => number;
  private openWaiters: (() => void)[] = [];
  /** ACCOUNT_UPDATE -> REST balance re-fetch, at most one in flight plus one queued. */
  readonly balanceRefresh: CoalescedRefresh;

  constructor(private readonly opts: BinanceUsdmUserStreamOptions) {
    this.wall = opts.wallClockMs ?? Date.now;
    this.balanceRefresh = new CoalescedRefresh(() => this.refetchBalances());
    const host = (opts.wsBase ?? BINANCE_USDM_STREAM_HOST).replace(/\/+$/, '');
    const events = opts.events ?? BINANCE_USDM.privateEvents;
    this.link = new WsLink(
      {
        name: 'binance-usdm:user-data',
        url: async () => {
          const r = await opts.rest.listenKey('POST');
          if (!r.ok) throw new Error(`listenKey: ${r.error.code} ${r.error.venueCode} ${r.error.message}`);
          this.counters.listenKeys++;
          this.listenKey = r.listenKey;
          return binanceUsdmPrivateUrl(r.listenKey, events, host);
        },
        maxPayload: 1 << 20,
        keepalive: { mode: 'server-ping' },
        deadMs: 600_000,
        ...opts.link,
      },
      {
        onOpen: () => {
          const w = this.openWaiters;
          this.openWaiters = [];
          for (const f of w) f();
        },
        onMessage: (data) => this.onMessage(data),
        onState: (s, reason) => opts.onState?.(s, reason),
      },
    );
  }

  start(): void {
    this.link.start();
    this.timer = setInterval(() => void this.keepalive(), this.opts.keepaliveMs ?? 30 * 60_000);
  }

  /** Resolves when the stream socket is open. */
  ready(): Promise<void> {
    if (this.link.isOpen) return Promise.resolve();
    return new Promise((r) => this.openWaiters.push(r));
  }

  /** Extends the key (PUT); a key the venue no longer knows means a new key and connection. */
  async keepalive(): Promise<void> {
    if (this.listenKey === '') return;
    const r = await this.opts.rest.listenKey('PUT');
    if (r.ok) {
      this.counters.keepalives++;
      return;
    }
    this.counters.keepaliveFailures++;
    if (r.error.venueCode === '-1125') this.link.reconnect('listenKey does not exist');
  }

  private onMessage(data: Buffer): void {
    const ev = mapBinancePrivateMessage('binance-usdm', data.toString('utf8'), this.opts.table, this.wall());
    switch (ev.type) {
      case 'report':
        this.counters.reports++;
        this.opts.onReport?.(ev.report);
        return;
      case 'account':
        if (ev.event !== 'ACCOUNT_UPDATE') return;
        this.counters.accountUpdates++;
        // a malformed ACCOUNT_UPDATE still says the account changed: fetch all the same
        if (!parseUsdmAccountUpdate(ev.data).ok) this.counters.badMessages++;
        if (this.opts.onBalance !== undefined) this.balanceRefresh.request();
        return;
      case 'listen_key_expired':
        this.counters.expired++;
        this.link.reconnect('listenKeyExpired');
        return;
      case 'error':
        this.counters.badMessages++;
        return;
      default:
        return;
    }
  }

  private async refetchBalances(): Promise<void> {
    this.counters.balanceFetches++;
    const r = await this.opts.rest.balances();
    if (this.balanceRefresh.stopped) return;
    if (!r.ok) {
      this.counters.balanceFetchFailures++;
      return;
    }
    this.opts.onBalance?.(r.update);
  }

  async stop(): Promise<void> {
    this.balanceRefresh.stop();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.link.stop();
  }
}
