// Executor actor: one worker per venue ORDER CHANNEL (src/venues/order-channel.ts: primary and
// backup endpoints with failover, and the venue's private stream). Run it with wait strategy
// 'async-park' so its sockets are served while the run loop parks.
//
// Inbound ring 0 (from the engine): NewOrder, Cancel (scopes One / Instrument / Venue) and Query
// frames. Outbound ring 0 (to the engine): OrderReport frames with their origin
//  - Stream: the placement's own answer (ack, fill, reject with a reason code) and the private
//    stream's reports (acks, partial fills, fills, cancels); OutcomeUnknown (Timeout /
//    Disconnected / VenueServerError) when the venue may have acted without telling us;
//  - Query: the answer to a Query (Reject + UnknownOrder = the venue does not know the client id;
//    OutcomeUnknown = the query itself failed);
//  - Cancel: the answer to a Cancel (Reject + UnknownOrder = not open there);
// LinkState frames (channel Orders) when a socket changes state or the channel fails over
// (the reason text carries the measured switch time; the same event goes to the supervisor as a
// report), and Balance frames: one per configured asset (params.assets) from the venue's
// whole-account REST answer (at start, once the channel is ready; after a private socket comes
// back; every `balanceRefreshMs`; on the engine's ControlCommand RefreshBalances) and one per
// listed asset of every private-stream account update. Stage times: each report carries the
// NewOrder's stage times unchanged (the triggering BookTop's venue event, received, applied and
// ring-committed stages, the decision) plus order sent (just before the request is handed to the
// client), ack and fill (when they arrived), on the cross-thread clock (clock.ts); only link
// states and balances get their own ring-commit stamp.
//
// Invariants:
// - It NEVER re-sends an order on its own: an unknown outcome is reported and the engine queries.
// - At most once per order across restarts (executor-state.ts): a request frame is recorded as
//   TAKEN in shared memory and the ring position advanced BEFORE the request is sent; a restarted
//   executor reports every order the previous incarnation had taken and not settled as
//   OutcomeUnknown (reason Disconnected) and never sends it; cancels and queries are run again.
// - Requests wait for the channel to be ready (connected, private stream subscribed); they are
//   never failed just because the executor is still connecting.
// - Only this thread writes the outbound ring; a report refused by a full ring is queued (in
//   order) and written from poll().
// - Between orders, poll() rehearses the path from a NewOrder frame to the venue client every
//   `rehearseMs` (executor-rehearsal.ts) on a template order that is never sent or journaled.
// Thin: the report mapping is in executor-reports.ts (pure), failover in venues/io/failover.ts.
import type { ActorBehaviour, ActorContext } from './actor.js';
import { nowUs } from './clock.js';
import type { RingWriter } from '../shm/ring.js';
import {
  Body,
  CancelScope,
  ControlOp,
  FrameView,
  LinkChannel,
  LinkRole,
  LinkStatus,
  OrderType,
  ReasonCode,
  ReportKind,
  ReportOrigin,
  Side,
  Stage,
  newEnvelopeHead,
  newStageTimes,
  threadEncoder,
  type BalanceValue,
  type LinkStateValue,
  type NewOrder,
  type NewOrderValue,
  type OrderReportValue,
  type StageTimesValue,
} from '../wire/index.js';
import { InstrumentTable } from '../core/instrument.js';
import type { InstrumentSpec, OrderIntent, VenueErrorInfo, VenueOrderReport } from '../venues/types.js';
import { VENUE_IDS } from '../venues/types.js';
import type { WsLinkState } from '../venues/io/ws-link.js';
import { createOrderChannel, type OrderChannel, type OrderChannelConfig, type OrderSwitchEvent } from '../venues/order-channel.js';
import { ExecutorState, EXEC_STATE } from './executor-state.js';
import { OrderPathRehearsal, rehearsalFrame } from './executor-rehearsal.js';
import { IntentLog } from '../journal/intents.js';
import { amountUnits } from '../config/runtime.js';
import { CoalescedRefresh } from '../venues/io/coalesce.js';
import { baseReport, errorReport, isRepeat, venueReport, type ExecOrder } from './executor-reports.js';
import type { VenueBalanceUpdate } from '../venues/types.js';

export interface ExecutorInstrument {
  readonly spec: InstrumentSpec;
  /** Engine-wide instrument id (NewOrder / OrderReport instrument_id). */
  readonly instrumentId: number;
}

