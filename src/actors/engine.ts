// Engine actor: the pure core (src/core) wired to rings. No sockets: run it with wait strategy
// 'spin-park' (lowest latency, on its own core) or 'park'.
//
// Rings (spec order):
//  inbound  [0, F)        feed links (params.feeds[i]: venue + link 0 primary / 1 backup):
//                         BookTop and LinkState frames;
//  inbound  [F, F + E)    executor report rings (params.executors[j]): OrderReport, LinkState,
//                         Balance;
//  outbound [0, E)        executor order rings (same order as params.executors): NewOrder,
//                         Cancel, Query, ControlCommand RefreshBalances (restart recovery);
//  outbound E             the journal ring: AuditRecord frames (src/journal/records.ts layout).
//
// Book path (per BookTop; allocation-free): A/B arbitration by venue sequence id
// (core/arbitration.ts) -> on APPLY the instrument's OrderBook and TopsTable row -> FX holders fed
// by that instrument -> every pair on that instrument: trigger -> sizing -> risk.checkCombo ->
// ExecutionEngine.start. A top flagged unsynced (or a LinkState other than Synced on a link) marks
// the link unsynced: the instrument stays tradable only while another link is in sync.
// Combo dispatch: the orders a combo opens with (both legs of a concurrent combo) are published
// to their executors' rings without a wake-up while ExecutionEngine.start emits them; the
// doorbells are rung once all are written, executors on other cpus first and those sharing the
// engine's cpu (params.executors[j].sharesEngineCpu) last. A woken executor on the engine's cpu
// preempts the engine until it has sent its order and parked again, so ringing it first would hold
// the other leg's order back by that whole send (measured in the demo: the second leg left ~0.6 ms
// after the first); this way the legs leave in parallel.
// Report path: OrderReport -> ExecutionEngine.onReport -> ExecSink events -> positions, risk,
// pair positions. Balance path (cold): Balance -> risk.setFree (the balance / margin pre-trade
// checks read the venues' own free amounts; an asset never reported is not checked unless the
// risk config requires known balances), journaled when it changed. Timers: poll() runs
// ExecutionEngine.onTimer when wakeAtUs() is due (granularity: the park timeout when idle).
// Decision rehearsal (engine-rehearsal.ts, `rehearseMs`, default 1): from poll(), a whole
// decision on the live books through separate risk and execution engines and the scratch
// encoder, so the decision path is cache-warm when a market crosses; it writes nothing anywhere,
// and gives way whenever a frame waits in an inbound ring.
// Journal: every decision that fired (acted or not), risk denial / breaker / state change, order,
// cancel, query (Note), report, link change and combo state change is an AuditRecord. Evaluations
// that did not fire are not journaled (one per book update would flood the journal). A pair whose
// decision did not act (sizing or risk said no) cools down for `cooldownMs` before it is
// evaluated again, which bounds decision and denial records per pair.
//
// Restart (shared-memory progress, region params.state, ENGINE_STATE_WORDS words):
// - NEXT_COMBO is stored BEFORE a combo's orders are emitted, so a restarted engine never reuses
//   a combo id, hence never a client order id (ids are (comboId, leg, attempt)). Across processes
//   (a new shared memory) the composition root passes `comboIdBase` (from the journal).
// - Books are not persisted: every top is a full state, the next one from either link rebuilds it.
// - A restarted incarnation (STARTS > 1), or a first one not declared flat, starts REDUCING and
//   recovers (engine-recovery.ts): waits until the journal actor has written out the journal
//   ring, rebuilds orders, positions and open combos from the journal (params.journalDir),
//   queries every order that is not final by client id (cancelling any found open), proves every
//   pair balanced (core/positions.ts ReconcileGate), flattening the excess when it is not, waits
//   for a balance snapshot of every venue (asked for with ControlCommand RefreshBalances), and
//   only then calls risk.setReconciled(true). Reports of earlier incarnations' orders go to the
//   reconciliation, never to the execution machine. A first start may be declared flat
//   (`assumeFlatOnFirstStart`), e.g. the simulator demo and tests.
//
// Ids: engine venue id = index in config.venues = the wire venue_id of every frame to and from
// this engine; instrument id = index in config.instruments = the wire instrument_id.
// Invariants: only this thread writes its outbound rings; a frame refused by a full ring is
// queued in order and written from poll() (orders and journal records are never dropped).
import type { ActorBehaviour, ActorContext } from './actor.js';
import { nowUs } from './clock.js';
import { Counters } from '../shm/counters.js';
import type { RingWriter } from '../shm/ring.js';
import {
  Body,
  BOOK_MAX_LEVELS,
  CancelScope,
  ControlOp,
  FrameView,
  LinkStatus,
  OrderType,
  Side as WireSide,
  newEnvelopeHead,
  newStageTimes,
  WireEncoder,
  type AuditRecordInput,
  type BalanceValue,
  type CancelValue,
  type LinkStateValue,
  type NewOrderValue,
  type OrderReportValue,
  type QueryValue,
  type StageTimesValue,
} from '../wire/index.js';
import { loadConfig, loadConfigText, resolveInstruments, buildPairModels, buildFxRates, tradablesOf, execPolicyOf, riskConfigOf, assetIds, type XmcConfig, type PairConfig } from '../config/index.js';
import { ArbVerdict, LinkArbiter } from '../core/arbitration.js';
import { OrderBook } from '../core/book.js';
import { ComboState, ExecEventKind, ExecutionEngine, bpsToTicks, chooseLeader, newExecReport, type CancelCmd, type ComboRequest, type ExecEvent, type ExecSink, type NewOrderCmd, type QueryCmd } from '../core/execution.js';
import type { Instrument } from '../core/instrument.js';
import { TopsTable } from '../core/market.js';
import { DIR_AB, TRIGGER_RATIO, type PairModel } from '../core/pair.js';
import { Positions, ReconcileGate } from '../core/positions.js';
import { DEFAULT_EXEC_POLICY } from '../core/exec-types.js';
import { BREAKER_NAMES, ComboCheck, RISK_REASON_NAMES, RiskEngine, TRADING_STATE_NAMES, type RiskEvent } from '../core/risk.js';
import { Sizer, sizingReasonName, type SizingResult } from '../core/sizing.js';
import type { Tradable, TradableTable } from '../core/tradable.js';
import { FxRate, TriggerAction, TriggerEvaluator, setFxFromBook, triggerReasonName, type TriggerResult } from '../core/triggers.js';
import { binanceClientIds, okxClientIds, plainClientIds } from '../core/client-ids.js';
import type { ClientIdFactory } from '../core/exec-types.js';
import { AuditBuilder, newDecisionBook, type DecisionBook, type DecisionDetail } from '../journal/records.js';
import { EngineRecovery, RECOVERY_PHASE_NAMES, RecoveryPhase } from './engine-recovery.js';
import { DecisionRehearsal } from './engine-rehearsal.js';

