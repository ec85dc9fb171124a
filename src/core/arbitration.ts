// A/B arbitration of a venue's market-data links by venue sequence id. A venue may run two live
// links (primary and backup) that both publish BookTops of the same instruments; the engine takes
// each venue sequence id from whichever link delivers it first.
//
// Per (venue, instrument) — instrument ids are engine-wide, so one slot per instrument — the
// arbiter keeps the last applied venue sequence id (`lastSeq` of the applied top) and, per link,
// whether that link's copy of the book is currently in sync.
//
// Rules (offer):
// - A top whose flags lack Synced, or carry Resyncing or Stale, is never applied: it marks the
//   offering link unsynced for that instrument (verdict UNSYNCED).
// - A synced top with lastSeq > last applied is applied (APPLY) and marks its link synced: the
//   first arrival of a sequence id wins.
// - A synced top with lastSeq <= last applied is dropped (DUPLICATE when equal, OLDER when
//   below) and counted; it still marks its link synced (a behind link that is in sync can take
//   over later without losing an update). A link that is behind never rolls the book back.
// - `linkDown` marks a link unsynced for every instrument of its venue (LinkState Down/Stale/...).
//
// Tradability: an instrument is tradable iff a top was applied and at least one link is in sync
// now. When the winning link goes down the other link continues: its tops at or below the applied
// sequence are dropped, the next one above it is applied, so no update is lost or applied twice.
// Tops are full states (top N levels), not deltas, so applying the first arrival of each id is exact.
//
// Not handled here (documented limit): a venue sequence RESET (e.g. an OKX seqId reset after
// maintenance) — tops below the applied id are dropped; the engine must `reset(instrument)` when
// the feed reports a reset (the feed's Snapshot flag after both links resynced is the hook).
//
// Invariants: no allocation after construction; applied sequence ids only increase per instrument
// (between resets); a top flagged unsynced is never applied and never makes an instrument tradable.
/** BookTop flag bits (the wire's BookFlags; test/core/arbitration.test.ts checks they agree). */
export const BookFlag = {
  SYNCED: 1,
  SNAPSHOT: 2,
  RESYNCING: 4,
  STALE: 8,
} as const;

export const ArbVerdict = {
  APPLY: 1,
  DUPLICATE: 2,
  OLDER: 3,
  UNSYNCED: 4,
  /** Unknown instrument or link index (bad input: counted, ignored). */
  INVALID: 5,
} as const;
export type ArbVerdict = (typeof ArbVerdict)[keyof typeof ArbVerdict];

const LINK_UNKNOWN = 0;
const LINK_SYNCED = 1;
const LINK_UNSYNCED = 2;

const NOT_TRADABLE_FLAGS = BookFlag.RESYNCING | BookFlag.STALE;

export interface ArbCounters {
  applied: number;
  duplicates: number;
  older: number;
  unsynced: number;
  invalid: number;
}

export class LinkArbiter {
  readonly counters: ArbCounters = { applied: 0, duplicates: 0, older: 0, unsynced: 0, invalid: 0 };
  /** Last applied lastSeq per instrument; -1 = none. */
  private readonly applied: Float64Array;
  /** Link state per (instrument, link). */
  private readonly links: Uint8Array;
  /** Link that delivered the applied top, per instrument (-1 none). */
  private readonly winner: Int8Array;

  constructor(
    readonly instruments: number,
    /** Links per venue (2: primary 0, backup 1). */
    readonly linksPerVenue = 2,
  ) {
    this.applied = new Float64Array(Math.max(1, instruments)).fill(-1);
    this.links = new Uint8Array(Math.max(1, instruments) * linksPerVenue);
    this.winner = new Int8Array(Math.max(1, instruments)).fill(-1);
  }

  /** Arbitrates one BookTop of `instrument` from `link`. */
  offer(instrument: number, link: number, flags: number, lastSeq: number): ArbVerdict {
    if (!(instrument >= 0 && instrument < this.instruments && link >= 0 && link < this.linksPerVenue) || (instrument | 0) !== instrument || (link | 0) !== link) {
      this.counters.invalid++;
      return ArbVerdict.INVALID;
    }
    const k = instrument * this.linksPerVenue + link;
    if ((flags & BookFlag.SYNCED) === 0 || (flags & NOT_TRADABLE_FLAGS) !== 0 || !(lastSeq === lastSeq)) {
      this.links[k] = LINK_UNSYNCED;
      this.counters.unsynced++;
      return ArbVerdict.UNSYNCED;
    }
    this.links[k] = LINK_SYNCED;
    const last = this.applied[instrument]!;
    if (lastSeq > last) {
      this.applied[instrument] = lastSeq;
      this.winner[instrument] = link;
      this.counters.applied++;
      return ArbVerdict.APPLY;
    }
    if (lastSeq === last) {
      this.counters.duplicates++;
      return ArbVerdict.DUPLICATE;
    }
    this.counters.older++;
    return ArbVerdict.OLDER;
  }

  /** Marks `link` unsynced for `instrument` (its link went down, stale, or reconnects). */
  linkDown(instrument: number, link: number): void {
    if (instrument >= 0 && instrument < this.instruments && link >= 0 && link < this.linksPerVenue) this.links[instrument * this.linksPerVenue + link] = LINK_UNSYNCED;
  }

  /** Forgets the applied sequence of `instrument` (venue sequence reset; both links resync). */
  reset(instrument: number): void {
    if (!(instrument >= 0 && instrument < this.instruments)) return;
    this.applied[instrument] = -1;
    this.winner[instrument] = -1;
    for (let l = 0; l < this.linksPerVenue; l++) this.links[instrument * this.linksPerVenue + l] = LINK_UNKNOWN;
  }

  /** A top was applied and at least one link is in sync now. */
  tradable(instrument: number): boolean {
    if (!(instrument >= 0 && instrument < this.instruments) || this.applied[instrument]! < 0) return false;
    const base = instrument * this.linksPerVenue;
    for (let l = 0; l < this.linksPerVenue; l++) if (this.links[base + l] === LINK_SYNCED) return true;
    return false;
  }

  /** Last applied venue sequence id (-1 = none). */
  lastApplied(instrument: number): number {
    return instrument >= 0 && instrument < this.instruments ? this.applied[instrument]! : -1;
  }

  /** Link whose top was applied last (-1 = none). */
  winnerOf(instrument: number): number {
    return instrument >= 0 && instrument < this.instruments ? this.winner[instrument]! : -1;
  }

  linkSynced(instrument: number, link: number): boolean {
    return instrument >= 0 && instrument < this.instruments && link >= 0 && link < this.linksPerVenue && this.links[instrument * this.linksPerVenue + link] === LINK_SYNCED;
  }
}
