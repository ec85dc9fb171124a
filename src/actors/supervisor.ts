// The supervisor runtime: owns child specs, runs actor workers (and nested supervisors), detects
// crashes and hangs, asks the pure policy (supervisor-policy.ts) what to do, and does it.
//
// Detection.
//  - fenced crash (the fast path): an exception escaping a running actor's behaviour makes the
//    worker fence itself (actor-main.ts "Fence": FENCE = generation written after its last ring
//    access, then a 'fenced' message, then it parks for good). On that message, for the CURRENT
//    generation of a running actor, the supervisor loads FENCE; equal to the generation, the
//    crash is handled at once, without waiting for the thread's 'exit': reason `error`, events
//    marked `fenced`, the same policy decision as any crash. The worker's later 'exit' (it is
//    reaped with terminate() once the restart is done) is reported as `reaped` and never
//    reaches the policy, so one crash counts once toward the intensity.
//  - crash: the worker's 'exit' with a non-zero code (reason `crash`), after an 'error' event
//    (reason `error`, or `oom` for ERR_WORKER_OUT_OF_MEMORY from resourceLimits); exit code 0
//    that the supervisor did not ask for is a `normal` exit. A worker that fenced but is not
//    the running incarnation (it failed in onStart, or was being stopped or declared hung) is
//    terminated at once and handled on this path (reason `error` unless forced).
//  - hang: every `hangCheckMs` the supervisor samples each running actor's HEARTBEAT word; one
//    that has not moved for `hangTimeoutMs` is reported `hung`, terminate()d, and its exit is
//    handled with reason `hang`.
//  - bootstrap failure: an exit before the worker reported ready, or no ready within
//    `bootTimeoutMs` (the worker is terminated).
// Recovery. Every exit is handled in one serial queue per supervisor: policy decision, stop the
// siblings it names (graceful: STOP word + doorbell kick, terminate() after `stopTimeoutMs`),
// wait the backoff, then start the children it names in start order, each awaited to ready
// (OTP order). A replacement is only started after the old worker can no longer touch shared
// memory: after its 'exit' event, or after it fenced itself (FENCE == its generation, loaded
// with Atomics). So it re-attaches to the SAME SharedArrayBuffer with no second writer/reader
// active: its ring writer resumes at the committed index and sequence number, its ring reader
// at the released index (control.ts keeps the released sequence numbers for the next
// incarnation).
// Warm spare. With `warmSpare`, a second worker per actor boots to `ready` and parks without
// touching any ring; a restart hands it the roles through the TAKEOVER word (no module loading,
// no pinning on the critical path) and a new spare is then prepared in the background.
// Nesting. A child may itself be a supervisor (an in-thread Supervisor object sharing the SAB
// and the event sink). When it escalates (intensity exceeded, or bootstrap rule), it stops all
// its children and its parent sees an abnormal exit (`escalated`) of that child; if it
// escalated before all its children were first ready, the parent sees a bootstrap failure. The
// root supervisor giving up stops everything and reports `gave_up` (DESIGN: halts trading).
//
// Port transport (port-transport.ts, the postMessage benchmark baseline). An actor spec with
// `transport: 'port'` gets MessagePorts instead of rings: the tree keeps one MessageChannel per
// ring name (writer end = port1, reader end = port2), each end handed out once, transferred to
// the worker in workerData; `portWriter(ring)` hands the writer end of a ring fed by the main
// thread. A port dies with the worker it was transferred to, so port actors are NEVER restarted:
// a restart decision that would start one (or a nested supervisor holding one) escalates instead
// (why 'port_transport'); a warm spare with transport 'port' is rejected at construction.
//
// Invariants: at most one active worker per actor at any time, and a new one takes the ring
// roles only after the previous one has exited or fenced; each crash reaches the policy once
// (a fenced worker's exit never does); exits of workers the supervisor is stopping, or of
// stale generations, never reach the policy; every fenced worker is reaped (terminated, its
// exit reported as `reaped`) once its restart was handled, and at the latest when the
// supervisor stops; after an exit is handled either every present child is running, or the
// supervisor has escalated; events are emitted for every transition and never on the hot path.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ShmMap } from '../shm/layout.js';
import { Doorbell, type WaitStrategyName } from '../shm/wait.js';
import { RING_PROD_DOORBELL, ringMaxFrame } from '../shm/formats.js';
import { PORT_DEFAULT_MAX_FRAME, PortWriter, type ActorPorts } from './port-transport.js';
import { compiledModule } from '../paths.js';
import { nowMs } from './clock.js';
import { applyActorJitTiering } from './jit.js';
import { ActorControl, CTL, checkActorName } from './control.js';
import type { PinFailure, PinReport } from './pinning.js';
import { realtimeSpecError, type SchedFailure } from './sched.js';
import type { ActorBoot, ActorMessage, ActorSpec } from './actor.js';
import {
  DEFAULT_BACKOFF,
  decide,
  initialPolicyState,
  noteReady,
  seededRng,
  validatePolicySpec,
  type BackoffSpec,
  type ExitReason,
  type PolicyState,
  type RestartType,
  type Rng,
  type Strategy,
  type SupervisorPolicySpec,
} from './supervisor-policy.js';

// ---------------------------------------------------------------------------- specs

export interface ActorChildSpec extends ActorSpec {
  readonly kind?: 'actor';
  /** Child id = actor name (its control regions are `<id>.ctl` and `<id>.bell`). */
  readonly id: string;
  /** Default 'permanent'. */
  readonly restart?: RestartType;
  /** Keep a second worker booted and idle, ready to take over. Default false. */
  readonly warmSpare?: boolean;
  /** Heartbeat staleness that counts as a hang, ms. Default 2000; 0 disables hang detection. */
  readonly hangTimeoutMs?: number;
  /** Longest wait for `ready`, ms. Default 30000. */
  readonly bootTimeoutMs?: number;
  /** Longest wait for a graceful stop before terminate(), ms. Default 5000. */
  readonly stopTimeoutMs?: number;
  /** Delay before booting a new warm spare after a (re)start, ms, so that the spare's boot does
   * not compete for a core with the worker that just took over. Default 50. */
  readonly spareDelayMs?: number;
}

