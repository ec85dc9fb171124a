// The local order book of one instrument: integer price ticks and integer quantity lots.
//
// Data structure: each side is a pair of parallel Float64Arrays (key, qty) sorted by key in
// strictly ascending order with the BEST level at the END. Bids use key = price (highest = best =
// last); asks use key = -price (lowest price = best = last). So both sides share one code path,
// and the common case (changes near the top of the book) shifts only the few elements above the
// changed level. Lookups probe the last 8 levels linearly, then binary-search the rest.
//
// Invariants (checked by `checkInvariants`, used in tests):
// - 0 <= count <= capacity; keys[0..count) strictly ascending (no duplicate prices);
// - every stored qty is > 0 (a set with qty <= 0 deletes the level; deleting an absent level is
//   a no-op, which Binance documents as normal);
// - prices and quantities are integers (ticks, lots) held exactly in doubles;
// - no allocation on apply/read paths; arrays grow (doubling) only when a side exceeds its
//   capacity, which a sized book never does in steady state;
// - `updateId` is whatever the owner (a venue sync machine) last stored; the book never
//   interprets it.
// `isCrossed()` is true when both sides are non-empty and best bid >= best ask.
import type { DepthUpdate } from '../venues/types.js';

const PROBE = 8;
/** Shifts of at most this many levels use a JS loop (cheaper than a copyWithin runtime call). */
const SMALL_SHIFT = 32;

/** One side of a book. Index 0 of the "top" view is the best level. */
export class BookSide {
  /** Sorting keys: price for bids, -price for asks. Ascending; best at keys[count - 1]. */
  keys: Float64Array;
  qtys: Float64Array;
  count = 0;
  private readonly scratch = new Float64Array(2);
  /** +1 for bids, -1 for asks: price = key * sign. */
  readonly sign: 1 | -1;

  constructor(
    readonly isBid: boolean,
    capacity = 256,
  ) {
    this.sign = isBid ? 1 : -1;
    const cap = Math.max(4, capacity | 0);
    this.keys = new Float64Array(cap);
    this.qtys = new Float64Array(cap);
  }

  clear(): void {
    this.count = 0;
  }

