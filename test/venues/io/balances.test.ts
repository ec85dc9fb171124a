// Venue balances through the order channel, against the simulator over real sockets (127.0.0.1),
// per venue:
// - `fetchBalances()` equals the simulated ledger's balances of the account, exactly (as decimals
//   converted to the ledger's integer units), and lists every non-zero asset (a snapshot);
// - after an order fills, an `onBalance` update arrives whose values equal the ledger's after the
//   fill: spot `outboundAccountPosition` and OKX `account` pushes (changed assets), USD-M the
//   coalesced REST re-fetch that answers ACCOUNT_UPDATE (a snapshot); OKX also pushes the whole
//   account right after subscribing;
// - a REST error injected by the simulator (5xx, 429 with Retry-After) gives `{ok: false}` with
//   the venue error mapped, never a throw; the channel recovers afterwards.
// Seeded, manual market (no generator ticks), generous waits, no timing assertions.
import { afterEach, describe, expect, it } from 'vitest';
import { DecimalScale } from '../../../src/core/decimal.js';
import { InstrumentTable } from '../../../src/core/instrument.js';
import { startSim, type SimVenueHandle } from '../../../src/sim/start.js';
import { binanceClientOrderId } from '../../../src/venues/binance/client-id.js';
import { okxClOrdId } from '../../../src/venues/okx/client-id.js';
import { createOrderChannel, type OrderChannel, type OrderChannelConfig } from '../../../src/venues/order-channel.js';
import type { BalanceOutcome, OrderIntent, VenueBalanceUpdate, VenueId } from '../../../src/venues/types.js';
import { until } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

interface Setup {
  readonly venue: SimVenueHandle;
  readonly table: InstrumentTable;
  readonly channel: OrderChannel;
  readonly updates: VenueBalanceUpdate[];
}

async function setup(protocol: VenueId, seed: number, channelCfg: (v: SimVenueHandle) => Omit<OrderChannelConfig, 'venue' | 'creds'>): Promise<Setup> {
  const sim = await startSim({ seed, tickMs: 0, warmupSteps: 3, venues: [{ protocol }] });
  closers.push(() => sim.stop());
  const venue = sim.venue(protocol);
  const table = new InstrumentTable(venue.instruments.map((i) => i.spec));
  const k = venue.keys[0]!;
  const updates: VenueBalanceUpdate[] = [];
  const channel = createOrderChannel(
    { venue: protocol, creds: { apiKey: k.apiKey, secret: k.secret, passphrase: k.passphrase }, seed, ...channelCfg(venue) },
    table,
    { onBalance: (u) => updates.push(u) },
  );
  closers.push(() => channel.close());
  channel.start();
  await channel.ready();
  return { venue, table, channel, updates };
}

/** The ledger's balances of the venue's default account, in integer units per asset. */
function ledger(venue: SimVenueHandle): Map<string, { free: number; total: number }> {
  const m = new Map<string, { free: number; total: number }>();
  for (const b of venue.ledger.balancesOf(venue.keys[0]!.account)) m.set(b.asset, { free: b.free, total: b.total });
  return m;
}

/** A venue decimal string in the ledger's units of `asset` (NaN when not exact). */
function units(venue: SimVenueHandle, asset: string, s: string): number {
  return new DecimalScale(`1e-${venue.ledger.decimals(asset)}`).toUnits(s);
}

/** Every listed asset equals the ledger (an unlisted-in-ledger asset must be zero). */
function listedMatch(venue: SimVenueHandle, u: VenueBalanceUpdate, want: Map<string, { free: number; total: number }>): boolean {
  for (const b of u.balances) {
    const w = want.get(b.asset) ?? { free: 0, total: 0 };
    if (units(venue, b.asset, b.free) !== w.free || units(venue, b.asset, b.total) !== w.total) return false;
  }
  return true;
}

/** A snapshot equal to the ledger: every listed asset equal, every non-zero ledger asset listed. */
function snapshotMatch(venue: SimVenueHandle, u: VenueBalanceUpdate, want: Map<string, { free: number; total: number }>): boolean {
  if (!u.snapshot || !listedMatch(venue, u, want)) return false;
  const listed = new Set(u.balances.map((b) => b.asset));
  for (const [asset, w] of want) if ((w.total !== 0 || w.free !== 0) && !listed.has(asset)) return false;
  return true;
}

function expectLedger(venue: SimVenueHandle, r: BalanceOutcome): VenueBalanceUpdate {
  expect(r.ok, JSON.stringify(r)).toBe(true);
  if (!r.ok) throw new Error('fetch failed');
  const want = ledger(venue);
  expect(want.size).toBeGreaterThan(0);
  expect(r.update).toMatchObject({ venue: venue.protocol, snapshot: true, source: 'rest' });
  expect(r.update.venueTimeMs).toBeGreaterThan(0);
  for (const b of r.update.balances) {
    const w = want.get(b.asset) ?? { free: 0, total: 0 };
    expect({ asset: b.asset, free: units(venue, b.asset, b.free), total: units(venue, b.asset, b.total) }).toEqual({ asset: b.asset, ...w });
  }
  expect(snapshotMatch(venue, r.update, want)).toBe(true);
  return r.update;
}

