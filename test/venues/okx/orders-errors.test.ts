// OKX private answers: orders push (sample 04), place-order answers REST (sample 05) and WS
// failure (sample 06), order query, events (sample 09); error mapping (unknown outcomes are never
// rejections); rate-limit budgets with an injected clock; instrument metadata.
import { describe, expect, it } from 'vitest';
import { InstrumentTable } from '../../../src/core/instrument.js';
import { okxDisconnectedInfo, okxErrorInfo, okxHttpErrorInfo, okxTimeoutInfo } from '../../../src/venues/okx/errors.js';
import { parseOkxInstruments } from '../../../src/venues/okx/instruments.js';
import {
  mapOkxOrdersPush, okxSingleOrderResult, parseOkxEvent, parseOkxOrderQuery, parseOkxOrderResponse,
} from '../../../src/venues/okx/orders.js';
import { OkxRateBudget, SlidingWindowBudget } from '../../../src/venues/okx/rate-limit.js';
import { sampleJson, sampleText, table } from './fixtures.js';

describe('OKX orders channel (sample 04)', () => {
  it('maps the docs push to a fill report in lots and ticks', () => {
    const m = mapOkxOrdersPush(sampleText('04_'), table());
    expect(m.errors).toEqual([]);
    expect(m.reports).toHaveLength(1);
    const r = m.reports[0]!;
    expect(r).toMatchObject({
      venue: 'okx', kind: 'fill', symbol: 'BTC-USDT', clientOrderId: '', venueOrderId: '452197707845865472',
      side: 'sell', orderType: 'limit', venueStatus: 'filled', price: '31527.1', qty: '0.001', cumQty: '0.001',
      avgPrice: '31527.1', lastQty: '0.001', lastPrice: '31527.1', tradeId: '242589207', liquidity: 'maker',
      lastFee: '0.02522168', lastFeeCcy: 'USDT', cancelReason: '', error: null,
      venueTimeMs: 1654084353264, fillTimeMs: 1654084353263,
    });
    expect(r.instrument).toBe(0);
    expect(r.priceTicks).toBe(3152710);
    expect(r.qtyLots).toBe(100000);
    expect(r.cumQtyLots).toBe(100000);
    expect(r.lastQtyLots).toBe(100000);
    expect(r.lastPriceTicks).toBe(3152710);
    expect(r.leavesQtyLots).toBe(0);
  });

  it('states: live ack, partial fill, IOC remainder, post-only bounce, amend failure', () => {
    const base = sampleJson('04_');
    const push = (patch: Record<string, string>) => {
      const o = structuredClone(base);
      Object.assign(o.data[0], patch);
      return mapOkxOrdersPush(JSON.stringify(o), table()).reports[0]!;
    };
    const live = push({ state: 'live', fillSz: '0', accFillSz: '0', tradeId: '', clOrdId: 'abc', sz: '0.003' });
    expect(live.kind).toBe('ack');
    expect(live.lastQtyLots).toBe(0);
    expect(live.tradeId).toBe('');
    expect(live.leavesQtyLots).toBe(300000);
    const part = push({ state: 'partially_filled', sz: '0.003', accFillSz: '0.001', execType: 'T' });
    expect(part.kind).toBe('partial_fill');
    expect(part.leavesQtyLots).toBe(200000);
    expect(part.liquidity).toBe('taker');
    const ioc = push({ state: 'canceled', ordType: 'ioc', cancelSource: '14', fillSz: '0' });
    expect(ioc.kind).toBe('cancelled');
    expect(ioc.cancelReason).toBe('expired');
    const po = push({ state: 'canceled', ordType: 'post_only', cancelSource: '31', fillSz: '' });
    expect(po.cancelReason).toBe('post_only');
    expect(po.orderType).toBe('post_only');
    const amendFail = push({ state: 'live', fillSz: '0', code: '51008', msg: 'Insufficient balance' });
    expect(amendFail.error?.code).toBe('INSUFFICIENT_BALANCE');
    const weird = push({ state: 'mystery' });
    expect(weird.kind).toBe('outcome_unknown');
    const rebate = push({ fillFee: '0.5' });
    expect(rebate.lastFee).toBe('-0.5');
  });

  it('spot market buy sized in quote currency has no lot quantity', () => {
    const o = sampleJson('04_');
    Object.assign(o.data[0], { ordType: 'market', side: 'buy', tgtCcy: 'quote_ccy', sz: '31.5' });
    const r = mapOkxOrdersPush(JSON.stringify(o), table()).reports[0]!;
    expect(Number.isNaN(r.qtyLots)).toBe(true);
    expect(r.lastQtyLots).toBe(100000);
  });

  it('bad input is reported, never thrown', () => {
    expect(mapOkxOrdersPush('{', table()).errors).toEqual(['unparseable orders push']);
    expect(mapOkxOrdersPush('{"arg":{"channel":"books"},"data":[]}', table()).errors).toEqual(['not an orders push']);
    const bad = mapOkxOrdersPush('{"arg":{"channel":"orders"},"data":[1,{"instId":"BTC-USDT","ordId":"1","side":"up"},{"ordId":"2"}]}', table());
    expect(bad.reports).toEqual([]);
    expect(bad.errors).toHaveLength(3);
    const unknownIns = mapOkxOrdersPush('{"arg":{"channel":"orders"},"data":[{"instId":"XRP-USDT","ordId":"1","side":"buy","state":"live","sz":"1"}]}', table());
    expect(unknownIns.reports[0]!.instrument).toBe(-1);
    expect(Number.isNaN(unknownIns.reports[0]!.qtyLots)).toBe(true);
  });

  it('order query answer (same order object)', () => {
    const o = sampleJson('04_');
    const q = parseOkxOrderQuery(JSON.stringify({ code: '0', msg: '', data: o.data }), table());
    expect(q.error).toBeNull();
    expect(q.report?.kind).toBe('fill');
    const nf = parseOkxOrderQuery('{"code":"51603","msg":"Order does not exist.","data":[]}', table());
    expect(nf.report).toBeNull();
    expect(nf.error?.code).toBe('ORDER_NOT_FOUND');
    expect(nf.error?.outcome).toBe('known');
    expect(parseOkxOrderQuery('<html>', table(), 502).error).toMatchObject({ code: 'VENUE_UNAVAILABLE', outcome: 'unknown' });
  });
});

