// Binance USD-M futures local order book procedure (PROTOCOLS.md §2.3, quoting BN-UM "How to
// manage a local order book correctly"), on top of the shared buffering machinery in
// src/venues/binance/book-sync.ts.
//
// Rules, exactly as documented:
// - Buffer the events; GET the snapshot.
// - Step 4: drop any event with u < lastUpdateId.
// - Step 5: the first processed event must have U <= lastUpdateId AND u >= lastUpdateId, else
//   NO_OVERLAP (the event and everything after it stay buffered for the next snapshot).
// - Step 6: each later event's pu must equal the previous event's u, else PREV_MISMATCH
//   ("re-initialise from step 3": new snapshot, the event stays buffered).
// - Step 7: quantities are absolute, 0 removes, removing an absent level is normal.
// - One addition, stated here because the docs are silent on it: in steady state an event with
//   u <= the book id is dropped as a duplicate/stale copy (each event's u is unique and strictly
//   increasing, so its changes are already in the book). Without it a duplicated frame would
//   fail the pu check and force a needless resync; with it the resulting book is the same.
// - A crossed book after a snapshot or an event -> CROSSED resync.
// There is no spot-style "snapshot too old" rule 4: a snapshot older than the first buffered
// event shows up as NO_OVERLAP.
import { BinanceBookSync, Verdict, type BookSyncOptions, type VerdictCode } from '../binance/book-sync.js';
import type { DepthUpdate } from '../types.js';

export class BinanceUsdmBookSync extends BinanceBookSync {
  constructor(opts: BookSyncOptions = {}) {
    super(opts);
  }

  protected check(u: DepthUpdate, id: number, first: boolean): VerdictCode {
    if (first) {
      if (u.lastId < id) return Verdict.DROP;
      if (u.firstId <= id && u.lastId >= id) return Verdict.APPLY;
      return Verdict.NO_OVERLAP;
    }
    if (u.lastId <= id) return Verdict.DROP;
    if (u.prevId !== id) return Verdict.PREV_MISMATCH;
    return Verdict.APPLY;
  }

  protected snapshotTooOld(): boolean {
    return false;
  }
}
