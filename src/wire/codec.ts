// Codec helpers over the generated FlatBuffers code (generated/xmc_generated.ts, schema xmc.fbs):
// a reusable encoder whose finished frame is exposed as (bytes, start, end) for one copy into a
// ring, an in-place frame reader over a shared Uint8Array, and plain-object encode/decode for
// tests and tools.
//
// Invariants:
// - Hot path (WireEncoder.bookTop/trade/.../stamp, FrameView.at and its accessors): no
//   allocation per message in steady state, no BigInt, no closures, no subarray()/slice().
//   The encoder owns one flatbuffers.Builder and resets it without allocating (resetBuilder
//   below: the runtime's own Builder.clear() allocates two arrays per call); the reader owns
//   one ByteBuffer over the whole shared array and one accessor object per table type.
//   Exceptions: the Builder's buffer doubles (once) when a message does not fit; reading a
//   string field (client order ids, venue order ids, texts) allocates the JS string, so hot
//   code matches reports by the numeric `orderRef` instead.
// - Doubles: the encoder stores every double field, level and stage time with a DataView (the
//   same bytes the generated adders write), and FrameView reads stage times, levels, the
//   envelope seq and the BookTop sequence/time fields the same way. The runtime's own path
//   passes doubles through a chain of calls, which boxes every non-Smi value (sequence ids,
//   µs timestamps) into a fresh HeapNumber unless V8 happens to inline the whole chain. The
//   generated accessors (e.g. `top.lastSeq()`) give the same values, through that slower path.
// - Scalar fields equal to their default (0; also -0) are not written and read back as 0;
//   struct fields (levels, stage times) keep -0. Prices, quantities and ids are integers anyway.
// - A finished frame is `bytes[start, end)`, where `bytes` is the Builder's current buffer. It is
//   valid until the next encode on the same encoder (and `bytes` may be a different array after
//   a growth, so read it after every encode). Its length is a multiple of 8 and `start` is
//   8-aligned within `bytes`.
// - Every frame is a FlatBuffer rooted at Envelope with file identifier "XMCW" at bytes 4..7;
//   FrameView.at() checks it and throws WireError('WIRE_BAD_FRAME') otherwise. A frame may sit
//   at any offset (no alignment needed by the reader). Frames come from our own actors: a
//   FrameView does not verify inner offsets (there is no TS verifier); bytes from outside the
//   process (files, sockets) must not be handed to it unchecked.
// - Strings: UTF-8, written without allocation by writeUtf8(); an empty string is not written
//   and an absent string reads back as "" (so "" round-trips). Lone UTF-16 surrogates are
//   written as U+FFFD, as TextEncoder does.
// - Book tops carry at most BOOK_MAX_LEVELS levels per side; the encoder rejects more.
import * as flatbuffers from 'flatbuffers';
import {
  AuditKind,
  AuditRecord,
  Balance,
  Body,
  BookTop,
  Cancel,
  CancelScope,
  ControlCommand,
  ControlOp,
  Envelope,
  Heartbeat,
  Level,
  LinkChannel,
  LinkRole,
  LinkState,
  LinkStatus,
  NewOrder,
  OrderReport,
  OrderType,
  Query,
  ReasonCode,
  ReportKind,
  ReportOrigin,
  Side,
  StageTimes,
  Trade,
} from './generated/xmc_generated.js';

// ---------------------------------------------------------------------------------------------
// Constants and errors

/** File identifier of every frame (bytes 4..7). */
export const WIRE_FILE_IDENTIFIER = 'XMCW';
const IDENT_I32 =
  (WIRE_FILE_IDENTIFIER.charCodeAt(0) |
    (WIRE_FILE_IDENTIFIER.charCodeAt(1) << 8) |
    (WIRE_FILE_IDENTIFIER.charCodeAt(2) << 16) |
    (WIRE_FILE_IDENTIFIER.charCodeAt(3) << 24)) |
  0;

/** Most levels per side a BookTop may carry (OKX books50 / Bybit orderbook.50 depth). */
export const BOOK_MAX_LEVELS = 50;

/** Smallest possible frame (root offset + identifier); a frame is never shorter. */
export const MIN_FRAME_BYTES = 8;

/** Pipeline stages, in StageTimes field order: stage s is the double at byte 8*s of the struct. */
export const Stage = {
  VenueEvent: 0,
  Received: 1,
  BookApplied: 2,
  RingCommitted: 3,
  Decision: 4,
  OrderSent: 5,
  Ack: 6,
  Fill: 7,
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];
export const STAGE_COUNT = 8;

export const WIRE_ERROR_CODES = [
  'WIRE_BAD_FRAME', // no XMCW identifier at the offset, or the offset is out of bounds
  'WIRE_WRONG_KIND', // a body accessor was asked for another kind than the frame holds
  'WIRE_BAD_INPUT', // encoder input out of range (too many levels, counts beyond arrays)
  'WIRE_RUNTIME_MISMATCH', // the flatbuffers runtime lacks the Builder internals resetBuilder needs
] as const;
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number];

