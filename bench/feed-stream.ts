// Deterministic depth streams for the `feed` benchmark (bench/feed.ts): a seeded model of one
// instrument's book (integer ticks and lots) that produces a snapshot and then incremental
// messages of N changed levels per side, and two encoders that turn them into the exact bytes a
// venue sends:
//   - Binance spot `<sym>@depth@100ms` diff events (raw stream form, `U`/`u` chain, ids > 2^32,
//     prices and quantities as fixed 8-decimal strings like "64000.01000000") plus the REST
//     `GET /api/v3/depth` snapshot body;
//   - OKX v5 `books` pushes (a WS `snapshot` then `update`s, 4-field levels, seqId/prevSeqId
//     chain with ids > 2^32, checksum 0, trimmed decimals like "64000.1").
// The model also records reference books (top levels and level counts) at requested frame
// indices, so every implementation under test can be checked against the ground truth.
//
// Shape of the changes (per side, per message; all prices distinct within a side):
// - the level is picked by depth from the best: 35% depth 0-2, 30% 3-9, 20% 10-49, 10% 50-299,
//   5% deeper (or the whole book when it is smaller);
// - 60% change the quantity of that level, 20% insert a new level next to it (at depth 0: a new
//   best inside the spread), 20% delete it (qty 0); a side drifting more than 3% away from its
//   snapshot size turns deletes into inserts or the reverse, so book sizes stay stable;
// - a bid is never inserted at or above the best ask and an ask never at or below the best bid,
//   so the book after every message is uncrossed (bids are generated before asks; a message
//   may delete an ask and insert a bid at that price, as real diffs do when the price moves).
//
// Invariants: the same parameters give the same bytes (only the seeded src/sim Rng is used, no
// Math.random, no clocks); frames are views into a few large Buffers allocated up front, each
// frame its own Buffer object as `ws` delivers it; decimal strings are formatted here from the
// integers with string arithmetic only (independent of src/core/decimal.ts, which parses them).
import { Rng } from '../src/sim/rng.js';

/** One changed level: price in ticks, quantity in lots (0 = delete). */
export interface Level {
  px: number;
  qty: number;
}

/** A reference book: best-first [ticks, lots] pairs (up to the requested depth) and level counts. */
export interface BookRef {
  bids: [number, number][];
  asks: [number, number][];
  bidCount: number;
  askCount: number;
}

export interface ModelParams {
  readonly seed: number;
  /** Levels per side in the snapshot (the book stays within +-3% of this). */
  readonly levels: number;
  /** Changed levels per side per message. */
  readonly changesPerSide: number;
  /** Best bid of the snapshot, in ticks; the best ask is one to three ticks above. */
  readonly bestBidTicks: number;
  /** Largest quantity of a level, in lots. */
  readonly maxLots: number;
}

class SideModel {
  /** Prices in ticks, best first. */
  readonly px: number[] = [];
  readonly qty = new Map<number, number>();

  constructor(readonly isBid: boolean) {}

  get count(): number {
    return this.px.length;
  }

  insertAt(d: number, p: number, q: number): void {
    this.px.splice(d, 0, p);
    this.qty.set(p, q);
  }

  removeAt(d: number): void {
    const p = this.px[d]!;
    this.px.splice(d, 1);
    this.qty.delete(p);
  }

  top(n: number): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < n && i < this.px.length; i++) out.push([this.px[i]!, this.qty.get(this.px[i]!)!]);
    return out;
  }
}

const OP_CHANGE = 0;
const OP_INSERT = 1;
const OP_DELETE = 2;

/** The seeded book model. */
export class DepthModel {
  readonly bids = new SideModel(true);
  readonly asks = new SideModel(false);
  private readonly rng: Rng;

  constructor(readonly p: ModelParams) {
    if (!(p.levels >= 10) || !(p.changesPerSide >= 1) || p.changesPerSide * 4 > p.levels) {
      throw new RangeError('feed stream: need levels >= 10 and changesPerSide <= levels / 4');
    }
    this.rng = new Rng(p.seed);
    let b = p.bestBidTicks;
    let a = b + this.rng.int(1, 3);
    for (let i = 0; i < p.levels; i++) {
      this.bids.insertAt(i, b, this.lots());
      this.asks.insertAt(i, a, this.lots());
      b -= this.rng.int(1, 3);
      a += this.rng.int(1, 3);
    }
  }

