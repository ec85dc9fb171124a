// Fuzz tests of the Binance byte-level market parser: random bytes, truncations, mutations,
// wrong types and huge frames never throw and always end in a kind or a ParseError code.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InstrumentTable } from '../../../src/core/instrument.js';
import { ParseError } from '../../../src/venues/binance/byte-json.js';
import { BinanceMarketParser, BinanceMsg } from '../../../src/venues/binance/market-parser.js';
import { BinanceSpotBookSync } from '../../../src/venues/binance-spot/book-sync.js';
import { bytes, sample, sampleText, spec } from './samples.js';

const table = new InstrumentTable([spec('BTCUSDT', '0.01', '0.00001'), spec('BNBBTC', '0.00000001', '0.00000001')]);
const good = [
  sampleText('binance_spot', '01'),
  sampleText('binance_usdm', '01'),
  JSON.stringify(sample('binance_spot', '05').messages[1]),
  JSON.stringify({ stream: 'btcusdt@depth@100ms', data: sample('binance_spot', '05').messages[2] }),
  JSON.stringify(sample('binance_spot', '04')[1]),
  JSON.stringify(sample('binance_usdm', '08')[1]),
  sampleText('binance_spot', '02'),
];
const KINDS = new Set<number>(Object.values(BinanceMsg));
const CODES = new Set<number>(Object.values(ParseError));

function check(p: BinanceMarketParser, b: Uint8Array, hint = -1): number {
  let k = -1;
  expect(() => {
    k = p.parse(b, 0, b.length, hint);
  }).not.toThrow();
  expect(KINDS.has(k)).toBe(true);
  if (k === BinanceMsg.ERROR) {
    expect(CODES.has(p.error)).toBe(true);
    expect(p.error).not.toBe(ParseError.NONE);
  }
  if (k === BinanceMsg.DEPTH_UPDATE || k === BinanceMsg.DEPTH_SNAPSHOT) {
    const d = p.depth;
    for (let i = 0; i < d.bidCount; i++) expect(Number.isSafeInteger(d.bidPx[i]) && d.bidPx[i]! >= 0 && Number.isSafeInteger(d.bidQty[i]) && d.bidQty[i]! >= 0).toBe(true);
    for (let i = 0; i < d.askCount; i++) expect(Number.isSafeInteger(d.askPx[i]) && d.askQty[i]! >= 0).toBe(true);
    expect(d.instrument >= 0 && d.instrument < table.size).toBe(true);
  }
  return k;
}

describe('market parser fuzz', () => {
  for (const futures of [false, true]) {
    const p = new BinanceMarketParser(table, { futures });
    it(`random bytes (futures=${futures})`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void check(p, b)), { numRuns: 3000 });
    });
    it(`random JSON values (futures=${futures})`, () => {
      fc.assert(fc.property(fc.json(), (j) => void check(p, bytes(j))), { numRuns: 3000 });
    });
    it(`every truncation of every sample is an error, never a throw (futures=${futures})`, () => {
      for (const g of good) {
        const b = bytes(g);
        for (let n = 0; n < b.length; n++) {
          const k = check(p, b.subarray(0, n), 0);
          // a prefix of a frame is never accepted (only whitespace may be cut after the final brace)
          if (g.slice(n).trim().length > 0) expect(k).toBe(BinanceMsg.ERROR);
        }
      }
    });
    it(`byte mutations of samples (futures=${futures})`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...good), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (g, muts) => {
          const b = bytes(g).slice();
          for (const [i, v] of muts) b[i % b.length] = v;
          check(p, b, 0);
        }),
        { numRuns: 5000 },
      );
    });
  }

  it('wrong-typed fields of a depth update', () => {
    const base = sample('binance_spot', '05').messages[1];
    const p = new BinanceMarketParser(table, { futures: false });
    const weird = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
    fc.assert(
      fc.property(fc.constantFrom('e', 'E', 's', 'U', 'u', 'b', 'a'), weird, (key, value) => {
        const k = check(p, bytes({ ...base, [key]: value }));
        if (k === BinanceMsg.DEPTH_UPDATE) {
          // only harmless substitutions can still parse (e.g. E, or U/u that keep U <= u)
          expect(['E', 'U', 'u', 'b', 'a']).toContain(key);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('huge frames: many levels, long strings, deep nesting, big numbers', () => {
    const p = new BinanceMarketParser(table, { futures: false, maxLevels: 5000, maxFrameBytes: 1 << 20 });
    const lv = Array.from({ length: 6000 }, (_, i) => [`${(i + 1) / 100}`, '1']);
    expect(check(p, bytes({ lastUpdateId: 1, bids: lv, asks: [] }), 0)).toBe(BinanceMsg.ERROR);
    expect(p.error).toBe(ParseError.TOO_LARGE);
    const ok = new BinanceMarketParser(table, { futures: false });
    expect(check(ok, bytes({ lastUpdateId: 1, bids: lv.slice(0, 5000), asks: lv.slice(0, 5000) }), 0)).toBe(BinanceMsg.DEPTH_SNAPSHOT);
    expect(ok.depth.bidCount).toBe(5000);
    expect(check(p, bytes({ e: 'x'.repeat(100000) }))).toBe(BinanceMsg.OTHER_EVENT);
    expect(check(p, bytes('{"a":' + '['.repeat(5000)))).toBe(BinanceMsg.ERROR);
    expect(check(p, bytes({ lastUpdateId: 1, bids: [['9'.repeat(400), '1']], asks: [] }), 0)).toBe(BinanceMsg.ERROR);
    expect(p.error).toBe(ParseError.BAD_NUMBER);
    expect(check(p, bytes('{"x":"' + 'a'.repeat(2 << 20) + '"}'))).toBe(BinanceMsg.ERROR);
    expect(p.error).toBe(ParseError.TOO_LARGE);
  });

  it('a sync machine fed only what parses never holds a crossed or non-integer book', () => {
    const p = new BinanceMarketParser(table, { futures: false });
    const s = new BinanceSpotBookSync();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...good), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 32, max: 126 })), { maxLength: 2 })), { maxLength: 30 }), (frames) => {
        for (const [g, muts] of frames) {
          const b = bytes(g).slice();
          for (const [i, v] of muts) b[i % b.length] = v;
          const k = p.parse(b, 0, b.length, 0);
          if (k === BinanceMsg.DEPTH_SNAPSHOT) s.onSnapshot(p.depth);
          else if (k === BinanceMsg.DEPTH_UPDATE && p.depth.kind === 'delta') s.onDelta(p.depth);
          s.book.checkInvariants();
          if (s.synced) expect(s.book.isCrossed()).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});