/** A wire-format error. Never retryable: the same bytes or input give the same answer. */
export class WireError extends Error {
  readonly code: WireErrorCode;
  readonly retryable = false;
  constructor(code: WireErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'WireError';
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// Value types (plain objects). The hot path reuses one mutable object per message type.

/** Stage timestamps, µs on the engine's monotonic clock, 0 = stage not passed. */
export interface StageTimesValue {
  venueEventUs: number;
  receivedUs: number;
  bookAppliedUs: number;
  ringCommittedUs: number;
  decisionUs: number;
  orderSentUs: number;
  ackUs: number;
  fillUs: number;
}

/** What every frame carries besides its body. */
export interface EnvelopeHead {
  sourceActor: number;
  seq: number;
  times: StageTimesValue;
}

export interface LevelValue {
  priceTicks: number;
  qtyLots: number;
}

/** Plain BookTop (tests, tools). The hot path encodes from a BookTopInput instead. */
export interface BookTopValue {
  instrumentId: number;
  venueId: number;
  /** BookFlags bits. */
  flags: number;
  firstSeq: number;
  lastSeq: number;
  venueTimeUs: number;
  bids: LevelValue[];
  asks: LevelValue[];
}

/**
 * BookTop encoder input over parallel arrays (e.g. the feed's own Float64Arrays), so that a
 * feed publishes without building level objects. Only the first bidCount / askCount entries
 * are read.
 */
export interface BookTopInput {
  instrumentId: number;
  venueId: number;
  flags: number;
  firstSeq: number;
  lastSeq: number;
  venueTimeUs: number;
  bidCount: number;
  bidPriceTicks: ArrayLike<number>;
  bidQtyLots: ArrayLike<number>;
  askCount: number;
  askPriceTicks: ArrayLike<number>;
  askQtyLots: ArrayLike<number>;
}

export interface TradeValue {
  instrumentId: number;
  venueId: number;
  priceTicks: number;
  qtyLots: number;
  aggressor: Side;
  tradeId: number;
  seq: number;
  venueTimeUs: number;
  tradeIdText: string;
}

export interface NewOrderValue {
  clientOrderId: string;
  orderRef: number;
  instrumentId: number;
  venueId: number;
  side: Side;
  orderType: OrderType;
  priceTicks: number;
  qtyLots: number;
  comboId: number;
  leg: number;
  reduceOnly: boolean;
}

export interface CancelValue {
  scope: CancelScope;
  clientOrderId: string;
  orderRef: number;
  instrumentId: number;
  venueId: number;
  venueOrderId: string;
  comboId: number;
  leg: number;
}

export interface OrderReportValue {
  kind: ReportKind;
  reason: ReasonCode;
  clientOrderId: string;
  orderRef: number;
  instrumentId: number;
  venueId: number;
  side: Side;
  comboId: number;
  leg: number;
  lastQtyLots: number;
  lastPriceTicks: number;
  cumQtyLots: number;
  leavesQtyLots: number;
  venueOrderId: string;
  venueErrorCode: number;
  retryable: boolean;
  venueTimeUs: number;
  /** Order stream, query answer or cancel answer (absent in older frames: Stream). */
  origin: ReportOrigin;
  /** Average fill price of the whole order in ticks when the venue gave one, else 0. */
  avgPriceTicks: number;
}

/** A query of one order's state by client order id (answered by an OrderReport, origin Query). */
export interface QueryValue {
  clientOrderId: string;
  orderRef: number;
  instrumentId: number;
  venueId: number;
  venueOrderId: string;
  comboId: number;
  leg: number;
}

export interface LinkStateValue {
  linkId: number;
  venueId: number;
  channel: LinkChannel;
  role: LinkRole;
  status: LinkStatus;
  sinceUs: number;
  lastSeq: number;
  reason: string;
}

export interface BalanceValue {
  venueId: number;
  assetId: number;
  freeUnits: number;
  totalUnits: number;
  venueTimeUs: number;
  snapshot: boolean;
}

export interface HeartbeatValue {
  beat: number;
  nowUs: number;
  backlog: number;
}

export interface ControlCommandValue {
  op: ControlOp;
  commandId: number;
  targetActor: number;
  arg: string;
}

/** AuditRecord encoder input; refIds and detail may be any array-like (reused buffers). */
export interface AuditRecordInput {
  kind: AuditKind;
  code: number;
  refIds: ArrayLike<number>;
  times: StageTimesValue;
  text: string;
  detail: ArrayLike<number>;
}

/** Plain AuditRecord as decodeMessage() returns it. */
export interface AuditRecordValue extends AuditRecordInput {
  refIds: number[];
  detail: Uint8Array;
}

/** Message kind names: the generated Body enum's member names. */
export type WireKind = Exclude<keyof typeof Body, 'NONE'>;

/**
 * A body as a plain object: the kind plus its value (nested, because OrderReport and AuditRecord
 * have `kind` fields of their own).
 */
export type WireBody =
  | { kind: 'BookTop'; value: BookTopValue }
  | { kind: 'Trade'; value: TradeValue }
  | { kind: 'NewOrder'; value: NewOrderValue }
  | { kind: 'Cancel'; value: CancelValue }
  | { kind: 'OrderReport'; value: OrderReportValue }
  | { kind: 'LinkState'; value: LinkStateValue }
  | { kind: 'Heartbeat'; value: HeartbeatValue }
  | { kind: 'ControlCommand'; value: ControlCommandValue }
  | { kind: 'AuditRecord'; value: AuditRecordValue }
  | { kind: 'Query'; value: QueryValue }
  | { kind: 'Balance'; value: BalanceValue };

/** A whole frame as a plain object (tests, tools, journal export; not the hot path). */
export interface WireMessage extends EnvelopeHead {
  body: WireBody;
}

/** A StageTimesValue with every stage 0. */
export function newStageTimes(): StageTimesValue {
  return {
    venueEventUs: 0,
    receivedUs: 0,
    bookAppliedUs: 0,
    ringCommittedUs: 0,
    decisionUs: 0,
    orderSentUs: 0,
    ackUs: 0,
    fillUs: 0,
  };
}

/** A reusable envelope head (all zero). */
export function newEnvelopeHead(sourceActor = 0): EnvelopeHead {
  return { sourceActor, seq: 0, times: newStageTimes() };
}

/** A reusable BookTopInput backed by Float64Arrays of `maxLevels` entries per side. */
export function newBookTopInput(maxLevels: number = BOOK_MAX_LEVELS): BookTopInput {
  return {
    instrumentId: 0,
    venueId: 0,
    flags: 0,
    firstSeq: 0,
    lastSeq: 0,
    venueTimeUs: 0,
    bidCount: 0,
    bidPriceTicks: new Float64Array(maxLevels),
    bidQtyLots: new Float64Array(maxLevels),
    askCount: 0,
    askPriceTicks: new Float64Array(maxLevels),
    askQtyLots: new Float64Array(maxLevels),
  };
}

// ---------------------------------------------------------------------------------------------
// Builder reset without allocation

/**
 * The Builder fields that Builder.clear() resets in the flatbuffers 2.0.x runtime. They are
 * TypeScript-private but plain properties at run time. clear() assigns a fresh `vtables` array
 * and nulls `vtable` (so the next startObject allocates another): two arrays per message.
 * resetBuilder keeps `vtable`, and replaces `vtables` once by an OffsetList, which the runtime
 * uses only through `length`, `[i]` and `push()`. (Truncating a real array with `length = 0`
 * is not enough: V8 drops its backing store and the next push() allocates a new one.)
 * The version-agreement test pins the runtime line, and WireEncoder's constructor checks that
 * these fields exist.
 */
interface BuilderInternals {
  bb: flatbuffers.ByteBuffer;
  space: number;
  minalign: number;
  vtable: number[] | null;
  vtable_in_use: number;
  isNested: boolean;
  object_start: number;
  vtables: OffsetList;
  vector_num_elems: number;
  force_defaults: boolean;
  string_maps: unknown;
}
const BUILDER_FIELDS = [
  'bb',
  'space',
  'minalign',
  'vtable',
  'vtable_in_use',
  'isNested',
  'object_start',
  'vtables',
  'vector_num_elems',
  'force_defaults',
  'string_maps',
] as const;

/** Array-like list of vtable offsets whose storage survives `length = 0`. */
class OffsetList {
  [index: number]: number;
  length = 0;
  push(value: number): number {
    this[this.length] = value;
    return ++this.length;
  }
}

/** Same effect as builder.clear(), without allocating. */
function resetBuilder(builder: flatbuffers.Builder): void {
  const s = builder as unknown as BuilderInternals;
  s.bb.clear();
  s.space = s.bb.capacity();
  s.minalign = 1;
  s.vtable_in_use = 0;
  s.isNested = false;
  s.object_start = 0;
  s.vtables.length = 0;
  s.vector_num_elems = 0;
  s.force_defaults = false;
  s.string_maps = null;
}

// ---------------------------------------------------------------------------------------------
// Allocation-free UTF-8 strings and vectors

/** Bytes of `s` in UTF-8 (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Writes `s` as a FlatBuffers string (UTF-8 bytes, NUL terminator, u32 length) straight into the
 * builder's buffer: the same bytes as builder.createString(s), without TextEncoder's temporary
 * array. Returns 0 (field absent) for the empty string. Must be called outside a table.
 */
export function writeUtf8(builder: flatbuffers.Builder, s: string): number {
  const len = s.length;
  if (len === 0) return 0;
  const n = utf8Length(s);
  builder.addInt8(0);
  builder.startVector(1, n, 1);
  builder.pad(n);
  const bb = builder.dataBuffer();
  const u8 = bb.bytes();
  let p = bb.capacity() - builder.offset();
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      u8[p++] = c;
    } else if (c < 0x800) {
      u8[p++] = 0xc0 | (c >> 6);
      u8[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      u8[p++] = 0xf0 | (cp >> 18);
      u8[p++] = 0x80 | ((cp >> 12) & 0x3f);
      u8[p++] = 0x80 | ((cp >> 6) & 0x3f);
      u8[p++] = 0x80 | (cp & 0x3f);
    } else {
      if ((c & 0xf800) === 0xd800) c = 0xfffd;
      u8[p++] = 0xe0 | (c >> 12);
      u8[p++] = 0x80 | ((c >> 6) & 0x3f);
      u8[p++] = 0x80 | (c & 0x3f);
    }
  }
  return builder.endVector();
}

/**
 * The DataView over a builder's current buffer, cached per buffer (the Builder replaces its
 * buffer only when it grows). DataView reads and writes of doubles compile to plain loads and
 * stores, where the runtime's ByteBuffer goes byte by byte through scratch typed arrays.
 */
class BufferView {
  private u8: Uint8Array | null = null;
  private dv: DataView = new DataView(new ArrayBuffer(8));
  of(bb: flatbuffers.ByteBuffer): DataView {
    const u8 = bb.bytes();
    if (u8 !== this.u8) {
      this.u8 = u8;
      this.dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    }
    return this.dv;
  }
}

/**
 * Writes a vector of `count` Level structs (16 bytes, 8-byte aligned), best level first: the
 * same bytes as startBidsVector + createLevel per level (last first) + endVector, written with
 * one DataView pass.
 */
function writeLevels(
  builder: flatbuffers.Builder,
  view: BufferView,
  count: number,
  price: ArrayLike<number>,
  qty: ArrayLike<number>,
  side: string,
): number {
  if (!(count >= 0 && count <= BOOK_MAX_LEVELS && count <= price.length && count <= qty.length) || count % 1 !== 0) {
    throw new WireError(
      'WIRE_BAD_INPUT',
      `${side} count ${count} must be an integer in [0, ${BOOK_MAX_LEVELS}] and within its arrays ` +
        `(${price.length} prices, ${qty.length} quantities)`,
    );
  }
  // startVector makes room and aligns so that the 16*count element bytes end 8-byte aligned.
  BookTop.startBidsVector(builder, count);
  const s = builder as unknown as BuilderInternals;
  s.space -= 16 * count;
  const dv = view.of(s.bb);
  let p = s.space;
  for (let i = 0; i < count; i++) {
    dv.setFloat64(p, price[i]!, true);
    dv.setFloat64(p + 8, qty[i]!, true);
    p += 16;
  }
  return builder.endVector();
}

/** A vector of doubles (same bytes as the generated create...Vector), stored by a DataView. */
function writeDoubles(builder: flatbuffers.Builder, view: BufferView, v: ArrayLike<number>): number {
  const n = v.length;
  AuditRecord.startRefIdsVector(builder, n);
  const s = builder as unknown as BuilderInternals;
  s.space -= 8 * n;
  const dv = view.of(s.bb);
  for (let i = 0, p = s.space; i < n; i++, p += 8) dv.setFloat64(p, v[i]!, true);
  return builder.endVector();
}

function writeBytes(builder: flatbuffers.Builder, v: ArrayLike<number>): number {
  const n = v.length;
  if (n === 0) return 0;
  // the vector's bytes copied in one go into the space pad() made (as writeUtf8 does), not one
  // addInt8 per byte
  AuditRecord.startDetailVector(builder, n);
  builder.pad(n);
  const bb = builder.dataBuffer();
  bb.bytes().set(v, bb.capacity() - builder.offset());
  return builder.endVector();
}

/**
 * Writes a StageTimes struct inline (the same bytes as StageTimes.createStageTimes) and returns
 * its offset; must be followed at once by the add call of the field that holds it.
 */
function writeStageTimes(builder: flatbuffers.Builder, view: BufferView, t: StageTimesValue): number {
  builder.prep(8, 64);
  const s = builder as unknown as BuilderInternals;
  s.space -= 64;
  const dv = view.of(s.bb);
  const p = s.space;
  dv.setFloat64(p, t.venueEventUs, true);
  dv.setFloat64(p + 8, t.receivedUs, true);
  dv.setFloat64(p + 16, t.bookAppliedUs, true);
  dv.setFloat64(p + 24, t.ringCommittedUs, true);
  dv.setFloat64(p + 32, t.decisionUs, true);
  dv.setFloat64(p + 40, t.orderSentUs, true);
  dv.setFloat64(p + 48, t.ackUs, true);
  dv.setFloat64(p + 56, t.fillUs, true);
  return builder.offset();
}

/**
 * The field slot flatc gave a double field, read from its generated adder (which calls
 * builder.addFieldFloat64(slot, value, default)) with a recording stand-in builder, so the codec
 * never hard-codes slot numbers. The field's vtable entry is at byte 4 + 2 * slot.
 */
function float64Slot(add: (builder: flatbuffers.Builder, value: number) => void, name: string): number {
  let slot = -1;
  const probe = {
    addFieldFloat64(s: number): void {
      slot = s;
    },
  };
  add(probe as unknown as flatbuffers.Builder, 1);
  if (slot < 0) throw new WireError('WIRE_RUNTIME_MISMATCH', `generated ${name} does not add a float64 field`);
  return slot;
}

// Slots of every double field the encoder writes (through addFloat64Field).
const F64 = {
  envelopeSeq: float64Slot(Envelope.addSeq, 'Envelope.addSeq'),
  bookFirstSeq: float64Slot(BookTop.addFirstSeq, 'BookTop.addFirstSeq'),
  bookLastSeq: float64Slot(BookTop.addLastSeq, 'BookTop.addLastSeq'),
  bookVenueTimeUs: float64Slot(BookTop.addVenueTimeUs, 'BookTop.addVenueTimeUs'),
  tradePriceTicks: float64Slot(Trade.addPriceTicks, 'Trade.addPriceTicks'),
  tradeQtyLots: float64Slot(Trade.addQtyLots, 'Trade.addQtyLots'),
  tradeTradeId: float64Slot(Trade.addTradeId, 'Trade.addTradeId'),
  tradeSeq: float64Slot(Trade.addSeq, 'Trade.addSeq'),
  tradeVenueTimeUs: float64Slot(Trade.addVenueTimeUs, 'Trade.addVenueTimeUs'),
  orderOrderRef: float64Slot(NewOrder.addOrderRef, 'NewOrder.addOrderRef'),
  orderPriceTicks: float64Slot(NewOrder.addPriceTicks, 'NewOrder.addPriceTicks'),
  orderQtyLots: float64Slot(NewOrder.addQtyLots, 'NewOrder.addQtyLots'),
  cancelOrderRef: float64Slot(Cancel.addOrderRef, 'Cancel.addOrderRef'),
  reportOrderRef: float64Slot(OrderReport.addOrderRef, 'OrderReport.addOrderRef'),
  reportLastQtyLots: float64Slot(OrderReport.addLastQtyLots, 'OrderReport.addLastQtyLots'),
  reportLastPriceTicks: float64Slot(OrderReport.addLastPriceTicks, 'OrderReport.addLastPriceTicks'),
  reportCumQtyLots: float64Slot(OrderReport.addCumQtyLots, 'OrderReport.addCumQtyLots'),
  reportLeavesQtyLots: float64Slot(OrderReport.addLeavesQtyLots, 'OrderReport.addLeavesQtyLots'),
  reportVenueTimeUs: float64Slot(OrderReport.addVenueTimeUs, 'OrderReport.addVenueTimeUs'),
  reportAvgPriceTicks: float64Slot(OrderReport.addAvgPriceTicks, 'OrderReport.addAvgPriceTicks'),
  queryOrderRef: float64Slot(Query.addOrderRef, 'Query.addOrderRef'),
  linkSinceUs: float64Slot(LinkState.addSinceUs, 'LinkState.addSinceUs'),
  linkLastSeq: float64Slot(LinkState.addLastSeq, 'LinkState.addLastSeq'),
  heartbeatBeat: float64Slot(Heartbeat.addBeat, 'Heartbeat.addBeat'),
  heartbeatNowUs: float64Slot(Heartbeat.addNowUs, 'Heartbeat.addNowUs'),
  balanceFree: float64Slot(Balance.addFreeUnits, 'Balance.addFreeUnits'),
  balanceTotal: float64Slot(Balance.addTotalUnits, 'Balance.addTotalUnits'),
  balanceVenueTimeUs: float64Slot(Balance.addVenueTimeUs, 'Balance.addVenueTimeUs'),
} as const;

/** The field slot of a struct field, read from its generated adder like float64Slot(). */
function structSlot(add: (builder: flatbuffers.Builder, offset: number) => void, name: string): number {
  let slot = -1;
  const probe = {
    addFieldStruct(s: number): void {
      slot = s;
    },
  };
  add(probe as unknown as flatbuffers.Builder, 1);
  if (slot < 0) throw new WireError('WIRE_RUNTIME_MISMATCH', `generated ${name} does not add a struct field`);
  return slot;
}

// vtable offsets of the fields FrameView reads itself.
const vt = (slot: number): number => 4 + 2 * slot;
const VT_ENVELOPE_TIMES = vt(structSlot(Envelope.addTimes, 'Envelope.addTimes'));
const VT_ENVELOPE_SEQ = vt(F64.envelopeSeq);
const VT_BOOK_FIRST_SEQ = vt(F64.bookFirstSeq);
const VT_BOOK_LAST_SEQ = vt(F64.bookLastSeq);
const VT_BOOK_VENUE_TIME = vt(F64.bookVenueTimeUs);

/**
 * builder.addFieldFloat64(slot, v, 0) with the store done by a DataView: the same bytes, but the
 * double stays unboxed when this is inlined (the runtime's deeper call chain passes it boxed,
 * which allocates a HeapNumber per non-Smi value: sequence ids, µs timestamps).
 */
function addFloat64Field(builder: flatbuffers.Builder, view: BufferView, slot: number, v: number): void {
  if (v === 0) return; // the default: not written, reads back as 0 (as the generated adder does)
  builder.prep(8, 0);
  const s = builder as unknown as BuilderInternals;
  s.space -= 8;
  view.of(s.bb).setFloat64(s.space, v, true);
  builder.slot(slot);
}

// ---------------------------------------------------------------------------------------------
// Encoder

/**
 * Builds frames with one reused flatbuffers.Builder. Use one encoder per thread (threadEncoder()
 * gives the thread's shared one). After `enc.bookTop(head, top)` the frame is
 * `enc.bytes[enc.start, enc.end)`: hand it to a ring with `ring.write(enc.bytes, enc.start, enc.end)`
 * (the one copy), or copy it with copyInto().
 */
export class WireEncoder {
  /** The reused builder. Do not call builder.clear() (it allocates); the encoder resets it. */
  readonly builder: flatbuffers.Builder;
  /** Backing array of the last frame (the builder's buffer; replaced when the builder grows). */
  bytes: Uint8Array;
  /** The last frame is bytes[start, end). */
  start = 0;
  end = 0;
  /** Position of the last frame's StageTimes struct in `bytes` (-1 before the first encode). */
  private timesPos = -1;
  private readonly view = new BufferView();
  // Int32Array views for copyInto(), one cached per source and destination array.
  private src32Of: Uint8Array | null = null;
  private src32: Int32Array | null = null;
  private dst32Of: Uint8Array | null = null;
  private dst32: Int32Array | null = null;

