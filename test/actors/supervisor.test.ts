// The supervisor with real worker threads: strategies restart exactly the right siblings,
// restart types, exit reasons (crash, error, oom, normal), intensity and escalation through
// nested supervisors up to the root giving up (everything stopped), the bootstrap-failure rule
// (no respawn loop), hang detection, graceful stop (with and without draining) and warm spares.
// All actors park; the tests wait for events with generous timeouts and never assert durations.
import { describe, expect, it } from 'vitest';
import { countersSpec, ShmMap } from '../../src/shm/layout.js';
import { ringStats } from '../../src/shm/ring.js';
import { compiledModule } from '../../src/paths.js';
import { createSharedMemory } from '../../src/actors/topology.js';
import { ACTOR_STATE, CTL } from '../../src/actors/control.js';
import {
  Supervisor,
  SupervisorStartError,
  type ActorChildSpec,
  type ChildSpec,
  type SupervisorEvent,
  type SupervisorSpec,
} from '../../src/actors/supervisor.js';
import type { Strategy } from '../../src/actors/supervisor-policy.js';
import { attachLog, until, type EventLog } from './helpers.js';
import { parseSchedStat } from '../../src/actors/sched.js';
import { readFileSync } from 'node:fs';
import { W } from './fixtures/seq-consumer.js';

const CTL_ACTOR = compiledModule('test/actors/fixtures/ctl-actor.ts');
const PRODUCER = compiledModule('test/actors/fixtures/seq-producer.ts');
const CONSUMER = compiledModule('test/actors/fixtures/seq-consumer.ts');

const CMD = { STOP: 1, EXIT: 2, HANG: 3, THROW: 4, OOM: 5 } as const;

class Rig {
  readonly sab: SharedArrayBuffer;
  readonly st: Int32Array;
  readonly base: number;
  private readonly slots = new Map<string, number>();
  private cmdSeq = 0;

  constructor(readonly names: string[]) {
    this.sab = createSharedMemory(names, [], [countersSpec('test.ctl', Math.max(16, names.length * 4))]);
    this.st = new Int32Array(this.sab);
    this.base = ShmMap.attach(this.sab).region('test.ctl', 'counters').offset >> 2;
    names.forEach((n, i) => this.slots.set(n, i * 4));
  }

  actor(id: string, over: Partial<ActorChildSpec> = {}): ActorChildSpec {
    return {
      id,
      module: CTL_ACTOR,
      wait: 'park',
      parkTimeoutMs: 10,
      ...over,
      params: { state: 'test.ctl', slot: this.slots.get(id)!, ...((over.params as object | undefined) ?? {}) },
    };
  }

  /** Sends command `cmd` to actor `id` (a new value each time, so repeats are seen). */
  command(id: string, cmd: number): void {
    this.cmdSeq++;
    Atomics.store(this.st, this.base + this.slots.get(id)!, (this.cmdSeq << 8) | cmd);
  }

  failNextBoots(id: string): void {
    Atomics.store(this.st, this.base + this.slots.get(id)! + 1, 1);
  }

  starts(id: string): number {
    return Atomics.load(this.st, this.base + this.slots.get(id)! + 2);
  }

  supervisor(spec: Omit<SupervisorSpec, 'name'> & { name?: string }): Supervisor {
    return new Supervisor({ name: 'root', intensity: 10, periodMs: 60_000, backoff: { baseMs: 0 }, ...spec }, { sab: this.sab, seed: 11 });
  }
}

function gens(sup: Supervisor): Record<string, number> {
  return Object.fromEntries(sup.children().map((c) => [c.id, c.generation]));
}

function childOrder(log: EventLog, type: SupervisorEvent['type'], after: number): string[] {
  return log.events.slice(after).filter((e) => e.type === type && !(e.type === 'stopped' && e.spare)).map((e) => ('child' in e ? e.child : ''));
}

