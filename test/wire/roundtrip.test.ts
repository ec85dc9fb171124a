// Codec round trips for every message kind: hot-path encoder -> frame copied to a non-zero
// offset of a larger SharedArrayBuffer-backed Uint8Array -> in-place FrameView, every field equal.
// Also: the codec's own fast paths (allocation-free builder reset, DataView doubles, UTF-8
// writer) produce byte-identical frames to the generated code's plain path, and bad input or
// bad frames fail with the documented error codes.
import { describe, expect, it } from 'vitest';
import * as flatbuffers from 'flatbuffers';
import {
  AuditKind,
  AuditRecord,
  Body,
  BOOK_MAX_LEVELS,
  BookFlags,
  BookTop,
  CancelScope,
  ControlOp,
  Envelope,
  FrameView,
  Level,
  LinkChannel,
  LinkRole,
  LinkStatus,
  NewOrder,
  OrderType,
  ReasonCode,
  ReportKind,
  ReportOrigin,
  Side,
  Stage,
  StageTimes,
  WireEncoder,
  WireError,
  decodeMessage,
  encodeMessage,
  newBookTopInput,
  newEnvelopeHead,
  newStageTimes,
  type BookTopValue,
  type StageTimesValue,
  type WireMessage,
} from '../../src/wire/index.js';

const BIG = 2 ** 53 - 1; // largest exact integer in a double
const BINANCE_UPDATE_ID = 123_456_789_012; // ~1e11, beyond 2^32

function times(base: number): StageTimesValue {
  return {
    venueEventUs: 1_700_000_000_123_456 + base, // venue epoch µs (beyond 2^32)
    receivedUs: 5_000_000_123.25 + base, // fractional µs survive
    bookAppliedUs: 5_000_000_130 + base,
    ringCommittedUs: 5_000_000_131 + base,
    decisionUs: 0,
    orderSentUs: 2 ** 33 + base,
    ackUs: BIG,
    fillUs: 1,
  };
}

function levels(n: number, start: number, step: number): { priceTicks: number; qtyLots: number }[] {
  const out = [];
  for (let i = 0; i < n; i++) out.push({ priceTicks: start + step * i, qtyLots: 2 ** 40 + 7 * i });
  return out;
}

const bookTop: BookTopValue = {
  instrumentId: 0xffff_fffe,
  venueId: 3,
  flags: BookFlags.Synced | BookFlags.Snapshot,
  firstSeq: BINANCE_UPDATE_ID,
  lastSeq: BINANCE_UPDATE_ID + 41,
  venueTimeUs: 1_700_000_000_999_999,
  bids: levels(BOOK_MAX_LEVELS, 6_400_000_000_000, -1), // max levels, prices beyond 2^32
  asks: levels(BOOK_MAX_LEVELS, 6_400_000_000_001, 1),
};

