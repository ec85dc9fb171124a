// Feed actor: one worker per venue market-data LINK (a venue may run a primary and a backup link
// at once, each its own actor with its own ring). It runs the venue's market-data client
// (src/venues/market-client.ts: WebSocket + REST snapshots + the pure parser and book-sync rules)
// inside its worker, event-loop driven: run it with wait strategy 'async-park' so the socket is
// served while the run loop parks.
//
// Publishes into outbound ring 0 (and, per instrument, into a board slot when `board` is set):
//  - a BookTop after every applied venue update: top `depth` levels per side, first/last venue
//    sequence ids, venue event time, flags Synced (+ Snapshot on the first top after a (re)sync,
//    + Stale while the link is stale), and stage times venue event / frame received / book
//    applied / ring committed on the cross-thread clock (clock.ts; the venue's event time is
//    moved onto that clock with the wall-clock offset measured in this thread);
//  - a BookTop with flag Resyncing and NO levels when a book leaves sync (gap, bad frame,
//    disconnect): the engine never sees an unsynced book as tradable;
//  - a LinkState (connecting, syncing, synced, stale, down) on every change of the link.
// Thin by design: wiring only; parsing, sync rules, reconnects and keepalive are in the clients.
//
// Invariants:
// - Only this thread writes the ring and the board (socket callbacks and poll() run on the same
//   event loop, one at a time).
// - A frame refused by a full ring is not lost silently: the instrument (or the link state) is
//   marked and its CURRENT state is published again from poll() once there is room (a top is
//   the latest state, not a delta, so republishing the latest is exact).
// - Steady state (one applied update) allocates nothing here: one reused encoder, envelope head
//   and BookTopInput.
import type { ActorBehaviour, ActorContext } from './actor.js';
import { nowUs } from './clock.js';
import { BoardWriter } from '../shm/board.js';
import type { RingWriter } from '../shm/ring.js';
import {
  BOOK_MAX_LEVELS,
  BookFlags,
  LinkChannel,
  LinkRole,
  LinkStatus,
  newBookTopInput,
  newEnvelopeHead,
  Stage,
  threadEncoder,
  type BookTopInput,
  type LinkStateValue,
} from '../wire/index.js';
import { InstrumentTable } from '../core/instrument.js';
import type { OrderBook } from '../core/book.js';
import type { InstrumentSpec, VenueId } from '../venues/types.js';
import { VENUE_IDS } from '../venues/types.js';
import type { BookUpdateInfo, FeedLinkStatus, MarketDataClient } from '../venues/io/market.js';
import { createMarketDataClient, type MarketClientConfig, type MarketClientHandle } from '../venues/market-client.js';

export interface FeedInstrument {
  /** The venue's instrument (symbol as the venue spells it, tick and lot steps). */
  readonly spec: InstrumentSpec;
  /** Engine-wide instrument id (BookTop.instrument_id). */
  readonly instrumentId: number;
  /** Board slot of this instrument. Default: its index in `instruments`. */
  readonly boardSlot?: number;
}

export interface FeedParams extends Omit<MarketClientConfig, 'venue'> {
  readonly venue: VenueId;
  /** Wire venue id (BookTop.venue_id, LinkState.venue_id). */
  readonly venueId: number;
  /** Wire link id (LinkState.link_id): distinct for the primary and the backup link. */
  readonly linkId: number;
  readonly role?: 'primary' | 'backup';
  readonly instruments: readonly FeedInstrument[];
  /** Board region to mirror each instrument's latest BookTop into (optional). */
  readonly board?: string;
  /** Levels per side in each BookTop (1..50). Default 10. */
  readonly depth?: number;
  /** Envelope source actor id. Default linkId. */
  readonly sourceActor?: number;
}

export interface FeedCounters {
  tops: number;
  resyncTops: number;
  linkStates: number;
  ringFull: number;
  republished: number;
  boardWrites: number;
}

const STATUS: Readonly<Record<FeedLinkStatus, LinkStatus>> = {
  connecting: LinkStatus.Connecting,
  syncing: LinkStatus.Syncing,
  synced: LinkStatus.Synced,
  stale: LinkStatus.Stale,
  down: LinkStatus.Down,
};

