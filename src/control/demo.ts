// `xmc demo`: the whole engine against the simulator in one process. startDemo() composes
//   simulator (src/sim, seeded) -> the embedded configuration pointed at the simulator's URLs
//   (withVenueEndpoints) and its generated keys (loadCredentials with an in-memory env) ->
//   one SharedArrayBuffer -> one supervision tree:
//     root 'xmc' (one_for_one), children in start order (they stop in reverse order):
//       journal actor          (engine journal ring + the supervisor-event ring of this thread)
//       supervisor 'orders'    one executor actor per venue order channel (WS primary, REST backup)
//       engine actor           reads every feed ring and every executor report ring
//       supervisor 'feeds'     one feed actor per venue market-data LINK: primary AND backup link
//                              of every traded venue, both feeding the engine (A/B arbitration)
//   Consumers start before their producers: the engine never starts on a backlog of old tops
//   (which would trade on stale books), and on stop the feeds stop first, so no new window is
//   seen while the rest shuts down.
// and reads, once per second, what it shows: both books of each pair from the feed boards,
// the edge of each pair against its thresholds, the engine's progress words, the venues' own
// view of our account (the simulator's order reports: orders, fills, positions, PnL) and the
// per-stage latencies of the orders from the journal.
//
// The demo's simulator differs from `startSim()`'s defaults ONLY in the OKX spot market's
// dislocations (library defaults untouched): more frequent (default 0.01 per 100 ms step, about
// one window every 10 s instead of every 20 s) and wider (default 2,400 ticks = 240 USDT instead of
// 160) so that both enabled pairs of the embedded config trade windows whose edge clears the
// round-trip taker fees. The engine runs the embedded default configuration unchanged.
//
// Invariants:
// - Secrets: the simulator's keys go from the SimHandle to loadCredentials() (an in-memory env
//   object) to the executor params; they are never written to disk, printed or journaled.
// - Venue truth: everything this module reports about orders, fills and positions comes from the
//   simulator's own order reports for our account (VenueTape), not from the engine, so the
//   report is an independent check of the engine (the engine's own summary is shown beside it).
// - stop() is idempotent: the tree stops (engine first, journal last, so every record the
//   engine wrote is journaled), then the simulator; the final report is built after both.
// - Cold path only: this module runs on the main thread and may allocate.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compiledModule } from '../paths.js';
import { ShmMap, boardSpec, countersSpec, type RegionSpec } from '../shm/layout.js';
import { BoardReader } from '../shm/board.js';
import { Counters } from '../shm/counters.js';
import { RingWriter } from '../shm/ring.js';
import { createSharedMemory, describeEvent, type RingPlan } from '../actors/topology.js';
import { Supervisor, type ActorChildSpec, type SupervisorEvent, type SupervisorOutcome } from '../actors/supervisor.js';
import { ENGINE_STATE_WORDS, ES, balanceAssetsByVenue, buildEngineModel, type EngineParams, type EngineSummary } from '../actors/engine.js';
import { executorStateWords } from '../actors/executor-state.js';
import { describeSched } from '../actors/sched.js';
import { IdlePoll, describeIdlePoll } from '../actors/idle-poll.js';
import { SYSTEM_PIN_DEPS } from '../actors/pinning.js';
import { JOURNAL_PROGRESS_WORDS, JP, type JournalActorParams } from '../actors/journal.js';
import { EXECUTOR_DEFAULT_REHEARSE_MS, type ExecutorParams } from '../actors/executor.js';
import type { FeedParams } from '../actors/feed.js';
import { DEFAULT_CONFIG_YAML, loadCredentials, loadConfigText, withVenueEndpoints, type Endpoint, type XmcConfig } from '../config/index.js';
import { startSim, type SimHandle, type SimVenueHandle } from '../sim/start.js';
import type { SimConfig, SimInstrumentConfig } from '../sim/config.js';
import type { VenueId } from '../venues/types.js';
import type { OrderChannelConfig } from '../venues/order-channel.js';
import { AuditKind, BookFlags, decodeMessage, newEnvelopeHead, ReportKind, WireEncoder, type BookTopValue } from '../wire/index.js';
import { TRADING_STATE_NAMES } from '../core/risk.js';
import { AuditBuilder, decodeAudit, readJournal, recoverState } from '../journal/index.js';

// ---------------------------------------------------------------------------- options

export interface DemoOptions {
  /** Seed of the simulator (market, faults) and of the supervisor's jitter. Default 42. */
  readonly seed?: number;
  /** Journal directory (created if missing). Default: a new temp dir `xmc-demo-*`. */
  readonly journalDir?: string;
  /** OKX spot dislocation probability per generator step. Default 0.01. */
  readonly dislocationProb?: number;
  /** OKX spot dislocation size, ticks of 0.1 USDT. Default 2400. */
  readonly dislocationTicks?: number;
  /** OKX spot dislocation duration, generator steps. Default 20. */
  readonly dislocationSteps?: number;
  /** Generator step and depth publication interval, ms. Default 100. 0: no generator timer (the
   * caller steps the market with `sim.step()` / `sim.flush()`, e.g. bench/tick-to-order.ts). */
  readonly tickMs?: number;
  /** Depth publication interval of the simulated venues, ms. Default `tickMs` (100 when that is 0). */
  readonly publishMs?: number;
  /** Engine configuration YAML (its venues and instruments must be the simulator's). Default:
   * the embedded default configuration. */
  readonly configYaml?: string;
  /** Last word on the simulator's configuration (e.g. a benchmark lifting rate limits). */
  readonly simConfig?: (c: SimConfig) => SimConfig;
  /** How the actors talk: 'ring' (default, shared memory) or 'port' (postMessage, the benchmark
   * baseline of src/actors/port-transport.ts: a crashed actor is not restarted, the tree gives up). */
  readonly transport?: 'ring' | 'port';
  /** Run a backup market-data link beside the primary for every traded venue. Default true. */
  readonly backupLinks?: boolean;
  /**
   * Pin actors to cpus. Default true: feeds and journal on cpu 0, the engine on cpu 1, the
   * executors (in venue order) alternately on cpu 1 and cpu 0, so that the two venues of a
   * cross-venue pair send their legs from different cpus at once (the engine's combo dispatch).
   */
  readonly pin?: boolean;
  /**
   * With `pin`: other cpus per actor kind (e.g. isolated cores of a bare-metal host). `executors`:
   * one cpu for all of them, or a list (executor k, in venue order, on list[k % length]).
   */
  readonly cpus?: { readonly feeds?: number; readonly engine?: number; readonly executors?: number | readonly number[]; readonly journal?: number };
  /**
   * Real-time scheduling classes (src/actors/sched.ts): feeds and engine SCHED_FIFO 10, executors
   * SCHED_FIFO 20 (a woken executor preempts the engine on a shared cpu, so an order leaves before
   * the engine's journaling of the decision), journal left in the default class. Every one of
   * these actors parks between messages. Needs root or CAP_SYS_NICE; refused: the supervisor says
   * so once and the tree runs in the default class. Default false.
   */
  readonly realtime?: boolean;
  /**
   * Idle polling (src/actors/idle-poll.ts): one SCHED_IDLE spinning thread on each cpu the actors
   * are pinned to (every online cpu when unpinned), so those cpus never halt and a parked actor
   * wakes faster. The kept cpus show 100% busy. Default false.
   */
  readonly idlePoll?: boolean;
  /** Engine decision rehearsal period, ms (EngineParams.rehearseMs; 0 = off). Default: the engine's (1). */
  readonly rehearseMs?: number;
  /**
   * Executor order-path rehearsal period, ms (ExecutorParams.rehearseMs; 0 = off). Default: the
   * executor's (1). The executors' park timeout is this period when shorter than 20 ms.
   */
  readonly executorRehearseMs?: number;
  /** Trade only these pairs (of the enabled ones). Default: every enabled pair. */
  readonly pairs?: readonly string[];
  /** stop(): longest wait for the combos in flight to finish before the actors stop, ms. Default 15000. */
  readonly stopDrainMs?: number;
  readonly onEvent?: (e: SupervisorEvent) => void;
}

