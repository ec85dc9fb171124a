// Hand-written byte-level parser for Binance spot and USD-M market-data frames: `depthUpdate`
// (raw and combined-stream wrapper), REST depth snapshots and spot partial-depth frames
// (`{"lastUpdateId",...}`), `bookTicker`, `trade`, `aggTrade`, `serverShutdown`, subscription
// responses (`{"result":null,"id":1}`) and stream control errors (`{"code":2,"msg":...}`).
// Other events (`markPrice`, `kline`, ...) are recognised as OTHER_EVENT with their name span.
//
// Invariants:
// - No JSON.parse, no strings, no allocation per frame in steady state: prices and quantities go
//   straight from bytes to ticks/lots through the instrument's DecimalScales into the reused
//   `depth` / `ticker` / `trade` objects. (DepthUpdate arrays grow only past their capacity.)
// - `parse` never throws: any malformed, truncated, wrong-typed, oversized or off-grid input
//   returns BinanceMsg.ERROR with `error` (a ParseError code) and `errorPos` set.
// - Field order does not matter (Binance's usual order — `s` before `b`/`a`, `stream` before
//   `data` — takes the single-pass fast path; other orders defer the level arrays to a second pass).
// - A level written exactly as Binance writes it (`["px","qty"]`, no whitespace) is converted by
//   a fast path that leaves every other form, and every error, to the general level parser.
// - The instrument comes from, in order: the `s` field, the combined stream name, the caller's
//   hint (REST snapshots and raw partial-depth streams carry no symbol). `s` must agree with the
//   stream name when both are present.
// - Every id (U, u, pu, lastUpdateId, trade ids) must be a non-negative JSON integer <= 2^53 - 1;
//   every level price/quantity a non-negative whole number of ticks/lots.
import { DepthUpdate } from '../types.js';
import type { DecimalScale } from '../../core/decimal.js';
import type { InstrumentTable } from '../../core/instrument.js';
import { ByteCursor, ParseError, ascii, type ParseErrorCode } from './byte-json.js';

/** What a frame was. ERROR = see `parser.error`. */
export const BinanceMsg = {
  ERROR: 0,
  /** `e:depthUpdate` (diff, or a USD-M partial-depth stream: then depth.kind = 'snapshot'). */
  DEPTH_UPDATE: 1,
  /** REST depth snapshot or spot partial-depth frame (`lastUpdateId`, `bids`, `asks`). */
  DEPTH_SNAPSHOT: 2,
  BOOK_TICKER: 3,
  TRADE: 4,
  AGG_TRADE: 5,
  /** `e:serverShutdown`: reconnect now. */
  SERVER_SHUTDOWN: 6,
  /** `{"result":...,"id":...}` answer to SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS. */
  RESPONSE: 7,
  /** `{"code":n,"msg":...}` market-stream control error. */
  CONTROL_ERROR: 8,
  /** Any other `e` (name in eventStart/eventEnd). */
  OTHER_EVENT: 9,
} as const;
export type BinanceMsgKind = (typeof BinanceMsg)[keyof typeof BinanceMsg];

const KIND_NAMES = ['ERROR', 'DEPTH_UPDATE', 'DEPTH_SNAPSHOT', 'BOOK_TICKER', 'TRADE', 'AGG_TRADE', 'SERVER_SHUTDOWN', 'RESPONSE', 'CONTROL_ERROR', 'OTHER_EVENT'] as const;
export function binanceMsgName(kind: number): string {
  return KIND_NAMES[kind] ?? 'UNKNOWN';
}

/** Best bid/ask from `bookTicker`, in ticks and lots. Reused per frame. */
export class BookTicker {
  instrument = -1;
  updateId = -1;
  bidPx = 0;
  bidQty = 0;
  askPx = 0;
  askQty = 0;
  eventTimeMs = 0;
  transactTimeMs = 0;
}

/** One public trade (`trade` or `aggTrade`), in ticks and lots. Reused per frame. */
export class TradeTick {
  instrument = -1;
  /** `t` (trade) or `a` (aggTrade id). */
  tradeId = -1;
  px = 0;
  qty = 0;
  eventTimeMs = 0;
  tradeTimeMs = 0;
  /** `m`: the buyer was the maker (so the aggressor sold). */
  buyerIsMaker = false;
}

