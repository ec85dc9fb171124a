// Reconnect / retry delays: exponential backoff with jitter, from an injected RNG (seeded in
// tests, so a reconnect schedule is reproducible). Pure: no timers, no clock.
//
// delay(attempt) = min(maxMs, baseMs * factor^attempt); the returned wait is
//   delay * (1 - jitter) + rng() * delay * jitter        (jitter in [0, 1]; 1 = "full jitter")
// Invariants: every wait is in [0, maxMs]; the un-jittered delay never decreases between resets;
// `reset()` (after a connection proved healthy) starts again from baseMs. `immediate()` is the
// zero wait used for proactive reconnects (server-shutdown notices), and does not count as an
// attempt.

/** A source of uniform doubles in [0, 1). `seededRng(seed)` from the supervisor policy fits. */
export type Rng = () => number;

export interface BackoffOptions {
  /** First delay, ms. Default 100. */
  readonly baseMs?: number;
  /** Largest delay, ms. Default 10_000. */
  readonly maxMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** Fraction of the delay that is random, in [0, 1]. Default 0.5. */
  readonly jitter?: number;
}

export class Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  /** Attempts since the last reset. */
  attempt = 0;

  constructor(
    opts: BackoffOptions,
    private readonly rng: Rng,
  ) {
    this.baseMs = opts.baseMs ?? 100;
    this.maxMs = opts.maxMs ?? 10_000;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0.5;
    if (!(this.baseMs >= 0) || !(this.maxMs >= this.baseMs)) throw new RangeError('backoff: need 0 <= baseMs <= maxMs');
    if (!(this.factor >= 1)) throw new RangeError('backoff: factor must be >= 1');
    if (!(this.jitter >= 0 && this.jitter <= 1)) throw new RangeError('backoff: jitter must be in [0, 1]');
  }

  /** The un-jittered delay of attempt `n`. */
  delayOf(n: number): number {
    const d = this.baseMs * Math.pow(this.factor, n);
    return d > this.maxMs || !Number.isFinite(d) ? this.maxMs : d;
  }

  /** The wait before the next attempt (and counts the attempt). */
  next(): number {
    const d = this.delayOf(this.attempt);
    this.attempt++;
    const r = this.rng();
    const u = r >= 0 && r < 1 ? r : 0;
    return Math.round(d * (1 - this.jitter) + u * d * this.jitter);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** A tiny seeded RNG (mulberry32), for callers that have no RNG of their own. */
export function mulberry32(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
