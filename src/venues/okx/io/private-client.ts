// OKX v5 private WebSocket client (PROTOCOLS.md §3.2, §3.5, §3.6): login
// (`{"op":"login","args":[{apiKey,passphrase,timestamp (s),sign}]}`), the `orders` channel whose
// pushes are mapped to VenueOrderReport and handed to `onReport`, the `account` channel whose
// pushes are mapped to VenueBalanceUpdate (balances.ts: the first / regular snapshot pushes are
// whole-account snapshots, event pushes list the changed currencies) and handed to `onBalance`,
// and order entry over the same socket (`op: order`, `op: cancel-order`, answers matched by
// request id). Queries go through the REST client (`GET /api/v5/trade/order?clOrdId=`), which has
// no WS equivalent.
//
// Invariants:
// - No method rejects (OrderClient contract). Orders are only written once logged in; a request
//   that could not be written is 'known' not executed, one whose answer did not come in time or
//   whose socket closed first is outcome 'unknown'.
//   Request ids, timeouts and answer matching: src/venues/io/pending.ts.
// - After every (re)connect: login, then subscribe to the orders channel(s) and, in its own
//   request, to the account channel; `ready()` resolves when login and the orders subscription
//   are confirmed (a refused account subscription does not block orders: it is counted and kept
//   in `lastError`).
// - Keepalive: text `ping` after 20 s idle, `pong` expected, else reconnect; notice 64008 ->
//   reconnect at once.
// - Trading requests share the per-instrument budgets with REST (OKX counts them together).
// - Private frames are few: they are decoded and JSON.parse'd (not the market hot path).
import type { InstrumentTable } from '../../../core/instrument.js';
import type { OrderIntent, VenueBalanceUpdate, VenueErrorInfo, VenueOrderReport } from '../../types.js';
import { REHEARSAL_REQUEST_ID, localRateLimitInfo, notSentInfo, requestReport, type OrderClient, type OrderOutcome, type QueryOutcome } from '../../io/orders.js';
import { PendingAnswers } from '../../io/pending.js';
import { WsLink, type WsLinkOptions, type WsLinkState } from '../../io/ws-link.js';
import { mapOkxAccountPush } from '../balances.js';
import { deliverBalance } from '../../balances.js';
import { okxDisconnectedInfo, okxTimeoutInfo } from '../errors.js';
import { mapOkxOrdersPush, okxSingleOrderResult, parseOkxEvent, parseOkxOrderResponse, type OkxOpResponse } from '../orders.js';
import { okxCancelOrderWs, okxPlaceOrderWs, okxSubscribe, OKX_PING, type OkxChannelArg, type OkxOrderParams, type OkxWsRequest } from '../requests.js';
import { okxLoginRequest, type OkxCredentials } from '../sign.js';
import { okxAckReport, okxOrderParams, type OkxRestClient } from './rest-client.js';

export const OKX_PRIVATE_WS = 'wss://ws.okx.com:8443/ws/v5/private';

export interface OkxPrivateClientOptions {
  readonly creds: OkxCredentials;
  readonly table: InstrumentTable;
  /** REST client for queries (and the shared trading budgets). */
  readonly rest: OkxRestClient;
  /** Default wss://ws.okx.com:8443/ws/v5/private. */
  readonly wsUrl?: string;
  /** Channels to subscribe after login. Default [{channel:'orders', instType:'ANY'}]. */
  readonly channels?: readonly OkxChannelArg[];
  /** instId -> instIdCode for the 2026 WS order args (instId is sent when absent). */
  readonly instIdCodes?: ReadonlyMap<string, number>;
  readonly onReport?: (r: VenueOrderReport) => void;
  /** Subscribe to the `account` channel after login (default true). */
  readonly balances?: boolean;
  /** Balance updates from the `account` channel. */
  readonly onBalance?: (u: VenueBalanceUpdate) => void;
  readonly onState?: (s: WsLinkState, reason: string) => void;
  readonly wallClockMs?: () => number;
  /** No answer within this -> outcome unknown. Default 5000 ms. */
  readonly requestTimeoutMs?: number;
  readonly derivativesTdMode?: 'cross' | 'isolated';
  readonly link?: Partial<Pick<WsLinkOptions, 'backoff' | 'rng' | 'handshakeTimeoutMs' | 'checkIntervalMs' | 'deadMs' | 'keepalive'>>;
}

export interface OkxPrivateCounters {
  logins: number;
  loginFailures: number;
  requests: number;
  answers: number;
  timeouts: number;
  lateAnswers: number;
  reports: number;
  balances: number;
  accountSubscribeFailures: number;
  badMessages: number;
  notices: number;
  localRateLimited: number;
}

