// Binance balances -> venue-neutral VenueBalanceUpdate (src/venues/types.ts), spot and USD-M:
// - spot REST `GET /api/v3/account` (`balances[] {asset, free, locked}`, `updateTime`): a
//   snapshot, free = `free`, total = free + locked (exact decimal sum);
// - spot user-data `outboundAccountPosition` (`{e, E, u, B[] {a, f, l}}`; the docs: "sent any
//   time an account balance has changed and contains the assets that were possibly changed"):
//   an update of the listed assets, time `u` (time of last account update), else `E`;
// - spot `balanceUpdate` (`{a, d, T}`: the delta of a deposit, withdrawal or transfer) is NOT
//   mapped: the balance change it describes is followed by an `outboundAccountPosition` carrying
//   the asset's new free/locked, and a delta alone cannot give the new values;
// - USD-M REST `GET /fapi/v3/balance` (`[{asset, balance, availableBalance, updateTime, ...}]`):
//   a snapshot, free = `availableBalance`, total = `balance` (the wallet balance);
// - USD-M `ACCOUNT_UPDATE` (`a.B[] {a, wb, cw, bc}`) carries the wallet balance but no available
//   balance (`cw` is the cross wallet balance, not what new orders may use), so it is not mapped
//   to balances: `parseUsdmAccountUpdate` only validates it and lists its assets, and the USD-M
//   user stream answers it with a coalesced REST re-fetch (usdm-user-stream.ts).
//
// Invariants:
// - Nothing throws, whatever the input (wrong types, missing fields, non-decimal strings).
// - A snapshot is all or nothing: one malformed entry makes the whole answer an error (a
//   snapshot with an entry left out would claim that asset is zero). A stream update skips a
//   malformed entry and counts it in `skipped`; it is an error only when nothing is left.
// - Amounts keep the venue's exact decimal strings (total = free + locked is an exact sum).
// - Cold path (JSON.parse'd bodies and events, a few per fill).
import type { VenueBalance } from '../types.js';
import { addDecimalStrings, isAssetCode, isDecimalString, isObj, timeMsOf as timeMs, type BalanceMapping } from '../balances.js';

/** Spot `GET /api/v3/account` answer (the parsed JSON body) -> a snapshot. */
export function mapBinanceSpotAccount(body: unknown): BalanceMapping {
  if (!isObj(body)) return { ok: false, detail: 'account answer is not an object' };
  const list = body['balances'];
  if (!Array.isArray(list)) return { ok: false, detail: 'account answer without a balances array' };
  const balances: VenueBalance[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const e: unknown = list[i];
    if (!isObj(e)) return { ok: false, detail: `balances[${i}] is not an object` };
    const asset = e['asset'];
    const free = e['free'];
    const locked = e['locked'];
    if (!isAssetCode(asset)) return { ok: false, detail: `balances[${i}]: bad asset ${JSON.stringify(asset)}` };
    if (seen.has(asset)) return { ok: false, detail: `balances[${i}]: asset ${asset} listed twice` };
    if (!isDecimalString(free) || !isDecimalString(locked)) return { ok: false, detail: `balances[${i}] (${asset}): free/locked are not decimal strings` };
    const total = addDecimalStrings(free, locked);
    if (total === null) return { ok: false, detail: `balances[${i}] (${asset}): negative free/locked` };
    seen.add(asset);
    balances.push({ asset, free, total });
  }
  return { ok: true, skipped: 0, update: { venue: 'binance-spot', balances, snapshot: true, source: 'rest', venueTimeMs: timeMs(body, 'updateTime') } };
}

/** USD-M `GET /fapi/v3/balance` (or v2) answer (the parsed JSON body) -> a snapshot. */
export function mapBinanceUsdmBalances(body: unknown): BalanceMapping {
  if (!Array.isArray(body)) return { ok: false, detail: 'balance answer is not an array' };
  const balances: VenueBalance[] = [];
  const seen = new Set<string>();
  let venueTimeMs = 0;
  for (let i = 0; i < body.length; i++) {
    const e: unknown = body[i];
    if (!isObj(e)) return { ok: false, detail: `[${i}] is not an object` };
    const asset = e['asset'];
    const wallet = e['balance'];
    const avail = e['availableBalance'];
    if (!isAssetCode(asset)) return { ok: false, detail: `[${i}]: bad asset ${JSON.stringify(asset)}` };
    if (seen.has(asset)) return { ok: false, detail: `[${i}]: asset ${asset} listed twice` };
    if (!isDecimalString(wallet) || !isDecimalString(avail)) return { ok: false, detail: `[${i}] (${asset}): balance/availableBalance are not decimal strings` };
    seen.add(asset);
    balances.push({ asset, free: avail, total: wallet });
    const t = timeMs(e, 'updateTime');
    if (t > venueTimeMs) venueTimeMs = t;
  }
  return { ok: true, skipped: 0, update: { venue: 'binance-usdm', balances, snapshot: true, source: 'rest', venueTimeMs } };
}

/** Spot `outboundAccountPosition` event (the inner event object) -> an update of the listed assets. */
export function mapBinanceAccountPosition(e: unknown): BalanceMapping {
  if (!isObj(e)) return { ok: false, detail: 'outboundAccountPosition is not an object' };
  const list = e['B'];
  if (!Array.isArray(list)) return { ok: false, detail: 'outboundAccountPosition without a B array' };
  const balances: VenueBalance[] = [];
  let skipped = 0;
  for (const x of list as unknown[]) {
    if (!isObj(x)) {
      skipped++;
      continue;
    }
    const asset = x['a'];
    const free = x['f'];
    const locked = x['l'];
    const total = isDecimalString(free) && isDecimalString(locked) ? addDecimalStrings(free, locked) : null;
    if (!isAssetCode(asset) || total === null) {
      skipped++;
      continue;
    }
    balances.push({ asset, free: free as string, total });
  }
  if (balances.length === 0) return { ok: false, detail: skipped > 0 ? `outboundAccountPosition: all ${skipped} entries malformed` : 'outboundAccountPosition with no balances' };
  return { ok: true, skipped, update: { venue: 'binance-spot', balances, snapshot: false, source: 'stream', venueTimeMs: timeMs(e, 'u') || timeMs(e, 'E') } };
}

export type UsdmAccountUpdate =
  | { readonly ok: true; readonly reason: string; readonly assets: readonly string[]; readonly eventTimeMs: number }
  | { readonly ok: false; readonly detail: string };

/**
 * USD-M `ACCOUNT_UPDATE` (the whole event `{e, E, T, a: {m, B, P}}`): its reason (`a.m`) and the
 * assets of `a.B`. Not a balance update: `wb` is the wallet balance but the event has no
 * available balance (`cw` is the cross wallet balance), so the caller re-fetches the REST
 * balance instead.
 */
export function parseUsdmAccountUpdate(e: unknown): UsdmAccountUpdate {
  if (!isObj(e)) return { ok: false, detail: 'ACCOUNT_UPDATE is not an object' };
  const a = e['a'];
  if (!isObj(a)) return { ok: false, detail: 'ACCOUNT_UPDATE without an a object' };
  const list = a['B'];
  const assets: string[] = [];
  if (Array.isArray(list)) {
    for (const x of list as unknown[]) if (isObj(x) && isAssetCode(x['a'])) assets.push(x['a'] as string);
  } else if (list !== undefined) return { ok: false, detail: 'ACCOUNT_UPDATE: a.B is not an array' };
  const m = a['m'];
  return { ok: true, reason: typeof m === 'string' ? m : '', assets, eventTimeMs: timeMs(e, 'E') };
}
