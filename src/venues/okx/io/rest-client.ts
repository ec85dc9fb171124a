// OKX v5 REST client (PROTOCOLS.md §3.4, §3.5, §3.7, §3.8): the undici keep-alive transport, the
// signed headers from the pure signer (base64 HMAC over timestamp + METHOD + path?query + body),
// the per-(user, instrument) and per-IP budgets of rate-limit.ts, and every answer or failure
// mapped through orders.ts / balances.ts / errors.ts.
//
// Invariants:
// - No method rejects (OrderClient contract, src/venues/io/orders.ts).
// - The signed path and body are byte-identical to what is sent.
// - A request the budget refuses is not sent (orders and balance fetches: local RATE_LIMITED at
//   once; public fetches wait). A venue rate-limit answer (50011, 50061, 429 ...) blocks that budget.
// - Placements carry the `expTime` header (now + requestValidityMs): OKX drops an order that
//   reaches it later, which bounds how long an unknown outcome can still turn into an order.
// - Timeouts, resets, 5xx, 50004 and 51149 are outcome 'unknown' (query by clOrdId next).
import type { InstrumentTable } from '../../../core/instrument.js';
import type { BalanceOutcome, OrderIntent, VenueErrorInfo, VenueOrderReport } from '../../types.js';
import { garbledInfo, localRateLimitInfo, notSentInfo, requestReport, type OrderClient, type OrderOutcome, type QueryOutcome } from '../../io/orders.js';
import { RestTransport, retryAfterMs, type RestTransportOptions } from '../../io/rest.js';
import { parseOkxBalance } from '../balances.js';
import { okxDisconnectedInfo, okxTimeoutInfo } from '../errors.js';
import { parseOkxInstruments, type OkxInstrumentsResult } from '../instruments.js';
import { okxSingleOrderResult, parseOkxOrderQuery, parseOkxOrderResponse } from '../orders.js';
import { OkxRateBudget, type OkxEndpoint } from '../rate-limit.js';
import {
  okxBalanceRest,
  okxBooksRest,
  okxCancelOrderRest,
  okxInstrumentsRest,
  okxPlaceOrderRest,
  okxPxSz,
  okxQueryOrderRest,
  okxSignedHeaders,
  type OkxBuild,
  type OkxInstType,
  type OkxOrderParams,
  type OkxRestRequest,
  type OkxTdMode,
} from '../requests.js';
import type { OkxCredentials } from '../sign.js';

export const OKX_REST_BASE = 'https://openapi.okx.com';

export interface OkxRestClientOptions {
  /** Default https://openapi.okx.com (treat the host as configuration: PROTOCOLS.md §3.1). */
  readonly restBase?: string;
  readonly creds?: OkxCredentials;
  readonly table: InstrumentTable;
  /** Demo trading: adds `x-simulated-trading: 1`. */
  readonly demo?: boolean;
  readonly wallClockMs?: () => number;
  readonly transport?: Omit<RestTransportOptions, 'origin'>;
  readonly budget?: OkxRateBudget;
  /** `expTime` of placements = now + this, ms. Default 5000. */
  readonly requestValidityMs?: number;
  /** tdMode of SWAP/FUTURES orders. Default 'cross'. */
  readonly derivativesTdMode?: Exclude<OkxTdMode, 'cash'>;
}

export type OkxAnswer =
  | { readonly ok: true; readonly status: number; readonly body: Buffer; readonly retryAfterMs?: number }
  | { readonly ok: false; readonly error: VenueErrorInfo };

export interface OkxRestCounters {
  sent: number;
  localRateLimited: number;
  rateLimited: number;
  errors: number;
}

/** OKX instrument type of an instrument spec. */
export function okxInstType(kind: 'spot' | 'perpetual' | 'future'): OkxInstType {
  return kind === 'spot' ? 'SPOT' : kind === 'perpetual' ? 'SWAP' : 'FUTURES';
}

/** Order parameters of an intent (pure): ordType, tdMode, px and sz from ticks and lots. */
export function okxOrderParams(table: InstrumentTable, instrument: number, intent: OrderIntent, derivativesTdMode: Exclude<OkxTdMode, 'cash'> = 'cross'): OkxOrderParams {
  const ins = table.get(instrument);
  const instType = okxInstType(ins.spec.kind);
  const market = intent.type === 'market';
  const { px, sz } = okxPxSz(ins, market ? 1 : intent.priceTicks, intent.qtyLots);
  return {
    instId: ins.symbol,
    instType,
    side: intent.side,
    ordType: intent.type,
    tdMode: instType === 'SPOT' ? 'cash' : derivativesTdMode,
    ...(market ? {} : { px }),
    sz,
    clOrdId: intent.clientOrderId,
    ...(intent.reduceOnly === true && instType !== 'SPOT' ? { reduceOnly: true } : {}),
  };
}

