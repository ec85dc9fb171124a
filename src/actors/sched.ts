// Real-time scheduling class of the calling thread (an actor's worker thread), and the report of
// what was actually achieved.
//
// Why: on a host where an actor shares its cpu with other threads (this project's 2-cpu layouts,
// or any host without isolated cores), a thread woken by a doorbell or a socket waits for the
// kernel's fair scheduler to give it the cpu: up to a time slice (milliseconds) behind whatever
// runs there. A SCHED_FIFO / SCHED_RR thread preempts every fair-class thread as soon as it is
// woken. Among real-time threads the higher priority preempts; equal priorities under FIFO run
// until they block. An actor that never spins (park, async-park) blocks between messages, so a
// real-time class costs the other threads nothing while it waits; a SPINNING actor with a
// real-time class keeps its cpu from every fair-class thread (the kernel's real-time throttling,
// `kernel.sched_rt_runtime_us`, leaves them 5% by default): give a spinning actor an isolated cpu.
// Only the actor's own thread gets the class: V8's compiler and GC helper threads stay in the
// default class, so on a shared cpu they run while the actor waits. (A whole process run under
// `chrt -f` on one cpu shows why: its compiler threads never ran beside the busy main thread, the
// code stayed unoptimised and the feed bench's per-update cost went from ~8 µs to ~140 µs.)
//
// How: Node has no scheduler API, so like pinning.ts the thread learns its OS thread id from
// `/proc/thread-self`, sets the class with sched_setscheduler through `chrt --fifo|--rr -p <prio>
// <tid>` (util-linux; scripts/ensure-tools.sh installs it), then reads back the EFFECTIVE policy
// and priority from `/proc/thread-self/stat` (fields 40 rt_priority and 41 policy). It needs root,
// CAP_SYS_NICE or an RLIMIT_RTPRIO at least the priority (`ulimit -r`).
//
// Invariants: `applied` is true only when the read-back policy and priority are exactly the
// requested ones; the parser is pure and total (malformed input gives null, never an exception);
// applying never throws: a thread that cannot get the class runs in the class it had, and the
// report says why. Runs once per actor at bootstrap, never on the hot path (it spawns a process).
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { currentThreadId } from './pinning.js';

/** Real-time policies an actor can ask for. */
export type RealtimePolicy = 'fifo' | 'rr';

/** What an actor asks for: a real-time policy and its priority (1 = lowest .. 99 = highest). */
export interface RealtimeSpec {
  readonly policy: RealtimePolicy;
  readonly priority: number;
}

export const SCHED_FAILURES = ['not_requested', 'no_proc', 'bad_priority', 'no_chrt', 'eperm', 'chrt_failed', 'not_effective'] as const;
export type SchedFailure = (typeof SCHED_FAILURES)[number];

/** Linux policy numbers (sched.h) and the names reports use. */
const POLICY_NAMES: Record<number, string> = { 0: 'other', 1: 'fifo', 2: 'rr', 3: 'batch', 5: 'idle', 6: 'deadline' };

export interface SchedReport {
  /** What the actor asked for, or null when it asked for nothing. */
  readonly requested: RealtimeSpec | null;
  /** True when the effective policy and priority are exactly the requested ones. */
  readonly applied: boolean;
  /** Effective policy read back ('other', 'fifo', 'rr', ...), or null when unreadable. */
  readonly policy: string | null;
  /** Effective real-time priority read back (0 for the fair classes), or null when unreadable. */
  readonly priority: number | null;
  /** Why the class was not applied (absent when applied). */
  readonly failure?: SchedFailure;
  /** Human detail for `failure` (e.g. chrt's message). */
  readonly detail?: string;
}

/**
 * Policy and real-time priority from the text of a /proc `stat` file (the thread's own:
 * `/proc/thread-self/stat`). The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so fields are counted from the LAST ')'. Null when malformed.
 */
export function parseSchedStat(stat: string): { policy: string; priority: number } | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state): field n is fields[n - 3]
  const prio = fields[40 - 3];
  const pol = fields[41 - 3];
  if (prio === undefined || pol === undefined || !/^\d+$/.test(prio) || !/^\d+$/.test(pol)) return null;
  const policy = POLICY_NAMES[Number(pol)] ?? `policy-${pol}`;
  return { policy, priority: Number(prio) };
}

/** Checks a requested spec; a message saying what is wrong, or null when it is valid. */
export function realtimeSpecError(spec: RealtimeSpec): string | null {
  if (spec.policy !== 'fifo' && spec.policy !== 'rr') return `policy must be 'fifo' or 'rr', got '${String(spec.policy)}'`;
  if (!Number.isInteger(spec.priority) || spec.priority < 1 || spec.priority > 99) return `priority must be an integer 1..99, got ${String(spec.priority)}`;
  return null;
}

