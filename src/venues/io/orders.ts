// The venue-neutral order-entry contract that every venue's order client implements (Binance spot
// REST and WS API, Binance USD-M REST, OKX REST and WS), and the one helper that settles an order
// whose outcome is unknown: query it by client order id — never send it again blindly.
//
// Invariants:
// - `place` / `cancel` / `query` never reject: every failure is a VenueErrorInfo whose `outcome`
//   says whether the venue may have acted ('unknown': timeout, disconnect, 5xx, Binance -1007,
//   OKX 50004/51149, garbled answer).
// - `resolveUnknownOutcome` only ever queries. It answers 'placed' (the venue knows the order: the
//   report says in what state), 'not_placed' (the venue says it does not know the order, and the
//   request can no longer reach the matching engine: its validity window — Binance recvWindow,
//   OKX expTime — has passed since it was sent; only then may the caller send a NEW attempt, with
//   a new client order id), or 'unresolved' (still unknown after every attempt: keep the order
//   flagged and reconcile later). A "not found" inside the validity window is not conclusive (the
//   request may still be in flight inside the venue), so it is asked again.
import type { OrderIntent, VenueErrorInfo, VenueId, VenueOrderReport } from '../types.js';
import { Backoff, mulberry32, type BackoffOptions, type Rng } from './backoff.js';

export type OrderOutcome =
  | { readonly ok: true; readonly report: VenueOrderReport }
  /** `report`: a 'reject' or 'outcome_unknown' report for a failed placement; null for cancels. */
  | { readonly ok: false; readonly error: VenueErrorInfo; readonly report: VenueOrderReport | null };

export type QueryOutcome =
  | { readonly found: true; readonly report: VenueOrderReport }
  /** error.code 'ORDER_NOT_FOUND' when the venue said it does not know the order. */
  | { readonly found: false; readonly error: VenueErrorInfo };

export interface OrderClient {
  readonly venue: VenueId;
  place(instrument: number, intent: OrderIntent): Promise<OrderOutcome>;
  /** Cancel by client order id. */
  cancel(instrument: number, clientOrderId: string): Promise<OrderOutcome>;
  /** Query by client order id (how an unknown outcome is resolved). */
  query(instrument: number, clientOrderId: string): Promise<QueryOutcome>;
  /**
   * How long after sending a placement the venue may still act on it (Binance: recvWindow;
   * OKX: expTime). After that, "order not found" proves it was never placed.
   */
  readonly requestValidityMs: number;
  /**
   * Builds the placement request of `intent` as place() would (parameters, body, and the
   * signature where the venue signs each request) and drops it: nothing is sent, and no request
   * id, rate budget or counter is used. Returns whether it built. Keeps that path warm between
   * orders (src/actors/executor-rehearsal.ts).
   */
  rehearsePlace(instrument: number, intent: OrderIntent): boolean;
  close(): Promise<void>;
}

export type Resolution =
  | { readonly status: 'placed'; readonly report: VenueOrderReport; readonly queries: number }
  | { readonly status: 'not_placed'; readonly error: VenueErrorInfo; readonly queries: number }
  | { readonly status: 'unresolved'; readonly error: VenueErrorInfo; readonly queries: number };

