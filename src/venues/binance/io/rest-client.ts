// Binance REST client (spot and USD-M through a BinanceProfile): the undici keep-alive transport,
// signed requests from the pure builders (requests.ts), the rate-limit budget model
// (rate-limits.ts) fed with every answer's `X-MBX-USED-WEIGHT-*` / `X-MBX-ORDER-COUNT-*` headers
// and with 429/418 + Retry-After, and every answer or failure mapped to a report, a balance
// snapshot (balances.ts) or a VenueErrorInfo (errors.ts, private.ts).
//
// Invariants:
// - No method rejects (OrderClient contract, src/venues/io/orders.ts).
// - A request the budget refuses is not sent: orders and balance fetches get a local
//   RATE_LIMITED error at once (known, retryable, retryAfterMs); snapshot and metadata fetches
//   wait for the budget.
// - After a 429 or 418 nothing is sent before its Retry-After has passed (the budget blocks).
// - Transport timeouts, resets and 5xx answers are outcome 'unknown' for orders; only a request
//   that certainly never left (connect refused) is 'known' not executed.
// - Secrets stay inside the signing calls; nothing here logs.
import type { InstrumentTable } from '../../../core/instrument.js';
import type { BalanceOutcome, OrderIntent, Side, VenueErrorInfo, VenueOrderReport } from '../../types.js';
import { garbledInfo, localRateLimitInfo, notSentInfo, type OrderClient, type OrderOutcome, type QueryOutcome } from '../../io/orders.js';
import { headerValue, RestTransport, retryAfterMs, type RestResult, type RestTransportOptions } from '../../io/rest.js';
import { BINANCE_SPOT } from '../../binance-spot/endpoints.js';
import { BINANCE_USDM } from '../../binance-usdm/endpoints.js';
import { binanceDisconnectedInfo, binanceHttpErrorInfo, binanceTimeoutInfo } from '../errors.js';
import { parseBinanceExchangeInfo, type BinanceExchangeInfo } from '../exchange-info.js';
import { mapBinanceSpotAccount, mapBinanceUsdmBalances } from '../balances.js';
import { binanceErrorReport, mapBinanceOrderAnswer } from '../private.js';
import type { BinanceProfile } from '../profile.js';
import { BinanceRateBudget } from '../rate-limits.js';
import {
  OrderBuildError,
  restCancelOrder,
  restDepthSnapshot,
  restExchangeInfo,
  restNewOrder,
  restBalances,
  restQueryOrder,
  restUsdmListenKey,
  type NewOrderOptions,
  type RestRequest,
  type SignContext,
} from '../requests.js';
import type { BinanceCredentials } from '../signing.js';

export type BinanceVenue = 'binance-spot' | 'binance-usdm';

export function binanceProfile(venue: BinanceVenue, restBase?: string): BinanceProfile {
  const p = venue === 'binance-spot' ? BINANCE_SPOT : BINANCE_USDM;
  return restBase === undefined ? p : Object.freeze({ ...p, restBase: restBase.replace(/\/+$/, '') });
}

export interface BinanceRestClientOptions {
  readonly venue: BinanceVenue;
  /** REST base URL (default: the venue's production base). */
  readonly restBase?: string;
  /** Needed for signed endpoints (orders, listenKey). */
  readonly creds?: BinanceCredentials;
  readonly table: InstrumentTable;
  /** Wall clock (ms since the epoch) for `timestamp`, budget windows, Retry-After dates. */
  readonly wallClockMs?: () => number;
  /** recvWindow sent with signed requests, ms. Default 5000 (the venue default). */
  readonly recvWindowMs?: number;
  readonly transport?: Omit<RestTransportOptions, 'origin'>;
  /** Default: the profile's documented limits with 0.9 headroom. */
  readonly budget?: BinanceRateBudget;
  readonly newOrder?: NewOrderOptions;
}

export interface BinanceRestCounters {
  sent: number;
  localRateLimited: number;
  rateLimited: number;
  banned: number;
  errors: number;
}

/** One REST exchange: the answer's status and body, or a mapped failure. */
export type BinanceAnswer =
  | { readonly ok: true; readonly status: number; readonly body: Buffer }
  | { readonly ok: false; readonly error: VenueErrorInfo };

export class BinanceRestClient implements OrderClient {
  readonly venue: BinanceVenue;
  readonly profile: BinanceProfile;
  readonly transport: RestTransport;
  budget: BinanceRateBudget;
  readonly counters: BinanceRestCounters = { sent: 0, localRateLimited: 0, rateLimited: 0, banned: 0, errors: 0 };
  readonly requestValidityMs: number;
  private readonly table: InstrumentTable;
  private readonly creds: BinanceCredentials | null;
  private readonly wall: () => number;
  private readonly recvWindowMs: number | undefined;
  private readonly newOrderOpts: NewOrderOptions;
  private readonly timeoutMs: number;