  /** `initialCapacity` is rounded up to a multiple of 8 (so frames start 8-aligned). */
  constructor(initialCapacity = 4096) {
    this.builder = new flatbuffers.Builder(Math.max(64, (initialCapacity + 7) & ~7));
    for (const f of BUILDER_FIELDS) {
      if (!(f in this.builder)) {
        throw new WireError(
          'WIRE_RUNTIME_MISMATCH',
          `flatbuffers.Builder has no '${f}' field: the runtime is not the 2.0.x line this codec resets`,
        );
      }
    }
    (this.builder as unknown as BuilderInternals).vtables = new OffsetList();
    this.bytes = this.builder.dataBuffer().bytes();
  }

  /** Byte length of the last frame. */
  get length(): number {
    return this.end - this.start;
  }

  bookTop(head: EnvelopeHead, m: BookTopInput): this {
    const b = this.begin();
    const view = this.view;
    const asks = writeLevels(b, view, m.askCount, m.askPriceTicks, m.askQtyLots, 'ask');
    const bids = writeLevels(b, view, m.bidCount, m.bidPriceTicks, m.bidQtyLots, 'bid');
    BookTop.startBookTop(b);
    addFloat64Field(b, view, F64.bookFirstSeq, m.firstSeq);
    addFloat64Field(b, view, F64.bookLastSeq, m.lastSeq);
    addFloat64Field(b, view, F64.bookVenueTimeUs, m.venueTimeUs);
    BookTop.addInstrumentId(b, m.instrumentId);
    BookTop.addVenueId(b, m.venueId);
    BookTop.addFlags(b, m.flags);
    BookTop.addBids(b, bids);
    BookTop.addAsks(b, asks);
    return this.finish(head, Body.BookTop, BookTop.endBookTop(b));
  }

