// The feed actor in real worker threads under a Supervisor, against the simulator over real
// sockets: a Binance spot PRIMARY and BACKUP link (two actors, two rings, two boards) and an OKX
// link. A reader in this thread decodes their rings: LinkStates (connecting -> syncing -> synced)
// and BookTops (Synced flag, best-first levels from the venue's book, venue sequence ids, stage
// times in order). Both Binance links publish the same venue sequence ids (A/B arbitration is
// possible). A venue gap makes a link publish a Resyncing top with NO levels before it is synced
// again. Board slots hold the latest top. Stopping publishes LinkState Down.
// Workers run compiled JS: `npm run build` first. Actors park (async-park); no timing asserts.
import { afterEach, describe, expect, it } from 'vitest';
import { boardSpec, ShmMap } from '../../src/shm/layout.js';
import { RingReader } from '../../src/shm/ring.js';
import { BoardReader } from '../../src/shm/board.js';
import { compiledModule } from '../../src/paths.js';
import { createSharedMemory } from '../../src/actors/topology.js';
import { Supervisor, type ActorChildSpec } from '../../src/actors/supervisor.js';
import { startSim, type SimHandle } from '../../src/sim/start.js';
import { BookFlags, decodeMessage, LinkRole, LinkStatus, type BookTopValue, type LinkStateValue, type WireMessage } from '../../src/wire/index.js';
import type { FeedParams } from '../../src/actors/feed.js';
import { attachLog, until } from './helpers.js';

const FEED = compiledModule('src/actors/feed.ts');

interface Seen {
  tops: { top: BookTopValue; msg: WireMessage }[];
  links: LinkStateValue[];
}

class RingTap {
  readonly seen: Seen = { tops: [], links: [] };
  constructor(private readonly r: RingReader) {}
  drain(): void {
    let len: number;
    while ((len = this.r.peek()) >= 0) {
      const msg = decodeMessage(this.r.u8.slice(this.r.frameOffset, this.r.frameOffset + len));
      if (msg.body.kind === 'BookTop') this.seen.tops.push({ top: msg.body.value, msg });
      else if (msg.body.kind === 'LinkState') this.seen.links.push(msg.body.value);
      this.r.release();
    }
  }
  synced(): BookTopValue[] {
    return this.seen.tops.filter((t) => (t.top.flags & BookFlags.Synced) !== 0).map((t) => t.top);
  }
}

let sim: SimHandle | null = null;
let sup: Supervisor | null = null;
afterEach(async () => {
  if (sup !== null && !sup.ended) await sup.stop();
  sup = null;
  if (sim !== null) await sim.stop();
  sim = null;
});

