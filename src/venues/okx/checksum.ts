// The historical OKX order-book checksum (PROTOCOLS.md 3.3, "Historical algorithm").
//
// Since 2026-06-23 OKX sends `checksum: 0` on every JSON book channel and 0 means "absent". A
// non-zero value (older captures, replays) is verified with the old algorithm: after applying the
// update, take the first 25 bids and 25 asks of the local book, build
//   bid[0].px:bid[0].sz:ask[0].px:ask[0].sz:bid[1].px:...
// from the raw strings as received (a missing entry on the shorter side is skipped), compute
// CRC-32 (IEEE, zlib) of the bytes, and read it as a signed 32-bit integer.
//
// This is the cold path: it works on strings. The hot path never calls it while checksums are 0.

const TABLE: Int32Array = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Number of levels per side that the OKX checksum covers. */
export const OKX_CHECKSUM_DEPTH = 25;

/** Running CRC-32 state: start with crc32Init(), feed bytes, finish with crc32Final(). */
export function crc32Init(): number {
  return -1;
}

export function crc32Byte(crc: number, byte: number): number {
  return TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
}

/** Feed the UTF-16 code units of an ASCII string (venue decimals are ASCII). */
export function crc32Ascii(crc: number, s: string): number {
  for (let i = 0; i < s.length; i++) crc = TABLE[(crc ^ s.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/** Final value as a signed 32-bit integer (OKX's form); `>>> 0` of it is zlib's unsigned value. */
export function crc32Final(crc: number): number {
  return (crc ^ -1) | 0;
}

/** CRC-32 of a whole ASCII string, signed. */
export function crc32Signed(s: string): number {
  return crc32Final(crc32Ascii(crc32Init(), s));
}

/** A level as the venue's raw strings. */
export type RawLevel = readonly [px: string, sz: string, ...rest: string[]];

/** The OKX check string of a book given best-first raw levels (only the first 25 per side count). */
export function okxChecksumString(bids: readonly RawLevel[], asks: readonly RawLevel[]): string {
  const parts: string[] = [];
  for (let i = 0; i < OKX_CHECKSUM_DEPTH; i++) {
    const b = bids[i];
    const a = asks[i];
    if (b === undefined && a === undefined) break;
    if (b !== undefined) parts.push(b[0], b[1]);
    if (a !== undefined) parts.push(a[0], a[1]);
  }
  return parts.join(':');
}

/** The signed OKX checksum of a book given best-first raw levels. */
export function okxChecksum(bids: readonly RawLevel[], asks: readonly RawLevel[]): number {
  return crc32Signed(okxChecksumString(bids, asks));
}
