// Order entry against the simulator over real sockets, per venue and transport:
// - round trips: a resting limit order is acknowledged (answer, private stream, query by client
//   id) and cancelled; a marketable IOC fills (answer, private stream fill with a price and a
//   quantity);
// - unknown outcome: the simulator places the order but withholds the answer; the client reports
//   outcome 'unknown', and the order is resolved by query by client id — the simulator saw
//   exactly one placement. A 5xx that was NOT executed resolves to 'not_placed' once the
//   request's validity window has passed (still no placement);
// - rate limit: a 429 with Retry-After blocks the budget: the next order is refused locally
//   without reaching the venue, and goes through after the Retry-After;
// - rehearsePlace builds a placement and sends nothing (the venue never learns its client id).
// Seeded, generous waits, no timing assertions.
import { afterEach, describe, expect, it } from 'vitest';
import { InstrumentTable } from '../../../src/core/instrument.js';
import { startSim, type SimHandle, type SimVenueHandle } from '../../../src/sim/start.js';
import type { BinanceVenueServer } from '../../../src/sim/servers/binance-server.js';
import type { OrderIntent, VenueOrderReport } from '../../../src/venues/types.js';
import { placeResolved, resolveUnknownOutcome, type OrderClient } from '../../../src/venues/io/orders.js';
import { BinanceRestClient } from '../../../src/venues/binance/io/rest-client.js';
import { BinanceWsApiClient } from '../../../src/venues/binance/io/ws-api-client.js';
import { BinanceUsdmUserStream } from '../../../src/venues/binance/io/usdm-user-stream.js';
import { binanceClientOrderId } from '../../../src/venues/binance/client-id.js';
import { okxClOrdId } from '../../../src/venues/okx/client-id.js';
import { OkxRestClient } from '../../../src/venues/okx/io/rest-client.js';
import { OkxPrivateClient } from '../../../src/venues/okx/io/private-client.js';
import { mulberry32 } from '../../../src/venues/io/backoff.js';
import { until } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

/** Placement attempts the simulated engine saw per client order id (acks and rejections). */
class Placements {
  private readonly seen = new Map<string, Set<number>>();
  constructor(venue: SimVenueHandle) {
    venue.core.onOp((_inst, op, source) => {
      if (source !== 'user') return;
      for (const r of op.reports) {
        if (r.kind !== 'ack' && r.kind !== 'rejected') continue;
        let s = this.seen.get(r.clientOrderId);
        if (s === undefined) this.seen.set(r.clientOrderId, (s = new Set()));
        s.add(r.orderId >= 0 ? r.orderId : -r.seq);
      }
    });
  }
  count(cid: string): number {
    return this.seen.get(cid)?.size ?? 0;
  }
}

class Reports {
  readonly all: VenueOrderReport[] = [];
  readonly push = (r: VenueOrderReport): void => {
    this.all.push(r);
  };
  of(cid: string): VenueOrderReport[] {
    return this.all.filter((r) => r.clientOrderId === cid);
  }
  /** The first report of `kind` for `cid` (the full order update, not USD-M's reduced TRADE_LITE). */
  async waitFor(cid: string, kind: VenueOrderReport['kind'], what: string): Promise<VenueOrderReport> {
    const ok = (r: VenueOrderReport): boolean => r.kind === kind && r.venueStatus !== 'TRADE_LITE';
    await until(() => this.of(cid).some(ok), `${what}: ${kind} report for ${cid}`, 20_000);
    return this.of(cid).find(ok)!;
  }
}

async function sim(protocol: 'binance-spot' | 'binance-usdm' | 'okx', seed: number, extra: Record<string, unknown> = {}): Promise<{ sim: SimHandle; venue: SimVenueHandle; table: InstrumentTable }> {
  const s = await startSim({ seed, tickMs: 0, warmupSteps: 3, venues: [{ protocol, ...extra }] });
  closers.push(() => s.stop());
  const venue = s.venue(protocol);
  return { sim: s, venue, table: new InstrumentTable(venue.instruments.map((i) => i.spec)) };
}

