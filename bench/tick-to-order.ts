// Suite `tick-to-order` (issue #4): internal latency from a venue frame received by a feed worker
// to the order request handed to the venue socket by an executor worker, on the whole engine
// (`startDemo()`: simulated venues on 127.0.0.1, feed / engine / executor / journal actors under
// the supervisor, demo pinning and wait strategies), at several book-update rates, once with the
// shared-memory rings and once with the same behaviours over postMessage (transport 'port',
// src/actors/port-transport.ts) in the same run.
//
// What a sample is. Every order the engine emits from a book update carries that update's stage
// times (engine.ts evaluatePair: venue event, received, book applied, ring committed, decision);
// the executor stamps order_sent_us just before handing the request to the venue client and sends
// the stage times back on every report; the engine journals each report. Sample = order_sent_us -
// received_us of the FIRST report of each client order id in the journal, for orders whose
// received_us > 0 (orders emitted straight from a tick's decision: both legs of a concurrent
// combo, the leader of a leader-follower combo; follow-ups, repairs and timer-driven orders carry
// no received stamp) and whose received_us falls inside the measured window (after the warm-up).
// All stamps are clock.ts nowUs() (CLOCK_MONOTONIC, comparable across threads).
//
// The market. The simulator runs in manual mode on this thread, driven by a pacer every 1 ms:
//  - market steps at BENCH_T2O_STEPS per second (the generator: price process, OKX spot
//    dislocations = arbitrage windows, taker flow); each step changes the book of every
//    subscribed instrument (those of the traded pairs), each published at once;
//  - background depth churn up to the case's rate: the simulator's market maker adds, then
//    removes, one order 10% below the market on an OKX book (alternating BTC-USDT and the SWAP),
//    each change published at once. Every one is a real venue book update: the feed parses it,
//    applies it and publishes a BookTop; the engine applies it and evaluates the pairs on it.
// So the windows (hence orders per second) are the same at every rate; only the update load
// changes. Achieved rate = BookTops the engine applied per second in the measured window (it is
// printed next to the target; with no backup link every update reaches the engine once).
//
// Bench-only settings (the engine configuration is the embedded default, unchanged): the engine
// trades BENCH_T2O_PAIRS (default btc-basis-okx, OKX spot vs OKX perpetual, leader-follower: the
// OKX order channels' own budget (60 orders / 2 s per instrument) holds the order flow of frequent
// windows, while Binance spot's (50 / 10 s, enforced by our own Binance client before sending)
// refuses orders locally, and the refusals trip the reject-rate breaker within a minute, after
// which the engine is REDUCING and stops opening); primary market-data links only (no A/B
// duplicates); the simulator's own order rate limits lifted; OKX spot dislocations with
// probability BENCH_T2O_DISLOCATION per step lasting BENCH_T2O_DISLOCATION_STEPS steps.
//
// Invariants: samples come from the journal of the run (the real path), never from a model; a
// case whose tree did not end 'stopped' says so in its note; ratios and targets use figures of
// this run only; nothing here asserts on a figure.
import { rmSync } from 'node:fs';
import { DEMO_RT_ENGINE, DEMO_RT_EXECUTOR, DEMO_RT_FEED, demoCpus, startDemo, type DemoHandle } from '../src/control/demo.js';
import { nowUs } from '../src/actors/clock.js';
import { pinCurrentThread, describePin } from '../src/actors/pinning.js';
import { ENGINE_DEFAULT_REHEARSE_MS, ES, buildEngineModel } from '../src/actors/engine.js';
import { EXECUTOR_DEFAULT_REHEARSE_MS } from '../src/actors/executor.js';
import { Counters } from '../src/shm/counters.js';
import { AuditKind } from '../src/wire/index.js';
import { decodeAudit, readJournal } from '../src/journal/index.js';
import type { SimConfig } from '../src/sim/config.js';
import type { MatchingEngine } from '../src/sim/matching.js';
import {
  caseSelected,
  checkAtLeast,
  checkBelow,
  cpuSnapshot,
  envInt,
  fmtLoad,
  fmtRate,
  fmtUs,
  latencyFields,
  loadBetween,
  summarize,
  timesLower,
  type CaseResult,
  type LoadShare,
  type RuntimeInfo,
  type SuiteReport,
  type Summary,
  type TargetCheck,
} from './harness.js';
import { cpuFromEnv } from './ring.js';
import { WAKE_CASES, runWakeCases } from './wake.js';

