// Benchmark harness shared by every suite under bench/: a sample recorder over a preallocated
// Float64Array (optionally backed by a SharedArrayBuffer so a worker records and the main thread
// reads without a copy), exact percentiles from the sorted samples, ratios and target checks, the
// runtime description (node, V8, CPU, cores, affinity), a plain-text table printer and the JSON
// writer for bench/results/<suite>.json.
//
// Invariants:
// - Recording never allocates: `record()` writes into the preallocated array; samples beyond the
//   capacity are counted in `dropped`, never stored, and never silently lost from the report.
// - Percentiles use the nearest-rank method on the sorted samples: pXX is the smallest sample
//   such that at least XX% of the samples are <= it (index ceil(q*n)-1). No interpolation, so
//   every reported figure is a value that was actually measured.
// - A target is reported as met or missed from the figures of the same run; nothing here tunes
//   or rounds a figure towards a target.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';

/** Percentile summary of one sample set, in the unit of the samples (microseconds here). */
export interface Summary {
  count: number;
  /** Samples that did not fit in the recorder (counted, not stored). */
  dropped: number;
  min: number;
  mean: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * Nearest-rank percentile of `sorted[0..count)` (ascending). `q` in [0, 1].
 * Returns NaN for an empty set.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, count: number, q: number): number {
  if (count <= 0) return Number.NaN;
  if (q <= 0) return sorted[0]!;
  if (q >= 1) return sorted[count - 1]!;
  let rank = Math.ceil(q * count);
  if (rank < 1) rank = 1;
  if (rank > count) rank = count;
  return sorted[rank - 1]!;
}

/**
 * Summarises `values[0..count)`. Sorts a copy (the recorder keeps its samples in arrival
 * order, so a caller can still look at the time series).
 */
export function summarize(values: Float64Array, count: number, dropped = 0): Summary {
  const n = Math.min(count, values.length);
  const sorted = values.slice(0, n).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return {
    count: n,
    dropped,
    min: n > 0 ? sorted[0]! : Number.NaN,
    mean: n > 0 ? sum / n : Number.NaN,
    p50: percentileOfSorted(sorted, n, 0.5),
    p99: percentileOfSorted(sorted, n, 0.99),
    p999: percentileOfSorted(sorted, n, 0.999),
    max: n > 0 ? sorted[n - 1]! : Number.NaN,
  };
}

/** The summary of several runs' samples taken together (the percentiles of every sample). */
export function summarizePooled(runs: readonly Float64Array[]): Summary {
  const total = runs.reduce((n, r) => n + r.length, 0);
  const pooled = new Float64Array(total);
  let at = 0;
  for (const r of runs) {
    pooled.set(r, at);
    at += r.length;
  }
  return summarize(pooled, total);
}

/** Bytes a Recorder of `capacity` samples needs when it lives in shared memory. */
export function recorderBytes(capacity: number): number {
  return 8 * (capacity + 2);
}

/**
 * A fixed-capacity sample recorder. When built over a SharedArrayBuffer (see `recorderBytes`),
 * slot 0 holds the count and slot 1 the dropped count, so another thread that attaches to the
 * same buffer sees everything after the recording thread has signalled it is done.
 */
export class Recorder {
  readonly values: Float64Array;
  private readonly meta: Float64Array;

  constructor(capacity: number, shared?: SharedArrayBuffer, byteOffset = 0) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`Recorder capacity must be a positive integer, got ${capacity}`);
    }
    if (shared !== undefined) {
      if (shared.byteLength < byteOffset + recorderBytes(capacity)) {
        throw new RangeError('shared buffer too small for the recorder');
      }
      this.meta = new Float64Array(shared, byteOffset, 2);
      this.values = new Float64Array(shared, byteOffset + 16, capacity);
    } else {
      this.meta = new Float64Array(2);
      this.values = new Float64Array(capacity);
    }
  }

  get count(): number {
    return this.meta[0]!;
  }

  get dropped(): number {
    return this.meta[1]!;
  }

  record(v: number): void {
    const n = this.meta[0]!;
    if (n < this.values.length) {
      this.values[n] = v;
      this.meta[0] = n + 1;
    } else {
      this.meta[1] = this.meta[1]! + 1;
    }
  }

  reset(): void {
    this.meta[0] = 0;
    this.meta[1] = 0;
  }

  summary(): Summary {
    return summarize(this.values, this.count, this.dropped);
  }
}

