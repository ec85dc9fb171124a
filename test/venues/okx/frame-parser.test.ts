// Conformance of the byte-level OKX frame parser against every received-frame sample in
// samples/okx, plus targeted malformed / wrong-typed / limit cases. Expected ticks and lots are
// computed independently (JSON.parse + DecimalScale.toUnits on strings).
import { describe, expect, it } from 'vitest';
import { DecimalScale } from '../../../src/core/decimal.js';
import { OkxFrameParser, rawLevelStrings } from '../../../src/venues/okx/frame-parser.js';
import { DepthUpdate } from '../../../src/venues/types.js';
import { bytes, booksFrame, sampleJson, sampleText, SPOT_BTC, SWAP_BTC, table } from './fixtures.js';

function expectLevels(u: DepthUpdate, data: any, tick: string, lot: string): void {
  const t = new DecimalScale(tick);
  const l = new DecimalScale(lot);
  const bids = data.bids.map((x: string[]) => [t.toUnitsStrict(x[0]!), l.toUnitsStrict(x[1]!)]);
  const asks = data.asks.map((x: string[]) => [t.toUnitsStrict(x[0]!), l.toUnitsStrict(x[1]!)]);
  const gotB: number[][] = [];
  for (let i = 0; i < u.bidCount; i++) gotB.push([u.bidPx[i]!, u.bidQty[i]!]);
  const gotA: number[][] = [];
  for (let i = 0; i < u.askCount; i++) gotA.push([u.askPx[i]!, u.askQty[i]!]);
  expect(gotB).toEqual(bids);
  expect(gotA).toEqual(asks);
}

