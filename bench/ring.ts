// Suite `ring`: one-way latency and throughput between two worker threads, 64 B and 1 KiB
// messages, our SPSC ring with each consumer wait strategy against MessagePort.postMessage (the
// baseline), all in the same run with the same harness. See BENCHMARKING.md for the method.
//
// Invariants: the baseline of each size runs before the ring cases of that size, in the same
// process, same pinning, same message format and pacing; ratios are computed only from figures
// of this run; targets are reported as met or missed, never adjusted.
import os from 'node:os';
import {
  caseSelected,
  checkAtLeast,
  cpuSnapshot,
  fmtLoad,
  fmtRate,
  fmtUs,
  loadBetween,
  envInt,
  latencyFields,
  summarizePooled,
  timesHigher,
  timesLower,
  worstLoad,
  type CaseResult,
  type LoadShare,
  type RuntimeInfo,
  type SuiteReport,
  type TargetCheck,
} from './harness.js';
import { runPair, type PairCase, type PairResult } from './pair.js';
import { CONSUMER_WAITS, type ConsumerWait, type PairMode, type Transport } from './pair-protocol.js';

/** CPU for a role from the environment ('none' = unpinned); unpinned on a 1-core machine. */
export function cpuFromEnv(name: string, dflt: number): number | null {
  const raw = process.env[name];
  if (raw === 'none' || os.availableParallelism() < 2) return null;
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a cpu number or 'none', got ${raw}`);
  return v;
}

interface PinLike {
  pinned?: boolean;
  effective?: string | null;
  requestedCpu?: number | null;
  failure?: string;
}

export function pinSummary(r: PairResult): string {
  const f = (p: unknown): string => {
    const x = (p ?? {}) as PinLike;
    if (x.pinned) return `cpu${x.effective}`;
    return `unpinned(${x.failure ?? '?'}:${x.effective ?? '?'})`;
  };
  return `prod ${f(r.pins.producer)} cons ${f(r.pins.consumer)}`;
}

function label(mode: PairMode, size: number, transport: Transport, wait: ConsumerWait | null): string {
  const sz = size >= 1024 ? `${size / 1024}KiB` : `${size}B`;
  if (transport === 'word') return 'rtt/2 shared word (floor)';
  const what = transport === 'port' ? 'postMessage' : `ring ${wait}`;
  const m = mode === 'latency' ? 'lat' : mode === 'rtt' ? 'rtt/2' : 'tput';
  return `${m} ${sz} ${what}`;
}

export async function runRingSuite(runtime: RuntimeInfo): Promise<SuiteReport> {
  const cfg = {
    sizes: [64, 1024],
    latencySamples: envInt('BENCH_RING_LAT_SAMPLES', 7_000),
    latencyRuns: envInt('BENCH_RING_LAT_RUNS', 3),
    latencyWarmup: envInt('BENCH_RING_WARMUP', 2_000),
    paceUs: envInt('BENCH_RING_PACE_US', 100),
    ringThroughputMsgs: envInt('BENCH_RING_TPUT_MSGS', 2_000_000),
    throughputRuns: envInt('BENCH_RING_TPUT_RUNS', 3),
    portThroughputMsgs: envInt('BENCH_PORT_TPUT_MSGS', 200_000),
    portWindow: envInt('BENCH_PORT_WINDOW', 1024),
    ringBytes: envInt('BENCH_RING_BYTES', 256 * 1024),
    producerCpu: cpuFromEnv('BENCH_PRODUCER_CPU', 0),
    consumerCpu: cpuFromEnv('BENCH_CONSUMER_CPU', 1),
    timeoutMs: envInt('BENCH_CASE_TIMEOUT_MS', 120_000),
  };
  const cases: CaseResult[] = [];
  const ratios: Record<string, number> = {};
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  const pins: Record<string, string> = {};
  const byKey = new Map<string, PairResult>();

  const pairCase = (mode: PairMode, size: number, transport: Transport, wait: ConsumerWait | null): PairCase => {
    const latency = mode === 'latency' || mode === 'rtt';
    const count = latency ? cfg.latencySamples : transport === 'port' ? cfg.portThroughputMsgs : cfg.ringThroughputMsgs;
    return {
      transport,
      wait,
      mode,
      size,
      warmup: latency ? cfg.latencyWarmup : Math.max(1000, Math.floor(count / 10)),
      count,
      paceUs: cfg.paceUs,
      window: cfg.portWindow,
      ringBytes: cfg.ringBytes,
      producerCpu: cfg.producerCpu,
      consumerCpu: cfg.consumerCpu,
      timeoutMs: cfg.timeoutMs,
    };
  };

  interface Attempt {
    r: PairResult;
    load: LoadShare | null;
  }

  /** One run of a case; errors are recorded once per case and the case is then skipped. */
  const failed = new Set<string>();
  const attempt = async (name: string, pc: PairCase): Promise<Attempt | null> => {
    if (failed.has(name)) return null;
    try {
      const before = cpuSnapshot();
      const r = await runPair(pc);
      return { r, load: loadBetween(before, cpuSnapshot()) };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failed.add(name);
      cases.push({ name, note: `ERROR: ${message}` });
      notes.push(`${name} failed: ${message}`);
      process.stdout.write(`  ${name}: ERROR ${message}\n`);
      return null;
    }
  };

  /**
   * The table row of a case from its runs. Latency: the samples of every run pooled (the
   * percentiles of all measured messages); throughput: the median-rate run.
   */
  const record = (name: string, pc: PairCase, attempts: Attempt[]): void => {
    if (attempts.length === 0) return;
    const latency = pc.mode === 'latency' || pc.mode === 'rtt';
    const sorted = [...attempts].sort((a, b) => a.r.msgsPerSec - b.r.msgsPerSec);
    const chosen = latency ? attempts[0]! : sorted[(sorted.length - 1) >> 1]!;
    let r = chosen.r;
    let load = chosen.load;
    if (latency) {
      r = { ...r, latency: summarizePooled(attempts.map((a) => a.r.samples!)) };
      load = worstLoad(attempts.map((a) => a.load));
    }
    byKey.set(name, r);
    pins[name] = pinSummary(r);
    const runsNote = latency
      ? attempts.length > 1 ? `${attempts.length} runs pooled, p50s ${attempts.map((a) => fmtUs(a.r.latency!.p50)).join(' ')}` : ''
      : `median of ${attempts.length}: ${sorted.map((a) => fmtRate(a.r.msgsPerSec)).join(' ')}`;
    const row: CaseResult = {
      name,
      note: [
        pc.transport === 'port' ? 'baseline' : pc.transport === 'word' ? 'floor: one cache line handed across (one clock)' : pc.mode === 'rtt' ? 'clock check (one clock)' : '',
        runsNote,
        fmtLoad(load),
      ].filter(Boolean).join('; '),
      extra: {
        load,
        producer: r.producer,
        consumer: r.consumer,
        pins: r.pins,
        elapsedUs: r.elapsedUs,
        received: r.received,
        runs: attempts.map((a) => (latency ? { latency: a.r.latency, load: a.load } : { msgsPerSec: a.r.msgsPerSec, load: a.load })),
      },
    };
    if (r.latency) Object.assign(row, latencyFields(r.latency));
    else {
      row.msgs_per_sec = r.msgsPerSec;
      row.samples = pc.count;
    }
    cases.push(row);
    if (load && (load.otherPct >= 10 || load.stealPct >= 10)) disturbed.push(`${name} (${fmtLoad(load)})`);
  };

  const disturbed: string[] = [];
  for (const size of cfg.sizes) {
    // Latency and throughput each run in rounds over all cases of the size (baseline first in
    // each round), so a burst of load from elsewhere hits one round of every case rather than
    // every run of one case. Latency rows pool the samples of their runs; throughput rows are
    // their median run.
    const latencyCases: [PairMode, Transport, ConsumerWait | null][] = [
      ['latency', 'port', null],
      ...CONSUMER_WAITS.map((w): [PairMode, Transport, ConsumerWait | null] => ['latency', 'ring', w]),
      ['rtt', 'ring', 'spin'],
      // the floor (no payload: measured once, with the first size's cases)
      ...(size === cfg.sizes[0] ? [['rtt', 'word', null] as [PairMode, Transport, ConsumerWait | null]] : []),
    ];
    const tputCases: [PairMode, Transport, ConsumerWait | null][] = [
      ['throughput', 'port', null],
      ...CONSUMER_WAITS.map((w): [PairMode, Transport, ConsumerWait | null] => ['throughput', 'ring', w]),
    ];
    for (const [group, runsWanted] of [[latencyCases, cfg.latencyRuns], [tputCases, cfg.throughputRuns]] as const) {
      const runs = new Map<string, Attempt[]>();
      for (let round = 1; round <= runsWanted; round++) {
        for (const [mode, transport, wait] of group) {
          const name = label(mode, size, transport, wait);
          if (!caseSelected(name)) continue;
          const a = await attempt(name, pairCase(mode, size, transport, wait));
          if (a === null) continue;
          const figure = a.r.latency ? `p50 ${a.r.latency.p50.toFixed(2)} us` : `${Math.round(a.r.msgsPerSec)} msg/s`;
          process.stdout.write(`  ${name} (run ${round}/${runsWanted}) ... ${figure}\n`);
          runs.set(name, [...(runs.get(name) ?? []), a]);
        }
      }
      for (const [mode, transport, wait] of group) {
        const name = label(mode, size, transport, wait);
        if (failed.has(name)) continue;
        record(name, pairCase(mode, size, transport, wait), runs.get(name) ?? []);
      }
    }
  }

  // Ratios against the baseline of the same size, this run.
  for (const size of cfg.sizes) {
    const baseLat = byKey.get(label('latency', size, 'port', null))?.latency ?? undefined;
    const baseTput = byKey.get(label('throughput', size, 'port', null))?.msgsPerSec;
    for (const w of CONSUMER_WAITS) {
      const lat = byKey.get(label('latency', size, 'ring', w))?.latency ?? undefined;
      const tput = byKey.get(label('throughput', size, 'ring', w))?.msgsPerSec;
      const sz = size >= 1024 ? `${size / 1024}KiB` : `${size}B`;
      ratios[`${sz} ${w} p50 x lower`] = timesLower(baseLat?.p50, lat?.p50);
      ratios[`${sz} ${w} p99 x lower`] = timesLower(baseLat?.p99, lat?.p99);
      ratios[`${sz} ${w} p99.9 x lower`] = timesLower(baseLat?.p999, lat?.p999);
      ratios[`${sz} ${w} throughput x higher`] = timesHigher(baseTput, tput);
    }
  }
  for (const size of cfg.sizes) {
    const sz = size >= 1024 ? `${size / 1024}KiB` : `${size}B`;
    targets.push(checkAtLeast(`ring spin ${sz} p50 >= 50x lower than postMessage`, 50, ratios[`${sz} spin p50 x lower`]!));
    targets.push(checkAtLeast(`ring spin ${sz} p99 >= 20x lower than postMessage`, 20, ratios[`${sz} spin p99 x lower`]!));
  }
  targets.push(checkAtLeast('ring spin 64B throughput >= 20x postMessage', 20, ratios['64B spin throughput x higher']!));
  // The best p50 ratio this machine allows: postMessage's one-way p50 over the shared word's
  // round trip / 2 (one cache line crossing, no ring; one clock read per sample where a one-way
  // sample has a stamp on each side).
  const floor = byKey.get(label('rtt', cfg.sizes[0]!, 'word', null))?.latency;
  for (const size of cfg.sizes) {
    const sz = size >= 1024 ? `${size / 1024}KiB` : `${size}B`;
    const base = byKey.get(label('latency', size, 'port', null))?.latency;
    ratios[`${sz} postMessage p50 / floor p50 (best possible)`] = timesLower(base?.p50, floor?.p50);
  }
  if (floor) {
    const ringHalf = byKey.get(label('rtt', cfg.sizes[0]!, 'ring', 'spin'))?.latency;
    notes.push(
      `floor: one cache line handed between the two cpus and back, / 2: p50 ${floor.p50.toFixed(3)} us${ringHalf ? ` (the ring's rtt/2 of ${cfg.sizes[0]} B: ${ringHalf.p50.toFixed(3)} us; a ring frame crosses its index line and its data lines)` : ''}; no transport can show a p50 ratio against postMessage above the "best possible" ratios`,
    );
  }

  // Clock check: the one-way figure uses two threads' clocks, the rtt/2 figure one thread's.
  let maxClockErr = 0;
  for (const r of byKey.values()) {
    maxClockErr = Math.max(maxClockErr, Number(r.producer.clockErrorUs) || 0, Number(r.consumer.clockErrorUs) || 0);
  }
  for (const size of cfg.sizes) {
    const oneWay = byKey.get(label('latency', size, 'ring', 'spin'))?.latency;
    const half = byKey.get(label('rtt', size, 'ring', 'spin'))?.latency;
    if (oneWay && half) {
      notes.push(
        `clock check ${size} B: ring spin one-way p50 ${oneWay.p50.toFixed(3)} us (two clocks, min ${oneWay.min.toFixed(3)}) vs round trip/2 p50 ${half.p50.toFixed(3)} us (one clock); per-thread calibration error bound <= ${maxClockErr.toFixed(3)} us`,
      );
    }
  }
  runtime.pinning.ring = pins;
  const allPinned = [...byKey.values()].every((r) => (r.pins.producer as PinLike)?.pinned && (r.pins.consumer as PinLike)?.pinned);
  notes.push(
    allPinned
      ? `every case ran with the producer pinned to cpu ${cfg.producerCpu} and the consumer to cpu ${cfg.consumerCpu} (effective affinity read back from /proc/thread-self/status)`
      : 'some cases ran unpinned: see runtime.pinning.ring',
  );
  notes.push(
    `latency: producer paced at one message per ${cfg.paceUs} us; per run ${cfg.latencyWarmup} warm-up messages, then ${cfg.latencySamples} measured; ${cfg.latencyRuns} runs per case in interleaved rounds, samples pooled`,
  );
  notes.push(
    `throughput: saturating producer; postMessage keeps at most ${cfg.portWindow} messages in flight; ${cfg.throughputRuns} runs per case in interleaved rounds, the row is the median run`,
  );
  if (disturbed.length > 0) {
    notes.push(`measured while other processes or the hypervisor took >= 10% of the machine (ratios involving these rows are less reliable): ${disturbed.join('; ')}`);
  }

  return {
    suite: 'ring',
    description: 'one-way latency (paced) and throughput (saturating) across two worker threads: SPSC ring per consumer wait strategy vs MessagePort.postMessage',
    runtime,
    config: cfg,
    baseline: 'MessagePort.postMessage (structured clone of a Uint8Array), consumer on its event loop',
    cases,
    ratios,
    targets,
    notes,
  };
}