/** One row of a suite's result: latency percentiles (µs) and/or a rate, plus free-form extras. */
export interface CaseResult {
  name: string;
  /** Short text shown in the table's note column. */
  note?: string;
  p50_us?: number;
  p99_us?: number;
  p999_us?: number;
  max_us?: number;
  samples?: number;
  msgs_per_sec?: number;
  /** Anything else the case measured (heap bytes, GC counts, affinity, ...). */
  extra?: Record<string, unknown>;
}

export function latencyFields(s: Summary): Pick<CaseResult, 'p50_us' | 'p99_us' | 'p999_us' | 'max_us' | 'samples'> {
  return { p50_us: s.p50, p99_us: s.p99, p999_us: s.p999, max_us: s.max, samples: s.count };
}

/** A target from the issue, checked against figures of the same run. */
export interface TargetCheck {
  target: string;
  /** The ratio or figure the target asks for, e.g. 50 for "at least 50x". */
  required: number;
  /** What this run measured. */
  actual: number;
  /** 'min' = actual must be >= required; 'max' = actual must be < required. */
  kind: 'min' | 'max';
  met: boolean;
}

export function checkAtLeast(target: string, required: number, actual: number): TargetCheck {
  return { target, required, actual, kind: 'min', met: Number.isFinite(actual) && actual >= required };
}

export function checkBelow(target: string, required: number, actual: number): TargetCheck {
  return { target, required, actual, kind: 'max', met: Number.isFinite(actual) && actual < required };
}

/** baseline / candidate, for "how many times lower" (latency) figures. */
export function timesLower(baseline: number | undefined, candidate: number | undefined): number {
  if (baseline === undefined || candidate === undefined || !(candidate > 0)) return Number.NaN;
  return baseline / candidate;
}

/** candidate / baseline, for "how many times higher" (throughput) figures. */
export function timesHigher(baseline: number | undefined, candidate: number | undefined): number {
  if (baseline === undefined || candidate === undefined || !(baseline > 0)) return Number.NaN;
  return candidate / baseline;
}

/** What `probeInterruptions` saw: how often a busy thread lost its cpu, and for how long. */
export interface InterruptionProbe {
  /** Gaps longer than the threshold per second of busy time. */
  perSec: number;
  /** Gap durations (µs). */
  gaps: Summary;
  thresholdUs: number;
  busyMs: number;
}

/**
 * Busy-loops on the calling thread for `ms` reading the clock, and records every gap between two
 * reads longer than `thresholdUs`: the times the thread lost its cpu (an interrupt, the
 * hypervisor running something else, a preemption). A latency sample of d µs taken on this thread
 * is hit by such a gap with probability ~ perSec x d / 1e6, and when that passes 1% the p99
 * carries a gap whatever the measured code does.
 */
export function probeInterruptions(ms: number, thresholdUs = 2): InterruptionProbe {
  const rec = new Recorder(1_000_000);
  const t0 = performance.now();
  let prev = t0;
  let t = t0;
  while (t - t0 < ms) {
    t = performance.now();
    const gapUs = (t - prev) * 1000;
    if (gapUs > thresholdUs) rec.record(gapUs);
    prev = t;
  }
  const busyMs = t - t0;
  return { perSec: (rec.count + rec.dropped) / (busyMs / 1000), gaps: rec.summary(), thresholdUs, busyMs };
}

// ---------------------------------------------------------------------------------------------
// Runtime description