  constructor(opts: BinanceRestClientOptions) {
    this.venue = opts.venue;
    this.profile = binanceProfile(opts.venue, opts.restBase);
    this.transport = new RestTransport({ ...opts.transport, origin: this.profile.restBase });
    this.budget = opts.budget ?? new BinanceRateBudget(this.profile.defaultRateLimits, 0.9);
    this.table = opts.table;
    this.creds = opts.creds ?? null;
    this.wall = opts.wallClockMs ?? Date.now;
    this.recvWindowMs = opts.recvWindowMs;
    this.requestValidityMs = opts.recvWindowMs ?? 5000;
    this.newOrderOpts = opts.newOrder ?? {};
    this.timeoutMs = opts.transport?.timeoutMs ?? 5000;
  }

  private sign(): SignContext {
    const nowMs = this.wall();
    return this.recvWindowMs === undefined ? { nowMs } : { nowMs, recvWindowMs: this.recvWindowMs };
  }

  private credentials(): BinanceCredentials {
    if (this.creds === null) throw new OrderBuildError(`${this.venue}: no API credentials configured`);
    return this.creds;
  }

  /**
   * Sends one built request through the budget. `wait`: wait for the budget (fetches) instead of
   * refusing (orders).
   */
  async send(req: RestRequest, wait: boolean): Promise<BinanceAnswer> {
    const budget = this.budget;
    let w = budget.waitMs(req.weight, req.orders, this.wall());
    if (w > 0) {
      if (!wait) {
        this.counters.localRateLimited++;
        return { ok: false, error: localRateLimitInfo(w, `${req.method} ${req.path}`) };
      }
      while (w > 0) {
        await new Promise((r) => setTimeout(r, Math.min(w, 60_000)));
        w = budget.waitMs(req.weight, req.orders, this.wall());
      }
    }
    budget.record(req.weight, req.orders, this.wall());
    this.counters.sent++;
    const path = req.query === '' ? req.path : `${req.path}?${req.query}`;
    const r: RestResult = await this.transport.request({ method: req.method, path, headers: req.headers, ...(req.body === '' ? {} : { body: req.body }) });
    const now = this.wall();
    if (!r.ok) {
      this.counters.errors++;
      if (!r.sent) return { ok: false, error: notSentInfo(r.detail) };
      return { ok: false, error: r.failure === 'timeout' ? binanceTimeoutInfo(this.timeoutMs) : binanceDisconnectedInfo(r.detail) };
    }
    budget.onHeaders(r.headers as Record<string, string | string[] | undefined>, now);
    if (r.status >= 200 && r.status < 300) return { ok: true, status: r.status, body: r.body };
    this.counters.errors++;
    const retryHeader = headerValue(r.headers, 'retry-after');
    const error = binanceHttpErrorInfo(this.venue, r.status, r.body.toString('utf8'), retryHeader === '' ? null : retryHeader);
    if (r.status === 429 || r.status === 418) {
      if (r.status === 429) this.counters.rateLimited++;
      else this.counters.banned++;
      budget.onLimited(r.status, retryAfterMs(r.headers, now), now);
    }
    return { ok: false, error };
  }

  // ---- orders (OrderClient) ------------------------------------------------------------------

  rehearsePlace(instrument: number, intent: OrderIntent): boolean {
    try {
      restNewOrder(this.profile, this.credentials(), this.table.get(instrument), intent, this.sign(), this.newOrderOpts);
      return true;
    } catch {
      return false;
    }
  }

  async place(instrument: number, intent: OrderIntent): Promise<OrderOutcome> {
    const ins = this.table.get(instrument);
    let req: RestRequest;
    try {
      req = restNewOrder(this.profile, this.credentials(), ins, intent, this.sign(), this.newOrderOpts);
    } catch (err) {
      const error = buildError(err);
      return { ok: false, error, report: this.errorReport(ins.symbol, intent.clientOrderId, intent.side, error) };
    }
    const a = await this.send(req, false);
    if (!a.ok) return { ok: false, error: a.error, report: this.errorReport(ins.symbol, intent.clientOrderId, intent.side, a.error) };
    const rep = this.answerReport(a.body);
    if (typeof rep === 'string') {
      const error = garbledInfo(rep);
      return { ok: false, error, report: this.errorReport(ins.symbol, intent.clientOrderId, intent.side, error) };
    }
    return { ok: true, report: rep };
  }

