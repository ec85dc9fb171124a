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
//   C: L  v = Atomics.load(WAKE)           read the futex word FIRST
//      S  Atomics.store(SLEEP, 1)          then announce
//      K  if (hasWork()) { clear; return }  re-check every inbound ring (Atomics.load of indices)
//      W  Atomics.wait(WAKE, v, timeout)   park only if WAKE still == v
//      X  Atomics.store(SLEEP, 0)
//   P: publish the frame (Atomics.store of the producer index)            E
//      if (Atomics.load(SLEEP) === 1 && Atomics.compareExchange(SLEEP, 1, 0) === 1) {   T
//        Atomics.add(WAKE, 1); Atomics.notify(WAKE)                       A, N
//      }
// A producer makes no syscall and no RMW while the consumer is awake (SLEEP == 0): one plain
// load. The compareExchange lets exactly one producer notify per announcement.
//
// Why no wake-up is lost. Every access above is an Atomics operation, hence sequentially
// consistent: all threads agree on one total order "<" of them, consistent with program order.
// Only the consumer ever writes 1 to SLEEP, and it clears SLEEP itself only after K found work
// or after W returned. Take a park P that goes to sleep in W while a frame E is published and
// not consumed. K saw no work, so K < E (K read an older index): L < S < K < E < T.
//   - If T's exchange wins, A > T > L: WAKE no longer equals v when W compares, or W was enqueued
//     before A and N wakes it.
//   - Otherwise SLEEP was 0 at T. P's own S wrote 1 and the consumer did not clear it (P is still
//     before X), so a producer Q's exchange cleared it, after S. Then A_Q > S > L, and Q's
//     notify N_Q wakes P (same argument).
//   Atomics.wait compares WAKE with v and enqueues the waiter atomically with respect to
//   Atomics.notify, which is what both cases rely on. So no park stays asleep while a published
//   frame is unseen, and after every park the caller re-checks its rings.
// The order L before S matters. With S before L, a producer that published a frame the consumer
// then found by itself (and consumed) could clear the NEXT announcement and add to WAKE between
// S and L: L would read the incremented word, W would sleep with SLEEP already 0, and no later
// producer would ring. (That interleaving needs the consumer preempted between S and L; a loaded
// 2-core machine produced it after 0.1 to 4 million parks. test/shm/wait.test.ts replays it
// deterministically through announced(), below.)
// Extra wake-ups are possible and harmless: a producer that won the exchange for a frame the
// consumer had already found ends the park with no work (waitFor returns false, the caller loops).
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
  /** How the last park ended: 'ok' (notified), 'not-equal' (the futex word moved between the
   * read and the wait: a producer rang meanwhile), 'timed-out'; 'none' before the first park. */
  lastPark: 'ok' | 'not-equal' | 'timed-out' | 'none' = 'none';

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
    const v = Atomics.load(i32, this.wake);
    Atomics.store(i32, this.sleep, 1);
    this.announced();
    if (hasWork()) {
      Atomics.store(i32, this.sleep, 0);
      return true;
    }
    i32[this.parksIdx] = (i32[this.parksIdx]! + 1) | 0;
    this.lastPark = Atomics.wait(i32, this.wake, v, this.parkTimeoutMs);
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
    const v = Atomics.load(i32, this.wake);
    Atomics.store(i32, this.sleep, 1);
    this.announced();
    if (hasWork()) {
      Atomics.store(i32, this.sleep, 0);
      return true;
    }
    i32[this.parksIdx] = (i32[this.parksIdx]! + 1) | 0;
    const r = Atomics.waitAsync(i32, this.wake, v, this.parkTimeoutMs);
    this.lastPark = r.async ? await r.value : r.value;
    Atomics.store(i32, this.sleep, 0);
    return hasWork();
  }

  /**
   * Called after the parker announced itself (SLEEP = 1) and before its last check for work.
   * Empty; a subclass can override it to run a producer step inside that window (the wake-up
   * protocol's regression test does) or to trace parks.
   */
  protected announced(): void {}

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
