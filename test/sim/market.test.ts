// Market generator: determinism, dislocation / arbitrage-window frequency, lead-lag, basis,
// books never crossed, merged step output replayable by a depth consumer, config errors.
import { describe, expect, it } from 'vitest';
import { OrderBook, firstDifference } from '../../src/core/book.js';
import { SimConfigError } from '../../src/sim/check.js';
import { Ledger } from '../../src/sim/ledger.js';
import { MarketGenerator, type MarketConfig, type MarketStep, type MarketVenueConfig } from '../../src/sim/market.js';
import { MatchingEngine } from '../../src/sim/matching.js';
import { Rng } from '../../src/sim/rng.js';
import type { InstrumentSpec } from '../../src/venues/types.js';
import { SPOT, SWAP } from './helpers.js';

const OKX_SPOT: InstrumentSpec = {
  venue: 'okx', symbol: 'BTC-USDT', base: 'BTC', quote: 'USDT', kind: 'spot',
  tickSize: '0.1', lotSize: '0.000001', minQty: '0.00001', minNotional: '0',
  contractValue: '1', contractValueCcy: 'BTC', contractType: 'none',
};

interface World {
  engines: Map<string, MatchingEngine>;
  gen: MarketGenerator;
  binance: Ledger;
  okx: Ledger;
}

function defaultVenues(okxLag: number): MarketVenueConfig[] {
  return [
    { name: 'bn-spot', noiseBps: 0.01, ladder: { levels: 10, spreadTicks: 20, spacingTicks: 5, sizeLots: 5000, sizeJitter: 0.2 }, taker: { probPerStep: 0.2, minLots: 100, maxLots: 8000 } },
    {
      name: 'okx-spot', lagSteps: okxLag, noiseBps: 0.01,
      dislocation: { probPerStep: 0.01, sizeTicks: 30, durationSteps: 20 },
      ladder: { levels: 10, spreadTicks: 4, sizeLots: [20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000, 110_000] },
      taker: { probPerStep: 0.2, minLots: 1000, maxLots: 60_000, type: 'ioc', slippageTicks: 2 },
    },
    { name: 'okx-swap', lagSteps: 1, basis: { meanBps: 10, noiseBps: 0.5, reversion: 0.2 }, ladder: { levels: 10, spreadTicks: 2, sizeLots: 500 }, taker: { probPerStep: 0.3, minLots: 1, maxLots: 800 } },
  ];
}

/** Binance spot (tick 0.01), OKX spot (tick 0.1) and OKX swap (tick 0.1), like the demo's venues. */
function world(overrides: Partial<MarketConfig> = {}, venues?: MarketVenueConfig[]): World {
  const binance = new Ledger({ assets: { BTC: 8, USDT: 8 } });
  const okx = new Ledger({ assets: { BTC: 8, USDT: 8 } });
  const engines = new Map<string, MatchingEngine>([
    ['bn-spot', new MatchingEngine(binance, { instrument: SPOT, makerFeePpm: 100, takerFeePpm: 100 })],
    ['okx-spot', new MatchingEngine(okx, { instrument: OKX_SPOT, makerFeePpm: 80, takerFeePpm: 100, postOnly: 'bounce' })],
    ['okx-swap', new MatchingEngine(okx, { instrument: SWAP, makerFeePpm: 20, takerFeePpm: 50, postOnly: 'bounce' })],
  ]);
  const cfg: MarketConfig = {
    seed: 42,
    initialPrice: 64_000,
    volBps: 0.05, // ~0.32 USDT per step at 64000
    venues: venues ?? defaultVenues(2),
    ...overrides,
  };
  return { engines, gen: new MarketGenerator(cfg, engines), binance, okx };
}

function tickValue(e: MatchingEngine): number {
  return e.instrument.tick.stepValue;
}