/** Checks the params (a throw in createActor is a bootstrap failure: never respawned). */
export function validateFeedParams(raw: unknown): FeedParams {
  if (raw === null || typeof raw !== 'object') throw new Error('feed: params must be an object');
  const p = raw as FeedParams;
  if (!VENUE_IDS.includes(p.venue)) throw new Error(`feed: unknown venue ${JSON.stringify(p.venue)}`);
  for (const k of ['venueId', 'linkId'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 0 || p[k] > 0xffffffff) throw new Error(`feed: ${k} must be a uint32`);
  }
  if (!Array.isArray(p.instruments) || p.instruments.length === 0) throw new Error('feed: at least one instrument');
  const depth = p.depth ?? 10;
  if (!Number.isInteger(depth) || depth < 1 || depth > BOOK_MAX_LEVELS) throw new Error(`feed: depth must be 1..${BOOK_MAX_LEVELS}`);
  for (const ins of p.instruments) {
    if (ins.spec?.venue !== p.venue) throw new Error(`feed: instrument ${ins.spec?.symbol} is not a ${p.venue} instrument`);
    if (!Number.isInteger(ins.instrumentId) || ins.instrumentId < 0) throw new Error(`feed: bad instrumentId for ${ins.spec.symbol}`);
  }
  if (p.role !== undefined && p.role !== 'primary' && p.role !== 'backup') throw new Error('feed: role must be primary or backup');
  return p;
}

