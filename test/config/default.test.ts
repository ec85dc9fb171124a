// The embedded default configuration validates, matches the simulator's default venues and
// instruments, and builds the core models; the config -> core bridge completes instruments from a
// venue's endpoint and refuses disagreements.
import { describe, expect, it } from 'vitest';
import {
  buildFxRates, buildPairModels, checkConfigText, DEFAULT_CONFIG_YAML, defaultConfig, loadConfig, resolveInstrument, resolveInstruments,
  sameDecimal, unitFactor, validateConfig, withVenueEndpoints,
} from '../../src/config/index.js';
import { normalizeSimConfig } from '../../src/sim/config.js';
import { OrderBook } from '../../src/core/book.js';
import { TriggerEvaluator } from '../../src/core/triggers.js';
import type { InstrumentSpec } from '../../src/venues/types.js';
import { baseConfig } from './fixtures.js';

describe('embedded default configuration', () => {
  it('validates without a file, with no issue', () => {
    expect(checkConfigText(DEFAULT_CONFIG_YAML).issues).toEqual([]);
    const c = loadConfig();
    expect(c).toBe(defaultConfig());
    expect(c.venues.map((v) => v.id)).toEqual(['binance-spot', 'okx', 'binance-usdm']);
    expect(c.pairs.map((p) => [p.id, p.trigger.type, p.enabled])).toEqual([
      ['btc-spot-cross', 'counter_price', true],
      ['btc-basis-okx', 'spread', true],
      ['btc-basis-binance', 'spread', false],
    ]);
    for (const v of c.venues) expect(v.credentials?.kind).toBe('env');
  });

  it("matches the simulator's default venues, instruments and fees", () => {
    const sim = normalizeSimConfig({});
    const c = defaultConfig();
    for (const ic of c.instruments) {
      const venue = sim.venues.find((v) => v.protocol === ic.venue);
      expect(venue, ic.id).toBeDefined();
      const si = venue!.instruments.find((x) => x.symbol === ic.symbol);
      expect(si, ic.id).toBeDefined();
      expect(sameDecimal(ic.tick!, si!.tickSize), `${ic.id} tick`).toBe(true);
      expect(sameDecimal(ic.lot!, si!.lotSize), `${ic.id} lot`).toBe(true);
      expect(sameDecimal(ic.minQty!, si!.minQty), `${ic.id} minQty`).toBe(true);
      expect(sameDecimal(ic.minNotional!, si!.minNotional), `${ic.id} minNotional`).toBe(true);
      expect(ic.kind).toBe(si!.kind);
      if (ic.contract) expect(sameDecimal(ic.contract.value, si!.contractValue), `${ic.id} contract`).toBe(true);
      const fees = ic.fees ?? c.venues.find((v) => v.id === ic.venue)!.fees;
      expect(Number(fees.taker) * 1e6).toBeCloseTo(si!.takerFeePpm, 6);
      expect(Number(fees.maker) * 1e6).toBeCloseTo(si!.makerFeePpm, 6);
      // every asset decimals can hold the venue's tick x lot exactly (the simulator's ledger decimals)
      expect(c.assets[ic.base]!.decimals).toBeGreaterThanOrEqual(venue!.assets[ic.base] ?? 0);
    }
  });

  it('builds instrument tables and pair models from the file alone', () => {
    const c = defaultConfig();
    const ri = resolveInstruments(c);
    expect(ri.issues).toEqual([]);
    expect([...ri.tables.keys()]).toEqual(['binance-spot', 'okx', 'binance-usdm']);
    expect(ri.tables.get('okx')!.size).toBe(2);
    const built = buildPairModels(c, ri.byId);
    expect(built.issues).toEqual([]);
    const [cross, basis] = built.models;
    expect(built.models).toHaveLength(2); // the disabled pair is not built
    expect(cross!.id).toBe('btc-spot-cross');
    expect(cross!.commonStep).toBe('0.01');
    expect(cross!.openThreshold).toBe(1000); // 10 USDT in 0.01 steps
    expect(cross!.closeThreshold).toBe(-500);
    expect(cross!.a.takerFee).toBe(0.001);
    expect(cross!.sizePerTradeAtoms).toBe(1_000_000);
    expect(basis!.b.perLotAtoms).toBe(10_000); // 0.01 contract x 0.01 BTC
    expect(basis!.openAB && !basis!.openBA).toBe(true);
    expect(basis!.b.takerFee).toBe(0.0005); // the instrument's fee override
  });

  it('its pairs fire on the kind of window the simulator produces', () => {
    const c = defaultConfig();
    const ri = resolveInstruments(c);
    const [cross, basis] = buildPairModels(c, ri.byId).models;
    const ev = new TriggerEvaluator();
    // OKX spot dislocated 160 USDT down: Binance 64000.00/64000.10, OKX 63840.0/63840.1, perp 63860.0/63860.1
    const bn = book([[6_400_000, 5000]], [[6_400_010, 5000]]);
    const okx = book([[638_400, 5_000_000]], [[638_401, 5_000_000]]);
    const perp = book([[640_190, 500]], [[640_191, 500]]);
    // cross: sell Binance 64000.00 x 0.999, buy OKX 63840.1 x 1.001 = 63936.0 - 63903.94 = 32.06 USDT >= 10
    const r1 = ev.evaluate(cross!, bn, okx, 0, 0, null);
    expect(r1.reason).toBe(0);
    expect(r1.direction).toBe(-1);
    expect(r1.display(r1.edge)).toBeCloseTo(64000 * 0.999 - 63840.1 * 1.001, 6);
    // basis: perp bid 64019.0 - OKX spot ask 63840.1 = 178.9 >= 100: buy spot, sell perp
    const r2 = ev.evaluate(basis!, okx, perp, 0, 0, null);
    expect(r2.direction).toBe(1);
    expect(r2.display(r2.edge)).toBeCloseTo(178.9, 9);
  });

  it('endpoints can be replaced by the running simulator URLs', () => {
    const c = withVenueEndpoints(defaultConfig(), 'okx', { market: { primary: { ws: 'ws://127.0.0.1:40001/ws/v5/public', rest: 'http://127.0.0.1:40001', wsApi: null, wsPrivate: null }, backup: null } });
    expect(c.venues.find((v) => v.id === 'okx')!.links.market.primary.ws).toBe('ws://127.0.0.1:40001/ws/v5/public');
    expect(defaultConfig().venues.find((v) => v.id === 'okx')!.links.market.primary.ws).toBe('ws://127.0.0.1:18402/ws/v5/public');
    expect(() => withVenueEndpoints(c, 'binance-usdm', {})).not.toThrow();
  });
});