  trade(head: EnvelopeHead, m: TradeValue): this {
    const b = this.begin();
    const view = this.view;
    const text = writeUtf8(b, m.tradeIdText);
    Trade.startTrade(b);
    addFloat64Field(b, view, F64.tradePriceTicks, m.priceTicks);
    addFloat64Field(b, view, F64.tradeQtyLots, m.qtyLots);
    addFloat64Field(b, view, F64.tradeTradeId, m.tradeId);
    addFloat64Field(b, view, F64.tradeSeq, m.seq);
    addFloat64Field(b, view, F64.tradeVenueTimeUs, m.venueTimeUs);
    Trade.addInstrumentId(b, m.instrumentId);
    Trade.addVenueId(b, m.venueId);
    Trade.addTradeIdText(b, text);
    Trade.addAggressor(b, m.aggressor);
    return this.finish(head, Body.Trade, Trade.endTrade(b));
  }

  newOrder(head: EnvelopeHead, m: NewOrderValue): this {
    const b = this.begin();
    const view = this.view;
    const clientOrderId = writeUtf8(b, m.clientOrderId);
    NewOrder.startNewOrder(b);
    addFloat64Field(b, view, F64.orderOrderRef, m.orderRef);
    addFloat64Field(b, view, F64.orderPriceTicks, m.priceTicks);
    addFloat64Field(b, view, F64.orderQtyLots, m.qtyLots);
    NewOrder.addClientOrderId(b, clientOrderId);
    NewOrder.addInstrumentId(b, m.instrumentId);
    NewOrder.addVenueId(b, m.venueId);
    NewOrder.addComboId(b, m.comboId);
    NewOrder.addSide(b, m.side);
    NewOrder.addOrderType(b, m.orderType);
    NewOrder.addLeg(b, m.leg);
    NewOrder.addReduceOnly(b, m.reduceOnly);
    return this.finish(head, Body.NewOrder, NewOrder.endNewOrder(b));
  }