export interface BinanceParserOptions {
  /** USD-M futures: `pu` is required on depthUpdate. */
  readonly futures: boolean;
  /** Frames longer than this are TOO_LARGE (default 8 MiB; a 5000-level snapshot is ~300 KB). */
  readonly maxFrameBytes?: number;
  /** More levels than this per side are TOO_LARGE (default 10000). */
  readonly maxLevels?: number;
}

// field bits
const F_E = 1 << 0; // e
const F_EV_TIME = 1 << 1; // E
const F_T = 1 << 2; // T
const F_S = 1 << 3; // s
const F_U1 = 1 << 4; // U
const F_U = 1 << 5; // u
const F_PU = 1 << 6; // pu
const F_BIDS = 1 << 7; // b / bids as array
const F_ASKS = 1 << 8; // a / asks as array
const F_LAST = 1 << 9; // lastUpdateId
const F_BSTR = 1 << 10; // b as string (ticker)
const F_ASTR = 1 << 11; // a as string (ticker)
const F_BQ = 1 << 12; // B
const F_AQ = 1 << 13; // A
const F_P = 1 << 14; // p
const F_Q = 1 << 15; // q
const F_TID = 1 << 16; // t
const F_AID = 1 << 17; // a as number (aggTrade id)
const F_M = 1 << 18; // m
const F_RESULT = 1 << 19;
const F_ID = 1 << 20;
const F_CODE = 1 << 21;

const EV_NONE = 0;
const EV_DEPTH = 1;
const EV_TICKER = 2;
const EV_TRADE = 3;
const EV_AGG = 4;
const EV_SHUTDOWN = 5;
const EV_OTHER = 6;

const K_STREAM = ascii('stream');
const K_DATA = ascii('data');
const K_PU = ascii('pu');
const K_LAST = ascii('lastUpdateId');
const K_BIDS = ascii('bids');
const K_ASKS = ascii('asks');
const K_RESULT = ascii('result');
const K_ID = ascii('id');
const K_CODE = ascii('code');
const W_DEPTH = ascii('depthUpdate');
const W_TICKER = ascii('bookTicker');
const W_TRADE = ascii('trade');
const W_AGG = ascii('aggTrade');
const W_SHUTDOWN = ascii('serverShutdown');

export class BinanceMarketParser {
  /** Filled for DEPTH_UPDATE / DEPTH_SNAPSHOT. */
  depth: DepthUpdate;
  readonly ticker = new BookTicker();
  readonly trade = new TradeTick();
  /** ParseError code of the last ERROR result. */
  error: ParseErrorCode = ParseError.NONE;
  errorPos = -1;
  /** Combined-stream name span of the last frame, or -1 when the frame was not wrapped. */
  streamStart = -1;
  streamEnd = -1;
  /** `e` value span of the last frame (-1 when absent). */
  eventStart = -1;
  eventEnd = -1;
  /** The combined stream name is a partial-depth stream (`@depth5`, `@depth10`, `@depth20`). */
  partialDepthStream = false;
  /** `code` of a CONTROL_ERROR; `id` of a RESPONSE when it was an integer (else NaN). */
  controlCode = 0;
  responseId = NaN;
  /** The buffer of the last frame (span fields index into it). */
  lastBuf: Uint8Array = new Uint8Array(0);

  private readonly c = new ByteCursor(32);
  private readonly futures: boolean;
  private readonly maxFrameBytes: number;
  private readonly maxLevels: number;
  private seen = 0;
  private wrongType = 0;
  private ev = EV_NONE;
  private inst = -1; // instrument to parse levels with (-1 = not yet known)
  private levelInst = -1; // instrument level arrays were parsed with in the single pass (-1 = none)
  private sInst = -2; // instrument from `s` (-2 = no s; -1 = unknown symbol)
  private streamInst = -2;
  private bidsStart = -1;
  private asksStart = -1;
  private bStr0 = 0;
  private bStr1 = 0;
  private aStr0 = 0;
  private aStr1 = 0;
  private bq0 = 0;
  private bq1 = 0;
  private aq0 = 0;
  private aq1 = 0;
  private p0 = 0;
  private p1 = 0;
  private q0 = 0;
  private q1 = 0;
  private vU1 = -1;
  private vU = -1;
  private vPu = -1;
  private vLast = -1;
  private vE = 0;
  private vT = 0;
  private vTid = -1;
  private vAid = -1;
  private vM = 0;

