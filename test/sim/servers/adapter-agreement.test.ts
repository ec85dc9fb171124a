// Agreement between the simulator and the venue adapters' PURE mappers (not their I/O clients):
// requests built and signed by src/venues/* request builders are accepted by the simulated
// venues, and the simulator's answers and private events are understood by the adapters'
// parsers. Both sides follow the same documented facts; neither side's code checks the other's
// (the simulator recomputes every signature from the raw bytes it received).
import { describe, expect, test } from 'vitest';
import { InstrumentTable } from '../../../src/core/instrument.js';
import type { SimHandle } from '../../../src/sim/start.js';
import { mapBinanceOrderAnswer, mapBinancePrivateMessage } from '../../../src/venues/binance/private.js';
import { restNewOrder, restQueryOrder, restUsdmListenKey, wsApiNewOrder, wsApiUserDataSubscribe } from '../../../src/venues/binance/requests.js';
import { BINANCE_SPOT } from '../../../src/venues/binance-spot/endpoints.js';
import { BINANCE_USDM } from '../../../src/venues/binance-usdm/endpoints.js';
import { mapOkxOrdersPush, parseOkxOrderQuery, parseOkxOrderResponse } from '../../../src/venues/okx/orders.js';
import { okxPlaceOrderRest, okxPlaceOrderWs, okxQueryOrderRest, okxSignedHeaders } from '../../../src/venues/okx/requests.js';
import { okxLoginRequest } from '../../../src/venues/okx/sign.js';
import { http, cleanupAfterEach, startTestSim, T0 } from './helpers.js';

let sim: SimHandle | null = null; // stopped by cleanupAfterEach
const open = cleanupAfterEach();

describe('binance request builders and parsers agree with the simulator', () => {
  test('spot: REST and WS-API orders built by src/venues/binance are accepted; answers and executionReports map to reports', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot' }] }));
    const v = sim.venue('binance-spot');
    const inst = v.instruments[0]!;
    const table = new InstrumentTable(v.instruments.map((i) => i.spec));
    const creds = { apiKey: v.keys[0]!.apiKey, secret: v.keys[0]!.secret };
    const p = { ...BINANCE_SPOT, restBase: v.urls.rest };
    const api = await open(v.urls.wsApi!);
    const sub = wsApiUserDataSubscribe(p, creds, 'sub1', { nowMs: T0 });
    api.send(sub.text);
    expect((await api.next((m) => m.id === 'sub1')).status).toBe(200);
    const e = inst.engine;
    const req = restNewOrder(p, creds, inst.ins, { clientOrderId: 'xmc-1-0-0', side: 'buy', type: 'ioc', priceTicks: e.bestAsk() + 100, qtyLots: 100 }, { nowMs: T0, recvWindowMs: 5000 });
    const r = await http('POST', req.url, { headers: { ...req.headers } });
    expect(r.status).toBe(200);
    const ans = mapBinanceOrderAnswer('binance-spot', r.json, table);
    expect(ans).toMatchObject({ kind: 'fill', clientOrderId: 'xmc-1-0-0', cumQtyLots: 100, leavesQtyLots: 0, orderType: 'ioc' });
    const fill = await api.next((m) => m.event?.x === 'TRADE');
    const ev = mapBinancePrivateMessage('binance-spot', JSON.stringify(fill), table, T0);
    expect(ev).toMatchObject({ type: 'report', report: { kind: 'fill', clientOrderId: 'xmc-1-0-0', lastQtyLots: 100, liquidity: 'taker', lastFeeCcy: 'BTC' } });
    const ws = wsApiNewOrder(p, creds, 'ord-2', inst.ins, { clientOrderId: 'xmc-2-0-0', side: 'sell', type: 'post_only', priceTicks: e.bestAsk() + 500, qtyLots: 200 }, { nowMs: T0 });
    api.send(ws.text);
    const wr = await api.next((m) => m.id === 'ord-2');
    const resp = mapBinancePrivateMessage('binance-spot', JSON.stringify(wr), table, T0);
    expect(resp.type).toBe('response');
    if (resp.type === 'response') {
      expect(resp.response.error).toBeNull();
      expect(mapBinanceOrderAnswer('binance-spot', resp.response.result, table)).toMatchObject({ kind: 'ack', orderType: 'post_only', qtyLots: 200 });
    }
    const q = restQueryOrder(p, creds, 'BTCUSDT', 'xmc-2-0-0', { nowMs: T0 });
    const qr = await http('GET', q.url, { headers: { ...q.headers } });
    expect(mapBinanceOrderAnswer('binance-spot', qr.json, table)).toMatchObject({ kind: 'ack', venueStatus: 'NEW', clientOrderId: 'xmc-2-0-0' });
  });

  test('usdm: listenKey and REST orders built by src/venues/binance are accepted; ORDER_TRADE_UPDATE / TRADE_LITE map to fills', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-usdm' }] }));
    const v = sim.venue('binance-usdm');
    const inst = v.instruments[0]!;
    const table = new InstrumentTable(v.instruments.map((i) => i.spec));
    const creds = { apiKey: v.keys[0]!.apiKey, secret: v.keys[0]!.secret };
    const p = { ...BINANCE_USDM, restBase: v.urls.rest };
    const lkReq = restUsdmListenKey(p, creds, 'POST');
    const lk = await http('POST', lkReq.url, { headers: { ...lkReq.headers } });
    const priv = await open(`${v.urls.wsPrivate}/ws?listenKey=${lk.json.listenKey}&events=${BINANCE_USDM.privateEvents.join('/')}`);
    const e = inst.engine;
    const req = restNewOrder(p, creds, inst.ins, { clientOrderId: 'xmc-9-1-0', side: 'sell', type: 'ioc', priceTicks: e.bestBid() - 20, qtyLots: 3 }, { nowMs: T0 });
    const r = await http('POST', req.url, { headers: { ...req.headers } });
    expect(r.status).toBe(200);
    expect(mapBinanceOrderAnswer('binance-usdm', r.json, table)).toMatchObject({ kind: 'fill', cumQtyLots: 3 });
    const lite = await priv.next((m) => m.e === 'TRADE_LITE');
    expect(mapBinancePrivateMessage('binance-usdm', JSON.stringify(lite), table, T0)).toMatchObject({ type: 'report', report: { kind: 'fill', lastQtyLots: 3 } });
    const upd = await priv.next((m) => m.e === 'ORDER_TRADE_UPDATE' && m.o.X === 'FILLED');
    expect(mapBinancePrivateMessage('binance-usdm', JSON.stringify(upd), table, T0)).toMatchObject({ type: 'report', report: { kind: 'fill', cumQtyLots: 3, leavesQtyLots: 0, lastFeeCcy: 'USDT' } });
    const acct = await priv.next((m) => m.e === 'ACCOUNT_UPDATE');
    expect(mapBinancePrivateMessage('binance-usdm', JSON.stringify(acct), table, T0).type).toBe('account');
  });
});