async function strategyRun(
  strategy: Strategy,
): Promise<{ log: EventLog; before: Record<string, number>; after: Record<string, number>; mark: number; end: number }> {
  const rig = new Rig(['a', 'b', 'c', 'd']);
  const sup = rig.supervisor({ strategy, children: ['a', 'b', 'c', 'd'].map((id) => rig.actor(id)) });
  const log = attachLog(sup);
  await sup.start();
  const before = gens(sup);
  const mark = log.events.length;
  await sup.kill('b');
  await log.waitFor('restarted', 'b');
  // Let any further restarts of the same decision land (they are emitted in start order, b's
  // restart is emitted when b is ready; the group's later members follow).
  const expectedLast = strategy === 'one_for_one' ? 'b' : 'd';
  await log.waitFor('restarted', expectedLast);
  const after = gens(sup);
  const end = log.events.length;
  await sup.stop();
  expect(log.aliveGenerations()).toEqual([]);
  return { log, before, after, mark, end };
}

describe('supervisor with real workers: strategies', () => {
  it('one_for_one restarts only the crashed child', async () => {
    const { log, before, after, mark, end } = await strategyRun('one_for_one');
    expect(log.events.slice(mark, end).filter((e) => e.type === 'stopped')).toEqual([]);
    expect(childOrder(log, 'restarted', mark).slice(0, 1)).toEqual(['b']);
    expect(log.of('restarted').map((e) => e.child)).toEqual(['b']);
    expect(after.b).not.toBe(before.b);
    expect([after.a, after.c, after.d]).toEqual([before.a, before.c, before.d]);
    expect(log.of('exited', 'b').map((e) => e.reason)).toEqual(['crash']);
  });

  it('one_for_all stops all siblings in reverse order and restarts all in start order', async () => {
    const { log, before, after, mark } = await strategyRun('one_for_all');
    const restartIdx = log.events.findIndex((e, i) => i >= mark && e.type === 'restarted');
    expect(childOrder(log, 'stopped', mark).slice(0, 3)).toEqual(['d', 'c', 'a']);
    expect(log.events.slice(mark, restartIdx).filter((e) => e.type === 'stopped').length).toBe(3);
    expect(log.of('restarted').map((e) => e.child)).toEqual(['a', 'b', 'c', 'd']);
    for (const id of ['a', 'b', 'c', 'd']) expect(after[id]).not.toBe(before[id]);
  });

  it('rest_for_one restarts the crashed child and those started after it', async () => {
    const { log, before, after, mark, end } = await strategyRun('rest_for_one');
    expect(childOrder(log, 'stopped', mark).slice(0, 2)).toEqual(['d', 'c']);
    expect(log.of('restarted').map((e) => e.child)).toEqual(['b', 'c', 'd']);
    expect(after.a).toBe(before.a);
    for (const id of ['b', 'c', 'd']) expect(after[id]).not.toBe(before[id]);
    expect(log.events.slice(mark, end).filter((e) => 'child' in e && e.child === 'a')).toEqual([]);
  });
});

