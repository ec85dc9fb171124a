// Binance spot local order book procedure (PROTOCOLS.md §1.3, quoting BN-SPOT
// web-socket-streams.md "How to manage a local order book correctly"), on top of the shared
// buffering machinery in src/venues/binance/book-sync.ts.
//
// Rules, exactly as documented:
// - Buffer the events; note the U of the first one; GET the snapshot.
// - Rule 4: snapshot lastUpdateId strictly less than the first buffered U -> fetch again
//   (SNAPSHOT_TOO_OLD; the buffer is kept).
// - Rule 5: drop every buffered event with u <= lastUpdateId; the first remaining event must have
//   the snapshot id inside its range: U <= lastUpdateId + 1 (and u > lastUpdateId after the drop),
//   else NO_OVERLAP. The "+1" is the update procedure's own continuity rule (U = previous u + 1),
//   which is also what applies when the snapshot arrived before any event was buffered.
// - Update procedure: u < book id -> ignore ('dropped'); U > book id + 1 -> events were missed
//   (GAP: discard the book, buffer again from this event); else apply every level (absolute
//   quantity, 0 deletes) and set the book id to u.
// - A crossed book after a snapshot or an event -> CROSSED resync.
import { BinanceBookSync, Verdict, type BookSyncOptions, type VerdictCode } from '../binance/book-sync.js';
import type { DepthUpdate } from '../types.js';

export class BinanceSpotBookSync extends BinanceBookSync {
  constructor(opts: BookSyncOptions = {}) {
    super(opts);
  }

  protected check(u: DepthUpdate, id: number, first: boolean): VerdictCode {
    if (first) {
      if (u.lastId <= id) return Verdict.DROP;
      if (u.firstId > id + 1) return Verdict.NO_OVERLAP;
      return Verdict.APPLY;
    }
    if (u.lastId < id) return Verdict.DROP;
    if (u.firstId > id + 1) return Verdict.GAP;
    return Verdict.APPLY;
  }

  protected snapshotTooOld(lastUpdateId: number, firstBuffered: DepthUpdate): boolean {
    return lastUpdateId < firstBuffered.firstId;
  }
}