/** One message of every kind, with extreme values where the schema allows them. */
const messages: WireMessage[] = [
  { sourceActor: 1, seq: 1, times: times(0), body: { kind: 'BookTop', value: bookTop } },
  {
    sourceActor: 2,
    seq: BIG,
    times: times(1),
    body: {
      kind: 'BookTop',
      value: { ...bookTop, flags: BookFlags.Resyncing | BookFlags.Stale, bids: [], asks: [] },
    },
  },
  {
    sourceActor: 3,
    seq: 3,
    times: times(2),
    body: { kind: 'BookTop', value: { ...bookTop, bids: levels(1, 1, 0), asks: [] } },
  },
  {
    sourceActor: 4,
    seq: 4,
    times: newStageTimes(),
    body: {
      kind: 'Trade',
      value: {
        instrumentId: 7,
        venueId: 2,
        priceTicks: 6_400_012_345_678,
        qtyLots: 3,
        aggressor: Side.Sell,
        tradeId: 9_876_543_210_123,
        seq: BINANCE_UPDATE_ID,
        venueTimeUs: 1_700_000_000_000_001,
        tradeIdText: '',
      },
    },
  },
  {
    sourceActor: 4,
    seq: 5,
    times: times(3),
    body: {
      kind: 'Trade',
      value: {
        instrumentId: 7,
        venueId: 4,
        priceTicks: 1,
        qtyLots: BIG,
        aggressor: Side.Buy,
        tradeId: 0,
        seq: 0,
        venueTimeUs: 0,
        tradeIdText: '2290000-e5b4-5e8d-bc5b-1d6d9d6a0c11',
      },
    },
  },
  {
    sourceActor: 10,
    seq: 6,
    times: times(4),
    body: {
      kind: 'NewOrder',
      value: {
        clientOrderId: 'xmc-0001-A-000000000042',
        orderRef: 2 ** 40 + 42,
        instrumentId: 12,
        venueId: 1,
        side: Side.Buy,
        orderType: OrderType.Ioc,
        priceTicks: 6_400_000_000_000,
        qtyLots: 2 ** 35,
        comboId: 0xffff_ffff,
        leg: 1,
        reduceOnly: true,
      },
    },
  },
  {
    sourceActor: 10,
    seq: 7,
    times: times(5),
    body: {
      kind: 'NewOrder',
      value: {
        clientOrderId: '订单-€-🚀-é', // CJK, 3-byte, 4-byte (surrogate pair) and 2-byte UTF-8
        orderRef: 1,
        instrumentId: 0,
        venueId: 0,
        side: Side.Sell,
        orderType: OrderType.PostOnly,
        priceTicks: 0,
        qtyLots: 1,
        comboId: 0,
        leg: 0,
        reduceOnly: false,
      },
    },
  },
  {
    sourceActor: 11,
    seq: 8,
    times: times(6),
    body: {
      kind: 'Cancel',
      value: {
        scope: CancelScope.One,
        clientOrderId: 'xmc-0001-A-000000000042',
        orderRef: 2 ** 40 + 42,
        instrumentId: 12,
        venueId: 1,
        venueOrderId: '8389765498765432101',
        comboId: 77,
        leg: 1,
      },
    },
  },
  {
    sourceActor: 11,
    seq: 9,
    times: times(7),
    body: {
      kind: 'Cancel',
      value: {
        scope: CancelScope.Venue,
        clientOrderId: '',
        orderRef: 0,
        instrumentId: 0,
        venueId: 5,
        venueOrderId: '',
        comboId: 0,
        leg: 0,
      },
    },
  },
  ...(
    [
      [ReportKind.Ack, ReasonCode.None],
      [ReportKind.PartialFill, ReasonCode.None],
      [ReportKind.Fill, ReasonCode.None],
      [ReportKind.Reject, ReasonCode.InsufficientBalance],
      [ReportKind.Cancelled, ReasonCode.Expired],
      [ReportKind.OutcomeUnknown, ReasonCode.Timeout],
    ] as const
  ).map(
    ([kind, reason], i): WireMessage => ({
      sourceActor: 20,
      seq: 100 + i,
      times: times(10 + i),
      body: {
        kind: 'OrderReport',
        value: {
          kind,
          reason,
          clientOrderId: `xmc-0001-B-${i}`,
          orderRef: 2 ** 45 + i,
          instrumentId: 12,
          venueId: 2,
          side: i % 2 === 0 ? Side.Buy : Side.Sell,
          comboId: 99,
          leg: i % 2,
          lastQtyLots: kind === ReportKind.PartialFill || kind === ReportKind.Fill ? 2 ** 33 : 0,
          lastPriceTicks: kind === ReportKind.PartialFill || kind === ReportKind.Fill ? 6_400_000_000_123 : 0,
          cumQtyLots: 2 ** 34,
          leavesQtyLots: kind === ReportKind.Fill ? 0 : 5,
          venueOrderId: i === 0 ? '' : `${9_000_000_000_000 + i}`,
          venueErrorCode: kind === ReportKind.Reject ? -2010 : 0,
          retryable: kind === ReportKind.OutcomeUnknown,
          venueTimeUs: 1_700_000_000_000_000 + i,
          origin: ([ReportOrigin.Stream, ReportOrigin.Query, ReportOrigin.Cancel] as const)[i % 3]!,
          avgPriceTicks: kind === ReportKind.Fill ? 6_400_000_000_123.5 : 0,
        },
      },
    }),
  ),
  {
    sourceActor: 11,
    seq: 150,
    times: times(8),
    body: {
      kind: 'Query',
      value: {
        clientOrderId: 'xmc-0001-A-000000000043',
        orderRef: 2 ** 40 + 43,
        instrumentId: 12,
        venueId: 1,
        venueOrderId: '',
        comboId: 4_000_000_000,
        leg: 1,
      },
    },
  },
  {
    sourceActor: 11,
    seq: 151,
    times: newStageTimes(),
    body: {
      kind: 'Query',
      value: { clientOrderId: '', orderRef: 0, instrumentId: 0, venueId: 0, venueOrderId: '8389765498765432101', comboId: 0, leg: 0 },
    },
  },
  {
    sourceActor: 30,
    seq: 200,
    times: times(20),
    body: {
      kind: 'LinkState',
      value: {
        linkId: 4_000_000_000,
        venueId: 3,
        channel: LinkChannel.Orders,
        role: LinkRole.Backup,
        status: LinkStatus.Stale,
        sinceUs: 5_000_000_000_000,
        lastSeq: BINANCE_UPDATE_ID,
        reason: 'no frame for 1500 ms — ping unanswered',
      },
    },
  },
  ...[LinkStatus.Connecting, LinkStatus.Syncing, LinkStatus.Synced, LinkStatus.Down].map(
    (status, i): WireMessage => ({
      sourceActor: 31,
      seq: 201 + i,
      times: newStageTimes(),
      body: {
        kind: 'LinkState',
        value: {
          linkId: i,
          venueId: 1,
          channel: LinkChannel.MarketData,
          role: LinkRole.Primary,
          status,
          sinceUs: i,
          lastSeq: 0,
          reason: '',
        },
      },
    }),
  ),
  {
    sourceActor: 21,
    seq: 250,
    times: newStageTimes(),
    body: {
      kind: 'Balance',
      value: { venueId: 3, assetId: 4_000_000_000, freeUnits: 2 ** 53 - 1, totalUnits: 1_000_000_000_000_123, venueTimeUs: 1_700_000_000_000_123, snapshot: true },
    },
  },
  {
    sourceActor: 21,
    seq: 251,
    times: times(25),
    body: { kind: 'Balance', value: { venueId: 0, assetId: 0, freeUnits: -12_345, totalUnits: 0, venueTimeUs: 0, snapshot: false } },
  },
  {
    sourceActor: 40,
    seq: 300,
    times: times(30),
    body: { kind: 'Heartbeat', value: { beat: 2 ** 50 + 3, nowUs: 5_000_000_000_001, backlog: 0xffff_ffff } },
  },
  ...[ControlOp.Halt, ControlOp.Resume, ControlOp.Failover, ControlOp.RestartActor, ControlOp.KillSwitch, ControlOp.RefreshBalances].map(
    (op, i): WireMessage => ({
      sourceActor: 0,
      seq: 400 + i,
      times: newStageTimes(),
      body: {
        kind: 'ControlCommand',
        value: { op, commandId: 1000 + i, targetActor: i, arg: i === 0 ? '' : `arg ${i}: flatten≤0.5%` },
      },
    }),
  ),
  {
    sourceActor: 50,
    seq: 500,
    times: times(40),
    body: {
      kind: 'AuditRecord',
      value: {
        kind: AuditKind.RiskDenial,
        code: ReasonCode.RiskDenied,
        refIds: [2 ** 40 + 42, BINANCE_UPDATE_ID, 0, BIG, -5],
        times: times(41),
        text: 'denied: stale book (age 812 ms > 500 ms) ✗',
        detail: new TextEncoder().encode('{"ageMs":812,"limitMs":500,"note":"✗ 64000.1"}'),
      },
    },
  },
  {
    sourceActor: 50,
    seq: 501,
    times: newStageTimes(),
    body: {
      kind: 'AuditRecord',
      value: {
        kind: AuditKind.Note,
        code: 0,
        refIds: [],
        times: newStageTimes(),
        text: '',
        detail: new Uint8Array(0),
      },
    },
  },
];

