// Configuration validation: every kind of problem names the field's full path, what was expected
// and what was found; all problems are collected in one pass; secrets in the YAML are refused and
// never echoed; YAML decimals stay exact; positions point at the line.
import { describe, expect, it } from 'vitest';
import { checkConfigText, ConfigError, loadConfigText, validateConfig, type ConfigIssue } from '../../src/config/index.js';
import { baseConfig } from './fixtures.js';

function issuesOf(cfg: unknown): readonly ConfigIssue[] {
  const r = validateConfig(cfg);
  if (r.issues.length > 0) expect(r.config).toBeNull();
  return r.issues;
}

function find(issues: readonly ConfigIssue[], path: string): ConfigIssue {
  const i = issues.find((x) => x.path === path);
  if (i === undefined) throw new Error(`no issue at ${path}; got:\n${issues.map((x) => `${x.path} [${x.code}] ${x.expected} / ${x.found}`).join('\n')}`);
  return i;
}

describe('a valid configuration', () => {
  it('validates, with defaults applied and decimals kept as text', () => {
    const r = validateConfig(baseConfig());
    expect(r.issues).toEqual([]);
    const c = r.config!;
    expect(c.venues.map((v) => v.id)).toEqual(['binance-spot', 'okx']);
    expect(c.venues[0]!.credentials).toEqual({ kind: 'env', apiKey: 'XMC_BN_KEY', secret: 'XMC_BN_SECRET', passphrase: null });
    expect(c.venues[1]!.credentials).toEqual({ kind: 'file', path: '/etc/xmc/okx.yaml' });
    expect(c.venues[0]!.links.market.backup).toBeNull();
    expect(c.instruments[1]).toMatchObject({ id: 'okx', tick: null, lot: null, currency: 'USDT', unit: 'coin' });
    const p = c.pairs[0]!;
    expect(p.trigger).toEqual({ type: 'counter_price', unit: 'price', open: '10', close: '-5', fx: null, fairRatio: '1' });
    expect(p.position).toEqual({ target: '0', max: '0.05' });
    expect(p.openDirections).toEqual(['buy_a_sell_b', 'buy_b_sell_a']);
    expect(p.execution).toEqual({ mode: 'concurrent', leader: 'auto', leaderOrderType: 'ioc', leaderRestMs: 3000, slippageBps: 5, hedgeBandBps: 10, orderTimeoutMs: 2000, cancelTimeoutMs: 2000 });
    expect(p.legging.reject).toEqual({ action: 'replenish', maxAttempts: 2, withinMs: 1000, bandBps: 10 });
    expect(c.risk.maxOpenPairs).toBe(2);
    expect(c.risk.breakers.rejectRate).toEqual({ maxRatio: 0.5, windowMs: 60_000, minOrders: 10, action: 'reducing' });
    expect(c.risk.breakers.dailyLoss).toEqual({ limit: '500', currency: 'USDT', action: 'halted' });
    expect(c.risk.breakers.unhedged).toEqual({ maxMs: 3000, maxExposureSeconds: { BTC: '0.05' }, action: 'reducing' });
  });

  it('keeps YAML numbers exact (source text, never through a double)', () => {
    const text = `
version: 1
assets: { BTC: { decimals: 8 }, USDT: { decimals: 9 } }
venues:
  binance-spot:
    links: { market: { primary: { ws: "wss://a.example", rest: "https://a.example" } }, orders: { primary: { rest: "https://a.example" } } }
    fees: { maker: 0.0010, taker: 0.001 }
instruments:
  - { venue: binance-spot, symbol: BTCUSDT, kind: spot, base: BTC, quote: USDT, tick: 0.10, lot: 0.00001, min_qty: 1e-5 }
pairs: []
risk: { max_order_notional: 1234567.890123456, breakers: { daily_loss: { limit: 500, currency: USDT }, unhedged: { max_ms: 3000, max_exposure_seconds: { BTC: 0.05 } } } }
`;
    const c = loadConfigText(text);
    expect(c.venues[0]!.fees.maker).toBe('0.0010');
    expect(c.instruments[0]!.tick).toBe('0.10');
    expect(c.instruments[0]!.minQty).toBe('1e-5');
    expect(c.instruments[0]!.id).toBe('binance-spot:BTCUSDT');
    expect(c.risk.maxOrderNotional).toBe('1234567.890123456');
  });
});