describe('feed actor', () => {
  it('publishes BookTops and LinkStates from primary and backup links that a reader decodes', async () => {
    sim = await startSim({ seed: 61, tickMs: 20, publishMs: 20, venues: [{ protocol: 'binance-spot' }, { protocol: 'okx' }] });
    const bn = sim.venue('binance-spot');
    const ok = sim.venue('okx');
    const names = ['feed.bn.a', 'feed.bn.b', 'feed.okx'];
    const rings = names.map((n) => ({ name: `${n}.out`, capacity: 1 << 20, consumer: 'reader' }));
    const sab = createSharedMemory([...names, 'reader'], rings, names.map((n) => boardSpec(`${n}.tops`, 4, 2048)));
    const map = ShmMap.attach(sab);
    const params = (name: string, p: Omit<FeedParams, 'board' | 'reconnect'>): ActorChildSpec => ({
      id: name,
      module: FEED,
      outbound: [`${name}.out`],
      wait: 'async-park',
      parkTimeoutMs: 20,
      params: { ...p, board: `${name}.tops`, reconnect: { baseMs: 20, maxMs: 500 } } satisfies FeedParams,
    });
    const bnInstruments = bn.instruments.map((i, k) => ({ spec: i.spec, instrumentId: 100 + k }));
    const okInstruments = ok.instruments.map((i, k) => ({ spec: i.spec, instrumentId: 200 + k }));
    sup = new Supervisor(
      {
        name: 'feeds',
        strategy: 'one_for_one',
        children: [
          params(names[0]!, { venue: 'binance-spot', venueId: 1, linkId: 11, role: 'primary', instruments: bnInstruments, wsUrl: bn.urls.ws, restUrl: bn.urls.rest, depth: 10, seed: 1, binance: { snapshotLimit: 100 } }),
          params(names[1]!, { venue: 'binance-spot', venueId: 1, linkId: 12, role: 'backup', instruments: bnInstruments, wsUrl: bn.urls.ws, restUrl: bn.urls.rest, depth: 10, seed: 2, binance: { snapshotLimit: 100 } }),
          params(names[2]!, { venue: 'okx', venueId: 2, linkId: 21, role: 'primary', instruments: okInstruments, wsUrl: ok.urls.ws, restUrl: ok.urls.rest, depth: 5, seed: 3 }),
        ],
      },
      { sab, seed: 7 },
    );
    const log = attachLog(sup);
    await sup.start();
    const taps = rings.map((r) => new RingTap(RingReader.attach(map, r.name)));
    const drain = (): void => taps.forEach((t) => t.drain());
    const [a, b, o] = taps as [RingTap, RingTap, RingTap];

    await until(() => {
      drain();
      return a.synced().length >= 50 && b.synced().length >= 50 && o.synced().length >= 50;
    }, 'synced tops from every link', 60_000);

    // link states: connecting first, then synced; roles as configured
    for (const [tap, role, linkId] of [[a, LinkRole.Primary, 11], [b, LinkRole.Backup, 12], [o, LinkRole.Primary, 21]] as const) {
      const st = tap.seen.links.map((l) => l.status);
      expect(st[0]).toBe(LinkStatus.Connecting);
      expect(st).toContain(LinkStatus.Synced);
      expect(tap.seen.links.every((l) => l.role === role && l.linkId === linkId)).toBe(true);
    }
    // book tops: sound books, ids and times
    for (const [tap, venueId, ids, depth] of [[a, 1, [100], 10], [b, 1, [100], 10], [o, 2, [200, 201], 5]] as const) {
      for (const { top, msg } of tap.seen.tops) {
        expect(top.venueId).toBe(venueId);
        expect(ids).toContain(top.instrumentId);
        if ((top.flags & BookFlags.Synced) === 0) {
          expect(top.bids.length + top.asks.length).toBe(0); // never a tradable unsynced book
          continue;
        }
        expect(top.bids.length).toBeGreaterThan(0);
        expect(top.asks.length).toBeGreaterThan(0);
        expect(top.bids.length).toBeLessThanOrEqual(depth);
        for (let k = 1; k < top.bids.length; k++) expect(top.bids[k]!.priceTicks).toBeLessThan(top.bids[k - 1]!.priceTicks);
        for (let k = 1; k < top.asks.length; k++) expect(top.asks[k]!.priceTicks).toBeGreaterThan(top.asks[k - 1]!.priceTicks);
        expect(top.bids[0]!.priceTicks).toBeLessThan(top.asks[0]!.priceTicks);
        expect(top.lastSeq).toBeGreaterThanOrEqual(top.firstSeq);
        const t = msg.times;
        // a REST snapshot may carry no venue time (Binance spot); every stream update does
        if ((top.flags & BookFlags.Snapshot) === 0) {
          expect(top.venueTimeUs).toBeGreaterThan(0);
          expect(t.venueEventUs).toBeGreaterThan(0);
        }
        expect(t.receivedUs).toBeGreaterThan(0);
        expect(t.bookAppliedUs).toBeGreaterThanOrEqual(t.receivedUs);
        expect(t.ringCommittedUs).toBeGreaterThanOrEqual(t.bookAppliedUs);
      }
      // the first synced top after a (re)sync comes from a snapshot
      expect((tap.synced()[0]!.flags & BookFlags.Snapshot) !== 0).toBe(true);
    }
    // primary and backup deliver the same venue sequence ids: the engine can take each from either
    const seqA = new Set(a.synced().map((t) => t.lastSeq));
    const common = b.synced().filter((t) => seqA.has(t.lastSeq));
    expect(common.length).toBeGreaterThan(10);
    const byId = new Map(a.synced().map((t) => [t.lastSeq, t]));
    for (const t of common) expect(t.bids).toEqual(byId.get(t.lastSeq)!.bids);

    // the board holds each instrument's latest top
    const buf = new Uint8Array(2048);
    const board = BoardReader.attach(map, `${names[2]}.tops`);
    for (const slot of [0, 1]) {
      const n = board.read(slot, buf);
      expect(n).toBeGreaterThan(0);
      const m = decodeMessage(buf.slice(0, n));
      expect(m.body.kind).toBe('BookTop');
      if (m.body.kind === 'BookTop') expect(m.body.value.instrumentId).toBe(200 + slot);
    }

    // a venue gap: every link sees it, publishes Resyncing with no levels, then syncs again
    const before = a.seen.tops.length;
    sim.faults.add({ kind: 'gap', venue: 'binance-spot', target: 'market', count: 1 });
    await until(() => {
      drain();
      const after = a.seen.tops.slice(before);
      const r = after.findIndex((t) => (t.top.flags & BookFlags.Resyncing) !== 0);
      return r >= 0 && after.slice(r + 1).some((t) => (t.top.flags & BookFlags.Synced) !== 0 && (t.top.flags & BookFlags.Snapshot) !== 0);
    }, 'resync after the venue gap', 60_000);
    const resync = a.seen.tops.slice(before).find((t) => (t.top.flags & BookFlags.Resyncing) !== 0)!.top;
    expect(resync.bids.length + resync.asks.length).toBe(0);
    expect(resync.flags & BookFlags.Synced).toBe(0);
    expect(a.seen.links.map((l) => l.status)).toContain(LinkStatus.Syncing);

    // graceful stop: each link says Down last
    await sup.stop();
    drain();
    for (const tap of taps) expect(tap.seen.links.at(-1)!.status).toBe(LinkStatus.Down);
    expect(log.of('exited')).toEqual([]);
  });
});
