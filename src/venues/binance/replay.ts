// Pure core of `xmc book-replay --venue binance-spot|binance-usdm`: runs a captured REST depth
// snapshot and a list of captured WS frames (one per JSONL line, raw or combined-stream form)
// through the venue's parser and book-sync machine, and returns the final book (as the venue's
// decimal strings) or the first event where sync broke, with the rule that broke. The CLI wrapper
// only reads the files and prints the result.
//
// Order: the snapshot is fed after `snapshotAfter` depth events (default 0: snapshot first, the
// way a captured "snapshot then stream" file is usually laid out; with N > 0 the first N events
// are buffered first, exercising the buffering rules).
// Frames that are not depth events (subscription answers, trades, ...) are skipped and counted.
// A frame that does not parse is a break with reason BAD_MESSAGE and the parser's error code.
// When no InstrumentSpec is given, tick and lot steps are inferred from the most fractional
// digits seen in the data (exact, since every value is then a whole number of such steps).
import { DecimalScale } from '../../core/decimal.js';
import { InstrumentTable } from '../../core/instrument.js';
import { BinanceSpotBookSync } from '../binance-spot/book-sync.js';
import { BinanceUsdmBookSync } from '../binance-usdm/book-sync.js';
import { compareLevels, fractionDigits, toBytes, toText } from '../capture.js';
import type { InstrumentSpec, ReplayBreak } from '../types.js';
import type { BinanceBookSync } from './book-sync.js';
import { parseErrorName } from './byte-json.js';
import { BinanceMarketParser, BinanceMsg } from './market-parser.js';

export type BinanceVenue = 'binance-spot' | 'binance-usdm';

export interface BinanceReplayInput {
  readonly venue: BinanceVenue;
  readonly snapshot: string | Uint8Array;
  readonly events: readonly (string | Uint8Array)[];
  readonly spec?: InstrumentSpec;
  readonly snapshotAfter?: number;
}

export interface ReplayBook {
  readonly status: 'synced' | 'buffering';
  readonly symbol: string;
  readonly updateId: number;
  readonly eventTimeMs: number;
  readonly bids: [string, string][];
  readonly asks: [string, string][];
  readonly stats: { readonly applied: number; readonly dropped: number; readonly buffered: number; readonly skipped: number };
}

export type { ReplayBreak };

export type BinanceReplayResult = ReplayBook | ReplayBreak;

export function newBinanceBookSync(venue: BinanceVenue, capacityPerSide = 1024): BinanceBookSync {
  return venue === 'binance-spot' ? new BinanceSpotBookSync({ capacityPerSide }) : new BinanceUsdmBookSync({ capacityPerSide });
}

/** Infers an InstrumentSpec (symbol, tick and lot steps) from the captured data. Cold path. */
export function inferBinanceSpec(venue: BinanceVenue, snapshot: string | Uint8Array, events: readonly (string | Uint8Array)[]): InstrumentSpec {
  let pxDec = 0;
  let qtyDec = 0;
  let symbol = '';
  const visit = (o: unknown): void => {
    if (o === null || typeof o !== 'object') return;
    const r = o as Record<string, unknown>;
    if (typeof r['data'] === 'object') return visit(r['data']);
    if (symbol === '' && typeof r['s'] === 'string') symbol = r['s'];
    for (const k of ['b', 'a', 'bids', 'asks']) {
      const lv = r[k];
      if (!Array.isArray(lv)) continue;
      for (const l of lv) {
        if (!Array.isArray(l)) continue;
        pxDec = Math.max(pxDec, fractionDigits(l[0]));
        qtyDec = Math.max(qtyDec, fractionDigits(l[1]));
      }
    }
  };
  for (const x of [snapshot, ...events]) {
    try {
      visit(JSON.parse(toText(x)));
    } catch {
      // unparseable lines are reported by the replay itself
    }
  }
  const step = (d: number): string => (d === 0 ? '1' : `1e-${d}`);
  return {
    venue,
    symbol: symbol || 'UNKNOWN',
    base: '',
    quote: '',
    kind: venue === 'binance-spot' ? 'spot' : 'perpetual',
    tickSize: new DecimalScale(step(Math.min(pxDec, 18))).step,
    lotSize: new DecimalScale(step(Math.min(qtyDec, 18))).step,
    minQty: '0',
    minNotional: '0',
    contractValue: '1',
    contractValueCcy: '',
    contractType: venue === 'binance-spot' ? 'none' : 'linear',
  };
}