export interface SupervisorChildSpec {
  readonly kind: 'supervisor';
  readonly id: string;
  /** Default 'permanent'. */
  readonly restart?: RestartType;
  readonly supervisor: SupervisorSpec;
}

export type ChildSpec = ActorChildSpec | SupervisorChildSpec;

export interface SupervisorSpec {
  readonly name: string;
  /** Default 'one_for_one'. */
  readonly strategy?: Strategy;
  /** Max restarts in `periodMs`. Defaults 3 in 5000 ms (OTP's 1 in 5 s is too strict here). */
  readonly intensity?: number;
  readonly periodMs?: number;
  readonly backoff?: Partial<BackoffSpec>;
  /** Default 0: a child failing before ready is never respawned (the supervisor escalates). */
  readonly maxBootstrapRetries?: number;
  /** Heartbeat sampling period, ms. Default: smallest hangTimeoutMs / 4 (at least 10). */
  readonly hangCheckMs?: number;
  /** Children in start order. */
  readonly children: readonly ChildSpec[];
}

// ---------------------------------------------------------------------------- events

interface EventBase {
  /** Path of the emitting supervisor, e.g. "root/feeds". */
  readonly supervisor: string;
  /** Milliseconds on the monotonic clock (clock.ts nowMs). */
  readonly at: number;
}

export type SupervisorEvent =
  | (EventBase & { readonly type: 'started'; readonly child: string; readonly generation: number; readonly spare: boolean })
  | (EventBase & {
      readonly type: 'ready';
      readonly child: string;
      readonly generation: number;
      /** True for an idle warm spare (booted, not running). */
      readonly spare: boolean;
      /** True when this worker became active by taking over as a warm spare. */
      readonly viaSpare: boolean;
      readonly pin: PinReport | null;
      /** viaSpare only: when the supervisor granted the takeover (ms, same clock as `at`). */
      readonly grantedAt?: number;
      /** viaSpare only: when the spare saw the grant, by its own clock (ms, same scale). */
      readonly wokeAt?: number;
    })
  | (EventBase & {
      readonly type: 'exited';
      readonly child: string;
      readonly generation: number;
      readonly reason: ExitReason;
      readonly code: number | null;
      readonly error?: string;
      readonly duringBootstrap: boolean;
      readonly spare: boolean;
      /** True when the worker fenced itself and the crash was handled before its 'exit' (the
       * thread still exists; its end is reported later as `reaped`). `code` is then null. */
      readonly fenced?: boolean;
      /** fenced only: when the worker wrote its fence, by its own clock (ms, same scale). */
      readonly fencedAt?: number;
    })
  | (EventBase & { readonly type: 'hung'; readonly child: string; readonly generation: number; readonly heartbeat: number; readonly staleMs: number })
  | (EventBase & {
      readonly type: 'restarted';
      readonly child: string;
      readonly generation: number;
      /** The child whose exit caused this restart. */
      readonly cause: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly viaSpare: boolean;
      /** True when the exit that caused this restart was a fenced crash (see 'exited'). */
      readonly fenced?: boolean;
    })
  /** A fenced worker's thread has ended (its 'exit' event), after its crash was handled. */
  | (EventBase & { readonly type: 'reaped'; readonly child: string; readonly generation: number; readonly code: number })
  | (EventBase & { readonly type: 'removed'; readonly child: string; readonly why: string })
  | (EventBase & { readonly type: 'stopped'; readonly child: string; readonly generation: number; readonly code: number | null; readonly spare: boolean })
  | (EventBase & { readonly type: 'escalated'; readonly why: EscalationWhy; readonly child: string })
  | (EventBase & { readonly type: 'gave_up'; readonly why: EscalationWhy; readonly child: string })
  | (EventBase & { readonly type: 'pin_unavailable'; readonly child: string; readonly failure: PinFailure; readonly detail: string })
  | (EventBase & { readonly type: 'realtime_unavailable'; readonly child: string; readonly failure: SchedFailure; readonly detail: string })
  | (EventBase & { readonly type: 'report'; readonly child: string; readonly generation: number; readonly data: unknown })
  | (EventBase & { readonly type: 'shutdown' });

export type SupervisorEventType = SupervisorEvent['type'];
export type SupervisorListener = (e: SupervisorEvent) => void;

/** Why a supervisor ended abnormally: the policy's reasons, or 'port_transport' (a restart of
 * an actor running with transport 'port' was refused: see the header). */
export type EscalationWhy = 'intensity' | 'bootstrap' | 'port_transport';

export type SupervisorOutcome =
  | { readonly kind: 'stopped' }
  | { readonly kind: 'escalated'; readonly why: EscalationWhy; readonly child: string; readonly duringBootstrap: boolean }
  | { readonly kind: 'gave_up'; readonly why: EscalationWhy; readonly child: string };

/** Thrown by start() when the supervisor escalated or gave up before all children were ready. */
export class SupervisorStartError extends Error {
  readonly code = 'XMC_SUPERVISOR_START_FAILED';
  readonly retryable = false;
  readonly outcome: SupervisorOutcome;
  constructor(outcome: SupervisorOutcome) {
    super(`supervisor did not start: ${outcome.kind}${'why' in outcome ? ` (${outcome.why} of ${outcome.child})` : ''}`);
    this.outcome = outcome;
  }
}

export interface SupervisorOptions {
  readonly sab: SharedArrayBuffer;
  /** Monotonic milliseconds; default clock.ts nowMs. */
  readonly clock?: () => number;
  /** Seeded RNG for backoff jitter; default seededRng(seed ?? pid). */
  readonly rng?: Rng;
  readonly seed?: number;
  readonly onEvent?: SupervisorListener;
}