  constructor(
    readonly instruments: InstrumentTable,
    opts: BinanceParserOptions,
    depth: DepthUpdate = new DepthUpdate(64),
  ) {
    this.futures = opts.futures;
    this.maxFrameBytes = opts.maxFrameBytes ?? 8 * 1024 * 1024;
    this.maxLevels = opts.maxLevels ?? 10000;
    this.depth = depth;
  }

  /**
   * Parses one frame from bytes [start, end). `instrumentHint` names the instrument for frames
   * that carry no symbol (REST snapshot, raw partial-depth stream); -1 when none.
   */
  parse(buf: Uint8Array, start = 0, end = buf.length, instrumentHint = -1): BinanceMsgKind {
    const c = this.c;
    this.lastBuf = buf;
    this.error = ParseError.NONE;
    this.errorPos = -1;
    this.streamStart = -1;
    this.streamEnd = -1;
    this.eventStart = -1;
    this.eventEnd = -1;
    this.partialDepthStream = false;
    this.controlCode = 0;
    this.responseId = NaN;
    this.seen = 0;
    this.wrongType = 0;
    this.ev = EV_NONE;
    this.sInst = -2;
    this.streamInst = -2;
    this.inst = instrumentHint >= 0 && instrumentHint < this.instruments.size ? instrumentHint : -1;
    this.levelInst = -1;
    this.bidsStart = -1;
    this.asksStart = -1;
    this.vU1 = this.vU = this.vPu = this.vLast = this.vTid = this.vAid = -1;
    this.vE = this.vT = this.vM = 0;
    this.depth.reset();
    if (!(end > start)) return this.failWith(ParseError.EMPTY, start);
    if (end - start > this.maxFrameBytes) return this.failWith(ParseError.TOO_LARGE, start);
    if (start < 0 || end > buf.length) return this.failWith(ParseError.TRUNCATED, start);
    c.reset(buf, start, end);
    if (c.peek() !== 123) {
      c.fail(c.peek() < 0 ? ParseError.EMPTY : ParseError.SYNTAX);
      return this.failCursor();
    }
    if (!this.object(0)) return this.failCursor();
    if (c.peek() >= 0) {
      c.fail(ParseError.SYNTAX);
      return this.failCursor();
    }
    return this.finish(instrumentHint);
  }

  private failWith(code: ParseErrorCode, pos: number): BinanceMsgKind {
    this.error = code;
    this.errorPos = pos;
    return BinanceMsg.ERROR;
  }

  private failCursor(): BinanceMsgKind {
    this.error = this.c.err === ParseError.NONE ? ParseError.SYNTAX : this.c.err;
    this.errorPos = this.c.errPos;
    return BinanceMsg.ERROR;
  }

