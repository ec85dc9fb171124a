// Binance request signing (PROTOCOLS.md §1.4, §2.4), shared by spot and USD-M.
//
// - REST: HMAC-SHA256 keyed by the secret over `totalParams` = query string concatenated with the
//   request body (no separator), hex output. Parameter values are percent-encoded (UTF-8, so
//   non-ASCII symbols become %EF%BC%91...) before signing, and the exact encoded string that is
//   signed is the string that is sent; `signature` is appended last.
// - WebSocket API: every param except `signature` (including `apiKey`) sorted alphabetically by
//   name and joined as `k=v&...`, UTF-8, NOT percent-encoded; hex HMAC-SHA256.
// Pure: node:crypto computes the MAC (no I/O). Secrets are only ever passed to createHmac.
import { createHmac } from 'node:crypto';

export interface BinanceCredentials {
  readonly apiKey: string;
  /** HMAC secret. Never logged. */
  readonly secret: string;
}

export type ParamValue = string | number | boolean;
/** Ordered request parameters. Order is preserved on the wire (REST); the WS API sorts. */
export type Params = readonly (readonly [string, ParamValue])[];

export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

/**
 * Percent-encodes one query value: RFC 3986 unreserved characters stay, everything else (reserved
 * ASCII and every non-ASCII UTF-8 byte) becomes %XX with upper-case hex.
 */
export function percentEncode(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function valueText(v: ParamValue): string {
  return typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? 'true' : 'false') : numberText(v);
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`binance param: not a finite number: ${n}`);
  // integers only as numbers (timestamps, ids, recvWindow); decimals must be passed as exact strings
  if (!Number.isInteger(n)) throw new RangeError(`binance param: pass decimals as exact strings, got ${n}`);
  return String(n);
}

/** `k1=v1&k2=v2` with percent-encoded values, in the given order. */
export function encodeQuery(params: Params): string {
  let s = '';
  for (let i = 0; i < params.length; i++) {
    const [k, v] = params[i]!;
    if (i > 0) s += '&';
    s += percentEncode(k) + '=' + percentEncode(valueText(v));
  }
  return s;
}

/** REST signature over query string + body (either may be empty). */
export function signRest(secret: string, query: string, body = ''): string {
  return hmacSha256Hex(secret, query + body);
}

/** The WS-API signature payload: params (minus `signature`) sorted by name, `k=v&...`, unencoded. */
export function wsApiPayload(params: Readonly<Record<string, ParamValue>>): string {
  const keys = Object.keys(params).filter((k) => k !== 'signature').sort();
  let s = '';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) s += '&';
    s += keys[i] + '=' + valueText(params[keys[i]!]!);
  }
  return s;
}

export function signWsApi(secret: string, params: Readonly<Record<string, ParamValue>>): string {
  return hmacSha256Hex(secret, wsApiPayload(params));
}
