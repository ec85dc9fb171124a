// Binance order entry: request building (REST + WS API, 2026 URLs), deterministic client ids,
// order answers and private-stream reports (every order/report sample), error mapping.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InstrumentTable } from '../../../src/core/instrument.js';
import { BINANCE_SPOT, binanceSpotDepthStream, binanceSpotStreamUrl } from '../../../src/venues/binance-spot/endpoints.js';
import { BINANCE_USDM, binanceUsdmPrivateUrl, binanceUsdmRoute, binanceUsdmStreamUrl } from '../../../src/venues/binance-usdm/endpoints.js';
import { binanceClientOrderId, isValidBinanceClientOrderId, parseBinanceClientOrderId, ClientIdError } from '../../../src/venues/binance/client-id.js';
import { OrderBuildError, newOrderParams, restCancelOrder, restDepthSnapshot, restNewOrder, restQueryOrder, restUsdmListenKey, wsApiCancelOrder, wsApiNewOrder, wsApiQueryOrder, wsApiUserDataSubscribe } from '../../../src/venues/binance/requests.js';
import { signRest, signWsApi } from '../../../src/venues/binance/signing.js';
import { binanceErrorReport, mapBinanceOrderAnswer, mapBinancePrivateMessage } from '../../../src/venues/binance/private.js';
import { binanceErrorInfo, binanceHttpErrorInfo, binanceTimeoutInfo } from '../../../src/venues/binance/errors.js';
import type { OrderIntent } from '../../../src/venues/types.js';
import { sample, sampleText, spec } from './samples.js';

const creds = { apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A', secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j' };
const spotTable = new InstrumentTable([spec('BTCUSDT', '0.01', '0.00001'), spec('ETHBTC', '0.00000001', '0.00000001')]);
const usdmTable = new InstrumentTable([spec('BTCUSDT', '0.10', '0.001', 'binance-usdm')]);
const now = { nowMs: 1645423376532 };

function intent(over: Partial<OrderIntent>): OrderIntent {
  return { clientOrderId: binanceClientOrderId('xmc', 42, 1, 0), side: 'sell', type: 'limit', priceTicks: 5200000, qtyLots: 1000, ...over };
}

describe('client order ids', () => {
  it('are deterministic, reversible, within both venues\' formats and 36 chars', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 35 }), fc.integer({ min: 0, max: 36 ** 4 - 1 }), (combo, leg, attempt) => {
        const id = binanceClientOrderId('xmc', combo, leg, attempt);
        expect(id).toBe(binanceClientOrderId('xmc', combo, leg, attempt));
        expect(id.length).toBeLessThanOrEqual(36);
        expect(isValidBinanceClientOrderId('binance-spot', id)).toBe(true);
        expect(isValidBinanceClientOrderId('binance-usdm', id)).toBe(true);
        expect(parseBinanceClientOrderId('xmc', id)).toEqual({ comboId: combo, leg, attempt });
      }),
    );
    expect(binanceClientOrderId('ABCDEFGH', Number.MAX_SAFE_INTEGER, 35, 36 ** 4 - 1)).toBe('ABCDEFGH-2gosa7pa2gv-z-zzzz');
  });
  it('reject bad inputs and foreign ids', () => {
    expect(() => binanceClientOrderId('x-y', 1, 0, 0)).toThrow(ClientIdError);
    expect(() => binanceClientOrderId('toolongprefix', 1, 0, 0)).toThrow(ClientIdError);
    expect(() => binanceClientOrderId('x', -1, 0, 0)).toThrow(ClientIdError);
    expect(() => binanceClientOrderId('x', 1, 36, 0)).toThrow(ClientIdError);
    expect(() => binanceClientOrderId('x', 1, 0, 36 ** 4)).toThrow(ClientIdError);
    expect(parseBinanceClientOrderId('xmc', 'mUvoqJxFIILMdfAW5iGSOW')).toBeNull();
    expect(parseBinanceClientOrderId('xmc', 'xmc-01-0-0')).toBeNull(); // non-canonical
    expect(parseBinanceClientOrderId('abc', 'xmc-1-0-0')).toBeNull();
  });
});