// ---------------------------------------------------------------------------- snapshot / report

export interface DemoBookSide {
  readonly instrument: string;
  readonly bid: number | null;
  readonly ask: number | null;
  /** Which link delivered the freshest top ('A' primary, 'B' backup), or null without one. */
  readonly link: 'A' | 'B' | null;
  readonly synced: boolean;
}

export interface DemoPairView {
  readonly id: string;
  readonly trigger: string;
  /** Unit of edges and thresholds: 'USDT/BTC' or 'bps'. */
  readonly unit: string;
  readonly open: number;
  readonly close: number;
  /** Top-of-book edge of buy A / sell B and of buy B / sell A (net of taker fees for counter_price). */
  readonly edgeAB: number | null;
  readonly edgeBA: number | null;
  /** Directions the pair may open (config open_directions). */
  readonly openAB: boolean;
  readonly openBA: boolean;
  readonly books: readonly [DemoBookSide, DemoBookSide];
}

export interface DemoVenuePosition {
  readonly venue: string;
  readonly symbol: string;
  readonly lots: number;
  /** Base-asset amount (lots x lot size x contract value). */
  readonly base: number;
}

export interface LatencyStat {
  readonly n: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

export interface DemoSnapshot {
  readonly uptimeSec: number;
  readonly journalDir: string;
  readonly tradingState: string;
  readonly combos: number;
  readonly combosDone: number;
  readonly combosEscalated: number;
  /** Combos an engine incarnation left unfinished when it crashed, settled by the restarted one's recovery. */
  readonly combosRecovered: number;
  readonly engineOrders: number;
  readonly decisions: number;
  readonly denials: number;
  readonly topsApplied: number;
  readonly topsDropped: number;
  readonly journalRecords: number;
  readonly pairs: readonly DemoPairView[];
  /** Venue truth: orders our account placed at the venues, fills, positions. */
  readonly venueOrders: number;
  readonly venueFills: number;
  readonly positions: readonly DemoVenuePosition[];
  /** Net base-asset exposure across venues (asset -> amount). */
  readonly exposure: Readonly<Record<string, number>>;
  /** Quote-currency PnL of our fills marked at the current mids, fees included. */
  readonly pnl: number;
  readonly fees: number;
  readonly latency: Readonly<Record<string, LatencyStat>>;
  readonly supervisorEvents: number;
  readonly restarts: number;
}

export interface DemoReport extends DemoSnapshot {
  readonly outcome: SupervisorOutcome;
  readonly engine: EngineSummary | null;
  /** Client order ids placed more than once at one venue (must be empty). */
  readonly reusedClientIds: readonly string[];
  /** Venue orders (venue truth) that are not in the journal (must be empty). */
  readonly venueOrdersNotJournaled: readonly string[];
  /** Largest lot of the traded instruments, base asset: the balance tolerance. */
  readonly lotTolerance: Readonly<Record<string, number>>;
  readonly balanced: boolean;
  readonly events: readonly string[];
  /** Effective cpu affinity of each actor's worker (from its pin report). */
  readonly pins: Readonly<Record<string, string>>;
  /** What idle polling kept (describeIdlePoll), or null when it was not asked for. */
  readonly idlePoll: string | null;
  readonly auditCommand: string;
}

export interface DemoHandle {
  readonly sim: SimHandle;
  readonly supervisor: Supervisor;
  readonly journalDir: string;
  readonly tape: VenueTape;
  /** Test hook: the shared memory of the tree (e.g. an executor's state region 'exec.okx.state'). */
  readonly shm: ShmMap;
  /** What idle polling kept (describeIdlePoll), or null when it was not asked for. */
  readonly idlePoll: string | null;
  snapshot(): DemoSnapshot;
  stop(): Promise<DemoReport>;
}

// ---------------------------------------------------------------------------- venue truth

export interface VenueOrderLine {
  readonly venue: string;
  readonly symbol: string;
  readonly clientOrderId: string;
  /** Venue order ids seen for this client id (more than one = the id was used twice). */
  readonly orderIds: Set<number>;
}

interface FillAcc {
  lots: number;
  /** Quote cash flow (sells +, buys -), fees excluded. */
  cash: number;
  /** Fees in quote currency (base-asset fees converted at the fill price). */
  fees: number;
  fills: number;
}

/** Our account's orders and fills as the simulated venues saw them (main thread listeners). */
export class VenueTape {
  readonly orders = new Map<string, VenueOrderLine>();
  readonly acc = new Map<string, FillAcc>();
  fills = 0;