describe('OKX place-order answers (samples 05, 06)', () => {
  it('05 REST success -> ack', () => {
    const r = parseOkxOrderResponse(sampleText('05_'));
    expect(r.error).toBeNull();
    expect(r.inTimeUs).toBe(1695190491421339);
    expect(r.outTimeUs).toBe(1695190491423240);
    expect(okxSingleOrderResult(r)).toEqual({ ok: true, clOrdId: 'oktswap6', ordId: '312269865356374016', tsMs: 1695190491421 });
  });

  it('06 WS per-order failure: sCode decides, unmapped code is outcome unknown', () => {
    const r = parseOkxOrderResponse(sampleText('06_'), 0);
    expect(r.id).toBe('1512');
    expect(r.op).toBe('order');
    const one = okxSingleOrderResult(r);
    expect(one.ok).toBe(false);
    if (one.ok) return;
    expect(one.error).toMatchObject({ venueCode: '5XXXX', message: 'not exist', code: 'UNKNOWN_ERROR', outcome: 'unknown' });
  });

  it('per-order failures map through sCode and subCode', () => {
    const body = (sCode: string, sMsg: string, subCode = '') => JSON.stringify({
      code: '1', msg: '', data: [{ clOrdId: 'a1', ordId: '', tag: '', ts: '1', sCode, sMsg, subCode }], inTime: '1', outTime: '2',
    });
    const bal = okxSingleOrderResult(parseOkxOrderResponse(body('51008', 'Order failed. Insufficient USDT balance in account', '1000')));
    expect(!bal.ok && bal.error).toMatchObject({ code: 'INSUFFICIENT_BALANCE', venueCode: '51008_1000', outcome: 'known', retryable: false });
    const dup = okxSingleOrderResult(parseOkxOrderResponse(body('51016', 'Client order ID already exists.')));
    expect(!dup.ok && dup.error.code).toBe('DUPLICATE_CLIENT_ID');
    const to = okxSingleOrderResult(parseOkxOrderResponse(body('51149', 'Order timed out'), 500));
    expect(!to.ok && to.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcome: 'unknown', retryable: false });
    const po = okxSingleOrderResult(parseOkxOrderResponse(body('51019', 'post only')));
    expect(!po.ok && po.error.code).toBe('POST_ONLY_REJECTED');
  });

  it('whole-request failures: rate limit, WS format error, 5xx, garbage', () => {
    const rl = parseOkxOrderResponse('{"code":"50011","msg":"Too Many Requests","data":[]}', 429, 1000);
    expect(rl.error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, outcome: 'known', retryAfterMs: 1000 });
    const fmt = parseOkxOrderResponse('{"id":"9","op":"order","code":"60013","msg":"Invalid args","data":[]}', 0);
    expect(fmt.error).toMatchObject({ code: 'INVALID_ORDER', outcome: 'known' });
    const t = parseOkxOrderResponse('{"code":"50004","msg":"API endpoint request timeout","data":[]}');
    expect(t.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcome: 'unknown' });
    expect(parseOkxOrderResponse('Bad Gateway', 502).error).toMatchObject({ code: 'VENUE_UNAVAILABLE', outcome: 'unknown' });
    expect(parseOkxOrderResponse('{"code":"0","data":[]}').error).toMatchObject({ outcome: 'unknown' });
    expect(parseOkxOrderResponse('[]').error).toMatchObject({ outcome: 'unknown' });
    expect(okxSingleOrderResult(parseOkxOrderResponse('')).ok).toBe(false);
  });
});