describe('new order parameters', () => {
  const btc = spotTable.get(0);
  const fut = usdmTable.get(0);
  const types: [OrderIntent['type'], string, string][] = [
    ['limit', 'type=LIMIT&timeInForce=GTC', 'type=LIMIT&timeInForce=GTC'],
    ['ioc', 'type=LIMIT&timeInForce=IOC', 'type=LIMIT&timeInForce=IOC'],
    ['fok', 'type=LIMIT&timeInForce=FOK', 'type=LIMIT&timeInForce=FOK'],
    ['post_only', 'type=LIMIT_MAKER', 'type=LIMIT&timeInForce=GTX'],
    ['market', 'type=MARKET', 'type=MARKET'],
  ];
  it.each(types)('%s -> spot %s, usdm %s', (type, spotForm, usdmForm) => {
    const s = restNewOrder(BINANCE_SPOT, creds, btc, intent({ type }), now);
    expect(s.query).toContain(spotForm + '&quantity=0.01000');
    const f = restNewOrder(BINANCE_USDM, creds, fut, intent({ type, priceTicks: 520000, qtyLots: 10 }), now);
    expect(f.query).toContain(usdmForm + '&quantity=0.010');
    if (type === 'market') expect(s.query).not.toContain('price=');
    else {
      expect(s.query).toContain('&price=52000.00&');
      expect(f.query).toContain('&price=52000.0&');
    }
  });
  it('REST: 2026 URLs, header key, signature over the exact query, costs', () => {
    const r = restNewOrder(BINANCE_SPOT, creds, btc, intent({}), { nowMs: 1, recvWindowMs: 5000 });
    expect(r.method).toBe('POST');
    expect(r.url.startsWith('https://api.binance.com/api/v3/order?symbol=BTCUSDT&side=SELL&')).toBe(true);
    expect(r.headers).toEqual({ 'X-MBX-APIKEY': creds.apiKey });
    const [unsigned, sig] = r.query.split('&signature=');
    expect(unsigned!.endsWith('newClientOrderId=xmc-16-1-0&newOrderRespType=RESULT&recvWindow=5000&timestamp=1')).toBe(true);
    expect(sig).toBe(signRest(creds.secret, unsigned!));
    expect([r.weight, r.orders]).toEqual([1, 1]);
    const f = restNewOrder(BINANCE_USDM, creds, fut, intent({ reduceOnly: true, priceTicks: 520000 }), now);
    expect(f.url.startsWith('https://fapi.binance.com/fapi/v1/order?')).toBe(true);
    expect(f.query).toContain('reduceOnly=true');
    expect([f.weight, f.orders]).toEqual([0, 1]);
  });
  it('cancel and query by origClientOrderId', () => {
    const c = restCancelOrder(BINANCE_SPOT, creds, 'BTCUSDT', 'xmc-16-1-0', now);
    expect([c.method, c.path]).toEqual(['DELETE', '/api/v3/order']);
    expect(c.query.startsWith('symbol=BTCUSDT&origClientOrderId=xmc-16-1-0&timestamp=1645423376532&signature=')).toBe(true);
    const q = restQueryOrder(BINANCE_USDM, creds, 'BTCUSDT', 'xmc-16-1-0', now);
    expect([q.method, q.path, q.weight]).toEqual(['GET', '/fapi/v1/order', 1]);
    expect(restQueryOrder(BINANCE_SPOT, creds, 'BTCUSDT', 'x', now).weight).toBe(4);
  });
  it('refuses malformed intents', () => {
    expect(() => newOrderParams(BINANCE_SPOT, btc, intent({ clientOrderId: 'has space' }))).toThrow(OrderBuildError);
    expect(() => newOrderParams(BINANCE_SPOT, btc, intent({ clientOrderId: 'a'.repeat(37) }))).toThrow(OrderBuildError);
    expect(() => newOrderParams(BINANCE_SPOT, btc, intent({ qtyLots: 0 }))).toThrow(OrderBuildError);
    expect(() => newOrderParams(BINANCE_SPOT, btc, intent({ priceTicks: 1.5 }))).toThrow(OrderBuildError);
    expect(() => newOrderParams(BINANCE_SPOT, btc, intent({ reduceOnly: true }))).toThrow(OrderBuildError);
    // USD-M allows '.', ':' and '/' in client ids; spot does not
    expect(newOrderParams(BINANCE_USDM, fut, intent({ clientOrderId: 'a.b:c/d' }))).toContainEqual(['newClientOrderId', 'a.b:c/d']);
    expect(() => newOrderParams(BINANCE_SPOT, btc, intent({ clientOrderId: 'a.b:c/d' }))).toThrow(OrderBuildError);
  });
});