  /** Index of the level with this key if present, else -(insertionPoint) - 1. */
  private find(key: number): number {
    const keys = this.keys;
    const n = this.count;
    const lo0 = n > PROBE ? n - PROBE : 0;
    for (let j = n - 1; j >= lo0; j--) {
      const k = keys[j]!;
      if (k === key) return j;
      if (k < key) return -(j + 1) - 1;
    }
    // key < keys[lo0]: binary search in [0, lo0)
    let lo = 0;
    let hi = lo0; // exclusive
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid]!;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid;
      else return mid;
    }
    return -lo - 1;
  }

  /** Sets the absolute quantity at a price; qty <= 0 removes the level. */
  set(px: number, qty: number): void {
    const sc = this.scratch;
    sc[0] = px;
    sc[1] = qty;
    this.setFrom(sc, sc, 0, 1);
  }

  /**
   * The hot-path form of `set`: applies level (pxs[i], qtys[j]). Values are read from typed
   * arrays inside the call because passing a double beyond the Smi range (a price of 6.4e12
   * ticks, 4.3e10 lots) as an argument to a non-inlined function boxes it on every call.
   */
  setFrom(pxs: Float64Array, qtys: Float64Array, i: number, j: number): void {
    const key = pxs[i]! * this.sign;
    const qty = qtys[j]!;
    const keys = this.keys;
    const n = this.count;
    // find: probe the top PROBE levels from the best end, then binary-search the rest
    let idx = -1;
    let at = 0;
    const lo0 = n > PROBE ? n - PROBE : 0;
    let found = false;
    let j2 = n - 1;
    for (; j2 >= lo0; j2--) {
      const k = keys[j2]!;
      if (k === key) {
        idx = j2;
        found = true;
        break;
      }
      if (k < key) {
        at = j2 + 1;
        found = true;
        break;
      }
    }
    if (!found) {
      let lo = 0;
      let hi = lo0;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const k = keys[mid]!;
        if (k < key) lo = mid + 1;
        else if (k > key) hi = mid;
        else {
          idx = mid;
          break;
        }
      }
      at = lo;
    }
    if (idx >= 0) {
      if (qty > 0) this.qtys[idx] = qty;
      else this.removeAt(idx);
      return;
    }
    if (!(qty > 0)) return;
    this.insertAt(at, key, qty);
  }

  private removeAt(i: number): void {
    const n = this.count;
    const keys = this.keys;
    const qtys = this.qtys;
    if (n - 1 - i <= SMALL_SHIFT) {
      for (let j = i; j < n - 1; j++) {
        keys[j] = keys[j + 1]!;
        qtys[j] = qtys[j + 1]!;
      }
    } else {
      keys.copyWithin(i, i + 1, n);
      qtys.copyWithin(i, i + 1, n);
    }
    this.count = n - 1;
  }

  private insertAt(at: number, key: number, qty: number): void {
    const n = this.count;
    if (n === this.keys.length) this.grow();
    const keys = this.keys;
    const qtys = this.qtys;
    if (n - at <= SMALL_SHIFT) {
      for (let j = n; j > at; j--) {
        keys[j] = keys[j - 1]!;
        qtys[j] = qtys[j - 1]!;
      }
    } else {
      keys.copyWithin(at + 1, at, n);
      qtys.copyWithin(at + 1, at, n);
    }
    keys[at] = key;
    qtys[at] = qty;
    this.count = n + 1;
  }

  /** Quantity at a price (0 when absent). */
  qtyAt(px: number): number {
    const i = this.find(px * this.sign);
    return i >= 0 ? this.qtys[i]! : 0;
  }

  /** Best price, or NaN when empty. */
  bestPx(): number {
    return this.count > 0 ? this.keys[this.count - 1]! * this.sign : NaN;
  }

  /** Quantity at the best price, or 0 when empty. */
  bestQty(): number {
    return this.count > 0 ? this.qtys[this.count - 1]! : 0;
  }

  /** Price of the level `depth` steps from the best (0 = best); NaN beyond the book. */
  pxAtDepth(depth: number): number {
    const i = this.count - 1 - depth;
    return i >= 0 && depth >= 0 ? this.keys[i]! * this.sign : NaN;
  }

  /** Quantity of the level `depth` steps from the best (0 = best); 0 beyond the book. */
  qtyAtDepth(depth: number): number {
    const i = this.count - 1 - depth;
    return i >= 0 && depth >= 0 ? this.qtys[i]! : 0;
  }

  /**
   * Copies up to `n` best levels, best first, into caller-provided arrays (from index `offset`).
   * Returns the number of levels written. No allocation.
   */
  top(n: number, pxOut: Float64Array, qtyOut: Float64Array, offset = 0): number {
    let m = n < this.count ? n : this.count;
    const room = Math.min(pxOut.length, qtyOut.length) - offset;
    if (m > room) m = room > 0 ? room : 0;
    const keys = this.keys;
    const qtys = this.qtys;
    const sign = this.sign;
    let j = this.count - 1;
    for (let k = 0; k < m; k++, j--) {
      pxOut[offset + k] = keys[j]! * sign;
      qtyOut[offset + k] = qtys[j]!;
    }
    return m;
  }

  /**
   * Replaces the side with the given levels (any order; qty <= 0 entries are skipped; on a
   * duplicate price the later entry wins). Fast path for best-first or worst-first sorted input.
   */
  load(px: Float64Array, qty: Float64Array, count: number): void {
    this.count = 0;
    if (count <= 0) return;
    const sign = this.sign;
    let desc = true; // keys strictly descending in input order = best first (venue order)
    let asc = true;
    for (let i = 1; i < count; i++) {
      const a = px[i - 1]! * sign;
      const b = px[i]! * sign;
      if (!(a > b)) desc = false;
      if (!(a < b)) asc = false;
      if (!desc && !asc) break;
    }
    if (desc || asc) {
      while (this.keys.length < count) this.grow();
      let n = 0;
      if (desc) {
        for (let i = count - 1; i >= 0; i--) {
          const q = qty[i]!;
          if (q > 0) {
            this.keys[n] = px[i]! * sign;
            this.qtys[n] = q;
            n++;
          }
        }
      } else {
        for (let i = 0; i < count; i++) {
          const q = qty[i]!;
          if (q > 0) {
            this.keys[n] = px[i]! * sign;
            this.qtys[n] = q;
            n++;
          }
        }
      }
      this.count = n;
      return;
    }
    for (let i = 0; i < count; i++) this.setFrom(px, qty, i, i);
  }

  /** Sum of quantities of all levels (test / diagnostics helper). */
  totalQty(): number {
    let s = 0;
    for (let i = 0; i < this.count; i++) s += this.qtys[i]!;
    return s;
  }

  /** Levels best first as [price, qty] pairs. Allocates: tests, replay output, diagnostics only. */
  toArray(limit = Infinity): [number, number][] {
    const out: [number, number][] = [];
    for (let j = this.count - 1; j >= 0 && out.length < limit; j--) out.push([this.keys[j]! * this.sign, this.qtys[j]!]);
    return out;
  }

  /** Throws if an invariant is broken (tests). */
  checkInvariants(): void {
    if (this.count < 0 || this.count > this.keys.length) throw new Error(`book side: bad count ${this.count}`);
    for (let i = 0; i < this.count; i++) {
      const k = this.keys[i]!;
      const q = this.qtys[i]!;
      if (!Number.isInteger(k) || !Number.isInteger(q)) throw new Error(`book side: non-integer level at ${i}: ${k} ${q}`);
      if (!(q > 0)) throw new Error(`book side: non-positive qty at ${i}: ${q}`);
      if (i > 0 && !(this.keys[i - 1]! < k)) throw new Error(`book side: keys not strictly ascending at ${i}`);
    }
  }

  private grow(): void {
    const cap = this.keys.length * 2;
    const k = new Float64Array(cap);
    k.set(this.keys.subarray(0, this.count));
    const q = new Float64Array(cap);
    q.set(this.qtys.subarray(0, this.count));
    this.keys = k;
    this.qtys = q;
  }
}