describe('market generator: determinism', () => {
  function run(seed: number | string, steps: number): { out: string; books: string } {
    const w = world({ seed });
    const outs: MarketStep[] = [];
    for (let i = 0; i < steps; i++) outs.push(w.gen.step(1_700_000_000_000 + i * 100));
    const books = JSON.stringify([...w.engines.values()].map((e) => e.snapshot()));
    return { out: JSON.stringify(outs), books };
  }

  it('same seed and calls give identical steps and books; a different seed differs', () => {
    const a = run(7, 400);
    const b = run(7, 400);
    expect(a.out).toBe(b.out);
    expect(a.books).toBe(b.books);
    const c = run(8, 400);
    expect(c.out).not.toBe(a.out);
    expect(c.books).not.toBe(a.books);
    expect(run('seven', 50).out).toBe(run('seven', 50).out);
  });

  it('user orders interleaved the same way give the same results', () => {
    const go = (): string => {
      const w = world();
      w.okx.openAccount('u', { balances: { USDT: 10_000_000_000_000, BTC: 100_000_000 } });
      const spot = w.engines.get('okx-spot')!;
      const log: unknown[] = [];
      for (let i = 0; i < 300; i++) {
        log.push(w.gen.step(i));
        if (i % 17 === 5) {
          const px = spot.bestBid() - 3;
          log.push(spot.place({ account: 'u', side: 'buy', type: 'limit', priceTicks: px, qtyLots: 20_000, clientOrderId: `u${i}` }, i));
        }
      }
      return JSON.stringify(log);
    };
    expect(go()).toBe(go());
  });

  it('the RNG is reproducible, uniform enough, and derived streams are independent of each other', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const xs = Array.from({ length: 1000 }, () => a.nextU32());
    expect(Array.from({ length: 1000 }, () => b.nextU32())).toEqual(xs);
    expect(new Rng(2).nextU32()).not.toBe(xs[0]);
    const r = new Rng(3);
    const n = 20_000;
    let sum = 0;
    let sq = 0;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      sum += z;
      sq += z * z;
      buckets[r.int(0, 9)]!++;
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.05);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
    for (const c of buckets) expect(Math.abs(c - n / 10)).toBeLessThan(n / 10 * 0.1);
    // derive() does not advance the parent and is keyed by label
    const p = new Rng(9);
    const d1 = p.derive('x').nextU32();
    const next = p.nextU32();
    expect(new Rng(9).derive('x').nextU32()).toBe(d1);
    expect(new Rng(9).nextU32()).toBe(next);
    expect(new Rng(9).derive('y').nextU32()).not.toBe(d1);
    const s = new Rng(5);
    s.nextU32();
    const saved = s.getState();
    const after = [s.nextU32(), s.nextU32()];
    s.setState(saved);
    expect([s.nextU32(), s.nextU32()]).toEqual(after);
  });
});

