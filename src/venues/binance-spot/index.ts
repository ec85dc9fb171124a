// Binance spot adapter, pure side: everything a feed or executor needs for this venue, wired to
// the spot profile. The protocol code shared with USD-M lives in src/venues/binance/; this folder
// holds only what differs (endpoints and URL forms, the spot local-book rules).
import type { InstrumentTable } from '../../core/instrument.js';
import { binanceErrorInfo, binanceHttpErrorInfo, type BinanceErrorInput } from '../binance/errors.js';
import { parseBinanceExchangeInfo, type BinanceExchangeInfo } from '../binance/exchange-info.js';
import { BinanceMarketParser, type BinanceParserOptions } from '../binance/market-parser.js';
import { mapBinanceOrderAnswer, mapBinancePrivateMessage, type BinancePrivateEvent } from '../binance/private.js';
import { BinanceRateBudget } from '../binance/rate-limits.js';
import { runBinanceReplay, type BinanceReplayResult } from '../binance/replay.js';
import type { InstrumentSpec, VenueErrorInfo, VenueOrderReport } from '../types.js';
import type { BookSyncOptions } from '../binance/book-sync.js';
import { BinanceSpotBookSync } from './book-sync.js';
import { BINANCE_SPOT } from './endpoints.js';

export { BinanceSpotBookSync } from './book-sync.js';
export * from './endpoints.js';

export function createBinanceSpotParser(table: InstrumentTable, opts: Omit<BinanceParserOptions, 'futures'> = {}): BinanceMarketParser {
  return new BinanceMarketParser(table, { ...opts, futures: false });
}

export function createBinanceSpotBookSync(opts: BookSyncOptions = {}): BinanceSpotBookSync {
  return new BinanceSpotBookSync(opts);
}

export function createBinanceSpotRateBudget(headroom = 0.9): BinanceRateBudget {
  return new BinanceRateBudget(BINANCE_SPOT.defaultRateLimits, headroom);
}

export function binanceSpotErrorInfo(input: Omit<BinanceErrorInput, 'venue'>): VenueErrorInfo {
  return binanceErrorInfo({ ...input, venue: 'binance-spot' });
}

export function binanceSpotHttpErrorInfo(httpStatus: number, bodyText: string, retryAfterHeader?: string | null): VenueErrorInfo {
  return binanceHttpErrorInfo('binance-spot', httpStatus, bodyText, retryAfterHeader);
}

/** Frames of the spot WS-API connection: user-data envelopes (executionReport, ...) and answers. */
export function mapBinanceSpotPrivate(text: string, table: InstrumentTable | null, nowMs = 0): BinancePrivateEvent {
  return mapBinancePrivateMessage('binance-spot', text, table, nowMs);
}

export function mapBinanceSpotOrderAnswer(body: unknown, table: InstrumentTable | null): VenueOrderReport | string {
  return mapBinanceOrderAnswer('binance-spot', body, table);
}

export function parseBinanceSpotExchangeInfo(text: string, opts: { includeNonTrading?: boolean } = {}): BinanceExchangeInfo {
  return parseBinanceExchangeInfo('binance-spot', text, opts);
}

export function replayBinanceSpot(snapshot: string | Uint8Array, events: readonly (string | Uint8Array)[], spec?: InstrumentSpec, snapshotAfter = 0): BinanceReplayResult {
  return runBinanceReplay({ venue: 'binance-spot', snapshot, events, snapshotAfter, ...(spec ? { spec } : {}) });
}
