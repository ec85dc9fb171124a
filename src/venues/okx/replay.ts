// Pure core of `xmc book-replay --venue okx`: runs a captured snapshot and a list of captured WS
// frames (one per JSONL line) through the OKX frame parser and book-sync machine, and returns the
// final book (as the venue's decimal strings) or the first event where sync broke, with the rule
// that broke (the SyncStep detail starts with the rule id, e.g. "okx.prevSeqId-chain: ...").
// The CLI wrapper only reads the files and prints the result.
//
// The snapshot may be either
// - a REST `GET /api/v5/market/books` body (with seqId): the replay follows the REST bootstrap
//   (changelog procedure: the first WS snapshot event is ignored, the next event's prevSeqId is
//   recorded, buffered events are discarded up to the snapshot seqId ...); the snapshot is handed
//   over at the moment the machine asks for it; or
// - a WS `books` frame with action=snapshot: it is fed first, then the events (ws bootstrap);
// - absent (null / ''): the events must contain the WS snapshot.
// Frames that are not book pushes of the replayed instrument and channel (event answers, pong,
// other channels, other instruments) are skipped and counted. A frame that does not parse is a
// break with reason BAD_MESSAGE and the parser's error code.
// When no InstrumentSpec is given, the instId comes from the first book push and the tick and
// lot steps are inferred from the most fractional digits seen (exact: every value is then a whole
// number of such steps).
import { DecimalScale } from '../../core/decimal.js';
import { InstrumentTable } from '../../core/instrument.js';
import { compareLevels, fractionDigits, toBytes, toText } from '../capture.js';
import type { InstrumentSpec, ReplayBreak } from '../types.js';
import { OkxBookSync, type OkxBootstrap } from './book-sync.js';
import { OkxFrameParser, type OkxBookChannel } from './frame-parser.js';

export interface OkxReplayInput {
  readonly snapshot?: string | Uint8Array | null;
  readonly events: readonly (string | Uint8Array)[];
  readonly spec?: InstrumentSpec;
  /** Channel to replay (default: the channel of the first book push, else 'books'). */
  readonly channel?: OkxBookChannel;
  /** Checksum handling (default 'auto': verify non-zero values). */
  readonly checksum?: 'auto' | 'off';
}

export interface OkxReplayBook {
  readonly status: 'synced' | 'buffering';
  readonly symbol: string;
  readonly channel: OkxBookChannel;
  /** seqId of the last applied message. */
  readonly updateId: number;
  readonly eventTimeMs: number;
  readonly bids: [string, string][];
  readonly asks: [string, string][];
  readonly stats: {
    readonly applied: number;
    readonly heartbeats: number;
    readonly dropped: number;
    readonly buffered: number;
    readonly skipped: number;
    readonly resets: number;
  };
}

export type OkxReplayBreak = ReplayBreak;

export type OkxReplayResult = OkxReplayBook | OkxReplayBreak;

/** Infers the instId and the channel of the first book push, and tick / lot steps. Cold path. */
export function inferOkxSpec(snapshot: string | Uint8Array | null | undefined, events: readonly (string | Uint8Array)[]):
  { spec: InstrumentSpec; channel: OkxBookChannel | '' } {
  let pxDec = 0;
  let szDec = 0;
  let symbol = '';
  let channel = '';
  const all = snapshot === null || snapshot === undefined ? [...events] : [snapshot, ...events];
  for (const x of all) {
    let o: any;
    try {
      o = JSON.parse(toText(x));
    } catch {
      continue;
    }
    if (o === null || typeof o !== 'object' || !Array.isArray(o.data)) continue;
    if (o.arg && typeof o.arg === 'object') {
      const ch = o.arg.channel;
      if (typeof ch !== 'string' || (!ch.startsWith('books') && ch !== 'bbo-tbt')) continue;
      if (symbol === '' && typeof o.arg.instId === 'string') symbol = o.arg.instId;
      if (channel === '') channel = ch;
    }
    for (const d of o.data) {
      if (d === null || typeof d !== 'object') continue;
      for (const side of [d.bids, d.asks]) {
        if (!Array.isArray(side)) continue;
        for (const l of side) {
          if (!Array.isArray(l)) continue;
          pxDec = Math.max(pxDec, fractionDigits(l[0]));
          szDec = Math.max(szDec, fractionDigits(l[1]));
        }
      }
    }
  }
  const step = (d: number): string => new DecimalScale(d === 0 ? '1' : `1e-${Math.min(d, 18)}`).step;
  const swapLike = /-SWAP$/.test(symbol);
  const known = ['books', 'books5', 'bbo-tbt', 'books-l2-tbt', 'books50-l2-tbt', 'books-elp'];
  return {
    spec: {
      venue: 'okx', symbol: symbol || 'UNKNOWN', base: '', quote: '', kind: swapLike ? 'perpetual' : 'spot',
      tickSize: step(pxDec), lotSize: step(szDec), minQty: '0', minNotional: '0',
      contractValue: '1', contractValueCcy: '', contractType: swapLike ? 'linear' : 'none',
    },
    channel: known.includes(channel) ? (channel as OkxBookChannel) : '',
  };
}

