// Coalesced refresh: runs an async task on request with at most one run in flight and at most
// one queued behind it. Requests that arrive while a run is in flight collapse into the single
// queued run, which starts after the current one ends (so a change that happened while a fetch
// was already reading still gets a fetch that sees it). Used by the Binance USD-M user stream to
// answer ACCOUNT_UPDATE events with REST balance re-fetches.
//
// Invariants:
// - Never more than one run at a time; never more than one run waiting.
// - A run that throws or rejects is counted and does not stop later runs; nothing escapes.
// - After `stop()` no run starts (a run in flight finishes; its caller checks `stopped`).
export interface CoalesceCounters {
  /** request() calls. */
  requested: number;
  /** Runs started. */
  runs: number;
  /** Requests absorbed by an already queued run. */
  coalesced: number;
  /** Runs that threw or rejected. */
  failures: number;
}

export class CoalescedRefresh {
  readonly counters: CoalesceCounters = { requested: 0, runs: 0, coalesced: 0, failures: 0 };
  private running = false;
  private inFlight: Promise<void> = Promise.resolve();
  private queued = false;
  stopped = false;

  constructor(private readonly task: () => Promise<void>) {}

  /** Asks for a run: starts one now, or queues one behind the run in flight. */
  request(): void {
    if (this.stopped) return;
    this.counters.requested++;
    if (this.running) {
      if (this.queued) this.counters.coalesced++;
      this.queued = true;
      return;
    }
    this.running = true;
    this.inFlight = this.loop();
  }

  /** True while a run is in flight or queued. */
  get busy(): boolean {
    return this.running;
  }

  /** Resolves when no run is in flight or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    this.queued = false;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.queued = false;
        this.counters.runs++;
        try {
          await this.task();
        } catch {
          this.counters.failures++;
        }
      } while (this.queued && !this.stopped);
    } finally {
      // cleared in the same turn as the last `queued` check: a request() after this starts a run
      this.running = false;
    }
  }
}
