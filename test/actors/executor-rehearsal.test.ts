// The executor's order-path rehearsal, in-process: the template frame is a NewOrder that names
// the rehearsal's own client id; the rehearsal runs at its cadence and stops for good on the first
// exception; IntentLog.rehearse / JournalWriter.rehearse write the very record appendDurable
// writes for the same order, but only to the stream's scratch file, which close() removes, and
// never to the stream (its files, sequence and counters). The executor worker's own rehearsals
// are shown in executor.test.ts.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrderPathRehearsal, REHEARSAL_CLIENT_ID, rehearsalFrame } from '../../src/actors/executor-rehearsal.js';
import { IntentLog } from '../../src/journal/intents.js';
import { readJournal } from '../../src/journal/reader.js';
import { segmentFileName } from '../../src/journal/format.js';
import { Body, FrameView, OrderType, Side } from '../../src/wire/index.js';
import { order, tempDir, times } from '../journal/helpers.js';

describe('order-path rehearsal', () => {
  it('rehearses with a NewOrder frame of its own client id for the given venue and instrument', () => {
    const v = new FrameView(rehearsalFrame(4, 123, 9)).at(0);
    expect(v.kind()).toBe(Body.NewOrder);
    const m = v.newOrder();
    expect(m.clientOrderId()).toBe(REHEARSAL_CLIENT_ID);
    expect(m.venueId()).toBe(4);
    expect(m.instrumentId()).toBe(123);
    expect(m.side()).toBe(Side.Buy);
    expect(m.orderType()).toBe(OrderType.Ioc);
    expect(m.qtyLots()).toBe(1);
    expect(REHEARSAL_CLIENT_ID).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('runs at its period, counts, and stops for good on the first exception', () => {
    const seen: number[] = [];
    let boom = false;
    const r = new OrderPathRehearsal(1000, rehearsalFrame(1, 7, 1), (v) => {
      if (boom) throw new Error('boom');
      seen.push(v.newOrder().instrumentId());
    });
    expect(r.poll(0)).toBe(true);
    expect(r.poll(999)).toBe(false);
    expect(r.poll(1000)).toBe(true);
    expect(r.poll(5000)).toBe(true);
    expect(seen).toEqual([7, 7, 7]);
    expect(r.count).toBe(3);
    boom = true;
    expect(r.poll(6000)).toBe(false);
    expect(r.failed).toBe('order-path rehearsal threw: boom');
    boom = false;
    expect(r.poll(9000)).toBe(false);
    expect(r.count).toBe(3);
    expect(() => new OrderPathRehearsal(0, rehearsalFrame(1, 7, 1), () => undefined)).toThrow(/period must be > 0/);
  });

  it('writes the record appendDurable writes, to the scratch file only, and close() removes it', () => {
    const dir = tempDir('rehearse');
    const intents = new IntentLog({ dir, executor: 'exec-5', wallClockUs: () => 1_700_000_000_000_000 });
    const seg = join(dir, segmentFileName('intent-exec-5', 1));
    const warm = join(dir, 'intent-exec-5.warm');
    const sizeBefore = statSync(seg).size;
    const o = order({ clientOrderId: 'xmc77a0', orderRef: 5, comboId: 77 });
    const t = times({ decisionUs: 10, orderSentUs: 0 });
    for (let i = 0; i < 3; i++) intents.rehearse(o, t);
    expect(statSync(seg).size).toBe(sizeBefore);
    expect(intents.writer.appended).toBe(0);
    expect(intents.writer.writes).toBe(0);
    expect(intents.writer.rehearsals).toBe(3);
    const rehearsed = readFileSync(warm);
    // the same order journaled for real: the same bytes (same envelope seq, clock and checksum)
    intents.recordIntent(o, t);
    const segBytes = readFileSync(seg);
    expect(segBytes.length - sizeBefore).toBe(rehearsed.length);
    expect(Buffer.compare(segBytes.subarray(sizeBefore), rehearsed)).toBe(0);
    // a rehearsal after it does not take the next intent sequence number
    intents.rehearse(o, t);
    intents.recordIntent(order({ clientOrderId: 'xmc78a0', orderRef: 6, comboId: 78 }), t);
    intents.close();
    expect(existsSync(warm)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.warm'))).toEqual([]);
    const r = readJournal(dir);
    expect(r.entries.map((e) => e.clientOrderId)).toEqual(['xmc77a0', 'xmc78a0']);
    expect(r.entries.map((e) => e.seq)).toEqual([5, 6]);
    expect(() => intents.rehearse(o, t)).toThrow(/closed/);
  });
});