export interface ChildInfo {
  readonly id: string;
  readonly kind: 'actor' | 'supervisor';
  readonly status: ChildStatus;
  readonly generation: number;
  /** Thread id of the active worker (actors), from its pin report. */
  readonly tid: number | null;
  readonly pin: PinReport | null;
  readonly spareReady: boolean;
  readonly restarts: number;
  readonly heartbeat: number;
}

type ChildStatus = 'down' | 'booting' | 'running' | 'stopping' | 'removed';

// ---------------------------------------------------------------------------- internals

interface ExitInfo {
  readonly code: number;
  readonly error: Error | null;
}

class WorkerHandle {
  readonly worker: Worker;
  readonly generation: number;
  readonly spare: boolean;
  pin: PinReport | null = null;
  ready = false;
  /** Set by the supervisor before it terminates/stops the worker on purpose. */
  forced: 'stop' | 'hang' | 'boot_timeout' | null = null;
  error: Error | null = null;
  exitInfo: ExitInfo | null = null;
  /** The worker's 'fenced' notice (it parks until terminated). */
  fence: { readonly error: string; readonly at: number } | null = null;
  /** The crash this fence announced was handled without waiting for the exit (fast path). */
  fenceHandled = false;
  /** From the 'running' message of a spare that took over (worker clock, µs). */
  woke: number | null = null;
  readonly exited: Promise<ExitInfo>;
  /** Resolves true on ready (spare: 'ready'; takeover: 'running'), false on exit before it. */
  private readyResolve: ((ok: boolean) => void) | null = null;
  private awaitingRunning = false;

  constructor(
    worker: Worker,
    generation: number,
    spare: boolean,
    onReport: (h: WorkerHandle, data: unknown) => void,
    onFenced: (h: WorkerHandle) => void,
  ) {
    this.worker = worker;
    this.generation = generation;
    this.spare = spare;
    worker.on('error', (err) => {
      this.error ??= err;
    });
    worker.on('message', (m: ActorMessage) => {
      if (m.t === 'ready') {
        this.pin = m.pin;
        if (!this.awaitingRunning) this.resolveReady(true);
      } else if (m.t === 'running') {
        this.woke = m.woke;
        if (this.awaitingRunning) this.resolveReady(true);
      } else if (m.t === 'fenced') {
        if (m.generation === this.generation && this.fence === null && this.exitInfo === null) {
          this.fence = { error: m.error, at: m.at };
          onFenced(this);
        }
      } else if (m.t === 'report') {
        onReport(this, m.data);
      }
    });
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.exitInfo = { code, error: this.error };
        this.resolveReady(false);
        resolve(this.exitInfo);
      });
    });
  }

  /** Next readiness: for a fresh worker 'ready'; after takeover of a spare, 'running'. */
  nextReady(takeover: boolean): Promise<boolean> {
    if (this.exitInfo !== null) return Promise.resolve(false);
    if (!takeover && this.ready) return Promise.resolve(true);
    this.awaitingRunning = takeover;
    return new Promise((resolve) => {
      this.readyResolve = resolve;
    });
  }

  private resolveReady(ok: boolean): void {
    if (ok) this.ready = true;
    const r = this.readyResolve;
    this.readyResolve = null;
    if (r) r(ok);
  }
}

interface ActorRecord {
  readonly kind: 'actor';
  readonly spec: ActorChildSpec;
  readonly ctl: ActorControl;
  readonly spaceBells: Doorbell[];
  status: ChildStatus;
  active: WorkerHandle | null;
  spare: WorkerHandle | null;
  generation: number;
  readyAt: number | undefined;
  restarts: number;
  /** An exit of this child is queued and not handled yet. */
  pendingExit: boolean;
  hbValue: number;
  hbChangedAt: number;
}

interface SubRecord {
  readonly kind: 'supervisor';
  readonly spec: SupervisorChildSpec;
  status: ChildStatus;
  sup: Supervisor | null;
  generation: number;
  readyAt: number | undefined;
  restarts: number;
  pendingExit: boolean;
}

type ChildRecord = ActorRecord | SubRecord;

/** Shared by every supervisor of one tree. */
interface TreeContext {
  readonly sab: SharedArrayBuffer;
  readonly map: ShmMap;
  readonly clock: () => number;
  readonly rng: Rng;
  readonly listeners: Set<SupervisorListener>;
  readonly pinWarned: Set<PinFailure>;
  readonly schedWarned: Set<SchedFailure>;
  nextGeneration: number;
  /** Transport 'port': one MessageChannel per ring name, each end handed out at most once. */
  readonly channels: Map<string, PortChannel>;
}

interface PortChannel {
  readonly ch: MessageChannel;
  writerTaken: boolean;
  readerTaken: boolean;
}

/** Whether a child (or, for a nested supervisor, any of its descendants) uses transport 'port'. */
function usesPorts(c: ChildSpec): boolean {
  return c.kind === 'supervisor' ? c.supervisor.children.some(usesPorts) : c.transport === 'port';
}

type StartResult = { ok: true } | { ok: false; reason: ExitReason };

const ACTOR_MAIN = 'src/actors/actor-main.ts';
const DEFAULT_HANG_TIMEOUT_MS = 2_000;
const DEFAULT_BOOT_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_TIMEOUT_MS = 5_000;

function exitReasonOf(h: WorkerHandle, info: ExitInfo): ExitReason {
  if (h.forced === 'hang' || h.forced === 'boot_timeout') return 'hang';
  const err = info.error as (Error & { code?: string }) | null;
  if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'oom';
  if (err || h.fence !== null) return 'error';
  return info.code === 0 ? 'normal' : 'crash';
}

/** The error text of an exit: the 'error' event's message, else the fence's. */
function exitErrorOf(h: WorkerHandle, info: ExitInfo): { error?: string } {
  if (info.error) return { error: String(info.error.message) };
  if (h.fence !== null) return { error: h.fence.error };
  return {};
}

