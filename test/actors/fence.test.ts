// The fenced fast path (actor-main.ts "Fence", supervisor.ts "Detection"), with real workers:
// an exception escaping a running behaviour fences the worker (control block FENCE/FENCES,
// events marked `fenced`), the supervisor hands the rings to the replacement BEFORE the old
// thread's 'exit' (seen as `reaped`, ordering asserted on the event log, never on time), the
// unreleased batch is delivered again and absorbed by the consumer's idempotence, each crash
// counts once toward the intensity, exceptions from callbacks are fenced too, and no behaviour
// code runs after the exception. All actors park; the tests wait for events, never for time.
import { describe, expect, it } from 'vitest';
import { countersSpec, ShmMap } from '../../src/shm/layout.js';
import { RingWriter } from '../../src/shm/ring.js';
import { compiledModule } from '../../src/paths.js';
import { createSharedMemory } from '../../src/actors/topology.js';
import { ACTOR_STATE, CTL } from '../../src/actors/control.js';
import { Supervisor, type ActorChildSpec, type SupervisorEvent } from '../../src/actors/supervisor.js';
import type { WaitStrategyName } from '../../src/shm/wait.js';
import { attachLog, until, type EventLog } from './helpers.js';
import { W } from './fixtures/seq-consumer.js';
import { fillFrame, frameLen } from './fixtures/frames.js';

const CONSUMER = compiledModule('test/actors/fixtures/seq-consumer.ts');
const CTL_ACTOR = compiledModule('test/actors/fixtures/ctl-actor.ts');
const CMD = { THROW: 4, TIMER_THROW: 6, REJECT: 7, CANARIES: 8 } as const;

type Ev<T extends SupervisorEvent['type']> = Extract<SupervisorEvent, { type: T }>;

function only<T>(xs: T[]): T {
  expect(xs).toHaveLength(1);
  return xs[0]!;
}

/** Index of the first event of `type` for `child` and `generation` (-1: none). */
function at(log: EventLog, type: SupervisorEvent['type'], child: string, generation: number, extra: (e: SupervisorEvent) => boolean = () => true): number {
  return log.indexOf((e) => e.type === type && 'child' in e && e.child === child && 'generation' in e && e.generation === generation && extra(e));
}

// ------------------------------------------------------------------ a consumer crashing mid-batch

interface BatchCase {
  readonly crashIn: 'frame' | 'batchEnd';
  readonly warm: boolean;
  /** Frames of the crashed batch already processed when the exception escaped. */
  readonly processed: number;
}

const TOTAL = 100;
const BATCH = 64;
const CRASH_AT = 40;