describe('market generator: books', () => {
  it('books are never crossed, engine invariants hold, and merged step diffs replay onto an OrderBook', () => {
    const w = world();
    const mirrors = new Map([...w.engines.keys()].map((k) => [k, new OrderBook(64)]));
    const lastId = new Map([...w.engines.entries()].map(([k, e]) => [k, e.updateId]));
    let trades = 0;
    for (let i = 0; i < 3000; i++) {
      const s = w.gen.step(i);
      for (const v of s.venues) {
        const e = w.engines.get(v.name)!;
        expect(v.prevUpdateId).toBe(lastId.get(v.name));
        expect(v.updateId).toBe(e.updateId);
        lastId.set(v.name, v.updateId);
        const m = mirrors.get(v.name)!;
        for (const c of v.levels) (c.side === 'buy' ? m.setBid(c.priceTicks, c.qtyLots) : m.setAsk(c.priceTicks, c.qtyLots));
        expect(firstDifference(m, e.toOrderBook())).toBeNull();
        expect(m.isCrossed()).toBe(false);
        expect(e.bestBid()).toBeLessThan(e.bestAsk());
        trades += v.trades.length;
      }
      if (i % 100 === 0) for (const e of w.engines.values()) e.checkInvariants();
    }
    expect(trades).toBeGreaterThan(1000);
    for (const st of w.gen.stats()) {
      expect(st.rejects).toBe(0);
      expect(st.trades).toBeGreaterThan(0);
    }
    // the generator's accounts never keep closed orders around
    for (const e of w.engines.values()) expect(e.openOrders('mm').length).toBeLessThanOrEqual(2 * 10 * 3);
  });

  it('quotes that move through a resting user order fill it, and the step reports it', () => {
    const w = world({}, [{ name: 'okx-spot', ladder: { levels: 5, spreadTicks: 2, sizeLots: 50_000 } }]);
    w.okx.openAccount('u', { balances: { USDT: 10_000_000_000_000 } });
    const spot = w.engines.get('okx-spot')!;
    w.gen.step(0);
    const px = spot.bestBid() + 1; // inside the spread: best bid
    const placed = spot.place({ account: 'u', side: 'buy', type: 'limit', priceTicks: px, qtyLots: 30_000, clientOrderId: 'mine' }, 0);
    expect(placed.accepted).toBe(true);
    let fill: MarketStep | undefined;
    for (let i = 1; i < 5000 && fill === undefined; i++) {
      const s = w.gen.step(i);
      if (s.venues[0]!.reports.some((r) => r.clientOrderId === 'mine' && r.lastQtyLots > 0)) fill = s;
    }
    expect(fill).toBeDefined();
    const v = fill!.venues[0]!;
    expect(v.reports.every((r) => r.account === 'u')).toBe(true);
    expect(v.reports.find((r) => r.lastQtyLots > 0)).toMatchObject({ liquidity: 'maker', side: 'buy', lastPriceTicks: px });
    expect(v.balances.some((b) => b.account === 'u' && b.asset === 'BTC' && b.total > 0)).toBe(true);
    expect(v.trades.some((t) => t.makerAccount === 'u' && t.takerAccount === 'mm')).toBe(true);
  });
});

