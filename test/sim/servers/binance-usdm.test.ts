// The simulated Binance USD-M futures venue over real sockets: the 2026 URL split (/public,
// /market, /private; legacy /ws refused), depth diffs with `pu` that rebuild the engine's book by
// the futures procedure, exchangeInfo and depth shapes, listenKey user data with TRADE_LITE /
// ORDER_TRADE_UPDATE and the events filter, listenKey expiry, and the futures-only errors.
import { describe, expect, test } from 'vitest';
import { parseBinanceExchangeInfo } from '../../../src/venues/binance/exchange-info.js';
import type { SimHandle } from '../../../src/sim/start.js';
import { http, keys, LocalBook, sample, signedQuery, cleanupAfterEach, startTestSim, T0, typesOf, wsApiParams, WsClient } from './helpers.js';

let sim: SimHandle | null = null; // stopped by cleanupAfterEach
const open = cleanupAfterEach();

function usdm(s: SimHandle) {
  const v = s.venue('binance-usdm');
  return { v, k: v.keys[0]!, engine: v.engines.get('BTCUSDT')!, rest: v.urls.rest };
}

const TWO = /^\d+\.\d{2}$/;
const THREE = /^\d+\.\d{3}$/;

describe('binance usdm sim: REST and URL split', () => {
  test('exchangeInfo and the depth snapshot have the documented shapes; only documented limits', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-usdm' }] }));
    const { rest, engine } = usdm(sim);
    const ei = await http('GET', `${rest}/fapi/v1/exchangeInfo`);
    const parsed = parseBinanceExchangeInfo('binance-usdm', ei.text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.instruments[0]).toMatchObject({ symbol: 'BTCUSDT', kind: 'perpetual', tickSize: '0.10', lotSize: '0.001', minNotional: '100', contractType: 'linear' });
    expect(parsed.rateLimits).toContainEqual({ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 });
    const d = await http('GET', `${rest}/fapi/v1/depth?symbol=BTCUSDT&limit=5`);
    expect(keys(d.json)).toEqual(keys(sample('binance_usdm', '02')));
    expect(typesOf(d.json)).toEqual(typesOf(sample('binance_usdm', '02')));
    expect(d.json.lastUpdateId).toBe(engine.updateId);
    expect(d.json.bids).toHaveLength(5);
    for (const [p, q] of [...d.json.bids, ...d.json.asks]) {
      expect(p).toMatch(TWO);
      expect(q).toMatch(THREE);
    }
    // exchangeInfo (1) + depth limit 5 (2)
    expect(d.headers['x-mbx-used-weight-1m']).toBe('3');
    const bad = await http('GET', `${rest}/fapi/v1/depth?symbol=BTCUSDT&limit=7`);
    expect(bad.json).toEqual({ code: -1130, msg: "Data sent for parameter 'limit' is not valid." });
  });

  test('legacy /ws URLs are gone; depth lives on /public, aggTrade on /market', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-usdm' }] }));
    const { v } = usdm(sim);
    await expect(WsClient.open(`${v.urls.ws}/ws/btcusdt@depth@100ms`)).rejects.toMatchObject({ status: 404 });
    await expect(WsClient.open(`${v.urls.wsMarket}/ws/btcusdt@depth@100ms`)).rejects.toMatchObject({ status: 400 });
    const m = await open(`${v.urls.wsMarket}/ws`);
    const e = await m.call({ method: 'SUBSCRIBE', params: ['btcusdt@bookTicker'], id: 1 });
    expect(e.code).toBe(2);
    expect(await m.call({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'], id: 2 })).toEqual({ result: null, id: 2 });
    const p = await open(`${v.urls.wsPublic}/ws/btcusdt@bookTicker`);
    sim.step(3);
    const bt = await p.next((x) => x.e === 'bookTicker');
    expect(keys(bt)).toEqual(['A', 'B', 'E', 'T', 'a', 'b', 'e', 's', 'u']);
    expect(bt.u).toBeLessThanOrEqual(v.engines.get('BTCUSDT')!.updateId);
  });

  test('depth diffs chain by pu and snapshot + diffs rebuild the engine book by the futures rules', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-usdm' }], publishMs: 60_000 }));
    const { v, engine, rest } = usdm(sim);
    const c = await open(`${v.urls.wsPublic}/ws/btcusdt@depth@100ms`);
    sim.step(2);
    sim.flush();
    const first = await c.next((m) => m.e === 'depthUpdate');
    expect(keys(first)).toEqual(keys(sample('binance_usdm', '01')));
    expect(typesOf(first)).toEqual(typesOf(sample('binance_usdm', '01')));
    const buffered: any[] = [first];
    sim.step(1);
    sim.flush();
    buffered.push(await c.next((m) => m.e === 'depthUpdate'));
    const snap = await http('GET', `${rest}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`);
    const L = snap.json.lastUpdateId as number;
    const book = new LocalBook(engine);
    book.load(snap.json.bids, snap.json.asks);
    let id = L;
    let firstDone = false;
    let prevU = -1;
    const consume = (m: any): void => {
      if (prevU >= 0) expect(m.pu).toBe(prevU);
      prevU = m.u;
      if (m.u < L) return; // step 4
      if (!firstDone) {
        expect(m.U <= L && m.u >= L).toBe(true); // step 5
        firstDone = true;
      } else expect(m.pu).toBe(id); // step 6
      book.apply(m.b, m.a);
      id = m.u;
    };
    for (const m of buffered) consume(m);
    for (let i = 0; i < 30; i++) {
      sim.step(1 + (i % 2));
      sim.flush();
      const want = engine.updateId;
      for (;;) {
        const m = await c.next((x) => x.e === 'depthUpdate');
        consume(m);
        if (m.u === want) break;
      }
      expect(book.snapshot()).toEqual({ bids: engine.snapshot().bids, asks: engine.snapshot().asks });
    }
  });
});