/** Progress words of the engine's counters region. */
export const ES = {
  STARTS: 0,
  NEXT_COMBO: 1,
  DECISIONS: 2,
  COMBOS: 3,
  ORDERS: 4,
  REPORTS: 5,
  TOPS_APPLIED: 6,
  TOPS_DROPPED: 7,
  TOPS_UNSYNCED: 8,
  DENIALS: 9,
  TRADING_STATE: 10,
  BAD_FRAMES: 11,
  RING_FULL: 12,
  JOURNAL_RECORDS: 13,
  COMBOS_DONE: 14,
  COMBOS_ESCALATED: 15,
  /** Restart recovery phase (engine-recovery.ts RecoveryPhase; 0 = none ran). */
  RECOVERY: 16,
  /** Combos an earlier incarnation left unfinished, settled by restart recovery (reconciled). */
  COMBOS_RECOVERED: 17,
  /** Decision rehearsals run (engine-rehearsal.ts). */
  REHEARSALS: 18,
  /** Times a decision rehearsal gave way to a frame waiting in an inbound ring. */
  REHEARSALS_YIELDED: 19,
} as const;
export const ENGINE_STATE_WORDS = 20;

/** Default decision rehearsal period, ms (EngineParams.rehearseMs). */
export const ENGINE_DEFAULT_REHEARSE_MS = 1;

export interface EngineFeedLink {
  /** Engine venue id (index in config.venues). */
  readonly venue: number;
  /** 0 primary, 1 backup. */
  readonly link: 0 | 1;
}

export interface EngineExecutor {
  /** Engine venue id this executor's order channel trades. */
  readonly venue: number;
  /**
   * The executor is pinned to the engine's cpu, where its wake-up can preempt the engine (it does
   * under the demo's real-time classes, executors above the engine). A combo's orders ring such
   * executors last (see "Combo dispatch" in the header). Default false.
   */
  readonly sharesEngineCpu?: boolean;
}

/**
 * Combo dispatch: the order in which the engine rings the executors a combo's orders went to.
 * Executors on other cpus first, those sharing the engine's cpu last; params order within each.
 */
export function comboWakeOrder(executors: readonly EngineExecutor[]): number[] {
  const others: number[] = [];
  const sharing: number[] = [];
  executors.forEach((e, j) => (e.sharesEngineCpu === true ? sharing : others).push(j));
  return [...others, ...sharing];
}

export interface EngineParams {
  /** YAML configuration text; absent: the embedded default. */
  readonly configYaml?: string;
  /** Only these pair ids (of the enabled ones); absent: every enabled pair. */
  readonly pairs?: readonly string[];
  readonly feeds: readonly EngineFeedLink[];
  readonly executors: readonly EngineExecutor[];
  /** Counters region of ENGINE_STATE_WORDS words. */
  readonly state: string;
  /** Client order id prefix (letters and digits). Default 'xmc'. */
  readonly clientIdPrefix?: string;
  /** 'venue' (Binance / OKX formats by venue) or 'plain' (`<prefix>-<combo>-<leg>-<attempt>`). Default 'venue'. */
  readonly clientIdFormat?: 'venue' | 'plain';
  /** Smallest combo id of this process (ids of earlier processes, from the journal, are below). */
  readonly comboIdBase?: number;
  /** First incarnation: declare the book flat and reconciled (ACTIVE). Restarts reconcile. */
  readonly assumeFlatOnFirstStart?: boolean;
  /** The journal directory the journal actor writes: a start that is not declared flat rebuilds
   * its orders and positions from it and reconciles them with the venues (engine-recovery.ts).
   * Absent: such a start stays REDUCING (nothing to reconcile from). */
  readonly journalDir?: string;
  /** Longest wait for the journal actor to write out the journal ring at a restart. Default 10000. */
  readonly journalDrainMs?: number;
  /** After a decision that did not act, the pair is not evaluated for this long. Default 200. */
  readonly cooldownMs?: number;
  /** Period of the decision rehearsal that keeps the decision path warm (engine-rehearsal.ts),
   * ms; 0 turns it off. Default 1. */
  readonly rehearseMs?: number;
  /** Envelope source actor id. Default 100. */
  readonly sourceActor?: number;
}

export interface EngineSummary {
  readonly state: string;
  readonly arbitration: LinkArbiter['counters'];
  readonly combos: number;
  readonly positions: { instrument: number; symbol: string; lots: number }[];
  readonly pairPositions: { pair: string; atoms: number }[];
  readonly exposure: { asset: number; units: number }[];
  readonly ignoredReports: number;
  /** The last venue balances received (asset units), per venue and asset. */
  readonly balances: { venue: number; venueName: string; asset: string; freeUnits: number; totalUnits: number }[];
  /** Restart recovery phase (IDLE when none ran). */
  readonly recovery: string;
}

const ORDER_TYPE = { ioc: OrderType.Ioc, limit: OrderType.Limit, post_only: OrderType.PostOnly } as const;

function validate(raw: unknown): EngineParams {
  if (raw === null || typeof raw !== 'object') throw new Error('engine: params must be an object');
  const p = raw as EngineParams;
  if (!Array.isArray(p.feeds) || !Array.isArray(p.executors)) throw new Error('engine: feeds and executors arrays required');
  if (typeof p.state !== 'string' || p.state === '') throw new Error('engine: state region name required');
  for (const f of p.feeds) if (!Number.isInteger(f.venue) || (f.link !== 0 && f.link !== 1)) throw new Error('engine: feed needs an integer venue and link 0 or 1');
  if (p.rehearseMs !== undefined && !(typeof p.rehearseMs === 'number' && p.rehearseMs >= 0 && Number.isFinite(p.rehearseMs))) {
    throw new Error(`engine: rehearseMs must be a number >= 0 (0 = off), got ${String(p.rehearseMs)}`);
  }
  const seen = new Set<number>();
  for (const e of p.executors) {
    if (!Number.isInteger(e.venue)) throw new Error('engine: executor needs an integer venue');
    if (seen.has(e.venue)) throw new Error(`engine: two executors for venue ${e.venue}`);
    if (e.sharesEngineCpu !== undefined && typeof e.sharesEngineCpu !== 'boolean') throw new Error(`engine: executor of venue ${e.venue}: sharesEngineCpu must be a boolean`);
    seen.add(e.venue);
  }
  return p;
}

/** Everything the engine builds from the configuration (cold path; exported for tests and the demo). */
export interface EngineModel {
  readonly config: XmcConfig;
  readonly tradables: TradableTable;
  readonly instruments: readonly Instrument[];
  readonly pairs: readonly { model: PairModel; config: PairConfig; a: number; b: number }[];
}

