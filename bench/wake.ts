// Suite `wake`: how long a parked consumer thread takes to wake on another cpu, with that cpu idle
// (halted between messages) and with it kept busy by idle polling (src/actors/idle-poll.ts: one
// SCHED_IDLE spinning thread on the consumer's cpu), over the ring (consumer waits `park`, the
// engine's strategy) and over postMessage (the consumer's event loop, as in the postMessage build).
//
// Method: bench/pair.ts's latency mode, paced slowly enough that the consumer parks and its cpu
// goes idle between messages (BENCH_WAKE_PACE_US, default 1000 µs: a thread woken a few hundred
// times a second, like the engine between book updates of one venue); 64-byte messages; producer
// pinned to BENCH_PRODUCER_CPU (0), consumer to BENCH_CONSUMER_CPU (1). Sample = the consumer's
// receipt stamp - the producer's send stamp (nowUs on both sides). The four cases run in rounds
// (each round: every case once, idle before kept), BENCH_WAKE_RUNS rounds, and a row pools the
// samples of its runs, so a slow spell of the host hits every case alike.
//
// Invariants: ratios use only figures of this run; a kept case whose idle-poll thread did not
// run (no pinning, no SCHED_IDLE) is reported as an error, never as a figure.
import { IdlePoll, describeIdlePoll } from '../src/actors/idle-poll.js';
import {
  caseSelected,
  cpuSnapshot,
  envInt,
  fmtLoad,
  latencyFields,
  loadBetween,
  summarizePooled,
  timesLower,
  worstLoad,
  type CaseResult,
  type LoadShare,
  type RuntimeInfo,
  type SuiteReport,
} from './harness.js';
import { runPair, type PairCase, type PairResult } from './pair.js';
import type { Transport } from './pair-protocol.js';
import { cpuFromEnv, pinSummary } from './ring.js';

export interface WakeCase {
  readonly name: string;
  readonly transport: Transport;
  readonly kept: boolean;
}

export const WAKE_CASES: readonly WakeCase[] = [
  { name: 'wake ring park, cpu idle', transport: 'ring', kept: false },
  { name: 'wake ring park, cpu kept (idle polling)', transport: 'ring', kept: true },
  { name: 'wake postMessage, cpu idle', transport: 'port', kept: false },
  { name: 'wake postMessage, cpu kept (idle polling)', transport: 'port', kept: true },
];

export interface WakeConfig {
  readonly paceUs: number;
  readonly samples: number;
  readonly warmup: number;
  readonly runs: number;
  readonly producerCpu: number | null;
  readonly consumerCpu: number | null;
  readonly timeoutMs: number;
}

/**
 * Runs `cases` in rounds (`cfg.runs`, each round every case once) and returns one row per case,
 * its runs pooled, named `prefix + case name`; a case that failed is a row whose note starts
 * with ERROR. Used by this suite and by tick-to-order's floor rows.
 */
