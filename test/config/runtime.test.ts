// The configuration as the execution machine, risk and positions consume it: engine ids,
// Tradables with exact unit factors, the execution policy of a pair, risk limits in integer units.
import { describe, expect, it } from 'vitest';
import { amountUnits, defaultConfig, DEFAULT_CONFIG_YAML, execPolicyOf, loadConfigText, resolveInstruments, riskConfigOf, tradablesOf, validateConfig } from '../../src/config/index.js';
import { Escalation } from '../../src/core/exec-types.js';
import { TradingState } from '../../src/core/risk.js';
import { baseUnits } from '../../src/core/tradable.js';
import { baseConfig } from './fixtures.js';

describe('runtime inputs from the default configuration', () => {
  const c = defaultConfig();
  const t = tradablesOf(c, resolveInstruments(c));

  it('tradables: ids are config indexes, factors exact', () => {
    expect(t.size).toBe(4);
    const [bn, okx, swap, usdm] = [t.get(0), t.get(1), t.get(2), t.get(3)];
    expect([bn.venue, okx.venue, swap.venue, usdm.venue]).toEqual([0, 1, 1, 2]);
    expect([bn.base, bn.quote]).toEqual([0, 1]); // BTC, USDT
    expect(bn.baseUnitsPerLot).toBe(1000); // 0.00001 BTC at 8 decimals
    expect(bn.quoteUnitsPerTickLot).toBe(100); // 0.01 x 0.00001 USDT at 9 decimals
    expect(okx.baseUnitsPerLot).toBe(1);
    expect(swap.baseUnitsPerLot).toBe(10_000); // 0.01 contract x 0.01 BTC
    expect(swap.kind).toBe('derivative');
    expect(usdm.baseUnitsPerLot).toBe(100_000);
    expect(baseUnits(swap, 3, 0)).toBe(30_000);
  });

  it('execution policy of a pair, in µs', () => {
    const basis = c.pairs.find((p) => p.id === 'btc-basis-okx')!;
    const p = execPolicyOf(basis);
    expect(p.ackTimeoutUs).toBe(2_000_000);
    expect(p.partialFill).toEqual({ action: 'replenish', maxAttempts: 3, windowUs: 1_500_000, bandBps: 10 });
    expect(p.unwind).toEqual({ maxAttempts: 3, windowUs: 3_000_000, bandBps: 30 });
    expect(p.escalateTo).toBe(Escalation.REDUCING);
    expect(p.leaderOrderType).toBe('ioc');
    const cfg = baseConfig();
    cfg.pairs[0].execution = { mode: 'leader_follower', leader: 'b', leader_order_type: 'post_only', leader_rest_ms: 500, hedge_band_bps: 7 };
    cfg.pairs[0].legging = { post_only_bounce: { action: 'unwind', max_attempts: 1 }, on_repair_failure: 'halted', settle_ms: 8000, post_only_reprice: 'cross' };
    const p2 = execPolicyOf(validateConfig(cfg).config!.pairs[0]!);
    expect(p2.leaderOrderType).toBe('post_only');
    expect(p2.leaderRestUs).toBe(500_000);
    expect(p2.hedgeBandBps).toBe(7);
    expect(p2.postOnlyBounce).toEqual({ action: 'unwind', maxAttempts: 1, windowUs: 1_000_000, bandBps: 5 });
    expect(p2.postOnlyReprice).toBe('cross');
    expect(p2.settleUs).toBe(8_000_000);
    expect(p2.escalateTo).toBe(Escalation.HALTED);
  });

  it('risk limits in integer units', () => {
    const r = riskConfigOf(c, t);
    expect(r.instruments[0]).toEqual({ maxOrderNotionalUnits: 20_000e9, maxOrderLots: 10_000, maxPositionLots: 10_000 });
    expect(r.instruments[2]).toMatchObject({ maxOrderLots: 1000, maxPositionLots: 1000 }); // 0.1 BTC of 0.0001 BTC lots
    expect(r.instruments[3]).toMatchObject({ maxOrderLots: 100 });
    // BTC: net 0.2, tolerance one lot of the coarsest linear leg of the enabled pairs (the OKX swap: 0.0001 BTC)
    expect(r.assets[0]).toEqual({ maxNetUnits: 20_000_000, unhedgedToleranceUnits: 10_000, maxUnhedgedUs: 3_000_000, maxUnhedgedUnitsUs: 5_000_000 * 1_000_000 });
    expect(r.assets[1]).toBeUndefined();
    expect(r.maxBookAgeUs).toBe(2_000_000);
    expect(r.maxFxAgeUs).toBe(Infinity); // no FX pair
    expect(r.breakers.maxDailyLoss).toBe(500e9);
    expect(r.breakers.dailyLossAction).toBe(TradingState.HALTED);
    expect(r.breakers.ackLatency).toEqual({ maxUs: 1_000_000, consecutive: 3, action: TradingState.REDUCING });
    expect(r.requireKnownBalance).toBe(false);
    expect(DEFAULT_CONFIG_YAML).toContain('require_known_balance: false');
    const strict = loadConfigText(DEFAULT_CONFIG_YAML.replace('require_known_balance: false', 'require_known_balance: true'), 'strict');
    expect(riskConfigOf(strict, tradablesOf(strict, resolveInstruments(strict))).requireKnownBalance).toBe(true);
  });

  it('amounts convert exactly and round down', () => {
    expect(amountUnits('0.1', 8)).toBe(10_000_000);
    expect(amountUnits('1e-8', 8)).toBe(1);
    expect(amountUnits('0.123456789', 8)).toBe(12_345_678);
    expect(() => amountUnits('-1', 2)).toThrow();
  });
});