/** A resting buy far below the book, and a marketable IOC buy, both at least the venue minimums. */
function intents(venue: SimVenueHandle, table: InstrumentTable, i: number, cid: (n: number) => string): { rest: OrderIntent; ioc: OrderIntent } {
  const ins = table.get(i);
  const e = venue.engines.get(ins.symbol)!;
  const bid = e.bestBid();
  const ask = e.bestAsk();
  const restPx = Math.max(1, bid - 200);
  const lots = (px: number): number => Math.max(ins.minQtyLots, ins.minNotionalUnits > 0 ? Math.ceil((ins.minNotionalUnits * 1.2) / px) : 1, 1);
  return {
    rest: { clientOrderId: cid(0), side: 'buy', type: 'limit', priceTicks: restPx, qtyLots: lots(restPx) },
    ioc: { clientOrderId: cid(1), side: 'buy', type: 'ioc', priceTicks: ask + 20, qtyLots: lots(ask) },
  };
}

/** The shared round trip: ack + query + cancel of a resting order, fill of an IOC. */
async function roundTrip(client: OrderClient, reports: Reports, venue: SimVenueHandle, table: InstrumentTable, i: number, cid: (n: number) => string): Promise<void> {
  const { rest, ioc } = intents(venue, table, i, cid);
  // a rehearsal builds (and signs) the request and sends nothing: a marketable IOC rehearsed
  // never trades and the venue never hears of its client id; a request that cannot be built says so
  const warm: OrderIntent = { ...ioc, clientOrderId: cid(9) };
  for (let k = 0; k < 3; k++) expect(client.rehearsePlace(i, warm)).toBe(true);
  expect(client.rehearsePlace(i, { ...warm, clientOrderId: 'not a valid id!' })).toBe(false);
  const placed = await client.place(i, rest);
  expect(placed.ok, JSON.stringify(placed)).toBe(true);
  if (!placed.ok) return;
  expect(placed.report.kind).toBe('ack');
  expect(placed.report.clientOrderId).toBe(rest.clientOrderId);
  expect(placed.report.venueOrderId).not.toBe('');
  const streamAck = await reports.waitFor(rest.clientOrderId, 'ack', 'resting order');
  expect(streamAck.qtyLots).toBe(rest.qtyLots);
  expect(streamAck.priceTicks).toBe(rest.priceTicks);
  const q = await client.query(i, rest.clientOrderId);
  expect(q.found).toBe(true);
  if (q.found) {
    expect(q.report.kind).toBe('ack');
    expect(q.report.qtyLots).toBe(rest.qtyLots);
  }
  const cancelled = await client.cancel(i, rest.clientOrderId);
  expect(cancelled.ok, JSON.stringify(cancelled)).toBe(true);
  await reports.waitFor(rest.clientOrderId, 'cancelled', 'cancel');

  const filled = await client.place(i, ioc);
  expect(filled.ok, JSON.stringify(filled)).toBe(true);
  const fill = await reports.waitFor(ioc.clientOrderId, 'fill', 'IOC');
  expect(fill.lastQtyLots).toBe(ioc.qtyLots);
  expect(fill.cumQtyLots).toBe(ioc.qtyLots);
  expect(fill.lastPriceTicks).toBeGreaterThan(0);
  expect(fill.lastPriceTicks).toBeLessThanOrEqual(ioc.priceTicks);
  const q2 = await client.query(i, ioc.clientOrderId);
  expect(q2.found && q2.report.kind).toBe('fill');
  // unknown ids are "not found", not errors of another kind
  const nf = await client.query(i, cid(7));
  expect(nf.found).toBe(false);
  if (!nf.found) expect(nf.error.code).toBe('ORDER_NOT_FOUND');
  const nw = await client.query(i, warm.clientOrderId);
  expect(nw.found).toBe(false);
  expect(reports.of(warm.clientOrderId)).toEqual([]);
}

