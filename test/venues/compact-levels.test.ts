// The compact-level fast paths of the two byte-level depth parsers (Binance `levels`, OKX
// `compactLevel` with conversion during the scan): a level written exactly as the venue writes it
// (`["px","qty"]`, `["px","sz","0","n"]`, no whitespace) is parsed in one pass; anything else
// falls back to the general path. These tests hold the fast paths to the general path: the same
// frame pretty-printed (whitespace inside every level, so only the general path can take it)
// must give the same result, valid or not, and valid frames must match an independent
// expectation (JSON.parse + DecimalScale.toUnits on the strings). Numbers at the edges of the OKX
// path's plain-decimal conversion (fractions longer than the scale, 15+ digits, 2^53, exponents,
// signs, a step that is not 1 x 10^-n) are checked one by one against the general path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecimalScale } from '../../src/core/decimal.js';
import { InstrumentTable } from '../../src/core/instrument.js';
import { ParseError } from '../../src/venues/binance/byte-json.js';
import { BinanceMarketParser, BinanceMsg } from '../../src/venues/binance/market-parser.js';
import { OkxFrameParser, rawLevelStrings } from '../../src/venues/okx/frame-parser.js';
import type { DepthUpdate, InstrumentSpec } from '../../src/venues/types.js';

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);

const BN_SPEC: InstrumentSpec = {
  venue: 'binance-spot', symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001',
  minQty: '0', minNotional: '0', contractValue: '1', contractValueCcy: 'BTC', contractType: 'none',
};
const OKX_SPEC: InstrumentSpec = {
  venue: 'okx', symbol: 'BTC-USDT', base: 'BTC', quote: 'USDT', kind: 'spot', tickSize: '0.1', lotSize: '0.00000001',
  minQty: '0', minNotional: '0', contractValue: '1', contractValueCcy: 'BTC', contractType: 'none',
};
const OKX_ETH: InstrumentSpec = { ...OKX_SPEC, symbol: 'ETH-USDT', base: 'ETH', tickSize: '0.01', lotSize: '0.001', contractValueCcy: 'ETH' };

function levelsOf(u: DepthUpdate): { bids: number[][]; asks: number[][] } {
  const bids: number[][] = [];
  const asks: number[][] = [];
  for (let i = 0; i < u.bidCount; i++) bids.push([u.bidPx[i]!, u.bidQty[i]!]);
  for (let i = 0; i < u.askCount; i++) asks.push([u.askPx[i]!, u.askQty[i]!]);
  return { bids, asks };
}

function expected(levels: { bids: string[][]; asks: string[][] }, tick: string, lot: string): { bids: number[][]; asks: number[][] } {
  const t = new DecimalScale(tick);
  const l = new DecimalScale(lot);
  const conv = (x: string[]): number[] => [t.toUnitsStrict(x[0]!), l.toUnitsStrict(x[1]!)];
  return { bids: levels.bids.map(conv), asks: levels.asks.map(conv) };
}

/** Whitespace inside and around every array and object: only the general path can parse it. */
function pretty(json: string): string {
  return JSON.stringify(JSON.parse(json), null, 1);
}

// Decimal strings as the venues write them, plus off-grid, zero and odd ones.
const decimalStr = (intMax: number, fracDigits: number, pad: number): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 0, max: intMax }), fc.integer({ min: 0, max: 10 ** fracDigits - 1 }), fc.integer({ min: 0, max: 3 })).map(([i, f, odd]) => {
    const frac = String(f).padStart(fracDigits, '0') + '0'.repeat(pad);
    if (odd === 0) return `${i}.${frac}`;
    if (odd === 1) return `${i}.${frac}1`; // one digit beyond the step: off-grid unless ...0
    if (odd === 2) return String(i);
    return `${i}.${frac.replace(/0+$/, '')}`.replace(/\.$/, '');
  });

