// Byte-level parser of OKX v5 public WebSocket frames and of the REST book snapshot
// (PROTOCOLS.md 3.2, 3.3): `books` / `books-l2-tbt` / `books50-l2-tbt` / `books-elp`
// (action snapshot | update), `books5`, `bbo-tbt`, `GET /api/v5/market/books`; plus recognition
// of everything else a public or private OKX socket sends: event frames (subscribe, unsubscribe,
// login, error, notice such as 64008 "service upgrade", channel-conn-count), operation responses
// (`op: order` ...), pushes of other channels (`orders` ...) and the plain-text "pong".
//
// Invariants:
// - `parse` never throws and returns a frame kind; on 'error' `error` holds a stable code and
//   `errorPos` the byte offset where it was detected. Hostile input (truncated, malformed,
//   wrong-typed, deeply nested, huge, random bytes) only ever yields 'error'.
// - Book levels go straight from bytes to integer ticks and lots (DecimalScale.bytesToUnits of
//   the instrument's tick size and lot step) into the reused DepthUpdate, in the venue's order.
//   A price that is not a positive whole number of ticks, or a size that is not a non-negative
//   whole number of lots, is an error (BAD_DECIMAL / OFF_STEP), never rounded.
// - Steady state allocates nothing: no JSON.parse, no strings, no closures; the offset arrays
//   and the DepthUpdate grow only when a frame has more levels than any before it.
// - A level in OKX's compact form (`["px","sz","0","n"]`, no whitespace, plain strings) is
//   scanned in one pass, and converted in that pass when `arg.instId` came before `data` (the
//   venue's order); any other form, and any level that does not convert cleanly, goes through
//   the general path, so results, error codes and positions are the same either way.
// - The byte offsets of every level's raw price and size strings are kept (OkxRawLevels) until
//   the next parse, for the cold path that verifies a non-zero checksum with the raw strings.
// - The DepthUpdate is only meaningful after a 'book' result. It is filled in place: copy what
//   you need before the next parse.
import type { InstrumentTable } from '../../core/instrument.js';
import { DecimalError, plainStop, plainUnits, type DecimalScale } from '../../core/decimal.js';
import { DepthUpdate } from '../types.js';
import { JsonCursor, JsonError, ascii, bytesEqual } from './json-cursor.js';

export type OkxFrameKind =
  | 'book'      // a book push (or REST snapshot) was parsed into `update`
  | 'pong'      // the literal text "pong"
  | 'event'     // {"event": ...}: see `event`, `eventCode`, `text(...)`
  | 'push'      // {"arg":{"channel":X}, "data":[...]} for a channel that is not a book channel
  | 'response'  // {"op": ..., "code": ..., "data": [...]} answer to a WS operation
  | 'error';    // see `error`

export type OkxParseError =
  | 'EMPTY'              // zero bytes
  | 'TOO_LARGE'          // over maxFrameBytes
  | 'TRUNCATED'          // input ended inside a value
  | 'MALFORMED'          // not JSON (or trailing bytes after the value)
  | 'TOO_DEEP'           // nesting over the limit
  | 'WRONG_TYPE'         // a known field holds the wrong JSON type
  | 'BAD_NUMBER'         // seqId (>= 0), prevSeqId (>= -1), ts (>= 0), checksum (int32) not an exact integer in range
  | 'MISSING_FIELD'      // a required field is absent
  | 'DUPLICATE_FIELD'    // a field appears twice
  | 'BAD_ACTION'         // action is neither "snapshot" nor "update"
  | 'BAD_DATA'           // data is not an array of exactly one object
  | 'BAD_LEVEL'          // a level is not [px, sz, ...] of strings
  | 'TOO_MANY_LEVELS'    // over maxLevelsPerSide
  | 'BAD_DECIMAL'        // price/size not a decimal, overflow, price <= 0 or size < 0
  | 'OFF_STEP'           // price/size not a whole number of ticks/lots
  | 'UNKNOWN_INSTRUMENT' // instId not in the table
  | 'UNKNOWN_MESSAGE'    // valid JSON but not a frame OKX sends
  | 'VENUE_ERROR';       // REST answer with code != "0": see `code` via text(codeStart, codeEnd)

export type OkxBookChannel = 'books' | 'books5' | 'bbo-tbt' | 'books-l2-tbt' | 'books50-l2-tbt' | 'books-elp';

export type OkxEventName =
  | 'subscribe' | 'unsubscribe' | 'login' | 'error' | 'notice'
  | 'channel-conn-count' | 'channel-conn-count-error' | 'other';