/** A SharedArrayBuffer-backed array with the frame copied at `offset`. */
function placeInShared(enc: WireEncoder, offset: number): Uint8Array {
  const u8 = new Uint8Array(new SharedArrayBuffer(offset + enc.length + 64));
  u8.fill(0xa5); // garbage around the frame
  const end = enc.copyInto(u8, offset);
  expect(end).toBe(offset + enc.length);
  return u8;
}

describe('wire codec round trips', () => {
  it('covers every body kind and every report, link, control kind', () => {
    const kinds = new Set(messages.map((m) => m.body.kind));
    for (const k of Object.keys(Body).filter((k) => Number.isNaN(Number(k)) && k !== 'NONE')) {
      expect(kinds.has(k as WireMessage['body']['kind']), `fixture for ${k}`).toBe(true);
    }
    const reports = messages.flatMap((m) => (m.body.kind === 'OrderReport' ? [m.body.value.kind] : []));
    expect(new Set(reports).size).toBe(6);
  });

  for (const offset of [8, 64, 37]) {
    it(`decodes every message in place from a SharedArrayBuffer at offset ${offset}`, () => {
      const enc = new WireEncoder(250); // small, odd start: some messages make the builder grow
      for (const msg of messages) {
        enc.message(msg);
        expect(enc.bytes.byteLength).toBeGreaterThanOrEqual(enc.end);
        expect(enc.start % 8, 'frames start 8-aligned in the builder').toBe(0);
        expect(enc.length % 8, 'frame lengths are multiples of 8').toBe(0);
        const shared = placeInShared(enc, offset);
        expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
        const decoded = decodeMessage(shared, offset);
        expect(decoded).toEqual(msg);
      }
    });
  }

  it('reads a BookTop through the hot-path accessors, generated accessors agreeing', () => {
    const enc = new WireEncoder();
    const head = newEnvelopeHead(9);
    head.seq = BIG;
    Object.assign(head.times, times(5));
    const input = newBookTopInput();
    input.instrumentId = 42;
    input.venueId = 2;
    input.flags = BookFlags.Synced;
    input.firstSeq = BINANCE_UPDATE_ID;
    input.lastSeq = BINANCE_UPDATE_ID + 9;
    input.venueTimeUs = 1_700_000_000_000_123;
    input.bidCount = BOOK_MAX_LEVELS;
    input.askCount = 3;
    for (let i = 0; i < BOOK_MAX_LEVELS; i++) {
      (input.bidPriceTicks as Float64Array)[i] = 2 ** 40 - i;
      (input.bidQtyLots as Float64Array)[i] = i + 0.0; // zero qty level allowed (deletion marker)
      (input.askPriceTicks as Float64Array)[i] = 2 ** 40 + 1 + i;
      (input.askQtyLots as Float64Array)[i] = 2 ** 52 + i;
    }
    enc.bookTop(head, input);
    const shared = placeInShared(enc, 128);
    const view = new FrameView(shared);

    expect(view.at(128)).toBe(view);
    expect(view.kind()).toBe(Body.BookTop);
    expect(view.sourceActor()).toBe(9);
    expect(view.seq()).toBe(BIG);
    expect(view.stage(Stage.VenueEvent)).toBe(head.times.venueEventUs);
    expect(view.stage(Stage.Received)).toBe(head.times.receivedUs);
    expect(view.stage(Stage.Fill)).toBe(head.times.fillUs);
    expect(view.readTimes(newStageTimes())).toEqual(head.times);
    expect(view.bookFirstSeq()).toBe(BINANCE_UPDATE_ID);
    expect(view.bookLastSeq()).toBe(BINANCE_UPDATE_ID + 9);
    expect(view.bookVenueTimeUs()).toBe(1_700_000_000_000_123);
    expect(view.bidCount()).toBe(BOOK_MAX_LEVELS);
    expect(view.askCount()).toBe(3);
    for (let i = 0; i < BOOK_MAX_LEVELS; i++) {
      expect(view.bidPriceTicks(i)).toBe(2 ** 40 - i);
      expect(view.bidQtyLots(i)).toBe(i);
    }
    for (let i = 0; i < 3; i++) {
      expect(view.askPriceTicks(i)).toBe(2 ** 40 + 1 + i);
      expect(view.askQtyLots(i)).toBe(2 ** 52 + i);
    }

    // The generated accessors read the same values (the view's accessor objects are reused).
    const top = view.bookTop();
    expect(top).toBe(view.bookTop());
    expect(top.instrumentId()).toBe(42);
    expect(top.venueId()).toBe(2);
    expect(top.flags()).toBe(BookFlags.Synced);
    expect(top.firstSeq()).toBe(BINANCE_UPDATE_ID);
    expect(top.lastSeq()).toBe(BINANCE_UPDATE_ID + 9);
    expect(top.bidsLength()).toBe(BOOK_MAX_LEVELS);
    expect(top.bids(7, view.level)!.priceTicks()).toBe(2 ** 40 - 7);
    expect(top.asks(2, view.level)!.qtyLots()).toBe(2 ** 52 + 2);
    expect(view.times.ackUs()).toBe(head.times.ackUs);
  });

  it('reuses one view for frames of different kinds in the same shared array', () => {
    const enc = new WireEncoder();
    const shared = new Uint8Array(new SharedArrayBuffer(1 << 16));
    const offsets: number[] = [];
    let at = 16;
    for (const msg of messages) {
      enc.message(msg);
      offsets.push(at);
      at = (enc.copyInto(shared, at) + 7) & ~7;
    }
    const view = new FrameView(shared);
    messages.forEach((msg, i) => {
      view.at(offsets[i]!);
      expect(Body[view.kind()]).toBe(msg.body.kind);
      expect(view.seq()).toBe(msg.seq);
      expect(view.sourceActor()).toBe(msg.sourceActor);
    });
    // Backwards too: nothing of the previous frame leaks into the next one.
    for (let i = messages.length - 1; i >= 0; i--) {
      expect(decodeMessage(shared, offsets[i]!)).toEqual(messages[i]);
    }
  });

  it('stamps a stage time into the encoded frame in place', () => {
    const enc = new WireEncoder();
    enc.message(messages[5]!);
    const before = enc.toUint8Array();
    enc.stamp(Stage.RingCommitted, 7_777_777_777.5);
    enc.stamp(Stage.Decision, 2 ** 52);
    const after = decodeMessage(enc.bytes, enc.start);
    expect(after.times).toEqual({ ...messages[5]!.times, ringCommittedUs: 7_777_777_777.5, decisionUs: 2 ** 52 });
    expect(after.body).toEqual(messages[5]!.body);
    expect(enc.toUint8Array().length).toBe(before.length);
  });

  it('answers the documented errors', () => {
    const enc = new WireEncoder();
    const head = newEnvelopeHead();
    const input = newBookTopInput(BOOK_MAX_LEVELS + 1);
    input.bidCount = BOOK_MAX_LEVELS + 1;
    expect(() => enc.bookTop(head, input)).toThrow(expect.objectContaining({ code: 'WIRE_BAD_INPUT' }));
    const short = newBookTopInput(2);
    short.askCount = 3;
    expect(() => enc.bookTop(head, short)).toThrow(WireError);
    short.askCount = 1.5;
    expect(() => enc.bookTop(head, short)).toThrow(/WIRE_BAD_INPUT/);
    expect(() => new WireEncoder().stamp(Stage.Ack, 1)).toThrow(/WIRE_BAD_INPUT/);

    // The encoder is still usable after a rejected input.
    enc.message(messages[0]!);
    expect(() => enc.copyInto(new Uint8Array(enc.length + 7), 8)).toThrow(/WIRE_BAD_INPUT/);
    const shared = placeInShared(enc, 8);
    const view = new FrameView(shared);
    expect(() => view.at(0)).toThrow(expect.objectContaining({ code: 'WIRE_BAD_FRAME', retryable: false }));
    expect(() => view.at(shared.length - 4)).toThrow(/WIRE_BAD_FRAME/);
    expect(() => view.at(-1)).toThrow(/WIRE_BAD_FRAME/);
    view.at(8);
    expect(() => view.trade()).toThrow(expect.objectContaining({ code: 'WIRE_WRONG_KIND' }));
    expect(() => view.auditRecord()).toThrow(/BookTop, not AuditRecord/);
    expect(decodeMessage(shared, 8)).toEqual(messages[0]);
  });

  it('encodeMessage returns a private copy that survives the next encode', () => {
    const enc = new WireEncoder();
    const a = encodeMessage(messages[0]!, enc);
    const b = encodeMessage(messages[3]!, enc);
    expect(decodeMessage(a)).toEqual(messages[0]);
    expect(decodeMessage(b)).toEqual(messages[3]);
  });
});