describe('OKX frame parser: samples', () => {
  const tbl = table();
  const p = new OkxFrameParser(tbl);
  const btc = tbl.indexOf('BTC-USDT');
  const swap = tbl.indexOf('BTC-USDT-SWAP');

  it('01 books snapshot (docs 2026-06)', () => {
    const text = sampleText('01_');
    expect(p.parse(bytes(text))).toBe('book');
    const u = p.update;
    expect(p.channel).toBe('books');
    expect(p.action).toBe('snapshot');
    expect(u.kind).toBe('snapshot');
    expect(u.instrument).toBe(btc);
    expect(u.lastId).toBe(123456);
    expect(u.prevId).toBe(-1);
    expect(u.checksum).toBe(0);
    expect(u.eventTimeMs).toBe(1597026383085);
    expect(u.transactTimeMs).toBe(1597026383085);
    expect(u.bidCount).toBe(8);
    expect(u.askCount).toBe(8);
    expect(u.bidPx[0]).toBe(847697); // 8476.97 / 0.01
    expect(u.bidQty[0]).toBe(256 * 1e8);
    expect(u.askPx[1]).toBe(847700); // "8477"
    expectLevels(u, sampleJson('01_').data[0], SPOT_BTC.tickSize, SPOT_BTC.lotSize);
    // Raw strings kept for the checksum path, exactly as received.
    expect(rawLevelStrings(p, true)[3]).toEqual(['8475.3', '1']);
    expect(rawLevelStrings(p, false)[1]).toEqual(['8477', '7']);
  });

  it('02 books update (checksum 0)', () => {
    expect(p.parse(bytes(sampleText('02_')))).toBe('book');
    const u = p.update;
    expect(p.action).toBe('update');
    expect(u.kind).toBe('delta');
    expect(u.prevId).toBe(123456);
    expect(u.lastId).toBe(123457);
    expect(u.checksum).toBe(0);
    expectLevels(u, sampleJson('02_').data[0], SPOT_BTC.tickSize, SPOT_BTC.lotSize);
  });

  it('03 books5 SWAP recorded fixture: subscribe ack, then two full pushes', () => {
    const frames = sampleJson('03_') as any[];
    expect(p.parse(bytes(JSON.stringify(frames[0])))).toBe('event');
    expect(p.event).toBe('subscribe');
    expect(p.text(p.connIdStart, p.connIdEnd)).toBe('a5ee8533');
    for (const f of frames.slice(1)) {
      expect(p.parse(bytes(JSON.stringify(f)))).toBe('book');
      expect(p.channel).toBe('books5');
      expect(p.update.kind).toBe('snapshot');
      expect(p.update.instrument).toBe(swap);
      expect(p.update.lastId).toBe(f.data[0].seqId);
      expect(p.update.prevId).toBe(-1);
      expectLevels(p.update, f.data[0], SWAP_BTC.tickSize, SWAP_BTC.lotSize);
    }
    expect(p.update.lastId).toBe(333794734996); // > 2^32, exact
    expect(p.update.bidPx[4]).toBe(639200); // "63920"
    expect(p.update.askQty[0]).toBe(79041); // "790.41" contracts / 0.01
  });

  it('04 orders push is recognised as a private push (not a book)', () => {
    expect(p.parse(bytes(sampleText('04_')))).toBe('push');
    expect(p.text(p.channelStart, p.channelEnd)).toBe('orders');
    expect(p.text(p.instIdStart, p.instIdEnd)).toBe('BTC-USDT');
  });

  it('06 WS place-order failure is recognised as an op response', () => {
    expect(p.parse(bytes(sampleText('06_')))).toBe('response');
    expect(p.text(p.opStart, p.opEnd)).toBe('order');
    expect(p.text(p.idStart, p.idEnd)).toBe('1512');
    expect(p.code).toBe(1);
  });

  it('07 REST books snapshot with seqId', () => {
    expect(p.parseRestBooks(bytes(sampleText('07_')), btc)).toBe('book');
    const u = p.update;
    expect(u.kind).toBe('snapshot');
    expect(u.lastId).toBe(3235851742);
    expect(u.prevId).toBe(-1);
    expect(u.eventTimeMs).toBe(1629966436396);
    expect(u.bidPx[0]).toBe(4100630);
    expect(u.bidQty[0]).toBe(30178218);
    expect(u.askQty[0]).toBe(60038921);
    expectLevels(u, sampleJson('07_').data[0], SPOT_BTC.tickSize, SPOT_BTC.lotSize);
  });

  it('09 login / subscribe / notice frames', () => {
    const s = sampleJson('09_');
    expect(p.parse(bytes(JSON.stringify(s.login_success)))).toBe('event');
    expect(p.event).toBe('login');
    expect(p.code).toBe(0);
    expect(p.parse(bytes(JSON.stringify(s.login_failure)))).toBe('event');
    expect(p.event).toBe('error');
    expect(p.code).toBe(60009);
    expect(p.text(p.msgStart, p.msgEnd)).toBe('Login failed.');
    expect(p.parse(bytes(JSON.stringify(s.subscribe_books_response)))).toBe('event');
    expect(p.event).toBe('subscribe');
    expect(p.text(p.idStart, p.idEnd)).toBe('1512');
    expect(p.parse(bytes(JSON.stringify(s.notice_before_upgrade_disconnect)))).toBe('event');
    expect(p.event).toBe('notice');
    expect(p.code).toBe(64008);
  });

  it('plain-text pong, and ping-less garbage', () => {
    expect(p.parse(bytes('pong'))).toBe('pong');
    expect(p.parse(bytes(' pong\n'))).toBe('pong');
    expect(p.parse(bytes('pongx'))).toBe('error');
    expect(p.error).toBe('MALFORMED');
    expect(p.parse(bytes(''))).toBe('error');
    expect(p.error).toBe('EMPTY');
  });
});

