// One SharedArrayBuffer carved into named regions: the layout header, the region table, and the
// map an attaching actor uses to find (and check) its regions. No domain knowledge here.
//
// Buffer format (all integers little-endian u32 as stored by an Int32Array; byte offsets):
//   header, line 0 [0, 64):
//     +0  HDR_MAGIC         'XMC1' as a u32 (LAYOUT_MAGIC = 0x31434d58)
//     +4  HDR_VERSION       LAYOUT_VERSION; bumped whenever any byte format changes
//     +8  HDR_TOTAL_BYTES   total bytes of the layout (== sab.byteLength)
//     +12 HDR_REGION_COUNT  number of entries in the region table
//     +16 .. +63            reserved, zero
//   region table at TABLE_OFFSET (64), one 64-byte entry per region, in spec order:
//     +0  ENTRY_NAME        name, up to 31 printable ASCII bytes, NUL-padded to 32
//     +32 ENTRY_KIND        1 ring, 2 board, 3 counters, 4 doorbell (REGION_KIND_CODE)
//     +36 ENTRY_OFFSET      byte offset of the region in the buffer (multiple of 64)
//     +40 ENTRY_BYTES       byte size of the region (multiple of 64)
//     +44 ENTRY_PARAM       kind-specific: ring capacity (bytes), board slot value bytes,
//                           counters count, doorbell 0
//     +48 .. +63            reserved, zero
//   regions from align64(64 + 64 * count), each at a multiple of 64, in spec order, no overlap.
//   The byte format inside each region kind is in formats.ts.
//
// Invariants: every region offset and size is a multiple of CACHE_LINE, so no two regions share
// a cache line; the buffer is written once by `ShmLayout.create()` before any actor sees it, and
// the header and table never change afterwards, so `ShmMap.attach` reads them with plain loads.
import {
  CACHE_LINE,
  DOORBELL_BYTES,
  RING_HEADER_BYTES,
  RING_MIN_CAPACITY,
  BOARD_HEADER_BYTES,
  align64,
  boardStride,
  initBoard,
  initCounters,
  initDoorbell,
  initRing,
  isPowerOfTwo,
  RING_OWN_CONS_DOORBELL,
} from './formats.js';
import { ShmError } from './errors.js';

export { CACHE_LINE } from './formats.js';

export const LAYOUT_MAGIC = 0x31434d58; // 'X','M','C','1' little-endian
export const LAYOUT_VERSION = 1;
export const HDR_MAGIC = 0;
export const HDR_VERSION = 4;
export const HDR_TOTAL_BYTES = 8;
export const HDR_REGION_COUNT = 12;
export const HEADER_BYTES = CACHE_LINE;
export const TABLE_OFFSET = HEADER_BYTES;
export const ENTRY_BYTES = 64;
export const ENTRY_NAME = 0;
export const ENTRY_NAME_BYTES = 32;
export const ENTRY_KIND = 32;
export const ENTRY_OFFSET = 36;
export const ENTRY_BYTES_FIELD = 40;
export const ENTRY_PARAM = 44;
export const MAX_NAME_LENGTH = ENTRY_NAME_BYTES - 1;
/** Largest layout accepted (offsets are stored as non-negative i32). */
export const MAX_TOTAL_BYTES = 0x7fffffc0;

export type RegionKind = 'ring' | 'board' | 'counters' | 'doorbell';

export const REGION_KIND_CODE = { ring: 1, board: 2, counters: 3, doorbell: 4 } as const;
const KIND_BY_CODE: readonly (RegionKind | undefined)[] = [undefined, 'ring', 'board', 'counters', 'doorbell'];

export interface RegionSpec {
  name: string;
  kind: RegionKind;
  /** From ringRegionBytes(capacity), boardRegionBytes(slots, slotBytes), countersRegionBytes(n)
   * or DOORBELL_BYTES. */
  bytes: number;
  /** Ring only: name of the doorbell region the ring's consumer parks on (so one consumer parks
   * on one word for many inbound rings). Default: the ring's own internal doorbell. */
  doorbell?: string;
  /** Board only (required): the slot value size given to boardRegionBytes(slots, slotBytes). */
  slotBytes?: number;
  /** Counters only: the count given to countersRegionBytes(n) (default bytes / 4). */
  count?: number;
}