/** A marketable IOC buy of the instrument, at least the venue minimums. */
function iocBuy(venue: SimVenueHandle, table: InstrumentTable, i: number, clientOrderId: string): OrderIntent {
  const ins = table.get(i);
  const ask = venue.engines.get(ins.symbol)!.bestAsk();
  const lots = Math.max(ins.minQtyLots, ins.minNotionalUnits > 0 ? Math.ceil((ins.minNotionalUnits * 1.2) / ask) : 1, 1);
  return { clientOrderId, side: 'buy', type: 'ioc', priceTicks: ask + 20, qtyLots: lots };
}

/** Places a marketable IOC and returns the ledger right after it filled. */
async function fill(s: Setup, i: number, cid: string): Promise<Map<string, { free: number; total: number }>> {
  const before = ledger(s.venue);
  const r = await s.channel.place(i, iocBuy(s.venue, s.table, i, cid));
  expect(r.ok, JSON.stringify(r)).toBe(true);
  expect(r.ok && r.report.kind).not.toBe('reject');
  const after = ledger(s.venue);
  expect(after).not.toEqual(before);
  return after;
}

/**
 * `fiveXx`: the mapped error of the simulator's default 5xx answer (spot -1001 "Internal error"
 * -> VENUE_UNAVAILABLE; USD-M -1000 "Unknown error" -> UNKNOWN_ERROR; OKX 50001 -> VENUE_UNAVAILABLE).
 * `retryAfter`: the venue sends Retry-After with a 429 (Binance; OKX does not: its budget blocks
 * for the window instead).
 */
async function restErrors(s: Setup, fiveXx: { code: string; venueCode: string }, retryAfter: boolean): Promise<void> {
  const faults = s.venue.core.faults;
  faults.add({ kind: 'http_5xx', venue: s.venue.name, target: 'rest', count: 1 });
  const e5 = await s.channel.fetchBalances();
  expect(e5.ok).toBe(false);
  if (!e5.ok) expect(e5.error).toMatchObject({ ...fiveXx, outcome: 'unknown' });
  expect(faults.fired('http_5xx', s.venue.name)).toBe(1);
  expectLedger(s.venue, await s.channel.fetchBalances());

  faults.add({ kind: 'http_429', venue: s.venue.name, target: 'rest', count: 1, delayMs: 1000 });
  const e4 = await s.channel.fetchBalances();
  expect(e4.ok).toBe(false);
  if (!e4.ok) {
    expect(e4.error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, outcome: 'known' });
    if (retryAfter) expect(e4.error.retryAfterMs).toBe(1000);
  }
  expect(faults.fired('http_429', s.venue.name)).toBe(1);
  // the client honours the Retry-After (refused locally meanwhile, never a throw), then fetches again
  const deadline = Date.now() + 60_000;
  let r: BalanceOutcome = e4;
  while (!r.ok) {
    if (Date.now() > deadline) throw new Error('no successful balance fetch after the Retry-After');
    expect(r.error.code).toBe('RATE_LIMITED');
    await new Promise((res) => setTimeout(res, Math.min(Math.max(r.ok ? 0 : r.error.retryAfterMs ?? 100, 10), 1000)));
    r = await s.channel.fetchBalances();
  }
  expectLedger(s.venue, r);
}

describe('Binance spot balances', () => {
  it('fetchBalances equals the ledger; a fill brings an outboundAccountPosition update equal to the ledger; REST errors are mapped', async () => {
    const s = await setup('binance-spot', 41, (v) => ({
      primary: { transport: 'ws', url: v.urls.wsApi!, restUrl: v.urls.rest },
      backup: { transport: 'rest', url: v.urls.rest },
    }));
    expectLedger(s.venue, await s.channel.fetchBalances());
    const n = s.updates.length;
    const after = await fill(s, 0, binanceClientOrderId('bal', 1, 0, 0));
    await until(() => s.updates.slice(n).some((u) => !u.snapshot && u.source === 'stream' && u.balances.length >= 2 && listedMatch(s.venue, u, after)), 'outboundAccountPosition after the fill', 30_000);
    const u = s.updates.slice(n).find((x) => listedMatch(s.venue, x, after) && x.balances.length >= 2)!;
    expect(u.venue).toBe('binance-spot');
    expect(u.balances.map((b) => b.asset).sort()).toEqual(['BTC', 'USDT']);
    expect(u.venueTimeMs).toBeGreaterThan(0);
    expectLedger(s.venue, await s.channel.fetchBalances());
    // through the backup REST endpoint after a switch
    s.channel.failover();
    expect(s.channel.activeName).toBe('backup:rest');
    expectLedger(s.venue, await s.channel.fetchBalances());
    await restErrors(s, { code: 'VENUE_UNAVAILABLE', venueCode: '-1001' }, true);
  });
});

