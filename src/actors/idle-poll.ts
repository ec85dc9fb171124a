// Idle polling: keeps chosen cpus from going idle, so that an actor parked on one of them wakes in
// tens of microseconds instead of a hundred or more. The in-process counterpart of booting the
// kernel with `idle=poll`, for hosts whose kernel command line the user does not control (cloud
// VMs); off unless asked for (`xmc demo --idle-poll`, `startDemo({ idlePoll: true })`).
//
// Why: a cpu with nothing to run halts (HLT, or a deep C-state on bare metal). Waking a thread
// parked there then costs the halt's exit on top of the futex wake: in a VM the hypervisor has to
// schedule the halted vCPU again. `npm run bench -- wake` measures it: on this project's 2-vCPU
// VM a ring consumer parked on the other cpu, one message a millisecond, woke in 100 µs p50 and
// 40 ms p99 with its cpu idle, 32.7 µs and 1.35 ms with the cpu kept by this module (15:34 UTC,
// bench/results/wake.json; BENCHMARKING.md, the `wake` suite and "Idle polling").
//
// How: one worker thread per cpu (idle-poll-thread.ts) pins itself to the cpu and lowers itself
// to SCHED_IDLE, then spins on a shared stop flag. SCHED_IDLE runs only when no fair-class or
// real-time thread wants the cpu, and any of those woken there preempts it at once, so the
// actors, the simulator and V8's helper threads keep their cpu time, and the cpu never halts.
//
// Costs, stated where it is offered: the kept cpus show 100% busy (they draw full power; a host
// that bills or throttles by cpu time counts it); on a host with hyperthreads the spinner takes
// execution resources from its sibling, so keep only cpus whose siblings are idle or isolated.
//
// Invariants: a thread that could not be pinned or lowered to SCHED_IDLE does not spin (its
// report says why); `stop()` sets every stop flag and resolves once every thread has exited; the
// threads are unref'd, so they never keep the process alive on their own.
import { Worker } from 'node:worker_threads';
import { compiledModule } from '../paths.js';
import { describePin, type PinReport } from './pinning.js';
import type { IdleClassReport } from './sched.js';

/** What one idle-poll thread reported once it started. */
export interface IdlePollThreadReport {
  readonly cpu: number;
  /** True when the thread is pinned to `cpu`, in SCHED_IDLE, and spinning. */
  readonly running: boolean;
  readonly pin: PinReport;
  /** Its scheduling class; null when it was not pinned (it did not try). */
  readonly sched: IdleClassReport | null;
}

interface Kept {
  readonly report: IdlePollThreadReport;
  readonly words: Int32Array;
  readonly worker: Worker;
  readonly exited: Promise<void>;
}

export class IdlePoll {
  private stopping: Promise<void> | null = null;

  private constructor(private readonly kept: readonly Kept[]) {}

  /**
   * Starts one idle-poll thread per distinct cpu of `cpus` and resolves once each has reported
   * whether it runs. Rejects only when a thread cannot be started at all (the compiled module is
   * missing, or the worker fails before reporting); the threads started until then are stopped.
   */
  static async start(cpus: readonly number[]): Promise<IdlePoll> {
    const kept: Kept[] = [];
    try {
      for (const cpu of [...new Set(cpus)].sort((a, b) => a - b)) kept.push(await startOne(cpu));
    } catch (e) {
      await new IdlePoll(kept).stop();
      throw e;
    }
    return new IdlePoll(kept);
  }

  /** One report per cpu, in cpu order. */
  get reports(): readonly IdlePollThreadReport[] {
    return this.kept.map((k) => k.report);
  }

  /** Laps the thread of `cpu` has spun so far (0 for a cpu not kept, or a thread not running). */
  laps(cpu: number): number {
    const k = this.kept.find((x) => x.report.cpu === cpu);
    return k === undefined ? 0 : Atomics.load(k.words, 1);
  }

  /** Stops every thread; resolves once all have exited. Idempotent. */
  stop(): Promise<void> {
    if (this.stopping === null) {
      for (const k of this.kept) {
        k.worker.ref(); // held until it has exited, so that stop() resolves
        Atomics.store(k.words, 0, 1);
      }
      this.stopping = Promise.all(this.kept.map((k) => k.exited)).then(() => undefined);
    }
    return this.stopping;
  }
}

async function startOne(cpu: number): Promise<Kept> {
  const sab = new SharedArrayBuffer(8);
  const words = new Int32Array(sab);
  const worker = new Worker(compiledModule('src/actors/idle-poll-thread.ts'), {
    workerData: { cpu, sab },
    // a spinning loop needs no heap to speak of
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  // never what keeps the process alive: a program that ends without stop() is not held by these
  worker.unref();
  const exited = new Promise<void>((res) => worker.once('exit', () => res()));
  const first = await new Promise<{ pin: PinReport; sched: IdleClassReport | null; running: boolean }>((res, rej) => {
    worker.once('message', res);
    worker.on('error', rej); // stays: an error after the report has nothing left to reject
    void exited.then(() => rej(new Error(`idle-poll thread for cpu ${cpu} exited before reporting`)));
  });
  return { report: { cpu, running: first.running, pin: first.pin, sched: first.sched }, words, worker, exited };
}

/** One line per kept cpu for logs: "cpu 1: idle polling (tid 1234, SCHED_IDLE)" or why not. */
export function describeIdlePoll(reports: readonly IdlePollThreadReport[]): string {
  if (reports.length === 0) return 'idle polling: no cpu';
  return reports
    .map((r) => {
      if (r.running) return `cpu ${r.cpu}: idle polling (tid ${r.pin.tid ?? '?'}, SCHED_IDLE)`;
      if (!r.pin.pinned) return `cpu ${r.cpu}: not kept, ${describePin(r.pin)}`;
      const s = r.sched;
      return `cpu ${r.cpu}: not kept, SCHED_IDLE refused: ${s?.failure ?? '?'}${s?.detail ? ` (${s.detail})` : ''}; runs ${s?.policy ?? 'unknown class'}`;
    })
    .join('; ');
}
