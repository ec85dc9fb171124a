// Fault injection, seen from plain clients over real sockets: each fault kind has its observable
// effect (drop, duplicate, reorder, gap, seq_reset, disconnect, stall, latency, 429 -> 418, 5xx
// with and without execution, an order placed behind a withheld answer and found by client-id
// query, rejects, partial fills, shutdown notice); rules from config and from the control
// endpoint; decisions reproducible from the seed.
import { describe, expect, test } from 'vitest';
import { FaultController, type FaultRule } from '../../../src/sim/faults.js';
import type { SimHandle } from '../../../src/sim/start.js';
import { SimConfigError } from '../../../src/sim/check.js';
import { http, okxHeaders, okxLogin, signedQuery, cleanupAfterEach, startTestSim, T0, wsApiParams, WsClient } from './helpers.js';

let sim: SimHandle | null = null; // stopped by cleanupAfterEach
const open = cleanupAfterEach();

const SPOT = { venues: [{ protocol: 'binance-spot' as const }], publishMs: 60_000 };

/** Publishes `n` depth events (one generator step + flush each). */
function publish(s: SimHandle, n: number): void {
  for (let i = 0; i < n; i++) {
    s.step(1);
    s.flush();
  }
}

async function spotDepthClient(s: SimHandle): Promise<WsClient> {
  return open(`${s.venue('binance-spot').urls.ws}/ws/btcusdt@depth@100ms`);
}

const isDepth = (m: any): boolean => m.e === 'depthUpdate';