describe('Binance USD-M balances', () => {
  it('fetchBalances equals the ledger; ACCOUNT_UPDATE after a fill is answered by a coalesced REST re-fetch equal to the ledger; REST errors are mapped', async () => {
    // no primary restUrl: balance fetches go to stream.restUrl
    const s = await setup('binance-usdm', 42, (v) => ({
      primary: { transport: 'ws', url: v.urls.wsApi! },
      stream: { url: v.urls.ws, restUrl: v.urls.rest },
    }));
    expectLedger(s.venue, await s.channel.fetchBalances());
    expect(s.updates).toEqual([]);
    const n = s.updates.length;
    const after = await fill(s, 0, binanceClientOrderId('bal', 2, 0, 0));
    await until(() => s.updates.slice(n).some((u) => snapshotMatch(s.venue, u, after)), 're-fetched balances after ACCOUNT_UPDATE', 30_000);
    const u = s.updates.slice(n).find((x) => snapshotMatch(s.venue, x, after))!;
    expect(u).toMatchObject({ venue: 'binance-usdm', snapshot: true, source: 'rest' });
    // free is the available balance (position margin locked), total the wallet balance
    const usdt = u.balances.find((b) => b.asset === 'USDT')!;
    expect(units(s.venue, 'USDT', usdt.free)).toBeLessThan(units(s.venue, 'USDT', usdt.total));
    // a resting order that does not fill pushes no ACCOUNT_UPDATE (per the docs), hence no re-fetch
    const m = s.updates.length;
    const ins = s.table.get(0);
    const bid = s.venue.engines.get(ins.symbol)!.bestBid();
    const lots = Math.max(ins.minQtyLots, Math.ceil((ins.minNotionalUnits * 1.2) / (bid - 200)), 1);
    const rest = await s.channel.place(0, { clientOrderId: binanceClientOrderId('bal', 2, 1, 0), side: 'buy', type: 'limit', priceTicks: bid - 200, qtyLots: lots });
    expect(rest.ok, JSON.stringify(rest)).toBe(true);
    // the fetch sees the lock; still no stream update arrived for it
    expectLedger(s.venue, await s.channel.fetchBalances());
    expect(s.updates.length).toBe(m);
    await restErrors(s, { code: 'UNKNOWN_ERROR', venueCode: '-1000' }, true);
    // fills in a row: their ACCOUNT_UPDATEs coalesce, and the last re-fetch sees the final ledger
    for (let j = 0; j < 3; j++) {
      const r = await s.channel.place(0, iocBuy(s.venue, s.table, 0, binanceClientOrderId('bal', 2, 2 + j, 0)));
      expect(r.ok, JSON.stringify(r)).toBe(true);
    }
    const final = ledger(s.venue);
    await until(() => s.updates.some((x) => snapshotMatch(s.venue, x, final)), 're-fetched balances after the last of several fills', 30_000);
  });
});

describe('OKX balances', () => {
  it('the account channel pushes the whole account, then the changed currencies of a fill; fetchBalances equals the ledger; REST errors are mapped', async () => {
    const s = await setup('okx', 43, (v) => ({ primary: { transport: 'ws', url: v.urls.wsPrivate!, restUrl: v.urls.rest } }));
    const start = ledger(s.venue);
    await until(() => s.updates.length > 0, 'the first account push', 30_000);
    expect(s.updates[0]).toMatchObject({ venue: 'okx', snapshot: true, source: 'stream' });
    expect(snapshotMatch(s.venue, s.updates[0]!, start)).toBe(true);
    expectLedger(s.venue, await s.channel.fetchBalances());
    const spot = s.table.indexOf('BTC-USDT');
    expect(spot).toBeGreaterThanOrEqual(0);
    const n = s.updates.length;
    const after = await fill(s, spot, okxClOrdId('bal', 3, 0, 0));
    await until(() => s.updates.slice(n).some((u) => !u.snapshot && u.balances.length >= 2 && listedMatch(s.venue, u, after)), 'account push after the fill', 30_000);
    const u = s.updates.slice(n).find((x) => !x.snapshot && x.balances.length >= 2 && listedMatch(s.venue, x, after))!;
    expect(u).toMatchObject({ venue: 'okx', source: 'stream' });
    expect(u.balances.map((b) => b.asset).sort()).toEqual(['BTC', 'USDT']);
    expectLedger(s.venue, await s.channel.fetchBalances());
    await restErrors(s, { code: 'VENUE_UNAVAILABLE', venueCode: '50001' }, false);
  });
});
