// Worker-thread entry point of every actor (run as compiled JS: compiledModule of this file).
//
// Bootstrap order: attach the shared layout (ShmMap.attach checks magic and version), attach the
// control block, pin the thread and give it its real-time class if the spec asks (report, never
// throw), load the behaviour module and create the
// behaviour, then rehearse (below). A warm spare then reports `ready` (spare) and parks with
// Atomics.waitAsync on TAKEOVER (event loop alive, no ring touched; a synchronous Atomics.wait
// measured only ~0.04 ms faster to wake) until the supervisor writes its generation there. Only
// then (and directly for a normal start) does it attach its rings — a RingWriter/RingReader
// recovers the committed / released position, which is only safe once the previous owner can no
// longer touch them (exited, or fenced) — record its generation, run onStart and report `ready`
// (normal) or `running` (spare).
//
// Rehearsal. A fresh isolate compiles every function lazily, on its first call, and that is
// most of the cost of a takeover (measured on this shared 2-core VM: attaching the rings ~0.5 ms,
// the first iteration ~0.3 ms, the fence ~0.4 ms; ~0.1 ms each once compiled). So before it
// reports ready, every worker runs the same code (takeRoles, buildRun, iterate, the Waiter, the
// fence's record step) once on a PRIVATE scratch layout (its own SharedArrayBuffer with regions
// of the same names) with a no-op behaviour. It never touches the real layout and never calls
// the real behaviour; the behaviour's own functions stay cold.
//
// Transport 'port' (boot.transport, the postMessage benchmark baseline): after the behaviour is
// created the worker hands over to runPortActor (port-transport.ts): MessagePorts instead of
// rings, an event-driven loop, no rehearsal, never a spare. Everything below is ring mode.
//
// Run loop: see actor.ts. Sync strategies ('spin', 'spin-park', 'park') run a plain loop that
// never returns to the event loop until stop; 'async-park' runs one iteration per macrotask
// (setImmediate with a preallocated callback while there is work, Atomics.waitAsync when idle),
// so timers and sockets of the behaviour keep being served.
//
// Fence. From the moment the worker takes its ring roles, every exception escaping the behaviour
// is caught by this runtime: thrown by onStart, onFrame, onBatchEnd, poll or onStop (caught
// synchronously where the runtime called it), or by any other callback of the behaviour (timers,
// sockets, promises: the process 'uncaughtException' / 'unhandledRejection' listeners this module
// installs when it loads, before any behaviour code). `fence()` then
//  1. describes the error (a string; the only behaviour code it may run is the error's own
//     `message` getter / toString, and that runs BEFORE step 2),
//  2. writes, with Atomics, FENCES += 1, STATE = FENCED and, last, FENCE = generation: the
//     worker's last write to shared memory, after its last ring access,
//  3. posts { t: 'fenced' } to the supervisor (after the store, so the supervisor reads FENCE ==
//     generation when it handles the notice: that seq-cst load orders every earlier plain store
//     of this worker, ring payloads and recovery records included, before the replacement's
//     loads, through the supervisor's TAKEOVER store),
//  4. parks this thread for good in Atomics.wait on a private word: no JS runs in it again (no
//     return to the event loop, so no timer, socket or promise callback, no 'exit' listener, no
//     monkey-patched process.exit), and it burns no CPU while the replacement starts. The
//     supervisor reaps it with terminate() once the replacement is running (exit code 1).
// What the replacement sees after a fence:
//  - inbound: every batch whose release() ran stays released and is never delivered again; the
//    batch in progress (onFrame threw at some frame, or onBatchEnd threw) was NOT released, so
//    all its frames, including those whose onFrame already returned, are delivered again from
//    the first unreleased one (the consumer's idempotence must absorb them, as after any crash);
//    RELEASED_BASE+i is the released position. Rings drained earlier in the same iteration keep
//    their releases.
//  - outbound: every frame published (commit() / publish() returned) is kept and delivered; a
//    frame reserved or staged but not published is dropped, and the replacement's writer reuses
//    its sequence number (recovered from the ring's records).
//  - control block: HEARTBEAT stops; STATE = FENCED until the replacement takes the roles;
//    FENCE = generation until the next fence; FRAMES_IN / BATCHES count released batches only.
// Any other end (process.exit() by the behaviour, out-of-memory, terminate(), a crash of the
// runtime before the roles are taken) is not fenced: the supervisor then waits for the 'exit'.
//
// Invariants: a frame is released only after onFrame returned for it and onBatchEnd ran for its
// batch; RELEASED_BASE+i is written right after release() with the next sequence number, so it
// never exceeds the ring's real released position; HEARTBEAT advances every iteration and every
// park timeout; nothing in the loop allocates per frame; after FENCE is written this thread
// executes no JS and touches no shared memory.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { ShmLayout, ShmMap, ringSpec, type RegionSpec } from '../shm/layout.js';
import { RingReader, RingWriter } from '../shm/ring.js';
import { Waiter } from '../shm/wait.js';
import { ACTOR_STATE, ActorControl, CTL, MAX_INBOUND, actorRegions, bellRegionName } from './control.js';
import { nowUs } from './clock.js';
import { pinCurrentThread, type PinReport } from './pinning.js';
import { setCurrentThreadRealtime } from './sched.js';
import { makeActorContext, type ActorBehaviour, type ActorBoot, type ActorContext, type ActorFactory, type ActorMessage } from './actor.js';
import { runPortActor } from './port-transport.js';

