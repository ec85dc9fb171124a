// The supervisor's restart decision, as a pure function (DESIGN rule 1: no worker_threads, no
// timers, no fs, no Math.random; time and randomness are injected).
//
// Semantics follow Erlang/OTP's `supervisor`:
// - Strategies. one_for_one: only the exited child is restarted. one_for_all: every other present
//   child is stopped (in reverse start order), then all are started again (in start order).
//   rest_for_one: the children started after the exited one are stopped (reverse order), then the
//   exited child and those are started again (start order).
// - Restart types. permanent: always restarted, even after a normal exit. transient: restarted
//   only after an abnormal exit (anything but `normal`). temporary: never restarted; when a sibling's
//   restart stops a temporary child, it is removed, not restarted (as in OTP).
//   A child that is not restarted is removed from the supervisor; its siblings are untouched.
// - Restart intensity. A supervisor restarts at most `intensity` times within any `periodMs`
//   window (a one_for_all restart of N children counts as one restart). The restart that would be
//   the (intensity+1)-th inside the window is not done: the supervisor escalates (stops all its
//   children in reverse start order and exits abnormally; its parent sees that exit; the root
//   supervisor giving up is a clean, reported shutdown).
// - Backoff (not in OTP). Each child has a failure streak; restart number n of a streak waits
//   `raw = min(maxMs, baseMs * factor^(n-1))` scaled by jitter into [raw*(1-jitter), raw], using
//   one draw of the injected RNG (none when raw or jitter is 0) (so a seeded RNG gives the same delays every run). The streak
//   resets when the exiting incarnation had been ready for at least `stableAfterMs`. The delay of
//   a group restart (one_for_all, rest_for_one) is the exited child's delay.
// - Bootstrap failure rule. An exit before the child reported `ready` is a bootstrap failure.
//   A child gets at most `maxBootstrapRetries` restarts after bootstrap failures (default 0) in a
//   row (the count resets when it reports ready); one more bootstrap failure and the supervisor
//   does not respawn it: it escalates with reason `bootstrap` (a permanent or transient child
//   that cannot boot means the supervisor cannot keep its promise). A temporary child that fails
//   at bootstrap is simply removed. Bootstrap retries also count toward the restart intensity.
//   A supervisor is itself `ready` once all its initial children are ready, so a sub-supervisor
//   that escalates during its own start is a bootstrap failure for its parent, which therefore
//   escalates instead of looping.
//
// Invariants: `decide` never mutates its inputs; the returned state is a new object; `stop`
// lists are in reverse start order, `start` lists in start order; the exited child is never in
// `stop` (it is already gone); removed children never appear in `stop` or `start` again.

export const STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const RESTART_TYPES = ['permanent', 'transient', 'temporary'] as const;
export type RestartType = (typeof RESTART_TYPES)[number];