describe('every kind of problem names path, expectation and finding', () => {
  it('MISSING', () => {
    const c = baseConfig();
    delete c.risk.breakers.daily_loss;
    delete c.pairs[0].size_per_trade;
    const issues = issuesOf(c);
    const i = find(issues, 'risk.breakers.daily_loss');
    expect(i.code).toBe('MISSING');
    expect(i.expected).toContain('limit, currency');
    expect(i.found).toMatch(/missing/);
    expect(find(issues, 'pairs[0].size_per_trade')).toMatchObject({ code: 'MISSING', expected: 'a base amount > 0' });
  });

  it('TYPE', () => {
    const c = baseConfig();
    c.pairs[0].size_per_trade = [1];
    c.venues.okx.fees = 'cheap';
    const issues = issuesOf(c);
    expect(find(issues, 'pairs[0].size_per_trade')).toMatchObject({ code: 'TYPE', found: 'a list of 1 item' });
    expect(find(issues, 'venues.okx.fees')).toMatchObject({ code: 'TYPE', expected: 'a mapping { maker, taker } of fee rates', found: 'string "cheap"' });
    const r = baseConfig();
    r.risk.require_known_balance = 'yes';
    expect(find(issuesOf(r), 'risk.require_known_balance')).toMatchObject({ code: 'TYPE', found: 'string "yes"' });
  });

  it('VALUE', () => {
    const c = baseConfig();
    c.venues.okx.fees.taker = '0.5';
    c.instruments[0].tick = 'abc';
    c.instruments[0].lot = '-0.1';
    c.pairs[0].trigger.type = 'spreed';
    c.venues['binance-spot'].links.market.primary.ws = 'https://not-a-websocket';
    c.risk.max_open_pairs = 0;
    const issues = issuesOf(c);
    expect(find(issues, 'venues.okx.fees.taker')).toMatchObject({ code: 'VALUE', found: 'string "0.5"' });
    expect(find(issues, 'venues.okx.fees.taker').expected).toContain('[-0.01, 0.01]');
    expect(find(issues, 'instruments[0].tick')).toMatchObject({ code: 'VALUE', expected: 'a positive decimal step, e.g. "0.01"', found: 'string "abc"' });
    expect(find(issues, 'instruments[0].lot').code).toBe('VALUE');
    expect(find(issues, 'pairs[0].trigger.type')).toMatchObject({ code: 'VALUE', expected: 'one of spread, counter_price, ratio', found: 'string "spreed"' });
    expect(find(issues, 'venues.binance-spot.links.market.primary.ws')).toMatchObject({ code: 'VALUE', expected: 'a ws or wss URL' });
    expect(find(issues, 'risk.max_open_pairs')).toMatchObject({ code: 'VALUE', expected: 'an integer in [1, 1000]', found: 'number 0' });
  });

  it('UNKNOWN_FIELD (typos are errors, not silent defaults)', () => {
    const c = baseConfig();
    c.pairs[0].triger = c.pairs[0].trigger;
    c.venues.okx.fee = {};
    const issues = issuesOf(c);
    expect(find(issues, 'pairs[0].triger')).toMatchObject({ code: 'UNKNOWN_FIELD', found: 'an unknown field "triger"' });
    expect(find(issues, 'pairs[0].triger').expected).toContain('trigger');
    expect(find(issues, 'venues.okx.fee').code).toBe('UNKNOWN_FIELD');
  });

  it('DUPLICATE', () => {
    const c = baseConfig();
    c.pairs.push({ ...c.pairs[0] });
    c.instruments.push({ ...c.instruments[0], id: 'bn2' });
    const issues = issuesOf(c);
    expect(find(issues, 'pairs[1].id')).toMatchObject({ code: 'DUPLICATE', found: 'string "cross"' });
    expect(find(issues, 'instruments[2].symbol')).toMatchObject({ code: 'DUPLICATE', expected: 'a symbol configured once per venue (binance-spot)' });
  });

  it('REFERENCE', () => {
    const c = baseConfig();
    c.pairs[0].b = 'kraken';
    c.instruments[1].quote = 'EUR';
    c.risk.max_position_per_asset = { ETH: '1' };
    const issues = issuesOf(c);
    expect(find(issues, 'pairs[0].b')).toMatchObject({ code: 'REFERENCE', found: 'string "kraken"' });
    expect(find(issues, 'pairs[0].b').expected).toContain('bn, okx');
    expect(find(issues, 'instruments[1].quote')).toMatchObject({ code: 'REFERENCE', expected: 'an asset listed under assets (BTC, USDT)' });
    expect(find(issues, 'risk.max_position_per_asset.ETH').code).toBe('REFERENCE');
  });

  it('CONFLICT (hysteresis, trigger units, currencies)', () => {
    const c = baseConfig();
    c.pairs[0].trigger = { type: 'spread', unit: 'bps', open: '5', close: '5' };
    const issues = issuesOf(c);
    expect(find(issues, 'pairs[0].trigger.close')).toMatchObject({ code: 'CONFLICT', found: 'string "5"' });
    expect(find(issues, 'pairs[0].trigger.close').expected).toContain('below open (5)');
    expect(find(issues, 'pairs[0].trigger.unit').code).toBe('CONFLICT');
    const d = baseConfig();
    d.assets.USD = { decimals: 8 };
    d.instruments[1].quote = 'USD';
    const di = issuesOf(d);
    expect(find(di, 'pairs[0].trigger.type')).toMatchObject({ code: 'CONFLICT', expected: 'ratio (the legs quote different currencies: USDT and USD)' });
  });

  it('collects ALL problems in one pass, across sections', () => {
    const c = baseConfig();
    delete c.assets;
    c.venues.okx.fees.maker = 'x';
    c.instruments[0].kind = 'swap';
    c.pairs[0].position.max = '-1';
    c.risk.price_band_bps = 'wide';
    const issues = issuesOf(c);
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['assets', 'venues.okx.fees.maker', 'instruments[0].kind', 'pairs[0].position.max', 'risk.price_band_bps']));
    expect(() => loadConfigText('version: 2\npairs: {}\n')).toThrow(ConfigError);
    try {
      loadConfigText('version: 2\npairs: {}\n', 'x.yaml');
    } catch (e) {
      const err = e as ConfigError;
      expect(err.issues.length).toBeGreaterThanOrEqual(5); // version, assets, venues, instruments, pairs, risk
      expect(err.message).toContain('x.yaml:1:10: version: expected an integer in [1, 1], found number 2 [VALUE]');
    }
  });

  it('YAML_SYNTAX with line and column, and duplicate keys', () => {
    let r = checkConfigText('version: 1\nassets:\n  BTC: { decimals: 8\n');
    expect(r.issues[0]!.code).toBe('YAML_SYNTAX');
    expect(r.issues[0]!.line).toBeGreaterThanOrEqual(3);
    r = checkConfigText('version: 1\nversion: 1\n');
    expect(r.issues[0]).toMatchObject({ code: 'YAML_SYNTAX', line: 2 });
    expect(r.issues[0]!.found).toMatch(/unique/i);
  });

  it('points at the line of the bad field', () => {
    const text = [
      'version: 1',
      'assets: { BTC: { decimals: 8 }, USDT: { decimals: 9 } }',
      'venues:',
      '  binance-spot:',
      '    links: { market: { primary: { ws: "wss://a.example", rest: "https://a.example" } }, orders: { primary: { rest: "https://a.example" } } }',
      '    fees:',
      '      maker: "0.001"',
      '      taker: lots',
      'instruments: []',
      'pairs: []',
      'risk: { max_order_notional: "1", breakers: { daily_loss: { limit: "1", currency: USDT }, unhedged: { max_ms: 1, max_exposure_seconds: {} } } }',
    ].join('\n');
    const r = checkConfigText(text);
    const i = find(r.issues, 'venues.binance-spot.fees.taker');
    expect([i.line, i.col]).toEqual([8, 14]);
  });
});

