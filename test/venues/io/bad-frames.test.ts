// Malformed frames through the market-data clients while they follow the simulator over real
// sockets: truncated real-looking frames, random bytes, wrong-typed fields, off-grid prices and a
// huge frame are handed to the client's frame handler between the venue's own frames. No
// exception escapes; every one is counted as a bad frame and answered with a resync; the client
// then rebuilds its book and equals the simulator's book again. Seeded (fast-check).
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InstrumentTable } from '../../../src/core/instrument.js';
import { startSim, type SimHandle, type SimVenueHandle } from '../../../src/sim/start.js';
import { mulberry32 } from '../../../src/venues/io/backoff.js';
import type { MarketEvents } from '../../../src/venues/io/market.js';
import { BinanceMarketClient } from '../../../src/venues/binance/io/market-client.js';
import { BinanceRestClient } from '../../../src/venues/binance/io/rest-client.js';
import { OkxMarketClient } from '../../../src/venues/okx/io/market-client.js';
import { OkxRestClient } from '../../../src/venues/okx/io/rest-client.js';
import { diff } from './helpers.js';

type Protocol = 'binance-spot' | 'binance-usdm' | 'okx';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

function samples(protocol: Protocol, symbol: string): string[] {
  if (protocol === 'okx') {
    return [
      `{"arg":{"channel":"books","instId":"${symbol}"},"action":"update","data":[{"asks":[["64000.1","1","0","1"]],"bids":[],"ts":"1700000000000","checksum":0,"prevSeqId":5,"seqId":6}]}`,
      `{"arg":{"channel":"books","instId":"${symbol}"},"action":"update","data":[{"asks":[["64000.123456","1","0","1"]],"bids":[],"ts":"1","checksum":0,"prevSeqId":5,"seqId":6}]}`,
      `{"arg":{"channel":"books","instId":"${symbol}"},"action":"update","data":[{"asks":"x","bids":[],"ts":"1","prevSeqId":5,"seqId":6}]}`,
      `{"event":"error","code":`,
    ];
  }
  const pu = protocol === 'binance-usdm' ? '"pu":4,' : '';
  return [
    `{"e":"depthUpdate","E":1700000000000,"s":"${symbol}","U":5,"u":6,${pu}"b":[["64000.00","1.00000"]],"a":[]}`,
    `{"e":"depthUpdate","E":1700000000000,"s":"${symbol}","U":"5","u":6,${pu}"b":[],"a":[]}`,
    `{"e":"depthUpdate","E":1700000000000,"s":"${symbol}","U":5,"u":6,${pu}"b":[["64000.001","1"]],"a":[]}`,
    `{"stream":"${symbol.toLowerCase()}@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"${symbol}","U":5,`,
  ];
}

/** Malformed frames: truncations of the samples, random bytes, a huge frame, empty. */
function badFrames(protocol: Protocol, symbol: string, seed: number): Buffer[] {
  const base = samples(protocol, symbol);
  const out: Buffer[] = [];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: base.length - 1 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 64 }), (k, cut, rnd) => {
      const s = base[k]!;
      out.push(Buffer.from(s.slice(0, Math.max(1, Math.floor(s.length * cut)))));
      out.push(Buffer.from(rnd.map((b) => (b === 123 ? 0 : b)))); // no '{' so never an accidental object
    }),
    { seed, numRuns: 40 },
  );
  for (const s of base.slice(1)) out.push(Buffer.from(s)); // complete but wrong-typed / off-grid / truncated
  out.push(Buffer.alloc(protocol === 'okx' ? 5 << 20 : 2 << 20, 0x20)); // huge
  out.push(Buffer.alloc(0));
  return out;
}

async function follow(protocol: Protocol, seed: number): Promise<{ sim: SimHandle; venue: SimVenueHandle; client: BinanceMarketClient | OkxMarketClient; table: InstrumentTable; unsynced: () => number }> {
  const sim = await startSim({ seed, tickMs: 0, venues: [{ protocol }] });
  closers.push(() => sim.stop());
  const venue = sim.venue(protocol);
  const table = new InstrumentTable(venue.instruments.map((i) => i.spec));
  let unsynced = 0;
  const events: MarketEvents = { onBook: () => undefined, onUnsynced: () => void unsynced++, onStatus: () => undefined };
  const link = { rng: mulberry32(seed), backoff: { baseMs: 10, maxMs: 100 } };
  let client: BinanceMarketClient | OkxMarketClient;
  if (protocol === 'okx') {
    const rest = new OkxRestClient({ table, restBase: venue.urls.rest });
    client = new OkxMarketClient({ table, rest, wsUrl: venue.urls.ws, link, snapshotBackoff: { baseMs: 5, maxMs: 50 } }, events);
    closers.push(() => rest.close());
  } else {
    const rest = new BinanceRestClient({ venue: protocol, table, restBase: venue.urls.rest });
    client = new BinanceMarketClient({ venue: protocol, table, rest, wsBase: venue.urls.ws, snapshotLimit: 100, link, snapshotBackoff: { baseMs: 5, maxMs: 50 } }, events);
    closers.push(() => rest.close());
  }
  closers.push(() => client.stop());
  client.start();
  return { sim, venue, client, table, unsynced: () => unsynced };
}

async function settle(sim: SimHandle, venue: SimVenueHandle, client: BinanceMarketClient | OkxMarketClient, table: InstrumentTable): Promise<void> {
  const at = (): boolean => {
    for (let i = 0; i < table.size; i++) if (!client.isSynced(i) || client.book(i).updateId !== venue.seqId(table.get(i).symbol)) return false;
    return true;
  };
  for (let k = 0; !at(); k++) {
    if (k > 4000) throw new Error(`${venue.protocol}: not back in sync (status ${client.status})`);
    if (k % 10 === 0) {
      sim.step(1);
      sim.flush();
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  for (let i = 0; i < table.size; i++) expect(diff(client.book(i), venue.engines.get(table.get(i).symbol)!.snapshot())).toBeNull();
}

describe.each<[Protocol, number]>([
  ['binance-spot', 71],
  ['binance-usdm', 72],
  ['okx', 73],
])('%s: malformed frames', (protocol, seed) => {
  it('are counted, answered with a resync, never thrown, and the book comes back equal to the venue', async () => {
    const { sim, venue, client, table, unsynced } = await follow(protocol, seed);
    await settle(sim, venue, client, table);
    const frames = badFrames(protocol, table.get(0).symbol, seed);
    let injected = 0;
    for (const [k, f] of frames.entries()) {
      expect(() => client.handleFrame(f)).not.toThrow();
      injected++;
      if (k % 10 === 0) {
        sim.step(1);
        sim.flush();
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    expect(client.counters.badFrames).toBe(injected);
    expect(client.counters.resyncs).toBeGreaterThanOrEqual(1);
    expect(unsynced()).toBeGreaterThanOrEqual(1);
    await settle(sim, venue, client, table);
    expect(client.counters.handlerErrors).toBe(0);
    expect(client.link.counters.handlerErrors).toBe(0);
  });
});
