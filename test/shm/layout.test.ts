// Layout: header and region table round trip, 64-byte alignment of every region, producer and
// consumer indices on different cache lines, and attach rejecting what it must not map.
import { describe, expect, it } from 'vitest';
import {
  CACHE_LINE,
  Counters,
  DOORBELL_BYTES,
  LAYOUT_MAGIC,
  LAYOUT_VERSION,
  RingReader,
  RingWriter,
  ShmError,
  ShmLayout,
  ShmMap,
  boardRegionBytes,
  boardSpec,
  countersRegionBytes,
  countersSpec,
  doorbellSpec,
  ringRegionBytes,
  ringSpec,
  type RegionSpec,
} from '../../src/shm/index.js';
import { ENTRY_BYTES, ENTRY_KIND, HDR_MAGIC, HDR_REGION_COUNT, HDR_VERSION, TABLE_OFFSET } from '../../src/shm/layout.js';
import { RING_CI, RING_CONS_DOORBELL, RING_PI, RING_PROD_DOORBELL, RING_HEADER_BYTES } from '../../src/shm/formats.js';

const specs: RegionSpec[] = [
  { name: 'wake.engine', kind: 'doorbell', bytes: DOORBELL_BYTES },
  { name: 'feed.a->engine', kind: 'ring', bytes: ringRegionBytes(4096), doorbell: 'wake.engine' },
  { name: 'feed.b->engine', kind: 'ring', bytes: ringRegionBytes(1024), doorbell: 'wake.engine' },
  { name: 'engine->exec', kind: 'ring', bytes: ringRegionBytes(65536) },
  { name: 'tob', kind: 'board', bytes: boardRegionBytes(8, 100), slotBytes: 100 },
  { name: 'heartbeats', kind: 'counters', bytes: countersRegionBytes(5), count: 5 },
];

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ShmError) return e.code;
    throw e;
  }
  throw new Error('did not throw');
}

