// The simulated OKX v5 venue over real sockets: instruments and REST books shapes (with seqId),
// the `books` channel (snapshot, prevSeqId chain, checksum 0, heartbeats) rebuilding the
// engine's book by both the WS-snapshot and the REST-bootstrap procedures, books5, ping/pong and
// the idle cut, login and REST signature checks (including the computed vectors), orders over
// REST and WS with the `orders` channel, per-instrument rate limits and the 64008 notice.
import { describe, expect, test } from 'vitest';
import { parseOkxInstruments } from '../../../src/venues/okx/instruments.js';
import type { SimHandle } from '../../../src/sim/start.js';
import { http, keys, LocalBook, okxHeaders, okxLogin, sample, cleanupAfterEach, startTestSim, typesOf, WsClient } from './helpers.js';

let sim: SimHandle | null = null; // stopped by cleanupAfterEach
const open = cleanupAfterEach();

function okx(s: SimHandle) {
  const v = s.venue('okx');
  return { v, k: v.keys[0]!, spot: v.engines.get('BTC-USDT')!, swap: v.engines.get('BTC-USDT-SWAP')!, rest: v.urls.rest };
}

const OKX_ONLY = { venues: [{ protocol: 'okx' as const }] };

describe('okx sim: public REST', () => {
  test('instruments (with instIdCode) and books (with seqId) answer in the documented shapes', async () => {
    ({ sim } = await startTestSim(OKX_ONLY));
    const { v, rest, swap } = okx(sim);
    const spotI = parseOkxInstruments((await http('GET', `${rest}/api/v5/public/instruments?instType=SPOT`)).text);
    expect(spotI.error).toBeNull();
    expect(spotI.instruments).toHaveLength(1);
    expect(spotI.instruments[0]).toMatchObject({ symbol: 'BTC-USDT', tickSize: '0.1', lotSize: '0.00000001', minQty: '0.00001', state: 'live', instType: 'SPOT' });
    expect(spotI.instruments[0]!.instIdCode).toEqual(expect.any(Number));
    const swapI = parseOkxInstruments((await http('GET', `${rest}/api/v5/public/instruments?instType=SWAP`)).text);
    expect(swapI.instruments[0]).toMatchObject({ symbol: 'BTC-USDT-SWAP', kind: 'perpetual', contractValue: '0.01', contractValueCcy: 'BTC', contractType: 'linear', base: 'BTC', quote: 'USDT' });
    expect((await http('GET', `${rest}/api/v5/public/instruments`)).json.code).toBe('50014');

    const b = await http('GET', `${rest}/api/v5/market/books?instId=BTC-USDT-SWAP&sz=5`);
    const s7 = sample('okx', '07');
    expect(keys(b.json)).toEqual(keys(s7));
    expect(keys(b.json.data[0])).toEqual(keys(s7.data[0]));
    expect(typesOf(b.json.data[0])).toEqual(typesOf(s7.data[0]));
    expect(b.json.data[0].seqId).toBe(v.seqId('BTC-USDT-SWAP'));
    expect(b.json.data[0].bids).toHaveLength(5);
    for (const l of [...b.json.data[0].bids, ...b.json.data[0].asks]) {
      expect(l).toHaveLength(4);
      expect(l[2]).toBe('0');
      expect(l[0]).not.toMatch(/\.\d*0$/);
    }
    const book = new LocalBook(swap);
    book.load(b.json.data[0].bids, b.json.data[0].asks);
    expect(book.snapshot()).toEqual({ bids: swap.snapshot(5).bids, asks: swap.snapshot(5).asks });
    expect((await http('GET', `${rest}/api/v5/market/books?instId=ETH-USDT`)).json.code).toBe('51001');
  });
});

