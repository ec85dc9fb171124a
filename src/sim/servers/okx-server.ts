// The simulated OKX v5 venue (spot and SWAP; PROTOCOLS.md §3). One node:http server on loopback:
// - REST: public/time, public/instruments (with `instIdCode`), market/books and books-full (with
//   `seqId`), trade/order (place, query by ordId / clOrdId), trade/cancel-order,
//   trade/orders-pending, account/balance, account/positions; private endpoints need
//   OK-ACCESS-KEY / SIGN / TIMESTAMP / PASSPHRASE, the signature is recomputed from the raw
//   request (timestamp + METHOD + path?query + body, base64 HMAC-SHA256);
// - `/ws/v5/public`: subscribe / unsubscribe; `books` (snapshot then updates chained by
//   seqId / prevSeqId, checksum fixed at 0, heartbeats after `heartbeatMs` without change,
//   maintenance resets as a fault), `books5`, `bbo-tbt`, `trades`; literal `ping` -> `pong`;
//   the idle rule (close 4004 after `idleTimeoutMs` without traffic); notice 64008;
// - `/ws/v5/private`: login (sign over timestamp + "GET" + "/users/self/verify"), the `orders`
//   channel, the `account` channel (optional `ccy`; a full-account push `eventType: snapshot`
//   right after the ack, then an `event_update` push of the changed currencies after every
//   ledger change of the account: placements and cancels lock / release, fills move; only
//   currencies with a non-zero balance, as the docs say; amounts formatted like the REST
//   `account/balance` answer; the regular periodic snapshot pushes of the venue are not
//   simulated), `op: order` and `op: cancel-order` (args with `instIdCode`, 2026 form, or
//   `instId`).
// Per user-and-instrument order budgets (shared by REST and WS, error 50011) and per-IP public
// budgets are enforced in sliding windows of venue time.
//
// Invariants:
// - seqId of an instrument = the engine's update id + an offset (changed only by a maintenance
//   reset fault), so REST snapshots and the WS chain agree; a `books` subscriber first gets a
//   snapshot whose seqId is the last update every other subscriber received, then the common
//   chain (prevSeqId == previous seqId; heartbeat seqId == prevSeqId; reset seqId < prevSeqId).
// - Orders from REST and WS share one code path and really trade in the venue's engines; the
//   `orders` and then `account` pushes of a change are sent before the answer of the request
//   that caused it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DecimalError } from '../../core/decimal.js';
import type { FaultRule, FaultTarget } from '../faults.js';
import type { OrderReport, OrderView, PlaceRequest, SelfTradeMode, SimOrderType } from '../matching.js';
import { handleControl, type SimControl } from './control.js';
import { DiffStream, TopNTracker } from './depth.js';
import { priceStr, qtyStr, STYLE_OKX, unitsToDecimal } from './format.js';
import { header, rejectUpgrade, startHttpServer, writeJson, type HttpRequest, type HttpServerHandle } from './http.js';
import { okxInstType, okxInstrumentEntry, okxLevels, okxOrderObject, type OkxOrderMeta } from './okx-format.js';
import type { BalanceView } from '../ledger.js';
import { SimSocket } from './sim-socket.js';
import { partialLots, type OpView, type SimCredentials, type SimInstrument, type VenueCore } from './venue.js';

export interface OkxLimits {
  /** Place (and, separately, cancel and query) requests per user + instrument per 2 s. */
  readonly orderPer2s: number;
  readonly cancelPer2s: number;
  readonly queryPer2s: number;
  /** Public REST per IP per 2 s. */
  readonly booksPer2s: number;
  readonly instrumentsPer2s: number;
  /** subscribe + unsubscribe + login per connection per hour. */
  readonly subscribePerHour: number;
}

export interface OkxServerConfig {
  readonly core: VenueCore;
  readonly host: string;
  readonly port: number;
  readonly control: SimControl;
  readonly publishMs: number;
  readonly heartbeatMs: number;
  readonly idleTimeoutMs: number;
  readonly limits: OkxLimits;
  /** 'live' keys refuse requests with `x-simulated-trading: 1` (50101) and vice versa. */
  readonly environment: 'live' | 'demo';
  /** WS order args: accept `instId` besides `instIdCode` (default) or require `instIdCode`. */
  readonly wsInstId: 'accept' | 'reject';
  /** First seqId offset (seqId = engine update id + offset). */
  readonly seqOffset: number;
}

export interface OkxUrls {
  readonly rest: string;
  readonly wsPublic: string;
  readonly wsPrivate: string;
  readonly wsBusiness: string;
}

const OK = '0';
type Obj = Record<string, unknown>;

interface BookChannel {
  readonly inst: SimInstrument;
  readonly subs: Set<SimSocket>;
  readonly diff: DiffStream;
  offset: number;
  lastSeq: number;
  lastChangeMs: number;
}

interface TopChannel {
  readonly inst: SimInstrument;
  readonly channel: 'books5' | 'bbo-tbt';
  readonly subs: Set<SimSocket>;
  readonly top: TopNTracker;
}

interface PublicState {
  readonly connId: string;
  readonly subs: Set<string>;
  opsWindow: number[];
}

interface OrderSub {
  readonly instType: string;
  readonly instId: string | null;
  readonly instFamily: string | null;
}

interface AccountSub {
  /** Only this currency (subscription arg `ccy`), or every currency. */
  readonly ccy: string | null;
}

interface PrivateState {
  readonly connId: string;
  account: string | null;
  readonly orderSubs: OrderSub[];
  readonly accountSubs: AccountSub[];
  opsWindow: number[];
}

/** A sliding-window request budget per key (venue time). */
class Budget {
  private readonly log = new Map<string, number[]>();
  constructor(readonly limit: number, readonly windowMs: number) {}
  take(key: string, now: number): boolean {
    let l = this.log.get(key);
    if (l === undefined) this.log.set(key, (l = []));
    while (l.length > 0 && l[0]! <= now - this.windowMs) l.shift();
    if (l.length >= this.limit) return false;
    l.push(now);
    return true;
  }
}

interface PlaceOutcome {
  readonly entry: Obj;
  readonly ok: boolean;
  /** Whole-request failure (rate limit / 5xx): top-level code and HTTP status; entry unused. */
  readonly fail?: { readonly httpStatus: number; readonly code: string; readonly msg: string };
  readonly withhold?: 'hang' | 'close';
}

function entry(clOrdId: string, ordId: string, tag: string, ts: number, sCode: string, sMsg: string, subCode = ''): Obj {
  return { clOrdId, ordId, tag, ts: String(ts), sCode, sMsg, subCode };
}

export class OkxVenueServer {
  readonly core: VenueCore;
  urls!: OkxUrls;
  private http!: HttpServerHandle;
  private readonly wss: WebSocketServer;
  private readonly publicSockets = new Set<SimSocket>();
  private readonly privateSockets = new Set<SimSocket>();
  private readonly books = new Map<string, BookChannel>();
  private readonly tops = new Map<string, TopChannel>();
  private readonly tradeSubs = new Map<string, Set<SimSocket>>();
  private readonly meta = new Map<number, OkxOrderMeta>();
  private readonly metaOrder: number[] = [];
  private readonly hanging = new Set<IncomingMessage>();
  private readonly budgets: { place: Budget; cancel: Budget; query: Budget; books: Budget; instruments: Budget };
  private readonly uids = new Map<string, string>();
  private readonly userAccounts = new Set<string>();
  /** `account\0asset` -> `total/locked` as last seen, for the user accounts (change detection). */
  private readonly known = new Map<string, string>();
  private publishTimer: NodeJS.Timeout | null = null;
  private connSeq = 0;
  private stopped = false;

