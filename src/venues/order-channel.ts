// One call that builds a venue's ORDER CHANNEL from a plain, structured-clonable config: a primary
// order endpoint, an optional BACKUP endpoint (another host, or REST behind the WS order API), the
// venue's private stream, and failover between the endpoints (src/venues/io/failover.ts) on
// transport errors, timeouts or ack latency. What the executor actor runs in its worker; it
// mirrors src/venues/market-client.ts for market data. Venue selection and wiring only; the
// clients live in src/venues/binance/io/ and src/venues/okx/io/.
//
// Endpoints per venue:
//   binance-spot  'ws'   WS API (order.place / cancel / status) + user data on the same socket
//                 'rest' REST (/api/v3/order)
//   binance-usdm  'ws'   WS API (/ws-fapi/v1)          'rest' REST (/fapi/v1/order)
//                 stream: listenKey user stream (needs `stream.url` and a REST base)
//   okx           'ws'   private WS (op order / cancel-order, orders channel; queries via REST)
//                 'rest' REST (/api/v5/trade/order)
// Every 'ws' endpoint of spot and OKX also delivers the private stream (so reports keep coming
// after a switch); a report may therefore arrive twice, and the consumer dedupes.
//
// Balances (VenueBalanceUpdate, src/venues/types.ts):
// - `fetchBalances()`: the whole account over REST (a snapshot), through the ACTIVE endpoint's
//   REST base: 'rest' endpoints use their own client; OKX 'ws' endpoints their `restUrl` client
//   (the one their queries use); Binance 'ws' endpoints a REST client on `restUrl` (default:
//   USD-M `stream.restUrl` when set, else the venue's production REST base). Off the hot path;
//   its result does not feed the failover policy.
// - `onBalance`: every balance update of any private socket: spot `outboundAccountPosition`
//   (changed assets) on every spot 'ws' endpoint, OKX `account` channel pushes (snapshots and
//   changed currencies) on every OKX 'ws' endpoint, and for USD-M the coalesced REST re-fetch
//   (a snapshot, source 'rest') that answers each ACCOUNT_UPDATE of the user stream, since that
//   event has no available balance. Like reports, an update may arrive twice (one per socket);
//   applying it twice is harmless.
//
// Invariants:
// - OrderChannel implements OrderClient: no method rejects, and it NEVER re-sends a request on
//   its own (not after a failure, not after a switch): the caller decides, by querying first.
// - Every request goes to the endpoint active when it is sent; its result is reported to the
//   failover policy against THAT endpoint (late answers of a replaced endpoint are ignored).
// - A switch is reported once through `onSwitch` with its measured times (ms, on `clockMs`):
//   `impairedMs` from the first failed request of the streak to the backup being usable, and
//   `switchMs` from the decision to the backup being usable (0 when it was already connected:
//   both endpoints are kept connected, so a switch is a pointer flip).
// - `fetchBalances()` never rejects: every failure is a VenueErrorInfo mapped by the venue's error
//   tables (HTTP 5xx, 429 + Retry-After, venue codes), or a local RATE_LIMITED when the client's
//   rate budget refuses it (balances are polled: the caller simply fetches again later).
// - Secrets stay in the clients' signing calls; nothing here logs.
import type { InstrumentTable } from '../core/instrument.js';
import type { BalanceOutcome, OrderIntent, VenueBalanceUpdate, VenueErrorInfo, VenueId, VenueOrderReport } from './types.js';
import { mulberry32, type BackoffOptions } from './io/backoff.js';
import { FailoverPolicy, isTransportFailure, type FailoverDecision, type FailoverOptions } from './io/failover.js';
import { garbledInfo, type OrderClient, type OrderOutcome, type QueryOutcome } from './io/orders.js';
import type { WsLinkState } from './io/ws-link.js';
import { BinanceRestClient } from './binance/io/rest-client.js';
import { BinanceWsApiClient } from './binance/io/ws-api-client.js';
import { BinanceUsdmUserStream } from './binance/io/usdm-user-stream.js';
import { OkxRestClient } from './okx/io/rest-client.js';
import { OkxPrivateClient } from './okx/io/private-client.js';

