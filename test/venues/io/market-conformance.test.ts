// Market-data adapters against the simulator over real sockets (127.0.0.1), per venue: Binance
// spot, Binance USD-M, OKX (spot and SWAP). The simulator's generator is stepped by the test
// (manual mode) through well over 10,000 depth updates while seeded faults hit the feed: venue
// gaps (every client sees a break), and per-connection drops, duplicates, reorders and
// disconnects. Two checks:
//  1. every book our client publishes as synced (each onBook) equals, level by level, the
//     simulator's book at the same venue id (recorded after every operation of the engine);
//  2. at checkpoints the generator is paused, the client is waited for until it is synced at
//     the engine's current id, and the books are compared.
// Plus: the faults really fired, the client really resynced and reconnected, and it never
// published a book it did not hold as synced. No timing assertions.
import { afterEach, describe, expect, it } from 'vitest';
import { InstrumentTable } from '../../../src/core/instrument.js';
import { startSim, type SimHandle, type SimVenueHandle } from '../../../src/sim/start.js';
import type { FaultRule } from '../../../src/sim/faults.js';
import { mulberry32 } from '../../../src/venues/io/backoff.js';
import type { BookUpdateInfo, FeedLinkStatus, MarketDataClient, MarketEvents } from '../../../src/venues/io/market.js';
import { BinanceMarketClient } from '../../../src/venues/binance/io/market-client.js';
import { BinanceRestClient } from '../../../src/venues/binance/io/rest-client.js';
import { OkxMarketClient } from '../../../src/venues/okx/io/market-client.js';
import { OkxRestClient } from '../../../src/venues/okx/io/rest-client.js';
import type { OrderBook } from '../../../src/core/book.js';
import { BookRecorder, diff, tick } from './helpers.js';

type Protocol = 'binance-spot' | 'binance-usdm' | 'okx';

interface Rig {
  sim: SimHandle;
  venue: SimVenueHandle;
  client: MarketDataClient;
  table: InstrumentTable;
  close(): Promise<void>;
  statuses: FeedLinkStatus[];
  unsyncedEvents: number;
  /** onBook calls for a book the client did not call synced (must stay 0). */
  bookWhileNotSynced: number;
  applied: number;
}

let current: Rig | null = null;
afterEach(async () => {
  if (current !== null) {
    await current.close();
    current = null;
  }
});

const FAULTS = (venue: string): FaultRule[] => [
  { kind: 'gap', venue, target: 'market', probability: 0.002 },
  { kind: 'drop', venue, target: 'market', probability: 0.002 },
  { kind: 'duplicate', venue, target: 'market', probability: 0.003 },
  { kind: 'reorder', venue, target: 'market', probability: 0.002, delayMs: 50 },
  { kind: 'disconnect', venue, target: 'market', probability: 0.0005, count: 6 },
];

async function rig(protocol: Protocol, seed: number): Promise<Rig> {
  const sim = await startSim({ seed, tickMs: 0, publishMs: 1000, venues: [{ protocol }], faults: FAULTS(protocol) });
  const venue = sim.venue(protocol);
  const table = new InstrumentTable(venue.instruments.map((i) => i.spec));
  const recorder = new BookRecorder(venue);
  const state = { synced: new Array<boolean>(table.size).fill(false) };
  const r: Partial<Rig> & { recorder: BookRecorder } = { sim, venue, table, statuses: [], unsyncedEvents: 0, bookWhileNotSynced: 0, applied: 0, recorder };
  const events: MarketEvents = {
    onBook(book: OrderBook, info: BookUpdateInfo) {
      r.applied!++;
      if (!r.client!.isSynced(info.instrument)) r.bookWhileNotSynced!++;
      state.synced[info.instrument] = true;
      recorder.check(table.get(info.instrument).symbol, book);
    },
    onUnsynced(i) {
      r.unsyncedEvents!++;
      state.synced[i] = false;
    },
    onStatus(s) {
      r.statuses!.push(s);
    },
  };
  const link = { rng: mulberry32(seed), backoff: { baseMs: 10, maxMs: 200 } };
  const common = { rng: mulberry32(seed + 1), snapshotBackoff: { baseMs: 5, maxMs: 200 } };
  let close: () => Promise<void>;
  if (protocol === 'okx') {
    const rest = new OkxRestClient({ table, restBase: venue.urls.rest });
    const client = new OkxMarketClient({ ...common, table, rest, wsUrl: venue.urls.ws, link }, events);
    r.client = client;
    close = async () => {
      await client.stop();
      await rest.close();
      await sim.stop();
    };
  } else {
    const rest = new BinanceRestClient({ venue: protocol, table, restBase: venue.urls.rest });
    const client = new BinanceMarketClient({ ...common, venue: protocol, table, rest, wsBase: venue.urls.ws, snapshotLimit: 100, link }, events);
    r.client = client;
    close = async () => {
      await client.stop();
      await rest.close();
      await sim.stop();
    };
  }
  r.close = close;
  current = r as Rig;
  return r as Rig;
}

