// Binance byte-level market parser: every market-data sample, wrappers, event routing, errors.
import { describe, expect, it } from 'vitest';
import { InstrumentTable } from '../../../src/core/instrument.js';
import { ParseError } from '../../../src/venues/binance/byte-json.js';
import { BinanceMarketParser, BinanceMsg } from '../../../src/venues/binance/market-parser.js';
import { bytes, sample, sampleText, spec } from './samples.js';

const table = new InstrumentTable([
  spec('BNBBTC', '0.00000001', '0.00000001'),
  spec('BTCUSDT', '0.01', '0.00001'),
  spec('ETHUSDT', '0.01', '0.0001'),
]);
const BNB = 0;
const BTC = 1;

function levels(p: BinanceMarketParser): { bids: number[][]; asks: number[][] } {
  const d = p.depth;
  const bids: number[][] = [];
  const asks: number[][] = [];
  for (let i = 0; i < d.bidCount; i++) bids.push([d.bidPx[i]!, d.bidQty[i]!]);
  for (let i = 0; i < d.askCount; i++) asks.push([d.askPx[i]!, d.askQty[i]!]);
  return { bids, asks };
}

describe('depth samples', () => {
  it('spot 01 depthUpdate (raw)', () => {
    const p = new BinanceMarketParser(table, { futures: false });
    expect(p.parse(bytes(sampleText('binance_spot', '01')))).toBe(BinanceMsg.DEPTH_UPDATE);
    const d = p.depth;
    expect([d.kind, d.instrument, d.firstId, d.lastId, d.prevId, d.eventTimeMs]).toEqual(['delta', BNB, 157, 160, -1, 1672515782136]);
    expect(levels(p)).toEqual({ bids: [[240000, 1e9]], asks: [[260000, 1e10]] });
  });

  it('spot 02 REST snapshot needs the instrument hint', () => {
    const p = new BinanceMarketParser(table, { futures: false });
    const b = bytes(sampleText('binance_spot', '02'));
    expect(p.parse(b)).toBe(BinanceMsg.ERROR);
    expect(p.error).toBe(ParseError.UNKNOWN_SYMBOL);
    expect(p.parse(b, 0, b.length, BNB)).toBe(BinanceMsg.DEPTH_SNAPSHOT);
    expect([p.depth.kind, p.depth.lastId, p.depth.instrument]).toEqual(['snapshot', 1027024, BNB]);
    expect(levels(p)).toEqual({ bids: [[400000000, 43100000000]], asks: [[400000200, 1200000000]] });
  });

  it('usdm 01 depthUpdate with pu and T; pu is required on futures', () => {
    const p = new BinanceMarketParser(new InstrumentTable([spec('BTCUSDT', '0.0001', '1', 'binance-usdm')]), { futures: true });
    const text = sampleText('binance_usdm', '01');
    expect(p.parse(bytes(text))).toBe(BinanceMsg.DEPTH_UPDATE);
    const d = p.depth;
    expect([d.firstId, d.lastId, d.prevId, d.eventTimeMs, d.transactTimeMs]).toEqual([157, 160, 149, 123456789, 123456788]);
    expect(levels(p)).toEqual({ bids: [[24, 10]], asks: [[26, 100]] });
    const noPu = JSON.parse(text);
    delete noPu.pu;
    expect(p.parse(bytes(noPu))).toBe(BinanceMsg.ERROR);
    expect(p.error).toBe(ParseError.MISSING_FIELD);
  });

  it('usdm 02 REST snapshot with E and T', () => {
    const p = new BinanceMarketParser(new InstrumentTable([spec('BTCUSDT', '0.00000001', '0.00000001', 'binance-usdm')]), { futures: true });
    expect(p.parse(bytes(sampleText('binance_usdm', '02')), 0, undefined, 0)).toBe(BinanceMsg.DEPTH_SNAPSHOT);
    expect([p.depth.lastId, p.depth.eventTimeMs, p.depth.transactTimeMs]).toEqual([1027024, 1589436922972, 1589436922959]);
  });

  it('scenario messages: subscription answer, then depth updates (spot 05, usdm 03)', () => {
    for (const [venue, file, futures] of [['binance_spot', '05', false], ['binance_usdm', '03', true]] as const) {
      const sc = sample(venue, file);
      const p = new BinanceMarketParser(table, { futures });
      expect(p.parse(bytes(sc.messages[0]))).toBe(BinanceMsg.RESPONSE);
      expect(p.responseId).toBe(1);
      for (const m of sc.messages.slice(1)) {
        expect(p.parse(bytes(m))).toBe(BinanceMsg.DEPTH_UPDATE);
        expect(p.depth.instrument).toBe(BTC);
        expect(p.depth.lastId).toBe(m.u);
      }
      expect(p.parse(bytes(sc.httpResponse), 0, undefined, BTC)).toBe(BinanceMsg.DEPTH_SNAPSHOT);
      expect(p.depth.lastId).toBe(100);
      expect(p.depth.bidPx[0]).toBe(6400000);
    }
  });
});