// --- byte equality with the generated code's plain path ---------------------------------------

function refTimes(b: flatbuffers.Builder, t: StageTimesValue): number {
  return StageTimes.createStageTimes(
    b,
    t.venueEventUs,
    t.receivedUs,
    t.bookAppliedUs,
    t.ringCommittedUs,
    t.decisionUs,
    t.orderSentUs,
    t.ackUs,
    t.fillUs,
  );
}

function refEnvelope(b: flatbuffers.Builder, m: WireMessage, kind: Body, body: number): Uint8Array {
  Envelope.startEnvelope(b);
  Envelope.addTimes(b, refTimes(b, m.times));
  Envelope.addSeq(b, m.seq);
  Envelope.addBody(b, body);
  Envelope.addSourceActor(b, m.sourceActor);
  Envelope.addBodyType(b, kind);
  Envelope.finishEnvelopeBuffer(b, Envelope.endEnvelope(b));
  return b.asUint8Array().slice();
}

/** The same BookTop built by a fresh Builder through the generated functions only. */
function referenceBookTop(m: WireMessage & { body: { kind: 'BookTop' } }): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const v = m.body.value;
  const vec = (ls: { priceTicks: number; qtyLots: number }[]): number => {
    BookTop.startBidsVector(b, ls.length);
    for (let i = ls.length - 1; i >= 0; i--) Level.createLevel(b, ls[i]!.priceTicks, ls[i]!.qtyLots);
    return b.endVector();
  };
  const asks = vec(v.asks);
  const bids = vec(v.bids);
  BookTop.startBookTop(b);
  BookTop.addFirstSeq(b, v.firstSeq);
  BookTop.addLastSeq(b, v.lastSeq);
  BookTop.addVenueTimeUs(b, v.venueTimeUs);
  BookTop.addInstrumentId(b, v.instrumentId);
  BookTop.addVenueId(b, v.venueId);
  BookTop.addFlags(b, v.flags);
  BookTop.addBids(b, bids);
  BookTop.addAsks(b, asks);
  return refEnvelope(b, m, Body.BookTop, BookTop.endBookTop(b));
}