describe('WebSocket API requests', () => {
  const btc = spotTable.get(0);
  it('order.place with apiKey, timestamp and a signature over the sorted params', () => {
    const r = wsApiNewOrder(BINANCE_SPOT, creds, 'req-1', btc, intent({}), { nowMs: 1645423376532, recvWindowMs: 100 });
    const msg = JSON.parse(r.text);
    expect(msg.method).toBe('order.place');
    expect(msg.id).toBe('req-1');
    expect(msg.params).toMatchObject({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', price: '52000.00', quantity: '0.01000', apiKey: creds.apiKey, recvWindow: 100, timestamp: 1645423376532 });
    const { signature, ...rest } = msg.params;
    expect(signature).toBe(signWsApi(creds.secret, rest));
  });
  it('reproduces the docs WS-API vector when given the same params', () => {
    const v = sample('binance_spot', '09').ws_api_vectors_params_sorted_alphabetically[0];
    const p = { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01000000', price: '52000.00', recvWindow: 100, timestamp: 1645423376532, apiKey: creds.apiKey };
    expect(signWsApi(creds.secret, p)).toBe(v.expected_hex_signature);
  });
  it('order.cancel, order.status, userDataStream.subscribe.signature; ids checked', () => {
    expect(JSON.parse(wsApiCancelOrder(BINANCE_SPOT, creds, 'c1', 'BTCUSDT', 'xmc-1-0-0', now).text).params.origClientOrderId).toBe('xmc-1-0-0');
    expect(wsApiQueryOrder(BINANCE_USDM, creds, 'q1', 'BTCUSDT', 'xmc-1-0-0', now).method).toBe('order.status');
    const sub = JSON.parse(wsApiUserDataSubscribe(BINANCE_SPOT, creds, 's1', now).text);
    expect(sub.method).toBe('userDataStream.subscribe.signature');
    expect(Object.keys(sub.params).sort()).toEqual(['apiKey', 'signature', 'timestamp']);
    expect(() => wsApiUserDataSubscribe(BINANCE_USDM, creds, 's1', now)).toThrow(OrderBuildError);
    expect(() => wsApiCancelOrder(BINANCE_SPOT, creds, 'bad id!', 'BTCUSDT', 'x', now)).toThrow(OrderBuildError);
  });
});

describe('endpoints (2026 forms)', () => {
  it('spot streams and snapshot', () => {
    expect(binanceSpotStreamUrl([binanceSpotDepthStream('BTCUSDT')])).toBe('wss://stream.binance.com:9443/ws/btcusdt@depth@100ms');
    expect(binanceSpotStreamUrl(['btcusdt@depth@100ms', 'ethusdt@depth@100ms'])).toBe('wss://stream.binance.com:9443/stream?streams=btcusdt@depth@100ms/ethusdt@depth@100ms');
    const d = restDepthSnapshot(BINANCE_SPOT, 'BTCUSDT', 5000);
    expect([d.url, d.weight]).toEqual(['https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=5000', 250]);
    expect(restDepthSnapshot(BINANCE_SPOT, 'BTCUSDT', 300).weight).toBe(25);
    expect(BINANCE_SPOT.wsApiUrl).toBe('wss://ws-api.binance.com:443/ws-api/v3');
  });
  it('usdm /public /market /private split', () => {
    expect(binanceUsdmStreamUrl(['btcusdt@depth@100ms'])).toBe('wss://fstream.binance.com/public/ws/btcusdt@depth@100ms');
    expect(binanceUsdmStreamUrl(['btcusdt@depth@100ms', 'btcusdt@bookTicker'])).toBe('wss://fstream.binance.com/public/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker');
    expect(binanceUsdmRoute('btcusdt@aggTrade')).toBe('market');
    expect(binanceUsdmRoute('btcusdt@markPrice@1s')).toBe('market');
    expect(binanceUsdmRoute('btcusdt@depth20@100ms')).toBe('public');
    expect(() => binanceUsdmStreamUrl(['btcusdt@depth', 'btcusdt@aggTrade'])).toThrow();
    expect(binanceUsdmPrivateUrl('abc')).toBe('wss://fstream.binance.com/private/ws?listenKey=abc&events=ORDER_TRADE_UPDATE/TRADE_LITE/ACCOUNT_UPDATE');
    const d = restDepthSnapshot(BINANCE_USDM, 'BTCUSDT', 1000);
    expect([d.url, d.weight]).toEqual(['https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000', 20]);
    expect(restDepthSnapshot(BINANCE_USDM, 'BTCUSDT', 7).query).toBe('symbol=BTCUSDT&limit=10');
    const lk = restUsdmListenKey(BINANCE_USDM, creds, 'PUT');
    expect([lk.method, lk.url, lk.headers['X-MBX-APIKEY']]).toEqual(['PUT', 'https://fapi.binance.com/fapi/v1/listenKey', creds.apiKey]);
    expect(() => restUsdmListenKey(BINANCE_SPOT, creds, 'POST')).toThrow(OrderBuildError);
  });
});

describe('private streams and order answers (samples)', () => {
  it('spot 03 executionReport in the WS-API subscription envelope', () => {
    const r = mapBinancePrivateMessage('binance-spot', sampleText('binance_spot', '03'), spotTable);
    expect(r.type).toBe('report');
    if (r.type !== 'report') return;
    expect(r.report).toMatchObject({
      venue: 'binance-spot', kind: 'ack', symbol: 'ETHBTC', instrument: 1, clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW', venueOrderId: '4293153',
      side: 'buy', orderType: 'limit', venueStatus: 'NEW', price: '0.10264410', qty: '1.00000000', cumQty: '0.00000000',
      priceTicks: 10264410, qtyLots: 100000000, cumQtyLots: 0, leavesQtyLots: 100000000, lastQtyLots: 0, tradeId: '', liquidity: '',
      cancelReason: '', error: null, venueTimeMs: 1499405658658, fillTimeMs: 0,
    });
  });

  it('spot executionReport fills, cancels (original id from C), expiries, rejects', () => {
    const base = sample('binance_spot', '03');
    const ev = (o: object) => JSON.stringify({ subscriptionId: 0, event: { ...base.event, ...o } });
    const part = mapBinancePrivateMessage('binance-spot', ev({ x: 'TRADE', X: 'PARTIALLY_FILLED', l: '0.40000000', z: '0.40000000', L: '0.10264410', n: '0.00001', N: 'BNB', t: 77, m: true }), spotTable);
    expect(part.type === 'report' && part.report).toMatchObject({ kind: 'partial_fill', lastQtyLots: 40000000, lastPriceTicks: 10264410, cumQtyLots: 40000000, leavesQtyLots: 60000000, tradeId: '77', liquidity: 'maker', lastFee: '0.00001', lastFeeCcy: 'BNB' });
    const fill = mapBinancePrivateMessage('binance-spot', ev({ x: 'TRADE', X: 'FILLED', l: '0.60000000', z: '1.00000000', L: '0.10264410', t: 78 }), spotTable);
    expect(fill.type === 'report' && fill.report).toMatchObject({ kind: 'fill', leavesQtyLots: 0, liquidity: 'taker' });
    const cxl = mapBinancePrivateMessage('binance-spot', ev({ x: 'CANCELED', X: 'CANCELED', c: 'cancelReq1', C: 'mUvoqJxFIILMdfAW5iGSOW' }), spotTable);
    expect(cxl.type === 'report' && cxl.report).toMatchObject({ kind: 'cancelled', cancelReason: 'user', clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW', leavesQtyLots: 0 });
    const exp = mapBinancePrivateMessage('binance-spot', ev({ x: 'EXPIRED', X: 'EXPIRED', f: 'IOC' }), spotTable);
    expect(exp.type === 'report' && exp.report).toMatchObject({ kind: 'cancelled', cancelReason: 'expired', orderType: 'ioc' });
    const rej = mapBinancePrivateMessage('binance-spot', ev({ x: 'REJECTED', X: 'REJECTED', r: 'INSUFFICIENT_BALANCES' }), spotTable);
    expect(rej.type === 'report' && rej.report.kind).toBe('reject');
    expect(rej.type === 'report' && rej.report.error?.code).toBe('INSUFFICIENT_BALANCE');
    const stp = mapBinancePrivateMessage('binance-spot', ev({ x: 'TRADE_PREVENTION', X: 'EXPIRED_IN_MATCH' }), spotTable);
    expect(stp.type === 'report' && stp.report).toMatchObject({ kind: 'cancelled', cancelReason: 'expired' });
    expect(mapBinancePrivateMessage('binance-spot', JSON.stringify({ subscriptionId: 0, event: { e: 'eventStreamTerminated', E: 5 } }), spotTable)).toEqual({ type: 'stream_terminated', eventTimeMs: 5 });
    expect(mapBinancePrivateMessage('binance-spot', JSON.stringify({ subscriptionId: 0, event: { e: 'outboundAccountPosition', E: 5, B: [] } }), spotTable).type).toBe('account');
  });

  it('usdm 04 ORDER_TRADE_UPDATE (trailing stop, NEW)', () => {
    const r = mapBinancePrivateMessage('binance-usdm', sampleText('binance_usdm', '04'), usdmTable);
    expect(r.type === 'report' && r.report).toMatchObject({
      venue: 'binance-usdm', kind: 'ack', symbol: 'BTCUSDT', instrument: 0, clientOrderId: 'TEST', venueOrderId: '8886774', side: 'sell',
      orderType: 'other', venueStatus: 'NEW', qty: '0.001', qtyLots: 1, cumQtyLots: 0, leavesQtyLots: 1, lastQtyLots: 0, avgPrice: '0', venueTimeMs: 1568879465651,
    });
    expect(r.type === 'report' && r.report.priceTicks).toBeNaN(); // p = "0" on a stop-market order
  });

  it('usdm ORDER_TRADE_UPDATE fill and GTX expiry', () => {
    const base = sample('binance_usdm', '04');
    const ev = (o: object) => JSON.stringify({ ...base, o: { ...base.o, o: 'LIMIT', ...o } });
    const fill = mapBinancePrivateMessage('binance-usdm', ev({ f: 'GTC', x: 'TRADE', X: 'FILLED', p: '64000.0', l: '0.001', z: '0.001', L: '64000.0', t: 12, m: true, n: '0.0128', N: 'USDT' }), usdmTable);
    expect(fill.type === 'report' && fill.report).toMatchObject({ kind: 'fill', orderType: 'limit', priceTicks: 640000, lastPriceTicks: 640000, lastQtyLots: 1, leavesQtyLots: 0, liquidity: 'maker', tradeId: '12', lastFee: '0.0128', fillTimeMs: 1568879465650 });
    const gtx = mapBinancePrivateMessage('binance-usdm', ev({ f: 'GTX', x: 'EXPIRED', X: 'EXPIRED', p: '64000.0' }), usdmTable);
    expect(gtx.type === 'report' && gtx.report).toMatchObject({ kind: 'cancelled', cancelReason: 'post_only', orderType: 'post_only' });
  });

  it('usdm 05 TRADE_LITE', () => {
    const r = mapBinancePrivateMessage('binance-usdm', sampleText('binance_usdm', '05'), usdmTable);
    expect(r.type === 'report' && r.report).toMatchObject({
      kind: 'partial_fill', clientOrderId: 'z8hcUoOsqEdKMeKPSABslD', venueOrderId: '8886774', side: 'buy', lastQty: '0.040', lastPrice: '64089.20',
      lastQtyLots: 40, lastPriceTicks: 640892, qtyLots: 1, tradeId: '109100866', liquidity: 'taker', venueTimeMs: 1721895408092, fillTimeMs: 1721895408214,
    });
    expect(r.type === 'report' && r.report.cumQtyLots).toBeNaN();
  });

  it('usdm 07 listenKeyExpired (E as a string)', () => {
    expect(mapBinancePrivateMessage('binance-usdm', sampleText('binance_usdm', '07'), usdmTable)).toEqual({ type: 'listen_key_expired', eventTimeMs: 1736996475556 });
  });

  it('spot 08 RESULT answer and usdm 06 answer', () => {
    const s = mapBinanceOrderAnswer('binance-spot', sample('binance_spot', '08'), new InstrumentTable([spec('BTCUSDT', '0.01', '0.00000001')]));
    expect(s).toMatchObject({ kind: 'fill', clientOrderId: '6gCrw2kRUAF9CvJDGP16IP', venueOrderId: '28', orderType: 'market', qtyLots: 1e9, cumQtyLots: 1e9, leavesQtyLots: 0, venueTimeMs: 1507725176595 });
    const f = mapBinanceOrderAnswer('binance-usdm', sample('binance_usdm', '06'), new InstrumentTable([spec('BTCUSDT', '0.10', '1', 'binance-usdm')]));
    expect(f).toMatchObject({ kind: 'ack', clientOrderId: 'testOrder', venueOrderId: '22542179', side: 'buy', qtyLots: 10, cumQtyLots: 0, leavesQtyLots: 10, venueTimeMs: 1566818724722 });
    expect(mapBinanceOrderAnswer('binance-spot', { symbol: 'BTCUSDT', side: 'SELL', status: 'EXPIRED', timeInForce: 'IOC', type: 'LIMIT', origQty: '1', executedQty: '0.5' }, spotTable)).toMatchObject({ kind: 'cancelled', cancelReason: 'expired' });
    expect(mapBinanceOrderAnswer('binance-spot', [], spotTable)).toBe('order answer is not an object');
  });

  it('spot 06 / 07 WS-API error answers', () => {
    const ins = mapBinancePrivateMessage('binance-spot', sampleText('binance_spot', '06'), spotTable);
    expect(ins.type).toBe('response');
    if (ins.type !== 'response') return;
    expect(ins.response).toMatchObject({ id: 'e2a85d9f-07a5-4f94-8d5f-789dc3deb097', status: 400 });
    expect(ins.response.error).toMatchObject({ code: 'INSUFFICIENT_BALANCE', outcome: 'known', retryable: false, venueCode: '-2010' });
    expect(ins.response.rateLimits).toHaveLength(3);
    const ban = mapBinancePrivateMessage('binance-spot', sampleText('binance_spot', '07'), spotTable, 1659142907531);
    expect(ban.type === 'response' && ban.response.error).toMatchObject({ code: 'IP_BANNED', outcome: 'known', retryable: true, retryAfterMs: 1659146400000 - 1659142907531 });
    const rep = binanceErrorReport('binance-spot', 'BTCUSDT', 'xmc-1-0-0', 'buy', binanceTimeoutInfo(2000), spotTable);
    expect(rep).toMatchObject({ kind: 'outcome_unknown', instrument: 0 });
    expect(binanceErrorReport('binance-spot', 'BTCUSDT', 'x', 'buy', (ins.response.error)!, spotTable).kind).toBe('reject');
  });

  it('never throws on junk', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.constantFrom('{"subscriptionId":0}', '{"subscriptionId":0,"event":{"e":"executionReport"}}', '{"e":"ORDER_TRADE_UPDATE","o":5}', '{"id":{},"status":200}')), (text) => {
        for (const v of ['binance-spot', 'binance-usdm'] as const) {
          const r = mapBinancePrivateMessage(v, text, spotTable);
          expect(typeof r.type).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('error mapping', () => {
  const spotCases: [number, number | undefined, string, string, 'known' | 'unknown'][] = [
    [400, -2010, 'Duplicate order sent.', 'DUPLICATE_CLIENT_ID', 'known'],
    [400, -2010, 'Account has insufficient balance for requested action.', 'INSUFFICIENT_BALANCE', 'known'],
    [400, -2010, 'Order would immediately match and take.', 'POST_ONLY_REJECTED', 'known'],
    [400, -2010, 'Market is closed.', 'MARKET_CLOSED', 'known'],
    [400, -2010, 'Something else.', 'REJECTED', 'known'],
    [400, -2011, 'Unknown order sent.', 'ORDER_NOT_FOUND', 'known'],
    [400, -2013, 'Order does not exist.', 'ORDER_NOT_FOUND', 'known'],
    [400, -2026, 'Order was canceled or expired with no executed qty over 90 days ago and has been archived.', 'ORDER_NOT_FOUND', 'known'],
    [400, -1013, 'Filter failure: LOT_SIZE', 'INVALID_ORDER', 'known'],
    [400, -1021, 'Timestamp for this request is outside of the recvWindow.', 'TIMESTAMP', 'known'],
    [400, -1022, 'Signature for this request is not valid.', 'AUTH', 'known'],
    [401, -2015, 'Invalid API-key, IP, or permissions for action.', 'AUTH', 'known'],
    [429, -1003, 'Too much request weight used', 'RATE_LIMITED', 'known'],
    [429, -1015, 'Too many new orders', 'RATE_LIMITED', 'known'],
    [418, -1003, 'Way too much request weight used; IP banned until 1659146400000.', 'IP_BANNED', 'known'],
    [400, -1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.', 'OUTCOME_UNKNOWN', 'unknown'],
    [400, -1006, 'An unexpected response was received from the message bus. Execution status unknown.', 'OUTCOME_UNKNOWN', 'unknown'],
    [500, -1000, 'An unknown error occurred while processing the request.', 'UNKNOWN_ERROR', 'unknown'],
    [502, undefined, '', 'VENUE_UNAVAILABLE', 'unknown'],
    [504, -2010, 'Duplicate order sent.', 'VENUE_UNAVAILABLE', 'unknown'],
    [400, -9999, 'new code', 'UNKNOWN_ERROR', 'unknown'],
    [403, undefined, '', 'REJECTED', 'known'],
  ];
  it.each(spotCases)('spot HTTP %i code %s %j -> %s (%s)', (status, code, msg, want, outcome) => {
    const i = binanceErrorInfo({ venue: 'binance-spot', httpStatus: status, code, msg });
    expect(i.code).toBe(want);
    expect(i.outcome).toBe(outcome);
    if (outcome === 'unknown') expect(i.code).not.toBe('REJECTED');
  });
  const usdmCases: [number, number | undefined, string, string, 'known' | 'unknown', boolean][] = [
    [400, -4116, 'ClientOrderId is duplicated.', 'DUPLICATE_CLIENT_ID', 'known', false],
    [400, -4015, 'Client order id is not valid.', 'INVALID_ORDER', 'known', false],
    [400, -2019, 'Margin is insufficient.', 'INSUFFICIENT_BALANCE', 'known', false],
    [400, -2018, 'Balance is insufficient.', 'INSUFFICIENT_BALANCE', 'known', false],
    [400, -5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected.', 'POST_ONLY_REJECTED', 'known', false],
    [400, -5021, 'Due to the order could not be filled immediately, the FOK order has been rejected.', 'REJECTED', 'known', false],
    [400, -2022, 'ReduceOnly Order is rejected.', 'REJECTED', 'known', false],
    [400, -4164, "Order's notional must be no smaller than 5.0", 'INVALID_ORDER', 'known', false],
    [503, -1008, 'Request throttled by system-level protection.', 'VENUE_UNAVAILABLE', 'known', true],
    [503, undefined, 'Service Unavailable.', 'VENUE_UNAVAILABLE', 'known', true],
    [503, undefined, 'Unknown error, please check your request or try again later.', 'VENUE_UNAVAILABLE', 'unknown', false],
    [408, undefined, '', 'TIMEOUT', 'unknown', false],
    [400, -1007, 'Timeout', 'OUTCOME_UNKNOWN', 'unknown', false],
  ];
  it.each(usdmCases)('usdm HTTP %i code %s %j -> %s (%s)', (status, code, msg, want, outcome, retryable) => {
    const i = binanceErrorInfo({ venue: 'binance-usdm', httpStatus: status, code, msg });
    expect([i.code, i.outcome, i.retryable]).toEqual([want, outcome, retryable]);
  });
  it('Retry-After header (seconds) and HTTP bodies', () => {
    expect(binanceHttpErrorInfo('binance-spot', 429, '{"code":-1003,"msg":"Too much request weight used"}', '7')).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 7000, venueCode: '-1003' });
    expect(binanceHttpErrorInfo('binance-spot', 418, 'not json', '120')).toMatchObject({ code: 'IP_BANNED', retryAfterMs: 120000 });
    expect(binanceHttpErrorInfo('binance-usdm', 502, '<html>bad gateway</html>')).toMatchObject({ code: 'VENUE_UNAVAILABLE', outcome: 'unknown' });
    expect(binanceTimeoutInfo(1500)).toMatchObject({ code: 'TIMEOUT', outcome: 'unknown', retryable: false });
  });
});