describe('other market events', () => {
  it('spot 04 bookTicker (no e) and its subscription answer', () => {
    const msgs = sample('binance_spot', '04');
    const p = new BinanceMarketParser(table, { futures: false });
    expect(p.parse(bytes(msgs[0]))).toBe(BinanceMsg.RESPONSE);
    expect(p.parse(bytes(msgs[1]))).toBe(BinanceMsg.BOOK_TICKER);
    expect({ ...p.ticker }).toEqual({ instrument: BTC, updateId: 98494969448, bidPx: 6370400, bidQty: 477471, askPx: 6370401, askQty: 1133198, eventTimeMs: 0, transactTimeMs: 0 });
    expect(p.parse(bytes(msgs[2]))).toBe(BinanceMsg.BOOK_TICKER);
    expect(p.ticker.bidQty).toBe(477462);
  });

  it('usdm bookTicker with e, E, T', () => {
    const p = new BinanceMarketParser(table, { futures: true });
    const m = { e: 'bookTicker', u: 400900217, E: 1568014460893, T: 1568014460891, s: 'BTCUSDT', b: '25.35', B: '31.21', a: '25.36', A: '40.66' };
    expect(p.parse(bytes(m))).toBe(BinanceMsg.BOOK_TICKER);
    expect([p.ticker.bidPx, p.ticker.askQty, p.ticker.eventTimeMs, p.ticker.transactTimeMs]).toEqual([2535, 4066000, 1568014460893, 1568014460891]);
  });

  it('usdm 08 trade stream (recorded, with st)', () => {
    const msgs = sample('binance_usdm', '08');
    const p = new BinanceMarketParser(table, { futures: true });
    expect(p.parse(bytes(msgs[0]))).toBe(BinanceMsg.RESPONSE);
    expect(p.parse(bytes(msgs[1]))).toBe(BinanceMsg.TRADE);
    expect({ ...p.trade }).toEqual({ instrument: BTC, tradeId: 7967419777, px: 6404210, qty: 3800, eventTimeMs: 1786540291675, tradeTimeMs: 1786540291675, buyerIsMaker: true });
    expect(p.parse(bytes(msgs[2]))).toBe(BinanceMsg.TRADE);
    expect(p.trade.buyerIsMaker).toBe(false);
  });

  it('aggTrade: `a` is the aggregate id there', () => {
    const p = new BinanceMarketParser(table, { futures: false });
    const m = { e: 'aggTrade', E: 1672515782136, s: 'BTCUSDT', a: 12345, p: '0.01', q: '100', f: 100, l: 105, T: 1672515782136, m: true, M: true };
    expect(p.parse(bytes(m))).toBe(BinanceMsg.AGG_TRADE);
    expect([p.trade.tradeId, p.trade.px, p.trade.qty]).toEqual([12345, 1, 10000000]);
  });

  it('serverShutdown (raw and combined), other events, control errors', () => {
    const p = new BinanceMarketParser(table, { futures: false });
    expect(p.parse(bytes({ e: 'serverShutdown', E: 1 }))).toBe(BinanceMsg.SERVER_SHUTDOWN);
    expect(p.parse(bytes({ stream: '!serverShutdown', data: { e: 'serverShutdown', E: 1 } }))).toBe(BinanceMsg.SERVER_SHUTDOWN);
    expect(p.parse(bytes({ e: 'markPriceUpdate', E: 1, s: 'BTCUSDT', p: '1' }))).toBe(BinanceMsg.OTHER_EVENT);
    expect(new TextDecoder().decode(p.lastBuf.subarray(p.eventStart, p.eventEnd))).toBe('markPriceUpdate');
    expect(p.parse(bytes(sample('binance_usdm', '07')))).toBe(BinanceMsg.OTHER_EVENT); // listenKeyExpired, E as a string
    expect(p.parse(bytes({ code: 2, msg: 'Invalid request: unknown variant' }))).toBe(BinanceMsg.CONTROL_ERROR);
    expect(p.controlCode).toBe(2);
    expect(p.parse(bytes({ result: ['btcusdt@depth'], id: 'abc' }))).toBe(BinanceMsg.RESPONSE);
    expect(p.responseId).toBeNaN();
  });
});

