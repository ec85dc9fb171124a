// JsonWriter (src/journal/json-writer.ts) writes the bytes TextEncoder gives for JSON.stringify of
// the same value: numbers of every kind (NaN, the infinities, -0, integers beyond 2^53,
// fractions, exponents), strings with quotes, backslashes, control characters, non-ASCII text and
// lone surrogates, nested objects and arrays, one writer reused from one text to the next. The
// decision record (records.ts writeDecision) is checked against JSON.stringify of the same detail.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonWriter } from '../../src/journal/json-writer.js';
import { AuditBuilder, newDecisionBook, writeDecision, type DecisionDetail } from '../../src/journal/records.js';
import { TriggerResult } from '../../src/core/triggers.js';
import { decision, times } from './helpers.js';

type Json = number | string | boolean | Json[] | { [k: string]: Json };

function write(w: JsonWriter, v: Json): void {
  if (typeof v === 'number') w.num(v);
  else if (typeof v === 'string') w.str(v);
  else if (typeof v === 'boolean') w.bool(v);
  else if (Array.isArray(v)) {
    w.beginArray();
    for (const x of v) write(w, x);
    w.endArray();
  } else {
    w.beginObject();
    for (const k in v) {
      w.key(k);
      write(w, v[k]!);
    }
    w.endObject();
  }
}

const utf8 = new TextEncoder();
const expected = (v: unknown): Uint8Array => utf8.encode(JSON.stringify(v));

// any UTF-16 code units: controls, quotes, backslashes, lone and paired surrogates, BMP text
const anyUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 }).map((u) => String.fromCharCode(...u));
const text = fc.oneof(fc.string({ maxLength: 12 }), anyUnits, fc.constantFrom('', '"', '\\', '\u2028', '😀', '\ud800', '\udc00x', 'a\u0000b\u001f\u007f'));
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e21, 1e-7, 123e-20, 5e-324, Number.MAX_VALUE, 0.1 + 0.2, 1763800000000.123),
);
const { value } = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    number,
    text,
    fc.boolean(),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(text, tie('value'), { maxKeys: 5 }),
  ),
}));

describe('JsonWriter', () => {
  it('writes what JSON.stringify writes, for any value, with one writer reused', () => {
    const w = new JsonWriter(16); // small: most texts make it grow
    fc.assert(
      fc.property(value, (v) => {
        write(w.reset(), v);
        expect(w.bytes()).toEqual(expected(v));
        expect(w.length).toBe(w.bytes().length);
      }),
      { numRuns: 3000, seed: 20261122 },
    );
  });

  it('numbers: integers digit by digit up to 2^53, the rest as String(n), non-finite as null', () => {
    const w = new JsonWriter();
    const cases = [0, -0, 7, -7, 10, 99, 100, 1_000_000, 6_400_012, -6_400_012, 2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e21, 1.5, -0.25, 64000.13, 1e-7, NaN, Infinity, -Infinity];
    for (const n of cases) {
      w.reset().beginArray().num(n).endArray();
      expect(new TextDecoder().decode(w.bytes())).toBe(JSON.stringify([n]));
    }
  });

  it('a long text after a short one, and a short one after a long one: bytes() is the text just written', () => {
    const w = new JsonWriter(16);
    const long = { k: 'x'.repeat(5000), n: [1, 2, 3] };
    write(w.reset(), long);
    expect(w.bytes()).toEqual(expected(long));
    write(w.reset(), { a: 1 });
    expect(new TextDecoder().decode(w.bytes())).toBe('{"a":1}');
  });
});

describe('decision detail', () => {
  it('is the bytes of JSON.stringify(detail), failed checks named in the text', () => {
    const b = new AuditBuilder();
    const d = decision(3, false);
    d.checks.push({ name: 'risk MAX_NOTIONAL', passed: false, value: 1.5e6, limit: NaN }, { name: 'sizing "quoted"', passed: false });
    d.inputs = { edge: 12.3456, fx: NaN, aBid: 6_400_012, position: -0 };
    const rec = b.decision(d, times({ decisionUs: 5 }));
    expect(rec.detail).toEqual(expected(d));
    expect(rec.text).toBe('pair 7 spread not acted; failed: risk MAX_NOTIONAL, sizing "quoted"');
    // the next decision overwrites the same buffer: the record is encoded before it
    const again = b.decision(decision(4), times({}));
    expect(again.detail).toEqual(expected(decision(4)));
    expect(again.text).toBe('pair 7 spread acted');
  });

  it('a detail reused in place (the engine) writes the same bytes as a fresh one', () => {
    const r = new TriggerResult();
    const reused: DecisionDetail = { comboId: 0, pairId: 0, trigger: '', acted: false, inputs: {}, books: [newDecisionBook(), newDecisionBook()], thresholds: { open: NaN, close: NaN }, checks: [], qtyLots: 0 };
    const w = new JsonWriter();
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.integer()), { minLength: 8, maxLength: 8 }), ([a, b2, c, e, f, g, h, i]) => {
        r.nowMs = a!;
        r.edge = b2!;
        r.aBidTicks = c!;
        r.bAskLots = e!;
        r.fx = f!;
        r.vwapSellA = g!;
        r.displayScale = h!;
        r.positionAtoms = i!;
        reused.inputs = r.inputsInto(reused.inputs);
        reused.books[0].bidTicks = c!;
        reused.books[1].ageUs = a!;
        reused.thresholds.open = r.display(r.openThreshold);
        const fresh: DecisionDetail = { ...reused, inputs: r.inputsInto({}), books: [{ ...reused.books[0] }, { ...reused.books[1] }], thresholds: { ...reused.thresholds } };
        expect(writeDecision(w.reset(), reused).bytes()).toEqual(expected(fresh));
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