/** An asset whose venue balance the executor reports to the engine. */
export interface ExecutorAsset {
  /** The venue's asset code ('USDT', 'BTC'). */
  readonly code: string;
  /** Engine asset id (Balance.asset_id). */
  readonly assetId: number;
  /** Decimals of the engine's integer unit of this asset (amounts are sent in 10^-decimals). */
  readonly decimals: number;
}

export interface ExecutorParams {
  /** The venue order channel: endpoints, credentials (loaded by the composition root), failover. */
  readonly channel: OrderChannelConfig;
  /** Wire venue id (OrderReport.venue_id, LinkState.venue_id). */
  readonly venueId: number;
  /** LinkState.link_id of this order channel. */
  readonly linkId: number;
  readonly instruments: readonly ExecutorInstrument[];
  /** Counters region of executorStateWords(slots) words: progress and in-flight requests. */
  readonly state: string;
  /** Envelope source actor id. Default linkId. */
  readonly sourceActor?: number;
  /**
   * Journal directory: every order is appended to this executor's intent stream
   * (`intent-exec-<linkId>`, src/journal/intents.ts) before it is handed to the socket, so a
   * kill -9 of the whole process cannot lose an order that reached the venue. Absent: no intents.
   */
  readonly journalDir?: string;
  /** What an intent append waits for: 'write' (default: the kernel owns it) or 'fdatasync'. */
  readonly intentSync?: 'write' | 'fdatasync';
  /**
   * Period of the order-path rehearsal that keeps the path from a NewOrder frame to the venue
   * client warm between orders (executor-rehearsal.ts), ms. Default 1; 0 = off. Rehearsals run
   * from poll(), never within this period after a real order was taken: run the actor with a
   * park timeout no longer than this.
   */
  readonly rehearseMs?: number;
  /** Assets whose balances are reported to the engine (Balance frames). Absent: none. */
  readonly assets?: readonly ExecutorAsset[];
  /** Whole-account balance refresh period (REST), ms. Default 10000; 0 = no periodic refresh. */
  readonly balanceRefreshMs?: number;
  /**
   * Test hook: planned worker exits, in order, each once per shared state (CRASHES word): entry k
   * exits when handling its client order id, 'before_send' (taken, not sent) or 'after_answer'
   * (sent, answer received, not reported), once k crashes were done.
   */
  readonly testCrash?: readonly { readonly clientOrderId: string; readonly at: 'before_send' | 'after_answer' }[];
}

export interface ExecutorCounters {
  orders: number;
  cancels: number;
  queries: number;
  reports: number;
  streamReports: number;
  repeatsDropped: number;
  ringFull: number;
  recovered: number;
  failovers: number;
  balanceFetches: number;
  balanceFetchErrors: number;
  balances: number;
}

interface Order extends ExecOrder {
  readonly times: StageTimesValue;
  open: boolean;
}

const ORDER_TYPE: Readonly<Record<number, OrderIntent['type']>> = {
  [OrderType.Limit]: 'limit',
  [OrderType.Ioc]: 'ioc',
  [OrderType.Fok]: 'fok',
  [OrderType.Market]: 'market',
  [OrderType.PostOnly]: 'post_only',
};

const WS_STATUS: Readonly<Record<WsLinkState, LinkStatus>> = {
  idle: LinkStatus.Down,
  connecting: LinkStatus.Connecting,
  open: LinkStatus.Synced,
  stale: LinkStatus.Stale,
  down: LinkStatus.Down,
  stopped: LinkStatus.Down,
};

/** Default order-path rehearsal period, ms (ExecutorParams.rehearseMs). */
export const EXECUTOR_DEFAULT_REHEARSE_MS = 1;