/** Market and FOK orders fill; a post-only order that would take is refused (Binance) or bounced (OKX). */
async function orderTypes(client: OrderClient, reports: Reports, venue: SimVenueHandle, table: InstrumentTable, i: number, cid: (n: number) => string, postOnly: 'refused' | 'bounced'): Promise<void> {
  const { ioc } = intents(venue, table, i, cid);
  const ask = venue.engines.get(table.get(i).symbol)!.bestAsk();
  const market: OrderIntent = { ...ioc, clientOrderId: cid(2), type: 'market', priceTicks: 0 };
  const m = await client.place(i, market);
  expect(m.ok, JSON.stringify(m)).toBe(true);
  const mf = await reports.waitFor(market.clientOrderId, 'fill', 'market order');
  expect(mf.orderType).toBe('market');
  expect(mf.cumQtyLots).toBe(market.qtyLots);
  const fok: OrderIntent = { ...ioc, clientOrderId: cid(3), type: 'fok', priceTicks: venue.engines.get(table.get(i).symbol)!.bestAsk() + 20 };
  const f = await client.place(i, fok);
  expect(f.ok, JSON.stringify(f)).toBe(true);
  expect((await reports.waitFor(fok.clientOrderId, 'fill', 'FOK order')).orderType).toBe('fok');
  const po: OrderIntent = { ...ioc, clientOrderId: cid(4), type: 'post_only', priceTicks: Math.max(ask, venue.engines.get(table.get(i).symbol)!.bestAsk()) };
  const p = await client.place(i, po);
  if (postOnly === 'refused') {
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.error.code).toBe('POST_ONLY_REJECTED');
      expect(p.error.outcome).toBe('known');
      expect(p.report?.kind).toBe('reject');
    }
  } else {
    expect(p.ok).toBe(true);
    const c = await reports.waitFor(po.clientOrderId, 'cancelled', 'post-only bounce');
    expect(c.cancelReason).toBe('post_only');
  }
}

/** Answer withheld: outcome unknown, resolved by query, exactly one placement. */
async function unknownOutcome(client: OrderClient, placements: Placements, reports: Reports | null, venue: SimVenueHandle, table: InstrumentTable, i: number, cid: string, target: 'rest' | 'ws-api'): Promise<void> {
  const firedBefore = venue.core.faults.fired('timeout_placed', venue.name);
  venue.core.faults.add({ kind: 'timeout_placed', venue: venue.name, target, count: 1, mode: 'hang' });
  const { rest } = intents(venue, table, i, () => cid);
  const r = await placeResolved(client, i, rest, { rng: mulberry32(5) });
  expect(r.outcome.ok).toBe(false);
  if (!r.outcome.ok) {
    expect(r.outcome.error.outcome).toBe('unknown');
    expect(r.outcome.report?.kind).toBe('outcome_unknown');
  }
  expect(r.resolution?.status).toBe('placed');
  if (r.resolution?.status === 'placed') {
    expect(r.resolution.report.clientOrderId).toBe(cid);
    expect(r.resolution.report.kind).toBe('ack');
  }
  expect(venue.core.faults.fired('timeout_placed', venue.name)).toBe(firedBefore + 1);
  expect(placements.count(cid)).toBe(1);
  if (reports !== null) await reports.waitFor(cid, 'ack', 'withheld order on the private stream');
  const c = await client.cancel(i, cid);
  expect(c.ok).toBe(true);
  expect(placements.count(cid)).toBe(1);
}

// ------------------------------------------------------------------------------------------------