/** Raw level strings of the last parsed book frame, as byte ranges of `buf`. */
export interface OkxRawLevels {
  readonly buf: Uint8Array;
  readonly rawBidCount: number;
  readonly rawAskCount: number;
  readonly bidPxS: Int32Array;
  readonly bidPxE: Int32Array;
  readonly bidSzS: Int32Array;
  readonly bidSzE: Int32Array;
  readonly askPxS: Int32Array;
  readonly askPxE: Int32Array;
  readonly askSzS: Int32Array;
  readonly askSzE: Int32Array;
}

export interface OkxParserOptions {
  /** Frames above this many bytes are TOO_LARGE (default 4 MiB; books-full is ~0.5 MB). */
  readonly maxFrameBytes?: number;
  /** Levels per side above this are TOO_MANY_LEVELS (default 5000, the books-full maximum). */
  readonly maxLevelsPerSide?: number;
  /** JSON nesting limit (default 32). */
  readonly maxDepth?: number;
}

const K_ARG = ascii('arg');
const K_ACTION = ascii('action');
const K_DATA = ascii('data');
const K_EVENT = ascii('event');
const K_CODE = ascii('code');
const K_MSG = ascii('msg');
const K_ID = ascii('id');
const K_OP = ascii('op');
const K_CONNID = ascii('connId');
const K_CHANNEL = ascii('channel');
const K_INSTID = ascii('instId');
const K_ASKS = ascii('asks');
const K_BIDS = ascii('bids');
const K_TS = ascii('ts');
const K_CHECKSUM = ascii('checksum');
const K_PREVSEQID = ascii('prevSeqId');
const K_SEQID = ascii('seqId');
const V_SNAPSHOT = ascii('snapshot');
const V_UPDATE = ascii('update');
const V_PONG = ascii('pong');

const CHANNELS: readonly (readonly [Uint8Array, OkxBookChannel])[] = [
  [ascii('books'), 'books'],
  [ascii('books5'), 'books5'],
  [ascii('bbo-tbt'), 'bbo-tbt'],
  [ascii('books-l2-tbt'), 'books-l2-tbt'],
  [ascii('books50-l2-tbt'), 'books50-l2-tbt'],
  [ascii('books-elp'), 'books-elp'],
];

const EVENTS: readonly (readonly [Uint8Array, OkxEventName])[] = [
  [ascii('subscribe'), 'subscribe'],
  [ascii('unsubscribe'), 'unsubscribe'],
  [ascii('login'), 'login'],
  [ascii('error'), 'error'],
  [ascii('notice'), 'notice'],
  [ascii('channel-conn-count'), 'channel-conn-count'],
  [ascii('channel-conn-count-error'), 'channel-conn-count-error'],
];

/** Incremental channels (snapshot then updates, seqId/prevSeqId chain). */
export function isIncrementalChannel(ch: OkxBookChannel | ''): boolean {
  return ch === 'books' || ch === 'books-l2-tbt' || ch === 'books50-l2-tbt' || ch === 'books-elp';
}

// Data-object field bits (duplicate detection).
const F_ASKS = 1, F_BIDS = 2, F_TS = 4, F_CHECKSUM = 8, F_PREV = 16, F_SEQ = 32, F_INST = 64;

const INT32_MIN = -2147483648, INT32_MAX = 2147483647;
const DEFAULT_MAX_FRAME = 4 * 1024 * 1024;
const DEFAULT_MAX_LEVELS = 5000;

const decoder = new TextDecoder('utf-8', { fatal: false });

export class OkxFrameParser implements OkxRawLevels {
  readonly update: DepthUpdate;
  private readonly table: InstrumentTable;
  private readonly c: JsonCursor;
  private readonly maxFrameBytes: number;
  private readonly maxLevels: number;

  // Result of the last parse.
  kind: OkxFrameKind = 'error';
  error: OkxParseError | null = null;
  errorPos = -1;
  channel: OkxBookChannel | '' = '';
  /** 'snapshot' / 'update' for incremental channels, '' otherwise. */
  action: 'snapshot' | 'update' | '' = '';
  event: OkxEventName | '' = '';
  /** The numeric value of the frame's "code" field (event, response, REST); -1 when absent or not numeric. */
  code = -1;

  // Byte ranges of fields, for the cold path (-1 = absent). Decode with text(start, end).
  buf: Uint8Array = new Uint8Array(0);
  channelStart = -1;
  channelEnd = -1;
  instIdStart = -1;
  instIdEnd = -1;
  codeStart = -1;
  codeEnd = -1;
  msgStart = -1;
  msgEnd = -1;
  idStart = -1;
  idEnd = -1;
  opStart = -1;
  opEnd = -1;
  connIdStart = -1;
  connIdEnd = -1;