  constructor(readonly venues: readonly SimVenueHandle[]) {
    for (const v of venues) {
      const account = v.keys[0]!.account;
      const specs = new Map(v.instruments.map((i) => [i.symbol, i.spec] as const));
      v.core.onOp((_inst, op, source) => {
        if (source !== 'user') return;
        for (const r of op.reports) {
          if (r.account !== account) continue;
          const key = `${v.name}\u0000${r.clientOrderId}`;
          let line = this.orders.get(key);
          if (line === undefined) this.orders.set(key, (line = { venue: v.name, symbol: r.symbol, clientOrderId: r.clientOrderId, orderIds: new Set() }));
          line.orderIds.add(r.orderId >= 0 ? r.orderId : -r.seq);
          if ((r.kind === 'fill' || r.kind === 'partial_fill') && r.lastQtyLots > 0) {
            const spec = specs.get(r.symbol)!;
            const k = `${v.name}/${r.symbol}`;
            let a = this.acc.get(k);
            if (a === undefined) this.acc.set(k, (a = { lots: 0, cash: 0, fees: 0, fills: 0 }));
            const sgn = r.side === 'buy' ? 1 : -1;
            const px = r.lastPriceTicks * Number(spec.tickSize);
            const base = r.lastQtyLots * Number(spec.lotSize) * Number(spec.contractValue || '1');
            a.lots += sgn * r.lastQtyLots;
            a.cash -= sgn * px * base;
            const fee = r.fee / 10 ** v.ledger.decimals(r.feeAsset);
            a.fees += r.feeAsset === spec.base ? fee * px : fee;
            a.fills++;
            this.fills++;
          }
        }
      });
    }
  }

  /** Client ids placed more than once at one venue. */
  reused(): string[] {
    return [...this.orders.values()].filter((o) => o.orderIds.size > 1).map((o) => `${o.venue}:${o.clientOrderId}`);
  }
}

// ---------------------------------------------------------------------------- helpers

const VENUE_TAG: Readonly<Record<VenueId, string>> = { 'binance-spot': 'bin', 'binance-usdm': 'usdm', okx: 'okx', bybit: 'bybit' } as Record<VenueId, string>;
const BOARD_SLOT_BYTES = 2048;
const FEED_DEPTH = 10;
const EXEC_SLOTS = 64;
/** SCHED_FIFO priorities with `realtime` (DemoOptions): executors above feeds and engine. */
export const DEMO_RT_FEED = 10;
export const DEMO_RT_ENGINE = 10;
export const DEMO_RT_EXECUTOR = 20;

/**
 * Each actor kind's cpu: the demo's layout (feeds and journal 0, engine 1, executors alternately
 * on the engine's and the feeds' cpu) unless `c` says otherwise.
 */
export function demoCpus(c: DemoOptions['cpus']): { feeds: number; engine: number; executors: readonly number[]; journal: number } {
  const feeds = c?.feeds ?? 0;
  const engine = c?.engine ?? 1;
  const ex = c?.executors;
  const executors = ex === undefined ? [engine, feeds] : typeof ex === 'number' ? [ex] : [...ex];
  if (executors.length === 0) throw new RangeError('demo: cpus.executors is an empty list');
  return { feeds, engine, executors, journal: c?.journal ?? 0 };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The OKX instruments of the simulator's defaults, with the demo's dislocations. */
function okxInstruments(prob: number, ticks: number, steps: number): SimInstrumentConfig[] {
  return [
    {
      symbol: 'BTC-USDT', base: 'BTC', quote: 'USDT', kind: 'spot', tickSize: '0.1', lotSize: '0.00000001', minQty: '0.00001', minNotional: '0',
      makerFeePpm: 800, takerFeePpm: 1000,
      market: {
        lagSteps: 2, noiseBps: 0.5, noisePersistence: 0.6,
        dislocation: { probPerStep: prob, sizeTicks: ticks, durationSteps: steps },
        ladder: { levels: 20, spreadTicks: 1, spacingTicks: 5, sizeLots: 5_000_000, sizeJitter: 0.3 },
        taker: { probPerStep: 0.2, minLots: 100_000, maxLots: 5_000_000 },
      },
    },
    {
      symbol: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', kind: 'perpetual', tickSize: '0.1', lotSize: '0.01', minQty: '0.01', minNotional: '0',
      contractValue: '0.01', contractValueCcy: 'BTC', makerFeePpm: 200, takerFeePpm: 500, leverage: 10,
      market: {
        lagSteps: 1, noiseBps: 0.3, noisePersistence: 0.5, basis: { meanBps: 3, noiseBps: 0.3, reversion: 0.05 },
        ladder: { levels: 20, spreadTicks: 1, spacingTicks: 5, sizeLots: 500, sizeJitter: 0.3 },
        taker: { probPerStep: 0.2, minLots: 1, maxLots: 500 },
      },
    },
  ];
}

/** The simulator configuration of the demo (see the header for what differs from the defaults). */
export function demoSimConfig(opts: DemoOptions = {}): SimConfig {
  const tick = opts.tickMs ?? 100;
  return {
    seed: opts.seed ?? 42,
    tickMs: tick,
    publishMs: opts.publishMs ?? (tick > 0 ? tick : 100),
    warmupSteps: 5,
    venues: [
      { protocol: 'binance-spot' },
      { protocol: 'okx', instruments: okxInstruments(opts.dislocationProb ?? 0.01, opts.dislocationTicks ?? 2400, opts.dislocationSteps ?? 20) },
      { protocol: 'binance-usdm' },
    ],
  };
}

function endpoint(p: { ws?: string | null; rest: string; wsApi?: string | null; wsPrivate?: string | null }): Endpoint {
  return { ws: p.ws ?? null, rest: p.rest, wsApi: p.wsApi ?? null, wsPrivate: p.wsPrivate ?? null };
}

/** The configuration with every venue's links pointed at the running simulator. */
export function pointConfigAtSim(config: XmcConfig, sim: SimHandle): XmcConfig {
  let cfg = config;
  for (const v of cfg.venues) {
    const h = sim.venues.find((x) => x.protocol === v.id);
    if (h === undefined) continue;
    const u = h.urls;
    const market = endpoint({ ws: u.ws, rest: u.rest });
    const orders = endpoint({ rest: u.rest, wsApi: u.wsApi, wsPrivate: u.wsPrivate });
    cfg = withVenueEndpoints(cfg, v.id, { market: { primary: market, backup: market }, orders: { primary: orders, backup: orders } });
  }
  return cfg;
}

/** Order channel of a venue from its configured order links (WS primary, REST backup). */
function channelOf(venue: VenueId, orders: Endpoint, creds: { apiKey: string; secret: string; passphrase: string }, seed: number): OrderChannelConfig {
  const c = { apiKey: creds.apiKey, secret: creds.secret, ...(venue === 'okx' ? { passphrase: creds.passphrase } : {}) };
  const common = { requestTimeoutMs: 2000, recvWindowMs: 5000, reconnect: { baseMs: 50, maxMs: 1000 }, seed };
  if (venue === 'okx') {
    return { venue, creds: c, primary: { transport: 'ws', url: orders.wsPrivate!, restUrl: orders.rest }, backup: { transport: 'rest', url: orders.rest }, ...common };
  }
  if (venue === 'binance-usdm') {
    return { venue, creds: c, primary: { transport: 'ws', url: orders.wsApi!, restUrl: orders.rest }, backup: { transport: 'rest', url: orders.rest }, stream: { url: orders.wsPrivate!, restUrl: orders.rest }, ...common };
  }
  return { venue, creds: c, primary: { transport: 'ws', url: orders.wsApi!, restUrl: orders.rest }, backup: { transport: 'rest', url: orders.rest }, ...common };
}

/** Environment variable values for the configured credential refs, from the simulator's keys (in memory only). */
function simEnv(config: XmcConfig, sim: SimHandle): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of config.venues) {
    const h = sim.venues.find((x) => x.protocol === v.id);
    const ref = v.credentials;
    if (h === undefined || ref === null || ref.kind !== 'env') continue;
    const k = h.keys[0]!;
    env[ref.apiKey] = k.apiKey;
    env[ref.secret] = k.secret;
    if (ref.passphrase !== null) env[ref.passphrase] = k.passphrase;
  }
  return env;
}

