// Book tops as the execution machine and the risk checks see them: best bid and ask per
// instrument, when they were last updated (our monotonic clock), the venue's own time of that
// update, and whether the book is in sync with the venue.
//
// `MarketView` is the read interface (the engine actor implements it over the shared-memory
// boards, tests over a `TopsTable`). `TopsTable` is a plain allocation-free implementation.
//
// Invariants:
// - Prices are integer ticks of the instrument; an absent side reads NaN (never 0, which would be
//   a valid-looking price), a never-updated instrument has updatedUs = 0 and is not synced.
// - Reads never allocate; writes never allocate after the table has grown to the largest id.

export interface MarketView {
  /** Best bid in ticks, NaN when the side is empty or unknown. */
  bidTicks(instrument: number): number;
  /** Best ask in ticks, NaN when the side is empty or unknown. */
  askTicks(instrument: number): number;
  /** Lots at the best bid / ask (0 when unknown). */
  bidLots(instrument: number): number;
  askLots(instrument: number): number;
  /** Our monotonic time (µs) of the last update applied to this book; 0 = never. */
  updatedUs(instrument: number): number;
  /** Venue event time (µs since the epoch, venue clock) of that update; 0 = unknown. */
  venueTimeUs(instrument: number): number;
  /** The book is in sync (snapshot plus contiguous updates, no resync in progress). */
  synced(instrument: number): boolean;
}

/** Mid price in ticks (may be a half tick), NaN when either side is missing. */
export function midTicks(m: MarketView, instrument: number): number {
  return (m.bidTicks(instrument) + m.askTicks(instrument)) / 2;
}

/** A MarketView held in typed arrays indexed by instrument id. */
export class TopsTable implements MarketView {
  private bid: Float64Array;
  private ask: Float64Array;
  private bidQ: Float64Array;
  private askQ: Float64Array;
  private upd: Float64Array;
  private vt: Float64Array;
  private sync: Uint8Array;

  constructor(capacity = 16) {
    const n = Math.max(1, capacity);
    this.bid = new Float64Array(n).fill(NaN);
    this.ask = new Float64Array(n).fill(NaN);
    this.bidQ = new Float64Array(n);
    this.askQ = new Float64Array(n);
    this.upd = new Float64Array(n);
    this.vt = new Float64Array(n);
    this.sync = new Uint8Array(n);
  }

  /** Sets one instrument's top. `bid`/`ask` NaN for an empty side. */
  set(instrument: number, bid: number, bidLots: number, ask: number, askLots: number, updatedUs: number, venueTimeUs = 0, synced = true): void {
    if (instrument >= this.bid.length) this.grow(instrument + 1);
    this.bid[instrument] = bid;
    this.ask[instrument] = ask;
    this.bidQ[instrument] = bidLots;
    this.askQ[instrument] = askLots;
    this.upd[instrument] = updatedUs;
    this.vt[instrument] = venueTimeUs;
    this.sync[instrument] = synced ? 1 : 0;
  }

  setSynced(instrument: number, synced: boolean): void {
    if (instrument >= this.bid.length) this.grow(instrument + 1);
    this.sync[instrument] = synced ? 1 : 0;
  }

  bidTicks(i: number): number {
    return i >= 0 && i < this.bid.length ? this.bid[i]! : NaN;
  }
  askTicks(i: number): number {
    return i >= 0 && i < this.ask.length ? this.ask[i]! : NaN;
  }
  bidLots(i: number): number {
    return i >= 0 && i < this.bidQ.length ? this.bidQ[i]! : 0;
  }
  askLots(i: number): number {
    return i >= 0 && i < this.askQ.length ? this.askQ[i]! : 0;
  }
  updatedUs(i: number): number {
    return i >= 0 && i < this.upd.length ? this.upd[i]! : 0;
  }
  venueTimeUs(i: number): number {
    return i >= 0 && i < this.vt.length ? this.vt[i]! : 0;
  }
  synced(i: number): boolean {
    return i >= 0 && i < this.sync.length && this.sync[i] === 1;
  }

  private grow(n: number): void {
    const size = Math.max(n, this.bid.length * 2);
    const f = (a: Float64Array, fill: number): Float64Array => {
      const b = new Float64Array(size).fill(fill);
      b.set(a);
      return b;
    };
    this.bid = f(this.bid, NaN);
    this.ask = f(this.ask, NaN);
    this.bidQ = f(this.bidQ, 0);
    this.askQ = f(this.askQ, 0);
    this.upd = f(this.upd, 0);
    this.vt = f(this.vt, 0);
    const s = new Uint8Array(size);
    s.set(this.sync);
    this.sync = s;
  }
}