describe('market generator: dislocations, arbitrage windows, lead-lag, basis', () => {
  it('dislocations start at the configured rate and open cross-venue windows while they last', () => {
    // no lag here: a lagging venue opens windows of its own (lead-lag arbitrage), tested below
    const w = world({ seed: 2024 }, defaultVenues(0));
    const bn = w.engines.get('bn-spot')!;
    const ok = w.engines.get('okx-spot')!;
    const steps = 20_000;
    let dislocated = 0;
    let windows = 0;
    let windowsWhileDislocated = 0;
    let maxEdge = 0;
    for (let i = 0; i < steps; i++) {
      const s = w.gen.step(i);
      const okx = s.venues[1]!;
      // cross-venue edge in USDT: one venue's bid above the other's ask
      const edge = Math.max(bn.bestBid() * tickValue(bn) - ok.bestAsk() * tickValue(ok), ok.bestBid() * tickValue(ok) - bn.bestAsk() * tickValue(bn));
      const open = edge > 1e-9;
      if (okx.dislocationTicks !== 0) dislocated++;
      if (open) {
        windows++;
        if (okx.dislocationTicks !== 0) windowsWhileDislocated++;
        maxEdge = Math.max(maxEdge, edge);
      }
    }
    const st = w.gen.stats()[1]!;
    expect(st.dislocatedSteps).toBe(dislocated);
    // starts per undislocated step (the only steps where one can start) ~ probPerStep
    const rolls = steps - (st.dislocatedSteps - st.dislocationsStarted);
    const rate = st.dislocationsStarted / rolls;
    expect(rate).toBeGreaterThan(0.01 * 0.7);
    expect(rate).toBeLessThan(0.01 * 1.3);
    // each lasts exactly durationSteps (the last one may be cut off by the end of the run)
    expect(st.dislocatedSteps).toBeLessThanOrEqual(st.dislocationsStarted * 20);
    expect(st.dislocatedSteps).toBeGreaterThan((st.dislocationsStarted - 1) * 20);
    // windows are the dislocations: nearly every dislocated step has one and nearly none outside
    expect(windowsWhileDislocated / dislocated).toBeGreaterThan(0.9);
    expect((windows - windowsWhileDislocated) / (steps - dislocated)).toBeLessThan(0.01);
    // size: a 30-tick (3 USDT) jump minus both half-spreads (0.1 + 0.2)
    expect(maxEdge).toBeGreaterThan(2);
    expect(maxEdge).toBeLessThan(4);
  });

  it('a follower venue repeats the leader lagged by lagSteps', () => {
    const mk = (name: string): MatchingEngine => new MatchingEngine(new Ledger({ assets: { BTC: 8, USDT: 8 } }), { instrument: { ...SPOT, symbol: name } });
    const engines = { lead: mk('LEAD'), follow: mk('FOLLOW'), noisy: mk('NOISY') };
    const ladder = { levels: 3, spreadTicks: 2, sizeLots: 1000 };
    const gen = new MarketGenerator(
      {
        seed: 11, initialPrice: 64_000, volBps: 1,
        venues: [
          { name: 'lead', ladder },
          { name: 'follow', lagSteps: 5, ladder },
          { name: 'noisy', lagSteps: 3, noiseBps: 0.5, noisePersistence: 0.3, ladder },
        ],
      },
      engines,
    );
    const lead: number[] = [];
    const follow: number[] = [];
    const noisy: number[] = [];
    const leadBid: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const s = gen.step(i);
      lead.push(s.venues[0]!.centerTicks);
      follow.push(s.venues[1]!.centerTicks);
      noisy.push(s.venues[2]!.centerTicks);
      leadBid.push(engines.lead.bestBid());
      if (i >= 5) {
        expect(follow[i]).toBe(lead[i - 5]);
        expect(engines.follow.bestBid()).toBe(leadBid[i - 5]);
      }
    }
    // with noise, the returns still correlate best at the configured lag
    const d = (xs: number[]): number[] => xs.slice(1).map((x, i) => x - xs[i]!);
    const dl = d(lead);
    const dn = d(noisy);
    const corr = (k: number): number => {
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let t = 20; t < dn.length; t++) {
        const x = dl[t - k]!;
        const y = dn[t]!;
        sxy += x * y;
        sxx += x * x;
        syy += y * y;
      }
      return sxy / Math.sqrt(sxx * syy);
    };
    const cs = Array.from({ length: 11 }, (_, k) => corr(k));
    expect(cs.indexOf(Math.max(...cs))).toBe(3);
    expect(cs[3]).toBeGreaterThan(0.5);
    expect(Math.abs(cs[0]!)).toBeLessThan(0.2);
  });

  it('the perpetual trades at the configured mean basis over spot', () => {
    const w = world({ seed: 5 });
    const bn = w.engines.get('bn-spot')!;
    const sw = w.engines.get('okx-swap')!;
    let sum = 0;
    let n = 0;
    let sumSq = 0;
    for (let i = 0; i < 5000; i++) {
      const s = w.gen.step(i);
      if (i < 100) continue;
      const spotPx = s.venues[0]!.centerTicks * tickValue(bn);
      const swapPx = s.venues[2]!.centerTicks * tickValue(sw);
      const bps = (swapPx / spotPx - 1) * 10_000;
      sum += bps;
      sumSq += bps * bps;
      n++;
    }
    const mean = sum / n;
    expect(mean).toBeGreaterThan(9);
    expect(mean).toBeLessThan(11);
    const sd = Math.sqrt(sumSq / n - mean * mean);
    expect(sd).toBeGreaterThan(0.3); // basis noise is visible
    expect(sd).toBeLessThan(3);
  });
});