function referenceNewOrder(m: WireMessage & { body: { kind: 'NewOrder' } }): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const v = m.body.value;
  const id = b.createString(v.clientOrderId);
  NewOrder.startNewOrder(b);
  NewOrder.addOrderRef(b, v.orderRef);
  NewOrder.addPriceTicks(b, v.priceTicks);
  NewOrder.addQtyLots(b, v.qtyLots);
  NewOrder.addClientOrderId(b, id);
  NewOrder.addInstrumentId(b, v.instrumentId);
  NewOrder.addVenueId(b, v.venueId);
  NewOrder.addComboId(b, v.comboId);
  NewOrder.addSide(b, v.side);
  NewOrder.addOrderType(b, v.orderType);
  NewOrder.addLeg(b, v.leg);
  NewOrder.addReduceOnly(b, v.reduceOnly);
  return refEnvelope(b, m, Body.NewOrder, NewOrder.endNewOrder(b));
}

function referenceAudit(m: WireMessage & { body: { kind: 'AuditRecord' } }): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const v = m.body.value;
  const detail = v.detail.length ? AuditRecord.createDetailVector(b, v.detail) : 0;
  const text = v.text ? b.createString(v.text) : 0;
  const refIds = AuditRecord.createRefIdsVector(b, v.refIds);
  AuditRecord.startAuditRecord(b);
  AuditRecord.addTimes(b, refTimes(b, v.times));
  AuditRecord.addCode(b, v.code);
  AuditRecord.addRefIds(b, refIds);
  AuditRecord.addText(b, text);
  AuditRecord.addDetail(b, detail);
  AuditRecord.addKind(b, v.kind);
  return refEnvelope(b, m, Body.AuditRecord, AuditRecord.endAuditRecord(b));
}