  /** Parses an object at the cursor ('{' next). depth 0 = top level, 1 = combined `data`. */
  private object(depth: number): boolean {
    const c = this.c;
    const b = c.buf;
    c.pos++; // '{'
    if (c.peek() === 125) {
      c.pos++;
      return true;
    }
    for (;;) {
      if (!c.readString()) {
        if (c.err === ParseError.WRONG_TYPE) c.err = ParseError.SYNTAX;
        return false;
      }
      const ks = c.strStart;
      const ke = c.strEnd;
      if (!c.expect(58)) return false;
      const len = ke - ks;
      let ok = true;
      if (len === 1) {
        switch (b[ks]) {
          case 101: // e
            ok = this.eventName();
            break;
          case 69: // E
            ok = this.intField(F_EV_TIME, 0);
            break;
          case 84: // T
            ok = this.intField(F_T, 1);
            break;
          case 115: // s
            ok = this.symbol();
            break;
          case 85: // U
            ok = this.intField(F_U1, 2);
            break;
          case 117: // u
            ok = this.intField(F_U, 3);
            break;
          case 98: // b: bids array or best bid price string
            ok = this.levelsOrString(true);
            break;
          case 97: // a: asks array, best ask price string, or aggTrade id
            ok = this.levelsOrString(false);
            break;
          case 66: // B
            ok = this.strField(F_BQ);
            if (ok && (this.seen & F_BQ) !== 0) {
              this.bq0 = c.strStart;
              this.bq1 = c.strEnd;
            }
            break;
          case 65: // A
            ok = this.strField(F_AQ);
            if (ok && (this.seen & F_AQ) !== 0) {
              this.aq0 = c.strStart;
              this.aq1 = c.strEnd;
            }
            break;
          case 112: // p
            ok = this.strField(F_P);
            if (ok && (this.seen & F_P) !== 0) {
              this.p0 = c.strStart;
              this.p1 = c.strEnd;
            }
            break;
          case 113: // q
            ok = this.strField(F_Q);
            if (ok && (this.seen & F_Q) !== 0) {
              this.q0 = c.strStart;
              this.q1 = c.strEnd;
            }
            break;
          case 116: // t
            ok = this.intField(F_TID, 5);
            break;
          case 109: // m
            ok = this.boolField();
            break;
          default:
            ok = c.skipValue(depth + 1);
        }
      } else if (c.eq(ks, ke, K_PU)) ok = this.intField(F_PU, 4);
      else if (c.eq(ks, ke, K_LAST)) ok = this.intField(F_LAST, 6);
      else if (c.eq(ks, ke, K_BIDS)) ok = this.levelsOrString(true);
      else if (c.eq(ks, ke, K_ASKS)) ok = this.levelsOrString(false);
      else if (depth === 0 && c.eq(ks, ke, K_STREAM)) ok = this.streamName();
      else if (depth === 0 && c.eq(ks, ke, K_DATA)) {
        if (c.peek() === 123) ok = this.object(1);
        else {
          this.wrongType |= F_E;
          ok = c.skipValue(depth + 1);
        }
      } else if (depth === 0 && c.eq(ks, ke, K_RESULT)) {
        this.seen |= F_RESULT;
        ok = c.skipValue(depth + 1);
      } else if (depth === 0 && c.eq(ks, ke, K_ID)) {
        this.seen |= F_ID;
        const n = c.peek();
        if (n === 45 || (n >= 48 && n <= 57)) {
          if (!c.readInt()) {
            if (c.err === ParseError.BAD_NUMBER) {
              c.err = ParseError.NONE; // a non-integer id is still a valid response id; just not numeric
            } else ok = false;
          } else this.responseId = c.intValue;
        } else ok = c.skipValue(depth + 1);
      } else if (depth === 0 && c.eq(ks, ke, K_CODE)) {
        this.seen |= F_CODE;
        ok = c.readInt();
        if (ok) this.controlCode = c.intValue;
      } else ok = c.skipValue(depth + 1);
      if (!ok) return false;
      const n = c.peek();
      if (n === 44) {
        c.pos++;
        continue;
      }
      if (n === 125) {
        c.pos++;
        return true;
      }
      c.fail(n < 0 ? ParseError.TRUNCATED : ParseError.SYNTAX);
      return false;
    }
  }

  private eventName(): boolean {
    const c = this.c;
    if (c.peek() !== 34) {
      this.wrongType |= F_E;
      return c.skipValue(1);
    }
    if (!c.readString()) return false;
    const s = c.strStart;
    const e = c.strEnd;
    this.seen |= F_E;
    this.eventStart = s;
    this.eventEnd = e;
    if (c.eq(s, e, W_DEPTH)) this.ev = EV_DEPTH;
    else if (c.eq(s, e, W_TICKER)) this.ev = EV_TICKER;
    else if (c.eq(s, e, W_TRADE)) this.ev = EV_TRADE;
    else if (c.eq(s, e, W_AGG)) this.ev = EV_AGG;
    else if (c.eq(s, e, W_SHUTDOWN)) this.ev = EV_SHUTDOWN;
    else this.ev = EV_OTHER;
    return true;
  }