describe('market generator: config validation', () => {
  const engines = (): Map<string, MatchingEngine> => new Map([['x', new MatchingEngine(new Ledger({ assets: { BTC: 8, USDT: 8 } }), { instrument: SPOT })]]);
  const base: MarketConfig = { seed: 1, initialPrice: 64_000, volBps: 1, venues: [{ name: 'x', ladder: { levels: 3, spreadTicks: 2, sizeLots: 10 } }] };
  const fails = (cfg: unknown, field: string, msg?: RegExp): void => {
    let err: unknown;
    try {
      new MarketGenerator(cfg as MarketConfig, engines());
    } catch (e) {
      err = e;
    }
    expect(err, field).toBeInstanceOf(SimConfigError);
    expect((err as SimConfigError).field).toBe(field);
    if (msg) expect((err as Error).message).toMatch(msg);
  };
  const venue = (v: Partial<MarketVenueConfig> & Record<string, unknown>): MarketConfig => ({ ...base, venues: [{ ...base.venues[0]!, ...v } as MarketVenueConfig] });

  it('accepts a minimal config', () => {
    expect(() => new MarketGenerator(base, engines())).not.toThrow();
  });

  it('names the bad field, what was expected and what was found', () => {
    fails({ ...base, seed: 1.5 }, 'market.seed');
    fails({ ...base, initialPrice: 0 }, 'market.initialPrice', /expected a number > 0, found number 0/);
    fails({ ...base, volBps: -1 }, 'market.volBps');
    fails({ ...base, venues: [] }, 'market.venues');
    fails({ ...base, vol: 1 }, 'market.vol', /unknown field/);
    fails({ ...base, takerAccount: 'mm' }, 'market.takerAccount');
    fails(venue({ name: 'y' }), 'market.venues[0].name', /matching engine/);
    fails({ ...base, venues: [base.venues[0], base.venues[0]] }, 'market.venues[1].name');
    fails(venue({ dislocation: { probPerStep: 2, sizeTicks: 5, durationSteps: 3 } }), 'market.venues[0].dislocation.probPerStep', /expected a number >= 0 and <= 1, found number 2/);
    fails(venue({ dislocation: { probPerStep: 0.1, sizeTicks: 0, durationSteps: 3 } }), 'market.venues[0].dislocation.sizeTicks');
    fails(venue({ dislocation: { probPerStep: 0.1, sizeTicks: 5, durationSteps: 3, direction: 'left' as never } }), 'market.venues[0].dislocation.direction');
    fails(venue({ ladder: { levels: 3, spreadTicks: 2, sizeLots: [1, 2] } }), 'market.venues[0].ladder.sizeLots', /one size per level \(3\)/);
    fails(venue({ ladder: { levels: 3, spreadTicks: 0, sizeLots: 1 } }), 'market.venues[0].ladder.spreadTicks');
    fails(venue({ ladder: { levels: 3, spreadTicks: 2, sizeLots: 1, sizeJiter: 0.1 } as never }), 'market.venues[0].ladder.sizeJiter');
    fails(venue({ ladder: { levels: 100, spreadTicks: 2, spacingTicks: 100_000, sizeLots: 1 } }), 'market.venues[0].ladder', /fits above price 0/);
    fails(venue({ taker: { probPerStep: 0.1, minLots: 5, maxLots: 2 } }), 'market.venues[0].taker.maxLots');
    fails(venue({ basis: { meanBps: 10, reversion: 0 } }), 'market.venues[0].basis.reversion');
    fails(venue({ lagSteps: -1 }), 'market.venues[0].lagSteps');
  });

  it('checks sizes against the instrument minimum and the generator accounts', () => {
    const e = new MatchingEngine(new Ledger({ assets: { BTC: 8, USDT: 8 } }), { instrument: { ...SPOT, minQty: '0.001' } });
    expect(() => new MarketGenerator(base, { x: e })).toThrow(/ladder\.sizeLots: expected at least the instrument's minimum quantity \(100 lots\)/);
    const e2 = new MatchingEngine(new Ledger({ assets: { BTC: 8, USDT: 8 } }), { instrument: SPOT });
    e2.ledger.openAccount('mm', { balances: { USDT: 1 } });
    expect(() => new MarketGenerator(base, { x: e2 })).toThrow(/market\.makerAccount: expected an unlimited ledger account/);
    expect(() => new MarketGenerator(base, engines()).step(NaN)).toThrow(/nowMs must be a finite number/);
  });
});
