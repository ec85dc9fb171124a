// Journal format, writer, reader and recovery on real files: round trip of every record kind,
// torn tails (partial record, zero-filled tail, torn segment header) truncated on recovery and
// never misread, CRC corruption detected, rotation with checkpoints, restart state rebuilt.
import { appendFileSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMessage, FrameView, ReportKind, Side, AuditKind, encodeMessage, newEnvelopeHead, newStageTimes } from '../../src/wire/index.js';
import {
  CHECKPOINT_KIND,
  encodeRecordInto,
  FOREIGN_KIND_BASE,
  JournalError,
  newRecordMeta,
  recordBytes,
  SEGMENT_HEADER_BYTES,
  segmentFileName,
} from '../../src/journal/format.js';
import { JournalWriter } from '../../src/journal/writer.js';
import { decodeAudit, readJournal } from '../../src/journal/reader.js';
import { AuditBuilder, metaFromFrame } from '../../src/journal/records.js';
import { recoverState } from '../../src/journal/recovery.js';
import { IntentLog } from '../../src/journal/intents.js';
import { everyKind, frameOf, order, report, tempDir, times } from './helpers.js';

function appendFrame(w: JournalWriter, frame: Uint8Array, seq: number, source = 0, epoch = 77): void {
  const m = newRecordMeta();
  metaFromFrame(new FrameView(frame).at(0), m);
  m.source = source;
  m.epoch = epoch;
  m.seq = seq;
  w.append(m, frame, 0, frame.length);
}

function segPath(dir: string, stream = 'main', i = 1): string {
  return join(dir, segmentFileName(stream, i));
}

describe('journal round trip', () => {
  it('every record kind comes back with its ids, stage times and the exact frame bytes', () => {
    const dir = tempDir('rt');
    const w = JournalWriter.open({ dir, stream: 'main' });
    const kinds = everyKind();
    const frames = kinds.map((k, i) => frameOf(k.input, i));
    frames.forEach((f, i) => appendFrame(w, f, i));
    w.close();
    const r = readJournal(dir);
    expect(r.tails).toEqual([]);
    expect(r.entries).toHaveLength(kinds.length);
    r.entries.forEach((e, i) => {
      const input = kinds[i]!.input;
      expect(e.kind).toBe(input.kind);
      expect(e.code).toBe(input.code);
      expect(e.seq).toBe(i);
      expect(e.epoch).toBe(77);
      expect(e.times).toEqual(input.times);
      expect(Buffer.from(e.frame).equals(Buffer.from(frames[i]!))).toBe(true);
      const a = decodeAudit(e)!;
      expect(a.kind).toBe(input.kind);
      expect(a.refIds).toEqual(Array.from(input.refIds));
      expect(a.text).toBe(input.text);
      expect(Buffer.from(a.detail).equals(Buffer.from(input.detail as Uint8Array))).toBe(true);
    });
    const byName = Object.fromEntries(kinds.map((k, i) => [k.name, r.entries[i]!]));
    expect(byName['order']!.clientOrderId).toBe('xmc-1-0-0');
    expect(byName['order']!.comboId).toBe(1);
    expect(byName['order']!.venue).toBe(1);
    expect(byName['order']!.instrument).toBe(3);
    expect(byName['order']!.leg).toBe(0);
    expect(byName['order']!.orderRef).toBe(1_048_576);
    expect(byName['report']!.clientOrderId).toBe('xmc-1-0-0');
    expect(byName['report']!.code).toBe(ReportKind.Fill);
    expect(byName['cancel']!.clientOrderId).toBe('xmc-1-0-0');
    expect(byName['decision']!.clientOrderId).toBe('');
    expect(byName['decision']!.comboId).toBe(1);
    expect(byName['risk denial']!.comboId).toBe(2);
    expect(byName['risk denial']!.kind).toBe(AuditKind.RiskDenial);
    expect(byName['breaker']!.kind).toBe(AuditKind.BreakerTripped);
    expect(byName['link']!.venue).toBe(2);
    expect(byName['supervisor']!.kind).toBe(AuditKind.ActorLifecycle);
    expect(JSON.parse(Buffer.from(decodeAudit(byName['decision']!)!.detail).toString()).books[1].bidTicks).toBe(6_400_030);
  });

  it('a frame that is not an AuditRecord is journaled under a foreign kind with its envelope times', () => {
    const dir = tempDir('foreign');
    const w = JournalWriter.open({ dir, stream: 'main' });
    const head = newEnvelopeHead(3);
    head.times.receivedUs = 42;
    const frame = encodeMessage({ ...head, body: { kind: 'Heartbeat', value: { beat: 5, nowUs: 9, backlog: 0 } } });
    appendFrame(w, frame, 0);
    w.close();
    const [e] = readJournal(dir).entries;
    expect(e!.kind).toBe(FOREIGN_KIND_BASE + 7);
    expect(e!.times.receivedUs).toBe(42);
    expect(decodeMessage(e!.frame).body.kind).toBe('Heartbeat');
  });

  it('filters by combo and by wall-time range', () => {
    const dir = tempDir('filter');
    let now = 1_000_000;
    const w = JournalWriter.open({ dir, stream: 'main', wallClockUs: () => (now += 1000) });
    const b = new AuditBuilder();
    for (let c = 1; c <= 5; c++) appendFrame(w, frameOf(b.note(`n${c}`, c)), c);
    w.close();
    expect(readJournal(dir, { comboId: 3 }).entries.map((e) => e.comboId)).toEqual([3]);
    // The header took one clock reading; notes are at 1_002_000 .. 1_006_000.
    expect(readJournal(dir, { fromUs: 1_003_000, toUs: 1_005_000 }).entries.map((e) => e.comboId)).toEqual([2, 3]);
  });
});

