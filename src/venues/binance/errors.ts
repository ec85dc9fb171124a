// Binance error codes and HTTP statuses -> venue-neutral VenueErrorInfo, for spot and USD-M
// (PROTOCOLS.md §1.7, §1.8, §2.7; neighbouring codes from the same errors.md / error-code pages).
//
// Invariants:
// - Every input maps to exactly one XmcErrorCode; nothing throws.
// - "Outcome unknown" is never reported as a rejection: -1006, -1007 (TIMEOUT "execution status
//   unknown"), -1000, transport timeouts, HTTP 5xx (except the documented definite failures
//   below), HTTP 408 and every code we do not know are `outcome: 'unknown'`, `retryable: false`
//   (the order must be queried by client id before anything is sent again) — the same convention
//   as the OKX adapter.
// - Definite failures that may be retried: 429 / -1003 / -1015 (rate limits; Retry-After or the
//   WS-API `retryAfter` carried in `retryAfterMs`), 418 (IP ban, until Retry-After), -1021
//   (timestamp: resync the clock), USD-M -1008 and HTTP 503 "Service Unavailable." (system
//   throttle: a 100% failure, retry with backoff).
// - -2010 NEW_ORDER_REJECTED and -2011 CANCEL_REJECTED are split by their documented messages
//   (duplicate client id, insufficient balance, post-only would take, unknown order, ...).
// - Rows shared with the other venue and the VenueErrorInfo builders come from src/venues/errors.ts
//   (rows are compared by identity); the code table and the venueCode spellings are this venue's.
import {
  AUTH_ROW, BALANCE_ROW, CLOSED_ROW, disconnectedErrorInfo, DUPLICATE_ROW, errorInfo as info, INVALID_ROW, NOT_FOUND_ROW,
  OUTCOME_UNKNOWN_ROW, POST_ONLY_ROW, RATE_ROW, REJECT_ROW, timeoutErrorInfo, TIMESTAMP_ROW, UNAVAILABLE_UNKNOWN_ROW,
  UNMAPPED_ROW, type ErrorRow,
} from '../errors.js';
import type { VenueErrorInfo } from '../types.js';

type Row = ErrorRow;

const UNKNOWN = OUTCOME_UNKNOWN_ROW;
const UNMAPPED = UNMAPPED_ROW;
const UNAVAILABLE_UNKNOWN = UNAVAILABLE_UNKNOWN_ROW;
const UNAVAILABLE_KNOWN: Row = ['VENUE_UNAVAILABLE', true, 'known'];
const RATE = RATE_ROW;
const BANNED: Row = ['IP_BANNED', true, 'known'];
const AUTH = AUTH_ROW;
const TS = TIMESTAMP_ROW;
const BALANCE = BALANCE_ROW;
const INVALID = INVALID_ROW;
const POST_ONLY = POST_ONLY_ROW;
const NOT_FOUND = NOT_FOUND_ROW;
const DUPLICATE = DUPLICATE_ROW;
const CLOSED = CLOSED_ROW;
const REJECT = REJECT_ROW;

const COMMON = new Map<number, Row>();
const SPOT = new Map<number, Row>();
const USDM = new Map<number, Row>();
function set(t: Map<number, Row>, row: Row, ...codes: number[]): void {
  for (const c of codes) t.set(c, row);
}

// 10xx general server or network issues
set(COMMON, UNMAPPED, -1000); // UNKNOWN: an unknown error occurred while processing the request
set(COMMON, UNAVAILABLE_UNKNOWN, -1001); // DISCONNECTED: internal error
set(COMMON, AUTH, -1002); // UNAUTHORIZED
set(COMMON, RATE, -1003, -1015); // TOO_MANY_REQUESTS, TOO_MANY_ORDERS
set(COMMON, UNKNOWN, -1006, -1007); // UNEXPECTED_RESP / TIMEOUT: execution status unknown
set(COMMON, INVALID, -1013, -1014); // INVALID_MESSAGE (filter failures), UNKNOWN_ORDER_COMPOSITION
set(COMMON, REJECT, -1020); // UNSUPPORTED_OPERATION
set(COMMON, TS, -1021); // INVALID_TIMESTAMP
set(COMMON, AUTH, -1022); // INVALID_SIGNATURE
// 11xx request issues
set(COMMON, INVALID, -1100, -1101, -1102, -1103, -1104, -1105, -1106, -1108, -1111, -1112, -1114, -1115, -1116, -1117,
  -1118, -1119, -1120, -1121, -1127, -1128, -1130, -1131, -1134);