  // Raw levels (OkxRawLevels).
  rawBidCount = 0;
  rawAskCount = 0;
  bidPxS: Int32Array;
  bidPxE: Int32Array;
  bidSzS: Int32Array;
  bidSzE: Int32Array;
  askPxS: Int32Array;
  askPxE: Int32Array;
  askSzS: Int32Array;
  askSzE: Int32Array;

  // Data-object scratch.
  private fields = 0;
  private seqId = -1;
  private prevSeqId = -1;
  private ts = 0;
  private checksum = 0;
  private dataInstStart = -1;
  private dataInstEnd = -1;
  private lastInstrument = -1;
  private lastSymbol = '';
  // Levels converted while scanning (compact fast path, instrument known from `arg` before
  // `data`): units per raw level, NaN where not converted; valid only for instrument `preInst`.
  private preInst = -1;
  private preTick: DecimalScale | null = null;
  private preLot: DecimalScale | null = null;
  private bidPxU: Float64Array;
  private bidSzU: Float64Array;
  private askPxU: Float64Array;
  private askSzU: Float64Array;

  constructor(instruments: InstrumentTable, update: DepthUpdate = new DepthUpdate(), opts: OkxParserOptions = {}) {
    this.table = instruments;
    this.update = update;
    this.c = new JsonCursor(opts.maxDepth ?? 32);
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME;
    this.maxLevels = opts.maxLevelsPerSide ?? DEFAULT_MAX_LEVELS;
    const cap = 64;
    this.bidPxS = new Int32Array(cap);
    this.bidPxE = new Int32Array(cap);
    this.bidSzS = new Int32Array(cap);
    this.bidSzE = new Int32Array(cap);
    this.askPxS = new Int32Array(cap);
    this.askPxE = new Int32Array(cap);
    this.askSzS = new Int32Array(cap);
    this.askSzE = new Int32Array(cap);
    this.bidPxU = new Float64Array(cap);
    this.bidSzU = new Float64Array(cap);
    this.askPxU = new Float64Array(cap);
    this.askSzU = new Float64Array(cap);
  }

  /** Decode bytes [start, end) of the last frame (cold path: allocates a string). '' when absent. */
  text(start: number, end: number): string {
    if (start < 0 || end < start) return '';
    return decoder.decode(this.buf.subarray(start, end));
  }

  private begin(buf: Uint8Array): void {
    this.buf = buf;
    this.kind = 'error';
    this.error = null;
    this.errorPos = -1;
    this.channel = '';
    this.action = '';
    this.event = '';
    this.code = -1;
    this.channelStart = this.channelEnd = -1;
    this.instIdStart = this.instIdEnd = -1;
    this.codeStart = this.codeEnd = -1;
    this.msgStart = this.msgEnd = -1;
    this.idStart = this.idEnd = -1;
    this.opStart = this.opEnd = -1;
    this.connIdStart = this.connIdEnd = -1;
    this.rawBidCount = 0;
    this.rawAskCount = 0;
    this.fields = 0;
    this.seqId = -1;
    this.prevSeqId = -1;
    this.ts = 0;
    this.checksum = 0;
    this.dataInstStart = this.dataInstEnd = -1;
    this.preInst = -1;
    this.update.reset();
  }

  private fail(code: OkxParseError, pos: number): 'error' {
    if (this.error === null) {
      this.error = code;
      this.errorPos = pos;
    }
    this.kind = 'error';
    return 'error';
  }

  private jsonFail(): 'error' {
    const c = this.c;
    switch (c.err) {
      case JsonError.TRUNCATED: return this.fail('TRUNCATED', c.errPos);
      case JsonError.TOO_DEEP: return this.fail('TOO_DEEP', c.errPos);
      case JsonError.WRONG_TYPE: return this.fail('WRONG_TYPE', c.errPos);
      case JsonError.BAD_NUMBER: return this.fail('BAD_NUMBER', c.errPos);
      default: return this.fail('MALFORMED', c.errPos < 0 ? c.p : c.errPos);
    }
  }