export interface OrderEndpointConfig {
  readonly transport: 'ws' | 'rest';
  /** WS: the WS API / private WS URL; REST: the REST base. */
  readonly url: string;
  /**
   * 'ws' endpoints: the REST base of this endpoint. OKX: where its queries and balance fetches go
   * (default: the production base). Binance: where its balance fetches go (default: USD-M
   * `stream.restUrl` when set, else the venue's production base). Ignored for 'rest' endpoints.
   */
  readonly restUrl?: string;
}

export interface OrderChannelCredentials {
  readonly apiKey: string;
  readonly secret: string;
  /** OKX only. */
  readonly passphrase?: string;
}

export interface OrderChannelConfig {
  readonly venue: VenueId;
  readonly creds: OrderChannelCredentials;
  readonly primary: OrderEndpointConfig;
  readonly backup?: OrderEndpointConfig;
  /** USD-M user stream host (`/private/ws...`) and the REST base for its listenKey. */
  readonly stream?: { readonly url: string; readonly restUrl?: string };
  /** No answer within this -> outcome unknown. Default 5000 ms. */
  readonly requestTimeoutMs?: number;
  /** Binance recvWindow / OKX expTime window, ms. Default 5000. */
  readonly recvWindowMs?: number;
  readonly failover?: FailoverOptions;
  readonly reconnect?: BackoffOptions;
  /** Seed of reconnect jitter and request ids. Default 1. */
  readonly seed?: number;
}

/** A switch of the active endpoint, with its measured times. */
export interface OrderSwitchEvent extends FailoverDecision {
  readonly fromName: string;
  readonly toName: string;
  /** Decision -> backup usable, ms. */
  readonly switchMs: number;
  /** First failed request of the streak -> backup usable, ms. */
  readonly impairedMs: number;
  /** Clock (ms) when the backup became the usable active endpoint. */
  readonly atMs: number;
}

export interface OrderChannelEvents {
  /** A venue report from a private stream (any endpoint). */
  readonly onReport?: (r: VenueOrderReport) => void;
  /**
   * A balance update from any of the channel's private sockets (primary, backup, USD-M user
   * stream), including the USD-M REST re-fetches after ACCOUNT_UPDATE (snapshots, source 'rest').
   */
  readonly onBalance?: (u: VenueBalanceUpdate) => void;
  readonly onSwitch?: (e: OrderSwitchEvent) => void;
  /** Connection state of one of the channel's sockets (name, state, reason). */
  readonly onLinkState?: (name: string, s: WsLinkState, reason: string) => void;
}

interface Endpoint {
  readonly name: string;
  readonly client: OrderClient;
  readonly ready: () => Promise<void>;
  readonly isReady: () => boolean;
  readonly start: () => void;
  /** The whole account's balances over this endpoint's REST base. */
  readonly balances: () => Promise<BalanceOutcome>;
}

export class OrderChannel implements OrderClient {
  readonly venue: VenueId;
  readonly requestValidityMs: number;
  readonly policy: FailoverPolicy;
  readonly counters = { requests: 0, transportFailures: 0, switches: 0 };
  private readonly closers: (() => Promise<void>)[];
  private readonly starters: (() => void)[];
  private switching: Promise<void> | null = null;

  constructor(
    venue: VenueId,
    private readonly endpoints: readonly Endpoint[],
    extra: { starters: (() => void)[]; closers: (() => Promise<void>)[]; streamReady: () => Promise<void> },
    failover: FailoverOptions | undefined,
    private readonly events: OrderChannelEvents,
    private readonly clockMs: () => number,
  ) {
    this.venue = venue;
    this.policy = new FailoverPolicy(endpoints.length, failover);
    this.requestValidityMs = Math.max(...endpoints.map((e) => e.client.requestValidityMs));
    this.closers = extra.closers;
    this.starters = extra.starters;
    this.streamReady = extra.streamReady;
  }

  private readonly streamReady: () => Promise<void>;

  /** Name of the active endpoint ('primary:ws', 'backup:rest', ...). */
  get activeName(): string {
    return this.endpoints[this.policy.active]!.name;
  }
  get active(): number {
    return this.policy.active;
  }

  /** Connects every socket (both endpoints stay connected: hot standby). */
  start(): void {
    for (const s of this.starters) s();
  }

  /** Resolves when the active endpoint and the private stream are usable. */
  async ready(): Promise<void> {
    if (this.switching !== null) await this.switching;
    const e = this.endpoints[this.policy.active]!;
    if (!e.isReady()) await e.ready();
    await this.streamReady();
  }

