// OKX signing (sample 10 vectors, sample 09 login shape), request bodies (byte-identical to the
// signed vector body), clOrdId generation, and request validation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InstrumentTable } from '../../../src/core/instrument.js';
import {
  isValidOkxClOrdId, okxClOrdId, parseOkxClOrdId, ClOrdIdError, validateClOrdIdPrefix,
} from '../../../src/venues/okx/client-id.js';
import {
  okxBooksRest, okxCancelOrderRest, okxCancelOrderWs, okxInstrumentsRest, okxPlaceOrderRest, okxPlaceOrderWs,
  okxPxSz, okxQueryOrderRest, okxSignedHeaders, okxSubscribe, type OkxOrderParams,
} from '../../../src/venues/okx/requests.js';
import {
  okxIsoTimestamp, okxLoginPrehash, okxLoginRequest, okxLoginSign, okxRestPrehash, okxRestSign,
  okxVerifyLoginSign, okxVerifyRestSign,
} from '../../../src/venues/okx/sign.js';
import { sampleJson, SWAP_BTC } from './fixtures.js';

const vectors = sampleJson('10_');
const SECRET: string = vectors.secretKey;

describe('OKX signing: sample 10 (computed vectors)', () => {
  it('REST GET with query and POST with body', () => {
    for (const v of vectors.vectors.filter((x: any) => !x.ws_login)) {
      expect(okxRestPrehash(v.timestamp, v.method, v.requestPath, v.body)).toBe(v.prehash);
      expect(okxRestSign(SECRET, v.timestamp, v.method, v.requestPath, v.body)).toBe(v.expected_base64_signature);
      expect(okxVerifyRestSign(SECRET, v.timestamp, v.method, v.requestPath, v.body, v.expected_base64_signature)).toBe(true);
      expect(okxVerifyRestSign(SECRET, v.timestamp, v.method, v.requestPath, v.body + ' ', v.expected_base64_signature)).toBe(false);
    }
    // lower-case method is normalised
    const g = vectors.vectors[0];
    expect(okxRestSign(SECRET, g.timestamp, 'get', g.requestPath, '')).toBe(g.expected_base64_signature);
  });

  it('WS login prehash and sign', () => {
    const v = vectors.vectors.find((x: any) => x.ws_login);
    expect(okxLoginPrehash(v.timestamp)).toBe(v.prehash);
    expect(okxLoginSign(SECRET, v.timestamp)).toBe(v.expected_base64_signature);
    expect(okxVerifyLoginSign(SECRET, v.timestamp, v.expected_base64_signature)).toBe(true);
  });

  it('login request has the shape of sample 09 and timestamp in seconds', () => {
    const sample = sampleJson('09_').login_request;
    const req = okxLoginRequest({ apiKey: 'k', secretKey: SECRET, passphrase: 'p' }, 1538054050_999);
    expect(Object.keys(req)).toEqual(Object.keys(sample));
    expect(Object.keys(req.args[0])).toEqual(Object.keys(sample.args[0]));
    expect(req.op).toBe('login');
    expect(req.args[0].timestamp).toBe(sample.args[0].timestamp);
    // The docs' sample sign was made with a secret the docs do not print; ours is the vector's.
    expect(req.args[0].sign).toBe('+LdIr8lkkvhr5hoA3g9TMC0+uQJ849ftAcocA/ouu4M=');
    expect(req.args[0].sign).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('REST headers: ISO timestamp with ms, all four OK-ACCESS headers, demo flag', () => {
    const post = vectors.vectors[1];
    const ms = Date.parse(post.timestamp);
    expect(okxIsoTimestamp(ms)).toBe(post.timestamp);
    const built = okxPlaceOrderRest({
      instId: 'BTC-USDT', instType: 'SPOT', side: 'buy', ordType: 'limit', px: '2.15', sz: '2', clOrdId: 'b15',
    });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    // Byte-identical to the vector's body, so the signature matches end to end.
    expect(built.value.body).toBe(post.body);
    const h = okxSignedHeaders({ apiKey: 'key', secretKey: SECRET, passphrase: 'pp' }, ms, built.value);
    expect(h['OK-ACCESS-SIGN']).toBe(post.expected_base64_signature);
    expect(h['OK-ACCESS-TIMESTAMP']).toBe(post.timestamp);
    expect(h['OK-ACCESS-KEY']).toBe('key');
    expect(h['OK-ACCESS-PASSPHRASE']).toBe('pp');
    expect(h['Content-Type']).toBe('application/json');
    expect(h['x-simulated-trading']).toBeUndefined();
    expect(okxSignedHeaders({ apiKey: 'key', secretKey: SECRET, passphrase: 'pp' }, ms, built.value, true)['x-simulated-trading']).toBe('1');
  });

  it('GET query path is signed with its query string', () => {
    const g = vectors.vectors[0];
    const req = { method: 'GET' as const, path: g.requestPath, body: '' };
    const h = okxSignedHeaders({ apiKey: 'a', secretKey: SECRET, passphrase: 'b' }, Date.parse(g.timestamp), req);
    expect(h['OK-ACCESS-SIGN']).toBe(g.expected_base64_signature);
  });
});

describe('OKX requests', () => {
  const spotLimit: OkxOrderParams = {
    instId: 'BTC-USDT', instType: 'SPOT', side: 'buy', ordType: 'limit', px: '64000.1', sz: '0.01', clOrdId: 'xmc000000000001a0000',
  };

  it('every order type, spot and swap', () => {
    for (const ordType of ['limit', 'post_only', 'fok', 'ioc'] as const) {
      const r = okxPlaceOrderRest({ ...spotLimit, ordType });
      expect(r.ok).toBe(true);
      if (r.ok) expect(JSON.parse(r.value.body)).toEqual({ instId: 'BTC-USDT', tdMode: 'cash', clOrdId: spotLimit.clOrdId, side: 'buy', ordType, px: '64000.1', sz: '0.01' });
    }
    const m = okxPlaceOrderRest({ instId: 'BTC-USDT', instType: 'SPOT', side: 'sell', ordType: 'market', sz: '0.5', clOrdId: 'abc' });
    expect(m.ok && m.value.body).toBe('{"instId":"BTC-USDT","tdMode":"cash","clOrdId":"abc","side":"sell","ordType":"market","sz":"0.5","tgtCcy":"base_ccy"}');
    const s = okxPlaceOrderRest({
      instId: 'BTC-USDT-SWAP', instType: 'SWAP', side: 'sell', ordType: 'ioc', px: '64000.1', sz: '3', clOrdId: 'abc', reduceOnly: true,
    });
    expect(s.ok && s.value.body).toBe('{"instId":"BTC-USDT-SWAP","tdMode":"cross","clOrdId":"abc","side":"sell","ordType":"ioc","px":"64000.1","sz":"3","reduceOnly":true}');
    const iso = okxPlaceOrderRest({ instId: 'BTC-USDT-SWAP', instType: 'SWAP', side: 'buy', ordType: 'market', sz: '1', clOrdId: 'abc', tdMode: 'isolated', posSide: 'long' });
    expect(iso.ok && JSON.parse(iso.value.body)).toEqual({ instId: 'BTC-USDT-SWAP', tdMode: 'isolated', clOrdId: 'abc', side: 'buy', ordType: 'market', sz: '1', posSide: 'long' });
  });

  it('WS order form with instIdCode (2026) or instId', () => {
    const r = okxPlaceOrderWs({ ...spotLimit, instIdCode: 10459 }, '1512');
    expect(r.ok && JSON.parse(r.value.text)).toEqual({
      id: '1512', op: 'order',
      args: [{ instIdCode: 10459, tdMode: 'cash', clOrdId: spotLimit.clOrdId, side: 'buy', ordType: 'limit', px: '64000.1', sz: '0.01' }],
    });
    const r2 = okxPlaceOrderWs(spotLimit);
    expect(r2.ok && r2.value.id).toBe(spotLimit.clOrdId);
    expect(r2.ok && JSON.parse(r2.value.text).args[0].instId).toBe('BTC-USDT');
  });

  it('cancel and query by clOrdId, REST and WS', () => {
    const c = okxCancelOrderRest({ instId: 'BTC-USDT', clOrdId: 'abc1' });
    expect(c.ok && c.value).toEqual({ method: 'POST', path: '/api/v5/trade/cancel-order', body: '{"instId":"BTC-USDT","clOrdId":"abc1"}' });
    const cw = okxCancelOrderWs({ instId: 'BTC-USDT', clOrdId: 'abc1', instIdCode: 7 }, 'c1');
    expect(cw.ok && cw.value.text).toBe('{"id":"c1","op":"cancel-order","args":[{"instIdCode":7,"clOrdId":"abc1"}]}');
    const q = okxQueryOrderRest({ instId: 'BTC-USDT', clOrdId: 'abc1' });
    expect(q.ok && q.value).toEqual({ method: 'GET', path: '/api/v5/trade/order?instId=BTC-USDT&clOrdId=abc1', body: '' });
    expect(okxQueryOrderRest({ instId: 'BTC-USDT' }).ok).toBe(false);
  });

  it('validation refuses what OKX would reject', () => {
    const bad: [Partial<OkxOrderParams>, RegExp][] = [
      [{ clOrdId: 'has-dash' }, /clOrdId/],
      [{ clOrdId: 'a'.repeat(33) }, /clOrdId/],
      [{ clOrdId: '' }, /clOrdId/],
      [{ tdMode: 'cross' }, /cash/],
      [{ posSide: 'long' }, /posSide/],
      [{ reduceOnly: true }, /reduceOnly/],
      [{ px: undefined }, /px/],
      [{ px: '-1' }, /px/],
      [{ px: '0' }, /px/],
      [{ sz: '1e3' }, /sz/],
      [{ sz: '0.000' }, /sz/],
      [{ ordType: 'market' }, /no px/],
      [{ ordType: 'stop' as never }, /ordType/],
      [{ side: 'long' as never }, /side/],
      [{ instId: 'btc usdt' }, /instId/],
      [{ tag: 'x_y' }, /tag/],
    ];
    for (const [patch, why] of bad) {
      const r = okxPlaceOrderRest({ ...spotLimit, ...patch } as OkxOrderParams);
      expect(r.ok, JSON.stringify(patch)).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(why);
    }
    expect(okxPlaceOrderRest({ ...spotLimit, instId: 'BTC-USDT-SWAP', instType: 'SWAP', tdMode: 'cash' }).ok).toBe(false);
    expect(okxPlaceOrderWs(spotLimit, 'bad id').ok).toBe(false);
  });

  it('public requests and subscribe in the docs shape (sample 09)', () => {
    expect(okxBooksRest('BTC-USDT-SWAP', 400).ok && okxBooksRest('BTC-USDT-SWAP', 400)).toEqual({
      ok: true, value: { method: 'GET', path: '/api/v5/market/books?instId=BTC-USDT-SWAP&sz=400', body: '' },
    });
    expect(okxBooksRest('BTC-USDT', 401).ok).toBe(false);
    expect(okxInstrumentsRest('SWAP').ok && okxInstrumentsRest('SWAP')).toEqual({
      ok: true, value: { method: 'GET', path: '/api/v5/public/instruments?instType=SWAP', body: '' },
    });
    const sub = okxSubscribe('subscribe', [{ channel: 'books', instId: 'BTC-USDT' }], '1512');
    expect(sub.ok && JSON.parse(sub.value)).toEqual(sampleJson('09_').subscribe_books_request);
    expect(sub.ok && sub.value).toBe(JSON.stringify(sampleJson('09_').subscribe_books_request));
    expect(okxSubscribe('subscribe', [{ channel: 'orders', instType: 'ANY' }]).ok).toBe(true);
  });

  it('px/sz from ticks and lots are exact (SWAP sz in contracts)', () => {
    const ins = new InstrumentTable([SWAP_BTC]).get(0);
    expect(okxPxSz(ins, 640001, 300)).toEqual({ px: '64000.1', sz: '3' });
    expect(okxPxSz(ins, 1, 1)).toEqual({ px: '0.1', sz: '0.01' });
  });
});

describe('OKX clOrdId', () => {
  it('deterministic, alphanumeric, at most 32 characters, reversible', () => {
    fc.assert(fc.property(
      fc.stringMatching(/^[A-Za-z0-9]{1,16}$/), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: 0, max: 35 }), fc.integer({ min: 0, max: 36 ** 4 - 1 }),
      (prefix, combo, leg, attempt) => {
        const id = okxClOrdId(prefix, combo, leg, attempt);
        expect(isValidOkxClOrdId(id)).toBe(true);
        expect(id.length).toBeLessThanOrEqual(32);
        expect(okxClOrdId(prefix, combo, leg, attempt)).toBe(id);
        expect(parseOkxClOrdId(prefix, id)).toEqual({ comboId: combo, leg, attempt });
      }), { numRuns: 500 });
  });

  it('distinct inputs give distinct ids', () => {
    const seen = new Set<string>();
    for (let combo = 0; combo < 50; combo++) for (let leg = 0; leg < 2; leg++) for (let a = 0; a < 20; a++) seen.add(okxClOrdId('xmc', combo, leg, a));
    expect(seen.size).toBe(50 * 2 * 20);
    expect(okxClOrdId('xmc', 1, 0, 0)).toBe('xmc00000000001' + '0' + '0000');
  });

  it('rejects bad config and foreign ids', () => {
    expect(() => okxClOrdId('x-y', 1, 0, 0)).toThrow(ClOrdIdError);
    expect(() => okxClOrdId('a'.repeat(17), 1, 0, 0)).toThrow(ClOrdIdError);
    expect(() => okxClOrdId('x', -1, 0, 0)).toThrow(ClOrdIdError);
    expect(() => okxClOrdId('x', 1, 36, 0)).toThrow(ClOrdIdError);
    expect(() => okxClOrdId('x', 1, 0, 36 ** 4)).toThrow(ClOrdIdError);
    expect(validateClOrdIdPrefix('ok')).toBeNull();
    expect(parseOkxClOrdId('xmc', 'oktswap6')).toBeNull();
    expect(parseOkxClOrdId('xmc', 'xmcZZZZZZZZZZZZZZZZ')).toBeNull();
    expect(isValidOkxClOrdId('a_b')).toBe(false);
    expect(isValidOkxClOrdId('')).toBe(false);
  });
});