export interface RuntimeInfo {
  date: string;
  node: string;
  v8: string;
  platform: string;
  kernel: string;
  cpuModel: string;
  cores: number;
  availableParallelism: number;
  loadAverage: number[];
  /** Affinity of the whole process as the kernel reports it (Cpus_allowed_list). */
  processAffinity: string | null;
  /** Per-thread pinning reports gathered by the suites (thread label -> report). */
  pinning: Record<string, unknown>;
}

/** Reads `Cpus_allowed_list` from a /proc status file; null where /proc is not available. */
export function readAffinity(statusPath = '/proc/thread-self/status'): string | null {
  try {
    const text = readFileSync(statusPath, 'utf8');
    const m = /^Cpus_allowed_list:\s*(.+)$/m.exec(text);
    return m ? m[1]!.trim() : null;
  } catch {
    return null;
  }
}

export function runtimeInfo(): RuntimeInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    kernel: os.release(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    processAffinity: readAffinity('/proc/self/status'),
    pinning: {},
  };
}

// ---------------------------------------------------------------------------------------------
// Machine load while a case runs (this machine is shared: other processes steal our cores)

/** CPU time counters (clock ticks) of the whole machine and of this process. */
export interface CpuSnapshot {
  total: number;
  idle: number;
  steal: number;
  self: number;
}