async function consumerCrash(c: BatchCase): Promise<void> {
  const sab = createSharedMemory(['cons'], [{ name: 'data', capacity: 65_536, consumer: 'cons' }], [countersSpec('test.state', W.SEEN + TOTAL)]);
  const map = ShmMap.attach(sab);
  const st = new Int32Array(sab);
  const sb = map.region('test.state', 'counters').offset >> 2;
  const word = (w: number): number => Atomics.load(st, sb + w);
  const spec: ActorChildSpec = {
    id: 'cons',
    module: CONSUMER,
    inbound: ['data'],
    wait: 'park',
    parkTimeoutMs: 20,
    batch: BATCH,
    warmSpare: c.warm,
    params: { state: 'test.state', crashAt: [CRASH_AT], crashMode: 'throw', crashIn: c.crashIn },
  };
  const sup = new Supervisor({ name: 'root', intensity: 5, periodMs: 60_000, backoff: { baseMs: 0 }, children: [spec] }, { sab, seed: 3 });
  const log = attachLog(sup);
  await sup.start();
  if (c.warm) await log.nth(1, (e) => e.type === 'ready' && e.spare);
  const first = sup.children()[0]!.generation;

  // All frames become visible with ONE publish, so the consumer's first batch is exactly
  // frames 0..63: the exception escapes after `processed` frames of that batch.
  const w = RingWriter.attach(map, 'data');
  for (let seq = 0; seq < TOTAL; seq++) {
    const off = w.reserve(frameLen(seq));
    fillFrame(w.u8, off, seq);
    w.stage();
  }
  w.publish();

  await until(() => word(W.NEXT) === TOTAL, 'consumer to reach the last frame');
  const reaped = (await log.waitFor('reaped', 'cons')) as Ev<'reaped'>;
  const ctl = sup.control('cons');
  const second = sup.children()[0]!.generation;
  expect(second).not.toBe(first);

  // Exactly once, and the crashed batch came back whole: nothing of it had been released.
  expect(word(W.CRASH)).toBe(1);
  expect(word(W.GAPS)).toBe(0);
  expect(word(W.BAD)).toBe(0);
  expect(word(W.VIOL)).toBe(0);
  let seen = 0;
  for (let i = 0; i < TOTAL; i++) seen += Atomics.load(st, sb + W.SEEN + i);
  expect(seen).toBe(TOTAL);
  expect(word(W.DUPS)).toBe(c.processed);
  expect(word(W.MINREL)).toBe(0); // the replacement started at released position 0
  expect(ctl.releasedNext(0)).toBe(TOTAL);
  expect(ctl.load(CTL.FRAMES_IN)).toBe(TOTAL); // only released batches are counted

  // The control block shows the fence of the first worker, and the replacement running.
  expect(ctl.load(CTL.FENCE)).toBe(first);
  expect(ctl.load(CTL.FENCES)).toBe(1);
  expect(ctl.load(CTL.GENERATION)).toBe(second);
  expect(ctl.load(CTL.STATE)).toBe(ACTOR_STATE.RUNNING);

  // One exit, marked fenced, handled before the thread ended; the restart is marked too.
  const exited = only(log.of('exited', 'cons'));
  expect(exited).toMatchObject({ generation: first, reason: 'error', code: null, fenced: true, duringBootstrap: false, spare: false });
  expect(exited.error).toMatch(/consumer: planned crash/);
  const restarted = only(log.of('restarted', 'cons'));
  expect(restarted).toMatchObject({ generation: second, viaSpare: c.warm, fenced: true, attempt: 1 });
  expect(reaped).toMatchObject({ generation: first, code: 1 });

  // Ordering: fence handled -> replacement running -> old thread's exit.
  const iExited = at(log, 'exited', 'cons', first);
  const iReady = at(log, 'ready', 'cons', second, (e) => !(e as Ev<'ready'>).spare);
  const iRestarted = at(log, 'restarted', 'cons', second);
  const iReaped = at(log, 'reaped', 'cons', first);
  expect(iExited).toBeGreaterThanOrEqual(0);
  expect(iExited).toBeLessThan(iReady);
  expect(iReady).toBeLessThan(iReaped);
  expect(iRestarted).toBeLessThan(iReaped);
  if (c.warm) expect((log.events[iReady] as Ev<'ready'>).viaSpare).toBe(true);

  await sup.stop();
  expect(log.aliveGenerations()).toEqual([]);
}

describe('fenced crash of a consumer mid-batch', () => {
  it('onFrame throws after 40 frames of a batch: fenced, the warm spare takes over before the old worker exits, the 40 come back as duplicates', async () => {
    await consumerCrash({ crashIn: 'frame', warm: true, processed: CRASH_AT });
  });

  it('onBatchEnd throws (whole batch processed, not released): the 64 frames come back as duplicates', async () => {
    await consumerCrash({ crashIn: 'batchEnd', warm: true, processed: BATCH });
  });

  it('without a spare: the cold replacement also starts before the fenced worker is reaped', async () => {
    await consumerCrash({ crashIn: 'frame', warm: false, processed: CRASH_AT });
  });
});

// ------------------------------------------------------------------ ctl-actor driven cases

class Rig {
  readonly sab: SharedArrayBuffer;
  readonly st: Int32Array;
  readonly base: number;
  private readonly slots = new Map<string, number>();
  private cmdSeq = 0;

  constructor(names: string[]) {
    this.sab = createSharedMemory(names, [], [countersSpec('test.ctl', Math.max(16, names.length * 4))]);
    this.st = new Int32Array(this.sab);
    this.base = ShmMap.attach(this.sab).region('test.ctl', 'counters').offset >> 2;
    names.forEach((n, i) => this.slots.set(n, i * 4));
  }

  actor(id: string, over: Partial<ActorChildSpec> = {}): ActorChildSpec {
    return { id, module: CTL_ACTOR, wait: 'park', parkTimeoutMs: 10, ...over, params: { state: 'test.ctl', slot: this.slots.get(id)! } };
  }

  command(id: string, cmd: number): void {
    this.cmdSeq++;
    Atomics.store(this.st, this.base + this.slots.get(id)!, (this.cmdSeq << 8) | cmd);
  }