describe('frame faults on the market stream', () => {
  test('drop: the client misses exactly one event, which shows as a U/u gap', async () => {
    ({ sim } = await startTestSim({ ...SPOT, faults: [{ kind: 'drop', venue: 'binance-spot', skip: 2, count: 1 }] }));
    const c = await spotDepthClient(sim);
    publish(sim, 5);
    const ev = await c.take(4, isDepth);
    expect(ev[1].U).toBe(ev[0].u + 1);
    expect(ev[2].U).toBeGreaterThan(ev[1].u + 1); // the third event was dropped
    expect(ev[3].U).toBe(ev[2].u + 1);
    expect(sim.faults.fired('drop', 'binance-spot')).toBe(1);
  });

  test('duplicate: one event arrives twice', async () => {
    ({ sim } = await startTestSim({ ...SPOT, faults: [{ kind: 'duplicate', skip: 1, count: 1 }] }));
    const c = await spotDepthClient(sim);
    publish(sim, 3);
    const ev = await c.take(4, isDepth);
    expect(ev.map((e) => e.u)).toEqual([ev[0].u, ev[1].u, ev[1].u, ev[3].u]);
    expect(ev[2]).toEqual(ev[1]);
    expect(ev[3].U).toBe(ev[1].u + 1);
  });

  test('reorder: an event is held and delivered after the next one', async () => {
    ({ sim } = await startTestSim({ ...SPOT, faults: [{ kind: 'reorder', skip: 1, count: 1, delayMs: 600_000 }] }));
    const c = await spotDepthClient(sim);
    publish(sim, 3);
    const ev = await c.take(3, isDepth);
    expect(ev[1].U).toBe(ev[2].u + 1); // the third event overtook the second
    expect(ev[2].U).toBe(ev[0].u + 1);
  });

  test('gap: the venue skips an event, so every connection sees the same break (spot U, USD-M pu)', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot' }, { protocol: 'binance-usdm' }], publishMs: 60_000, faults: [{ kind: 'gap', skip: 1, count: 1, venue: 'binance-spot' }, { kind: 'gap', skip: 1, count: 1, venue: 'binance-usdm' }] }));
    const a = await spotDepthClient(sim);
    const b = await spotDepthClient(sim);
    const f = await open(`${sim.venue('binance-usdm').urls.wsPublic}/ws/btcusdt@depth@100ms`);
    publish(sim, 3);
    const ea = await a.take(2, isDepth);
    const eb = await b.take(2, isDepth);
    expect(ea).toEqual(eb);
    expect(ea[1].U).toBeGreaterThan(ea[0].u + 1);
    const ef = await f.take(2, isDepth);
    expect(ef[1].pu).not.toBe(ef[0].u);
    expect(ef[1].pu).toBeGreaterThan(ef[0].u);
  });

  test('disconnect: a rule cuts the connection on a push; the action closes every connection with a code', async () => {
    ({ sim } = await startTestSim({ ...SPOT, faults: [{ kind: 'disconnect', skip: 1, count: 1 }] }));
    const c = await spotDepthClient(sim);
    publish(sim, 3);
    await c.next(isDepth);
    expect((await c.closed).code).toBe(1006);
    const d = await spotDepthClient(sim);
    const e = await spotDepthClient(sim);
    expect(sim.faults.disconnect({ venue: 'binance-spot', target: 'market', code: 1012 })).toBe(2);
    expect((await d.closed).code).toBe(1012);
    expect((await e.closed).code).toBe(1012);
  });

  test('stall and latency hold frames but lose none and keep their order', async () => {
    ({ sim } = await startTestSim({ ...SPOT, faults: [{ kind: 'latency', venue: 'binance-spot', delayMs: 5, jitterMs: 20 }, { kind: 'stall', skip: 3, count: 1, delayMs: 150 }] }));
    const c = await spotDepthClient(sim);
    publish(sim, 6);
    expect(sim.faults.stall({ venue: 'binance-spot', target: 'market', durationMs: 100 })).toBe(1);
    publish(sim, 6);
    const ev = await c.take(12, isDepth);
    for (let i = 1; i < ev.length; i++) expect(ev[i].U).toBe(ev[i - 1].u + 1);
    expect(sim.faults.fired('stall', 'binance-spot')).toBe(1);
    expect(sim.faults.fired('action:stall', 'binance-spot')).toBe(1);
    expect(sim.faults.fired('latency', 'binance-spot')).toBeGreaterThanOrEqual(12);
  });

  test('seq_reset (OKX): the books chain restarts low (seqId < prevSeqId) and continues from there; REST agrees', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'okx' }], publishMs: 60_000, faults: [{ kind: 'seq_reset', skip: 1, count: 1, venue: 'okx' }] }));
    const v = sim.venue('okx');
    const c = await open(v.urls.wsPublic!);
    c.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
    await c.next((m) => m.action === 'snapshot');
    // both instruments' streams consult the rule; only BTC-USDT has a subscriber
    publish(sim, 3);
    const u = (await c.take(3, (m) => m.action === 'update')).map((m) => m.data[0]);
    expect(u[1].prevSeqId).toBe(u[0].seqId);
    expect(u[1].seqId).toBeLessThan(u[1].prevSeqId);
    expect(u[1].seqId).toBeLessThanOrEqual(100);
    expect(u[2].prevSeqId).toBe(u[1].seqId);
    expect(u[2].seqId).toBeGreaterThan(u[1].seqId);
    const r = await http('GET', `${v.urls.rest}/api/v5/market/books?instId=BTC-USDT&sz=1`);
    expect(r.json.data[0].seqId).toBe(u[2].seqId);
  });
});

