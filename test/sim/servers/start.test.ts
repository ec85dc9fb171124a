// startSim / runSimCommand: the default three venues run on their own timers and publish; stop()
// releases the ports; the same seed gives the same books; a bad config is refused with the field
// named; `xmc sim` prints endpoints and keys and stops on request.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SimConfigError } from '../../../src/sim/check.js';
import { runSimCommand, type SimEndpoints } from '../../../src/sim/cli.js';
import { ManualClock } from '../../../src/sim/clock.js';
import { normalizeSimConfig, type SimConfig } from '../../../src/sim/config.js';
import { startSim, type SimHandle } from '../../../src/sim/start.js';
import { http, T0, until, WsClient } from './helpers.js';

const sims: SimHandle[] = [];
const clients: WsClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of sims.splice(0)) await s.stop();
});

describe('startSim', () => {
  test('the default run: three venues with live market data on their own timers; stop() frees the ports', async () => {
    const sim = await startSim({ seed: 3, tickMs: 20, publishMs: 20 });
    sims.push(sim);
    expect(sim.venues.map((v) => [v.name, v.protocol, [...v.engines.keys()]])).toEqual([
      ['binance-spot', 'binance-spot', ['BTCUSDT']],
      ['okx', 'okx', ['BTC-USDT', 'BTC-USDT-SWAP']],
      ['binance-usdm', 'binance-usdm', ['BTCUSDT']],
    ]);
    const [spot, okx, usdm] = sim.venues as [SimHandle['venues'][0], SimHandle['venues'][0], SimHandle['venues'][0]];
    expect(spot.keys[0]!.apiKey).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(spot.keys[0]!.secret).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(okx.keys[0]!.apiKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(okx.keys[0]!.secret).toMatch(/^[0-9A-F]{32}$/);
    expect(okx.keys[0]!.passphrase).toMatch(/^[A-Za-z0-9]{12}$/);
    const a = await WsClient.open(`${spot.urls.ws}/ws/btcusdt@depth@100ms`);
    const b = await WsClient.open(okx.urls.wsPublic!);
    const c = await WsClient.open(`${usdm.urls.wsPublic}/ws/btcusdt@depth@100ms`);
    clients.push(a, b, c);
    b.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT-SWAP' }] });
    await a.take(3, (m) => m.e === 'depthUpdate');
    await b.take(3, (m) => m.action === 'update');
    await c.take(3, (m) => m.e === 'depthUpdate' && typeof m.pu === 'number');
    expect(sim.market.steps).toBeGreaterThan(3);
    const rest = spot.urls.rest;
    await sim.stop();
    await expect(http('GET', `${rest}/api/v3/ping`)).rejects.toThrow();
    expect((await a.closed).code).toBe(1006);
  });

  test('the same seed gives the same books; another seed does not', async () => {
    const books = async (seed: number): Promise<string> => {
      const sim = await startSim({ seed, tickMs: 0, clock: new ManualClock(T0) });
      sims.push(sim);
      sim.step(40);
      return JSON.stringify(sim.venues.map((v) => [...v.engines.values()].map((e) => e.snapshot(10))));
    };
    const x = await books(11);
    expect(await books(11)).toBe(x);
    expect(await books(12)).not.toBe(x);
  });

  test('custom venues: two Binance spot venues with their own names, instrument and fixed keys', async () => {
    const inst = {
      symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', tickSize: '0.01', lotSize: '0.0001', minQty: '0.0001', minNotional: '5',
      market: { ladder: { levels: 5, spreadTicks: 2, sizeLots: 1000 } },
    };
    const sim = await startSim({
      tickMs: 0, clock: new ManualClock(T0), market: { initialPrice: 3000, volBps: 1 },
      venues: [
        { protocol: 'binance-spot', name: 'bn-a', instruments: [inst], assets: { ETH: 8, USDT: 8 }, accounts: [{ apiKey: 'fixedKey0001', secret: 's3cret', balances: { USDT: '5000' } }] },
        { protocol: 'binance-spot', name: 'bn-b', instruments: [inst], assets: { ETH: 8, USDT: 8 } },
      ],
    });
    sims.push(sim);
    expect(sim.venue('bn-a').keys[0]).toMatchObject({ account: 'main', apiKey: 'fixedKey0001', secret: 's3cret' });
    expect(sim.venue('bn-a').ledger.balanceView('main', 'USDT').total).toBe(5000 * 1e8);
    const d = await http('GET', `${sim.venue('bn-b').urls.rest}/api/v3/depth?symbol=ETHUSDT&limit=5`);
    expect(d.json.bids).toHaveLength(5);
    expect(() => sim.venue('nope')).toThrow(/bn-a, bn-b/);
  });

  test('market and engine config errors name the instrument', async () => {
    const inst = { symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', tickSize: '0.01', lotSize: '0.0001' };
    await expect(startSim({ tickMs: 0, venues: [{ protocol: 'binance-spot', assets: { ETH: 8, USDT: 8 }, instruments: [{ ...inst, market: { ladder: { levels: 0, spreadTicks: 1, sizeLots: 1 } } }] }] }))
      .rejects.toThrow(/binance-spot\.instruments\.ETHUSDT\.market\.ladder\.levels/);
    await expect(startSim({ tickMs: 0, venues: [{ protocol: 'binance-spot', assets: { ETH: 8, USDT: 2 }, instruments: [{ ...inst, market: { ladder: { levels: 1, spreadTicks: 1, sizeLots: 1 } } }] }] }))
      .rejects.toThrow(/venues\.binance-spot\.instruments\[0\].*raise the asset's decimals/);
  });

  test('bad configurations are refused before anything starts, naming the field', () => {
    const bad: [SimConfig, RegExp][] = [
      [{ tikMs: 5 } as SimConfig, /sim\.tikMs/],
      [{ host: '0.0.0.0' }, /sim\.host: expected a loopback address/],
      [{ venues: [{ protocol: 'ftx' as never }] }, /sim\.venues\[0\]\.protocol/],
      [{ venues: [{ protocol: 'okx' }, { protocol: 'okx' }] }, /sim\.venues\[1\]\.name/],
      [{ venues: [{ protocol: 'binance-spot', accounts: [{ passphrase: 'x' }] }] }, /accounts\[0\]\.passphrase/],
      [{ venues: [{ protocol: 'binance-spot', instruments: [{ symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '0', lotSize: '1' }] }] }, /instruments\[0\]\.tickSize: expected a decimal greater than 0/],
      [{ venues: [{ protocol: 'binance-spot', instruments: [{ symbol: 'BTC-USDT', base: 'BTC', quote: 'USDT', tickSize: '1', lotSize: '1' }] }] }, /instruments\[0\]\.symbol/],
      [{ venues: [{ protocol: 'binance-spot', instruments: [{ symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', tickSize: '1', lotSize: '1' }] }] }, /market\.ladder/],
      [{ venues: [{ protocol: 'binance-spot', rateLimits: { orderPer2s: 1 } as never }] }, /rateLimits\.orderPer2s/],
      [{ faults: [{ kind: 'drop', venue: 'nowhere' }] }, /sim\.faults\[0\]\.venue/],
      [{ faults: [{ kind: 'latency' } as never] }, /sim\.faults\[0\]\.delayMs|fault\.delayMs/],
      [{ timeScale: 0 }, /sim\.timeScale/],
    ];
    for (const [cfg, re] of bad) {
      let err: unknown = null;
      try {
        normalizeSimConfig(cfg);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(cfg)).toBeInstanceOf(SimConfigError);
      expect((err as Error).message).toMatch(re);
    }
  });
});

describe('runSimCommand (xmc sim)', () => {
  test('prints the endpoints and keys as JSON, serves, and stops when aborted', async () => {
    const lines: string[] = [];
    const ac = new AbortController();
    let ready: SimHandle | null = null;
    const done = runSimCommand({ json: true, seed: 5, out: (l) => lines.push(l), signal: ac.signal, onReady: (s) => (ready = s) });
    await until(() => ready !== null);
    const e = JSON.parse(lines[0]!) as SimEndpoints;
    expect(e.seed).toBe(5);
    expect(e.venues.map((v) => v.name)).toEqual(['binance-spot', 'okx', 'binance-usdm']);
    expect(e.venues[1]!.keys[0]!.passphrase.length).toBe(12);
    expect(e.venues[1]!.instruments).toEqual(['BTC-USDT', 'BTC-USDT-SWAP']);
    const ping = await http('GET', `${e.venues[0]!.rest}/api/v3/ping`);
    expect(ping.status).toBe(200);
    ac.abort();
    expect(await done).toBe(0);
    await expect(http('GET', `${e.venues[0]!.rest}/api/v3/ping`)).rejects.toThrow();
  });

  test('text output names every endpoint; a bad config file returns 2 with the field named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xmc-sim-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ venues: [{ protocol: 'okx' }], tickMs: 0 }));
    const lines: string[] = [];
    expect(await runSimCommand({ config: good, duration: 0, out: (l) => lines.push(l) })).toBe(0);
    expect(lines.join('\n')).toMatch(/okx \(okx\): BTC-USDT, BTC-USDT-SWAP/);
    expect(lines.join('\n')).toMatch(/ws-private ws:\/\/127\.0\.0\.1:\d+\/ws\/v5\/private/);
    expect(lines.join('\n')).toMatch(/passphrase [A-Za-z0-9]{12}/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ venues: [{ protocol: 'okx', port: 99999 }] }));
    const out2: string[] = [];
    expect(await runSimCommand({ config: bad, out: (l) => out2.push(l) })).toBe(2);
    expect(out2[0]).toMatch(/bad configuration: sim config: sim\.venues\[0\]\.port/);
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{ nope');
    const out3: string[] = [];
    expect(await runSimCommand({ config: junk, out: (l) => out3.push(l) })).toBe(2);
    expect(out3[0]).toMatch(/--config: expected valid JSON/);
  });
});