describe('okx request builders and parsers agree with the simulator', () => {
  test('REST and WS orders built and signed by src/venues/okx are accepted; answers, pushes and queries map to reports', async () => {
    let clock;
    ({ sim, clock } = await startTestSim({ venues: [{ protocol: 'okx' }] }));
    const v = sim.venue('okx');
    const table = new InstrumentTable(v.instruments.map((i) => i.spec));
    const k = v.keys[0]!;
    const creds = { apiKey: k.apiKey, secretKey: k.secret, passphrase: k.passphrase };
    const spot = v.instruments.find((i) => i.symbol === 'BTC-USDT')!;
    const swap = v.instruments.find((i) => i.symbol === 'BTC-USDT-SWAP')!;
    const c = await open(v.urls.wsPrivate!);
    c.send(JSON.stringify(okxLoginRequest(creds, clock.now())));
    expect(await c.next((m) => m.event === 'login')).toMatchObject({ code: '0' });
    c.send({ op: 'subscribe', args: [{ channel: 'orders', instType: 'ANY' }] });
    await c.next((m) => m.event === 'subscribe');
    const px = spot.ins.tick.fromUnitsTrimmed(spot.engine.bestAsk() + 20);
    const b = okxPlaceOrderRest({ instId: 'BTC-USDT', instType: 'SPOT', side: 'buy', ordType: 'ioc', px, sz: '0.001', clOrdId: 'xmc1leg0' });
    if (!b.ok) throw new Error(b.reason);
    const r = await http('POST', `${v.urls.rest}${b.value.path}`, { headers: { ...okxSignedHeaders(creds, clock.now(), b.value) }, body: b.value.body });
    const ans = parseOkxOrderResponse(r.text, r.status);
    expect(ans.error).toBeNull();
    expect(ans.results[0]).toMatchObject({ ok: true, clOrdId: 'xmc1leg0' });
    const filled = await c.next((m) => m.arg?.channel === 'orders' && m.data[0].state === 'filled');
    const mapped = mapOkxOrdersPush(JSON.stringify(filled), table);
    expect(mapped.errors).toEqual([]);
    expect(mapped.reports[0]).toMatchObject({ kind: 'fill', clientOrderId: 'xmc1leg0', cumQtyLots: 100_000, lastQtyLots: 100_000, liquidity: 'taker', lastFeeCcy: 'BTC' });
    expect(Number(mapped.reports[0]!.lastFee)).toBeGreaterThan(0);
    const w = okxPlaceOrderWs({ instId: 'BTC-USDT-SWAP', instType: 'SWAP', side: 'buy', ordType: 'limit', px: swap.ins.tick.fromUnitsTrimmed(swap.engine.bestBid() - 30), sz: '2', clOrdId: 'xmc2leg1', instIdCode: swap.code }, 'w1');
    if (!w.ok) throw new Error(w.reason);
    c.send(w.value.text);
    const wr = await c.next((m) => m.id === 'w1');
    expect(parseOkxOrderResponse(JSON.stringify(wr), 0).results[0]).toMatchObject({ ok: true, clOrdId: 'xmc2leg1' });
    const q = okxQueryOrderRest({ instId: 'BTC-USDT-SWAP', clOrdId: 'xmc2leg1' });
    if (!q.ok) throw new Error(q.reason);
    const qr = await http('GET', `${v.urls.rest}${q.value.path}`, { headers: { ...okxSignedHeaders(creds, clock.now(), q.value) } });
    expect(parseOkxOrderQuery(qr.text, table, qr.status).report).toMatchObject({ kind: 'ack', venueStatus: 'live', qtyLots: 200, clientOrderId: 'xmc2leg1' });
  });
});
