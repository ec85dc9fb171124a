// Helpers for the venue I/O tests against the simulator (real sockets on 127.0.0.1): waiting for
// conditions with generous timeouts (never timing assertions), and a recorder of the simulated
// venue's books by update id, so that every book our client publishes as synced can be compared
// level by level with the simulator's book at the same venue id.
import type { OrderBook } from '../../../src/core/book.js';
import type { SimVenueHandle } from '../../../src/sim/start.js';

export async function until(cond: () => boolean, what: string, timeoutMs = 60_000, stepMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

type Levels = readonly (readonly [number, number])[];

interface Snap {
  readonly bids: Levels;
  readonly asks: Levels;
}

/**
 * Records the simulator's book of every instrument after every operation, keyed by the venue id
 * the venue prints for that state (Binance: the engine's update id; OKX: seqId).
 */
export class BookRecorder {
  private readonly books = new Map<string, Map<number, Snap>>();
  /** Compared books, mismatches (first few described), and books we could not look up. */
  compared = 0;
  mismatches = 0;
  unknownIds = 0;
  readonly mismatchDetails: string[] = [];

  constructor(private readonly venue: SimVenueHandle) {
    for (const inst of venue.instruments) {
      this.books.set(inst.symbol, new Map());
      this.record(inst.symbol);
    }
    venue.core.onOp((inst) => this.record(inst.symbol));
  }

  private record(symbol: string): void {
    const e = this.venue.engines.get(symbol)!;
    const s = e.snapshot();
    const id = this.venue.seqId(symbol);
    const m = this.books.get(symbol)!;
    m.set(id, { bids: s.bids, asks: s.asks });
    if (m.size > 50_000) {
      // keep the most recent ids (older ones can no longer be published)
      const cut = id - 40_000;
      for (const k of m.keys()) if (k < cut) m.delete(k);
    }
  }

  /** Compares our book (claimed in sync at `book.updateId`) with the venue's book at that id. */
  check(symbol: string, book: OrderBook): void {
    const want = this.books.get(symbol)?.get(book.updateId);
    if (want === undefined) {
      this.unknownIds++;
      return;
    }
    this.compared++;
    const d = diff(book, want);
    if (d !== null) {
      this.mismatches++;
      if (this.mismatchDetails.length < 5) this.mismatchDetails.push(`${symbol}@${book.updateId}: ${d}`);
    }
  }
}

/** First difference between our book and a level list (best first), or null. */
export function diff(book: OrderBook, want: Snap): string | null {
  const got = book.toLevels();
  for (const side of ['bids', 'asks'] as const) {
    const a = got[side];
    const b = want[side];
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i];
      const y = b[i];
      if (x === undefined || y === undefined || x[0] !== y[0] || x[1] !== y[1]) {
        return `${side}[${i}] ours ${x === undefined ? '-' : `${x[0]}x${x[1]}`} sim ${y === undefined ? '-' : `${y[0]}x${y[1]}`} (${a.length} vs ${b.length} levels)`;
      }
    }
  }
  return null;
}
