// Fuzz / property tests of every OKX parser and mapper: random bytes, every truncation of every
// sample, byte mutations, wrong-typed fields, huge frames. No exception escapes; whenever the
// byte parser accepts a book frame, an independent reference (JSON.parse + DecimalScale on the
// strings) agrees level by level. Plus a venue-simulation property for the sync machine: under
// dropped, duplicated and reordered messages (and heartbeats and maintenance resets), whenever the
// machine says synced, its book equals the venue's book at that seqId.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecimalScale } from '../../../src/core/decimal.js';
import { OkxBookSync, type OkxBootstrap } from '../../../src/venues/okx/book-sync.js';
import { OkxFrameParser } from '../../../src/venues/okx/frame-parser.js';
import { parseOkxInstruments } from '../../../src/venues/okx/instruments.js';
import { mapOkxOrdersPush, parseOkxEvent, parseOkxOrderQuery, parseOkxOrderResponse } from '../../../src/venues/okx/orders.js';
import { runOkxReplay } from '../../../src/venues/okx/replay.js';
import { bytes, booksFrame, restBooks, sampleFiles, sampleJson, sampleText, table, type Lvl } from './fixtures.js';

const KINDS = new Set(['book', 'pong', 'event', 'push', 'response', 'error']);
const tbl = table();
const parser = new OkxFrameParser(tbl);
const dec = new TextDecoder();

/** Reference check: a frame the byte parser accepted must be valid JSON with the same levels. */
function agreesWithReference(buf: Uint8Array, rest = false): void {
  const o = JSON.parse(dec.decode(buf));
  const d = o.data[0];
  const ins = tbl.get(parser.update.instrument);
  const t = new DecimalScale(ins.spec.tickSize);
  const l = new DecimalScale(ins.spec.lotSize);
  const u = parser.update;
  expect(u.bidCount).toBe(d.bids.length);
  expect(u.askCount).toBe(d.asks.length);
  for (let i = 0; i < u.bidCount; i++) {
    expect(u.bidPx[i]).toBe(t.toUnitsStrict(d.bids[i][0]));
    expect(u.bidQty[i]).toBe(l.toUnitsStrict(d.bids[i][1]));
  }
  for (let i = 0; i < u.askCount; i++) {
    expect(u.askPx[i]).toBe(t.toUnitsStrict(d.asks[i][0]));
    expect(u.askQty[i]).toBe(l.toUnitsStrict(d.asks[i][1]));
  }
  if (!rest) {
    if (d.seqId !== undefined) expect(u.lastId).toBe(Number(d.seqId));
    if (o.action === 'update') expect(u.prevId).toBe(Number(d.prevSeqId));
  }
}

function safeParse(buf: Uint8Array): string {
  const k = parser.parse(buf);
  expect(KINDS.has(k)).toBe(true);
  if (k === 'error') {
    expect(typeof parser.error).toBe('string');
  } else if (k === 'book') {
    agreesWithReference(buf);
  }
  return k;
}

function receivedFrames(): string[] {
  const out = [sampleText('01_'), sampleText('02_'), sampleText('04_'), sampleText('06_')];
  for (const f of sampleJson('03_') as unknown[]) out.push(JSON.stringify(f));
  const s9 = sampleJson('09_');
  for (const k of ['login_success', 'login_failure', 'subscribe_books_response', 'notice_before_upgrade_disconnect']) out.push(JSON.stringify(s9[k]));
  return out;
}

