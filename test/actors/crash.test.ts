// Crash and recovery over the same shared memory, with real worker threads under a supervisor:
// a producer killed mid-stream (inside its reserve/commit window, or by terminate() at a random
// point) and a consumer killed mid-batch (peeked, processed, not released). After every restart
// the consumer must have received every committed frame exactly once and in order, and the
// ring must never hand out a frame that was already released. The last test proves that check
// can fail: it rewinds a ring's released index on purpose and expects violations.
import { describe, expect, it } from 'vitest';
import { countersSpec, ShmMap } from '../../src/shm/layout.js';
import { RingWriter, ringStats } from '../../src/shm/ring.js';
import { RING_CI } from '../../src/shm/formats.js';
import { compiledModule } from '../../src/paths.js';
import { createSharedMemory } from '../../src/actors/topology.js';
import { seededRng } from '../../src/actors/supervisor-policy.js';
import { Supervisor, type ActorChildSpec } from '../../src/actors/supervisor.js';
import { CTL } from '../../src/actors/control.js';
import { attachLog, until } from './helpers.js';
import { W } from './fixtures/seq-consumer.js';
import { fillFrame, frameLen } from './fixtures/frames.js';

const PRODUCER = compiledModule('test/actors/fixtures/seq-producer.ts');
const CONSUMER = compiledModule('test/actors/fixtures/seq-consumer.ts');

interface Rig {
  sab: SharedArrayBuffer;
  st: Int32Array;
  base: number;
  word(w: number): number;
  seenCount(total: number): number;
}

const P_CRASH = 8; // producer's crash counter word in the test state region

function rig(total: number, capacity: number): Rig {
  const sab = createSharedMemory(['prod', 'cons'], [{ name: 'data', capacity, consumer: 'cons' }], [countersSpec('test.state', W.SEEN + total)]);
  const map = ShmMap.attach(sab);
  const st = new Int32Array(sab);
  const base = map.region('test.state', 'counters').offset >> 2;
  return {
    sab,
    st,
    base,
    word: (w) => Atomics.load(st, base + w),
    seenCount: (n) => {
      let c = 0;
      for (let i = 0; i < n; i++) c += Atomics.load(st, base + W.SEEN + i);
      return c;
    },
  };
}

function producerSpec(total: number, crashAt: number[], crashMode: 'exit' | 'throw'): ActorChildSpec {
  return {
    id: 'prod',
    module: PRODUCER,
    outbound: ['data'],
    wait: 'park',
    parkTimeoutMs: 20,
    params: { total, state: 'test.state', crashWord: P_CRASH, crashAt, crashMode, burst: 64 },
  };
}

function consumerSpec(crashAt: number[], crashMode: 'exit' | 'throw', crashIn: 'frame' | 'batchEnd' = 'frame'): ActorChildSpec {
  return {
    id: 'cons',
    module: CONSUMER,
    inbound: ['data'],
    wait: 'park',
    parkTimeoutMs: 20,
    batch: 64,
    params: { state: 'test.state', crashAt, crashMode, crashIn },
  };
}

function supervise(r: Rig, children: ActorChildSpec[]): Supervisor {
  return new Supervisor({ name: 'crash', strategy: 'one_for_one', intensity: 100, periodMs: 60_000, backoff: { baseMs: 0 }, children }, { sab: r.sab, seed: 7 });
}

function expectExactlyOnce(r: Rig, total: number): void {
  expect(r.word(W.NEXT)).toBe(total);
  expect(r.word(W.GAPS)).toBe(0);
  expect(r.word(W.BAD)).toBe(0);
  expect(r.word(W.VIOL)).toBe(0);
  expect(r.seenCount(total)).toBe(total);
}

/** Sorted distinct seeded crash points in [lo, hi). */
function crashPoints(seed: number, n: number, lo: number, hi: number): number[] {
  const rng = seededRng(seed);
  const s = new Set<number>();
  while (s.size < n) s.add(lo + Math.floor(rng() * (hi - lo)));
  return [...s].sort((a, b) => a - b);
}

