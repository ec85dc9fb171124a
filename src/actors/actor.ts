// The actor contract: what a behaviour module exports, what it sees (ActorContext), and the
// messages between a worker and its supervisor. No runtime code with side effects lives here, so
// both the worker bootstrap (actor-main.ts) and the supervisor import it.
//
// A behaviour module is a plain ES module, compiled to dist/, that exports
//   `createActor(params): ActorBehaviour`   (or the same function as its default export).
// The worker calls it once per incarnation, before reporting ready. Behaviours stay thin
// (DESIGN rule 2): they wire rings (and sockets) to the pure core.
//
// Run loop contract (actor-main.ts):
//  - each iteration drains every inbound ring (up to `batch` frames each): onFrame() per frame,
//    then onBatchEnd(ring, lastSeq) — the consumer's commit point, before the runtime releases
//    the batch — then release(); then poll() once; then the heartbeat word is incremented;
//  - when the iteration did no work it waits with the actor's wait strategy on the actor's
//    doorbell (every inbound ring rings it) for at most `parkTimeoutMs`, so the heartbeat keeps
//    moving while idle;
//  - the STOP word (or ctx.stop()) is checked between iterations: the current batch is finished
//    and released (with `drainOnStop`, every inbound ring is then drained), onStop() runs, the
//    worker reports `stopped` and exits with code 0.
//  - an exception escaping the behaviour once the worker holds its ring roles (onStart, onFrame,
//    onBatchEnd, poll, onStop, or any callback: uncaughtException / unhandledRejection) FENCES
//    the worker: no behaviour code runs again, the batch in progress is not released, and the
//    supervisor may hand the rings to a replacement at once (actor-main.ts "Fence" says exactly
//    what the replacement sees). An exception before that (module load, createActor, a spare
//    waiting for its takeover) ends the worker with an 'error' event, as any uncaught error.
// Frame views handed to onFrame (u8, offset, len) are valid only during the call.
// makeActorContext (below, no side effects) builds the context for both runtimes: rings
// (actor-main.ts) and MessagePorts (port-transport.ts).
import type { ResourceLimits } from 'node:worker_threads';
import type { ShmMap } from '../shm/layout.js';
import type { RingReader, RingWriter } from '../shm/ring.js';
import type { WaitStrategyName } from '../shm/wait.js';
import type { PinReport } from './pinning.js';
import type { RealtimeSpec } from './sched.js';
import type { ActorPorts, Transport } from './port-transport.js';

export interface ActorContext {
  /** Actor name (also the prefix of its control regions). */
  readonly name: string;
  /** Generation of this worker (unique per worker within a supervision tree). */
  readonly generation: number;
  /** The `params` of the actor spec (structured-cloned). */
  readonly params: unknown;
  readonly map: ShmMap;
  readonly pin: PinReport;
  /** Inbound ring readers, in spec order (index = ringIndex of onFrame). */
  readonly inbound: readonly RingReader[];
  /** Outbound ring writers, in spec order. */
  readonly outbound: readonly RingWriter[];
  /**
   * Sequence number following the last frame released on inbound ring `i`, as recorded in
   * shared memory (continues across incarnations). Read it in onStart to learn where the
   * previous incarnation stopped: the ring must never hand this incarnation a frame below it.
   */
  releasedNext(i: number): number;
  /** Backpressure: park (actor's strategy) until a frame of `len` bytes fits in outbound ring
   * `i`, or a stop request / park timeout ends the wait. True when it fits. */
  waitForSpace(i: number, len: number): boolean;
  waitForSpaceAsync(i: number, len: number): Promise<boolean>;
  /** Whether a stop was requested (by the supervisor or by ctx.stop()). */
  stopRequested(): boolean;
  /** Ends this actor gracefully after the current iteration: exit code 0 (a `normal` exit). */
  stop(): void;
  /** Sends a small report to the supervisor (structured clone: off the hot path only). */
  report(data: unknown): void;
}

export interface ActorBehaviour {
  /** After the rings are attached, before the first iteration. A throw is a bootstrap failure. */
  onStart?(ctx: ActorContext): void | Promise<void>;
  /** One inbound frame: payload is u8[offset, offset + len), sequence number `seq`. */
  onFrame?(ctx: ActorContext, ring: number, u8: Uint8Array, offset: number, len: number, seq: number): void;
  /** End of a batch on inbound ring `ring` whose last frame was `lastSeq`, just before release. */
  onBatchEnd?(ctx: ActorContext, ring: number, lastSeq: number): void;
  /** Called once per iteration; returns the amount of work done (0 = idle). */
  poll?(ctx: ActorContext): number;
  /** After the loop ended on a stop request, before the worker exits 0. */
  onStop?(ctx: ActorContext): void | Promise<void>;
}

export type ActorFactory = (params: unknown) => ActorBehaviour;

