// Test worker for the board: role 'writer' writes `writes` values, value k into slot k % slots,
// every u32 word of it equal to k and its length a function of k; then sets the 'done' counter.
// Role 'reader' reads all slots until 'done', checking every value it sees is whole (all words
// equal, length matching) and that per slot values never go back in time.
import { parentPort, workerData } from 'node:worker_threads';
import { BoardReader, BoardWriter } from '../../../src/shm/board.js';
import { Counters } from '../../../src/shm/counters.js';
import { ShmMap } from '../../../src/shm/layout.js';
import { valueLength } from './frames.js';

export interface BoardWorkerOptions {
  role: 'writer' | 'reader';
  sab: SharedArrayBuffer;
  board: string;
  counters: string;
  writes: number;
}

export type BoardWorkerResult =
  | { kind: 'writer'; last: number[] }
  | { kind: 'reader'; reads: number; retries: number; distinct: number; stuck: number }
  | { kind: 'error'; message: string };


const o = workerData as BoardWorkerOptions;
const map = ShmMap.attach(o.sab);
const counters = Counters.attach(map, o.counters);

function writer(): void {
  const w = BoardWriter.attach(map, o.board);
  const src = new Uint8Array(w.slotBytes);
  const src32 = new Int32Array(src.buffer);
  const last: number[] = new Array<number>(w.slots).fill(0);
  for (let k = 1; k <= o.writes; k++) {
    const slot = k % w.slots;
    const len = valueLength(k);
    if ((k & 1) === 0) {
      // begin/end with the value written in place
      const off = w.begin(slot, len);
      for (let i = 0; i < len; i += 4) {
        w.u8[off + i] = k & 255;
        w.u8[off + i + 1] = (k >>> 8) & 255;
        w.u8[off + i + 2] = (k >>> 16) & 255;
        w.u8[off + i + 3] = (k >>> 24) & 255;
      }
      w.end(slot);
    } else {
      src32.fill(k, 0, len >> 2);
      w.write(slot, src, 0, len);
    }
    last[slot] = k;
  }
  counters.set(0, 1);
  parentPort!.postMessage({ kind: 'writer', last } satisfies BoardWorkerResult);
}

function reader(): void {
  const r = BoardReader.attach(map, o.board);
  const dst = new Uint8Array(r.slotBytes);
  const d32 = new Int32Array(dst.buffer);
  const seen = new Array<number>(r.slots).fill(0);
  let reads = 0;
  let distinct = 0;
  let stuck = 0;
  let done = false;
  while (!done) {
    done = counters.get(0) === 1; // one more full pass after the writer finished
    for (let s = 0; s < r.slots; s++) {
      const len = r.read(s, dst);
      reads++;
      if (len < 0) {
        stuck++; // the writer was descheduled mid-write for longer than maxRetries: read again
        continue;
      }
      if (len === 0) continue;
      const k = d32[0]!;
      if (len !== valueLength(k)) throw new Error(`slot ${s}: value ${k} has length ${len}, expected ${valueLength(k)}`);
      for (let i = 1; i < len >> 2; i++) {
        if (d32[i] !== k) throw new Error(`slot ${s}: torn value, word 0 = ${k}, word ${i} = ${d32[i]}`);
      }
      if (k % r.slots !== s) throw new Error(`slot ${s}: holds value ${k} of slot ${k % r.slots}`);
      if (k < seen[s]!) throw new Error(`slot ${s}: went back from ${seen[s]} to ${k}`);
      if (k !== seen[s]) distinct++;
      seen[s] = k;
    }
  }
  parentPort!.postMessage({ kind: 'reader', reads, retries: r.retries, distinct, stuck } satisfies BoardWorkerResult);
}

try {
  if (o.role === 'writer') writer();
  else reader();
} catch (e) {
  parentPort!.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies BoardWorkerResult);
}
