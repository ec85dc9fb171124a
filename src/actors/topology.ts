// Building actor topologies: the layout regions a set of actors and rings needs, and the demo
// topology the CLI starts ("a small actor topology and print what it does"): a synthetic feed
// actor publishing tops of book into a ring, an engine actor reading them, both under one
// supervisor, each pinned to its own cpu where the machine allows, with stats and stop().
//
// Invariant (checked by the actor runtime at bootstrap): every ring's consumer doorbell is the
// consumer actor's `<actor>.bell`, so one park covers all its inbound rings and the supervisor
// can wake it for stop and takeover.
import { availableParallelism } from 'node:os';
import { ShmLayout, countersSpec, ringSpec, ShmMap, type RegionSpec } from '../shm/layout.js';
import { ringStats, type RingStats } from '../shm/ring.js';
import type { WaitStrategyName } from '../shm/wait.js';
import { compiledModule } from '../paths.js';
import { actorRegions, bellRegionName } from './control.js';
import { LAT_BINS, STAT, STATS_WORDS, histogramQuantile } from './demo-frames.js';
import { IdlePoll, describeIdlePoll } from './idle-poll.js';
import { SYSTEM_PIN_DEPS, type PinReport } from './pinning.js';
import { Supervisor, type ChildInfo, type SupervisorEvent, type SupervisorListener, type SupervisorOutcome } from './supervisor.js';

export interface RingPlan {
  readonly name: string;
  /** Data bytes, a power of two (>= 64). */
  readonly capacity: number;
  /** Consumer actor: the ring rings its doorbell. */
  readonly consumer: string;
}

/** Regions for `actors` (control block + doorbell each), `rings`, then `extra`. */
export function planRegions(actors: readonly string[], rings: readonly RingPlan[], extra: readonly RegionSpec[] = []): RegionSpec[] {
  return [
    ...actors.flatMap((a) => actorRegions(a)),
    ...rings.map((r) => ringSpec(r.name, r.capacity, bellRegionName(r.consumer))),
    ...extra,
  ];
}

/** Creates the SharedArrayBuffer for a plan. */
export function createSharedMemory(actors: readonly string[], rings: readonly RingPlan[], extra: readonly RegionSpec[] = []): SharedArrayBuffer {
  return new ShmLayout(planRegions(actors, rings, extra)).create();
}

// ---------------------------------------------------------------------------- demo topology

export const DEMO_FEED = 'feed';
export const DEMO_ENGINE = 'engine';
export const DEMO_RING = 'tops';
export const DEMO_STATS = 'demo.stats';

export interface DemoTopologyOptions {
  /** Tops published per second. Default 20000. */
  readonly ratePerSec?: number;
  /** Ring data bytes. Default 64 KiB. */
  readonly ringCapacity?: number;
  /** Cpus for [feed, engine]; null = unpinned. Default [0, 1] on 2+ cpus, else unpinned. */
  readonly cpus?: readonly [number | null, number | null];
  /** Wait strategy of the engine. Default 'park' (never two spinning threads by default). */
  readonly wait?: WaitStrategyName;
  /** Keep a warm spare for each actor. Default false. */
  readonly warmSpare?: boolean;
  /** Idle polling (idle-poll.ts) on the actors' cpus (every online cpu when unpinned), from start
   * until the supervisor ends. Default false. */
  readonly idlePoll?: boolean;
  /** Restart intensity of the demo supervisor. Default 5 restarts in 10 s. */
  readonly intensity?: number;
  readonly periodMs?: number;
  readonly seed?: number;
  readonly onEvent?: SupervisorListener;
}

export interface DemoStats {
  /** Tops committed to the ring by the feed (all incarnations). */
  readonly published: number;
  /** Tops processed by the engine (all incarnations, each top once). */
  readonly consumed: number;
  /** Redelivered tops skipped after an engine restart (peeked, not released before the crash). */
  readonly redelivered: number;
  /** Times the two venues' books crossed. */
  readonly crossed: number;
  /** Publish -> read latency on the cross-thread clock, µs (p50/p99: histogram bin bounds). */
  readonly latencyUs: { readonly mean: number; readonly p50: number; readonly p99: number; readonly max: number };
  readonly ring: RingStats;
  readonly actors: readonly ChildInfo[];
}

export interface DemoTopology {
  readonly supervisor: Supervisor;
  readonly sab: SharedArrayBuffer;
  /** What idle polling kept (describeIdlePoll), or null when it was not asked for. */
  readonly idlePoll: string | null;
  /** The pin report of each actor's active worker. */
  pins(): Record<string, PinReport | null>;
  stats(): DemoStats;
  /** Crash an actor on purpose (the supervisor restarts it). */
  kill(actor: typeof DEMO_FEED | typeof DEMO_ENGINE): Promise<void>;
  /** Graceful stop of both actors; resolves with the supervisor's outcome. */
  stop(): Promise<SupervisorOutcome>;
}