export type T2oTransport = 'ring' | 'port';

export interface TickToOrderConfig {
  /** Book updates per second to produce, one case per rate and transport. */
  readonly rates: readonly number[];
  /** Transports, in case order per rate ('port' first: the baseline). */
  readonly transports: readonly T2oTransport[];
  /** Market generator steps per second. */
  readonly stepsPerSec: number;
  /** OKX spot dislocation probability per generator step, and its length in steps. */
  readonly dislocationProb: number;
  readonly dislocationSteps: number;
  /** Pairs the engine trades (of the embedded configuration's enabled ones). */
  readonly pairs: readonly string[];
  /** Unmeasured seconds after the tree is up (JIT, connections, first windows). */
  readonly warmupSec: number;
  /** A case ends when the engine emitted this many orders in the measured window... */
  readonly orders: number;
  /** ...or after this many measured seconds. */
  readonly maxSec: number;
  /** Cpu of this thread (simulator + pacer + supervisor); null: unpinned (as `xmc demo`). */
  readonly simCpu: number | null;
  /** Pin the actors as the demo does (`demoCpus`: feeds + journal cpu 0, engine cpu 1, executors alternately cpu 1 and 0). */
  readonly pin: boolean;
  /** With `pin`: other cpus (BENCH_T2O_CPUS=feeds,engine,executors,journal). */
  readonly cpus?: { readonly feeds: number; readonly engine: number; readonly executors: number; readonly journal: number };
  /** The demo's real-time classes (`xmc demo --realtime`) for both transports; BENCH_T2O_REALTIME=0 turns them off. */
  readonly realtime: boolean;
  /** The demo's idle polling (`xmc demo --idle-poll`) for both transports; BENCH_T2O_IDLE_POLL=0 turns it off. */
  readonly idlePoll: boolean;
  /** Engine decision rehearsal period, ms (BENCH_T2O_REHEARSE_MS; 0 = off); null: the engine's default. */
  readonly rehearseMs: number | null;
  /** Executor order-path rehearsal period, ms (BENCH_T2O_EXEC_REHEARSE_MS; 0 = off); null: the executor's default. */
  readonly executorRehearseMs: number | null;
  /** Samples per floor row (BENCH_T2O_FLOOR_SAMPLES; 0 = no floor rows): see runFloor. */
  readonly floorSamples: number;
}