set(COMMON, REJECT, -1125); // INVALID_LISTEN_KEY: recreate it
// 20xx processing issues
set(COMMON, REJECT, -2010); // NEW_ORDER_REJECTED (split by message below)
set(COMMON, REJECT, -2011); // CANCEL_REJECTED (split by message below)
set(COMMON, NOT_FOUND, -2013); // NO_SUCH_ORDER
set(COMMON, AUTH, -2014, -2015); // BAD_API_KEY_FMT, REJECTED_MBX_KEY

// spot-only
set(SPOT, UNAVAILABLE_KNOWN, -1008); // SERVER_BUSY: overloaded, try again
set(SPOT, UNAVAILABLE_KNOWN, -1016); // SERVICE_SHUTTING_DOWN
set(SPOT, AUTH, -1099); // not found, unauthenticated, or unauthorized
set(SPOT, CLOSED, -2016); // NO_TRADING_WINDOW
set(SPOT, NOT_FOUND, -2026, -2039); // ORDER_ARCHIVED; orderId/origClientOrderId mismatch

// USD-M-only
set(USDM, UNAVAILABLE_KNOWN, -1008); // request throttled by system-level protection (HTTP 503): 100% failure
set(USDM, AUTH, -1109); // INVALID_ACCOUNT
set(USDM, BALANCE, -2018, -2019); // BALANCE_NOT_SUFFICIENT, MARGIN_NOT_SUFFICIEN
set(USDM, REJECT, -2020, -2022, -2027, -2028); // unable to fill, reduce-only reject, max leverage/position
set(USDM, INVALID, -2021); // ORDER_WOULD_IMMEDIATELY_TRIGGER
set(USDM, INVALID, -4015); // client order id not valid / too long
set(USDM, DUPLICATE, -4116); // DUPLICATED_CLIENT_ORDER_ID
set(USDM, INVALID, -4164); // MIN_NOTIONAL
set(USDM, REJECT, -5021); // FOK could not be fully filled
set(USDM, POST_ONLY, -5022); // GTX_ORDER_REJECT: post-only would take
for (let c = -4000; c >= -4199; c--) if (!USDM.has(c)) USDM.set(c, INVALID); // 40xx-41xx request parameter checks

/** Split -2010 / -2011 by the documented message texts. */
function byMessage(code: number, msg: string, row: Row): Row {
  const m = msg.toLowerCase();
  if (code === -2010) {
    if (m.includes('duplicate order')) return DUPLICATE;
    if (m.includes('insufficient balance')) return BALANCE;
    if (m.includes('immediately match and take')) return POST_ONLY;
    if (m.includes('market is closed')) return CLOSED;
    if (m.includes('would trigger immediately') || m.includes('filter failure')) return INVALID;
    return row;
  }
  if (code === -2011) {
    if (m.includes('unknown order')) return NOT_FOUND;
    return row;
  }
  if (code === -1003 && m.includes('ip banned')) return BANNED;
  return row;
}

export interface BinanceErrorInput {
  readonly venue: 'binance-spot' | 'binance-usdm';
  /** HTTP status, or the WS-API response `status` (HTTP-like); 0 when none (stream errors). */
  readonly httpStatus?: number;
  /** The body's `code` (number, or a numeric string). */
  readonly code?: number | string;
  readonly msg?: string;
  /** `Retry-After` header value (seconds), when present. */
  readonly retryAfterHeader?: string | null;
  /** WS-API `error.data.retryAfter` (epoch ms) and the injected now to turn it into a delay. */
  readonly retryAfterEpochMs?: number;
  readonly nowMs?: number;
}