/** Down unless removed (a removed child stays removed). Not inlined: status changes across awaits. */
function markDown(rec: { status: ChildStatus }): void {
  if (rec.status !== 'removed') rec.status = 'down';
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: T): Promise<T> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(onTimeout), ms);
    p.then((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

// ---------------------------------------------------------------------------- Supervisor

export class Supervisor {
  readonly name: string;
  /** "root" or "root/child". */
  readonly path: string;
  readonly spec: SupervisorSpec;
  /** Resolves once, when the supervisor has ended (stopped, escalated or gave up). */
  readonly done: Promise<SupervisorOutcome>;

  private readonly tree: TreeContext;
  private readonly isRoot: boolean;
  private readonly policy: SupervisorPolicySpec;
  private policyState: PolicyState = initialPolicyState();
  private readonly records: ChildRecord[];
  private readonly byId = new Map<string, ChildRecord>();
  private state: 'idle' | 'starting' | 'running' | 'stopping' | 'ended' = 'idle';
  private everReady = false;
  private queue: Promise<void> = Promise.resolve();
  private hangTimer: NodeJS.Timeout | null = null;
  private sleepWake: (() => void) | null = null;
  /** Fenced workers whose crash was handled and whose thread has not ended yet. */
  private readonly zombies = new Set<WorkerHandle>();
  private resolveDone!: (o: SupervisorOutcome) => void;
  private outcome: SupervisorOutcome | null = null;

  constructor(spec: SupervisorSpec, opts: SupervisorOptions);
  /** @internal nested supervisors */
  constructor(spec: SupervisorSpec, opts: SupervisorOptions, tree: TreeContext, parentPath: string);
  constructor(spec: SupervisorSpec, opts: SupervisorOptions, tree?: TreeContext, parentPath?: string) {
    this.spec = spec;
    this.name = spec.name;
    this.path = parentPath === undefined ? spec.name : `${parentPath}/${spec.name}`;
    this.isRoot = tree === undefined;
    this.tree = tree ?? {
      sab: opts.sab,
      map: ShmMap.attach(opts.sab),
      clock: opts.clock ?? nowMs,
      rng: opts.rng ?? seededRng(opts.seed ?? process.pid),
      listeners: new Set(opts.onEvent ? [opts.onEvent] : []),
      pinWarned: new Set(),
      schedWarned: new Set(),
      nextGeneration: 1,
      channels: new Map(),
    };
    this.policy = {
      strategy: spec.strategy ?? 'one_for_one',
      intensity: spec.intensity ?? 3,
      periodMs: spec.periodMs ?? 5_000,
      backoff: { ...DEFAULT_BACKOFF, ...spec.backoff },
      maxBootstrapRetries: spec.maxBootstrapRetries ?? 0,
      children: spec.children.map((c) => ({ id: c.id, restart: c.restart ?? 'permanent' })),
    };
    validatePolicySpec(this.policy);
    this.records = spec.children.map((c) => this.makeRecord(c));
    for (const r of this.records) this.byId.set(r.spec.id, r);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  private makeRecord(c: ChildSpec): ChildRecord {
    if (c.kind === 'supervisor') {
      return { kind: 'supervisor', spec: c, status: 'down', sup: null, generation: 0, readyAt: undefined, restarts: 0, pendingExit: false };
    }
    checkActorName(c.id);
    if (c.realtime != null) {
      const bad = realtimeSpecError(c.realtime);
      if (bad !== null) throw new Error(`actor ${c.id}: realtime: ${bad}`);
    }
    const map = this.tree.map;
    const ctl = new ActorControl(map, c.id);
    const i32 = new Int32Array(map.sab);
    if (c.transport === 'port') {
      if (c.warmSpare) throw new Error(`actor ${c.id}: transport 'port' cannot have a warm spare (its MessagePorts cannot be handed over)`);
      return { kind: 'actor', spec: c, ctl, spaceBells: [], status: 'down', active: null, spare: null, generation: 0, readyAt: undefined, restarts: 0, pendingExit: false, hbValue: 0, hbChangedAt: 0 };
    }
    const spaceBells = (c.outbound ?? []).map((ring) => {
      const r = map.region(ring, 'ring');
      return new Doorbell(map.sab, i32[(r.offset + RING_PROD_DOORBELL) >> 2]!);
    });
    for (const ring of c.inbound ?? []) map.region(ring, 'ring');
    return {
      kind: 'actor',
      spec: c,
      ctl,
      spaceBells,
      status: 'down',
      active: null,
      spare: null,
      generation: 0,
      readyAt: undefined,
      restarts: 0,
      pendingExit: false,
      hbValue: 0,
      hbChangedAt: 0,
    };
  }

  // ------------------------------------------------------------------ public API

  /** Adds an event listener (the root's listeners see the whole tree). Returns an unsubscribe. */
  on(listener: SupervisorListener): () => void {
    this.tree.listeners.add(listener);
    return () => this.tree.listeners.delete(listener);
  }

  /** Resolves with the first future event matching `pred`; rejects after `timeoutMs`. */
  waitForEvent<T extends SupervisorEvent = SupervisorEvent>(pred: (e: SupervisorEvent) => boolean, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const off = this.on((e) => {
        if (pred(e)) {
          off();
          clearTimeout(t);
          resolve(e as T);
        }
      });
      const t = setTimeout(() => {
        off();
        reject(new Error(`supervisor ${this.path}: no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  /**
   * Starts every child in order, each awaited to ready. Resolves when all are running; rejects
   * with SupervisorStartError when the supervisor escalated / gave up during its start.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`supervisor ${this.path}: start() called twice`);
    applyActorJitTiering(); // before the first worker: jit.ts
    this.state = 'starting';
    this.armHangTimer();
    await this.enqueue(async () => {
      for (const rec of this.records) {
        if (this.state !== 'starting') return;
        if (rec.status !== 'down') continue;
        const res = await this.startChild(rec);
        if (!res.ok) {
          await this.handleExit(rec, res.reason, true, undefined);
          return;
        }
      }
    });
    if (this.outcome !== null) throw new SupervisorStartError(this.outcome);
    if (this.state === 'starting') {
      this.state = 'running';
      this.everReady = true;
    }
  }

  /** Graceful shutdown: stops every child in reverse start order. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'ended') return;
    if (this.state === 'stopping') {
      await this.done;
      return;
    }
    this.state = 'stopping';
    this.sleepWake?.();
    await this.enqueue(async () => {
      await this.stopAll();
      this.end({ kind: 'stopped' });
    });
  }

  /**
   * Terminates the active worker of actor `childId` as if it had crashed (tests, benchmarks,
   * the CLI's "kill"). The supervisor handles the exit like any crash.
   */
  async kill(childId: string): Promise<void> {
    const rec = this.findActor(childId);
    const h = rec.active;
    if (h === null) throw new Error(`actor ${childId} has no active worker`);
    await h.worker.terminate();
  }

  /** Snapshot of the children (allocates; for the CLI and tests). */
  children(): ChildInfo[] {
    return this.records.map((r) => {
      if (r.kind === 'actor') {
        return {
          id: r.spec.id,
          kind: 'actor',
          status: r.status,
          generation: r.generation,
          tid: r.active?.pin?.tid ?? null,
          pin: r.active?.pin ?? null,
          spareReady: r.spare?.ready === true && r.spare.exitInfo === null,
          restarts: r.restarts,
          heartbeat: r.ctl.heartbeat,
        };
      }
      return { id: r.spec.id, kind: 'supervisor', status: r.status, generation: r.generation, tid: null, pin: null, spareReady: false, restarts: r.restarts, heartbeat: 0 };
    });
  }

  /** The nested supervisor child `id` currently running (for tests and the CLI). */
  childSupervisor(id: string): Supervisor | null {
    const r = this.byId.get(id);
    if (r === undefined || r.kind !== 'supervisor') throw new Error(`no supervisor child ${id}`);
    return r.sup;
  }

  /**
   * Transport 'port': the writer end of ring `ring` for a producer that is not an actor (this
   * thread). Throws when that end was already handed out.
   */
  portWriter(ring: string): PortWriter {
    return new PortWriter(this.takePort(ring, 'writer', 'main thread'), ring, this.portMaxFrame(ring));
  }

  /** The control block of actor `id` (heartbeat, counters, released sequence numbers). */
  control(id: string): ActorControl {
    return this.findActor(id).ctl;
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  // ------------------------------------------------------------------ internals

  /** Stopping or ended (a method, so that TypeScript does not narrow `state` across awaits). */
  private ending(): boolean {
    return this.state === 'stopping' || this.state === 'ended';
  }

  private findActor(id: string): ActorRecord {
    const r = this.byId.get(id);
    if (r === undefined || r.kind !== 'actor') throw new Error(`supervisor ${this.path}: no actor child ${id}`);
    return r;
  }

  private emit(e: SupervisorEvent): void {
    for (const l of [...this.tree.listeners]) {
      try {
        l(e);
      } catch {
        // A listener's bug must not break supervision.
      }
    }
  }

  private base(): { supervisor: string; at: number } {
    return { supervisor: this.path, at: this.tree.clock() };
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => {});
    return next;
  }

  private armHangTimer(): void {
    let min = Infinity;
    for (const r of this.records) {
      if (r.kind === 'actor') {
        const t = r.spec.hangTimeoutMs ?? DEFAULT_HANG_TIMEOUT_MS;
        if (t > 0) min = Math.min(min, t);
      }
    }
    if (min === Infinity) return;
    const every = this.spec.hangCheckMs ?? Math.max(10, Math.floor(min / 4));
    this.hangTimer = setInterval(() => this.checkHangs(), every);
    this.hangTimer.unref();
  }

  private checkHangs(): void {
    const now = this.tree.clock();
    for (const r of this.records) {
      if (r.kind !== 'actor' || r.status !== 'running' || r.active === null) continue;
      const timeout = r.spec.hangTimeoutMs ?? DEFAULT_HANG_TIMEOUT_MS;
      if (timeout <= 0) continue;
      const hb = r.ctl.heartbeat;
      if (hb !== r.hbValue) {
        r.hbValue = hb;
        r.hbChangedAt = now;
        continue;
      }
      const stale = now - r.hbChangedAt;
      if (stale > timeout && r.active.forced === null) {
        const h = r.active;
        h.forced = 'hang';
        this.emit({ ...this.base(), type: 'hung', child: r.spec.id, generation: h.generation, heartbeat: hb, staleMs: stale });
        void h.worker.terminate();
      }
    }
  }

  private takePort(ring: string, end: 'writer' | 'reader', by: string): MessagePort {
    let c = this.tree.channels.get(ring);
    if (c === undefined) this.tree.channels.set(ring, (c = { ch: new MessageChannel(), writerTaken: false, readerTaken: false }));
    if (end === 'writer' ? c.writerTaken : c.readerTaken) {
      throw new Error(`port transport: the ${end} end of ${ring} was already handed out (${by} cannot take it: port actors are never restarted)`);
    }
    if (end === 'writer') c.writerTaken = true;
    else c.readerTaken = true;
    return end === 'writer' ? c.ch.port1 : c.ch.port2;
  }

  private portMaxFrame(ring: string): number {
    const map = this.tree.map;
    return map.has(ring) && map.region(ring).kind === 'ring' ? ringMaxFrame(map.region(ring).param) : PORT_DEFAULT_MAX_FRAME;
  }

  private closePorts(): void {
    for (const c of this.tree.channels.values()) {
      c.ch.port1.close();
      c.ch.port2.close();
    }
  }

  private spawn(rec: ActorRecord, spare: boolean): WorkerHandle {
    const s = rec.spec;
    const generation = this.tree.nextGeneration++;
    let ports: ActorPorts | undefined;
    if (s.transport === 'port') {
      ports = {
        inbound: (s.inbound ?? []).map((r) => this.takePort(r, 'reader', s.id)),
        outbound: (s.outbound ?? []).map((r) => this.takePort(r, 'writer', s.id)),
        maxFrames: (s.outbound ?? []).map((r) => this.portMaxFrame(r)),
      };
    }
    const boot: ActorBoot = {
      sab: this.tree.sab,
      name: s.id,
      module: s.module,
      inbound: [...(s.inbound ?? [])],
      outbound: [...(s.outbound ?? [])],
      cpu: s.cpu ?? null,
      realtime: s.realtime ?? null,
      wait: (s.wait ?? 'park') as WaitStrategyName,
      parkTimeoutMs: s.parkTimeoutMs ?? 50,
      ...(s.spinIterations === undefined ? {} : { spinIterations: s.spinIterations }),
      batch: s.batch ?? 256,
      ...(s.drainOnStop === true ? { drainOnStop: true } : {}),
      params: s.params ?? null,
      spare,
      generation,
      ...(ports === undefined ? {} : { transport: 'port' as const, ports }),
    };
    const worker = new Worker(compiledModule(ACTOR_MAIN), {
      workerData: boot,
      ...(ports === undefined ? {} : { transferList: [...ports.inbound, ...ports.outbound] }),
      // Thread name in profiles and inspectors: actor id, generation, role.
      name: `${s.id}#${generation}${spare ? '-spare' : ''}`,
      ...(s.resourceLimits ? { resourceLimits: s.resourceLimits } : {}),
    });
    const h = new WorkerHandle(
      worker,
      generation,
      spare,
      (hh, data) => {
        this.emit({ ...this.base(), type: 'report', child: s.id, generation: hh.generation, data });
      },
      (hh) => this.onActorFenced(rec, hh),
    );
    this.emit({ ...this.base(), type: 'started', child: s.id, generation, spare });
    return h;
  }

  /** Says once per kind of failure that pinning (or a real-time class) was not possible. */
  private notePin(rec: ActorRecord, pin: PinReport | null): void {
    if (pin === null) return;
    const s = pin.sched;
    if (s !== undefined && !s.applied && s.failure !== undefined && s.failure !== 'not_requested' && !this.tree.schedWarned.has(s.failure)) {
      this.tree.schedWarned.add(s.failure);
      this.emit({ ...this.base(), type: 'realtime_unavailable', child: rec.spec.id, failure: s.failure, detail: s.detail ?? '' });
    }
    if (pin.pinned || pin.failure === undefined || pin.failure === 'not_requested') return;
    if (this.tree.pinWarned.has(pin.failure)) return;
    this.tree.pinWarned.add(pin.failure);
    this.emit({ ...this.base(), type: 'pin_unavailable', child: rec.spec.id, failure: pin.failure, detail: pin.detail ?? '' });
  }

  /** Boots a warm spare in the background (not awaited by restarts). */
  private prepareSpare(rec: ActorRecord): void {
    if (!rec.spec.warmSpare || rec.spare !== null || this.state === 'stopping' || this.state === 'ended') return;
    const h = this.spawn(rec, true);
    rec.spare = h;
    const bootTimeout = rec.spec.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
    void withTimeout(h.nextReady(false), bootTimeout, false).then((ok) => {
      if (ok && rec.spare === h) {
        this.notePin(rec, h.pin);
        this.emit({ ...this.base(), type: 'ready', child: rec.spec.id, generation: h.generation, spare: true, viaSpare: false, pin: h.pin });
      } else if (!ok && rec.spare === h) {
        h.forced = 'boot_timeout';
        void h.worker.terminate();
      }
    });
    void h.exited.then((info) => {
      if (rec.spare === h) {
        // A spare lost while idle is not a child failure: report it, do not respawn it now
        // (a new one is prepared after the next successful (re)start).
        rec.spare = null;
        if (h.forced !== 'stop') {
          this.emit({
            ...this.base(),
            type: 'exited',
            child: rec.spec.id,
            generation: h.generation,
            reason: exitReasonOf(h, info),
            code: info.code,
            ...exitErrorOf(h, info),
            duringBootstrap: !h.ready,
            spare: true,
          });
        }
      }
    });
  }

  private async startChild(rec: ChildRecord): Promise<StartResult> {
    return rec.kind === 'actor' ? this.startActor(rec) : this.startSub(rec);
  }

  private async startActor(rec: ActorRecord): Promise<StartResult> {
    rec.ctl.clearStop();
    let h: WorkerHandle;
    let viaSpare = false;
    const spare = rec.spare;
    if (spare !== null && spare.ready && spare.exitInfo === null) {
      rec.spare = null;
      h = spare;
      viaSpare = true;
    } else {
      if (spare !== null) {
        // A spare still booting (or dead) is not worth waiting for: replace it with a cold start.
        rec.spare = null;
        spare.forced = 'stop';
        await spare.worker.terminate();
        const si = await spare.exited;
        this.emit({ ...this.base(), type: 'stopped', child: rec.spec.id, generation: spare.generation, code: si.code, spare: true });
      }
      h = this.spawn(rec, false);
    }
    rec.active = h;
    rec.generation = h.generation;
    rec.status = 'booting';
    const readyP = h.nextReady(viaSpare);
    let grantedAt: number | undefined;
    if (viaSpare) {
      rec.ctl.grantTakeover(h.generation);
      grantedAt = this.tree.clock();
    }
    const ok = await withTimeout(readyP, rec.spec.bootTimeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS, false);
    if (!ok) {
      if (h.exitInfo === null) {
        h.forced = 'boot_timeout';
        await h.worker.terminate();
      }
      const info = await h.exited;
      const reason = exitReasonOf(h, info);
      rec.active = null;
      rec.status = 'down';
      this.emit({
        ...this.base(),
        type: 'exited',
        child: rec.spec.id,
        generation: h.generation,
        reason,
        code: info.code,
        ...exitErrorOf(h, info),
        duringBootstrap: true,
        spare: false,
      });
      return { ok: false, reason };
    }
    const now = this.tree.clock();
    rec.status = 'running';
    rec.readyAt = now;
    rec.hbValue = rec.ctl.heartbeat;
    rec.hbChangedAt = now;
    this.policyState = noteReady(this.policyState, rec.spec.id);
    this.notePin(rec, h.pin);
    this.emit({
      ...this.base(),
      type: 'ready',
      child: rec.spec.id,
      generation: h.generation,
      spare: false,
      viaSpare,
      pin: h.pin,
      ...(grantedAt === undefined ? {} : { grantedAt }),
      ...(viaSpare && h.woke !== null ? { wokeAt: h.woke / 1000 } : {}),
    });
    void h.exited.then((info) => this.onActorExit(rec, h, info));
    if (rec.spec.warmSpare) {
      const delay = rec.spec.spareDelayMs ?? 50;
      if (delay <= 0) this.prepareSpare(rec);
      else {
        const gen = h.generation;
        setTimeout(() => {
          if (rec.generation === gen && rec.status === 'running') this.prepareSpare(rec);
        }, delay).unref();
      }
    }
    return { ok: true };
  }

  private onActorExit(rec: ActorRecord, h: WorkerHandle, info: ExitInfo): void {
    if (h.fenceHandled) {
      // Its crash was handled when it fenced; this is only the end of its thread.
      this.zombies.delete(h);
      this.emit({ ...this.base(), type: 'reaped', child: rec.spec.id, generation: h.generation, code: info.code });
      return;
    }
    if (rec.active !== h || h.forced === 'stop') return;
    this.actorDown(rec, h, exitReasonOf(h, info), info.code, exitErrorOf(h, info), false);
  }

  /**
   * A worker's 'fenced' notice. The fast path needs: the current generation of a running actor,
   * not being stopped or declared hung, and FENCE == its generation in the control block (the
   * Atomics.load that orders all of the worker's shared-memory writes before the replacement's
   * reads). Anything else: the fenced worker is terminated now and its exit is handled as usual.
   */
  private onActorFenced(rec: ActorRecord, h: WorkerHandle): void {
    const fence = h.fence!;
    if (rec.active !== h || rec.status !== 'running' || h.forced !== null || rec.ctl.load(CTL.FENCE) !== h.generation) {
      void h.worker.terminate();
      return;
    }
    h.fenceHandled = true;
    this.zombies.add(h);
    this.actorDown(rec, h, 'error', null, { error: fence.error }, true, fence.at / 1000);
  }

  /** The active worker of `rec` is gone (exited, or fenced): report it and queue the policy. */
  private actorDown(
    rec: ActorRecord,
    h: WorkerHandle,
    reason: ExitReason,
    code: number | null,
    error: { error?: string },
    fenced: boolean,
    fencedAt?: number,
  ): void {
    rec.active = null;
    rec.status = 'down';
    this.emit({
      ...this.base(),
      type: 'exited',
      child: rec.spec.id,
      generation: h.generation,
      reason,
      code,
      ...error,
      duringBootstrap: false,
      spare: false,
      ...(fenced ? { fenced: true, ...(fencedAt === undefined ? {} : { fencedAt }) } : {}),
    });
    const readyAt = rec.readyAt;
    const gen = h.generation;
    rec.pendingExit = true;
    void this.enqueue(async () => {
      try {
        if (rec.generation !== gen) return;
        rec.pendingExit = false;
        if (this.ending()) return;
        await this.handleExit(rec, reason, false, readyAt, fenced);
      } finally {
        // The restart is done (the replacement runs) or did not happen: end the fenced thread.
        if (fenced) void h.worker.terminate();
      }
    });
  }

  private async startSub(rec: SubRecord): Promise<StartResult> {
    const sup = new Supervisor(rec.spec.supervisor, { sab: this.tree.sab }, this.tree, this.path);
    rec.sup = sup;
    rec.generation = this.tree.nextGeneration++;
    rec.status = 'booting';
    this.emit({ ...this.base(), type: 'started', child: rec.spec.id, generation: rec.generation, spare: false });
    try {
      await sup.start();
    } catch {
      rec.sup = null;
      rec.status = 'down';
      this.emit({ ...this.base(), type: 'exited', child: rec.spec.id, generation: rec.generation, reason: 'escalated', code: null, duringBootstrap: true, spare: false });
      return { ok: false, reason: 'escalated' };
    }
    const now = this.tree.clock();
    rec.status = 'running';
    rec.readyAt = now;
    this.policyState = noteReady(this.policyState, rec.spec.id);
    this.emit({ ...this.base(), type: 'ready', child: rec.spec.id, generation: rec.generation, spare: false, viaSpare: false, pin: null });
    const gen = rec.generation;
    void sup.done.then((outcome) => {
      if (outcome.kind !== 'escalated' || rec.sup !== sup || rec.generation !== gen) return;
      rec.sup = null;
      rec.status = 'down';
      this.emit({ ...this.base(), type: 'exited', child: rec.spec.id, generation: gen, reason: 'escalated', code: null, duringBootstrap: false, spare: false });
      const readyAt = rec.readyAt;
      rec.pendingExit = true;
      void this.enqueue(async () => {
        if (rec.generation !== gen) return;
        rec.pendingExit = false;
        if (this.ending()) return;
        await this.handleExit(rec, 'escalated', false, readyAt);
      });
    });
    return { ok: true };
  }

  /** Stops one child gracefully (and its spare). No-op when it is not running. */
  private async stopChild(rec: ChildRecord): Promise<void> {
    if (rec.kind === 'supervisor') {
      const sup = rec.sup;
      rec.sup = null;
      if (sup !== null) {
        rec.status = 'stopping';
        await sup.stop();
        this.emit({ ...this.base(), type: 'stopped', child: rec.spec.id, generation: rec.generation, code: 0, spare: false });
      }
      markDown(rec);
      return;
    }
    const spare = rec.spare;
    if (spare !== null) {
      rec.spare = null;
      spare.forced = 'stop';
      await spare.worker.terminate();
      const si = await spare.exited;
      this.emit({ ...this.base(), type: 'stopped', child: rec.spec.id, generation: spare.generation, code: si.code, spare: true });
    }
    const h = rec.active;
    if (h === null) {
      markDown(rec);
      return;
    }
    h.forced = 'stop';
    rec.status = 'stopping';
    rec.ctl.requestStop();
    for (const b of rec.spaceBells) {
      Atomics.add(b.i32, b.wakeIndex, 1);
      Atomics.notify(b.i32, b.wakeIndex);
    }
    const timeout = rec.spec.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    let info = await withTimeout<ExitInfo | null>(h.exited, timeout, null);
    if (info === null) {
      await h.worker.terminate();
      info = await h.exited;
    }
    rec.active = null;
    markDown(rec);
    this.emit({ ...this.base(), type: 'stopped', child: rec.spec.id, generation: h.generation, code: info.code, spare: false });
  }

  private async stopAll(): Promise<void> {
    if (this.hangTimer) clearInterval(this.hangTimer);
    this.hangTimer = null;
    for (let i = this.records.length - 1; i >= 0; i--) await this.stopChild(this.records[i]!);
    // Fenced workers not reaped yet (their restart was cut short): end them too.
    for (const z of [...this.zombies]) {
      void z.worker.terminate();
      await z.exited;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.sleepWake = null;
        resolve();
      }, ms);
      this.sleepWake = () => {
        clearTimeout(t);
        this.sleepWake = null;
        resolve();
      };
    });
  }

  /** The policy loop for one exit (runs inside the queue). */
  private async handleExit(
    first: ChildRecord,
    firstReason: ExitReason,
    firstBoot: boolean,
    firstReadyAt: number | undefined,
    firstFenced = false,
  ): Promise<void> {
    let rec = first;
    let reason = firstReason;
    let duringBootstrap = firstBoot;
    let readyAt = firstReadyAt;
    let fenced = firstFenced;
    for (;;) {
      if (this.ending()) return;
      const exit = { childId: rec.spec.id, reason, duringBootstrap, ...(readyAt === undefined ? {} : { readyAt }) };
      const d = decide(this.policy, this.policyState, exit, this.tree.clock(), this.tree.rng);
      this.policyState = d.state;
      switch (d.kind) {
        case 'ignore':
          return;
        case 'remove':
          await this.stopChild(rec);
          rec.status = 'removed';
          this.emit({ ...this.base(), type: 'removed', child: rec.spec.id, why: d.why });
          return;
        case 'escalate':
          await this.stopAll();
          this.end(
            this.isRoot
              ? { kind: 'gave_up', why: d.why, child: rec.spec.id }
              : { kind: 'escalated', why: d.why, child: rec.spec.id, duringBootstrap: !this.everReady },
          );
          return;
        case 'restart': {
          // A port actor's MessagePorts died with its worker: refuse, escalate (see the header).
          const portChild = [...d.stop, ...d.start].find((id) => usesPorts(this.byId.get(id)!.spec));
          if (portChild !== undefined) {
            await this.stopAll();
            this.end(
              this.isRoot
                ? { kind: 'gave_up', why: 'port_transport', child: portChild }
                : { kind: 'escalated', why: 'port_transport', child: portChild, duringBootstrap: !this.everReady },
            );
            return;
          }
          for (const id of d.stop) await this.stopChild(this.byId.get(id)!);
          for (const id of d.remove) {
            const r = this.byId.get(id)!;
            r.status = 'removed';
            this.emit({ ...this.base(), type: 'removed', child: id, why: 'temporary' });
          }
          if (d.delayMs > 0) await this.sleep(d.delayMs);
          if (this.ending()) return;
          // Start what the decision names, plus any present child still down whose own exit is
          // not queued (one left down by an earlier failed start, or not started yet during
          // start()), in start order.
          let failed: { rec: ChildRecord; reason: ExitReason } | null = null;
          for (const r of this.records) {
            const named = d.start.includes(r.spec.id);
            if (r.status !== 'down' || !(named || !r.pendingExit)) continue;
            const viaSpare = r.kind === 'actor' && r.spare !== null && r.spare.ready;
            const res = await this.startChild(r);
            if (!res.ok) {
              failed = { rec: r, reason: res.reason };
              break;
            }
            if (named) {
              r.restarts++;
              this.emit({
                ...this.base(),
                type: 'restarted',
                child: r.spec.id,
                generation: r.generation,
                cause: rec.spec.id,
                attempt: r === rec ? d.attempt : 1,
                delayMs: d.delayMs,
                viaSpare,
                ...(fenced ? { fenced: true } : {}),
              });
            }
            if (this.ending()) return;
          }
          if (failed === null) return;
          rec = failed.rec;
          reason = failed.reason;
          duringBootstrap = true;
          readyAt = undefined;
          fenced = false;
          continue;
        }
      }
    }
  }

  private end(outcome: SupervisorOutcome): void {
    if (this.outcome !== null) return;
    this.outcome = outcome;
    this.state = 'ended';
    if (this.hangTimer) clearInterval(this.hangTimer);
    this.hangTimer = null;
    if (this.isRoot) this.closePorts();
    if (outcome.kind === 'escalated') {
      this.emit({ ...this.base(), type: 'escalated', why: outcome.why, child: outcome.child });
    } else if (outcome.kind === 'gave_up') {
      this.emit({ ...this.base(), type: 'gave_up', why: outcome.why, child: outcome.child });
    } else {
      this.emit({ ...this.base(), type: 'shutdown' });
    }
    this.resolveDone(outcome);
  }
}

/** Reads an actor's control-block counter (see control.ts CTL) through a supervisor. */
export function actorCounter(sup: Supervisor, id: string, word: (typeof CTL)[keyof typeof CTL]): number {
  return sup.control(id).load(word) >>> 0;
}