describe('OKX parser fuzz', () => {
  it('every sample file is covered by these tests', () => {
    expect(sampleFiles().map((f) => f.slice(0, 3))).toEqual(['01_', '02_', '03_', '04_', '05_', '06_', '07_', '08_', '09_', '10_']);
  });

  it('random bytes never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      safeParse(b);
      expect(['book', 'error'].includes(parser.parseRestBooks(b, 0))).toBe(true);
    }), { numRuns: 3000 });
  });

  it('random JSON values and JSON-ish strings never throw', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
      safeParse(bytes(JSON.stringify(v) ?? 'null'));
    }), { numRuns: 1500 });
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789.-etrufalsn \\abpong'.split('')), maxLength: 200 }), (s) => {
      safeParse(bytes(s));
    }), { numRuns: 3000 });
  });

  it('every truncation of every received sample is an error, never a throw', () => {
    for (const text of [...receivedFrames(), sampleText('07_')]) {
      const b = bytes(text);
      const last = text.lastIndexOf('}') + 1;
      for (let n = 0; n < b.length; n++) {
        const k = parser.parse(b.subarray(0, n));
        if (n < last) expect(k, `${n}/${b.length}`).toBe('error');
        parser.parseRestBooks(b.subarray(0, n), 0);
      }
    }
  });

  it('single-byte mutations of samples: never throw, accepted frames agree with the reference', () => {
    const frames = receivedFrames().map(bytes);
    fc.assert(fc.property(fc.nat(frames.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 }), (fi, pos, byte) => {
      const src = frames[fi]!;
      const b = src.slice();
      b[pos % b.length] = byte;
      safeParse(b);
    }), { numRuns: 5000 });
  });

  it('wrong-typed fields: replace a known field with any JSON value', () => {
    const base = JSON.parse(booksFrame({ prev: 1, seq: 2, bids: [['100.01', '1.5']], asks: [['100.02', '2']] }));
    const paths: ((o: any, v: unknown) => void)[] = [
      (o, v) => (o.arg = v), (o, v) => (o.arg.channel = v), (o, v) => (o.arg.instId = v), (o, v) => (o.action = v),
      (o, v) => (o.data = v), (o, v) => (o.data[0] = v), (o, v) => (o.data[0].bids = v), (o, v) => (o.data[0].asks[0] = v),
      (o, v) => (o.data[0].bids[0][0] = v), (o, v) => (o.data[0].bids[0][1] = v), (o, v) => (o.data[0].seqId = v),
      (o, v) => (o.data[0].prevSeqId = v), (o, v) => (o.data[0].checksum = v), (o, v) => (o.data[0].ts = v),
    ];
    fc.assert(fc.property(fc.nat(paths.length - 1), fc.jsonValue({ maxDepth: 3 }), (pi, v) => {
      const o = structuredClone(base);
      paths[pi]!(o, v);
      safeParse(bytes(JSON.stringify(o)));
    }), { numRuns: 3000 });
  });

  it('generated valid frames (random levels, steps, whitespace) parse exactly', () => {
    const t = new DecimalScale('0.01');
    const l = new DecimalScale('0.00000001');
    const lvl = fc.tuple(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 45 }))
      .map(([p, q]) => [t.fromUnits(p), l.fromUnitsTrimmed(q)] as Lvl);
    fc.assert(fc.property(fc.array(lvl, { maxLength: 30 }), fc.array(lvl, { maxLength: 30 }), fc.nat(2 ** 52), fc.boolean(), (bids, asks, seq, spaced) => {
      let text = booksFrame({ prev: seq > 0 ? seq - 1 : 0, seq, bids, asks });
      if (spaced) text = JSON.stringify(JSON.parse(text), null, 2);
      expect(safeParse(bytes(text))).toBe('book');
    }), { numRuns: 500 });
  });

  it('huge frames: size, level count, long strings and numbers, deep nesting', () => {
    const p = new OkxFrameParser(tbl, undefined, { maxFrameBytes: 1 << 20, maxLevelsPerSide: 400 });
    const many: Lvl[] = [];
    for (let i = 0; i < 401; i++) many.push([String(100 + i), '1']);
    expect(p.parse(bytes(booksFrame({ prev: 1, seq: 2, bids: many })))).toBe('error');
    expect(p.error).toBe('TOO_MANY_LEVELS');
    expect(p.parse(new Uint8Array((1 << 20) + 1).fill(0x20))).toBe('error');
    expect(p.error).toBe('TOO_LARGE');
    expect(p.parse(bytes(booksFrame({ prev: 1, seq: 2, bids: [['1'.repeat(5000), '1']] })))).toBe('error');
    expect(p.error).toBe('BAD_DECIMAL');
    expect(p.parse(bytes(booksFrame({ prev: 1, seq: 2 }).replace('"seqId":2', '"seqId":' + '9'.repeat(5000))))).toBe('error');
    expect(p.error).toBe('BAD_NUMBER');
    expect(p.parse(bytes('{"a":' + '{"a":'.repeat(100000) + '1' + '}'.repeat(100001)))).toBe('error');
    expect(p.error).toBe('TOO_DEEP');
    expect(p.parse(bytes('['.repeat(200000)))).toBe('error');
    const big = '{"event":"notice","msg":"' + 'x'.repeat(500000) + '"}';
    expect(p.parse(bytes(big))).toBe('event');
  });

  it('REST snapshot parser: mutations never throw, accepted bodies agree', () => {
    const src = bytes(sampleText('07_'));
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), (pos, byte) => {
      const b = src.slice();
      b[pos % b.length] = byte;
      if (parser.parseRestBooks(b, 0) === 'book') agreesWithReference(b, true);
    }), { numRuns: 3000 });
  });
});

