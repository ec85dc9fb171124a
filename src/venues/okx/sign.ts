// OKX v5 request signing (PROTOCOLS.md section 3.4, 3.2).
//
// - REST: OK-ACCESS-SIGN = Base64(HMAC-SHA256(secretKey, timestamp + METHOD + requestPath + body)),
//   where METHOD is upper case, requestPath includes the query string for GET ("/api/v5/x?a=b"),
//   and body is the exact JSON text sent ("" for GET). The timestamp is ISO-8601 UTC with
//   milliseconds ("2020-12-08T09:08:57.715Z").
// - WS login: sign = Base64(HMAC-SHA256(secretKey, timestampSeconds + "GET" + "/users/self/verify")).
//
// Pure: time is passed in (epoch milliseconds from an injected clock); nothing is logged. The
// credentials object is never serialised by this module; its secret fields are named so that the
// project logger's redaction paths (secretKey, passphrase, apiKey) hide them if it ever is.
import { createHmac } from 'node:crypto';

export interface OkxCredentials {
  readonly apiKey: string;
  readonly secretKey: string;
  readonly passphrase: string;
}

/** Base64 HMAC-SHA256 of `prehash` with `secretKey` (the OKX signature primitive). */
export function okxHmacBase64(secretKey: string, prehash: string): string {
  return createHmac('sha256', secretKey).update(prehash, 'utf8').digest('base64');
}

/** The OKX REST prehash string: timestamp + METHOD + requestPath(+query) + body. */
export function okxRestPrehash(timestamp: string, method: string, requestPathWithQuery: string, body: string): string {
  return timestamp + method.toUpperCase() + requestPathWithQuery + body;
}

/** OK-ACCESS-SIGN for one REST request. */
export function okxRestSign(
  secretKey: string, timestamp: string, method: string, requestPathWithQuery: string, body: string,
): string {
  return okxHmacBase64(secretKey, okxRestPrehash(timestamp, method, requestPathWithQuery, body));
}

/** ISO-8601 UTC with milliseconds, as OK-ACCESS-TIMESTAMP wants it, from epoch milliseconds. */
export function okxIsoTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** The WS login timestamp: Unix seconds as a decimal string (floor of epoch ms / 1000). */
export function okxLoginTimestamp(epochMs: number): string {
  return String(Math.floor(epochMs / 1000));
}

/** Prehash of the WS login signature. */
export function okxLoginPrehash(timestampSeconds: string): string {
  return timestampSeconds + 'GET' + '/users/self/verify';
}

/** `sign` of the WS login request. */
export function okxLoginSign(secretKey: string, timestampSeconds: string): string {
  return okxHmacBase64(secretKey, okxLoginPrehash(timestampSeconds));
}

/** The headers of one signed REST request (plus the demo-trading header when asked). */
export interface OkxRestHeaders {
  readonly 'OK-ACCESS-KEY': string;
  readonly 'OK-ACCESS-SIGN': string;
  readonly 'OK-ACCESS-TIMESTAMP': string;
  readonly 'OK-ACCESS-PASSPHRASE': string;
  readonly 'Content-Type': 'application/json';
  readonly 'x-simulated-trading'?: '1';
}

/**
 * Signed headers for one REST request. `requestPathWithQuery` must be byte-identical to the path
 * and query actually sent, and `body` to the body actually sent.
 */
export function okxRestHeaders(
  creds: OkxCredentials, epochMs: number, method: string, requestPathWithQuery: string, body: string,
  demo = false,
): OkxRestHeaders {
  const ts = okxIsoTimestamp(epochMs);
  const sign = okxRestSign(creds.secretKey, ts, method, requestPathWithQuery, body);
  const h: OkxRestHeaders = {
    'OK-ACCESS-KEY': creds.apiKey,
    'OK-ACCESS-SIGN': sign,
    'OK-ACCESS-TIMESTAMP': ts,
    'OK-ACCESS-PASSPHRASE': creds.passphrase,
    'Content-Type': 'application/json',
  };
  return demo ? { ...h, 'x-simulated-trading': '1' } : h;
}

export interface OkxLoginRequest {
  readonly op: 'login';
  readonly args: readonly [{
    readonly apiKey: string;
    readonly passphrase: string;
    readonly timestamp: string;
    readonly sign: string;
  }];
}

/** The WS login request object (serialise with JSON.stringify; the key order matches the docs). */
export function okxLoginRequest(creds: OkxCredentials, epochMs: number): OkxLoginRequest {
  const timestamp = okxLoginTimestamp(epochMs);
  return {
    op: 'login',
    args: [{ apiKey: creds.apiKey, passphrase: creds.passphrase, timestamp, sign: okxLoginSign(creds.secretKey, timestamp) }],
  };
}

/**
 * Verify a REST signature the way the venue (or our simulator) does: recompute and compare in
 * constant time over the base64 text.
 */
export function okxVerifyRestSign(
  secretKey: string, timestamp: string, method: string, requestPathWithQuery: string, body: string, sign: string,
): boolean {
  return constantTimeEqual(okxRestSign(secretKey, timestamp, method, requestPathWithQuery, body), sign);
}

/** Verify a WS login signature. */
export function okxVerifyLoginSign(secretKey: string, timestampSeconds: string, sign: string): boolean {
  return constantTimeEqual(okxLoginSign(secretKey, timestampSeconds), sign);
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