export function buildEngineModel(configYaml?: string, pairIds?: readonly string[]): EngineModel {
  const config = configYaml === undefined ? loadConfig() : loadConfigText(configYaml, '(engine params)');
  const resolved = resolveInstruments(config);
  if (resolved.issues.length > 0) throw new Error(`engine: instruments: ${resolved.issues.map((i) => `${i.path}: ${i.found}`).join('; ')}`);
  const built = buildPairModels(config, resolved.byId);
  if (built.issues.length > 0) throw new Error(`engine: pairs: ${built.issues.map((i) => `${i.path}: ${i.found}`).join('; ')}`);
  const tradables = tradablesOf(config, resolved);
  const instruments = config.instruments.map((ic) => resolved.byId.get(ic.id)!);
  const pairs = built.models
    .filter((m) => pairIds === undefined || pairIds.includes(m.id))
    .map((model) => {
      const pc = config.pairs.find((p) => p.id === model.id)!;
      return { model, config: pc, a: config.instruments.findIndex((i) => i.id === pc.a), b: config.instruments.findIndex((i) => i.id === pc.b) };
    });
  if (pairIds !== undefined) for (const id of pairIds) if (!pairs.some((p) => p.model.id === id)) throw new Error(`engine: pair ${id} is not an enabled pair`);
  return { config, tradables, instruments, pairs };
}