describe('codec fast paths match the generated code byte for byte', () => {
  it('BookTop, NewOrder (unicode) and AuditRecord, through one reused encoder', () => {
    const enc = new WireEncoder(128);
    // Interleave kinds so that every encode starts from a builder that held another message.
    for (let round = 0; round < 3; round++) {
      for (const msg of messages) {
        enc.message(msg);
        const got = enc.toUint8Array();
        const body = msg.body;
        if (body.kind === 'BookTop') expect(got).toEqual(referenceBookTop({ ...msg, body }));
        else if (body.kind === 'NewOrder') expect(got).toEqual(referenceNewOrder({ ...msg, body }));
        else if (body.kind === 'AuditRecord') expect(got).toEqual(referenceAudit({ ...msg, body }));
      }
    }
  });

  it('frames from the generated path decode through FrameView', () => {
    const msg = messages[6]!;
    if (msg.body.kind !== 'NewOrder') throw new Error('fixture order changed');
    const ref = referenceNewOrder({ ...msg, body: msg.body });
    const shared = new Uint8Array(new SharedArrayBuffer(ref.length + 24));
    shared.set(ref, 24);
    expect(decodeMessage(shared, 24)).toEqual(msg);
    const view = new FrameView(shared).at(24);
    expect(view.newOrder().clientOrderId()).toBe('订单-€-🚀-é');
  });
});

