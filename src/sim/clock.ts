// The simulator's venue clock: the "server time" every simulated venue uses for timestamps,
// recvWindow / OK-ACCESS-TIMESTAMP checks, rate-limit windows and listenKey expiry.
//
// Invariants:
// - `now()` returns epoch milliseconds as an integer.
// - The system clock is the default; tests inject a ManualClock so that rate-limit windows and
//   timestamp checks are deterministic (no test depends on how fast the machine is).
// - A ManualClock never goes backwards (`set` to an earlier time throws).
// Scheduling of I/O (latency, keepalive pings, publish ticks) never uses this clock: those are
// real timers in the protocol servers.

export interface SimClock {
  /** Venue time, epoch milliseconds (integer). */
  now(): number;
}

export const systemClock: SimClock = Object.freeze({ now: (): number => Date.now() });

/** A clock that moves only when told to (tests). */
export class ManualClock implements SimClock {
  private t: number;

  constructor(startMs: number) {
    if (!Number.isSafeInteger(startMs) || startMs < 0) throw new RangeError(`ManualClock: start must be a non-negative integer of ms, got ${startMs}`);
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  advance(ms: number): number {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`ManualClock.advance: ms must be a non-negative integer, got ${ms}`);
    this.t += ms;
    return this.t;
  }

  set(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < this.t) throw new RangeError(`ManualClock.set: time must be an integer >= ${this.t}, got ${ms}`);
    this.t = ms;
  }
}