  /** Parse one WebSocket frame (text, as UTF-8 bytes) in bytes [start, end). */
  parse(buf: Uint8Array, start = 0, end = buf.length): OkxFrameKind {
    this.begin(buf);
    if (start < 0 || end > buf.length || end < start) return this.fail('MALFORMED', 0);
    if (end - start > this.maxFrameBytes) return this.fail('TOO_LARGE', start);
    // Trim spaces for the empty and "pong" checks.
    let a = start;
    let z = end;
    while (a < z && isSpace(buf[a]!)) a++;
    while (z > a && isSpace(buf[z - 1]!)) z--;
    if (a === z) return this.fail('EMPTY', start);
    if (bytesEqual(buf, a, z, V_PONG)) return (this.kind = 'pong');

    const c = this.c;
    c.reset(buf, a, z);
    if (!c.openObject()) return this.jsonFail();
    let haveArg = false;
    let haveData = false;
    let dataParsed = false;
    let dataS = -1;
    let dataE = -1;
    let evS = -1;
    let evE = -1;
    let actionSeen = false;
    for (let first = true; ; first = false) {
      const r = c.nextKey(first);
      if (r < 0) return this.jsonFail();
      if (r === 0) break;
      const keyPos = c.s0;
      if (c.strIs(K_ARG)) {
        if (haveArg) return this.fail('DUPLICATE_FIELD', keyPos);
        haveArg = true;
        if (!this.parseArg()) return this.error !== null ? 'error' : this.jsonFail();
      } else if (c.strIs(K_DATA)) {
        if (haveData) return this.fail('DUPLICATE_FIELD', keyPos);
        haveData = true;
        if (haveArg && this.channel !== '') {
          this.prepareConversion();
          if (!this.parseData()) return this.error !== null ? 'error' : this.jsonFail();
          dataParsed = true;
        } else {
          if (!c.skip()) return this.jsonFail();
          dataS = c.v0;
          dataE = c.v1;
        }
      } else if (c.strIs(K_ACTION)) {
        if (actionSeen) return this.fail('DUPLICATE_FIELD', keyPos);
        actionSeen = true;
        if (!c.str()) return this.jsonFail();
        if (c.strIs(V_SNAPSHOT)) this.action = 'snapshot';
        else if (c.strIs(V_UPDATE)) this.action = 'update';
        else return this.fail('BAD_ACTION', c.s0);
      } else if (c.strIs(K_EVENT)) {
        if (evS >= 0) return this.fail('DUPLICATE_FIELD', keyPos);
        if (!c.str()) return this.jsonFail();
        evS = c.s0;
        evE = c.s1;
      } else if (c.strIs(K_CODE)) {
        if (!this.readCode()) return this.jsonFail();
      } else if (c.strIs(K_MSG)) {
        if (!this.readStringOrSkip()) return this.jsonFail();
        this.msgStart = c.s0;
        this.msgEnd = c.s1;
      } else if (c.strIs(K_ID)) {
        if (!this.readStringOrSkip()) return this.jsonFail();
        this.idStart = c.s0;
        this.idEnd = c.s1;
      } else if (c.strIs(K_OP)) {
        if (!this.readStringOrSkip()) return this.jsonFail();
        this.opStart = c.s0;
        this.opEnd = c.s1;
      } else if (c.strIs(K_CONNID)) {
        if (!this.readStringOrSkip()) return this.jsonFail();
        this.connIdStart = c.s0;
        this.connIdEnd = c.s1;
      } else if (!c.skip()) return this.jsonFail();
    }
    if (!c.atEnd()) return this.fail('MALFORMED', c.p);

    if (evS >= 0) {
      this.event = 'other';
      for (let i = 0; i < EVENTS.length; i++) {
        if (bytesEqual(buf, evS, evE, EVENTS[i]![0])) {
          this.event = EVENTS[i]![1];
          break;
        }
      }
      return (this.kind = 'event');
    }
    if (haveArg) {
      if (this.channelStart < 0) return this.fail('MISSING_FIELD', a);
      if (this.channel === '') return haveData ? (this.kind = 'push') : this.fail('MISSING_FIELD', a);
      if (!haveData) return this.fail('MISSING_FIELD', a);
      if (!dataParsed) {
        c.reset(buf, dataS, dataE);
        if (!this.parseData()) return this.error !== null ? 'error' : this.jsonFail();
      }
      return this.finishBook(-1);
    }
    if (this.opStart >= 0) return (this.kind = 'response');
    return this.fail('UNKNOWN_MESSAGE', a);
  }