describe('supervisor with real workers: restart types and exit reasons', () => {
  it('permanent, transient and temporary children', async () => {
    const rig = new Rig(['p', 't', 'x', 'u']);
    const sup = rig.supervisor({
      strategy: 'one_for_one',
      children: [rig.actor('p'), rig.actor('t', { restart: 'transient' }), rig.actor('x', { restart: 'temporary' }), rig.actor('u', { restart: 'transient' })],
    });
    const log = attachLog(sup);
    await sup.start();

    rig.command('p', CMD.STOP); // permanent, normal exit -> restarted
    await log.waitFor('restarted', 'p');
    expect(log.of('exited', 'p').map((e) => e.reason)).toEqual(['normal']);

    rig.command('t', CMD.STOP); // transient, normal exit -> removed
    await log.waitFor('removed', 't');
    expect(log.of('removed', 't')[0]!.why).toBe('transient_normal');

    rig.command('u', CMD.EXIT); // transient, crash -> restarted
    await log.waitFor('restarted', 'u');
    expect(log.of('exited', 'u').map((e) => [e.reason, e.code])).toEqual([['crash', 3]]);

    await sup.kill('x'); // temporary, crash -> removed
    await log.waitFor('removed', 'x');

    const status = Object.fromEntries(sup.children().map((c) => [c.id, c.status]));
    expect(status).toEqual({ p: 'running', t: 'removed', x: 'removed', u: 'running' });
    expect(log.of('restarted', 't')).toHaveLength(0);
    expect(log.of('restarted', 'x')).toHaveLength(0);
    await sup.stop();
    expect(log.aliveGenerations()).toEqual([]);
  });

  it('classifies error and out-of-memory exits', async () => {
    const rig = new Rig(['e', 'm']);
    const sup = rig.supervisor({
      children: [rig.actor('e'), rig.actor('m', { resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 8 } })],
    });
    const log = attachLog(sup);
    await sup.start();
    rig.command('e', CMD.THROW);
    await log.waitFor('restarted', 'e');
    const e = log.of('exited', 'e')[0]!;
    expect(e.reason).toBe('error');
    expect(e.error).toMatch(/planned error/);
    expect(e.fenced).toBe(true); // an exception escaping poll(): the fast path
    rig.command('m', CMD.OOM);
    await log.waitFor('restarted', 'm');
    expect(log.of('exited', 'm')[0]!.reason).toBe('oom');
    expect(log.of('exited', 'm')[0]!.fenced).toBeUndefined(); // out of memory: the 'exit' path
    await sup.stop();
  });

  it('graceful stop: each actor finishes, reports and exits 0, in reverse start order', async () => {
    const rig = new Rig(['a', 'b']);
    const sup = rig.supervisor({ children: [rig.actor('a'), rig.actor('b', { wait: 'async-park' })] });
    const log = attachLog(sup);
    await sup.start();
    await sup.stop();
    expect(log.of('stopped').map((e) => [e.child, e.code])).toEqual([['b', 0], ['a', 0]]);
    expect(sup.control('a').load(CTL.STATE)).toBe(ACTOR_STATE.STOPPED);
    expect(sup.control('b').load(CTL.STATE)).toBe(ACTOR_STATE.STOPPED);
    expect(await sup.done).toEqual({ kind: 'stopped' });
    expect(log.of('shutdown')).toHaveLength(1);
    expect(log.of('exited')).toHaveLength(0);
  });
});

/**
 * A seq-producer -> seq-consumer pair over ring `data` (seq-consumer.ts checks every frame in the
 * test region); `cons` / `prod` override the children's specs and params.
 */
function seqPair(
  total: number,
  capacity: number,
  intensity: number,
  cons: Partial<ActorChildSpec> & { params?: object },
  prod: Partial<ActorChildSpec> & { params?: object },
): { sup: Supervisor; map: ShmMap; word: (w: number) => number; st: Int32Array; base: number } {
  const sab = createSharedMemory(['prod', 'cons'], [{ name: 'data', capacity, consumer: 'cons' }], [countersSpec('test.state', W.SEEN + total)]);
  const map = ShmMap.attach(sab);
  const st = new Int32Array(sab);
  const base = map.region('test.state', 'counters').offset >> 2;
  const word = (w: number): number => Atomics.load(st, base + w);
  const sup = new Supervisor(
    {
      name: 'root',
      intensity,
      periodMs: 60_000,
      backoff: { baseMs: 0 },
      children: [
        { id: 'cons', module: CONSUMER, inbound: ['data'], wait: 'park', parkTimeoutMs: 20, ...cons, params: { state: 'test.state', crashAt: [], crashMode: 'exit', ...cons.params } },
        { id: 'prod', module: PRODUCER, outbound: ['data'], wait: 'park', parkTimeoutMs: 20, ...prod, params: { total, state: 'test.state', crashWord: 8, crashAt: [], crashMode: 'exit', burst: 64, ...prod.params } },
      ],
    },
    { sab, seed: 5 },
  );
  return { sup, map, word, st, base };
}