describe('OKX events (sample 09)', () => {
  const s = sampleJson('09_');
  it('login success / failure, subscribe ack, upgrade notice', () => {
    expect(parseOkxEvent(JSON.stringify(s.login_success))).toMatchObject({ event: 'login', code: '0', error: null, reconnectSoon: false });
    expect(parseOkxEvent(JSON.stringify(s.login_failure))).toMatchObject({ event: 'error', code: '60009', error: { code: 'AUTH', retryable: false } });
    expect(parseOkxEvent(JSON.stringify(s.subscribe_books_response))).toMatchObject({ event: 'subscribe', id: '1512', error: null });
    expect(parseOkxEvent(JSON.stringify(s.notice_before_upgrade_disconnect))).toMatchObject({ event: 'notice', reconnectSoon: true, error: null });
    expect(parseOkxEvent('{"event":"error","code":"60012","msg":"Invalid request"}')?.error?.code).toBe('REJECTED');
    expect(parseOkxEvent('nope')).toBeNull();
  });
});

describe('OKX error mapping', () => {
  it('unknown outcomes are never rejections', () => {
    for (const code of ['50004', '51149', '50001', '50026']) {
      const e = okxErrorInfo({ code, msg: '' });
      expect(e.outcome, code).toBe('unknown');
      expect(e.code).not.toBe('REJECTED');
      expect(e.retryable).toBe(false);
    }
    expect(okxTimeoutInfo(5000)).toMatchObject({ code: 'TIMEOUT', outcome: 'unknown' });
    expect(okxDisconnectedInfo('socket closed')).toMatchObject({ outcome: 'unknown' });
    expect(okxHttpErrorInfo(503, '')).toMatchObject({ code: 'VENUE_UNAVAILABLE', outcome: 'unknown' });
    expect(okxErrorInfo({ code: '99999', msg: '' })).toMatchObject({ code: 'UNKNOWN_ERROR', outcome: 'unknown' });
    expect(okxErrorInfo({ code: '99999', msg: '', httpStatus: 500 })).toMatchObject({ code: 'VENUE_UNAVAILABLE', outcome: 'unknown' });
  });

  it('documented codes', () => {
    const table: [string, string, boolean][] = [
      ['50011', 'RATE_LIMITED', true], ['50061', 'RATE_LIMITED', true], ['50013', 'RATE_LIMITED', true], ['60014', 'RATE_LIMITED', true],
      ['51008', 'INSUFFICIENT_BALANCE', false], ['51131', 'INSUFFICIENT_BALANCE', false], ['51127', 'INSUFFICIENT_BALANCE', false],
      ['51016', 'DUPLICATE_CLIENT_ID', false], ['51603', 'ORDER_NOT_FOUND', false], ['51400', 'ORDER_NOT_FOUND', false],
      ['51006', 'INVALID_ORDER', false], ['51020', 'INVALID_ORDER', false], ['51121', 'INVALID_ORDER', false], ['51000', 'INVALID_ORDER', false],
      ['51019', 'POST_ONLY_REJECTED', false], ['50113', 'AUTH', false], ['50105', 'AUTH', false], ['50101', 'AUTH', false],
      ['50102', 'TIMESTAMP', true], ['60004', 'TIMESTAMP', true], ['60006', 'TIMESTAMP', true], ['60007', 'AUTH', false],
      ['60009', 'AUTH', false], ['60024', 'AUTH', false], ['51022', 'MARKET_CLOSED', false],
    ];
    for (const [code, want, retry] of table) {
      const e = okxErrorInfo({ code, msg: 'm', httpStatus: 200 });
      expect(e.code, code).toBe(want);
      expect(e.retryable, code).toBe(retry);
      expect(e.outcome, code).toBe('known');
      expect(e.venueCode).toBe(code);
    }
    expect(okxErrorInfo({ code: '50011', httpStatus: 429, retryAfterMs: 2000 }).retryAfterMs).toBe(2000);
    expect(okxHttpErrorInfo(429, 'Too Many Requests', 500)).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 500 });
  });
});