describe('torn tails and corruption', () => {
  function journalWith(n: number): { dir: string; goodSize: number; frames: Uint8Array[] } {
    const dir = tempDir('torn');
    const w = JournalWriter.open({ dir, stream: 'main' });
    const b = new AuditBuilder();
    const frames: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const f = frameOf(b.order(order({ clientOrderId: `c${i}`, orderRef: i + 1 }), times({ orderSentUs: 10 + i })), i);
      frames.push(f);
      appendFrame(w, f, i);
    }
    w.close();
    return { dir, goodSize: statSync(segPath(dir)).size, frames };
  }

  function recordBytesOf(frame: Uint8Array, seq: number): Buffer {
    const m = newRecordMeta();
    metaFromFrame(new FrameView(frame).at(0), m);
    m.seq = seq;
    m.epoch = 77;
    m.wallUs = 1;
    const out = Buffer.alloc(recordBytes(Buffer.byteLength(m.clientOrderId), frame.length));
    encodeRecordInto(out, 0, m, frame, 0, frame.length);
    return out;
  }

  it('a record cut short at every possible length is never returned and is truncated on recovery', () => {
    const { dir, goodSize } = journalWith(3);
    const extra = recordBytesOf(frameOf(new AuditBuilder().note('next')), 3);
    for (const cut of [1, 7, 8, 100, extra.length - 1]) {
      truncateSync(segPath(dir), goodSize);
      appendFileSync(segPath(dir), extra.subarray(0, cut));
      const r = readJournal(dir);
      expect(r.entries.map((e) => e.seq)).toEqual([0, 1, 2]);
      expect(r.tails).toHaveLength(1);
      expect(r.tails[0]!.offset).toBe(goodSize);
    }
    const w = JournalWriter.open({ dir, stream: 'main' });
    expect(w.recovery.truncatedBytes).toBe(extra.length - 1);
    expect(statSync(segPath(dir)).size).toBe(goodSize);
    expect(w.progress(77, 0)).toBe(2);
    appendFrame(w, frameOf(new AuditBuilder().note('after recovery')), 3);
    w.close();
    const r = readJournal(dir);
    expect(r.tails).toEqual([]);
    expect(r.entries.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(decodeAudit(r.entries[3]!)!.text).toBe('after recovery');
  });

  it('a zero-filled tail (file extended before its data) is a torn tail', () => {
    const { dir, goodSize } = journalWith(2);
    appendFileSync(segPath(dir), Buffer.alloc(300));
    expect(readJournal(dir).entries).toHaveLength(2);
    const w = JournalWriter.open({ dir, stream: 'main' });
    expect(w.recovery.tornReason).toMatch(/zero/);
    w.close();
    expect(statSync(segPath(dir)).size).toBe(goodSize);
  });

  it('a CRC mismatch in a record followed by more records is corruption, reported and never truncated', () => {
    const { dir, goodSize } = journalWith(4);
    const bytes = readFileSync(segPath(dir));
    const secondPayload = SEGMENT_HEADER_BYTES + bytes.readUInt32LE(SEGMENT_HEADER_BYTES) + 8 + 8;
    bytes[secondPayload + 200] = bytes[secondPayload + 200]! ^ 0x40; // inside record #1's frame
    writeFileSync(segPath(dir), bytes);
    expect(() => readJournal(dir)).toThrow(JournalError);
    expect(() => readJournal(dir)).toThrow(/CRC mismatch at offset \d+ \(followed by more data\)/);
    expect(() => JournalWriter.open({ dir, stream: 'main' })).toThrow(/JOURNAL_CORRUPT/);
    expect(statSync(segPath(dir)).size).toBe(goodSize);
  });

  it('a flipped bit in the last record fails its CRC: the record is dropped as torn, never misread', () => {
    const { dir } = journalWith(3);
    const bytes = readFileSync(segPath(dir));
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 1;
    writeFileSync(segPath(dir), bytes);
    const r = readJournal(dir);
    expect(r.entries.map((e) => e.clientOrderId)).toEqual(['c0', 'c1']);
    expect(r.tails[0]!.reason).toMatch(/CRC/);
  });

  it('a corrupt length field mid-file and a damaged header are corruption', () => {
    const { dir } = journalWith(3);
    const bytes = readFileSync(segPath(dir));
    bytes.writeUInt32LE(0x7fffffff, SEGMENT_HEADER_BYTES);
    writeFileSync(segPath(dir), bytes);
    expect(() => readJournal(dir)).toThrow(/length 2147483647 out of range/);
    const j2 = journalWith(1);
    const h = readFileSync(segPath(j2.dir));
    h[9] = h[9]! ^ 1;
    writeFileSync(segPath(j2.dir), h);
    expect(() => readJournal(j2.dir)).toThrow(/header CRC mismatch/);
  });
});