/** Why a child ended. `normal` is the only non-abnormal reason. */
export const EXIT_REASONS = ['normal', 'crash', 'error', 'oom', 'hang', 'escalated'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export interface BackoffSpec {
  /** Delay of the first restart of a streak, ms (0 restarts at once). */
  readonly baseMs: number;
  /** Upper bound of any delay, ms. */
  readonly maxMs: number;
  /** Growth per restart of the same streak (>= 1). */
  readonly factor: number;
  /** Fraction of the delay that is random, in [0, 1]: delay in [raw*(1-jitter), raw]. */
  readonly jitter: number;
  /** A child ready for at least this long before exiting starts a new streak. */
  readonly stableAfterMs: number;
}

export interface ChildPolicySpec {
  readonly id: string;
  readonly restart: RestartType;
}

export interface SupervisorPolicySpec {
  readonly strategy: Strategy;
  /** At most this many restarts inside any window of `periodMs`. */
  readonly intensity: number;
  readonly periodMs: number;
  readonly backoff: BackoffSpec;
  /** Restarts allowed after consecutive bootstrap failures of one child (0: none). */
  readonly maxBootstrapRetries: number;
  /** Children in start order. Ids are unique. */
  readonly children: readonly ChildPolicySpec[];
}

export const DEFAULT_BACKOFF: BackoffSpec = {
  baseMs: 0,
  maxMs: 5_000,
  factor: 2,
  jitter: 0.5,
  stableAfterMs: 10_000,
};

/** What the policy remembers between decisions. Create with `initialPolicyState`. */
export interface PolicyState {
  /** Times (ms, ascending) of the restarts that still count toward the intensity window. */
  readonly restarts: readonly number[];
  /** Per child: restarts in the current failure streak (drives backoff). */
  readonly streak: Readonly<Record<string, number>>;
  /** Per child: consecutive bootstrap failures since it was last ready. */
  readonly bootstrapFailures: Readonly<Record<string, number>>;
  /** Children removed for good (temporary exits, transient normal exits, ...). */
  readonly removed: readonly string[];
}

export interface ExitEvent {
  readonly childId: string;
  readonly reason: ExitReason;
  /** True when the child exited before it reported ready. */
  readonly duringBootstrap: boolean;
  /** When the exiting incarnation reported ready (ms, same clock as `now`), if it did. */
  readonly readyAt?: number;
}

export type Decision = RestartDecision | RemoveDecision | EscalateDecision | IgnoreDecision;

export interface RestartDecision {
  readonly kind: 'restart';
  /** Present siblings to stop before restarting, reverse start order (not the exited child). */
  readonly stop: readonly string[];
  /** Children to start, in start order (includes the exited child). */
  readonly start: readonly string[];
  /** Temporary siblings among `stop` that are removed instead of restarted. */
  readonly remove: readonly string[];
  /** Wait this long (after stopping) before starting. */
  readonly delayMs: number;
  /** Restart number of the exited child's current streak (1 for the first). */
  readonly attempt: number;
  readonly state: PolicyState;
}

export interface RemoveDecision {
  readonly kind: 'remove';
  readonly childId: string;
  readonly why: 'temporary' | 'transient_normal';
  readonly state: PolicyState;
}

export interface EscalateDecision {
  readonly kind: 'escalate';
  readonly why: 'intensity' | 'bootstrap';
  /** Every present child, reverse start order, except the exited one. */
  readonly stop: readonly string[];
  readonly state: PolicyState;
}

/** The exit came from a child that is no longer supervised (already removed). */
export interface IgnoreDecision {
  readonly kind: 'ignore';
  readonly state: PolicyState;
}

export type Rng = () => number;

export function initialPolicyState(): PolicyState {
  return { restarts: [], streak: {}, bootstrapFailures: {}, removed: [] };
}

export function isAbnormal(reason: ExitReason): boolean {
  return reason !== 'normal';
}

/** Checks a spec; throws an Error naming the first problem. */
export function validatePolicySpec(spec: SupervisorPolicySpec): void {
  if (!STRATEGIES.includes(spec.strategy)) throw new Error(`policy: unknown strategy ${String(spec.strategy)}`);
  if (!Number.isInteger(spec.intensity) || spec.intensity < 0) throw new Error('policy: intensity must be an integer >= 0');
  if (!(spec.periodMs > 0)) throw new Error('policy: periodMs must be > 0');
  if (!Number.isInteger(spec.maxBootstrapRetries) || spec.maxBootstrapRetries < 0) {
    throw new Error('policy: maxBootstrapRetries must be an integer >= 0');
  }
  const b = spec.backoff;
  if (!(b.baseMs >= 0) || !(b.maxMs >= b.baseMs)) throw new Error('policy: backoff needs 0 <= baseMs <= maxMs');
  if (!(b.factor >= 1)) throw new Error('policy: backoff factor must be >= 1');
  if (!(b.jitter >= 0 && b.jitter <= 1)) throw new Error('policy: backoff jitter must be in [0, 1]');
  if (!(b.stableAfterMs >= 0)) throw new Error('policy: backoff stableAfterMs must be >= 0');
  const seen = new Set<string>();
  for (const c of spec.children) {
    if (seen.has(c.id)) throw new Error(`policy: duplicate child id ${c.id}`);
    if (!RESTART_TYPES.includes(c.restart)) throw new Error(`policy: child ${c.id} has unknown restart type`);
    seen.add(c.id);
  }
}

/**
 * Raw (jitter-free) backoff of restart number `attempt` (>= 1) of a streak.
 * Exported for tests and for documentation tables.
 */
export function rawBackoffMs(backoff: BackoffSpec, attempt: number): number {
  if (attempt < 1) return 0;
  const raw = backoff.baseMs * Math.pow(backoff.factor, attempt - 1);
  return Math.min(backoff.maxMs, raw);
}

/** Applies jitter to a raw delay with one RNG draw in [0, 1). */
export function jittered(backoff: BackoffSpec, raw: number, draw: number): number {
  if (raw <= 0) return 0;
  const d = raw * (1 - backoff.jitter + backoff.jitter * draw);
  return Math.min(raw, Math.max(0, d));
}

function with_<K extends string, V>(rec: Readonly<Record<K, V>>, key: K, value: V): Record<K, V> {
  return { ...rec, [key]: value } as Record<K, V>;
}

/**
 * The decision for one exit event. `now` is in ms on the caller's monotonic clock; `rng` is drawn
 * exactly once for a restart with a non-zero raw delay and non-zero jitter, never otherwise.
 */
export function decide(
  spec: SupervisorPolicySpec,
  state: PolicyState,
  exit: ExitEvent,
  now: number,
  rng: Rng,
): Decision {
  const index = spec.children.findIndex((c) => c.id === exit.childId);
  if (index < 0) throw new Error(`policy: unknown child ${exit.childId}`);
  if (state.removed.includes(exit.childId)) return { kind: 'ignore', state };
  const child = spec.children[index]!;
  const abnormal = isAbnormal(exit.reason);
  const present = (id: string): boolean => !state.removed.includes(id);

  // Restart type decides whether anything happens at all.
  if (child.restart === 'temporary' || (child.restart === 'transient' && !abnormal)) {
    return {
      kind: 'remove',
      childId: child.id,
      why: child.restart === 'temporary' ? 'temporary' : 'transient_normal',
      state: { ...state, removed: [...state.removed, child.id] },
    };
  }

  const othersReverse = (): string[] => {
    const out: string[] = [];
    for (let i = spec.children.length - 1; i >= 0; i--) {
      const id = spec.children[i]!.id;
      if (id !== child.id && present(id)) out.push(id);
    }
    return out;
  };

  // Bootstrap failure rule.
  let bootstrapFailures = state.bootstrapFailures;
  if (exit.duringBootstrap) {
    const n = (state.bootstrapFailures[child.id] ?? 0) + 1;
    bootstrapFailures = with_(state.bootstrapFailures, child.id, n);
    if (n > spec.maxBootstrapRetries) {
      return {
        kind: 'escalate',
        why: 'bootstrap',
        stop: othersReverse(),
        state: { ...state, bootstrapFailures },
      };
    }
  } else if ((state.bootstrapFailures[child.id] ?? 0) !== 0) {
    bootstrapFailures = with_(state.bootstrapFailures, child.id, 0);
  }

  // Restart intensity: keep restarts inside (now - periodMs, now].
  const window = state.restarts.filter((t) => t > now - spec.periodMs);
  if (window.length + 1 > spec.intensity) {
    return {
      kind: 'escalate',
      why: 'intensity',
      stop: othersReverse(),
      state: { ...state, restarts: window, bootstrapFailures },
    };
  }

  // Which siblings go down with it.
  let group: string[];
  if (spec.strategy === 'one_for_one') {
    group = [];
  } else if (spec.strategy === 'one_for_all') {
    group = spec.children.map((c) => c.id).filter((id) => id !== child.id && present(id));
  } else {
    group = spec.children.slice(index + 1).map((c) => c.id).filter(present);
  }
  const stop = [...group].reverse();
  const remove = group.filter((id) => spec.children.find((c) => c.id === id)!.restart === 'temporary');
  const removedNow = new Set(remove);
  const start = spec.children
    .map((c) => c.id)
    .filter((id) => id === child.id || (group.includes(id) && !removedNow.has(id)));

  // Backoff.
  const stable = exit.readyAt !== undefined && now - exit.readyAt >= spec.backoff.stableAfterMs;
  const attempt = (stable ? 0 : (state.streak[child.id] ?? 0)) + 1;
  const raw = rawBackoffMs(spec.backoff, attempt);
  const delayMs = raw > 0 && spec.backoff.jitter > 0 ? jittered(spec.backoff, raw, rng()) : raw;

  return {
    kind: 'restart',
    stop,
    start,
    remove,
    delayMs,
    attempt,
    state: {
      restarts: [...window, now],
      streak: with_(state.streak, child.id, attempt),
      bootstrapFailures,
      removed: remove.length > 0 ? [...state.removed, ...remove] : state.removed,
    },
  };
}

/** The child reported ready: its bootstrap failure count starts again from zero. */
export function noteReady(state: PolicyState, childId: string): PolicyState {
  if ((state.bootstrapFailures[childId] ?? 0) === 0) return state;
  return { ...state, bootstrapFailures: with_(state.bootstrapFailures, childId, 0) };
}

/**
 * A small seeded PRNG (mulberry32) for callers that need a deterministic `Rng`.
 * The returned function keeps its state in a closure; same seed, same sequence.
 */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