/** Reads /proc/stat and /proc/self/stat; null where /proc is not available. */
export function cpuSnapshot(): CpuSnapshot | null {
  try {
    const stat = readFileSync('/proc/stat', 'utf8');
    const line = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
    const total = line.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = line[3]! + line[4]!;
    const steal = line[7] ?? 0;
    const own = readFileSync('/proc/self/stat', 'utf8');
    const fields = own.slice(own.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": state is field 3, utime field 14, stime field 15 (1-based)
    const self = Number(fields[11]) + Number(fields[12]);
    return { total, idle, steal, self };
  } catch {
    return null;
  }
}

/** Share of the machine's CPU time between two snapshots, in percent of all cores. */
export interface LoadShare {
  /** Busy time of everything but this process (other helpers, the OS). */
  otherPct: number;
  /** This process (all its threads). */
  selfPct: number;
  /** Time the hypervisor gave our vCPUs to someone else. */
  stealPct: number;
}

export function loadBetween(a: CpuSnapshot | null, b: CpuSnapshot | null): LoadShare | null {
  if (a === null || b === null) return null;
  const total = b.total - a.total;
  if (total <= 0) return null;
  const busy = total - (b.idle - a.idle);
  const self = b.self - a.self;
  const pct = (x: number): number => Math.round((1000 * x) / total) / 10;
  return { otherPct: pct(Math.max(0, busy - self - (b.steal - a.steal))), selfPct: pct(self), stealPct: pct(b.steal - a.steal) };
}

/** The run with the most interference (highest other + steal), for a row that pools runs. */
export function worstLoad(loads: readonly (LoadShare | null)[]): LoadShare | null {
  let worst: LoadShare | null = null;
  for (const l of loads) {
    if (l !== null && (worst === null || l.otherPct + l.stealPct > worst.otherPct + worst.stealPct)) worst = l;
  }
  return worst;
}

/** "other load 12%, steal 3%" for a table note ('' when unknown). */
export function fmtLoad(l: LoadShare | null): string {
  if (l === null) return '';
  return `other load ${l.otherPct}%${l.stealPct > 0 ? `, steal ${l.stealPct}%` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Output

/** Formats a microsecond figure with precision that suits its size. */
export function fmtUs(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (v < 10) return v.toFixed(2);
  if (v < 1000) return v.toFixed(1);
  return Math.round(v).toString();
}

/** Formats a rate: 1234567 -> "1.23M", 12345 -> "12.3k". */
export function fmtRate(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(1);
}

/** Formats a ratio: 52.345 -> "52.3x". */
export function fmtRatio(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (v >= 100) return `${Math.round(v)}x`;
  if (v >= 10) return `${v.toFixed(1)}x`;
  return `${v.toFixed(2)}x`;
}

/**
 * Renders rows as a plain-text table: columns padded to their widest cell, the first column
 * left-aligned, the others right-aligned (they hold figures), a dashed rule under the header.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h) => h.length);
  for (const row of rows) {
    if (row.length !== headers.length) {
      throw new RangeError(`row has ${row.length} cells, header has ${headers.length}`);
    }
    row.forEach((cell, i) => {
      if (cell.length > widths[i]!) widths[i] = cell.length;
    });
  }
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(headers), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) out.push(line(row));
  return out.join('\n');
}

const CASE_HEADERS = ['case', 'p50 us', 'p99 us', 'p99.9 us', 'max us', 'msg/s', 'samples', 'note'] as const;

/** The standard table of a suite's cases. */
export function formatCases(cases: readonly CaseResult[]): string {
  return formatTable(
    CASE_HEADERS,
    cases.map((c) => [
      c.name,
      fmtUs(c.p50_us),
      fmtUs(c.p99_us),
      fmtUs(c.p999_us),
      fmtUs(c.max_us),
      fmtRate(c.msgs_per_sec),
      c.samples === undefined ? '-' : String(c.samples),
      c.note ?? '',
    ]),
  );
}

/** The table of target checks. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  return formatTable(
    ['target', 'required', 'measured', 'result'],
    checks.map((t) => [
      t.target,
      t.kind === 'min' ? `>= ${fmtNum(t.required)}` : `< ${fmtNum(t.required)}`,
      fmtNum(t.actual),
      t.met ? 'MET' : 'MISSED',
    ]),
  );
}

function fmtNum(v: number): string {
  if (Number.isNaN(v)) return '-';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}

/** Everything a suite writes to bench/results/<suite>.json. */
export interface SuiteReport {
  suite: string;
  description: string;
  runtime: RuntimeInfo;
  config: Record<string, unknown>;
  baseline: string | null;
  cases: CaseResult[];
  ratios: Record<string, number>;
  targets: TargetCheck[];
  notes: string[];
}

/** bench/results, or BENCH_RESULTS_DIR (npm run profile points it into the profile's folder). */
export function resultsDir(): string {
  const env = process.env.BENCH_RESULTS_DIR;
  return env !== undefined && env !== '' ? env : join(PACKAGE_ROOT, 'bench', 'results');
}

/**
 * Writes the report as pretty JSON (NaN becomes null) and returns the path written: <suite>.json,
 * or <suite>.tmp.json (gitignored) for a BENCH_FILTER run, so that a partial run never replaces
 * the results of a full one.
 */
export function writeReport(report: SuiteReport, dir = resultsDir()): string {
  mkdirSync(dir, { recursive: true });
  const filtered = process.env.BENCH_FILTER !== undefined && process.env.BENCH_FILTER !== '';
  const file = join(dir, `${report.suite}${filtered ? '.tmp' : ''}.json`);
  const json = JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  writeFileSync(file, `${json}\n`);
  return file;
}

/**
 * BENCH_FILTER: a case runs only when its name contains this text (case-insensitive); unset runs
 * every case. For quick iteration and for profiling one case; ratios against a filtered-out
 * baseline then read '-'.
 */
export function caseSelected(name: string): boolean {
  const f = process.env.BENCH_FILTER;
  return f === undefined || f === '' || name.toLowerCase().includes(f.toLowerCase());
}

/** Reads an integer >= `min` (default 1: a positive one) from the environment, or the default. */
export function envInt(name: string, dflt: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Math.floor(Number(raw.replace(/_/g, '')));
  if (!Number.isFinite(v) || v < min) throw new RangeError(`${name} must be ${min === 1 ? 'a positive number' : `a number >= ${min}`}, got ${raw}`);
  return v;
}
