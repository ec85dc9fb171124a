// Suite `feed`: market-data parse + book-apply throughput and per-update latency, in one run and
// on the same bytes, for Binance spot depth diffs (20 changed levels per message: 10 bids + 10
// asks) and OKX `books` updates (20 changed 4-field levels), against two baselines:
//   (a) naive: JSON.parse of the frame + a Map<string price, number qty> per side, with the best
//       bid/ask kept per update (a cached best; removing the best level rescans the side);
//   (b) ccxt (npm `ccxt`, pro.binance / pro.okx): the frame goes through ccxt's own websocket
//       client entry `Client.onMessage({data})` (Buffer -> toString -> JSON.parse, as its
//       deliverLoop calls it for every frame `ws` emits), then the exchange's `handleMessage` ->
//       `handleOrderBook` -> `handleOrderBookMessage` / `handleDeltas` -> `OrderBookSide.store`
//       on the book ccxt itself created (Binance: `handleOrderBookSubscription` with the REST
//       snapshot returned by a stubbed `fetchOrderBook` that parses the same snapshot bytes with
//       ccxt's `parseOrderBook`, exactly what its `fetchOrderBook` does after the HTTP call;
//       OKX: the WS snapshot push). No sockets, no network.
//   (xmc) ours: the feed actor's exact entry, `BinanceMarketClient.handleFrame(buf)` /
//       `OkxMarketClient.handleFrame(buf)` (byte-level parser -> venue book-sync machine ->
//       OrderBook -> the onBook event the feed actor publishes from), with the real nowUs clock
//       for the two stage stamps it takes per frame. The Binance REST snapshot comes from a stub
//       REST client that returns the same snapshot bytes.
// Every implementation reads the best bid and ask (price and quantity) after each update, as a
// trading engine must.
//
// Method: bench/feed-stream.ts generates a seeded stream (a snapshot of BENCH_FEED_*_LEVELS per
// side, then updates mostly near the top, some deeper inserts/deletes, consistent id chains with
// ids > 2^32). All implementations consume the same Buffers in lockstep: bootstrap, warm-up
// (unmeasured; four calls alternating the latency loop and the throughput loop so both are
// optimised), then BENCH_FEED_ROUNDS rounds; in each round every implementation (baselines
// first) runs a latency chunk (one clock read before and after every update, samples into a
// Recorder), then every implementation runs a throughput chunk (no clock per update: rate =
// updates / chunk time). The row's rate is the median round; latency percentiles pool all
// rounds. Heap and GC per implementation over its own chunks (v8.GCProfiler): bytes allocated
// (used-heap growth + bytes freed by GCs inside the chunk: exact whatever left the garbage),
// GC counts by kind, used-heap change. Machine load per implementation over its chunks.
//
// Invariants: the suite fails (throws) unless every implementation's book equals the generator's
// reference (top 20 levels per side, exactly, and the level count of each side) after the
// bootstrap, after the warm-up and after every chunk, and unless each one stayed in sync (no
// resync, no gap, no rejected future) through the last update id. Targets (issue #3): xmc
// updates/s >= 3x ccxt, xmc p99 per update < 10 us; printed MET / MISSED, never tuned.
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pro as ccxtPro, version as ccxtLibVersion } from 'ccxt';
import { nowUs } from '../src/actors/clock.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import type { DecimalScale } from '../src/core/decimal.js';
import { InstrumentTable } from '../src/core/instrument.js';
import type { BinanceRestClient } from '../src/venues/binance/io/rest-client.js';
import { BinanceMarketClient } from '../src/venues/binance/io/market-client.js';
import type { MarketEvents } from '../src/venues/io/market.js';
import type { OkxRestClient } from '../src/venues/okx/io/rest-client.js';
import { OkxMarketClient } from '../src/venues/okx/io/market-client.js';
import type { InstrumentSpec } from '../src/venues/types.js';
import { binanceSpotStream, okxBooksStream, type BookRef, type EncodedStream } from './feed-stream.js';
import {
  Recorder,
  probeInterruptions,
  caseSelected,
  summarize,
  checkAtLeast,
  checkBelow,
  cpuSnapshot,
  envInt,
  fmtLoad,
  latencyFields,
  loadBetween,
  timesHigher,
  timesLower,
  type CaseResult,
  type CpuSnapshot,
  type RuntimeInfo,
  type SuiteReport,
  type TargetCheck,
} from './harness.js';

const REF_DEPTH = 20;

/** The installed ccxt package version (its package.json; the library's own `version` export can lag). */
const ccxtVersion = ((): string => {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'node_modules', 'ccxt', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return ccxtLibVersion;
  }
})();

// ---------------------------------------------------------------------------------------------
// What every implementation offers the suite

