// OKX v5 instrument metadata: `GET /api/v5/public/instruments?instType=SPOT|SWAP|FUTURES`
// (PROTOCOLS.md 3.1, 3.5) -> InstrumentSpec, so the core can work in integer ticks and lots.
//
// Mapping:
// - tickSz -> tickSize, lotSz -> lotSize, minSz -> minQty (exact strings, validated as decimals).
//   OKX publishes no minimum notional: minNotional '0'.
// - SPOT: base/quote = baseCcy/quoteCcy; size unit is the base currency; contractValue '1',
//   contractValueCcy = baseCcy, contractType 'none'.
// - SWAP (perpetual) / FUTURES: size unit is the contract; contractValue = ctVal in ctValCcy;
//   contractType = ctType ('linear' | 'inverse'); base/quote from instFamily (or uly), e.g.
//   "BTC-USDT" -> BTC / USDT. One contract of BTC-USDT-SWAP is ctVal BTC.
// - The integer `instIdCode` (used by the 2026 WS order API instead of instId) and the trading
//   `state` (live / suspend / preopen / test) are kept beside the spec.
// Invariants: never throws; each unusable entry is reported in `errors` and skipped; other
// instTypes (MARGIN, OPTION) are skipped silently (counted in `skipped`).
import { DecimalScale } from '../../core/decimal.js';
import type { InstrumentSpec, VenueErrorInfo } from '../types.js';
import { okxErrorInfo } from './errors.js';

export interface OkxInstrument extends InstrumentSpec {
  readonly instType: 'SPOT' | 'SWAP' | 'FUTURES';
  /** Integer code for the WS order API (2026); null when the venue did not send one. */
  readonly instIdCode: number | null;
  /** 'live' means tradable; anything else is MARKET_CLOSED for the risk checks. */
  readonly state: string;
  readonly settleCcy: string;
  readonly instFamily: string;
}

export interface OkxInstrumentsResult {
  readonly instruments: OkxInstrument[];
  readonly errors: string[];
  readonly skipped: number;
  /** Non-null when the answer as a whole is an error (code != "0") or unparseable. */
  readonly error: VenueErrorInfo | null;
}

type Obj = Record<string, unknown>;

function str(o: Obj, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
}

function positiveStep(s: string): boolean {
  if (!/^\d+(\.\d+)?$/.test(s)) return false;
  try {
    new DecimalScale(s);
    return true;
  } catch {
    return false;
  }
}

function nonNegativeDecimal(s: string): boolean {
  return /^\d+(\.\d+)?$/.test(s);
}

/** Map one instrument object; a string is the reason it is unusable; null = not a type we trade. */
export function mapOkxInstrument(o: Obj): OkxInstrument | string | null {
  const instType = str(o, 'instType');
  if (instType !== 'SPOT' && instType !== 'SWAP' && instType !== 'FUTURES') return null;
  const instId = str(o, 'instId');
  if (!/^[A-Z0-9]+(-[A-Z0-9]+)+$/.test(instId)) return `bad instId ${JSON.stringify(instId)}`;
  const tickSz = str(o, 'tickSz');
  const lotSz = str(o, 'lotSz');
  const minSz = str(o, 'minSz') || '0';
  if (!positiveStep(tickSz)) return `${instId}: bad tickSz ${JSON.stringify(tickSz)}`;
  if (!positiveStep(lotSz)) return `${instId}: bad lotSz ${JSON.stringify(lotSz)}`;
  if (!nonNegativeDecimal(minSz)) return `${instId}: bad minSz ${JSON.stringify(minSz)}`;
  const codeStr = str(o, 'instIdCode');
  const instIdCode = /^\d{1,15}$/.test(codeStr) ? Number(codeStr) : null;
  const state = str(o, 'state');
  const instFamily = str(o, 'instFamily') || str(o, 'uly');
  const settleCcy = str(o, 'settleCcy');
  if (instType === 'SPOT') {
    const base = str(o, 'baseCcy');
    const quote = str(o, 'quoteCcy');
    if (base === '' || quote === '') return `${instId}: missing baseCcy/quoteCcy`;
    return {
      venue: 'okx', symbol: instId, base, quote, kind: 'spot',
      tickSize: tickSz, lotSize: lotSz, minQty: minSz, minNotional: '0',
      contractValue: '1', contractValueCcy: base, contractType: 'none',
      instType, instIdCode, state, settleCcy, instFamily,
    };
  }
  const ctVal = str(o, 'ctVal');
  const ctValCcy = str(o, 'ctValCcy');
  const ctType = str(o, 'ctType');
  if (!positiveStep(ctVal)) return `${instId}: bad ctVal ${JSON.stringify(ctVal)}`;
  if (ctValCcy === '') return `${instId}: missing ctValCcy`;
  if (ctType !== 'linear' && ctType !== 'inverse') return `${instId}: bad ctType ${JSON.stringify(ctType)}`;
  const parts = instFamily.split('-');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return `${instId}: bad instFamily/uly ${JSON.stringify(instFamily)}`;
  return {
    venue: 'okx', symbol: instId, base: parts[0]!, quote: parts[1]!, kind: instType === 'SWAP' ? 'perpetual' : 'future',
    tickSize: tickSz, lotSize: lotSz, minQty: minSz, minNotional: '0',
    contractValue: ctVal, contractValueCcy: ctValCcy, contractType: ctType,
    instType, instIdCode, state, settleCcy, instFamily,
  };
}

/** Map a `GET /api/v5/public/instruments` body. */
export function parseOkxInstruments(text: string, httpStatus = 200): OkxInstrumentsResult {
  let o: unknown;
  try {
    o = typeof text === 'string' && text.length <= 64 * 1024 * 1024 ? JSON.parse(text) : null;
  } catch {
    o = null;
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    return {
      instruments: [], errors: [], skipped: 0,
      error: { code: 'UNKNOWN_ERROR', retryable: true, outcome: 'known', venueCode: 'BAD_RESPONSE', message: 'unparseable instruments answer' },
    };
  }
  const r = o as Obj;
  const code = str(r, 'code');
  if (code !== '0') {
    return { instruments: [], errors: [], skipped: 0, error: okxErrorInfo({ code: code || 'BAD_RESPONSE', msg: str(r, 'msg'), httpStatus }) };
  }
  const data = Array.isArray(r['data']) ? (r['data'] as unknown[]) : [];
  const instruments: OkxInstrument[] = [];
  const errors: string[] = [];
  let skipped = 0;
  for (const d of data) {
    if (d === null || typeof d !== 'object' || Array.isArray(d)) {
      errors.push('instrument entry is not an object');
      continue;
    }
    const m = mapOkxInstrument(d as Obj);
    if (m === null) skipped++;
    else if (typeof m === 'string') errors.push(m);
    else instruments.push(m);
  }
  return { instruments, errors, skipped, error: null };
}