  /** The current book as best-first levels (for snapshots). */
  levels(side: 'bids' | 'asks'): Level[] {
    const s = side === 'bids' ? this.bids : this.asks;
    return s.px.map((px) => ({ px, qty: s.qty.get(px)! }));
  }

  ref(depth: number): BookRef {
    return { bids: this.bids.top(depth), asks: this.asks.top(depth), bidCount: this.bids.count, askCount: this.asks.count };
  }

  /** Generates the next message: changed levels per side, best first, and applies them to the model. */
  next(): { bids: Level[]; asks: Level[] } {
    const bids = this.side(this.bids, this.asks);
    const asks = this.side(this.asks, this.bids);
    bids.sort((x, y) => y.px - x.px);
    asks.sort((x, y) => x.px - y.px);
    return { bids, asks };
  }

  private lots(): number {
    const caps = [10, 100, 1000, 10000, this.p.maxLots];
    return this.rng.int(1, Math.min(this.p.maxLots, caps[this.rng.int(0, caps.length - 1)]!));
  }

  private depth(n: number): number {
    const r = this.rng.next();
    let lo: number;
    let hi: number;
    if (r < 0.35) [lo, hi] = [0, 2];
    else if (r < 0.65) [lo, hi] = [3, 9];
    else if (r < 0.85) [lo, hi] = [10, 49];
    else if (r < 0.95) [lo, hi] = [50, 299];
    else [lo, hi] = [300, n - 1];
    if (hi > n - 1) hi = n - 1;
    if (lo > hi) lo = 0;
    return this.rng.int(lo, hi);
  }

  private side(s: SideModel, other: SideModel): Level[] {
    const out: Level[] = [];
    const touched = new Set<number>();
    const target = this.p.levels;
    const slack = Math.max(2, Math.floor(target * 0.03));
    for (let k = 0; k < this.p.changesPerSide; k++) {
      let done = false;
      for (let attempt = 0; attempt < 200 && !done; attempt++) {
        const d = this.depth(s.count);
        const r = this.rng.next();
        let op = r < 0.6 ? OP_CHANGE : r < 0.8 ? OP_INSERT : OP_DELETE;
        if (op === OP_DELETE && s.count < target - slack) op = OP_INSERT;
        else if (op === OP_INSERT && s.count > target + slack) op = OP_DELETE;
        if (op === OP_CHANGE || op === OP_DELETE) {
          const px = s.px[d]!;
          if (touched.has(px)) continue;
          if (op === OP_CHANGE) {
            const old = s.qty.get(px)!;
            let q = this.lots();
            if (q === old) q = old === 1 ? 2 : old - 1;
            s.qty.set(px, q);
            out.push({ px, qty: q });
          } else {
            s.removeAt(d);
            out.push({ px, qty: 0 });
          }
          touched.add(px);
          done = true;
          continue;
        }
        // insert next to depth d
        const px = this.insertPrice(s, other, d);
        if (px < 0 || touched.has(px) || s.qty.has(px)) continue;
        let at = d;
        // keep best-first order: find the slot (d is a hint; the price decides)
        while (at > 0 && (s.isBid ? s.px[at - 1]! < px : s.px[at - 1]! > px)) at--;
        while (at < s.count && (s.isBid ? s.px[at]! > px : s.px[at]! < px)) at++;
        const q = this.lots();
        s.insertAt(at, px, q);
        out.push({ px, qty: q });
        touched.add(px);
        done = true;
      }
      if (!done) throw new Error('feed stream: could not generate a change (model stuck)');
    }
    return out;
  }

  /** A free price for an insert at depth d, or -1 when there is no room there. */
  private insertPrice(s: SideModel, other: SideModel, d: number): number {
    const rng = this.rng;
    if (d === 0) {
      // a new best inside the spread, never crossing the other side
      const best = s.px[0]!;
      const opp = other.px[0]!;
      if (s.isBid) {
        const lo = best + 1;
        const hi = Math.min(opp - 1, best + 2);
        return lo <= hi ? rng.int(lo, hi) : -1;
      }
      const hi = best - 1;
      const lo = Math.max(opp + 1, best - 2);
      return lo <= hi ? rng.int(lo, hi) : -1;
    }
    if (d === s.count - 1 && rng.chance(0.5)) {
      // a new worst level (the book's far end moves too)
      const worst = s.px[s.count - 1]!;
      const p = s.isBid ? worst - rng.int(1, 3) : worst + rng.int(1, 3);
      return p > 0 ? p : -1;
    }
    const a = s.px[d - 1]!;
    const b = s.px[d]!;
    const lo = Math.min(a, b) + 1;
    const hi = Math.max(a, b) - 1;
    return lo <= hi ? rng.int(lo, hi) : -1;
  }
}