export function runOkxReplay(input: OkxReplayInput): OkxReplayResult {
  const inferred = inferOkxSpec(input.snapshot, input.events);
  const spec = input.spec ?? inferred.spec;
  const channel: OkxBookChannel = input.channel ?? (inferred.channel || 'books');
  const table = new InstrumentTable([spec]);
  const ins = table.get(0);
  const parser = new OkxFrameParser(table);
  const snapParser = new OkxFrameParser(table);

  // What kind of snapshot was given?
  let restSnapshot = false;
  let wsSnapshotFirst = false;
  const snapText = input.snapshot ?? '';
  if (snapText.length > 0) {
    const sb = toBytes(snapText);
    if (snapParser.parse(sb) === 'book' && snapParser.update.kind === 'snapshot' && snapParser.channel === channel) {
      wsSnapshotFirst = true;
    } else if (snapParser.parseRestBooks(sb, 0) === 'book') {
      restSnapshot = true;
    } else {
      return { status: 'break', index: -1, reason: 'BAD_MESSAGE', detail: `snapshot: ${snapParser.error} at byte ${snapParser.errorPos}` };
    }
  }
  const bootstrap: OkxBootstrap = restSnapshot ? 'rest' : 'ws';
  const sync = new OkxBookSync(ins, { channel, bootstrap, checksum: input.checksum ?? 'auto', capacityPerSide: 1024 });
  let skipped = 0;
  let restDelivered = false;

  if (wsSnapshotFirst) {
    snapParser.parse(toBytes(snapText));
    const step = sync.onUpdate(snapParser.update, snapParser);
    if (step.status === 'resync') return { status: 'break', index: -1, reason: step.reason, detail: step.detail };
  }
  const deliverRest = (index: number): OkxReplayBreak | null => {
    restDelivered = true;
    snapParser.parseRestBooks(toBytes(snapText), 0);
    const step = sync.onRestSnapshot(snapParser.update, snapParser);
    if (step.status === 'resync') return { status: 'break', index, reason: step.reason, detail: step.detail };
    return null;
  };

  for (let i = 0; i < input.events.length; i++) {
    const bytes = toBytes(input.events[i]!);
    let blank = true;
    for (let j = 0; j < bytes.length && blank; j++) {
      const c = bytes[j]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) blank = false;
    }
    if (blank) {
      skipped++;
      continue;
    }
    const k = parser.parse(bytes);
    if (k === 'error') {
      if (parser.error === 'UNKNOWN_INSTRUMENT') {
        skipped++;
        continue;
      }
      return { status: 'break', index: i, reason: 'BAD_MESSAGE', detail: `okx.parse: ${parser.error} at byte ${parser.errorPos}` };
    }
    if (k !== 'book' || parser.channel !== channel) {
      skipped++;
      continue;
    }
    const step = sync.onUpdate(parser.update, parser);
    if (step.status === 'resync') return { status: 'break', index: i, reason: step.reason, detail: step.detail };
    if (restSnapshot && !restDelivered && sync.need === 'rest-snapshot') {
      const br = deliverRest(i);
      if (br !== null) return br;
    }
  }
  const fmt = (lv: [number, number][]): [string, string][] =>
    lv.map(([p, q]) => [ins.tick.fromUnitsTrimmed(p), ins.lot.fromUnitsTrimmed(q)]);
  const levels = sync.book.toLevels();
  return {
    status: sync.isSynced() ? 'synced' : 'buffering',
    symbol: spec.symbol,
    channel,
    updateId: sync.lastSeqId,
    eventTimeMs: sync.book.eventTimeMs,
    bids: fmt(levels.bids),
    asks: fmt(levels.asks),
    stats: {
      applied: sync.applied,
      heartbeats: sync.heartbeats,
      dropped: sync.dropped,
      buffered: sync.bufferedCount,
      skipped,
      resets: sync.resets,
    },
  };
}

/**
 * Compares a replay result with an expectation `{bids, asks, seqId?|updateId?}` whose levels are
 * [price, size] as strings or numbers. Values are compared exactly as decimals (so "8477" equals
 * "8477.00" and 1.2 equals "1.20"). Returns null when they match, else the first difference.
 */
export function compareOkxReplay(result: OkxReplayResult, expected: unknown): string | null {
  if (result.status === 'break') return `sync broke at event ${result.index}: ${result.reason} (${result.detail})`;
  if (expected === null || typeof expected !== 'object') return 'expectation is not an object';
  const e = expected as Record<string, unknown>;
  const id = e['seqId'] ?? e['updateId'] ?? e['nonce'];
  if (id !== undefined && Number(id) !== result.updateId) return `seqId ${result.updateId} != expected ${String(id)}`;
  const same = (a: string, b: unknown): boolean => {
    if (typeof b === 'number') {
      if (!Number.isFinite(b)) return false;
      const s = String(b);
      return canonDecimal(a) === canonDecimal(s.includes('e') ? b.toFixed(20) : s);
    }
    return typeof b === 'string' && canonDecimal(a) === canonDecimal(b);
  };
  return compareLevels(result, e, same);
}

/** Canonical form of a plain decimal string (no leading / trailing zeros); other text unchanged. */
function canonDecimal(s: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return s;
  const int = m[2]!.replace(/^0+/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac === '' ? int : `${int}.${frac}`;
  return m[1] === '-' && body !== '0' ? `-${body}` : body;
}
