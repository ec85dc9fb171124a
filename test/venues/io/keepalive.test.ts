// Keepalive, server-shutdown notices and staleness against the simulator (real sockets):
// - Binance: the server pings, our link answers with pongs, the connection survives; a
//   `serverShutdown` event makes the market client reconnect at once and resync.
// - OKX: a quiet connection is kept alive with text pings (the venue cuts idle connections with
//   close 4004); notice 64008 makes the market and the private client reconnect proactively
//   (the private one logs in and subscribes again); a stalled connection turns 'stale' and back.
// Venue durations are shortened through the simulator's keepalive settings. No timing asserts.
import { afterEach, describe, expect, it } from 'vitest';
import { InstrumentTable } from '../../../src/core/instrument.js';
import { startSim, type SimHandle, type SimVenueHandle } from '../../../src/sim/start.js';
import { mulberry32 } from '../../../src/venues/io/backoff.js';
import type { FeedLinkStatus, MarketEvents } from '../../../src/venues/io/market.js';
import { BinanceMarketClient } from '../../../src/venues/binance/io/market-client.js';
import { BinanceRestClient } from '../../../src/venues/binance/io/rest-client.js';
import { OkxMarketClient } from '../../../src/venues/okx/io/market-client.js';
import { OkxPrivateClient } from '../../../src/venues/okx/io/private-client.js';
import { OkxRestClient } from '../../../src/venues/okx/io/rest-client.js';
import { until } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

function recorder(): { events: MarketEvents; statuses: FeedLinkStatus[]; books: number } {
  const r = { statuses: [] as FeedLinkStatus[], books: 0, events: null as unknown as MarketEvents };
  r.events = { onBook: () => void r.books++, onUnsynced: () => undefined, onStatus: (s) => void r.statuses.push(s) };
  return r;
}

/** Steps the generator until `cond` (a book needs events to sync on Binance). */
async function stepUntil(sim: SimHandle, cond: () => boolean, what: string): Promise<void> {
  for (let k = 0; !cond(); k++) {
    if (k > 4000) throw new Error(`timeout waiting for ${what}`);
    if (k % 10 === 0) {
      sim.step(1);
      sim.flush();
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Binance keepalive and serverShutdown', () => {
  it('answers server pings (the connection survives them) and reconnects at once on serverShutdown', async () => {
    const sim = await startSim({ seed: 51, tickMs: 0, venues: [{ protocol: 'binance-spot', keepalive: { pingIntervalMs: 300, pongTimeoutMs: 900 } }] });
    closers.push(() => sim.stop());
    const venue: SimVenueHandle = sim.venue('binance-spot');
    const table = new InstrumentTable(venue.instruments.map((i) => i.spec));
    const rest = new BinanceRestClient({ venue: 'binance-spot', restBase: venue.urls.rest, table });
    const rec = recorder();
    const client = new BinanceMarketClient({ venue: 'binance-spot', table, rest, wsBase: venue.urls.ws, snapshotLimit: 100, link: { rng: mulberry32(1) } }, rec.events);
    closers.push(async () => {
      await client.stop();
      await rest.close();
    });
    client.start();
    await stepUntil(sim, () => client.status === 'synced', 'first sync');
    // quiet market: only server pings for a while; each must be answered or the venue drops us
    await until(() => client.link.counters.serverPings >= 6, 'six server pings', 30_000);
    expect(client.link.counters.opens).toBe(1);
    expect(client.link.counters.closes).toBe(0);

    const notices = sim.faults.shutdownNotice({ venue: 'binance-spot' });
    expect(notices).toBeGreaterThanOrEqual(1);
    await until(() => client.counters.shutdownNotices === 1 && client.link.counters.opens === 2, 'reconnect after serverShutdown');
    expect(client.link.counters.proactiveReconnects).toBeGreaterThanOrEqual(1);
    await stepUntil(sim, () => client.status === 'synced', 'resync after the reconnect');
    expect(rec.statuses).toContain('down');
    expect(rec.statuses.at(-1)).toBe('synced');
  });
});

describe('OKX keepalive, notice 64008 and staleness', () => {
  async function okx(seed: number): Promise<{ sim: SimHandle; venue: SimVenueHandle; table: InstrumentTable; rest: OkxRestClient }> {
    const sim = await startSim({ seed, tickMs: 0, venues: [{ protocol: 'okx', keepalive: { idleTimeoutMs: 700 } }] });
    closers.push(() => sim.stop());
    const venue = sim.venue('okx');
    const table = new InstrumentTable(venue.instruments.map((i) => i.spec));
    const rest = new OkxRestClient({ restBase: venue.urls.rest, table });
    closers.push(() => rest.close());
    return { sim, venue, table, rest };
  }

  it('keeps a quiet connection alive with text pings, and reconnects (market and private) on notice 64008', async () => {
    const { sim, venue, table, rest } = await okx(52);
    const rec = recorder();
    const market = new OkxMarketClient({ table, rest, wsUrl: venue.urls.ws, pingIdleMs: 200, pongTimeoutMs: 2000, link: { rng: mulberry32(2) } }, rec.events);
    const k = venue.keys[0]!;
    const priv = new OkxPrivateClient({ creds: { apiKey: k.apiKey, secretKey: k.secret, passphrase: k.passphrase }, table, rest, wsUrl: venue.urls.wsPrivate!, link: { keepalive: { mode: 'text-ping', idleMs: 200, pongTimeoutMs: 2000 } } });
    closers.push(() => market.stop(), () => priv.close());
    market.start();
    priv.start();
    await until(() => market.status === 'synced', 'okx first sync (WS snapshot)');
    await priv.ready();
    // nothing moves: without pings the venue would cut both connections after 700 ms
    await until(() => market.link.counters.pingsSent >= 6 && priv.link.counters.pingsSent >= 6, 'six pings each', 30_000);
    expect(market.link.counters.opens).toBe(1);
    expect(priv.link.counters.opens).toBe(1);
    expect(market.link.counters.pongTimeouts).toBe(0);

    sim.faults.shutdownNotice({ venue: 'okx' });
    await until(() => market.counters.shutdownNotices === 1 && market.link.counters.opens === 2, 'market reconnect after 64008');
    await until(() => priv.counters.notices === 1 && priv.link.counters.opens === 2, 'private reconnect after 64008');
    await priv.ready();
    expect(priv.counters.logins).toBe(2);
    await until(() => market.status === 'synced', 'resync after 64008');
    expect(rec.statuses).toContain('down');
  });

  it('marks a stalled link stale, and synced again when frames resume', async () => {
    const { sim, venue, table, rest } = await okx(53);
    const rec = recorder();
    const market = new OkxMarketClient({ table, rest, wsUrl: venue.urls.ws, staleMs: 150, pingIdleMs: 100, pongTimeoutMs: 5000, link: { rng: mulberry32(3), checkIntervalMs: 25 } }, rec.events);
    closers.push(() => market.stop());
    market.start();
    await until(() => market.status === 'synced', 'okx first sync');
    sim.faults.stall({ venue: 'okx', target: 'market', durationMs: 800 });
    await until(() => market.status === 'stale', 'stale during the stall');
    await until(() => market.status === 'synced', 'synced after the stall');
    const i = rec.statuses.lastIndexOf('stale');
    expect(i).toBeGreaterThan(0);
    expect(rec.statuses.slice(i + 1)).toContain('synced');
    expect(market.link.counters.opens).toBe(1); // the stall did not cost the connection
  });
});