describe('Binance spot orders', () => {
  it('REST: round trip with acks and fills (executionReports through the WS-API user-data subscription)', async () => {
    const { venue, table } = await sim('binance-spot', 21);
    const creds = { apiKey: venue.keys[0]!.apiKey, secret: venue.keys[0]!.secret };
    const reports = new Reports();
    const rest = new BinanceRestClient({ venue: 'binance-spot', restBase: venue.urls.rest, creds, table });
    const ws = new BinanceWsApiClient({ venue: 'binance-spot', url: venue.urls.wsApi!, creds, table, onReport: reports.push });
    closers.push(() => rest.close(), () => ws.close());
    ws.start();
    await ws.ready();
    expect(ws.userDataActive).toBe(true);
    await roundTrip(rest, reports, venue, table, 0, (n) => binanceClientOrderId('rt', 1, n, 0));
    await orderTypes(rest, reports, venue, table, 0, (n) => binanceClientOrderId('ty', 1, n, 0), 'refused');
    // The budget follows the venue's usage headers (X-MBX-ORDER-COUNT-10S, X-MBX-USED-WEIGHT-1M):
    // compared with the venue's own counters at one instant, since both windows are aligned to
    // the clock and restart at each boundary (a boundary can fall inside this test).
    const venueNow: Record<string, string> = {};
    const limiter = (venue.server as BinanceVenueServer).limiter;
    limiter.orderHeaders(venue.keys[0]!.account, venueNow);
    limiter.weightHeaders('127.0.0.1', venueNow);
    const usage = rest.budget.usage(Date.now());
    expect(usage.find((u) => u.type === 'ORDERS' && u.window === '10S')!.count).toBe(Number(venueNow['X-MBX-ORDER-COUNT-10S']));
    // the venue's weight also counts this IP's WS-API requests, which the REST budget does not see
    const weight = usage.find((u) => u.type === 'REQUEST_WEIGHT')!.count;
    expect(weight).toBeLessThanOrEqual(Number(venueNow['X-MBX-USED-WEIGHT-1M']));
  });

  it('WS API: round trip with acks and fills', async () => {
    const { venue, table } = await sim('binance-spot', 22);
    const creds = { apiKey: venue.keys[0]!.apiKey, secret: venue.keys[0]!.secret };
    const reports = new Reports();
    const ws = new BinanceWsApiClient({ venue: 'binance-spot', url: venue.urls.wsApi!, creds, table, onReport: reports.push });
    closers.push(() => ws.close());
    ws.start();
    await ws.ready();
    await roundTrip(ws, reports, venue, table, 0, (n) => binanceClientOrderId('ws', 2, n, 0));
    await orderTypes(ws, reports, venue, table, 0, (n) => binanceClientOrderId('wt', 2, n, 0), 'refused');
    expect(ws.counters.answers).toBeGreaterThanOrEqual(6);
  });

  it('an order placed with its answer withheld is resolved by query, never re-sent (REST and WS API)', async () => {
    const { venue, table } = await sim('binance-spot', 23);
    const creds = { apiKey: venue.keys[0]!.apiKey, secret: venue.keys[0]!.secret };
    const placements = new Placements(venue);
    const reports = new Reports();
    const rest = new BinanceRestClient({ venue: 'binance-spot', restBase: venue.urls.rest, creds, table, recvWindowMs: 1000, transport: { timeoutMs: 700 } });
    const ws = new BinanceWsApiClient({ venue: 'binance-spot', url: venue.urls.wsApi!, creds, table, onReport: reports.push, requestTimeoutMs: 700, recvWindowMs: 1000 });
    closers.push(() => rest.close(), () => ws.close());
    ws.start();
    await ws.ready();
    await unknownOutcome(rest, placements, reports, venue, table, 0, binanceClientOrderId('uo', 3, 0, 0), 'rest');
    await unknownOutcome(ws, placements, reports, venue, table, 0, binanceClientOrderId('uo', 3, 1, 0), 'ws-api');
  });

  it('a 5xx that was not executed resolves to not_placed after the recvWindow, with no placement', async () => {
    const { venue, table } = await sim('binance-spot', 24);
    const creds = { apiKey: venue.keys[0]!.apiKey, secret: venue.keys[0]!.secret };
    const placements = new Placements(venue);
    const rest = new BinanceRestClient({ venue: 'binance-spot', restBase: venue.urls.rest, creds, table, recvWindowMs: 500 });
    closers.push(() => rest.close());
    venue.core.faults.add({ kind: 'http_5xx', venue: venue.name, target: 'rest', count: 1, status: 503 });
    const cid = binanceClientOrderId('nx', 4, 0, 0);
    const { rest: intent } = intents(venue, table, 0, () => cid);
    const r = await placeResolved(rest, 0, intent, { marginMs: 200 });
    expect(r.outcome.ok).toBe(false);
    if (!r.outcome.ok) expect(r.outcome.error.outcome).toBe('unknown');
    expect(r.resolution?.status).toBe('not_placed');
    expect(r.resolution!.queries).toBeGreaterThanOrEqual(1);
    expect(placements.count(cid)).toBe(0);
  });

  it('honours a 429 Retry-After: the next order is refused locally, then goes through', async () => {
    const { venue, table } = await sim('binance-spot', 25);
    const creds = { apiKey: venue.keys[0]!.apiKey, secret: venue.keys[0]!.secret };
    const rest = new BinanceRestClient({ venue: 'binance-spot', restBase: venue.urls.rest, creds, table });
    closers.push(() => rest.close());
    venue.core.faults.add({ kind: 'http_429', venue: venue.name, target: 'rest', count: 1, delayMs: 1000 });
    const mk = (n: number): OrderIntent => intents(venue, table, 0, () => binanceClientOrderId('rl', 5, n, 0)).rest;
    const first = await rest.place(0, mk(0));
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.error.code).toBe('RATE_LIMITED');
    expect(first.error.outcome).toBe('known');
    expect(first.error.retryAfterMs).toBe(1000);
    const sentBefore = rest.transport.counters.requests;
    const second = await rest.place(0, mk(1));
    expect(second.ok).toBe(false);
    if (!second.ok) {
      expect(second.error.code).toBe('RATE_LIMITED');
      expect(second.error.venueCode).toBe('LOCAL_BUDGET');
    }
    expect(rest.transport.counters.requests).toBe(sentBefore); // never reached the venue
    await until(() => rest.budget.waitMs(1, 1, Date.now()) === 0, 'Retry-After to pass', 10_000);
    const third = await rest.place(0, mk(2));
    expect(third.ok, JSON.stringify(third)).toBe(true);
    expect(rest.counters.banned).toBe(0);
    expect(rest.counters.rateLimited).toBe(1);
  });
});

