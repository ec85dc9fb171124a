// A minimal byte-level JSON cursor for hand-written hot-path parsers: it walks a UTF-8 frame in a
// Uint8Array without creating strings or objects, and reports errors as codes, never exceptions.
//
// Invariants:
// - `pos` only moves forward within [start, end); every read checks `end` first, so truncated
//   input yields TRUNCATED, never an out-of-bounds read or a throw.
// - On failure a method sets `err` (first error wins) and returns a sentinel (-1 or NaN); callers
//   check `err !== 0` at convenient points. Once `err` is set, later calls are no-ops.
// - Nesting is bounded (`maxDepth`) so a hostile frame cannot exhaust the stack.
// - Integers are accepted only as plain JSON integers with magnitude <= 2^53 - 1 (exact doubles).

/** Parse error codes (stable). 0 = none. */
export const ParseError = {
  NONE: 0,
  /** Zero-length frame. */
  EMPTY: 1,
  /** The frame ends in the middle of a value. */
  TRUNCATED: 2,
  /** Not JSON, or not the JSON shape this stream sends. */
  SYNTAX: 3,
  /** A field has the wrong JSON type (e.g. a string where an id number belongs). */
  WRONG_TYPE: 4,
  /** A field the message kind requires is absent. */
  MISSING_FIELD: 5,
  /** A number or decimal that is not exact: off the tick/lot grid, negative, fractional id, > 2^53. */
  BAD_NUMBER: 6,
  /** The symbol is not in the instrument table (or none could be determined). */
  UNKNOWN_SYMBOL: 7,
  /** Frame longer than the configured limit, or too many levels. */
  TOO_LARGE: 8,
  /** Nesting deeper than the limit. */
  TOO_DEEP: 9,
  /** Valid JSON of a shape this stream never sends. */
  UNRECOGNISED: 10,
} as const;
export type ParseErrorCode = (typeof ParseError)[keyof typeof ParseError];

