// Binance signing: every vector in samples/binance_spot/09 and samples/binance_usdm/09.
import { describe, expect, it } from 'vitest';
import { encodeQuery, hmacSha256Hex, percentEncode, signRest, signWsApi, wsApiPayload } from '../../../src/venues/binance/signing.js';
import { sample } from './samples.js';

describe('spot vectors (09_signing_vectors_docs_verified)', () => {
  const v = sample('binance_spot', '09');
  type Vec = { payload: string; expected_hex_signature: string };
  const restVectors: [number, Vec][] = (v.rest_vectors as Vec[]).map((x, i) => [i, x]);
  const wsVectors: [number, Vec][] = (v.ws_api_vectors_params_sorted_alphabetically as Vec[]).map((x, i) => [i, x]);
  it('has the four documented vectors', () => expect(restVectors.length + wsVectors.length).toBe(4));
  it.each(restVectors)('REST vector %i', (_i, x) => {
    expect(signRest(v.secretKey, x.payload)).toBe(x.expected_hex_signature);
  });
  it.each(wsVectors)('WS-API vector %i', (_i, x) => {
    expect(hmacSha256Hex(v.secretKey, x.payload)).toBe(x.expected_hex_signature);
    // rebuild the payload from unsorted params: sorting and (non-)encoding reproduce it exactly
    const params: Record<string, string> = {};
    for (const kv of x.payload.split('&')) {
      const eq = kv.indexOf('=');
      params[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const shuffled = Object.fromEntries(Object.entries(params).reverse());
    expect(wsApiPayload({ ...shuffled, signature: 'ignored' })).toBe(x.payload);
    expect(signWsApi(v.secretKey, shuffled)).toBe(x.expected_hex_signature);
  });
  it('builds the percent-encoded REST payload of vector 2 from the raw symbol', () => {
    const q = encodeQuery([['symbol', '１２３４５６'], ['side', 'BUY'], ['type', 'LIMIT'], ['timeInForce', 'GTC'], ['quantity', '1'], ['price', '0.1'], ['recvWindow', 5000], ['timestamp', 1499827319559]]);
    expect(q).toBe(v.rest_vectors[1].payload);
    expect(signRest(v.secretKey, q)).toBe(v.rest_vectors[1].expected_hex_signature);
    const q1 = encodeQuery([['symbol', 'LTCBTC'], ['side', 'BUY'], ['type', 'LIMIT'], ['timeInForce', 'GTC'], ['quantity', '1'], ['price', '0.1'], ['recvWindow', 5000], ['timestamp', 1499827319559]]);
    expect(q1).toBe(v.rest_vectors[0].payload);
  });
});

describe('usdm vectors (09_signing_vectors_docs_verified)', () => {
  const v = sample('binance_usdm', '09');
  it('vector 1 (query string or body)', () => {
    expect(signRest(v.secretKey, v.vectors[0].payload)).toBe(v.vectors[0].expected_hex_signature);
  });
  it('vector 2 (query + body concatenated without "&", with the docs\' literal space)', () => {
    const x = v.vectors[1];
    const query = 'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC';
    const body = 'quantity=1&price=9000&recvWindow=5000&timestamp= 1591702613943';
    expect(query + body).toBe(x.payload);
    expect(signRest(v.secretKey, query, body)).toBe(x.expected_hex_signature);
    // and the corrected form, per the note
    expect(signRest(v.secretKey, query, body.replace('= ', '='))).toBe('30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4');
  });
});

describe('encoding', () => {
  it('percent-encodes reserved ASCII and non-ASCII with upper-case hex', () => {
    expect(percentEncode('a b&c=d/e:f')).toBe('a%20b%26c%3Dd%2Fe%3Af');
    expect(percentEncode("!'()*")).toBe('%21%27%28%29%2A');
    expect(percentEncode('１')).toBe('%EF%BC%91');
    expect(percentEncode('AZaz09-_.~')).toBe('AZaz09-_.~');
  });
  it('refuses floating numbers (decimals must be exact strings)', () => {
    expect(() => encodeQuery([['price', 0.1]])).toThrow(RangeError);
    expect(encodeQuery([['reduceOnly', true], ['n', 5]])).toBe('reduceOnly=true&n=5');
  });
});