interface FeedImpl {
  readonly label: string;
  /** Processes frames[0] (and the snapshot) the implementation's own way. */
  bootstrap(s: EncodedStream): Promise<void>;
  /** frames [from, to), one clock read before and after each, samples into rec (µs). */
  runLatency(frames: readonly Buffer[], from: number, to: number, rec: Recorder): void;
  /** frames [from, to), no clock per update. */
  runThroughput(frames: readonly Buffer[], from: number, to: number): void;
  /** The book as a reference (ticks, lots), best first. Cold path. */
  book(depth: number): BookRef;
  /** null when in sync after frame k, else why not. */
  health(k: number, s: EncodedStream): string | null;
  /** Checksum of the best bid/ask reads (keeps them live). */
  readonly sink: number;
}

function specs(s: EncodedStream): InstrumentSpec {
  return s.venue === 'okx'
    ? { venue: 'okx', symbol: s.symbol, base: 'BTC', quote: 'USDT', kind: 'spot', tickSize: s.tickSize, lotSize: s.lotSize, minQty: '0.00001', minNotional: '0', contractValue: '1', contractValueCcy: 'BTC', contractType: 'none' }
    : { venue: 'binance-spot', symbol: s.symbol, base: 'BTC', quote: 'USDT', kind: 'spot', tickSize: s.tickSize, lotSize: s.lotSize, minQty: '0.00001', minNotional: '5', contractValue: '1', contractValueCcy: 'BTC', contractType: 'none' };
}

function yieldLoop(): Promise<void> {
  return new Promise((res) => setImmediate(res));
}

/** Doubles (ccxt, naive) -> exact units; NaN when the double is not a whole number of steps. */
function units(scale: DecimalScale, v: number | string): number {
  return scale.toUnits(typeof v === 'string' ? v : String(v));
}

// ---------------------------------------------------------------------------------------------
// (xmc) ours: the feed actor's market-data client entry

class XmcFeed implements FeedImpl {
  readonly label = 'xmc parser + sync + book';
  sink = 0;
  unsynced = 0;
  lastBreak = '';
  private readonly client: BinanceMarketClient | OkxMarketClient;

  constructor(s: EncodedStream, table: InstrumentTable) {
    const events: MarketEvents = {
      onBook: (book) => {
        this.sink += book.bestBidPx() - book.bestAskPx() + book.bestBidQty() + book.bestAskQty();
      },
      onUnsynced: (_i, reason, detail) => {
        this.unsynced++;
        this.lastBreak = `${reason}: ${detail}`;
      },
      onStatus: () => {},
    };
    if (s.venue === 'binance-spot') {
      const body = s.snapshotBody!;
      const rest = { depthSnapshot: (_sym: string, _limit: number) => Promise.resolve({ ok: true as const, status: 200, body }) };
      this.client = new BinanceMarketClient({ venue: 'binance-spot', table, rest: rest as unknown as BinanceRestClient, clockUs: nowUs, snapshotLimit: 1000 }, events);
    } else {
      const rest = {} as OkxRestClient; // never used: the book starts from the WS snapshot push
      this.client = new OkxMarketClient({ table, rest, clockUs: nowUs }, events);
    }
  }

  async bootstrap(s: EncodedStream): Promise<void> {
    this.client.handleFrame(s.frames[0]!);
    // Binance: frame 0 was buffered and a snapshot requested from the stub REST client
    for (let i = 0; i < 100 && !this.client.isSynced(0); i++) await yieldLoop();
  }

  runLatency(frames: readonly Buffer[], from: number, to: number, rec: Recorder): void {
    const c = this.client;
    for (let i = from; i < to; i++) {
      const f = frames[i]!;
      const t0 = nowUs();
      c.handleFrame(f);
      rec.record(nowUs() - t0);
    }
  }

  runThroughput(frames: readonly Buffer[], from: number, to: number): void {
    const c = this.client;
    for (let i = from; i < to; i++) c.handleFrame(frames[i]!);
  }

  book(depth: number): BookRef {
    const b = this.client.book(0);
    return { bids: b.bids.toArray(depth), asks: b.asks.toArray(depth), bidCount: b.bids.count, askCount: b.asks.count };
  }

