// Binance `exchangeInfo` (spot GET /api/v3/exchangeInfo, USD-M GET /fapi/v1/exchangeInfo) ->
// InstrumentSpec[] and rate-limit rules. Cold path (start-up, periodic refresh): plain JSON.
//
// Field sources: PRICE_FILTER.tickSize, LOT_SIZE.stepSize and .minQty, spot NOTIONAL.minNotional
// (or the older MIN_NOTIONAL.minNotional), USD-M MIN_NOTIONAL.notional. Steps keep the venue's
// exact strings (DecimalScale canonicalises '0.01000000' to '0.01' when it builds a scale).
// Invariants: never throws; a symbol whose filters are missing or not decimal is reported in
// `errors` and left out; only `status == "TRADING"` symbols are returned unless asked otherwise.
import { DecimalScale } from '../../core/decimal.js';
import type { InstrumentSpec } from '../types.js';
import type { BinanceRateLimitRule } from './profile.js';

type Obj = Record<string, unknown>;

export interface BinanceExchangeInfo {
  readonly instruments: InstrumentSpec[];
  readonly rateLimits: BinanceRateLimitRule[];
  readonly errors: string[];
  readonly serverTimeMs: number;
}

function str(o: Obj, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
}

function isDecimal(s: string, positive: boolean): boolean {
  if (!/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s)) return false;
  if (!positive) return true;
  try {
    new DecimalScale(s);
    return true;
  } catch {
    return false;
  }
}

export function parseBinanceExchangeInfo(venue: 'binance-spot' | 'binance-usdm', text: string, opts: { includeNonTrading?: boolean } = {}): BinanceExchangeInfo {
  const errors: string[] = [];
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return { instruments: [], rateLimits: [], errors: ['exchangeInfo is not JSON'], serverTimeMs: 0 };
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return { instruments: [], rateLimits: [], errors: ['exchangeInfo is not an object'], serverTimeMs: 0 };
  const top = o as Obj;
  const rateLimits: BinanceRateLimitRule[] = [];
  if (Array.isArray(top['rateLimits'])) {
    for (const r of top['rateLimits'] as unknown[]) {
      if (r === null || typeof r !== 'object') continue;
      const x = r as Obj;
      const type = x['rateLimitType'];
      const interval = x['interval'];
      const num = x['intervalNum'];
      const limit = x['limit'];
      if ((type === 'REQUEST_WEIGHT' || type === 'ORDERS' || type === 'RAW_REQUESTS') && (interval === 'SECOND' || interval === 'MINUTE' || interval === 'HOUR' || interval === 'DAY') &&
        typeof num === 'number' && Number.isSafeInteger(num) && num > 0 && typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0) {
        rateLimits.push({ rateLimitType: type, interval, intervalNum: num, limit });
      } else errors.push(`bad rate limit ${JSON.stringify(r)}`);
    }
  }
  const instruments: InstrumentSpec[] = [];
  const symbols = Array.isArray(top['symbols']) ? (top['symbols'] as unknown[]) : [];
  for (const s of symbols) {
    if (s === null || typeof s !== 'object') continue;
    const x = s as Obj;
    const symbol = str(x, 'symbol');
    if (symbol === '' || !/^[A-Za-z0-9_.-]{1,40}$/.test(symbol)) {
      errors.push(`bad symbol ${JSON.stringify(x['symbol'])}`);
      continue;
    }
    if (!opts.includeNonTrading && str(x, 'status') !== 'TRADING') continue;
    const filters = Array.isArray(x['filters']) ? (x['filters'] as unknown[]) : [];
    let tick = '';
    let step = '';
    let minQty = '';
    let minNotional = '';
    for (const f of filters) {
      if (f === null || typeof f !== 'object') continue;
      const fo = f as Obj;
      switch (fo['filterType']) {
        case 'PRICE_FILTER':
          tick = str(fo, 'tickSize');
          break;
        case 'LOT_SIZE':
          step = str(fo, 'stepSize');
          minQty = str(fo, 'minQty');
          break;
        case 'NOTIONAL':
          minNotional = str(fo, 'minNotional');
          break;
        case 'MIN_NOTIONAL':
          if (minNotional === '') minNotional = str(fo, 'notional') || str(fo, 'minNotional');
          break;
        default:
      }
    }
    if (!isDecimal(tick, true) || !isDecimal(step, true)) {
      errors.push(`${symbol}: missing or zero PRICE_FILTER.tickSize / LOT_SIZE.stepSize`);
      continue;
    }
    if (minQty !== '' && !isDecimal(minQty, false)) {
      errors.push(`${symbol}: bad minQty ${JSON.stringify(minQty)}`);
      continue;
    }
    if (minNotional !== '' && !isDecimal(minNotional, false)) {
      errors.push(`${symbol}: bad min notional ${JSON.stringify(minNotional)}`);
      continue;
    }
    const base = str(x, 'baseAsset');
    const quote = str(x, 'quoteAsset');
    let kind: InstrumentSpec['kind'] = 'spot';
    if (venue === 'binance-usdm') {
      const ct = str(x, 'contractType');
      if (ct === 'PERPETUAL' || ct === 'TRADIFI_PERPETUAL') kind = 'perpetual';
      else if (ct === 'CURRENT_QUARTER' || ct === 'NEXT_QUARTER' || ct === 'CURRENT_MONTH' || ct === 'NEXT_MONTH') kind = 'future';
      else {
        errors.push(`${symbol}: unsupported contractType ${JSON.stringify(ct)}`);
        continue;
      }
    }
    instruments.push({
      venue,
      symbol,
      base,
      quote,
      kind,
      tickSize: tick,
      lotSize: step,
      minQty: minQty || '0',
      minNotional: minNotional || '0',
      contractValue: '1',
      contractValueCcy: base,
      contractType: venue === 'binance-usdm' ? 'linear' : 'none',
    });
  }
  const st = top['serverTime'];
  return { instruments, rateLimits, errors, serverTimeMs: typeof st === 'number' && Number.isSafeInteger(st) ? st : 0 };
}