/** Checks the params (a throw in createActor is a bootstrap failure: never respawned). */
export function validateExecutorParams(raw: unknown): ExecutorParams {
  if (raw === null || typeof raw !== 'object') throw new Error('executor: params must be an object');
  const p = raw as ExecutorParams;
  if (p.channel === undefined || !VENUE_IDS.includes(p.channel.venue)) throw new Error('executor: channel.venue must be a known venue');
  for (const k of ['venueId', 'linkId'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 0 || p[k] > 0xffffffff) throw new Error(`executor: ${k} must be a uint32`);
  }
  if (!Array.isArray(p.instruments) || p.instruments.length === 0) throw new Error('executor: at least one instrument');
  for (const ins of p.instruments) {
    if (ins.spec?.venue !== p.channel.venue) throw new Error(`executor: instrument ${ins.spec?.symbol} is not a ${p.channel.venue} instrument`);
    if (!Number.isInteger(ins.instrumentId) || ins.instrumentId < 0) throw new Error(`executor: bad instrumentId for ${ins.spec.symbol}`);
  }
  if (typeof p.state !== 'string' || p.state === '') throw new Error('executor: state region name required');
  for (const a of p.assets ?? []) {
    if (typeof a.code !== 'string' || a.code === '') throw new Error('executor: asset code required');
    if (!Number.isInteger(a.assetId) || a.assetId < 0) throw new Error(`executor: bad assetId for asset ${a.code}`);
    if (!Number.isInteger(a.decimals) || a.decimals < 0 || a.decimals > 18) throw new Error(`executor: bad decimals for asset ${a.code}`);
  }
  if (p.balanceRefreshMs !== undefined && !(Number.isFinite(p.balanceRefreshMs) && p.balanceRefreshMs >= 0)) throw new Error('executor: balanceRefreshMs must be >= 0');
  if (p.rehearseMs !== undefined && !(typeof p.rehearseMs === 'number' && Number.isFinite(p.rehearseMs) && p.rehearseMs >= 0)) {
    throw new Error(`executor: rehearseMs must be a number >= 0 (0 = off), got ${String(p.rehearseMs)}`);
  }
  return p;
}