const port = parentPort;
if (port === null) throw new Error('actor-main must run in a worker thread');

function send(msg: ActorMessage): void {
  port!.postMessage(msg);
}

// A pending Atomics.waitAsync does not keep a worker's event loop alive (the worker would end
// with code 13 "unsettled top-level await" or 0): while the actor parks asynchronously it holds
// this ref'd timer.
const keepAlive = setInterval(() => {}, 1 << 30);

// ------------------------------------------------------------------------------------ fence

interface FenceTarget {
  readonly i32: Int32Array;
  readonly base: number;
  readonly generation: number;
}

/** Armed when the worker takes its ring roles (see the header, "Fence"). */
let fenceTarget: FenceTarget | null = null;
let fencing = false;
/** A private futex word nobody notifies: the fenced thread parks on it until terminate(). */
const FENCE_PARK = new Int32Array(new SharedArrayBuffer(4));

function describeError(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name}: ${err.message}`;
    return `non-error thrown: ${String(err)}`;
  } catch {
    return 'unprintable thrown value';
  }
}

/** Steps 1 and 2 of the fence: describe, then the control-block writes (FENCE last). */
function recordFence(t: FenceTarget, err: unknown): string {
  const error = describeError(err);
  Atomics.add(t.i32, t.base + CTL.FENCES, 1);
  Atomics.store(t.i32, t.base + CTL.STATE, ACTOR_STATE.FENCED);
  Atomics.store(t.i32, t.base + CTL.FENCE, t.generation);
  return error;
}

/**
 * Fences the worker after an exception escaped the behaviour (header, "Fence"). Never returns.
 * The rehearsal calls it with a scratch target: then it only records the fence there and
 * returns (so that the real call runs compiled code).
 */
function fence(err: unknown): never;
function fence(err: unknown, rehearsal: FenceTarget): void;
function fence(err: unknown, rehearsal?: FenceTarget): void {
  if (rehearsal !== undefined) {
    recordFence(rehearsal, err);
    return;
  }
  const t = fenceTarget;
  if (t === null) throw err; // not armed (cannot happen: every caller runs after armFence)
  if (!fencing) {
    fencing = true;
    const error = recordFence(t, err); // the last shared-memory write of this thread
    try {
      send({ t: 'fenced', generation: t.generation, error, at: nowUs() });
    } catch {
      // Not expected (a plain object of strings and numbers). Without the notice the worker
      // is still fenced; the supervisor's hang detection finds its heartbeat stopped.
    }
  }
  for (;;) Atomics.wait(FENCE_PARK, 0, 0);
}

/** Arms the fence: from now on an escaping exception fences the worker. */
function armFence(ctl: ActorControl, generation: number): void {
  fenceTarget = { i32: ctl.i32, base: ctl.base, generation };
}

/**
 * Before the roles are taken, an escaping error ends the worker as if this runtime had no
 * handler: our listeners go, and the error is thrown again outside any handler, so the worker
 * ends with an 'error' event and exit code 1 (a bootstrap failure; nothing shared was touched).
 */
function dieUnfenced(err: unknown): void {
  process.removeListener('uncaughtException', onEscaped);
  process.removeListener('unhandledRejection', onEscaped);
  setImmediate(() => {
    throw err;
  });
}

function onEscaped(err: unknown): void {
  if (fenceTarget !== null) fence(err);
  dieUnfenced(err);
}

// Installed at load, not at takeover: adding them costs ~0.1 ms on a fresh isolate.
process.on('uncaughtException', onEscaped);
process.on('unhandledRejection', onEscaped);

// ------------------------------------------------------------------------------------ roles and run

interface Roles {
  readonly inbound: RingReader[];
  readonly outbound: RingWriter[];
}

/** Attaches the actor's rings in `map` (the real layout, or the rehearsal's scratch one). */
function takeRoles(map: ShmMap, ctl: ActorControl, boot: ActorBoot): Roles {
  const inbound = boot.inbound.map((n) => RingReader.attach(map, n));
  const outbound = boot.outbound.map((n) => RingWriter.attach(map, n));
  for (const r of inbound) {
    if (r.doorbell.byteOffset !== ctl.bell.byteOffset) {
      throw new Error(`actor ${boot.name}: inbound ring ${r.name} must use doorbell ${boot.name}.bell (ringSpec(name, cap, bellRegionName('${boot.name}')))`);
    }
  }
  return { inbound, outbound };
}

/** One incarnation's context and run-loop pieces over a set of rings. */
interface Run {
  readonly ctx: ActorContext;
  readonly waiter: Waiter;
  /** One iteration: drain inbound rings, poll, heartbeat. Returns the work done. */
  readonly iterate: () => number;
  readonly hasWork: () => boolean;
  /** A frame is waiting in an inbound ring. */
  readonly framesPending: () => boolean;
  readonly stopRequested: () => boolean;
  readonly stats: { frames: number; iterations: number };
}

function buildRun(boot: ActorBoot, map: ShmMap, ctl: ActorControl, pin: PinReport, roles: Roles, behaviour: ActorBehaviour): Run {
  const i32 = ctl.i32;
  const base = ctl.base;
  const { inbound, outbound } = roles;
  const waiterOpts = { parkTimeoutMs: boot.parkTimeoutMs, ...(boot.spinIterations === undefined ? {} : { spinIterations: boot.spinIterations }) };
  const waiter = new Waiter(boot.wait, ctl.bell, waiterOpts);
  const spaceWaiters = outbound.map((w) => new Waiter(boot.wait, w.spaceDoorbell, waiterOpts));
  let selfStop = false;
  const stopIdx = base + CTL.STOP;
  const stopRequested = (): boolean => selfStop || Atomics.load(i32, stopIdx) !== 0;
  const nIn = inbound.length;
  const framesPending = (): boolean => {
    for (let i = 0; i < nIn; i++) if (inbound[i]!.available()) return true;
    return false;
  };
  const hasWork = (): boolean => selfStop || Atomics.load(i32, stopIdx) !== 0 || framesPending();

  const ctx: ActorContext = makeActorContext(
    boot,
    map,
    pin,
    {
      inbound,
      outbound,
      releasedNext: (i) => Atomics.load(i32, base + CTL.RELEASED_BASE + i) >>> 0,
      waitForSpace: (i, len) => outbound[i]!.waitForSpace(len, spaceWaiters[i]!),
      waitForSpaceAsync: (i, len) => outbound[i]!.waitForSpaceAsync(len, spaceWaiters[i]!),
    },
    {
      stopRequested,
      stop: () => {
        selfStop = true;
      },
      report: (data) => send({ t: 'report', generation: boot.generation, data }),
    },
  );

  const onFrame = behaviour.onFrame;
  const onBatchEnd = behaviour.onBatchEnd;
  const poll = behaviour.poll;
  const batch = boot.batch;
  const hbIdx = base + CTL.HEARTBEAT;
  const framesIdx = base + CTL.FRAMES_IN;
  const batchesIdx = base + CTL.BATCHES;
  const relBase = base + CTL.RELEASED_BASE;
  const stats = { frames: 0, iterations: 0 };

  const iterate = (): number => {
    let work = 0;
    for (let i = 0; i < nIn; i++) {
      const r = inbound[i]!;
      let n = 0;
      let len: number;
      while (n < batch && (len = r.peek()) >= 0) {
        if (onFrame !== undefined) onFrame(ctx, i, r.u8, r.frameOffset, len, r.frameSeq);
        n++;
      }
      if (n > 0) {
        const last = r.frameSeq;
        if (onBatchEnd !== undefined) onBatchEnd(ctx, i, last);
        r.release();
        Atomics.store(i32, relBase + i, (last + 1) | 0);
        Atomics.add(i32, framesIdx, n);
        Atomics.add(i32, batchesIdx, 1);
        stats.frames += n;
        work += n;
      }
    }
    if (poll !== undefined) work += poll(ctx);
    Atomics.add(i32, hbIdx, 1);
    stats.iterations++;
    return work;
  };

  return { ctx, waiter, iterate, hasWork, framesPending, stopRequested, stats };
}

// ------------------------------------------------------------------------------------ rehearsal

const REHEARSAL_RING_BYTES = 1024;
const REHEARSAL_BEHAVIOUR: ActorBehaviour = {
  onFrame() {},
  onBatchEnd() {},
  poll: () => 0,
};

/** Runs the takeover and fence code once on a private scratch layout (header, "Rehearsal"). */
function rehearse(boot: ActorBoot, pin: PinReport): void {
  const names = new Set<string>([...boot.inbound, ...boot.outbound]);
  const specs: RegionSpec[] = [...actorRegions(boot.name)];
  for (const n of names) specs.push(boot.inbound.includes(n) ? ringSpec(n, REHEARSAL_RING_BYTES, bellRegionName(boot.name)) : ringSpec(n, REHEARSAL_RING_BYTES));
  const map = ShmMap.attach(new ShmLayout(specs).create());
  const ctl = new ActorControl(map, boot.name);
  const roles = takeRoles(map, ctl, boot);
  // A test producer for each inbound ring (a ring the actor also writes is fed by its writer).
  const feeders = boot.inbound.filter((n) => !boot.outbound.includes(n)).map((n) => RingWriter.attach(map, n));
  const run = buildRun(boot, map, ctl, pin, roles, REHEARSAL_BEHAVIOUR);
  for (let k = 0; k < 4; k++) {
    for (const w of feeders) if (w.reserve(8) >= 0) w.commit();
    for (const w of roles.outbound) if (w.reserve(8) >= 0) w.commit();
    if (run.waiter.waitFor(run.hasWork) && !run.stopRequested()) run.iterate();
  }
  fence(new Error('rehearsal'), { i32: ctl.i32, base: ctl.base, generation: 1 });
}

// ------------------------------------------------------------------------------------ main

/** The end of a graceful stop: onStop, STATE = STOPPED, 'stopped', exit 0. */
async function finishActor(boot: ActorBoot, ctl: ActorControl, behaviour: ActorBehaviour, ctx: ActorContext, stats: { frames: number; iterations: number }): Promise<void> {
  Atomics.store(ctl.i32, ctl.base + CTL.STATE, ACTOR_STATE.STOPPING);
  try {
    if (behaviour.onStop) await behaviour.onStop(ctx);
  } catch (err) {
    fence(err);
  }
  Atomics.store(ctl.i32, ctl.base + CTL.STATE, ACTOR_STATE.STOPPED);
  send({ t: 'stopped', generation: boot.generation, frames: stats.frames, iterations: stats.iterations });
  // Let the message go out, then end the thread even if the behaviour left handles open.
  setImmediate(() => process.exit(0));
}

async function main(boot: ActorBoot): Promise<void> {
  const map = ShmMap.attach(boot.sab);
  const ctl = new ActorControl(map, boot.name);
  const i32 = ctl.i32;
  const base = ctl.base;
  const pin: PinReport = { ...pinCurrentThread(boot.cpu), sched: setCurrentThreadRealtime(boot.realtime) };
  if (boot.inbound.length > MAX_INBOUND) throw new Error(`actor ${boot.name}: at most ${MAX_INBOUND} inbound rings`);

  const mod = (await import(pathToFileURL(boot.module).href)) as { createActor?: ActorFactory; default?: ActorFactory };
  const factory = mod.createActor ?? mod.default;
  if (typeof factory !== 'function') throw new Error(`actor ${boot.name}: ${boot.module} exports no createActor`);
  const behaviour: ActorBehaviour = factory(boot.params);
  if (boot.transport === 'port') {
    // MessagePorts instead of rings (port-transport.ts): no spare, no rehearsal, no takeover.
    if (boot.spare) throw new Error(`actor ${boot.name}: transport 'port' cannot run as a warm spare`);
    armFence(ctl, boot.generation);
    await runPortActor(boot, map, ctl, pin, behaviour, {
      send,
      fence: (err) => fence(err),
      finish: (ctx, stats) => finishActor(boot, ctl, behaviour, ctx, stats),
    });
    return;
  }
  rehearse(boot, pin);

  if (boot.spare) {
    Atomics.store(i32, base + CTL.STATE, ACTOR_STATE.SPARE);
    send({ t: 'ready', generation: boot.generation, spare: true, pin });
    const idx = base + CTL.TAKEOVER;
    for (;;) {
      const v = Atomics.load(i32, idx);
      if (v === boot.generation) break;
      const r = Atomics.waitAsync(i32, idx, v);
      if (r.async) await r.value;
    }
  }
  const woke = nowUs();

  // Take the ring roles. From here on an exception escaping the behaviour fences the worker.
  armFence(ctl, boot.generation);
  const roles = takeRoles(map, ctl, boot);
  Atomics.store(i32, base + CTL.GENERATION, boot.generation);
  Atomics.add(i32, base + CTL.STARTS, 1);
  Atomics.store(i32, base + CTL.STATE, ACTOR_STATE.RUNNING);
  const run = buildRun(boot, map, ctl, pin, roles, behaviour);
  const { ctx, waiter, iterate, hasWork, framesPending, stopRequested, stats } = run;
  const drainOnStop = boot.drainOnStop === true;

  try {
    if (behaviour.onStart) await behaviour.onStart(ctx);
  } catch (err) {
    fence(err);
  }
  send(boot.spare ? { t: 'running', generation: boot.generation, woke, at: nowUs() } : { t: 'ready', generation: boot.generation, spare: false, pin });

  const hbIdx = base + CTL.HEARTBEAT;
  const finish = (): Promise<void> => finishActor(boot, ctl, behaviour, ctx, stats);

  if (boot.wait !== 'async-park') {
    clearInterval(keepAlive);
    try {
      while (!stopRequested()) {
        if (iterate() === 0 && !stopRequested()) {
          if (!waiter.waitFor(hasWork)) Atomics.add(i32, hbIdx, 1);
        }
      }
      if (drainOnStop) while (framesPending()) iterate();
    } catch (err) {
      fence(err);
    }
    await finish();
    return;
  }

  // async-park: one iteration per macrotask.
  const afterPark = (): void => {
    Atomics.add(i32, hbIdx, 1);
    tick();
  };
  const tick = (): void => {
    if (stopRequested() && !(drainOnStop && framesPending())) {
      void finish();
      return;
    }
    let work: number;
    try {
      work = iterate();
    } catch (err) {
      fence(err);
    }
    if (work > 0 || stopRequested()) {
      setImmediate(tick);
      return;
    }
    waiter.waitForAsync(hasWork).then(afterPark);
  };
  tick();
}

main(workerData as ActorBoot).catch(onEscaped);
