// The per-actor control block in shared memory, and the region names an actor owns.
//
// Every actor `<name>` owns two regions of the layout (add them with `actorRegions(name)`):
//   `<name>.ctl`   a 'counters' region of CTL_WORDS u32 words (two cache lines):
//     word 0  HEARTBEAT  incremented by the running actor at least once per loop iteration and
//                        per park timeout; the supervisor declares a hang when it stops moving
//     word 1  STOP       1 = the supervisor asks the active worker to stop gracefully
//     word 2  TAKEOVER   a warm spare of generation g parks until TAKEOVER == g
//     word 3  STATE      ACTOR_STATE of the active worker (diagnostics)
//     word 4  GENERATION generation of the worker that last took the actor's ring roles
//     word 5  FRAMES_IN  frames delivered to the behaviour, all incarnations
//     word 6  BATCHES    inbound batches released, all incarnations
//     word 7  STARTS     times a worker took the ring roles (1 + restarts)
//     word 8  FENCE      generation of the last worker that FENCED itself (0: none yet): written
//                        with Atomics.store by that worker as its very last shared-memory write,
//                        after its last ring access (actor-main.ts "Fence"); never reset, and
//                        generations are unique within a supervision tree, so FENCE == g proves
//                        that worker g can no longer touch shared memory
//     word 9  FENCES     fenced crashes, all incarnations
//     words 16+i         RELEASED_BASE: per inbound ring i, the sequence number following the
//                        last frame released (recorded right after RingReader.release()); a new
//                        incarnation must never be handed a frame below it
//   `<name>.bell`  a 'doorbell' region: the actor parks on it; every inbound ring of the actor
//                  must name it as its doorbell (ringSpec(ring, cap, bellRegionName(name))) so
//                  one park covers all inbound rings, and the supervisor rings it to deliver
//                  STOP and TAKEOVER.
//
// Invariants: only the active worker writes HEARTBEAT, STATE, FRAMES_IN, BATCHES, FENCES, FENCE
// and RELEASED_BASE+i (and, after FENCE, nothing at all); only the supervisor writes STOP and
// TAKEOVER; the block outlives every worker
// (it lives in the SAB), so its counters continue across restarts.
import { countersSpec, doorbellSpec, type RegionSpec, type ShmMap } from '../shm/layout.js';
import { Doorbell } from '../shm/wait.js';

export const CTL_WORDS = 32;
export const MAX_INBOUND = 16;
export const CTL = {
  HEARTBEAT: 0,
  STOP: 1,
  TAKEOVER: 2,
  STATE: 3,
  GENERATION: 4,
  FRAMES_IN: 5,
  BATCHES: 6,
  STARTS: 7,
  FENCE: 8,
  FENCES: 9,
  RELEASED_BASE: 16,
} as const;

export const ACTOR_STATE = {
  NONE: 0,
  BOOTING: 1,
  SPARE: 2,
  RUNNING: 3,
  STOPPING: 4,
  STOPPED: 5,
  /** The worker caught an exception escaping its behaviour and fenced itself (see FENCE). */
  FENCED: 6,
} as const;

/** Longest actor name: region names are at most 31 characters and we append '.ctl'/'.bell'. */
export const MAX_ACTOR_NAME = 26;

export function controlRegionName(actor: string): string {
  return `${actor}.ctl`;
}

export function bellRegionName(actor: string): string {
  return `${actor}.bell`;
}

export function checkActorName(actor: string): void {
  if (typeof actor !== 'string' || !/^[A-Za-z0-9_\-.:]{1,26}$/.test(actor)) {
    throw new Error(`actor name must be 1..${MAX_ACTOR_NAME} characters of [A-Za-z0-9_-.:]: ${JSON.stringify(actor)}`);
  }
}

/** The two regions an actor owns; add them to the layout next to its rings. */
export function actorRegions(actor: string): RegionSpec[] {
  checkActorName(actor);
  return [countersSpec(controlRegionName(actor), CTL_WORDS), doorbellSpec(bellRegionName(actor))];
}

/** Typed access to one actor's control block and doorbell. */
export class ActorControl {
  readonly i32: Int32Array;
  /** Int32 index of word 0 of the block. */
  readonly base: number;
  readonly bell: Doorbell;

  constructor(map: ShmMap, actor: string) {
    const r = map.region(controlRegionName(actor), 'counters');
    if (r.param < CTL_WORDS) throw new Error(`control block of ${actor} has ${r.param} words, needs ${CTL_WORDS}`);
    this.i32 = new Int32Array(map.sab);
    this.base = r.offset >> 2;
    this.bell = Doorbell.attach(map, bellRegionName(actor));
  }

  load(word: number): number {
    return Atomics.load(this.i32, this.base + word);
  }

  store(word: number, value: number): void {
    Atomics.store(this.i32, this.base + word, value);
  }

  add(word: number, delta: number): void {
    Atomics.add(this.i32, this.base + word, delta);
  }

  get heartbeat(): number {
    return Atomics.load(this.i32, this.base + CTL.HEARTBEAT) >>> 0;
  }

  /** Supervisor: ask the active worker to stop, and wake it. */
  requestStop(): void {
    Atomics.store(this.i32, this.base + CTL.STOP, 1);
    this.bell.ring();
    // ring() only notifies an announced sleeper; notify the futex word too in case a worker
    // parks on it in a way that did not announce (cheap, off the hot path).
    Atomics.notify(this.i32, this.bell.wakeIndex);
  }

  /** Supervisor: clear the stop request before a new worker takes the roles. */
  clearStop(): void {
    Atomics.store(this.i32, this.base + CTL.STOP, 0);
  }

  /** Supervisor: hand the ring roles to the spare of generation `gen`, and wake it. */
  grantTakeover(gen: number): void {
    Atomics.store(this.i32, this.base + CTL.TAKEOVER, gen);
    Atomics.notify(this.i32, this.base + CTL.TAKEOVER);
  }

  /** The sequence number following the last frame released on inbound ring `i`. */
  releasedNext(i: number): number {
    return Atomics.load(this.i32, this.base + CTL.RELEASED_BASE + i) >>> 0;
  }
}