describe('instrument fields: required only when the venue has no instruments endpoint', () => {
  it('with an endpoint, tick/lot/min_qty/contract may be left out', () => {
    const c = baseConfig();
    c.instruments.push({ id: 'swap', venue: 'okx', symbol: 'BTC-USDT-SWAP', kind: 'perpetual', base: 'BTC', quote: 'USDT' });
    expect(issuesOf(c)).toEqual([]);
  });

  it('without one, each missing field is named with the reason', () => {
    const c = baseConfig();
    c.venues.okx.instruments_endpoint = false;
    c.instruments.push({ id: 'swap', venue: 'okx', symbol: 'BTC-USDT-SWAP', kind: 'perpetual', base: 'BTC', quote: 'USDT' });
    const issues = issuesOf(c);
    for (const f of ['tick', 'lot', 'min_qty']) {
      const i = find(issues, `instruments[1].${f}`);
      expect(i.code).toBe('MISSING');
      expect(i.expected).toContain('(required: venue okx has no instruments endpoint)');
    }
    expect(find(issues, 'instruments[2].contract').expected).toContain('the contract { value, currency, type }');
  });

  it('checks contract types against base / quote', () => {
    const c = baseConfig();
    c.instruments.push({ id: 'inv', venue: 'okx', symbol: 'BTC-USD-SWAP', kind: 'perpetual', base: 'BTC', quote: 'USDT', contract: { value: '100', currency: 'BTC', type: 'inverse' } });
    expect(find(issuesOf(c), 'instruments[2].contract.currency')).toMatchObject({ code: 'CONFLICT', expected: "the quote currency USDT (an inverse contract's value is in quote)" });
  });

  it('units: a troy-ounce venue against gold measured in grams is fine, the reverse is refused', () => {
    const c = baseConfig();
    c.assets.XAU = { decimals: 6, unit: 'gram' };
    c.instruments.push({ id: 'xau', venue: 'okx', symbol: 'XAU-USDT', kind: 'spot', base: 'XAU', quote: 'USDT', unit: 'troy_ounce' });
    expect(issuesOf(c)).toEqual([]);
    c.assets.XAU = { decimals: 6, unit: 'troy_ounce' };
    c.instruments[2].unit = 'gram';
    expect(find(issuesOf(c), 'instruments[2].unit').code).toBe('CONFLICT');
    c.instruments[2].unit = 'coin';
    expect(find(issuesOf(c), 'instruments[2].unit').expected).toContain('convertible');
  });
});