  canary(id: string): number {
    return Atomics.load(this.st, this.base + this.slots.get(id)! + 3);
  }
}

describe('fenced crashes: counting, callbacks, nothing runs after the exception', () => {
  it('each fenced crash counts once toward the intensity (its later exit does not): intensity 2 restarts two, the third gives up', async () => {
    const rig = new Rig(['e']);
    const sup = new Supervisor({ name: 'root', intensity: 2, periodMs: 600_000, backoff: { baseMs: 0 }, children: [rig.actor('e')] }, { sab: rig.sab, seed: 1 });
    const log = attachLog(sup);
    await sup.start();
    for (let k = 1; k <= 2; k++) {
      rig.command('e', CMD.THROW);
      await log.waitFor('restarted', 'e', k);
      // The fenced thread's own exit has happened too: it was reported as reaped, not counted.
      await log.waitFor('reaped', 'e', k);
    }
    expect(log.of('exited', 'e').map((e) => [e.reason, e.fenced])).toEqual([
      ['error', true],
      ['error', true],
    ]);
    expect(log.of('restarted', 'e').every((e) => e.fenced === true)).toBe(true);
    expect(sup.children()[0]!.status).toBe('running');
    expect(sup.ended).toBe(false);
    rig.command('e', CMD.THROW);
    expect(await sup.done).toEqual({ kind: 'gave_up', why: 'intensity', child: 'e' });
    expect(log.of('exited', 'e')).toHaveLength(3);
    expect(log.of('reaped', 'e')).toHaveLength(3); // the last one reaped when the root gave up
    expect(sup.control('e').load(CTL.FENCES)).toBe(3);
    expect(log.aliveGenerations()).toEqual([]);
  });

  it('exceptions thrown from a timer and unhandled rejections are fenced too', async () => {
    const rig = new Rig(['t', 'r']);
    const sup = new Supervisor(
      { name: 'root', intensity: 5, periodMs: 60_000, backoff: { baseMs: 0 }, children: [rig.actor('t', { wait: 'async-park' }), rig.actor('r', { wait: 'async-park' })] },
      { sab: rig.sab, seed: 2 },
    );
    const log = attachLog(sup);
    await sup.start();
    const genT = sup.children()[0]!.generation;
    const genR = sup.children()[1]!.generation;
    rig.command('t', CMD.TIMER_THROW);
    await log.waitFor('reaped', 't');
    rig.command('r', CMD.REJECT);
    await log.waitFor('reaped', 'r');
    const et = only(log.of('exited', 't'));
    expect(et).toMatchObject({ generation: genT, reason: 'error', fenced: true });
    expect(et.error).toMatch(/planned error in a timer/);
    const er = only(log.of('exited', 'r'));
    expect(er).toMatchObject({ generation: genR, reason: 'error', fenced: true });
    expect(er.error).toMatch(/planned unhandled rejection/);
    expect(sup.control('t').load(CTL.FENCE)).toBe(genT);
    expect(sup.control('r').load(CTL.FENCE)).toBe(genR);
    expect(sup.children().map((c) => c.status)).toEqual(['running', 'running']);
    await sup.stop();
    expect(log.aliveGenerations()).toEqual([]);
  });

  for (const wait of ['park', 'async-park'] as WaitStrategyName[]) {
    it(`no behaviour code runs after the exception (timer, immediate, microtask scheduled before it), wait '${wait}'`, async () => {
      const rig = new Rig(['c']);
      const sup = new Supervisor({ name: 'root', intensity: 5, periodMs: 60_000, backoff: { baseMs: 0 }, children: [rig.actor('c', { wait, warmSpare: true })] }, { sab: rig.sab, seed: 4 });
      const log = attachLog(sup);
      await sup.start();
      await log.nth(1, (e) => e.type === 'ready' && e.spare);
      rig.command('c', CMD.CANARIES);
      // The fenced thread lives (parked) until the replacement runs, then ends; none of the
      // three callbacks it had scheduled may have run in that time.
      await log.waitFor('reaped', 'c');
      expect(only(log.of('exited', 'c'))).toMatchObject({ reason: 'error', fenced: true });
      expect(rig.canary('c')).toBe(0);
      await sup.stop();
      expect(rig.canary('c')).toBe(0);
      expect(log.aliveGenerations()).toEqual([]);
    });
  }
});