export class OkxRestClient implements OrderClient {
  readonly venue = 'okx' as const;
  readonly transport: RestTransport;
  readonly budget: OkxRateBudget;
  readonly requestValidityMs: number;
  readonly counters: OkxRestCounters = { sent: 0, localRateLimited: 0, rateLimited: 0, errors: 0 };
  private readonly table: InstrumentTable;
  private readonly creds: OkxCredentials | null;
  private readonly wall: () => number;
  private readonly demo: boolean;
  private readonly timeoutMs: number;
  private readonly tdMode: Exclude<OkxTdMode, 'cash'>;

  constructor(opts: OkxRestClientOptions) {
    this.transport = new RestTransport({ ...opts.transport, origin: (opts.restBase ?? OKX_REST_BASE).replace(/\/+$/, '') });
    this.budget = opts.budget ?? new OkxRateBudget();
    this.table = opts.table;
    this.creds = opts.creds ?? null;
    this.wall = opts.wallClockMs ?? Date.now;
    this.demo = opts.demo ?? false;
    this.timeoutMs = opts.transport?.timeoutMs ?? 5000;
    this.requestValidityMs = opts.requestValidityMs ?? 5000;
    this.tdMode = opts.derivativesTdMode ?? 'cross';
  }

  /**
   * Sends one request through the budget of (endpoint, key). Signed when `signed`. `wait`: wait
   * for the budget instead of refusing.
   */
  async send(req: OkxRestRequest, endpoint: OkxEndpoint, key: string, signed: boolean, wait: boolean, extraHeaders?: Record<string, string>): Promise<OkxAnswer> {
    const budget = this.budget;
    let w = budget.tryAcquire(endpoint, key, this.wall());
    while (w > 0) {
      if (!wait) {
        this.counters.localRateLimited++;
        return { ok: false, error: localRateLimitInfo(w, `${req.method} ${req.path}`) };
      }
      await new Promise((r) => setTimeout(r, Math.min(w, 60_000)));
      w = budget.tryAcquire(endpoint, key, this.wall());
    }
    let headers: Record<string, string>;
    if (signed) {
      if (this.creds === null) return { ok: false, error: { code: 'AUTH', retryable: false, outcome: 'known', venueCode: 'NO_CREDENTIALS', message: 'okx: no API credentials configured' } };
      headers = { ...okxSignedHeaders(this.creds, this.wall(), req, this.demo), ...extraHeaders };
    } else {
      headers = this.demo ? { 'x-simulated-trading': '1', ...extraHeaders } : { ...extraHeaders };
    }
    this.counters.sent++;
    const r = await this.transport.request({ method: req.method, path: req.path, headers, ...(req.body === '' ? {} : { body: req.body }) });
    if (!r.ok) {
      this.counters.errors++;
      if (!r.sent) return { ok: false, error: notSentInfo(r.detail) };
      return { ok: false, error: r.failure === 'timeout' ? okxTimeoutInfo(this.timeoutMs) : okxDisconnectedInfo(r.detail) };
    }
    const ra = retryAfterMs(r.headers, this.wall());
    if (r.status === 429) {
      this.counters.rateLimited++;
      budget.onRateLimited(endpoint, key, '50011', this.wall(), ra);
    }
    return { ok: true, status: r.status, body: r.body, ...(ra === undefined ? {} : { retryAfterMs: ra }) };
  }

  /** A venue rate-limit answer inside an otherwise readable body: block the budget. */
  private noteError(endpoint: OkxEndpoint, key: string, error: VenueErrorInfo): void {
    if (error.code === 'RATE_LIMITED') {
      this.counters.rateLimited++;
      this.budget.onRateLimited(endpoint, key, error.venueCode.split('_')[0]!, this.wall(), error.retryAfterMs);
    }
  }

  // ---- OrderClient ----------------------------------------------------------------------------

  rehearsePlace(instrument: number, intent: OrderIntent): boolean {
    try {
      return okxPlaceOrderRest(okxOrderParams(this.table, instrument, intent, this.tdMode)).ok;
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
      params = okxOrderParams(this.table, instrument, intent, this.tdMode);
    } catch (err) {
      return fail(buildFailure(err instanceof Error ? err.message : String(err)));
    }
    const built = okxPlaceOrderRest(params);
    if (!built.ok) return fail(buildFailure(built.reason));
    const exp = String(this.wall() + this.requestValidityMs);
    const a = await this.send(built.value, 'place', ins.symbol, true, false, { expTime: exp });
    if (!a.ok) return fail(a.error);
    const resp = parseOkxOrderResponse(a.body.toString('utf8'), a.status, a.retryAfterMs);
    const one = okxSingleOrderResult(resp);
    if (!one.ok) {
      this.noteError('place', ins.symbol, one.error);
      return fail(one.error);
    }
    return { ok: true, report: okxAckReport(this.table, instrument, intent, one.ordId, params, one.tsMs) };
  }