export function createActor(raw: unknown): ActorBehaviour {
  const p = validateExecutorParams(raw);
  const table = new InstrumentTable(p.instruments.map((i) => i.spec));
  const indexOfId = new Map<number, number>(p.instruments.map((ins, i) => [ins.instrumentId, i]));
  const ticks = p.instruments.map((ins) => Number(ins.spec.tickSize));
  const enc = threadEncoder();
  const head = newEnvelopeHead(p.sourceActor ?? p.linkId);
  const rv = baseReport({} as OrderReportValue, null, '', p.venueId, ReportKind.Ack, ReportOrigin.Stream);
  const noTimes = newStageTimes();
  const orders = new Map<string, Order>();
  const backlog: Uint8Array[] = [];
  const counters: ExecutorCounters = { orders: 0, cancels: 0, queries: 0, reports: 0, streamReports: 0, repeatsDropped: 0, ringFull: 0, recovered: 0, failovers: 0, balanceFetches: 0, balanceFetchErrors: 0, balances: 0 };
  const assets = p.assets ?? [];
  const refreshMs = p.balanceRefreshMs ?? 10_000;
  const bv: BalanceValue = { venueId: p.venueId, assetId: 0, freeUnits: 0, totalUnits: 0, venueTimeUs: 0, snapshot: false };
  const link: LinkStateValue = { linkId: p.linkId, venueId: p.venueId, channel: LinkChannel.Orders, role: LinkRole.Primary, status: LinkStatus.Connecting, sinceUs: 0, lastSeq: 0, reason: '' };
  let ctx: ActorContext;
  let ring: RingWriter;
  let st: ExecutorState;
  let slotView: FrameView;
  let inView: FrameView | null = null;
  let channel: OrderChannel;
  let ready = false;
  let readyP: Promise<void> = Promise.resolve();
  let stopping = false;
  // opened in onStart (a warm spare must not open the stream while the active worker writes it)
  let intents: IntentLog | null = null;
  const iv: NewOrderValue = { clientOrderId: '', orderRef: 0, instrumentId: 0, venueId: p.venueId, side: Side.Buy, orderType: OrderType.Ioc, priceTicks: 0, qtyLots: 0, comboId: 0, leg: 0, reduceOnly: false };

  // ---- output ---------------------------------------------------------------------------------

  /**
   * Publishes the frame in the encoder. `stamp`: set its RingCommitted stage to now, for frames
   * that start a path here (link states, balances). A report continues its order's path, so it
   * keeps the order's stages, the BookTop's commit among them (the audit's committed -> decision).
   */
  const commit = (stamp: boolean): void => {
    if (stamp) enc.stamp(Stage.RingCommitted, nowUs());
    if (backlog.length === 0 && ring.write(enc.bytes, enc.start, enc.end)) return;
    counters.ringFull++;
    backlog.push(enc.toUint8Array());
  };

  const emit = (times: StageTimesValue): void => {
    const t = head.times;
    t.venueEventUs = times.venueEventUs;
    t.receivedUs = times.receivedUs;
    t.bookAppliedUs = times.bookAppliedUs;
    t.ringCommittedUs = times.ringCommittedUs;
    t.decisionUs = times.decisionUs;
    t.orderSentUs = times.orderSentUs;
    t.ackUs = times.ackUs;
    t.fillUs = times.fillUs;
    head.seq = ring.nextSeq + backlog.length;
    enc.orderReport(head, rv);
    counters.reports++;
    commit(false);
  };

  const publishLink = (role: LinkRole, status: LinkStatus, reason: string): void => {
    link.role = role;
    link.status = status;
    link.sinceUs = nowUs();
    link.reason = reason.length > 300 ? reason.slice(0, 300) : reason;
    head.seq = ring.nextSeq + backlog.length;
    const t = head.times;
    t.venueEventUs = t.receivedUs = t.bookAppliedUs = t.ringCommittedUs = t.decisionUs = t.orderSentUs = t.ackUs = t.fillUs = 0;
    enc.linkState(head, link);
    commit(true);
  };

  // ---- balances (off the hot path) -------------------------------------------------------------

  /** A stream update arrived while a REST fetch was in flight: that answer may be older. */
  let streamDuringFetch = false;
  /** Consecutive fetches dropped because a stream update overtook them. */
  let overtaken = 0;
  let nextRefreshMs = Infinity; // armed once the channel is ready

  /** One Balance frame per configured asset the update covers (a snapshot covers them all). */
  const publishBalances = (u: VenueBalanceUpdate): void => {
    for (const a of assets) {
      const b = u.balances.find((x) => x.asset === a.code);
      if (b === undefined && !u.snapshot) continue;
      let free = 0;
      let total = 0;
      try {
        free = b === undefined ? 0 : signedUnits(b.free, a.decimals);
        total = b === undefined ? 0 : signedUnits(b.total, a.decimals);
      } catch {
        counters.balanceFetchErrors++; // a malformed amount: not reported (the next update will be)
        continue;
      }
      bv.assetId = a.assetId;
      bv.freeUnits = free;
      bv.totalUnits = total;
      bv.venueTimeUs = u.venueTimeMs * 1000;
      bv.snapshot = u.snapshot;
      head.seq = ring.nextSeq + backlog.length;
      const t = head.times;
      t.venueEventUs = t.receivedUs = t.bookAppliedUs = t.ringCommittedUs = t.decisionUs = t.orderSentUs = t.ackUs = t.fillUs = 0;
      enc.balance(head, bv);
      counters.balances++;
      commit(true);
    }
  };

  /**
   * One whole-account fetch (REST). An answer that a stream update overtook (the update arrived
   * while the request was out) may predate it: it is dropped and the account fetched again (up
   * to 3 times in a row; the periodic refresh catches up after that).
   */
  const fetchBalances = async (): Promise<void> => {
    streamDuringFetch = false;
    counters.balanceFetches++;
    const out = await channel.fetchBalances();
    if (stopping) return;
    if (refreshMs > 0) nextRefreshMs = performance.now() + refreshMs;
    if (!out.ok) {
      counters.balanceFetchErrors++;
    } else if (streamDuringFetch && overtaken < 3) {
      overtaken++;
      balanceRefresh.request();
    } else {
      overtaken = 0;
      publishBalances(out.update);
    }
  };
  /** At most one fetch in flight and one queued (src/venues/io/coalesce.ts). */
  const balanceRefresh = new CoalescedRefresh(fetchBalances);
  const refreshBalances = (): void => {
    if (assets.length > 0 && !stopping) balanceRefresh.request();
  };

  const onBalance = (u: VenueBalanceUpdate): void => {
    if (stopping) return;
    if (balanceRefresh.busy) streamDuringFetch = true;
    publishBalances(u);
  };

  const roleOf = (name: string): LinkRole => (name.startsWith('backup') ? LinkRole.Backup : LinkRole.Primary);

  const onSwitch = (e: OrderSwitchEvent): void => {
    counters.failovers++;
    publishLink(roleOf(e.toName), LinkStatus.Synced, `failover ${e.fromName} -> ${e.toName} (${e.reason}: ${e.detail}); switch ${e.switchMs.toFixed(3)} ms, impaired ${e.impairedMs.toFixed(1)} ms`);
    ctx.report({ failover: { from: e.fromName, to: e.toName, reason: e.reason, detail: e.detail, switchMs: e.switchMs, impairedMs: e.impairedMs } });
  };

  const downSockets = new Set<string>();
  const onLinkState = (name: string, s: WsLinkState, reason: string): void => {
    if (stopping) return;
    publishLink(roleOf(name), WS_STATUS[s], `${name} ${s}${reason === '' ? '' : `: ${reason}`}`);
    // a private socket that comes back may have missed account updates: fetch the whole account
    if (s === 'down' || s === 'stale') downSockets.add(name);
    else if (s === 'open' && downSockets.delete(name) && ready) refreshBalances();
  };

  // ---- reports --------------------------------------------------------------------------------

  const wireIdOf = (instrument: number): number => (instrument >= 0 && instrument < p.instruments.length ? p.instruments[instrument]!.instrumentId : -1);
  const tickOf = (instrument: number): number => ticks[instrument] ?? 0;

  const markStages = (o: Order | null, kind: ReportKind): void => {
    if (o === null) return;
    const now = nowUs();
    if (kind !== ReportKind.OutcomeUnknown && o.times.ackUs === 0) o.times.ackUs = now;
    if ((kind === ReportKind.Fill || kind === ReportKind.PartialFill) && o.times.fillUs === 0) o.times.fillUs = now;
    if (kind === ReportKind.Fill || kind === ReportKind.Reject || kind === ReportKind.Cancelled) o.open = false;
  };

  /** `cid`: the client id asked about (a cancel answer carries the cancel's own id on Binance). */
  const reportVenue = (o: Order | null, r: VenueOrderReport, origin: ReportOrigin, cid: string = r.clientOrderId): void => {
    const ins = r.instrument >= 0 ? r.instrument : (o?.instrument ?? -1);
    venueReport(rv, o, r, p.venueId, wireIdOf(ins), tickOf(ins), origin);
    rv.clientOrderId = cid;
    if (origin === ReportOrigin.Stream && isRepeat(o, rv.kind, rv.cumQtyLots)) {
      counters.repeatsDropped++;
      return;
    }
    markStages(o, rv.kind);
    emit(o?.times ?? noTimes);
  };

  const reportError = (o: Order | null, cid: string, e: VenueErrorInfo, origin: ReportOrigin): void => {
    errorReport(rv, o, cid, p.venueId, e, origin);
    // a query that failed for any other reason than "unknown order" settles nothing: ask again
    if (origin === ReportOrigin.Query && e.code !== 'ORDER_NOT_FOUND') rv.kind = ReportKind.OutcomeUnknown;
    if (rv.kind === ReportKind.Reject && origin === ReportOrigin.Stream) markStages(o, rv.kind);
    emit(o?.times ?? noTimes);
  };

  const onStreamReport = (r: VenueOrderReport): void => {
    counters.streamReports++;
    reportVenue(orders.get(r.clientOrderId) ?? null, r, ReportOrigin.Stream);
  };

  // ---- requests -------------------------------------------------------------------------------

  const crashHook = (cid: string, at: 'before_send' | 'after_answer'): void => {
    const k = st.word(EXEC_STATE.CRASHES);
    const c = p.testCrash?.[k];
    if (c === undefined || c.at !== at || c.clientOrderId !== cid) return;
    st.add(EXEC_STATE.CRASHES);
    process.exit(1);
  };

  const whenReady = async (): Promise<void> => {
    if (!ready) await readyP;
  };

  /** The order of the NewOrder frame under `v` (not registered). */
  const orderFrom = (v: FrameView, cid: string): Order => {
    const m = v.newOrder();
    const instrumentId = m.instrumentId();
    return {
      clientOrderId: cid,
      orderRef: m.orderRef(),
      instrumentId,
      instrument: indexOfId.get(instrumentId) ?? -1,
      side: m.side(),
      comboId: m.comboId(),
      leg: m.leg(),
      qtyLots: m.qtyLots(),
      lastKind: -1,
      lastCum: -1,
      times: v.readTimes(newStageTimes()),
      open: true,
    };
  };

  /** Registers the order of the NewOrder frame under `v` (client id `cid`); null when `cid` is in use. */
  const orderOf = (v: FrameView, cid: string): Order | null => {
    if (orders.has(cid)) return null;
    const o = orderFrom(v, cid);
    orders.set(cid, o);
    return o;
  };

  /** The venue client's request for order `o` of NewOrder `m`. */
  const intentOf = (m: NewOrder, o: Order, type: OrderIntent['type']): OrderIntent => ({
    clientOrderId: o.clientOrderId,
    side: o.side === Side.Buy ? 'buy' : 'sell',
    type,
    priceTicks: m.priceTicks(),
    qtyLots: o.qtyLots,
    ...(m.reduceOnly() ? { reduceOnly: true } : {}),
  });

  /** The intent record's value (`dst`) of order `o` of NewOrder `m`. */
  const fillIntentValue = (dst: NewOrderValue, m: NewOrder, o: Order): void => {
    dst.clientOrderId = o.clientOrderId;
    dst.orderRef = m.orderRef();
    dst.instrumentId = m.instrumentId();
    dst.side = o.side;
    dst.orderType = m.orderType();
    dst.priceTicks = m.priceTicks();
    dst.qtyLots = o.qtyLots;
    dst.comboId = m.comboId();
    dst.leg = m.leg();
    dst.reduceOnly = m.reduceOnly();
  };

  // ---- order-path rehearsal (keeps the path below warm; executor-rehearsal.ts) -------------------
  const rehearseMs = p.rehearseMs ?? EXECUTOR_DEFAULT_REHEARSE_MS;
  const warmIv: NewOrderValue = { ...iv }; // the rehearsal's own intent value
  const rehearsal =
    rehearseMs > 0
      ? new OrderPathRehearsal(rehearseMs * 1000, rehearsalFrame(p.venueId, p.instruments[0]!.instrumentId, p.sourceActor ?? p.linkId), (v) => {
          const m = v.newOrder();
          const o = orderFrom(v, m.clientOrderId() ?? '');
          const type = ORDER_TYPE[m.orderType()]!;
          const intent = intentOf(m, o, type);
          if (o.instrument < 0 || intent.qtyLots !== o.qtyLots) throw new Error('template order does not map to an intent');
          if (intents !== null) {
            fillIntentValue(warmIv, m, o);
            intents.rehearse(warmIv, o.times);
          }
          // the venue client's request, built (and signed) but never sent
          if (ready && !channel.rehearsePlace(o.instrument, intent)) throw new Error(`the ${p.channel.venue} client cannot build the template order`);
        })
      : null;
  let rehearsalFailNoted = false;
  /** When the last NewOrder was taken (nowUs): no rehearsal within a period after it. */
  let lastOrderUs = -Infinity;

  const placeOrder = async (slot: number): Promise<void> => {
    const v = slotView.at(st.frameOffset(slot));
    const m = v.newOrder();
    const cid = m.clientOrderId() ?? '';
    const o = orderOf(v, cid);
    counters.orders++;
    lastOrderUs = nowUs();
    if (o === null) {
      baseReport(rv, orders.get(cid) ?? null, cid, p.venueId, ReportKind.Reject, ReportOrigin.Stream);
      rv.reason = ReasonCode.DuplicateClientOrderId;
      emit(noTimes);
      st.free(slot);
      return;
    }
    const type = ORDER_TYPE[m.orderType()];
    if (o.instrument < 0 || type === undefined || (o.side !== Side.Buy && o.side !== Side.Sell) || !(o.qtyLots > 0)) {
      baseReport(rv, o, cid, p.venueId, ReportKind.Reject, ReportOrigin.Stream);
      rv.reason = o.instrument < 0 ? ReasonCode.VenueRejectOther : ReasonCode.InvalidQuantity;
      o.open = false;
      emit(o.times);
      st.free(slot);
      return;
    }
    const intent = intentOf(m, o, type);
    if (!ready) await whenReady(); // no extra turn of the event loop once the channel is up
    crashHook(cid, 'before_send');
    if (intents !== null) {
      fillIntentValue(iv, m, o);
      intents.recordIntent(iv, o.times); // returns once the kernel owns the record
    }
    o.times.orderSentUs = nowUs();
    const out = await channel.place(o.instrument, intent);
    crashHook(cid, 'after_answer');
    if (out.ok) reportVenue(o, out.report, ReportOrigin.Stream, cid);
    else reportError(o, cid, out.error, ReportOrigin.Stream);
    st.free(slot);
  };

  const cancelOne = async (o: Order | null, instrument: number, cid: string): Promise<void> => {
    const out = await channel.cancel(instrument, cid);
    if (out.ok) reportVenue(o, out.report, ReportOrigin.Cancel, cid);
    else reportError(o, cid, out.error, ReportOrigin.Cancel);
  };

  /** An order this incarnation does not know (placed by an earlier one): identity from the request. */
  const stranger = (cid: string, orderRef: number, instrumentId: number, comboId: number, leg: number): Order => ({
    clientOrderId: cid,
    orderRef,
    instrumentId,
    instrument: indexOfId.get(instrumentId) ?? -1,
    side: Side.Unset,
    comboId,
    leg,
    qtyLots: 0,
    lastKind: -1,
    lastCum: -1,
    times: newStageTimes(),
    open: false,
  });

  const cancel = async (slot: number): Promise<void> => {
    const c = slotView.at(st.frameOffset(slot)).cancel();
    const scope = c.scope();
    const cid = c.clientOrderId() ?? '';
    const instrumentId = c.instrumentId();
    const known = orders.get(cid);
    const o = known ?? stranger(cid, c.orderRef(), instrumentId, c.comboId(), c.leg());
    counters.cancels++;
    await whenReady();
    if (scope === CancelScope.One) {
      const ins = o.instrument;
      if (ins < 0) {
        baseReport(rv, o, cid, p.venueId, ReportKind.Reject, ReportOrigin.Cancel);
        rv.reason = ReasonCode.UnknownOrder;
        emit(noTimes);
      } else {
        await cancelOne(o, ins, cid);
      }
    } else {
      // Instrument / Venue scope: every order of this channel still open (in parallel)
      const open = [...orders.values()].filter((o) => o.open && o.instrument >= 0 && (scope === CancelScope.Venue || o.instrumentId === instrumentId));
      await Promise.all(open.map((o) => cancelOne(o, o.instrument, o.clientOrderId)));
    }
    st.free(slot);
  };

  const query = async (slot: number): Promise<void> => {
    const q = slotView.at(st.frameOffset(slot)).query();
    const cid = q.clientOrderId() ?? '';
    const o = orders.get(cid) ?? stranger(cid, q.orderRef(), q.instrumentId(), q.comboId(), q.leg());
    const ins = o.instrument;
    counters.queries++;
    await whenReady();
    if (ins < 0) {
      baseReport(rv, o, cid, p.venueId, ReportKind.Reject, ReportOrigin.Query);
      rv.reason = ReasonCode.UnknownOrder;
      emit(noTimes);
    } else {
      const out = await channel.query(ins, cid);
      if (out.found) reportVenue(o, out.report, ReportOrigin.Query, cid);
      else reportError(o, cid, out.error, ReportOrigin.Query);
    }
    st.free(slot);
  };

  const dispatch = (slot: number, kind: Body): void => {
    if (kind === Body.NewOrder) void placeOrder(slot);
    else if (kind === Body.Cancel) void cancel(slot);
    else void query(slot);
  };

  /** A NewOrder the previous incarnation took and did not settle: reported unknown, never sent. */
  const recoverOrder = (slot: number): void => {
    const v = slotView.at(st.frameOffset(slot));
    const cid = v.newOrder().clientOrderId() ?? '';
    const o = orderOf(v, cid) ?? orders.get(cid)!;
    baseReport(rv, o, cid, p.venueId, ReportKind.OutcomeUnknown, ReportOrigin.Stream);
    rv.reason = ReasonCode.Disconnected;
    emit(o.times);
    st.add(EXEC_STATE.RECOVERED);
    counters.recovered++;
    st.free(slot);
  };

  return {
    onStart(c: ActorContext) {
      ctx = c;
      if (c.outbound.length < 1 || c.inbound.length < 1) throw new Error('executor: needs one inbound and one outbound ring');
      ring = c.outbound[0]!;
      st = ExecutorState.attach(c.map, p.state);
      slotView = new FrameView(st.u8);
      const taken = st.recover();
      if (p.journalDir !== undefined) intents = new IntentLog({ dir: p.journalDir, executor: `exec-${p.linkId}`, sourceActor: p.sourceActor ?? p.linkId, ...(p.intentSync ? { intentSync: p.intentSync } : {}) });
      channel = createOrderChannel({ ...p.channel, seed: (p.channel.seed ?? 1) + p.linkId }, table, { onReport: onStreamReport, onSwitch, onLinkState, onBalance }, () => performance.now());
      publishLink(LinkRole.Primary, LinkStatus.Connecting, 'start');
      channel.start();
      readyP = channel.ready().then(() => {
        ready = true;
        publishLink(roleOf(channel.activeName), LinkStatus.Synced, `ready on ${channel.activeName}`);
        refreshBalances();
      });
      for (const slot of taken) {
        const kind = slotView.at(st.frameOffset(slot)).kind();
        if (kind === Body.NewOrder) recoverOrder(slot);
        else {
          st.add(EXEC_STATE.RETAKEN);
          dispatch(slot, kind);
        }
      }
    },
    onFrame(_c: ActorContext, _ring: number, u8: Uint8Array, off: number, len: number, seq: number) {
      if (seq < st.next) {
        st.add(EXEC_STATE.DUPS);
        return;
      }
      if (inView === null || inView.u8 !== u8) inView = new FrameView(u8);
      const kind = inView.at(off).kind();
      if (kind !== Body.NewOrder && kind !== Body.Cancel && kind !== Body.Query) {
        if (kind === Body.ControlCommand && inView.controlCommand().op() === ControlOp.RefreshBalances) void readyP.then(refreshBalances);
        st.setNext(seq + 1);
        return;
      }
      // record TAKEN, then advance the position, then send: at most once across restarts
      const slot = st.take(seq, u8, off, len);
      if (slot < 0) {
        st.setNext(seq + 1);
        const cid = kind === Body.NewOrder ? (inView.newOrder().clientOrderId() ?? '') : kind === Body.Cancel ? (inView.cancel().clientOrderId() ?? '') : (inView.query().clientOrderId() ?? '');
        baseReport(rv, orders.get(cid) ?? null, cid, p.venueId, ReportKind.Reject, kind === Body.NewOrder ? ReportOrigin.Stream : kind === Body.Cancel ? ReportOrigin.Cancel : ReportOrigin.Query);
        rv.reason = slot === -1 ? ReasonCode.RateLimited : ReasonCode.VenueRejectOther; // no free slot: too many in flight
        rv.retryable = slot === -1;
        emit(noTimes);
        return;
      }
      st.setNext(seq + 1);
      dispatch(slot, kind);
    },
    poll(): number {
      let work = 0;
      if (intents !== null && intents.tick()) work++; // group fdatasync of intents
      // not right behind a real order: its request is still being handed over on this cpu
      const t = nowUs();
      if (rehearsal !== null && !stopping && t - lastOrderUs >= rehearseMs * 1000) {
        if (rehearsal.poll(t)) st.add(EXEC_STATE.REHEARSALS);
        else if (rehearsal.failed !== null && !rehearsalFailNoted) {
          rehearsalFailNoted = true;
          ctx.report({ executor: p.linkId, rehearsalStopped: rehearsal.failed });
        }
      }
      if (ready && performance.now() >= nextRefreshMs) {
        nextRefreshMs = Infinity; // re-armed when the fetch ends
        refreshBalances();
        work++;
      }
      while (backlog.length > 0) {
        const f = backlog[0]!;
        if (!ring.write(f, 0, f.length)) break;
        backlog.shift();
        work++;
      }
      return work;
    },
    async onStop(c: ActorContext) {
      stopping = true;
      balanceRefresh.stop();
      await channel.close();
      intents?.close();
      publishLink(roleOf(channel.activeName), LinkStatus.Down, 'stopped');
      c.report({ executor: p.linkId, counters, channel: channel.counters, active: channel.activeName, rehearsals: rehearsal?.count ?? 0, rehearsalStopped: rehearsal?.failed ?? null });
    },
  };
}

/** A venue's decimal amount (may be negative: derivatives' available margin) in integer units. */
export function signedUnits(amount: string, decimals: number): number {
  const neg = amount.startsWith('-');
  const u = amountUnits(neg ? amount.slice(1) : amount, decimals);
  return neg ? -u : u;
}