export function runBinanceReplay(input: BinanceReplayInput): BinanceReplayResult {
  const spec = input.spec ?? inferBinanceSpec(input.venue, input.snapshot, input.events);
  const table = new InstrumentTable([spec]);
  const ins = table.get(0);
  const parser = new BinanceMarketParser(table, { futures: input.venue === 'binance-usdm' });
  const sync = newBinanceBookSync(input.venue);
  const snapParser = new BinanceMarketParser(table, { futures: input.venue === 'binance-usdm' });
  const snapshotAfter = input.snapshotAfter ?? 0;
  let skipped = 0;
  let depthSeen = 0;
  let snapshotFed = false;

  const feedSnapshot = (): ReplayBreak | null => {
    snapshotFed = true;
    const k = snapParser.parse(toBytes(input.snapshot), 0, undefined, 0);
    if (k !== BinanceMsg.DEPTH_SNAPSHOT) {
      const why = k === BinanceMsg.ERROR ? parseErrorName(snapParser.error) : `not a depth snapshot`;
      return { status: 'break', index: -1, reason: 'BAD_MESSAGE', detail: `snapshot: ${why}` };
    }
    const step = sync.onSnapshot(snapParser.depth);
    if (step.status === 'resync') return { status: 'break', index: -1, reason: step.reason, detail: step.detail };
    return null;
  };

  if (snapshotAfter <= 0) {
    const br = feedSnapshot();
    if (br) return br;
  }
  for (let i = 0; i < input.events.length; i++) {
    const bytes = toBytes(input.events[i]!);
    if (bytes.length === 0 || (bytes.length === 1 && bytes[0] === 13)) {
      skipped++;
      continue;
    }
    const k = parser.parse(bytes, 0, bytes.length, 0);
    if (k === BinanceMsg.ERROR) {
      return { status: 'break', index: i, reason: 'BAD_MESSAGE', detail: `${parseErrorName(parser.error)} at byte ${parser.errorPos}` };
    }
    if (k !== BinanceMsg.DEPTH_UPDATE || parser.depth.kind !== 'delta') {
      skipped++;
      continue;
    }
    const step = sync.onDelta(parser.depth);
    if (step.status === 'resync') return { status: 'break', index: i, reason: step.reason, detail: step.detail };
    depthSeen++;
    if (!snapshotFed && depthSeen >= snapshotAfter) {
      const br = feedSnapshot();
      if (br) return { ...br, index: i };
    }
  }
  if (!snapshotFed) {
    const br = feedSnapshot();
    if (br) return br;
  }
  const book = sync.book;
  const fmt = (lv: [number, number][]): [string, string][] => lv.map(([p, q]) => [ins.tick.fromUnitsTrimmed(p), ins.lot.fromUnitsTrimmed(q)]);
  const levels = book.toLevels();
  return {
    status: sync.synced ? 'synced' : 'buffering',
    symbol: spec.symbol,
    updateId: book.updateId,
    eventTimeMs: book.eventTimeMs,
    bids: fmt(levels.bids),
    asks: fmt(levels.asks),
    stats: { applied: sync.counters.applied, dropped: sync.counters.dropped, buffered: sync.bufferedCount, skipped },
  };
}

/**
 * Compares a replay result with an expectation `{bids, asks, nonce?|updateId?}` whose levels are
 * [price, qty] as strings or numbers (ccxt's `parsedResponse` form works). Returns null when they
 * match, else the first difference. Numbers are compared by value (Number of our strings).
 */
export function compareReplay(result: BinanceReplayResult, expected: unknown): string | null {
  if (result.status === 'break') return `sync broke at event ${result.index}: ${result.reason} (${result.detail})`;
  if (expected === null || typeof expected !== 'object') return 'expectation is not an object';
  const e = expected as Record<string, unknown>;
  const id = e['updateId'] ?? e['nonce'] ?? e['lastUpdateId'];
  if (id !== undefined && Number(id) !== result.updateId) return `update id ${result.updateId} != expected ${String(id)}`;
  return compareLevels(result, e, (ours, theirs) => Number(ours) === Number(theirs));
}