  cancel(head: EnvelopeHead, m: CancelValue): this {
    const b = this.begin();
    const clientOrderId = writeUtf8(b, m.clientOrderId);
    const venueOrderId = writeUtf8(b, m.venueOrderId);
    Cancel.startCancel(b);
    addFloat64Field(b, this.view, F64.cancelOrderRef, m.orderRef);
    Cancel.addClientOrderId(b, clientOrderId);
    Cancel.addVenueOrderId(b, venueOrderId);
    Cancel.addInstrumentId(b, m.instrumentId);
    Cancel.addVenueId(b, m.venueId);
    Cancel.addComboId(b, m.comboId);
    Cancel.addScope(b, m.scope);
    Cancel.addLeg(b, m.leg);
    return this.finish(head, Body.Cancel, Cancel.endCancel(b));
  }

  orderReport(head: EnvelopeHead, m: OrderReportValue): this {
    const b = this.begin();
    const view = this.view;
    const clientOrderId = writeUtf8(b, m.clientOrderId);
    const venueOrderId = writeUtf8(b, m.venueOrderId);
    OrderReport.startOrderReport(b);
    addFloat64Field(b, view, F64.reportOrderRef, m.orderRef);
    addFloat64Field(b, view, F64.reportLastQtyLots, m.lastQtyLots);
    addFloat64Field(b, view, F64.reportLastPriceTicks, m.lastPriceTicks);
    addFloat64Field(b, view, F64.reportCumQtyLots, m.cumQtyLots);
    addFloat64Field(b, view, F64.reportLeavesQtyLots, m.leavesQtyLots);
    addFloat64Field(b, view, F64.reportVenueTimeUs, m.venueTimeUs);
    addFloat64Field(b, view, F64.reportAvgPriceTicks, m.avgPriceTicks);
    OrderReport.addClientOrderId(b, clientOrderId);
    OrderReport.addVenueOrderId(b, venueOrderId);
    OrderReport.addInstrumentId(b, m.instrumentId);
    OrderReport.addVenueId(b, m.venueId);
    OrderReport.addComboId(b, m.comboId);
    OrderReport.addVenueErrorCode(b, m.venueErrorCode);
    OrderReport.addReason(b, m.reason);
    OrderReport.addKind(b, m.kind);
    OrderReport.addSide(b, m.side);
    OrderReport.addLeg(b, m.leg);
    OrderReport.addRetryable(b, m.retryable);
    OrderReport.addOrigin(b, m.origin);
    return this.finish(head, Body.OrderReport, OrderReport.endOrderReport(b));
  }

  query(head: EnvelopeHead, m: QueryValue): this {
    const b = this.begin();
    const clientOrderId = writeUtf8(b, m.clientOrderId);
    const venueOrderId = writeUtf8(b, m.venueOrderId);
    Query.startQuery(b);
    addFloat64Field(b, this.view, F64.queryOrderRef, m.orderRef);
    Query.addClientOrderId(b, clientOrderId);
    Query.addVenueOrderId(b, venueOrderId);
    Query.addInstrumentId(b, m.instrumentId);
    Query.addVenueId(b, m.venueId);
    Query.addComboId(b, m.comboId);
    Query.addLeg(b, m.leg);
    return this.finish(head, Body.Query, Query.endQuery(b));
  }

  linkState(head: EnvelopeHead, m: LinkStateValue): this {
    const b = this.begin();
    const view = this.view;
    const reason = writeUtf8(b, m.reason);
    LinkState.startLinkState(b);
    addFloat64Field(b, view, F64.linkSinceUs, m.sinceUs);
    addFloat64Field(b, view, F64.linkLastSeq, m.lastSeq);
    LinkState.addLinkId(b, m.linkId);
    LinkState.addVenueId(b, m.venueId);
    LinkState.addReason(b, reason);
    LinkState.addChannel(b, m.channel);
    LinkState.addRole(b, m.role);
    LinkState.addStatus(b, m.status);
    return this.finish(head, Body.LinkState, LinkState.endLinkState(b));
  }

  heartbeat(head: EnvelopeHead, m: HeartbeatValue): this {
    const b = this.begin();
    const view = this.view;
    Heartbeat.startHeartbeat(b);
    addFloat64Field(b, view, F64.heartbeatBeat, m.beat);
    addFloat64Field(b, view, F64.heartbeatNowUs, m.nowUs);
    Heartbeat.addBacklog(b, m.backlog);
    return this.finish(head, Body.Heartbeat, Heartbeat.endHeartbeat(b));
  }

  balance(head: EnvelopeHead, m: BalanceValue): this {
    const b = this.begin();
    const view = this.view;
    Balance.startBalance(b);
    addFloat64Field(b, view, F64.balanceFree, m.freeUnits);
    addFloat64Field(b, view, F64.balanceTotal, m.totalUnits);
    addFloat64Field(b, view, F64.balanceVenueTimeUs, m.venueTimeUs);
    Balance.addVenueId(b, m.venueId);
    Balance.addAssetId(b, m.assetId);
    Balance.addSnapshot(b, m.snapshot);
    return this.finish(head, Body.Balance, Balance.endBalance(b));
  }

  controlCommand(head: EnvelopeHead, m: ControlCommandValue): this {
    const b = this.begin();
    const arg = writeUtf8(b, m.arg);
    ControlCommand.startControlCommand(b);
    ControlCommand.addCommandId(b, m.commandId);
    ControlCommand.addTargetActor(b, m.targetActor);
    ControlCommand.addArg(b, arg);
    ControlCommand.addOp(b, m.op);
    return this.finish(head, Body.ControlCommand, ControlCommand.endControlCommand(b));
  }