export function createActor(raw: unknown): ActorBehaviour {
  const p = validate(raw);
  const m = buildEngineModel(p.configYaml, p.pairs);
  const { config, tradables, pairs } = m;
  const nIns = tradables.size;
  const nVenues = config.venues.length;
  const nAssets = Object.keys(config.assets).length;
  const F = p.feeds.length;
  const E = p.executors.length;
  for (const f of p.feeds) if (f.venue >= nVenues) throw new Error(`engine: feed venue ${f.venue} is not configured`);
  const execOfVenue = new Int32Array(nVenues).fill(-1);
  p.executors.forEach((e, j) => {
    if (e.venue >= nVenues) throw new Error(`engine: executor venue ${e.venue} is not configured`);
    execOfVenue[e.venue] = j;
  });
  const wakeOrder = comboWakeOrder(p.executors);
  const cooldownUs = (p.cooldownMs ?? 200) * 1000;

  // ---- core ------------------------------------------------------------------------------------
  const arb = new LinkArbiter(nIns, 2);
  const books = Array.from({ length: nIns }, () => new OrderBook(BOOK_MAX_LEVELS * 2));
  const tops = new TopsTable(nIns);
  const positions = new Positions(tradables, nAssets, nVenues);
  const evaluator = new TriggerEvaluator();
  const sizer = new Sizer();
  const cc = new ComboCheck();
  const prefix = p.clientIdPrefix ?? 'xmc';
  const idFactories: ClientIdFactory[] = config.venues.map((v) =>
    p.clientIdFormat === 'plain' ? plainClientIds(prefix) : v.id === 'okx' ? okxClientIds(prefix) : binanceClientIds(prefix),
  );
  // FX holders and which instrument feeds them
  const fxById = buildFxRates(config, nowUs() / 1000, Date.now());
  const fxFeeds: { fx: FxRate; instrument: number; invert: boolean }[] = [];
  for (const f of config.fx) {
    if (f.source !== 'feed') continue;
    const i = config.instruments.findIndex((x) => x.id === f.instrument);
    if (i >= 0) fxFeeds.push({ fx: fxById.get(f.id)!, instrument: i, invert: f.invert });
  }
  const pairFx: (FxRate | null)[] = pairs.map((x) => (x.config.trigger.fx === null ? null : (fxById.get(x.config.trigger.fx) ?? null)));
  // pairs per instrument
  const pairsOf: number[][] = Array.from({ length: nIns }, () => []);
  pairs.forEach((x, k) => {
    pairsOf[x.a]!.push(k);
    if (x.b !== x.a) pairsOf[x.b]!.push(k);
  });
  const policies = pairs.map((x) => execPolicyOf(x.config));
  const pairActive = new Float64Array(pairs.length); // combo id in flight, 0 none
  const pairCoolUntil = new Float64Array(pairs.length);
  const pairCarry = new Float64Array(pairs.length);
  const pairPosA = new Float64Array(pairs.length); // signed base atoms of leg A fills
  const pairPosB = new Float64Array(pairs.length);
  const comboPair = new Map<number, number>();
  // stage times of the last applied top per instrument (venue event, received, applied, committed)
  const topTimes = new Float64Array(nIns * 4);
  const baseAssets = new Int32Array(nIns);
  for (let i = 0; i < nIns; i++) baseAssets[i] = tradables.get(i).base;
  // venue balances (executors' Balance frames): last free / total per venue x asset, NaN unknown;
  // whether this incarnation has received a whole-account snapshot value per venue x asset (the
  // assets the risk checks read per venue: balNeeded)
  const assetNames = Object.keys(config.assets);
  const balFree = new Float64Array(nVenues * nAssets).fill(NaN);
  const balTotal = new Float64Array(nVenues * nAssets).fill(NaN);
  const balSeen = new Uint8Array(nVenues * nAssets); // a snapshot value arrived this incarnation
  const balNeeded = balanceAssetsByVenue(tradables, nVenues);

  // ---- output ----------------------------------------------------------------------------------
  const enc = new WireEncoder();
  const head = newEnvelopeHead(p.sourceActor ?? 100);
  const times: StageTimesValue = newStageTimes(); // stage times of the commands being emitted
  const audit = new AuditBuilder();
  const backlogs: Uint8Array[][] = Array.from({ length: E + 1 }, () => []);
  const nv: NewOrderValue = { clientOrderId: '', orderRef: 0, instrumentId: 0, venueId: 0, side: WireSide.Buy, orderType: OrderType.Ioc, priceTicks: 0, qtyLots: 0, comboId: 0, leg: 0, reduceOnly: false };
  const cv: CancelValue = { scope: CancelScope.One, clientOrderId: '', orderRef: 0, instrumentId: 0, venueId: 0, venueOrderId: '', comboId: 0, leg: 0 };
  const qv: QueryValue = { clientOrderId: '', orderRef: 0, instrumentId: 0, venueId: 0, venueOrderId: '', comboId: 0, leg: 0 };
  const rv = {} as OrderReportValue;
  const lv = {} as LinkStateValue;
  const bv = {} as BalanceValue;
  const rep = newExecReport();
  let ctx: ActorContext;
  let outs: readonly RingWriter[];
  let st: Counters;
  let ignoredReports = 0;
  let combos = 0;
  let prevUnfinished = 0;
  let now = 0;
  /** Bit per outbound ring that has frames published without a wake-up (poll() wakes them). */
  let quietRings = 0;
  /** True while a combo's opening orders are emitted: executor wake-ups are held (combo dispatch). */
  let holdExecWakes = false;
  const views: (FrameView | null)[] = [];

  /** `wake` false: publish without ringing the reader's doorbell (poll() rings it). */
  const write = (ring: number, wake = true): void => {
    const w = outs[ring]!;
    const q = backlogs[ring]!;
    if (q.length === 0 && w.write(enc.bytes, enc.start, enc.end, wake)) {
      if (!wake) quietRings |= 1 << ring;
      return;
    }
    st.bump(ES.RING_FULL);
    q.push(enc.toUint8Array());
  };
  // The envelope seq (the frame's position in its ring, counting queued frames) is set before
  // encoding.
  const seqFor = (ring: number): void => {
    head.seq = outs[ring]!.nextSeq + backlogs[ring]!.length;
  };
  const journal = (input: Parameters<WireEncoder['auditRecord']>[1], wake = true): void => {
    seqFor(E);
    enc.auditRecord(head, input);
    write(E, wake);
    st.bump(ES.JOURNAL_RECORDS);
  };
  const copyTimes = (dst: StageTimesValue): void => {
    head.times.venueEventUs = dst.venueEventUs;
    head.times.receivedUs = dst.receivedUs;
    head.times.bookAppliedUs = dst.bookAppliedUs;
    head.times.ringCommittedUs = dst.ringCommittedUs;
    head.times.decisionUs = dst.decisionUs;
    head.times.orderSentUs = 0;
    head.times.ackUs = 0;
    head.times.fillUs = 0;
  };
  const followUpTimes = (): void => {
    times.venueEventUs = times.receivedUs = times.bookAppliedUs = times.ringCommittedUs = 0;
    times.orderSentUs = times.ackUs = times.fillUs = 0;
    times.decisionUs = now;
  };

  /** The order identity a Query or Cancel frame carries, from the execution machine's command. */
  const setIds = (dst: QueryValue | CancelValue, c: Readonly<QueryCmd | CancelCmd>): void => {
    dst.clientOrderId = c.clientOrderId;
    dst.orderRef = c.orderRef;
    dst.instrumentId = c.instrument;
    dst.venueId = c.venue;
    dst.comboId = c.comboId;
    dst.leg = c.leg;
  };

  /** A Query frame to the venue's executor, and the journal note saying why it was asked. */
  function sendQuery(c: Readonly<QueryCmd>, why: string): void {
    const j = execOfVenue[c.venue]!;
    setIds(qv, c);
    copyTimes(times);
    if (j >= 0) {
      seqFor(j);
      enc.query(head, qv);
      write(j);
    }
    journal(audit.note(`query ${c.clientOrderId} (${why})`, c.comboId));
  }

  // ---- ExecSink --------------------------------------------------------------------------------
  /** The NewOrder frame's value of a command (the real orders and the rehearsed ones). */
  const fillNewOrder = (c: Readonly<NewOrderCmd>): void => {
    nv.clientOrderId = c.clientOrderId;
    nv.orderRef = c.orderRef;
    nv.instrumentId = c.instrument;
    nv.venueId = c.venue;
    nv.side = c.side === 'buy' ? WireSide.Buy : WireSide.Sell;
    nv.orderType = ORDER_TYPE[c.type];
    nv.priceTicks = c.priceTicks;
    nv.qtyLots = c.qtyLots;
    nv.comboId = c.comboId;
    nv.leg = c.leg;
    nv.reduceOnly = c.reduceOnly;
  };
  const sink: ExecSink = {
    newOrder(c: Readonly<NewOrderCmd>): void {
      const j = execOfVenue[c.venue]!;
      fillNewOrder(c);
      copyTimes(times);
      // The OrderSent record goes to the journal ring BEFORE the order goes to the executor: an
      // engine crash between the two leaves a journaled order that was never sent (its query
      // answers "unknown order"), never a sent order the journal does not know. It is published
      // (in the ring, visible, committed) without waking the journal actor: that futex wake
      // would sit between the decision and the order; poll() rings it right after.
      journal(audit.order(nv, head.times), false);
      if (j >= 0) {
        seqFor(j);
        enc.newOrder(head, nv);
        write(j, !holdExecWakes);
        st.bump(ES.ORDERS);
      }
      if (j < 0) journal(audit.note(`no executor for venue ${c.venue}: order ${c.clientOrderId} not sent`, c.comboId));
    },
    cancel(c: Readonly<CancelCmd>): void {
      const j = execOfVenue[c.venue]!;
      setIds(cv, c);
      copyTimes(times);
      if (j >= 0) {
        seqFor(j);
        enc.cancel(head, cv);
        write(j);
      }
      journal(audit.cancel(cv, head.times));
    },
    query(c: Readonly<QueryCmd>): void {
      sendQuery(c, 'outcome unknown');
    },
    event(ev: Readonly<ExecEvent>): void {
      risk.observeExecEvent(ev);
      if (ev.kind === ExecEventKind.FILL || ev.kind === ExecEventKind.LATE_FILL) {
        positions.applyExecFill(ev);
        pairFill(ev.comboId, ev.leg, ev.side, ev.qtyLots, ev.priceTicks);
        const asset = ev.instrument >= 0 && ev.instrument < nIns ? baseAssets[ev.instrument]! : -1;
        if (asset >= 0) risk.updateExposure(ev.nowUs, asset, exec.assetExposure(asset));
      } else if (ev.kind === ExecEventKind.STATE) {
        const k = comboPair.get(ev.comboId);
        const terminal = ev.state === ComboState.DONE || ev.state === ComboState.ESCALATED;
        if (k !== undefined) pairActive[k] = terminal ? 0 : ev.comboId;
        if (recovery.phase === RecoveryPhase.REPAIR) {
          recovery.onJobState(ev.nowUs, ev.comboId, terminal, ev.state === ComboState.DONE);
          publishRecovery();
        }
        // combo counters count combos only (not flatten jobs of the kill switch or of recovery)
        if (k !== undefined && ev.state === ComboState.DONE) st.bump(ES.COMBOS_DONE);
        if (k !== undefined && ev.state === ComboState.ESCALATED) st.bump(ES.COMBOS_ESCALATED);
        journal(audit.note(`combo ${ev.comboId} ${COMBO_NAMES[ev.prevState] ?? ev.prevState} -> ${COMBO_NAMES[ev.state] ?? ev.state} (cause ${ev.reason}, imbalance ${ev.imbalanceUnits})`, ev.comboId));
      } else if (ev.kind === ExecEventKind.ESCALATED || ev.kind === ExecEventKind.GATE_DENIED || ev.kind === ExecEventKind.NEVER_PLACED || ev.kind === ExecEventKind.UNKNOWN_ALARM) {
        journal(audit.note(`combo ${ev.comboId} ${EXEC_EVENT_NAMES[ev.kind]} leg ${ev.leg} ${ev.clientOrderId} reason ${ev.reason}`, ev.comboId));
      } else if (ev.kind === ExecEventKind.IGNORED) {
        ignoredReports++;
      }
    },
  };

  const riskSink = {
    event(ev: Readonly<RiskEvent>): void {
      if (ev.kind === 1) st.bump(ES.DENIALS);
      journal(audit.risk(ev, curCombo, ev.kind === 1 ? times : null, { reason: RISK_REASON_NAMES, breaker: BREAKER_NAMES, state: TRADING_STATE_NAMES }));
      st.set(ES.TRADING_STATE, risk.state);
    },
  };
  let curCombo = 0;
  const riskConfig = riskConfigOf(config, tradables);
  const risk = new RiskEngine(tradables, tops, positions, riskConfig, riskSink);
  const exec = new ExecutionEngine({
    instruments: tradables,
    market: tops,
    sink,
    clientIds: (v) => idFactories[v]!,
    gate: risk,
    assetCount: nAssets,
  });

  // ---- decision rehearsal (keeps the decision path warm; engine-rehearsal.ts) -------------------
  const REHEARSED_CHECKS: DecisionDetail['checks'] = [{ name: 'rehearsal', passed: true }];
  const rehearseMs = p.rehearseMs ?? ENGINE_DEFAULT_REHEARSE_MS;
  const rehearsal =
    rehearseMs > 0
      ? new DecisionRehearsal(
          {
            pairs,
            books,
            tops,
            positions,
            tradables,
            riskConfig,
            assetCount: nAssets,
            evaluator,
            sizer,
            cc,
            pairFx,
            // a frame waiting in any inbound ring (rings only: a port reader cannot tell)
            pending: () => {
              const ins = ctx.inbound;
              for (let i = 0; i < ins.length; i++) if (ins[i]!.available()) return true;
              return false;
            },
            pairPosition: (k) => pairPosition(k),
            tradable: (k) => arb.tradable(pairs[k]!.a) && arb.tradable(pairs[k]!.b),
            fillComboCheck: (k, s, r) => fillComboCheck(k, s, r),
            comboRequest: (k, s, id) => comboRequest(k, s, id),
            // the order frame and its journal record, encoded into the scratch encoder only
            encodeOrder(c) {
              fillNewOrder(c);
              enc.auditRecord(head, audit.order(nv, head.times));
              enc.newOrder(head, nv);
            },
            // the decision's journal record, likewise
            encodeDecision(k, comboId, qtyLots) {
              enc.auditRecord(head, decisionInput(k, comboId, true, REHEARSED_CHECKS, qtyLots));
            },
          },
          rehearseMs * 1000,
        )
      : null;
  let rehearsalFailNoted = false;

  // ---- restart recovery ------------------------------------------------------------------------

  const gate = new ReconcileGate(tradables, p.executors.map((e) => e.venue), pairs.map((x, k) => ({ pairId: k, a: x.a, b: x.b })));
  const recovery = new EngineRecovery({
    journalDir: p.journalDir ?? '',
    journalBacklogBytes: () => outs[E]!.usedBytes() + backlogs[E]!.length,
    drainTimeoutUs: (p.journalDrainMs ?? 10_000) * 1000,
    positions,
    market: tops,
    risk,
    exec,
    gate,
    venues: p.executors.map((e) => e.venue),
    policy: policies[0] ?? DEFAULT_EXEC_POLICY,
    balancesPending: () => p.executors.map((e) => e.venue).filter((v) => !balNeeded[v]!.every((a) => balSeen[v * nAssets + a] === 1)),
    refreshBalances,
    // a recovered order carries every field of a Query / Cancel command
    query(o) {
      followUpTimes();
      sendQuery(o, 'restart recovery');
    },
    cancel(o) {
      followUpTimes();
      sink.cancel(o);
    },
    note: (text, comboId) => journal(audit.note(text, comboId ?? 0)),
    pairFill,
    comboLegs(comboId, instA, instB) {
      const k = pairs.findIndex((x) => x.a === instA && x.b === instB);
      if (k >= 0) comboPair.set(comboId, k);
    },
    nextJobId() {
      const id = st.get(ES.NEXT_COMBO);
      st.set(ES.NEXT_COMBO, id + 1);
      return id;
    },
    reconciled() {
      // the combos the earlier incarnations left unfinished (counted at this start) are settled
      if (prevUnfinished > 0) st.set(ES.COMBOS_RECOVERED, st.get(ES.COMBOS_RECOVERED) + prevUnfinished);
      prevUnfinished = 0;
    },
  });

  /** The recovery phase and trading state words of the counters region (read by the demo and tests). */
  function publishRecovery(): void {
    st.set(ES.RECOVERY, recovery.phase);
    st.set(ES.TRADING_STATE, risk.state);
  }

  // ---- decisions -------------------------------------------------------------------------------

  const pairPosition = (k: number): number => Math.round((pairPosA[k]! - pairPosB[k]!) / 2);
  /** A fill of leg `leg` of combo `comboId` moves its pair's position (signed base atoms). */
  function pairFill(comboId: number, leg: number, side: 'buy' | 'sell', lots: number, priceTicks: number): void {
    const k = comboPair.get(comboId);
    if (k === undefined || leg < 0) return;
    const x = pairs[k]!;
    const atoms = (leg === 0 ? x.model.a : x.model.b).baseAtoms(lots, priceTicks) * (side === 'buy' ? 1 : -1);
    if (leg === 0) pairPosA[k] = pairPosA[k]! + atoms;
    else pairPosB[k] = pairPosB[k]! + atoms;
  }

  const decisionRecord = (k: number, comboId: number, acted: boolean, checks: DecisionDetail['checks'], qtyLots: number): void => {
    journal(decisionInput(k, comboId, acted, checks, qtyLots));
    st.bump(ES.DECISIONS);
  };

  /** Every decision record's detail, filled in place (the builder writes its JSON at once). */
  const decisionDetail: DecisionDetail = {
    comboId: 0,
    pairId: 0,
    trigger: '',
    acted: false,
    inputs: {},
    books: [newDecisionBook(), newDecisionBook()],
    thresholds: { open: NaN, close: NaN },
    checks: [],
    qtyLots: 0,
  };
  function decisionBook(dst: DecisionBook, i: number): void {
    dst.venue = tradables.get(i).venue;
    dst.instrument = i;
    dst.bidTicks = tops.bidTicks(i);
    dst.bidLots = tops.bidLots(i);
    dst.askTicks = tops.askTicks(i);
    dst.askLots = tops.askLots(i);
    dst.ageUs = now - tops.updatedUs(i);
  }
  /** The Decision journal record of pair k from the evaluator's last result and the tops now. */
  function decisionInput(k: number, comboId: number, acted: boolean, checks: DecisionDetail['checks'], qtyLots: number): AuditRecordInput {
    const x = pairs[k]!;
    const r = evaluator.result;
    const d = decisionDetail;
    d.comboId = comboId;
    d.pairId = k;
    d.trigger = `${x.model.id} ${x.model.triggerType} ${triggerActionName(r.action)} dir ${r.direction}`;
    d.acted = acted;
    r.inputsInto(d.inputs);
    decisionBook(d.books[0], x.a);
    decisionBook(d.books[1], x.b);
    d.thresholds.open = r.display(r.openThreshold);
    d.thresholds.close = r.display(r.closeThreshold);
    d.checks = checks;
    d.qtyLots = qtyLots;
    return audit.decision(d, times);
  }

  /** The pre-trade combo check of a sized decision on pair k (all but openPairs). */
  function fillComboCheck(k: number, s: SizingResult, r: TriggerResult): void {
    const x = pairs[k]!;
    const ab = s.direction === DIR_AB;
    const slip = x.config.execution.slippageBps;
    cc.instA = x.a;
    cc.sideA = ab ? 'buy' : 'sell';
    cc.lotsA = s.lotsA;
    cc.pxA = s.limitTicksA + (ab ? 1 : -1) * bpsToTicks(s.limitTicksA, slip);
    cc.instB = x.b;
    cc.sideB = ab ? 'sell' : 'buy';
    cc.lotsB = s.lotsB;
    cc.pxB = s.limitTicksB + (ab ? -1 : 1) * bpsToTicks(s.limitTicksB, slip);
    cc.priceBToA = x.model.trigger === TRIGGER_RATIO && r.priceFactorB === r.priceFactorB ? r.priceFactorB : 1;
    const fx = pairFx[k]!;
    cc.fxUpdatedUs = x.model.needsFx && fx !== null ? fx.updatedMs * 1000 : NaN;
  }

  /** The execution request of a sized decision on pair k. */
  function comboRequest(k: number, s: SizingResult, comboId: number): ComboRequest {
    const x = pairs[k]!;
    const ab = s.direction === DIR_AB;
    const slip = x.config.execution.slippageBps;
    const lf = x.config.execution.mode === 'leader_follower';
    const ta = tradables.get(x.a);
    const tbl = tradables.get(x.b);
    return {
      comboId,
      pairId: k,
      mode: lf ? 'leader_follower' : 'concurrent',
      ...(lf ? { leader: x.config.execution.leader === 'a' ? 0 : x.config.execution.leader === 'b' ? 1 : chooseLeader(ab ? tops.askLots(x.a) : tops.bidLots(x.a), s.lotsA, ab ? tops.bidLots(x.b) : tops.askLots(x.b), s.lotsB) } : {}),
      legs: [
        { instrument: x.a, side: ab ? 'buy' : 'sell', qtyLots: s.lotsA, refPriceTicks: s.limitTicksA, slippageTicks: bpsToTicks(s.limitTicksA, slip), ...(ta.inverse ? { baseUnitsPerLot: invUnits(ta, s.limitTicksA) } : {}) },
        { instrument: x.b, side: ab ? 'sell' : 'buy', qtyLots: s.lotsB, refPriceTicks: s.limitTicksB, slippageTicks: bpsToTicks(s.limitTicksB, slip), ...(tbl.inverse ? { baseUnitsPerLot: invUnits(tbl, s.limitTicksB) } : {}) },
      ],
      policy: policies[k]!,
    };
  }

  const evaluatePair = (k: number, trigIns: number): void => {
    if (pairActive[k] !== 0 || now < pairCoolUntil[k]!) return;
    const x = pairs[k]!;
    if (!arb.tradable(x.a) || !arb.tradable(x.b)) return;
    const model = x.model;
    const r = evaluator.evaluate(model, books[x.a]!, books[x.b]!, pairPosition(k), now / 1000, pairFx[k]!);
    if (r.action === TriggerAction.NONE) return;
    // the trigger fired: from here on every outcome is journaled (per decision, may allocate)
    const tb = trigIns * 4;
    times.venueEventUs = topTimes[tb]!;
    times.receivedUs = topTimes[tb + 1]!;
    times.bookAppliedUs = topTimes[tb + 2]!;
    times.ringCommittedUs = topTimes[tb + 3]!;
    times.decisionUs = now;
    times.orderSentUs = times.ackUs = times.fillUs = 0;
    const s = sizer.size(model, r, books[x.a]!, books[x.b]!, pairCarry[k]!);
    if (!s.ok) {
      pairCoolUntil[k] = now + cooldownUs;
      decisionRecord(k, 0, false, [{ name: `trigger ${triggerReasonName(r.reason)}`, passed: true }, { name: `sizing ${sizingReasonName(s.reason)}`, passed: false }], 0);
      return;
    }
    fillComboCheck(k, s, r);
    cc.openPairs = exec.activeCount();
    const code = risk.checkCombo(now, cc);
    if (code !== 0) {
      pairCoolUntil[k] = now + cooldownUs;
      decisionRecord(k, 0, false, [{ name: `sizing ${sizingReasonName(s.reason)}`, passed: true }, { name: `risk ${RISK_REASON_NAMES[code] ?? code}`, passed: false, value: risk.lastValue, limit: risk.lastLimit }], s.lotsA);
      return;
    }
    // act: the combo id is recorded in shared memory before any order of it is emitted
    const comboId = st.get(ES.NEXT_COMBO);
    st.set(ES.NEXT_COMBO, comboId + 1);
    st.bump(ES.COMBOS);
    combos++;
    comboPair.set(comboId, k);
    pairActive[k] = comboId;
    pairCarry[k] = s.residualAtoms;
    curCombo = comboId;
    holdExecWakes = true;
    exec.start(now, comboRequest(k, s, comboId));
    holdExecWakes = false;
    wakeHeldExecutors();
    // The decision record is the slowest record to build (every trigger input, both books): it
    // is journaled once the combo's orders are on their way, so in the journal it follows their
    // OrderSent records (its stage times say when the decision was taken).
    decisionRecord(k, comboId, true, [{ name: `sizing ${sizingReasonName(s.reason)}`, passed: true }, { name: 'risk', passed: true }], s.lotsA);
    curCombo = 0;
  };

  /** Rings the executors whose orders were published quietly (combo dispatch), in wakeOrder. */
  const wakeHeldExecutors = (): void => {
    for (let i = 0; i < E; i++) {
      const j = wakeOrder[i]!;
      if ((quietRings & (1 << j)) === 0) continue;
      quietRings &= ~(1 << j);
      outs[j]!.wake();
    }
  };

  // ---- frames ----------------------------------------------------------------------------------

  const onTop = (v: FrameView, feed: EngineFeedLink): void => {
    const top = v.bookTop();
    const ins = top.instrumentId();
    if (!(ins < nIns) || tradables.get(ins).venue !== feed.venue) {
      st.bump(ES.BAD_FRAMES);
      return;
    }
    const verdict = arb.offer(ins, feed.link, top.flags(), v.bookLastSeq());
    if (verdict === ArbVerdict.APPLY) {
      st.bump(ES.TOPS_APPLIED);
      const book = books[ins]!;
      loadSide(v, true, book);
      loadSide(v, false, book);
      book.updateId = v.bookLastSeq();
      const vt = v.bookVenueTimeUs();
      tops.set(ins, book.bids.bestPx(), book.bids.bestQty(), book.asks.bestPx(), book.asks.bestQty(), now, vt, arb.tradable(ins));
      const tb = ins * 4;
      topTimes[tb] = v.stage(0);
      topTimes[tb + 1] = v.stage(1);
      topTimes[tb + 2] = v.stage(2);
      topTimes[tb + 3] = v.stage(3);
      for (let f = 0; f < fxFeeds.length; f++) {
        const x = fxFeeds[f]!;
        if (x.instrument === ins) setFxFromBook(x.fx, book, m.instruments[ins]!, x.invert, now / 1000);
      }
      const ps = pairsOf[ins]!;
      for (let k = 0; k < ps.length; k++) evaluatePair(ps[k]!, ins);
      if (!exec.isQuiescent()) {
        followUpTimes();
        exec.poke(now);
      }
    } else if (verdict === ArbVerdict.UNSYNCED) {
      st.bump(ES.TOPS_UNSYNCED);
      tops.setSynced(ins, arb.tradable(ins));
    } else if (verdict === ArbVerdict.INVALID) {
      st.bump(ES.BAD_FRAMES);
    } else {
      st.bump(ES.TOPS_DROPPED);
    }
  };

  const readLink = (v: FrameView): void => {
    const l = v.linkState();
    lv.linkId = l.linkId();
    lv.venueId = l.venueId();
    lv.channel = l.channel();
    lv.role = l.role();
    lv.status = l.status();
    lv.sinceUs = l.sinceUs();
    lv.lastSeq = l.lastSeq();
    lv.reason = l.reason() ?? '';
  };

  /** Asks every executor to fetch its venue's balances now (restart recovery). */
  function refreshBalances(): void {
    for (let j = 0; j < E; j++) {
      seqFor(j);
      enc.controlCommand(head, { op: ControlOp.RefreshBalances, commandId: 0, targetActor: 0, arg: '' });
      write(j);
    }
  }

  /**
   * A venue balance from an executor: the risk engine's balance / margin checks use its free
   * amount from now on. Journaled when it changed (or is the venue's first snapshot of this
   * incarnation), so a periodic refresh of unchanged balances does not flood the journal.
   */
  const onBalance = (v: FrameView, venueOfRing: number): void => {
    const b = v.balance();
    bv.venueId = b.venueId();
    bv.assetId = b.assetId();
    bv.freeUnits = b.freeUnits();
    bv.totalUnits = b.totalUnits();
    bv.venueTimeUs = b.venueTimeUs();
    bv.snapshot = b.snapshot();
    if (bv.venueId !== venueOfRing || bv.assetId >= nAssets) {
      st.bump(ES.BAD_FRAMES);
      return;
    }
    const k = bv.venueId * nAssets + bv.assetId;
    const firstSnapshot = bv.snapshot && balSeen[k] === 0;
    const changed = balFree[k] !== bv.freeUnits || balTotal[k] !== bv.totalUnits;
    balFree[k] = bv.freeUnits;
    balTotal[k] = bv.totalUnits;
    risk.setFree(bv.venueId, bv.assetId, bv.freeUnits);
    if (changed || firstSnapshot) journal(audit.balance(bv, assetNames[bv.assetId] ?? String(bv.assetId)));
    if (firstSnapshot) {
      balSeen[k] = 1;
      if (recovery.active) {
        recovery.onBalances(now);
        publishRecovery();
      }
    }
  };

  const onFeedLink = (v: FrameView, feed: EngineFeedLink): void => {
    readLink(v);
    if (lv.status !== LinkStatus.Synced) {
      for (let i = 0; i < nIns; i++) {
        if (tradables.get(i).venue !== feed.venue) continue;
        arb.linkDown(i, feed.link);
        tops.setSynced(i, arb.tradable(i));
      }
    }
    journal(audit.link(lv, null));
  };

  const onReport = (v: FrameView): void => {
    const r = v.orderReport();
    st.bump(ES.REPORTS);
    rep.kind = r.kind() as typeof rep.kind;
    rep.origin = r.origin() as typeof rep.origin;
    rep.reason = r.reason();
    rep.orderRef = r.orderRef();
    rep.clientOrderId = r.clientOrderId() ?? '';
    rep.lastQtyLots = r.lastQtyLots();
    rep.lastPriceTicks = r.lastPriceTicks();
    rep.cumQtyLots = r.cumQtyLots();
    rep.leavesQtyLots = r.leavesQtyLots();
    rep.avgPriceTicks = r.avgPriceTicks();
    rep.feeUnits = 0;
    rep.feeAsset = -1;
    // journal the report as received (ids, quantities, stage times)
    rv.kind = r.kind();
    rv.reason = r.reason();
    rv.clientOrderId = rep.clientOrderId;
    rv.orderRef = rep.orderRef;
    rv.instrumentId = r.instrumentId();
    rv.venueId = r.venueId();
    rv.side = r.side();
    rv.comboId = r.comboId();
    rv.leg = r.leg();
    rv.lastQtyLots = rep.lastQtyLots;
    rv.lastPriceTicks = rep.lastPriceTicks;
    rv.cumQtyLots = rep.cumQtyLots;
    rv.leavesQtyLots = rep.leavesQtyLots;
    v.readTimes(times);
    journal(audit.report(rv, times));
    followUpTimes();
    curCombo = rv.comboId;
    // an order of an earlier incarnation: the restart reconciliation owns it
    if (recovery.onReport(now, rv.venueId, rep.clientOrderId, rep)) {
      publishRecovery();
      curCombo = 0;
      return;
    }
    exec.onReport(now, rep);
    curCombo = 0;
  };

  return {
    onStart(c: ActorContext) {
      ctx = c;
      if (c.inbound.length !== F + E || c.outbound.length !== E + 1) {
        throw new Error(`engine: needs ${F + E} inbound rings (feeds, then executor reports) and ${E + 1} outbound (executors, then journal)`);
      }
      outs = c.outbound;
      st = Counters.attach(c.map, p.state);
      now = nowUs();
      const starts = st.bump(ES.STARTS);
      const base = Math.max(1, p.comboIdBase ?? 1);
      if (st.get(ES.NEXT_COMBO) < base) st.set(ES.NEXT_COMBO, base);
      if (starts === 1 && p.assumeFlatOnFirstStart === true) {
        risk.setReconciled(now, true);
        journal(audit.note('engine started: first start declared flat (assumeFlatOnFirstStart): ACTIVE'));
      } else {
        journal(audit.note(`engine ${starts === 1 ? 'started' : `restarted (start ${starts})`}: REDUCING until reconciliation; next combo id ${st.get(ES.NEXT_COMBO)}`));
        prevUnfinished = st.get(ES.COMBOS) - st.get(ES.COMBOS_DONE) - st.get(ES.COMBOS_ESCALATED) - st.get(ES.COMBOS_RECOVERED);
        if (p.journalDir !== undefined) recovery.begin(now);
        else journal(audit.note('no journal directory configured: nothing to reconcile from, stays REDUCING'));
      }
      publishRecovery();
    },
    onFrame(_c: ActorContext, ring: number, u8: Uint8Array, off: number, _len: number) {
      let v = views[ring] ?? null;
      if (v === null || v.u8 !== u8) views[ring] = v = new FrameView(u8);
      now = nowUs();
      try {
        v.at(off);
      } catch {
        st.bump(ES.BAD_FRAMES);
        return;
      }
      const kind = v.kind();
      if (ring < F) {
        if (kind === Body.BookTop) onTop(v, p.feeds[ring]!);
        else if (kind === Body.LinkState) onFeedLink(v, p.feeds[ring]!);
        else st.bump(ES.BAD_FRAMES);
      } else if (kind === Body.OrderReport) {
        onReport(v);
      } else if (kind === Body.LinkState) {
        readLink(v);
        journal(audit.link(lv, null));
      } else if (kind === Body.Balance) {
        onBalance(v, p.executors[ring - F]!.venue);
      } else {
        st.bump(ES.BAD_FRAMES);
      }
    },
    poll(): number {
      let work = 0;
      if (quietRings !== 0) {
        for (let j = 0; j <= E; j++) if ((quietRings & (1 << j)) !== 0) outs[j]!.wake();
        quietRings = 0;
      }
      now = nowUs();
      if (rehearsal !== null) {
        const yielded = rehearsal.yielded;
        if (rehearsal.poll(now)) st.bump(ES.REHEARSALS);
        else if (rehearsal.failed !== null && !rehearsalFailNoted) {
          rehearsalFailNoted = true;
          journal(audit.note(`decision rehearsal stopped: ${rehearsal.failed}`));
        }
        if (rehearsal.yielded !== yielded) st.bump(ES.REHEARSALS_YIELDED);
      }
      if (exec.wakeAtUs() <= now) {
        followUpTimes();
        exec.onTimer(now);
        work++;
      }
      if (recovery.active && recovery.wakeAtUs() <= now) {
        work += recovery.poll(now);
        publishRecovery();
      }
      for (let j = 0; j <= E; j++) {
        const q = backlogs[j]!;
        const w = outs[j]!;
        while (q.length > 0) {
          const f = q[0]!;
          if (!w.write(f, 0, f.length)) break;
          q.shift();
          work++;
        }
      }
      return work;
    },
    onStop(c: ActorContext) {
      c.report({ engine: summary() });
    },
  };

  function balanceList(): EngineSummary['balances'] {
    const out: EngineSummary['balances'] = [];
    for (let v = 0; v < nVenues; v++) {
      for (let a = 0; a < nAssets; a++) {
        const k = v * nAssets + a;
        if (balFree[k] === balFree[k]) out.push({ venue: v, venueName: config.venues[v]!.id, asset: assetNames[a]!, freeUnits: balFree[k]!, totalUnits: balTotal[k]! });
      }
    }
    return out;
  }

  function summary(): EngineSummary {
    return {
      state: TRADING_STATE_NAMES[risk.state] ?? String(risk.state),
      arbitration: { ...arb.counters },
      combos,
      positions: tradables.all().map((t) => ({ instrument: t.id, symbol: t.symbol, lots: positions.lots(t.id) })),
      pairPositions: pairs.map((x, k) => ({ pair: x.model.id, atoms: pairPosition(k) })),
      exposure: Array.from({ length: nAssets }, (_, a) => ({ asset: a, units: exec.assetExposure(a) })),
      ignoredReports,
      balances: balanceList(),
      recovery: RECOVERY_PHASE_NAMES[recovery.phase],
    };
  }
}

