// Shared fixtures for the execution-machine tests: two venues, a BTC spot leg and a BTC perpetual
// leg (same base units per lot) plus a 10x coarser perpetual, a market, a collecting sink.
import { plainClientIds } from '../../src/core/client-ids.js';
import {
  CollectingSink,
  ExecutionEngine,
  ReportKind,
  ReportOrigin,
  newExecReport,
  orderRefOf,
  type ComboRequest,
  type ExecPolicy,
  type RepairRule,
  type ExecReport,
  type OrderGate,
} from '../../src/core/execution.js';
import { TopsTable } from '../../src/core/market.js';
import { TradableTable, makeTradable } from '../../src/core/tradable.js';

export const BTC = 0;
export const USDT = 1;
/** Venue 0 spot BTCUSDT: tick 0.01, lot 0.001 BTC = 100_000 units. */
export const SPOT = 0;
/** Venue 1 linear perp: tick 0.1, 1 contract = 0.001 BTC = 100_000 units. */
export const PERP = 1;
/** Venue 1 linear perp: tick 0.1, 1 contract = 0.01 BTC = 1_000_000 units. */
export const COARSE = 2;

export function makeInstruments(): TradableTable {
  return new TradableTable([
    makeTradable({ id: SPOT, venue: 0, symbol: 'A:BTCUSDT', base: BTC, quote: USDT, baseDecimals: 8, quoteDecimals: 8, kind: 'spot', contractType: 'none', tickSize: '0.01', lotSize: '0.001' }),
    makeTradable({ id: PERP, venue: 1, symbol: 'B:BTC-USDT-SWAP', base: BTC, quote: USDT, baseDecimals: 8, quoteDecimals: 8, kind: 'derivative', contractType: 'linear', tickSize: '0.1', lotSize: '1', contractValue: '0.001' }),
    makeTradable({ id: COARSE, venue: 1, symbol: 'B:BTC-USDT-SWAP-10', base: BTC, quote: USDT, baseDecimals: 8, quoteDecimals: 8, kind: 'derivative', contractType: 'linear', tickSize: '0.1', lotSize: '1', contractValue: '0.01' }),
  ]);
}

export const COMBO = 7;

export interface Setup {
  exec: ExecutionEngine;
  sink: CollectingSink;
  market: TopsTable;
}

/**
 * Bands of the fixture: 0.0313 bps is 20 ticks of the spot ref 6_400_010 and 2 ticks of the perp
 * ref 640_500 (floored); the unwind band 0.0782 bps is 50 spot ticks / 5 perp ticks at those prices.
 */
export const BAND_BPS = 0.0313;
export const UNWIND_BPS = 0.0782;

export function rule(over: Partial<RepairRule> = {}): RepairRule {
  return { action: 'replenish', maxAttempts: 3, windowUs: 2_000_000, bandBps: BAND_BPS, ...over };
}

export const TEST_POLICY: Partial<ExecPolicy> = {
  hedgeBandBps: BAND_BPS,
  reject: rule(),
  partialFill: rule(),
  outcomeUnknown: rule(),
  noPrice: rule(),
  postOnlyBounce: rule({ maxAttempts: 2, windowUs: 3_000_000 }),
  unwind: { maxAttempts: 3, windowUs: 3_000_000, bandBps: UNWIND_BPS },
};

export function setup(opts: { policy?: Partial<ExecPolicy>; gate?: OrderGate; settleUsByVenue?: number[] } = {}): Setup {
  const market = new TopsTable(4);
  // A: 64000.00 / 64000.10 ; B: 64050.0 / 64050.1
  market.set(SPOT, 6_400_000, 50, 6_400_010, 50, 1);
  market.set(PERP, 640_500, 50, 640_501, 50, 1);
  market.set(COARSE, 640_500, 50, 640_501, 50, 1);
  const sink = new CollectingSink();
  const exec = new ExecutionEngine({
    instruments: makeInstruments(),
    market,
    sink,
    clientIds: () => plainClientIds('x'),
    gate: opts.gate,
    policy: { ...TEST_POLICY, ...opts.policy },
    settleUsByVenue: opts.settleUsByVenue,
    assetCount: 2,
  });
  return { exec, sink, market };
}

/** Buy 10 lots of spot on venue 0, sell 10 perp contracts on venue 1. */
export function comboReq(over: Partial<ComboRequest> = {}): ComboRequest {
  return {
    comboId: COMBO,
    pairId: 3,
    mode: 'concurrent',
    legs: [
      { instrument: SPOT, side: 'buy', qtyLots: 10, refPriceTicks: 6_400_010, slippageTicks: 5 },
      { instrument: PERP, side: 'sell', qtyLots: 10, refPriceTicks: 640_500, slippageTicks: 1 },
    ],
    ...over,
  };
}

export function ref(leg: number, attempt: number, combo = COMBO): number {
  return orderRefOf(combo, leg, attempt);
}

export function cid(leg: number, attempt: number, combo = COMBO): string {
  return `x-${combo}-${leg}-${attempt}`;
}

/** A report for order (leg, attempt) of COMBO. */
export function rep(kind: ReportKind, leg: number, attempt: number, over: Partial<ExecReport> = {}): ExecReport {
  const r = newExecReport();
  r.kind = kind;
  r.orderRef = ref(leg, attempt);
  r.clientOrderId = cid(leg, attempt);
  return Object.assign(r, over);
}

export const K = ReportKind;
export const O = ReportOrigin;

/** The client ids of all new orders sent so far, in order. */
export function sentIds(sink: CollectingSink): string[] {
  return sink.orders.map((o) => o.clientOrderId);
}

/** A compact view of the command stream for exact comparisons. */
export function commandLog(sink: CollectingSink): string[] {
  return sink.commands.map((c) => {
    if (c.type === 'new') return `new ${c.cmd.clientOrderId} ${c.cmd.side} ${c.cmd.type} ${c.cmd.qtyLots}@${c.cmd.priceTicks}${c.cmd.reduceOnly ? ' ro' : ''}`;
    return `${c.type} ${c.cmd.clientOrderId}`;
  });
}