describe('rotation and progress', () => {
  it('rotates segments, carries progress in checkpoints and recovers it after a torn new segment', () => {
    const dir = tempDir('rot');
    const w = JournalWriter.open({ dir, stream: 'main', segmentBytes: 8192 });
    const b = new AuditBuilder();
    for (let i = 0; i < 200; i++) appendFrame(w, frameOf(b.note(`note ${i}`, i + 1)), i, i % 2);
    w.close();
    const segs = readdirSync(dir).sort();
    expect(segs.length).toBeGreaterThan(3);
    const all = readJournal(dir, { checkpoints: true }).entries;
    expect(all.filter((e) => e.kind === CHECKPOINT_KIND)).toHaveLength(segs.length - 1);
    expect(readJournal(dir).entries.map((e) => e.seq)).toEqual([...Array(200).keys()]);
    const w2 = JournalWriter.open({ dir, stream: 'main', segmentBytes: 8192 });
    expect(w2.progress(77, 0)).toBe(198);
    expect(w2.progress(77, 1)).toBe(199);
    expect(w2.progress(78, 0)).toBe(-1);
    w2.close();
    // A crash while creating the next segment: its header cut short. Recovery removes it and
    // takes the progress from the previous segment.
    const next = segPath(dir, 'main', segs.length + 1);
    writeFileSync(next, Buffer.alloc(40, 1));
    const w3 = JournalWriter.open({ dir, stream: 'main', segmentBytes: 8192 });
    expect(w3.recovery.removedEmptySegment).toBe(true);
    expect(w3.progress(77, 1)).toBe(199);
    w3.close();
  });
});

