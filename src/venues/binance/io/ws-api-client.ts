// Binance WebSocket API client (PROTOCOLS.md §1.5, §1.6): order entry over one trading socket
// (`order.place`, `order.cancel`, `order.status` by client order id, requests signed with the
// sorted WS-API form) and, on spot, the 2026 user-data delivery: `userDataStream.subscribe.
// signature` on the same connection, whose `{"subscriptionId":N,"event":{...}}` frames carry the
// executionReports that are mapped to VenueOrderReport and handed to `onReport`, and the
// `outboundAccountPosition` events that are mapped to VenueBalanceUpdate (changed assets) and
// handed to `onBalance` (`balanceUpdate` deltas are not: an outboundAccountPosition follows them).
//
// Invariants:
// - No method rejects (OrderClient contract). A request that could not be written (socket not
//   open) is 'known' not executed; a request whose answer did not come within the timeout, or
//   whose socket closed first, is outcome 'unknown' (query by client id; never re-sent here).
//   Request ids, timeouts and answer matching: src/venues/io/pending.ts.
// - Every answer's `rateLimits` feed the budget; a 429/418 answer blocks it until `retryAfter`.
// - After every (re)connect the user-data subscription is renewed (spot), and after an
//   `eventStreamTerminated` event too; `userDataActive` says whether reports can arrive.
// - Keepalive: the server pings, `ws` answers with pongs (autoPong); reconnect with backoff.
import type { InstrumentTable } from '../../../core/instrument.js';
import type { OrderIntent, VenueBalanceUpdate, VenueErrorInfo, VenueOrderReport } from '../../types.js';
import { Backoff } from '../../io/backoff.js';
import { REHEARSAL_REQUEST_ID, garbledInfo, localRateLimitInfo, notSentInfo, type OrderClient, type OrderOutcome, type QueryOutcome } from '../../io/orders.js';
import { PendingAnswers } from '../../io/pending.js';
import { WsLink, type WsLinkOptions, type WsLinkState } from '../../io/ws-link.js';
import { mapBinanceAccountPosition } from '../balances.js';
import { deliverBalance } from '../../balances.js';
import { binanceDisconnectedInfo, binanceTimeoutInfo } from '../errors.js';
import { binanceErrorReport, mapBinanceOrderAnswer, mapBinancePrivateMessage, type BinanceWsApiResponse } from '../private.js';
import { BinanceRateBudget } from '../rate-limits.js';
import { wsApiCancelOrder, wsApiNewOrder, wsApiQueryOrder, wsApiUserDataSubscribe, type NewOrderOptions, type SignContext, type WsApiRequest } from '../requests.js';
import type { BinanceCredentials } from '../signing.js';
import { binanceProfile, buildError, type BinanceVenue } from './rest-client.js';

/** Largest frame on the trading socket (answers and user-data events are small). */
export const BINANCE_WS_API_MAX_PAYLOAD = 1 << 20;

export interface BinanceWsApiClientOptions {
  readonly venue: BinanceVenue;
  readonly creds: BinanceCredentials;
  readonly table: InstrumentTable;
  /** Default: the profile's production WS-API URL. */
  readonly url?: string;
  /** Spot: subscribe to user data on this connection (default true on spot, not available on USD-M). */
  readonly userData?: boolean;
  readonly onReport?: (r: VenueOrderReport) => void;
  /** Spot user data: balances of the assets an `outboundAccountPosition` lists. */
  readonly onBalance?: (u: VenueBalanceUpdate) => void;
  readonly onState?: (s: WsLinkState, reason: string) => void;
  readonly wallClockMs?: () => number;
  readonly recvWindowMs?: number;
  /** No answer within this -> outcome unknown. Default 5000 ms. */
  readonly requestTimeoutMs?: number;
  /** Shared with the REST client of the same IP/account when given. */
  readonly budget?: BinanceRateBudget;
  readonly newOrder?: NewOrderOptions;
  readonly link?: Partial<Pick<WsLinkOptions, 'backoff' | 'rng' | 'handshakeTimeoutMs' | 'deadMs' | 'checkIntervalMs'>>;
}

type PendingKind = 'place' | 'cancel' | 'query' | 'subscribe';

export interface BinanceWsApiCounters {
  requests: number;
  answers: number;
  timeouts: number;
  lateAnswers: number;
  reports: number;
  balances: number;
  badMessages: number;
  subscriptions: number;
  localRateLimited: number;
}