describe('okx sim: books channel', () => {
  test('snapshot then updates chained by prevSeqId (checksum 0) rebuild the top-400 book; a late subscriber joins the same chain', async () => {
    ({ sim } = await startTestSim({ ...OKX_ONLY, publishMs: 60_000 }));
    const { v, spot } = okx(sim);
    const c = await open(v.urls.wsPublic!);
    const ack = await c.call({ id: '1512', op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
    expect(keys(ack)).toEqual(keys(sample('okx', '09').subscribe_books_response));
    const snap = await c.next((m) => m.action === 'snapshot');
    const s1 = sample('okx', '01');
    expect(keys(snap)).toEqual(keys(s1));
    expect(keys(snap.data[0])).toEqual(keys(s1.data[0]));
    expect(typesOf(snap.data[0])).toEqual(typesOf(s1.data[0]));
    expect(snap.data[0]).toMatchObject({ prevSeqId: -1, checksum: 0 });
    const book = new LocalBook(spot);
    book.load(snap.data[0].bids, snap.data[0].asks);
    let seq = snap.data[0].seqId as number;
    expect(seq).toBe(v.seqId('BTC-USDT'));
    let late: WsClient | null = null;
    let lateSeq = -1;
    for (let i = 0; i < 30; i++) {
      sim.step(1 + (i % 3));
      sim.flush();
      const u = await c.next((m) => m.action === 'update');
      expect(keys(u.data[0])).toEqual(keys(sample('okx', '02').data[0]));
      expect(u.data[0].prevSeqId).toBe(seq);
      expect(u.data[0].seqId).toBeGreaterThan(seq);
      expect(u.data[0].checksum).toBe(0);
      seq = u.data[0].seqId;
      expect(seq).toBe(v.seqId('BTC-USDT'));
      book.apply(u.data[0].bids, u.data[0].asks);
      const e = spot.snapshot(400);
      expect(book.snapshot()).toEqual({ bids: e.bids, asks: e.asks });
      if (i === 10) {
        late = await open(v.urls.wsPublic!);
        late.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
        const ls = await late.next((m) => m.action === 'snapshot');
        expect(ls.data[0].seqId).toBe(seq);
        lateSeq = ls.data[0].seqId;
      } else if (late !== null) {
        const lu = await late.next((m) => m.action === 'update');
        expect(lu.data[0].prevSeqId).toBe(lateSeq);
        expect(lu.data[0]).toEqual(u.data[0]);
        lateSeq = lu.data[0].seqId;
      }
    }
  });

  test('the REST-bootstrap procedure (snapshot seqId vs the buffered prevSeqId chain) rebuilds the same book', async () => {
    ({ sim } = await startTestSim({ ...OKX_ONLY, publishMs: 60_000 }));
    const { v, swap, rest } = okx(sim);
    const c = await open(v.urls.wsPublic!);
    c.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT-SWAP' }] });
    await c.next((m) => m.action === 'snapshot'); // ignored by this procedure
    const buffered: any[] = [];
    for (let i = 0; i < 3; i++) {
      sim.step(1);
      sim.flush();
      buffered.push((await c.next((m) => m.action === 'update')).data[0]);
    }
    const firstPrev = buffered[0].prevSeqId as number;
    const r = (await http('GET', `${rest}/api/v5/market/books?instId=BTC-USDT-SWAP&sz=400`)).json.data[0];
    expect(r.seqId).toBeGreaterThanOrEqual(firstPrev);
    for (let i = 0; i < 3; i++) {
      sim.step(1);
      sim.flush();
      buffered.push((await c.next((m) => m.action === 'update')).data[0]);
    }
    const book = new LocalBook(swap);
    book.load(r.bids, r.asks);
    const left = buffered.filter((e) => e.seqId > r.seqId);
    expect(left[0].prevSeqId <= r.seqId && r.seqId < left[0].seqId).toBe(true);
    for (const e of left) book.apply(e.bids, e.asks);
    expect(book.snapshot()).toEqual({ bids: swap.snapshot(400).bids, asks: swap.snapshot(400).asks });
  });

  test('after heartbeatMs without change a heartbeat (seqId == prevSeqId, empty sides) is pushed', async () => {
    let clock;
    ({ sim, clock } = await startTestSim({ venues: [{ protocol: 'okx', heartbeatMs: 5000 }], publishMs: 10 }));
    const { v } = okx(sim);
    const c = await open(v.urls.wsPublic!);
    c.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
    const snap = await c.next((m) => m.action === 'snapshot');
    clock.advance(5000);
    const hb = await c.next((m) => m.action === 'update');
    expect(hb.data[0]).toMatchObject({ asks: [], bids: [], checksum: 0, seqId: snap.data[0].seqId, prevSeqId: snap.data[0].seqId });
  });

  test('books5 pushes 5-level snapshots with instId and seqId; unknown channels and VIP channels are refused', async () => {
    ({ sim } = await startTestSim(OKX_ONLY));
    const { v, swap } = okx(sim);
    const c = await open(v.urls.wsPublic!);
    c.send({ op: 'subscribe', args: [{ channel: 'books5', instId: 'BTC-USDT-SWAP' }] });
    const p = await c.next((m) => m.arg?.channel === 'books5' && m.data !== undefined);
    const s3 = sample('okx', '03')[1];
    expect(keys(p)).toEqual(keys(s3));
    expect(keys(p.data[0])).toEqual(keys(s3.data[0]));
    expect(typesOf(p.data[0])).toEqual(typesOf(s3.data[0]));
    const book = new LocalBook(swap);
    book.load(p.data[0].bids, p.data[0].asks);
    expect(book.snapshot()).toEqual({ bids: swap.snapshot(5).bids, asks: swap.snapshot(5).asks });
    expect((await c.call({ id: 'a1', op: 'subscribe', args: [{ channel: 'books-l2-tbt', instId: 'BTC-USDT' }] })).code).toBe('64003');
    expect((await c.call({ id: 'a2', op: 'subscribe', args: [{ channel: 'tickers2', instId: 'BTC-USDT' }] })).code).toBe('60018');
    c.send({ op: 'subscribe', args: [{ channel: 'bbo-tbt', instId: 'BTC-USDT-SWAP' }, { channel: 'trades', instId: 'BTC-USDT-SWAP' }] });
    const bbo = await c.next((m) => m.arg?.channel === 'bbo-tbt' && m.data !== undefined);
    expect(keys(bbo.data[0])).toEqual(['asks', 'bids', 'seqId', 'ts']);
    expect([bbo.data[0].bids.length, bbo.data[0].asks.length]).toEqual([1, 1]);
    for (let i = 0; i < 300 && !c.messages.some((m: any) => m?.arg?.channel === 'trades' && m.data); i++) sim!.step(1);
    const tr = await c.next((m) => m.arg?.channel === 'trades' && m.data !== undefined);
    expect(keys(tr.data[0])).toEqual(['count', 'instId', 'px', 'side', 'sz', 'tradeId', 'ts']);
    c.send('not json');
    expect((await c.next((m) => m.event === 'error' && m.code === '60012')).msg).toContain('Invalid request');
  });

  test('literal ping gets pong; a connection with no traffic is closed with 4004', async () => {
    ({ sim } = await startTestSim({ venues: [{ protocol: 'okx', keepalive: { idleTimeoutMs: 1000 } }] }));
    const { v } = okx(sim);
    const c = await open(v.urls.wsPublic!);
    c.send('ping');
    expect(await c.next()).toBe('pong');
    const closed = await c.closed;
    expect(closed).toEqual({ code: 4004, reason: 'No data received in 30s' });
  });
});

describe('okx sim: authentication', () => {
  test('REST signature, passphrase, timestamp and environment are checked; the computed vectors pass', async () => {
    const vec = sample('okx', '10');
    const t = Date.parse(vec.vectors[0].timestamp);
    ({ sim } = await startTestSim({ venues: [{ protocol: 'okx', accounts: [{ apiKey: 'sim-key-00000001', secret: vec.secretKey, passphrase: 'pp' }] }] }, t));
    const { rest, k } = okx(sim);
    // GET vector: the documented prehash and signature
    const g = vec.vectors[0];
    const base = { 'OK-ACCESS-KEY': k.apiKey, 'OK-ACCESS-TIMESTAMP': g.timestamp, 'OK-ACCESS-PASSPHRASE': 'pp' };
    let r = await http('GET', `${rest}${g.requestPath}`, { headers: { ...base, 'OK-ACCESS-SIGN': g.expected_base64_signature } });
    expect(r.status).toBe(200);
    expect(r.json.code).toBe('0');
    expect(r.json.data[0].details.map((d: any) => d.ccy)).toEqual(['BTC']);
    // POST vector: the signature over the exact body is accepted; the order itself is then
    // refused because px 2.15 is not on the simulated BTC-USDT tick (0.1)
    const p = vec.vectors[1];
    r = await http('POST', `${rest}${p.requestPath}`, { headers: { ...base, 'OK-ACCESS-SIGN': p.expected_base64_signature, 'Content-Type': 'application/json' }, body: p.body });
    expect(r.status).toBe(200);
    expect(r.json.data[0]).toMatchObject({ clOrdId: 'b15', sCode: '51000', sMsg: 'Parameter px error' });
    r = await http('POST', `${rest}${p.requestPath}`, { headers: { ...base, 'OK-ACCESS-SIGN': p.expected_base64_signature, 'Content-Type': 'application/json' }, body: p.body.replace('"sz":"2"', '"sz":"3"') });
    expect([r.status, r.json.code]).toEqual([401, '50113']);
    r = await http('GET', `${rest}${g.requestPath}`, { headers: { ...base, 'OK-ACCESS-SIGN': p.expected_base64_signature } });
    expect([r.status, r.json]).toEqual([401, { code: '50113', msg: 'Invalid Sign', data: [] }]);
    r = await http('GET', `${rest}${g.requestPath}`, { headers: { ...base, 'OK-ACCESS-PASSPHRASE': 'nope', 'OK-ACCESS-SIGN': g.expected_base64_signature } });
    expect(r.json.code).toBe('50105');
    r = await http('GET', `${rest}${g.requestPath}`, { headers: { ...base, 'OK-ACCESS-KEY': 'unknown-key-123', 'OK-ACCESS-SIGN': g.expected_base64_signature } });
    expect(r.json.code).toBe('50111');
    r = await http('GET', `${rest}${g.requestPath}`, { headers: { ...base, 'OK-ACCESS-SIGN': g.expected_base64_signature, 'x-simulated-trading': '1' } });
    expect(r.json.code).toBe('50101');
    r = await http('GET', `${rest}${g.requestPath}`, { headers: { ...okxHeaders(k, t - 31_000, 'GET', g.requestPath, '') } });
    expect(r.json.code).toBe('50102');
    r = await http('GET', `${rest}${g.requestPath}`, { headers: { ...base, 'OK-ACCESS-TIMESTAMP': String(t), 'OK-ACCESS-SIGN': g.expected_base64_signature } });
    expect(r.json.code).toBe('50112');
    r = await http('GET', `${rest}${g.requestPath}`);
    expect(r.json.code).toBe('50103');
  });

  test('WS login: the computed vector logs in; wrong sign, passphrase and stale timestamps are refused', async () => {
    const vec = sample('okx', '10');
    const login = vec.vectors[2];
    ({ sim } = await startTestSim({ venues: [{ protocol: 'okx', accounts: [{ apiKey: 'sim-key-00000001', secret: vec.secretKey, passphrase: 'pp' }] }] }, Number(login.timestamp) * 1000));
    const { v } = okx(sim);
    const c = await open(v.urls.wsPrivate!);
    const req = (sign: string, passphrase = 'pp', timestamp: string = login.timestamp) => ({ op: 'login', args: [{ apiKey: 'sim-key-00000001', passphrase, timestamp, sign }] });
    c.send(req('+LdIr8lkkvhr5hoA3g9TMC0+uQJ849ftAcocA/ouu4M=x'));
    expect((await c.next()).code).toBe('60007');
    c.send(req(login.expected_base64_signature, 'wrong'));
    expect((await c.next()).code).toBe('60024');
    c.send(req(login.expected_base64_signature, 'pp', String(Number(login.timestamp) - 31)));
    expect((await c.next()).code).toBe('60006');
    c.send({ op: 'subscribe', args: [{ channel: 'orders', instType: 'ANY' }] });
    expect((await c.next()).code).toBe('60011');
    c.send(req(login.expected_base64_signature));
    const ok = await c.next();
    expect(keys(ok)).toEqual(keys(sample('okx', '09').login_success));
    expect(ok).toMatchObject({ event: 'login', code: '0', msg: '' });
  });
});

describe('okx sim: orders', () => {
  test('WS op:order (instIdCode) trades; the orders channel pushes the fill; cancel-order; query by clOrdId over REST', async () => {
    let clock;
    ({ sim, clock } = await startTestSim(OKX_ONLY));
    const { v, k, spot, rest } = okx(sim);
    const inst = parseOkxInstruments((await http('GET', `${rest}/api/v5/public/instruments?instType=SPOT`)).text).instruments[0]!;
    const c = await open(v.urls.wsPrivate!);
    c.send(okxLogin(k, clock.now()));
    await c.next((m) => m.event === 'login');
    expect((await c.call({ id: 's1', op: 'subscribe', args: [{ channel: 'orders', instType: 'ANY' }] })).event).toBe('subscribe');
    const px = spot.instrument.tick.fromUnitsTrimmed(spot.bestAsk() + 10);
    const res = await c.call({ id: 'o1', op: 'order', args: [{ instIdCode: inst.instIdCode, tdMode: 'cash', clOrdId: 'arb1leg0', side: 'buy', ordType: 'ioc', px, sz: '0.001' }] });
    expect(keys(res)).toEqual(['code', 'data', 'id', 'inTime', 'msg', 'op', 'outTime']);
    expect(res).toMatchObject({ id: 'o1', op: 'order', code: '0', msg: '' });
    expect(keys(res.data[0])).toEqual(keys(sample('okx', '05').data[0]));
    expect(res.data[0]).toMatchObject({ clOrdId: 'arb1leg0', sCode: '0' });
    const live = await c.next((m) => m.arg?.channel === 'orders' && m.data[0].state === 'live');
    expect(live.arg).toMatchObject({ channel: 'orders', instType: 'ANY', uid: expect.any(String) });
    const s4 = sample('okx', '04');
    expect(keys(live.data[0])).toEqual(keys(s4.data[0]));
    expect(typesOf(live.data[0])).toEqual(typesOf(s4.data[0]));
    const filled = await c.next((m) => m.arg?.channel === 'orders' && m.data[0].state === 'filled');
    expect(filled.data[0]).toMatchObject({ clOrdId: 'arb1leg0', accFillSz: '0.001', fillSz: '0.001', execType: 'T', fillFeeCcy: 'BTC', instType: 'SPOT', tdMode: 'cash', ordType: 'ioc' });
    expect(filled.data[0].fillFee).toMatch(/^-0\.\d+$/);
    // a resting order, then cancel-order by clOrdId
    const low = spot.instrument.tick.fromUnitsTrimmed(spot.bestBid() - 500);
    const r2 = await c.call({ id: 'o2', op: 'order', args: [{ instId: 'BTC-USDT', tdMode: 'cash', clOrdId: 'rest2', side: 'buy', ordType: 'limit', px: low, sz: '0.002' }] });
    expect(r2.data[0].sCode).toBe('0');
    const q = await http('GET', `${rest}/api/v5/trade/order?instId=BTC-USDT&clOrdId=rest2`, { headers: okxHeaders(k, clock.now(), 'GET', '/api/v5/trade/order?instId=BTC-USDT&clOrdId=rest2', '') });
    expect(q.json.data[0]).toMatchObject({ clOrdId: 'rest2', state: 'live', px: low, sz: '0.002', accFillSz: '0' });
    const cx = await c.call({ id: 'c1', op: 'cancel-order', args: [{ instId: 'BTC-USDT', clOrdId: 'rest2' }] });
    expect(cx).toMatchObject({ code: '0', data: [{ clOrdId: 'rest2', sCode: '0' }] });
    const canceled = await c.next((m) => m.arg?.channel === 'orders' && m.data[0].state === 'canceled');
    expect(canceled.data[0]).toMatchObject({ clOrdId: 'rest2', cancelSource: '1' });
    const cx2 = await c.call({ id: 'c2', op: 'cancel-order', args: [{ instId: 'BTC-USDT', clOrdId: 'rest2' }] });
    expect(cx2).toMatchObject({ code: '1', data: [{ sCode: '51401' }] });
    const bad = await c.call({ id: 'o3', op: 'order', args: [{ instId: 'BTC-USDT', tdMode: 'cash', clOrdId: 'has-dash', side: 'buy', ordType: 'limit', px: low, sz: '0.002' }] });
    expect(bad).toMatchObject({ code: '1', msg: 'All operations failed', data: [{ sCode: '51000', sMsg: 'Parameter clOrdId error' }] });
    expect(keys(bad)).toEqual(keys(sample('okx', '06')));
    const nf = await http('GET', `${rest}/api/v5/trade/order?instId=BTC-USDT&clOrdId=never`, { headers: okxHeaders(k, clock.now(), 'GET', '/api/v5/trade/order?instId=BTC-USDT&clOrdId=never', '') });
    expect(nf.json).toEqual({ code: '51603', msg: 'Order does not exist.', data: [] });
  });

  test('REST place on the SWAP trades in contracts; post_only that would take bounces (canceled, cancelSource 31); duplicates refused', async () => {
    let clock;
    ({ sim, clock } = await startTestSim(OKX_ONLY));
    const { v, k, swap, rest } = okx(sim);
    const c = await open(v.urls.wsPrivate!);
    c.send(okxLogin(k, clock.now()));
    await c.next((m) => m.event === 'login');
    await c.call({ id: 's1', op: 'subscribe', args: [{ channel: 'orders', instType: 'SWAP', instId: 'BTC-USDT-SWAP' }] });
    const place = (body: object) => {
      const b = JSON.stringify(body);
      return http('POST', `${rest}/api/v5/trade/order`, { headers: okxHeaders(k, clock.now(), 'POST', '/api/v5/trade/order', b), body: b });
    };
    const ask = swap.instrument.tick.fromUnitsTrimmed(swap.bestAsk());
    const r = await place({ instId: 'BTC-USDT-SWAP', tdMode: 'cross', clOrdId: 'sw1', side: 'buy', ordType: 'market', sz: '1' });
    expect(r.json).toMatchObject({ code: '0', data: [{ clOrdId: 'sw1', sCode: '0' }] });
    const f = await c.next((m) => m.data?.[0]?.state === 'filled');
    expect(f.arg).toMatchObject({ channel: 'orders', instType: 'SWAP', instId: 'BTC-USDT-SWAP' });
    expect(f.data[0]).toMatchObject({ accFillSz: '1', posSide: 'net', tdMode: 'cross', fillFeeCcy: 'USDT', lever: '10' });
    const po = await place({ instId: 'BTC-USDT-SWAP', tdMode: 'cross', clOrdId: 'po1', side: 'buy', ordType: 'post_only', px: ask, sz: '1' });
    expect(po.json.data[0].sCode).toBe('0');
    const bounced = await c.next((m) => m.data?.[0]?.clOrdId === 'po1' && m.data[0].state === 'canceled');
    expect(bounced.data[0].cancelSource).toBe('31');
    const low = swap.instrument.tick.fromUnitsTrimmed(swap.bestBid() - 100);
    expect((await place({ instId: 'BTC-USDT-SWAP', tdMode: 'cross', clOrdId: 'd1', side: 'buy', ordType: 'limit', px: low, sz: '1' })).json.code).toBe('0');
    const dup = await place({ instId: 'BTC-USDT-SWAP', tdMode: 'cross', clOrdId: 'd1', side: 'buy', ordType: 'limit', px: low, sz: '1' });
    expect(dup.json).toMatchObject({ code: '1', data: [{ sCode: '51016' }] });
    const lot = await place({ instId: 'BTC-USDT-SWAP', tdMode: 'cross', side: 'buy', ordType: 'limit', px: low, sz: '1.005' });
    expect(lot.json.data[0].sCode).toBe('51121');
    const mode = await place({ instId: 'BTC-USDT-SWAP', tdMode: 'cash', side: 'buy', ordType: 'limit', px: low, sz: '1' });
    expect(mode.json.data[0]).toMatchObject({ sCode: '51000', sMsg: 'Parameter tdMode error' });
    const pos = await http('GET', `${rest}/api/v5/account/positions?instId=BTC-USDT-SWAP`, { headers: okxHeaders(k, clock.now(), 'GET', '/api/v5/account/positions?instId=BTC-USDT-SWAP', '') });
    expect(pos.json.data[0]).toMatchObject({ instId: 'BTC-USDT-SWAP', pos: '1', posSide: 'net' });
  });

  test('per user-and-instrument order budget answers 50011 (REST 429, WS code); the 64008 notice reaches every connection', async () => {
    let clock;
    ({ sim, clock } = await startTestSim({ venues: [{ protocol: 'okx', rateLimits: { orderPer2s: 2 } }] }));
    const { v, k, spot, rest } = okx(sim);
    const low = spot.instrument.tick.fromUnitsTrimmed(spot.bestBid() - 500);
    const body = JSON.stringify({ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: low, sz: '0.001' });
    const post = () => http('POST', `${rest}/api/v5/trade/order`, { headers: okxHeaders(k, clock.now(), 'POST', '/api/v5/trade/order', body), body });
    expect((await post()).json.code).toBe('0');
    expect((await post()).json.code).toBe('0');
    const third = await post();
    expect([third.status, third.json.code]).toEqual([429, '50011']);
    // the swap has its own budget
    const sb = JSON.stringify({ instId: 'BTC-USDT-SWAP', tdMode: 'cross', side: 'buy', ordType: 'limit', px: low, sz: '1' });
    expect((await http('POST', `${rest}/api/v5/trade/order`, { headers: okxHeaders(k, clock.now(), 'POST', '/api/v5/trade/order', sb), body: sb })).json.code).toBe('0');
    const c = await open(v.urls.wsPrivate!);
    c.send(okxLogin(k, clock.now()));
    await c.next((m) => m.event === 'login');
    const ws = await c.call({ id: 'w1', op: 'order', args: [JSON.parse(body)] });
    expect(ws).toMatchObject({ code: '50011', data: [] });
    clock.advance(2000);
    expect((await c.call({ id: 'w2', op: 'order', args: [JSON.parse(body)] })).code).toBe('0');
    const pub = await open(v.urls.wsPublic!);
    pub.send('ping');
    await pub.next((m) => m === 'pong');
    expect(sim.faults.shutdownNotice({ venue: 'okx' })).toBe(2);
    const n1 = await pub.next((m) => m.event === 'notice');
    const n2 = await c.next((m) => m.event === 'notice');
    const want = sample('okx', '09').notice_before_upgrade_disconnect;
    for (const n of [n1, n2]) {
      expect(keys(n)).toEqual(keys(want));
      expect({ ...n, connId: '' }).toEqual({ ...want, connId: '' });
    }
  });
});
