// The pure market-data side of one OKX public WS link: one frame parser, one book-sync machine
// per subscribed (instrument, channel), and counters. A feed actor feeds it raw frames and REST
// answers and publishes what it reports; it owns no socket, timer or clock.
//
// Invariants:
// - `onFrame` never throws and never allocates in steady state: it returns the same outcome
//   object, overwritten on every call (copy what you need before the next call).
// - A book frame that fails to parse after its instrument and channel are known marks that book
//   unsynced (BAD_MESSAGE, rule "okx.parse"); one that fails earlier cannot be attributed and is
//   only counted: the seqId chain then catches the lost update on the next message.
// - Book frames for instruments or channels not subscribed here are counted and ignored.
import type { InstrumentTable } from '../../core/instrument.js';
import type { SyncStep } from '../types.js';
import { OkxBookSync, type OkxBookSyncOptions } from './book-sync.js';
import { OkxFrameParser, type OkxBookChannel, type OkxFrameKind, type OkxParseError, type OkxParserOptions } from './frame-parser.js';

export interface OkxSubscription {
  readonly instId: string;
  readonly channel: OkxBookChannel;
}

export interface OkxFrameOutcome {
  kind: OkxFrameKind;
  /** The parse error when kind is 'error'. */
  error: OkxParseError | null;
  /** Instrument index of a book frame (or of a failed one, when known); -1 otherwise. */
  instrument: number;
  /** The sync machine that took the frame (null when none did). */
  sync: OkxBookSync | null;
  /** Its step (null when no machine took the frame). */
  step: SyncStep | null;
}

export interface OkxMarketCounters {
  frames: number;
  books: number;
  pongs: number;
  events: number;
  pushes: number;
  responses: number;
  errors: number;
  ignored: number;
  resyncs: number;
}

export class OkxMarketData {
  readonly parser: OkxFrameParser;
  private readonly restParser: OkxFrameParser;
  private readonly table: InstrumentTable;
  /** Syncs by instrument index, then by channel. */
  private readonly syncs: Map<OkxBookChannel, OkxBookSync>[] = [];
  private readonly all: OkxBookSync[] = [];
  readonly outcome: OkxFrameOutcome = { kind: 'error', error: null, instrument: -1, sync: null, step: null };
  readonly counters: OkxMarketCounters = {
    frames: 0, books: 0, pongs: 0, events: 0, pushes: 0, responses: 0, errors: 0, ignored: 0, resyncs: 0,
  };

  constructor(
    table: InstrumentTable,
    subscriptions: readonly OkxSubscription[],
    syncOptions: Omit<OkxBookSyncOptions, 'channel'> = {},
    parserOptions: OkxParserOptions = {},
  ) {
    this.table = table;
    this.parser = new OkxFrameParser(table, undefined, parserOptions);
    this.restParser = new OkxFrameParser(table, undefined, parserOptions);
    for (const s of subscriptions) {
      const ins = table.find(s.instId);
      if (ins === undefined) throw new Error(`OKX subscription for an instrument not in the table: ${s.instId}`);
      let byChannel = this.syncs[ins.index];
      if (byChannel === undefined) {
        byChannel = new Map();
        this.syncs[ins.index] = byChannel;
      }
      if (!byChannel.has(s.channel)) {
        const sync = new OkxBookSync(ins, { ...syncOptions, channel: s.channel });
        byChannel.set(s.channel, sync);
        this.all.push(sync);
      }
    }
  }

  /** The sync machine of (instrument, channel), if subscribed. */
  sync(instId: string, channel: OkxBookChannel): OkxBookSync | undefined {
    const ins = this.table.find(instId);
    return ins === undefined ? undefined : this.syncs[ins.index]?.get(channel);
  }

  /** Every sync machine, e.g. to find those whose `need` is 'rest-snapshot' or 'resubscribe'. */
  syncsList(): readonly OkxBookSync[] {
    return this.all;
  }

  /** Process one text frame (UTF-8 bytes [start, end)). */
  onFrame(buf: Uint8Array, start = 0, end = buf.length): OkxFrameOutcome {
    const o = this.outcome;
    const p = this.parser;
    const c = this.counters;
    c.frames++;
    o.sync = null;
    o.step = null;
    o.instrument = -1;
    const k = p.parse(buf, start, end);
    o.kind = k;
    o.error = p.error;
    switch (k) {
      case 'book': {
        c.books++;
        o.instrument = p.update.instrument;
        const sync = this.syncs[o.instrument]?.get(p.channel as OkxBookChannel);
        if (sync === undefined) {
          c.ignored++;
          return o;
        }
        o.sync = sync;
        o.step = sync.onUpdate(p.update, p);
        if (o.step.status === 'resync') c.resyncs++;
        return o;
      }
      case 'error': {
        c.errors++;
        if (p.channel !== '' && p.instIdStart >= 0) {
          const idx = this.table.indexOfBytes(p.buf, p.instIdStart, p.instIdEnd);
          const sync = idx >= 0 ? this.syncs[idx]?.get(p.channel) : undefined;
          if (sync !== undefined) {
            o.instrument = idx;
            o.sync = sync;
            o.step = sync.onBadMessage(`${p.error} at byte ${p.errorPos}`);
            c.resyncs++;
          }
        }
        return o;
      }
      case 'pong': c.pongs++; return o;
      case 'event': c.events++; return o;
      case 'push': c.pushes++; return o;
      default: c.responses++; return o;
    }
  }

  /** Hand a REST `GET /api/v5/market/books` answer to the sync of (instId, channel). */
  onRestSnapshot(instId: string, channel: OkxBookChannel, body: Uint8Array): SyncStep | OkxParseError {
    const sync = this.sync(instId, channel);
    if (sync === undefined) return 'UNKNOWN_INSTRUMENT';
    const p = this.restParser;
    if (p.parseRestBooks(body, sync.instrument.index) !== 'book') return p.error ?? 'MALFORMED';
    const step = sync.onRestSnapshot(p.update, p);
    if (step.status === 'resync') this.counters.resyncs++;
    return step;
  }
}
