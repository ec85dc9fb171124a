// A byte-level JSON cursor for venue frames: walks UTF-8 JSON in a Uint8Array without creating
// strings or objects, so a parser can pick the fields it needs and skip the rest.
//
// Invariants:
// - Never throws and never allocates after construction: every method returns false (or -1) on
//   bad input and records the first error in `err` (a JsonError code) and `errPos` (byte offset).
//   Once `err` is set, later calls keep failing; call `reset` for the next frame.
// - Strict JSON grammar for everything it reads or skips (objects, arrays, strings without raw
//   control characters and only valid escapes, numbers per RFC 8259, true/false/null). Escapes
//   inside strings are validated and stepped over, not decoded; `esc` tells the caller the last
//   string had one. Bytes >= 0x80 inside strings are passed through (UTF-8 is not validated:
//   no field this parser interprets may contain them).
// - Nesting deeper than `maxDepth` is TOO_DEEP (no recursion, so hostile input cannot blow the
//   stack); running out of bytes where more are required is TRUNCATED.
// - Integers read by `int()` are exact: at most 2^53 - 1 in magnitude, no fraction or exponent.

export const JsonError = {
  NONE: 0,
  TRUNCATED: 1,
  MALFORMED: 2,
  TOO_DEEP: 3,
  WRONG_TYPE: 4,
  BAD_NUMBER: 5,
} as const;
export type JsonErrorCode = (typeof JsonError)[keyof typeof JsonError];

const SP = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
const QUOTE = 0x22, BSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACK = 0x5b, RBRACK = 0x5d;
const MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e, ZERO = 0x30, NINE = 0x39;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const EMPTY = new Uint8Array(0);

export class JsonCursor {
  b: Uint8Array = EMPTY;
  p = 0;
  end = 0;
  err: JsonErrorCode = JsonError.NONE;
  errPos = -1;
  /** Content range [s0, s1) of the last string read (without the quotes). */
  s0 = 0;
  s1 = 0;
  /** The last string read contained a backslash escape. */
  esc = false;
  /** Value of the last integer read. */
  num = 0;
  /** Byte range [v0, v1) of the last value skipped by `skip()`. */
  v0 = 0;
  v1 = 0;
  private readonly stack: Uint8Array;

  constructor(readonly maxDepth = 64) {
    this.stack = new Uint8Array(maxDepth);
  }

  reset(b: Uint8Array, start: number, end: number): void {
    this.b = b;
    this.p = start;
    this.end = end;
    this.err = JsonError.NONE;
    this.errPos = -1;
    this.esc = false;
  }

  fail(code: JsonErrorCode): false {
    if (this.err === JsonError.NONE) {
      this.err = code;
      this.errPos = this.p;
    }
    return false;
  }

  ws(): void {
    const b = this.b;
    let p = this.p;
    const end = this.end;
    while (p < end) {
      const c = b[p]!;
      if (c !== SP && c !== LF && c !== CR && c !== TAB) break;
      p++;
    }
    this.p = p;
  }

  /** Next non-space byte without consuming it; -1 at the end. */
  peek(): number {
    this.ws();
    return this.p < this.end ? this.b[this.p]! : -1;
  }

  /** Consume byte `c` (after spaces) and return true; or fail (TRUNCATED / MALFORMED). */
  expect(c: number): boolean {
    if (this.err !== JsonError.NONE) return false;
    this.ws();
    if (this.p >= this.end) return this.fail(JsonError.TRUNCATED);
    if (this.b[this.p] !== c) return this.fail(JsonError.MALFORMED);
    this.p++;
    return true;
  }

  /** Only spaces remain. */
  atEnd(): boolean {
    this.ws();
    return this.p >= this.end;
  }

