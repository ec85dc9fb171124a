// From the validated configuration to the runtime inputs of the execution machine, risk and
// positions (src/core/exec-types.ts, risk.ts, tradable.ts): engine-wide ids, Tradables, the
// execution policy of a pair and the risk limits in integer units.
//
// Id conventions (the ones tradable.ts documents as "index in the configuration"):
// - venue id = index in `config.venues`; asset id = index in `Object.keys(config.assets)`;
//   instrument id = index in `config.instruments`.
// Invariants:
// - Amounts convert to integer units exactly (decimal string x 10^decimals, rounded DOWN for
//   limits, so a limit never widens by rounding); durations from ms to µs.
// - Cold path only (BigInt allowed).
import { DEFAULT_EXEC_POLICY, Escalation, type ExecPolicy, type RepairRule } from '../core/exec-types.js';
import { TradingState, type AssetRisk, type InstrumentRisk, type RiskConfig as CoreRiskConfig, type VenueRisk } from '../core/risk.js';
import { makeTradable, TradableTable } from '../core/tradable.js';
import type { VenueId } from '../venues/types.js';
import type { ResolvedInstruments } from './model.js';
import type { BreakerAction, LegRepairConfig, PairConfig, XmcConfig } from './types.js';
import { unitFactor } from './units.js';

/** Asset name -> asset id (index in the configuration's asset list). */
export function assetIds(config: XmcConfig): Map<string, number> {
  return new Map(Object.keys(config.assets).map((a, i) => [a, i] as const));
}

/** Venue id -> engine venue index. */
export function venueIndex(config: XmcConfig, venue: VenueId): number {
  return config.venues.findIndex((v) => v.id === venue);
}

/** Instrument config id -> engine instrument id. */
export function instrumentIndex(config: XmcConfig, id: string): number {
  return config.instruments.findIndex((x) => x.id === id);
}

