// Unit tests of the pure restart policy: no threads, no timers; time is a number, randomness a
// seeded RNG.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_BACKOFF,
  decide,
  initialPolicyState,
  jittered,
  noteReady,
  rawBackoffMs,
  seededRng,
  validatePolicySpec,
  type BackoffSpec,
  type ChildPolicySpec,
  type Decision,
  type ExitEvent,
  type PolicyState,
  type RestartDecision,
  type Strategy,
  type SupervisorPolicySpec,
} from '../../src/actors/supervisor-policy.js';

const NO_BACKOFF: BackoffSpec = { baseMs: 0, maxMs: 0, factor: 1, jitter: 0, stableAfterMs: 1_000 };

function spec(
  strategy: Strategy,
  children: ChildPolicySpec[] = [
    { id: 'a', restart: 'permanent' },
    { id: 'b', restart: 'permanent' },
    { id: 'c', restart: 'permanent' },
    { id: 'd', restart: 'permanent' },
  ],
  over: Partial<SupervisorPolicySpec> = {},
): SupervisorPolicySpec {
  return { strategy, intensity: 10, periodMs: 5_000, backoff: NO_BACKOFF, maxBootstrapRetries: 0, children, ...over };
}

const crash = (childId: string, readyAt = 0): ExitEvent => ({ childId, reason: 'crash', duringBootstrap: false, readyAt });
const normal = (childId: string, readyAt = 0): ExitEvent => ({ childId, reason: 'normal', duringBootstrap: false, readyAt });
const boot = (childId: string): ExitEvent => ({ childId, reason: 'crash', duringBootstrap: true });
const noRng = (): number => {
  throw new Error('rng must not be drawn');
};

function asRestart(d: Decision): RestartDecision {
  expect(d.kind).toBe('restart');
  return d as RestartDecision;
}

describe('supervisor policy: strategies', () => {
  it('one_for_one restarts only the exited child', () => {
    const d = asRestart(decide(spec('one_for_one'), initialPolicyState(), crash('b'), 100, noRng));
    expect(d.stop).toEqual([]);
    expect(d.start).toEqual(['b']);
    expect(d.remove).toEqual([]);
    expect(d.delayMs).toBe(0);
  });

  it('one_for_all stops every other child in reverse start order, restarts all in start order', () => {
    const d = asRestart(decide(spec('one_for_all'), initialPolicyState(), crash('b'), 100, noRng));
    expect(d.stop).toEqual(['d', 'c', 'a']);
    expect(d.start).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rest_for_one stops the children started after the exited one and restarts them with it', () => {
    const d = asRestart(decide(spec('rest_for_one'), initialPolicyState(), crash('b'), 100, noRng));
    expect(d.stop).toEqual(['d', 'c']);
    expect(d.start).toEqual(['b', 'c', 'd']);
    const last = asRestart(decide(spec('rest_for_one'), initialPolicyState(), crash('d'), 100, noRng));
    expect(last.stop).toEqual([]);
    expect(last.start).toEqual(['d']);
    const first = asRestart(decide(spec('rest_for_one'), initialPolicyState(), crash('a'), 100, noRng));
    expect(first.stop).toEqual(['d', 'c', 'b']);
    expect(first.start).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a group restart counts as one restart toward the intensity', () => {
    const d = asRestart(decide(spec('one_for_all'), initialPolicyState(), crash('a'), 100, noRng));
    expect(d.state.restarts).toEqual([100]);
  });

  it('every reason except normal is abnormal (crash, error, oom, hang, escalated)', () => {
    const s = spec('one_for_one', [{ id: 't', restart: 'transient' }]);
    for (const reason of ['crash', 'error', 'oom', 'hang', 'escalated'] as const) {
      const d = decide(s, initialPolicyState(), { childId: 't', reason, duringBootstrap: false, readyAt: 0 }, 1, noRng);
      expect(d.kind).toBe('restart');
    }
  });
});