/** A rehearsal period from env `name` (0 = off); unset: null (the actor's default). */
function rehearseFromEnv(name: string): number | null {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return null;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a number >= 0 (0 = off), got ${raw}`);
  return v;
}

/** The defaults of `npm run bench -- tick-to-order`, with the BENCH_T2O_* overrides. */
export function tickToOrderConfigFromEnv(): TickToOrderConfig {
  const list = (name: string, dflt: string): string[] => (process.env[name] ?? dflt).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const rates = list('BENCH_T2O_RATES', '1000,10000').map((s) => {
    const v = Number(s.replace(/_/g, ''));
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`BENCH_T2O_RATES: bad rate ${s}`);
    return v;
  });
  const transports = list('BENCH_T2O_TRANSPORTS', 'port,ring').map((s) => {
    if (s !== 'ring' && s !== 'port') throw new RangeError(`BENCH_T2O_TRANSPORTS: ring or port, got ${s}`);
    return s;
  });
  const prob = Number(process.env.BENCH_T2O_DISLOCATION ?? '0.05');
  if (!(prob > 0 && prob <= 1)) throw new RangeError('BENCH_T2O_DISLOCATION must be in (0, 1]');
  const simCpuRaw = process.env.BENCH_T2O_SIM_CPU;
  const cpuList = list('BENCH_T2O_CPUS', '').map(Number);
  if (cpuList.length !== 0 && (cpuList.length !== 4 || !cpuList.every((c) => Number.isInteger(c) && c >= 0))) {
    throw new RangeError('BENCH_T2O_CPUS: four cpu numbers: feeds,engine,executors,journal');
  }
  return {
    rates,
    transports,
    stepsPerSec: envInt('BENCH_T2O_STEPS', 100),
    dislocationProb: prob,
    dislocationSteps: envInt('BENCH_T2O_DISLOCATION_STEPS', 20),
    pairs: list('BENCH_T2O_PAIRS', 'btc-basis-okx'),
    warmupSec: envInt('BENCH_T2O_WARMUP_SEC', 5),
    orders: envInt('BENCH_T2O_ORDERS', 3200),
    maxSec: envInt('BENCH_T2O_MAX_SEC', 120),
    simCpu: simCpuRaw === undefined || simCpuRaw === '' ? null : cpuFromEnv('BENCH_T2O_SIM_CPU', 0),
    pin: process.env.BENCH_T2O_PIN !== 'none',
    realtime: process.env.BENCH_T2O_REALTIME !== '0',
    idlePoll: process.env.BENCH_T2O_IDLE_POLL !== '0',
    rehearseMs: rehearseFromEnv('BENCH_T2O_REHEARSE_MS'),
    executorRehearseMs: rehearseFromEnv('BENCH_T2O_EXEC_REHEARSE_MS'),
    floorSamples: envInt('BENCH_T2O_FLOOR_SAMPLES', 3000, 0),
    ...(cpuList.length === 4 ? { cpus: { feeds: cpuList[0]!, engine: cpuList[1]!, executors: cpuList[2]!, journal: cpuList[3]! } } : {}),
  };
}

/** One measured order: its stage stamps (µs, nowUs scale). */
export interface T2oSample {
  readonly receivedUs: number;
  readonly bookAppliedUs: number;
  readonly decisionUs: number;
  readonly orderSentUs: number;
}

export interface T2oCaseRaw {
  readonly name: string;
  readonly transport: T2oTransport;
  readonly rate: number;
  readonly samples: readonly T2oSample[];
  /** Engine-applied BookTops per second over the measured window. */
  readonly achievedRate: number;
  /** Venue book updates the pacer produced per second over the same window (3 per step + churn). */
  readonly producedRate: number;
  readonly measuredSec: number;
  readonly steps: number;
  readonly churn: number;
  readonly ordersEmitted: number;
  readonly outcome: string;
  readonly tradingState: string;
  readonly pins: Readonly<Record<string, string>>;
  /** What idle polling kept (null: off). */
  readonly idlePoll: string | null;
  readonly load: LoadShare | null;
  /** Samples whose order_sent_us < received_us (clock trouble; must be 0). */
  readonly negative: number;
}

// ---------------------------------------------------------------------------------- the market

/** Lifts the simulated venues' order rate limits (the bench measures latency, not the limits). */
function liftRateLimits(c: SimConfig): SimConfig {
  const big = 100_000_000;
  return {
    ...c,
    venues: (c.venues ?? []).map((v) => ({
      ...v,
      rateLimits:
        v.protocol === 'okx'
          ? { orderPer2s: big, cancelPer2s: big, queryPer2s: big }
          : v.protocol === 'binance-spot'
            ? { ordersPer10s: big, ordersPerDay: big, requestWeightPerMinute: big }
            : { ordersPer10s: big, ordersPerMinute: big, requestWeightPerMinute: big },
    })),
  };
}

/** The depth churn of the header: one maker order 10% below the market, added then removed. */
class DepthChurn {
  private readonly books: { engine: MatchingEngine; price: number; qty: number; id: number }[];
  private k = 0;
  rejected = 0;

  constructor(private readonly demo: DemoHandle) {
    const okx = demo.sim.venue('okx');
    this.books = [...okx.engines.values()].map((engine) => ({
      engine,
      price: Math.max(1, Math.round(engine.bestBid() * 0.9)),
      // the smallest resting size the instrument accepts
      qty: Math.max(1, engine.instrument.minQtyLots),
      id: -1,
    }));
  }

  /** One book update on an OKX book, published at once. */
  step(): void {
    const b = this.books[this.k++ % this.books.length]!;
    const now = Date.now();
    if (b.id < 0) {
      const r = b.engine.place({ account: 'mm', side: 'buy', type: 'limit', priceTicks: b.price, qtyLots: b.qty }, now);
      if (r.accepted) b.id = r.orderId;
      else this.rejected++;
    } else {
      b.engine.cancel('mm', { orderId: b.id }, now);
      b.id = -1;
    }
    this.demo.sim.venue('okx').flush();
  }
}

/** Paces generator steps and churn updates from one 1 ms timer (catching up after a late tick). */
class Pacer {
  steps = 0;
  churns = 0;
  private readonly t0 = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(demo: DemoHandle, churn: DepthChurn, stepsPerSec: number, churnPerSec: number) {
    this.timer = setInterval(() => {
      const el = (performance.now() - this.t0) / 1000;
      const wantS = Math.floor(el * stepsPerSec);
      const wantC = Math.floor(el * churnPerSec);
      // interleave the two so neither arrives as one burst; at most 500 updates per tick
      for (let k = 0; k < 500 && (this.steps < wantS || this.churns < wantC); k++) {
        const stepNext = this.churns >= wantC || (this.steps < wantS && this.steps * churnPerSec <= this.churns * stepsPerSec);
        if (stepNext) {
          demo.sim.step(1);
          demo.sim.flush();
          this.steps++;
        } else {
          churn.step();
          this.churns++;
        }
      }
    }, 1);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------- one case

/** Book updates per generator step: one per subscribed book (the instruments of the pairs). */
function updatesPerStep(pairs: readonly string[]): number {
  const m = buildEngineModel(undefined, pairs);
  return new Set(m.pairs.flatMap((p) => [p.a, p.b])).size;
}

export async function runTickToOrderCase(cfg: TickToOrderConfig, transport: T2oTransport, rate: number): Promise<T2oCaseRaw> {
  const name = `${transport === 'port' ? 'postMessage' : 'ring'} @ ${fmtRate(rate)} upd/s`;
  const demo = await startDemo({
    seed: 42,
    tickMs: 0,
    publishMs: 100,
    backupLinks: false,
    pin: cfg.pin,
    realtime: cfg.realtime,
    idlePoll: cfg.idlePoll,
    ...(cfg.rehearseMs === null ? {} : { rehearseMs: cfg.rehearseMs }),
    ...(cfg.executorRehearseMs === null ? {} : { executorRehearseMs: cfg.executorRehearseMs }),
    ...(cfg.cpus === undefined ? {} : { cpus: cfg.cpus }),
    transport,
    dislocationProb: cfg.dislocationProb,
    dislocationSteps: cfg.dislocationSteps,
    pairs: cfg.pairs,
    simConfig: liftRateLimits,
    stopDrainMs: 5000,
  });
  let journalDir = demo.journalDir;
  try {
    const est = Counters.attach(demo.shm, 'engine.state');
    const perStep = updatesPerStep(cfg.pairs);
    const stepsPerSec = Math.min(cfg.stepsPerSec, rate / perStep);
    const churnPerSec = Math.max(0, rate - perStep * stepsPerSec);
    const pacer = new Pacer(demo, new DepthChurn(demo), stepsPerSec, churnPerSec);
    await sleep(cfg.warmupSec * 1000);
    const startUs = nowUs();
    const t0 = performance.now();
    const tops0 = est.get(ES.TOPS_APPLIED);
    const orders0 = est.get(ES.ORDERS);
    const steps0 = pacer.steps;
    const churn0 = pacer.churns;
    const cpu0 = cpuSnapshot();
    while ((performance.now() - t0) / 1000 < cfg.maxSec && est.get(ES.ORDERS) - orders0 < cfg.orders && !demo.supervisor.ended) await sleep(100);
    const endUs = nowUs();
    const measuredSec = (performance.now() - t0) / 1000;
    const tops = est.get(ES.TOPS_APPLIED) - tops0;
    const ordersEmitted = est.get(ES.ORDERS) - orders0;
    const steps = pacer.steps - steps0;
    const churn = pacer.churns - churn0;
    const load = loadBetween(cpu0, cpuSnapshot());
    pacer.stop();
    const report = await demo.stop();
    journalDir = report.journalDir;
    const { samples, negative } = journalSamples(journalDir, startUs, endUs);
    return {
      name,
      transport,
      rate,
      samples,
      achievedRate: tops / measuredSec,
      producedRate: (perStep * steps + churn) / measuredSec,
      measuredSec,
      steps,
      churn,
      ordersEmitted,
      outcome: report.outcome.kind === 'stopped' ? 'stopped' : `${report.outcome.kind} (${report.outcome.why} of ${report.outcome.child})`,
      tradingState: report.tradingState,
      pins: report.pins,
      idlePoll: report.idlePoll,
      load,
      negative,
    };
  } finally {
    await demo.stop().catch(() => undefined);
    rmSync(journalDir, { recursive: true, force: true });
  }
}

/** The samples of the header from the journal: first report per order, tick-driven, in the window. */
export function journalSamples(dir: string, fromUs: number, toUs: number): { samples: T2oSample[]; negative: number } {
  const seen = new Set<string>();
  const samples: T2oSample[] = [];
  let negative = 0;
  for (const e of readJournal(dir).entries) {
    if (e.kind !== AuditKind.OrderReport) continue;
    const a = decodeAudit(e);
    if (a === null || a.kind !== AuditKind.OrderReport || a.text === '') continue;
    const key = `${e.venue}\u0000${a.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const t = a.times;
    if (!(t.receivedUs > 0) || !(t.orderSentUs > 0) || t.receivedUs < fromUs || t.receivedUs >= toUs) continue;
    if (t.orderSentUs < t.receivedUs) negative++;
    samples.push({ receivedUs: t.receivedUs, bookAppliedUs: t.bookAppliedUs, decisionUs: t.decisionUs, orderSentUs: t.orderSentUs });
  }
  return { samples, negative };
}