describe('request and order faults', () => {
  test('http_429: answered 429 with Retry-After; a client that ignores it is banned (418)', async () => {
    ({ sim } = await startTestSim({ ...SPOT, faults: [{ kind: 'http_429', target: 'rest', count: 1, delayMs: 3000 }] }));
    const rest = sim.venue('binance-spot').urls.rest;
    const a = await http('GET', `${rest}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    expect([a.status, a.json.code, a.headers['retry-after']]).toEqual([429, -1003, '3']);
    const b = await http('GET', `${rest}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    expect(b.status).toBe(418);
  });

  test('http_5xx: without execution the order does not exist; with execution it does, behind the 5xx', async () => {
    ({ sim } = await startTestSim({ ...SPOT, faults: [{ kind: 'http_5xx', count: 1 }, { kind: 'http_5xx', count: 1, executed: true, status: 500, code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' }] }));
    const v = sim.venue('binance-spot');
    const k = v.keys[0]!;
    const px = v.engines.get('BTCUSDT')!.instrument.tick.fromUnits(v.engines.get('BTCUSDT')!.bestBid() - 1000);
    const order = (cid: string) => http('POST', `${v.urls.rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.00100&price=${px}&newClientOrderId=${cid}&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    const query = (cid: string) => http('GET', `${v.urls.rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&origClientOrderId=${cid}&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    const a = await order('five1');
    expect(a.status).toBe(503);
    expect((await query('five1')).json.code).toBe(-2013);
    const b = await order('five2');
    expect([b.status, b.json.code]).toEqual([500, -1007]);
    expect((await query('five2')).json).toMatchObject({ clientOrderId: 'five2', status: 'NEW' });
  });

  test('timeout_placed over REST (connection cut): the order was placed, reported, and is found by client id', async () => {
    ({ sim } = await startTestSim({ ...SPOT, faults: [{ kind: 'timeout_placed', target: 'rest', count: 1, mode: 'close' }] }));
    const v = sim.venue('binance-spot');
    const k = v.keys[0]!;
    const e = v.engines.get('BTCUSDT')!;
    const api = await open(v.urls.wsApi!);
    await api.call({ id: 's', method: 'userDataStream.subscribe.signature', params: wsApiParams(k.apiKey, k.secret, {}, T0) });
    const px = e.instrument.tick.fromUnits(e.bestAsk() + 100);
    await expect(http('POST', `${v.urls.rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.00100&price=${px}&newClientOrderId=lost-1&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': k.apiKey } })).rejects.toThrow();
    const rep = await api.next((m) => m.event?.e === 'executionReport' && m.event.c === 'lost-1' && m.event.X === 'FILLED');
    expect(rep.event.z).toBe('0.00100000');
    const q = await http('GET', `${v.urls.rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&origClientOrderId=lost-1&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    expect(q.json).toMatchObject({ clientOrderId: 'lost-1', status: 'FILLED', executedQty: '0.00100000' });
  });

  test('timeout_placed over the WS API (answer withheld): the status query answers first, the place never does', async () => {
    ({ sim } = await startTestSim({ ...SPOT, faults: [{ kind: 'timeout_placed', target: 'ws-api', count: 1 }] }));
    const v = sim.venue('binance-spot');
    const k = v.keys[0]!;
    const e = v.engines.get('BTCUSDT')!;
    const api = await open(v.urls.wsApi!);
    const px = e.instrument.tick.fromUnits(e.bestBid() - 500);
    api.send({ id: 'place1', method: 'order.place', params: wsApiParams(k.apiKey, k.secret, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00100', price: px, newClientOrderId: 'hung-1' }, T0) });
    const st = await api.call({ id: 'status1', method: 'order.status', params: wsApiParams(k.apiKey, k.secret, { symbol: 'BTCUSDT', origClientOrderId: 'hung-1' }, T0) });
    expect(st.result).toMatchObject({ clientOrderId: 'hung-1', status: 'NEW' });
    // answers on one connection are in order: had the place been answered, it would be here already
    expect(api.messages.some((m: any) => m.id === 'place1')).toBe(false);
  });

  test('timeout_placed over the OKX WS op:order: found by clOrdId over REST', async () => {
    let clock;
    ({ sim, clock } = await startTestSim({ venues: [{ protocol: 'okx' }], faults: [{ kind: 'timeout_placed', target: 'ws-api', count: 1, mode: 'close' }] }));
    const v = sim.venue('okx');
    const k = v.keys[0]!;
    const e = v.engines.get('BTC-USDT')!;
    const c = await open(v.urls.wsPrivate!);
    c.send(okxLogin(k, clock.now()));
    await c.next((m) => m.event === 'login');
    c.send({ id: 'o1', op: 'order', args: [{ instId: 'BTC-USDT', tdMode: 'cash', clOrdId: 'lost2', side: 'buy', ordType: 'limit', px: e.instrument.tick.fromUnitsTrimmed(e.bestBid() - 50), sz: '0.001' }] });
    await c.closed;
    expect(c.messages.some((m: any) => m.id === 'o1')).toBe(false);
    const path = '/api/v5/trade/order?instId=BTC-USDT&clOrdId=lost2';
    const q = await http('GET', `${v.urls.rest}${path}`, { headers: okxHeaders(k, clock.now(), 'GET', path, '') });
    expect(q.json.data[0]).toMatchObject({ clOrdId: 'lost2', state: 'live' });
  });

  test('reject: refused with the venue default (or configured) error and nothing is placed', async () => {
    let clock;
    ({ sim, clock } = await startTestSim({ venues: [{ protocol: 'binance-spot' }, { protocol: 'okx' }], faults: [{ kind: 'reject', venue: 'binance-spot', count: 1 }, { kind: 'reject', venue: 'okx', count: 1, code: '51006', msg: 'Order price is not within the price limit.' }] }));
    const b = sim.venue('binance-spot');
    const bk = b.keys[0]!;
    const bpx = b.engines.get('BTCUSDT')!.instrument.tick.fromUnits(b.engines.get('BTCUSDT')!.bestBid() - 500);
    const r = await http('POST', `${b.urls.rest}/api/v3/order?${signedQuery(bk.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.00100&price=${bpx}&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': bk.apiKey } });
    expect([r.status, r.json]).toEqual([400, { code: -2010, msg: 'Account has insufficient balance for requested action.' }]);
    expect(b.engines.get('BTCUSDT')!.openOrders('main')).toHaveLength(0);
    const o = sim.venue('okx');
    const body = JSON.stringify({ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: o.engines.get('BTC-USDT')!.instrument.tick.fromUnitsTrimmed(o.engines.get('BTC-USDT')!.bestBid() - 50), sz: '0.001' });
    const r2 = await http('POST', `${o.urls.rest}/api/v5/trade/order`, { headers: okxHeaders(o.keys[0]!, clock.now(), 'POST', '/api/v5/trade/order', body), body });
    expect(r2.json).toMatchObject({ code: '1', data: [{ sCode: '51006', sMsg: 'Order price is not within the price limit.' }] });
  });

  test('partial_fill: a taker fills only the fraction (IOC remainder expires); a resting order is partly hit', async () => {
    ({ sim } = await startTestSim({ ...SPOT, faults: [{ kind: 'partial_fill', count: 2, fraction: 0.5 }] }));
    const v = sim.venue('binance-spot');
    const k = v.keys[0]!;
    const e = v.engines.get('BTCUSDT')!;
    const order = (q: string) => http('POST', `${v.urls.rest}/api/v3/order?${signedQuery(k.secret, `${q}&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    const deep = e.instrument.tick.fromUnits(e.bestAsk() + 2000);
    const a = await order(`symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.00400&price=${deep}&newOrderRespType=RESULT`);
    expect(a.json).toMatchObject({ status: 'EXPIRED', executedQty: '0.00200000', origQty: '0.00400000' });
    const bid = e.instrument.tick.fromUnits(e.bestBid());
    const b = await order(`symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.00400&price=${bid}&newClientOrderId=maker1&newOrderRespType=RESULT`);
    expect(b.json).toMatchObject({ status: 'PARTIALLY_FILLED', executedQty: '0.00200000' });
    expect(e.query('main', { clientOrderId: 'maker1' })).toMatchObject({ status: 'partially_filled', cumQtyLots: 200, leavesQtyLots: 200 });
    expect(sim.faults.fired('partial_fill')).toBe(2);
  });

  test('shutdown notice with closeAfterMs closes the connections after the notice', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'okx' }] }));
    const c = await open(sim.venue('okx').urls.wsPublic!);
    sim.faults.shutdownNotice({ venue: 'okx', closeAfterMs: 10 });
    expect((await c.next((m) => m.event === 'notice')).code).toBe('64008');
    expect((await c.closed).code).toBe(1001);
  });
});

describe('control endpoint, config rules, reproducibility', () => {
  test('the /_sim control endpoint needs the token; adds rules, runs actions, shows the book', async () => {
    ({ sim } = await startTestSim(SPOT));
    const v = sim.venue('binance-spot');
    const h = { 'X-Sim-Token': sim.controlToken, 'Content-Type': 'application/json' };
    expect((await http('GET', `${v.urls.rest}/_sim/faults`)).status).toBe(401);
    const add = await http('POST', `${v.urls.rest}/_sim/faults`, { headers: h, body: JSON.stringify({ kind: 'drop', count: 1 }) });
    expect(add.json).toEqual({ id: 1 });
    const list = await http('GET', `${v.urls.rest}/_sim/faults`, { headers: h });
    expect(list.json.rules[0]).toMatchObject({ id: 1, rule: { kind: 'drop', venue: 'binance-spot', target: 'market', count: 1 }, fired: 0 });
    expect((await http('POST', `${v.urls.rest}/_sim/faults`, { headers: h, body: JSON.stringify({ kind: 'explode' }) })).status).toBe(400);
    const c = await spotDepthClient(sim);
    publish(sim, 2);
    const ev = await c.next(isDepth);
    expect(sim.faults.fired('drop')).toBe(1);
    expect(ev.U).toBeGreaterThan(1);
    const step = await http('POST', `${v.urls.rest}/_sim/step?n=3`, { headers: h });
    expect(step.json.steps).toBe(sim.market.steps);
    const book = await http('GET', `${v.urls.rest}/_sim/book?symbol=BTCUSDT&depth=3`, { headers: h });
    const e = v.engines.get('BTCUSDT')!;
    expect(book.json).toMatchObject({ updateId: e.updateId, bids: e.snapshot(3).bids, asks: e.snapshot(3).asks });
    const act = await http('POST', `${v.urls.rest}/_sim/actions`, { headers: h, body: JSON.stringify({ action: 'disconnect', code: 1001 }) });
    expect(act.json).toEqual({ connections: 1 });
    expect((await c.closed).code).toBe(1001);
  });

  test('the same seed and rules give the same decisions; bad rules are refused with the field named', () => {
    const rules: FaultRule[] = [
      { kind: 'drop', probability: 0.3 },
      { kind: 'duplicate', probability: 0.1, skip: 5 },
      { kind: 'latency', delayMs: 1, jitterMs: 50 },
    ];
    const run = (seed: number): string => {
      const f = new FaultController(seed, rules);
      let s = '';
      for (let i = 0; i < 500; i++) {
        s += f.decide('drop', 'v', 'market') ? 'D' : '.';
        s += f.decide('duplicate', 'v', 'market') ? 'U' : '.';
        s += f.delayFor('v', 'market');
      }
      return s;
    };
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
    const once = new FaultController(1, [{ kind: 'gap', skip: 2 }]);
    expect([1, 2, 3, 4].map(() => once.decide('gap', 'x', 'market') !== null)).toEqual([false, false, true, false]);
    expect(() => new FaultController(1, [{ kind: 'drop', target: 'rest' } as FaultRule])).toThrow(SimConfigError);
    expect(() => new FaultController(1, [{ kind: 'drop', probability: 2 }])).toThrow(/faults\[0\]\.probability/);
    expect(() => new FaultController(1, [{ kind: 'stall' }])).toThrow(/delayMs/);
  });
});
