// The simulated Binance spot venue over real sockets, with plain ws / undici clients: documented
// shapes (against the shared samples), signature and timestamp enforcement (including the docs'
// own signing vectors), depth diffs that chain and rebuild the engine's book exactly, orders via
// REST and the WebSocket API that trade and report on the user-data subscription, rate limits,
// keepalive and the shutdown notice.
import { describe, expect, test } from 'vitest';
import { parseBinanceExchangeInfo } from '../../../src/venues/binance/exchange-info.js';
import type { SimHandle } from '../../../src/sim/start.js';
import { http, keys, LocalBook, sample, signedQuery, cleanupAfterEach, startTestSim, T0, typesOf, until, wsApiParams, WsClient } from './helpers.js';

let sim: SimHandle | null = null; // stopped by cleanupAfterEach
const open = cleanupAfterEach();

function spot(s: SimHandle) {
  const v = s.venue('binance-spot');
  const k = v.keys[0]!;
  const engine = v.engines.get('BTCUSDT')!;
  return { v, k, engine, rest: v.urls.rest };
}

const EIGHT = /^\d+\.\d{8}$/;

describe('binance spot sim: public REST', () => {
  test('depth snapshot, exchangeInfo, ping and time answer in the documented shapes', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot' }] }));
    const { rest, engine } = spot(sim);
    const d = await http('GET', `${rest}/api/v3/depth?symbol=BTCUSDT&limit=10`);
    expect(d.status).toBe(200);
    expect(keys(d.json)).toEqual(keys(sample('binance_spot', '02')));
    expect(d.json.lastUpdateId).toBe(engine.updateId);
    expect(d.json.bids.length).toBe(10);
    for (const [p, q] of [...d.json.bids, ...d.json.asks]) {
      expect(p).toMatch(EIGHT);
      expect(q).toMatch(EIGHT);
    }
    expect(Number(d.json.bids[0][0])).toBeLessThan(Number(d.json.asks[0][0]));
    expect(d.headers['x-mbx-used-weight-1m']).toBe('5');

    const ei = await http('GET', `${rest}/api/v3/exchangeInfo`);
    const parsed = parseBinanceExchangeInfo('binance-spot', ei.text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.instruments).toHaveLength(1);
    expect(parsed.instruments[0]).toMatchObject({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5', kind: 'spot' });
    expect(parsed.rateLimits).toContainEqual({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 });
    expect(parsed.serverTimeMs).toBe(T0);
    expect(ei.headers['x-mbx-used-weight-1m']).toBe('25');

    expect((await http('GET', `${rest}/api/v3/ping`)).json).toEqual({});
    expect((await http('GET', `${rest}/api/v3/time`)).json).toEqual({ serverTime: T0 });
    const bad = await http('GET', `${rest}/api/v3/depth?symbol=NOPE`);
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });
});

describe('binance spot sim: signatures and timestamps', () => {
  test('a bad key, signature or timestamp gets the documented error; a good one is accepted', async () => {
    let clock;
    ({ sim, clock } = await startTestSim({ venues: [{ protocol: 'binance-spot' }] }));
    const { rest, k } = spot(sim);
    const q = (ts: number, extra = ''): string => `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.00100&price=60000.00${extra}&timestamp=${ts}`;
    const post = (query: string, headers: Record<string, string> = { 'X-MBX-APIKEY': k.apiKey }, body?: string) =>
      http('POST', `${rest}/api/v3/order${query === '' ? '' : `?${query}`}`, { headers: { ...headers, ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) }, ...(body ? { body } : {}) });

    let r = await post(signedQuery(k.secret, q(T0)), {});
    expect([r.status, r.json]).toEqual([401, { code: -2014, msg: 'API-key format invalid.' }]);
    r = await post(signedQuery(k.secret, q(T0)), { 'X-MBX-APIKEY': 'x'.repeat(64) });
    expect([r.status, r.json]).toEqual([401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }]);
    const good = signedQuery(k.secret, q(T0));
    const tampered = good.replace('quantity=0.00100', 'quantity=0.00200');
    r = await post(tampered);
    expect([r.status, r.json]).toEqual([400, { code: -1022, msg: 'Signature for this request is not valid.' }]);
    r = await post(q(T0));
    expect([r.status, r.json.code]).toEqual([400, -1102]);
    r = await post(signedQuery(k.secret, q(T0 - 5001)));
    expect([r.status, r.json]).toEqual([400, { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' }]);
    r = await post(signedQuery(k.secret, q(T0 + 1000)));
    expect(r.json.code).toBe(-1021);
    expect(r.json.msg).toContain('ahead');
    r = await post(signedQuery(k.secret, q(T0 - 5001, '&recvWindow=6000')));
    expect(r.status).toBe(200);
    r = await post(signedQuery(k.secret, q(T0, '&recvWindow=60001')));
    expect(r.json.code).toBe(-1131);
    // the whole payload in the body
    clock.advance(1);
    r = await post('', { 'X-MBX-APIKEY': k.apiKey }, signedQuery(k.secret, q(T0 + 1)));
    expect(r.status).toBe(200);
    // split between query and body: signed over query + body with no separator
    const query = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC';
    const body = `quantity=0.00100&price=60000.00&timestamp=${T0 + 1}`;
    const sig = (await import('./helpers.js')).hmacHex(k.secret, query + body);
    r = await post(`${query}&signature=${sig}`, { 'X-MBX-APIKEY': k.apiKey }, body);
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('NEW');
    // a signature over query + '&' + body is rejected
    const sig2 = (await import('./helpers.js')).hmacHex(k.secret, `${query}&${body}`);
    r = await post(`${query}&signature=${sig2}`, { 'X-MBX-APIKEY': k.apiKey }, body);
    expect(r.json.code).toBe(-1022);
  });

  test("the docs' REST signing vectors pass the server's check", async () => {
    const v = sample('binance_spot', '09');
    for (const vec of v.rest_vectors as { payload: string; expected_hex_signature: string }[]) {
      const ts = Number(/timestamp=(\d+)/.exec(vec.payload)![1]);
      ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot', accounts: [{ apiKey: v.apiKey, secret: v.secretKey }] }] }, ts));
      const r = await http('POST', `${sim.venue('binance-spot').urls.rest}/api/v3/order?${vec.payload}&signature=${vec.expected_hex_signature}`, { headers: { 'X-MBX-APIKEY': v.apiKey } });
      // the signature and timestamp are accepted; the docs' symbol does not exist here
      expect(r.json).toEqual({ code: -1121, msg: 'Invalid symbol.' });
      const r2 = await http('POST', `${sim.venue('binance-spot').urls.rest}/api/v3/order?${vec.payload}&signature=${vec.expected_hex_signature.replace(/^./, (c) => (c === '0' ? '1' : '0'))}`, { headers: { 'X-MBX-APIKEY': v.apiKey } });
      expect(r2.json.code).toBe(-1022);
      await sim.stop();
      sim = null;
    }
  });

  test("the docs' WebSocket-API signing vector places the order", async () => {
    const v = sample('binance_spot', '09');
    const vec = v.ws_api_vectors_params_sorted_alphabetically[0] as { payload: string; expected_hex_signature: string };
    const params: Record<string, string | number> = {};
    for (const kv of vec.payload.split('&')) {
      const [a, b] = kv.split('=') as [string, string];
      params[a] = a === 'timestamp' || a === 'recvWindow' ? Number(b) : b;
    }
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot', accounts: [{ apiKey: v.apiKey, secret: v.secretKey }] }] }, Number(params['timestamp'])));
    const c = await open(sim.venue('binance-spot').urls.wsApi!);
    const res = await c.call({ id: 'vec1', method: 'order.place', params: { ...params, signature: vec.expected_hex_signature } });
    expect(res.status).toBe(200);
    expect(res.result).toMatchObject({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', origQty: '0.01000000' });
    const bad = await c.call({ id: 'vec2', method: 'order.place', params: { ...params, quantity: '0.02000000', signature: vec.expected_hex_signature } });
    expect([bad.status, bad.error]).toEqual([400, { code: -1022, msg: 'Signature for this request is not valid.' }]);
  });
});

describe('binance spot sim: market data', () => {
  test('depth diffs chain by U/u and the REST snapshot plus diffs rebuild the engine book exactly', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot' }], publishMs: 60_000 }));
    const { v, engine, rest } = spot(sim);
    const raw = await open(`${v.urls.ws}/ws/btcusdt@depth@100ms`);
    const comb = await open(`${v.urls.ws}/stream?streams=btcusdt@depth@100ms/btcusdt@trade/btcusdt@depth5@100ms`);
    sim.step(3);
    sim.flush();
    const first = await raw.next((m) => m.e === 'depthUpdate');
    expect(keys(first)).toEqual(keys(sample('binance_spot', '01')));
    expect(typesOf(first)).toEqual(typesOf(sample('binance_spot', '01')));
    const snap = await http('GET', `${rest}/api/v3/depth?symbol=BTCUSDT&limit=5000`);
    const book = new LocalBook(engine);
    book.load(snap.json.bids, snap.json.asks);
    let id = snap.json.lastUpdateId as number;
    let prevU = first.u as number;
    let applied = 0;
    const consume = (m: any): void => {
      expect(m.U).toBe(prevU + 1);
      prevU = m.u;
      if (m.u <= id) return; // rule 5: drop u <= lastUpdateId
      expect(m.U).toBeLessThanOrEqual(id + 1);
      book.apply(m.b, m.a);
      id = m.u;
      applied++;
    };
    for (let i = 0; i < 40; i++) {
      sim.step(1 + (i % 3));
      sim.flush();
      const want = engine.updateId;
      for (;;) {
        const m = await raw.next((x) => x.e === 'depthUpdate');
        consume(m);
        if (m.u === want) break;
      }
      expect(book.snapshot()).toEqual({ bids: engine.snapshot().bids, asks: engine.snapshot().asks });
    }
    expect(applied).toBeGreaterThan(30);
    const wrapped = await comb.next((m) => m.stream === 'btcusdt@depth@100ms');
    expect(wrapped.data.e).toBe('depthUpdate');
    const trade = await comb.next((m) => m.stream === 'btcusdt@trade');
    expect(keys(trade.data)).toEqual(['E', 'M', 'T', 'e', 'm', 'p', 'q', 's', 't']);
    // partial depth: {lastUpdateId, bids, asks}, the top 5 of the engine at that id
    sim.step(1);
    sim.flush();
    const want = engine.updateId;
    const part = await comb.next((m) => m.stream === 'btcusdt@depth5@100ms' && m.data.lastUpdateId === want);
    expect(keys(part.data)).toEqual(['asks', 'bids', 'lastUpdateId']);
    const top = new LocalBook(engine);
    top.load(part.data.bids, part.data.asks);
    expect(top.snapshot()).toEqual({ bids: engine.snapshot(5).bids, asks: engine.snapshot(5).asks });
  });

  test('live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / properties, and the 5 messages per second cap', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot' }] }));
    const { v } = spot(sim);
    const c = await open(`${v.urls.ws}/ws`);
    expect(await c.call({ method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms', 'btcusdt@bookTicker'], id: 1 })).toEqual({ result: null, id: 1 });
    expect(await c.call({ method: 'LIST_SUBSCRIPTIONS', id: 2 })).toEqual({ result: ['btcusdt@depth@100ms', 'btcusdt@bookTicker'], id: 2 });
    const err = await c.call({ method: 'SUBSCRIBE', params: ['BTCUSDT@depth'], id: 3 });
    expect(err.code).toBe(2);
    expect(err.msg).toMatch(/^Invalid request: /);
    expect(await c.call({ method: 'SET_PROPERTY', params: ['combined', true], id: 'p4' })).toEqual({ result: null, id: 'p4' });
    sim.step(2);
    sim.flush();
    const bt = await c.next((m) => m.stream === 'btcusdt@bookTicker');
    expect(keys(bt.data)).toEqual(keys(sample('binance_spot', '04')[1]));
    const d = await c.next((m) => m.stream === 'btcusdt@depth@100ms');
    expect(d.data.e).toBe('depthUpdate');
    // a sixth message within one second of venue time closes the connection
    c.send({ method: 'GET_PROPERTY', params: ['combined'], id: 6 });
    expect(await c.next((m) => m.id === 6)).toEqual({ result: true, id: 6 });
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 7 });
    expect((await c.closed).code).toBe(1008);
  });

  test('a stream name that does not exist is refused at connect', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot' }] }));
    await expect(WsClient.open(`${spot(sim).v.urls.ws}/ws/ethusdt@depth`)).rejects.toMatchObject({ status: 400 });
  });
});

describe('binance spot sim: orders and user data', () => {
  test('a REST order trades against the book and the fill arrives on the WS-API user-data subscription', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot' }] }));
    const { v, k, engine, rest } = spot(sim);
    const api = await open(v.urls.wsApi!);
    const sub = await api.call({ id: 'u1', method: 'userDataStream.subscribe.signature', params: wsApiParams(k.apiKey, k.secret, {}, T0) });
    expect(sub.status).toBe(200);
    expect(sub.result).toEqual({ subscriptionId: 0 });
    expect(sub.rateLimits[0]).toMatchObject({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1 });
    const ask = engine.bestAsk();
    const askQty = engine.levelQty('sell', ask);
    const px = engine.instrument.tick.fromUnits(ask + 100);
    const r = await http('POST', `${rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.00100&price=${px}&newClientOrderId=arb-1-0-0&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    expect(r.status).toBe(200);
    expect(r.headers['x-mbx-order-count-10s']).toBe('1');
    expect(r.headers['x-mbx-order-count-1d']).toBe('1');
    const { fills, ...result } = r.json;
    expect(keys(result)).toEqual(keys(sample('binance_spot', '08')));
    expect(result).toMatchObject({ symbol: 'BTCUSDT', clientOrderId: 'arb-1-0-0', status: 'FILLED', executedQty: '0.00100000', type: 'LIMIT', timeInForce: 'IOC', side: 'BUY' });
    expect(fills.length).toBeGreaterThan(0);
    expect(fills[0]).toMatchObject({ price: engine.instrument.tick.fromUnits(ask) + '000000', qty: '0.00100000', commissionAsset: 'BTC' });
    expect(engine.levelQty('sell', ask)).toBe(askQty - 100);
    const sampleEv = sample('binance_spot', '03');
    const newEv = await api.next((m) => m.event?.e === 'executionReport' && m.event.x === 'NEW');
    expect(newEv.subscriptionId).toBe(0);
    const { v: _v, ...sampleFields } = sampleEv.event;
    expect(keys(newEv.event)).toEqual(keys(sampleFields));
    expect(typesOf(newEv.event)).toEqual(typesOf(sampleFields));
    const fill = await api.next((m) => m.event?.e === 'executionReport' && m.event.x === 'TRADE');
    expect(fill.event).toMatchObject({ c: 'arb-1-0-0', X: 'FILLED', l: '0.00100000', z: '0.00100000', m: false, N: 'BTC', s: 'BTCUSDT' });
    expect(fill.event.t).toBeGreaterThan(0);
    const pos = await api.next((m) => m.event?.e === 'outboundAccountPosition');
    expect(pos.event.B.map((b: any) => b.a).sort()).toEqual(['BTC', 'USDT']);
    // query by client id
    const q = await http('GET', `${rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&origClientOrderId=arb-1-0-0&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    expect(q.json).toMatchObject({ clientOrderId: 'arb-1-0-0', status: 'FILLED', executedQty: '0.00100000' });
    // balances moved: 0.001 BTC bought minus the 0.1% taker fee paid in BTC
    expect(v.ledger.balanceView('main', 'BTC').total).toBe(10 * 1e8 + 100_000 - 100);
  });

  test('WS-API order.place / order.status / order.cancel round-trip with executionReports', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot' }] }));
    const { v, k, engine } = spot(sim);
    const api = await open(v.urls.wsApi!);
    await api.call({ id: 's', method: 'userDataStream.subscribe.signature', params: wsApiParams(k.apiKey, k.secret, {}, T0) });
    const px = engine.instrument.tick.fromUnits(engine.bestBid() - 1000);
    const place = await api.call({ id: 'p1', method: 'order.place', params: wsApiParams(k.apiKey, k.secret, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00200', price: px, newClientOrderId: 'rest1', newOrderRespType: 'RESULT' }, T0) });
    expect(place.status).toBe(200);
    expect(place.result).toMatchObject({ status: 'NEW', clientOrderId: 'rest1', origQty: '0.00200000' });
    expect(place.rateLimits.map((r: any) => r.rateLimitType)).toEqual(['ORDERS', 'ORDERS', 'REQUEST_WEIGHT']);
    const st = await api.call({ id: 'q1', method: 'order.status', params: wsApiParams(k.apiKey, k.secret, { symbol: 'BTCUSDT', origClientOrderId: 'rest1' }, T0) });
    expect(st.result).toMatchObject({ status: 'NEW', isWorking: true });
    const cx = await api.call({ id: 'c1', method: 'order.cancel', params: wsApiParams(k.apiKey, k.secret, { symbol: 'BTCUSDT', origClientOrderId: 'rest1' }, T0) });
    expect(cx.result).toMatchObject({ status: 'CANCELED', origClientOrderId: 'rest1' });
    const ev = await api.next((m) => m.event?.x === 'CANCELED');
    expect(ev.event.C).toBe('rest1');
    expect(ev.event.c).toBe(cx.result.clientOrderId);
    const again = await api.call({ id: 'c2', method: 'order.cancel', params: wsApiParams(k.apiKey, k.secret, { symbol: 'BTCUSDT', origClientOrderId: 'rest1' }, T0) });
    expect([again.status, again.error]).toEqual([400, { code: -2011, msg: 'Unknown order sent.' }]);
    const nf = await api.call({ id: 'q2', method: 'order.status', params: wsApiParams(k.apiKey, k.secret, { symbol: 'BTCUSDT', origClientOrderId: 'never' }, T0) });
    expect(nf.error).toEqual({ code: -2013, msg: 'Order does not exist.' });
    // duplicate client id while the first is open; post-only that would take
    const pxLow = engine.instrument.tick.fromUnits(engine.bestBid() - 2000);
    const p = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00100', price: pxLow, newClientOrderId: 'dup1' };
    expect((await api.call({ id: 'd1', method: 'order.place', params: wsApiParams(k.apiKey, k.secret, p, T0) })).status).toBe(200);
    expect((await api.call({ id: 'd2', method: 'order.place', params: wsApiParams(k.apiKey, k.secret, p, T0) })).error).toEqual({ code: -2010, msg: 'Duplicate order sent.' });
    const maker = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.00100', price: engine.instrument.tick.fromUnits(engine.bestAsk()) };
    expect((await api.call({ id: 'm1', method: 'order.place', params: wsApiParams(k.apiKey, k.secret, maker, T0) })).error).toEqual({ code: -2010, msg: 'Order would immediately match and take.' });
    const huge = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '100.00000', price: pxLow };
    const poor = await api.call({ id: 'h1', method: 'order.place', params: wsApiParams(k.apiKey, k.secret, huge, T0) });
    const s6 = sample('binance_spot', '06');
    expect(keys(poor)).toEqual(keys(s6));
    expect([poor.status, poor.error]).toEqual([s6.status, s6.error]);
    expect(keys(poor.rateLimits[0])).toEqual(keys(s6.rateLimits[0]));
  });
});

describe('binance spot sim: limits, keepalive, shutdown notice', () => {
  test('weight over the limit answers 429 with Retry-After, ignoring it answers 418 (ban), headers count the weight', async () => {
    let clock;
    ({ sim, clock } = await startTestSim({ venues: [{ protocol: 'binance-spot', rateLimits: { requestWeightPerMinute: 12 } }] }));
    const { rest } = spot(sim);
    const get = () => http('GET', `${rest}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    const a = await get();
    const b = await get();
    expect([a.status, a.headers['x-mbx-used-weight-1m'], b.status, b.headers['x-mbx-used-weight-1m']]).toEqual([200, '5', 200, '10']);
    const c = await get();
    expect(c.status).toBe(429);
    expect(c.json.code).toBe(-1003);
    const minuteLeft = Math.ceil((60_000 - (T0 % 60_000)) / 1000);
    expect(c.headers['retry-after']).toBe(String(minuteLeft));
    const d = await get();
    expect(d.status).toBe(418);
    expect(d.json.code).toBe(-1003);
    expect(d.json.msg).toMatch(/IP banned until \d+/);
    expect(d.headers['retry-after']).toBe('120');
    clock.advance(60_000);
    expect((await get()).status).toBe(418);
    clock.advance(60_001);
    const e = await get();
    expect([e.status, e.headers['x-mbx-used-weight-1m']]).toEqual([200, '5']);
  });

  test('order count over the limit answers 429 -1015; the WS API answers status 429 with retryAfter', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot', rateLimits: { ordersPer10s: 2 } }] }));
    const { v, k, engine, rest } = spot(sim);
    const px = engine.instrument.tick.fromUnits(engine.bestBid() - 1000);
    const counts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await http('POST', `${rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.00100&price=${px}&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
      expect(r.status).toBe(200);
      counts.push(r.headers['x-mbx-order-count-10s']!);
    }
    expect(counts).toEqual(['1', '2']);
    const api = await open(v.urls.wsApi!);
    const res = await api.call({ id: 'x', method: 'order.place', params: wsApiParams(k.apiKey, k.secret, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00100', price: px }, T0) });
    expect(res.status).toBe(429);
    expect(res.error.code).toBe(-1015);
    expect(res.error.msg).toBe('Too many new orders; current limit is 2 orders per 10 SECOND.');
    const res2 = await api.call({ id: 'y', method: 'ping', params: {} });
    const s7 = sample('binance_spot', '07');
    expect(keys(res2)).toEqual(keys(s7));
    expect(keys(res2.error)).toEqual(keys(s7.error));
    expect(keys(res2.error.data)).toEqual(keys(s7.error.data));
    expect([res2.status, res2.error.code]).toEqual([418, -1003]);
    expect(res2.error.msg).toBe(`Way too much request weight used; IP banned until ${T0 + 120_000}. Please use WebSocket Streams for live updates to avoid bans.`);
    expect(res2.error.data).toEqual({ serverTime: T0, retryAfter: T0 + 120_000 });
  });

  test('server pings are answered by pongs echoing the payload; a client that never pongs is dropped', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot', keepalive: { pingIntervalMs: 20, pongTimeoutMs: 2000 }, incomingPerSecond: 0 }] }));
    const { v } = spot(sim);
    const good = await open(`${v.urls.ws}/ws/btcusdt@depth@100ms`);
    const silent = await open(`${v.urls.ws}/ws/btcusdt@depth@100ms`, { autoPong: false });
    const closed = await silent.closed;
    expect(closed.code).toBe(1006);
    await until(() => good.pings.length >= 12, 15_000, 'pings');
    expect(good.closeInfo).toBeNull();
    expect(good.pings.slice(0, 3)).toEqual(['1', '2', '3']);
  });

  test('serverShutdown is pushed on raw and combined streams', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot' }] }));
    const { v } = spot(sim);
    const raw = await open(`${v.urls.ws}/ws/btcusdt@depth@100ms`);
    const comb = await open(`${v.urls.ws}/stream?streams=btcusdt@trade`);
    expect(sim.faults.shutdownNotice({ venue: 'binance-spot' })).toBe(2);
    expect(await raw.next((m) => m.e === 'serverShutdown')).toEqual({ e: 'serverShutdown', E: T0 });
    expect(await comb.next((m) => m.stream === '!serverShutdown')).toEqual({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: T0 } });
    expect(sim.faults.fired('action:shutdown_notice', 'binance-spot')).toBe(1);
  });
});