  auditRecord(head: EnvelopeHead, m: AuditRecordInput): this {
    const b = this.begin();
    const view = this.view;
    const detail = writeBytes(b, m.detail);
    const text = writeUtf8(b, m.text);
    const refIds = writeDoubles(b, view, m.refIds);
    AuditRecord.startAuditRecord(b);
    AuditRecord.addTimes(b, writeStageTimes(b, view, m.times));
    AuditRecord.addCode(b, m.code);
    AuditRecord.addRefIds(b, refIds);
    AuditRecord.addText(b, text);
    AuditRecord.addDetail(b, detail);
    AuditRecord.addKind(b, m.kind);
    return this.finish(head, Body.AuditRecord, AuditRecord.endAuditRecord(b));
  }

  /**
   * Encodes a plain message (tests, tools). Allocates for BookTop (level arrays); the other kinds
   * go straight to their hot-path encoder.
   */
  message(msg: WireMessage): this {
    const body = msg.body;
    switch (body.kind) {
      case 'BookTop':
        return this.bookTop(msg, bookTopInputOf(body.value));
      case 'Trade':
        return this.trade(msg, body.value);
      case 'NewOrder':
        return this.newOrder(msg, body.value);
      case 'Cancel':
        return this.cancel(msg, body.value);
      case 'OrderReport':
        return this.orderReport(msg, body.value);
      case 'LinkState':
        return this.linkState(msg, body.value);
      case 'Heartbeat':
        return this.heartbeat(msg, body.value);
      case 'ControlCommand':
        return this.controlCommand(msg, body.value);
      case 'AuditRecord':
        return this.auditRecord(msg, body.value);
      case 'Query':
        return this.query(msg, body.value);
      case 'Balance':
        return this.balance(msg, body.value);
    }
  }

  /**
   * Overwrites one stage time of the last frame in the encoder's buffer (e.g. RingCommitted just
   * before the copy into the ring).
   */
  stamp(stage: Stage, us: number): void {
    if (this.timesPos < 0) throw new WireError('WIRE_BAD_INPUT', 'stamp() before any encode');
    this.view.of(this.builder.dataBuffer()).setFloat64(this.timesPos + 8 * stage, us, true);
  }

  /**
   * Copies the last frame to dst[offset, offset + length) and returns offset + length. Copies
   * 4 bytes at a time when `offset` and `dst` are 4-aligned (Int32Array views cached per array,
   * so no allocation in steady state), byte by byte otherwise.
   */
  copyInto(dst: Uint8Array, offset: number): number {
    const n = this.end - this.start;
    if (!(offset >= 0 && offset + n <= dst.length)) {
      throw new WireError('WIRE_BAD_INPUT', `frame of ${n} B does not fit at ${offset} in ${dst.length} B`);
    }
    const src = this.bytes;
    if (((offset | dst.byteOffset | src.byteOffset | this.start) & 3) === 0) {
      if (src !== this.src32Of) {
        this.src32Of = src;
        this.src32 = new Int32Array(src.buffer, src.byteOffset, src.byteLength >> 2);
      }
      if (dst !== this.dst32Of) {
        this.dst32Of = dst;
        this.dst32 = new Int32Array(dst.buffer, dst.byteOffset, dst.byteLength >> 2);
      }
      const s32 = this.src32!;
      const d32 = this.dst32!;
      const words = n >> 2; // frame lengths are multiples of 8
      for (let k = 0, si = this.start >> 2, di = offset >> 2; k < words; k++) d32[di + k] = s32[si + k]!;
    } else {
      for (let i = this.start, p = offset; i < this.end; i++) dst[p++] = src[i]!;
    }
    return offset + n;
  }

  /** A fresh copy of the last frame (off the hot path). */
  toUint8Array(): Uint8Array {
    return this.bytes.slice(this.start, this.end);
  }

  private begin(): flatbuffers.Builder {
    resetBuilder(this.builder);
    return this.builder;
  }

  private finish(head: EnvelopeHead, kind: Body, body: number): this {
    const b = this.builder;
    Envelope.startEnvelope(b);
    const times = writeStageTimes(b, this.view, head.times);
    Envelope.addTimes(b, times);
    addFloat64Field(b, this.view, F64.envelopeSeq, head.seq);
    Envelope.addBody(b, body);
    Envelope.addSourceActor(b, head.sourceActor);
    Envelope.addBodyType(b, kind);
    Envelope.finishEnvelopeBuffer(b, Envelope.endEnvelope(b));
    const bb = b.dataBuffer();
    // Offsets are relative to the end of the buffer, which stays fixed through growth.
    this.timesPos = bb.capacity() - times;
    this.bytes = bb.bytes();
    this.start = bb.position();
    this.end = bb.capacity();
    return this;
  }
}

function bookTopInputOf(v: BookTopValue): BookTopInput {
  return {
    instrumentId: v.instrumentId,
    venueId: v.venueId,
    flags: v.flags,
    firstSeq: v.firstSeq,
    lastSeq: v.lastSeq,
    venueTimeUs: v.venueTimeUs,
    bidCount: v.bids.length,
    bidPriceTicks: v.bids.map((l) => l.priceTicks),
    bidQtyLots: v.bids.map((l) => l.qtyLots),
    askCount: v.asks.length,
    askPriceTicks: v.asks.map((l) => l.priceTicks),
    askQtyLots: v.asks.map((l) => l.qtyLots),
  };
}

let threadShared: WireEncoder | undefined;

/** This thread's shared encoder (module state is per worker thread). */
export function threadEncoder(): WireEncoder {
  return (threadShared ??= new WireEncoder());
}

// ---------------------------------------------------------------------------------------------
// In-place reader

/**
 * Reads frames in place from one Uint8Array (typically over the SharedArrayBuffer that holds a
 * ring). `at(offset)` positions the view on the frame starting at `offset` and returns the view;
 * every accessor object it hands out is owned by the view and reused for the next frame, so keep
 * values, not accessors, across frames.
 *
 *   const top = view.at(off).bookTop();        // throws WIRE_WRONG_KIND if it is not a BookTop
 *   for (let i = 0; i < view.bidCount(); i++) view.bidPriceTicks(i) ...
 */
export class FrameView {
  readonly u8: Uint8Array;
  /** The one ByteBuffer over u8 (its TextDecoder is created once, here). */
  readonly bb: flatbuffers.ByteBuffer;
  /** Envelope accessor, positioned by at(). */
  readonly envelope: Envelope = new Envelope();
  /** StageTimes accessor, positioned by at() on the envelope's stage times. */
  readonly times: StageTimes = new StageTimes();
  /** A spare Level accessor for `top.bids(i, view.level)`. */
  readonly level: Level = new Level();
  private readonly bookTop_ = new BookTop();
  private readonly trade_ = new Trade();
  private readonly newOrder_ = new NewOrder();
  private readonly cancel_ = new Cancel();
  private readonly orderReport_ = new OrderReport();
  private readonly linkState_ = new LinkState();
  private readonly heartbeat_ = new Heartbeat();
  private readonly controlCommand_ = new ControlCommand();
  private readonly auditRecord_ = new AuditRecord();
  private readonly query_ = new Query();
  private readonly balance_ = new Balance();
  /** Stage times of an AuditRecord body (the record's own, not the envelope's). */
  readonly auditTimes: StageTimes = new StageTimes();
  private kind_: Body = Body.NONE;
  private timesPos = -1;
  private bidsPos = 0;
  private bidsLen = 0;
  private asksPos = 0;
  private asksLen = 0;

