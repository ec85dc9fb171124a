// OKX v5 error codes -> the venue-neutral VenueErrorInfo (PROTOCOLS.md section 3.7, 3.4, 3.2).
//
// Invariants:
// - Every input maps to exactly one XmcErrorCode; nothing throws.
// - "Outcome unknown" is never reported as a rejection: 50004 (endpoint timeout), 51149 (order
//   timed out), 50001/50026/50005 and any HTTP 5xx, transport timeouts, and every code we do not
//   know are `outcome: 'unknown'` and `retryable: false` (the order must be queried by clOrdId
//   before anything is sent again).
// - Rate limits (50011, 50061, 50013, 51113, WS 60014, HTTP 429) are `known` (not executed) and
//   retryable after a delay.
// - A sub-code is kept in `venueCode` as "<code>_<subCode>" (e.g. "51008_1000"), as OKX writes it.
// - Rows shared with the other venue and the VenueErrorInfo builders come from src/venues/errors.ts
//   (rows are compared by identity); the code table and the venueCode spellings are this venue's.
//
// Sources: PROTOCOLS.md 3.7 / 3.4 / 3.2 for the codes it lists; the OKX v5 error-code table (as
// mirrored publicly) for the neighbouring codes; post-only bounce 51019 and cancelSource "31" from
// public adapters (not in PROTOCOLS.md; see okxCancelSourceIsPostOnly in orders.ts).
import {
  AUTH_ROW, BALANCE_ROW, CLOSED_ROW, disconnectedErrorInfo, DUPLICATE_ROW, errorInfo as info, INVALID_ROW, NOT_FOUND_ROW,
  OUTCOME_UNKNOWN_ROW, POST_ONLY_ROW, RATE_ROW, REJECT_ROW, timeoutErrorInfo, TIMESTAMP_ROW, UNAVAILABLE_UNKNOWN_ROW,
  UNMAPPED_ROW, type ErrorRow,
} from '../errors.js';
import type { VenueErrorInfo } from '../types.js';

type Row = ErrorRow;

const UNKNOWN = OUTCOME_UNKNOWN_ROW;
const UNAVAILABLE = UNAVAILABLE_UNKNOWN_ROW;
const RATE = RATE_ROW;
const AUTH = AUTH_ROW;
const TS = TIMESTAMP_ROW;
const BALANCE = BALANCE_ROW;
const INVALID = INVALID_ROW;
const POST_ONLY = POST_ONLY_ROW;
const NOT_FOUND = NOT_FOUND_ROW;
const DUPLICATE = DUPLICATE_ROW;
const CLOSED = CLOSED_ROW;
const REJECT = REJECT_ROW;

const TABLE = new Map<string, Row>();
function set(row: Row, ...codes: string[]): void {
  for (const c of codes) TABLE.set(c, row);
}

// Outcome unknown.
set(UNKNOWN, '50004', '51149');
set(UNAVAILABLE, '50001', '50005', '50026', '60015', '60016');
// Rate limits.
set(RATE, '50011', '50061', '50013', '51113', '60014');
// Authentication and timestamps (REST 501xx, WS 600xx).
set(AUTH, '50100', '50101', '50103', '50104', '50105', '50106', '50107', '50110', '50111', '50113', '50114',
  '60001', '60002', '60003', '60005', '60007', '60008', '60009', '60010', '60011', '60024');
set(TS, '50102', '50112', '60004', '60006');
// Balance and margin.
set(BALANCE, '51008', '51119', '51127', '51131', '51502');
// Order parameters, price limits, sizes.
set(INVALID, '50002', '50014', '50015', '50016', '50024', '50025',
  '51000', '51001', '51002', '51003', '51004', '51005', '51006', '51007', '51011', '51012', '51014', '51015',
  '51020', '51026', '51031', '51121', '51137', '51138', '51139', '60013', '60017', '60018', '60019');