function summaryOf(xs: readonly number[]): Summary {
  return summarize(Float64Array.from(xs), xs.length);
}

// ---------------------------------------------------------------------------------- the suite

/**
 * The floor rows, measured after the cases: a parked consumer woken by one 64-byte message (the
 * `wake` suite's cases, bench/wake.ts), over the ring (`park`, the engine's wait) and over
 * postMessage, producer on the feeds' cpu and consumer on the engine's, that cpu kept by idle
 * polling when the cases ran with it (idle otherwise). Every actor of the demo parks between
 * frames, so each hop of a case is such a wake-up: a path of shared compute C plus two hops that
 * cost only that would show (C + 2 x postMessage hop) / (C + 2 x ring hop), below these rows'
 * ratio for any C. A case above it pays more than a wake-up per hop in the postMessage build
 * (larger frames cloned, queueing at high rates). Rows named `floor: ...`; null when
 * floorSamples is 0.
 */
async function runFloor(cfg: TickToOrderConfig, log: (line: string) => void): Promise<{ rows: CaseResult[]; ratio: number | null } | null> {
  if (cfg.floorSamples <= 0) return null;
  const c = demoCpus(cfg.cpus);
  const picked = WAKE_CASES.filter((w) => w.kept === cfg.idlePoll);
  const rows = await runWakeCases(
    picked,
    { paceUs: 1000, samples: cfg.floorSamples, warmup: Math.min(300, cfg.floorSamples), runs: 1, producerCpu: c.feeds, consumerCpu: c.engine, timeoutMs: 120_000 },
    'floor: ',
    log,
  );
  const ring = rows.find((r) => r.name.includes('ring park'));
  const port = rows.find((r) => r.name.includes('postMessage'));
  const ratio = ring?.p50_us !== undefined && port?.p50_us !== undefined ? timesLower(port.p50_us, ring.p50_us) : null;
  return { rows, ratio };
}