  /** Integer field; slot: 0 E, 1 T, 2 U, 3 u, 4 pu, 5 t, 6 lastUpdateId. Non-numbers are marked wrong-typed. */
  private intField(bit: number, slot: number): boolean {
    const c = this.c;
    const n = c.peek();
    if (!(n === 45 || (n >= 48 && n <= 57))) {
      this.wrongType |= bit;
      return c.skipValue(1);
    }
    if (!c.readInt()) {
      // BAD_NUMBER is only fatal for fields the message kind needs; record and skip the token.
      if (c.err === ParseError.BAD_NUMBER) {
        c.err = ParseError.NONE;
        this.wrongType |= bit;
        return true;
      }
      return false;
    }
    const v = c.intValue;
    if (v < 0) this.wrongType |= bit;
    this.seen |= bit;
    switch (slot) {
      case 0:
        this.vE = v;
        break;
      case 1:
        this.vT = v;
        break;
      case 2:
        this.vU1 = v;
        break;
      case 3:
        this.vU = v;
        break;
      case 4:
        this.vPu = v;
        break;
      case 5:
        this.vTid = v;
        break;
      default:
        this.vLast = v;
    }
    return true;
  }

  private strField(bit: number): boolean {
    const c = this.c;
    if (c.peek() !== 34) {
      this.wrongType |= bit;
      return c.skipValue(1);
    }
    if (!c.readString()) return false;
    this.seen |= bit;
    return true;
  }

  private boolField(): boolean {
    const c = this.c;
    const n = c.peek();
    if (n !== 116 && n !== 102) {
      this.wrongType |= F_M;
      return c.skipValue(1);
    }
    const v = c.readBool();
    if (v < 0) return false;
    this.vM = v;
    this.seen |= F_M;
    return true;
  }

  private symbol(): boolean {
    const c = this.c;
    if (c.peek() !== 34) {
      this.wrongType |= F_S;
      return c.skipValue(1);
    }
    if (!c.readString()) return false;
    this.seen |= F_S;
    const idx = this.instruments.indexOfBytes(c.buf, c.strStart, c.strEnd);
    this.sInst = idx;
    // `s` overrides the hint while no level array has been parsed in the single pass
    if (idx >= 0 && this.levelInst < 0) this.inst = idx;
    return true;
  }

  private streamName(): boolean {
    const c = this.c;
    if (c.peek() !== 34) return c.skipValue(1);
    if (!c.readString()) return false;
    const s = c.strStart;
    const e = c.strEnd;
    this.streamStart = s;
    this.streamEnd = e;
    const b = c.buf;
    let at = s;
    while (at < e && b[at] !== 64 /* @ */) at++;
    if (at < e) {
      // partial depth: "@depth" followed by a digit
      const d = at + 6;
      if (d < e && b[at + 1] === 100 && b[at + 2] === 101 && b[at + 3] === 112 && b[at + 4] === 116 && b[at + 5] === 104) {
        const x = b[d]!;
        this.partialDepthStream = x >= 48 && x <= 57;
      }
      const idx = this.instruments.indexOfBytes(b, s, at);
      this.streamInst = idx;
      if (idx >= 0 && this.levelInst < 0 && this.sInst < 0) this.inst = idx;
    }
    return true;
  }