/** Both sides of one instrument's book, plus the venue update id the sync machine last applied. */
export class OrderBook {
  readonly bids: BookSide;
  readonly asks: BookSide;
  /** Venue update id of the last applied message (Binance `u`/lastUpdateId, OKX seqId); -1 = none. */
  updateId = -1;
  /** Venue event time of the last applied message (ms), 0 when unknown. */
  eventTimeMs = 0;

  constructor(capacityPerSide = 256) {
    this.bids = new BookSide(true, capacityPerSide);
    this.asks = new BookSide(false, capacityPerSide);
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.updateId = -1;
    this.eventTimeMs = 0;
  }

  setBid(px: number, qty: number): void {
    this.bids.set(px, qty);
  }

  setAsk(px: number, qty: number): void {
    this.asks.set(px, qty);
  }

  /** Applies every level of a delta (absolute quantities; 0 deletes). Does not touch updateId. */
  applyLevels(u: DepthUpdate): void {
    const bids = this.bids;
    const asks = this.asks;
    const bp = u.bidPx;
    const bq = u.bidQty;
    for (let i = 0, n = u.bidCount; i < n; i++) bids.setFrom(bp, bq, i, i);
    const ap = u.askPx;
    const aq = u.askQty;
    for (let i = 0, n = u.askCount; i < n; i++) asks.setFrom(ap, aq, i, i);
  }

  /** Replaces the whole book with a snapshot's levels; sets updateId to its lastId. */
  loadSnapshot(u: DepthUpdate): void {
    this.bids.load(u.bidPx, u.bidQty, u.bidCount);
    this.asks.load(u.askPx, u.askQty, u.askCount);
    this.updateId = u.lastId;
    this.eventTimeMs = u.eventTimeMs;
  }

  bestBidPx(): number {
    return this.bids.bestPx();
  }
  bestBidQty(): number {
    return this.bids.bestQty();
  }
  bestAskPx(): number {
    return this.asks.bestPx();
  }
  bestAskQty(): number {
    return this.asks.bestQty();
  }

  /** Both sides non-empty and best bid >= best ask. */
  isCrossed(): boolean {
    const b = this.bids;
    const a = this.asks;
    if (b.count === 0 || a.count === 0) return false;
    return b.keys[b.count - 1]! >= -a.keys[a.count - 1]!;
  }

  /** Number of levels on both sides. */
  levelCount(): number {
    return this.bids.count + this.asks.count;
  }

  /** Up to n best bids into caller arrays, best first; returns the number written. No allocation. */
  topBids(n: number, px: Float64Array, qty: Float64Array): number {
    return this.bids.top(n, px, qty);
  }
  /** Up to n best asks into caller arrays, best first; returns the number written. No allocation. */
  topAsks(n: number, px: Float64Array, qty: Float64Array): number {
    return this.asks.top(n, px, qty);
  }

  /** True when both books hold exactly the same levels (updateId not compared). */
  equals(other: OrderBook, depth = Infinity): boolean {
    return firstDifference(this, other, depth) === null;
  }

  /** Levels of both sides best first. Allocates: tests and replay output only. */
  toLevels(depth = Infinity): { bids: [number, number][]; asks: [number, number][] } {
    return { bids: this.bids.toArray(depth), asks: this.asks.toArray(depth) };
  }

  checkInvariants(): void {
    this.bids.checkInvariants();
    this.asks.checkInvariants();
  }
}

function sideDifference(name: string, a: BookSide, b: BookSide, depth: number): string | null {
  const na = Math.min(a.count, depth);
  const nb = Math.min(b.count, depth);
  const n = Math.min(na, nb);
  for (let d = 0; d < n; d++) {
    const pa = a.pxAtDepth(d);
    const pb = b.pxAtDepth(d);
    if (pa !== pb) return `${name}[${d}] price ${pa} != ${pb}`;
    const qa = a.qtyAtDepth(d);
    const qb = b.qtyAtDepth(d);
    if (qa !== qb) return `${name}[${d}] @${pa} qty ${qa} != ${qb}`;
  }
  if (na !== nb) return `${name} level count ${na} != ${nb}`;
  return null;
}

/**
 * First difference between two books (best first, up to `depth` levels per side), as a short
 * human-readable string, or null when equal. For tests (simulator book vs ours) and diagnostics.
 */
export function firstDifference(a: OrderBook, b: OrderBook, depth = Infinity): string | null {
  return sideDifference('bids', a.bids, b.bids, depth) ?? sideDifference('asks', a.asks, b.asks, depth);
}