describe('OKX private mappers fuzz', () => {
  it('orders push, order answers, order query, events, instruments never throw', () => {
    const texts = [sampleText('04_'), sampleText('05_'), sampleText('06_'), sampleText('09_')];
    const arb = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v) ?? ''),
      fc.tuple(fc.nat(texts.length - 1), fc.nat(), fc.nat()).map(([i, a, n]) => texts[i]!.slice(0, a % (texts[i]!.length + 1)) + 'x'.repeat(n % 3)),
      fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('state', 'side', 'sz', 'fillSz', 'instId', 'ordType', 'fillFee', 'code', 'clOrdId')).map(([v, k]) => {
        const o = sampleJson('04_');
        o.data[0][k] = v;
        return JSON.stringify(o);
      }),
    );
    fc.assert(fc.property(arb, fc.constantFrom(0, 200, 429, 500, 503), (t, status) => {
      const m = mapOkxOrdersPush(t, tbl);
      expect(Array.isArray(m.reports) && Array.isArray(m.errors)).toBe(true);
      const r = parseOkxOrderResponse(t, status);
      expect(r.results.length > 0 || r.error !== null).toBe(true);
      for (const x of r.results) if (!x.ok) expect(['known', 'unknown']).toContain(x.error.outcome);
      const q = parseOkxOrderQuery(t, tbl, status);
      expect(q.report !== null || q.error !== null).toBe(true);
      parseOkxEvent(t);
      parseOkxInstruments(t, status);
      runOkxReplay({ snapshot: t, events: [t] });
    }), { numRuns: 2000 });
  });
});

// -------------------------------------------------------------------------------------------------
// Venue simulation for the sync machine.

interface VenueMsg {
  readonly frame: string;
  readonly seq: number;
  readonly idx: number;
}