// ---------------------------------------------------------------------------------------------
// Decimal formatting from integers (string arithmetic only)

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** units at scale 10^-decimals, with exactly `shown` fractional digits (>= decimals, zero-padded). */
export function fixedDecimal(units: number, decimals: number, shown: number): string {
  const p = 10 ** decimals;
  const whole = Math.floor(units / p);
  const frac = units - whole * p;
  if (shown === 0) return String(whole);
  return `${whole}.${pad(frac, decimals)}${'0'.repeat(shown - decimals)}`;
}

/** units at scale 10^-decimals without trailing fractional zeros ("64000.1", "64000", "0.0015"). */
export function trimmedDecimal(units: number, decimals: number): string {
  const p = 10 ** decimals;
  const whole = Math.floor(units / p);
  const frac = units - whole * p;
  if (frac === 0) return String(whole);
  let f = pad(frac, decimals);
  let e = f.length;
  while (e > 0 && f.charCodeAt(e - 1) === 48) e--;
  f = f.slice(0, e);
  return `${whole}.${f}`;
}

// ---------------------------------------------------------------------------------------------
// Frame storage: frames are views into large chunks, written once.

class FrameWriter {
  readonly frames: Buffer[] = [];
  bytes = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private used = 0;

  add(text: string): void {
    const n = text.length; // ASCII only
    if (this.used + n > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(Math.max(8 << 20, n));
      this.used = 0;
    }
    const w = this.chunk.write(text, this.used, 'latin1');
    if (w !== n) throw new Error('feed stream: frame not ASCII');
    this.frames.push(this.chunk.subarray(this.used, this.used + n));
    this.used += n;
    this.bytes += n;
  }
}

/** An encoded stream: frames[0] is the bootstrap frame, frames[1..] the measured updates. */
export interface EncodedStream {
  readonly venue: 'binance-spot' | 'okx';
  readonly symbol: string;
  readonly tickSize: string;
  readonly lotSize: string;
  /** Binance: the REST depth snapshot body (taken after frame 0: `lastUpdateId` = frame 0's u). OKX: null. */
  readonly snapshotBody: Buffer | null;
  /**
   * Binance: frames[0] is the first diff event (buffered, then dropped: the snapshot covers it); OKX:
   * frames[0] is the WS `snapshot` push. Every later frame is one incremental update.
   */
  readonly frames: Buffer[];
  /** Total bytes of all frames. */
  readonly bytes: number;
  /** Reference book after frame k (for every k in the requested checkpoints). */
  readonly refs: Map<number, BookRef>;
  /** Venue id of the last frame (Binance u, OKX seqId). */
  readonly lastId: number;
  /** Id of the bootstrap (Binance snapshot lastUpdateId, OKX snapshot seqId). */
  readonly firstId: number;
  readonly levelsPerSide: number;
}

export interface StreamOptions {
  readonly seed: number;
  readonly levels: number;
  readonly changesPerSide: number;
  /** Incremental frames after the bootstrap frame. */
  readonly updates: number;
  /** Frame indices after which to record the reference book (0 = after the bootstrap frame). */
  readonly checkpoints: readonly number[];
  /** Depth of the recorded reference books. */
  readonly refDepth: number;
}

/**
 * Binance spot BTCUSDT (tick 0.01, lot 0.00001): REST snapshot + `depthUpdate` events.
 * frames.length = updates + 1.
 */