  /** DataView over u8 for the view's own double reads (stage times, levels). */
  private readonly dv: DataView;

  constructor(u8: Uint8Array) {
    this.u8 = u8;
    this.bb = new flatbuffers.ByteBuffer(u8);
    this.dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  }

  /** Positions the view on the frame at `offset`. Throws WIRE_BAD_FRAME without an XMCW frame. */
  at(offset: number): this {
    const bb = this.bb;
    if (!(offset >= 0 && offset + MIN_FRAME_BYTES <= this.u8.length) || bb.readInt32(offset + 4) !== IDENT_I32) {
      throw new WireError('WIRE_BAD_FRAME', `no ${WIRE_FILE_IDENTIFIER} frame at offset ${offset}`);
    }
    bb.setPosition(offset);
    const env = Envelope.getRootAsEnvelope(bb, this.envelope);
    const envPos = env.bb_pos;
    const t = bb.__offset(envPos, VT_ENVELOPE_TIMES);
    if (t) {
      this.timesPos = envPos + t;
      this.times.__init(this.timesPos, bb);
    } else {
      this.timesPos = -1;
    }
    const kind = env.bodyType();
    this.kind_ = kind;
    switch (kind) {
      case Body.BookTop: {
        const top = env.body(this.bookTop_) as BookTop;
        // A Level accessor at index 0 sits at the start of the vector's data.
        this.bidsLen = top.bidsLength();
        this.bidsPos = this.bidsLen > 0 ? top.bids(0, this.level)!.bb_pos : 0;
        this.asksLen = top.asksLength();
        this.asksPos = this.asksLen > 0 ? top.asks(0, this.level)!.bb_pos : 0;
        break;
      }
      case Body.Trade:
        env.body(this.trade_);
        break;
      case Body.NewOrder:
        env.body(this.newOrder_);
        break;
      case Body.Cancel:
        env.body(this.cancel_);
        break;
      case Body.OrderReport:
        env.body(this.orderReport_);
        break;
      case Body.LinkState:
        env.body(this.linkState_);
        break;
      case Body.Heartbeat:
        env.body(this.heartbeat_);
        break;
      case Body.ControlCommand:
        env.body(this.controlCommand_);
        break;
      case Body.AuditRecord: {
        const rec = env.body(this.auditRecord_) as AuditRecord;
        rec.times(this.auditTimes);
        break;
      }
      case Body.Query:
        env.body(this.query_);
        break;
      case Body.Balance:
        env.body(this.balance_);
        break;
      default:
        break;
    }
    return this;
  }

  /** Message kind of the current frame (Body.NONE for an empty or unknown body). */
  kind(): Body {
    return this.kind_;
  }

  sourceActor(): number {
    return this.envelope.sourceActor();
  }

  /** The sender's sequence number (read with the view's DataView, like the getters below). */
  seq(): number {
    return this.f64(this.envelope.bb_pos, VT_ENVELOPE_SEQ);
  }

  /** One stage time of the current frame (0 when not passed). */
  stage(stage: Stage): number {
    return this.timesPos < 0 ? 0 : this.dv.getFloat64(this.timesPos + 8 * stage, true);
  }

  /** Copies the current frame's stage times into `dst` (no allocation). */
  readTimes(dst: StageTimesValue): StageTimesValue {
    return copyStageTimes(this.timesPos < 0 ? null : this.times, dst);
  }

  bookTop(): BookTop {
    if (this.kind_ !== Body.BookTop) throw this.wrongKind(Body.BookTop);
    return this.bookTop_;
  }
  trade(): Trade {
    if (this.kind_ !== Body.Trade) throw this.wrongKind(Body.Trade);
    return this.trade_;
  }
  newOrder(): NewOrder {
    if (this.kind_ !== Body.NewOrder) throw this.wrongKind(Body.NewOrder);
    return this.newOrder_;
  }
  cancel(): Cancel {
    if (this.kind_ !== Body.Cancel) throw this.wrongKind(Body.Cancel);
    return this.cancel_;
  }
  orderReport(): OrderReport {
    if (this.kind_ !== Body.OrderReport) throw this.wrongKind(Body.OrderReport);
    return this.orderReport_;
  }
  linkState(): LinkState {
    if (this.kind_ !== Body.LinkState) throw this.wrongKind(Body.LinkState);
    return this.linkState_;
  }
  balance(): Balance {
    if (this.kind_ !== Body.Balance) throw this.wrongKind(Body.Balance);
    return this.balance_;
  }
  heartbeat(): Heartbeat {
    if (this.kind_ !== Body.Heartbeat) throw this.wrongKind(Body.Heartbeat);
    return this.heartbeat_;
  }
  controlCommand(): ControlCommand {
    if (this.kind_ !== Body.ControlCommand) throw this.wrongKind(Body.ControlCommand);
    return this.controlCommand_;
  }
  auditRecord(): AuditRecord {
    if (this.kind_ !== Body.AuditRecord) throw this.wrongKind(Body.AuditRecord);
    return this.auditRecord_;
  }
  query(): Query {
    if (this.kind_ !== Body.Query) throw this.wrongKind(Body.Query);
    return this.query_;
  }

  // Book levels of the current BookTop frame, read straight from the level vectors (0 levels
  // for any other kind). Indices are not range-checked: stay below bidCount()/askCount().
  bidCount(): number {
    return this.kind_ === Body.BookTop ? this.bidsLen : 0;
  }
  askCount(): number {
    return this.kind_ === Body.BookTop ? this.asksLen : 0;
  }
  bidPriceTicks(i: number): number {
    return this.dv.getFloat64(this.bidsPos + 16 * i, true);
  }
  bidQtyLots(i: number): number {
    return this.dv.getFloat64(this.bidsPos + 16 * i + 8, true);
  }
  askPriceTicks(i: number): number {
    return this.dv.getFloat64(this.asksPos + 16 * i, true);
  }
  askQtyLots(i: number): number {
    return this.dv.getFloat64(this.asksPos + 16 * i + 8, true);
  }

  // Double fields of the current BookTop, read unboxed through the DataView (the generated
  // accessors give the same values through the runtime's byte-by-byte reads). 0 for other kinds.
  bookFirstSeq(): number {
    return this.kind_ === Body.BookTop ? this.f64(this.bookTop_.bb_pos, VT_BOOK_FIRST_SEQ) : 0;
  }
  bookLastSeq(): number {
    return this.kind_ === Body.BookTop ? this.f64(this.bookTop_.bb_pos, VT_BOOK_LAST_SEQ) : 0;
  }
  bookVenueTimeUs(): number {
    return this.kind_ === Body.BookTop ? this.f64(this.bookTop_.bb_pos, VT_BOOK_VENUE_TIME) : 0;
  }

  private f64(tablePos: number, vtOffset: number): number {
    const o = this.bb.__offset(tablePos, vtOffset);
    return o ? this.dv.getFloat64(tablePos + o, true) : 0;
  }

