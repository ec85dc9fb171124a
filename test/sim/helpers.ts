// Shared fixtures for the simulator tests: instruments shaped like the real venues' BTC markets.
import type { InstrumentSpec } from '../../src/venues/types.js';
import { Ledger, type LedgerConfig } from '../../src/sim/ledger.js';
import { MatchingEngine, type MatchingConfig, type OpResult } from '../../src/sim/matching.js';

/** Binance-spot-like BTCUSDT: tick 0.01, lot 0.00001. At 8 decimals: 10 USDT units per tick*lot, 1000 BTC units per lot. */
export const SPOT: InstrumentSpec = {
  venue: 'binance-spot', symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', kind: 'spot',
  tickSize: '0.01', lotSize: '0.00001', minQty: '0.00001', minNotional: '0',
  contractValue: '1', contractValueCcy: 'BTC', contractType: 'none',
};

/** OKX-like linear swap: tick 0.1, lot 0.01 contract, 0.01 BTC per contract. 1000 USDT units per tick*lot. */
export const SWAP: InstrumentSpec = {
  venue: 'okx', symbol: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', kind: 'perpetual',
  tickSize: '0.1', lotSize: '0.01', minQty: '0.01', minNotional: '0',
  contractValue: '0.01', contractValueCcy: 'BTC', contractType: 'linear',
};

export function ledger(extra: Partial<LedgerConfig> = {}): Ledger {
  return new Ledger({ assets: { BTC: 8, USDT: 8 }, ...extra });
}

export function spotEngine(cfg: Partial<MatchingConfig> = {}, l: Ledger = ledger()): MatchingEngine {
  return new MatchingEngine(l, { instrument: SPOT, ...cfg });
}

/** Report kinds of an operation, as `kind:orderId[:reason]` strings. */
export function kinds(r: OpResult): string[] {
  return r.reports.map((x) => `${x.kind}:${x.orderId}${x.reason ? ':' + x.reason : ''}`);
}