  /** `b`/`a`/`bids`/`asks`: an array of levels, a ticker price string, or (for `a`) an aggTrade id. */
  private levelsOrString(bid: boolean): boolean {
    const c = this.c;
    const n = c.peek();
    if (n === 91) {
      if (this.inst >= 0) {
        this.levelInst = this.inst;
        if (!this.levels(bid)) return false;
      } else {
        if (bid) this.bidsStart = c.pos;
        else this.asksStart = c.pos;
        if (!c.skipValue(1)) return false;
      }
      this.seen |= bid ? F_BIDS : F_ASKS;
      return true;
    }
    if (n === 34) {
      if (!c.readString()) return false;
      if (bid) {
        this.seen |= F_BSTR;
        this.bStr0 = c.strStart;
        this.bStr1 = c.strEnd;
      } else {
        this.seen |= F_ASTR;
        this.aStr0 = c.strStart;
        this.aStr1 = c.strEnd;
      }
      return true;
    }
    if (!bid && (n === 45 || (n >= 48 && n <= 57))) {
      if (!c.readInt()) {
        if (c.err !== ParseError.BAD_NUMBER) return false;
        c.err = ParseError.NONE;
        this.wrongType |= F_AID;
        return true;
      }
      const v = c.intValue;
      if (v < 0) this.wrongType |= F_AID;
      this.vAid = v;
      this.seen |= F_AID;
      return true;
    }
    this.wrongType |= bid ? F_BIDS | F_BSTR : F_ASKS | F_ASTR | F_AID;
    return c.skipValue(1);
  }

  /** Parses `[[px,qty],...]` at the cursor into depth (instrument `inst` known). */
  private levels(bid: boolean): boolean {
    const c = this.c;
    const ins = this.instruments.get(this.inst);
    const tick = ins.tick;
    const lot = ins.lot;
    const d = this.depth;
    const max = this.maxLevels;
    c.pos++; // '['
    if (c.peek() === 93) {
      c.pos++;
      return true;
    }
    const b = c.buf;
    const end = c.end;
    for (;;) {
      // Fast path, Binance's compact form `["<px>","<qty>"]` with no whitespace: both decimals
      // converted in the one pass that finds their closing quotes. Anything else (whitespace,
      // bare numbers, extra elements, a bad decimal, a full side) leaves the cursor where it was
      // and goes through the general path below, which reports errors exactly as before.
      const p = c.pos;
      if (p + 1 < end && b[p] === 91 && b[p + 1] === 34 && tick.scanUntil(b, p + 2, end)) {
        // read the price before the quantity scan: tick and lot are one object when the steps
        // are equal (DecimalScales are shared by step)
        const s1 = tick.stop;
        const px = tick.units;
        if (s1 + 2 < end && b[s1] === 34 && b[s1 + 1] === 44 && b[s1 + 2] === 34 && lot.scanUntil(b, s1 + 3, end)) {
          const s2 = lot.stop;
          const qty = lot.units;
          if (s2 + 1 < end && b[s2] === 34 && b[s2 + 1] === 93 && px >= 0 && qty >= 0 && (bid ? d.bidCount : d.askCount) < max) {
            if (bid) d.pushBid(px, qty);
            else d.pushAsk(px, qty);
            c.pos = s2 + 2;
            const n = c.peek();
            if (n === 44) {
              c.pos++;
              continue;
            }
            if (n === 93) {
              c.pos++;
              return true;
            }
            c.fail(n < 0 ? ParseError.TRUNCATED : ParseError.SYNTAX);
            return false;
          }
        }
      }
      if (!c.expect(91, ParseError.WRONG_TYPE)) return false;
      if (!this.decimal(tick)) return false;
      const px = tick.units;
      if (!c.expect(44)) return false;
      if (!this.decimal(lot)) return false;
      const qty = lot.units;
      // tolerate (skip) extra elements in a level
      let n = c.peek();
      while (n === 44) {
        c.pos++;
        if (!c.skipValue(3)) return false;
        n = c.peek();
      }
      if (!c.expect(93)) return false;
      if (px < 0 || qty < 0) {
        c.fail(ParseError.BAD_NUMBER);
        return false;
      }
      if (bid) {
        if (d.bidCount >= max) {
          c.fail(ParseError.TOO_LARGE);
          return false;
        }
        d.pushBid(px, qty);
      } else {
        if (d.askCount >= max) {
          c.fail(ParseError.TOO_LARGE);
          return false;
        }
        d.pushAsk(px, qty);
      }
      n = c.peek();
      if (n === 44) {
        c.pos++;
        continue;
      }
      if (n === 93) {
        c.pos++;
        return true;
      }
      c.fail(n < 0 ? ParseError.TRUNCATED : ParseError.SYNTAX);
      return false;
    }
  }

