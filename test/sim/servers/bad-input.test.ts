// Untrusted input against the simulated venues: malformed, truncated, wrong-typed and oversized
// frames and requests get a clear error (or a close for frames beyond the size limit) and never
// take a server down; the same connection / server keeps answering valid requests afterwards.
import { describe, expect, test } from 'vitest';
import type { SimHandle } from '../../../src/sim/start.js';
import { http, okxLogin, signedQuery, cleanupAfterEach, startTestSim, T0 } from './helpers.js';

let sim: SimHandle | null = null; // stopped by cleanupAfterEach
const open = cleanupAfterEach();

const JUNK: readonly string[] = [
  '', '{', '}', '[]', 'null', '0', '"text"', '{"id":1e400}', '{"id":{}}', '{"method":null,"id":1}',
  '{"method":"SUBSCRIBE","params":"btcusdt@depth","id":1}', '{"method":"SUBSCRIBE","params":[1,2],"id":2}',
  '{"method":"SUBSCRIBE","params":["btcusdt@depth@7ms"],"id":3}', '{"method":"SET_PROPERTY","params":["combined","yes"],"id":4}',
  '{"op":"subscribe","args":"books"}', '{"op":"login","args":[null]}', '{"op":"order","id":"1","args":[{"instIdCode":"abc"}]}',
  '{"id":"o1","op":"order","args":[{"instId":5,"sz":[]}]}', '{"id":7,"method":"order.place","params":{"a":{"b":1}}}',
  '{"id":8,"method":"order.place","params":null}', '{"id":9,"method":"order.place","params":[]}', `{"id":"${'x'.repeat(100)}","method":"ping"}`,
  'x'.repeat(100_000), '\u0000\u0001\u0002', '{"method":"SUBSCRIBE","params":[' + '"a",'.repeat(2000) + '"b"],"id":5}',
];

