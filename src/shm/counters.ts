// A 'counters' region: `count` u32 words (heartbeats, statistics) shared between threads. Each
// counter should have a single writer (heartbeat of one actor, a statistic of one ring side);
// readers use Atomics.load. Values wrap modulo 2^32; compare them with `(a - b) >>> 0`.
import { ShmError } from './errors.js';
import type { ShmMap } from './layout.js';

export { countersRegionBytes } from './formats.js';

export class Counters {
  /** Int32 view over the whole SharedArrayBuffer; counter i is at i32[index(i)]. */
  readonly i32: Int32Array;
  readonly count: number;
  readonly name: string;
  private readonly base: number;

  private constructor(map: ShmMap, name: string) {
    const r = map.region(name, 'counters');
    this.name = name;
    this.i32 = new Int32Array(map.sab);
    this.base = r.offset >> 2;
    this.count = r.param;
  }

  static attach(map: ShmMap, name: string): Counters {
    return new Counters(map, name);
  }

  /** Index into `i32` of counter i (for hot loops that store without a call). */
  index(i: number): number {
    if (!(i >= 0 && i < this.count && (i | 0) === i)) {
      throw new ShmError('SHM_BAD_SLOT', `counters '${this.name}': index ${i} out of range (${this.count})`);
    }
    return this.base + i;
  }

  get(i: number): number {
    return Atomics.load(this.i32, this.index(i)) >>> 0;
  }

  set(i: number, v: number): void {
    Atomics.store(this.i32, this.index(i), v | 0);
  }

  /** Atomic add (safe with several writers); returns the new value. */
  add(i: number, d = 1): number {
    return (Atomics.add(this.i32, this.index(i), d | 0) + d) >>> 0;
  }

  /** Single-writer increment: a plain read and an Atomics.store (no locked RMW). */
  bump(i: number): number {
    const k = this.index(i);
    const v = (this.i32[k]! + 1) | 0;
    Atomics.store(this.i32, k, v);
    return v >>> 0;
  }
}