  /**
   * A decimal as a JSON string (Binance's form) or bare number, converted exactly in one pass
   * (the scale parses up to the closing quote) into `scale.units`. False on error.
   */
  private decimal(scale: DecimalScale): boolean {
    const c = this.c;
    const n = c.peek();
    const b = c.buf;
    const end = c.end;
    if (n === 34) {
      const ok = scale.scanUntil(b, c.pos + 1, end);
      const stop = scale.stop;
      if (stop >= end) {
        c.pos = end;
        c.fail(ParseError.TRUNCATED);
        return false;
      }
      if (b[stop] !== 34 || !ok) {
        c.pos = stop;
        c.fail(ParseError.BAD_NUMBER);
        return false;
      }
      c.pos = stop + 1;
      return true;
    }
    if (n === 45 || (n >= 48 && n <= 57)) {
      const ok = scale.scanUntil(b, c.pos, end);
      const stop = scale.stop;
      c.pos = stop;
      if (stop >= end) {
        c.fail(ParseError.TRUNCATED);
        return false;
      }
      if (!ok) {
        c.fail(ParseError.BAD_NUMBER);
        return false;
      }
      return true;
    }
    c.fail(n < 0 ? ParseError.TRUNCATED : ParseError.WRONG_TYPE);
    return false;
  }

  private strUnits(scale: DecimalScale, s: number, e: number): number {
    const v = scale.bytesToUnits(this.c.buf, s, e);
    return v === v && v >= 0 ? v : NaN;
  }

  /** Resolves the instrument for kinds that need one; -1 after recording an error. */
  private resolveInstrument(hint: number): number {
    if (this.sInst === -1) return -1; // `s` present but unknown
    if (this.sInst >= 0) {
      if (this.streamInst >= 0 && this.streamInst !== this.sInst) return -1;
      return this.sInst;
    }
    if (this.streamInst >= 0) return this.streamInst;
    if (this.streamInst === -1) return -1;
    return hint >= 0 && hint < this.instruments.size ? hint : -1;
  }

  /** True when every field in `mask` is present and well-typed; else records the error. */
  private need(mask: number): boolean {
    if ((this.wrongType & mask) !== 0) {
      this.failWith(ParseError.WRONG_TYPE, this.c.pos);
      return false;
    }
    if ((this.seen & mask) !== mask) {
      this.failWith(ParseError.MISSING_FIELD, this.c.pos);
      return false;
    }
    return true;
  }

  /** Parses level arrays that were skipped because the instrument was not yet known. */
  private deferredLevels(inst: number): boolean {
    if (this.bidsStart < 0 && this.asksStart < 0) return true;
    const c = this.c;
    const save = c.pos;
    this.inst = inst;
    if (this.bidsStart >= 0) {
      c.pos = this.bidsStart;
      if (!this.levels(true)) return false;
    }
    if (this.asksStart >= 0) {
      c.pos = this.asksStart;
      if (!this.levels(false)) return false;
    }
    c.pos = save;
    return true;
  }