/** A tiny OKX-like venue for one instrument: a true book, a seqId sequence with heartbeats and resets. */
function simulateVenue(rand: () => number, n: number) {
  // ETH-USDT test instrument: tick 0.1, lot 1, so quantities below are lots.
  const t = new DecimalScale('0.1');
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  const stateAt = new Map<number, string>(); // seq -> book state (heartbeats keep the state)
  const state = () => JSON.stringify({
    b: [...bids.entries()].sort((x, y) => y[0] - x[0]),
    a: [...asks.entries()].sort((x, y) => x[0] - y[0]),
  });
  let epoch = 0;
  let seq = 9e14;
  for (let i = 0; i < 20; i++) {
    bids.set(90000 + Math.floor(rand() * 9000), 1 + Math.floor(rand() * 5));
    asks.set(100100 + Math.floor(rand() * 9000), 1 + Math.floor(rand() * 5));
  }
  stateAt.set(seq, state());
  const snapshotAt = (s: number): { ws: string; rest: string } => {
    const st = JSON.parse(stateAt.get(s)!) as { b: [number, number][]; a: [number, number][] };
    const b = st.b.map(([p, q]) => [t.fromUnitsTrimmed(p), String(q)] as Lvl);
    const a = st.a.map(([p, q]) => [t.fromUnitsTrimmed(p), String(q)] as Lvl);
    return { ws: booksFrame({ instId: 'ETH-USDT', action: 'snapshot', prev: -1, seq: s, bids: b, asks: a }), rest: restBooks(s, b, a) };
  };
  const first = snapshotAt(seq);
  const msgs: VenueMsg[] = [];
  for (let i = 0; i < n; i++) {
    const prev = seq;
    const r = rand();
    if (r < 0.08) {
      msgs.push({ frame: booksFrame({ instId: 'ETH-USDT', prev, seq: prev }), seq: prev, idx: i }); // heartbeat
      continue;
    }
    if (r < 0.11) {
      epoch++;
      seq = 9e14 - epoch * 1e12 + Math.floor(rand() * 1000); // maintenance reset into a fresh lower range
    } else {
      seq = prev + 1 + Math.floor(rand() * 5);
    }
    const cb: Lvl[] = [];
    const ca: Lvl[] = [];
    const k = 1 + Math.floor(rand() * 4);
    for (let j = 0; j < k; j++) {
      const side = rand() < 0.5;
      const m = side ? bids : asks;
      const existing = [...m.keys()];
      const px = existing.length > 0 && rand() < 0.5
        ? existing[Math.floor(rand() * existing.length)]!
        : side ? 90000 + Math.floor(rand() * 9000) : 100100 + Math.floor(rand() * 9000);
      const q = rand() < 0.3 ? 0 : 1 + Math.floor(rand() * 9);
      if (q === 0) m.delete(px);
      else m.set(px, q);
      (side ? cb : ca).push([t.fromUnitsTrimmed(px), String(q)]);
    }
    stateAt.set(seq, state());
    msgs.push({ frame: booksFrame({ instId: 'ETH-USDT', prev, seq, bids: cb, asks: ca }), seq, idx: i });
  }
  return { msgs, stateAt, snapshotAt, firstSeq: 9e14, first };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function bookState(sync: OkxBookSync): string {
  const l = sync.book.toLevels();
  return JSON.stringify({ b: l.bids, a: l.asks });
}

function runSim(seed: number, bootstrap: OkxBootstrap, faults: boolean) {
  const rand = mulberry32(seed);
  const venue = simulateVenue(rand, 300);
  const ins = tbl.find('ETH-USDT')!;
  const p = new OkxFrameParser(tbl);
  const sync = new OkxBookSync(ins, { bootstrap });
  // Delivery with faults: drop, duplicate, swap adjacent.
  const delivery: VenueMsg[] = [];
  for (let i = 0; i < venue.msgs.length; i++) {
    const m = venue.msgs[i]!;
    const r = rand();
    if (faults && r < 0.03) continue;
    if (faults && r < 0.06 && i + 1 < venue.msgs.length) {
      delivery.push(venue.msgs[i + 1]!, m);
      i++;
      continue;
    }
    delivery.push(m);
    if (faults && r < 0.09) delivery.push(m);
  }
  let synced = 0;
  let resyncs = 0;
  let latestSeq = venue.firstSeq; // newest venue state delivered so far
  let latestIdx = -1;
  const feed = (frame: string) => {
    expect(p.parse(bytes(frame))).toBe('book');
    return sync.onUpdate(p.update, p);
  };
  const check = () => {
    if (!sync.isSynced()) return;
    synced++;
    const want = venue.stateAt.get(sync.lastSeqId);
    expect(want, `seq ${sync.lastSeqId}`).toBeDefined();
    expect(bookState(sync)).toBe(want);
    expect(sync.book.isCrossed()).toBe(false);
    sync.book.checkInvariants();
  };
  // Subscribe: the WS snapshot comes first (ignored by 'rest').
  feed(venue.first.ws);
  check();
  for (const m of delivery) {
    const idx = m.idx;
    if (idx > latestIdx) {
      latestIdx = idx;
      latestSeq = m.seq;
    }
    const step = feed(m.frame);
    if (step.status === 'resync') resyncs++;
    check();
    if (sync.need === 'resubscribe') {
      feed(venue.snapshotAt(latestSeq).ws);
      check();
    } else if (sync.need === 'rest-snapshot') {
      // The REST answer is the venue's current book (the newest state delivered).
      expect(p.parseRestBooks(bytes(venue.snapshotAt(latestSeq).rest), ins.index)).toBe('book');
      sync.onRestSnapshot(p.update, p);
      check();
    }
  }
  return { synced, resyncs, final: sync.isSynced() };
}

describe('OKX sync against a simulated venue', () => {
  for (const bootstrap of ['ws', 'rest', 'auto'] as const) {
    it(`${bootstrap}: without faults it stays in sync through heartbeats and resets`, () => {
      for (let seed = 1; seed <= 5; seed++) {
        const r = runSim(seed, bootstrap, false);
        expect(r.resyncs).toBe(0);
        expect(r.final).toBe(true);
      }
    });

    it(`${bootstrap}: with drops, duplicates and reorders, synced always means equal to the venue`, () => {
      let totalSynced = 0;
      let totalResyncs = 0;
      fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const r = runSim(seed, bootstrap, true);
        totalSynced += r.synced;
        totalResyncs += r.resyncs;
      }), { numRuns: 60 });
      expect(totalSynced).toBeGreaterThan(1000);
      expect(totalResyncs).toBeGreaterThan(0);
    });
  }
});