  private wrongKind(want: Body): WireError {
    return new WireError('WIRE_WRONG_KIND', `frame holds ${Body[this.kind_] ?? this.kind_}, not ${Body[want]}`);
  }
}

/** Copies a StageTimes accessor into a plain object (all zero for null). */
export function copyStageTimes(src: StageTimes | null, dst: StageTimesValue): StageTimesValue {
  if (src === null) {
    dst.venueEventUs = dst.receivedUs = dst.bookAppliedUs = dst.ringCommittedUs = 0;
    dst.decisionUs = dst.orderSentUs = dst.ackUs = dst.fillUs = 0;
    return dst;
  }
  dst.venueEventUs = src.venueEventUs();
  dst.receivedUs = src.receivedUs();
  dst.bookAppliedUs = src.bookAppliedUs();
  dst.ringCommittedUs = src.ringCommittedUs();
  dst.decisionUs = src.decisionUs();
  dst.orderSentUs = src.orderSentUs();
  dst.ackUs = src.ackUs();
  dst.fillUs = src.fillUs();
  return dst;
}

// ---------------------------------------------------------------------------------------------
// Plain-object helpers (tests, tools; they allocate)

/** Encodes a plain message into a fresh Uint8Array. */
export function encodeMessage(msg: WireMessage, enc: WireEncoder = threadEncoder()): Uint8Array {
  return enc.message(msg).toUint8Array();
}

const str = (s: string | null): string => s ?? '';

/** Decodes the frame at `offset` of `bytes` into a plain message. */
export function decodeMessage(bytes: Uint8Array, offset = 0): WireMessage {
  const v = new FrameView(bytes).at(offset);
  return {
    sourceActor: v.sourceActor(),
    seq: v.seq(),
    times: v.readTimes(newStageTimes()),
    body: decodeBody(v),
  };
}

function decodeBody(v: FrameView): WireBody {
  const kind = v.kind();
  switch (kind) {
    case Body.BookTop: {
      const t = v.bookTop();
      const bids: LevelValue[] = [];
      for (let i = 0; i < v.bidCount(); i++) bids.push({ priceTicks: v.bidPriceTicks(i), qtyLots: v.bidQtyLots(i) });
      const asks: LevelValue[] = [];
      for (let i = 0; i < v.askCount(); i++) asks.push({ priceTicks: v.askPriceTicks(i), qtyLots: v.askQtyLots(i) });
      return {
        kind: 'BookTop',
        value: {
          instrumentId: t.instrumentId(),
          venueId: t.venueId(),
          flags: t.flags(),
          firstSeq: t.firstSeq(),
          lastSeq: t.lastSeq(),
          venueTimeUs: t.venueTimeUs(),
          bids,
          asks,
        },
      };
    }
    case Body.Trade: {
      const t = v.trade();
      return {
        kind: 'Trade',
        value: {
          instrumentId: t.instrumentId(),
          venueId: t.venueId(),
          priceTicks: t.priceTicks(),
          qtyLots: t.qtyLots(),
          aggressor: t.aggressor(),
          tradeId: t.tradeId(),
          seq: t.seq(),
          venueTimeUs: t.venueTimeUs(),
          tradeIdText: str(t.tradeIdText()),
        },
      };
    }
    case Body.NewOrder: {
      const o = v.newOrder();
      return {
        kind: 'NewOrder',
        value: {
          clientOrderId: str(o.clientOrderId()),
          orderRef: o.orderRef(),
          instrumentId: o.instrumentId(),
          venueId: o.venueId(),
          side: o.side(),
          orderType: o.orderType(),
          priceTicks: o.priceTicks(),
          qtyLots: o.qtyLots(),
          comboId: o.comboId(),
          leg: o.leg(),
          reduceOnly: o.reduceOnly(),
        },
      };
    }
    case Body.Cancel: {
      const c = v.cancel();
      return {
        kind: 'Cancel',
        value: {
          scope: c.scope(),
          clientOrderId: str(c.clientOrderId()),
          orderRef: c.orderRef(),
          instrumentId: c.instrumentId(),
          venueId: c.venueId(),
          venueOrderId: str(c.venueOrderId()),
          comboId: c.comboId(),
          leg: c.leg(),
        },
      };
    }
    case Body.OrderReport: {
      const r = v.orderReport();
      return {
        kind: 'OrderReport',
        value: {
          kind: r.kind(),
          reason: r.reason(),
          clientOrderId: str(r.clientOrderId()),
          orderRef: r.orderRef(),
          instrumentId: r.instrumentId(),
          venueId: r.venueId(),
          side: r.side(),
          comboId: r.comboId(),
          leg: r.leg(),
          lastQtyLots: r.lastQtyLots(),
          lastPriceTicks: r.lastPriceTicks(),
          cumQtyLots: r.cumQtyLots(),
          leavesQtyLots: r.leavesQtyLots(),
          venueOrderId: str(r.venueOrderId()),
          venueErrorCode: r.venueErrorCode(),
          retryable: r.retryable(),
          venueTimeUs: r.venueTimeUs(),
          origin: r.origin(),
          avgPriceTicks: r.avgPriceTicks(),
        },
      };
    }
    case Body.Query: {
      const q = v.query();
      return {
        kind: 'Query',
        value: {
          clientOrderId: str(q.clientOrderId()),
          orderRef: q.orderRef(),
          instrumentId: q.instrumentId(),
          venueId: q.venueId(),
          venueOrderId: str(q.venueOrderId()),
          comboId: q.comboId(),
          leg: q.leg(),
        },
      };
    }
    case Body.LinkState: {
      const l = v.linkState();
      return {
        kind: 'LinkState',
        value: {
          linkId: l.linkId(),
          venueId: l.venueId(),
          channel: l.channel(),
          role: l.role(),
          status: l.status(),
          sinceUs: l.sinceUs(),
          lastSeq: l.lastSeq(),
          reason: str(l.reason()),
        },
      };
    }
    case Body.Balance: {
      const x = v.balance();
      return {
        kind: 'Balance',
        value: { venueId: x.venueId(), assetId: x.assetId(), freeUnits: x.freeUnits(), totalUnits: x.totalUnits(), venueTimeUs: x.venueTimeUs(), snapshot: x.snapshot() },
      };
    }
    case Body.Heartbeat: {
      const h = v.heartbeat();
      return { kind: 'Heartbeat', value: { beat: h.beat(), nowUs: h.nowUs(), backlog: h.backlog() } };
    }
    case Body.ControlCommand: {
      const c = v.controlCommand();
      return {
        kind: 'ControlCommand',
        value: { op: c.op(), commandId: c.commandId(), targetActor: c.targetActor(), arg: str(c.arg()) },
      };
    }
    case Body.AuditRecord: {
      const a = v.auditRecord();
      const refIds: number[] = [];
      const nIds = a.refIdsLength();
      for (let i = 0; i < nIds; i++) refIds.push(a.refIds(i) ?? 0);
      const detail = new Uint8Array(a.detailLength());
      for (let i = 0; i < detail.length; i++) detail[i] = a.detail(i) ?? 0;
      return {
        kind: 'AuditRecord',
        value: {
          kind: a.kind(),
          code: a.code(),
          refIds,
          times: copyStageTimes(a.times(v.auditTimes), newStageTimes()),
          text: str(a.text()),
          detail,
        },
      };
    }
    default:
      throw new WireError('WIRE_BAD_FRAME', `frame has no known body (body type ${kind})`);
  }
}
