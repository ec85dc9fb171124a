// Venue-neutral pieces of the venue error mappers (src/venues/binance/errors.ts,
// src/venues/okx/errors.ts): the row shape of their code tables, the rows both venues use, and
// the builders of VenueErrorInfo for a table row, a transport timeout and a lost connection.
// Which codes map to which row, and the venue's own `venueCode` spellings, stay in the venue
// modules.
//
// Invariants:
// - Rows are shared constants: the venue mappers compare rows by identity (e.g. `row === RATE`),
//   so a venue module uses these objects, never an equal copy.
// - A timeout or a disconnect with a request in flight is `outcome: 'unknown'`, `retryable: false`
//   (the order must be queried by client id before anything is sent again).
// - `retryAfterMs` is set only when the venue gave a non-negative delay.
import type { VenueErrorInfo, XmcErrorCode } from './types.js';

/** One code-table entry: the neutral code, whether a retry may succeed, and the order outcome. */
export type ErrorRow = readonly [XmcErrorCode, boolean /* retryable */, 'known' | 'unknown'];

export const OUTCOME_UNKNOWN_ROW: ErrorRow = ['OUTCOME_UNKNOWN', false, 'unknown'];
export const UNMAPPED_ROW: ErrorRow = ['UNKNOWN_ERROR', false, 'unknown'];
export const UNAVAILABLE_UNKNOWN_ROW: ErrorRow = ['VENUE_UNAVAILABLE', false, 'unknown'];
export const RATE_ROW: ErrorRow = ['RATE_LIMITED', true, 'known'];
export const AUTH_ROW: ErrorRow = ['AUTH', false, 'known'];
export const TIMESTAMP_ROW: ErrorRow = ['TIMESTAMP', true, 'known'];
export const BALANCE_ROW: ErrorRow = ['INSUFFICIENT_BALANCE', false, 'known'];
export const INVALID_ROW: ErrorRow = ['INVALID_ORDER', false, 'known'];
export const POST_ONLY_ROW: ErrorRow = ['POST_ONLY_REJECTED', false, 'known'];
export const NOT_FOUND_ROW: ErrorRow = ['ORDER_NOT_FOUND', false, 'known'];
export const DUPLICATE_ROW: ErrorRow = ['DUPLICATE_CLIENT_ID', false, 'known'];
export const CLOSED_ROW: ErrorRow = ['MARKET_CLOSED', false, 'known'];
export const REJECT_ROW: ErrorRow = ['REJECTED', false, 'known'];

/** The VenueErrorInfo of a table row (`retryAfterMs` kept only when given and >= 0). */
export function errorInfo(row: ErrorRow, venueCode: string, message: string, retryAfterMs?: number): VenueErrorInfo {
  const base = { code: row[0], retryable: row[1], outcome: row[2], venueCode, message };
  return retryAfterMs !== undefined && retryAfterMs >= 0 ? { ...base, retryAfterMs } : base;
}

/** No answer within `afterMs` (transport timeout): outcome unknown, query before acting. */
export function timeoutErrorInfo(venueCode: string, afterMs: number): VenueErrorInfo {
  return { code: 'TIMEOUT', retryable: false, outcome: 'unknown', venueCode, message: `no answer within ${afterMs} ms` };
}

/** The connection closed (or failed) with a request in flight: outcome unknown. */
export function disconnectedErrorInfo(venueCode: string, detail: string): VenueErrorInfo {
  return { code: 'VENUE_UNAVAILABLE', retryable: false, outcome: 'unknown', venueCode, message: detail };
}
