// Helpers for the actor tests: an event recorder and a generous poll-until (no timing
// assertions: we only wait, with large timeouts, for things that must eventually happen).
import type { Supervisor, SupervisorEvent } from '../../src/actors/supervisor.js';

export class EventLog {
  readonly events: SupervisorEvent[] = [];
  private readonly waiters: { pred: (e: SupervisorEvent) => boolean; resolve: (e: SupervisorEvent) => void }[] = [];

  readonly listener = (e: SupervisorEvent): void => {
    this.events.push(e);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.pred(e)) {
        this.waiters.splice(i, 1);
        w.resolve(e);
      }
    }
  };

  /** Events of `type` (optionally for `child`). */
  of<T extends SupervisorEvent['type']>(type: T, child?: string): Extract<SupervisorEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type && (child === undefined || ('child' in e && e.child === child))) as Extract<SupervisorEvent, { type: T }>[];
  }

  /** Resolves with the `n`-th event (1-based, counting past events too) matching `pred`. */
  async nth(n: number, pred: (e: SupervisorEvent) => boolean, timeoutMs = 60_000): Promise<SupervisorEvent> {
    let seen = this.events.filter(pred).length;
    if (seen >= n) return this.events.filter(pred)[n - 1]!;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout waiting for event #${n}; log:\n${this.dump()}`)), timeoutMs);
      const w = {
        pred: (e: SupervisorEvent) => pred(e) && ++seen >= n,
        resolve: (e: SupervisorEvent) => {
          clearTimeout(t);
          resolve(e);
        },
      };
      this.waiters.push(w);
    });
  }

  /** Waits for the n-th event of `type` for `child`. */
  waitFor(type: SupervisorEvent['type'], child?: string, n = 1, timeoutMs = 60_000): Promise<SupervisorEvent> {
    return this.nth(n, (e) => e.type === type && (child === undefined || ('child' in e && e.child === child)), timeoutMs);
  }

  dump(): string {
    return this.events.map((e) => `${e.type} ${'child' in e ? e.child : ''} ${JSON.stringify(e)}`).join('\n');
  }

  /** Generations started and never seen exiting, stopping or being reaped (workers possibly
   * alive). A fenced worker's 'exited' does not count: its thread lives until 'reaped'. */
  aliveGenerations(): number[] {
    const started = new Set<number>();
    for (const e of this.events) if (e.type === 'started') started.add(e.generation);
    for (const e of this.events) {
      if ((e.type === 'exited' && !e.fenced) || e.type === 'stopped' || e.type === 'reaped') started.delete(e.generation);
    }
    return [...started];
  }

  /** Index in the log of the first event matching `pred` (-1 when none). */
  indexOf(pred: (e: SupervisorEvent) => boolean): number {
    return this.events.findIndex(pred);
  }
}

export function attachLog(sup: Supervisor): EventLog {
  const log = new EventLog();
  sup.on(log.listener);
  return log;
}

/** Polls `cond` every 10 ms until true; fails after `timeoutMs` with `what`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