export function binanceSpotStream(o: StreamOptions): EncodedStream {
  const model = new DepthModel({ seed: o.seed, levels: o.levels, changesPerSide: o.changesPerSide, bestBidTicks: 6_400_000, maxLots: 200_000 });
  const px = (t: number): string => fixedDecimal(t, 2, 8);
  const qty = (l: number): string => fixedDecimal(l, 5, 8);
  const side = (ls: Level[]): string => ls.map((l) => `["${px(l.px)}","${qty(l.qty)}"]`).join(',');
  // Binance spot rule 4: a snapshot older than the first buffered event is refused, so (as on
  // the live venue, where the REST call returns after the first event was buffered) the snapshot
  // is taken just after frame 0: lastUpdateId = frame 0's u, so frame 0 is dropped by rule 5 and
  // frame 1 (U = lastUpdateId + 1) is the first event applied.
  const w = new FrameWriter();
  const refs = new Map<number, BookRef>();
  const want = new Set(o.checkpoints);
  const idRng = new Rng(o.seed ^ 0x5bd1e995);
  let u = 71_234_567_890; // > 2^32, as on BTCUSDT spot
  let eventMs = 1_763_700_000_000;
  let snapshotId = -1;
  let snapshotBody: Buffer | null = null;
  for (let k = 0; k <= o.updates; k++) {
    const m = model.next();
    const U = u + 1;
    u = U + idRng.int(0, 40); // one 100 ms diff aggregates many engine updates
    eventMs += 100;
    w.add(`{"e":"depthUpdate","E":${eventMs},"s":"BTCUSDT","U":${U},"u":${u},"b":[${side(m.bids)}],"a":[${side(m.asks)}]}`);
    if (k === 0) {
      snapshotId = u;
      snapshotBody = Buffer.from(`{"lastUpdateId":${snapshotId},"bids":[${side(model.levels('bids'))}],"asks":[${side(model.levels('asks'))}]}`, 'latin1');
    }
    if (want.has(k)) refs.set(k, model.ref(o.refDepth));
  }
  return {
    venue: 'binance-spot',
    symbol: 'BTCUSDT',
    tickSize: '0.01',
    lotSize: '0.00001',
    snapshotBody,
    frames: w.frames,
    bytes: w.bytes,
    refs,
    lastId: u,
    firstId: snapshotId,
    levelsPerSide: o.levels,
  };
}

/**
 * OKX BTC-USDT spot `books` (tick 0.1, lot 0.00000001): a WS snapshot push, then updates.
 * frames.length = updates + 1.
 */
export function okxBooksStream(o: StreamOptions): EncodedStream {
  const model = new DepthModel({ seed: o.seed, levels: o.levels, changesPerSide: o.changesPerSide, bestBidTicks: 640_000, maxLots: 200_000_000 });
  const orders = new Rng(o.seed ^ 0x27d4eb2f);
  const lvl = (l: Level): string =>
    l.qty === 0 ? `["${trimmedDecimal(l.px, 1)}","0","0","0"]` : `["${trimmedDecimal(l.px, 1)}","${trimmedDecimal(l.qty, 8)}","0","${orders.int(1, 30)}"]`;
  const side = (ls: Level[]): string => ls.map(lvl).join(',');
  const head = '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":';
  const w = new FrameWriter();
  const refs = new Map<number, BookRef>();
  const want = new Set(o.checkpoints);
  const idRng = new Rng(o.seed ^ 0x68e31da4);
  let seq = 18_000_000_000; // > 2^32
  const firstId = seq;
  let ts = 1_763_700_000_000;
  w.add(`${head}"snapshot","data":[{"asks":[${side(model.levels('asks'))}],"bids":[${side(model.levels('bids'))}],"ts":"${ts}","checksum":0,"prevSeqId":-1,"seqId":${seq}}]}`);
  if (want.has(0)) refs.set(0, model.ref(o.refDepth));
  for (let k = 1; k <= o.updates; k++) {
    const m = model.next();
    const prev = seq;
    seq = prev + idRng.int(1, 40);
    ts += idRng.int(5, 100);
    w.add(`${head}"update","data":[{"asks":[${side(m.asks)}],"bids":[${side(m.bids)}],"ts":"${ts}","checksum":0,"prevSeqId":${prev},"seqId":${seq}}]}`);
    if (want.has(k)) refs.set(k, model.ref(o.refDepth));
  }
  return {
    venue: 'okx',
    symbol: 'BTC-USDT',
    tickSize: '0.1',
    lotSize: '0.00000001',
    snapshotBody: null,
    frames: w.frames,
    bytes: w.bytes,
    refs,
    lastId: seq,
    firstId,
    levelsPerSide: o.levels,
  };
}