/** What the table says about one region. */
export interface RegionInfo {
  readonly name: string;
  readonly kind: RegionKind;
  /** Byte offset in the SharedArrayBuffer (multiple of 64). */
  readonly offset: number;
  readonly bytes: number;
  /** Kind-specific parameter word (see ENTRY_PARAM). */
  readonly param: number;
}

// Convenience spec builders (the sizes and parameters always agree).
export function ringSpec(name: string, capacity: number, doorbell?: string): RegionSpec {
  const spec: RegionSpec = { name, kind: 'ring', bytes: RING_HEADER_BYTES + capacity };
  if (doorbell !== undefined) spec.doorbell = doorbell;
  return spec;
}
export function boardSpec(name: string, slots: number, slotBytes: number): RegionSpec {
  return { name, kind: 'board', bytes: BOARD_HEADER_BYTES + slots * boardStride(slotBytes), slotBytes };
}
export function countersSpec(name: string, count: number): RegionSpec {
  return { name, kind: 'counters', bytes: Math.max(CACHE_LINE, align64(count * 4)), count };
}
export function doorbellSpec(name: string): RegionSpec {
  return { name, kind: 'doorbell', bytes: DOORBELL_BYTES };
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new ShmError('SHM_BAD_NAME', `region name must be 1..${MAX_NAME_LENGTH} characters: ${JSON.stringify(name)}`);
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) {
      throw new ShmError('SHM_BAD_NAME', `region name must be printable ASCII without spaces: ${JSON.stringify(name)}`);
    }
  }
  return name;
}

interface Planned {
  spec: RegionSpec;
  offset: number;
  param: number;
}

/** A validated plan: region specs -> offsets. `create()` makes and initialises the buffer. */
export class ShmLayout {
  readonly totalBytes: number;
  readonly regions: readonly RegionInfo[];
  private readonly planned: Planned[];

  constructor(specs: RegionSpec[]) {
    if (!Array.isArray(specs)) throw new ShmError('SHM_BAD_SPEC', 'specs must be an array');
    const names = new Set<string>();
    const kinds = new Map<string, RegionKind>();
    for (const s of specs) {
      checkName(s?.name);
      if (names.has(s.name)) throw new ShmError('SHM_DUPLICATE_REGION', `region '${s.name}' defined twice`);
      names.add(s.name);
      if (!(s.kind in REGION_KIND_CODE)) throw new ShmError('SHM_BAD_SPEC', `region '${s.name}': unknown kind ${String(s.kind)}`);
      kinds.set(s.name, s.kind);
    }
    const planned: Planned[] = [];
    let offset = align64(TABLE_OFFSET + ENTRY_BYTES * specs.length);
    for (const s of specs) {
      const bytes = s.bytes;
      if (!Number.isInteger(bytes) || bytes <= 0 || bytes % CACHE_LINE !== 0) {
        throw new ShmError('SHM_BAD_SPEC', `region '${s.name}': bytes must be a positive multiple of ${CACHE_LINE}, got ${bytes}`);
      }
      let param = 0;
      if (s.doorbell !== undefined && s.kind !== 'ring') {
        throw new ShmError('SHM_BAD_SPEC', `region '${s.name}': only rings name a doorbell`);
      }
      switch (s.kind) {
        case 'ring': {
          const cap = bytes - RING_HEADER_BYTES;
          if (!isPowerOfTwo(cap) || cap < RING_MIN_CAPACITY) {
            throw new ShmError('SHM_BAD_SPEC', `ring '${s.name}': bytes must be ringRegionBytes(capacity) with capacity a power of two >= ${RING_MIN_CAPACITY}, got ${bytes}`);
          }
          if (s.doorbell !== undefined && kinds.get(s.doorbell) !== 'doorbell') {
            throw new ShmError('SHM_BAD_DOORBELL', `ring '${s.name}': doorbell '${s.doorbell}' is not a doorbell region of this layout`);
          }
          param = cap;
          break;
        }
        case 'board': {
          const sb = s.slotBytes;
          if (sb === undefined || !Number.isInteger(sb) || sb <= 0) {
            throw new ShmError('SHM_BAD_SPEC', `board '${s.name}': slotBytes (the value size given to boardRegionBytes) is required; use boardSpec()`);
          }
          const stride = boardStride(sb);
          const body = bytes - BOARD_HEADER_BYTES;
          if (body <= 0 || body % stride !== 0) {
            throw new ShmError('SHM_BAD_SPEC', `board '${s.name}': bytes ${bytes} is not boardRegionBytes(slots, ${sb})`);
          }
          param = sb;
          break;
        }
        case 'counters': {
          const n = s.count ?? bytes / 4;
          if (!Number.isInteger(n) || n <= 0 || n * 4 > bytes) {
            throw new ShmError('SHM_BAD_SPEC', `counters '${s.name}': count ${n} does not fit in ${bytes} bytes`);
          }
          param = n;
          break;
        }
        case 'doorbell':
          if (bytes !== DOORBELL_BYTES) {
            throw new ShmError('SHM_BAD_SPEC', `doorbell '${s.name}': bytes must be DOORBELL_BYTES (${DOORBELL_BYTES})`);
          }
          break;
      }
      planned.push({ spec: s, offset, param });
      offset += bytes;
      if (offset > MAX_TOTAL_BYTES) throw new ShmError('SHM_TOO_LARGE', `layout exceeds ${MAX_TOTAL_BYTES} bytes`);
    }
    this.totalBytes = offset;
    this.planned = planned;
    this.regions = planned.map((p) => ({
      name: p.spec.name,
      kind: p.spec.kind,
      offset: p.offset,
      bytes: p.spec.bytes,
      param: p.param,
    }));
  }