/** Starts the demo topology and resolves once both actors are running. */
export async function startDemoTopology(opts: DemoTopologyOptions = {}): Promise<DemoTopology> {
  const cap = opts.ringCapacity ?? 65_536;
  const cpus = opts.cpus ?? (availableParallelism() >= 2 ? ([0, 1] as const) : ([null, null] as const));
  const sab = createSharedMemory([DEMO_FEED, DEMO_ENGINE], [{ name: DEMO_RING, capacity: cap, consumer: DEMO_ENGINE }], [
    countersSpec(DEMO_STATS, STATS_WORDS),
  ]);
  const map = ShmMap.attach(sab);
  const st = new Int32Array(sab);
  const statsOff = map.region(DEMO_STATS, 'counters').offset;
  const f64 = new Float64Array(sab);
  const warmSpare = opts.warmSpare ?? false;
  const sup = new Supervisor(
    {
      name: 'demo',
      strategy: 'one_for_one',
      intensity: opts.intensity ?? 5,
      periodMs: opts.periodMs ?? 10_000,
      backoff: { baseMs: 0 },
      children: [
        {
          id: DEMO_ENGINE,
          module: compiledModule('src/actors/demo-engine.ts'),
          inbound: [DEMO_RING],
          cpu: cpus[1],
          wait: opts.wait ?? 'park',
          // a clean stop stops the feed first; the engine then consumes all it published
          drainOnStop: true,
          params: { stats: DEMO_STATS },
          warmSpare,
        },
        {
          id: DEMO_FEED,
          module: compiledModule('src/actors/demo-feed.ts'),
          outbound: [DEMO_RING],
          cpu: cpus[0],
          wait: 'park',
          parkTimeoutMs: 1,
          params: { ratePerSec: opts.ratePerSec ?? 20_000 },
          warmSpare,
        },
      ],
    },
    { sab, ...(opts.seed === undefined ? {} : { seed: opts.seed }), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) },
  );
  const pinnedCpus = cpus.filter((c): c is number => c !== null);
  const idlePoll = opts.idlePoll === true ? await IdlePoll.start(pinnedCpus.length > 0 ? pinnedCpus : SYSTEM_PIN_DEPS.onlineCpus()) : null;
  // the threads end with the tree, however it ends (a stop, or the root giving up)
  void sup.done.then(() => idlePoll?.stop());
  try {
    await sup.start();
  } catch (e) {
    await idlePoll?.stop();
    throw e;
  }
  const word = (w: number): number => Atomics.load(st, (statsOff >> 2) + w) >>> 0;
  return {
    supervisor: sup,
    sab,
    idlePoll: idlePoll === null ? null : describeIdlePoll(idlePoll.reports),
    pins() {
      const out: Record<string, PinReport | null> = {};
      for (const c of sup.children()) out[c.id] = c.pin;
      return out;
    },
    stats(): DemoStats {
      const hist: number[] = [];
      for (let k = 0; k < LAT_BINS; k++) hist.push(word(STAT.HIST + k));
      const consumed = word(STAT.FRAMES);
      const sum = f64[(statsOff >> 3) + (STAT.SUM_F64_WORD >> 1)]!;
      const ring = ringStats(map, DEMO_RING);
      return {
        published: ring.committedFrames,
        consumed,
        redelivered: word(STAT.DUPS),
        crossed: word(STAT.CROSSED),
        latencyUs: {
          mean: consumed > 0 ? sum / consumed : 0,
          p50: histogramQuantile(hist, 0.5),
          p99: histogramQuantile(hist, 0.99),
          max: word(STAT.MAX_LAT_US),
        },
        ring,
        actors: sup.children(),
      };
    },
    kill: (actor) => sup.kill(actor),
    async stop() {
      await sup.stop();
      const outcome = await sup.done;
      await idlePoll?.stop();
      return outcome;
    },
  };
}

/** One human line per supervisor event (for the CLI and logs). */
export function describeEvent(e: SupervisorEvent): string {
  const who = 'child' in e ? `${e.supervisor}/${e.child}` : e.supervisor;
  switch (e.type) {
    case 'started':
      return `${who}: started worker #${e.generation}${e.spare ? ' (warm spare)' : ''}`;
    case 'ready':
      return `${who}: worker #${e.generation} ${e.spare ? 'ready as warm spare' : e.viaSpare ? 'took over (warm spare)' : 'ready'}`;
    case 'exited':
      return `${who}: worker #${e.generation} ${e.fenced ? 'fenced itself' : 'exited'} (${e.reason}${e.code === null ? '' : `, code ${e.code}`}${e.duringBootstrap ? ', during bootstrap' : ''})${e.error ? `: ${e.error}` : ''}`;
    case 'hung':
      return `${who}: worker #${e.generation} hung (heartbeat still for ${Math.round(e.staleMs)} ms), terminating`;
    case 'restarted':
      return `${who}: restarted as worker #${e.generation} (attempt ${e.attempt}, after ${Math.round(e.delayMs)} ms${e.viaSpare ? ', via warm spare' : ''}${e.fenced ? ', fenced fast path' : ''}; cause ${e.cause})`;
    case 'reaped':
      return `${who}: fenced worker #${e.generation} reaped (code ${e.code})`;
    case 'removed':
      return `${who}: removed (${e.why})`;
    case 'stopped':
      return `${who}: worker #${e.generation}${e.spare ? ' (spare)' : ''} stopped (code ${e.code})`;
    case 'escalated':
      return `${who}: escalated (${e.why} of ${e.child})`;
    case 'gave_up':
      return `${who}: GAVE UP (${e.why} of ${e.child}); everything stopped`;
    case 'pin_unavailable':
      return `${who}: pinning unavailable (${e.failure}${e.detail ? `: ${e.detail}` : ''}); running unpinned`;
    case 'realtime_unavailable':
      return `${who}: real-time class unavailable (${e.failure}${e.detail ? `: ${e.detail}` : ''}); running in the default class`;
    case 'report':
      return `${who}: report ${JSON.stringify(e.data)}`;
    case 'shutdown':
      return `${who}: shut down`;
  }
}
