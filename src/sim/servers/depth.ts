// Depth publication for the simulated venues, independent of any wire format: turns the
// matching engine's book into the venue-style sequence of diff events with update ids, and into
// depth-limited snapshots.
//
// Update ids: the matching engine's `updateId` grows by exactly 1 per operation that changed its
// book, so it is the venue's update id (Binance `u`, OKX `seqId` plus an offset). A DiffStream
// publishes, at each flush, the net change of its view since its previous event:
//   U = previous u + 1, u = engine.updateId, pu (prevSeqId) = previous u,
// with the final quantity of every level that changed at any point of the interval (0 = removed),
// even one whose final quantity equals its quantity at the previous event: a level added and
// removed inside one interval is printed as removed. (Printing only the net change would break a
// REST snapshot taken inside the interval: it may hold such a level, and nothing would remove it.)
//
// Invariants:
// - Applying the events of a stream, in order, to the stream's view at any event boundary gives
//   exactly the engine's book (limited to `depth` levels per side) at the event's `u`.
// - A REST snapshot taken at engine id L is consistent with every stream: events with u <= L are
//   contained in it, the next event has U <= L + 1 (Binance spot), U <= L <= u or pu == L
//   (USD-M), prevSeqId <= L < seqId (OKX); absolute quantities make the overlap harmless.
// - A view limited to `depth` levels (OKX `books`: 400) prints a level leaving the top-N as a
//   removal and one entering it as an insert, so a client's book always equals the top-N view.
import type { BookSnapshot, MatchingEngine } from '../matching.js';

export interface DepthEvent {
  /** First update id covered (previous u + 1). */
  readonly U: number;
  /** Last update id covered (the engine's id at the flush). */
  readonly u: number;
  /** The previous event's u (Binance USD-M `pu`, OKX `prevSeqId`). */
  readonly pu: number;
  /** Changed levels [priceTicks, qtyLots], bids best (highest) first, asks best (lowest) first. */
  readonly bids: [number, number][];
  readonly asks: [number, number][];
}

export class DiffStream {
  /** The u of the last event (or the id the stream started from). */
  lastId: number;
  private bids: Map<number, number>;
  private asks: Map<number, number>;
  /** Prices of levels any operation changed since the last event. */
  private readonly touchedBids = new Set<number>();
  private readonly touchedAsks = new Set<number>();
  /** Events produced (flushes with a change of id). */
  events = 0;

  constructor(
    readonly engine: MatchingEngine,
    readonly depth: number = Infinity,
  ) {
    const s = engine.snapshot(depth);
    this.lastId = s.updateId;
    this.bids = new Map(s.bids);
    this.asks = new Map(s.asks);
    engine.onLevelChanges((changes) => {
      for (const c of changes) (c.side === 'buy' ? this.touchedBids : this.touchedAsks).add(c.priceTicks);
    });
  }

  /** True when the engine moved since the last event. */
  get dirty(): boolean {
    return this.engine.updateId !== this.lastId;
  }

  /** The net change since the last event, or null when the engine's id has not moved. */
  next(): DepthEvent | null {
    if (!this.dirty) return null;
    const s = this.engine.snapshot(this.depth);
    const bids = diffSide(this.bids, s.bids, true, this.touchedBids, this.depth);
    const asks = diffSide(this.asks, s.asks, false, this.touchedAsks, this.depth);
    this.touchedBids.clear();
    this.touchedAsks.clear();
    this.bids = new Map(s.bids);
    this.asks = new Map(s.asks);
    const ev: DepthEvent = { U: this.lastId + 1, u: s.updateId, pu: this.lastId, bids, asks };
    this.lastId = s.updateId;
    this.events++;
    return ev;
  }

  /** The stream's current view (as of `lastId`), best first. */
  view(): BookSnapshot {
    return {
      updateId: this.lastId,
      bids: [...this.bids.entries()].sort((a, b) => b[0] - a[0]),
      asks: [...this.asks.entries()].sort((a, b) => a[0] - b[0]),
    };
  }
}

/**
 * Levels of `next` whose quantity differs from `prev` or that an operation touched (final
 * quantity), and levels of `prev` gone from `next` (0). A level touched and gone again inside the
 * interval is printed as removed when the view could hold it: always for a full-book view, and
 * for a depth-limited view that is full only when it is better than the view's worst level.
 */
function diffSide(prev: Map<number, number>, next: readonly [number, number][], isBid: boolean, touched: ReadonlySet<number>, depth: number): [number, number][] {
  const out: [number, number][] = [];
  const seen = new Set<number>();
  for (const [px, q] of next) {
    seen.add(px);
    if (prev.get(px) !== q || touched.has(px)) out.push([px, q]);
  }
  for (const px of prev.keys()) if (!seen.has(px)) out.push([px, 0]);
  const worst = next.length >= depth ? next[next.length - 1]![0] : NaN;
  for (const px of touched) {
    if (seen.has(px) || prev.has(px)) continue;
    if (worst === worst && (isBid ? px < worst : px > worst)) continue;
    out.push([px, 0]);
  }
  out.sort(isBid ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
  return out;
}

/** Top-N levels compared with the previously sent ones (partial-depth, books5, bbo channels). */
export class TopNTracker {
  private last = '';
  private lastId = -1;

  constructor(
    readonly engine: MatchingEngine,
    readonly n: number,
  ) {}

  /** The current top-N if it changed since the last call that returned one (or `force`), else null. */
  next(force = false): BookSnapshot | null {
    if (!force && this.engine.updateId === this.lastId) return null;
    const s = this.engine.snapshot(this.n);
    const key = JSON.stringify([s.bids, s.asks]);
    this.lastId = s.updateId;
    if (!force && key === this.last) return null;
    this.last = key;
    return s;
  }
}

/** Best bid / ask with quantities, or null values when a side is empty. */
export interface TopOfBook {
  readonly bidPx: number;
  readonly bidQty: number;
  readonly askPx: number;
  readonly askQty: number;
}

export function topOfBook(e: MatchingEngine): TopOfBook {
  const bidPx = e.bestBid();
  const askPx = e.bestAsk();
  return {
    bidPx, askPx,
    bidQty: Number.isNaN(bidPx) ? 0 : e.levelQty('buy', bidPx),
    askQty: Number.isNaN(askPx) ? 0 : e.levelQty('sell', askPx),
  };
}

export function sameTop(a: TopOfBook | null, b: TopOfBook): boolean {
  return a !== null && Object.is(a.bidPx, b.bidPx) && Object.is(a.askPx, b.askPx) && a.bidQty === b.bidQty && a.askQty === b.askQty;
}