describe('combined streams and field order', () => {
  const raw = sample('binance_spot', '05').messages[1];
  it('parses the combined wrapper, symbol from s', () => {
    const p = new BinanceMarketParser(table, { futures: false });
    expect(p.parse(bytes({ stream: 'btcusdt@depth@100ms', data: raw }))).toBe(BinanceMsg.DEPTH_UPDATE);
    expect(p.depth.instrument).toBe(BTC);
    expect(new TextDecoder().decode(p.lastBuf.subarray(p.streamStart, p.streamEnd))).toBe('btcusdt@depth@100ms');
    expect(p.partialDepthStream).toBe(false);
  });

  it('any key order gives the same result (deferred level parsing)', () => {
    const p = new BinanceMarketParser(table, { futures: false });
    const reordered = { b: raw.b, a: raw.a, u: raw.u, U: raw.U, s: raw.s, E: raw.E, e: raw.e };
    expect(p.parse(bytes(reordered))).toBe(BinanceMsg.DEPTH_UPDATE);
    const got = levels(p);
    expect(p.parse(bytes(raw))).toBe(BinanceMsg.DEPTH_UPDATE);
    expect(levels(p)).toEqual(got);
    expect(p.parse(bytes({ data: reordered, stream: 'btcusdt@depth' }))).toBe(BinanceMsg.DEPTH_UPDATE);
    expect(levels(p)).toEqual(got);
  });

  it('symbol from the stream name when the payload has none (spot partial depth)', () => {
    const p = new BinanceMarketParser(table, { futures: false });
    const partial = { lastUpdateId: 160, bids: [['0.01', '1']], asks: [['0.02', '1']] };
    expect(p.parse(bytes({ stream: 'ethusdt@depth5@100ms', data: partial }))).toBe(BinanceMsg.DEPTH_SNAPSHOT);
    expect(p.depth.instrument).toBe(2);
    expect(p.partialDepthStream).toBe(true);
  });

  it('usdm partial depth (e=depthUpdate on a @depthN stream) is flagged as a snapshot', () => {
    const p = new BinanceMarketParser(table, { futures: true });
    const m = { e: 'depthUpdate', E: 1, T: 1, s: 'BTCUSDT', U: 1, u: 2, pu: 0, b: [['1.00', '1']], a: [] };
    expect(p.parse(bytes({ stream: 'btcusdt@depth20@100ms', data: m }))).toBe(BinanceMsg.DEPTH_UPDATE);
    expect(p.depth.kind).toBe('snapshot');
  });

  it('rejects a stream name and s that disagree, and unknown symbols', () => {
    const p = new BinanceMarketParser(table, { futures: false });
    expect(p.parse(bytes({ stream: 'ethusdt@depth', data: raw }))).toBe(BinanceMsg.ERROR);
    expect(p.error).toBe(ParseError.UNKNOWN_SYMBOL);
    expect(p.parse(bytes({ ...raw, s: 'XRPUSDT' }))).toBe(BinanceMsg.ERROR);
    expect(p.error).toBe(ParseError.UNKNOWN_SYMBOL);
  });
});

