// The simulated Binance venue, shared by spot and USD-M futures through a BinanceSimProfile
// (binance-spot.ts, binance-usdm.ts hold the profiles). One node:http server on loopback serves:
// - REST: ping, time, exchangeInfo, depth snapshot (`lastUpdateId`), SIGNED order entry
//   (POST / DELETE / GET order, open orders, cancel-all, account), USD-M listenKey;
// - market-data WebSockets: spot `/ws[/<stream>]`, `/stream?streams=`; USD-M `/public/...` and
//   `/market/...` (the 2026 split; legacy `/ws` is gone), live SUBSCRIBE / UNSUBSCRIBE /
//   LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY, `<sym>@depth[@100ms|@500ms]` diffs with
//   U/u (and pu on USD-M), partial depth, bookTicker, trade, aggTrade, `serverShutdown`;
// - the WebSocket API (spot `/ws-api/v3`, USD-M `/ws-fapi/v1`): order.place / order.cancel /
//   order.status and friends; spot user data through `userDataStream.subscribe.signature`
//   (`{"subscriptionId","event"}` envelopes with executionReport / outboundAccountPosition);
// - USD-M user data on `/private/ws?listenKey=..&events=..` (ORDER_TRADE_UPDATE, TRADE_LITE,
//   ACCOUNT_UPDATE, listenKeyExpired). ACCOUNT_UPDATE only after a fill of the account (the docs:
//   unfilled or cancelled orders do not push it); spot outboundAccountPosition after every
//   balance change (placements lock, cancels release, fills move).
// - Balances: spot `GET /api/v3/account` (honours `omitZeroBalances`), USD-M `GET /fapi/v3/balance`
//   (and the older `/fapi/v2/balance`).
// Rate limits (weights, order counts, headers, 429 / 418 with Retry-After), signatures and
// timestamps are enforced as documented; faults come from the shared FaultController.
//
// Invariants:
// - Orders from every transport go through one code path (`newOrder` / `cancelOrder` /
//   `queryOrder`) and really trade in the venue's matching engine; their reports reach the
//   account's private streams before the answer is written.
// - Depth diffs are published per stream every `everyTicks` publish ticks with U = previous u + 1
//   and u = the engine's update id; a REST snapshot carries the engine's current id, so snapshot
//   plus diffs rebuild the engine's book exactly (see depth.ts).
// - Every timer and socket belongs to this server and is released by `stop()`.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DecimalError } from '../../core/decimal.js';
import type { FaultRule, FaultTarget } from '../faults.js';
import type { OrderRef, OrderReport, OrderView, PlaceRequest, SelfTradeMode, SimOrderType } from '../matching.js';
import { bErr, checkTimestamp, E_MANDATORY, hexSignatureMatches, parseRestParams, restSignedPayload, wsApiPayload, type BinanceError } from './binance-auth.js';
import {
  amountStr, spotAck, spotCancel, spotExecutionReport, spotFull, spotQuery, spotResult, stpName,
  usdmOrder, usdmOrderTradeUpdate, usdmTradeLite,
} from './binance-format.js';
import { BinanceLimiter, type LimitRejection, type RateRule } from './binance-limits.js';
import { handleControl, type SimControl } from './control.js';
import { DiffStream, sameTop, topOfBook, TopNTracker, type TopOfBook } from './depth.js';
import { priceStr, qtyStr, STYLE_BINANCE_USDM, type NumberStyle } from './format.js';
import { header, rejectUpgrade, startHttpServer, writeJson, type HttpRequest, type HttpServerHandle } from './http.js';
import { SimSocket } from './sim-socket.js';
import { partialLots, type OpSource, type OpView, type SimCredentials, type SimInstrument, type VenueCore } from './venue.js';

// ---- profile ------------------------------------------------------------------------------------

export interface BinanceSimProfile {
  readonly protocol: 'binance-spot' | 'binance-usdm';
  readonly futures: boolean;
  readonly paths: {
    readonly ping: string;
    readonly time: string;
    readonly exchangeInfo: string;
    readonly depth: string;
    readonly order: string;
    readonly openOrders: string;
    /** DELETE: cancel every open order of a symbol. */
    readonly cancelAll: string;
    /** Spot account information; USD-M balance (the current documented path). */
    readonly account: string;
    /** Older paths that serve the same answer (USD-M `/fapi/v2/balance`). */
    readonly accountAliases: readonly string[];
    readonly positions: string | null;
    readonly listenKey: string | null;
  };
  readonly wsApiPath: string;
  /** Snapshot limits: spot uses ranges (limit <= L -> weight), USD-M exact values. */
  readonly depthLimits: readonly (readonly [number, number])[];
  readonly depthExact: boolean;
  readonly depthDefault: number;
  readonly depthMax: number;
  readonly weights: {
    readonly exchangeInfo: number; readonly order: number; readonly cancel: number; readonly query: number;
    readonly openOrdersOne: number; readonly openOrdersAll: number; readonly account: number; readonly cancelAll: number;
  };
  readonly clientIdRe: RegExp;
  /** Diff stream speed suffix -> interval ms ('' = the default speed). */
  readonly diffSpeeds: Readonly<Record<string, number>>;
  readonly partialSpeeds: Readonly<Record<string, number>>;
  readonly style: NumberStyle;
  readonly orderTypes: readonly string[];
  readonly unsupportedTypes: readonly string[];
  readonly tifs: readonly string[];
  readonly newOrderParams: readonly string[];
  readonly unsupportedParams: readonly string[];
}

export interface BinanceServerConfig {
  readonly core: VenueCore;
  readonly profile: BinanceSimProfile;
  readonly host: string;
  readonly port: number;
  readonly control: SimControl;
  readonly rateLimits: readonly RateRule[];
  readonly banMs: number;
  readonly ping: { readonly intervalMs: number; readonly timeoutMs: number };
  readonly maxLifetimeMs: number;
  readonly incomingPerSecond: number;
  readonly publishMs: number;
  readonly listenKeyTtlMs: number;
  readonly maxStreamsPerConnection: number;
}

export interface BinanceUrls {
  readonly rest: string;
  /** Market-data WebSocket base (spot: append /ws/<stream>; USD-M: append /public/ws/<stream>). */
  readonly ws: string;
  readonly wsApi: string;
  /** USD-M only: `/private` base (append `/ws?listenKey=...&events=...`). */
  readonly wsPrivate: string | null;
}

// ---- streams ------------------------------------------------------------------------------------

type StreamSpec =
  | { readonly kind: 'diff'; readonly inst: SimInstrument; readonly everyMs: number }
  | { readonly kind: 'partial'; readonly inst: SimInstrument; readonly levels: number; readonly everyMs: number }
  | { readonly kind: 'bookTicker'; readonly inst: SimInstrument }
  | { readonly kind: 'trade'; readonly inst: SimInstrument }
  | { readonly kind: 'aggTrade'; readonly inst: SimInstrument };

interface StreamState {
  readonly name: string;
  readonly spec: StreamSpec;
  readonly subs: Set<SimSocket>;
  readonly everyTicks: number;
  diff: DiffStream | null;
  partial: TopNTracker | null;
  partialLastU: number;
  top: TopOfBook | null;
}

type Route = 'spot' | 'public' | 'market';

interface MarketState {
  route: Route;
  streams: Set<string>;
  combined: boolean;
}

interface ApiState {
  /** account -> subscription id (spot user data). */
  subs: Map<string, number>;
  nextSubId: number;
  ip: string;
}

interface PrivateState {
  listenKey: string;
  account: string;
  events: Set<string> | null;
  combined: boolean;
}

/** A REST / WS-API answer before it is written. */
interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  readonly account?: string;
  readonly orderCounted?: boolean;
}
interface Withhold {
  readonly withhold: 'hang' | 'close';
}
type Answer = Reply | Withhold;

function isWithhold(a: Answer): a is Withhold {
  return 'withhold' in a;
}

function errAnswer(e: BinanceError, extraHeaders?: Record<string, string>): Answer {
  return { status: e.status, body: { code: e.code, msg: e.msg }, ...(extraHeaders ? { headers: extraHeaders } : {}) };
}

const REJECT_DEFAULT_SPOT = bErr(400, -2010, 'Account has insufficient balance for requested action.');
const REJECT_DEFAULT_USDM = bErr(400, -2019, 'Margin is insufficient.');

// ---- server -------------------------------------------------------------------------------------

export class BinanceVenueServer {
  readonly core: VenueCore;
  readonly profile: BinanceSimProfile;
  readonly limiter: BinanceLimiter;
  urls!: BinanceUrls;
  private http!: HttpServerHandle;
  private readonly wss: WebSocketServer;
  private readonly marketSockets = new Set<SimSocket>();
  private readonly privateSockets = new Set<SimSocket>();
  private readonly streams = new Map<string, StreamState>();
  private readonly listenKeys = new Map<string, { account: string; expiresAt: number }>();
  private readonly keyOfAccount = new Map<string, string>();
  private readonly hanging = new Set<IncomingMessage>();
  /** USD-M orders answered -5021 (FOK not filled): "not recorded in the order history". */
  private readonly unrecorded = new Set<number>();
  private publishTimer: NodeJS.Timeout | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private tick = 0;
  private cancelSeq = 0;
  /** Cancel request id of the cancel being processed (executionReport `c` of its report). */
  private pendingCancelCid: string | null = null;
  private stopped = false;