export class OkxPrivateClient implements OrderClient {
  readonly venue = 'okx' as const;
  readonly link: WsLink;
  readonly requestValidityMs: number;
  readonly counters: OkxPrivateCounters = { logins: 0, loginFailures: 0, requests: 0, answers: 0, timeouts: 0, lateAnswers: 0, reports: 0, balances: 0, accountSubscribeFailures: 0, badMessages: 0, notices: 0, localRateLimited: 0 };
  loggedIn = false;
  subscribed = false;
  /** The account channel subscription is confirmed on the current connection. */
  accountSubscribed = false;
  /** No account push has arrived yet since the account subscription was confirmed. */
  private accountFirstPending = false;
  /** Request id of the current connection's account subscription ('' when none was sent). */
  private accountSubId = '';
  /** Last login / subscription error (null when none). */
  lastError: VenueErrorInfo | null = null;
  private readonly table: InstrumentTable;
  private readonly rest: OkxRestClient;
  private readonly wall: () => number;
  private readonly timeoutMs: number;
  private readonly pending: PendingAnswers<OkxOpResponse>;
  private readonly channels: readonly OkxChannelArg[];
  private nextId = 1;
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly opts: OkxPrivateClientOptions) {
    this.table = opts.table;
    this.rest = opts.rest;
    this.wall = opts.wallClockMs ?? Date.now;
    this.timeoutMs = opts.requestTimeoutMs ?? 5000;
    this.requestValidityMs = opts.rest.requestValidityMs;
    this.channels = opts.channels ?? [{ channel: 'orders', instType: 'ANY' }];
    this.link = new WsLink(
      {
        name: 'okx:private',
        url: opts.wsUrl ?? OKX_PRIVATE_WS,
        maxPayload: 1 << 20,
        keepalive: { mode: 'text-ping', idleMs: 20_000, pongTimeoutMs: 10_000, pingText: OKX_PING },
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
    this.pending = new PendingAnswers(this.link, this.timeoutMs, this.counters, okxTimeoutInfo);
  }

  start(): void {
    this.link.start();
  }

  /** Resolves when logged in and subscribed on the current connection. */
  ready(): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  private isReady(): boolean {
    return this.link.isOpen && this.loggedIn && this.subscribed;
  }

  private checkReady(): void {
    if (!this.isReady()) return;
    const w = this.readyWaiters;
    this.readyWaiters = [];
    for (const f of w) f();
  }

  async close(): Promise<void> {
    await this.link.stop();
    this.failPending('client closed');
  }

  private newId(): string {
    return 'p' + (this.nextId++).toString(36);
  }

  // ---- connection -----------------------------------------------------------------------------

  private onOpen(): void {
    this.loggedIn = false;
    this.subscribed = false;
    this.accountSubscribed = false;
    this.accountFirstPending = false;
    this.accountSubId = '';
    this.counters.logins++;
    this.link.send(JSON.stringify(okxLoginRequest(this.opts.creds, this.wall())));
  }

  private onClose(): void {
    this.loggedIn = false;
    this.subscribed = false;
    this.accountSubscribed = false;
    this.failPending('connection closed');
  }

  private failPending(why: string): void {
    this.pending.failAll(() => okxDisconnectedInfo(`${why} with a request in flight`));
  }

  private onMessage(data: Buffer): void {
    if (data.length === 4 && data.toString('latin1') === 'pong') return;
    const text = data.toString('utf8');
    let o: Record<string, unknown>;
    try {
      const v = JSON.parse(text) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      o = v as Record<string, unknown>;
    } catch {
      this.counters.badMessages++;
      return;
    }
    if (typeof o['event'] === 'string') {
      this.onEvent(text);
      return;
    }
    if (typeof o['op'] === 'string' && o['id'] !== undefined) {
      const r = parseOkxOrderResponse(text, 0);
      this.pending.answer(r.id, r);
      return;
    }
    const arg = o['arg'];
    if (arg !== null && typeof arg === 'object' && (arg as Record<string, unknown>)['channel'] === 'orders') {
      const m = mapOkxOrdersPush(text, this.table);
      this.counters.badMessages += m.errors.length;
      for (const r of m.reports) {
        this.counters.reports++;
        this.opts.onReport?.(r);
      }
      return;
    }
    if (arg !== null && typeof arg === 'object' && (arg as Record<string, unknown>)['channel'] === 'account') {
      const first = this.accountFirstPending;
      this.accountFirstPending = false;
      deliverBalance(mapOkxAccountPush(text, first), this.counters, this.opts.onBalance);
      return;
    }
    // other pushes (positions ...) are not ours to handle
  }

  private onEvent(text: string): void {
    const e = parseOkxEvent(text);
    if (e === null) {
      this.counters.badMessages++;
      return;
    }
    if (e.reconnectSoon) {
      this.counters.notices++;
      this.link.reconnect('notice 64008: service upgrade');
      return;
    }
    if (e.event === 'login') {
      if (e.error !== null) {
        this.counters.loginFailures++;
        this.lastError = e.error;
        return;
      }
      this.loggedIn = true;
      const sub = okxSubscribe('subscribe', this.channels, this.newId());
      if (sub.ok) this.link.send(sub.value);
      if (this.opts.balances !== false) {
        // its own request: a refusal of the account channel must not take the orders one with it
        const id = this.newId();
        const acc = okxSubscribe('subscribe', [{ channel: 'account' }], id);
        if (acc.ok) {
          this.accountSubId = id;
          this.link.send(acc.value);
        }
      }
      return;
    }
    if (e.event === 'subscribe') {
      if (this.accountSubId !== '' && e.id === this.accountSubId) {
        this.accountSubscribed = true;
        this.accountFirstPending = true;
        return;
      }
      this.subscribed = true;
      this.checkReady();
      return;
    }
    if (e.error !== null) {
      this.lastError = e.error;
      if (this.accountSubId !== '' && e.id === this.accountSubId) this.counters.accountSubscribeFailures++;
      else if (!this.loggedIn) this.counters.loginFailures++;
    }
  }

  private request(req: OkxWsRequest): Promise<OkxOpResponse | VenueErrorInfo> {
    if (!this.link.isOpen || !this.loggedIn) return Promise.resolve(notSentInfo('okx private socket not logged in'));
    return this.pending.send(req.id, req.text, 'request', 'okx private socket not open');
  }

  // ---- OrderClient ----------------------------------------------------------------------------

  /** The `op: order` request of `params` (with the instrument's instIdCode when configured). */
  private placeRequest(symbol: string, params: OkxOrderParams, id: string): ReturnType<typeof okxPlaceOrderWs> {
    const code = this.opts.instIdCodes?.get(symbol);
    return okxPlaceOrderWs(code === undefined ? params : { ...params, instIdCode: code }, id);
  }

  rehearsePlace(instrument: number, intent: OrderIntent): boolean {
    try {
      const params = okxOrderParams(this.table, instrument, intent, this.opts.derivativesTdMode ?? 'cross');
      return this.placeRequest(this.table.get(instrument).symbol, params, REHEARSAL_REQUEST_ID).ok;
    } catch {
      return false;
    }
  }

  async place(instrument: number, intent: OrderIntent): Promise<OrderOutcome> {
    const ins = this.table.get(instrument);
    const fail = (error: VenueErrorInfo): OrderOutcome => ({
      ok: false,
      error,
      report: requestReport({ venue: 'okx', kind: error.outcome === 'known' ? 'reject' : 'outcome_unknown', symbol: ins.symbol, instrument, clientOrderId: intent.clientOrderId, intent, error, venueTimeMs: this.wall() }),
    });
    let params: OkxOrderParams;
    try {
      params = okxOrderParams(this.table, instrument, intent, this.opts.derivativesTdMode ?? 'cross');
    } catch (err) {
      return fail({ code: 'INVALID_ORDER', retryable: false, outcome: 'known', venueCode: 'BUILD', message: err instanceof Error ? err.message : String(err) });
    }
    const built = this.placeRequest(ins.symbol, params, this.newId());
    if (!built.ok) return fail({ code: 'INVALID_ORDER', retryable: false, outcome: 'known', venueCode: 'BUILD', message: built.reason });
    const wait = this.rest.budget.tryAcquire('place', ins.symbol, this.wall());
    if (wait > 0) {
      this.counters.localRateLimited++;
      return fail(localRateLimitInfo(wait, 'okx op order'));
    }
    const r = await this.request(built.value);
    if ('code' in r) return fail(r);
    const one = okxSingleOrderResult(r);
    if (!one.ok) {
      if (one.error.code === 'RATE_LIMITED') this.rest.budget.onRateLimited('place', ins.symbol, one.error.venueCode.split('_')[0]!, this.wall(), one.error.retryAfterMs);
      return fail(one.error);
    }
    return { ok: true, report: okxAckReport(this.table, instrument, intent, one.ordId, params, one.tsMs) };
  }

  async cancel(instrument: number, clientOrderId: string): Promise<OrderOutcome> {
    const ins = this.table.get(instrument);
    const code = this.opts.instIdCodes?.get(ins.symbol);
    const built = okxCancelOrderWs({ instId: ins.symbol, clOrdId: clientOrderId, ...(code === undefined ? {} : { instIdCode: code }) }, this.newId());
    if (!built.ok) return { ok: false, error: { code: 'INVALID_ORDER', retryable: false, outcome: 'known', venueCode: 'BUILD', message: built.reason }, report: null };
    const wait = this.rest.budget.tryAcquire('cancel', ins.symbol, this.wall());
    if (wait > 0) return { ok: false, error: localRateLimitInfo(wait, 'okx op cancel-order'), report: null };
    const r = await this.request(built.value);
    if ('code' in r) return { ok: false, error: r, report: null };
    const one = okxSingleOrderResult(r);
    if (!one.ok) return { ok: false, error: one.error, report: null };
    return {
      ok: true,
      report: requestReport({ venue: 'okx', kind: 'cancelled', symbol: ins.symbol, instrument, clientOrderId: one.clOrdId || clientOrderId, venueOrderId: one.ordId, venueStatus: 'canceled', cancelReason: 'user', venueTimeMs: one.tsMs }),
    };
  }

  query(instrument: number, clientOrderId: string): Promise<QueryOutcome> {
    return this.rest.query(instrument, clientOrderId);
  }
}