describe('crash recovery over shared memory', () => {
  it('a producer dying between reserve and commit is restarted and continues from the recovered nextSeq', async () => {
    const total = 30_000;
    const r = rig(total, 4096);
    const crashes = crashPoints(1, 3, 100, total - 100);
    const sup = supervise(r, [consumerSpec([], 'exit'), producerSpec(total, crashes, 'exit')]);
    const log = attachLog(sup);
    await sup.start();
    await until(() => r.word(W.NEXT) === total, 'consumer to reach the last frame');
    expect(r.word(P_CRASH)).toBe(crashes.length);
    expect(log.of('exited', 'prod').map((e) => e.reason)).toEqual(['crash', 'crash', 'crash']);
    expect(log.of('restarted', 'prod')).toHaveLength(3);
    expect(log.of('exited', 'cons')).toHaveLength(0);
    expectExactlyOnce(r, total);
    // The ring's own sequence count agrees: no frame of the crashed incarnations became visible.
    expect(ringStats(ShmMap.attach(r.sab), 'data').committedFrames).toBe(total);
    await sup.stop();
    expect(log.aliveGenerations()).toEqual([]);
  });

  it('a producer throwing mid-frame (error exit) loses nothing either', async () => {
    const total = 10_000;
    const r = rig(total, 2048);
    const crashes = crashPoints(2, 2, 50, total - 50);
    const sup = supervise(r, [consumerSpec([], 'exit'), producerSpec(total, crashes, 'throw')]);
    const log = attachLog(sup);
    await sup.start();
    await until(() => r.word(W.NEXT) === total, 'consumer to reach the last frame');
    expect(log.of('exited', 'prod').map((e) => [e.reason, e.fenced])).toEqual([
      ['error', true],
      ['error', true],
    ]);
    expectExactlyOnce(r, total);
    await sup.stop();
  });

  it('a producer terminated by the supervisor at random points resumes without loss', async () => {
    const total = 60_000;
    const r = rig(total, 4096);
    const sup = supervise(r, [consumerSpec([], 'exit'), producerSpec(total, [], 'exit')]);
    const log = attachLog(sup);
    await sup.start();
    const rng = seededRng(3);
    for (let k = 1; k <= 3; k++) {
      const at = Math.floor((k / 4) * total + rng() * 1000);
      await until(() => r.word(W.NEXT) >= at || r.word(W.NEXT) === total, `progress to ${at}`);
      if (r.word(W.NEXT) === total) break;
      await sup.kill('prod');
      await log.waitFor('ready', 'prod', k + 1);
    }
    await until(() => r.word(W.NEXT) === total, 'consumer to reach the last frame');
    expectExactlyOnce(r, total);
    await sup.stop();
  });

  it('a consumer dying mid-batch is restarted: every committed frame delivered, nothing released delivered again', async () => {
    const total = 30_000;
    const r = rig(total, 4096);
    const crashes = crashPoints(4, 4, 100, total - 100);
    const sup = supervise(r, [consumerSpec(crashes.slice(0, 2), 'exit', 'batchEnd'), producerSpec(total, [], 'exit')]);
    const log = attachLog(sup);
    await sup.start();
    await until(() => r.word(W.NEXT) === total, 'consumer to reach the last frame');
    expect(r.word(W.CRASH)).toBe(2);
    // Each crash came after processing a batch and before releasing it: the ring redelivered
    // those frames (allowed: never released) and the consumer skipped them as duplicates.
    expect(r.word(W.DUPS)).toBeGreaterThanOrEqual(2);
    expect(log.of('exited', 'cons').map((e) => e.reason)).toEqual(['crash', 'crash']);
    expect(r.word(W.STARTS)).toBe(3);
    expectExactlyOnce(r, total);
    // Each restarted incarnation started at (or after) what the previous one had released.
    expect(r.word(W.MINREL)).toBeGreaterThan(0);
    await sup.stop();
  });

  it('a consumer throwing, and one terminated at random points, keep exactly-once', async () => {
    const total = 40_000;
    const r = rig(total, 4096);
    const crashes = crashPoints(5, 2, 100, total / 2);
    const sup = supervise(r, [consumerSpec(crashes, 'throw'), producerSpec(total, [], 'exit')]);
    const log = attachLog(sup);
    await sup.start();
    await until(() => r.word(W.CRASH) === 2, 'planned consumer crashes');
    const rng = seededRng(6);
    for (let k = 1; k <= 3; k++) {
      const at = Math.floor(total / 2 + (k / 4) * (total / 2) + rng() * 500);
      await until(() => r.word(W.NEXT) >= at, `progress to ${at}`);
      const readies = log.of('ready', 'cons').length;
      await sup.kill('cons');
      await log.waitFor('ready', 'cons', readies + 1);
    }
    await until(() => r.word(W.NEXT) === total, 'consumer to reach the last frame');
    expectExactlyOnce(r, total);
    expect(log.of('exited', 'cons').filter((e) => e.reason === 'error' && e.fenced === true)).toHaveLength(2);
    await sup.stop();
    expect(log.aliveGenerations()).toEqual([]);
  });

  it('the check can fail: a ring that redelivers released frames is caught', async () => {
    const total = 200;
    const r = rig(total, 65_536);
    const map = ShmMap.attach(r.sab);
    // The test thread is the producer: 100 frames, no wrap.
    const w = RingWriter.attach(map, 'data');
    const put = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const seq = w.nextSeq;
        const off = w.reserve(frameLen(seq));
        fillFrame(w.u8, off, seq);
        w.commit();
      }
    };
    put(100);
    const first = supervise(r, [consumerSpec([], 'exit')]);
    await first.start();
    await until(() => r.word(W.NEXT) === 100 && first.control('cons').releasedNext(0) === 100, 'first consumer to release 100 frames');
    await first.stop();
    expect(r.word(W.VIOL)).toBe(0);

    // Control: an honest restart sees no violation and continues.
    const second = supervise(r, [consumerSpec([], 'exit')]);
    await second.start();
    put(50);
    await until(() => r.word(W.NEXT) === 150, 'second consumer to catch up');
    await second.stop();
    expect(r.word(W.VIOL)).toBe(0);
    expect(r.word(W.DUPS)).toBe(0);

    // Sabotage: rewind the released index to 0, as a buggy ring would. The next incarnation is
    // handed frames 0..149 again, all below the released position it was told about.
    const ringBase = map.region('data', 'ring').offset;
    Atomics.store(r.st, (ringBase + RING_CI) >> 2, 0);
    const third = supervise(r, [consumerSpec([], 'exit')]);
    await third.start();
    await until(() => third.control('cons').load(CTL.FRAMES_IN) >= 300, 'third consumer to consume the rewound frames');
    await third.stop();
    expect(r.word(W.VIOL)).toBe(150);
  });
});