describe('bad input', () => {
  test('junk frames on every WebSocket endpoint are answered with errors; each connection keeps working', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'binance-spot', incomingPerSecond: 0 }, { protocol: 'binance-usdm', incomingPerSecond: 0 }, { protocol: 'okx' }] }));
    const spot = sim.venue('binance-spot');
    const usdm = sim.venue('binance-usdm');
    const okx = sim.venue('okx');
    const okxPriv = await open(okx.urls.wsPrivate!);
    const urls = [`${spot.urls.ws}/ws`, spot.urls.wsApi!, `${usdm.urls.wsPublic}/ws`, usdm.urls.wsApi!, okx.urls.wsPublic!];
    const conns = await Promise.all(urls.map((u) => open(u)));
    for (const c of [...conns, okxPriv]) {
      for (const j of JUNK) c.send(j);
      c.ws.send(Buffer.from([0xff, 0xfe, 0x00, 0x7b]), { binary: true });
    }
    // every connection is still open and answers a valid request after the junk
    expect(await conns[0]!.call({ method: 'LIST_SUBSCRIPTIONS', id: 'ok1' })).toEqual({ result: [], id: 'ok1' });
    expect((await conns[1]!.call({ id: 'ok2', method: 'ping' })).status).toBe(200);
    expect(await conns[2]!.call({ method: 'LIST_SUBSCRIPTIONS', id: 'ok3' })).toEqual({ result: [], id: 'ok3' });
    expect((await conns[3]!.call({ id: 'ok4', method: 'time' })).result).toEqual({ serverTime: T0 });
    conns[4]!.send('ping');
    expect(await conns[4]!.next((m) => m === 'pong')).toBe('pong');
    okxPriv.send(okxLogin(okx.keys[0]!, T0));
    expect(await okxPriv.next((m) => m.event === 'login')).toMatchObject({ code: '0' });
    // and the junk was answered, not ignored
    expect(conns[0]!.messages.filter((m: any) => typeof m === 'object' && m !== null && typeof m.code === 'number').length).toBeGreaterThanOrEqual(JUNK.length - 2);
    expect(conns[1]!.messages.filter((m: any) => m?.status === 400).length).toBeGreaterThanOrEqual(JUNK.length - 2);
    expect(conns[4]!.messages.filter((m: any) => m?.event === 'error').length).toBeGreaterThanOrEqual(JUNK.length - 2);
    expect(okxPriv.messages.filter((m: any) => m?.event === 'error' || (m?.op === 'order' && m.code !== '0')).length).toBeGreaterThanOrEqual(JUNK.length - 2);
    // a frame beyond the size limit closes that connection (1009) and nothing else
    const big = await open(`${spot.urls.ws}/ws`);
    big.send('x'.repeat((1 << 20) + 1));
    expect((await big.closed).code).toBe(1009);
    expect(await conns[0]!.call({ method: 'LIST_SUBSCRIPTIONS', id: 'ok5' })).toEqual({ result: [], id: 'ok5' });
  });

  test('malformed REST requests get venue errors and the servers keep serving', async () => {
    let clock;
    ({ sim, clock } = await startTestSim({ venues: [{ protocol: 'binance-spot' }, { protocol: 'okx' }] }));
    const spot = sim.venue('binance-spot');
    const okx = sim.venue('okx');
    const k = spot.keys[0]!;
    const h = { 'X-MBX-APIKEY': k.apiKey };
    const cases: [string, string, Record<string, string>, string | undefined, number, unknown][] = [
      ['POST', `${spot.urls.rest}/api/v3/order?symbol=%E0%A4%A`, h, undefined, 400, -1100],
      ['POST', `${spot.urls.rest}/api/v3/order?symbol=A&symbol=B`, h, undefined, 400, -1101],
      ['POST', `${spot.urls.rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1e-3&price=1&timestamp=${T0}`)}`, h, undefined, 400, -1100],
      ['POST', `${spot.urls.rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=1&foo=bar&timestamp=${T0}`)}`, h, undefined, 400, -1104],
      ['POST', `${spot.urls.rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=HOLD&type=LIMIT&timeInForce=GTC&quantity=0.001&price=1&timestamp=${T0}`)}`, h, undefined, 400, -1117],
      ['POST', `${spot.urls.rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=STOP_LOSS&quantity=0.001&timestamp=${T0}`)}`, h, undefined, 400, -1020],
      ['POST', `${spot.urls.rest}/api/v3/order?${signedQuery(k.secret, `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=64000.001&timestamp=${T0}`)}`, h, undefined, 400, -1013],
      ['GET', `${spot.urls.rest}/api/v3/depth?symbol=BTCUSDT&limit=abc`, {}, undefined, 400, -1100],
      ['GET', `${spot.urls.rest}/api/v9/nothing`, {}, undefined, 404, -1],
      ['POST', `${okx.urls.rest}/api/v5/trade/order`, {}, '{not json', 401, '50103'],
      ['GET', `${okx.urls.rest}/api/v5/market/books?instId=BTC-USDT&sz=-1`, {}, undefined, 400, '51000'],
      ['GET', `${okx.urls.rest}/api/v5/market/books`, {}, undefined, 400, '50014'],
    ];
    for (const [method, url, headers, body, status, code] of cases) {
      const r = await http(method as 'GET' | 'POST', url, { headers, ...(body !== undefined ? { body } : {}) });
      expect([r.status, r.json?.code], url).toEqual([status, code]);
    }
    const okxKey = okx.keys[0]!;
    const { okxHeaders } = await import('./helpers.js');
    const junkBody = '{not json';
    const r = await http('POST', `${okx.urls.rest}/api/v5/trade/order`, { headers: okxHeaders(okxKey, clock.now(), 'POST', '/api/v5/trade/order', junkBody), body: junkBody });
    expect([r.status, r.json.code]).toEqual([400, '50002']);
    const big = await http('POST', `${spot.urls.rest}/api/v3/order`, { headers: h, body: 'a='.padEnd((1 << 20) + 10, 'x') }).catch(() => null);
    expect(big === null || big.status === 413).toBe(true);
    expect((await http('GET', `${spot.urls.rest}/api/v3/ping`)).status).toBe(200);
    expect((await http('GET', `${okx.urls.rest}/api/v5/public/time`)).json.code).toBe('0');
  });
});