describe('supervisor with real workers: drain on stop', () => {
  // The consumer holds frame 10 until the stop is requested, so when the stop reaches it the
  // producer (stopped first: reverse start order) has committed every frame and 289 are waiting.
  const run = async (wait: 'park' | 'async-park', drainOnStop: boolean): Promise<{ next: number; gaps: number; bad: number; committed: number }> => {
    const total = 300;
    const { sup, map, word } = seqPair(total, 64 * 1024, 5, { wait, batch: 1, drainOnStop, params: { holdAt: 10 } }, {});
    await sup.start();
    await until(() => word(W.HELD) === 1 && ringStats(map, 'data').committedFrames === total, 'frame 10 held, every frame committed');
    await sup.stop();
    expect(await sup.done).toEqual({ kind: 'stopped' });
    return { next: word(W.NEXT), gaps: word(W.GAPS), bad: word(W.BAD), committed: ringStats(map, 'data').committedFrames };
  };

  it('with drainOnStop a consumer takes every frame left in its ring before it stops (park and async-park)', async () => {
    for (const wait of ['park', 'async-park'] as const) {
      const r = await run(wait, true);
      expect(r).toEqual({ next: 300, gaps: 0, bad: 0, committed: 300 });
    }
  });

  it('without it the stop ends after the current batch and the rest stays in the ring', async () => {
    const r = await run('park', false);
    expect(r).toEqual({ next: 11, gaps: 0, bad: 0, committed: 300 });
  });
});

describe('supervisor with real workers: intensity, escalation, giving up', () => {
  it('the root gives up when the intensity is exceeded: clean, reported, all workers stopped', async () => {
    const rig = new Rig(['a', 'b', 'c']);
    const sup = rig.supervisor({ intensity: 2, children: [rig.actor('a'), rig.actor('b'), rig.actor('c')] });
    const log = attachLog(sup);
    await sup.start();
    for (let k = 1; k <= 2; k++) {
      await sup.kill('b');
      await log.waitFor('restarted', 'b', k);
    }
    await sup.kill('b');
    const outcome = await sup.done;
    expect(outcome).toEqual({ kind: 'gave_up', why: 'intensity', child: 'b' });
    expect(log.of('gave_up')).toHaveLength(1);
    expect(log.of('restarted', 'b')).toHaveLength(2);
    expect(childOrder(log, 'stopped', 0)).toEqual(['c', 'a']);
    expect(log.aliveGenerations()).toEqual([]);
    expect(sup.ended).toBe(true);
  });

  it('a sub-supervisor escalates to its parent, which restarts the whole subtree and leaves siblings alone', async () => {
    const rig = new Rig(['f1', 'f2', 'eng']);
    const sub: ChildSpec = { kind: 'supervisor', id: 'feeds', supervisor: { name: 'feeds', intensity: 1, periodMs: 60_000, backoff: { baseMs: 0 }, children: [rig.actor('f1'), rig.actor('f2')] } };
    const sup = rig.supervisor({ intensity: 3, children: [sub, rig.actor('eng')] });
    const log = attachLog(sup);
    await sup.start();
    const engGen = gens(sup).eng;
    const feeds1 = sup.childSupervisor('feeds')!;
    await feeds1.kill('f1');
    await log.waitFor('restarted', 'f1');
    await feeds1.kill('f1'); // second restart within the window: over intensity 1 -> escalate
    await log.waitFor('restarted', 'feeds');
    expect(await feeds1.done).toMatchObject({ kind: 'escalated', why: 'intensity', child: 'f1' });
    const esc = log.of('escalated');
    expect(esc.map((e) => e.supervisor)).toEqual(['root/feeds']);
    expect(log.of('exited', 'feeds').map((e) => [e.reason, e.duringBootstrap])).toEqual([['escalated', false]]);
    const feeds2 = sup.childSupervisor('feeds')!;
    expect(feeds2).not.toBe(feeds1);
    expect(feeds2.children().map((c) => c.status)).toEqual(['running', 'running']);
    expect(gens(sup).eng).toBe(engGen);
    expect(log.of('stopped', 'eng')).toHaveLength(0);
    await sup.stop();
    expect(log.aliveGenerations()).toEqual([]);
  });

  it('an escalation the root cannot absorb makes it give up and stop everything', async () => {
    const rig = new Rig(['f1', 'eng']);
    const sub: ChildSpec = { kind: 'supervisor', id: 'feeds', supervisor: { name: 'feeds', intensity: 0, children: [rig.actor('f1')] } };
    const sup = rig.supervisor({ intensity: 0, children: [rig.actor('eng'), sub] });
    const log = attachLog(sup);
    await sup.start();
    await sup.childSupervisor('feeds')!.kill('f1');
    expect(await sup.done).toEqual({ kind: 'gave_up', why: 'intensity', child: 'feeds' });
    expect(log.of('escalated').map((e) => e.supervisor)).toEqual(['root/feeds']);
    expect(log.of('stopped', 'eng')).toHaveLength(1);
    expect(log.aliveGenerations()).toEqual([]);
  });
});