describe('restart recovery', () => {
  it('rebuilds orders, open combos, the client ids to query and positions from intents and reports', () => {
    const dir = tempDir('recover');
    const intents = new IntentLog({ dir, executor: 'binance' });
    const w = JournalWriter.open({ dir, stream: 'main' });
    const b = new AuditBuilder();
    let seq = 0;
    // Combo 1: both legs filled (leg 1 in two reports, one duplicated).
    intents.recordIntent(order({ clientOrderId: 'a1', comboId: 1, leg: 0, venueId: 1, side: Side.Buy, qtyLots: 10 }), times({ orderSentUs: 1 }));
    intents.recordIntent(order({ clientOrderId: 'b1', comboId: 1, leg: 1, venueId: 2, instrumentId: 4, side: Side.Sell, qtyLots: 10 }), times({ orderSentUs: 1 }));
    appendFrame(w, frameOf(b.report(report({ clientOrderId: 'a1', comboId: 1, leg: 0, venueId: 1, cumQtyLots: 10, lastQtyLots: 10 }), times())), seq++);
    const partial = frameOf(b.report(report({ kind: ReportKind.PartialFill, clientOrderId: 'b1', comboId: 1, leg: 1, venueId: 2, instrumentId: 4, side: Side.Sell, cumQtyLots: 4, lastQtyLots: 4, leavesQtyLots: 6 }), times()));
    appendFrame(w, partial, seq++);
    appendFrame(w, partial, seq++); // duplicate report: counted once
    appendFrame(w, frameOf(b.report(report({ clientOrderId: 'b1', comboId: 1, leg: 1, venueId: 2, instrumentId: 4, side: Side.Sell, cumQtyLots: 10, lastQtyLots: 6 }), times())), seq++);
    // Combo 2: leg 0 acked, leg 1 outcome unknown; combo 3: intent only (killed after the send).
    intents.recordIntent(order({ clientOrderId: 'a2', comboId: 2, leg: 0, venueId: 1, qtyLots: 5 }), times());
    intents.recordIntent(order({ clientOrderId: 'b2', comboId: 2, leg: 1, venueId: 2, instrumentId: 4, side: Side.Sell, qtyLots: 5 }), times());
    appendFrame(w, frameOf(b.report(report({ kind: ReportKind.Ack, clientOrderId: 'a2', comboId: 2, venueId: 1, cumQtyLots: 0, lastQtyLots: 0, leavesQtyLots: 5 }), times())), seq++);
    appendFrame(w, frameOf(b.report(report({ kind: ReportKind.OutcomeUnknown, clientOrderId: 'b2', comboId: 2, leg: 1, venueId: 2, instrumentId: 4, cumQtyLots: 0, lastQtyLots: 0, leavesQtyLots: 5 }), times())), seq++);
    intents.recordIntent(order({ clientOrderId: 'a3', comboId: 3, leg: 0, venueId: 1, qtyLots: 5 }), times());
    // The same client id on another venue is another order.
    intents.recordIntent(order({ clientOrderId: 'a1', comboId: 4, leg: 0, venueId: 2, qtyLots: 1 }), times());
    appendFrame(w, frameOf(b.report(report({ kind: ReportKind.Reject, clientOrderId: 'a1', comboId: 4, venueId: 2, cumQtyLots: 0, lastQtyLots: 0 }), times())), seq++);
    intents.close();
    w.close();
    const s = recoverState(dir);
    expect(s.orders.size).toBe(6);
    expect(s.toQuery.map((o) => o.clientOrderId).sort()).toEqual(['a2', 'a3', 'b2']);
    expect(s.toQuery.every((o) => o.intent)).toBe(true);
    expect(s.orders.get(`2\u0000b2`)!.status).toBe('unknown');
    expect(s.openCombos.map((c) => c.comboId).sort()).toEqual([2, 3]);
    expect(s.combos.get(1)!.filledByLeg).toEqual([10, -10]);
    expect(s.positions.sort((a, b) => a.venue - b.venue)).toEqual([
      { venue: 1, instrument: 3, lots: 10 },
      { venue: 2, instrument: 4, lots: -10 },
    ]);
  });
});