describe('supervisor policy: restart types', () => {
  const kids: ChildPolicySpec[] = [
    { id: 'p', restart: 'permanent' },
    { id: 't', restart: 'transient' },
    { id: 'x', restart: 'temporary' },
    { id: 'q', restart: 'permanent' },
  ];

  it('permanent is restarted after a normal exit and after a crash', () => {
    expect(asRestart(decide(spec('one_for_one', kids), initialPolicyState(), normal('p'), 1, noRng)).start).toEqual(['p']);
    expect(asRestart(decide(spec('one_for_one', kids), initialPolicyState(), crash('p'), 1, noRng)).start).toEqual(['p']);
  });

  it('transient is restarted after an abnormal exit only; a normal exit removes it', () => {
    expect(asRestart(decide(spec('one_for_one', kids), initialPolicyState(), crash('t'), 1, noRng)).start).toEqual(['t']);
    const d = decide(spec('one_for_one', kids), initialPolicyState(), normal('t'), 1, noRng);
    expect(d).toMatchObject({ kind: 'remove', childId: 't', why: 'transient_normal' });
    expect(d.state.removed).toEqual(['t']);
    expect(d.state.restarts).toEqual([]);
  });

  it('temporary is never restarted, whatever the reason, and its siblings are untouched', () => {
    for (const strategy of ['one_for_one', 'one_for_all', 'rest_for_one'] as const) {
      for (const ev of [crash('x'), normal('x'), boot('x')]) {
        const d = decide(spec(strategy, kids), initialPolicyState(), ev, 1, noRng);
        expect(d).toMatchObject({ kind: 'remove', childId: 'x', why: 'temporary' });
      }
    }
  });

  it('a temporary sibling stopped by a group restart is removed, not restarted; a transient one is restarted', () => {
    const d = asRestart(decide(spec('one_for_all', kids), initialPolicyState(), crash('p'), 1, noRng));
    expect(d.stop).toEqual(['q', 'x', 't']);
    expect(d.remove).toEqual(['x']);
    expect(d.start).toEqual(['p', 't', 'q']);
    expect(d.state.removed).toEqual(['x']);
    const r = asRestart(decide(spec('rest_for_one', kids), initialPolicyState(), crash('t'), 1, noRng));
    expect(r.stop).toEqual(['q', 'x']);
    expect(r.remove).toEqual(['x']);
    expect(r.start).toEqual(['t', 'q']);
  });

  it('removed children are skipped by later group restarts, and their late exits are ignored', () => {
    let state: PolicyState = initialPolicyState();
    state = decide(spec('one_for_all', kids), state, normal('t'), 1, noRng).state;
    const d = asRestart(decide(spec('one_for_all', kids), state, crash('q'), 2, noRng));
    expect(d.stop).toEqual(['x', 'p']);
    expect(d.start).toEqual(['p', 'q']);
    expect(d.remove).toEqual(['x']);
    expect(decide(spec('one_for_all', kids), d.state, crash('x'), 3, noRng).kind).toBe('ignore');
    expect(decide(spec('one_for_all', kids), d.state, crash('t'), 3, noRng).kind).toBe('ignore');
  });

  it('an unknown child is a programming error', () => {
    expect(() => decide(spec('one_for_one'), initialPolicyState(), crash('zz'), 1, noRng)).toThrow(/unknown child/);
  });
});