describe('Binance USD-M orders', () => {
  it('REST: round trip with acks and fills (ORDER_TRADE_UPDATE / TRADE_LITE on the listenKey stream)', async () => {
    const { venue, table } = await sim('binance-usdm', 31);
    const creds = { apiKey: venue.keys[0]!.apiKey, secret: venue.keys[0]!.secret };
    const reports = new Reports();
    const rest = new BinanceRestClient({ venue: 'binance-usdm', restBase: venue.urls.rest, creds, table });
    const stream = new BinanceUsdmUserStream({ rest, table, wsBase: venue.urls.ws, onReport: reports.push });
    closers.push(() => rest.close(), () => stream.stop());
    stream.start();
    await stream.ready();
    await roundTrip(rest, reports, venue, table, 0, (n) => binanceClientOrderId('um', 6, n, 0));
    await orderTypes(rest, reports, venue, table, 0, (n) => binanceClientOrderId('ut', 6, n, 0), 'refused');
    expect(reports.all.some((r) => r.venueStatus === 'TRADE_LITE')).toBe(true);
    expect(stream.counters.listenKeys).toBe(1);
  });

  it('renews the listenKey when the venue says it expired, and keeps delivering reports', async () => {
    const { venue, table } = await sim('binance-usdm', 32, { listenKeyTtlMs: 800 });
    const creds = { apiKey: venue.keys[0]!.apiKey, secret: venue.keys[0]!.secret };
    const reports = new Reports();
    const rest = new BinanceRestClient({ venue: 'binance-usdm', restBase: venue.urls.rest, creds, table });
    const stream = new BinanceUsdmUserStream({ rest, table, wsBase: venue.urls.ws, onReport: reports.push, link: { backoff: { baseMs: 10, maxMs: 100 } } });
    closers.push(() => rest.close(), () => stream.stop());
    stream.start();
    await stream.ready();
    await until(() => stream.counters.expired >= 1 && stream.counters.listenKeys >= 2 && stream.link.isOpen, 'listenKeyExpired and a new key', 20_000);
    const { rest: intent } = intents(venue, table, 0, () => binanceClientOrderId('lk', 7, 0, 0));
    const p = await rest.place(0, intent);
    expect(p.ok).toBe(true);
    await reports.waitFor(intent.clientOrderId, 'ack', 'after renewal');
  });

  it('an order placed with its answer withheld is resolved by query, never re-sent', async () => {
    const { venue, table } = await sim('binance-usdm', 33);
    const creds = { apiKey: venue.keys[0]!.apiKey, secret: venue.keys[0]!.secret };
    const placements = new Placements(venue);
    const rest = new BinanceRestClient({ venue: 'binance-usdm', restBase: venue.urls.rest, creds, table, recvWindowMs: 1000, transport: { timeoutMs: 700 } });
    closers.push(() => rest.close());
    await unknownOutcome(rest, placements, null, venue, table, 0, binanceClientOrderId('uu', 8, 0, 0), 'rest');
  });

  it('honours a 429 Retry-After', async () => {
    const { venue, table } = await sim('binance-usdm', 34);
    const creds = { apiKey: venue.keys[0]!.apiKey, secret: venue.keys[0]!.secret };
    const rest = new BinanceRestClient({ venue: 'binance-usdm', restBase: venue.urls.rest, creds, table });
    closers.push(() => rest.close());
    venue.core.faults.add({ kind: 'http_429', venue: venue.name, target: 'rest', count: 1, delayMs: 1000 });
    const mk = (n: number): OrderIntent => intents(venue, table, 0, () => binanceClientOrderId('ur', 9, n, 0)).rest;
    const first = await rest.place(0, mk(0));
    expect(!first.ok && first.error.code).toBe('RATE_LIMITED');
    const sent = rest.transport.counters.requests;
    const second = await rest.place(0, mk(1));
    expect(!second.ok && second.error.venueCode).toBe('LOCAL_BUDGET');
    expect(rest.transport.counters.requests).toBe(sent);
    await until(() => rest.budget.waitMs(0, 1, Date.now()) === 0, 'Retry-After to pass', 10_000);
    const third = await rest.place(0, mk(2));
    expect(third.ok, JSON.stringify(third)).toBe(true);
    expect(rest.counters.banned).toBe(0);
  });
});