describe('report origin', () => {
  it('wire ReportOrigin has the numbers of the execution machine ReportOrigin', async () => {
    const core = await import('../../src/core/exec-types.js');
    expect(ReportOrigin.Stream).toBe(core.ReportOrigin.STREAM);
    expect(ReportOrigin.Query).toBe(core.ReportOrigin.QUERY);
    expect(ReportOrigin.Cancel).toBe(core.ReportOrigin.CANCEL);
  });

  it('origin Stream (the default, 0) is not written and reads back as Stream', () => {
    const enc = new WireEncoder();
    enc.message({
      sourceActor: 1,
      seq: 1,
      times: newStageTimes(),
      body: {
        kind: 'OrderReport',
        value: {
          kind: ReportKind.Ack, reason: ReasonCode.None, clientOrderId: 'c', orderRef: 1, instrumentId: 0, venueId: 0, side: Side.Buy,
          comboId: 0, leg: 0, lastQtyLots: 0, lastPriceTicks: 0, cumQtyLots: 0, leavesQtyLots: 1, venueOrderId: '', venueErrorCode: 0,
          retryable: false, venueTimeUs: 0, origin: ReportOrigin.Stream, avgPriceTicks: 0,
        },
      },
    });
    const m = decodeMessage(enc.toUint8Array());
    expect(m.body.kind === 'OrderReport' && m.body.value.origin).toBe(ReportOrigin.Stream);
  });
});