/** What a worker receives in workerData. */
export interface ActorBoot {
  readonly sab: SharedArrayBuffer;
  readonly name: string;
  /** Absolute path of the compiled behaviour module. */
  readonly module: string;
  readonly inbound: readonly string[];
  readonly outbound: readonly string[];
  readonly cpu: number | null;
  /** Real-time scheduling class of the worker thread (sched.ts); null: the default class. */
  readonly realtime?: RealtimeSpec | null;
  readonly wait: WaitStrategyName;
  readonly parkTimeoutMs: number;
  readonly spinIterations?: number;
  readonly batch: number;
  /** ActorSpec.drainOnStop. */
  readonly drainOnStop?: boolean;
  readonly params: unknown;
  /** Warm spare: boot to ready, then park until TAKEOVER == generation. */
  readonly spare: boolean;
  readonly generation: number;
  /** 'ring' (default): shared-memory rings. 'port': MessagePorts (port-transport.ts). */
  readonly transport?: Transport;
  /** transport 'port' only: the actor's ends of the tree's MessageChannels (transferred). */
  readonly ports?: ActorPorts;
}

/** Worker -> supervisor messages. Times (`at`, `woke`) are clock.ts nowUs() of the worker. */
export type ActorMessage =
  | { readonly t: 'ready'; readonly generation: number; readonly spare: boolean; readonly pin: PinReport }
  /** A spare that took over: `woke` when it saw TAKEOVER == generation, `at` just before this
   * message (its rings attached, onStart done). */
  | { readonly t: 'running'; readonly generation: number; readonly woke: number; readonly at: number }
  /** The worker fenced itself (actor-main.ts "Fence"): FENCE == generation is in the control
   * block, the worker will not touch shared memory again and parks until it is terminated. */
  | { readonly t: 'fenced'; readonly generation: number; readonly error: string; readonly at: number }
  | { readonly t: 'stopped'; readonly generation: number; readonly frames: number; readonly iterations: number }
  | { readonly t: 'report'; readonly generation: number; readonly data: unknown };

/** How to run one actor (the part of a child spec the worker needs). */
export interface ActorSpec {
  /** Absolute path of the compiled behaviour module, e.g. compiledModule('src/actors/x.ts'). */
  readonly module: string;
  readonly inbound?: readonly string[];
  readonly outbound?: readonly string[];
  /** CPU to pin the worker thread to; null/undefined: not pinned. */
  readonly cpu?: number | null;
  /**
   * Real-time scheduling class of the worker thread (SCHED_FIFO / SCHED_RR and a priority 1-99;
   * sched.ts): it then preempts every fair-class thread of its cpu as soon as it is woken. Needs
   * root, CAP_SYS_NICE or `ulimit -r`; when refused the actor runs in the default class and the
   * supervisor says so once. Not for a spinning actor on a shared cpu. Default: none.
   */
  readonly realtime?: RealtimeSpec | null;
  /** Default 'park'. 'async-park' for actors that must serve their event loop. */
  readonly wait?: WaitStrategyName;
  /** Longest single park, ms (also the idle heartbeat period). Default 50. */
  readonly parkTimeoutMs?: number;
  readonly spinIterations?: number;
  /** Max frames taken from one inbound ring per iteration before release. Default 256. */
  readonly batch?: number;
  /**
   * Graceful stop of a consumer (ring transport): after the STOP word, keep iterating until every
   * inbound ring is empty, then onStop(). With its producers stopped first (the supervisor stops
   * children in reverse start order), nothing they published is left unconsumed. Bounded by the
   * supervisor's stop timeout (then the worker is terminated). Default false: the current batch
   * is finished and released, and what else is in the rings stays there.
   */
  readonly drainOnStop?: boolean;
  readonly params?: unknown;
  readonly resourceLimits?: ResourceLimits;
  /**
   * How this actor's rings are carried. 'ring' (default): SPSC rings in the SharedArrayBuffer.
   * 'port': one MessageChannel per ring name, created by the supervisor (port-transport.ts); a
   * benchmark baseline: such an actor is never restarted (a crash escalates) and cannot have a
   * warm spare. Both ends of a ring must use the same transport.
   */
  readonly transport?: Transport;
}

/** The ActorContext of one incarnation: the boot's identity plus the runtime's rings (or ports),
 * released positions and stop / report hooks. */
export function makeActorContext(
  boot: ActorBoot,
  map: ShmMap,
  pin: PinReport,
  io: Pick<ActorContext, 'inbound' | 'outbound' | 'releasedNext' | 'waitForSpace' | 'waitForSpaceAsync'>,
  hooks: Pick<ActorContext, 'stopRequested' | 'stop' | 'report'>,
): ActorContext {
  return { name: boot.name, generation: boot.generation, params: boot.params, map, pin, ...io, ...hooks };
}