export class BinanceWsApiClient implements OrderClient {
  readonly venue: BinanceVenue;
  readonly link: WsLink;
  readonly budget: BinanceRateBudget;
  readonly requestValidityMs: number;
  readonly counters: BinanceWsApiCounters = { requests: 0, answers: 0, timeouts: 0, lateAnswers: 0, reports: 0, balances: 0, badMessages: 0, subscriptions: 0, localRateLimited: 0 };
  /** The user-data subscription is active on the current connection. */
  userDataActive = false;
  private readonly table: InstrumentTable;
  private readonly creds: BinanceCredentials;
  private readonly wall: () => number;
  private readonly recvWindowMs: number | undefined;
  private readonly timeoutMs: number;
  private readonly userData: boolean;
  private readonly newOrderOpts: NewOrderOptions;
  private readonly pending: PendingAnswers<BinanceWsApiResponse>;
  private nextId = 1;
  private readonly idPrefix: string;
  private readyWaiters: (() => void)[] = [];
  private resubscribe: Backoff;
  private resubTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly opts: BinanceWsApiClientOptions) {
    this.venue = opts.venue;
    const profile = binanceProfile(opts.venue);
    this.table = opts.table;
    this.creds = opts.creds;
    this.wall = opts.wallClockMs ?? Date.now;
    this.recvWindowMs = opts.recvWindowMs;
    this.requestValidityMs = opts.recvWindowMs ?? 5000;
    this.timeoutMs = opts.requestTimeoutMs ?? 5000;
    this.userData = opts.venue === 'binance-spot' && opts.userData !== false;
    this.budget = opts.budget ?? new BinanceRateBudget(profile.defaultRateLimits, 0.9);
    this.newOrderOpts = opts.newOrder ?? {};
    const rng = opts.link?.rng ?? Math.random;
    this.idPrefix = `w${Math.floor(rng() * 36 ** 4).toString(36)}-`;
    this.resubscribe = new Backoff({ baseMs: 100, maxMs: 5000 }, rng);
    this.link = new WsLink(
      {
        name: `${opts.venue}:ws-api`,
        url: opts.url ?? profile.wsApiUrl,
        maxPayload: BINANCE_WS_API_MAX_PAYLOAD,
        keepalive: { mode: 'server-ping' },
        deadMs: opts.venue === 'binance-spot' ? 60_000 : 600_000,
        maxSendPerSec: 1000,
        ...opts.link,
      },
      {
        onOpen: () => this.onOpen(),
        onMessage: (data) => this.onMessage(data),
        onClose: () => this.onClose(),
        onState: (s, reason) => opts.onState?.(s, reason),
      },
    );
    this.pending = new PendingAnswers(this.link, this.timeoutMs, this.counters, binanceTimeoutInfo);
  }

  start(): void {
    this.link.start();
  }

  /** Resolves when the socket is open and (spot) the user-data subscription is active. */
  ready(): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  private isReady(): boolean {
    return this.link.isOpen && (!this.userData || this.userDataActive);
  }

  private checkReady(): void {
    if (!this.isReady()) return;
    const w = this.readyWaiters;
    this.readyWaiters = [];
    for (const f of w) f();
  }

  async close(): Promise<void> {
    if (this.resubTimer !== null) clearTimeout(this.resubTimer);
    await this.link.stop();
    this.failPending('client closed');
  }

  private sign(): SignContext {
    const nowMs = this.wall();
    return this.recvWindowMs === undefined ? { nowMs } : { nowMs, recvWindowMs: this.recvWindowMs };
  }

  private newId(): string {
    return this.idPrefix + (this.nextId++).toString(36);
  }

  // ---- connection -----------------------------------------------------------------------------

  private onOpen(): void {
    this.userDataActive = false;
    this.resubscribe.reset();
    if (this.userData) this.subscribeUserData();
    else this.checkReady();
  }

  private subscribeUserData(): void {
    if (!this.link.isOpen) return;
    let req: WsApiRequest;
    try {
      req = wsApiUserDataSubscribe(binanceProfile(this.venue), this.creds, this.newId(), this.sign());
    } catch {
      return;
    }
    this.counters.subscriptions++;
    this.request('subscribe', req).then((r) => {
      if ('code' in r || r.error !== null) {
        // refused or lost: try again later on this connection
        if (this.link.isOpen && this.resubTimer === null) {
          this.resubTimer = setTimeout(() => {
            this.resubTimer = null;
            this.subscribeUserData();
          }, this.resubscribe.next());
        }
        return;
      }
      this.userDataActive = true;
      this.checkReady();
    }, () => undefined);
  }

  private onClose(): void {
    this.userDataActive = false;
    this.failPending('connection closed');
  }

  private failPending(why: string): void {
    this.pending.failAll((kind) => binanceDisconnectedInfo(`${why} with ${kind} in flight`));
  }

  private onMessage(data: Buffer): void {
    const now = this.wall();
    const ev = mapBinancePrivateMessage(this.venue, data.toString('utf8'), this.table, now);
    switch (ev.type) {
      case 'response': {
        const r = ev.response;
        if (r.rateLimits.length > 0) this.budget.onRateLimits(r.rateLimits, now);
        if (r.status === 429 || r.status === 418) this.budget.onLimited(r.status, r.error?.retryAfterMs, now);
        this.pending.answer(r.id, r);
        return;
      }
      case 'report':
        this.counters.reports++;
        this.opts.onReport?.(ev.report);
        return;
      case 'stream_terminated':
        this.userDataActive = false;
        this.subscribeUserData();
        return;
      case 'account': {
        // balanceUpdate (a deposit / withdrawal delta) is followed by an outboundAccountPosition
        // with the asset's new values: only the latter is mapped
        if (ev.event !== 'outboundAccountPosition') return;
        deliverBalance(mapBinanceAccountPosition(ev.data), this.counters, this.opts.onBalance);
        return;
      }
      case 'error':
        this.counters.badMessages++;
        return;
      default:
        return;
    }
  }

  /** Sends one request and waits for its answer (or a mapped failure). */
  private request(kind: PendingKind, req: WsApiRequest): Promise<BinanceWsApiResponse | VenueErrorInfo> {
    if (!this.link.isOpen) return Promise.resolve(notSentInfo('ws-api socket not open'));
    return this.pending.send(req.id, req.text, kind, 'ws-api socket not open');
  }

  // ---- OrderClient ----------------------------------------------------------------------------

  rehearsePlace(instrument: number, intent: OrderIntent): boolean {
    try {
      wsApiNewOrder(binanceProfile(this.venue), this.creds, REHEARSAL_REQUEST_ID, this.table.get(instrument), intent, this.sign(), this.newOrderOpts);
      return true;
    } catch {
      return false;
    }
  }

  async place(instrument: number, intent: OrderIntent): Promise<OrderOutcome> {
    const ins = this.table.get(instrument);
    const fail = (error: VenueErrorInfo): OrderOutcome => ({ ok: false, error, report: binanceErrorReport(this.venue, ins.symbol, intent.clientOrderId, intent.side, error, this.table, this.wall()) });
    const wait = this.budget.waitMs(1, 1, this.wall());
    if (wait > 0) {
      this.counters.localRateLimited++;
      return fail(localRateLimitInfo(wait, 'order.place'));
    }
    let req: WsApiRequest;
    try {
      req = wsApiNewOrder(binanceProfile(this.venue), this.creds, this.newId(), ins, intent, this.sign(), this.newOrderOpts);
    } catch (err) {
      return fail(buildError(err));
    }
    this.budget.record(1, 1, this.wall());
    const r = await this.request('place', req);
    if ('code' in r) return fail(r);
    if (r.error !== null) return fail(r.error);
    const rep = mapBinanceOrderAnswer(this.venue, r.result, this.table);
    return typeof rep === 'string' ? fail(garbledInfo(rep)) : { ok: true, report: rep };
  }

  async cancel(instrument: number, clientOrderId: string): Promise<OrderOutcome> {
    const ins = this.table.get(instrument);
    let req: WsApiRequest;
    try {
      req = wsApiCancelOrder(binanceProfile(this.venue), this.creds, this.newId(), ins.symbol, clientOrderId, this.sign());
    } catch (err) {
      return { ok: false, error: buildError(err), report: null };
    }
    const r = await this.request('cancel', req);
    if ('code' in r) return { ok: false, error: r, report: null };
    if (r.error !== null) return { ok: false, error: r.error, report: null };
    const rep = mapBinanceOrderAnswer(this.venue, r.result, this.table);
    return typeof rep === 'string' ? { ok: false, error: garbledInfo(rep), report: null } : { ok: true, report: rep };
  }

  async query(instrument: number, clientOrderId: string): Promise<QueryOutcome> {
    const ins = this.table.get(instrument);
    let req: WsApiRequest;
    try {
      req = wsApiQueryOrder(binanceProfile(this.venue), this.creds, this.newId(), ins.symbol, clientOrderId, this.sign());
    } catch (err) {
      return { found: false, error: buildError(err) };
    }
    const r = await this.request('query', req);
    if ('code' in r) return { found: false, error: r };
    if (r.error !== null) return { found: false, error: r.error };
    const rep = mapBinanceOrderAnswer(this.venue, r.result, this.table);
    return typeof rep === 'string' ? { found: false, error: garbledInfo(rep) } : { found: true, report: rep };
  }
}
