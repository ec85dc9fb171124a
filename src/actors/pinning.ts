// CPU pinning of the calling thread (an actor's worker thread), and the report of what was
// actually achieved.
//
// Node has no affinity API, so: the thread learns its OS thread id from the `/proc/thread-self`
// link (`<pid>/task/<tid>`), is pinned with sched_setaffinity through `taskset -p -c <cpu> <tid>`
// (util-linux; scripts/ensure-tools.sh installs it), and then reads back its EFFECTIVE affinity
// from `/proc/thread-self/status` (`Cpus_allowed_list`). The report says, per actor: tid,
// requested cpu, effective cpu list, and when pinning was not possible, why (no /proc, no taskset,
// cpu out of range, EPERM, ...). Pinning never throws: an actor that cannot be pinned runs
// unpinned, and its supervisor says so once.
//
// Invariants: `pinned` is true only when the read-back effective list is exactly the requested
// cpu; the parsers are pure and total (malformed input gives null, never an exception).
// Runs once per actor at bootstrap, never on the hot path (it spawns a process).
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { SchedReport } from './sched.js';

export const PIN_FAILURES = [
  'not_requested',
  'no_proc',
  'no_taskset',
  'cpu_out_of_range',
  'eperm',
  'cpu_unavailable',
  'taskset_failed',
  'not_effective',
] as const;
export type PinFailure = (typeof PIN_FAILURES)[number];

export interface PinReport {
  /** The cpu the actor asked for, or null when it asked for none. */
  readonly requestedCpu: number | null;
  /** OS thread id of the actor's thread, or null when /proc is unavailable. */
  readonly tid: number | null;
  /** True when the effective affinity is exactly the requested cpu. */
  readonly pinned: boolean;
  /** `Cpus_allowed_list` read back after pinning (e.g. "0" or "0-1"), or null when unreadable. */
  readonly effective: string | null;
  /** Why the thread is not pinned (absent when pinned). */
  readonly failure?: PinFailure;
  /** Human detail for `failure` (e.g. taskset's message). */
  readonly detail?: string;
  /** The thread's scheduling class (sched.ts), set by the actor runtime at bootstrap. */
  readonly sched?: SchedReport;
}

/** Parses the target of `/proc/thread-self` (`<pid>/task/<tid>` or `/proc/<pid>/task/<tid>`). */
export function parseThreadSelfLink(link: string): { pid: number; tid: number } | null {
  const m = /^(?:\/proc\/)?(\d+)\/task\/(\d+)\/?$/.exec(link.trim());
  if (!m) return null;
  return { pid: Number(m[1]), tid: Number(m[2]) };
}

/** Parses a kernel cpu list ("0-3,5,8-9") into sorted unique cpu numbers; null when malformed. */
export function parseCpuList(text: string): number[] | null {
  const t = text.trim();
  if (t === '') return null;
  const out = new Set<number>();
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi - lo > 4096) return null;
    for (let c = lo; c <= hi; c++) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/** Extracts `Cpus_allowed_list` from the text of a /proc status file; null when absent. */
export function parseCpusAllowedList(status: string): string | null {
  const m = /^Cpus_allowed_list:\s*(\S+)\s*$/m.exec(status);
  return m ? m[1]! : null;
}

/** Classifies a failed `taskset` run (spawn error or non-zero exit) into a PinFailure. */
export function classifyTasksetError(err: unknown): { failure: PinFailure; detail: string } {
  const e = err as { code?: unknown; stderr?: unknown; message?: unknown };
  const stderr = e.stderr === undefined ? '' : String(e.stderr).trim();
  const detail = stderr !== '' ? stderr : String(e.message ?? err);
  if (e.code === 'ENOENT') return { failure: 'no_taskset', detail: 'taskset not found (install util-linux)' };
  if (e.code === 'EACCES' || e.code === 'EPERM' || /Operation not permitted|EPERM/i.test(detail)) {
    return { failure: 'eperm', detail };
  }
  if (/Invalid argument|EINVAL/i.test(detail)) return { failure: 'cpu_unavailable', detail };
  return { failure: 'taskset_failed', detail };
}