  health(k: number, s: EncodedStream): string | null {
    const c = this.client.counters;
    if (!this.client.isSynced(0)) return `not synced (${this.lastBreak || 'never synced'})`;
    if (this.unsynced > 0 || c.resyncs > 0 || c.badFrames > 0) return `left sync ${this.unsynced}x, resyncs ${c.resyncs}, bad frames ${c.badFrames}: ${this.lastBreak}`;
    if (c.applied !== k + 1) return `applied ${c.applied} updates after frame ${k}, expected ${k + 1}`;
    if (k === s.frames.length - 1 && this.client.book(0).updateId !== s.lastId) return `book id ${this.client.book(0).updateId} != last id ${s.lastId}`;
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// (a) naive: JSON.parse + Map<string, number> per side, best kept per update

class NaiveSide {
  readonly m = new Map<string, number>();
  bestKey = '';
  bestPx: number;

  constructor(readonly isBid: boolean) {
    this.bestPx = isBid ? -Infinity : Infinity;
  }

  set(pxS: string, qtyS: string): void {
    const q = parseFloat(qtyS);
    if (q === 0) {
      if (this.m.delete(pxS) && pxS === this.bestKey) this.rescan();
      return;
    }
    this.m.set(pxS, q);
    const p = parseFloat(pxS);
    if (this.isBid ? p > this.bestPx : p < this.bestPx) {
      this.bestPx = p;
      this.bestKey = pxS;
    }
  }

  bestQty(): number {
    return this.m.get(this.bestKey) ?? 0;
  }

  clear(): void {
    this.m.clear();
    this.bestKey = '';
    this.bestPx = this.isBid ? -Infinity : Infinity;
  }

  private rescan(): void {
    let best = this.isBid ? -Infinity : Infinity;
    let key = '';
    for (const k of this.m.keys()) {
      const p = parseFloat(k);
      if (this.isBid ? p > best : p < best) {
        best = p;
        key = k;
      }
    }
    this.bestPx = best;
    this.bestKey = key;
  }
}

type NaiveLevel = [string, string, ...string[]];

interface NaiveBinanceMsg {
  e: string;
  s: string;
  U: number;
  u: number;
  b: NaiveLevel[];
  a: NaiveLevel[];
}

interface NaiveOkxMsg {
  arg: { channel: string; instId: string };
  action: string;
  data: { asks: NaiveLevel[]; bids: NaiveLevel[]; prevSeqId: number; seqId: number }[];
}

abstract class NaiveFeed implements FeedImpl {
  readonly label = 'JSON.parse + Map book (naive)';
  sink = 0;
  lastId = -1;
  protected readonly bids = new NaiveSide(true);
  protected readonly asks = new NaiveSide(false);

  constructor(private readonly table: InstrumentTable) {}

  abstract bootstrap(s: EncodedStream): Promise<void>;
  abstract runLatency(frames: readonly Buffer[], from: number, to: number, rec: Recorder): void;
  abstract runThroughput(frames: readonly Buffer[], from: number, to: number): void;

  protected applySides(b: NaiveLevel[], a: NaiveLevel[]): void {
    const bids = this.bids;
    const asks = this.asks;
    for (let i = 0; i < b.length; i++) bids.set(b[i]![0], b[i]![1]);
    for (let i = 0; i < a.length; i++) asks.set(a[i]![0], a[i]![1]);
    this.sink += bids.bestPx - asks.bestPx + bids.bestQty() + asks.bestQty();
  }

  book(depth: number): BookRef {
    const ins = this.table.get(0);
    const side = (s: NaiveSide): [number, number][] => {
      const all: [number, number][] = [...s.m.entries()].map(([p, q]) => [units(ins.tick, p), units(ins.lot, q)]);
      all.sort((x, y) => (s.isBid ? y[0] - x[0] : x[0] - y[0]));
      return all.slice(0, depth);
    };
    return { bids: side(this.bids), asks: side(this.asks), bidCount: this.bids.m.size, askCount: this.asks.m.size };
  }

  health(k: number, s: EncodedStream): string | null {
    if (k === s.frames.length - 1 && this.lastId !== s.lastId) return `last id ${this.lastId} != ${s.lastId}`;
    return null;
  }
}

class NaiveBinance extends NaiveFeed {
  async bootstrap(s: EncodedStream): Promise<void> {
    const snap = JSON.parse(s.snapshotBody!.toString()) as { lastUpdateId: number; bids: NaiveLevel[]; asks: NaiveLevel[] };
    this.bids.clear();
    this.asks.clear();
    this.applySides(snap.bids, snap.asks);
    this.lastId = snap.lastUpdateId;
    const m = JSON.parse(s.frames[0]!.toString()) as NaiveBinanceMsg;
    if (m.u <= this.lastId) return; // the snapshot already covers it (the stream's case)
    // first-event rule: U <= lastUpdateId + 1 <= u
    if (!(m.U <= this.lastId + 1 && m.u >= this.lastId + 1)) throw new Error('naive binance: first event does not bracket the snapshot');
    this.applySides(m.b, m.a);
    this.lastId = m.u;
  }

  private handle(buf: Buffer): void {
    const m = JSON.parse(buf.toString()) as NaiveBinanceMsg;
    if (m.e !== 'depthUpdate') throw new Error(`naive binance: unexpected event ${m.e}`);
    if (m.U !== this.lastId + 1) throw new Error(`naive binance: gap, U ${m.U} after u ${this.lastId}`);
    this.applySides(m.b, m.a);
    this.lastId = m.u;
  }

  runLatency(frames: readonly Buffer[], from: number, to: number, rec: Recorder): void {
    for (let i = from; i < to; i++) {
      const f = frames[i]!;
      const t0 = nowUs();
      this.handle(f);
      rec.record(nowUs() - t0);
    }
  }

  runThroughput(frames: readonly Buffer[], from: number, to: number): void {
    for (let i = from; i < to; i++) this.handle(frames[i]!);
  }
}

class NaiveOkx extends NaiveFeed {
  async bootstrap(s: EncodedStream): Promise<void> {
    this.handle(s.frames[0]!);
  }

  private handle(buf: Buffer): void {
    const m = JSON.parse(buf.toString()) as NaiveOkxMsg;
    const d = m.data[0]!;
    if (m.action === 'snapshot') {
      this.bids.clear();
      this.asks.clear();
    } else if (d.prevSeqId !== this.lastId) {
      throw new Error(`naive okx: prevSeqId ${d.prevSeqId} != last seqId ${this.lastId}`);
    }
    this.applySides(d.bids, d.asks);
    this.lastId = d.seqId;
  }

  runLatency(frames: readonly Buffer[], from: number, to: number, rec: Recorder): void {
    for (let i = from; i < to; i++) {
      const f = frames[i]!;
      const t0 = nowUs();
      this.handle(f);
      rec.record(nowUs() - t0);
    }
  }

  runThroughput(frames: readonly Buffer[], from: number, to: number): void {
    for (let i = from; i < to; i++) this.handle(frames[i]!);
  }
}

// ---------------------------------------------------------------------------------------------
// (b) ccxt: its websocket client entry and its exchange's order-book handlers

/** The parts of a ccxt book this suite reads. */
interface CcxtOrderBook {
  bids: [number, number][];
  asks: [number, number][];
  nonce: number | undefined;
}

/** The parts of ccxt's WsClient this suite drives (Client.onMessage is its per-frame entry). */
interface CcxtWsClient {
  url: string;
  subscriptions: Record<string, unknown>;
  rejections: Record<string, unknown>;
  onMessage(ev: { data: unknown }): void;
}

/** The parts of a ccxt.pro exchange this suite drives (all are ccxt's own methods). */
interface CcxtProExchange {
  urls: { api: { ws: Record<string, unknown> | string } };
  orderbooks: Record<string, CcxtOrderBook | undefined>;
  setMarkets(markets: unknown[]): unknown;
  client(url: string): CcxtWsClient;
  fetchOrderBook: (symbol: string, limit?: number) => Promise<unknown>;
  parseOrderBook(response: unknown, symbol: string, timestamp?: number): Record<string, unknown>;
  safeInteger2(o: unknown, a: string, b: string): number | undefined;
  stream(type: string, subscriptionHash: string, n?: number): string;
  getUrl(channel: string, access: string): string;
  handleOrderBookSubscription(client: CcxtWsClient, message: unknown, subscription: unknown): void;
}

type CcxtCtor = new (config: object) => CcxtProExchange;

const CCXT_SYMBOL = 'BTC/USDT';

function ccxtMarket(id: string, tick: number, lot: number): Record<string, unknown> {
  return {
    id, symbol: CCXT_SYMBOL, base: 'BTC', quote: 'USDT', baseId: 'BTC', quoteId: 'USDT', lowercaseId: id.toLowerCase(),
    type: 'spot', spot: true, margin: false, swap: false, future: false, option: false, contract: false, active: true,
    precision: { price: tick, amount: lot }, limits: { amount: { min: lot }, price: { min: tick } },
  };
}

class CcxtFeed implements FeedImpl {
  readonly label: string;
  sink = 0;
  private readonly ex: CcxtProExchange;
  private readonly client: CcxtWsClient;
  private ob: CcxtOrderBook | null = null;

  constructor(
    private readonly s: EncodedStream,
    private readonly table: InstrumentTable,
  ) {
    if (s.venue === 'binance-spot') {
      this.label = `ccxt ${ccxtVersion} pro.binance`;
      this.ex = new (ccxtPro.binance as unknown as CcxtCtor)({});
      this.ex.setMarkets([ccxtMarket(s.symbol, 0.01, 0.00001)]);
      const ex = this.ex;
      const body = s.snapshotBody!;
      // ccxt binance fetchOrderBook after its HTTP GET /api/v3/depth: parseOrderBook + nonce
      ex.fetchOrderBook = (symbol: string) => {
        const response = JSON.parse(body.toString()) as unknown;
        const ob = ex.parseOrderBook(response, symbol, undefined);
        ob['nonce'] = ex.safeInteger2(response, 'lastUpdateId', 'u');
        return Promise.resolve(ob);
      };
      const ws = ex.urls.api.ws as Record<string, string>;
      this.client = ex.client(`${ws['spot']}/${ex.stream('spot', 'btcusdt@depth@100ms', 1)}`);
    } else {
      this.label = `ccxt ${ccxtVersion} pro.okx`;
      this.ex = new (ccxtPro.okx as unknown as CcxtCtor)({});
      this.ex.setMarkets([ccxtMarket(s.symbol, 0.1, 0.00000001)]);
      this.client = this.ex.client(this.ex.getUrl('books', 'public'));
      // what watchOrderBook's subscribe leaves behind (client.subscriptions[messageHash])
      this.client.subscriptions[`books:${CCXT_SYMBOL}`] = true;
    }
  }

  async bootstrap(s: EncodedStream): Promise<void> {
    const c = this.client;
    if (s.venue === 'binance-spot') {
      // what the subscription answer triggers: a fresh book + the snapshot fetch (spawned)
      this.ex.handleOrderBookSubscription(c, { result: null, id: 1 }, { symbol: CCXT_SYMBOL, limit: 1000, type: 'spot', params: {} });
      c.onMessage({ data: s.frames[0]! }); // buffered in orderbook.cache until the snapshot
      for (let i = 0; i < 200; i++) {
        const ob = this.ex.orderbooks[CCXT_SYMBOL];
        if (ob !== undefined && ob.nonce !== undefined) break;
        await new Promise((res) => setTimeout(res, 1));
      }
    } else {
      c.onMessage({ data: s.frames[0]! });
    }
    const ob = this.ex.orderbooks[CCXT_SYMBOL];
    if (ob === undefined) throw new Error(`${this.label}: no order book after the bootstrap`);
    this.ob = ob;
  }

  runLatency(frames: readonly Buffer[], from: number, to: number, rec: Recorder): void {
    const c = this.client;
    const ob = this.ob!;
    for (let i = from; i < to; i++) {
      const f = frames[i]!;
      const t0 = nowUs();
      c.onMessage({ data: f });
      const b = ob.bids[0]!;
      const a = ob.asks[0]!;
      this.sink += b[0] - a[0] + b[1] + a[1];
      rec.record(nowUs() - t0);
    }
  }

  runThroughput(frames: readonly Buffer[], from: number, to: number): void {
    const c = this.client;
    const ob = this.ob!;
    for (let i = from; i < to; i++) {
      c.onMessage({ data: frames[i]! });
      const b = ob.bids[0]!;
      const a = ob.asks[0]!;
      this.sink += b[0] - a[0] + b[1] + a[1];
    }
  }

  book(depth: number): BookRef {
    const ins = this.table.get(0);
    const ob = this.ex.orderbooks[CCXT_SYMBOL] ?? this.ob!;
    const side = (rows: [number, number][]): [number, number][] => {
      const out: [number, number][] = [];
      for (let i = 0; i < depth && i < rows.length; i++) out.push([units(ins.tick, rows[i]![0]), units(ins.lot, rows[i]![1])]);
      return out;
    };
    return { bids: side(ob.bids), asks: side(ob.asks), bidCount: ob.bids.length, askCount: ob.asks.length };
  }

  health(k: number, s: EncodedStream): string | null {
    const cur = this.ex.orderbooks[CCXT_SYMBOL];
    if (cur !== this.ob) return 'ccxt dropped or replaced its order book (nonce/checksum error)';
    const rej = Object.keys(this.client.rejections);
    if (rej.length > 0) return `ccxt rejected ${rej.join(', ')}`;
    if (k === s.frames.length - 1 && this.ob!.nonce !== s.lastId) return `ccxt nonce ${this.ob!.nonce} != last id ${s.lastId}`;
    void this.s;
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Book comparison

function sideDiff(name: string, got: [number, number][], ref: [number, number][]): string | null {
  const n = Math.max(got.length, ref.length);
  for (let i = 0; i < n; i++) {
    const g = got[i];
    const r = ref[i];
    if (g === undefined || r === undefined) return `${name}[${i}]: ${g === undefined ? 'missing' : `[${g[0]}, ${g[1]}]`}, expected ${r === undefined ? 'nothing' : `[${r[0]}, ${r[1]}]`}`;
    if (g[0] !== r[0] || g[1] !== r[1]) return `${name}[${i}]: [${g[0]}, ${g[1]}], expected [${r[0]}, ${r[1]}] (ticks, lots)`;
  }
  return null;
}

function bookDiff(got: BookRef, ref: BookRef): string | null {
  return (
    sideDiff('bids', got.bids, ref.bids) ??
    sideDiff('asks', got.asks, ref.asks) ??
    (got.bidCount !== ref.bidCount ? `bid level count ${got.bidCount}, expected ${ref.bidCount}` : null) ??
    (got.askCount !== ref.askCount ? `ask level count ${got.askCount}, expected ${ref.askCount}` : null)
  );
}

// ---------------------------------------------------------------------------------------------
// Measurement windows: time, heap/GC (GCProfiler) and machine load of one implementation's chunk

interface ImplStats {
  readonly impl: FeedImpl;
  readonly caseName: string;
  readonly rec: Recorder;
  readonly tputRuns: { updates: number; us: number }[];
  allocBytes: number;
  heapDelta: number;
  measuredUpdates: number;
  gc: { minor: number; major: number; other: number; pauseUs: number };
  cpu: CpuSnapshot;
  cpuOk: boolean;
}

function window(st: ImplStats, updates: number, run: () => void): number {
  const c0 = cpuSnapshot();
  const h0 = getHeapStatistics().used_heap_size;
  const prof = new GCProfiler();
  prof.start();
  const t0 = nowUs();
  run();
  const us = nowUs() - t0;
  const r = prof.stop();
  const h1 = getHeapStatistics().used_heap_size;
  const c1 = cpuSnapshot();
  let freed = 0;
  for (const g of r?.statistics ?? []) {
    freed += g.beforeGC.heapStatistics.usedHeapSize - g.afterGC.heapStatistics.usedHeapSize;
    if (g.gcType === 'Scavenge' || g.gcType === 'MinorMarkSweep') st.gc.minor++;
    else if (g.gcType === 'MarkSweepCompact') st.gc.major++;
    else st.gc.other++;
    st.gc.pauseUs += g.cost;
  }
  st.allocBytes += h1 - h0 + freed;
  st.heapDelta += h1 - h0;
  st.measuredUpdates += updates;
  if (c0 !== null && c1 !== null) {
    st.cpu.total += c1.total - c0.total;
    st.cpu.idle += c1.idle - c0.idle;
    st.cpu.steal += c1.steal - c0.steal;
    st.cpu.self += c1.self - c0.self;
  } else st.cpuOk = false;
  return us;
}

// ---------------------------------------------------------------------------------------------
// One venue

interface FeedConfig {
  seed: number;
  binanceLevels: number;
  okxLevels: number;
  changesPerSide: number;
  warmup: number;
  latPerRound: number;
  tputPerRound: number;
  rounds: number;
  /** Busy-loop time of the interruption probe after each venue's cases, ms (BENCH_FEED_PROBE_MS). */
  probeMs: number;
}

interface VenueRun {
  readonly key: 'binance' | 'okx';
  readonly title: string;
  readonly stats: ImplStats[];
  readonly stream: { frames: number; bytes: number; avgFrameBytes: number; levelsPerSide: number; firstId: number; lastId: number; checkpoints: number };
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1]!;
}

async function runVenue(key: 'binance' | 'okx', cfg: FeedConfig): Promise<VenueRun | null> {
  const title = key === 'binance' ? 'binance depth20' : 'okx books';
  const kinds = ['naive', 'ccxt', 'xmc'] as const;
  const caseNames: Record<(typeof kinds)[number], string> = {
    naive: `${title}: JSON.parse + Map book (naive)`,
    ccxt: `${title}: ccxt ${ccxtVersion} ${key === 'binance' ? 'pro.binance' : 'pro.okx'}`,
    xmc: `${title}: xmc parser + sync + book`,
  };
  const selected = kinds.filter((k) => caseSelected(caseNames[k]));
  if (selected.length === 0) return null;

  const L = cfg.latPerRound;
  const T = cfg.tputPerRound;
  const W = cfg.warmup;
  const updates = W + cfg.rounds * (L + T);
  const checkpoints = [0, W];
  for (let r = 0; r < cfg.rounds; r++) {
    const s = 1 + W + r * (L + T);
    checkpoints.push(s + L - 1, s + L + T - 1);
  }
  const opts = { seed: cfg.seed, levels: key === 'binance' ? cfg.binanceLevels : cfg.okxLevels, changesPerSide: cfg.changesPerSide, updates, checkpoints, refDepth: REF_DEPTH };
  process.stdout.write(`  ${title}: generating ${updates + 1} frames ...`);
  const stream = key === 'binance' ? binanceSpotStream(opts) : okxBooksStream(opts);
  process.stdout.write(` ${(stream.bytes / 1048576).toFixed(1)} MiB, ${Math.round(stream.bytes / stream.frames.length)} B/frame\n`);
  const table = new InstrumentTable([specs(stream)]);

  const make = (k: (typeof kinds)[number]): FeedImpl => {
    if (k === 'xmc') return new XmcFeed(stream, table);
    if (k === 'ccxt') return new CcxtFeed(stream, table);
    return key === 'binance' ? new NaiveBinance(table) : new NaiveOkx(table);
  };
  const stats: ImplStats[] = selected.map((k) => ({
    impl: make(k),
    caseName: caseNames[k],
    rec: new Recorder(cfg.rounds * L),
    tputRuns: [],
    allocBytes: 0,
    heapDelta: 0,
    measuredUpdates: 0,
    gc: { minor: 0, major: 0, other: 0, pauseUs: 0 },
    cpu: { total: 0, idle: 0, steal: 0, self: 0 },
    cpuOk: true,
  }));

  const verify = (k: number, when: string): void => {
    const ref = stream.refs.get(k);
    if (ref === undefined) throw new Error(`feed suite: no reference book at frame ${k}`);
    for (const st of stats) {
      const h = st.impl.health(k, stream);
      if (h !== null) throw new Error(`feed suite: ${st.caseName} is out of sync ${when} (frame ${k}): ${h}`);
      const d = bookDiff(st.impl.book(REF_DEPTH), ref);
      if (d !== null) throw new Error(`feed suite: ${st.caseName} book differs from the reference ${when} (frame ${k}): ${d}`);
    }
  };

  for (const st of stats) await st.impl.bootstrap(stream);
  verify(0, 'after the bootstrap');

  // warm-up: four calls, alternating the two loops, per implementation
  const scratch = new Recorder(Math.max(1, W));
  const q = Math.max(1, Math.floor(W / 4));
  let at = 1;
  for (let c = 0; c < 4; c++) {
    const end = c === 3 ? 1 + W : Math.min(1 + W, at + q);
    for (const st of stats) {
      if (c % 2 === 0) st.impl.runLatency(stream.frames, at, end, scratch);
      else st.impl.runThroughput(stream.frames, at, end);
    }
    scratch.reset();
    at = end;
  }
  verify(W, 'after the warm-up');
  await yieldLoop();

  for (let r = 0; r < cfg.rounds; r++) {
    const s = 1 + W + r * (L + T);
    for (const st of stats) {
      window(st, L, () => st.impl.runLatency(stream.frames, s, s + L, st.rec));
      await yieldLoop();
    }
    verify(s + L - 1, `after latency round ${r + 1}`);
    for (const st of stats) {
      const us = window(st, T, () => st.impl.runThroughput(stream.frames, s + L, s + L + T));
      st.tputRuns.push({ updates: T, us });
      await yieldLoop();
    }
    verify(s + L + T - 1, `after throughput round ${r + 1}`);
    process.stdout.write(`  ${title}: round ${r + 1}/${cfg.rounds} done, books equal\n`);
  }

  return {
    key,
    title,
    stats,
    stream: {
      frames: stream.frames.length,
      bytes: stream.bytes,
      avgFrameBytes: Math.round(stream.bytes / stream.frames.length),
      levelsPerSide: stream.levelsPerSide,
      firstId: stream.firstId,
      lastId: stream.lastId,
      checkpoints: checkpoints.length,
    },
  };
}

// ---------------------------------------------------------------------------------------------

function kib(n: number): string {
  return `${(n / 1024).toFixed(0)} KiB`;
}

export async function runFeedSuite(runtime: RuntimeInfo): Promise<SuiteReport> {
  const cfg: FeedConfig = {
    seed: envInt('BENCH_FEED_SEED', 42),
    binanceLevels: envInt('BENCH_FEED_BINANCE_LEVELS', 1000),
    okxLevels: envInt('BENCH_FEED_OKX_LEVELS', 400),
    changesPerSide: envInt('BENCH_FEED_CHANGES', 10),
    warmup: envInt('BENCH_FEED_WARMUP', 20000),
    latPerRound: envInt('BENCH_FEED_LAT', 10000),
    tputPerRound: envInt('BENCH_FEED_TPUT', 30000),
    rounds: envInt('BENCH_FEED_ROUNDS', 3),
    probeMs: envInt('BENCH_FEED_PROBE_MS', 1000),
  };
  const cases: CaseResult[] = [];
  const ratios: Record<string, number> = {};
  const targets: TargetCheck[] = [];
  const streams: Record<string, unknown> = {};
  const roundNotes: string[] = [];
  let sinkNonZero = true;
  for (const key of ['binance', 'okx'] as const) {
    const run = await runVenue(key, cfg);
    if (run === null) continue;
    streams[key] = run.stream;
    const rate: Record<string, number> = {};
    const p99: Record<string, number> = {};
    const p50: Record<string, number> = {};
    for (const st of run.stats) {
      const s = st.rec.summary();
      const rates = st.tputRuns.map((x) => (x.updates * 1e6) / x.us);
      const r = median(rates);
      const kind = st.caseName.includes(': xmc') ? 'xmc' : st.caseName.includes(': ccxt') ? 'ccxt' : 'naive';
      rate[kind] = r;
      p99[kind] = s.p99;
      p50[kind] = s.p50;
      // per-round latency (the recorder keeps samples in arrival order: round r = [r*L, (r+1)*L))
      const L = cfg.latPerRound;
      const perRound = st.tputRuns.map((_, r) => summarize(st.rec.values.slice(r * L, (r + 1) * L), Math.max(0, Math.min(L, st.rec.count - r * L))));
      if (kind === 'xmc') roundNotes.push(`${run.title}: xmc p50/p99 per round ${perRound.map((x) => `${x.p50.toFixed(2)}/${x.p99.toFixed(2)}`).join(', ')} us`);
      const bPerUpd = st.allocBytes / st.measuredUpdates;
      const load = st.cpuOk ? loadBetween({ total: 0, idle: 0, steal: 0, self: 0 }, st.cpu) : null;
      if (st.impl.sink === 0) sinkNonZero = false;
      cases.push({
        name: st.caseName,
        note: `alloc ${bPerUpd.toFixed(1)} B/upd, GC minor ${st.gc.minor} major ${st.gc.major}, heap ${st.heapDelta >= 0 ? '+' : ''}${kib(st.heapDelta)}${load === null ? '' : `, ${fmtLoad(load)}`}`,
        ...latencyFields(s),
        msgs_per_sec: r,
        extra: {
          throughputRunsPerSec: rates.map((x) => Math.round(x)),
          latencyPerRound: perRound.map((x) => ({ p50_us: x.p50, p99_us: x.p99, p999_us: x.p999, max_us: x.max, samples: x.count })),
          allocatedBytes: Math.round(st.allocBytes),
          allocatedBytesPerUpdate: bPerUpd,
          heapUsedChangeBytes: st.heapDelta,
          gc: st.gc,
          measuredUpdates: st.measuredUpdates,
          load,
        },
      });
    }
    const t = run.title;
    ratios[`${t}: xmc updates/s x ccxt`] = timesHigher(rate['ccxt'], rate['xmc']);
    ratios[`${t}: xmc updates/s x naive`] = timesHigher(rate['naive'], rate['xmc']);
    ratios[`${t}: xmc p50 x lower than ccxt`] = timesLower(p50['ccxt'], p50['xmc']);
    ratios[`${t}: xmc p99 x lower than ccxt`] = timesLower(p99['ccxt'], p99['xmc']);
    ratios[`${t}: xmc p99 x lower than naive`] = timesLower(p99['naive'], p99['xmc']);
    // (a target whose figures were filtered out with BENCH_FILTER is not checked)
    if (rate['xmc'] !== undefined && rate['ccxt'] !== undefined) {
      targets.push(checkAtLeast(`${t}: xmc updates/s >= 3x ccxt`, 3, ratios[`${t}: xmc updates/s x ccxt`]!));
    }
    if (rate['xmc'] !== undefined) targets.push(checkBelow(`${t}: xmc p99 per update < 10 us`, 10, p99['xmc']!));
    // what the host takes from this thread, measured right after the cases: how often an update
    // of xmc's p50 is interrupted (the p99 carries an interruption once that passes 1%)
    const probe = probeInterruptions(cfg.probeMs);
    const hitPct = p50['xmc'] === undefined ? Number.NaN : (probe.perSec * p50['xmc']) / 1e4;
    cases.push({
      name: `${t}: cpu lost by a busy loop (${(probe.busyMs / 1000).toFixed(1)} s)`,
      note: `floor: gaps > ${probe.thresholdUs} us in a clock-reading loop, ${probe.perSec.toFixed(0)} per s (msg/s column); an update of xmc's p50 is hit with probability ${Number.isFinite(hitPct) ? `${hitPct.toFixed(2)}%` : '-'}`,
      ...latencyFields(probe.gaps),
      msgs_per_sec: probe.perSec,
      extra: { probe, xmcUpdateHitPct: hitPct },
    });
  }
  return {
    suite: 'feed',
    description: `market-data parse + book apply per update (Binance spot depth diff, OKX books; ${cfg.changesPerSide} bid + ${cfg.changesPerSide} ask levels changed per message), xmc vs JSON.parse + Map book vs ccxt ${ccxtVersion}`,
    runtime,
    config: { ...cfg, refDepth: REF_DEPTH, ccxt: ccxtVersion, streams },
    baseline: `(a) JSON.parse + Map<string, number> book per side with the best bid/ask per update; (b) ccxt ${ccxtVersion} Client.onMessage -> pro.<venue>.handleMessage -> its local order book`,
    cases,
    ratios,
    targets,
    notes: [
      `same Buffers for every implementation; warm-up ${cfg.warmup} updates, then ${cfg.rounds} rounds of ${cfg.latPerRound} latency updates (clock read before/after each) + ${cfg.tputPerRound} throughput updates (no clock per update) per implementation, baselines first in each round; rate = median round`,
      `books verified equal to the generator's reference (top ${REF_DEPTH} levels per side exactly, and the level count of each side) after the bootstrap, the warm-up and every chunk; every implementation in sync through the last id`,
      'xmc latency includes the two stage stamps (nowUs) the feed client takes per frame; alloc B/upd = (used-heap growth + bytes freed by GCs) inside the implementation\'s own chunks (v8.GCProfiler)',
      ...roundNotes,
      `checksum sink ${sinkNonZero ? 'non-zero' : 'ZERO (a read was optimised away?)'}`,
    ],
  };
}