describe('errors are codes, never exceptions', () => {
  const raw = JSON.stringify(sample('binance_spot', '05').messages[1]);
  const p = new BinanceMarketParser(table, { futures: false }, undefined);
  const cases: [string, string, number][] = [
    ['empty', '', ParseError.EMPTY],
    ['whitespace', '   ', ParseError.EMPTY],
    ['truncated', raw.slice(0, 60), ParseError.TRUNCATED],
    ['truncated at the end', raw.slice(0, -1), ParseError.TRUNCATED],
    ['trailing garbage', raw + 'x', ParseError.SYNTAX],
    ['array top level', '[1,2]', ParseError.SYNTAX],
    ['not json', 'hello', ParseError.SYNTAX],
    ['U as string', raw.replace('"U":101', '"U":"101"'), ParseError.WRONG_TYPE],
    ['u fractional', raw.replace('"u":105', '"u":105.5'), ParseError.WRONG_TYPE],
    ['u too big', raw.replace('"u":105', '"u":123456789012345678901'), ParseError.WRONG_TYPE],
    ['U > u', raw.replace('"U":101', '"U":106'), ParseError.BAD_NUMBER],
    ['missing U', raw.replace('"U":101,', ''), ParseError.MISSING_FIELD],
    ['b not an array', raw.replace(/"b":\[\[[^\]]*\]\]/, '"b":{}'), ParseError.WRONG_TYPE],
    ['level not an array', raw.replace(/"b":\[\[[^\]]*\]\]/, '"b":["1"]'), ParseError.WRONG_TYPE],
    ['price off tick', raw.replace('"64000.00"', '"64000.001"'), ParseError.BAD_NUMBER],
    ['negative qty', raw.replace('"1.20000000"', '"-1.2"'), ParseError.BAD_NUMBER],
    ['junk price', raw.replace('"64000.00"', '"64k"'), ParseError.BAD_NUMBER],
    ['null price', raw.replace('"64000.00"', 'null'), ParseError.WRONG_TYPE],
    ['unterminated string', '{"e":"depthUpd', ParseError.TRUNCATED],
    ['control char in string', '{"e":"a\u0001b"}', ParseError.SYNTAX],
    ['unknown shape', '{"x":1}', ParseError.UNRECOGNISED],
    ['deep nesting', '{"x":' + '['.repeat(100) + ']'.repeat(100) + '}', ParseError.TOO_DEEP],
  ];
  it.each(cases)('%s', (_name, text, code) => {
    expect(p.parse(bytes(text))).toBe(BinanceMsg.ERROR);
    expect(p.error).toBe(code);
  });

  it('frame and level limits', () => {
    const small = new BinanceMarketParser(table, { futures: false, maxFrameBytes: 100, maxLevels: 2 });
    expect(small.parse(bytes(raw + ' '.repeat(100)))).toBe(BinanceMsg.ERROR);
    expect(small.error).toBe(ParseError.TOO_LARGE);
    const many = { lastUpdateId: 1, bids: [['1', '1'], ['2', '1'], ['3', '1']], asks: [] };
    expect(small.parse(bytes(many), 0, undefined, BTC)).toBe(BinanceMsg.ERROR);
    expect(small.error).toBe(ParseError.TOO_LARGE);
  });

  it('parses a sub-range of a larger buffer', () => {
    const b = bytes('xxxx' + raw + 'yyyy');
    expect(p.parse(b, 4, b.length - 4)).toBe(BinanceMsg.DEPTH_UPDATE);
    expect(p.parse(b, 4, b.length + 10)).toBe(BinanceMsg.ERROR);
  });
});