  private finish(hint: number): BinanceMsgKind {
    const ev = this.ev;
    const d = this.depth;
    if (ev === EV_DEPTH || (ev === EV_NONE && (this.seen & F_LAST) !== 0)) {
      const isSnap = ev === EV_NONE;
      const ok = isSnap ? this.need(F_LAST | F_BIDS | F_ASKS) : this.need(F_U1 | F_U | F_BIDS | F_ASKS | (this.futures ? F_PU : 0));
      if (!ok) return BinanceMsg.ERROR;
      if ((this.wrongType & (F_EV_TIME | F_T)) !== 0) return this.failWith(ParseError.WRONG_TYPE, this.c.pos);
      const inst = this.resolveInstrument(hint);
      if (inst < 0) return this.failWith(ParseError.UNKNOWN_SYMBOL, this.c.pos);
      if (this.levelInst >= 0 && this.levelInst !== inst) {
        // levels were parsed with a different instrument's scales: the frame contradicts itself
        return this.failWith(ParseError.UNKNOWN_SYMBOL, this.c.pos);
      }
      if (!this.deferredLevels(inst)) return this.failCursor();
      d.instrument = inst;
      d.eventTimeMs = this.vE;
      d.transactTimeMs = this.vT;
      if (isSnap) {
        d.kind = 'snapshot';
        d.lastId = this.vLast;
        return BinanceMsg.DEPTH_SNAPSHOT;
      }
      d.kind = this.partialDepthStream ? 'snapshot' : 'delta';
      d.firstId = this.vU1;
      d.lastId = this.vU;
      d.prevId = this.futures ? this.vPu : -1;
      if (this.vU1 > this.vU) return this.failWith(ParseError.BAD_NUMBER, this.c.pos);
      return BinanceMsg.DEPTH_UPDATE;
    }
    if (ev === EV_TICKER || (ev === EV_NONE && (this.seen & (F_U | F_BSTR | F_ASTR | F_BQ | F_AQ)) === (F_U | F_BSTR | F_ASTR | F_BQ | F_AQ))) {
      if (!this.need(F_U | F_BSTR | F_ASTR | F_BQ | F_AQ)) return BinanceMsg.ERROR;
      const inst = this.resolveInstrument(hint);
      if (inst < 0) return this.failWith(ParseError.UNKNOWN_SYMBOL, this.c.pos);
      const ins = this.instruments.get(inst);
      const t = this.ticker;
      t.instrument = inst;
      t.updateId = this.vU;
      t.bidPx = this.strUnits(ins.tick, this.bStr0, this.bStr1);
      t.bidQty = this.strUnits(ins.lot, this.bq0, this.bq1);
      t.askPx = this.strUnits(ins.tick, this.aStr0, this.aStr1);
      t.askQty = this.strUnits(ins.lot, this.aq0, this.aq1);
      t.eventTimeMs = this.vE;
      t.transactTimeMs = this.vT;
      if (t.bidPx !== t.bidPx || t.bidQty !== t.bidQty || t.askPx !== t.askPx || t.askQty !== t.askQty) return this.failWith(ParseError.BAD_NUMBER, this.c.pos);
      return BinanceMsg.BOOK_TICKER;
    }
    if (ev === EV_TRADE || ev === EV_AGG) {
      const idBit = ev === EV_TRADE ? F_TID : F_AID;
      if (!this.need(F_P | F_Q | idBit)) return BinanceMsg.ERROR;
      if ((this.wrongType & (F_EV_TIME | F_T | F_M)) !== 0) return this.failWith(ParseError.WRONG_TYPE, this.c.pos);
      const inst = this.resolveInstrument(hint);
      if (inst < 0) return this.failWith(ParseError.UNKNOWN_SYMBOL, this.c.pos);
      const ins = this.instruments.get(inst);
      const t = this.trade;
      t.instrument = inst;
      t.tradeId = ev === EV_TRADE ? this.vTid : this.vAid;
      t.px = this.strUnits(ins.tick, this.p0, this.p1);
      t.qty = this.strUnits(ins.lot, this.q0, this.q1);
      t.eventTimeMs = this.vE;
      t.tradeTimeMs = this.vT;
      t.buyerIsMaker = this.vM === 1;
      if (t.px !== t.px || t.qty !== t.qty) return this.failWith(ParseError.BAD_NUMBER, this.c.pos);
      return ev === EV_TRADE ? BinanceMsg.TRADE : BinanceMsg.AGG_TRADE;
    }
    if (ev === EV_SHUTDOWN) return BinanceMsg.SERVER_SHUTDOWN;
    if (ev === EV_OTHER) return BinanceMsg.OTHER_EVENT;
    if ((this.wrongType & F_E) !== 0) return this.failWith(ParseError.WRONG_TYPE, this.c.pos);
    if ((this.seen & F_RESULT) !== 0) return BinanceMsg.RESPONSE;
    if ((this.seen & F_CODE) !== 0) return BinanceMsg.CONTROL_ERROR;
    if (this.streamStart >= 0 && this.streamEnd - this.streamStart === 15 && this.lastBuf[this.streamStart] === 33 /* !serverShutdown */) {
      return BinanceMsg.SERVER_SHUTDOWN;
    }
    return this.failWith(ParseError.UNRECOGNISED, this.c.pos);
  }
}
