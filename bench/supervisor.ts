// Suite `supervisor`: time from a worker crash to its replacement consuming the ring again, under
// the real Supervisor (src/actors/supervisor.ts) and actor runtime (src/actors/actor-main.ts),
// with and without a warm spare. One consumer actor ("sink", behaviour bench/supervisor-actor.ts)
// reads ring "sv.in"; the main thread owns the ring's writer. Crash k: the main thread commits a
// frame carrying k; the actor stamps its clock and throws (uncaught exception, the worker dies);
// the supervisor learns of it (the actor runtime catches the exception and fences the worker, or
// the worker's 'exit'), asks the policy, and starts the replacement (or hands the roles to the
// warm spare); the replacement is given the unreleased frame k first and stamps its clock.
// Sample = resume stamp - crash stamp (nowUs on both sides, comparable across threads).
// Also reported: crash -> the supervisor's 'exited' event (detection), from the event's clock.
//
// Policy settings: restart intensity high enough for the series (the intensity rule is not what
// is measured) and backoff 0 (the default first delay is 0; a streak would otherwise grow it).
// Between crashes the bench waits until the actor runs again and, with a spare, until a new spare
// is ready, then BENCH_SV_GAP_MS more, so each crash finds the same starting state.
//
// Invariants: a crash counts only when its resume was observed; a restart that did not go through
// the spare in the warm series is counted and reported (viaSpare), never hidden.
import { compiledModule } from '../src/paths.js';
import { ShmMap } from '../src/shm/layout.js';
import { RingWriter } from '../src/shm/ring.js';
import { WAIT_STRATEGIES, type WaitStrategyName } from '../src/shm/wait.js';
import { Supervisor, type SupervisorEvent } from '../src/actors/supervisor.js';
import { createSharedMemory } from '../src/actors/topology.js';
import {
  Recorder,
  caseSelected,
  checkBelow,
  cpuSnapshot,
  fmtLoad,
  envInt,
  latencyFields,
  loadBetween,
  type CaseResult,
  type RuntimeInfo,
  type SuiteReport,
  type Summary,
  type TargetCheck,
} from './harness.js';
import { cpuFromEnv } from './ring.js';

const ACTOR = 'sink';
const RING = 'sv.in';