  /** A new SharedArrayBuffer with the header, the table and every region initialised. */
  create(): SharedArrayBuffer {
    const sab = new SharedArrayBuffer(this.totalBytes);
    const i32 = new Int32Array(sab);
    const u8 = new Uint8Array(sab);
    i32[HDR_VERSION >> 2] = LAYOUT_VERSION;
    i32[HDR_TOTAL_BYTES >> 2] = this.totalBytes;
    i32[HDR_REGION_COUNT >> 2] = this.planned.length;
    const offsetOf = new Map<string, number>();
    for (const p of this.planned) offsetOf.set(p.spec.name, p.offset);
    this.planned.forEach((p, i) => {
      const e = TABLE_OFFSET + i * ENTRY_BYTES;
      const name = p.spec.name;
      for (let k = 0; k < name.length; k++) u8[e + ENTRY_NAME + k] = name.charCodeAt(k);
      i32[(e + ENTRY_KIND) >> 2] = REGION_KIND_CODE[p.spec.kind];
      i32[(e + ENTRY_OFFSET) >> 2] = p.offset;
      i32[(e + ENTRY_BYTES_FIELD) >> 2] = p.spec.bytes;
      i32[(e + ENTRY_PARAM) >> 2] = p.param;
      switch (p.spec.kind) {
        case 'ring': {
          const db = p.spec.doorbell === undefined ? p.offset + RING_OWN_CONS_DOORBELL : offsetOf.get(p.spec.doorbell)!;
          initRing(i32, p.offset, p.param, db);
          initDoorbell(i32, p.offset + RING_OWN_CONS_DOORBELL);
          break;
        }
        case 'board':
          initBoard(i32, p.offset, p.spec.bytes, p.param);
          break;
        case 'counters':
          initCounters(i32, p.offset, p.spec.bytes);
          break;
        case 'doorbell':
          initDoorbell(i32, p.offset);
          break;
      }
    });
    // The magic goes last: a buffer is recognisable only once it is complete.
    i32[HDR_MAGIC >> 2] = LAYOUT_MAGIC;
    return sab;
  }
}

/** The verified view of a layout an actor attaches to. */
export class ShmMap {
  readonly sab: SharedArrayBuffer;
  readonly totalBytes: number;
  private readonly byName: Map<string, RegionInfo>;

  private constructor(sab: SharedArrayBuffer, regions: Map<string, RegionInfo>) {
    this.sab = sab;
    this.totalBytes = sab.byteLength;
    this.byName = regions;
  }