/** Exact floor(amount x 10^decimals) of a non-negative decimal string. */
export function amountUnits(amount: string, decimals: number): number {
  const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(amount.trim());
  if (m === null) throw new RangeError(`not a non-negative decimal: ${JSON.stringify(amount)}`);
  const digits = (m[1] ?? '') + (m[2] ?? '');
  const shift = decimals + Number(m[3] ?? '0') - (m[2] ?? '').length;
  let v = BigInt(digits === '' ? '0' : digits);
  v = shift >= 0 ? v * 10n ** BigInt(shift) : v / 10n ** BigInt(-shift);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${amount} x 10^${decimals} exceeds 2^53`);
  return Number(v);
}

/** Tradables of every configured instrument (all must be resolved), ids = config indexes. */
export function tradablesOf(config: XmcConfig, resolved: ResolvedInstruments): TradableTable {
  const assets = assetIds(config);
  const table = new TradableTable();
  config.instruments.forEach((ic, i) => {
    const ins = resolved.byId.get(ic.id);
    if (ins === undefined) throw new Error(`instrument ${ic.id} is not resolved`);
    const base = config.assets[ic.base]!;
    const quote = config.assets[ic.quote]!;
    const uf = unitFactor(ic.unit, base.unit);
    if (uf === null) throw new Error(`instrument ${ic.id}: unit ${ic.unit} does not convert to ${ic.base}`);
    table.add(makeTradable({
      id: i,
      venue: venueIndex(config, ic.venue),
      symbol: ic.symbol,
      base: assets.get(ic.base)!,
      quote: assets.get(ic.quote)!,
      baseDecimals: base.decimals,
      quoteDecimals: quote.decimals,
      kind: ic.kind === 'spot' ? 'spot' : 'derivative',
      contractType: ins.spec.contractType,
      tickSize: ins.spec.tickSize,
      lotSize: ins.spec.lotSize,
      contractValue: ins.spec.contractValue,
      unitFactor: uf,
      minQtyLots: Math.max(1, ins.minQtyLots),
    }));
  });
  return table;
}

function rule(r: LegRepairConfig): RepairRule {
  return { action: r.action, maxAttempts: r.maxAttempts, windowUs: r.withinMs * 1000, bandBps: r.bandBps };
}

/** The execution machine's policy for a pair (defaults of exec-types for anything not configured). */
export function execPolicyOf(pair: PairConfig): ExecPolicy {
  const e = pair.execution;
  const l = pair.legging;
  return {
    ...DEFAULT_EXEC_POLICY,
    ackTimeoutUs: e.orderTimeoutMs * 1000,
    cancelTimeoutUs: e.cancelTimeoutMs * 1000,
    queryRetryUs: l.queryTimeoutMs * 1000,
    settleUs: l.settleMs * 1000,
    leaderRestUs: e.leaderRestMs * 1000,
    leaderOrderType: e.leaderOrderType,
    hedgeBandBps: e.hedgeBandBps,
    reject: rule(l.reject),
    partialFill: rule(l.partialFill),
    outcomeUnknown: rule(l.outcomeUnknown),
    postOnlyBounce: rule(l.postOnlyBounce),
    postOnlyReprice: l.postOnlyReprice,
    noPrice: rule(l.noPrice),
    unwind: { maxAttempts: l.unwind.maxAttempts, windowUs: l.unwind.withinMs * 1000, bandBps: l.unwind.bandBps },
    retryDelayUs: l.retryDelayMs * 1000,
    escalateTo: l.onRepairFailure === 'halted' ? Escalation.HALTED : Escalation.REDUCING,
    unknownAlarmUs: l.unknownAlarmMs * 1000,
  };
}

function state(a: BreakerAction): TradingState {
  return a === 'halted' ? TradingState.HALTED : TradingState.REDUCING;
}

export interface RiskConfigOptions {
  /** Order-rate budget per venue index (the venue's limit x `order_rate_headroom`); missing = none. */
  readonly venueBudgets?: readonly (VenueRisk | undefined)[];
}

/**
 * The risk engine's limits in integer units. Per-instrument base limits (max order qty, max
 * position) apply to spot and linear instruments; inverse contracts are bounded by notional
 * (their base amount depends on the price). The unhedged tolerance of an asset is one lot of the
 * coarsest linear leg of any enabled pair trading it.
 */
export function riskConfigOf(config: XmcConfig, tradables: TradableTable, opts: RiskConfigOptions = {}): CoreRiskConfig {
  const r = config.risk;
  const assets = assetIds(config);
  const assetNames = [...assets.keys()];
  const instruments: (InstrumentRisk | undefined)[] = config.instruments.map((ic, i) => {
    const t = tradables.get(i);
    const quoteDec = config.assets[ic.quote]!.decimals;
    const baseDec = config.assets[ic.base]!.decimals;
    const qty = r.maxOrderQty[ic.base];
    const pos = r.maxPositionPerInstrument[ic.id];
    const lin = !t.inverse && t.baseUnitsPerLot > 0;
    return {
      maxOrderNotionalUnits: amountUnits(r.maxOrderNotional, quoteDec),
      ...(qty !== undefined && lin ? { maxOrderLots: Math.floor(amountUnits(qty, baseDec) / t.baseUnitsPerLot) } : {}),
      ...(pos !== undefined && lin ? { maxPositionLots: Math.floor(amountUnits(pos, baseDec) / t.baseUnitsPerLot) } : {}),
      ...(r.initialMarginBps[ic.id] !== undefined ? { initialMarginBps: r.initialMarginBps[ic.id]! } : {}),
    };
  });
  // one lot of the coarsest linear leg per asset, over enabled pairs
  const tolerance = new Map<string, number>();
  for (const p of config.pairs) {
    if (!p.enabled) continue;
    for (const id of [p.a, p.b]) {
      const i = instrumentIndex(config, id);
      const t = tradables.get(i);
      const base = config.instruments[i]!.base;
      if (!t.inverse) tolerance.set(base, Math.max(tolerance.get(base) ?? 0, t.baseUnitsPerLot));
    }
  }
  const uh = r.breakers.unhedged;
  const assetRisk: (AssetRisk | undefined)[] = assetNames.map((name) => {
    const dec = config.assets[name]!.decimals;
    const out: { -readonly [K in keyof AssetRisk]: AssetRisk[K] } = {};
    if (r.maxPositionPerAsset[name] !== undefined) out.maxNetUnits = amountUnits(r.maxPositionPerAsset[name]!, dec);
    if (r.maxGrossPerAsset[name] !== undefined) out.maxGrossUnits = amountUnits(r.maxGrossPerAsset[name]!, dec);
    if (r.minFreeBalance[name] !== undefined) out.minFreeUnits = amountUnits(r.minFreeBalance[name]!, dec);
    if (tolerance.has(name)) {
      out.unhedgedToleranceUnits = tolerance.get(name)!;
      out.maxUnhedgedUs = uh.maxMs * 1000;
    }
    if (uh.maxExposureSeconds[name] !== undefined) out.maxUnhedgedUnitsUs = amountUnits(uh.maxExposureSeconds[name]!, dec) * 1_000_000;
    return Object.keys(out).length > 0 ? out : undefined;
  });
  let maxFxAgeMs = Infinity;
  for (const p of config.pairs) {
    if (!p.enabled || p.trigger.fx === null) continue;
    const f = config.fx.find((x) => x.id === p.trigger.fx);
    if (f !== undefined && f.maxAgeMs < maxFxAgeMs) maxFxAgeMs = f.maxAgeMs;
  }
  const b = r.breakers;
  return {
    instruments,
    assets: assetRisk,
    venues: opts.venueBudgets ?? [],
    maxOpenPairs: r.maxOpenPairs,
    priceBandBps: r.priceBandBps,
    maxBookAgeUs: r.maxBookAgeMs * 1000,
    maxVenueSkewUs: r.maxVenueSkewMs * 1000,
    maxFxAgeUs: maxFxAgeMs * 1000,
    feeHeadroomBps: r.feeHeadroomBps,
    requireKnownBalance: r.requireKnownBalance,
    breakers: {
      maxDailyLoss: amountUnits(b.dailyLoss.limit, config.assets[b.dailyLoss.currency]!.decimals),
      dailyLossAction: state(b.dailyLoss.action),
      unhedgedAction: state(uh.action),
      rejectRate: { maxRatio: b.rejectRate.maxRatio, windowUs: b.rejectRate.windowMs * 1000, minOrders: b.rejectRate.minOrders, action: state(b.rejectRate.action) },
      slippage: { maxAvgBps: b.slippage.maxBps, windowFills: b.slippage.windowTrades, action: state(b.slippage.action) },
      ackLatency: { maxUs: b.ackLatency.maxMs * 1000, consecutive: b.ackLatency.consecutive, action: state(b.ackLatency.action) },
    },
  };
}