describe('ShmLayout / ShmMap', () => {
  it('round-trips the header and the region table; every region is 64-byte aligned and disjoint', () => {
    const layout = new ShmLayout(specs);
    const sab = layout.create();
    expect(sab.byteLength).toBe(layout.totalBytes);
    const i32 = new Int32Array(sab);
    expect(i32[HDR_MAGIC >> 2]).toBe(LAYOUT_MAGIC);
    expect(new TextDecoder().decode(new Uint8Array(sab, 0, 4))).toBe('XMC1');
    expect(i32[HDR_VERSION >> 2]).toBe(LAYOUT_VERSION);
    expect(i32[HDR_REGION_COUNT >> 2]).toBe(specs.length);

    const map = ShmMap.attach(sab);
    expect(map.names()).toEqual(specs.map((s) => s.name));
    let prevEnd = TABLE_OFFSET + ENTRY_BYTES * specs.length;
    for (const s of specs) {
      const r = map.region(s.name, s.kind);
      expect(r).toMatchObject({ name: s.name, kind: s.kind, bytes: s.bytes });
      expect(r.offset % CACHE_LINE).toBe(0);
      expect(r.bytes % CACHE_LINE).toBe(0);
      expect(r.offset).toBeGreaterThanOrEqual(prevEnd);
      prevEnd = r.offset + r.bytes;
    }
    expect(prevEnd).toBe(sab.byteLength);
    expect(map.region('feed.a->engine').param).toBe(4096);
    expect(map.region('tob').param).toBe(100);
    expect(map.region('heartbeats').param).toBe(5);
    // The spec helpers build the same specs.
    expect(ringSpec('x', 4096, 'wake.engine')).toEqual({ name: 'x', kind: 'ring', bytes: ringRegionBytes(4096), doorbell: 'wake.engine' });
    expect(boardSpec('x', 8, 100)).toEqual({ name: 'x', kind: 'board', bytes: boardRegionBytes(8, 100), slotBytes: 100 });
    expect(countersSpec('x', 5)).toEqual({ name: 'x', kind: 'counters', bytes: countersRegionBytes(5), count: 5 });
    expect(doorbellSpec('x')).toEqual({ name: 'x', kind: 'doorbell', bytes: DOORBELL_BYTES });
  });

  it('puts the producer and consumer indices on different cache lines, and wires doorbells', () => {
    const sab = new ShmLayout(specs).create();
    const map = ShmMap.attach(sab);
    const i32 = new Int32Array(sab);
    for (const name of ['feed.a->engine', 'feed.b->engine', 'engine->exec']) {
      const r = map.region(name, 'ring');
      const pi = r.offset + RING_PI;
      const ci = r.offset + RING_CI;
      expect(Math.floor(pi / CACHE_LINE)).not.toBe(Math.floor(ci / CACHE_LINE));
      // ...and neither shares a line with the header words or the data.
      expect(Math.floor(pi / CACHE_LINE)).not.toBe(Math.floor(r.offset / CACHE_LINE));
      expect(RING_HEADER_BYTES % CACHE_LINE).toBe(0);
      // Producer doorbell: the ring's own; consumer doorbell: the named shared one, or its own.
      expect(i32[(r.offset + RING_PROD_DOORBELL) >> 2]! % CACHE_LINE).toBe(0);
      const cons = i32[(r.offset + RING_CONS_DOORBELL) >> 2]!;
      if (name === 'engine->exec') expect(cons).toBeGreaterThan(r.offset);
      else expect(cons).toBe(map.region('wake.engine').offset);
    }
    // One consumer parks on one word for both feed rings.
    const a = RingReader.attach(map, 'feed.a->engine');
    const b = RingReader.attach(map, 'feed.b->engine');
    expect(a.doorbell.byteOffset).toBe(b.doorbell.byteOffset);
    expect(RingWriter.attach(map, 'feed.b->engine').doorbell.byteOffset).toBe(a.doorbell.byteOffset);
  });

  it('rejects wrong magic, version, truncated buffers and corrupt tables', () => {
    const sab = new ShmLayout(specs).create();
    const copy = (): SharedArrayBuffer => {
      const c = new SharedArrayBuffer(sab.byteLength);
      new Uint8Array(c).set(new Uint8Array(sab));
      return c;
    };
    let c = copy();
    new Int32Array(c)[HDR_MAGIC >> 2] = 0x12345678;
    expect(codeOf(() => ShmMap.attach(c))).toBe('SHM_BAD_MAGIC');
    c = copy();
    new Int32Array(c)[HDR_VERSION >> 2] = LAYOUT_VERSION + 1;
    expect(codeOf(() => ShmMap.attach(c))).toBe('SHM_BAD_VERSION');
    c = copy();
    new Int32Array(c)[(TABLE_OFFSET + ENTRY_KIND) >> 2] = 9;
    expect(codeOf(() => ShmMap.attach(c))).toBe('SHM_BAD_TABLE');
    c = copy();
    new Int32Array(c)[HDR_REGION_COUNT >> 2] = 1_000_000;
    expect(codeOf(() => ShmMap.attach(c))).toBe('SHM_BAD_TABLE');
    const short = new SharedArrayBuffer(sab.byteLength - 64);
    new Uint8Array(short).set(new Uint8Array(sab, 0, short.byteLength));
    expect(codeOf(() => ShmMap.attach(short))).toBe('SHM_TOO_SMALL');
    expect(codeOf(() => ShmMap.attach(new SharedArrayBuffer(16)))).toBe('SHM_TOO_SMALL');
    expect(codeOf(() => ShmMap.attach(new SharedArrayBuffer(4096)))).toBe('SHM_BAD_MAGIC');
    expect(codeOf(() => ShmMap.attach(new ArrayBuffer(4096) as unknown as SharedArrayBuffer))).toBe('SHM_BAD_MAGIC');
  });

  it('rejects a missing region, a wrong kind, and a ring/board whose own header is corrupt', () => {
    const sab = new ShmLayout(specs).create();
    const map = ShmMap.attach(sab);
    expect(codeOf(() => map.region('nope'))).toBe('SHM_NO_REGION');
    expect(codeOf(() => RingWriter.attach(map, 'nope'))).toBe('SHM_NO_REGION');
    expect(codeOf(() => map.region('tob', 'ring'))).toBe('SHM_WRONG_KIND');
    expect(codeOf(() => RingReader.attach(map, 'tob'))).toBe('SHM_WRONG_KIND');
    expect(codeOf(() => Counters.attach(map, 'engine->exec'))).toBe('SHM_WRONG_KIND');
    new Int32Array(sab)[map.region('engine->exec').offset >> 2] = 1024; // capacity word
    expect(codeOf(() => RingWriter.attach(map, 'engine->exec'))).toBe('SHM_BAD_REGION');
  });

  it('validates specs with stable codes', () => {
    const ring = (name: string, cap = 1024): RegionSpec => ({ name, kind: 'ring', bytes: ringRegionBytes(cap) });
    expect(codeOf(() => new ShmLayout([ring('a'), ring('a')]))).toBe('SHM_DUPLICATE_REGION');
    expect(codeOf(() => new ShmLayout([ring('')]))).toBe('SHM_BAD_NAME');
    expect(codeOf(() => new ShmLayout([ring('x'.repeat(32))]))).toBe('SHM_BAD_NAME');
    expect(codeOf(() => new ShmLayout([ring('has space')]))).toBe('SHM_BAD_NAME');
    expect(() => new ShmLayout([ring('x'.repeat(31))])).not.toThrow();
    expect(codeOf(() => new ShmLayout([ring('a', 1000)]))).toBe('SHM_BAD_SPEC');
    expect(codeOf(() => new ShmLayout([ring('a', 32)]))).toBe('SHM_BAD_SPEC');
    expect(codeOf(() => new ShmLayout([{ ...ring('a'), doorbell: 'missing' }]))).toBe('SHM_BAD_DOORBELL');
    expect(codeOf(() => new ShmLayout([ring('b'), { ...ring('a'), doorbell: 'b' }]))).toBe('SHM_BAD_DOORBELL');
    expect(codeOf(() => new ShmLayout([{ name: 'd', kind: 'doorbell', bytes: 128 }]))).toBe('SHM_BAD_SPEC');
    expect(codeOf(() => new ShmLayout([{ name: 'b', kind: 'board', bytes: boardRegionBytes(4, 100) }]))).toBe('SHM_BAD_SPEC');
    expect(codeOf(() => new ShmLayout([{ name: 'b', kind: 'board', bytes: boardRegionBytes(4, 100) + 64, slotBytes: 100 }]))).toBe('SHM_BAD_SPEC');
    expect(codeOf(() => new ShmLayout([{ name: 'c', kind: 'counters', bytes: 100 }]))).toBe('SHM_BAD_SPEC');
    expect(codeOf(() => new ShmLayout([{ name: 'x', kind: 'queue' as 'ring', bytes: 64 }]))).toBe('SHM_BAD_SPEC');
    expect(codeOf(() => new ShmLayout([{ name: 'c', kind: 'counters', bytes: 64, doorbell: 'x' }]))).toBe('SHM_BAD_SPEC');
    expect(codeOf(() => new ShmLayout([ring('a', 2 ** 30), ring('b', 2 ** 30)]))).toBe('SHM_TOO_LARGE');
  });

  it('counters are shared words', () => {
    const sab = new ShmLayout(specs).create();
    const a = Counters.attach(ShmMap.attach(sab), 'heartbeats');
    const b = Counters.attach(ShmMap.attach(sab), 'heartbeats');
    expect(a.count).toBe(5);
    a.bump(4);
    a.bump(4);
    b.add(0, 7);
    expect([b.get(4), a.get(0)]).toEqual([2, 7]);
    expect(codeOf(() => a.get(5))).toBe('SHM_BAD_SLOT');
  });
});