  private constructor(readonly cfg: BinanceServerConfig) {
    this.core = cfg.core;
    this.profile = cfg.profile;
    this.limiter = new BinanceLimiter(cfg.rateLimits, cfg.core.clock, cfg.banMs);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false });
  }

  static async start(cfg: BinanceServerConfig): Promise<BinanceVenueServer> {
    const s = new BinanceVenueServer(cfg);
    s.http = await startHttpServer({
      host: cfg.host,
      port: cfg.port,
      onRequest: (r) => s.onRequest(r),
      onUpgrade: (req, socket, head, path, q) => s.onUpgrade(req, socket, head, path, q),
    });
    const base = s.http.wsBaseUrl;
    s.urls = {
      rest: s.http.baseUrl,
      ws: base,
      wsApi: `${base}${cfg.profile.wsApiPath}`,
      wsPrivate: cfg.profile.futures ? `${base}/private` : null,
    };
    cfg.core.onOp((inst, op, source) => s.onOp(inst, op, source));
    s.publishTimer = setInterval(() => s.publish(), cfg.publishMs);
    if (cfg.profile.futures) s.expiryTimer = setInterval(() => s.expireListenKeys(), Math.max(50, Math.min(1000, Math.floor(cfg.listenKeyTtlMs / 10))));
    cfg.core.faults.attach(cfg.core.name, {
      disconnect: (t, code) => s.eachSocket(t, (k) => (code === null ? k.terminate() : k.close(code, 'disconnect'))),
      stall: (t, ms) => s.eachSocket(t, (k) => k.stall(ms)),
      shutdownNotice: (closeAfterMs) => s.shutdownNotice(closeAfterMs),
    });
    return s;
  }

  get port(): number {
    return this.http.port;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.publishTimer !== null) clearInterval(this.publishTimer);
    if (this.expiryTimer !== null) clearInterval(this.expiryTimer);
    this.core.faults.detach(this.core.name);
    for (const s of [...this.marketSockets, ...this.privateSockets]) s.terminate();
    for (const req of this.hanging) req.socket.destroy();
    this.wss.close();
    await this.http.close();
  }

  /** Flushes every depth stream now (tests; normally the publish timer does it). */
  flush(): void {
    this.publish(true);
  }

  private eachSocket(t: 'market' | 'private' | 'all', fn: (s: SimSocket) => void): number {
    let n = 0;
    if (t !== 'private') for (const s of [...this.marketSockets]) (fn(s), n++);
    if (t !== 'market') for (const s of [...this.privateSockets]) (fn(s), n++);
    return n;
  }

  private now(): number {
    return this.core.clock.now();
  }

  // ---- publishing -------------------------------------------------------------------------------

  private publish(all = false): void {
    if (this.stopped) return;
    this.tick++;
    for (const st of this.streams.values()) {
      if (st.subs.size === 0) continue;
      if (!all && this.tick % st.everyTicks !== 0) continue;
      if (st.spec.kind === 'diff') this.publishDiff(st);
      else if (st.spec.kind === 'partial') this.publishPartial(st);
    }
  }

  private publishDiff(st: StreamState): void {
    const spec = st.spec;
    if (spec.kind !== 'diff' || st.diff === null) return;
    const ev = st.diff.next();
    if (ev === null) return;
    if (this.core.faults.decide('gap', this.core.name, 'market', st.name) !== null) return;
    const inst = spec.inst;
    const E = this.now();
    const lv = (l: [number, number][]): string[][] => l.map(([p, q]) => [priceStr(inst.ins, p, this.profile.style), qtyStr(inst.ins, q, this.profile.style)]);
    const payload = this.profile.futures
      ? { e: 'depthUpdate', E, T: E, s: inst.symbol, U: ev.U, u: ev.u, pu: ev.pu, b: lv(ev.bids), a: lv(ev.asks) }
      : { e: 'depthUpdate', E, s: inst.symbol, U: ev.U, u: ev.u, b: lv(ev.bids), a: lv(ev.asks) };
    this.fanOut(st, JSON.stringify(payload));
  }

  private publishPartial(st: StreamState): void {
    const spec = st.spec;
    if (spec.kind !== 'partial' || st.partial === null) return;
    const snap = st.partial.next();
    if (snap === null) return;
    const inst = spec.inst;
    const lv = (l: [number, number][]): string[][] => l.map(([p, q]) => [priceStr(inst.ins, p, this.profile.style), qtyStr(inst.ins, q, this.profile.style)]);
    let payload: unknown;
    if (this.profile.futures) {
      const E = this.now();
      payload = { e: 'depthUpdate', E, T: E, s: inst.symbol, U: st.partialLastU + 1, u: snap.updateId, pu: st.partialLastU, b: lv(snap.bids), a: lv(snap.asks) };
    } else payload = { lastUpdateId: snap.updateId, bids: lv(snap.bids), asks: lv(snap.asks) };
    st.partialLastU = snap.updateId;
    this.fanOut(st, JSON.stringify(payload));
  }

  private fanOut(st: StreamState, raw: string): void {
    let combined: string | null = null;
    for (const s of st.subs) {
      const ms = s.state['m'] as MarketState;
      if (ms.combined) {
        combined ??= `{"stream":"${st.name}","data":${raw}}`;
        s.push(combined);
      } else s.push(raw);
    }
  }

  private onOp(inst: SimInstrument, op: OpView, source: OpSource): void {
    if (this.stopped) return;
    // real-time streams: bookTicker, trades
    const sym = inst.symbol.toLowerCase();
    const bt = this.streams.get(`${sym}@bookTicker`);
    if (bt !== undefined && bt.subs.size > 0 && op.levels.length > 0) {
      const top = topOfBook(inst.engine);
      if (!sameTop(bt.top, top)) {
        bt.top = top;
        const st = this.profile.style;
        const fmtP = (p: number): string => (Number.isNaN(p) ? '0' : priceStr(inst.ins, p, st));
        const base = { u: op.updateId, s: inst.symbol, b: fmtP(top.bidPx), B: qtyStr(inst.ins, top.bidQty, st), a: fmtP(top.askPx), A: qtyStr(inst.ins, top.askQty, st) };
        const E = this.now();
        this.fanOut(bt, JSON.stringify(this.profile.futures ? { e: 'bookTicker', u: base.u, E, T: E, s: base.s, b: base.b, B: base.B, a: base.a, A: base.A } : base));
      }
    }
    if (op.trades.length > 0) {
      const tr = this.streams.get(`${sym}@trade`);
      const ag = this.streams.get(`${sym}@aggTrade`);
      for (const t of op.trades) {
        const E = this.now();
        const p = priceStr(inst.ins, t.priceTicks, this.profile.style);
        const q = qtyStr(inst.ins, t.qtyLots, this.profile.style);
        const buyerMaker = t.takerSide === 'sell';
        if (tr !== undefined && tr.subs.size > 0) {
          this.fanOut(tr, JSON.stringify(this.profile.futures
            ? { e: 'trade', E, T: t.timeMs, s: inst.symbol, t: t.tradeId, p, q, X: 'MARKET', m: buyerMaker }
            : { e: 'trade', E, s: inst.symbol, t: t.tradeId, p, q, T: t.timeMs, m: buyerMaker, M: true }));
        }
        if (ag !== undefined && ag.subs.size > 0) {
          this.fanOut(ag, JSON.stringify(this.profile.futures
            ? { e: 'aggTrade', E, s: inst.symbol, a: t.tradeId, p, q, f: t.tradeId, l: t.tradeId, T: t.timeMs, m: buyerMaker }
            : { e: 'aggTrade', E, s: inst.symbol, a: t.tradeId, p, q, f: t.tradeId, l: t.tradeId, T: t.timeMs, m: buyerMaker, M: true }));
        }
      }
    }
    // private streams
    if (op.reports.length > 0 || op.balances.length > 0) this.deliverPrivate(inst, op, source);
  }

  private feeText = (asset: string, units: number): string => amountStr(units, this.core.ledger.decimals(asset), this.profile.futures ? 0 : 8);

  private deliverPrivate(inst: SimInstrument, op: OpView, _source: OpSource): void {
    const E = this.now();
    // USD-M: a FOK that could not fill completely is rejected (-5021) and not recorded: no events.
    const unrecorded = new Set<number>();
    if (this.profile.futures) for (const r of op.reports) if (r.kind === 'expired' && r.reason === 'fok_unfilled' && r.cumQtyLots === 0) unrecorded.add(r.orderId);
    const byAccount = new Map<string, OrderReport[]>();
    for (const r of op.reports) {
      if (unrecorded.has(r.orderId)) continue;
      let l = byAccount.get(r.account);
      if (l === undefined) byAccount.set(r.account, (l = []));
      l.push(r);
    }
    const accounts = new Set<string>([...byAccount.keys(), ...op.balances.map((b) => b.account)]);
    for (const account of accounts) {
      const reps = byAccount.get(account) ?? [];
      const events: { name: string; body: Record<string, unknown> }[] = [];
      for (const r of reps) {
        const stp = inst.engine.selfTrade;
        if (this.profile.futures) {
          if (r.lastQtyLots > 0) events.push({ name: 'TRADE_LITE', body: usdmTradeLite(inst, r, E) });
          events.push({ name: 'ORDER_TRADE_UPDATE', body: usdmOrderTradeUpdate(inst, r, E, this.feeText, stp, '0') });
        } else {
          const v = inst.engine.inspect(r.orderId);
          events.push({ name: 'executionReport', body: spotExecutionReport(inst, r, v, E, this.feeText, stp, r.kind === 'cancelled' && r.reason === 'user' ? this.pendingCancelCid ?? `cxl${r.orderId}` : null) });
        }
      }
      const bals = op.balances.filter((b) => b.account === account);
      // USD-M: "Unfilled orders or cancelled orders will not make the event ACCOUNT_UPDATE
      // pushed, since there's no change on positions": only a fill (wallet balance: fees and
      // realized PnL; position) pushes it. Spot: outboundAccountPosition on every balance change
      // (locks of placements and cancels included).
      const traded = reps.some((r) => r.lastQtyLots > 0);
      if (bals.length > 0 && (traded || !this.profile.futures)) {
        if (this.profile.futures) {
          const pos = op.positions.filter((p) => p.account === account);
          events.push({
            name: 'ACCOUNT_UPDATE',
            body: {
              e: 'ACCOUNT_UPDATE', E, T: E,
              a: {
                m: 'ORDER',
                B: bals.map((b) => ({ a: b.asset, wb: this.amount(b.asset, b.total), cw: this.amount(b.asset, b.total), bc: '0' })),
                P: pos.map((p) => ({
                  s: p.symbol, pa: qtyStr(inst.ins, p.qtyLots, STYLE_BINANCE_USDM), ep: this.entryPrice(inst, p.avgEntryTicks),
                  bep: '0', cr: this.amount(p.marginAsset, p.realized), up: '0', mt: 'cross', iw: '0', ps: 'BOTH',
                })),
              },
            },
          });
        } else {
          events.push({ name: 'outboundAccountPosition', body: { e: 'outboundAccountPosition', E, u: E, B: bals.map((b) => ({ a: b.asset, f: this.amount(b.asset, b.free), l: this.amount(b.asset, b.locked) })) } });
        }
      }
      if (events.length === 0) continue;
      if (this.profile.futures) {
        const key = this.keyOfAccount.get(account);
        if (key === undefined) continue;
        for (const s of this.privateSockets) {
          const ps = s.state['p'] as PrivateState | undefined;
          if (ps === undefined || ps.listenKey !== key) continue;
          for (const ev of events) {
            if (ps.events !== null && !ps.events.has(ev.name)) continue;
            const raw = JSON.stringify(ev.body);
            s.push(ps.combined ? `{"stream":"${key}","data":${raw}}` : raw);
          }
        }
      } else {
        for (const s of this.privateSockets) {
          const as = s.state['api'] as ApiState | undefined;
          const subId = as?.subs.get(account);
          if (subId === undefined) continue;
          for (const ev of events) s.push(`{"subscriptionId":${subId},"event":${JSON.stringify(ev.body)}}`);
        }
      }
    }
  }

  private amount(asset: string, units: number): string {
    return amountStr(units, this.core.ledger.decimals(asset), 8);
  }

  private entryPrice(inst: SimInstrument, avgTicks: number): string {
    if (avgTicks === 0) return '0.0';
    const t = Math.round(avgTicks * 1e4);
    return amountStr(t * inst.ins.tick.stepMantissa, inst.ins.tick.decimals + 4, inst.ins.tick.decimals);
  }

  private shutdownNotice(closeAfterMs: number | null): number {
    const E = this.now();
    const raw = JSON.stringify({ e: 'serverShutdown', E });
    let n = 0;
    for (const s of [...this.marketSockets]) {
      const ms = s.state['m'] as MarketState;
      s.send(ms.combined ? `{"stream":"!serverShutdown","data":${raw}}` : raw);
      n++;
    }
    if (closeAfterMs !== null) {
      const victims = [...this.marketSockets, ...this.privateSockets];
      setTimeout(() => {
        for (const s of victims) s.close(1001, 'server shutdown');
      }, closeAfterMs);
    }
    return n;
  }

  private expireListenKeys(): void {
    const now = this.now();
    for (const [key, st] of [...this.listenKeys]) {
      if (now <= st.expiresAt) continue;
      this.listenKeys.delete(key);
      if (this.keyOfAccount.get(st.account) === key) this.keyOfAccount.delete(st.account);
      const raw = JSON.stringify({ e: 'listenKeyExpired', E: String(now), listenKey: key });
      for (const s of [...this.privateSockets]) {
        const ps = s.state['p'] as PrivateState | undefined;
        if (ps?.listenKey !== key) continue;
        s.send(ps.combined ? `{"stream":"${key}","data":${raw}}` : raw);
        s.close(1000, 'listenKey expired');
      }
    }
  }

  // ---- WebSocket upgrades -----------------------------------------------------------------------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string, rawQuery: string): void {
    const p = this.profile;
    const ip = req.socket.remoteAddress ?? '';
    if (path === p.wsApiPath) {
      const lim = this.limiter.request(ip, 2);
      if (lim !== null) return rejectUpgrade(socket, lim.status, JSON.stringify({ code: lim.code, msg: lim.msg }));
      return this.accept(req, socket, head, 'private', (s) => {
        s.state['api'] = { subs: new Map(), nextSubId: 0, ip } satisfies ApiState;
      }, (text, s) => this.onApiMessage(text, s));
    }
    let route: Route;
    let rest: string;
    if (!p.futures) {
      route = 'spot';
      rest = path;
    } else if (path.startsWith('/public/') || path === '/public') {
      route = 'public';
      rest = path.slice('/public'.length);
    } else if (path.startsWith('/market/') || path === '/market') {
      route = 'market';
      rest = path.slice('/market'.length);
    } else if (path === '/private/ws' || path === '/private/stream') {
      return this.acceptPrivate(req, socket, head, path === '/private/stream', rawQuery);
    } else return rejectUpgrade(socket, 404, JSON.stringify({ code: -1, msg: `no such stream endpoint ${path} (2026 URL split: /public, /market, /private)` }));
    let streams: string[] = [];
    let combined: boolean;
    if (rest === '/ws' || rest === '/ws/') combined = false;
    else if (rest.startsWith('/ws/')) {
      combined = false;
      streams = rest.slice(4).split('/').filter((x) => x !== '');
    } else if (rest === '/stream') {
      combined = true;
      const q = new URLSearchParams(rawQuery).get('streams');
      if (q !== null) streams = q.split('/').filter((x) => x !== '');
    } else return rejectUpgrade(socket, 404, JSON.stringify({ code: -1, msg: `no such stream endpoint ${path}` }));
    if (streams.length > this.cfg.maxStreamsPerConnection) return rejectUpgrade(socket, 400, JSON.stringify({ code: -1, msg: 'too many streams' }));
    for (const n of streams) {
      const err = this.checkStream(n, route);
      if (err !== null) return rejectUpgrade(socket, 400, JSON.stringify({ code: 2, msg: `Invalid request: ${err}` }));
    }
    this.accept(req, socket, head, 'market', (s) => {
      s.state['m'] = { route, streams: new Set(), combined } satisfies MarketState;
      for (const n of streams) this.subscribe(s, n);
    }, (text, s) => this.onMarketMessage(text, s));
  }

  private accept(req: IncomingMessage, socket: Duplex, head: Buffer, target: 'market' | 'private', init: (s: SimSocket) => void, onMessage: (text: string, s: SimSocket) => void): void {
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (this.stopped) {
        ws.terminate();
        return;
      }
      const set = target === 'market' ? this.marketSockets : this.privateSockets;
      const s = new SimSocket(ws, {
        venue: this.core.name,
        target,
        faults: this.core.faults,
        clock: this.core.clock,
        ping: this.cfg.ping,
        maxLifetimeMs: this.cfg.maxLifetimeMs,
        incomingPerSecond: target === 'market' ? this.cfg.incomingPerSecond : 0,
        onMessage,
        onClose: (k) => {
          set.delete(k);
          const ms = k.state['m'] as MarketState | undefined;
          if (ms !== undefined) for (const n of ms.streams) this.streams.get(n)?.subs.delete(k);
        },
      });
      set.add(s);
      init(s);
    });
  }

  private acceptPrivate(req: IncomingMessage, socket: Duplex, head: Buffer, combined: boolean, rawQuery: string): void {
    const q = new URLSearchParams(rawQuery);
    const key = q.get('listenKey') ?? '';
    const st = this.listenKeys.get(key);
    if (st === undefined || this.now() > st.expiresAt) return rejectUpgrade(socket, 400, JSON.stringify({ code: -1125, msg: 'This listenKey does not exist.' }));
    const ev = q.get('events');
    const events = ev === null || ev === '' ? null : new Set(ev.split('/').filter((x) => x !== ''));
    this.accept(req, socket, head, 'private', (s) => {
      s.state['p'] = { listenKey: key, account: st.account, events, combined } satisfies PrivateState;
    }, (text, s) => this.onPrivateStreamMessage(text, s));
  }

  // ---- market-data connections ------------------------------------------------------------------

  private parseStream(name: string): StreamSpec | string {
    const at = name.indexOf('@');
    if (at <= 0) return `invalid stream name ${name}`;
    const sym = name.slice(0, at);
    if (sym !== sym.toLowerCase()) return `stream symbols are lower case: ${name}`;
    const inst = this.core.instrument(sym.toUpperCase());
    if (inst === undefined) return `unknown symbol in stream ${name}`;
    const kind = name.slice(at + 1);
    if (kind === 'bookTicker') return { kind: 'bookTicker', inst };
    if (kind === 'trade') return { kind: 'trade', inst };
    if (kind === 'aggTrade') return { kind: 'aggTrade', inst };
    const m = /^depth(5|10|20)?(@\d+ms)?$/.exec(kind);
    if (m === null) return `unsupported stream ${name}`;
    const speed = m[2] ?? '';
    if (m[1] !== undefined) {
      const ms = this.profile.partialSpeeds[speed];
      if (ms === undefined) return `unsupported speed in ${name}`;
      return { kind: 'partial', inst, levels: Number(m[1]), everyMs: ms };
    }
    const ms = this.profile.diffSpeeds[speed];
    if (ms === undefined) return `unsupported speed in ${name}`;
    return { kind: 'diff', inst, everyMs: ms };
  }

  private checkStream(name: string, route: Route): string | null {
    const spec = this.parseStream(name);
    if (typeof spec === 'string') return spec;
    if (route === 'spot') return null;
    const isPublic = spec.kind === 'diff' || spec.kind === 'partial' || spec.kind === 'bookTicker' || spec.kind === 'trade';
    if (isPublic !== (route === 'public')) return `${name} is served on /${isPublic ? 'public' : 'market'}, not /${route}`;
    return null;
  }

  private subscribe(s: SimSocket, name: string): void {
    const ms = s.state['m'] as MarketState;
    if (ms.streams.has(name)) return;
    let st = this.streams.get(name);
    if (st === undefined) {
      const spec = this.parseStream(name) as StreamSpec;
      const every = 'everyMs' in spec ? Math.max(1, Math.round(spec.everyMs / this.cfg.publishMs)) : 1;
      st = {
        name, spec, subs: new Set(), everyTicks: every,
        diff: spec.kind === 'diff' ? new DiffStream(spec.inst.engine) : null,
        partial: spec.kind === 'partial' ? new TopNTracker(spec.inst.engine, spec.levels) : null,
        partialLastU: spec.inst.engine.updateId,
        top: null,
      };
      this.streams.set(name, st);
    }
    if (st.spec.kind === 'bookTicker' && st.subs.size === 0) st.top = null;
    st.subs.add(s);
    ms.streams.add(name);
  }

  private unsubscribe(s: SimSocket, name: string): void {
    const ms = s.state['m'] as MarketState;
    ms.streams.delete(name);
    this.streams.get(name)?.subs.delete(s);
  }

  private onMarketMessage(text: string, s: SimSocket): void {
    const ms = s.state['m'] as MarketState;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      s.send(JSON.stringify({ code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' }));
      return;
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      s.send(JSON.stringify({ code: 2, msg: 'Invalid request: request must be a JSON object' }));
      return;
    }
    const r = o as Record<string, unknown>;
    const id = r['id'];
    const idOk = id === null || (typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && /^[A-Za-z0-9-]{1,36}$/.test(id));
    if (!idOk || id === undefined) {
      s.send(JSON.stringify({ code: 2, msg: "Invalid request: 'id' must be an integer, a string of at most 36 characters, or null" }));
      return;
    }
    const params = r['params'];
    const err = (code: number, msg: string): void => s.send(JSON.stringify({ code, msg, id }));
    switch (r['method']) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!Array.isArray(params) || params.some((x) => typeof x !== 'string')) return err(2, 'Invalid request: params must be an array of stream names');
        const names = params as string[];
        for (const n of names) {
          const e = this.checkStream(n, ms.route);
          if (e !== null) return err(2, `Invalid request: ${e}`);
        }
        if (r['method'] === 'SUBSCRIBE') {
          if (ms.streams.size + names.filter((n) => !ms.streams.has(n)).length > this.cfg.maxStreamsPerConnection) return err(2, 'Invalid request: too many streams on one connection');
          for (const n of names) this.subscribe(s, n);
        } else for (const n of names) this.unsubscribe(s, n);
        s.send(JSON.stringify({ result: null, id }));
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        s.send(JSON.stringify({ result: [...ms.streams], id }));
        return;
      case 'SET_PROPERTY': {
        if (!Array.isArray(params) || params[0] !== 'combined') return err(0, 'Unknown property');
        if (typeof params[1] !== 'boolean') return err(1, 'Invalid value type: expected Boolean');
        ms.combined = params[1];
        s.send(JSON.stringify({ result: null, id }));
        return;
      }
      case 'GET_PROPERTY':
        if (!Array.isArray(params) || params[0] !== 'combined') return err(0, 'Unknown property');
        s.send(JSON.stringify({ result: ms.combined, id }));
        return;
      default:
        return err(2, 'Invalid request: unknown method');
    }
  }

  private onPrivateStreamMessage(text: string, s: SimSocket): void {
    // The /private route accepts JSON SUBSCRIBE of further listenKeys; the sim acknowledges
    // requests for the connection's own key and refuses others.
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      s.send(JSON.stringify({ code: 3, msg: 'Invalid JSON' }));
      return;
    }
    const r = (o ?? {}) as Record<string, unknown>;
    const id = r['id'] ?? null;
    if (r['method'] === 'LIST_SUBSCRIPTIONS') {
      s.send(JSON.stringify({ result: [(s.state['p'] as PrivateState).listenKey], id }));
      return;
    }
    s.send(JSON.stringify({ code: 2, msg: 'Invalid request: only LIST_SUBSCRIPTIONS is supported on /private by the simulator', id }));
  }

  // ---- REST -------------------------------------------------------------------------------------

  private onRequest(r: HttpRequest): void {
    if (this.stopped) {
      writeJson(r.res, 503, { code: -1016, msg: 'This service is no longer available.' });
      return;
    }
    if (handleControl(r, this.cfg.control, this.core)) return;
    const p = this.profile.paths;
    const key = `${r.method} ${r.path}`;
    const parsed = parseRestParams(r.rawQuery, r.body);
    const respond = (a: Answer): void => this.writeAnswer(r, a);
    if (!('params' in parsed)) {
      const lim = this.limiter.request(r.ip, 1);
      respond(lim !== null ? this.limitAnswer(lim) : errAnswer(parsed));
      return;
    }
    const params = parsed.params;
    type H = { weight: number; auth: 'none' | 'key' | 'signed'; order: boolean; run: (cred: SimCredentials | null) => Answer };
    let h: H | null = null;
    switch (key) {
      case `GET ${p.ping}`:
        h = { weight: 1, auth: 'none', order: false, run: () => ({ status: 200, body: {} }) };
        break;
      case `GET ${p.time}`:
        h = { weight: 1, auth: 'none', order: false, run: () => ({ status: 200, body: { serverTime: this.now() } }) };
        break;
      case `GET ${p.exchangeInfo}`:
        h = { weight: this.profile.weights.exchangeInfo, auth: 'none', order: false, run: () => ({ status: 200, body: this.exchangeInfo() }) };
        break;
      case `GET ${p.depth}`: {
        const w = this.depthWeight(params.get('limit'));
        h = { weight: typeof w === 'number' ? w : 1, auth: 'none', order: false, run: () => (typeof w === 'number' ? this.depth(params) : errAnswer(w)) };
        break;
      }
      case `POST ${p.order}`:
        h = { weight: this.profile.weights.order, auth: 'signed', order: true, run: (c) => this.newOrder(c!, params, 'rest', r.ip) };
        break;
      case `DELETE ${p.order}`:
        h = { weight: this.profile.weights.cancel, auth: 'signed', order: true, run: (c) => this.cancelOrder(c!, params) };
        break;
      case `GET ${p.order}`:
        h = { weight: this.profile.weights.query, auth: 'signed', order: false, run: (c) => this.queryOrder(c!, params) };
        break;
      case `GET ${p.openOrders}`:
        h = { weight: params.has('symbol') ? this.profile.weights.openOrdersOne : this.profile.weights.openOrdersAll, auth: 'signed', order: false, run: (c) => this.openOrders(c!, params) };
        break;
      case `DELETE ${p.cancelAll}`:
        h = { weight: this.profile.weights.cancelAll, auth: 'signed', order: true, run: (c) => this.cancelAll(c!, params) };
        break;
      case `GET ${p.account}`:
        h = { weight: this.profile.weights.account, auth: 'signed', order: false, run: (c) => this.account(c!, params) };
        break;
      default:
        if (r.method === 'GET' && p.accountAliases.includes(r.path)) h = { weight: this.profile.weights.account, auth: 'signed', order: false, run: (c) => this.account(c!, params) };
        else if (p.positions !== null && key === `GET ${p.positions}`) h = { weight: 5, auth: 'signed', order: false, run: (c) => this.positions(c!, params) };
        else if (p.listenKey !== null && r.path === p.listenKey && (r.method === 'POST' || r.method === 'PUT' || r.method === 'DELETE')) {
          const m = r.method;
          h = { weight: 1, auth: 'key', order: false, run: (c) => this.listenKey(c!, m) };
        }
    }
    if (h === null) {
      writeJson(r.res, 404, { code: -1, msg: `Unknown endpoint ${r.method} ${r.path}` });
      return;
    }
    const lim = this.limiter.request(r.ip, h.weight);
    if (lim !== null) return respond(this.limitAnswer(lim));
    // request faults
    const targets: FaultTarget[] = h.order ? ['rest', 'orders'] : ['rest'];
    const f429 = this.core.faults.decide('http_429', this.core.name, targets, key);
    if (f429 !== null) return respond(this.limitAnswer(this.limiter.force429(r.ip, f429.delayMs ?? 1000)));
    const f5xx = this.core.faults.decide('http_5xx', this.core.name, targets, key);
    if (f5xx !== null && f5xx.executed !== true) return respond(this.answer5xx(f5xx));
    let cred: SimCredentials | null = null;
    if (h.auth !== 'none') {
      const apiKey = header(r.headers, 'x-mbx-apikey');
      if (apiKey === '' || !/^[A-Za-z0-9]{1,128}$/.test(apiKey)) return respond(errAnswer(bErr(401, -2014, 'API-key format invalid.')));
      cred = this.core.credentialsFor(apiKey) ?? null;
      if (cred === null) return respond(errAnswer(bErr(401, -2015, 'Invalid API-key, IP, or permissions for action.')));
      if (h.auth === 'signed') {
        const e = this.checkRestSignature(r, params, cred);
        if (e !== null) return respond(errAnswer(e));
      }
    }
    const a = h.run(cred);
    if (f5xx !== null) {
      if (!isWithhold(a)) return respond(this.answer5xx(f5xx));
    }
    respond(a);
  }

  private checkRestSignature(r: HttpRequest, params: Map<string, string>, cred: SimCredentials): BinanceError | null {
    const signed = restSignedPayload(r.rawQuery, r.body);
    if (signed === null || signed.signature === '') return E_MANDATORY('signature');
    if (!/^[0-9a-fA-F]{64}$/.test(signed.signature) || !hexSignatureMatches(cred.secret, signed.payload, signed.signature)) {
      return bErr(400, -1022, 'Signature for this request is not valid.');
    }
    return checkTimestamp(params.get('timestamp'), params.get('recvWindow'), this.now());
  }

  private limitAnswer(l: LimitRejection): Answer {
    return { status: l.status, body: { code: l.code, msg: l.msg }, headers: { 'Retry-After': String(l.retryAfterSec) } };
  }

  private answer5xx(rule: FaultRule): Answer {
    const status = rule.status ?? 503;
    const code = rule.code !== undefined ? Number(rule.code) : status === 503 && this.profile.futures ? -1000 : -1001;
    const msg = rule.msg ?? (this.profile.futures ? 'Unknown error, please check your request or try again later.' : 'Internal error; unable to process your request. Please try again.');
    return { status, body: { code, msg } };
  }

  private writeAnswer(r: HttpRequest, a: Answer): void {
    if (isWithhold(a)) {
      if (a.withhold === 'close') r.req.socket.destroy();
      else {
        this.hanging.add(r.req);
        r.req.socket.once('close', () => this.hanging.delete(r.req));
      }
      return;
    }
    const headers: Record<string, string> = { ...(a.headers ?? {}) };
    this.limiter.weightHeaders(r.ip, headers);
    if (a.orderCounted === true && a.account !== undefined) this.limiter.orderHeaders(a.account, headers);
    const delay = this.core.faults.delayFor(this.core.name, 'rest');
    if (delay > 0) setTimeout(() => writeJson(r.res, a.status, a.body, headers), delay);
    else writeJson(r.res, a.status, a.body, headers);
  }

  // ---- endpoints --------------------------------------------------------------------------------

  private depthWeight(limitText: string | undefined | null): number | BinanceError {
    const p = this.profile;
    let limit = p.depthDefault;
    if (limitText !== undefined && limitText !== null && limitText !== '') {
      if (!/^\d{1,6}$/.test(limitText)) return bErr(400, -1100, "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,6}$'.");
      limit = Number(limitText);
    }
    if (p.depthExact) {
      const row = p.depthLimits.find(([l]) => l === limit);
      if (row === undefined) return bErr(400, -1130, "Data sent for parameter 'limit' is not valid.");
      return row[1];
    }
    if (limit < 1) return bErr(400, -1130, "Data sent for parameter 'limit' is not valid.");
    for (const [l, w] of p.depthLimits) if (limit <= l) return w;
    return p.depthLimits[p.depthLimits.length - 1]![1];
  }

  private depth(params: Map<string, string>): Answer {
    const sym = params.get('symbol');
    if (sym === undefined || sym === '') return errAnswer(E_MANDATORY('symbol'));
    const inst = this.core.instrument(sym);
    if (inst === undefined) return errAnswer(bErr(400, -1121, 'Invalid symbol.'));
    const limitText = params.get('limit');
    const limit = Math.min(this.profile.depthMax, limitText ? Number(limitText) : this.profile.depthDefault);
    const s = inst.engine.snapshot(limit);
    const st = this.profile.style;
    const lv = (l: [number, number][]): string[][] => l.map(([px, q]) => [priceStr(inst.ins, px, st), qtyStr(inst.ins, q, st)]);
    const now = this.now();
    const body = this.profile.futures
      ? { lastUpdateId: s.updateId, E: now, T: now, bids: lv(s.bids), asks: lv(s.asks) }
      : { lastUpdateId: s.updateId, bids: lv(s.bids), asks: lv(s.asks) };
    return { status: 200, body };
  }

  exchangeInfo(): Record<string, unknown> {
    const rateLimits = this.cfg.rateLimits.map((r) => ({ rateLimitType: r.rateLimitType, interval: r.interval, intervalNum: r.intervalNum, limit: r.limit }));
    const symbols = this.core.instruments.map((i) => {
      const s = i.spec;
      const filters: Record<string, unknown>[] = [
        { filterType: 'PRICE_FILTER', minPrice: s.tickSize, maxPrice: '1000000.00', tickSize: s.tickSize },
        { filterType: 'LOT_SIZE', minQty: s.minQty, maxQty: '9000.00000000', stepSize: s.lotSize },
      ];
      if (this.profile.futures) {
        filters.push({ filterType: 'MARKET_LOT_SIZE', minQty: s.minQty, maxQty: '120', stepSize: s.lotSize });
        filters.push({ filterType: 'MAX_NUM_ORDERS', limit: 200 });
        filters.push({ filterType: 'MIN_NOTIONAL', notional: s.minNotional });
        filters.push({ filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' });
        return {
          symbol: s.symbol, pair: s.symbol, contractType: 'PERPETUAL', deliveryDate: 4133404800000, onboardDate: 1569398400000,
          status: 'TRADING', baseAsset: s.base, quoteAsset: s.quote, marginAsset: s.quote,
          pricePrecision: i.ins.tick.decimals, quantityPrecision: i.ins.lot.decimals, baseAssetPrecision: 8, quotePrecision: 8,
          underlyingType: 'COIN', underlyingSubType: [], settlePlan: 0, triggerProtect: '0.0500', liquidationFee: '0.012500',
          marketTakeBound: '0.05', maxMoveOrderLimit: 10000, filters,
          orderTypes: ['LIMIT', 'MARKET'], timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
        };
      }
      filters.push({ filterType: 'NOTIONAL', minNotional: s.minNotional, applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 });
      return {
        symbol: s.symbol, status: 'TRADING', baseAsset: s.base, baseAssetPrecision: 8, quoteAsset: s.quote, quotePrecision: 8, quoteAssetPrecision: 8,
        baseCommissionPrecision: 8, quoteCommissionPrecision: 8,
        orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'], icebergAllowed: false, ocoAllowed: false, otoAllowed: false,
        quoteOrderQtyMarketAllowed: false, allowTrailingStop: false, cancelReplaceAllowed: false, amendAllowed: false,
        isSpotTradingAllowed: true, isMarginTradingAllowed: false, filters, permissions: [], permissionSets: [['SPOT']],
        defaultSelfTradePreventionMode: 'EXPIRE_MAKER', allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
      };
    });
    if (this.profile.futures) {
      return {
        timezone: 'UTC', serverTime: this.now(), futuresType: 'U_MARGINED', rateLimits, exchangeFilters: [],
        assets: [...new Set(this.core.instruments.map((i) => i.spec.quote))].map((a) => ({ asset: a, marginAvailable: true, autoAssetExchange: '0' })),
        symbols,
      };
    }
    return { timezone: 'UTC', serverTime: this.now(), rateLimits, exchangeFilters: [], symbols };
  }

  /** Validates and places a new order (REST and WS API share it). */
  private newOrder(cred: SimCredentials, params: Map<string, string>, transport: 'rest' | 'ws-api', ip: string): Answer {
    const p = this.profile;
    const fut = p.futures;
    const allowed = new Set([...p.newOrderParams, 'recvWindow', 'timestamp', 'signature', ...(transport === 'ws-api' ? ['apiKey'] : [])]);
    let read = 0;
    for (const k of params.keys()) if (allowed.has(k)) read++;
    if (read !== params.size) return errAnswer(bErr(400, -1104, `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${params.size}'.`));
    for (const k of p.unsupportedParams) if (params.has(k) && params.get(k) !== '') return errAnswer(bErr(400, -1020, `This operation is not supported (parameter '${k}' is not simulated).`));
    const sym = params.get('symbol');
    if (!sym) return errAnswer(E_MANDATORY('symbol'));
    const inst = this.core.instrument(sym);
    if (inst === undefined) return errAnswer(bErr(400, -1121, 'Invalid symbol.'));
    const sideText = params.get('side');
    if (!sideText) return errAnswer(E_MANDATORY('side'));
    if (sideText !== 'BUY' && sideText !== 'SELL') return errAnswer(bErr(400, -1117, 'Invalid side.'));
    const side = sideText === 'BUY' ? 'buy' : 'sell';
    const typeText = params.get('type');
    if (!typeText) return errAnswer(E_MANDATORY('type'));
    if (p.unsupportedTypes.includes(typeText)) return errAnswer(bErr(400, -1020, 'This operation is not supported.'));
    if (!p.orderTypes.includes(typeText)) return errAnswer(bErr(400, -1116, 'Invalid orderType.'));
    const tif = params.get('timeInForce');
    let type: SimOrderType;
    if (typeText === 'MARKET') {
      if (tif !== undefined && !fut) return errAnswer(bErr(400, -1106, "Parameter 'timeInForce' sent when not required."));
      if (params.has('price')) return errAnswer(bErr(400, -1106, "Parameter 'price' sent when not required."));
      type = 'market';
    } else if (typeText === 'LIMIT_MAKER') {
      if (tif !== undefined) return errAnswer(bErr(400, -1106, "Parameter 'timeInForce' sent when not required."));
      type = 'post_only';
    } else {
      if (tif === undefined || tif === '') return errAnswer(E_MANDATORY('timeInForce'));
      if (tif === 'GTD' || tif === 'RPI') return errAnswer(bErr(400, -1020, 'This operation is not supported.'));
      if (!p.tifs.includes(tif)) return errAnswer(bErr(400, -1115, 'Invalid timeInForce.'));
      type = tif === 'GTC' ? 'limit' : tif === 'IOC' ? 'ioc' : tif === 'FOK' ? 'fok' : 'post_only';
    }
    const qtyText = params.get('quantity');
    if (qtyText === undefined || qtyText === '') return errAnswer(E_MANDATORY('quantity'));
    if (!/^\d{1,20}(\.\d{1,20})?$/.test(qtyText)) return errAnswer(bErr(400, -1100, "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."));
    const qtyLots = inst.ins.lot.toUnits(qtyText);
    if (Number.isNaN(qtyLots)) {
      if (inst.ins.lot.lastError === DecimalError.NOT_MULTIPLE) return errAnswer(fut ? bErr(400, -1111, 'Precision is over the maximum defined for this asset.') : bErr(400, -1013, 'Filter failure: LOT_SIZE'));
      return errAnswer(bErr(400, -1100, "Illegal characters found in parameter 'quantity'."));
    }
    if (qtyLots <= 0) return errAnswer(fut ? bErr(400, -4003, 'Quantity less than or equal to zero.') : bErr(400, -1013, 'Filter failure: LOT_SIZE'));
    let priceTicks = 0;
    if (type !== 'market') {
      const pxText = params.get('price');
      if (pxText === undefined || pxText === '') return errAnswer(E_MANDATORY('price'));
      if (!/^\d{1,20}(\.\d{1,20})?$/.test(pxText)) return errAnswer(bErr(400, -1100, "Illegal characters found in parameter 'price'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."));
      priceTicks = inst.ins.tick.toUnits(pxText);
      if (Number.isNaN(priceTicks) || priceTicks <= 0) {
        if (fut) return errAnswer(priceTicks === 0 ? bErr(400, -4001, 'Price less than 0.') : bErr(400, -4014, 'Price not increased by tick size.'));
        return errAnswer(bErr(400, -1013, 'Filter failure: PRICE_FILTER'));
      }
    }
    const cid = params.get('newClientOrderId');
    if (cid !== undefined && !p.clientIdRe.test(cid)) {
      return errAnswer(fut ? bErr(400, -4015, 'Client order id is not valid.') : bErr(400, -1100, `Illegal characters found in parameter 'newClientOrderId'; legal range is '${p.clientIdRe.source}'.`));
    }
    const respType = params.get('newOrderRespType') ?? (fut ? 'ACK' : type === 'limit' || type === 'market' || type === 'ioc' || type === 'fok' ? 'FULL' : 'ACK');
    if (!(fut ? ['ACK', 'RESULT'] : ['ACK', 'RESULT', 'FULL']).includes(respType)) return errAnswer(bErr(400, -1100, "Illegal characters found in parameter 'newOrderRespType'."));
    let reduceOnly: boolean | undefined;
    if (fut) {
      const ro = params.get('reduceOnly');
      if (ro !== undefined) {
        if (ro !== 'true' && ro !== 'false') return errAnswer(bErr(400, -1100, "Illegal characters found in parameter 'reduceOnly'; legal range is 'true, false'."));
        reduceOnly = ro === 'true';
      }
      const ps = params.get('positionSide');
      if (ps !== undefined && ps !== 'BOTH') {
        if (ps === 'LONG' || ps === 'SHORT') return errAnswer(bErr(400, -4061, "Order's position side does not match user's setting."));
        return errAnswer(bErr(400, -1100, "Illegal characters found in parameter 'positionSide'."));
      }
    }
    let stp: SelfTradeMode | undefined;
    const stpText = params.get('selfTradePreventionMode');
    if (stpText !== undefined) {
      const map: Record<string, SelfTradeMode | undefined> = { NONE: undefined, EXPIRE_MAKER: 'cancel_maker', EXPIRE_TAKER: 'cancel_taker', EXPIRE_BOTH: 'cancel_both' };
      if (!(stpText in map)) return errAnswer(bErr(400, -1100, "Illegal characters found in parameter 'selfTradePreventionMode'."));
      stp = map[stpText];
    }
    // order-rate limit
    const ol = this.limiter.order(ip, cred.account);
    if (ol !== null) return this.limitAnswer(ol);
    // order faults
    const faults = this.core.faults;
    const targets: FaultTarget[] = [transport, 'orders'];
    const rej = faults.decide('reject', this.core.name, targets, 'place');
    if (rej !== null) {
      const def = fut ? REJECT_DEFAULT_USDM : REJECT_DEFAULT_SPOT;
      return errAnswer(bErr(400, rej.code !== undefined ? Number(rej.code) : def.code, rej.msg ?? def.msg));
    }
    const partial = faults.decide('partial_fill', this.core.name, targets, 'place');
    const timeout = faults.decide('timeout_placed', this.core.name, targets, 'place');
    const req: PlaceRequest = {
      account: cred.account, side, type, qtyLots,
      ...(type !== 'market' ? { priceTicks } : {}),
      ...(cid !== undefined ? { clientOrderId: cid } : {}),
      ...(reduceOnly !== undefined ? { reduceOnly } : {}),
      ...(stp !== undefined ? { selfTrade: stp } : {}),
    };
    const keep = partial !== null ? partialLots(qtyLots, partial.fraction ?? 0.5) : 0;
    if (partial !== null && keep > 0 && type !== 'post_only') this.core.frontRun(inst, side, type === 'market' ? NaN : priceTicks, keep);
    const res = this.core.place(inst, req);
    if (!res.accepted) return errAnswer(this.rejectError(res.rejectReason ?? 'invalid_order', inst));
    if (partial !== null && keep > 0) {
      const v0 = inst.engine.inspect(res.orderId);
      if (v0 !== null && v0.cumQtyLots === 0 && (v0.status === 'new')) this.core.hitResting(inst, res.orderId, keep);
    }
    if (timeout !== null) return { withhold: timeout.mode ?? 'hang' };
    const v = inst.engine.inspect(res.orderId)!;
    if (fut && v.type === 'fok' && v.status === 'expired' && v.cumQtyLots === 0) {
      this.unrecorded.add(v.orderId);
      return errAnswer(bErr(400, -5021, 'Due to the order could not be filled immediately, the FOK order has been rejected. The order will not be recorded in the order history'));
    }
    const now = this.now();
    const stpMode = stp ?? inst.engine.selfTrade;
    let body: Record<string, unknown>;
    if (fut) body = usdmOrder(inst, v, stpMode);
    else if (respType === 'ACK') body = spotAck(inst, v, now);
    else if (respType === 'RESULT') body = spotResult(inst, v, now, stpMode);
    else body = spotFull(inst, v, now, stpMode, res.reports.filter((x) => x.orderId === res.orderId && x.lastQtyLots > 0), this.feeText);
    return { status: 200, body, account: cred.account, orderCounted: true };
  }

  private rejectError(reason: string, inst: SimInstrument): BinanceError {
    const fut = this.profile.futures;
    switch (reason) {
      case 'duplicate_client_id': return fut ? bErr(400, -4116, 'ClientOrderId is duplicated.') : bErr(400, -2010, 'Duplicate order sent.');
      case 'insufficient_balance': return fut ? REJECT_DEFAULT_USDM : REJECT_DEFAULT_SPOT;
      case 'post_only_would_take': return fut ? bErr(400, -5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history') : bErr(400, -2010, 'Order would immediately match and take.');
      case 'reduce_only': return fut ? bErr(400, -2022, 'ReduceOnly Order is rejected.') : bErr(400, -1106, "Parameter 'reduceOnly' sent when not required.");
      case 'below_min_qty': return bErr(400, -1013, 'Filter failure: LOT_SIZE');
      case 'below_min_notional': return fut ? bErr(400, -4164, `Order's notional must be no smaller than ${inst.spec.minNotional} (unless you choose reduce only).`) : bErr(400, -1013, 'Filter failure: NOTIONAL');
      case 'invalid_client_id': return fut ? bErr(400, -4015, 'Client order id is not valid.') : bErr(400, -1100, "Illegal characters found in parameter 'newClientOrderId'.");
      default: return bErr(400, -1013, 'Invalid quantity.');
    }
  }

  private orderRef(params: Map<string, string>): OrderRef | BinanceError | { orderId: number; cid: string } {
    const oid = params.get('orderId');
    const cid = params.get('origClientOrderId');
    if ((oid === undefined || oid === '') && (cid === undefined || cid === '')) return bErr(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    if (oid !== undefined && oid !== '') {
      if (!/^\d{1,18}$/.test(oid)) return bErr(400, -1100, "Illegal characters found in parameter 'orderId'; legal range is '^[0-9]{1,20}$'.");
      if (cid !== undefined && cid !== '') return { orderId: Number(oid), cid };
      return { orderId: Number(oid) };
    }
    return { clientOrderId: cid! };
  }

  private findOrder(cred: SimCredentials, params: Map<string, string>, notFound: BinanceError): { inst: SimInstrument; v: OrderView } | BinanceError {
    const sym = params.get('symbol');
    if (!sym) return E_MANDATORY('symbol');
    const inst = this.core.instrument(sym);
    if (inst === undefined) return bErr(400, -1121, 'Invalid symbol.');
    const ref = this.orderRef(params);
    if ('status' in ref) return ref;
    const v = inst.engine.query(cred.account, 'cid' in ref ? { orderId: ref.orderId } : ref);
    if (v === null || this.unrecorded.has(v.orderId)) return notFound;
    if ('cid' in ref && v.clientOrderId !== ref.cid) return this.profile.futures ? notFound : bErr(400, -2039, 'Client order ID is not correct for this order ID.');
    return { inst, v };
  }

  private cancelOrder(cred: SimCredentials, params: Map<string, string>): Answer {
    const found = this.findOrder(cred, params, bErr(400, -2011, 'Unknown order sent.'));
    if ('status' in found) return errAnswer(found);
    const { inst, v } = found;
    if (v.status !== 'new' && v.status !== 'partially_filled') return errAnswer(bErr(400, -2011, 'Unknown order sent.'));
    const restr = params.get('cancelRestrictions');
    if (restr !== undefined && !this.profile.futures) {
      if ((restr === 'ONLY_NEW' && v.status !== 'new') || (restr === 'ONLY_PARTIALLY_FILLED' && v.status !== 'partially_filled')) {
        return errAnswer(bErr(400, -2011, 'Order was not canceled due to cancel restrictions.'));
      }
    }
    const newCid = params.get('newClientOrderId');
    const cancelCid = newCid !== undefined && newCid !== '' ? newCid : `simcxl${++this.cancelSeq}`;
    this.pendingCancelCid = cancelCid;
    let res;
    try {
      res = this.core.cancel(inst, cred.account, { orderId: v.orderId });
    } finally {
      this.pendingCancelCid = null;
    }
    if (!res.accepted) return errAnswer(bErr(400, -2011, 'Unknown order sent.'));
    const after = inst.engine.inspect(v.orderId) ?? v;
    const body = this.profile.futures ? usdmOrder(inst, after, inst.engine.selfTrade) : spotCancel(inst, after, cancelCid, this.now(), inst.engine.selfTrade);
    return { status: 200, body };
  }

  private queryOrder(cred: SimCredentials, params: Map<string, string>): Answer {
    const found = this.findOrder(cred, params, bErr(400, -2013, 'Order does not exist.'));
    if ('status' in found) return errAnswer(found);
    const { inst, v } = found;
    return { status: 200, body: this.profile.futures ? usdmOrder(inst, v, inst.engine.selfTrade, true) : spotQuery(inst, v, inst.engine.selfTrade) };
  }

  private openOrders(cred: SimCredentials, params: Map<string, string>): Answer {
    const sym = params.get('symbol');
    let insts = this.core.instruments;
    if (sym !== undefined) {
      const i = this.core.instrument(sym);
      if (i === undefined) return errAnswer(bErr(400, -1121, 'Invalid symbol.'));
      insts = [i];
    }
    const out: Record<string, unknown>[] = [];
    for (const i of insts) {
      for (const v of i.engine.openOrders(cred.account)) out.push(this.profile.futures ? usdmOrder(i, v, i.engine.selfTrade, true) : spotQuery(i, v, i.engine.selfTrade));
    }
    return { status: 200, body: out };
  }

  private cancelAll(cred: SimCredentials, params: Map<string, string>): Answer {
    const sym = params.get('symbol');
    if (!sym) return errAnswer(E_MANDATORY('symbol'));
    const inst = this.core.instrument(sym);
    if (inst === undefined) return errAnswer(bErr(400, -1121, 'Invalid symbol.'));
    const open = inst.engine.openOrders(cred.account);
    if (open.length === 0 && !this.profile.futures) return errAnswer(bErr(400, -2011, 'Unknown order sent.'));
    this.core.cancelAll(inst, cred.account);
    if (this.profile.futures) return { status: 200, body: { code: 200, msg: 'The operation of cancel all open order is done.' } };
    const now = this.now();
    return { status: 200, body: open.map((v) => spotCancel(inst, inst.engine.inspect(v.orderId) ?? v, `simcxl${++this.cancelSeq}`, now, inst.engine.selfTrade)) };
  }

  /**
   * Spot account information (`omitZeroBalances=true`: only non-zero balances, else every asset
   * of the venue, zeros included, as the docs describe) / USD-M balance (V3 and V2: one entry per
   * asset the account holds).
   */
  private account(cred: SimCredentials, params: Map<string, string>): Answer {
    const omitZero = params.get('omitZeroBalances') === 'true';
    const bals = this.profile.futures || omitZero
      ? this.core.balances(cred.account)
      : this.core.ledger.assets().map((a) => this.core.ledger.balanceView(cred.account, a));
    const now = this.now();
    if (this.profile.futures) {
      return {
        status: 200,
        body: bals.map((b) => ({
          accountAlias: 'SimFut', asset: b.asset, balance: this.amount(b.asset, b.total), crossWalletBalance: this.amount(b.asset, b.total),
          crossUnPnl: '0.00000000', availableBalance: this.amount(b.asset, b.free), maxWithdrawAmount: this.amount(b.asset, b.free),
          marginAvailable: true, updateTime: now,
        })),
      };
    }
    return {
      status: 200,
      body: {
        makerCommission: 0, takerCommission: 0, buyerCommission: 0, sellerCommission: 0,
        commissionRates: { maker: '0.00000000', taker: '0.00000000', buyer: '0.00000000', seller: '0.00000000' },
        canTrade: true, canWithdraw: false, canDeposit: false, brokered: false, requireSelfTradePrevention: false, preventSor: false,
        updateTime: now, accountType: 'SPOT',
        balances: bals.map((b) => ({ asset: b.asset, free: this.amount(b.asset, b.free), locked: this.amount(b.asset, b.locked) })),
        permissions: ['SPOT'], uid: 0,
      },
    };
  }

  private positions(cred: SimCredentials, params: Map<string, string>): Answer {
    const sym = params.get('symbol');
    const out: Record<string, unknown>[] = [];
    const now = this.now();
    for (const i of this.core.instruments) {
      if (sym !== undefined && i.symbol !== sym) continue;
      const p = i.engine.position(cred.account);
      if (p === null) continue;
      out.push({
        symbol: i.symbol, positionAmt: qtyStr(i.ins, p.qtyLots, STYLE_BINANCE_USDM), entryPrice: this.entryPrice(i, p.avgEntryTicks),
        breakEvenPrice: '0.0', markPrice: '0.00000000', unRealizedProfit: '0.00000000', liquidationPrice: '0', leverage: String(i.engine.leverage),
        maxNotionalValue: '1000000', marginType: 'cross', isolatedMargin: '0.00000000', isAutoAddMargin: 'false', positionSide: 'BOTH',
        notional: '0', isolatedWallet: '0', updateTime: now,
      });
    }
    return { status: 200, body: out };
  }

  private listenKey(cred: SimCredentials, method: 'POST' | 'PUT' | 'DELETE'): Answer {
    const now = this.now();
    const ttl = this.cfg.listenKeyTtlMs;
    let key = this.keyOfAccount.get(cred.account);
    if (method === 'POST') {
      if (key === undefined || !this.listenKeys.has(key)) {
        key = this.newListenKey();
        this.keyOfAccount.set(cred.account, key);
      }
      this.listenKeys.set(key, { account: cred.account, expiresAt: now + ttl });
      return { status: 200, body: { listenKey: key } };
    }
    if (key === undefined || !this.listenKeys.has(key)) return errAnswer(bErr(400, -1125, 'This listenKey does not exist.'));
    if (method === 'PUT') {
      this.listenKeys.set(key, { account: cred.account, expiresAt: now + ttl });
      return { status: 200, body: { listenKey: key } };
    }
    this.listenKeys.delete(key);
    this.keyOfAccount.delete(cred.account);
    for (const s of [...this.privateSockets]) if ((s.state['p'] as PrivateState | undefined)?.listenKey === key) s.close(1000, 'listenKey deleted');
    return { status: 200, body: {} };
  }

  private keySeq = 0;
  private newListenKey(): string {
    const rng = this.core.faults.rng(`listenKey:${this.core.name}:${++this.keySeq}`);
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < 64; i++) s += abc[rng.int(0, abc.length - 1)];
    return s;
  }

  // ---- WebSocket API ----------------------------------------------------------------------------

  private onApiMessage(text: string, s: SimSocket): void {
    const as = s.state['api'] as ApiState;
    const holders = new WeakMap<object, Map<string, string>>();
    let o: unknown;
    try {
      o = JSON.parse(text, function (this: object, key: string, value: unknown, ctx?: { source?: string }) {
        if (key !== '' && ctx?.source !== undefined) {
          let m = holders.get(this);
          if (m === undefined) holders.set(this, (m = new Map()));
          m.set(key, ctx.source);
        }
        return value;
      } as (this: unknown, key: string, value: unknown) => unknown);
    } catch {
      s.send(JSON.stringify({ id: null, status: 400, error: { code: -1000, msg: 'Malformed request: invalid JSON.' } }));
      return;
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      s.send(JSON.stringify({ id: null, status: 400, error: { code: -1000, msg: 'Malformed request: not a JSON object.' } }));
      return;
    }
    const r = o as Record<string, unknown>;
    const idv = r['id'];
    const id = idv === null || (typeof idv === 'number' && Number.isSafeInteger(idv)) || (typeof idv === 'string' && idv.length <= 36) ? idv : undefined;
    if (id === undefined) {
      s.send(JSON.stringify({ id: null, status: 400, error: { code: -1000, msg: "Malformed request: 'id' must be an integer, a string of at most 36 characters, or null." } }));
      return;
    }
    const method = typeof r['method'] === 'string' ? r['method'] : '';
    const rawParams = r['params'] ?? {};
    if (rawParams === null || typeof rawParams !== 'object' || Array.isArray(rawParams)) {
      s.send(JSON.stringify({ id, status: 400, error: { code: -1000, msg: "Malformed request: 'params' must be an object." } }));
      return;
    }
    const obj = rawParams as Record<string, unknown>;
    const sources = holders.get(obj) ?? new Map<string, string>();
    const params = new Map<string, string>();
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'string') params.set(k, v);
      else if (typeof v === 'number' || typeof v === 'boolean') params.set(k, sources.get(k) ?? String(v));
    }
    const reply = (status: number, result: unknown, error: { code: number; msg: string; data?: unknown } | null, account: string | null): void => {
      const rateLimits = this.limiter.rateLimits(as.ip, account);
      s.send(JSON.stringify(error === null ? { id, status, result, rateLimits } : { id, status, error, rateLimits }));
    };
    const replyAnswer = (a: Answer, account: string | null): void => {
      if (isWithhold(a)) {
        if (a.withhold === 'close') s.terminate();
        return;
      }
      const b = a.body as Record<string, unknown>;
      if (a.status >= 400) reply(a.status, null, { code: Number(b['code']), msg: String(b['msg']) }, account);
      else reply(a.status, a.body, null, account);
    };
    const p = this.profile;
    type M = { weight: number; signed: boolean; order: boolean; run: (cred: SimCredentials | null) => Answer };
    let m: M | null = null;
    switch (method) {
      case 'ping':
        m = { weight: 1, signed: false, order: false, run: () => ({ status: 200, body: {} }) };
        break;
      case 'time':
        m = { weight: 1, signed: false, order: false, run: () => ({ status: 200, body: { serverTime: this.now() } }) };
        break;
      case 'exchangeInfo':
        m = { weight: p.weights.exchangeInfo, signed: false, order: false, run: () => ({ status: 200, body: this.exchangeInfo() }) };
        break;
      case 'depth': {
        const w = this.depthWeight(params.get('limit'));
        m = { weight: typeof w === 'number' ? w : 1, signed: false, order: false, run: () => (typeof w === 'number' ? this.depth(params) : errAnswer(w)) };
        break;
      }
      case 'order.place':
        m = { weight: p.weights.order, signed: true, order: true, run: (c) => this.newOrder(c!, params, 'ws-api', as.ip) };
        break;
      case 'order.cancel':
        m = { weight: p.weights.cancel, signed: true, order: true, run: (c) => this.cancelOrder(c!, params) };
        break;
      case 'order.status':
        m = { weight: p.weights.query, signed: true, order: false, run: (c) => this.queryOrder(c!, params) };
        break;
      case 'openOrders.status':
        m = { weight: params.has('symbol') ? p.weights.openOrdersOne : p.weights.openOrdersAll, signed: true, order: false, run: (c) => this.openOrders(c!, params) };
        break;
      case 'account.status':
        m = { weight: p.weights.account, signed: true, order: false, run: (c) => this.account(c!, params) };
        break;
      case 'userDataStream.subscribe.signature':
        if (!p.futures) {
          m = {
            weight: 2, signed: true, order: false, run: (c) => {
              if (as.subs.has(c!.account)) return errAnswer(bErr(400, -2035, 'User Data Stream subscription already active.'));
              const subId = as.nextSubId++;
              as.subs.set(c!.account, subId);
              return { status: 200, body: { subscriptionId: subId } };
            },
          };
        }
        break;
      case 'userDataStream.unsubscribe':
        if (!p.futures) {
          m = {
            weight: 2, signed: false, order: false, run: () => {
              const want = params.get('subscriptionId');
              for (const [acct, sub] of as.subs) if (want === undefined || String(sub) === want) as.subs.delete(acct);
              return { status: 200, body: {} };
            },
          };
        }
        break;
      case 'userDataStream.subscribe':
      case 'session.logon':
        m = { weight: 2, signed: false, order: false, run: () => errAnswer(bErr(400, -1020, `This operation is not supported: ${method} needs an Ed25519 key; use userDataStream.subscribe.signature.`)) };
        break;
      case 'session.status':
        m = { weight: 2, signed: false, order: false, run: () => ({ status: 200, body: { apiKey: null, authorizedSince: null, connectedSince: null, returnRateLimits: true, serverTime: this.now(), userDataStream: as.subs.size > 0 } }) };
        break;
      default:
    }
    if (m === null) {
      reply(400, null, { code: -1020, msg: `This operation is not supported: unknown method '${method}'.` }, null);
      return;
    }
    const lim = this.limiter.request(as.ip, m.weight);
    if (lim !== null) {
      reply(lim.status, null, { code: lim.code, msg: lim.msg, data: { serverTime: this.now(), retryAfter: lim.retryAfterMs } }, null);
      return;
    }
    const targets: FaultTarget[] = m.order ? ['ws-api', 'orders'] : ['ws-api'];
    const f429 = this.core.faults.decide('http_429', this.core.name, targets, method);
    if (f429 !== null) {
      const l = this.limiter.force429(as.ip, f429.delayMs ?? 1000);
      reply(429, null, { code: l.code, msg: l.msg, data: { serverTime: this.now(), retryAfter: l.retryAfterMs } }, null);
      return;
    }
    const f5xx = this.core.faults.decide('http_5xx', this.core.name, targets, method);
    if (f5xx !== null && f5xx.executed !== true) {
      const a = this.answer5xx(f5xx) as { status: number; body: { code: number; msg: string } };
      reply(a.status, null, a.body, null);
      return;
    }
    let cred: SimCredentials | null = null;
    if (m.signed) {
      const apiKey = params.get('apiKey');
      if (apiKey === undefined || apiKey === '') return reply(400, null, { code: -1102, msg: "Mandatory parameter 'apiKey' was not sent, was empty/null, or malformed." }, null);
      cred = this.core.credentialsFor(apiKey) ?? null;
      if (cred === null) return reply(401, null, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }, null);
      const sig = params.get('signature');
      if (sig === undefined || sig === '') return reply(400, null, { code: -1102, msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed." }, null);
      const payload = wsApiPayload(obj, sources);
      if (typeof payload !== 'string') return reply(payload.status, null, { code: payload.code, msg: payload.msg }, null);
      if (!/^[0-9a-fA-F]{64}$/.test(sig) || !hexSignatureMatches(cred.secret, payload, sig)) return reply(400, null, { code: -1022, msg: 'Signature for this request is not valid.' }, null);
      const te = checkTimestamp(params.get('timestamp'), params.get('recvWindow'), this.now());
      if (te !== null) return reply(te.status, null, { code: te.code, msg: te.msg }, null);
      params.delete('apiKey');
      params.delete('signature');
      params.delete('timestamp');
      params.delete('recvWindow');
    }
    const a = m.run(cred);
    if (f5xx !== null && !isWithhold(a)) {
      const e = this.answer5xx(f5xx) as { status: number; body: { code: number; msg: string } };
      reply(e.status, null, e.body, null);
      return;
    }
    replyAnswer(a, m.order && cred !== null ? cred.account : null);
  }
}