describe('supervisor with real workers: bootstrap failures are not respawned in a loop', () => {
  it('a child failing at its first boot: start() rejects, the root gives up, nothing left running', async () => {
    const rig = new Rig(['a', 'bad', 'c']);
    const sup = rig.supervisor({ children: [rig.actor('a'), rig.actor('bad', { params: { failCreate: true } }), rig.actor('c')] });
    const log = attachLog(sup);
    const err = await sup.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SupervisorStartError);
    expect((err as SupervisorStartError).outcome).toEqual({ kind: 'gave_up', why: 'bootstrap', child: 'bad' });
    expect(log.of('started', 'bad')).toHaveLength(1);
    expect(log.of('exited', 'bad').map((e) => [e.reason, e.duringBootstrap])).toEqual([['error', true]]);
    expect(log.of('started', 'c')).toHaveLength(0);
    expect(log.of('stopped', 'a')).toHaveLength(1);
    expect(log.aliveGenerations()).toEqual([]);
  });

  it('a restart that fails during bootstrap is not retried (default), and with K retries exactly K', async () => {
    for (const retries of [0, 2]) {
      const rig = new Rig(['a', 'b']);
      const sup = rig.supervisor({ maxBootstrapRetries: retries, children: [rig.actor('a'), rig.actor('b')] });
      const log = attachLog(sup);
      await sup.start();
      rig.failNextBoots('b');
      await sup.kill('b');
      expect(await sup.done).toEqual({ kind: 'gave_up', why: 'bootstrap', child: 'b' });
      // One original start, then 1 + retries failed boots; never more.
      expect(log.of('started', 'b')).toHaveLength(2 + retries);
      expect(log.of('exited', 'b').filter((e) => e.duringBootstrap)).toHaveLength(1 + retries);
      // onStart threw: the worker fenced itself, but during bootstrap the exit path decides.
      expect(log.of('exited', 'b').filter((e) => e.duringBootstrap).map((e) => [e.reason, e.fenced])).toEqual(Array.from({ length: 1 + retries }, () => ['error', undefined]));
      expect(rig.starts('b')).toBe(1);
      expect(log.aliveGenerations()).toEqual([]);
    }
  });

  it('a sub-supervisor that cannot boot is a bootstrap failure for its parent (no loop)', async () => {
    const rig = new Rig(['a', 'bad']);
    const sub: ChildSpec = { kind: 'supervisor', id: 'grp', supervisor: { name: 'grp', children: [rig.actor('bad', { params: { failCreate: true } })] } };
    const sup = rig.supervisor({ children: [rig.actor('a'), sub] });
    const log = attachLog(sup);
    await expect(sup.start()).rejects.toBeInstanceOf(SupervisorStartError);
    expect(await sup.done).toEqual({ kind: 'gave_up', why: 'bootstrap', child: 'grp' });
    expect(log.of('started', 'bad')).toHaveLength(1);
    expect(log.of('exited', 'grp').map((e) => e.duringBootstrap)).toEqual([true]);
    expect(log.aliveGenerations()).toEqual([]);
  });
});

