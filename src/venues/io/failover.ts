// Failover policy of a venue order channel (src/venues/order-channel.ts): which of its endpoints
// (0 = primary, 1 = backup: another host, or REST behind the WS order API) carries requests, and
// when to switch. Pure and deterministic: no clocks or I/O of its own; the channel feeds it the
// outcome and latency of every request.
//
// Rules:
// - A transport failure (timeout, disconnect, 5xx, garbled answer, request not sent because the
//   socket is down) on the ACTIVE endpoint counts; `errorThreshold` of them in a row switch.
// - A successful placement whose ack latency exceeds `latencyMs` counts as slow; `slowThreshold`
//   slow placements in a row switch. A fast success resets both streaks.
// - Venue answers (rejects, rate limits, unknown order) say the endpoint works: they reset the
//   error streak and never switch (a rate limit is per account, another endpoint does not help).
// - Results from the endpoint that is not active (late answers after a switch) are ignored.
// - With two endpoints a switch goes to the other one; with one endpoint there is never a switch.
import type { VenueErrorInfo } from '../types.js';

export interface FailoverOptions {
  /** Consecutive transport failures on the active endpoint that switch. Default 2. */
  readonly errorThreshold?: number;
  /** An ack slower than this (ms) is slow. Default 500. */
  readonly latencyMs?: number;
  /** Consecutive slow acks that switch. Default 3. */
  readonly slowThreshold?: number;
}

export type FailoverReason = 'errors' | 'latency' | 'manual';

export interface FailoverDecision {
  readonly from: number;
  readonly to: number;
  readonly reason: FailoverReason;
  /** Human-readable detail (the last error's code, the latencies). */
  readonly detail: string;
  /** Clock (ms, the caller's) when the failing streak began: the first failed request's send time. */
  readonly streakStartMs: number;
}

/** Whether an error says the endpoint (not the venue's business logic) failed. */
export function isTransportFailure(e: VenueErrorInfo): boolean {
  if (e.outcome === 'unknown') return true; // timeout, disconnect, 5xx, garbled, venue "status unknown"
  return e.code === 'VENUE_UNAVAILABLE' || e.code === 'TIMEOUT'; // known: not sent (socket down)
}

export class FailoverPolicy {
  readonly errorThreshold: number;
  readonly latencyMs: number;
  readonly slowThreshold: number;
  private active_ = 0;
  private errors = 0;
  private slow = 0;
  private streakStartMs = 0;
  private switches_ = 0;

  constructor(readonly endpoints: number, opts: FailoverOptions = {}) {
    if (!(endpoints === 1 || endpoints === 2)) throw new RangeError('failover: 1 or 2 endpoints');
    this.errorThreshold = opts.errorThreshold ?? 2;
    this.latencyMs = opts.latencyMs ?? 500;
    this.slowThreshold = opts.slowThreshold ?? 3;
    for (const [k, v] of [['errorThreshold', this.errorThreshold], ['slowThreshold', this.slowThreshold]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`failover: ${k} must be an integer >= 1`);
    }
    if (!(this.latencyMs > 0)) throw new RangeError('failover: latencyMs must be > 0');
  }

  get active(): number {
    return this.active_;
  }
  get switches(): number {
    return this.switches_;
  }

  /** A request on `endpoint`, sent at `sentMs`, failed in transport. */
  onTransportFailure(endpoint: number, sentMs: number, detail: string): FailoverDecision | null {
    if (endpoint !== this.active_) return null;
    if (this.errors === 0 && this.slow === 0) this.streakStartMs = sentMs;
    this.errors++;
    if (this.errors < this.errorThreshold) return null;
    return this.switchTo('errors', `${this.errors} transport failures in a row (last: ${detail})`);
  }

  /**
   * A request on `endpoint` got a venue answer after `latencyMs`. `placement`: it was an order
   * placement (only those count for ack latency).
   */
  onAnswer(endpoint: number, sentMs: number, latencyMs: number, placement: boolean): FailoverDecision | null {
    if (endpoint !== this.active_) return null;
    this.errors = 0;
    if (!placement) return null;
    if (latencyMs <= this.latencyMs) {
      this.slow = 0;
      return null;
    }
    if (this.slow === 0) this.streakStartMs = sentMs;
    this.slow++;
    if (this.slow < this.slowThreshold) return null;
    return this.switchTo('latency', `${this.slow} acks slower than ${this.latencyMs} ms in a row (last ${latencyMs.toFixed(1)} ms)`);
  }

  /** Operator-requested switch (control plane). */
  manual(nowMs: number): FailoverDecision | null {
    this.streakStartMs = nowMs;
    return this.switchTo('manual', 'requested');
  }

  private switchTo(reason: FailoverReason, detail: string): FailoverDecision | null {
    if (this.endpoints < 2) {
      this.errors = 0;
      this.slow = 0;
      return null;
    }
    const from = this.active_;
    this.active_ = from ^ 1;
    this.errors = 0;
    this.slow = 0;
    this.switches_++;
    return { from, to: this.active_, reason, detail, streakStartMs: this.streakStartMs };
  }
}