function allSyncedAt(r: Rig): boolean {
  for (let i = 0; i < r.table.size; i++) {
    const sym = r.table.get(i).symbol;
    if (!r.client.isSynced(i) || r.client.book(i).updateId !== r.venue.seqId(sym)) return false;
  }
  return true;
}

/** Pause: wait until every book is synced at the engine's current id (nudging the venue when a
 * lost last frame leaves a book behind), then compare with the engine's current book. */
async function checkpoint(r: Rig): Promise<void> {
  let waited = 0;
  for (;;) {
    r.sim.flush();
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && !allSyncedAt(r)) await new Promise((res) => setTimeout(res, 5));
    if (allSyncedAt(r)) break;
    waited++;
    if (waited > 60) throw new Error(`checkpoint: not synced at the engine id; status ${r.client.status}`);
    r.sim.step(1); // a fresh event reveals a lost one (gap) and lets the book resync
  }
  for (let i = 0; i < r.table.size; i++) {
    const sym = r.table.get(i).symbol;
    const s = r.venue.engines.get(sym)!.snapshot();
    expect(diff(r.client.book(i), s), `${sym} at checkpoint`).toBeNull();
  }
}

async function drive(r: Rig, minApplied: number): Promise<number> {
  r.client.start();
  // a book syncs on its first events (Binance buffers events, then fetches a snapshot)
  for (let k = 0; r.client.status !== 'synced'; k++) {
    if (k > 2000) throw new Error(`${r.venue.protocol}: no first sync (status ${r.client.status})`);
    if (k % 10 === 0) {
      r.sim.step(1);
      r.sim.flush();
    }
    await new Promise((res) => setTimeout(res, 5));
  }
  let steps = 0;
  let checkpoints = 0;
  while (r.applied < minApplied) {
    r.sim.step(1);
    r.sim.flush();
    steps++;
    await tick();
    if (steps % 50 === 0) await new Promise((res) => setTimeout(res, 1));
    if (steps % 1000 === 0) {
      await checkpoint(r);
      checkpoints++;
    }
    if (steps > minApplied * 4) throw new Error(`only ${r.applied} updates applied after ${steps} steps`);
  }
  await checkpoint(r);
  return checkpoints + 1;
}

describe.each<[Protocol, number]>([
  ['binance-spot', 11],
  ['binance-usdm', 12],
  ['okx', 13],
])('%s market data vs the simulator', (protocol, seed) => {
  it('keeps our book equal to the venue book whenever it says synced, through >= 10,000 updates with gaps, duplicates, reorders and disconnects', async () => {
    const r = await rig(protocol, seed);
    const checkpoints = await drive(r, 10_000);
    const rec = (r as unknown as { recorder: BookRecorder }).recorder;
    const f = r.sim.faults;
    const c = r.client.counters;
    // the faults really happened ...
    expect(f.fired('gap', protocol)).toBeGreaterThan(0);
    expect(f.fired('drop', protocol)).toBeGreaterThan(0);
    expect(f.fired('duplicate', protocol)).toBeGreaterThan(0);
    expect(f.fired('reorder', protocol)).toBeGreaterThan(0);
    expect(f.fired('disconnect', protocol)).toBeGreaterThan(0);
    // ... and were answered with resyncs and reconnects
    expect(c.resyncs).toBeGreaterThan(0);
    expect(c.disconnects).toBeGreaterThan(0);
    expect(r.client.link.counters.opens).toBeGreaterThan(1);
    expect(r.unsyncedEvents).toBeGreaterThan(0);
    // every synced book equalled the venue's book at its id
    expect(rec.compared).toBeGreaterThanOrEqual(10_000);
    expect(rec.mismatchDetails).toEqual([]);
    expect(rec.mismatches).toBe(0);
    expect(rec.unknownIds).toBe(0);
    expect(r.bookWhileNotSynced).toBe(0);
    expect(checkpoints).toBeGreaterThanOrEqual(5);
    expect(r.statuses).toContain('down');
    expect(r.statuses.at(-1)).toBe('synced');
  });
});