describe('supervisor with real workers: pinning reports', () => {
  it('pins where it can, says once when it cannot, and runs unpinned', async () => {
    const rig = new Rig(['p0', 'bad1', 'bad2']);
    const sup = rig.supervisor({ children: [rig.actor('p0', { cpu: 0 }), rig.actor('bad1', { cpu: 999 }), rig.actor('bad2', { cpu: 998 })] });
    const log = attachLog(sup);
    await sup.start();
    const pins = Object.fromEntries(sup.children().map((c) => [c.id, c.pin]));
    expect(pins.p0).toMatchObject({ requestedCpu: 0, pinned: true, effective: '0' });
    expect(pins.p0!.tid).toBeGreaterThan(0);
    expect(pins.bad1).toMatchObject({ requestedCpu: 999, pinned: false, failure: 'cpu_out_of_range' });
    expect(pins.bad2).toMatchObject({ requestedCpu: 998, pinned: false, failure: 'cpu_out_of_range' });
    expect(log.of('pin_unavailable')).toHaveLength(1);
    expect(sup.children().map((c) => c.status)).toEqual(['running', 'running', 'running']);
    await sup.stop();
  });
});

describe('supervisor with real workers: real-time scheduling class', () => {
  it('gives an actor the class it asks for and reports what the kernel says', async () => {
    const rig = new Rig(['rt', 'plain']);
    const sup = rig.supervisor({ children: [rig.actor('rt', { realtime: { policy: 'fifo', priority: 3 } }), rig.actor('plain')] });
    const log = attachLog(sup);
    await sup.start();
    const pins = Object.fromEntries(sup.children().map((c) => [c.id, c.pin]));
    // what the kernel says, read from this thread: /proc/<pid>/task/<tid>/stat of the worker
    const kernel = (id: string) => parseSchedStat(readFileSync(`/proc/${process.pid}/task/${pins[id]!.tid}/stat`, 'utf8'));
    const rt = pins.rt!.sched!;
    expect(rt.requested).toEqual({ policy: 'fifo', priority: 3 });
    expect(kernel('rt')).toEqual({ policy: rt.policy, priority: rt.priority });
    if (process.getuid?.() === 0) {
      // root (CI and the development machines): the class is granted
      expect(rt).toMatchObject({ applied: true, policy: 'fifo', priority: 3 });
      expect(log.of('realtime_unavailable')).toHaveLength(0);
    } else {
      expect(rt.applied).toBe(kernel('rt')!.policy === 'fifo');
    }
    expect(pins.plain!.sched).toMatchObject({ requested: null, applied: false, failure: 'not_requested', policy: 'other', priority: 0 });
    expect(kernel('plain')).toEqual({ policy: 'other', priority: 0 });
    expect(sup.children().map((c) => c.status)).toEqual(['running', 'running']);
    await sup.stop();
  });

  it('when the class cannot be set, the actors run in the default class and the supervisor says so once', async () => {
    const rig = new Rig(['r1', 'r2']);
    const sup = rig.supervisor({ children: [rig.actor('r1', { realtime: { policy: 'fifo', priority: 3 } }), rig.actor('r2', { realtime: { policy: 'rr', priority: 4 } })] });
    const log = attachLog(sup);
    // the workers copy the environment when they are created: without chrt on the PATH
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await sup.start();
    } finally {
      process.env.PATH = path;
    }
    for (const c of sup.children()) {
      expect(c.pin!.sched).toMatchObject({ applied: false, failure: 'no_chrt', policy: 'other', priority: 0 });
    }
    expect(log.of('realtime_unavailable').map((e) => e.failure)).toEqual(['no_chrt']);
    expect(sup.children().map((c) => c.status)).toEqual(['running', 'running']);
    await sup.stop();
  });

  it('refuses an invalid class when the supervisor is built', () => {
    const rig = new Rig(['bad']);
    expect(() => rig.supervisor({ children: [rig.actor('bad', { realtime: { policy: 'fifo', priority: 0 } })] })).toThrow(/actor bad: realtime: priority must be an integer 1\.\.99, got 0/);
  });
});