// ---------------------------------------------------------------------------- startDemo

export async function startDemo(opts: DemoOptions = {}): Promise<DemoHandle> {
  const seed = opts.seed ?? 42;
  const t0 = Date.now();
  const journalDir = opts.journalDir !== undefined ? resolve(opts.journalDir) : mkdtempSync(join(tmpdir(), 'xmc-demo-'));
  mkdirSync(journalDir, { recursive: true });
  // a reused journal: combo ids (hence client order ids) continue after the ones recorded there
  let comboIdBase = 1;
  try {
    const prev = recoverState(journalDir);
    for (const id of prev.combos.keys()) comboIdBase = Math.max(comboIdBase, id + 1);
  } catch {
    // empty or new directory
  }

  const engineYaml = opts.configYaml ?? DEFAULT_CONFIG_YAML;
  const model = buildEngineModel(engineYaml, opts.pairs);
  const simCfg = demoSimConfig(opts);
  const sim = await startSim(opts.simConfig ? opts.simConfig(simCfg) : simCfg);
  let idlePoll: IdlePoll | null = null;
  try {
    const config = pointConfigAtSim(loadConfigText(engineYaml, '(demo)'), sim);
    const env = simEnv(config, sim);
    const venuesUsed: number[] = [];
    for (const p of model.pairs) for (const ins of [p.a, p.b]) {
      const v = model.tradables.get(ins).venue;
      if (!venuesUsed.includes(v)) venuesUsed.push(v);
    }
    venuesUsed.sort((a, b) => a - b);
    const insOfVenue = (v: number): number[] => {
      const out: number[] = [];
      for (const p of model.pairs) for (const i of [p.a, p.b]) if (model.tradables.get(i).venue === v && !out.includes(i)) out.push(i);
      return out.sort((a, b) => a - b);
    };
    const pinned = (opts.pin ?? true) && availableParallelism() >= 2;
    const cpu = (c: number): number | null => (pinned ? c : null);
    // each actor kind's cpu (the demo's layout unless opts.cpus says otherwise)
    const cpus = demoCpus(opts.cpus);
    const execCpu = (k: number): number => cpus.executors[k % cpus.executors.length]!;
    if (opts.idlePoll === true) idlePoll = await IdlePoll.start(pinned ? [...new Set([cpus.feeds, cpus.engine, cpus.journal, ...cpus.executors])] : SYSTEM_PIN_DEPS.onlineCpus());
    const idlePollText = idlePoll === null ? null : describeIdlePoll(idlePoll.reports);

    // ---- actors, rings, regions
    interface FeedPlan { id: string; venue: number; link: 0 | 1; ring: string; board: string; instruments: number[] }
    const feeds: FeedPlan[] = [];
    for (const v of venuesUsed) {
      const tag = VENUE_TAG[config.venues[v]!.id] ?? `v${v}`;
      const links: (0 | 1)[] = (opts.backupLinks ?? true) ? [0, 1] : [0];
      for (const link of links) {
        const id = `feed.${tag}.${link === 0 ? 'a' : 'b'}`;
        feeds.push({ id, venue: v, link, ring: `${id}.tops`, board: `${id}.board`, instruments: insOfVenue(v) });
      }
    }
    const execs = venuesUsed.map((v) => {
      const id = `exec.${VENUE_TAG[config.venues[v]!.id] ?? `v${v}`}`;
      return { id, venue: v, orders: `${id}.in`, reports: `${id}.out`, state: `${id}.state`, instruments: insOfVenue(v) };
    });
    const ENGINE = 'engine';
    const JOURNAL = 'journal';
    const JOURNAL_RING = 'journal.in';
    const SUP_RING = 'journal.sup';
    const actors = [JOURNAL, ...feeds.map((f) => f.id), ...execs.map((e) => e.id), ENGINE];
    const rings: RingPlan[] = [
      ...feeds.map((f) => ({ name: f.ring, capacity: 1 << 20, consumer: ENGINE })),
      ...execs.flatMap((e) => [
        { name: e.orders, capacity: 1 << 16, consumer: e.id },
        { name: e.reports, capacity: 1 << 18, consumer: ENGINE },
      ]),
      { name: JOURNAL_RING, capacity: 1 << 21, consumer: JOURNAL },
      { name: SUP_RING, capacity: 1 << 18, consumer: JOURNAL },
    ];
    const extra: RegionSpec[] = [
      ...feeds.map((f) => boardSpec(f.board, f.instruments.length, BOARD_SLOT_BYTES)),
      ...execs.map((e) => countersSpec(e.state, executorStateWords(EXEC_SLOTS))),
      countersSpec('engine.state', ENGINE_STATE_WORDS),
      countersSpec('journal.progress', JOURNAL_PROGRESS_WORDS),
    ];
    const sab = createSharedMemory(actors, rings, extra);
    const map = ShmMap.attach(sab);

    // ---- the supervisor-event ring: this thread journals every supervisor event
    // (transport 'port': the writer end of the journal's supervisor-event port, once the tree exists)
    let supWriter: Pick<RingWriter, 'write'> | null = opts.transport === 'port' ? null : RingWriter.attach(map, SUP_RING);
    const supEnc = new WireEncoder();
    const supHead = newEnvelopeHead(250);
    const audit = new AuditBuilder();
    const pendingSup: Uint8Array[] = [];
    const events: string[] = [];
    let eventCount = 0;
    const pins: Record<string, string> = {};
    let restarts = 0;
    let engineSummary: EngineSummary | null = null;
    const flushSup = (): void => {
      while (pendingSup.length > 0) {
        const f = pendingSup[0]!;
        if (supWriter === null || !supWriter.write(f, 0, f.length)) return;
        pendingSup.shift();
      }
    };
    const onEvent = (e: SupervisorEvent): void => {
      eventCount++;
      if (e.type === 'restarted') restarts++;
      if (e.type === 'ready' && !e.spare) pins[e.child] = e.pin === null ? 'no pin report' : `${e.pin.pinned ? `cpu ${e.pin.effective ?? e.pin.requestedCpu} (tid ${e.pin.tid ?? '?'})` : `unpinned${e.pin.failure ? ` (${e.pin.failure})` : ''}, affinity ${e.pin.effective ?? '?'}`}${e.pin.sched?.requested ? `, ${describeSched(e.pin.sched)}` : ''}`;
      if (e.type === 'report') {
        const d = e.data as { engine?: EngineSummary } | null;
        if (d && d.engine) engineSummary = d.engine;
      }
      if (e.type !== 'report') {
        events.push(describeEvent(e));
        supHead.seq++;
        supEnc.auditRecord(supHead, audit.supervisor(e as unknown as Parameters<AuditBuilder['supervisor']>[0]));
        pendingSup.push(supEnc.bytes.slice(supEnc.start, supEnc.end));
        flushSup();
      }
      opts.onEvent?.(e);
    };

    // ---- child specs
    const specOf = (i: number) => model.instruments[i]!.spec;
    const tp = opts.transport === 'port' ? ({ transport: 'port' } as const) : {};
    const rt = (priority: number) => (opts.realtime === true ? { realtime: { policy: 'fifo' as const, priority } } : {});
    const feedChildren: ActorChildSpec[] = feeds.map((f, k) => {
      const vc = config.venues[f.venue]!;
      const ep = f.link === 0 ? vc.links.market.primary : (vc.links.market.backup ?? vc.links.market.primary);
      const params: FeedParams = {
        venue: vc.id,
        venueId: f.venue,
        linkId: 10 * (f.venue + 1) + f.link,
        role: f.link === 0 ? 'primary' : 'backup',
        instruments: f.instruments.map((i, slot) => ({ spec: specOf(i), instrumentId: i, boardSlot: slot })),
        board: f.board,
        depth: FEED_DEPTH,
        wsUrl: ep.ws!,
        restUrl: ep.rest,
        seed: seed + k + 1,
        reconnect: { baseMs: 50, maxMs: 1000 },
        ...(vc.id === 'binance-spot' || vc.id === 'binance-usdm' ? { binance: { snapshotLimit: 100 } } : {}),
      };
      return { id: f.id, module: compiledModule('src/actors/feed.ts'), outbound: [f.ring], wait: 'async-park', parkTimeoutMs: 20, cpu: cpu(cpus.feeds), ...rt(DEMO_RT_FEED), hangTimeoutMs: 10_000, params, ...tp };
    });
    const assetNames = Object.keys(config.assets);
    const balanceAssets = balanceAssetsByVenue(model.tradables, config.venues.length);
    // an executor rehearses from poll(), which an idle executor reaches once per park timeout
    const execRehearse = opts.executorRehearseMs ?? EXECUTOR_DEFAULT_REHEARSE_MS;
    const execParkMs = execRehearse > 0 ? Math.min(20, execRehearse) : 20;
    const execChildren: ActorChildSpec[] = execs.map((e, k) => {
      const vc = config.venues[e.venue]!;
      if (vc.credentials === null) throw new Error(`demo: venue ${vc.id} has no credentials configured`);
      const creds = loadCredentials(vc.id, vc.credentials, { env });
      const params: ExecutorParams = {
        channel: channelOf(vc.id, vc.links.orders.primary, { apiKey: creds.apiKey, secret: creds.secret, passphrase: creds.passphrase }, seed + 100 + k),
        venueId: e.venue,
        linkId: 100 + e.venue,
        instruments: e.instruments.map((i) => ({ spec: specOf(i), instrumentId: i })),
        state: e.state,
        journalDir,
        // the assets the risk checks read on this venue; an asset's name is the venues' asset code
        assets: balanceAssets[e.venue]!.map((a) => ({ code: assetNames[a]!, assetId: a, decimals: config.assets[assetNames[a]!]!.decimals })),
        ...(opts.executorRehearseMs === undefined ? {} : { rehearseMs: opts.executorRehearseMs }),
      };
      return { id: e.id, module: compiledModule('src/actors/executor.ts'), inbound: [e.orders], outbound: [e.reports], wait: 'async-park', parkTimeoutMs: execParkMs, cpu: cpu(execCpu(k)), ...rt(DEMO_RT_EXECUTOR), hangTimeoutMs: 10_000, params, ...tp };
    });
    const engineParams: EngineParams = {
      configYaml: engineYaml,
      ...(opts.pairs ? { pairs: opts.pairs } : {}),
      feeds: feeds.map((f) => ({ venue: f.venue, link: f.link })),
      executors: execs.map((e, k) => ({ venue: e.venue, sharesEngineCpu: pinned && execCpu(k) === cpus.engine })),
      state: 'engine.state',
      clientIdPrefix: 'xmcdemo',
      comboIdBase,
      assumeFlatOnFirstStart: true,
      journalDir,
      ...(opts.rehearseMs === undefined ? {} : { rehearseMs: opts.rehearseMs }),
    };
    const journalParams: JournalActorParams = { dir: journalDir, progress: 'journal.progress' };
    const sup = new Supervisor(
      {
        name: 'xmc',
        strategy: 'one_for_one',
        intensity: 5,
        periodMs: 30_000,
        backoff: { baseMs: 50 },
        children: [
          { id: JOURNAL, module: compiledModule('src/actors/journal.ts'), inbound: [JOURNAL_RING, SUP_RING], wait: 'park', parkTimeoutMs: 50, cpu: cpu(cpus.journal), hangTimeoutMs: 10_000, params: journalParams, ...tp },
          { kind: 'supervisor', id: 'orders', supervisor: { name: 'orders', strategy: 'one_for_one', intensity: 5, periodMs: 30_000, backoff: { baseMs: 50 }, children: execChildren } },
          {
            id: ENGINE, module: compiledModule('src/actors/engine.ts'),
            inbound: [...feeds.map((f) => f.ring), ...execs.map((e) => e.reports)],
            outbound: [...execs.map((e) => e.orders), JOURNAL_RING],
            wait: 'park', parkTimeoutMs: 10, cpu: cpu(cpus.engine), ...rt(DEMO_RT_ENGINE), hangTimeoutMs: 10_000, params: engineParams, ...tp,
          },
          { kind: 'supervisor', id: 'feeds', supervisor: { name: 'feeds', strategy: 'one_for_one', intensity: 10, periodMs: 30_000, backoff: { baseMs: 100 }, children: feedChildren } },
        ],
      },
      { sab, seed, onEvent },
    );
    if (opts.transport === 'port') supWriter = sup.portWriter(SUP_RING);
    // the idle-poll threads end with the tree, however it ends (stop(), or the root giving up)
    void sup.done.then(() => idlePoll?.stop());
    const tape = new VenueTape(sim.venues);
    await sup.start();
    const flushTimer = setInterval(flushSup, 200);
    flushTimer.unref();

    // ---- reading what to show
    const est = Counters.attach(map, 'engine.state');
    const jp = Counters.attach(map, 'journal.progress');
    const boards = feeds.map((f) => ({ f, r: BoardReader.attach(map, f.board, { maxRetries: 1000 }) }));
    const buf = new Uint8Array(BOARD_SLOT_BYTES);
    const readTop = (ins: number): { top: BookTopValue | null; link: 'A' | 'B' | null } => {
      let best: BookTopValue | null = null;
      let link: 'A' | 'B' | null = null;
      for (const { f, r } of boards) {
        const slot = f.instruments.indexOf(ins);
        if (slot < 0) continue;
        const n = r.read(slot, buf);
        if (n <= 0) continue;
        const m = decodeMessage(buf.slice(0, n));
        if (m.body.kind !== 'BookTop') continue;
        const t = m.body.value;
        if (best === null || t.lastSeq > best.lastSeq) {
          best = t;
          link = f.link === 0 ? 'A' : 'B';
        }
      }
      return { top: best, link };
    };
    const feeOf = (i: number): number => {
      const ic = config.instruments[i]!;
      const vc = config.venues.find((v) => v.id === ic.venue)!;
      return Number((ic.fees ?? vc.fees).taker);
    };
    const px = (i: number, ticks: number): number => ticks * Number(specOf(i).tickSize);

    let latencyCache: { records: number; lat: Record<string, LatencyStat>; cids: Set<string> } = { records: -1, lat: {}, cids: new Set() };
    const journalView = (): { lat: Record<string, LatencyStat>; cids: Set<string> } => {
      const records = jp.get(JP.RECORDS);
      if (records === latencyCache.records) return latencyCache;
      const stages: Record<string, number[]> = { 'feed: frame->book applied': [], 'feed->engine: book->decision': [], 'engine->executor: decision->sent': [], 'venue: sent->ack': [], 'venue: sent->fill': [], 'tick-to-order: frame->sent': [], 'legs: first->last leg sent': [] };
      const cids = new Set<string>();
      // first report of each order; book-side stages only for the orders of a combo's OPENING
      // decision (repair / follow-up orders carry the stage times of the book that opened it)
      const firsts: { e: { comboId: number }; t: { receivedUs: number; bookAppliedUs: number; decisionUs: number; orderSentUs: number; ackUs: number; fillUs: number } }[] = [];
      const fills: number[] = [];
      const seen = new Set<string>();
      const openDecision = new Map<number, number>();
      let read;
      try {
        read = readJournal(journalDir);
      } catch {
        return latencyCache;
      }
      for (const e of read.entries) {
        const a = decodeAudit(e);
        if (a === null) continue;
        if (a.kind === AuditKind.OrderSent && a.text !== '') cids.add(`${e.venue}\u0000${a.text}`);
        if (a.kind !== AuditKind.OrderReport || a.text === '') continue;
        const t = a.times;
        if (t.fillUs > 0 && t.orderSentUs > 0 && t.fillUs >= t.orderSentUs && a.code === ReportKind.Fill) fills.push(t.fillUs - t.orderSentUs);
        const key = `${e.venue}\u0000${a.text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        firsts.push({ e, t: { ...t } });
        if (t.decisionUs > 0 && e.comboId > 0) openDecision.set(e.comboId, Math.min(openDecision.get(e.comboId) ?? Infinity, t.decisionUs));
      }
      // per combo, the send times of the orders its opening decision emitted (both legs of a
      // concurrent combo; a leader-follower combo's follower has a decision of its own)
      const openSends = new Map<number, number[]>();
      for (const { e, t } of firsts) {
        if (t.orderSentUs <= 0 || t.decisionUs <= 0) continue;
        stages['engine->executor: decision->sent']!.push(t.orderSentUs - t.decisionUs);
        if (t.ackUs > 0 && t.ackUs >= t.orderSentUs) stages['venue: sent->ack']!.push(t.ackUs - t.orderSentUs);
        if (openDecision.get(e.comboId) !== t.decisionUs) continue;
        const sends = openSends.get(e.comboId);
        if (sends === undefined) openSends.set(e.comboId, [t.orderSentUs]);
        else sends.push(t.orderSentUs);
        if (t.receivedUs > 0 && t.bookAppliedUs >= t.receivedUs) stages['feed: frame->book applied']!.push(t.bookAppliedUs - t.receivedUs);
        if (t.bookAppliedUs > 0 && t.decisionUs >= t.bookAppliedUs) stages['feed->engine: book->decision']!.push(t.decisionUs - t.bookAppliedUs);
        if (t.receivedUs > 0 && t.orderSentUs >= t.receivedUs) stages['tick-to-order: frame->sent']!.push(t.orderSentUs - t.receivedUs);
      }
      for (const sends of openSends.values()) if (sends.length >= 2) stages['legs: first->last leg sent']!.push(Math.max(...sends) - Math.min(...sends));
      stages['venue: sent->fill'] = fills;
      const lat: Record<string, LatencyStat> = {};
      for (const [k, xs] of Object.entries(stages)) {
        xs.sort((x, y) => x - y);
        lat[k] = { n: xs.length, p50Us: quantile(xs, 0.5), p99Us: quantile(xs, 0.99) };
      }
      latencyCache = { records, lat, cids };
      return latencyCache;
    };

    const snapshot = (): DemoSnapshot => {
      const mids = new Map<number, number>();
      const pairs: DemoPairView[] = model.pairs.map((p) => {
        const side = (i: number): DemoBookSide => {
          const { top, link } = readTop(i);
          const synced = top !== null && (top.flags & BookFlags.Synced) !== 0;
          const bid = synced && top!.bids.length > 0 ? px(i, top!.bids[0]!.priceTicks) : null;
          const ask = synced && top!.asks.length > 0 ? px(i, top!.asks[0]!.priceTicks) : null;
          if (bid !== null && ask !== null) mids.set(i, (bid + ask) / 2);
          return { instrument: config.instruments[i]!.id, bid, ask, link, synced };
        };
        const A = side(p.a);
        const B = side(p.b);
        const tc = p.config.trigger;
        const net = tc.type === 'counter_price';
        let ab: number | null = null;
        let ba: number | null = null;
        if (A.ask !== null && B.bid !== null) ab = B.bid - A.ask - (net ? feeOf(p.a) * A.ask + feeOf(p.b) * B.bid : 0);
        if (B.ask !== null && A.bid !== null) ba = A.bid - B.ask - (net ? feeOf(p.a) * A.bid + feeOf(p.b) * B.ask : 0);
        const bps = tc.unit === 'bps';
        const mid = A.bid !== null && A.ask !== null ? (A.bid + A.ask) / 2 : 1;
        const conv = (x: number | null): number | null => (x === null ? null : bps ? (x / mid) * 10_000 : x);
        return {
          id: p.model.id,
          trigger: `${tc.type}${net ? ' (net of taker fees)' : ''}`,
          unit: bps ? 'bps' : `${config.instruments[p.a]!.quote}/${config.instruments[p.a]!.base}`,
          open: Number(tc.open),
          close: Number(tc.close),
          edgeAB: conv(ab),
          edgeBA: conv(ba),
          openAB: p.config.openDirections.includes('buy_a_sell_b'),
          openBA: p.config.openDirections.includes('buy_b_sell_a'),
          books: [A, B] as const,
        };
      });
      const positions: DemoVenuePosition[] = [];
      const exposure: Record<string, number> = {};
      let pnl = 0;
      let fees = 0;
      for (const v of sim.venues) {
        for (const si of v.instruments) {
          const a = tape.acc.get(`${v.name}/${si.symbol}`);
          if (a === undefined) continue;
          const base = a.lots * Number(si.spec.lotSize) * Number(si.spec.contractValue || '1');
          positions.push({ venue: v.name, symbol: si.symbol, lots: a.lots, base });
          exposure[si.spec.base] = (exposure[si.spec.base] ?? 0) + base;
          const ins = config.instruments.findIndex((c) => c.venue === v.protocol && c.symbol === si.symbol);
          let mid = mids.get(ins);
          if (mid === undefined) {
            const bb = si.engine.bestBid();
            const aa = si.engine.bestAsk();
            mid = ((bb + aa) / 2) * Number(si.spec.tickSize);
          }
          pnl += a.cash + base * mid - a.fees;
          fees += a.fees;
        }
      }
      const j = journalView();
      const state = est.get(ES.TRADING_STATE);
      return {
        uptimeSec: (Date.now() - t0) / 1000,
        journalDir,
        tradingState: TRADING_STATE_NAMES[state] ?? String(state),
        combos: est.get(ES.COMBOS),
        combosDone: est.get(ES.COMBOS_DONE),
        combosEscalated: est.get(ES.COMBOS_ESCALATED),
        combosRecovered: est.get(ES.COMBOS_RECOVERED),
        engineOrders: est.get(ES.ORDERS),
        decisions: est.get(ES.DECISIONS),
        denials: est.get(ES.DENIALS),
        topsApplied: est.get(ES.TOPS_APPLIED),
        topsDropped: est.get(ES.TOPS_DROPPED),
        journalRecords: jp.get(JP.RECORDS),
        pairs,
        venueOrders: tape.orders.size,
        venueFills: tape.fills,
        positions,
        exposure,
        pnl,
        fees,
        latency: j.lat,
        supervisorEvents: eventCount,
        restarts,
      };
    };

    let stopped: Promise<DemoReport> | null = null;
    const stop = (): Promise<DemoReport> => {
      if (stopped !== null) return stopped;
      stopped = (async () => {
        // last look at the books (boards) while the feeds still run
        const lastBooks = snapshot();
        // stop the market data first, so that no new window (and no new combo) can open, then
        // let the combos in flight finish (both legs or their repair) before the engine stops
        await sup.childSupervisor('feeds')?.stop();
        const drainUntil = Date.now() + (opts.stopDrainMs ?? 15_000);
        while (Date.now() < drainUntil && est.get(ES.COMBOS) > est.get(ES.COMBOS_DONE) + est.get(ES.COMBOS_ESCALATED) + est.get(ES.COMBOS_RECOVERED)) {
          await new Promise((r) => setTimeout(r, 20));
        }
        await sup.stop();
        const outcome = await sup.done;
        clearInterval(flushTimer);
        await sim.stop();
        await idlePoll?.stop();
        latencyCache = { records: -1, lat: {}, cids: new Set() };
        const j = journalView();
        const s = { ...snapshot(), pairs: lastBooks.pairs };
        const notJournaled = [...tape.orders.values()]
          .filter((o) => !j.cids.has(`${config.venues.findIndex((v) => v.id === sim.venue(o.venue).protocol)}\u0000${o.clientOrderId}`))
          .map((o) => `${o.venue}:${o.clientOrderId}`);
        const lotTolerance: Record<string, number> = {};
        for (const p of model.pairs) for (const i of [p.a, p.b]) {
          const sp = specOf(i);
          const lot = Number(sp.lotSize) * Number(sp.contractValue || '1');
          lotTolerance[sp.base] = Math.max(lotTolerance[sp.base] ?? 0, lot);
        }
        const balanced = Object.entries(s.exposure).every(([asset, x]) => Math.abs(x) <= (lotTolerance[asset] ?? 0) * (1 + 1e-9));
        return {
          ...s,
          outcome,
          engine: engineSummary,
          reusedClientIds: tape.reused(),
          venueOrdersNotJournaled: notJournaled,
          lotTolerance,
          balanced,
          events: [...events],
          pins: { ...pins },
          idlePoll: idlePollText,
          auditCommand: `xmc audit --dir ${journalDir} --format html --out xmc-audit.html`,
        };
      })();
      return stopped;
    };

    return { sim, supervisor: sup, journalDir, tape, shm: map, idlePoll: idlePollText, snapshot, stop };
  } catch (e) {
    await sim.stop();
    await idlePoll?.stop();
    throw e;
  }
}

// ---------------------------------------------------------------------------- rendering

const f2 = (x: number | null, d = 2): string => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(d));
const us = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} ms` : `${Math.round(x)} µs`);

/** The live summary (a few dozen lines). */
export function renderSnapshot(s: DemoSnapshot): string {
  const L: string[] = [];
  L.push(`xmc demo  t=${s.uptimeSec.toFixed(0)} s  state ${s.tradingState}  combos ${s.combos} (done ${s.combosDone}, escalated ${s.combosEscalated}${s.combosRecovered > 0 ? `, recovered ${s.combosRecovered}` : ''})  orders ${s.engineOrders}  decisions ${s.decisions}  denials ${s.denials}`);
  for (const p of s.pairs) {
    L.push(`  pair ${p.id}: ${p.trigger}, open >= ${p.open} ${p.unit}, close <= ${p.close}`);
    for (const [k, b] of p.books.entries()) {
      L.push(`    ${k === 0 ? 'A' : 'B'} ${b.instrument.padEnd(24)} bid ${f2(b.bid).padStart(10)}  ask ${f2(b.ask).padStart(10)}  ${b.synced ? `link ${b.link}` : 'NOT SYNCED'}`);
    }
    const mark = (x: number | null, may: boolean): string => (x === null || x < p.open ? '' : may ? '  <== OPEN' : '  (direction not traded)');
    L.push(`    edge buy A/sell B ${f2(p.edgeAB)}${mark(p.edgeAB, p.openAB)}   buy B/sell A ${f2(p.edgeBA)}${mark(p.edgeBA, p.openBA)}`);
  }
  L.push(`  venues (venue truth): orders ${s.venueOrders}, fills ${s.venueFills}`);
  for (const x of s.positions) L.push(`    ${`${x.venue} ${x.symbol}`.padEnd(28)} ${x.base >= 0 ? '+' : ''}${x.base.toFixed(8)} (${x.lots} lots)`);
  L.push(`  exposure ${Object.entries(s.exposure).map(([a, x]) => `${a} ${x.toFixed(8)}`).join(', ') || 'none'}   PnL ${f2(s.pnl)} USDT (fees ${f2(s.fees)})`);
  const lat = Object.entries(s.latency).filter(([, v]) => v.n > 0);
  if (lat.length > 0) {
    L.push('  latency (orders so far):');
    for (const [k, v] of lat) L.push(`    ${k.padEnd(36)} p50 ${us(v.p50Us).padStart(9)}  p99 ${us(v.p99Us).padStart(9)}  n ${v.n}`);
  }
  L.push(`  tops applied ${s.topsApplied}, duplicates dropped (A/B) ${s.topsDropped}; journal ${s.journalRecords} records; supervisor events ${s.supervisorEvents}, restarts ${s.restarts}`);
  return L.join('\n');
}

/** The final report. */
export function renderReport(r: DemoReport): string {
  const L: string[] = [];
  L.push('==== xmc demo: final report ====');
  L.push(renderSnapshot(r));
  L.push(`  supervisor outcome: ${r.outcome.kind}`);
  if (r.engine) {
    L.push(`  engine view: state ${r.engine.state}, combos ${r.engine.combos}, pair positions ${r.engine.pairPositions.map((p) => `${p.pair} ${p.atoms}`).join(', ')} (atoms), A/B ${JSON.stringify(r.engine.arbitration)}`);
    const bal = r.engine.balances.map((b) => `${b.venueName} ${b.asset} ${b.freeUnits}/${b.totalUnits}`);
    L.push(`  venue balances the risk checks used (free/total, asset units): ${bal.length === 0 ? 'none received' : bal.join(', ')}`);
  }
  L.push(`  legs balanced within one lot (${Object.entries(r.lotTolerance).map(([a, x]) => `${a} ${x}`).join(', ')}): ${r.balanced ? 'yes' : 'NO'}`);
  L.push(`  client order ids used twice at a venue: ${r.reusedClientIds.length === 0 ? 'none' : r.reusedClientIds.join(', ')}`);
  L.push(`  venue orders missing from the journal: ${r.venueOrdersNotJournaled.length === 0 ? 'none' : r.venueOrdersNotJournaled.join(', ')}`);
  L.push(`  pinning: ${Object.entries(r.pins).filter(([k]) => k !== 'feeds' && k !== 'orders').map(([k, v]) => `${k} ${v}`).join('; ')}`);
  if (r.idlePoll !== null) L.push(`  ${r.idlePoll}`);
  L.push(`  supervisor events (${r.events.length}):`);
  for (const e of r.events.slice(-40)) L.push(`    ${e}`);
  L.push(`  journal: ${r.journalDir}`);
  L.push(`  audit it: ${r.auditCommand}   (or --format csv|json, --combo N, --from/--to)`);
  return L.join('\n');
}