function retryAfter(input: BinanceErrorInput): number | undefined {
  const h = input.retryAfterHeader;
  if (h !== undefined && h !== null && /^\s*\d+(\.\d+)?\s*$/.test(h)) return Math.round(Number(h) * 1000);
  if (input.retryAfterEpochMs !== undefined && input.nowMs !== undefined && Number.isFinite(input.retryAfterEpochMs)) {
    return Math.max(0, input.retryAfterEpochMs - input.nowMs);
  }
  return undefined;
}

/** Maps one Binance error (HTTP status and/or body code) to a VenueErrorInfo. Never throws. */
export function binanceErrorInfo(input: BinanceErrorInput): VenueErrorInfo {
  const status = input.httpStatus ?? 0;
  const msg = typeof input.msg === 'string' ? input.msg : '';
  const codeNum = typeof input.code === 'number' ? input.code : typeof input.code === 'string' && /^-?\d+$/.test(input.code) ? Number(input.code) : NaN;
  const venueCode = Number.isFinite(codeNum) ? String(codeNum) : status > 0 ? `HTTP ${status}` : 'none';
  const wait = retryAfter(input);
  // HTTP-level classes first where the status decides the semantics.
  if (status === 418) return info(BANNED, venueCode, msg || 'IP banned (418)', wait);
  if (status === 429) return info(RATE, venueCode, msg || 'rate limit (429)', wait);
  if (Number.isFinite(codeNum)) {
    const venueTable = input.venue === 'binance-spot' ? SPOT : USDM;
    let row = venueTable.get(codeNum) ?? COMMON.get(codeNum);
    if (row !== undefined) {
      row = byMessage(codeNum, msg, row);
      // a 5xx answer is "execution status unknown" unless the code is a documented definite failure
      if (status >= 500 && row[2] === 'known' && row !== UNAVAILABLE_KNOWN && row !== RATE) row = UNAVAILABLE_UNKNOWN;
      return info(row, venueCode, msg, row === RATE || row === BANNED || row === UNAVAILABLE_KNOWN ? wait : undefined);
    }
  }
  if (status === 408) return info(['TIMEOUT', false, 'unknown'], venueCode, msg || 'backend timeout (408)');
  if (status === 503 && /^service unavailable\.?$/i.test(msg.trim())) return info(UNAVAILABLE_KNOWN, venueCode, msg, wait);
  if (status >= 500) return info(UNAVAILABLE_UNKNOWN, venueCode, msg || `HTTP ${status}: execution status unknown`);
  if (status === 403) return info(REJECT, venueCode, msg || 'WAF limit violated (403)');
  if (status === 409) return info(['REJECTED', false, 'unknown'], venueCode, msg || 'cancelReplace partially succeeded (409)');
  if (status === 401) return info(AUTH, venueCode, msg || 'unauthorized (401)');
  return info(UNMAPPED, venueCode, msg || (status > 0 ? `HTTP ${status}` : 'unknown error'));
}

/** No answer in time (transport timeout): outcome unknown, query by client id first. */
export function binanceTimeoutInfo(afterMs: number): VenueErrorInfo {
  return timeoutErrorInfo('timeout', afterMs);
}

/** Connection lost with a request in flight: outcome unknown. */
export function binanceDisconnectedInfo(detail: string): VenueErrorInfo {
  return disconnectedErrorInfo('disconnected', detail);
}

/**
 * Maps an HTTP error answer (status, headers' Retry-After, body text `{"code":..,"msg":..}`).
 * A body that is not Binance JSON is still classified by the status.
 */
export function binanceHttpErrorInfo(venue: 'binance-spot' | 'binance-usdm', httpStatus: number, bodyText: string, retryAfterHeader?: string | null): VenueErrorInfo {
  let code: number | string | undefined;
  let msg = '';
  try {
    const o = JSON.parse(bodyText) as unknown;
    if (o !== null && typeof o === 'object') {
      const r = o as Record<string, unknown>;
      if (typeof r['code'] === 'number' || typeof r['code'] === 'string') code = r['code'];
      if (typeof r['msg'] === 'string') msg = r['msg'];
    }
  } catch {
    msg = bodyText.length > 200 ? bodyText.slice(0, 200) : bodyText;
  }
  return binanceErrorInfo({ venue, httpStatus, code, msg, retryAfterHeader });
}