describe('OKX rate-limit budgets (injected time)', () => {
  it('sliding window: 60 per 2 s per instrument, exact wait', () => {
    const b = new SlidingWindowBudget(60, 2000);
    for (let i = 0; i < 60; i++) expect(b.tryTake(1000 + i)).toBe(true);
    expect(b.tryTake(1100)).toBe(false);
    expect(b.waitMs(1100)).toBe(1000 + 2000 - 1100); // the first grant leaves the window at 3000
    expect(b.tryTake(3000)).toBe(true);
    expect(b.remaining(3000)).toBe(0);
    expect(b.remaining(5100)).toBe(60);
  });

  it('place is per instrument and also capped by the sub-account limit', () => {
    const r = new OkxRateBudget({}, { limit: 100, windowMs: 2000 });
    for (let i = 0; i < 60; i++) expect(r.tryAcquire('place', 'BTC-USDT', 0)).toBe(0);
    expect(r.tryAcquire('place', 'BTC-USDT', 0)).toBe(2000);
    for (let i = 0; i < 40; i++) expect(r.tryAcquire('place', 'ETH-USDT', 0)).toBe(0);
    expect(r.tryAcquire('place', 'SOL-USDT', 10)).toBe(1990); // sub-account full
    expect(r.tryAcquire('cancel', 'SOL-USDT', 10)).toBe(0); // cancel is independent
    expect(r.tryAcquire('place', 'SOL-USDT', 2000)).toBe(0);
  });

  it('a venue rate-limit answer blocks the budget (50061 blocks every place)', () => {
    const r = new OkxRateBudget();
    r.onRateLimited('place', 'BTC-USDT', '50011', 0, 5000);
    expect(r.waitMs('place', 'BTC-USDT', 100)).toBe(4900);
    expect(r.waitMs('place', 'ETH-USDT', 100)).toBe(0);
    r.onRateLimited('place', 'ETH-USDT', '50061', 200);
    expect(r.waitMs('place', 'XRP-USDT', 300)).toBe(1900);
    expect(r.waitMs('books', '', 300)).toBe(0);
    // public endpoints and WS limits
    for (let i = 0; i < 40; i++) expect(r.tryAcquire('books', '', 0)).toBe(0);
    expect(r.tryAcquire('books', '', 0)).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) expect(r.tryAcquire('ws-connect', '', 0)).toBe(0);
    expect(r.tryAcquire('ws-connect', '', 999)).toBe(1);
  });

  it('time going backwards is clamped, never grants more', () => {
    const b = new SlidingWindowBudget(2, 1000);
    expect(b.tryTake(5000)).toBe(true);
    expect(b.tryTake(5000)).toBe(true);
    expect(b.tryTake(100)).toBe(false);
  });
});