describe('supervisor policy: restart intensity and escalation', () => {
  it('allows `intensity` restarts within the period and escalates on the next one', () => {
    const s = spec('one_for_one', undefined, { intensity: 3, periodMs: 1_000 });
    let state = initialPolicyState();
    for (const t of [0, 100, 200]) {
      const d = asRestart(decide(s, state, crash('a'), t, noRng));
      state = d.state;
    }
    const d = decide(s, state, crash('c'), 300, noRng);
    expect(d.kind).toBe('escalate');
    if (d.kind === 'escalate') {
      expect(d.why).toBe('intensity');
      expect(d.stop).toEqual(['d', 'b', 'a']);
    }
  });

  it('the window slides: old restarts stop counting once they are periodMs old', () => {
    const s = spec('one_for_one', undefined, { intensity: 2, periodMs: 1_000 });
    let state = initialPolicyState();
    state = asRestart(decide(s, state, crash('a'), 0, noRng)).state;
    state = asRestart(decide(s, state, crash('a'), 500, noRng)).state;
    // At t=999 both still count: escalate.
    expect(decide(s, state, crash('a'), 999, noRng).kind).toBe('escalate');
    // At t=1000 the restart at t=0 has left the window (window is (now-period, now]).
    const d = asRestart(decide(s, state, crash('a'), 1_000, noRng));
    expect(d.state.restarts).toEqual([500, 1_000]);
    expect(decide(s, d.state, crash('b'), 1_499, noRng).kind).toBe('escalate');
    expect(decide(s, d.state, crash('b'), 1_500, noRng).kind).toBe('restart');
  });

  it('intensity 0 escalates on the first restart', () => {
    const d = decide(spec('one_for_all', undefined, { intensity: 0 }), initialPolicyState(), crash('b'), 0, noRng);
    expect(d).toMatchObject({ kind: 'escalate', why: 'intensity', stop: ['d', 'c', 'a'] });
  });

  it('removals do not count toward the intensity', () => {
    const s = spec('one_for_one', [{ id: 'x', restart: 'temporary' }, { id: 'a', restart: 'permanent' }], { intensity: 1 });
    let state = decide(s, initialPolicyState(), crash('x'), 0, noRng).state;
    expect(state.restarts).toEqual([]);
    state = asRestart(decide(s, state, crash('a'), 1, noRng)).state;
    const esc = decide(s, state, crash('a'), 2, noRng);
    expect(esc).toMatchObject({ kind: 'escalate', stop: [] });
  });

  it('property: never more than `intensity` restarts inside any window, whatever the exit times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 40 }),
        (intensity, periodMs, gaps) => {
          const s = spec('one_for_one', undefined, { intensity, periodMs });
          let state = initialPolicyState();
          let now = 0;
          const restartTimes: number[] = [];
          for (const g of gaps) {
            now += g;
            const d = decide(s, state, crash('a'), now, noRng);
            if (d.kind === 'escalate') {
              // Escalation only when the window really is full.
              const inWindow = restartTimes.filter((t) => t > now - periodMs).length;
              expect(inWindow).toBe(intensity);
              return;
            }
            expect(d.kind).toBe('restart');
            restartTimes.push(now);
            state = d.state;
            const inWindow = restartTimes.filter((t) => t > now - periodMs).length;
            expect(inWindow).toBeLessThanOrEqual(intensity);
          }
        },
      ),
    );
  });
});