describe('OKX frame parser: field order, types and limits', () => {
  const tbl = table();

  it('accepts data before arg and fields in any order', () => {
    const p = new OkxFrameParser(tbl);
    const f = '{"data":[{"seqId":7,"bids":[["8000.1","1.5","0","1"]],"prevSeqId":6,"asks":[],"ts":"5"}],' +
      '"action":"update","arg":{"instId":"BTC-USDT","channel":"books"}}';
    expect(p.parse(bytes(f))).toBe('book');
    expect(p.update.lastId).toBe(7);
    expect(p.update.prevId).toBe(6);
    expect(p.update.bidPx[0]).toBe(800010);
    expect(p.update.bidQty[0]).toBe(150000000);
  });

  it('bbo-tbt push', () => {
    const p = new OkxFrameParser(tbl);
    const f = '{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT-SWAP"},"data":[{"asks":[["64000.1","3","0","1"]],' +
      '"bids":[["64000","2","0","2"]],"ts":"1786541241006","seqId":12}]}';
    expect(p.parse(bytes(f))).toBe('book');
    expect(p.channel).toBe('bbo-tbt');
    expect(p.update.kind).toBe('snapshot');
    expect(p.update.askPx[0]).toBe(640001);
    expect(p.update.bidQty[0]).toBe(200);
  });

  it('reuses one DepthUpdate and grows past its capacity', () => {
    const u = new DepthUpdate(2);
    const p = new OkxFrameParser(tbl, u);
    const bids: [string, string][] = [];
    for (let i = 0; i < 300; i++) bids.push([(8000 - i * 0.5).toFixed(2), '1']);
    expect(p.parse(bytes(booksFrame({ action: 'snapshot', bids, seq: 1 })))).toBe('book');
    expect(p.update).toBe(u);
    expect(u.bidCount).toBe(300);
    expect(u.bidPx[299]).toBe(800000 - 299 * 50);
    expect(p.parse(bytes(booksFrame({ seq: 2, prev: 1, bids: [['1', '0']] })))).toBe('book');
    expect(u.bidCount).toBe(1);
    expect(u.bidQty[0]).toBe(0);
    // Steady state: no buffer is replaced once the largest frame has been seen.
    const arrays = [u.bidPx, u.bidQty, u.askPx, u.askQty, p.bidPxS, p.bidPxE, p.bidSzS, p.bidSzE, p.askPxS];
    for (let i = 0; i < 1000; i++) {
      expect(p.parse(bytes(booksFrame({ seq: 3 + i, prev: 2 + i, bids: bids.slice(0, i % 300), asks: [['9000', '1']] })))).toBe('book');
    }
    expect([u.bidPx, u.bidQty, u.askPx, u.askQty, p.bidPxS, p.bidPxE, p.bidSzS, p.bidSzE, p.askPxS]).toEqual(arrays);
    arrays.forEach((a, i) => expect([u.bidPx, u.bidQty, u.askPx, u.askQty, p.bidPxS, p.bidPxE, p.bidSzS, p.bidSzE, p.askPxS][i]).toBe(a));
  });

  const cases: [string, string, string][] = [
    ['truncated', booksFrame({ seq: 1, prev: 0 }).slice(0, 40), 'TRUNCATED'],
    ['trailing garbage', booksFrame({ seq: 1, prev: 0 }) + 'x', 'MALFORMED'],
    ['not an object', '[1,2]', 'WRONG_TYPE'],
    ['seqId as bool', booksFrame({ seq: 1, prev: 0 }).replace('"seqId":1', '"seqId":true'), 'WRONG_TYPE'],
    ['seqId fraction', booksFrame({ seq: 1, prev: 0 }).replace('"seqId":1', '"seqId":1.5'), 'BAD_NUMBER'],
    ['negative seqId', booksFrame({ seq: 1, prev: 0 }).replace('"seqId":1', '"seqId":-2'), 'BAD_NUMBER'],
    ['prevSeqId below -1', booksFrame({ seq: 1, prev: -2 }), 'BAD_NUMBER'],
    ['seqId too big', booksFrame({ seq: 1, prev: 0 }).replace('"seqId":1', '"seqId":99999999999999999'), 'BAD_NUMBER'],
    ['checksum beyond int32', booksFrame({ seq: 1, prev: 0 }).replace('"checksum":0', '"checksum":4294967295'), 'BAD_NUMBER'],
    ['price as number', booksFrame({ seq: 1, prev: 0, bids: [['1', '1']] }).replace('["1","1","0","1"]', '[1,"1","0","1"]'), 'WRONG_TYPE'],
    ['level not array', booksFrame({ seq: 1, prev: 0, bids: [['1', '1']] }).replace('["1","1","0","1"]', '{"px":"1"}'), 'BAD_LEVEL'],
    ['level with one element', booksFrame({ seq: 1, prev: 0, bids: [['1', '1']] }).replace('["1","1","0","1"]', '["1"]'), 'BAD_LEVEL'],
    ['price off tick', booksFrame({ seq: 1, prev: 0, bids: [['8000.001', '1']] }), 'OFF_STEP'],
    ['size off lot', booksFrame({ seq: 1, prev: 0, bids: [['8000', '0.000000001']] }), 'OFF_STEP'],
    ['negative size', booksFrame({ seq: 1, prev: 0, bids: [['8000', '-1']] }), 'BAD_DECIMAL'],
    ['zero price', booksFrame({ seq: 1, prev: 0, asks: [['0', '1']] }), 'BAD_DECIMAL'],
    ['junk price', booksFrame({ seq: 1, prev: 0, asks: [['12a', '1']] }), 'BAD_DECIMAL'],
    ['escaped price', booksFrame({ seq: 1, prev: 0, asks: [['1', '1']] }).replace('["1","1"', '["\\u0031","1"'), 'BAD_DECIMAL'],
    ['unknown instrument', booksFrame({ seq: 1, prev: 0, instId: 'DOGE-USDT' }), 'UNKNOWN_INSTRUMENT'],
    ['bad action', booksFrame({ seq: 1, prev: 0 }).replace('"update"', '"partial"'), 'BAD_ACTION'],
    ['update without prevSeqId', booksFrame({ seq: 1, prev: 0 }).replace('"prevSeqId":0,', ''), 'MISSING_FIELD'],
    ['books without action', booksFrame({ seq: 1, prev: 0 }).replace('"action":"update",', ''), 'MISSING_FIELD'],
    ['no bids', booksFrame({ seq: 1, prev: 0 }).replace('"bids":[],', ''), 'MISSING_FIELD'],
    ['duplicate asks', booksFrame({ seq: 1, prev: 0 }).replace('"asks":[]', '"asks":[],"asks":[]'), 'DUPLICATE_FIELD'],
    ['empty data', booksFrame({ seq: 1, prev: 0 }).replace(/"data":\[.*\]\}$/, '"data":[]}'), 'BAD_DATA'],
    ['two data objects', booksFrame({ seq: 1, prev: 0 }).replace(/\]\}$/, ',{}]}'), 'BAD_DATA'],
    ['data not array', booksFrame({ seq: 1, prev: 0 }).replace(/"data":\[(.*)\]\}$/, '"data":$1}'), 'BAD_DATA'],
    ['unknown shape', '{"hello":"world"}', 'UNKNOWN_MESSAGE'],
    ['deep nesting', '{"x":' + '['.repeat(1000) + ']'.repeat(1000) + '}', 'TOO_DEEP'],
    ['raw control char in string', '{"event":"sub\u0001scribe"}', 'MALFORMED'],
    ['leading zero number', booksFrame({ seq: 1, prev: 0 }).replace('"seqId":1', '"seqId":01'), 'MALFORMED'],
  ];
  for (const [name, frame, code] of cases) {
    it(`rejects ${name} with ${code}`, () => {
      const p = new OkxFrameParser(tbl);
      expect(p.parse(bytes(frame))).toBe('error');
      expect(p.error).toBe(code);
      expect(p.errorPos).toBeGreaterThanOrEqual(0);
    });
  }

  it('enforces maxFrameBytes and maxLevelsPerSide', () => {
    const p = new OkxFrameParser(tbl, new DepthUpdate(), { maxFrameBytes: 1000, maxLevelsPerSide: 10 });
    const bids: [string, string][] = [];
    for (let i = 0; i < 11; i++) bids.push([String(8000 + i), '1']);
    expect(p.parse(bytes(booksFrame({ seq: 1, prev: 0, bids })))).toBe('error');
    expect(p.error).toBe('TOO_MANY_LEVELS');
    expect(p.parse(bytes(' '.repeat(1001)))).toBe('error');
    expect(p.error).toBe('TOO_LARGE');
  });

  it('REST snapshot errors: venue code, missing code, unknown instrument index', () => {
    const p = new OkxFrameParser(tbl);
    expect(p.parseRestBooks(bytes('{"code":"51001","msg":"Instrument ID does not exist","data":[]}'), 0)).toBe('error');
    expect(p.error).toBe('VENUE_ERROR');
    expect(p.code).toBe(51001);
    expect(p.text(p.msgStart, p.msgEnd)).toBe('Instrument ID does not exist');
    expect(p.parseRestBooks(bytes('{"data":[]}'), 0)).toBe('error');
    expect(p.error).toBe('MISSING_FIELD');
    expect(p.parseRestBooks(bytes(sampleText('07_')), 99)).toBe('error');
    expect(p.error).toBe('UNKNOWN_INSTRUMENT');
  });

  it('parses a sub-range of a larger buffer', () => {
    const p = new OkxFrameParser(tbl);
    const f = booksFrame({ seq: 9, prev: 8, bids: [['100', '2']] });
    const buf = bytes('xxxx' + f + 'yyyy');
    expect(p.parse(buf, 4, 4 + f.length)).toBe('book');
    expect(p.update.lastId).toBe(9);
  });
});