describe('group fdatasync off the calling thread (tickAsync, the executor\'s intents)', () => {
  const orderFrame = (seq: number): Uint8Array => frameOf(new AuditBuilder().order(order({ clientOrderId: `xmc-${seq}-0-0` }), times()), seq);
  /** A writer whose fdatasync calls are held until the test completes them. */
  function heldWriter(dir: string) {
    let clock = 0;
    const calls: { fd: number; done: (err: NodeJS.ErrnoException | null) => void }[] = [];
    const w = JournalWriter.open({ dir, stream: 'intent-x', groupMs: 50, clockMs: () => clock, fdatasyncAsync: (fd, done) => calls.push({ fd, done }) });
    const add = (seq: number): void => appendFrame(w, orderFrame(seq), seq);
    return { w, calls, add, advance: (ms: number) => (clock += ms) };
  }

  it('starts one fdatasync when the group is due, counts its records pending until it completes, and groups later records anew', () => {
    const { w, calls, add, advance } = heldWriter(tempDir('async-sync'));
    add(1);
    add(2);
    expect(w.tickAsync()).toBe(false); // not due yet
    advance(50);
    expect(w.tickAsync()).toBe(true);
    expect(calls).toHaveLength(1);
    expect(w.pending).toBe(2);
    expect(w.writes).toBe(1); // written with write(2) before the fdatasync started
    add(3);
    advance(100);
    expect(w.tickAsync()).toBe(false); // one at a time
    expect(w.pending).toBe(3);
    calls[0]!.done(null);
    expect(w.syncs).toBe(1);
    expect(w.pending).toBe(1);
    expect(w.tickAsync()).toBe(true); // record 3's group, due since the advance
    calls[1]!.done(null);
    expect(w.pending).toBe(0);
    w.close();
  });

  it('a failed fdatasync is thrown by the next tickAsync or appendDurable, once', () => {
    const { w, calls, add, advance } = heldWriter(tempDir('async-sync-fail'));
    add(1);
    advance(50);
    expect(w.tickAsync()).toBe(true);
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }) as NodeJS.ErrnoException;
    calls[0]!.done(eio);
    expect(() => w.tickAsync()).toThrow(/JOURNAL_IO.*fdatasync of .*intent-x/);
    expect(w.tickAsync()).toBe(false); // thrown once; nothing is due
    add(2);
    advance(50);
    expect(w.tickAsync()).toBe(true);
    calls[1]!.done(eio);
    const m = newRecordMeta();
    const f = orderFrame(3);
    metaFromFrame(new FrameView(f).at(0), m);
    expect(() => w.appendDurable(m, f, 0, f.length)).toThrow(/JOURNAL_IO/);
    w.close();
  });

  it('close() while one runs syncs every record itself; the late completion changes nothing', () => {
    const dir = tempDir('async-sync-close');
    const { w, calls, add, advance } = heldWriter(dir);
    add(1);
    advance(50);
    expect(w.tickAsync()).toBe(true);
    add(2);
    w.close();
    expect(w.pending).toBe(0);
    const syncs = w.syncs;
    calls[0]!.done(Object.assign(new Error('EBADF'), { code: 'EBADF' }) as NodeJS.ErrnoException);
    expect(w.syncs).toBe(syncs);
    expect(readJournal(dir).entries.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('with the real fdatasync: the group completes in the thread pool', async () => {
    let clock = 0;
    const w = JournalWriter.open({ dir: tempDir('async-sync-real'), stream: 'intent-y', groupMs: 50, clockMs: () => clock });
    appendFrame(w, orderFrame(1), 1);
    clock += 50;
    expect(w.tickAsync()).toBe(true);
    for (let i = 0; i < 2000 && w.syncs === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(w.syncs).toBe(1);
    expect(w.pending).toBe(0);
    w.close();
  });
});
