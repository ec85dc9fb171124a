// Property tests of the codec: random BookTops (level counts 0..BOOK_MAX_LEVELS, integer ticks
// and lots up to 2^53, random frame offsets in a shared array) round-trip exactly through the
// hot-path encoder and the in-place FrameView; the allocation-free UTF-8 writer produces the
// same bytes as TextEncoder for arbitrary strings, lone surrogates included.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as flatbuffers from 'flatbuffers';
import {
  BOOK_MAX_LEVELS,
  FrameView,
  WireEncoder,
  decodeMessage,
  newBookTopInput,
  newEnvelopeHead,
  utf8Length,
  writeUtf8,
  type WireMessage,
} from '../../src/wire/index.js';

const exactInt = fc.maxSafeInteger(); // every integer a double holds exactly, negatives included
const level = fc.record({ priceTicks: exactInt, qtyLots: fc.maxSafeNat() });
const side = fc.array(level, { minLength: 0, maxLength: BOOK_MAX_LEVELS });
// Scalar double fields: -0 is written as "default" and reads back as +0, so it is excluded.
const anyDouble = fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0));
const u32 = fc.nat({ max: 0xffff_ffff });

const stageTimes = fc.record({
  venueEventUs: anyDouble,
  receivedUs: anyDouble,
  bookAppliedUs: anyDouble,
  ringCommittedUs: anyDouble,
  decisionUs: anyDouble,
  orderSentUs: anyDouble,
  ackUs: anyDouble,
  fillUs: anyDouble,
});

const bookTopMessage = fc.record({
  sourceActor: u32,
  seq: fc.maxSafeNat(),
  times: stageTimes,
  body: fc.record({
    kind: fc.constant('BookTop' as const),
    value: fc.record({
      instrumentId: u32,
      venueId: u32,
      flags: fc.nat({ max: 15 }),
      firstSeq: fc.maxSafeNat(),
      lastSeq: fc.maxSafeNat(),
      venueTimeUs: anyDouble,
      bids: side,
      asks: side,
    }),
  }),
}) satisfies fc.Arbitrary<WireMessage>;

describe('BookTop property round trips', () => {
  const enc = new WireEncoder(512); // shared across runs: reuse and growth are part of the property
  const shared = new Uint8Array(new SharedArrayBuffer(1 << 16));
  const view = new FrameView(shared);
  const input = newBookTopInput();
  const head = newEnvelopeHead();

  it('plain encode -> shared array at a random offset -> decodeMessage gives the message back', () => {
    fc.assert(
      fc.property(bookTopMessage, fc.nat({ max: 4096 }), (msg, offset) => {
        enc.message(msg);
        enc.copyInto(shared, offset);
        expect(decodeMessage(shared, offset)).toEqual(msg);
      }),
      { numRuns: 300 },
    );
  });

  it('hot-path encoder from reused arrays -> FrameView accessors read every value', () => {
    fc.assert(
      fc.property(bookTopMessage, fc.nat({ max: 4096 }), (msg, offset) => {
        const v = msg.body.value;
        head.sourceActor = msg.sourceActor;
        head.seq = msg.seq;
        Object.assign(head.times, msg.times);
        input.instrumentId = v.instrumentId;
        input.venueId = v.venueId;
        input.flags = v.flags;
        input.firstSeq = v.firstSeq;
        input.lastSeq = v.lastSeq;
        input.venueTimeUs = v.venueTimeUs;
        input.bidCount = v.bids.length;
        input.askCount = v.asks.length;
        v.bids.forEach((l, i) => {
          (input.bidPriceTicks as Float64Array)[i] = l.priceTicks;
          (input.bidQtyLots as Float64Array)[i] = l.qtyLots;
        });
        v.asks.forEach((l, i) => {
          (input.askPriceTicks as Float64Array)[i] = l.priceTicks;
          (input.askQtyLots as Float64Array)[i] = l.qtyLots;
        });
        enc.bookTop(head, input);
        enc.copyInto(shared, offset);

        view.at(offset);
        const top = view.bookTop();
        expect(view.sourceActor()).toBe(msg.sourceActor);
        expect(view.seq()).toBe(msg.seq);
        expect(top.instrumentId()).toBe(v.instrumentId);
        expect(top.venueId()).toBe(v.venueId);
        expect(top.flags()).toBe(v.flags);
        expect(view.bookFirstSeq()).toBe(v.firstSeq);
        expect(view.bookLastSeq()).toBe(v.lastSeq);
        expect(view.bookVenueTimeUs()).toBe(v.venueTimeUs);
        expect(view.bidCount()).toBe(v.bids.length);
        expect(view.askCount()).toBe(v.asks.length);
        const bids = Array.from({ length: view.bidCount() }, (_, i) => ({
          priceTicks: view.bidPriceTicks(i),
          qtyLots: view.bidQtyLots(i),
        }));
        const asks = Array.from({ length: view.askCount() }, (_, i) => ({
          priceTicks: view.askPriceTicks(i),
          qtyLots: view.askQtyLots(i),
        }));
        expect(bids).toEqual(v.bids);
        expect(asks).toEqual(v.asks);
      }),
      { numRuns: 300 },
    );
  });
});

describe('allocation-free UTF-8 writer', () => {
  it('writes the same bytes as TextEncoder, and FlatBuffers reads the same string back', () => {
    const te = new TextEncoder();
    const td = new TextDecoder();
    const b = new flatbuffers.Builder(64);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 64 }), // any code point, astral included
          fc.string({ unit: 'grapheme', maxLength: 16 }),
          fc.string({ maxLength: 64 }), // printable ASCII
          fc.array(fc.nat({ max: 0xffff }), { maxLength: 32 }).map((cs) => String.fromCharCode(...cs)), // lone surrogates
        ),
        (s) => {
          const expected = te.encode(s);
          expect(utf8Length(s)).toBe(expected.length);
          b.clear();
          const off = writeUtf8(b, s);
          if (s.length === 0) {
            expect(off).toBe(0);
            return;
          }
          b.finish(off);
          const bb = new flatbuffers.ByteBuffer(b.asUint8Array());
          const strPos = bb.readInt32(bb.position()) + bb.position();
          expect(bb.readInt32(strPos)).toBe(expected.length);
          const bytes = bb.bytes().slice(strPos + 4, strPos + 4 + expected.length);
          expect(bytes).toEqual(expected);
          expect(bb.readUint8(strPos + 4 + expected.length)).toBe(0); // NUL terminator
          expect(td.decode(bytes)).toBe(td.decode(expected));
        },
      ),
      { numRuns: 500 },
    );
  });
});
