// OKX v5 balances -> venue-neutral VenueBalanceUpdate (src/venues/types.ts):
// - REST `GET /api/v5/account/balance` ("Retrieve a list of assets (with non-zero balance)"):
//   `{code, msg, data: [{uTime, totalEq, details: [{ccy, cashBal, availBal, availEq, eq,
//   frozenBal, uTime, ...}]}]}` -> a snapshot;
// - private WS channel `account` pushes: `{arg: {channel: 'account', uid}, eventType, curPage,
//   lastPage, data: [{uTime, details: [...]}]}`.
//
// Per asset: total = `cashBal`; free = `availBal`. `availBal` can be '' for account modes where
// the docs scope the per-currency figures differently (fields not applicable to the mode are ""):
// then free = `availEq` (available equity of the currency, documented for Futures mode /
// Multi-currency margin / Portfolio margin), and when that is '' too, free = `cashBal`.
//
// Snapshot or update, from the OKX account-channel page (docs-v5 "Account channel", scrape of
// 2026-06-15): pushes carry `eventType`: `snapshot` = "Initial and regular snapshot push"
// (paged with `curPage` / `lastPage` when too large for one message), `event_update` =
// "Event-driven update push"; "Only currencies with non-zero balance will be pushed"; "all 5
// currencies data will be pushed in initial snapshot and in regular update. Subsequently when
// there is change in balance or equity of an token, only the incremental data of that currency
// will be pushed". So: `eventType: 'snapshot'` on a single page (no `curPage` or `curPage` 1,
// `lastPage` not false) -> snapshot = true; a page of a multi-page snapshot -> snapshot = false
// (each page lists current values but not the whole account); `event_update` -> snapshot = false.
// A push without `eventType` (the older form) is a snapshot only when it is the first push after
// subscribing (the caller says so), as the older docs described the first push as the full one.
//
// Invariants:
// - Nothing throws, whatever the input.
// - REST answers: `code` != "0" or an HTTP error maps through the OKX error table (errors.ts);
//   a snapshot is all or nothing (one malformed currency makes it an error, since leaving it out
//   would claim it is zero). Stream updates skip malformed currencies (counted in `skipped`).
// - Amounts are the venue's exact strings.
import type { BalanceOutcome, VenueBalance } from '../types.js';
import { isAssetCode, isDecimalString, isObj, timeMsOf as timeMs, type BalanceMapping } from '../balances.js';
import { okxErrorInfo, okxHttpErrorInfo } from './errors.js';

type Obj = Record<string, unknown>;

/** Bodies above this size are not parsed (an account has at most a few hundred currencies). */
const MAX_TEXT = 4 << 20;