const PARSE_ERROR_NAMES = [
  'NONE', 'EMPTY', 'TRUNCATED', 'SYNTAX', 'WRONG_TYPE', 'MISSING_FIELD', 'BAD_NUMBER', 'UNKNOWN_SYMBOL', 'TOO_LARGE', 'TOO_DEEP', 'UNRECOGNISED',
] as const;
export function parseErrorName(code: number): string {
  return PARSE_ERROR_NAMES[code] ?? 'UNKNOWN';
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export class ByteCursor {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  err: ParseErrorCode = ParseError.NONE;
  /** Byte offset where the first error was detected. */
  errPos = -1;
  /** Start/end (exclusive) of the last string read by `readString` (content, without quotes). */
  strStart = 0;
  strEnd = 0;
  /** Value of the last successful `readInt` (a double field: stored in place, never boxed). */
  intValue = 0.5;

  constructor(readonly maxDepth = 32) {}

  reset(buf: Uint8Array, start: number, end: number): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.err = ParseError.NONE;
    this.errPos = -1;
  }

  fail(code: ParseErrorCode): void {
    if (this.err === ParseError.NONE) {
      this.err = code;
      this.errPos = this.pos;
    }
  }

  /** Skips JSON whitespace; returns the next byte without consuming it, or -1 at the end. */
  peek(): number {
    const b = this.buf;
    let p = this.pos;
    const e = this.end;
    while (p < e) {
      const c = b[p]!;
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else {
        this.pos = p;
        return c;
      }
    }
    this.pos = p;
    return -1;
  }

  /** Consumes `ch` (after whitespace) or fails (TRUNCATED at the end, else `code`). */
  expect(ch: number, code: ParseErrorCode = ParseError.SYNTAX): boolean {
    if (this.err !== ParseError.NONE) return false;
    const c = this.peek();
    if (c === ch) {
      this.pos++;
      return true;
    }
    this.fail(c < 0 ? ParseError.TRUNCATED : code);
    return false;
  }

  /**
   * Reads a string (cursor at its opening quote after whitespace). Sets strStart/strEnd to the raw
   * content (escapes are left as-is: callers compare raw bytes). Returns false on error.
   */
  readString(): boolean {
    if (this.err !== ParseError.NONE) return false;
    const c0 = this.peek();
    if (c0 !== 34) {
      this.fail(c0 < 0 ? ParseError.TRUNCATED : ParseError.WRONG_TYPE);
      return false;
    }
    const b = this.buf;
    const e = this.end;
    let p = this.pos + 1;
    const s = p;
    while (p < e) {
      const c = b[p]!;
      if (c === 34) {
        this.strStart = s;
        this.strEnd = p;
        this.pos = p + 1;
        return true;
      }
      if (c === 92) {
        p += 2;
        continue;
      }
      if (c < 32) {
        this.pos = p;
        this.fail(ParseError.SYNTAX);
        return false;
      }
      p++;
    }
    this.pos = e;
    this.fail(ParseError.TRUNCATED);
    return false;
  }

  /**
   * Reads a JSON number token as an exact integer (<= 2^53 - 1 in magnitude) into `intValue` and
   * returns true. Non-numbers -> WRONG_TYPE; fractions, exponents, overflow -> BAD_NUMBER (the
   * whole token is consumed, so a caller may clear `err` and continue); returns false on error.
   * (The value goes through a field, not the return value: a non-inlined call returning a double
   * beyond the Smi range would box a HeapNumber per call — ms timestamps are such doubles.)
   */
  readInt(): boolean {
    if (this.err !== ParseError.NONE) return false;
    const c0 = this.peek();
    if (c0 < 0) {
      this.fail(ParseError.TRUNCATED);
      return false;
    }
    const b = this.buf;
    const e = this.end;
    let p = this.pos;
    let neg = false;
    if (c0 === 45) {
      neg = true;
      p++;
    } else if (c0 < 48 || c0 > 57) {
      this.fail(ParseError.WRONG_TYPE);
      return false;
    }
    let v = 0;
    let digits = 0;
    let over = false;
    while (p < e) {
      const c = b[p]!;
      if (c < 48 || c > 57) break;
      const d = c - 48;
      if (v > (MAX_SAFE - d) / 10) over = true;
      else v = v * 10 + d;
      digits++;
      p++;
    }
    this.pos = p;
    if (digits === 0) {
      this.fail(p >= e ? ParseError.TRUNCATED : ParseError.SYNTAX);
      return false;
    }
    if (p >= e) {
      // a number cannot end a valid frame (an object/array must close after it)
      this.fail(ParseError.TRUNCATED);
      return false;
    }
    const c = b[p]!;
    if (c === 46 || c === 101 || c === 69 || over) {
      // consume the rest of the token so a caller may clear the error and carry on
      while (p < e) {
        const x = b[p]!;
        if ((x >= 48 && x <= 57) || x === 45 || x === 43 || x === 46 || x === 101 || x === 69) p++;
        else break;
      }
      if (p >= e) {
        this.pos = e;
        this.fail(ParseError.TRUNCATED);
        return false;
      }
      this.fail(ParseError.BAD_NUMBER);
      this.pos = p;
      return false;
    }
    this.intValue = neg ? (v === 0 ? 0 : -v) : v;
    return true;
  }

  /** Reads `true`/`false`; returns 1, 0, or -1 on error (WRONG_TYPE for other values). */
  readBool(): number {
    if (this.err !== ParseError.NONE) return -1;
    const c = this.peek();
    if (c === 116) return this.literal(TRUE) ? 1 : -1;
    if (c === 102) return this.literal(FALSE) ? 0 : -1;
    this.fail(c < 0 ? ParseError.TRUNCATED : ParseError.WRONG_TYPE);
    return -1;
  }

  /** True when the next value is `null` (consumed). */
  tryNull(): boolean {
    if (this.peek() === 110) return this.literal(NULL);
    return false;
  }

  private literal(word: Uint8Array): boolean {
    const b = this.buf;
    const p = this.pos;
    for (let i = 0; i < word.length; i++) {
      if (p + i >= this.end) {
        this.pos = this.end;
        this.fail(ParseError.TRUNCATED);
        return false;
      }
      if (b[p + i] !== word[i]) {
        this.fail(ParseError.SYNTAX);
        return false;
      }
    }
    this.pos = p + word.length;
    return true;
  }

  /** Skips any JSON value. `depth` is the current nesting level. */
  skipValue(depth: number): boolean {
    if (this.err !== ParseError.NONE) return false;
    if (depth > this.maxDepth) {
      this.fail(ParseError.TOO_DEEP);
      return false;
    }
    const c = this.peek();
    if (c < 0) {
      this.fail(ParseError.TRUNCATED);
      return false;
    }
    if (c === 34) return this.readString();
    if (c === 123) {
      this.pos++;
      if (this.peek() === 125) {
        this.pos++;
        return true;
      }
      for (;;) {
        if (!this.readString()) {
          if ((this.err as ParseErrorCode) === ParseError.WRONG_TYPE) {
            this.err = ParseError.SYNTAX;
          }
          return false;
        }
        if (!this.expect(58)) return false;
        if (!this.skipValue(depth + 1)) return false;
        const n = this.peek();
        if (n === 44) {
          this.pos++;
          continue;
        }
        if (n === 125) {
          this.pos++;
          return true;
        }
        this.fail(n < 0 ? ParseError.TRUNCATED : ParseError.SYNTAX);
        return false;
      }
    }
    if (c === 91) {
      this.pos++;
      if (this.peek() === 93) {
        this.pos++;
        return true;
      }
      for (;;) {
        if (!this.skipValue(depth + 1)) return false;
        const n = this.peek();
        if (n === 44) {
          this.pos++;
          continue;
        }
        if (n === 93) {
          this.pos++;
          return true;
        }
        this.fail(n < 0 ? ParseError.TRUNCATED : ParseError.SYNTAX);
        return false;
      }
    }
    if (c === 116) return this.literal(TRUE);
    if (c === 102) return this.literal(FALSE);
    if (c === 110) return this.literal(NULL);
    if (c === 45 || (c >= 48 && c <= 57)) return this.skipNumber();
    this.fail(ParseError.SYNTAX);
    return false;
  }

  /** Skips a JSON number token (lenient about its exact grammar; it is being ignored). */
  skipNumber(): boolean {
    const b = this.buf;
    let p = this.pos;
    const e = this.end;
    const s = p;
    while (p < e) {
      const c = b[p]!;
      if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69) p++;
      else break;
    }
    this.pos = p;
    if (p === s) {
      this.fail(ParseError.SYNTAX);
      return false;
    }
    if (p >= e) {
      this.fail(ParseError.TRUNCATED);
      return false;
    }
    return true;
  }

  /** Bytes [s, e) equal the ASCII constant. */
  eq(s: number, e: number, word: Uint8Array): boolean {
    if (e - s !== word.length) return false;
    const b = this.buf;
    for (let i = 0; i < word.length; i++) if (b[s + i] !== word[i]) return false;
    return true;
  }
}

export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const TRUE = ascii('true');
const FALSE = ascii('false');
const NULL = ascii('null');