describe('OKX orders', () => {
  async function okx(seed: number): Promise<{ venue: SimVenueHandle; table: InstrumentTable; rest: OkxRestClient; creds: { apiKey: string; secretKey: string; passphrase: string } }> {
    const { venue, table } = await sim('okx', seed);
    const k = venue.keys[0]!;
    const creds = { apiKey: k.apiKey, secretKey: k.secret, passphrase: k.passphrase };
    const rest = new OkxRestClient({ restBase: venue.urls.rest, creds, table, requestValidityMs: 1000, transport: { timeoutMs: 700 } });
    closers.push(() => rest.close());
    return { venue, table, rest, creds };
  }

  it('REST: round trip with acks and fills on spot and SWAP (orders channel after WS login)', async () => {
    const { venue, table, rest, creds } = await okx(41);
    const reports = new Reports();
    const priv = new OkxPrivateClient({ creds, table, rest, wsUrl: venue.urls.wsPrivate!, onReport: reports.push });
    closers.push(() => priv.close());
    priv.start();
    await priv.ready();
    for (let i = 0; i < table.size; i++) {
      await roundTrip(rest, reports, venue, table, i, (n) => okxClOrdId('rest', 100 + i, n, 0));
      await orderTypes(rest, reports, venue, table, i, (n) => okxClOrdId('type', 100 + i, n, 0), 'bounced');
    }
  });

  it('WS op order: round trip with acks and fills (instId and the 2026 instIdCode form)', async () => {
    const { venue, table, rest, creds } = await okx(42);
    const reports = new Reports();
    const priv = new OkxPrivateClient({ creds, table, rest, wsUrl: venue.urls.wsPrivate!, onReport: reports.push });
    const codes = new Map(venue.instruments.map((i) => [i.symbol, i.code]));
    const priv2 = new OkxPrivateClient({ creds, table, rest, wsUrl: venue.urls.wsPrivate!, instIdCodes: codes, onReport: reports.push });
    closers.push(() => priv.close(), () => priv2.close());
    priv.start();
    priv2.start();
    await priv.ready();
    await priv2.ready();
    await roundTrip(priv, reports, venue, table, 0, (n) => okxClOrdId('ws', 200, n, 0));
    await roundTrip(priv2, reports, venue, table, 1, (n) => okxClOrdId('wc', 201, n, 0));
    await orderTypes(priv, reports, venue, table, 0, (n) => okxClOrdId('wt', 202, n, 0), 'bounced');
  });

  it('an order placed with its answer withheld is resolved by query, never re-sent (REST and WS)', async () => {
    const { venue, table, rest, creds } = await okx(43);
    const placements = new Placements(venue);
    const reports = new Reports();
    const priv = new OkxPrivateClient({ creds, table, rest, wsUrl: venue.urls.wsPrivate!, onReport: reports.push, requestTimeoutMs: 700 });
    closers.push(() => priv.close());
    priv.start();
    await priv.ready();
    await unknownOutcome(rest, placements, reports, venue, table, 0, okxClOrdId('uo', 300, 0, 0), 'rest');
    await unknownOutcome(priv, placements, reports, venue, table, 1, okxClOrdId('uo', 300, 1, 0), 'ws-api');
  });

  it('a query of an order whose placement failed for sure says not found; the resolver waits out expTime', async () => {
    const { venue, table, rest } = await okx(44);
    const placements = new Placements(venue);
    venue.core.faults.add({ kind: 'http_5xx', venue: venue.name, target: 'rest', count: 1, status: 503 });
    const cid = okxClOrdId('nx', 301, 0, 0);
    const { rest: intent } = intents(venue, table, 0, () => cid);
    const sentAtMs = performance.now();
    const p = await rest.place(0, intent);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error.outcome).toBe('unknown');
    const res = await resolveUnknownOutcome(rest, 0, cid, { sentAtMs, marginMs: 200 });
    expect(res.status).toBe('not_placed');
    expect(placements.count(cid)).toBe(0);
  });

  it('honours a 429: the instrument budget blocks the next order locally, then it goes through', async () => {
    const { venue, table, rest } = await okx(45);
    venue.core.faults.add({ kind: 'http_429', venue: venue.name, target: 'rest', count: 1 });
    const mk = (n: number): OrderIntent => intents(venue, table, 0, () => okxClOrdId('rl', 302, n, 0)).rest;
    const first = await rest.place(0, mk(0));
    expect(!first.ok && first.error.code).toBe('RATE_LIMITED');
    const sent = rest.transport.counters.requests;
    const second = await rest.place(0, mk(1));
    expect(!second.ok && second.error.venueCode).toBe('LOCAL_BUDGET');
    expect(rest.transport.counters.requests).toBe(sent);
    await until(() => rest.budget.waitMs('place', table.get(0).symbol, Date.now()) === 0, 'the block to pass', 10_000);
    const third = await rest.place(0, mk(2));
    expect(third.ok, JSON.stringify(third)).toBe(true);
  });
});
