// Wait strategies and the doorbell they park on. A consumer (or a producer waiting for space)
// waits until a predicate says it has work; how it waits is chosen per actor:
//   'spin'        re-check the predicate in a loop, with Atomics.pause() between checks where the
//                 runtime has it (feature-detected; Node 24 has it). Burns a core, lowest latency.
//   'spin-park'   spin `spinIterations` times, then park on the doorbell with Atomics.wait.
//   'park'        park at once (no spin).
//   'async-park'  park with Atomics.waitAsync, so the thread's event loop (sockets, timers) keeps
//                 running while it waits. waitForAsync() serves it; waitFor() (synchronous) with
//                 'async-park' parks synchronously like 'park'. waitForAsync() with any strategy
//                 spins `spinIterations` times (default 0 except for 'spin-park'), then parks
//                 asynchronously: an endless spin cannot keep an event loop served.
// waitFor()/waitForAsync() return true as soon as the predicate is true, and false when a park
// ended (notified, spurious or timed out) or the spin budget (`parkTimeoutMs` for 'spin') ran out
// with no work: callers loop, and use the return to run periodic duties such as heartbeats.
//
// Doorbell (one cache line, formats.ts): WAKE is the futex word, SLEEP the "I am parking" flag.
//
// Parking protocol (consumer C, any number of producers P):
//   C: S  Atomics.store(SLEEP, 1)          announce
//      L  v = Atomics.load(WAKE)           read the futex word BEFORE the last check
//      K  if (hasWork()) { clear; return }  re-check every inbound ring (Atomics.load of indices)
//      W  Atomics.wait(WAKE, v, timeout)   park only if WAKE still == v
//      X  Atomics.store(SLEEP, 0)
//   P: publish the frame (Atomics.store of the producer index)            E
//      if (Atomics.load(SLEEP) === 1 && Atomics.compareExchange(SLEEP, 1, 0) === 1) {   T
//        Atomics.add(WAKE, 1); Atomics.notify(WAKE)                       A, N
//      }
// A producer makes no syscall and no RMW while the consumer is awake (SLEEP == 0): one plain
// load. The compareExchange lets exactly one producer notify per park.
//
// Why no wake-up is lost. Every access above is an Atomics operation, hence sequentially
// consistent: all threads agree on one total order "<" of them, consistent with program order.
// Only the consumer ever writes 1 to SLEEP. Take a publish E (with its check T) and let P be the
// consumer's last park whose S precedes T.
//   - Every later park has S > T > E, so its re-check K > E sees the frame: it does not sleep.
//   - Park P: if its K saw E, it does not sleep. Otherwise K < E (K read an older index), so
//     S < E < T. Between S and T, SLEEP (1 from S) can only have been reset to 0 by the
//     consumer's own X (then W has already returned) or by a producer Q whose exchange read 1
//     after S and which then does A_Q and N_Q (Q may be T itself). If A_Q < L, then Q's publish
//     E_Q < A_Q < L < K and K would have seen work, so P would not sleep; hence A_Q > L. Atomics.wait
//     compares WAKE with v and enqueues the waiter atomically with respect to Atomics.notify:
//     if the comparison is after A_Q it sees WAKE != v and returns; otherwise the waiter is
//     enqueued before N_Q (> A_Q) and N_Q wakes it.
//   So no park stays asleep while a published frame is unseen, and after every park the caller
//   re-checks its rings. With parkTimeoutMs = Infinity a lost wake-up would be a hang: the test
//   test/shm/wait.test.ts runs 200,000 single-frame ping-pongs between two threads that park.
// Extra wake-ups are possible and harmless: a producer that won the exchange of park k can be
// descheduled before A/N while the consumer finds its frame by itself; its late notify then ends
// park k+1 with no work (waitFor returns false, the caller loops).
// Backpressure uses the same protocol in the other direction: the producer parks on the ring's
// producer doorbell with "ring has space" as predicate, the consumer's release() is the publish.
import type { ShmMap } from './layout.js';
import { DOORBELL_PARKS, DOORBELL_SLEEP, DOORBELL_WAKE } from './formats.js';

export type WaitStrategyName = 'spin' | 'spin-park' | 'park' | 'async-park';
export const WAIT_STRATEGIES: readonly WaitStrategyName[] = ['spin', 'spin-park', 'park', 'async-park'];

type PauseFn = (n?: number) => void;
const atomicsPause: PauseFn | undefined = (Atomics as unknown as { pause?: PauseFn }).pause;
/** True when the runtime has Atomics.pause (Node 24 does). */
export const HAS_ATOMICS_PAUSE: boolean = typeof atomicsPause === 'function';
/** A CPU spin-wait hint where available, a no-op otherwise. */
export const cpuPause: () => void = HAS_ATOMICS_PAUSE ? () => atomicsPause!() : () => {};

/** A doorbell word pair in shared memory (a 'doorbell' region, or a ring's internal one). */
export class Doorbell {
  readonly i32: Int32Array;
  /** Int32 index of the futex word. */
  readonly wakeIndex: number;
  /** Int32 index of the sleeping flag. */
  readonly sleepIndex: number;
  readonly parksIndex: number;
  /** Absolute byte offset of the doorbell in the SharedArrayBuffer. */
  readonly byteOffset: number;