function parseObject(text: unknown): Obj | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT) return null;
  try {
    const v: unknown = JSON.parse(text);
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

function str(o: Obj, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
}

/** One `details[]` entry -> a balance, or why not. */
export function okxDetailBalance(d: unknown): VenueBalance | string {
  if (!isObj(d)) return 'detail is not an object';
  const ccy = d['ccy'];
  if (!isAssetCode(ccy)) return `bad ccy ${JSON.stringify(ccy)}`;
  const cash = d['cashBal'];
  if (!isDecimalString(cash)) return `${ccy}: cashBal is not a decimal string`;
  const avail = d['availBal'];
  const availEq = d['availEq'];
  let free: string;
  if (isDecimalString(avail)) free = avail;
  else if (avail !== undefined && avail !== '') return `${ccy}: availBal is not a decimal string`;
  else if (isDecimalString(availEq)) free = availEq;
  else if (availEq !== undefined && availEq !== '') return `${ccy}: availEq is not a decimal string`;
  else free = cash;
  return { asset: ccy, free, total: cash };
}

/** The `details` of every `data[]` entry; strict (snapshot) or skipping (update). */
function collect(data: unknown, strict: boolean): { balances: VenueBalance[]; skipped: number; timeMs: number } | string {
  if (!Array.isArray(data)) return 'data is not an array';
  const balances: VenueBalance[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  let t = 0;
  for (const e of data as unknown[]) {
    if (!isObj(e)) {
      if (strict) return 'data entry is not an object';
      skipped++;
      continue;
    }
    const ut = timeMs(e, 'uTime');
    if (ut > t) t = ut;
    const details = e['details'];
    if (!Array.isArray(details)) {
      if (strict) return 'data entry without a details array';
      skipped++;
      continue;
    }
    for (const d of details as unknown[]) {
      const b = okxDetailBalance(d);
      if (typeof b === 'string' || seen.has(b.asset)) {
        if (strict) return typeof b === 'string' ? b : `${b.asset} listed twice`;
        skipped++;
        continue;
      }
      seen.add(b.asset);
      balances.push(b);
    }
  }
  return { balances, skipped, timeMs: t };
}

/**
 * `GET /api/v5/account/balance` answer (body text, HTTP status) -> a snapshot, or the mapped
 * venue error. A readable answer of the wrong shape is an error with outcome 'unknown'
 * (BAD_RESPONSE), like any garbled answer.
 */
export function parseOkxBalance(text: string, httpStatus = 200, retryAfterMs?: number): BalanceOutcome {
  const o = parseObject(text);
  const bad = (what: string): BalanceOutcome => ({
    ok: false,
    error: httpStatus !== 200 && httpStatus !== 0
      ? okxHttpErrorInfo(httpStatus, typeof text === 'string' ? text : '', retryAfterMs)
      : { code: 'UNKNOWN_ERROR', retryable: false, outcome: 'unknown', venueCode: 'BAD_RESPONSE', message: what },
  });
  if (o === null) return bad('unparseable balance answer');
  const code = str(o, 'code');
  if (code !== '0') {
    if (code === '') return bad('balance answer without code');
    return { ok: false, error: okxErrorInfo({ code, msg: str(o, 'msg'), httpStatus, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }) };
  }
  const data = o['data'];
  if (!Array.isArray(data) || data.length === 0) return bad('balance answer without data');
  const c = collect([data[0]], true);
  if (typeof c === 'string') return bad(`balance answer: ${c}`);
  return { ok: true, update: { venue: 'okx', balances: c.balances, snapshot: true, source: 'rest', venueTimeMs: c.timeMs } };
}

/**
 * One `account` channel push (frame text) -> an update. `firstAfterSubscribe`: this is the first
 * account push since the subscription was acknowledged on this connection (decides snapshot only
 * for pushes without `eventType`).
 */
export function mapOkxAccountPush(text: string, firstAfterSubscribe: boolean): BalanceMapping {
  const o = parseObject(text);
  if (o === null) return { ok: false, detail: 'unparseable account push' };
  const arg = o['arg'];
  if (!isObj(arg) || arg['channel'] !== 'account') return { ok: false, detail: 'not an account push' };
  const eventType = o['eventType'];
  let snapshot: boolean;
  if (eventType === 'snapshot') {
    const cur = o['curPage'];
    const last = o['lastPage'];
    snapshot = (cur === undefined || cur === 1) && last !== false;
  } else if (eventType === 'event_update') snapshot = false;
  else if (eventType === undefined) snapshot = firstAfterSubscribe;
  else return { ok: false, detail: `account push with unknown eventType ${JSON.stringify(eventType)}` };
  const c = collect(o['data'], snapshot);
  if (typeof c === 'string') return { ok: false, detail: `account push: ${c}` };
  // a snapshot may be empty (no non-zero currency); an update must list something
  if (!snapshot && c.balances.length === 0) return { ok: false, detail: c.skipped > 0 ? `account push: all ${c.skipped} entries malformed` : 'account push with no currencies' };
  return { ok: true, skipped: c.skipped, update: { venue: 'okx', balances: c.balances, snapshot, source: 'stream', venueTimeMs: c.timeMs } };
}
