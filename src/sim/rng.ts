// Seeded pseudo-random numbers for the simulator (market generator, fault injection, tests).
//
// Generator: xoshiro128** (32-bit state words, period 2^128 - 1), seeded through splitmix32 so
// any 32-bit seed (including 0) gives a well-mixed non-zero state. Only 32-bit integer operations
// (Math.imul, shifts, xor) and exactly-rounded double arithmetic (+, *, /, sqrt) are used, so a
// sequence depends on nothing but the seed: same seed => same numbers on every platform and Node
// version. No Math.random, no clocks, no transcendental functions (Math.exp / log / cos results
// are not specified bit-exactly by ECMAScript).
//
// Invariants:
// - `nextU32()` returns an integer in [0, 2^32); `next()` a double in [0, 1) with 53 random bits.
// - `int(min, max)` is uniform and unbiased over the inclusive range (rejection sampling).
// - `normal()` is an approximate standard normal: the Irwin-Hall sum of 12 uniforms minus 6
//   (mean 0, variance exactly 1, support [-6, 6]): deterministic and good enough for a market sim.
// - `derive(label)` returns an independent stream keyed by (this stream's seed, label) and does
//   not advance this stream, so adding a consumer does not perturb the others.
// - State can be saved and restored exactly (`getState` / `setState`).

const U32 = 4294967296; // 2^32

/** splitmix32 step: returns [next state, output]. */
function splitmix32(x: number): [number, number] {
  const s = (x + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z = z ^ (z >>> 15);
  return [s, z >>> 0];
}

/** FNV-1a 32-bit hash of a string's UTF-16 code units (for labels and string seeds). */
export function hash32(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function seedOf(seed: number | string): number {
  if (typeof seed === 'string') return hash32(seed);
  if (!Number.isFinite(seed) || !Number.isInteger(seed)) throw new RangeError(`rng seed must be an integer or a string, got ${String(seed)}`);
  // Fold integers beyond 32 bits so 2^32 + 1 and 1 differ.
  const hi = Math.floor(seed / U32);
  return ((seed >>> 0) ^ Math.imul(hi | 0, 0x85ebca6b)) >>> 0;
}

export class Rng {
  /** The 32-bit seed this stream was created from (after folding a string or wide integer). */
  readonly seed: number;
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number | string) {
    this.seed = seedOf(seed);
    let s = this.seed;
    let o: number;
    [s, o] = splitmix32(s);
    this.a = o | 0;
    [s, o] = splitmix32(s);
    this.b = o | 0;
    [s, o] = splitmix32(s);
    this.c = o | 0;
    [s, o] = splitmix32(s);
    this.d = o | 0;
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // all-zero state is a fixed point
  }

  /** Uniform integer in [0, 2^32). */
  nextU32(): number {
    const b = this.b;
    const t = b << 9;
    let r = Math.imul(b, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    this.c ^= this.a;
    this.d ^= b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = (this.d << 11) | (this.d >>> 21);
    return r >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [min, max] (inclusive); both must be safe integers with max - min < 2^32. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) throw new RangeError(`rng.int: bad range [${min}, ${max}]`);
    const span = max - min + 1;
    if (span > U32) throw new RangeError(`rng.int: range wider than 2^32: [${min}, ${max}]`);
    if (span === U32) return min + this.nextU32();
    // Rejection: accept only values below the largest multiple of span.
    const limit = U32 - (U32 % span);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return min + (x % span);
    }
  }

  /** True with probability p (p <= 0 never, p >= 1 always; still consumes one draw). */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Approximate standard normal (Irwin-Hall, 12 uniforms). */
  normal(): number {
    let s = 0;
    for (let i = 0; i < 12; i++) s += this.nextU32() / U32;
    return s - 6;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('rng.pick: empty array');
    return items[this.int(0, items.length - 1)]!;
  }

  /** An independent stream keyed by this stream's seed and a label. Does not advance this stream. */
  derive(label: string | number): Rng {
    return new Rng(hash32(String(label), Math.imul(this.seed ^ 0x5bd1e995, 0x01000193) >>> 0));
  }

  /** The four state words (to save and later restore the exact position in the sequence). */
  getState(): [number, number, number, number] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  setState(state: readonly [number, number, number, number]): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w >= U32)) throw new RangeError('rng.setState: expected four uint32 words');
    if ((state[0] | state[1] | state[2] | state[3]) === 0) throw new RangeError('rng.setState: all-zero state is invalid');
    this.a = state[0] | 0;
    this.b = state[1] | 0;
    this.c = state[2] | 0;
    this.d = state[3] | 0;
  }
}