describe('supervisor with real workers: hangs and warm spares', () => {
  it('an actor whose heartbeat stops is terminated and restarted, and the new one beats', async () => {
    const rig = new Rig(['h', 'ok']);
    const sup = rig.supervisor({ children: [rig.actor('h', { hangTimeoutMs: 300 }), rig.actor('ok', { hangTimeoutMs: 300 })] });
    const log = attachLog(sup);
    await sup.start();
    rig.command('h', CMD.HANG);
    await log.waitFor('restarted', 'h');
    expect(log.of('hung', 'h')).toHaveLength(1);
    expect(log.of('exited', 'h').map((e) => e.reason)).toEqual(['hang']);
    const hb = sup.control('h').heartbeat;
    await until(() => sup.control('h').heartbeat > hb + 3, 'restarted actor to heartbeat');
    // An idle (parked) actor is not hung.
    expect(log.of('hung', 'ok')).toHaveLength(0);
    await sup.stop();
    expect(log.aliveGenerations()).toEqual([]);
  });

  it('a warm spare takes over on a crash, and a new spare is prepared', async () => {
    const rig = new Rig(['w']);
    const sup = rig.supervisor({ children: [rig.actor('w', { warmSpare: true })] });
    const log = attachLog(sup);
    await sup.start();
    const spareReady = (await log.nth(1, (e) => e.type === 'ready' && e.spare)) as Extract<SupervisorEvent, { type: 'ready' }>;
    const spareGen = spareReady.generation;
    expect(rig.starts('w')).toBe(1); // the spare has not run onStart
    await sup.kill('w');
    await log.waitFor('restarted', 'w');
    const took = log.events.find((e) => e.type === 'ready' && e.viaSpare) as Extract<SupervisorEvent, { type: 'ready' }>;
    expect(took.generation).toBe(spareGen);
    expect(log.of('restarted', 'w')[0]).toMatchObject({ viaSpare: true, generation: spareGen });
    expect(rig.starts('w')).toBe(2);
    expect(sup.control('w').load(CTL.GENERATION)).toBe(spareGen);
    const next = (await log.nth(2, (e) => e.type === 'ready' && e.spare)) as Extract<SupervisorEvent, { type: 'ready' }>;
    expect(next.generation).toBeGreaterThan(spareGen);
    expect(sup.children()[0]!.spareReady).toBe(true);
    await sup.stop();
    expect(log.aliveGenerations()).toEqual([]);
  });

  it('warm spares keep exactly-once through producer and consumer crashes', async () => {
    const total = 40_000;
    const { sup, word, st, base } = seqPair(total, 4096, 20, { batch: 64, warmSpare: true }, { wait: 'async-park', warmSpare: true });
    const log = attachLog(sup);
    await sup.start();
    for (let k = 1; k <= 4; k++) {
      const victim = k % 2 ? 'prod' : 'cons';
      await until(() => sup.children().find((c) => c.id === victim)!.spareReady, `${victim} spare ready`);
      await until(() => word(W.NEXT) >= (k * total) / 5, `progress ${k}`);
      const n = log.of('restarted', victim).length;
      await sup.kill(victim);
      await log.waitFor('restarted', victim, n + 1);
    }
    await until(() => word(W.NEXT) === total, 'all frames');
    expect(word(W.GAPS)).toBe(0);
    expect(word(W.BAD)).toBe(0);
    expect(word(W.VIOL)).toBe(0);
    let seen = 0;
    for (let i = 0; i < total; i++) seen += Atomics.load(st, base + W.SEEN + i);
    expect(seen).toBe(total);
    expect(log.of('restarted').every((e) => e.viaSpare)).toBe(true);
    expect(log.of('restarted')).toHaveLength(4);
    await sup.stop();
    expect(log.aliveGenerations()).toEqual([]);
  });
});