export interface ResolveOptions {
  /** Clock (ms) when the placement was sent, and the clock to compare with. */
  readonly sentAtMs: number;
  readonly clockMs?: () => number;
  /** Extra margin on top of the client's requestValidityMs. Default 1000 ms. */
  readonly marginMs?: number;
  /** Most queries before answering 'unresolved'. Default 30. */
  readonly maxQueries?: number;
  /** Delay between queries. Default 50 ms .. 2 s. */
  readonly backoff?: BackoffOptions;
  readonly rng?: Rng;
  /** A private-stream report for this client id, if one arrived meanwhile (settles it at once). */
  readonly observed?: () => VenueOrderReport | null;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Request id of a rehearsed placement (OrderClient.rehearsePlace): built, never sent. */
export const REHEARSAL_REQUEST_ID = 'rehearsal';

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Settles an order of unknown outcome by querying it by client order id (never re-sends). */
export async function resolveUnknownOutcome(
  client: Pick<OrderClient, 'query' | 'requestValidityMs'>,
  instrument: number,
  clientOrderId: string,
  opts: ResolveOptions,
): Promise<Resolution> {
  const clock = opts.clockMs ?? (() => performance.now());
  const conclusiveAt = opts.sentAtMs + client.requestValidityMs + (opts.marginMs ?? 1000);
  const maxQueries = opts.maxQueries ?? 30;
  const backoff = new Backoff({ baseMs: 50, maxMs: 2000, ...opts.backoff }, opts.rng ?? mulberry32(7));
  const sleep = opts.sleep ?? defaultSleep;
  let queries = 0;
  let last: VenueErrorInfo = { code: 'UNKNOWN_ERROR', retryable: false, outcome: 'unknown', venueCode: 'none', message: 'not queried' };
  while (queries < maxQueries) {
    const seen = opts.observed?.() ?? null;
    if (seen !== null && seen.kind !== 'outcome_unknown') return { status: 'placed', report: seen, queries };
    const q = await client.query(instrument, clientOrderId);
    queries++;
    if (q.found) return { status: 'placed', report: q.report, queries };
    last = q.error;
    if (q.error.code === 'ORDER_NOT_FOUND' && clock() >= conclusiveAt) return { status: 'not_placed', error: q.error, queries };
    let wait = backoff.next();
    if (q.error.retryAfterMs !== undefined && q.error.retryAfterMs > wait) wait = q.error.retryAfterMs;
    if (q.error.code === 'ORDER_NOT_FOUND') {
      const left = conclusiveAt - clock();
      if (left > 0 && left < wait) wait = Math.ceil(left);
    }
    await sleep(wait);
  }
  return { status: 'unresolved', error: last, queries };
}

/** What `placeResolved` did: the placement's own outcome, and the resolution when it was unknown. */
export interface PlaceResult {
  readonly outcome: OrderOutcome;
  readonly resolution: Resolution | null;
}

/**
 * Places an order; when its outcome is unknown, resolves it by query (never a second placement).
 * The executor's building block: one call, exactly one placement request.
 */
export async function placeResolved(
  client: OrderClient,
  instrument: number,
  intent: OrderIntent,
  opts: Omit<ResolveOptions, 'sentAtMs'> = {},
): Promise<PlaceResult> {
  const clock = opts.clockMs ?? (() => performance.now());
  const sentAtMs = clock();
  const outcome = await client.place(instrument, intent);
  if (outcome.ok || outcome.error.outcome === 'known') return { outcome, resolution: null };
  const resolution = await resolveUnknownOutcome(client, instrument, intent.clientOrderId, { ...opts, sentAtMs, clockMs: clock });
  return { outcome, resolution };
}

/** A transport failure before the request left (connect refused, DNS): certainly not executed. */
export function notSentInfo(detail: string): VenueErrorInfo {
  return { code: 'VENUE_UNAVAILABLE', retryable: true, outcome: 'known', venueCode: 'NOT_SENT', message: detail };
}

/** Refused by our own copy of the venue's rate budget before sending: certainly not executed. */
export function localRateLimitInfo(waitMs: number, what: string): VenueErrorInfo {
  return { code: 'RATE_LIMITED', retryable: true, outcome: 'known', venueCode: 'LOCAL_BUDGET', message: `${what}: rate budget exhausted`, retryAfterMs: Math.max(1, Math.ceil(waitMs)) };
}

/** An answer that could not be read (not JSON, unexpected shape): outcome unknown. */
export function garbledInfo(detail: string): VenueErrorInfo {
  return { code: 'UNKNOWN_ERROR', retryable: false, outcome: 'unknown', venueCode: 'BAD_RESPONSE', message: detail };
}

/**
 * A report built from what we sent (for venues whose answers carry only ids: OKX place / cancel
 * acks, failures). Quantities not known from the answer are NaN; the private stream brings the
 * venue's own reports.
 */
export function requestReport(p: {
  readonly venue: VenueId;
  readonly kind: VenueOrderReport['kind'];
  readonly symbol: string;
  readonly instrument: number;
  readonly clientOrderId: string;
  readonly venueOrderId?: string;
  readonly intent?: OrderIntent;
  readonly price?: string;
  readonly qty?: string;
  readonly venueStatus?: string;
  readonly error?: VenueErrorInfo | null;
  readonly cancelReason?: VenueOrderReport['cancelReason'];
  readonly venueTimeMs?: number;
}): VenueOrderReport {
  const it = p.intent;
  return {
    venue: p.venue,
    kind: p.kind,
    symbol: p.symbol,
    instrument: p.instrument,
    clientOrderId: p.clientOrderId,
    venueOrderId: p.venueOrderId ?? '',
    side: it?.side ?? 'buy',
    orderType: it?.type ?? 'other',
    venueStatus: p.venueStatus ?? '',
    price: p.price ?? '',
    qty: p.qty ?? '',
    cumQty: '',
    avgPrice: '',
    lastQty: '',
    lastPrice: '',
    priceTicks: it !== undefined && it.type !== 'market' ? it.priceTicks : NaN,
    qtyLots: it?.qtyLots ?? NaN,
    cumQtyLots: NaN,
    leavesQtyLots: NaN,
    lastQtyLots: 0,
    lastPriceTicks: 0,
    tradeId: '',
    liquidity: '',
    lastFee: '',
    lastFeeCcy: '',
    cancelReason: p.cancelReason ?? '',
    error: p.error ?? null,
    venueTimeMs: p.venueTimeMs ?? 0,
    fillTimeMs: 0,
  };
}