  constructor(sab: SharedArrayBuffer, byteOffset: number) {
    this.i32 = new Int32Array(sab);
    this.byteOffset = byteOffset;
    this.wakeIndex = (byteOffset + DOORBELL_WAKE) >> 2;
    this.sleepIndex = (byteOffset + DOORBELL_SLEEP) >> 2;
    this.parksIndex = (byteOffset + DOORBELL_PARKS) >> 2;
  }

  /** A named 'doorbell' region. */
  static attach(map: ShmMap, name: string): Doorbell {
    return new Doorbell(map.sab, map.region(name, 'doorbell').offset);
  }

  /** Producer side, after publishing: wake the parker if (and only if) it announced parking. */
  ring(): void {
    const i32 = this.i32;
    if (Atomics.load(i32, this.sleepIndex) !== 0 && Atomics.compareExchange(i32, this.sleepIndex, 1, 0) === 1) {
      Atomics.add(i32, this.wakeIndex, 1);
      Atomics.notify(i32, this.wakeIndex);
    }
  }

  /** Number of notifications sent so far (each winning ring() adds one to the futex word). */
  get notifies(): number {
    return Atomics.load(this.i32, this.wakeIndex) >>> 0;
  }

  /** Number of times a waiter parked on this doorbell. */
  get parks(): number {
    return Atomics.load(this.i32, this.parksIndex) >>> 0;
  }

  /** Whether a waiter currently announces it is parking. */
  get sleeping(): boolean {
    return Atomics.load(this.i32, this.sleepIndex) !== 0;
  }
}

export interface WaiterOptions {
  /** Spins before parking ('spin-park'; also before an async park). Default 2000 for
   * 'spin-park', 0 for 'park' and 'async-park'. */
  spinIterations?: number;
  /** Longest single park (and, for 'spin', the longest spin) before returning false, in ms.
   * Default 100. Infinity parks until notified. */
  parkTimeoutMs?: number;
}

const CLOCK_CHECK_MASK = 1023;

export class Waiter {
  readonly strategy: WaitStrategyName;
  readonly doorbell: Doorbell;
  readonly spinIterations: number;
  readonly parkTimeoutMs: number;
  private readonly i32: Int32Array;
  private readonly wake: number;
  private readonly sleep: number;
  private readonly parksIdx: number;

  constructor(strategy: WaitStrategyName, doorbell: Doorbell, opts: WaiterOptions = {}) {
    if (!WAIT_STRATEGIES.includes(strategy)) throw new TypeError(`unknown wait strategy '${String(strategy)}'`);
    this.strategy = strategy;
    this.doorbell = doorbell;
    this.spinIterations = opts.spinIterations ?? (strategy === 'spin-park' ? 2000 : 0);
    this.parkTimeoutMs = opts.parkTimeoutMs ?? 100;
    this.i32 = doorbell.i32;
    this.wake = doorbell.wakeIndex;
    this.sleep = doorbell.sleepIndex;
    this.parksIdx = doorbell.parksIndex;
  }

  /**
   * Waits (synchronously) until `hasWork()` is true -> true, or until one park ends / the spin
   * budget runs out without work -> false. Allocates nothing: pass a predicate created once.
   */
  waitFor(hasWork: () => boolean): boolean {
    if (hasWork()) return true;
    if (this.strategy === 'spin') return this.spinUntil(hasWork);
    for (let i = this.spinIterations; i > 0; i--) {
      cpuPause();
      if (hasWork()) return true;
    }
    const i32 = this.i32;
    Atomics.store(i32, this.sleep, 1);
    const v = Atomics.load(i32, this.wake);
    if (hasWork()) {
      Atomics.store(i32, this.sleep, 0);
      return true;
    }
    i32[this.parksIdx] = (i32[this.parksIdx]! + 1) | 0;
    Atomics.wait(i32, this.wake, v, this.parkTimeoutMs);
    Atomics.store(i32, this.sleep, 0);
    return hasWork();
  }

  /** Like waitFor, but parks with Atomics.waitAsync so the event loop keeps running. */
  async waitForAsync(hasWork: () => boolean): Promise<boolean> {
    if (hasWork()) return true;
    for (let i = this.spinIterations; i > 0; i--) {
      cpuPause();
      if (hasWork()) return true;
    }
    const i32 = this.i32;
    Atomics.store(i32, this.sleep, 1);
    const v = Atomics.load(i32, this.wake);
    if (hasWork()) {
      Atomics.store(i32, this.sleep, 0);
      return true;
    }
    i32[this.parksIdx] = (i32[this.parksIdx]! + 1) | 0;
    const r = Atomics.waitAsync(i32, this.wake, v, this.parkTimeoutMs);
    if (r.async) await r.value;
    Atomics.store(i32, this.sleep, 0);
    return hasWork();
  }

  private spinUntil(hasWork: () => boolean): boolean {
    const timeout = this.parkTimeoutMs;
    const deadline = timeout === Infinity ? Infinity : performance.now() + timeout;
    for (let i = 1; ; i++) {
      cpuPause();
      if (hasWork()) return true;
      if ((i & CLOCK_CHECK_MASK) === 0 && performance.now() >= deadline) return false;
    }
  }
}
