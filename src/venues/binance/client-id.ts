// Deterministic Binance client order ids (`newClientOrderId` / `origClientOrderId`).
//
// Documented formats: spot `^[a-zA-Z0-9-_]{1,36}$` (the FIX regex; PROTOCOLS.md §6.1 notes REST
// and WS state no other), USD-M `^[\.A-Z\:/a-z0-9_-]{1,36}$`. We use only the common subset
// [A-Za-z0-9-], so one id is valid on both:
//
//   <prefix>-<comboId base36>-<leg base36>-<attempt base36>
//
// prefix 1..8 alphanumerics, comboId 0..2^53-1 (<= 11 base36 digits), leg 0..35 (1 digit),
// attempt 0..36^4-1 (<= 4 digits): at most 8+1+11+1+1+1+4 = 27 characters <= 36.
// The mapping is injective and reversible (`parseBinanceClientOrderId`), and the same inputs give
// the same id across processes and restarts, so an order of unknown outcome can be queried by
// client id instead of being re-sent; a deliberate re-send is a new attempt with a new id.

export const BINANCE_CLIENT_ID_MAX = 36;
export const BINANCE_SPOT_CLIENT_ID = /^[a-zA-Z0-9_-]{1,36}$/;
export const BINANCE_USDM_CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const PREFIX = /^[A-Za-z0-9]{1,8}$/;
const MAX_ATTEMPT = 36 ** 4 - 1;

export interface ClientIdParts {
  readonly comboId: number;
  readonly leg: number;
  readonly attempt: number;
}

export class ClientIdError extends Error {
  override readonly name = 'ClientIdError';
}

export function binanceClientOrderId(prefix: string, comboId: number, leg: number, attempt: number): string {
  if (!PREFIX.test(prefix)) throw new ClientIdError('prefix must be 1..8 ASCII letters and digits');
  if (!Number.isSafeInteger(comboId) || comboId < 0) throw new ClientIdError('comboId must be a safe non-negative integer');
  if (!Number.isInteger(leg) || leg < 0 || leg > 35) throw new ClientIdError('leg must be an integer 0..35');
  if (!Number.isInteger(attempt) || attempt < 0 || attempt > MAX_ATTEMPT) throw new ClientIdError(`attempt must be an integer 0..${MAX_ATTEMPT}`);
  return `${prefix}-${comboId.toString(36)}-${leg.toString(36)}-${attempt.toString(36)}`;
}

/** Inverse of `binanceClientOrderId` for ids with this prefix; null for anything else. */
export function parseBinanceClientOrderId(prefix: string, id: string): ClientIdParts | null {
  const parts = id.split('-');
  if (parts.length !== 4 || parts[0] !== prefix) return null;
  const [, c, l, a] = parts as [string, string, string, string];
  if (!/^[0-9a-z]{1,11}$/.test(c) || !/^[0-9a-z]$/.test(l) || !/^[0-9a-z]{1,4}$/.test(a)) return null;
  const comboId = parseInt(c, 36);
  const leg = parseInt(l, 36);
  const attempt = parseInt(a, 36);
  if (!Number.isSafeInteger(comboId)) return null;
  // canonical form only (no leading zeros), so parse(build(x)) is the only way back
  if (comboId.toString(36) !== c || attempt.toString(36) !== a) return null;
  return { comboId, leg, attempt };
}

export function isValidBinanceClientOrderId(venue: 'binance-spot' | 'binance-usdm', id: string): boolean {
  return (venue === 'binance-spot' ? BINANCE_SPOT_CLIENT_ID : BINANCE_USDM_CLIENT_ID).test(id);
}
