// Worker-thread entry point of every actor (run as compiled JS: compiledModule of this file).
//
// Bootstrap order: attach the shared layout (ShmMap.attach checks magic and version), attach the
// control block, pin the thread (report, never throw), load the behaviour module and create the
// behaviour. A warm spare then reports `ready` (spare) and parks (Atomics.waitAsync, event loop
// alive, no ring touched) until the supervisor writes its generation into TAKEOVER. Only then
// (and directly for a normal start) does it attach its rings — a RingWriter/RingReader recovers
// the committed / released position, which is only safe once the previous owner has exited —
// record its generation, run onStart and report `ready` (normal) or `running` (spare).
//
// Run loop: see actor.ts. Sync strategies ('spin', 'spin-park', 'park') run a plain loop that
// never returns to the event loop until stop; 'async-park' runs one iteration per macrotask
// (setImmediate with a preallocated callback while there is work, Atomics.waitAsync when idle),
// so timers and sockets of the behaviour keep being served.
//
// Invariants: a frame is released only after onFrame returned for it and onBatchEnd ran for its
// batch; RELEASED_BASE+i is written right after release() with the next sequence number, so it
// never exceeds the ring's real released position; HEARTBEAT advances every iteration and every
// park timeout; nothing in the loop allocates per frame.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { ShmMap } from '../shm/layout.js';
import { RingReader, RingWriter } from '../shm/ring.js';
import { Waiter } from '../shm/wait.js';
import { ACTOR_STATE, ActorControl, CTL, MAX_INBOUND } from './control.js';
import { pinCurrentThread } from './pinning.js';
import type { ActorBehaviour, ActorBoot, ActorContext, ActorFactory, ActorMessage } from './actor.js';

const port = parentPort;
if (port === null) throw new Error('actor-main must run in a worker thread');

function send(msg: ActorMessage): void {
  port!.postMessage(msg);
}

// A pending Atomics.waitAsync does not keep a worker's event loop alive (the worker would end
// with code 13 "unsettled top-level await" or 0): while the actor parks asynchronously it holds
// this ref'd timer.
const keepAlive = setInterval(() => {}, 1 << 30);

async function main(boot: ActorBoot): Promise<void> {
  const map = ShmMap.attach(boot.sab);
  const ctl = new ActorControl(map, boot.name);
  const i32 = ctl.i32;
  const base = ctl.base;
  const pin = pinCurrentThread(boot.cpu);
  if (boot.inbound.length > MAX_INBOUND) throw new Error(`actor ${boot.name}: at most ${MAX_INBOUND} inbound rings`);

  const mod = (await import(pathToFileURL(boot.module).href)) as { createActor?: ActorFactory; default?: ActorFactory };
  const factory = mod.createActor ?? mod.default;
  if (typeof factory !== 'function') throw new Error(`actor ${boot.name}: ${boot.module} exports no createActor`);
  const behaviour: ActorBehaviour = factory(boot.params);

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

  // Take the ring roles.
  const inbound = boot.inbound.map((n) => RingReader.attach(map, n));
  const outbound = boot.outbound.map((n) => RingWriter.attach(map, n));
  for (const r of inbound) {
    if (r.doorbell.byteOffset !== ctl.bell.byteOffset) {
      throw new Error(`actor ${boot.name}: inbound ring ${r.name} must use doorbell ${boot.name}.bell (ringSpec(name, cap, bellRegionName('${boot.name}')))`);
    }
  }
  Atomics.store(i32, base + CTL.GENERATION, boot.generation);
  Atomics.add(i32, base + CTL.STARTS, 1);
  Atomics.store(i32, base + CTL.STATE, ACTOR_STATE.RUNNING);

  const waiterOpts = { parkTimeoutMs: boot.parkTimeoutMs, ...(boot.spinIterations === undefined ? {} : { spinIterations: boot.spinIterations }) };
  const waiter = new Waiter(boot.wait, ctl.bell, waiterOpts);
  const spaceWaiters = outbound.map((w) => new Waiter(boot.wait, w.spaceDoorbell, waiterOpts));
  let selfStop = false;
  const stopIdx = base + CTL.STOP;
  const stopRequested = (): boolean => selfStop || Atomics.load(i32, stopIdx) !== 0;
  const nIn = inbound.length;
  const hasWork = (): boolean => {
    if (selfStop || Atomics.load(i32, stopIdx) !== 0) return true;
    for (let i = 0; i < nIn; i++) if (inbound[i]!.available()) return true;
    return false;
  };

  const ctx: ActorContext = {
    name: boot.name,
    generation: boot.generation,
    params: boot.params,
    map,
    pin,
    inbound,
    outbound,
    releasedNext: (i) => Atomics.load(i32, base + CTL.RELEASED_BASE + i) >>> 0,
    waitForSpace: (i, len) => outbound[i]!.waitForSpace(len, spaceWaiters[i]!),
    waitForSpaceAsync: (i, len) => outbound[i]!.waitForSpaceAsync(len, spaceWaiters[i]!),
    stopRequested,
    stop: () => {
      selfStop = true;
    },
    report: (data) => send({ t: 'report', generation: boot.generation, data }),
  };

  if (behaviour.onStart) await behaviour.onStart(ctx);
  send(boot.spare ? { t: 'running', generation: boot.generation } : { t: 'ready', generation: boot.generation, spare: false, pin });

  const onFrame = behaviour.onFrame;
  const onBatchEnd = behaviour.onBatchEnd;
  const poll = behaviour.poll;
  const batch = boot.batch;
  const hbIdx = base + CTL.HEARTBEAT;
  const framesIdx = base + CTL.FRAMES_IN;
  const batchesIdx = base + CTL.BATCHES;
  const relBase = base + CTL.RELEASED_BASE;
  let frames = 0;
  let iterations = 0;

  /** One iteration: drain inbound rings, poll, heartbeat. Returns the work done. */
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
        frames += n;
        work += n;
      }
    }
    if (poll !== undefined) work += poll(ctx);
    Atomics.add(i32, hbIdx, 1);
    iterations++;
    return work;
  };

  const finish = async (): Promise<void> => {
    Atomics.store(i32, base + CTL.STATE, ACTOR_STATE.STOPPING);
    if (behaviour.onStop) await behaviour.onStop(ctx);
    Atomics.store(i32, base + CTL.STATE, ACTOR_STATE.STOPPED);
    send({ t: 'stopped', generation: boot.generation, frames, iterations });
    // Let the message go out, then end the thread even if the behaviour left handles open.
    setImmediate(() => process.exit(0));
  };

  if (boot.wait !== 'async-park') {
    clearInterval(keepAlive);
    while (!stopRequested()) {
      if (iterate() === 0 && !stopRequested()) {
        if (!waiter.waitFor(hasWork)) Atomics.add(i32, hbIdx, 1);
      }
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
    if (stopRequested()) {
      void finish();
      return;
    }
    if (iterate() > 0 || stopRequested()) {
      setImmediate(tick);
      return;
    }
    waiter.waitForAsync(hasWork).then(afterPark);
  };
  tick();
}

main(workerData as ActorBoot).catch((err: unknown) => {
  // Rethrow outside the promise chain: the worker ends with an 'error' event and exit code 1.
  setImmediate(() => {
    throw err;
  });
});
