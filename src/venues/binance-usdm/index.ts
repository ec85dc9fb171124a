// Binance USD-M futures adapter, pure side: everything a feed or executor needs for this venue,
// wired to the USD-M profile. The protocol code shared with spot lives in src/venues/binance/;
// this folder holds only what differs (2026 /public /market /private URLs, the pu-chain
// local-book rules).
import type { InstrumentTable } from '../../core/instrument.js';
import { binanceErrorInfo, binanceHttpErrorInfo, type BinanceErrorInput } from '../binance/errors.js';
import { parseBinanceExchangeInfo, type BinanceExchangeInfo } from '../binance/exchange-info.js';
import { BinanceMarketParser, type BinanceParserOptions } from '../binance/market-parser.js';
import { mapBinanceOrderAnswer, mapBinancePrivateMessage, type BinancePrivateEvent } from '../binance/private.js';
import { BinanceRateBudget } from '../binance/rate-limits.js';
import { runBinanceReplay, type BinanceReplayResult } from '../binance/replay.js';
import type { InstrumentSpec, VenueErrorInfo, VenueOrderReport } from '../types.js';
import type { BookSyncOptions } from '../binance/book-sync.js';
import { BinanceUsdmBookSync } from './book-sync.js';
import { BINANCE_USDM } from './endpoints.js';

export { BinanceUsdmBookSync } from './book-sync.js';
export * from './endpoints.js';

export function createBinanceUsdmParser(table: InstrumentTable, opts: Omit<BinanceParserOptions, 'futures'> = {}): BinanceMarketParser {
  return new BinanceMarketParser(table, { ...opts, futures: true });
}

export function createBinanceUsdmBookSync(opts: BookSyncOptions = {}): BinanceUsdmBookSync {
  return new BinanceUsdmBookSync(opts);
}

export function createBinanceUsdmRateBudget(headroom = 0.9): BinanceRateBudget {
  return new BinanceRateBudget(BINANCE_USDM.defaultRateLimits, headroom);
}

export function binanceUsdmErrorInfo(input: Omit<BinanceErrorInput, 'venue'>): VenueErrorInfo {
  return binanceErrorInfo({ ...input, venue: 'binance-usdm' });
}

export function binanceUsdmHttpErrorInfo(httpStatus: number, bodyText: string, retryAfterHeader?: string | null): VenueErrorInfo {
  return binanceHttpErrorInfo('binance-usdm', httpStatus, bodyText, retryAfterHeader);
}

/** Frames of the /private user-data stream (ORDER_TRADE_UPDATE, TRADE_LITE, listenKeyExpired, ...) and WS-API answers. */
export function mapBinanceUsdmPrivate(text: string, table: InstrumentTable | null, nowMs = 0): BinancePrivateEvent {
  return mapBinancePrivateMessage('binance-usdm', text, table, nowMs);
}

export function mapBinanceUsdmOrderAnswer(body: unknown, table: InstrumentTable | null): VenueOrderReport | string {
  return mapBinanceOrderAnswer('binance-usdm', body, table);
}

export function parseBinanceUsdmExchangeInfo(text: string, opts: { includeNonTrading?: boolean } = {}): BinanceExchangeInfo {
  return parseBinanceExchangeInfo('binance-usdm', text, opts);
}

export function replayBinanceUsdm(snapshot: string | Uint8Array, events: readonly (string | Uint8Array)[], spec?: InstrumentSpec, snapshotAfter = 0): BinanceReplayResult {
  return runBinanceReplay({ venue: 'binance-usdm', snapshot, events, snapshotAfter, ...(spec ? { spec } : {}) });
}