  private constructor(readonly cfg: OkxServerConfig) {
    this.core = cfg.core;
    const l = cfg.limits;
    this.budgets = {
      place: new Budget(l.orderPer2s, 2000), cancel: new Budget(l.cancelPer2s, 2000), query: new Budget(l.queryPer2s, 2000),
      books: new Budget(l.booksPer2s, 2000), instruments: new Budget(l.instrumentsPer2s, 2000),
    };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20, perMessageDeflate: false });
    cfg.core.credentials.forEach((c, i) => {
      this.uids.set(c.account, String(614488474791936 + i));
      this.userAccounts.add(c.account);
    });
  }

  static async start(cfg: OkxServerConfig): Promise<OkxVenueServer> {
    const s = new OkxVenueServer(cfg);
    s.http = await startHttpServer({
      host: cfg.host, port: cfg.port,
      onRequest: (r) => s.onRequest(r),
      onUpgrade: (req, socket, head, path) => s.onUpgrade(req, socket, head, path),
    });
    const ws = s.http.wsBaseUrl;
    s.urls = { rest: s.http.baseUrl, wsPublic: `${ws}/ws/v5/public`, wsPrivate: `${ws}/ws/v5/private`, wsBusiness: `${ws}/ws/v5/business` };
    for (const inst of cfg.core.instruments) {
      s.books.set(inst.symbol, { inst, subs: new Set(), diff: new DiffStream(inst.engine, 400), offset: cfg.seqOffset, lastSeq: inst.engine.updateId + cfg.seqOffset, lastChangeMs: cfg.core.clock.now() });
    }
    s.rememberBalances();
    cfg.core.onOp((inst, op) => s.onOp(inst, op));
    s.publishTimer = setInterval(() => s.publish(), cfg.publishMs);
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
    this.core.faults.detach(this.core.name);
    for (const s of [...this.publicSockets, ...this.privateSockets]) s.terminate();
    for (const req of this.hanging) req.socket.destroy();
    this.wss.close();
    await this.http.close();
  }

  /** Publishes every channel now (tests; normally the publish timer does it). */
  flush(): void {
    this.publish();
  }

  /** The seqId the venue would print for an instrument's book right now. */
  seqIdOf(symbol: string): number {
    const b = this.books.get(symbol);
    if (b === undefined) throw new RangeError(`okx sim: unknown instrument ${symbol}`);
    return b.inst.engine.updateId + b.offset;
  }

  private now(): number {
    return this.core.clock.now();
  }

  private eachSocket(t: 'market' | 'private' | 'all', fn: (s: SimSocket) => void): number {
    let n = 0;
    if (t !== 'private') for (const s of [...this.publicSockets]) (fn(s), n++);
    if (t !== 'market') for (const s of [...this.privateSockets]) (fn(s), n++);
    return n;
  }

  // ---- publishing -------------------------------------------------------------------------------

  private publish(): void {
    if (this.stopped) return;
    const now = this.now();
    for (const b of this.books.values()) {
      if (b.subs.size === 0) continue;
      if (!this.flushBook(b) && now - b.lastChangeMs >= this.cfg.heartbeatMs) {
        b.lastChangeMs = now;
        this.sendBook(b, [], [], b.lastSeq, b.lastSeq);
      }
    }
    for (const t of this.tops.values()) {
      if (t.subs.size === 0) continue;
      const snap = t.top.next();
      if (snap !== null) this.sendTop(t, snap.bids, snap.asks, snap.updateId);
    }
  }

  /** Publishes the pending update of a `books` channel; false when nothing moved. */
  private flushBook(b: BookChannel): boolean {
    const ev = b.diff.next();
    if (ev === null) return false;
    b.lastChangeMs = this.now();
    const faults = this.core.faults;
    if (faults.decide('seq_reset', this.core.name, 'market', b.inst.symbol) !== null) {
      // maintenance reset: the sequence restarts low (seqId < prevSeqId) and continues from there
      const low = 1 + this.core.faults.rng(`reset:${b.inst.symbol}:${b.lastSeq}`).int(0, 99);
      b.offset = low - ev.u;
    }
    const seq = ev.u + b.offset;
    const prev = b.lastSeq;
    b.lastSeq = seq;
    if (faults.decide('gap', this.core.name, 'market', b.inst.symbol) !== null) return true;
    this.sendBook(b, ev.bids, ev.asks, prev, seq);
    return true;
  }

  private sendBook(b: BookChannel, bids: [number, number][], asks: [number, number][], prevSeqId: number, seqId: number): void {
    const text = JSON.stringify({
      arg: { channel: 'books', instId: b.inst.symbol },
      action: 'update',
      data: [{ asks: okxLevels(b.inst, asks), bids: okxLevels(b.inst, bids), ts: String(this.now()), checksum: 0, prevSeqId, seqId }],
    });
    for (const s of b.subs) s.push(text);
  }

  private sendTop(t: TopChannel, bids: [number, number][], asks: [number, number][], updateId: number, only?: SimSocket): void {
    const b = this.books.get(t.inst.symbol)!;
    const d: Obj = { asks: okxLevels(t.inst, asks), bids: okxLevels(t.inst, bids) };
    if (t.channel === 'books5') d['instId'] = t.inst.symbol;
    d['ts'] = String(this.now());
    d['seqId'] = updateId + b.offset;
    const text = JSON.stringify({ arg: { channel: t.channel, instId: t.inst.symbol }, data: [d] });
    if (only !== undefined) only.push(text);
    else for (const s of t.subs) s.push(text);
  }

  private onOp(inst: SimInstrument, op: OpView): void {
    if (this.stopped) return;
    const subs = this.tradeSubs.get(inst.symbol);
    if (subs !== undefined && subs.size > 0) {
      for (const t of op.trades) {
        const text = JSON.stringify({
          arg: { channel: 'trades', instId: inst.symbol },
          data: [{ instId: inst.symbol, tradeId: String(t.tradeId), px: priceStr(inst.ins, t.priceTicks, STYLE_OKX), sz: qtyStr(inst.ins, t.qtyLots, STYLE_OKX), side: t.takerSide, ts: String(t.timeMs), count: '1' }],
        });
        for (const s of subs) s.push(text);
      }
    }
    if (op.reports.length > 0) this.deliverOrders(inst, op.reports);
    if (op.balances.length > 0) this.deliverAccount(op.balances);
  }

  private rememberBalances(): void {
    for (const account of this.userAccounts) {
      for (const asset of this.core.ledger.assets()) {
        const b = this.core.ledger.balanceView(account, asset);
        this.known.set(`${account}\u0000${asset}`, `${b.total}/${b.locked}`);
      }
    }
  }

  /** The user-account balances of an operation that really changed (and remembers them). */
  private changedBalances(balances: readonly BalanceView[]): BalanceView[] {
    const out: BalanceView[] = [];
    for (const b of balances) {
      if (!this.userAccounts.has(b.account)) continue;
      const key = `${b.account}\u0000${b.asset}`;
      const now = `${b.total}/${b.locked}`;
      if (this.known.get(key) === now) continue;
      this.known.set(key, now);
      out.push(b);
    }
    return out;
  }

  /** One currency of an account, as `account/balance` and the `account` channel print it. */
  private balanceDetail(b: BalanceView, uTime: string): Obj {
    const d = this.core.ledger.decimals(b.asset);
    return {
      ccy: b.asset, eq: unitsToDecimal(b.total, d), cashBal: unitsToDecimal(b.total, d), availBal: unitsToDecimal(b.free, d),
      availEq: unitsToDecimal(b.free, d), frozenBal: unitsToDecimal(b.locked, d), ordFrozen: unitsToDecimal(b.locked, d), uTime,
    };
  }

  private accountPush(account: string, sub: AccountSub, eventType: 'snapshot' | 'event_update', bals: readonly BalanceView[]): string {
    const uTime = String(this.now());
    const arg: Obj = { channel: 'account' };
    if (sub.ccy !== null) arg['ccy'] = sub.ccy;
    arg['uid'] = this.uids.get(account) ?? '0';
    const page = eventType === 'snapshot' ? { curPage: 1, lastPage: true } : {};
    return JSON.stringify({ arg, eventType, ...page, data: [{ uTime, totalEq: '', details: bals.map((b) => this.balanceDetail(b, uTime)) }] });
  }

  /** "Only currencies with non-zero balance will be pushed" (any of eq, availEq, availBal not 0). */
  private static nonZero(b: BalanceView): boolean {
    return b.total !== 0 || b.free !== 0;
  }

  /**
   * `account` channel: "only the incremental data of that currency will be pushed": the
   * currencies whose balance this operation changed (an engine operation lists both currencies
   * of the instrument it touched, e.g. a spot buy's lock moves only the quote).
   */
  private deliverAccount(balances: readonly BalanceView[]): void {
    const changed = this.changedBalances(balances);
    if (changed.length === 0) return;
    for (const s of this.privateSockets) {
      const ps = s.state['p'] as PrivateState;
      if (ps.account === null || ps.accountSubs.length === 0) continue;
      const mine = changed.filter((b) => b.account === ps.account && OkxVenueServer.nonZero(b));
      if (mine.length === 0) continue;
      for (const sub of ps.accountSubs) {
        const list = sub.ccy === null ? mine : mine.filter((b) => b.asset === sub.ccy);
        if (list.length > 0) s.push(this.accountPush(ps.account, sub, 'event_update', list));
      }
    }
  }

  private feeDecimals = (asset: string): number => this.core.ledger.decimals(asset);

  private rememberMeta(orderId: number, m: OkxOrderMeta): void {
    this.meta.set(orderId, m);
    this.metaOrder.push(orderId);
    if (this.metaOrder.length > 200_000) this.meta.delete(this.metaOrder.shift()!);
  }

  private metaOf(orderId: number, inst: SimInstrument, v: OrderView): OkxOrderMeta {
    let m = this.meta.get(orderId);
    if (m === undefined) {
      const p = this.pendingMeta;
      if (p !== null && p.account === v.account && (p.meta.clOrdId === '' ? v.clientOrderId === `sim${v.orderId}` : v.clientOrderId === p.meta.clOrdId)) m = p.meta;
      else m = { clOrdId: v.clientOrderId, tdMode: inst.spec.kind === 'spot' ? 'cash' : 'cross', tag: '', tgtCcy: '', posSide: inst.spec.kind === 'spot' ? '' : 'net', stpMode: inst.engine.selfTrade, lastFill: null };
      this.rememberMeta(orderId, m);
    }
    return m;
  }

  private deliverOrders(inst: SimInstrument, reports: readonly OrderReport[]): void {
    const type = okxInstType(inst);
    for (const r of reports) {
      if (r.orderId < 0 || !this.userAccounts.has(r.account)) continue;
      const v = inst.engine.inspect(r.orderId);
      if (v === null) continue;
      const m = this.metaOf(r.orderId, inst, v);
      if (r.lastQtyLots > 0) m.lastFill = r;
      let obj: Obj | null = null;
      for (const s of this.privateSockets) {
        const ps = s.state['p'] as PrivateState;
        if (ps.account !== r.account) continue;
        for (const sub of ps.orderSubs) {
          if (sub.instType !== 'ANY' && sub.instType !== type) continue;
          if (sub.instId !== null && sub.instId !== inst.symbol) continue;
          if (sub.instFamily !== null && sub.instFamily !== `${inst.spec.base}-${inst.spec.quote}`) continue;
          // the state of the order as of this report (a later report of the same operation may exist)
          obj ??= okxOrderObject(inst, asOf(v, r), m, r.lastQtyLots > 0 ? r : null, this.feeDecimals);
          const arg: Obj = { channel: 'orders', instType: sub.instType };
          if (sub.instFamily !== null) arg['instFamily'] = sub.instFamily;
          if (sub.instId !== null) arg['instId'] = sub.instId;
          arg['uid'] = this.uids.get(r.account) ?? '0';
          s.push(JSON.stringify({ arg, data: [obj] }));
          break;
        }
      }
    }
  }

  private shutdownNotice(closeAfterMs: number | null): number {
    const victims = [...this.publicSockets, ...this.privateSockets];
    for (const s of victims) {
      const st = (s.state['pub'] ?? s.state['p']) as { connId: string };
      s.send(JSON.stringify({ event: 'notice', code: '64008', msg: 'The connection will soon be closed for a service upgrade. Please reconnect.', connId: st.connId }));
    }
    if (closeAfterMs !== null) setTimeout(() => { for (const s of victims) s.close(1001, 'service upgrade'); }, closeAfterMs);
    return victims.length;
  }

  // ---- WebSocket --------------------------------------------------------------------------------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    const isPublic = path === '/ws/v5/public';
    if (!isPublic && path !== '/ws/v5/private' && path !== '/ws/v5/business') return rejectUpgrade(socket, 404, JSON.stringify({ code: '60018', msg: `Wrong URL ${path}` }));
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (this.stopped) {
        ws.terminate();
        return;
      }
      const set = isPublic || path === '/ws/v5/business' ? this.publicSockets : this.privateSockets;
      const s = new SimSocket(ws, {
        venue: this.core.name,
        target: isPublic || path === '/ws/v5/business' ? 'market' : 'private',
        faults: this.core.faults,
        clock: this.core.clock,
        idle: { timeoutMs: this.cfg.idleTimeoutMs, code: 4004, reason: 'No data received in 30s' },
        maxLifetimeMs: 0,
        onMessage: (text, k) => (set === this.publicSockets ? this.onPublicMessage(text, k) : this.onPrivateMessage(text, k)),
        onClose: (k) => {
          set.delete(k);
          for (const b of this.books.values()) b.subs.delete(k);
          for (const t of this.tops.values()) t.subs.delete(k);
          for (const t of this.tradeSubs.values()) t.delete(k);
        },
      });
      const connId = (++this.connSeq).toString(16).padStart(8, '0');
      if (set === this.publicSockets) s.state['pub'] = { connId, subs: new Set(), opsWindow: [] } satisfies PublicState;
      else s.state['p'] = { connId, account: null, orderSubs: [], accountSubs: [], opsWindow: [] } satisfies PrivateState;
      set.add(s);
    });
  }

  private parseWs(text: string, s: SimSocket, connId: string): Obj | null {
    if (text === 'ping') {
      s.send('pong');
      return null;
    }
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      s.send(JSON.stringify({ event: 'error', code: '60012', msg: `Invalid request: ${text.length > 64 ? text.slice(0, 64) + '...' : text}`, connId }));
      return null;
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      s.send(JSON.stringify({ event: 'error', code: '60012', msg: 'Invalid request: not a JSON object', connId }));
      return null;
    }
    return o as Obj;
  }

  /** Counts subscribe / unsubscribe / login ops per connection per hour; false when over. */
  private opsAllowed(st: { opsWindow: number[] }): boolean {
    const now = this.now();
    const w = st.opsWindow;
    while (w.length > 0 && w[0]! <= now - 3_600_000) w.shift();
    if (w.length >= this.cfg.limits.subscribePerHour) return false;
    w.push(now);
    return true;
  }

  private onPublicMessage(text: string, s: SimSocket): void {
    const st = s.state['pub'] as PublicState;
    const o = this.parseWs(text, s, st.connId);
    if (o === null) return;
    const op = o['op'];
    const id = typeof o['id'] === 'string' ? o['id'] : undefined;
    const err = (code: string, msg: string): void => s.send(JSON.stringify({ ...(id !== undefined ? { id } : {}), event: 'error', code, msg, connId: st.connId }));
    if (id !== undefined && !/^[A-Za-z0-9]{1,32}$/.test(id)) return err('60012', `Invalid request: id must be 1-32 letters and digits`);
    if (op !== 'subscribe' && op !== 'unsubscribe') return err('60012', `Invalid request: ${text.length > 64 ? text.slice(0, 64) + '...' : text}`);
    if (!this.opsAllowed(st)) return err('60014', 'Requests too frequent.');
    const args = o['args'];
    if (!Array.isArray(args) || args.length === 0) return err('60012', 'Invalid request: args must be a non-empty array');
    for (const a of args) {
      if (a === null || typeof a !== 'object') return err('60012', 'Invalid request: bad arg');
      const arg = a as Obj;
      const channel = typeof arg['channel'] === 'string' ? arg['channel'] : '';
      const instId = typeof arg['instId'] === 'string' ? arg['instId'] : '';
      const inst = this.core.instrument(instId);
      if (channel === 'books-l2-tbt' || channel === 'books50-l2-tbt') return err('64003', "Your trading fee tier doesn't meet the requirement to access this channel");
      if (!['books', 'books5', 'bbo-tbt', 'trades'].includes(channel) || inst === undefined) {
        return err('60018', `Wrong URL or channel:${channel},instId:${instId} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`);
      }
      const key = `${channel}:${instId}`;
      const ack = JSON.stringify({ ...(id !== undefined ? { id } : {}), event: op, arg: { channel, instId }, connId: st.connId });
      if (op === 'unsubscribe') {
        st.subs.delete(key);
        if (channel === 'books') this.books.get(instId)!.subs.delete(s);
        else if (channel === 'trades') this.tradeSubs.get(instId)?.delete(s);
        else this.tops.get(key)?.subs.delete(s);
        s.send(ack);
        continue;
      }
      s.send(ack);
      if (st.subs.has(key)) continue;
      st.subs.add(key);
      if (channel === 'books') {
        const b = this.books.get(instId)!;
        // bring every current subscriber to the same point, then start the newcomer there
        if (b.subs.size > 0) this.flushBook(b);
        else {
          const ev = b.diff.next();
          if (ev !== null) {
            b.lastSeq = ev.u + b.offset;
            b.lastChangeMs = this.now();
          }
        }
        const view = b.diff.view();
        s.push(JSON.stringify({
          arg: { channel: 'books', instId },
          action: 'snapshot',
          data: [{ asks: okxLevels(inst, view.asks), bids: okxLevels(inst, view.bids), ts: String(this.now()), checksum: 0, prevSeqId: -1, seqId: b.lastSeq }],
        }));
        b.subs.add(s);
      } else if (channel === 'trades') {
        let set = this.tradeSubs.get(instId);
        if (set === undefined) this.tradeSubs.set(instId, (set = new Set()));
        set.add(s);
      } else {
        let t = this.tops.get(key);
        if (t === undefined) {
          t = { inst, channel: channel as 'books5' | 'bbo-tbt', subs: new Set(), top: new TopNTracker(inst.engine, channel === 'books5' ? 5 : 1) };
          this.tops.set(key, t);
        }
        t.subs.add(s);
        const snap = inst.engine.snapshot(channel === 'books5' ? 5 : 1);
        this.sendTop(t, snap.bids, snap.asks, snap.updateId, s);
      }
    }
  }

  private onPrivateMessage(text: string, s: SimSocket): void {
    const st = s.state['p'] as PrivateState;
    const o = this.parseWs(text, s, st.connId);
    if (o === null) return;
    const op = typeof o['op'] === 'string' ? o['op'] : '';
    const idv = o['id'];
    const id = typeof idv === 'string' ? idv : undefined;
    const err = (code: string, msg: string): void => s.send(JSON.stringify({ ...(id !== undefined ? { id } : {}), event: 'error', code, msg, connId: st.connId }));
    const args = Array.isArray(o['args']) ? (o['args'] as unknown[]) : null;
    switch (op) {
      case 'login': {
        if (!this.opsAllowed(st)) return err('60014', 'Requests too frequent.');
        const a = args?.[0];
        if (a === null || typeof a !== 'object') return err('60009', 'Login failed.');
        const la = a as Obj;
        const e = this.checkLogin(la);
        if (e !== null) return err(e[0], e[1]);
        st.account = this.core.credentialsFor(String(la['apiKey']))!.account;
        s.send(JSON.stringify({ event: 'login', code: '0', msg: '', connId: st.connId }));
        return;
      }
      case 'subscribe':
      case 'unsubscribe': {
        if (!this.opsAllowed(st)) return err('60014', 'Requests too frequent.');
        if (args === null || args.length === 0) return err('60012', 'Invalid request: args must be a non-empty array');
        for (const a of args) {
          if (a === null || typeof a !== 'object') return err('60012', 'Invalid request: bad arg');
          const arg = a as Obj;
          if (arg['channel'] === 'account') {
            if (st.account === null) return err('60011', 'Please log in');
            const ccy = arg['ccy'];
            if (ccy !== undefined && (typeof ccy !== 'string' || !/^[A-Za-z0-9]{1,20}$/.test(ccy))) return err('60018', `Wrong URL or channel:account,ccy:${String(ccy)} doesn't exist.`);
            if (arg['extraParams'] !== undefined && typeof arg['extraParams'] !== 'string') return err('60012', 'Invalid request: extraParams must be a string');
            const sub: AccountSub = { ccy: ccy ?? null };
            const ackArg: Obj = { channel: 'account' };
            if (sub.ccy !== null) ackArg['ccy'] = sub.ccy;
            const i = st.accountSubs.findIndex((x) => x.ccy === sub.ccy);
            if (op === 'subscribe' && i < 0) st.accountSubs.push(sub);
            if (op === 'unsubscribe' && i >= 0) st.accountSubs.splice(i, 1);
            s.send(JSON.stringify({ ...(id !== undefined ? { id } : {}), event: op, arg: ackArg, connId: st.connId }));
            if (op === 'subscribe') {
              // the initial full push: every non-zero currency (of `ccy` when given)
              const all = this.core.balances(st.account).filter((b) => OkxVenueServer.nonZero(b) && (sub.ccy === null || b.asset === sub.ccy));
              s.push(this.accountPush(st.account, sub, 'snapshot', all));
            }
            continue;
          }
          if (arg['channel'] !== 'orders') return err('60018', `Wrong URL or channel:${String(arg['channel'])} doesn't exist. Please use the correct URL, channel and parameters referring to API document.`);
          if (st.account === null) return err('60011', 'Please log in');
          const instType = typeof arg['instType'] === 'string' ? arg['instType'] : '';
          if (!['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION', 'ANY'].includes(instType)) return err('60018', `Wrong URL or channel:orders,instType:${instType} doesn't exist.`);
          const sub: OrderSub = {
            instType,
            instId: typeof arg['instId'] === 'string' ? arg['instId'] : null,
            instFamily: typeof arg['instFamily'] === 'string' ? arg['instFamily'] : null,
          };
          const ackArg: Obj = { channel: 'orders', instType };
          if (sub.instFamily !== null) ackArg['instFamily'] = sub.instFamily;
          if (sub.instId !== null) ackArg['instId'] = sub.instId;
          const same = (x: OrderSub): boolean => x.instType === sub.instType && x.instId === sub.instId && x.instFamily === sub.instFamily;
          if (op === 'subscribe') {
            if (!st.orderSubs.some(same)) st.orderSubs.push(sub);
          } else {
            const i = st.orderSubs.findIndex(same);
            if (i >= 0) st.orderSubs.splice(i, 1);
          }
          s.send(JSON.stringify({ ...(id !== undefined ? { id } : {}), event: op, arg: ackArg, connId: st.connId }));
        }
        return;
      }
      case 'order':
      case 'cancel-order': {
        const inTime = this.now() * 1000;
        const answer = (code: string, msg: string, data: Obj[]): void =>
          s.send(JSON.stringify({ id: id ?? '', op, code, msg, data, inTime: String(inTime), outTime: String(this.now() * 1000) }));
        if (id === undefined || !/^[A-Za-z0-9]{1,32}$/.test(id)) return answer('60013', 'Invalid args', []);
        if (st.account === null) return answer('60011', 'Please log in', []);
        if (args === null || args.length !== 1 || args[0] === null || typeof args[0] !== 'object' || Array.isArray(args[0])) return answer('60013', 'Invalid args', []);
        const cred = this.core.credentials.find((c) => c.account === st.account)!;
        const out = op === 'order' ? this.placeOrder(cred, args[0] as Obj, 'ws-api') : this.cancelOrder(cred, args[0] as Obj, 'ws-api');
        if (out.withhold !== undefined) {
          if (out.withhold === 'close') s.terminate();
          return;
        }
        if (out.fail !== undefined) return answer(out.fail.code, out.fail.msg, []);
        return answer(out.ok ? OK : '1', out.ok ? '' : 'All operations failed', [out.entry]);
      }
      default:
        return err('60012', `Invalid request: ${text.length > 64 ? text.slice(0, 64) + '...' : text}`);
    }
  }

  private checkLogin(a: Obj): [string, string] | null {
    const apiKey = typeof a['apiKey'] === 'string' ? a['apiKey'] : '';
    const passphrase = typeof a['passphrase'] === 'string' ? a['passphrase'] : '';
    const ts = typeof a['timestamp'] === 'string' || typeof a['timestamp'] === 'number' ? String(a['timestamp']) : '';
    const sign = typeof a['sign'] === 'string' ? a['sign'] : '';
    if (!/^\d{1,12}(\.\d{1,3})?$/.test(ts)) return ['60004', 'Invalid timestamp'];
    if (Math.abs(this.now() / 1000 - Number(ts)) > 30) return ['60006', 'Timestamp request expired'];
    const cred = this.core.credentialsFor(apiKey);
    if (cred === undefined) return ['60005', 'Invalid apiKey'];
    if (!eqText(passphrase, cred.passphrase)) return ['60024', 'Wrong passphrase'];
    if (!eqText(b64Hmac(cred.secret, ts + 'GET' + '/users/self/verify'), sign)) return ['60007', 'Invalid sign'];
    return null;
  }

  // ---- REST -------------------------------------------------------------------------------------

  private onRequest(r: HttpRequest): void {
    if (this.stopped) {
      writeJson(r.res, 503, { code: '50001', msg: 'Service temporarily unavailable. Please try again later.', data: [] });
      return;
    }
    if (handleControl(r, this.cfg.control, this.core)) return;
    const key = `${r.method} ${r.path}`;
    const q = new URLSearchParams(r.rawQuery);
    type H = { signed: boolean; order: boolean; run: (cred: SimCredentials | null) => Reply };
    let h: H | null = null;
    switch (key) {
      case 'GET /api/v5/public/time':
        h = { signed: false, order: false, run: () => ok([{ ts: String(this.now()) }]) };
        break;
      case 'GET /api/v5/public/instruments':
        h = { signed: false, order: false, run: () => this.instruments(r.ip, q) };
        break;
      case 'GET /api/v5/market/books':
      case 'GET /api/v5/market/books-full':
        h = { signed: false, order: false, run: () => this.restBooks(r.ip, q, r.path.endsWith('full') ? 5000 : 400) };
        break;
      case 'POST /api/v5/trade/order':
        h = { signed: true, order: true, run: (c) => this.restPlace(c!, r.body) };
        break;
      case 'POST /api/v5/trade/cancel-order':
        h = { signed: true, order: true, run: (c) => this.restCancel(c!, r.body) };
        break;
      case 'GET /api/v5/trade/order':
        h = { signed: true, order: false, run: (c) => this.restQuery(c!, q) };
        break;
      case 'GET /api/v5/trade/orders-pending':
        h = { signed: true, order: false, run: (c) => this.restPending(c!, q) };
        break;
      case 'GET /api/v5/account/balance':
        h = { signed: true, order: false, run: (c) => this.restBalance(c!, q) };
        break;
      case 'GET /api/v5/account/positions':
        h = { signed: true, order: false, run: (c) => this.restPositions(c!, q) };
        break;
      default:
    }
    if (h === null) {
      writeJson(r.res, 404, { code: '50000', msg: `Unknown endpoint ${r.method} ${r.path}`, data: [] });
      return;
    }
    const targets: FaultTarget[] = h.order ? ['rest', 'orders'] : ['rest'];
    const f429 = this.core.faults.decide('http_429', this.core.name, targets, key);
    if (f429 !== null) return this.write(r, { status: 429, body: { code: '50011', msg: 'Too Many Requests', data: [] } });
    const f5xx = this.core.faults.decide('http_5xx', this.core.name, targets, key);
    if (f5xx !== null && f5xx.executed !== true) return this.write(r, reply5xx(f5xx));
    let cred: SimCredentials | null = null;
    if (h.signed) {
      const a = this.checkRestAuth(r);
      if ('status' in a) return this.write(r, a);
      cred = a;
    }
    const rep = h.run(cred);
    if (f5xx !== null && rep.withhold === undefined) return this.write(r, reply5xx(f5xx));
    this.write(r, rep);
  }

  private write(r: HttpRequest, rep: Reply): void {
    if (rep.withhold !== undefined) {
      if (rep.withhold === 'close') r.req.socket.destroy();
      else {
        this.hanging.add(r.req);
        r.req.socket.once('close', () => this.hanging.delete(r.req));
      }
      return;
    }
    const delay = this.core.faults.delayFor(this.core.name, 'rest');
    if (delay > 0) setTimeout(() => writeJson(r.res, rep.status, rep.body), delay);
    else writeJson(r.res, rep.status, rep.body);
  }

  private checkRestAuth(r: HttpRequest): SimCredentials | Reply {
    const key = header(r.headers, 'ok-access-key');
    const sign = header(r.headers, 'ok-access-sign');
    const ts = header(r.headers, 'ok-access-timestamp');
    const pass = header(r.headers, 'ok-access-passphrase');
    const fail = (code: string, msg: string): Reply => ({ status: 401, body: { code, msg, data: [] } });
    if (key === '') return fail('50103', 'Request header OK-ACCESS-KEY can not be empty.');
    if (pass === '') return fail('50104', 'Request header OK-ACCESS-PASSPHRASE can not be empty.');
    if (ts === '') return fail('50107', 'Request header OK-ACCESS-TIMESTAMP can not be empty.');
    if (sign === '') return fail('50106', 'Request header OK-ACCESS-SIGN can not be empty.');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(ts) || Number.isNaN(Date.parse(ts))) return fail('50112', 'Invalid OK-ACCESS-TIMESTAMP');
    if (Math.abs(this.now() - Date.parse(ts)) > 30_000) return fail('50102', 'Timestamp request expired');
    const cred = this.core.credentialsFor(key);
    if (cred === undefined) return fail('50111', 'Invalid OK-ACCESS-KEY');
    const demo = header(r.headers, 'x-simulated-trading') === '1';
    if (demo !== (this.cfg.environment === 'demo')) return fail('50101', 'APIKey does not match current environment.');
    if (!eqText(pass, cred.passphrase)) return fail('50105', 'Invalid OK-ACCESS-PASSPHRASE');
    const path = r.rawQuery === '' ? r.path : `${r.path}?${r.rawQuery}`;
    if (!eqText(b64Hmac(cred.secret, ts + r.method.toUpperCase() + path + r.body), sign)) return fail('50113', 'Invalid Sign');
    return cred;
  }

  private instruments(ip: string, q: URLSearchParams): Reply {
    if (!this.budgets.instruments.take(ip, this.now())) return rateLimited();
    const instType = q.get('instType');
    if (instType === null || instType === '') return { status: 400, body: { code: '50014', msg: 'Parameter instType can not be empty.', data: [] } };
    if (!['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].includes(instType)) return { status: 400, body: { code: '51000', msg: 'Parameter instType error', data: [] } };
    const instId = q.get('instId');
    const data = this.core.instruments.filter((i) => okxInstType(i) === instType && (instId === null || i.symbol === instId)).map((i) => okxInstrumentEntry(i));
    return ok(data);
  }

  private restBooks(ip: string, q: URLSearchParams, max: number): Reply {
    if (!this.budgets.books.take(ip, this.now())) return rateLimited();
    const instId = q.get('instId');
    if (instId === null || instId === '') return { status: 400, body: { code: '50014', msg: 'Parameter instId can not be empty.', data: [] } };
    const inst = this.core.instrument(instId);
    if (inst === undefined) return { status: 200, body: { code: '51001', msg: "Instrument ID or Spread ID doesn't exist.", data: [] } };
    const szText = q.get('sz') ?? '1';
    const sz = /^\d{1,4}$/.test(szText) ? Number(szText) : NaN;
    if (!(sz >= 1 && sz <= max)) return { status: 400, body: { code: '51000', msg: 'Parameter sz error', data: [] } };
    const snap = inst.engine.snapshot(sz);
    return ok([{ asks: okxLevels(inst, snap.asks), bids: okxLevels(inst, snap.bids), ts: String(this.now()), seqId: snap.updateId + this.books.get(instId)!.offset }]);
  }

  private parseBody(body: string): { obj: Obj } | { reply: Reply } {
    let o: unknown;
    try {
      o = JSON.parse(body);
    } catch {
      return { reply: { status: 400, body: { code: '50002', msg: 'JSON syntax error', data: [] } } };
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return { reply: { status: 400, body: { code: '50002', msg: 'JSON syntax error', data: [] } } };
    return { obj: o as Obj };
  }

  private restPlace(cred: SimCredentials, body: string): Reply {
    const o = this.parseBody(body);
    if ('reply' in o) return o.reply;
    const out = this.placeOrder(cred, o.obj, 'rest');
    if (out.withhold !== undefined) return { status: 0, body: null, withhold: out.withhold };
    if (out.fail !== undefined) return { status: out.fail.httpStatus, body: { code: out.fail.code, msg: out.fail.msg, data: [] } };
    const t = String(this.now() * 1000);
    return { status: 200, body: { code: out.ok ? OK : '1', msg: out.ok ? '' : 'All operations failed', data: [out.entry], inTime: t, outTime: t } };
  }

  private restCancel(cred: SimCredentials, body: string): Reply {
    const o = this.parseBody(body);
    if ('reply' in o) return o.reply;
    const out = this.cancelOrder(cred, o.obj, 'rest');
    if (out.fail !== undefined) return { status: out.fail.httpStatus, body: { code: out.fail.code, msg: out.fail.msg, data: [] } };
    const t = String(this.now() * 1000);
    return { status: 200, body: { code: out.ok ? OK : '1', msg: out.ok ? '' : 'All operations failed', data: [out.entry], inTime: t, outTime: t } };
  }

  private restQuery(cred: SimCredentials, q: URLSearchParams): Reply {
    const instId = q.get('instId');
    if (instId === null || instId === '') return { status: 400, body: { code: '50014', msg: 'Parameter instId can not be empty.', data: [] } };
    const inst = this.core.instrument(instId);
    if (inst === undefined) return { status: 200, body: { code: '51001', msg: "Instrument ID or Spread ID doesn't exist.", data: [] } };
    if (!this.budgets.query.take(`${cred.account}:${instId}`, this.now())) return rateLimited();
    const ordId = q.get('ordId');
    const clOrdId = q.get('clOrdId');
    let v: OrderView | null = null;
    if (ordId !== null && ordId !== '') v = /^\d{1,18}$/.test(ordId) ? inst.engine.query(cred.account, { orderId: Number(ordId) }) : null;
    else if (clOrdId !== null && clOrdId !== '') v = inst.engine.query(cred.account, { clientOrderId: clOrdId });
    else return { status: 400, body: { code: '51000', msg: 'Parameter ordId or clOrdId error', data: [] } };
    if (v === null) return { status: 200, body: { code: '51603', msg: 'Order does not exist.', data: [] } };
    return ok([okxOrderObject(inst, v, this.metaOf(v.orderId, inst, v), null, this.feeDecimals)]);
  }

  private restPending(cred: SimCredentials, q: URLSearchParams): Reply {
    const instType = q.get('instType');
    const instId = q.get('instId');
    const data: Obj[] = [];
    for (const i of this.core.instruments) {
      if (instType !== null && instType !== '' && okxInstType(i) !== instType) continue;
      if (instId !== null && instId !== '' && i.symbol !== instId) continue;
      for (const v of i.engine.openOrders(cred.account)) data.push(okxOrderObject(i, v, this.metaOf(v.orderId, i, v), null, this.feeDecimals));
    }
    return ok(data);
  }

  private restBalance(cred: SimCredentials, q: URLSearchParams): Reply {
    const want = q.get('ccy');
    const wanted = want === null || want === '' ? null : new Set(want.split(','));
    const now = String(this.now());
    const details = this.core.balances(cred.account)
      .filter((b) => OkxVenueServer.nonZero(b) && (wanted === null || wanted.has(b.asset)))
      .map((b) => this.balanceDetail(b, now));
    return ok([{ uTime: now, totalEq: '', details }]);
  }

  private restPositions(cred: SimCredentials, q: URLSearchParams): Reply {
    const instId = q.get('instId');
    const data: Obj[] = [];
    for (const i of this.core.instruments) {
      if (i.spec.kind === 'spot' || (instId !== null && instId !== '' && i.symbol !== instId)) continue;
      const p = i.engine.position(cred.account);
      if (p === null || p.qtyLots === 0) continue;
      const d = this.core.ledger.decimals(p.marginAsset);
      data.push({
        instType: okxInstType(i), instId: i.symbol, mgnMode: 'cross', posSide: 'net', pos: qtyStr(i.ins, p.qtyLots, STYLE_OKX),
        avgPx: p.qtyLots === 0 ? '' : String(Math.round(p.avgEntryTicks * 1e4) / 1e4 * i.ins.tick.stepValue),
        ccy: p.marginAsset, lever: String(i.engine.leverage), margin: unitsToDecimal(p.margin, d), realizedPnl: unitsToDecimal(p.realized, d),
        fee: unitsToDecimal(-p.fees, d), upl: '0', uTime: String(this.now()),
      });
    }
    return ok(data);
  }

  // ---- orders (REST and WS) ---------------------------------------------------------------------

  private resolveInst(args: Obj, transport: 'rest' | 'ws-api'): SimInstrument | [string, string] {
    const code = args['instIdCode'];
    if (code !== undefined && transport === 'ws-api') {
      const n = typeof code === 'number' ? code : typeof code === 'string' && /^\d{1,15}$/.test(code) ? Number(code) : NaN;
      const i = this.core.instrumentByCode(n);
      return i ?? ['51001', "Instrument ID or Spread ID doesn't exist."];
    }
    const instId = args['instId'];
    if (typeof instId !== 'string' || instId === '') return ['51000', transport === 'ws-api' ? 'Parameter instIdCode error' : 'Parameter instId error'];
    if (transport === 'ws-api' && this.cfg.wsInstId === 'reject') return ['51000', 'Parameter instIdCode error'];
    return this.core.instrument(instId) ?? ['51001', "Instrument ID or Spread ID doesn't exist."];
  }

  private placeOrder(cred: SimCredentials, a: Obj, transport: 'rest' | 'ws-api'): PlaceOutcome {
    const now = this.now();
    const clOrdIdRaw = a['clOrdId'];
    const clOrdId = typeof clOrdIdRaw === 'string' ? clOrdIdRaw : '';
    const tag = typeof a['tag'] === 'string' ? a['tag'] : '';
    const bad = (sCode: string, sMsg: string, subCode = ''): PlaceOutcome => ({ ok: false, entry: entry(clOrdId, '', tag, now, sCode, sMsg, subCode) });
    const instOr = this.resolveInst(a, transport);
    if (Array.isArray(instOr)) return bad(instOr[0], instOr[1]);
    const inst = instOr;
    const targets: FaultTarget[] = [transport, 'orders'];
    if (transport === 'ws-api') {
      const f429 = this.core.faults.decide('http_429', this.core.name, targets, 'order');
      if (f429 !== null) return { ok: false, entry: {}, fail: { httpStatus: 429, code: '50011', msg: 'Rate limit reached. Please refer to API documentation and throttle requests accordingly.' } };
    }
    if (!this.budgets.place.take(`${cred.account}:${inst.symbol}`, now)) {
      return { ok: false, entry: {}, fail: { httpStatus: 429, code: '50011', msg: 'Rate limit reached. Please refer to API documentation and throttle requests accordingly.' } };
    }
    let f5xx: FaultRule | null = null;
    if (transport === 'ws-api') {
      f5xx = this.core.faults.decide('http_5xx', this.core.name, targets, 'order');
      if (f5xx !== null && f5xx.executed !== true) return { ok: false, entry: {}, fail: fail5xx(f5xx) };
    }
    const spot = inst.spec.kind === 'spot';
    const tdMode = a['tdMode'];
    if (spot ? tdMode !== 'cash' : tdMode !== 'cross' && tdMode !== 'isolated') return bad('51000', 'Parameter tdMode error');
    const side = a['side'];
    if (side !== 'buy' && side !== 'sell') return bad('51000', 'Parameter side error');
    const ordType = a['ordType'];
    if (typeof ordType !== 'string' || !['limit', 'market', 'post_only', 'fok', 'ioc'].includes(ordType)) return bad('51000', 'Parameter ordType error');
    const type = ordType as SimOrderType;
    if (clOrdIdRaw !== undefined && (typeof clOrdIdRaw !== 'string' || !/^[A-Za-z0-9]{1,32}$/.test(clOrdIdRaw))) return bad('51000', 'Parameter clOrdId error');
    if (a['tag'] !== undefined && !/^[A-Za-z0-9]{1,16}$/.test(tag)) return bad('51000', 'Parameter tag error');
    const posSide = a['posSide'];
    if (posSide !== undefined) {
      if (spot) return bad('51000', 'Parameter posSide error');
      if (posSide !== 'net') return bad('51000', 'Parameter posSide error');
    }
    const ro = a['reduceOnly'];
    let reduceOnly: boolean | undefined;
    if (ro !== undefined) {
      if (spot) return bad('51000', 'Parameter reduceOnly error');
      if (ro === true || ro === 'true') reduceOnly = true;
      else if (ro === false || ro === 'false') reduceOnly = false;
      else return bad('51000', 'Parameter reduceOnly error');
    }
    const tgtCcy = typeof a['tgtCcy'] === 'string' ? a['tgtCcy'] : '';
    if (spot && type === 'market') {
      if (tgtCcy === 'quote_ccy' || (tgtCcy === '' && side === 'buy')) return bad('51000', 'Parameter tgtCcy error (the simulator sizes spot market orders in base_ccy only)');
    } else if (a['tgtCcy'] !== undefined) return bad('51000', 'Parameter tgtCcy error');
    const szText = a['sz'];
    if (typeof szText !== 'string' || !/^\d+(\.\d+)?$/.test(szText)) return bad('51000', 'Parameter sz error');
    const qtyLots = inst.ins.lot.toUnits(szText);
    if (Number.isNaN(qtyLots)) return inst.ins.lot.lastError === DecimalError.NOT_MULTIPLE ? bad('51121', 'Order quantity must be a multiple of the lot size.') : bad('51000', 'Parameter sz error');
    if (qtyLots <= 0) return bad('51000', 'Parameter sz error');
    let priceTicks = 0;
    if (type !== 'market') {
      const pxText = a['px'];
      if (typeof pxText !== 'string' || !/^\d+(\.\d+)?$/.test(pxText)) return bad('51000', 'Parameter px error');
      priceTicks = inst.ins.tick.toUnits(pxText);
      if (Number.isNaN(priceTicks) || priceTicks <= 0) return bad('51000', 'Parameter px error');
    } else if (a['px'] !== undefined && a['px'] !== '') return bad('51000', 'Parameter px error');
    let stp: SelfTradeMode | undefined;
    const stpText = a['stpMode'];
    if (stpText !== undefined) {
      if (stpText !== 'cancel_maker' && stpText !== 'cancel_taker' && stpText !== 'cancel_both') return bad('51000', 'Parameter stpMode error');
      stp = stpText;
    }
    const faults = this.core.faults;
    const rej = faults.decide('reject', this.core.name, targets, 'place');
    if (rej !== null) {
      const code = rej.code !== undefined ? String(rej.code) : '51008';
      return bad(code, rej.msg ?? `Order failed. Insufficient ${spot ? (side === 'buy' ? inst.spec.quote : inst.spec.base) : inst.spec.quote} balance in account`, rej.code === undefined ? (spot ? '1000' : '1001') : '');
    }
    const partial = faults.decide('partial_fill', this.core.name, targets, 'place');
    const timeout = faults.decide('timeout_placed', this.core.name, targets, 'place');
    const req: PlaceRequest = {
      account: cred.account, side, type, qtyLots,
      ...(type !== 'market' ? { priceTicks } : {}),
      ...(clOrdId !== '' ? { clientOrderId: clOrdId } : {}),
      ...(reduceOnly !== undefined ? { reduceOnly } : {}),
      ...(stp !== undefined ? { selfTrade: stp } : {}),
    };
    const keep = partial !== null ? partialLots(qtyLots, partial.fraction ?? 0.5) : 0;
    if (partial !== null && keep > 0 && type !== 'post_only') this.core.frontRun(inst, side, type === 'market' ? NaN : priceTicks, keep);
    // the meta must exist before the reports are pushed
    const meta: OkxOrderMeta = { clOrdId, tdMode: String(tdMode), tag, tgtCcy, posSide: spot ? '' : 'net', stpMode: stp ?? inst.engine.selfTrade, lastFill: null };
    this.pendingMeta = { account: cred.account, meta };
    let res;
    try {
      res = this.core.place(inst, req);
    } finally {
      this.pendingMeta = null;
    }
    if (!res.accepted) {
      switch (res.rejectReason) {
        case 'duplicate_client_id': return bad('51016', 'Duplicated clOrdId');
        case 'insufficient_balance': return bad('51008', `Order failed. Insufficient ${spot ? (side === 'buy' ? inst.spec.quote : inst.spec.base) : inst.spec.quote} ${spot ? 'balance' : 'margin'} in account`, spot ? '1000' : '1001');
        case 'below_min_qty': return bad('51020', 'Your order should meet or exceed the minimum order amount.');
        case 'below_min_notional': return bad('51020', 'Your order should meet or exceed the minimum order amount.');
        case 'reduce_only': return bad('51169', "Order failed because you don't have any positions in this direction for this contract to reduce or close.");
        case 'post_only_would_take': return bad('51019', 'Post only order can not be filled.');
        default: return bad('51000', 'Parameter error');
      }
    }
    if (!this.meta.has(res.orderId)) this.rememberMeta(res.orderId, meta);
    if (partial !== null && keep > 0) {
      const v0 = inst.engine.inspect(res.orderId);
      if (v0 !== null && v0.cumQtyLots === 0 && v0.status === 'new') this.core.hitResting(inst, res.orderId, keep);
    }
    if (timeout !== null) return { ok: true, entry: {}, withhold: timeout.mode ?? 'hang' };
    if (f5xx !== null) return { ok: false, entry: {}, fail: fail5xx(f5xx) };
    return { ok: true, entry: entry(clOrdId, String(res.orderId), tag, now, '0', 'Order placed') };
  }

  /** The order being placed (its reports are pushed from inside `core.place`). */
  private pendingMeta: { account: string; meta: OkxOrderMeta } | null = null;

  private cancelOrder(cred: SimCredentials, a: Obj, transport: 'rest' | 'ws-api'): PlaceOutcome {
    const now = this.now();
    const clOrdId = typeof a['clOrdId'] === 'string' ? a['clOrdId'] : '';
    const ordId = typeof a['ordId'] === 'string' ? a['ordId'] : '';
    const bad = (sCode: string, sMsg: string): PlaceOutcome => ({ ok: false, entry: { clOrdId, ordId, ts: String(now), sCode, sMsg } });
    const instOr = this.resolveInst(a, transport);
    if (Array.isArray(instOr)) return bad(instOr[0], instOr[1]);
    const inst = instOr;
    const targets: FaultTarget[] = [transport, 'orders'];
    if (transport === 'ws-api') {
      const f429 = this.core.faults.decide('http_429', this.core.name, targets, 'cancel');
      if (f429 !== null) return { ok: false, entry: {}, fail: { httpStatus: 429, code: '50011', msg: 'Rate limit reached. Please refer to API documentation and throttle requests accordingly.' } };
      const f5xx = this.core.faults.decide('http_5xx', this.core.name, targets, 'cancel');
      if (f5xx !== null && f5xx.executed !== true) return { ok: false, entry: {}, fail: fail5xx(f5xx) };
    }
    if (!this.budgets.cancel.take(`${cred.account}:${inst.symbol}`, now)) {
      return { ok: false, entry: {}, fail: { httpStatus: 429, code: '50011', msg: 'Rate limit reached. Please refer to API documentation and throttle requests accordingly.' } };
    }
    let v: OrderView | null;
    if (ordId !== '') v = /^\d{1,18}$/.test(ordId) ? inst.engine.query(cred.account, { orderId: Number(ordId) }) : null;
    else if (clOrdId !== '') v = inst.engine.query(cred.account, { clientOrderId: clOrdId });
    else return bad('51000', 'Parameter ordId or clOrdId error');
    if (v === null) return bad('51400', 'Order cancellation failed as the order has been filled, canceled or does not exist.');
    if (v.status === 'filled') return bad('51402', 'Order cancellation failed as the order has been completed.');
    if (v.status !== 'new' && v.status !== 'partially_filled') return bad('51401', 'Order cancellation failed as the order has been canceled.');
    const res = this.core.cancel(inst, cred.account, { orderId: v.orderId });
    if (!res.accepted) return bad('51400', 'Order cancellation failed as the order has been filled, canceled or does not exist.');
    const m = this.meta.get(v.orderId);
    return { ok: true, entry: { clOrdId: m?.clOrdId ?? clOrdId, ordId: String(v.orderId), ts: String(now), sCode: '0', sMsg: '' } };
  }
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly withhold?: 'hang' | 'close';
}

function ok(data: unknown[]): Reply {
  return { status: 200, body: { code: OK, msg: '', data } };
}

function rateLimited(): Reply {
  return { status: 429, body: { code: '50011', msg: 'Too Many Requests', data: [] } };
}

function fail5xx(rule: FaultRule): { httpStatus: number; code: string; msg: string } {
  const status = rule.status ?? 503;
  const code = rule.code !== undefined ? String(rule.code) : status === 503 ? '50001' : '50004';
  const msg = rule.msg ?? (code === '50004' ? 'API endpoint request timeout (does not mean that the request was successful or failed, please check the request result).' : 'Service temporarily unavailable. Please try again later.');
  return { httpStatus: status, code, msg };
}

function reply5xx(rule: FaultRule): Reply {
  const f = fail5xx(rule);
  return { status: f.httpStatus, body: { code: f.code, msg: f.msg, data: [] } };
}

function b64Hmac(secret: string, prehash: string): string {
  return createHmac('sha256', secret).update(prehash, 'utf8').digest('base64');
}

function eqText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The order as of one report (its status / fill counters), for pushes of one operation. */
function asOf(v: OrderView, r: OrderReport): OrderView {
  return {
    ...v,
    status: r.status,
    reason: r.reason === '' || r.kind === 'rejected' ? (v.status === r.status ? v.reason : '') : (r.reason as OrderView['reason']),
    cumQtyLots: r.cumQtyLots,
    leavesQtyLots: r.leavesQtyLots,
    cumNotional: r.cumNotional,
    avgPriceTicks: r.cumQtyLots > 0 ? r.cumNotional / r.cumQtyLots : 0,
    updatedMs: r.timeMs,
  };
}