  /** Forces a switch to the other endpoint (control plane). */
  failover(): void {
    const d = this.policy.manual(this.clockMs());
    if (d !== null) this.onDecision(d);
  }

  rehearsePlace(instrument: number, intent: OrderIntent): boolean {
    return this.endpoints[this.policy.active]!.client.rehearsePlace(instrument, intent);
  }

  async place(instrument: number, intent: OrderIntent): Promise<OrderOutcome> {
    const i = this.policy.active;
    const t0 = this.clockMs();
    const r = await this.endpoints[i]!.client.place(instrument, intent);
    this.observe(i, t0, r.ok ? null : r.error, true);
    return r;
  }

  async cancel(instrument: number, clientOrderId: string): Promise<OrderOutcome> {
    const i = this.policy.active;
    const t0 = this.clockMs();
    const r = await this.endpoints[i]!.client.cancel(instrument, clientOrderId);
    this.observe(i, t0, r.ok ? null : r.error, false);
    return r;
  }

  async query(instrument: number, clientOrderId: string): Promise<QueryOutcome> {
    const i = this.policy.active;
    const t0 = this.clockMs();
    const r = await this.endpoints[i]!.client.query(instrument, clientOrderId);
    this.observe(i, t0, r.found ? null : r.error, false);
    return r;
  }

  /**
   * The whole account's balances (a snapshot) over the active endpoint's REST base. Never
   * rejects; not reported to the failover policy (balances are not orders).
   */
  async fetchBalances(): Promise<BalanceOutcome> {
    try {
      return await this.endpoints[this.policy.active]!.balances();
    } catch (err) {
      return { ok: false, error: garbledInfo(`balance fetch failed: ${err instanceof Error ? err.message : String(err)}`) };
    }
  }

  private observe(endpoint: number, sentMs: number, error: VenueErrorInfo | null, placement: boolean): void {
    this.counters.requests++;
    let d: FailoverDecision | null;
    if (error !== null && isTransportFailure(error)) {
      this.counters.transportFailures++;
      d = this.policy.onTransportFailure(endpoint, sentMs, `${error.code} ${error.venueCode}`);
    } else {
      // an error that is not a transport failure is a venue answer: the endpoint works
      d = this.policy.onAnswer(endpoint, sentMs, this.clockMs() - sentMs, placement && error === null);
    }
    if (d !== null) this.onDecision(d);
  }

  private onDecision(d: FailoverDecision): void {
    this.counters.switches++;
    const decidedMs = this.clockMs();
    const to = this.endpoints[d.to]!;
    const from = this.endpoints[d.from]!;
    const done = (): void => {
      const atMs = this.clockMs();
      this.events.onSwitch?.({ ...d, fromName: from.name, toName: to.name, switchMs: atMs - decidedMs, impairedMs: atMs - d.streakStartMs, atMs });
    };
    if (to.isReady()) {
      done();
      return;
    }
    const p = to.ready().then(done, () => undefined);
    this.switching = p.finally(() => {
      if (this.switching === p) this.switching = null;
    });
  }

  async close(): Promise<void> {
    for (const c of this.closers) await c();
  }
}

