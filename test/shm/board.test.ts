// Board: a writer thread and reader threads working concurrently; readers never observe a torn
// value (every word of a value equals its counter, its length matches), never go back in time,
// and observe the latest value of every slot at the end. Plus single-thread semantics.
import { describe, expect, it } from 'vitest';
import { BoardReader, BoardWriter, ShmLayout, ShmMap, boardSpec, countersSpec } from '../../src/shm/index.js';
import { BOARD_HEADER_BYTES } from '../../src/shm/formats.js';
import { startWorker } from './helpers.js';
import type { BoardWorkerOptions, BoardWorkerResult } from './workers/board-worker.js';
import { valueLength } from './workers/frames.js';

const W = 'test/shm/workers/board-worker.ts';

describe('board', () => {
  it('concurrent writer and readers never observe a torn value and end on the latest values', async () => {
    const slots = 3;
    const sab = new ShmLayout([boardSpec('tob', slots, 8 + 4 * 199), countersSpec('ctl', 1)]).create();
    const map = ShmMap.attach(sab);
    const base = { sab, board: 'tob', counters: 'ctl', writes: 300_000 };
    const readers = [0, 1].map(() => startWorker<BoardWorkerResult>(W, { ...base, role: 'reader' } satisfies BoardWorkerOptions));
    const writer = startWorker<BoardWorkerResult>(W, { ...base, role: 'writer' } satisfies BoardWorkerOptions);
    try {
      const [w, ...rs] = await Promise.all([writer.next(), ...readers.map((r) => r.next())]);
      for (const r of rs) {
        expect(r.kind).toBe('reader');
        if (r.kind !== 'reader') throw new Error('unreachable');
        expect(r.distinct).toBeGreaterThan(0);
      }
      if (w.kind !== 'writer') throw new Error(JSON.stringify(w));
      // The main thread reads the latest value of every slot.
      const r = BoardReader.attach(map, 'tob');
      const dst = new Uint8Array(r.slotBytes);
      const d32 = new Int32Array(dst.buffer);
      for (let s = 0; s < slots; s++) {
        const k = w.last[s]!;
        expect(r.read(s, dst)).toBe(valueLength(k));
        expect([...d32.subarray(0, valueLength(k) >> 2)].every((x) => x === k)).toBe(true);
        expect(r.version(s) % 2).toBe(0);
      }
      // 300,000 writes spread over 3 slots: each slot went through 100,000 versions of 2 steps.
      expect(r.version(0) + r.version(1) + r.version(2)).toBe(2 * 300_000);
    } finally {
      await Promise.all([writer.kill(), ...readers.map((r) => r.kill())]);
    }
  });

  it('single thread: 0 before the first write, latest value after, odd version while writing', () => {
    const sab = new ShmLayout([boardSpec('b', 4, 40)]).create();
    const map = ShmMap.attach(sab);
    const w = BoardWriter.attach(map, 'b');
    const r = BoardReader.attach(map, 'b');
    const dst = new Uint8Array(64);
    expect(r.read(2, dst)).toBe(0);
    expect(r.version(2)).toBe(0);
    w.write(2, new Uint8Array([1, 2, 3, 4, 5]), 1, 4);
    expect(r.read(2, dst)).toBe(3);
    expect([...dst.subarray(0, 3)]).toEqual([2, 3, 4]);
    const src = new Uint8Array(44).map((_, i) => i);
    w.write(2, src, 4, 44); // 40 bytes, word-aligned copy path
    expect(r.read(2, dst)).toBe(40);
    expect([...dst.subarray(0, 40)]).toEqual([...src.subarray(4, 44)]);
    expect(r.version(2)).toBe(4);
    const off = w.begin(1, 4);
    expect(r.version(1)).toBe(1); // mid-write: readers retry, and never hang on it
    expect(r.tryRead(1, dst)).toBe(-1);
    const patient = BoardReader.attach(map, 'b', { maxRetries: 50 });
    expect(patient.read(1, dst)).toBe(-1);
    expect(patient.retries).toBe(50);
    w.u8.set([9, 9, 9, 9], off);
    w.end(1);
    expect(r.read(1, dst)).toBe(4);
    expect(patient.read(1, dst)).toBe(4);
    expect([...dst.subarray(0, 4)]).toEqual([9, 9, 9, 9]);
    expect(r.retries).toBe(0);
    expect(() => w.begin(4)).toThrowError(expect.objectContaining({ code: 'SHM_BAD_SLOT' }));
    expect(() => w.begin(0, 41)).toThrowError(expect.objectContaining({ code: 'SHM_BAD_SLOT' }));
    expect(() => r.read(-1, dst)).toThrowError(expect.objectContaining({ code: 'SHM_BAD_SLOT' }));
    expect(() => r.read(2, new Uint8Array(8))).toThrowError(expect.objectContaining({ code: 'SHM_DST_TOO_SMALL' }));
  });

  it('a writer that died mid-write leaves the slot odd; the next writer publishes it empty', () => {
    const sab = new ShmLayout([boardSpec('b', 2, 16)]).create();
    const map = ShmMap.attach(sab);
    const w = BoardWriter.attach(map, 'b');
    w.write(0, new Uint8Array(16).fill(3), 0, 16);
    w.begin(0, 16); // dies here
    const r = BoardReader.attach(map, 'b');
    expect(r.version(0) % 2).toBe(1);
    expect(BoardReader.attach(map, 'b', { maxRetries: 10 }).read(0, new Uint8Array(16))).toBe(-1);
    BoardWriter.attach(map, 'b');
    expect(r.version(0) % 2).toBe(0);
    expect(r.read(0, new Uint8Array(16))).toBe(0);
    // Slot strides are whole cache lines.
    expect((BOARD_HEADER_BYTES + 0) % 64).toBe(0);
  });
});