describe('Binance compact levels', () => {
  const table = new InstrumentTable([BN_SPEC]);
  const a = new BinanceMarketParser(table, { futures: false, maxLevels: 12 });
  const b = new BinanceMarketParser(table, { futures: false, maxLevels: 12 });
  const level = fc.tuple(decimalStr(99999, 2, 6), decimalStr(99, 5, 3));
  const frame = fc.record({ b: fc.array(level, { maxLength: 14 }), a: fc.array(level, { maxLength: 14 }) }).map(
    ({ b: bids, a: asks }) => JSON.stringify({ e: 'depthUpdate', E: 1763700000100, s: 'BTCUSDT', U: 71234567891, u: 71234567925, b: bids, a: asks }),
  );

  it('gives the same result as the general path, and the expected levels when valid', () => {
    fc.assert(
      fc.property(frame, (json) => {
        const ka = a.parse(bytes(json));
        const kb = b.parse(bytes(pretty(json)));
        expect(ka).toBe(kb);
        expect(a.error).toBe(b.error);
        if (ka === BinanceMsg.DEPTH_UPDATE) {
          const m = JSON.parse(json) as { b: string[][]; a: string[][] };
          expect(levelsOf(a.depth)).toEqual(levelsOf(b.depth));
          expect(levelsOf(a.depth)).toEqual(expected({ bids: m.b, asks: m.a }, '0.01', '0.00001'));
          expect(a.depth.firstId).toBe(71234567891);
          expect(a.depth.lastId).toBe(71234567925);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('falls back to the general path for every non-compact level form', () => {
    const head = '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":7,"a":[],"b":';
    const cases: [string, number, number][] = [
      ['[["64000.01000000","0.12345000"]]', BinanceMsg.DEPTH_UPDATE, ParseError.NONE],
      ['[[ "64000.01","0.1"]]', BinanceMsg.DEPTH_UPDATE, ParseError.NONE],
      ['[["64000.01",0.1]]', BinanceMsg.DEPTH_UPDATE, ParseError.NONE],
      ['[["64000.01","0.1","x"]]', BinanceMsg.DEPTH_UPDATE, ParseError.NONE],
      ['[["1.5e2","1e-3"]]', BinanceMsg.DEPTH_UPDATE, ParseError.NONE],
      ['[["64000.011","0.1"]]', BinanceMsg.ERROR, ParseError.BAD_NUMBER],
      ['[["-1.00","0.1"]]', BinanceMsg.ERROR, ParseError.BAD_NUMBER],
      ['[["1.00","-0.1"]]', BinanceMsg.ERROR, ParseError.BAD_NUMBER],
      ['[["1.0x","0.1"]]', BinanceMsg.ERROR, ParseError.BAD_NUMBER],
      ['[["1.00","0.1"],]', BinanceMsg.ERROR, ParseError.WRONG_TYPE],
      ['[["1.00","0.1"]x', BinanceMsg.ERROR, ParseError.SYNTAX],
    ];
    for (const [levels, kind, err] of cases) {
      expect(a.parse(bytes(`${head}${levels}}`)), levels).toBe(kind);
      expect(a.error, levels).toBe(err);
    }
    // a full side: TOO_LARGE from the general path, as before
    const many = JSON.stringify(Array.from({ length: 13 }, (_, i) => [`${100 + i}.00`, '1']));
    expect(a.parse(bytes(`${head}${many}}`))).toBe(BinanceMsg.ERROR);
    expect(a.error).toBe(ParseError.TOO_LARGE);
  });

  it('keeps price and quantity apart when the tick and the lot step are the same scale', () => {
    const same = new BinanceMarketParser(new InstrumentTable([{ ...BN_SPEC, symbol: 'XYZUSDT', tickSize: '0.01', lotSize: '0.01' }]), { futures: false });
    const json = '{"e":"depthUpdate","E":1,"s":"XYZUSDT","U":5,"u":7,"b":[["12.34000000","5.67000000"]],"a":[["12.35","0.01"]]}';
    expect(same.parse(bytes(json))).toBe(BinanceMsg.DEPTH_UPDATE);
    expect(levelsOf(same.depth)).toEqual({ bids: [[1234, 567]], asks: [[1235, 1]] });
  });

  it('never reads past the frame end when the frame is a slice of a larger buffer', () => {
    const json = '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":7,"b":[["64000.01000000","0.12345000"]],"a":[]}';
    const buf = bytes(`${json}["1.00","2.00"]]}`);
    for (let cut = 1; cut < json.length; cut++) {
      expect(a.parse(buf, 0, cut)).toBe(BinanceMsg.ERROR);
      expect(b.parse(bytes(json.slice(0, cut)))).toBe(BinanceMsg.ERROR);
      expect(a.error).toBe(b.error);
      expect(a.errorPos).toBe(b.errorPos);
    }
    expect(a.parse(buf, 0, json.length)).toBe(BinanceMsg.DEPTH_UPDATE);
  });
});

describe('OKX compact levels (converted while scanning)', () => {
  const table = new InstrumentTable([OKX_SPEC, OKX_ETH]);
  const a = new OkxFrameParser(table);
  const b = new OkxFrameParser(table);
  const level = fc.tuple(decimalStr(99999, 1, 0), decimalStr(20, 8, 0), fc.integer({ min: 0, max: 40 })).map(([px, sz, n]) => [px, sz, '0', String(n)]);
  const frame = fc
    .record({ inst: fc.constantFrom('BTC-USDT', 'ETH-USDT'), bids: fc.array(level, { maxLength: 12 }), asks: fc.array(level, { maxLength: 12 }) })
    .map(({ inst, bids, asks }) =>
      JSON.stringify({
        arg: { channel: 'books', instId: inst },
        action: 'update',
        data: [{ asks, bids, ts: '1763700000123', checksum: 0, prevSeqId: 18000000000, seqId: 18000000007 }],
      }),
    );

  it('gives the same result and raw strings as the general path, and the expected levels when valid', () => {
    fc.assert(
      fc.property(frame, (json) => {
        const ka = a.parse(bytes(json));
        const kb = b.parse(bytes(pretty(json)));
        expect(ka).toBe(kb);
        expect(a.error).toBe(b.error);
        if (ka === 'book') {
          const m = JSON.parse(json) as { arg: { instId: string }; data: { bids: string[][]; asks: string[][] }[] };
          const spec = m.arg.instId === 'BTC-USDT' ? OKX_SPEC : OKX_ETH;
          expect(levelsOf(a.update)).toEqual(levelsOf(b.update));
          expect(levelsOf(a.update)).toEqual(expected(m.data[0]!, spec.tickSize, spec.lotSize));
          expect(rawLevelStrings(a, true)).toEqual(m.data[0]!.bids.map((l) => [l[0], l[1]]));
          expect(rawLevelStrings(a, false)).toEqual(m.data[0]!.asks.map((l) => [l[0], l[1]]));
          expect(a.update.lastId).toBe(18000000007);
          expect(a.update.prevId).toBe(18000000000);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('converts the numbers at the edges of its plain-decimal form exactly as the general path does', () => {
    const frameWith = (levels: string, inst: string): string =>
      `{"arg":{"channel":"books","instId":"${inst}"},"action":"update","data":[{"asks":[],"bids":${levels},"ts":"1","checksum":0,"prevSeqId":1,"seqId":2}]}`;
    const numbers = [
      '.5', '1.', '0.', '.', '', '00064000.1', '64000.10', '64000.100', '0.000000010', '0.000000001', '0.00000001',
      '123456789012345', '1234567890123456', '9007199254740991', '9007199254740993', '900719925474099.1', '1e3', '1E3',
      '-1', '+1', '1.2.3', '64000.1 ', '0', '0.0', '5', '12.5', '12.50', '12.55', '64005', '64005.0', '64002.5',
      '0.75', '0.7500', '0.3', '4503599627370497', '45035996273704.97',
    ];
    // tick 0.1 / lot 1e-8 (step mantissa 1), tick and lot 0.5 (mantissa 5), tick 5 / lot 0.25
    // (mantissa 5 at no decimals, 25 at two)
    const steps = new InstrumentTable([
      OKX_SPEC,
      { ...OKX_SPEC, symbol: 'HALF-USDT', tickSize: '0.5', lotSize: '0.5' },
      { ...OKX_SPEC, symbol: 'FIVE-USDT', tickSize: '5', lotSize: '0.25' },
    ]);
    const fa = new OkxFrameParser(steps);
    const fb = new OkxFrameParser(steps);
    for (const inst of ['BTC-USDT', 'HALF-USDT', 'FIVE-USDT']) {
      for (const x of numbers) {
        for (const lv of [`[["${x}","0.5","0","2"]]`, `[["64000.5","${x}","0","2"]]`]) {
          const ka = fa.parse(bytes(frameWith(lv, inst)));
          const kb = fb.parse(bytes(frameWith(lv.replaceAll('["', '[ "'), inst)));
          expect(ka, `${inst} ${lv}`).toBe(kb);
          expect(fa.error, `${inst} ${lv}`).toBe(fb.error);
          if (ka === 'book') expect(levelsOf(fa.update), `${inst} ${lv}`).toEqual(levelsOf(fb.update));
        }
      }
    }
  });

  it('reports the same errors as before for levels the fast path leaves to the general path', () => {
    const frameWith = (levels: string, inst = 'BTC-USDT'): string =>
      `{"arg":{"channel":"books","instId":"${inst}"},"action":"update","data":[{"asks":[],"bids":${levels},"ts":"1","checksum":0,"prevSeqId":1,"seqId":2}]}`;
    const cases: [string, string, string | null][] = [
      ['[["64000.1","0.5","0","2"]]', 'book', null],
      ['[["64000.1","0.5",0,2]]', 'book', null],
      ['[["64000.1","0.5"]]', 'book', null],
      ['[[ "64000.1","0.5","0","2"]]', 'book', null],
      ['[["64000.15","0.5","0","2"]]', 'error', 'OFF_STEP'],
      ['[["0","0.5","0","2"]]', 'error', 'BAD_DECIMAL'],
      ['[["64000.1","-0.5","0","2"]]', 'error', 'BAD_DECIMAL'],
      ['[["6400\\u0030.1","0.5","0","2"]]', 'error', 'BAD_DECIMAL'],
      ['[["64000.1x","0.5","0","2"]]', 'error', 'BAD_DECIMAL'],
      ['[["64000.1"]]', 'error', 'BAD_LEVEL'],
      ['[["64000.1","0.5","0\\n","2"]]', 'book', null],
      ['[["64000.1","0.5","0","2"],]', 'error', 'MALFORMED'],
    ];
    for (const [levels, kind, err] of cases) {
      expect(a.parse(bytes(frameWith(levels))), levels).toBe(kind);
      expect(a.error, levels).toBe(err);
      // the same level with a space after each '[': only the general path can take it
      expect(b.parse(bytes(frameWith(levels.replaceAll('["', '[ "')))), levels).toBe(kind);
      expect(b.error, levels).toBe(err);
    }
    // unknown instrument: nothing converted, the same error as before
    expect(a.parse(bytes(frameWith('[["64000.1","0.5","0","2"]]', 'XRP-USDT')))).toBe('error');
    expect(a.error).toBe('UNKNOWN_INSTRUMENT');
    // tick and lot the same scale: price and size stay apart
    const same = new OkxFrameParser(new InstrumentTable([{ ...OKX_SPEC, symbol: 'XYZ-USDT', tickSize: '0.01', lotSize: '0.01' }]));
    expect(same.parse(bytes(frameWith('[["12.34","5.67","0","2"]]', 'XYZ-USDT')))).toBe('book');
    expect(levelsOf(same.update).bids).toEqual([[1234, 567]]);
    // the instrument decides the grid: 64000.15 is on ETH-USDT's 0.01 grid
    expect(a.parse(bytes(frameWith('[["64000.15","0.5","0","2"]]', 'ETH-USDT')))).toBe('book');
    expect(levelsOf(a.update).bids).toEqual([[6400015, 500]]);
  });

  it('never reads past the frame end when the frame is a slice of a larger buffer', () => {
    const json = '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["64000.2","1.5","0","3"]],"bids":[["64000.1","0.5","0","2"]],"ts":"1","checksum":0,"prevSeqId":1,"seqId":2}]}';
    const buf = bytes(`${json}"1","2"]]}]}`);
    for (let cut = 1; cut < json.length; cut++) {
      expect(a.parse(buf, 0, cut)).toBe('error');
      expect(b.parse(bytes(json.slice(0, cut)))).toBe('error');
      expect(a.error).toBe(b.error);
      expect(a.errorPos).toBe(b.errorPos);
    }
    expect(a.parse(buf, 0, json.length)).toBe('book');
  });
});