  /** Read a string value; its content range is [s0, s1). WRONG_TYPE if the value is not a string. */
  str(): boolean {
    if (this.err !== JsonError.NONE) return false;
    this.ws();
    if (this.p >= this.end) return this.fail(JsonError.TRUNCATED);
    const c0 = this.b[this.p]!;
    if (c0 !== QUOTE) {
      // A value of another type is WRONG_TYPE; something that is no JSON value is MALFORMED.
      return this.isValueStart(c0) ? this.fail(JsonError.WRONG_TYPE) : this.fail(JsonError.MALFORMED);
    }
    return this.strBody();
  }

  private strBody(): boolean {
    const b = this.b;
    const end = this.end;
    let p = this.p + 1;
    const s0 = p;
    let esc = false;
    for (;;) {
      if (p >= end) {
        this.p = p;
        return this.fail(JsonError.TRUNCATED);
      }
      const c = b[p]!;
      if (c === QUOTE) break;
      if (c === BSLASH) {
        esc = true;
        if (p + 1 >= end) {
          this.p = end;
          return this.fail(JsonError.TRUNCATED);
        }
        const e = b[p + 1]!;
        if (e === 0x75 /* u */) {
          if (p + 6 > end) {
            this.p = end;
            return this.fail(JsonError.TRUNCATED);
          }
          for (let k = p + 2; k < p + 6; k++) {
            if (!isHex(b[k]!)) {
              this.p = k;
              return this.fail(JsonError.MALFORMED);
            }
          }
          p += 6;
          continue;
        }
        if (e !== QUOTE && e !== BSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
          this.p = p + 1;
          return this.fail(JsonError.MALFORMED);
        }
        p += 2;
        continue;
      }
      if (c < 0x20) {
        this.p = p;
        return this.fail(JsonError.MALFORMED);
      }
      p++;
    }
    this.s0 = s0;
    this.s1 = p;
    this.esc = esc;
    this.p = p + 1;
    return true;
  }

  private isValueStart(c: number): boolean {
    return c === LBRACE || c === LBRACK || c === QUOTE || c === MINUS || (c >= ZERO && c <= NINE) ||
      c === 0x74 /* t */ || c === 0x66 /* f */ || c === 0x6e /* n */;
  }

  /**
   * Read an integer JSON number into `num`. A number with a fraction or exponent, or beyond
   * 2^53 - 1, is BAD_NUMBER; a non-number value is WRONG_TYPE.
   */
  int(): boolean {
    if (this.err !== JsonError.NONE) return false;
    this.ws();
    if (this.p >= this.end) return this.fail(JsonError.TRUNCATED);
    const c0 = this.b[this.p]!;
    if (c0 !== MINUS && (c0 < ZERO || c0 > NINE)) {
      return this.isValueStart(c0) ? this.fail(JsonError.WRONG_TYPE) : this.fail(JsonError.MALFORMED);
    }
    const start = this.p;
    if (!this.scanNumber()) return false;
    return this.intRange(start, this.p);
  }

  /** An integer given either as a JSON number or as a string of digits ("1597026383085"). */
  intOrIntString(): boolean {
    if (this.err !== JsonError.NONE) return false;
    this.ws();
    if (this.p < this.end && this.b[this.p] === QUOTE) {
      if (!this.strBody()) return false;
      if (this.esc) return this.fail(JsonError.BAD_NUMBER);
      const save = this.p;
      const ok = this.intRange(this.s0, this.s1);
      if (ok) this.p = save;
      return ok;
    }
    return this.int();
  }

  /** Parse the integer in bytes [a, z) (already known to be a number token or string content). */
  private intRange(a: number, z: number): boolean {
    const b = this.b;
    let i = a;
    let neg = false;
    if (i < z && b[i] === MINUS) {
      neg = true;
      i++;
    }
    if (i >= z || z - i > 16) {
      this.p = a;
      return this.fail(JsonError.BAD_NUMBER);
    }
    let v = 0;
    for (; i < z; i++) {
      const c = b[i]!;
      if (c < ZERO || c > NINE) {
        this.p = a;
        return this.fail(JsonError.BAD_NUMBER);
      }
      v = v * 10 + (c - ZERO);
    }
    if (v > MAX_SAFE) {
      this.p = a;
      return this.fail(JsonError.BAD_NUMBER);
    }
    this.num = neg ? -v : v;
    return true;
  }