describe('supervisor policy: backoff and jitter', () => {
  const backoff: BackoffSpec = { baseMs: 10, maxMs: 200, factor: 2, jitter: 0.5, stableAfterMs: 1_000 };

  it('raw backoff grows exponentially from baseMs and is capped at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => rawBackoffMs(backoff, n))).toEqual([10, 20, 40, 80, 160, 200, 200]);
    expect(rawBackoffMs(backoff, 0)).toBe(0);
  });

  it('jitter keeps the delay in [raw*(1-jitter), raw]', () => {
    expect(jittered(backoff, 100, 0)).toBe(50);
    expect(jittered(backoff, 100, 0.999999)).toBeCloseTo(100, 3);
    expect(jittered({ ...backoff, jitter: 0 }, 100, 0.3)).toBe(100);
    expect(jittered({ ...backoff, jitter: 1 }, 100, 0)).toBe(0);
    expect(jittered(backoff, 0, 0.5)).toBe(0);
  });

  it('the streak grows while the child keeps failing, and every delay is within bounds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 12 }), (seed, n) => {
        const s = spec('one_for_one', undefined, { intensity: 1_000, backoff });
        const rng = seededRng(seed);
        let state = initialPolicyState();
        for (let i = 1; i <= n; i++) {
          const d = asRestart(decide(s, state, crash('a', 0), i, rng));
          expect(d.attempt).toBe(i);
          const raw = rawBackoffMs(backoff, i);
          expect(d.delayMs).toBeGreaterThanOrEqual(raw * (1 - backoff.jitter));
          expect(d.delayMs).toBeLessThanOrEqual(raw);
          expect(d.delayMs).toBeLessThanOrEqual(backoff.maxMs);
          state = d.state;
        }
      }),
    );
  });

  it('the same seed gives the same delays; another seed gives different ones', () => {
    const run = (seed: number): number[] => {
      const s = spec('one_for_one', undefined, { intensity: 1_000, backoff });
      const rng = seededRng(seed);
      let state = initialPolicyState();
      const out: number[] = [];
      for (let i = 1; i <= 8; i++) {
        const d = asRestart(decide(s, state, crash(i % 2 ? 'a' : 'b', 0), i, rng));
        out.push(d.delayMs);
        state = d.state;
      }
      return out;
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  it('a child that had been ready for stableAfterMs starts a new streak', () => {
    const s = spec('one_for_one', undefined, { intensity: 1_000, backoff: { ...backoff, jitter: 0 } });
    let state = initialPolicyState();
    state = asRestart(decide(s, state, crash('a', 0), 10, noRng)).state;
    const second = asRestart(decide(s, state, crash('a', 20), 30, noRng));
    expect(second.attempt).toBe(2);
    expect(second.delayMs).toBe(20);
    // Ready at 100, exits at 1100: stable, so this is the first restart of a new streak.
    const fresh = asRestart(decide(s, second.state, crash('a', 100), 1_100, noRng));
    expect(fresh.attempt).toBe(1);
    expect(fresh.delayMs).toBe(10);
  });

  it('the RNG is drawn once per delayed restart and never for an immediate one', () => {
    let draws = 0;
    const rng = (): number => {
      draws++;
      return 0.5;
    };
    decide(spec('one_for_one', undefined, { backoff }), initialPolicyState(), crash('a'), 1, rng);
    expect(draws).toBe(1);
    decide(spec('one_for_one'), initialPolicyState(), crash('a'), 1, rng);
    expect(draws).toBe(1);
  });

  it('each child keeps its own streak', () => {
    const s = spec('one_for_one', undefined, { intensity: 1_000, backoff: { ...backoff, jitter: 0 } });
    let state = initialPolicyState();
    state = asRestart(decide(s, state, crash('a'), 1, noRng)).state;
    state = asRestart(decide(s, state, crash('a'), 2, noRng)).state;
    const b = asRestart(decide(s, state, crash('b'), 3, noRng));
    expect(b.attempt).toBe(1);
    expect(b.state.streak).toEqual({ a: 2, b: 1 });
  });
});

describe('supervisor policy: bootstrap failures', () => {
  it('by default a child that fails before ready is not respawned: the supervisor escalates', () => {
    const d = decide(spec('one_for_one'), initialPolicyState(), boot('c'), 5, noRng);
    expect(d).toMatchObject({ kind: 'escalate', why: 'bootstrap', stop: ['d', 'b', 'a'] });
  });

  it('with maxBootstrapRetries K, K consecutive bootstrap failures are retried, the next escalates', () => {
    const s = spec('one_for_one', undefined, { maxBootstrapRetries: 2 });
    let state = initialPolicyState();
    state = asRestart(decide(s, state, boot('a'), 1, noRng)).state;
    state = asRestart(decide(s, state, boot('a'), 2, noRng)).state;
    expect(state.bootstrapFailures.a).toBe(2);
    expect(decide(s, state, boot('a'), 3, noRng)).toMatchObject({ kind: 'escalate', why: 'bootstrap' });
  });

  it('reporting ready resets the bootstrap failure count', () => {
    const s = spec('one_for_one', undefined, { maxBootstrapRetries: 1 });
    let state = initialPolicyState();
    state = asRestart(decide(s, state, boot('a'), 1, noRng)).state;
    state = noteReady(state, 'a');
    expect(state.bootstrapFailures.a).toBe(0);
    state = asRestart(decide(s, state, boot('a'), 2, noRng)).state;
    expect(decide(s, state, boot('a'), 3, noRng).kind).toBe('escalate');
    expect(noteReady(initialPolicyState(), 'a')).toEqual(initialPolicyState());
  });

  it('bootstrap retries count toward the intensity', () => {
    const s = spec('one_for_one', undefined, { maxBootstrapRetries: 5, intensity: 2 });
    let state = initialPolicyState();
    state = asRestart(decide(s, state, boot('a'), 1, noRng)).state;
    state = asRestart(decide(s, state, boot('a'), 2, noRng)).state;
    expect(decide(s, state, boot('a'), 3, noRng)).toMatchObject({ kind: 'escalate', why: 'intensity' });
  });

  it('a temporary child failing at bootstrap is just removed', () => {
    const s = spec('one_for_one', [{ id: 'x', restart: 'temporary' }, { id: 'a', restart: 'permanent' }]);
    expect(decide(s, initialPolicyState(), boot('x'), 1, noRng)).toMatchObject({ kind: 'remove', why: 'temporary' });
  });
});

describe('supervisor policy: purity and validation', () => {
  it('decide never mutates its inputs', () => {
    const s = spec('one_for_all', undefined, { backoff: DEFAULT_BACKOFF });
    const state = initialPolicyState();
    const frozen = JSON.stringify(state);
    const specText = JSON.stringify(s);
    decide(s, state, crash('a'), 1, seededRng(1));
    decide(s, state, boot('b'), 1, seededRng(1));
    expect(JSON.stringify(state)).toBe(frozen);
    expect(JSON.stringify(s)).toBe(specText);
  });

  it('same inputs and same seed give the same decision', () => {
    const s = spec('rest_for_one', undefined, { backoff: DEFAULT_BACKOFF });
    const st = asRestart(decide(s, initialPolicyState(), crash('b'), 7, seededRng(9))).state;
    expect(decide(s, st, crash('a'), 8, seededRng(3))).toEqual(decide(s, st, crash('a'), 8, seededRng(3)));
  });

  it('rejects invalid specs', () => {
    expect(() => validatePolicySpec(spec('one_for_one'))).not.toThrow();
    expect(() => validatePolicySpec(spec('nope' as Strategy))).toThrow(/strategy/);
    expect(() => validatePolicySpec(spec('one_for_one', undefined, { intensity: -1 }))).toThrow(/intensity/);
    expect(() => validatePolicySpec(spec('one_for_one', undefined, { periodMs: 0 }))).toThrow(/periodMs/);
    expect(() => validatePolicySpec(spec('one_for_one', [{ id: 'a', restart: 'permanent' }, { id: 'a', restart: 'permanent' }]))).toThrow(/duplicate/);
    expect(() => validatePolicySpec(spec('one_for_one', undefined, { backoff: { ...NO_BACKOFF, factor: 0.5 } }))).toThrow(/factor/);
    expect(() => validatePolicySpec(spec('one_for_one', undefined, { backoff: { ...NO_BACKOFF, jitter: 2 } }))).toThrow(/jitter/);
    expect(() => validatePolicySpec(spec('one_for_one', undefined, { maxBootstrapRetries: 1.5 }))).toThrow(/maxBootstrapRetries/);
  });

  it('seededRng yields numbers in [0, 1)', () => {
    const r = seededRng(123);
    for (let i = 0; i < 10_000; i++) {
      const v = r();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });
});