  /** Checks magic, version, sizes and the region table; throws ShmError on any mismatch. */
  static attach(sab: SharedArrayBuffer): ShmMap {
    if (!(sab instanceof SharedArrayBuffer)) throw new ShmError('SHM_BAD_MAGIC', 'not a SharedArrayBuffer');
    if (sab.byteLength < HEADER_BYTES) throw new ShmError('SHM_TOO_SMALL', `buffer of ${sab.byteLength} bytes has no layout header`);
    const i32 = new Int32Array(sab);
    const u8 = new Uint8Array(sab);
    const magic = i32[HDR_MAGIC >> 2]!;
    if (magic !== LAYOUT_MAGIC) {
      throw new ShmError('SHM_BAD_MAGIC', `expected magic 0x${LAYOUT_MAGIC.toString(16)} ('XMC1'), found 0x${(magic >>> 0).toString(16)}`);
    }
    const version = i32[HDR_VERSION >> 2]!;
    if (version !== LAYOUT_VERSION) {
      throw new ShmError('SHM_BAD_VERSION', `layout version ${version}, this build reads version ${LAYOUT_VERSION}`);
    }
    const total = i32[HDR_TOTAL_BYTES >> 2]!;
    if (total !== sab.byteLength) {
      throw new ShmError('SHM_TOO_SMALL', `header says ${total} bytes, buffer has ${sab.byteLength}`);
    }
    const count = i32[HDR_REGION_COUNT >> 2]!;
    const tableEnd = TABLE_OFFSET + ENTRY_BYTES * count;
    if (count < 0 || tableEnd > total) throw new ShmError('SHM_BAD_TABLE', `region table of ${count} entries exceeds the buffer`);
    const regions = new Map<string, RegionInfo>();
    let prevEnd = align64(tableEnd);
    for (let i = 0; i < count; i++) {
      const e = TABLE_OFFSET + i * ENTRY_BYTES;
      let name = '';
      for (let k = 0; k < ENTRY_NAME_BYTES; k++) {
        const c = u8[e + ENTRY_NAME + k]!;
        if (c === 0) break;
        if (k === MAX_NAME_LENGTH || c < 0x21 || c > 0x7e) throw new ShmError('SHM_BAD_TABLE', `entry ${i}: corrupt name`);
        name += String.fromCharCode(c);
      }
      if (name.length === 0) throw new ShmError('SHM_BAD_TABLE', `entry ${i}: empty name`);
      const kind = KIND_BY_CODE[i32[(e + ENTRY_KIND) >> 2]!];
      if (kind === undefined) throw new ShmError('SHM_BAD_TABLE', `region '${name}': unknown kind code ${i32[(e + ENTRY_KIND) >> 2]}`);
      const offset = i32[(e + ENTRY_OFFSET) >> 2]!;
      const bytes = i32[(e + ENTRY_BYTES_FIELD) >> 2]!;
      const param = i32[(e + ENTRY_PARAM) >> 2]!;
      if (offset % CACHE_LINE !== 0 || bytes <= 0 || bytes % CACHE_LINE !== 0 || offset < prevEnd || offset + bytes > total) {
        throw new ShmError('SHM_BAD_TABLE', `region '${name}': offset ${offset} / bytes ${bytes} misaligned, overlapping or out of bounds`);
      }
      if (regions.has(name)) throw new ShmError('SHM_BAD_TABLE', `region '${name}' appears twice`);
      prevEnd = offset + bytes;
      regions.set(name, Object.freeze({ name, kind, offset, bytes, param }));
    }
    return new ShmMap(sab, regions);
  }

  /** The table entry of `name`; with `kind`, also checks the region's kind. */
  region(name: string, kind?: RegionKind): RegionInfo {
    const r = this.byName.get(name);
    if (r === undefined) throw new ShmError('SHM_NO_REGION', `no region named '${name}' (have: ${this.names().join(', ')})`);
    if (kind !== undefined && r.kind !== kind) {
      throw new ShmError('SHM_WRONG_KIND', `region '${name}' is a ${r.kind}, not a ${kind}`);
    }
    return r;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