  /** RFC 8259 number token at p; advances past it. */
  private scanNumber(): boolean {
    const b = this.b;
    const end = this.end;
    let p = this.p;
    if (b[p] === MINUS) p++;
    if (p >= end) {
      this.p = p;
      return this.fail(JsonError.TRUNCATED);
    }
    let c = b[p]!;
    if (c === ZERO) p++;
    else if (c >= 0x31 && c <= NINE) {
      p++;
      while (p < end && (c = b[p]!) >= ZERO && c <= NINE) p++;
    } else {
      this.p = p;
      return this.fail(JsonError.MALFORMED);
    }
    if (p < end && b[p] === DOT) {
      p++;
      const d0 = p;
      while (p < end && (c = b[p]!) >= ZERO && c <= NINE) p++;
      if (p === d0) {
        this.p = p;
        return this.fail(p >= end ? JsonError.TRUNCATED : JsonError.MALFORMED);
      }
    }
    if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
      p++;
      if (p < end && (b[p] === PLUS || b[p] === MINUS)) p++;
      const d0 = p;
      while (p < end && (c = b[p]!) >= ZERO && c <= NINE) p++;
      if (p === d0) {
        this.p = p;
        return this.fail(p >= end ? JsonError.TRUNCATED : JsonError.MALFORMED);
      }
    }
    this.p = p;
    return true;
  }

  private literal(a: number, b2: number, c: number, d: number, e: number): boolean {
    const b = this.b;
    const p = this.p;
    const n = e < 0 ? 4 : 5;
    if (p + n > this.end) {
      this.p = this.end;
      return this.fail(JsonError.TRUNCATED);
    }
    if (b[p] !== a || b[p + 1] !== b2 || b[p + 2] !== c || b[p + 3] !== d || (e >= 0 && b[p + 4] !== e)) {
      return this.fail(JsonError.MALFORMED);
    }
    this.p = p + n;
    return true;
  }

  /**
   * Object iteration. Call with first=true right after '{' was consumed (via `expect`), then
   * with first=false after each value. Returns 1 when a key was read (its range in s0/s1, the
   * cursor at its value), 0 at the closing '}', -1 on error.
   */
  nextKey(first: boolean): number {
    if (this.err !== JsonError.NONE) return -1;
    this.ws();
    if (this.p >= this.end) {
      this.fail(JsonError.TRUNCATED);
      return -1;
    }
    let c = this.b[this.p]!;
    if (c === RBRACE) {
      this.p++;
      return 0;
    }
    if (!first) {
      if (c !== COMMA) {
        this.fail(JsonError.MALFORMED);
        return -1;
      }
      this.p++;
      this.ws();
      if (this.p >= this.end) {
        this.fail(JsonError.TRUNCATED);
        return -1;
      }
      c = this.b[this.p]!;
    }
    if (c !== QUOTE) {
      this.fail(JsonError.MALFORMED);
      return -1;
    }
    if (!this.strBody() || !this.expect(COLON)) return -1;
    return 1;
  }

  /**
   * Array iteration, like nextKey: call with first=true after '[' was consumed. Returns 1 when
   * the cursor is at the next element, 0 at the closing ']', -1 on error.
   */
  nextItem(first: boolean): number {
    if (this.err !== JsonError.NONE) return -1;
    this.ws();
    if (this.p >= this.end) {
      this.fail(JsonError.TRUNCATED);
      return -1;
    }
    const c = this.b[this.p]!;
    if (c === RBRACK) {
      this.p++;
      return 0;
    }
    if (!first) {
      if (c !== COMMA) {
        this.fail(JsonError.MALFORMED);
        return -1;
      }
      this.p++;
      this.ws();
      if (this.p >= this.end) {
        this.fail(JsonError.TRUNCATED);
        return -1;
      }
    }
    return 1;
  }

  /** Consume '{' (WRONG_TYPE if another value is there). */
  openObject(): boolean {
    return this.open(LBRACE);
  }

  /** Consume '[' (WRONG_TYPE if another value is there). */
  openArray(): boolean {
    return this.open(LBRACK);
  }

  private open(ch: number): boolean {
    if (this.err !== JsonError.NONE) return false;
    this.ws();
    if (this.p >= this.end) return this.fail(JsonError.TRUNCATED);
    const c = this.b[this.p]!;
    if (c !== ch) return this.isValueStart(c) ? this.fail(JsonError.WRONG_TYPE) : this.fail(JsonError.MALFORMED);
    this.p++;
    return true;
  }

  /** Skip one complete value of any type, validating it; its byte range is left in [v0, v1). */
  skip(): boolean {
    if (this.err !== JsonError.NONE) return false;
    this.ws();
    this.v0 = this.p;
    // Fast path for scalars (most skipped values: level counts, ids, flags).
    if (this.p < this.end) {
      const c0 = this.b[this.p]!;
      if (c0 === QUOTE) {
        if (!this.strBody()) return false;
        this.v1 = this.p;
        return true;
      }
      if (c0 === MINUS || (c0 >= ZERO && c0 <= NINE)) {
        if (!this.scanNumber()) return false;
        this.v1 = this.p;
        return true;
      }
    }
    const stack = this.stack;
    let depth = 0;
    for (;;) {
      // Expect a value.
      this.ws();
      if (this.p >= this.end) return this.fail(JsonError.TRUNCATED);
      const c = this.b[this.p]!;
      if (c === LBRACE || c === LBRACK) {
        if (depth >= this.maxDepth) return this.fail(JsonError.TOO_DEEP);
        stack[depth++] = c;
        this.p++;
        const r = c === LBRACE ? this.nextKey(true) : this.nextItem(true);
        if (r < 0) return false;
        if (r === 0) depth--;
        else continue;
      } else if (c === QUOTE) {
        if (!this.strBody()) return false;
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
        if (!this.scanNumber()) return false;
      } else if (c === 0x74) {
        if (!this.literal(0x74, 0x72, 0x75, 0x65, -1)) return false;
      } else if (c === 0x66) {
        if (!this.literal(0x66, 0x61, 0x6c, 0x73, 0x65)) return false;
      } else if (c === 0x6e) {
        if (!this.literal(0x6e, 0x75, 0x6c, 0x6c, -1)) return false;
      } else {
        return this.fail(JsonError.MALFORMED);
      }
      // After a value: close containers or move to the next member.
      for (;;) {
        if (depth === 0) {
          this.v1 = this.p;
          return true;
        }
        const top = stack[depth - 1]!;
        const r = top === LBRACE ? this.nextKey(false) : this.nextItem(false);
        if (r < 0) return false;
        if (r === 0) {
          depth--;
          continue;
        }
        break; // positioned at the next value
      }
    }
  }

  /** The string range [s0, s1) equals the ASCII literal `lit` (pre-encoded). */
  strIs(lit: Uint8Array): boolean {
    const n = lit.length;
    if (this.s1 - this.s0 !== n) return false;
    const b = this.b;
    const s0 = this.s0;
    for (let i = 0; i < n; i++) if (b[s0 + i] !== lit[i]) return false;
    return true;
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Encode an ASCII literal once, at module load, for `strIs`. */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
}

/** Bytes [a, z) equal the ASCII literal `lit`. */
export function bytesEqual(b: Uint8Array, a: number, z: number, lit: Uint8Array): boolean {
  const n = lit.length;
  if (z - a !== n) return false;
  for (let i = 0; i < n; i++) if (b[a + i] !== lit[i]) return false;
  return true;
}

export function jsonErrorName(code: number): string {
  return ['NONE', 'TRUNCATED', 'MALFORMED', 'TOO_DEEP', 'WRONG_TYPE', 'BAD_NUMBER'][code] ?? 'UNKNOWN';
}
