// Deterministic OKX client order ids (`clOrdId`).
//
// OKX accepts `^[A-Za-z0-9]{1,32}$` (case-sensitive alphanumerics; no '-' or '_' since 2026).
// Our id is fixed-width after a configurable prefix, so the mapping (prefix, comboId, leg,
// attempt) -> clOrdId is injective and reversible:
//
//   prefix (1..16 alphanumerics) + comboId (11 base36 digits, zero padded, 0 <= id <= 2^53-1)
//          + leg (1 base36 digit, 0..35) + attempt (4 base36 digits, 0..36^4-1)
//
// at most 16 + 11 + 1 + 4 = 32 characters. The same inputs always give the same id, across
// processes and restarts, which is what lets an order of unknown outcome be queried by client id
// instead of being re-sent. Base36 digits are lower case; the prefix may use either case.

export const OKX_CLORDID_MAX = 32;
const COMBO_WIDTH = 11;
const LEG_WIDTH = 1;
const ATTEMPT_WIDTH = 4;
const MAX_ATTEMPT = 36 ** ATTEMPT_WIDTH - 1;
const MAX_PREFIX = OKX_CLORDID_MAX - COMBO_WIDTH - LEG_WIDTH - ATTEMPT_WIDTH;
const SUFFIX_WIDTH = COMBO_WIDTH + LEG_WIDTH + ATTEMPT_WIDTH;

const ALNUM = /^[A-Za-z0-9]+$/;

/** True when `s` is a valid OKX clOrdId (1..32 ASCII letters and digits). */
export function isValidOkxClOrdId(s: string): boolean {
  return s.length >= 1 && s.length <= OKX_CLORDID_MAX && ALNUM.test(s);
}

export interface ClOrdIdParts {
  readonly comboId: number;
  readonly leg: number;
  readonly attempt: number;
}

/** Why an id could not be built; callers treat this as a programming / config error. */
export class ClOrdIdError extends Error {
  override readonly name = 'ClOrdIdError';
}

function pad36(n: number, width: number): string {
  const s = n.toString(36);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** Check a prefix once at configuration time. */
export function validateClOrdIdPrefix(prefix: string): string | null {
  if (prefix.length < 1 || prefix.length > MAX_PREFIX) return `prefix must be 1..${MAX_PREFIX} characters`;
  if (!ALNUM.test(prefix)) return 'prefix must be ASCII letters and digits only';
  return null;
}

/**
 * The clOrdId of attempt `attempt` of leg `leg` of combo `comboId`. Throws ClOrdIdError on
 * out-of-range input (a configuration bug, never a venue input).
 */
export function okxClOrdId(prefix: string, comboId: number, leg: number, attempt: number): string {
  const bad = validateClOrdIdPrefix(prefix);
  if (bad !== null) throw new ClOrdIdError(bad);
  if (!Number.isSafeInteger(comboId) || comboId < 0) throw new ClOrdIdError('comboId must be a safe non-negative integer');
  if (!Number.isInteger(leg) || leg < 0 || leg > 35) throw new ClOrdIdError('leg must be an integer 0..35');
  if (!Number.isInteger(attempt) || attempt < 0 || attempt > MAX_ATTEMPT) {
    throw new ClOrdIdError(`attempt must be an integer 0..${MAX_ATTEMPT}`);
  }
  return prefix + pad36(comboId, COMBO_WIDTH) + leg.toString(36) + pad36(attempt, ATTEMPT_WIDTH);
}

const B36 = /^[0-9a-z]+$/;

/**
 * Inverse of okxClOrdId for ids carrying `prefix`; null for any other id (orders placed by hand,
 * by another system, or malformed venue input).
 */
export function parseOkxClOrdId(prefix: string, clOrdId: string): ClOrdIdParts | null {
  if (clOrdId.length !== prefix.length + SUFFIX_WIDTH || !clOrdId.startsWith(prefix)) return null;
  const tail = clOrdId.slice(prefix.length);
  if (!B36.test(tail)) return null;
  const comboId = parseInt(tail.slice(0, COMBO_WIDTH), 36);
  const leg = parseInt(tail.slice(COMBO_WIDTH, COMBO_WIDTH + LEG_WIDTH), 36);
  const attempt = parseInt(tail.slice(COMBO_WIDTH + LEG_WIDTH), 36);
  if (!Number.isSafeInteger(comboId)) return null;
  return { comboId, leg, attempt };
}