const COMBO_NAMES = ['', 'OPENING', 'REPAIRING', 'UNWINDING', 'STOPPING', 'DONE', 'ESCALATED'];
const EXEC_EVENT_NAMES: Record<number, string> = {
  [ExecEventKind.ESCALATED]: 'ESCALATED',
  [ExecEventKind.GATE_DENIED]: 'GATE_DENIED',
  [ExecEventKind.NEVER_PLACED]: 'NEVER_PLACED',
  [ExecEventKind.UNKNOWN_ALARM]: 'UNKNOWN_ALARM',
};

function triggerActionName(a: number): string {
  return a === TriggerAction.OPEN ? 'OPEN' : a === TriggerAction.CLOSE ? 'CLOSE' : 'NONE';
}

/**
 * The assets whose balances the risk checks read, per engine venue: spot instruments spend their
 * base (sells) and quote (buys); derivatives post margin in their settlement asset.
 */
export function balanceAssetsByVenue(tradables: TradableTable, nVenues: number): number[][] {
  const out: Set<number>[] = Array.from({ length: nVenues }, () => new Set<number>());
  for (const t of tradables.all()) {
    const s = out[t.venue]!;
    if (t.kind === 'spot') {
      s.add(t.base);
      s.add(t.quote);
    } else {
      s.add(t.settle);
    }
  }
  return out.map((s) => [...s].sort((a, b) => a - b));
}

/** Base units per lot of an inverse leg at `ticks` (the execution machine's LegRequest field). */
function invUnits(t: Tradable, ticks: number): number {
  return Math.max(1, Math.round(t.inverseBaseK / ticks));
}

// Scratch for loading BookTop levels into an OrderBook side without allocating.
const PX = new Float64Array(BOOK_MAX_LEVELS);
const QTY = new Float64Array(BOOK_MAX_LEVELS);
function loadSide(v: FrameView, bids: boolean, book: OrderBook): void {
  const n = bids ? v.bidCount() : v.askCount();
  const cnt = n < BOOK_MAX_LEVELS ? n : BOOK_MAX_LEVELS;
  for (let i = 0; i < cnt; i++) {
    PX[i] = bids ? v.bidPriceTicks(i) : v.askPriceTicks(i);
    QTY[i] = bids ? v.bidQtyLots(i) : v.askQtyLots(i);
  }
  (bids ? book.bids : book.asks).load(PX, QTY, cnt);
}