describe('ratio pairs and FX sources', () => {
  function gold(): Record<string, any> {
    const c = baseConfig();
    c.assets.XAU = { decimals: 10, unit: 'gram' };
    c.assets.CNY = { decimals: 2 };
    c.assets.USD = { decimals: 2 };
    c.instruments.push(
      { id: 'au', venue: 'okx', symbol: 'AU-CNY', kind: 'spot', base: 'XAU', quote: 'CNY', unit: 'gram' },
      { id: 'xau', venue: 'binance-spot', symbol: 'XAUUSD', kind: 'spot', base: 'XAU', quote: 'USD', unit: 'troy_ounce', tick: '0.1', lot: '0.001', min_qty: '0.001' },
      { id: 'usdcnh', venue: 'okx', symbol: 'USD-CNY', kind: 'spot', base: 'USD', quote: 'CNY' },
    );
    c.fx = [
      { id: 'usdcny-cfg', base: 'USD', quote: 'CNY', source: 'config', rate: '7.10', as_of: '2026-11-21T08:00:00Z', max_age_ms: 86_400_000 },
      { id: 'cnyusd-feed', base: 'CNY', quote: 'USD', source: 'feed', instrument: 'usdcnh', max_age_ms: 2000 },
    ];
    c.pairs.push({ id: 'gold', a: 'au', b: 'xau', trigger: { type: 'ratio', open: '15', close: '5', fx: 'usdcny-cfg' }, size_per_trade: '1000', position: { max: '10000' } });
    return c;
  }

  it('validates; a feed quoted the other way round is inverted automatically', () => {
    const r = validateConfig(gold());
    expect(r.issues).toEqual([]);
    expect(r.config!.fx[0]).toEqual({ id: 'usdcny-cfg', base: 'USD', quote: 'CNY', source: 'config', rate: '7.10', asOfMs: Date.parse('2026-11-21T08:00:00Z'), maxAgeMs: 86_400_000 });
    expect(r.config!.fx[1]).toMatchObject({ source: 'feed', instrument: 'usdcnh', invert: true, maxAgeMs: 2000 });
    expect(r.config!.pairs[1]!.trigger).toMatchObject({ type: 'ratio', unit: 'bps', fx: 'usdcny-cfg' });
  });

  it('a ratio between currencies needs an FX source between exactly those currencies', () => {
    const c = gold();
    delete c.pairs[1].trigger.fx;
    expect(find(issuesOf(c), 'pairs[1].trigger.fx')).toMatchObject({ code: 'MISSING', expected: 'an FX source converting USD to CNY (the legs quote different currencies)' });
    const d = gold();
    d.assets.EUR = { decimals: 2 };
    d.fx.push({ id: 'eur', base: 'EUR', quote: 'CNY', source: 'config', rate: '7.7' });
    d.pairs[1].trigger.fx = 'eur';
    expect(find(issuesOf(d), 'pairs[1].trigger.fx')).toMatchObject({ code: 'CONFLICT', found: 'eur (EUR/CNY)' });
    const e = gold();
    e.fx[1].max_age_ms = undefined;
    e.fx[0].as_of = 'yesterday';
    const ei = issuesOf(e);
    expect(find(ei, 'fx[1].max_age_ms').code).toBe('MISSING');
    expect(find(ei, 'fx[0].as_of')).toMatchObject({ code: 'VALUE', found: 'string "yesterday"' });
  });
});