function book(bids: [number, number][], asks: [number, number][]): OrderBook {
  const b = new OrderBook(16);
  for (const [p, q] of bids) b.setBid(p, q);
  for (const [p, q] of asks) b.setAsk(p, q);
  return b;
}

describe('instruments completed from the venue endpoint', () => {
  const okxSpec: InstrumentSpec = {
    venue: 'okx', symbol: 'BTC-USDT', base: 'BTC', quote: 'USDT', kind: 'spot', tickSize: '0.1', lotSize: '0.00000001',
    minQty: '0.00001', minNotional: '0', contractValue: '1', contractValueCcy: 'BTC', contractType: 'none',
  };

  it('fills missing fields from the endpoint and accepts equal values written differently', () => {
    const c = validateConfig(baseConfig()).config!;
    const ic = c.instruments[1]!;
    const r = resolveInstrument(ic, okxSpec, 'instruments[1]');
    expect(r.issues).toEqual([]);
    expect(r.spec).toMatchObject({ tickSize: '0.1', lotSize: '0.00000001', minQty: '0.00001' });
    const r2 = resolveInstrument({ ...ic, tick: '0.10' }, okxSpec, 'instruments[1]');
    expect(r2.issues).toEqual([]);
  });

  it('a value that disagrees with the venue is an error, not silently replaced', () => {
    const c = validateConfig(baseConfig()).config!;
    const r = resolveInstrument({ ...c.instruments[1]!, tick: '0.01' }, okxSpec, 'instruments[1]');
    expect(r.spec).toBeNull();
    expect(r.issues).toEqual([{ code: 'INSTRUMENT', path: 'instruments[1].tick', expected: "the venue's value 0.1 (from its instruments endpoint)", found: '0.01 in the configuration' }]);
  });

  it('without endpoint data, missing fields are named', () => {
    const c = validateConfig(baseConfig()).config!;
    const ri = resolveInstruments(c);
    expect(ri.issues.map((i) => i.path)).toEqual(['instruments[1].tick', 'instruments[1].lot', 'instruments[1].min_qty']);
    const full = resolveInstruments(c, (v) => (v === 'okx' ? [okxSpec] : undefined));
    expect(full.issues).toEqual([]);
    expect(full.byId.get('okx')!.lot.step).toBe('0.00000001');
    // a symbol the venue does not list
    const missing = resolveInstruments(c, (v) => (v === 'okx' ? [{ ...okxSpec, symbol: 'ETH-USDT' }] : undefined));
    expect(missing.issues[0]).toMatchObject({ code: 'INSTRUMENT', path: 'instruments[1].symbol' });
  });
});

describe('units and FX holders', () => {
  it('unit factors are exact decimals or refused', () => {
    expect(unitFactor('troy_ounce', 'gram')).toBe('31.1034768');
    expect(unitFactor('kilogram', 'gram')).toBe('1000');
    expect(unitFactor('troy_ounce', 'kilogram')).toBe('0.0311034768');
    expect(unitFactor('gram', 'kilogram')).toBe('0.001');
    expect(unitFactor('gram', 'troy_ounce')).toBeNull();
    expect(unitFactor('coin', 'gram')).toBeNull();
    expect(unitFactor('coin', 'coin')).toBe('1');
  });

  it('a configured rate ages from its as-of time; a feed rate starts unset', () => {
    const c = baseConfig();
    c.assets.CNY = { decimals: 2 };
    c.assets.USD = { decimals: 2 };
    c.instruments.push({ id: 'usdcny', venue: 'okx', symbol: 'USD-CNY', kind: 'spot', base: 'USD', quote: 'CNY' });
    c.fx = [
      { id: 'cfg', base: 'USD', quote: 'CNY', source: 'config', rate: '7.10', as_of: '2026-11-21T00:00:00Z', max_age_ms: 3_600_000 },
      { id: 'plain', base: 'USD', quote: 'CNY', source: 'config', rate: '7.2' },
      { id: 'feed', base: 'USD', quote: 'CNY', source: 'feed', instrument: 'usdcny', max_age_ms: 1000 },
    ];
    const cfg = validateConfig(c).config!;
    const epoch = Date.parse('2026-11-21T00:30:00Z');
    const rates = buildFxRates(cfg, 5_000_000, epoch);
    const r = rates.get('cfg')!;
    expect(r.rate).toBe(7.1);
    expect(r.ageMs(5_000_000)).toBe(1_800_000);
    expect(r.fresh(5_000_000)).toBe(true);
    expect(r.fresh(5_000_000 + 1_800_001)).toBe(false);
    expect(rates.get('plain')!.fresh(1e12)).toBe(true); // no limit
    expect(rates.get('feed')!.fresh(5_000_000)).toBe(false);
  });
});
