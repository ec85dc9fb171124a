// Helpers for captured venue data (book-replay cores src/venues/binance/replay.ts and
// src/venues/okx/replay.ts): a captured frame is either its text or its raw bytes, and the tick /
// lot steps of an unknown instrument are inferred from the most fractional digits seen, and a
// replayed book's levels are checked against an expectation's. Cold path only (CLI tools and tests): these allocate.
//
// Invariants:
// - toBytes / toText hand a value of the asked form back unchanged; conversions are UTF-8.
// - fractionDigits counts the significant fractional digits of a decimal string (trailing zeros
//   ignored; 0 for non-strings and integers).
// - compareLevels decides nothing about value equality: the venue passes its own `same`.

const enc = new TextEncoder();
const dec = new TextDecoder();

export function toBytes(x: string | Uint8Array): Uint8Array {
  return typeof x === 'string' ? enc.encode(x) : x;
}

export function toText(x: string | Uint8Array): string {
  return typeof x === 'string' ? x : dec.decode(x);
}

export function fractionDigits(s: unknown): number {
  if (typeof s !== 'string') return 0;
  const dot = s.indexOf('.');
  if (dot < 0) return 0;
  let e = s.length;
  while (e > dot + 1 && s.charCodeAt(e - 1) === 48) e--;
  return e - dot - 1;
}

/**
 * Compares `got`'s bids and asks with the expectation's `bids` / `asks` arrays of [price, qty]
 * (strings or numbers), each value by `same`. Null when they match, else the first difference.
 */
export function compareLevels(
  got: { readonly bids: readonly (readonly [string, string])[]; readonly asks: readonly (readonly [string, string])[] },
  expected: Record<string, unknown>,
  same: (ours: string, theirs: unknown) => boolean,
): string | null {
  for (const side of ['bids', 'asks'] as const) {
    const want = expected[side];
    if (!Array.isArray(want)) return `expectation has no ${side} array`;
    const levels = got[side];
    if (levels.length !== want.length) return `${side}: ${levels.length} levels != expected ${want.length}`;
    for (let i = 0; i < levels.length; i++) {
      const w = want[i] as unknown;
      if (!Array.isArray(w) || w.length < 2) return `${side}[${i}]: bad expected level`;
      const [gp, gq] = levels[i]!;
      if (!same(gp, w[0]) || !same(gq, w[1])) return `${side}[${i}]: [${gp}, ${gq}] != expected [${String(w[0])}, ${String(w[1])}]`;
    }
  }
  return null;
}