/** Builds the channel's clients for `cfg` (not started: call start()). */
export function createOrderChannel(cfg: OrderChannelConfig, table: InstrumentTable, events: OrderChannelEvents = {}, clockMs: () => number = () => performance.now()): OrderChannel {
  const seed = cfg.seed ?? 1;
  const timeout = cfg.requestTimeoutMs ?? 5000;
  const recv = cfg.recvWindowMs ?? 5000;
  const starters: (() => void)[] = [];
  const closers: (() => Promise<void>)[] = [];
  const streamWaits: (() => Promise<void>)[] = [];
  const onReport = (r: VenueOrderReport): void => events.onReport?.(r);
  const onBalance = (u: VenueBalanceUpdate): void => events.onBalance?.(u);
  const link = (k: number) => ({ rng: mulberry32(seed * 31 + k), ...(cfg.reconnect === undefined ? {} : { backoff: cfg.reconnect }) });
  let restForStream: BinanceRestClient | null = null;

  const build = (e: OrderEndpointConfig, role: 'primary' | 'backup', k: number): Endpoint => {
    const name = `${role}:${e.transport}`;
    const onState = (s: WsLinkState, reason: string): void => events.onLinkState?.(name, s, reason);
    if (cfg.venue === 'okx') {
      const creds = { apiKey: cfg.creds.apiKey, secretKey: cfg.creds.secret, passphrase: cfg.creds.passphrase ?? '' };
      if (e.transport === 'rest') {
        const rest = new OkxRestClient({ restBase: e.url, creds, table, requestValidityMs: recv, transport: { timeoutMs: timeout } });
        closers.push(() => rest.close());
        return { name, client: rest, ready: () => Promise.resolve(), isReady: () => true, start: () => undefined, balances: () => rest.balances() };
      }
      const rest = new OkxRestClient({ ...(e.restUrl === undefined ? {} : { restBase: e.restUrl }), creds, table, requestValidityMs: recv, transport: { timeoutMs: timeout } });
      const ws = new OkxPrivateClient({ creds, table, rest, wsUrl: e.url, onReport, onBalance, onState, requestTimeoutMs: timeout, link: link(k) });
      closers.push(() => ws.close(), () => rest.close());
      streamWaits.push(() => ws.ready());
      return { name, client: ws, ready: () => ws.ready(), isReady: () => ws.loggedIn && ws.subscribed, start: () => ws.start(), balances: () => rest.balances() };
    }
    const venue = cfg.venue;
    const creds = { apiKey: cfg.creds.apiKey, secret: cfg.creds.secret };
    if (e.transport === 'rest') {
      const rest = new BinanceRestClient({ venue, restBase: e.url, creds, table, recvWindowMs: recv, transport: { timeoutMs: timeout } });
      restForStream ??= rest;
      closers.push(() => rest.close());
      return { name, client: rest, ready: () => Promise.resolve(), isReady: () => true, start: () => undefined, balances: () => rest.balances() };
    }
    const userData = venue === 'binance-spot';
    const ws = new BinanceWsApiClient({ venue, url: e.url, creds, table, userData, onReport, onBalance, onState, requestTimeoutMs: timeout, recvWindowMs: recv, link: link(k) });
    // the WS API has no balance call we use: this endpoint's balance fetches go over REST
    const restBase = e.restUrl ?? (venue === 'binance-usdm' ? cfg.stream?.restUrl : undefined);
    const balanceRest = new BinanceRestClient({ venue, ...(restBase === undefined ? {} : { restBase }), creds, table, recvWindowMs: recv, transport: { timeoutMs: timeout } });
    closers.push(() => ws.close(), () => balanceRest.close());
    if (userData) streamWaits.push(() => ws.ready());
    return { name, client: ws, ready: () => ws.ready(), isReady: () => ws.link.isOpen && (!userData || ws.userDataActive), start: () => ws.start(), balances: () => balanceRest.balances() };
  };

  const endpoints = [build(cfg.primary, 'primary', 1)];
  if (cfg.backup !== undefined) endpoints.push(build(cfg.backup, 'backup', 2));
  for (const e of endpoints) starters.push(e.start);

  if (cfg.venue === 'binance-usdm') {
    if (cfg.stream === undefined) throw new Error('order channel: binance-usdm needs stream.url (user-data stream host)');
    let rest = restForStream as BinanceRestClient | null;
    if (cfg.stream.restUrl !== undefined || rest === null) {
      rest = new BinanceRestClient({ venue: 'binance-usdm', ...(cfg.stream.restUrl === undefined ? {} : { restBase: cfg.stream.restUrl }), creds: { apiKey: cfg.creds.apiKey, secret: cfg.creds.secret }, table });
      const r = rest;
      closers.push(() => r.close());
    }
    const stream = new BinanceUsdmUserStream({
      rest, table, wsBase: cfg.stream.url, onReport,
      ...(events.onBalance === undefined ? {} : { onBalance }),
      onState: (s, reason) => events.onLinkState?.('stream', s, reason), link: link(3),
    });
    starters.push(() => stream.start());
    closers.unshift(() => stream.stop());
    streamWaits.push(() => stream.ready());
  } else if (streamWaits.length === 0) {
    throw new Error(`order channel: ${cfg.venue} needs a 'ws' endpoint (the private stream runs on it)`);
  }

  // The stream is usable when any stream socket is (reports arrive from every one).
  const streamReady = (): Promise<void> => Promise.any(streamWaits.map((w) => w())).then(() => undefined);
  return new OrderChannel(cfg.venue, endpoints, { starters, closers, streamReady }, cfg.failover, events, clockMs);
}