/** The system calls pinning needs; injectable so the failure paths are testable. */
export interface PinDeps {
  readlink(path: string): string;
  readFile(path: string): string;
  taskset(args: readonly string[]): void;
  /** Online cpus of the machine. */
  onlineCpus(): number[];
}

function defaultOnlineCpus(): number[] {
  try {
    const list = parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
    if (list) return list;
  } catch {
    // fall through
  }
  const n = availableParallelism();
  return Array.from({ length: n }, (_, i) => i);
}

export const SYSTEM_PIN_DEPS: PinDeps = {
  readlink: (p) => readlinkSync(p),
  readFile: (p) => readFileSync(p, 'utf8'),
  taskset: (args) => {
    execFileSync('taskset', [...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10_000 });
  },
  onlineCpus: defaultOnlineCpus,
};

/** OS thread id of the calling thread, or null without /proc. */
export function currentThreadId(deps: Pick<PinDeps, 'readlink'> = SYSTEM_PIN_DEPS): number | null {
  try {
    return parseThreadSelfLink(deps.readlink('/proc/thread-self'))?.tid ?? null;
  } catch {
    return null;
  }
}

/** Effective affinity of the calling thread (`Cpus_allowed_list`), or null when unreadable. */
export function currentAffinity(deps: PinDeps = SYSTEM_PIN_DEPS): string | null {
  try {
    return parseCpusAllowedList(deps.readFile('/proc/thread-self/status'));
  } catch {
    return null;
  }
}

/**
 * Pins the calling thread to `cpu` (or only reports its affinity when `cpu` is null/undefined).
 * Never throws.
 */
export function pinCurrentThread(cpu: number | null | undefined, deps: PinDeps = SYSTEM_PIN_DEPS): PinReport {
  const requestedCpu = cpu ?? null;
  const tid = currentThreadId(deps);
  if (requestedCpu === null) {
    return { requestedCpu, tid, pinned: false, effective: currentAffinity(deps), failure: 'not_requested' };
  }
  if (tid === null) {
    return { requestedCpu, tid, pinned: false, effective: null, failure: 'no_proc', detail: '/proc/thread-self is not readable' };
  }
  const online = deps.onlineCpus();
  if (!Number.isInteger(requestedCpu) || requestedCpu < 0 || !online.includes(requestedCpu)) {
    return {
      requestedCpu,
      tid,
      pinned: false,
      effective: currentAffinity(deps),
      failure: 'cpu_out_of_range',
      detail: `cpu ${requestedCpu} is not one of the online cpus ${online.join(',')}`,
    };
  }
  try {
    deps.taskset(['-p', '-c', String(requestedCpu), String(tid)]);
  } catch (err) {
    const { failure, detail } = classifyTasksetError(err);
    return { requestedCpu, tid, pinned: false, effective: currentAffinity(deps), failure, detail };
  }
  const effective = currentAffinity(deps);
  const cpus = effective === null ? null : parseCpuList(effective);
  if (cpus === null || cpus.length !== 1 || cpus[0] !== requestedCpu) {
    return {
      requestedCpu,
      tid,
      pinned: false,
      effective,
      failure: 'not_effective',
      detail: `taskset succeeded but the effective affinity is ${effective ?? 'unreadable'}`,
    };
  }
  return { requestedCpu, tid, pinned: true, effective };
}

/** One line for logs: "tid 1234 pinned to cpu 0" or "tid 1234 unpinned (cpu_out_of_range: ...)". */
export function describePin(r: PinReport): string {
  const who = r.tid === null ? 'thread' : `tid ${r.tid}`;
  if (r.pinned) return `${who} pinned to cpu ${r.requestedCpu} (effective ${r.effective})`;
  if (r.failure === 'not_requested') return `${who} not pinned (no cpu requested; affinity ${r.effective ?? 'unknown'})`;
  return `${who} runs unpinned: ${r.failure}${r.detail ? ` (${r.detail})` : ''}; affinity ${r.effective ?? 'unknown'}`;
}