for (let c = 51100; c <= 51136; c++) if (!TABLE.has(String(c))) TABLE.set(String(c), INVALID);
// Post-only would take liquidity.
set(POST_ONLY, '51019');
// Unknown / already terminal orders on cancel, amend, query.
set(NOT_FOUND, '51400', '51401', '51402', '51503', '51603');
set(DUPLICATE, '51016');
// Instrument not trading.
set(CLOSED, '51021', '51022', '51027', '51028', '51029', '51030');
// Explicit refusals that are not about the order's parameters.
set(REJECT, '1', '50007', '50009', '50012', '50027', '50028', '51009', '51010', '51024', '51410',
  '60012', '64003', '64004');

export interface OkxErrorInput {
  /** The OKX code (`sCode` when present, else `code`), as the venue's string. */
  readonly code: string;
  readonly msg?: string;
  readonly subCode?: string;
  /** HTTP status of a REST answer; 0 or absent for WebSocket answers. */
  readonly httpStatus?: number;
  /** Delay the venue asked for (Retry-After), when it said. */
  readonly retryAfterMs?: number;
}

/** Map one OKX error (REST or WS, top-level or per-order) to a VenueErrorInfo. */
export function okxErrorInfo(input: OkxErrorInput): VenueErrorInfo {
  const code = typeof input.code === 'string' ? input.code : String(input.code);
  const msg = typeof input.msg === 'string' ? input.msg : '';
  const sub = typeof input.subCode === 'string' && input.subCode !== '' ? input.subCode : '';
  const venueCode = sub === '' ? code : `${code}_${sub}`;
  const http = input.httpStatus ?? 0;
  const row = TABLE.get(code);
  if (row !== undefined) {
    // A known "not executed" code on a 5xx answer is still trusted: OKX sends 51149 with 500,
    // and 50011 with 429 or 200.
    return info(row, venueCode, msg, row === RATE ? input.retryAfterMs : undefined);
  }
  if (http === 429) return info(RATE, venueCode, msg, input.retryAfterMs);
  if (http >= 500) return info(UNAVAILABLE, venueCode, msg);
  if (http === 401 || http === 403) return info(AUTH, venueCode, msg);
  return info(UNMAPPED_ROW, venueCode, msg);
}

/** A REST answer with an HTTP error status and no parsable OKX body. */
export function okxHttpErrorInfo(httpStatus: number, bodyText: string, retryAfterMs?: number): VenueErrorInfo {
  const message = bodyText.length > 200 ? bodyText.slice(0, 200) : bodyText;
  const venueCode = `HTTP_${httpStatus}`;
  if (httpStatus === 429) return info(RATE, venueCode, message, retryAfterMs);
  if (httpStatus >= 500) return info(UNAVAILABLE, venueCode, message);
  if (httpStatus === 401 || httpStatus === 403) return info(AUTH, venueCode, message);
  return info(UNMAPPED_ROW, venueCode, message);
}

/** No answer within `afterMs`: outcome unknown, query before acting. */
export function okxTimeoutInfo(afterMs: number): VenueErrorInfo {
  return timeoutErrorInfo('TIMEOUT', afterMs);
}

/** The connection closed (or failed) with a request in flight: outcome unknown. */
export function okxDisconnectedInfo(detail: string): VenueErrorInfo {
  return disconnectedErrorInfo('DISCONNECTED', detail);
}

/** True for the OKX codes that mean "rate limited, not executed". */
export function isOkxRateLimitCode(code: string): boolean {
  return TABLE.get(code) === RATE;
}

/** WebSocket close codes OKX documents, with what they mean for reconnecting. */
export const OKX_WS_CLOSE_CODES: Readonly<Record<number, { readonly meaning: string; readonly reconnect: boolean }>> = {
  1009: { meaning: 'frame too large', reconnect: true },
  4001: { meaning: 'login failed', reconnect: false },
  4002: { meaning: 'invalid request', reconnect: false },
  4004: { meaning: 'no data received in 30s', reconnect: true },
  4008: { meaning: 'subscription limit', reconnect: false },
  4009: { meaning: 'subscription limit', reconnect: false },
};