describe('OKX instruments', () => {
  const body = JSON.stringify({
    code: '0', msg: '', data: [
      { instType: 'SPOT', instId: 'BTC-USDT', instIdCode: 10459, baseCcy: 'BTC', quoteCcy: 'USDT', tickSz: '0.1', lotSz: '0.00000001', minSz: '0.00001', state: 'live', ctVal: '', ctValCcy: '', ctType: '' },
      { instType: 'SWAP', instId: 'BTC-USDT-SWAP', instIdCode: 10460, uly: 'BTC-USDT', instFamily: 'BTC-USDT', settleCcy: 'USDT', ctVal: '0.01', ctValCcy: 'BTC', ctType: 'linear', tickSz: '0.1', lotSz: '0.01', minSz: '0.01', state: 'live' },
      { instType: 'SWAP', instId: 'BTC-USD-SWAP', uly: 'BTC-USD', instFamily: 'BTC-USD', settleCcy: 'BTC', ctVal: '100', ctValCcy: 'USD', ctType: 'inverse', tickSz: '0.1', lotSz: '1', minSz: '1', state: 'suspend' },
      { instType: 'OPTION', instId: 'BTC-USD-260101-50000-C' },
      { instType: 'SWAP', instId: 'ETH-USDT-SWAP', instFamily: 'ETH-USDT', ctVal: '0.1', ctValCcy: 'ETH', ctType: 'linear', tickSz: 'abc', lotSz: '1', minSz: '1' },
    ],
  });

  it('maps spot, linear and inverse swaps into InstrumentSpec (+ instIdCode, state)', () => {
    const r = parseOkxInstruments(body);
    expect(r.error).toBeNull();
    expect(r.skipped).toBe(1);
    expect(r.errors).toEqual(['ETH-USDT-SWAP: bad tickSz "abc"']);
    expect(r.instruments.map((i) => i.symbol)).toEqual(['BTC-USDT', 'BTC-USDT-SWAP', 'BTC-USD-SWAP']);
    expect(r.instruments[0]).toMatchObject({
      venue: 'okx', kind: 'spot', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '0.00000001', minQty: '0.00001',
      minNotional: '0', contractValue: '1', contractValueCcy: 'BTC', contractType: 'none', instIdCode: 10459, state: 'live',
    });
    expect(r.instruments[1]).toMatchObject({
      kind: 'perpetual', base: 'BTC', quote: 'USDT', contractValue: '0.01', contractValueCcy: 'BTC', contractType: 'linear', lotSize: '0.01', instIdCode: 10460,
    });
    expect(r.instruments[2]).toMatchObject({ contractType: 'inverse', contractValue: '100', contractValueCcy: 'USD', state: 'suspend', instIdCode: null });
    // The core accepts them and works in integer lots of contracts.
    const t = new InstrumentTable(r.instruments);
    expect(t.find('BTC-USDT-SWAP')!.minQtyLots).toBe(1);
    expect(t.find('BTC-USD-SWAP')!.isInverse).toBe(true);
  });

  it('venue error and garbage', () => {
    expect(parseOkxInstruments('{"code":"50011","msg":"Too Many Requests","data":[]}', 429).error?.code).toBe('RATE_LIMITED');
    expect(parseOkxInstruments('not json').error?.venueCode).toBe('BAD_RESPONSE');
  });
});