describe('binance usdm sim: orders and listenKey user data', () => {
  test('listenKey stream delivers TRADE_LITE then ORDER_TRADE_UPDATE for a REST order that trades; events filter applies', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-usdm' }] }));
    const { v, k, engine, rest } = usdm(sim);
    expect((await http('POST', `${rest}/fapi/v1/listenKey`)).json).toEqual({ code: -2014, msg: 'API-key format invalid.' });
    const lk = await http('POST', `${rest}/fapi/v1/listenKey`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    expect(lk.status).toBe(200);
    expect(lk.json.listenKey).toMatch(/^[A-Za-z0-9]{64}$/);
    const again = await http('POST', `${rest}/fapi/v1/listenKey`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    expect(again.json.listenKey).toBe(lk.json.listenKey);
    await expect(WsClient.open(`${v.urls.wsPrivate}/ws?listenKey=nope`)).rejects.toMatchObject({ status: 400 });
    const filtered = await open(`${v.urls.wsPrivate}/ws?listenKey=${lk.json.listenKey}&events=ORDER_TRADE_UPDATE/TRADE_LITE`);
    const all = await open(`${v.urls.wsPrivate}/ws?listenKey=${lk.json.listenKey}`);
    const px = engine.instrument.tick.fromUnits(engine.bestAsk() + 50);
    const r = await http('POST', `${rest}/fapi/v1/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.002&price=${px}&newClientOrderId=leg.1:a/b&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    expect(r.status).toBe(200);
    expect(keys(r.json)).toEqual(keys(sample('binance_usdm', '06')));
    expect(r.json).toMatchObject({ clientOrderId: 'leg.1:a/b', status: 'FILLED', executedQty: '0.002', positionSide: 'BOTH', timeInForce: 'IOC' });
    expect(r.headers['x-mbx-order-count-1m']).toBe('1');
    // three listenKey calls (1 each, the refused one included); a new order costs 0 weight
    expect(r.headers['x-mbx-used-weight-1m']).toBe('3');
    const lite = await filtered.next((m) => m.e === 'TRADE_LITE');
    expect(keys(lite)).toEqual(keys(sample('binance_usdm', '05')));
    expect(typesOf(lite)).toEqual(typesOf(sample('binance_usdm', '05')));
    expect(lite).toMatchObject({ c: 'leg.1:a/b', l: '0.002', S: 'BUY', m: false });
    const upd = await filtered.next((m) => m.e === 'ORDER_TRADE_UPDATE' && m.o.x === 'TRADE');
    const s4 = sample('binance_usdm', '04');
    // the sample is a TRAILING_STOP_MARKET order: AP and cr are "only pushed with" that type
    const { AP: _ap, cr: _cr, ...s4o } = s4.o;
    expect(keys(upd)).toEqual(keys(s4));
    expect(keys(upd.o)).toEqual(keys(s4o));
    expect(typesOf(upd.o)).toEqual(typesOf(s4o));
    expect(upd.o).toMatchObject({ X: 'FILLED', z: '0.002', N: 'USDT', ps: 'BOTH' });
    const acct = await all.next((m) => m.e === 'ACCOUNT_UPDATE');
    expect(acct.a.P[0]).toMatchObject({ s: 'BTCUSDT', pa: '0.002', ps: 'BOTH' });
    expect(filtered.messages.some((m: any) => m.e === 'ACCOUNT_UPDATE')).toBe(false);
    const pos = await http('GET', `${rest}/fapi/v2/positionRisk?${signedQuery(k.secret, `symbol=BTCUSDT&timestamp=${T0}`)}`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    expect(pos.json[0]).toMatchObject({ symbol: 'BTCUSDT', positionAmt: '0.002', positionSide: 'BOTH' });
  });

  test('the listenKey expires after its validity: listenKeyExpired is pushed and the stream closes', async () => {
    let clock;
    ({ sim, clock } = await startTestSim({ venues: [{ protocol: 'binance-usdm', listenKeyTtlMs: 60_000 }] }));
    const { v, k, rest } = usdm(sim);
    const lk = (await http('POST', `${rest}/fapi/v1/listenKey`, { headers: { 'X-MBX-APIKEY': k.apiKey } })).json.listenKey as string;
    const c = await open(`${v.urls.wsPrivate}/ws?listenKey=${lk}&events=ORDER_TRADE_UPDATE`);
    clock.advance(30_000);
    expect((await http('PUT', `${rest}/fapi/v1/listenKey`, { headers: { 'X-MBX-APIKEY': k.apiKey } })).status).toBe(200);
    clock.advance(60_001);
    const ev = await c.next((m) => m.e === 'listenKeyExpired');
    expect(keys(ev)).toEqual(keys(sample('binance_usdm', '07')));
    expect(ev).toEqual({ e: 'listenKeyExpired', E: String(T0 + 90_001), listenKey: lk });
    await c.closed;
    const put = await http('PUT', `${rest}/fapi/v1/listenKey`, { headers: { 'X-MBX-APIKEY': k.apiKey } });
    expect(put.json).toEqual({ code: -1125, msg: 'This listenKey does not exist.' });
  });

  test('futures errors: GTX would take (-5022), FOK not filled (-5021, not recorded), reduce-only, position side, notional', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-usdm' }] }));
    const { v, k, engine } = usdm(sim);
    const api = await open(v.urls.wsApi!);
    const place = (id: string, p: Record<string, string | number>) => api.call({ id, method: 'order.place', params: wsApiParams(k.apiKey, k.secret, { symbol: 'BTCUSDT', ...p }, T0) });
    const ask = engine.instrument.tick.fromUnits(engine.bestAsk());
    const gtx = await place('a', { side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.002', price: ask });
    expect(gtx.error.code).toBe(-5022);
    const fok = await place('b', { side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', quantity: '50.000', price: ask, newClientOrderId: 'fok1' });
    expect(fok.error.code).toBe(-5021);
    const q = await api.call({ id: 'c', method: 'order.status', params: wsApiParams(k.apiKey, k.secret, { symbol: 'BTCUSDT', origClientOrderId: 'fok1' }, T0) });
    expect(q.error).toEqual({ code: -2013, msg: 'Order does not exist.' });
    expect((await place('d', { side: 'SELL', type: 'MARKET', quantity: '0.002', reduceOnly: 'true' })).error.code).toBe(-2022);
    expect((await place('e', { side: 'BUY', type: 'MARKET', quantity: '0.002', positionSide: 'LONG' })).error.code).toBe(-4061);
    expect((await place('f', { side: 'BUY', type: 'MARKET', quantity: '0.001' })).error.code).toBe(-4164);
    expect((await place('g', { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.002', price: '64000.05' })).error.code).toBe(-4014);
    expect((await place('h', { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.0025', price: ask })).error.code).toBe(-1111);
    expect((await place('i', { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.002', price: ask, newClientOrderId: 'bad id!' })).error.code).toBe(-4015);
    const ok = await place('j', { side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'm1' });
    expect(ok.status).toBe(200);
    expect(ok.result).toMatchObject({ status: 'FILLED', type: 'MARKET', clientOrderId: 'm1' });
    expect((await place('k', { side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'm1' })).status).toBe(200);
  });
});
