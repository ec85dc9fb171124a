// The body of one idle-poll thread (started by idle-poll.ts, one per kept cpu): pin to its cpu,
// lower itself to SCHED_IDLE, report both to the main thread, then spin until told to stop.
//
// It never runs when it could not get both: a thread spinning in the fair class would take half
// of its cpu from the actors, and an unpinned one would keep no particular cpu awake. Then it
// reports why and exits.
//
// Shared words (Int32Array over `workerData.sab`): [0] stop flag (the main thread sets it to 1),
// [1] laps: incremented every LAP_SPINS loop turns, so the main thread can see that the thread
// runs and how much idle time its cpu had (a lap count that stalls means busy actors).
import { parentPort, workerData } from 'node:worker_threads';
import { pinCurrentThread } from './pinning.js';
import { setCurrentThreadIdle } from './sched.js';

/** Loop turns per lap (a power of two: the check is a mask). */
export const LAP_SPINS = 1 << 16;

interface IdlePollThreadData {
  readonly cpu: number;
  readonly sab: SharedArrayBuffer;
}

function run(data: IdlePollThreadData): void {
  const words = new Int32Array(data.sab);
  const pin = pinCurrentThread(data.cpu);
  const sched = pin.pinned ? setCurrentThreadIdle() : null;
  const running = pin.pinned && sched !== null && sched.applied;
  parentPort!.postMessage({ pin, sched, running });
  if (!running) return;
  let n = 0;
  while (Atomics.load(words, 0) === 0) {
    n = (n + 1) | 0;
    if ((n & (LAP_SPINS - 1)) === 0) Atomics.add(words, 1, 1);
  }
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'sab' in workerData) {
  run(workerData as IdlePollThreadData);
}
