// JSON text written straight into a reusable byte buffer: the same bytes as
// `new TextEncoder().encode(JSON.stringify(value))` for the same values, without building the
// value's object, its string or a fresh byte array first.
//
// Why: the decision record (records.ts AuditBuilder.decision) is the largest record the engine
// writes, once per decision and once per decision rehearsal (src/actors/engine-rehearsal.ts).
// Built as an object, stringified and encoded, it took 59 µs at p50 in tick-to-order and was
// most of the engine's allocation; written here, 36-38 µs (BENCHMARKING.md, "The decision
// rehearsal gives way to waiting frames"). The writer itself allocates only the text of
// non-integer numbers (and slices of strings that need escapes).
//
// What is written, as JSON.stringify does: integers of up to 2^53 in magnitude digit by digit
// (-0 as 0), other finite numbers as String(n), NaN and the infinities as null; strings quoted
// with `"` and `\` escaped, control characters as \b \f \n \r \t or \u00XX, lone surrogates as
// \uXXXX, everything else as UTF-8. Members and elements are separated by commas, no spaces.
//
// Use: reset(), then beginObject / key / values / endObject (or arrays), then bytes(): a view
// of the text that the next reset() overwrites. Calls must nest properly (the writer does not
// check the grammar: a key outside an object is the caller's bug).
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const NULL_BYTES = [0x6e, 0x75, 0x6c, 0x6c];
const TRUE_BYTES = [0x74, 0x72, 0x75, 0x65];
const FALSE_BYTES = [0x66, 0x61, 0x6c, 0x73, 0x65];
const HEX = '0123456789abcdef';
const MAX_DEPTH = 64;
const MAX_EXACT_INT = 2 ** 53;

export class JsonWriter {
  private buf: Uint8Array;
  private len = 0;
  private depth = 0;
  /** Per open container: 1 while the next member or element is its first. */
  private readonly first = new Uint8Array(MAX_DEPTH);
  /** 1 right after a key: the value that follows takes no comma. */
  private afterKey = 0;
  private readonly utf8 = new TextEncoder();

  constructor(initialBytes = 4096) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Starts a new text (the previous bytes() view is overwritten from here on). */
  reset(): this {
    this.len = 0;
    this.depth = 0;
    this.afterKey = 0;
    return this;
  }

  /** The text written since reset(), a view valid until the next reset(). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  get length(): number {
    return this.len;
  }

  beginObject(): this {
    return this.open(0x7b);
  }

  endObject(): this {
    return this.close(0x7d);
  }

  beginArray(): this {
    return this.open(0x5b);
  }

  endArray(): this {
    return this.close(0x5d);
  }

  /** A member name; its value follows. */
  key(name: string): this {
    this.separate();
    this.quoted(name);
    this.ensure(1);
    this.buf[this.len++] = COLON;
    this.afterKey = 1;
    return this;
  }

  num(v: number): this {
    this.separate();
    if (v === 0) {
      this.ensure(1);
      this.buf[this.len++] = 0x30; // 0 and -0
    } else if (v !== v || v === Infinity || v === -Infinity) {
      this.raw(NULL_BYTES);
    } else if (Number.isInteger(v) && v <= MAX_EXACT_INT && v >= -MAX_EXACT_INT) {
      this.integer(v);
    } else {
      this.ascii(String(v));
    }
    return this;
  }

  str(s: string): this {
    this.separate();
    this.quoted(s);
    return this;
  }

  bool(b: boolean): this {
    this.separate();
    this.raw(b ? TRUE_BYTES : FALSE_BYTES);
    return this;
  }

  /** `"name":value` shorthands. */
  keyNum(name: string, v: number): this {
    return this.key(name).num(v);
  }

  keyStr(name: string, s: string): this {
    return this.key(name).str(s);
  }

  keyBool(name: string, b: boolean): this {
    return this.key(name).bool(b);
  }

  // ---- internals -------------------------------------------------------------------------------

  private open(byte: number): this {
    this.separate();
    if (this.depth >= MAX_DEPTH) throw new RangeError(`JsonWriter: nesting deeper than ${MAX_DEPTH}`);
    this.ensure(1);
    this.buf[this.len++] = byte;
    this.first[this.depth++] = 1;
    return this;
  }

  private close(byte: number): this {
    this.depth--;
    this.ensure(1);
    this.buf[this.len++] = byte;
    return this;
  }

  /** The comma before a member or an element that is not its container's first. */
  private separate(): void {
    if (this.afterKey === 1) {
      this.afterKey = 0;
      return;
    }
    const d = this.depth - 1;
    if (d < 0) return;
    if (this.first[d] === 1) this.first[d] = 0;
    else {
      this.ensure(1);
      this.buf[this.len++] = COMMA;
    }
  }

  private integer(v: number): void {
    this.ensure(17);
    const b = this.buf;
    if (v < 0) {
      b[this.len++] = 0x2d;
      v = -v;
    }
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.len + digits;
    this.len = p;
    do {
      const q = Math.floor(v / 10);
      b[--p] = 0x30 + (v - q * 10);
      v = q;
    } while (v > 0);
  }

  /** A string known to be ASCII without quotes or escapes (a number's text). */
  private ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const b = this.buf;
    let p = this.len;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.len = p;
  }

  private raw(bytes: readonly number[]): void {
    this.ensure(bytes.length);
    for (let i = 0; i < bytes.length; i++) this.buf[this.len++] = bytes[i]!;
  }

  private quoted(s: string): void {
    const n = s.length;
    // plain printable ASCII: one byte per character
    let plain = true;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        plain = false;
        break;
      }
    }
    if (plain) {
      this.ensure(n + 2);
      const b = this.buf;
      let p = this.len;
      b[p++] = QUOTE;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      b[p++] = QUOTE;
      this.len = p;
      return;
    }
    this.ensure(1);
    this.buf[this.len++] = QUOTE;
    let from = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      let esc: string | null = null;
      if (c === QUOTE) esc = '\\"';
      else if (c === BACKSLASH) esc = '\\\\';
      else if (c < 0x20) esc = controlEscape(c);
      else if (c >= 0xd800 && c <= 0xdfff) {
        const hi = c <= 0xdbff;
        const pair = hi && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
        if (pair) {
          i++; // a well-formed pair: written as UTF-8 with its run
          continue;
        }
        esc = `\\u${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
      }
      if (esc === null) continue;
      this.utf8Run(s, from, i);
      this.ascii(esc);
      from = i + 1;
    }
    this.utf8Run(s, from, n);
    this.ensure(1);
    this.buf[this.len++] = QUOTE;
  }

  /** s[from, to) as UTF-8 (no lone surrogates in it). */
  private utf8Run(s: string, from: number, to: number): void {
    if (to <= from) return;
    this.ensure((to - from) * 3);
    const r = this.utf8.encodeInto(s.slice(from, to), this.buf.subarray(this.len));
    this.len += r.written;
  }

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

function controlEscape(c: number): string {
  switch (c) {
    case 0x08:
      return '\\b';
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0c:
      return '\\f';
    case 0x0d:
      return '\\r';
    default:
      return `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
  }
}