  /**
   * Parse the body of a REST `GET /api/v5/market/books` (or books-full) answer for the
   * instrument at `instrumentIndex` of the table.
   */
  parseRestBooks(buf: Uint8Array, instrumentIndex: number, start = 0, end = buf.length): 'book' | 'error' {
    this.begin(buf);
    if (start < 0 || end > buf.length || end < start) return this.fail('MALFORMED', 0);
    if (end - start > this.maxFrameBytes) return this.fail('TOO_LARGE', start);
    if (!(instrumentIndex >= 0 && instrumentIndex < this.table.size)) return this.fail('UNKNOWN_INSTRUMENT', start);
    const c = this.c;
    c.reset(buf, start, end);
    if (c.atEnd()) return this.fail('EMPTY', start);
    if (!c.openObject()) return this.jsonFail();
    this.channel = 'books';
    let haveData = false;
    let dataS = -1;
    let dataE = -1;
    for (let first = true; ; first = false) {
      const r = c.nextKey(first);
      if (r < 0) return this.jsonFail();
      if (r === 0) break;
      const keyPos = c.s0;
      if (c.strIs(K_DATA)) {
        if (haveData) return this.fail('DUPLICATE_FIELD', keyPos);
        haveData = true;
        if (!c.skip()) return this.jsonFail();
        dataS = c.v0;
        dataE = c.v1;
      } else if (c.strIs(K_CODE)) {
        if (!this.readCode()) return this.jsonFail();
      } else if (c.strIs(K_MSG)) {
        if (!this.readStringOrSkip()) return this.jsonFail();
        this.msgStart = c.s0;
        this.msgEnd = c.s1;
      } else if (!c.skip()) return this.jsonFail();
    }
    if (!c.atEnd()) return this.fail('MALFORMED', c.p);
    if (this.codeStart < 0) return this.fail('MISSING_FIELD', start);
    if (this.code !== 0) return this.fail('VENUE_ERROR', this.codeStart);
    if (!haveData) return this.fail('MISSING_FIELD', start);
    c.reset(buf, dataS, dataE);
    if (!this.parseData()) return this.error !== null ? 'error' : this.jsonFail();
    const k = this.finishBook(instrumentIndex);
    return k === 'book' ? 'book' : 'error';
  }