export function createActor(raw: unknown): ActorBehaviour {
  const p = validateFeedParams(raw);
  const depth = p.depth ?? 10;
  const n = p.instruments.length;
  const table = new InstrumentTable(p.instruments.map((i) => i.spec));
  const slots = p.instruments.map((ins, i) => ins.boardSlot ?? i);
  const ids = p.instruments.map((ins) => ins.instrumentId);
  const enc = threadEncoder();
  const head = newEnvelopeHead(p.sourceActor ?? p.linkId);
  const top: BookTopInput = newBookTopInput(depth);
  const bidPx = top.bidPriceTicks as Float64Array;
  const bidQty = top.bidQtyLots as Float64Array;
  const askPx = top.askPriceTicks as Float64Array;
  const askQty = top.askQtyLots as Float64Array;
  const link: LinkStateValue = {
    linkId: p.linkId,
    venueId: p.venueId,
    channel: LinkChannel.MarketData,
    role: p.role === 'backup' ? LinkRole.Backup : LinkRole.Primary,
    status: LinkStatus.Connecting,
    sinceUs: 0,
    lastSeq: 0,
    reason: '',
  };
  const counters: FeedCounters = { tops: 0, resyncTops: 0, linkStates: 0, ringFull: 0, republished: 0, boardWrites: 0 };
  const dirty = new Array<boolean>(n).fill(false);
  let anyDirty = false;
  let linkPending = false;
  let ring: RingWriter | null = null;
  let board: BoardWriter | null = null;
  let handle: MarketClientHandle | null = null;
  let client: MarketDataClient | null = null;
  let epochOffsetUs = Date.now() * 1000 - nowUs();
  let offsetCheckedUs = 0;

  /** Writes the encoder's frame into the ring; false when the ring is full. */
  const commit = (): boolean => {
    enc.stamp(Stage.RingCommitted, nowUs());
    if (ring!.write(enc.bytes, enc.start, enc.end)) return true;
    counters.ringFull++;
    return false;
  };

  const toBoard = (i: number): void => {
    if (board === null) return;
    if (enc.end - enc.start > board.slotBytes) return;
    board.write(slots[i]!, enc.bytes, enc.start, enc.end);
    counters.boardWrites++;
  };

  const encodeTop = (i: number, book: OrderBook | null, flags: number, firstSeq: number, lastSeq: number, eventMs: number, rxUs: number, appliedUs: number): void => {
    top.instrumentId = ids[i]!;
    top.venueId = p.venueId;
    top.flags = flags;
    top.firstSeq = firstSeq;
    top.lastSeq = lastSeq;
    top.venueTimeUs = eventMs * 1000;
    if (book !== null) {
      top.bidCount = book.topBids(depth, bidPx, bidQty);
      top.askCount = book.topAsks(depth, askPx, askQty);
    } else {
      top.bidCount = 0;
      top.askCount = 0;
    }
    head.seq = ring!.nextSeq;
    const t = head.times;
    t.venueEventUs = eventMs > 0 ? eventMs * 1000 - epochOffsetUs : 0;
    t.receivedUs = rxUs;
    t.bookAppliedUs = appliedUs;
    t.ringCommittedUs = 0;
    enc.bookTop(head, top);
  };

  const staleFlag = (): number => (client !== null && client.status === 'stale' ? BookFlags.Stale : 0);

  const publishBook = (book: OrderBook, info: BookUpdateInfo): void => {
    const i = info.instrument;
    encodeTop(i, book, BookFlags.Synced | (info.snapshot ? BookFlags.Snapshot : 0) | staleFlag(), info.firstId, info.lastId, info.eventTimeMs, info.receivedUs, info.appliedUs);
    link.lastSeq = info.lastId;
    toBoard(i);
    if (commit()) {
      counters.tops++;
    } else {
      dirty[i] = true;
      anyDirty = true;
    }
  };

  /** The current state of instrument i, published again (after a full ring, or on stale). */
  const republish = (i: number): boolean => {
    const c = client!;
    const now = nowUs();
    if (c.isSynced(i)) {
      const book = c.book(i);
      encodeTop(i, book, BookFlags.Synced | staleFlag(), book.updateId, book.updateId, book.eventTimeMs, now, now);
    } else {
      encodeTop(i, null, BookFlags.Resyncing, 0, 0, 0, now, now);
    }
    toBoard(i);
    if (!commit()) return false;
    counters.republished++;
    return true;
  };

  const publishUnsynced = (i: number): void => {
    const now = nowUs();
    encodeTop(i, null, BookFlags.Resyncing, 0, 0, 0, now, now);
    toBoard(i);
    if (commit()) {
      counters.resyncTops++;
    } else {
      dirty[i] = true;
      anyDirty = true;
    }
  };

  const publishLink = (): boolean => {
    head.seq = ring!.nextSeq;
    const t = head.times;
    t.venueEventUs = 0;
    t.receivedUs = 0;
    t.bookAppliedUs = 0;
    t.ringCommittedUs = 0;
    enc.linkState(head, link);
    if (!commit()) {
      linkPending = true;
      return false;
    }
    linkPending = false;
    counters.linkStates++;
    return true;
  };

  let lastStatus: FeedLinkStatus = 'down';
  const onStatus = (s: FeedLinkStatus, reason: string): void => {
    const was = lastStatus;
    lastStatus = s;
    link.status = STATUS[s];
    link.sinceUs = nowUs();
    link.reason = reason.length > 200 ? reason.slice(0, 200) : reason;
    publishLink();
    // Entering or leaving 'stale' toggles the Stale flag of every synced book: republish them.
    if (client === null || (s !== 'stale' && was !== 'stale')) return;
    for (let i = 0; i < n; i++) {
      if (client.isSynced(i) && !republish(i)) {
        dirty[i] = true;
        anyDirty = true;
      }
    }
  };

  return {
    onStart(ctx: ActorContext) {
      if (ctx.outbound.length < 1) throw new Error('feed: needs one outbound ring');
      ring = ctx.outbound[0]!;
      if (p.board !== undefined) {
        board = BoardWriter.attach(ctx.map, p.board);
        for (const s of slots) if (!(Number.isInteger(s) && s >= 0 && s < board.slots)) throw new Error(`feed: board slot ${s} out of range`);
        // the largest top this feed publishes must fit a slot
        top.bidCount = depth;
        top.askCount = depth;
        enc.bookTop(head, top);
        if (enc.end - enc.start > board.slotBytes) throw new Error(`feed: a ${depth}-level BookTop (${enc.end - enc.start} B) does not fit board slots of ${board.slotBytes} B`);
      }
      const cfg: MarketClientConfig = { ...p, seed: (p.seed ?? 1) + p.linkId };
      handle = createMarketDataClient(cfg, table, {
        onBook: publishBook,
        onUnsynced: (i) => publishUnsynced(i),
        onStatus,
      }, nowUs);
      client = handle.client;
      link.sinceUs = nowUs();
      link.reason = 'start';
      publishLink();
      client.start();
    },
    poll(): number {
      let work = 0;
      if (linkPending && publishLink()) work++;
      if (anyDirty) {
        anyDirty = false;
        for (let i = 0; i < n; i++) {
          if (!dirty[i]) continue;
          if (republish(i)) {
            dirty[i] = false;
            work++;
          } else {
            anyDirty = true;
            break;
          }
        }
      }
      const now = nowUs();
      if (now - offsetCheckedUs > 1_000_000) {
        offsetCheckedUs = now;
        epochOffsetUs = Date.now() * 1000 - now;
      }
      return work;
    },
    async onStop(ctx: ActorContext) {
      if (handle !== null) await handle.close();
      if (ring !== null) {
        link.status = LinkStatus.Down;
        link.sinceUs = nowUs();
        link.reason = 'stopped';
        publishLink();
      }
      ctx.report({ feed: p.linkId, counters, market: client?.counters ?? null, link: client?.link.counters ?? null });
    },
  };
}
