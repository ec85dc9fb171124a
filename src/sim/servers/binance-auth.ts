// Server-side request checks of the simulated Binance venues (spot and USD-M), from the raw
// bytes the server received (PROTOCOLS.md §1.4, §2.4):
// - REST SIGNED: HMAC-SHA256 (hex, case-insensitive) keyed by the account's secret over
//   totalParams = the raw query string + the raw body, each with its `signature=` component
//   removed; parameters from the query win over the body; a parameter twice in one part is -1101.
// - WebSocket API: HMAC-SHA256 over every param except `signature` (apiKey included), sorted by
//   name, joined `k=v&...`, UTF-8, not percent-encoded, using each value's text exactly as it
//   appeared in the JSON (so `0.010` stays `0.010`).
// - timestamp / recvWindow acceptance: timestamp < serverTime + 1000 && serverTime - timestamp
//   <= recvWindow (default 5000, max 60000, up to 3 decimals); µs timestamps accepted.
//
// The HMAC is recomputed here with node:crypto from what was received; nothing is shared with
// the adapters' signing code, so a client that signs the wrong bytes is rejected.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface BinanceError {
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

export function bErr(status: number, code: number, msg: string): BinanceError {
  return { status, code, msg };
}

export const E_MANDATORY = (p: string): BinanceError => bErr(400, -1102, `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`);

/** Decodes `k=v&k=v` (application/x-www-form-urlencoded); null on a parameter repeated in the same part. */
function decodePart(raw: string, into: Map<string, string>, order: string[]): BinanceError | null {
  if (raw === '') return null;
  const seen = new Set<string>();
  for (const comp of raw.split('&')) {
    if (comp === '') continue;
    const eq = comp.indexOf('=');
    let k: string;
    let v: string;
    try {
      k = decodeURIComponent((eq < 0 ? comp : comp.slice(0, eq)).replace(/\+/g, ' '));
      v = eq < 0 ? '' : decodeURIComponent(comp.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      return bErr(400, -1100, `Illegal characters found in a parameter.`);
    }
    if (seen.has(k)) return bErr(400, -1101, 'Duplicate values for a parameter detected.');
    seen.add(k);
    if (!into.has(k)) {
      into.set(k, v);
      order.push(k);
    }
  }
  return null;
}

export interface ParsedParams {
  readonly params: Map<string, string>;
  /** Names in first-seen order (query first). */
  readonly names: string[];
}

/** Parameters of a REST request: query string, then the form body; the query wins. */
export function parseRestParams(rawQuery: string, body: string): ParsedParams | BinanceError {
  const params = new Map<string, string>();
  const names: string[] = [];
  const e1 = decodePart(rawQuery, params, names);
  if (e1 !== null) return e1;
  const e2 = decodePart(body, params, names);
  if (e2 !== null) return e2;
  return { params, names };
}

/** Removes the `signature=...` component of a raw `k=v&...` string; null when it has none. */
function withoutSignature(raw: string): { rest: string; signature: string } | null {
  if (raw === '') return null;
  const comps = raw.split('&');
  const i = comps.findIndex((c) => c.startsWith('signature='));
  if (i < 0) return null;
  const signature = comps[i]!.slice('signature='.length);
  comps.splice(i, 1);
  return { rest: comps.join('&'), signature };
}

/** The signed payload (totalParams without the signature) and the signature sent, or null when unsigned. */
export function restSignedPayload(rawQuery: string, body: string): { payload: string; signature: string } | null {
  const q = withoutSignature(rawQuery);
  if (q !== null) return { payload: q.rest + body, signature: q.signature };
  const b = withoutSignature(body);
  if (b !== null) return { payload: rawQuery + b.rest, signature: b.signature };
  return null;
}

export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

/** Constant-time, case-insensitive comparison of a hex HMAC with the expected one. */
export function hexSignatureMatches(secret: string, payload: string, signature: string): boolean {
  const want = Buffer.from(hmacHex(secret, payload), 'utf8');
  const got = Buffer.from(signature.toLowerCase(), 'utf8');
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * The WS-API signature payload from the request's params object, using each value's source text
 * (`sources` from a JSON.parse reviver): strings unquoted and unescaped, numbers and booleans as
 * written.
 */
export function wsApiPayload(params: Record<string, unknown>, sources: ReadonlyMap<string, string>): string | BinanceError {
  const keys = Object.keys(params).filter((k) => k !== 'signature').sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = params[k];
    let text: string;
    if (typeof v === 'string') text = v;
    else if (typeof v === 'number' || typeof v === 'boolean') text = sources.get(k) ?? String(v);
    else return bErr(400, -1100, `Illegal characters found in parameter '${k}'.`);
    parts.push(`${k}=${text}`);
  }
  return parts.join('&');
}

/** Checks timestamp and recvWindow against the server time. */
export function checkTimestamp(timestampText: string | undefined, recvWindowText: string | undefined, nowMs: number, maxRecvWindowMs = 60_000): BinanceError | null {
  if (timestampText === undefined || timestampText === '') return E_MANDATORY('timestamp');
  if (!/^\d{1,17}$/.test(timestampText)) return bErr(400, -1100, `Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.`);
  let ts = Number(timestampText);
  if (ts >= 1e14) ts = ts / 1000; // microseconds
  let recv = 5000;
  if (recvWindowText !== undefined && recvWindowText !== '') {
    if (!/^\d{1,8}(\.\d{1,3})?$/.test(recvWindowText)) return bErr(400, -1100, `Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,8}(\\.[0-9]{1,3})?$'.`);
    recv = Number(recvWindowText);
    if (recv > maxRecvWindowMs) return bErr(400, -1131, `recvWindow must be less than ${maxRecvWindowMs}.`);
  }
  if (!(ts < nowMs + 1000)) return bErr(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  if (!(nowMs - ts <= recv)) return bErr(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  return null;
}