  /** "code" as a string or a number: keep its content range and numeric value. */
  private readCode(): boolean {
    const c = this.c;
    if (!c.skip()) return false;
    let s = c.v0;
    let e = c.v1;
    const b = this.buf;
    if (b[s] === 0x22) {
      s++;
      e--;
    }
    this.codeStart = s;
    this.codeEnd = e;
    let v = 0;
    if (e <= s || e - s > 15) v = -1;
    for (let i = s; i < e && v >= 0; i++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) v = -1;
      else v = v * 10 + d;
    }
    this.code = v;
    return true;
  }

  /** A string field, or any other value skipped (its range then includes the token). */
  private readStringOrSkip(): boolean {
    const c = this.c;
    if (c.peek() === 0x22) return c.str();
    if (!c.skip()) return false;
    c.s0 = c.v0;
    c.s1 = c.v1;
    return true;
  }

  private parseArg(): boolean {
    const c = this.c;
    if (!c.openObject()) return false;
    for (let first = true; ; first = false) {
      const r = c.nextKey(first);
      if (r < 0) return false;
      if (r === 0) return true;
      if (c.strIs(K_CHANNEL)) {
        if (this.channelStart >= 0) {
          this.fail('DUPLICATE_FIELD', c.s0);
          return false;
        }
        if (!c.str()) return false;
        this.channelStart = c.s0;
        this.channelEnd = c.s1;
        for (let i = 0; i < CHANNELS.length; i++) {
          if (c.strIs(CHANNELS[i]![0])) {
            this.channel = CHANNELS[i]![1];
            break;
          }
        }
      } else if (c.strIs(K_INSTID)) {
        if (this.instIdStart >= 0) {
          this.fail('DUPLICATE_FIELD', c.s0);
          return false;
        }
        if (!c.str()) return false;
        this.instIdStart = c.s0;
        this.instIdEnd = c.s1;
      } else if (!c.skip()) return false;
    }
  }

  /** data: [ { ...one book object... } ] at the cursor. */
  private parseData(): boolean {
    const c = this.c;
    const at = c.p;
    if (!c.openArray()) {
      if (c.err === JsonError.WRONG_TYPE) this.fail('BAD_DATA', at);
      return false;
    }
    let r = c.nextItem(true);
    if (r < 0) return false;
    if (r === 0) {
      this.fail('BAD_DATA', at);
      return false;
    }
    const objAt = c.p;
    if (!c.openObject()) {
      if (c.err === JsonError.WRONG_TYPE) this.fail('BAD_DATA', objAt);
      return false;
    }
    for (let first = true; ; first = false) {
      r = c.nextKey(first);
      if (r < 0) return false;
      if (r === 0) break;
      const keyPos = c.s0;
      let bit = 0;
      if (c.strIs(K_ASKS)) bit = F_ASKS;
      else if (c.strIs(K_BIDS)) bit = F_BIDS;
      else if (c.strIs(K_SEQID)) bit = F_SEQ;
      else if (c.strIs(K_PREVSEQID)) bit = F_PREV;
      else if (c.strIs(K_TS)) bit = F_TS;
      else if (c.strIs(K_CHECKSUM)) bit = F_CHECKSUM;
      else if (c.strIs(K_INSTID)) bit = F_INST;
      if (bit === 0) {
        if (!c.skip()) return false;
        continue;
      }
      if ((this.fields & bit) !== 0) {
        this.fail('DUPLICATE_FIELD', keyPos);
        return false;
      }
      this.fields |= bit;
      switch (bit) {
        case F_ASKS:
          if (!this.parseLevels(false)) return false;
          break;
        case F_BIDS:
          if (!this.parseLevels(true)) return false;
          break;
        case F_SEQ:
          if (!c.intOrIntString()) return false;
          if (c.num < 0) {
            this.fail('BAD_NUMBER', keyPos);
            return false;
          }
          this.seqId = c.num;
          break;
        case F_PREV:
          if (!c.intOrIntString()) return false;
          if (c.num < -1) {
            this.fail('BAD_NUMBER', keyPos);
            return false;
          }
          this.prevSeqId = c.num;
          break;
        case F_TS:
          if (!c.intOrIntString()) return false;
          if (c.num < 0) {
            this.fail('BAD_NUMBER', keyPos);
            return false;
          }
          this.ts = c.num;
          break;
        case F_CHECKSUM:
          if (!c.intOrIntString()) return false;
          if (c.num < INT32_MIN || c.num > INT32_MAX) {
            this.fail('BAD_NUMBER', keyPos);
            return false;
          }
          this.checksum = c.num;
          break;
        default: // F_INST
          if (!c.str()) return false;
          this.dataInstStart = c.s0;
          this.dataInstEnd = c.s1;
      }
    }
    r = c.nextItem(false);
    if (r < 0) return false;
    if (r !== 0) {
      this.fail('BAD_DATA', c.p);
      return false;
    }
    return true;
  }

  /** [[px, sz, ...], ...] at the cursor: record raw ranges. */
  private parseLevels(bid: boolean): boolean {
    const c = this.c;
    if (!c.openArray()) return false;
    let n = 0;
    for (let first = true; ; first = false) {
      let r = c.nextItem(first);
      if (r < 0) return false;
      if (r === 0) break;
      if (n >= this.maxLevels) {
        this.fail('TOO_MANY_LEVELS', c.p);
        return false;
      }
      const lvlAt = c.p;
      if (this.compactLevel(bid, n)) {
        n++;
        continue;
      }
      if (!c.openArray()) {
        if (c.err === JsonError.WRONG_TYPE) this.fail('BAD_LEVEL', lvlAt);
        return false;
      }
      r = c.nextItem(true);
      if (r < 0) return false;
      if (r === 0) {
        this.fail('BAD_LEVEL', lvlAt);
        return false;
      }
      if (!c.str()) return false;
      if (c.esc) {
        this.fail('BAD_DECIMAL', c.s0);
        return false;
      }
      const pxS = c.s0;
      const pxE = c.s1;
      r = c.nextItem(false);
      if (r < 0) return false;
      if (r === 0) {
        this.fail('BAD_LEVEL', lvlAt);
        return false;
      }
      if (!c.str()) return false;
      if (c.esc) {
        this.fail('BAD_DECIMAL', c.s0);
        return false;
      }
      const szS = c.s0;
      const szE = c.s1;
      // Remaining elements ("0" deprecated, numOrders): validated and ignored.
      for (;;) {
        r = c.nextItem(false);
        if (r < 0) return false;
        if (r === 0) break;
        if (!c.skip()) return false;
      }
      if (bid) {
        if (n === this.bidPxS.length) this.growBids();
        this.bidPxS[n] = pxS;
        this.bidPxE[n] = pxE;
        this.bidSzS[n] = szS;
        this.bidSzE[n] = szE;
        this.bidPxU[n] = NaN;
        this.bidSzU[n] = NaN;
      } else {
        if (n === this.askPxS.length) this.growAsks();
        this.askPxS[n] = pxS;
        this.askPxE[n] = pxE;
        this.askSzS[n] = szS;
        this.askSzE[n] = szE;
        this.askPxU[n] = NaN;
        this.askSzU[n] = NaN;
      }
      n++;
    }
    if (bid) this.rawBidCount = n;
    else this.rawAskCount = n;
    return true;
  }

  /**
   * Resolves the instrument from `arg.instId` (already read) so that the compact level path can
   * convert prices and sizes while it scans them. Only a cache: `finishBook` still resolves the
   * instrument itself, uses a converted value only for that same instrument, and converts (and
   * reports errors) exactly as before wherever nothing valid was cached.
   */
  private prepareConversion(): void {
    this.preInst = -1;
    if (this.instIdStart < 0) return;
    const idx = this.lookup(this.buf, this.instIdStart, this.instIdEnd);
    if (idx < 0) return;
    const ins = this.table.get(idx);
    this.preTick = ins.tick;
    this.preLot = ins.lot;
    this.preInst = idx;
  }

  /**
   * Fast path for one level in OKX's compact form, at the cursor: `["px","sz"(,"...")*]` with no
   * whitespace, every element a string without escapes or control characters. Records the raw
   * ranges of level `n` and moves the cursor past the `]`. Returns false, leaving the cursor
   * where it was, for anything else (whitespace, a number element, an escape, the frame's end):
   * the general path then parses the same bytes and reports any error exactly as before, so
   * this only ever accepts levels the general path accepts with the same ranges. Every read is
   * bounds-checked against the frame's end (a frame may be a slice of a larger buffer).
   */
  private compactLevel(bid: boolean, n: number): boolean {
    const c = this.c;
    const b = c.b;
    const end = c.end;
    let p = c.p;
    if (p + 1 >= end || b[p] !== 0x5b || b[p + 1] !== 0x22) return false;
    p += 2;
    const pxS = p;
    let pxU = NaN;
    let szU = NaN;
    const tick = this.preTick;
    const lot = this.preLot;
    const convert = this.preInst >= 0 && tick !== null && lot !== null;
    // a plain decimal (plainUnits) is converted in the same pass; anything else is left
    // unconverted (NaN) and scanned as a plain string from here, and finishBook converts it with
    // DecimalScale.bytesToUnits (the same value or the same error either way).
    // (Price and size repeat this block on purpose: behind one helper function the parse took
    // 40 935 instructions per update against 38 013 inline, callgrind.)
    if (convert) {
      const u = plainUnits(b, p, end, tick.decimals, tick.stepMantissa);
      if (u >= 0) {
        pxU = u;
        p = plainStop;
      }
    }
    for (;;) {
      if (p >= end) return false;
      const ch = b[p]!;
      if (ch === 0x22) break;
      if (ch === 0x5c || ch < 0x20) return false;
      p++;
    }
    const pxE = p;
    p++;
    if (p + 1 >= end || b[p] !== 0x2c || b[p + 1] !== 0x22) return false;
    p += 2;
    const szS = p;
    if (convert) {
      const u = plainUnits(b, p, end, lot.decimals, lot.stepMantissa);
      if (u >= 0) {
        szU = u;
        p = plainStop;
      }
    }
    for (;;) {
      if (p >= end) return false;
      const ch = b[p]!;
      if (ch === 0x22) break;
      if (ch === 0x5c || ch < 0x20) return false;
      p++;
    }
    const szE = p;
    p++;
    // further elements ("0" deprecated, numOrders): strings only on this path
    while (p < end && b[p] === 0x2c) {
      p++;
      if (p >= end || b[p] !== 0x22) return false;
      p++;
      for (;;) {
        if (p >= end) return false;
        const ch = b[p]!;
        if (ch === 0x22) break;
        if (ch === 0x5c || ch < 0x20) return false;
        p++;
      }
      p++;
    }
    if (p >= end || b[p] !== 0x5d) return false;
    c.p = p + 1;
    if (bid) {
      if (n === this.bidPxS.length) this.growBids();
      this.bidPxS[n] = pxS;
      this.bidPxE[n] = pxE;
      this.bidSzS[n] = szS;
      this.bidSzE[n] = szE;
      this.bidPxU[n] = pxU;
      this.bidSzU[n] = szU;
    } else {
      if (n === this.askPxS.length) this.growAsks();
      this.askPxS[n] = pxS;
      this.askPxE[n] = pxE;
      this.askSzS[n] = szS;
      this.askSzE[n] = szE;
      this.askPxU[n] = pxU;
      this.askSzU[n] = szU;
    }
    return true;
  }

  /** Resolve the instrument, check required fields, convert levels into the DepthUpdate. */
  private finishBook(restIndex: number): OkxFrameKind {
    const u = this.update;
    const b = this.buf;
    const f = this.fields;
    const at = this.c.p;
    if ((f & F_ASKS) === 0 || (f & F_BIDS) === 0) return this.fail('MISSING_FIELD', at);
    let idx = restIndex;
    if (idx < 0) {
      if (this.instIdStart >= 0) idx = this.lookup(b, this.instIdStart, this.instIdEnd);
      else if (this.dataInstStart >= 0) idx = this.lookup(b, this.dataInstStart, this.dataInstEnd);
      else return this.fail('MISSING_FIELD', at);
      if (idx < 0) return this.fail('UNKNOWN_INSTRUMENT', this.instIdStart >= 0 ? this.instIdStart : this.dataInstStart);
    }
    const incremental = restIndex < 0 && isIncrementalChannel(this.channel);
    if (incremental) {
      if (this.action === '') return this.fail('MISSING_FIELD', at);
      if ((f & F_SEQ) === 0) return this.fail('MISSING_FIELD', at);
      if (this.action === 'update' && (f & F_PREV) === 0) return this.fail('MISSING_FIELD', at);
      u.kind = this.action === 'snapshot' ? 'snapshot' : 'delta';
      u.prevId = (f & F_PREV) !== 0 ? this.prevSeqId : -1;
    } else {
      u.kind = 'snapshot';
      u.prevId = -1;
    }
    u.instrument = idx;
    u.firstId = -1;
    u.lastId = (f & F_SEQ) !== 0 ? this.seqId : -1;
    u.eventTimeMs = this.ts;
    u.transactTimeMs = this.ts;
    u.checksum = this.checksum;
    const ins = this.table.get(idx);
    const tick = ins.tick;
    const lot = ins.lot;
    // values converted during the scan are used only for the instrument they were converted
    // with and only when valid; everything else is converted here, with the same error reports
    const cached = idx === this.preInst;
    for (let i = 0; i < this.rawBidCount; i++) {
      let px = cached ? this.bidPxU[i]! : NaN;
      if (!(px > 0)) {
        px = tick.bytesToUnits(b, this.bidPxS[i]!, this.bidPxE[i]!);
        if (!(px > 0)) return this.decimalFail(px, tick.lastError, this.bidPxS[i]!);
      }
      let qty = cached ? this.bidSzU[i]! : NaN;
      if (!(qty >= 0)) {
        qty = lot.bytesToUnits(b, this.bidSzS[i]!, this.bidSzE[i]!);
        if (!(qty >= 0)) return this.decimalFail(qty, lot.lastError, this.bidSzS[i]!);
      }
      u.pushBid(px, qty);
    }
    for (let i = 0; i < this.rawAskCount; i++) {
      let px = cached ? this.askPxU[i]! : NaN;
      if (!(px > 0)) {
        px = tick.bytesToUnits(b, this.askPxS[i]!, this.askPxE[i]!);
        if (!(px > 0)) return this.decimalFail(px, tick.lastError, this.askPxS[i]!);
      }
      let qty = cached ? this.askSzU[i]! : NaN;
      if (!(qty >= 0)) {
        qty = lot.bytesToUnits(b, this.askSzS[i]!, this.askSzE[i]!);
        if (!(qty >= 0)) return this.decimalFail(qty, lot.lastError, this.askSzS[i]!);
      }
      u.pushAsk(px, qty);
    }
    return (this.kind = 'book');
  }

  /** Instrument index of the instId bytes; the previous frame's instrument is tried first. */
  private lookup(b: Uint8Array, s: number, e: number): number {
    const last = this.lastInstrument;
    if (last >= 0) {
      const sym = this.lastSymbol;
      if (sym.length === e - s) {
        let same = true;
        for (let i = 0; i < sym.length; i++) {
          if (b[s + i] !== sym.charCodeAt(i)) {
            same = false;
            break;
          }
        }
        if (same) return last;
      }
    }
    const idx = this.table.indexOfBytes(b, s, e);
    if (idx >= 0) {
      this.lastInstrument = idx;
      this.lastSymbol = this.table.get(idx).symbol;
    }
    return idx;
  }

  private decimalFail(v: number, err: number, pos: number): 'error' {
    if (v !== v && err === DecimalError.NOT_MULTIPLE) return this.fail('OFF_STEP', pos);
    return this.fail('BAD_DECIMAL', pos);
  }

  private growBids(): void {
    this.bidPxS = grow(this.bidPxS);
    this.bidPxE = grow(this.bidPxE);
    this.bidSzS = grow(this.bidSzS);
    this.bidSzE = grow(this.bidSzE);
    this.bidPxU = growF(this.bidPxU);
    this.bidSzU = growF(this.bidSzU);
  }

  private growAsks(): void {
    this.askPxS = grow(this.askPxS);
    this.askPxE = grow(this.askPxE);
    this.askSzS = grow(this.askSzS);
    this.askSzE = grow(this.askSzE);
    this.askPxU = growF(this.askPxU);
    this.askSzU = growF(this.askSzU);
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function growF(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Raw price and size strings of one side of the last parsed frame (cold path: allocates). */
export function rawLevelStrings(raw: OkxRawLevels, bid: boolean): [string, string][] {
  const out: [string, string][] = [];
  const n = bid ? raw.rawBidCount : raw.rawAskCount;
  for (let i = 0; i < n; i++) {
    const ps = bid ? raw.bidPxS[i]! : raw.askPxS[i]!;
    const pe = bid ? raw.bidPxE[i]! : raw.askPxE[i]!;
    const ss = bid ? raw.bidSzS[i]! : raw.askSzS[i]!;
    const se = bid ? raw.bidSzE[i]! : raw.askSzE[i]!;
    out.push([latin1(raw.buf, ps, pe), latin1(raw.buf, ss, se)]);
  }
  return out;
}

function latin1(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
  return out;
}
