// Deterministic test frames shared by the ring test workers and the tests: the length and the
// payload of frame number `seq` are a pure function of (seed, seq), so a consumer can check every
// frame it receives without any side channel. Payload (len >= 8): u32 seq at +0, pseudo-random
// bytes, u32 FNV-1a checksum of bytes [0, len-4) at len-4. Shorter payloads hold the low bytes of
// seq repeated.

/** xorshift32 step; never returns 0 for a non-zero input. */
export function xorshift(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

function mix(seed: number, seq: number): number {
  let h = (Math.imul(seq ^ 0x9e3779b9, 0x85ebca6b) ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0 || 1;
}

/** Frame length for `seq`: mostly small, sometimes up to maxLen. */
export function frameLength(seed: number, seq: number, maxLen: number): number {
  const r = mix(seed, seq);
  if ((r & 7) === 0) return r % (maxLen + 1);
  return (r >>> 3) % Math.min(maxLen + 1, 97);
}

export function fnv1a(u8: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ u8[i]!, 0x01000193);
  return h >>> 0;
}

function putU32(u8: Uint8Array, at: number, v: number): void {
  u8[at] = v & 255;
  u8[at + 1] = (v >>> 8) & 255;
  u8[at + 2] = (v >>> 16) & 255;
  u8[at + 3] = (v >>> 24) & 255;
}

function getU32(u8: Uint8Array, at: number): number {
  return (u8[at]! | (u8[at + 1]! << 8) | (u8[at + 2]! << 16) | (u8[at + 3]! << 24)) >>> 0;
}

/** Writes the payload of frame `seq` (length len) into u8 at off. */
export function fillFrame(u8: Uint8Array, off: number, len: number, seed: number, seq: number): void {
  if (len < 8) {
    for (let i = 0; i < len; i++) u8[off + i] = (seq >>> (8 * (i & 3))) & 255;
    return;
  }
  putU32(u8, off, seq);
  let x = mix(seed ^ 0x5bd1e995, seq);
  for (let i = 4; i < len - 4; i++) {
    x = xorshift(x);
    u8[off + i] = x & 255;
  }
  putU32(u8, off + len - 4, fnv1a(u8, off, off + len - 4));
}

/** Checks a received payload; returns null when it is frame `seq`, else a description. */
export function checkFrame(u8: Uint8Array, off: number, len: number, seed: number, seq: number, maxLen: number): string | null {
  const want = frameLength(seed, seq, maxLen);
  if (len !== want) return `frame ${seq}: length ${len}, expected ${want}`;
  if (len < 8) {
    for (let i = 0; i < len; i++) if (u8[off + i] !== ((seq >>> (8 * (i & 3))) & 255)) return `frame ${seq}: byte ${i} differs`;
    return null;
  }
  const s = getU32(u8, off);
  if (s !== seq >>> 0) return `frame ${seq}: payload carries seq ${s}`;
  const sum = getU32(u8, off + len - 4);
  if (sum !== fnv1a(u8, off, off + len - 4)) return `frame ${seq}: checksum mismatch`;
  return null;
}

/** Board test value length for write number k (a multiple of 4, 8 .. 8 + 4 * 199). */
export function valueLength(k: number): number {
  return 8 + 4 * (k % 200);
}