  async cancel(instrument: number, clientOrderId: string): Promise<OrderOutcome> {
    const ins = this.table.get(instrument);
    const built = okxCancelOrderRest({ instId: ins.symbol, clOrdId: clientOrderId });
    if (!built.ok) return { ok: false, error: buildFailure(built.reason), report: null };
    const a = await this.send(built.value, 'cancel', ins.symbol, true, false);
    if (!a.ok) return { ok: false, error: a.error, report: null };
    const one = okxSingleOrderResult(parseOkxOrderResponse(a.body.toString('utf8'), a.status, a.retryAfterMs));
    if (!one.ok) {
      this.noteError('cancel', ins.symbol, one.error);
      return { ok: false, error: one.error, report: null };
    }
    return {
      ok: true,
      report: requestReport({ venue: 'okx', kind: 'cancelled', symbol: ins.symbol, instrument, clientOrderId: one.clOrdId || clientOrderId, venueOrderId: one.ordId, venueStatus: 'canceled', cancelReason: 'user', venueTimeMs: one.tsMs }),
    };
  }

  async query(instrument: number, clientOrderId: string): Promise<QueryOutcome> {
    const ins = this.table.get(instrument);
    const built = okxQueryOrderRest({ instId: ins.symbol, clOrdId: clientOrderId });
    if (!built.ok) return { found: false, error: buildFailure(built.reason) };
    const a = await this.send(built.value, 'query', ins.symbol, true, true);
    if (!a.ok) return { found: false, error: a.error };
    const q = parseOkxOrderQuery(a.body.toString('utf8'), this.table, a.status);
    if (q.report !== null) return { found: true, report: q.report };
    const error = q.error ?? garbledInfo('order query answer without order');
    this.noteError('query', ins.symbol, error);
    return { found: false, error };
  }

  // ---- account --------------------------------------------------------------------------------

  /**
   * The trading account's balances (`GET /api/v5/account/balance`): a snapshot. Never rejects.
   * Does not wait for the budget (10 per 2 s per user ID): refused locally, it fails at once with
   * a RATE_LIMITED error carrying `retryAfterMs`; a venue rate-limit answer blocks the budget.
   */
  async balances(): Promise<BalanceOutcome> {
    const built = okxBalanceRest();
    if (!built.ok) return { ok: false, error: buildFailure(built.reason) };
    const a = await this.send(built.value, 'balance', '', true, false);
    if (!a.ok) return a;
    const r = parseOkxBalance(a.body.toString('utf8'), a.status, a.retryAfterMs);
    if (!r.ok) this.noteError('balance', '', r.error);
    return r;
  }

  // ---- public ---------------------------------------------------------------------------------

  /** `GET /api/v5/market/books?instId=&sz=` body (for the byte-level parser). Waits for the budget. */
  async books(instId: string, sz = 400): Promise<OkxAnswer> {
    const built: OkxBuild<OkxRestRequest> = okxBooksRest(instId, sz);
    if (!built.ok) return { ok: false, error: buildFailure(built.reason) };
    return this.send(built.value, 'books', '', false, true);
  }

  async instruments(instType: OkxInstType, instId?: string): Promise<OkxInstrumentsResult> {
    const built = okxInstrumentsRest(instType, instId);
    if (!built.ok) return { instruments: [], errors: [built.reason], skipped: 0, error: buildFailure(built.reason) };
    const a = await this.send(built.value, 'instruments', instType, false, true);
    if (!a.ok) return { instruments: [], errors: [], skipped: 0, error: a.error };
    return parseOkxInstruments(a.body.toString('utf8'), a.status);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

function buildFailure(reason: string): VenueErrorInfo {
  return { code: 'INVALID_ORDER', retryable: false, outcome: 'known', venueCode: 'BUILD', message: reason };
}

/** The ack report of a placement the venue accepted (REST and WS answers carry only ids). */
export function okxAckReport(table: InstrumentTable, instrument: number, intent: OrderIntent, ordId: string, params: OkxOrderParams, tsMs: number): VenueOrderReport {
  const ins = table.get(instrument);
  return requestReport({ venue: 'okx', kind: 'ack', symbol: ins.symbol, instrument, clientOrderId: intent.clientOrderId, venueOrderId: ordId, intent, price: params.px ?? '', qty: params.sz, venueStatus: 'live', venueTimeMs: tsMs });
}