interface SeriesResult {
  resume: Summary;
  detect: Summary;
  crashes: number;
  viaSpare: number;
  pin: unknown;
  restarts: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

async function runSeries(warm: boolean, crashes: number, cpu: number | null, wait: WaitStrategyName, gapMs: number): Promise<SeriesResult> {
  const sab = createSharedMemory([ACTOR], [{ name: RING, capacity: 4096, consumer: ACTOR }]);
  const flagsSab = new SharedArrayBuffer(4 * crashes);
  const timesSab = new SharedArrayBuffer(16 * crashes);
  const flags = new Int32Array(flagsSab);
  const times = new Float64Array(timesSab);
  const exitedAtMs = new Map<number, number>();
  let viaSpare = 0;
  const sup = new Supervisor(
    {
      name: 'bench',
      strategy: 'one_for_one',
      intensity: crashes + 10,
      periodMs: 3_600_000,
      backoff: { baseMs: 0, maxMs: 0, jitter: 0 },
      children: [
        {
          id: ACTOR,
          module: compiledModule('bench/supervisor-actor.ts'),
          inbound: [RING],
          cpu,
          wait,
          params: { flags: flagsSab, times: timesSab },
          warmSpare: warm,
        },
      ],
    },
    {
      sab,
      seed: 1,
      onEvent: (e: SupervisorEvent) => {
        if (e.type === 'exited' && !e.spare) exitedAtMs.set(e.generation, e.at);
        if (e.type === 'ready' && !e.spare && e.viaSpare) viaSpare++;
      },
    },
  );
  await sup.start();
  const writer = RingWriter.attach(ShmMap.attach(sab), RING);
  const resume = new Recorder(crashes);
  const detect = new Recorder(crashes);
  const child = (): ReturnType<Supervisor['children']>[number] => sup.children()[0]!;
  try {
    for (let k = 0; k < crashes; k++) {
      await until(() => child().status === 'running' && (!warm || child().spareReady), 30_000, warm ? 'a ready warm spare' : 'the actor to run');
      await sleep(gapMs);
      const generation = child().generation;
      const off = writer.reserve(4);
      if (off < 0) throw new Error('sv.in is full');
      writer.u8[off] = k & 0xff;
      writer.u8[off + 1] = (k >> 8) & 0xff;
      writer.u8[off + 2] = (k >> 16) & 0xff;
      writer.u8[off + 3] = (k >>> 24) & 0xff;
      writer.commit();
      await until(() => Atomics.load(flags, k) === 2, 30_000, `resume after crash ${k}`);
      resume.record(times[2 * k + 1]! - times[2 * k]!);
      const ex = exitedAtMs.get(generation);
      if (ex !== undefined) detect.record(ex * 1000 - times[2 * k]!);
    }
  } finally {
    await sup.stop();
  }
  const info = child();
  return { resume: resume.summary(), detect: detect.summary(), crashes, viaSpare, pin: info.pin, restarts: info.restarts };
}

export async function runSupervisorSuite(runtime: RuntimeInfo): Promise<SuiteReport> {
  const waitRaw = process.env.BENCH_SV_WAIT ?? 'park';
  if (!WAIT_STRATEGIES.includes(waitRaw as WaitStrategyName)) throw new Error(`BENCH_SV_WAIT must be one of ${WAIT_STRATEGIES.join(', ')}`);
  const cfg = {
    crashes: envInt('BENCH_SV_CRASHES', 25),
    gapMs: envInt('BENCH_SV_GAP_MS', 20),
    wait: waitRaw as WaitStrategyName,
    cpu: cpuFromEnv('BENCH_CONSUMER_CPU', 1),
    backoffMs: 0,
  };
  const cases: CaseResult[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  const ratios: Record<string, number> = {};
  const pins: Record<string, unknown> = {};
  const results = new Map<boolean, SeriesResult>();
  for (const warm of [true, false]) {
    const name = `crash -> resumed consuming, ${warm ? 'warm spare' : 'cold start (no spare)'}`;
    if (!caseSelected(name)) continue;
    process.stdout.write(`  ${name} x ${cfg.crashes} ...`);
    try {
      const before = cpuSnapshot();
      const r = await runSeries(warm, cfg.crashes, cfg.cpu, cfg.wait, cfg.gapMs);
      const load = loadBetween(before, cpuSnapshot());
      results.set(warm, r);
      pins[warm ? 'warm' : 'cold'] = r.pin;
      cases.push({
        name,
        ...latencyFields(r.resume),
        note: [
          `detect p50 ${(r.detect.p50 / 1000).toFixed(2)} ms`,
          warm ? `via spare ${r.viaSpare}/${r.crashes}` : '',
          fmtLoad(load),
        ].filter(Boolean).join('; '),
        extra: { detect: r.detect, viaSpare: r.viaSpare, restarts: r.restarts, pin: r.pin, load },
      });
      process.stdout.write(` p50 ${(r.resume.p50 / 1000).toFixed(2)} ms, max ${(r.resume.max / 1000).toFixed(2)} ms\n`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      cases.push({ name, note: `ERROR: ${message}` });
      notes.push(`${name} failed: ${message}`);
      process.stdout.write(` ERROR ${message}\n`);
    }
  }
  const warm = results.get(true);
  const cold = results.get(false);
  if (warm) {
    targets.push(checkBelow('warm spare: crash -> resumed p50 < 5 ms (us)', 5000, warm.resume.p50));
    if (warm.viaSpare < warm.crashes) notes.push(`warm series: only ${warm.viaSpare} of ${warm.crashes} restarts went through the spare`);
  }
  if (warm && cold) ratios['cold p50 / warm p50'] = cold.resume.p50 / warm.resume.p50;
  if (cold) notes.push(`without a spare: p50 ${(cold.resume.p50 / 1000).toFixed(2)} ms, max ${(cold.resume.max / 1000).toFixed(2)} ms (no target; reported)`);
  notes.push(
    `figures are microseconds; crash = the actor's uncaught exception in onFrame; resumed = the replacement's first onFrame (the same, unreleased frame); actor wait strategy '${cfg.wait}', cpu ${cfg.cpu ?? 'unpinned'}; backoff 0`,
  );
  runtime.pinning.supervisor = pins;
  return {
    suite: 'supervisor',
    description: `time from a worker crash to its replacement consuming the ring again (${cfg.crashes} crashes per series), with and without a warm spare`,
    runtime,
    config: cfg,
    baseline: null,
    cases,
    ratios,
    targets,
    notes,
  };
}