export async function runWakeCases(cases: readonly WakeCase[], cfg: WakeConfig, prefix = '', log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<CaseResult[]> {
  const runs = new Map<string, { r: PairResult; load: LoadShare | null }[]>();
  const errors = new Map<string, string>();
  const kept: Record<string, string> = {};

  for (let round = 0; round < cfg.runs; round++) {
    for (const c of cases) {
      if (errors.has(c.name)) continue;
      const pc: PairCase = {
        transport: c.transport,
        wait: c.transport === 'ring' ? 'park' : null,
        mode: 'latency',
        size: 64,
        warmup: cfg.warmup,
        count: cfg.samples,
        paceUs: cfg.paceUs,
        window: 1024,
        ringBytes: 256 * 1024,
        producerCpu: cfg.producerCpu,
        consumerCpu: cfg.consumerCpu,
        timeoutMs: cfg.timeoutMs,
      };
      let poll: IdlePoll | null = null;
      try {
        if (c.kept) {
          if (cfg.consumerCpu === null) throw new Error('idle polling needs a pinned consumer (BENCH_CONSUMER_CPU)');
          poll = await IdlePoll.start([cfg.consumerCpu]);
          kept[c.name] = describeIdlePoll(poll.reports);
          if (!poll.reports.every((r) => r.running)) throw new Error(`idle polling did not run: ${kept[c.name]}`);
        }
        const before = cpuSnapshot();
        const r = await runPair(pc);
        const load = loadBetween(before, cpuSnapshot());
        runs.set(c.name, [...(runs.get(c.name) ?? []), { r, load }]);
        log(`  ${prefix}${c.name}: run ${round + 1}/${cfg.runs} p50 ${r.latency?.p50.toFixed(1)} us`);
      } catch (err) {
        errors.set(c.name, err instanceof Error ? err.message : String(err));
      } finally {
        await poll?.stop();
      }
    }
  }

  const rows: CaseResult[] = [];
  for (const c of cases) {
    const err = errors.get(c.name);
    const got = runs.get(c.name) ?? [];
    if (err !== undefined || got.length === 0) {
      rows.push({ name: prefix + c.name, note: `ERROR: ${err ?? 'no run'}` });
      continue;
    }
    const load = worstLoad(got.map((a) => a.load));
    rows.push({
      name: prefix + c.name,
      ...latencyFields(summarizePooled(got.map((a) => a.r.samples!))),
      note: [c.transport === 'port' ? 'baseline transport' : '', `${got.length} runs pooled, p50s ${got.map((a) => a.r.latency!.p50.toFixed(1)).join(' ')}`, pinSummary(got[0]!.r), fmtLoad(load)]
        .filter(Boolean)
        .join('; '),
      extra: { load, pins: got[0]!.r.pins, idlePoll: kept[c.name] ?? null, runs: got.map((a) => ({ latency: a.r.latency, load: a.load })) },
    });
  }
  return rows;
}

export async function runWakeSuite(runtime: RuntimeInfo): Promise<SuiteReport> {
  const cfg: WakeConfig = {
    paceUs: envInt('BENCH_WAKE_PACE_US', 1000),
    samples: envInt('BENCH_WAKE_SAMPLES', 3000),
    warmup: envInt('BENCH_WAKE_WARMUP', 300),
    runs: envInt('BENCH_WAKE_RUNS', 3),
    producerCpu: cpuFromEnv('BENCH_PRODUCER_CPU', 0),
    consumerCpu: cpuFromEnv('BENCH_CONSUMER_CPU', 1),
    timeoutMs: envInt('BENCH_CASE_TIMEOUT_MS', 120_000),
  };
  const cases = await runWakeCases(WAKE_CASES.filter((c) => caseSelected(c.name)), cfg);
  const byName = new Map<string, CaseResult>();
  for (const row of cases) if (row.p50_us !== undefined) byName.set(row.name, row);
  const ratios: Record<string, number> = {};
  const pairRatio = (label: string, slow: string, fast: string): void => {
    const a = byName.get(slow);
    const b = byName.get(fast);
    if (a === undefined || b === undefined) return;
    ratios[`${label} p50`] = timesLower(a.p50_us, b.p50_us);
    ratios[`${label} p99`] = timesLower(a.p99_us, b.p99_us);
  };
  pairRatio('ring park: idle / kept', WAKE_CASES[0]!.name, WAKE_CASES[1]!.name);
  pairRatio('postMessage: idle / kept', WAKE_CASES[2]!.name, WAKE_CASES[3]!.name);
  pairRatio('cpu idle: postMessage / ring', WAKE_CASES[2]!.name, WAKE_CASES[0]!.name);
  pairRatio('cpu kept: postMessage / ring', WAKE_CASES[3]!.name, WAKE_CASES[1]!.name);

  return {
    suite: 'wake',
    description: 'wake-up of a parked consumer on another cpu, that cpu idle vs kept busy by idle polling, ring (park) and postMessage',
    runtime,
    config: { ...cfg },
    baseline: 'the same transport with the consumer cpu idle',
    cases,
    ratios,
    targets: [],
    notes: [
      `one 64-byte message every ${cfg.paceUs} µs; sample = consumer receipt - producer send (nowUs, one clock); rounds of all cases, ${cfg.runs} runs pooled per row`,
      'kept = one SCHED_IDLE spinning thread pinned to the consumer cpu (src/actors/idle-poll.ts) for the case, so that cpu never halts; it yields at once to the woken consumer',
    ],
  };
}