describe('secrets never live in the YAML and are never echoed', () => {
  const SECRET = 'hunter2-SUPER-SECRET-0123456789abcdef';

  function assertNotEchoed(issues: readonly ConfigIssue[]): void {
    const text = JSON.stringify(issues);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('hunter2');
  }

  it('a literal secret in the credentials block is refused (by type and length only)', () => {
    const c = baseConfig();
    c.venues['binance-spot'].credentials = { api_key: 'AKID-plain', secret: SECRET };
    const issues = issuesOf(c);
    const i = find(issues, 'venues.binance-spot.credentials.secret');
    expect(i.code).toBe('SECRET_IN_CONFIG');
    expect(i.expected).toContain('{ env: VARIABLE_NAME }');
    expect(i.found).toBe(`a literal secret (string of ${SECRET.length} characters, not shown)`);
    expect(find(issues, 'venues.binance-spot.credentials.api_key').code).toBe('SECRET_IN_CONFIG');
    assertNotEchoed(issues);
  });

  it('anywhere in the document, under any secret-looking key', () => {
    const c = baseConfig();
    c.venues.okx.password = SECRET;
    c.pairs[0].api_token = SECRET;
    const issues = issuesOf(c);
    expect(find(issues, 'venues.okx.password').code).toBe('SECRET_IN_CONFIG');
    expect(find(issues, 'pairs[0].api_token').code).toBe('SECRET_IN_CONFIG');
    assertNotEchoed(issues);
    // also through the thrown error's message
    expect(() => loadConfigText(`version: 1\nsecret: ${SECRET}\n`)).toThrow(ConfigError);
    try {
      loadConfigText(`version: 1\nsecret: ${SECRET}\n`);
    } catch (e) {
      expect((e as Error).message).not.toContain(SECRET);
      expect((e as Error).message).toContain('SECRET_IN_CONFIG');
    }
  });

  it('an "env" value that is not a variable name is treated as a pasted secret', () => {
    const c = baseConfig();
    c.venues['binance-spot'].credentials.secret = { env: SECRET };
    const issues = issuesOf(c);
    const i = find(issues, 'venues.binance-spot.credentials.secret.env');
    expect(i.code).toBe('VALUE');
    expect(i.found).toContain('not shown');
    assertNotEchoed(issues);
  });

  it('URLs with user:password@ or key-like query parameters', () => {
    const c = baseConfig();
    c.venues.okx.links.market.primary.rest = `https://user:${SECRET}@openapi.okx.com`;
    c.venues.okx.links.market.primary.ws = `https://ws.okx.com/ws?apiKey=${SECRET}`; // wrong scheme too: still never echoed
    const issues = issuesOf(c);
    expect(find(issues, 'venues.okx.links.market.primary.rest').code).toBe('SECRET_IN_CONFIG');
    expect(find(issues, 'venues.okx.links.market.primary.ws').code).toBe('SECRET_IN_CONFIG');
    assertNotEchoed(issues);
  });

  it('OKX needs a passphrase reference; credentials are either env references or a file', () => {
    const c = baseConfig();
    c.venues.okx.credentials = { api_key: { env: 'K' }, secret: { env: 'S' } };
    expect(find(issuesOf(c), 'venues.okx.credentials.passphrase').code).toBe('MISSING');
    c.venues.okx.credentials = { file: 'relative/okx.yaml' };
    expect(find(issuesOf(c), 'venues.okx.credentials.file')).toMatchObject({ code: 'VALUE', expected: 'an absolute file path' });
  });
});

describe('loading from a file', () => {
  it('reads a YAML file, or names the file problem', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadConfigFile, loadConfig, DEFAULT_CONFIG_YAML } = await import('../../src/config/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'xmc-cfg-'));
    try {
      const p = join(dir, 'xmc.yaml');
      writeFileSync(p, DEFAULT_CONFIG_YAML.replace('open: "100"', 'open: "120"'));
      expect(loadConfig(p).pairs[1]!.trigger.open).toBe('120');
      expect(() => loadConfigFile(join(dir, 'missing.yaml'))).toThrow(/no such file/);
      writeFileSync(p, 'pairs: [\n');
      expect(() => loadConfigFile(p)).toThrow(new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:1: .*YAML_SYNTAX`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