  async cancel(instrument: number, clientOrderId: string): Promise<OrderOutcome> {
    const ins = this.table.get(instrument);
    let req: RestRequest;
    try {
      req = restCancelOrder(this.profile, this.credentials(), ins.symbol, clientOrderId, this.sign());
    } catch (err) {
      return { ok: false, error: buildError(err), report: null };
    }
    const a = await this.send(req, false);
    if (!a.ok) return { ok: false, error: a.error, report: null };
    const rep = this.answerReport(a.body);
    if (typeof rep === 'string') return { ok: false, error: garbledInfo(rep), report: null };
    return { ok: true, report: rep };
  }

  async query(instrument: number, clientOrderId: string): Promise<QueryOutcome> {
    const ins = this.table.get(instrument);
    let req: RestRequest;
    try {
      req = restQueryOrder(this.profile, this.credentials(), ins.symbol, clientOrderId, this.sign());
    } catch (err) {
      return { found: false, error: buildError(err) };
    }
    const a = await this.send(req, true);
    if (!a.ok) return { found: false, error: a.error };
    const rep = this.answerReport(a.body);
    if (typeof rep === 'string') return { found: false, error: garbledInfo(rep) };
    return { found: true, report: rep };
  }

  private answerReport(body: Buffer): VenueOrderReport | string {
    let o: unknown;
    try {
      o = JSON.parse(body.toString('utf8'));
    } catch {
      return 'order answer is not JSON';
    }
    return mapBinanceOrderAnswer(this.venue, o, this.table);
  }

  private errorReport(symbol: string, clientOrderId: string, side: Side, error: VenueErrorInfo): VenueOrderReport {
    return binanceErrorReport(this.venue, symbol, clientOrderId, side, error, this.table, this.wall());
  }

  // ---- market data and metadata --------------------------------------------------------------

  /** The REST depth snapshot body (bytes for the byte-level parser). Waits for the budget. */
  depthSnapshot(symbol: string, limit: number): Promise<BinanceAnswer> {
    return this.send(restDepthSnapshot(this.profile, symbol, limit), true);
  }

  async exchangeInfo(): Promise<BinanceExchangeInfo | VenueErrorInfo> {
    const a = await this.send(restExchangeInfo(this.profile), true);
    if (!a.ok) return a.error;
    const info = parseBinanceExchangeInfo(this.venue, a.body.toString('utf8'));
    if (info.rateLimits.length > 0) this.budget = this.budget.withRules(info.rateLimits);
    return info;
  }

  /**
   * The whole account's balances (spot `GET /api/v3/account?omitZeroBalances=true`, USD-M
   * `GET /fapi/v3/balance`): a snapshot. Never rejects. Does not wait for the rate budget: when
   * the budget (or a 429/418 Retry-After) refuses it, it fails at once with a local RATE_LIMITED
   * error carrying `retryAfterMs` (the caller fetches again later; balances are polled).
   */
  async balances(): Promise<BalanceOutcome> {
    let req: RestRequest;
    try {
      req = restBalances(this.profile, this.credentials(), this.sign());
    } catch (err) {
      return { ok: false, error: { ...buildError(err), code: 'AUTH' } };
    }
    const a = await this.send(req, false);
    if (!a.ok) return a;
    let o: unknown;
    try {
      o = JSON.parse(a.body.toString('utf8'));
    } catch {
      return { ok: false, error: garbledInfo('balance answer is not JSON') };
    }
    const m = this.venue === 'binance-spot' ? mapBinanceSpotAccount(o) : mapBinanceUsdmBalances(o);
    return m.ok ? { ok: true, update: m.update } : { ok: false, error: garbledInfo(m.detail) };
  }

  /** USD-M listenKey: POST creates (or extends the active one), PUT extends, DELETE closes. */
  async listenKey(method: 'POST' | 'PUT' | 'DELETE'): Promise<{ readonly ok: true; readonly listenKey: string } | { readonly ok: false; readonly error: VenueErrorInfo }> {
    let req: RestRequest;
    try {
      req = restUsdmListenKey(this.profile, this.credentials(), method);
    } catch (err) {
      return { ok: false, error: buildError(err) };
    }
    const a = await this.send(req, true);
    if (!a.ok) return a;
    if (method !== 'POST') return { ok: true, listenKey: '' };
    try {
      const o = JSON.parse(a.body.toString('utf8')) as { listenKey?: unknown };
      if (typeof o.listenKey === 'string' && o.listenKey !== '') return { ok: true, listenKey: o.listenKey };
    } catch {
      // fall through
    }
    return { ok: false, error: garbledInfo('listenKey answer without listenKey') };
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

/** A request that could not be built (bad intent, no credentials): never sent. */
export function buildError(err: unknown): VenueErrorInfo {
  return { code: 'INVALID_ORDER', retryable: false, outcome: 'known', venueCode: 'BUILD', message: err instanceof Error ? err.message : String(err) };
}