/** Classifies a failed `chrt` run (spawn error or non-zero exit) into a SchedFailure. */
export function classifyChrtError(err: unknown): { failure: 'no_chrt' | 'eperm' | 'chrt_failed'; detail: string } {
  const e = err as { code?: unknown; stderr?: unknown; message?: unknown };
  const stderr = e.stderr === undefined ? '' : String(e.stderr).trim();
  const detail = stderr !== '' ? stderr : String(e.message ?? err);
  if (e.code === 'ENOENT') return { failure: 'no_chrt', detail: 'chrt not found (install util-linux)' };
  if (e.code === 'EACCES' || e.code === 'EPERM' || /Operation not permitted|EPERM/i.test(detail)) {
    return { failure: 'eperm', detail: `${detail} (needs root, CAP_SYS_NICE or ulimit -r >= the priority)` };
  }
  return { failure: 'chrt_failed', detail };
}

/** The system calls this module needs; injectable so the failure paths are testable. */
export interface SchedDeps {
  readlink(path: string): string;
  readFile(path: string): string;
  chrt(args: readonly string[]): void;
}

export const SYSTEM_SCHED_DEPS: SchedDeps = {
  readlink: (p) => readlinkSync(p),
  readFile: (p) => readFileSync(p, 'utf8'),
  chrt: (args) => {
    execFileSync('chrt', [...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10_000 });
  },
};

function readBack(deps: SchedDeps): { policy: string; priority: number } | null {
  try {
    return parseSchedStat(deps.readFile('/proc/thread-self/stat'));
  } catch {
    return null;
  }
}

/**
 * Gives the calling thread the requested real-time class (or only reports its class when `spec`
 * is null/undefined). Never throws.
 */
export function setCurrentThreadRealtime(spec: RealtimeSpec | null | undefined, deps: SchedDeps = SYSTEM_SCHED_DEPS): SchedReport {
  const requested = spec ?? null;
  const report = (applied: boolean, failure?: SchedFailure, detail?: string): SchedReport => {
    const now = readBack(deps);
    return {
      requested,
      applied,
      policy: now?.policy ?? null,
      priority: now?.priority ?? null,
      ...(failure === undefined ? {} : { failure }),
      ...(detail === undefined ? {} : { detail }),
    };
  };
  if (requested === null) return report(false, 'not_requested');
  const bad = realtimeSpecError(requested);
  if (bad !== null) return report(false, 'bad_priority', bad);
  const tid = currentThreadId(deps);
  if (tid === null) return report(false, 'no_proc', '/proc/thread-self is not readable');
  try {
    deps.chrt([requested.policy === 'fifo' ? '--fifo' : '--rr', '-p', String(requested.priority), String(tid)]);
  } catch (err) {
    const { failure, detail } = classifyChrtError(err);
    return report(false, failure, detail);
  }
  const now = readBack(deps);
  if (now === null || now.policy !== requested.policy || now.priority !== requested.priority) {
    return {
      requested,
      applied: false,
      policy: now?.policy ?? null,
      priority: now?.priority ?? null,
      failure: 'not_effective',
      detail: `chrt succeeded but the thread runs ${now === null ? 'in an unreadable class' : `${now.policy} priority ${now.priority}`}`,
    };
  }
  return { requested, applied: true, policy: now.policy, priority: now.priority };
}

/** One line for logs: "sched fifo 20" or "sched other 0 (eperm: ...)". */
export function describeSched(r: SchedReport): string {
  const eff = r.policy === null ? 'unknown class' : `${r.policy} ${r.priority ?? '?'}`;
  if (r.applied || r.failure === 'not_requested') return `sched ${eff}`;
  return `sched ${eff}, asked ${r.requested?.policy ?? '?'} ${r.requested?.priority ?? '?'}: ${r.failure}${r.detail ? ` (${r.detail})` : ''}`;
}

/** What `setCurrentThreadIdle` achieved: the class read back, and why not when it failed. */
export interface IdleClassReport {
  /** True when the read-back policy is 'idle' (SCHED_IDLE). */
  readonly applied: boolean;
  /** Effective policy read back, or null when unreadable. */
  readonly policy: string | null;
  readonly failure?: 'no_proc' | 'no_chrt' | 'eperm' | 'chrt_failed' | 'not_effective';
  readonly detail?: string;
}

/**
 * Lowers the calling thread to SCHED_IDLE (`chrt --idle -p 0 <tid>`): it then runs only while no
 * thread of the fair or real-time classes wants its cpu, and a thread of those classes woken on
 * that cpu preempts it at once. Any thread may lower itself to it (no privilege needed). Used by
 * the idle-poll threads (idle-poll.ts). Never throws.
 */
export function setCurrentThreadIdle(deps: SchedDeps = SYSTEM_SCHED_DEPS): IdleClassReport {
  const tid = currentThreadId(deps);
  if (tid === null) return { applied: false, policy: readBack(deps)?.policy ?? null, failure: 'no_proc', detail: '/proc/thread-self is not readable' };
  try {
    deps.chrt(['--idle', '-p', '0', String(tid)]);
  } catch (err) {
    const { failure, detail } = classifyChrtError(err);
    return { applied: false, policy: readBack(deps)?.policy ?? null, failure, detail };
  }
  const now = readBack(deps);
  if (now === null || now.policy !== 'idle') {
    return { applied: false, policy: now?.policy ?? null, failure: 'not_effective', detail: `chrt succeeded but the thread runs ${now === null ? 'in an unreadable class' : now.policy}` };
  }
  return { applied: true, policy: 'idle' };
}