export interface T2oSuiteOptions {
  readonly config?: TickToOrderConfig;
  /** Called with each case's raw samples (tests). */
  readonly onCase?: (raw: T2oCaseRaw) => void;
  readonly log?: (line: string) => void;
}

export async function runTickToOrderSuite(runtime: RuntimeInfo, opts: T2oSuiteOptions = {}): Promise<SuiteReport> {
  const cfg = opts.config ?? tickToOrderConfigFromEnv();
  const log = opts.log ?? ((l: string) => console.log(l));
  let mainPin = 'unpinned (as xmc demo)';
  if (cfg.simCpu !== null) mainPin = describePin(pinCurrentThread(cfg.simCpu));
  const cases: CaseResult[] = [];
  const byKey = new Map<string, Summary>();
  const notes: string[] = [];
  for (const rate of cfg.rates) {
    for (const transport of cfg.transports) {
      const label = `${transport === 'port' ? 'postMessage' : 'ring'} @ ${fmtRate(rate)} upd/s`;
      if (!caseSelected(label)) continue;
      log(`  ${label}: starting the tree, ${cfg.warmupSec} s warm-up, then up to ${cfg.orders} orders or ${cfg.maxSec} s`);
      const raw = await runTickToOrderCase(cfg, transport, rate);
      opts.onCase?.(raw);
      const t2o = summaryOf(raw.samples.map((s) => s.orderSentUs - s.receivedUs));
      const feed = summaryOf(raw.samples.map((s) => s.bookAppliedUs - s.receivedUs));
      const hop = summaryOf(raw.samples.map((s) => s.decisionUs - s.bookAppliedUs));
      const exec = summaryOf(raw.samples.map((s) => s.orderSentUs - s.decisionUs));
      byKey.set(`${transport}:${rate}`, t2o);
      runtime.pinning[label] = { actors: raw.pins, main: mainPin };
      const stage = (n: string, s: Summary): string => `${n} ${fmtUs(s.p50)}/${fmtUs(s.p99)}`;
      cases.push({
        name: label,
        ...latencyFields(t2o),
        msgs_per_sec: raw.achievedRate,
        note: [
          `${transport === 'port' ? 'baseline; ' : ''}engine applied ${fmtRate(raw.achievedRate)} upd/s (sim produced ${fmtRate(raw.producedRate)}, target ${fmtRate(rate)})`,
          `${raw.ordersEmitted} orders in ${raw.measuredSec.toFixed(1)} s`,
          `p50/p99 us: ${stage('feed', feed)}, ${stage('feed->engine', hop)}, ${stage('engine->sent', exec)}`,
          fmtLoad(raw.load),
          raw.outcome === 'stopped' ? '' : `tree ${raw.outcome}`,
          raw.negative > 0 ? `${raw.negative} NEGATIVE samples` : '',
        ]
          .filter((s) => s !== '')
          .join('; '),
        extra: {
          transport,
          targetRate: rate,
          achievedRate: raw.achievedRate,
          producedRate: raw.producedRate,
          measuredSec: raw.measuredSec,
          generatorSteps: raw.steps,
          churnUpdates: raw.churn,
          ordersEmitted: raw.ordersEmitted,
          negativeSamples: raw.negative,
          outcome: raw.outcome,
          tradingStateAtEnd: raw.tradingState,
          load: raw.load,
          pins: raw.pins,
          idlePoll: raw.idlePoll,
          mean_us: t2o.mean,
          min_us: t2o.min,
          stages: { feedReceivedToApplied: feed, appliedToEngineDecision: hop, decisionToOrderSent: exec },
        },
      });
    }
  }

  // the floor rows only beside a pair of cases they can be read against
  const pairRan = cfg.rates.some((r) => byKey.has(`ring:${r}`) && byKey.has(`port:${r}`));
  const floor = pairRan ? await runFloor(cfg, log) : null;
  if (floor !== null) cases.push(...floor.rows);

  const ratios: Record<string, number> = {};
  const targets: TargetCheck[] = [];
  for (const rate of cfg.rates) {
    const ring = byKey.get(`ring:${rate}`);
    const port = byKey.get(`port:${rate}`);
    const r = fmtRate(rate);
    if (ring !== undefined && port !== undefined) {
      ratios[`${r} upd/s p50 postMessage / ring`] = timesLower(port.p50, ring.p50);
      ratios[`${r} upd/s p99 postMessage / ring`] = timesLower(port.p99, ring.p99);
      ratios[`${r} upd/s p99.9 postMessage / ring`] = timesLower(port.p999, ring.p999);
      targets.push(checkAtLeast(`${r} upd/s: ring p50 >= 5x lower than postMessage`, 5, timesLower(port.p50, ring.p50)));
    }
    if (ring !== undefined && rate >= 10_000) targets.push(checkBelow(`${r} upd/s: ring tick-to-order p99 < 1 ms (us)`, 1000, ring.p99));
  }
  if (floor?.ratio != null) ratios['floor: parked consumer woken, p50 postMessage / ring'] = floor.ratio;
  notes.push('sample = order_sent_us (executor, request handed to the venue client) - received_us (feed, venue frame received) of the first report of each tick-driven order in the journal');
  notes.push('stages per row: feed = received -> book applied (feed worker), feed->engine = book applied -> engine decision (ring or port hop + engine onFrame entry), engine->sent = decision -> order sent (engine decision work, hop to the executor, executor up to the socket)');
  notes.push(`engine trades ${cfg.pairs.join(', ')} (embedded configuration); market: ${cfg.stepsPerSec} generator steps/s (${updatesPerStep(cfg.pairs)} book updates each), OKX spot dislocations p=${cfg.dislocationProb}/step lasting ${cfg.dislocationSteps} steps, the rest of the rate is OKX depth churn (maker order 10% below the market, added / removed); primary links only; simulated venues' order rate limits lifted`);
  const c = demoCpus(cfg.cpus);
  notes.push(`actors ${cfg.pin ? `pinned: feeds cpu ${c.feeds}, engine cpu ${c.engine}, executors cpu ${c.executors.join(', ')} (one per venue in turn; only the traded pairs' venues have one), journal cpu ${c.journal}` : 'unpinned'} (wait strategies of xmc demo: feeds and executors async-park, engine and journal park); main thread (simulator, pacer, supervisor): ${mainPin}`);
  notes.push(cfg.realtime ? `real-time classes (xmc demo --realtime, both transports): feeds and engine SCHED_FIFO ${DEMO_RT_FEED}/${DEMO_RT_ENGINE}, executors SCHED_FIFO ${DEMO_RT_EXECUTOR}, journal and main thread default; what each actor got is in the JSON (runtime.pinning); BENCH_T2O_REALTIME=0 runs without` : 'real-time classes off (BENCH_T2O_REALTIME=0): every actor in the default class');
  notes.push(cfg.idlePoll ? 'idle polling (xmc demo --idle-poll, both transports): one SCHED_IDLE spinning thread on each actor cpu, so no cpu halts while an actor is parked (src/actors/idle-poll.ts); what it kept is in each case (idlePoll); BENCH_T2O_IDLE_POLL=0 runs without' : 'idle polling off (BENCH_T2O_IDLE_POLL=0): an idle cpu halts, and an actor parked there wakes through the halt');
  notes.push(cfg.rehearseMs === 0 ? 'engine decision rehearsal off (BENCH_T2O_REHEARSE_MS=0)' : `engine decision rehearsal every ${cfg.rehearseMs ?? ENGINE_DEFAULT_REHEARSE_MS} ms (engine-rehearsal.ts; BENCH_T2O_REHEARSE_MS=0 turns it off)`);
  notes.push(
    cfg.executorRehearseMs === 0
      ? 'executor order-path rehearsal off (BENCH_T2O_EXEC_REHEARSE_MS=0)'
      : `executor order-path rehearsal every ${cfg.executorRehearseMs ?? EXECUTOR_DEFAULT_REHEARSE_MS} ms (executor-rehearsal.ts; BENCH_T2O_EXEC_REHEARSE_MS=0 turns it off)`,
  );
  if (floor !== null) {
    notes.push(
      `floor rows (after the cases; BENCH_T2O_FLOOR_SAMPLES=0 skips them): a parked consumer on the engine's cpu woken by one 64-byte message from the feeds' cpu, ${cfg.idlePoll ? 'that cpu kept by idle polling as in the cases' : 'that cpu idle as in the cases'} (the wake suite's cases, ${cfg.floorSamples} samples each); every actor parks between frames, so shared compute C plus two hops that cost only a wake-up would show (C + 2 x postMessage hop) / (C + 2 x ring hop), below the floor ratio${floor.ratio !== null ? ` (${floor.ratio.toFixed(2)}x in this run)` : ''} for any C; a case above it pays more than a wake-up per postMessage hop (clone, queueing)`,
    );
  }
  notes.push(`per case: ${cfg.warmupSec} s warm-up, then until ${cfg.orders} engine orders or ${cfg.maxSec} s; p99.9 needs >= 1000 samples to mean anything (see the samples column)`);

  return {
    suite: 'tick-to-order',
    description: 'venue frame received by a feed worker -> order request handed to the socket by an executor, whole engine vs simulator on 127.0.0.1, rings vs postMessage',
    runtime,
    config: { ...cfg },
    baseline: 'the same engine and behaviours with postMessage (MessageChannel per ring) between actors: transport port',
    cases,
    ratios,
    targets,
    notes,
  };
}
