// One monotonic clock, comparable across threads, in microseconds as a double.
//
// `performance.now()` is cheap and allocation-free but counts from a per-thread time origin (each
// worker has its own), so raw values from two threads are not comparable. `process.hrtime.bigint()`
// reads CLOCK_MONOTONIC, which is the same for every thread of the host, but returns a BigInt
// (forbidden on the hot path). So each thread calibrates once, at module load: it takes several
// (performance.now, hrtime, performance.now) triples, keeps the one with the smallest gap, and
// stores `offsetUs = hrtimeUs - midpointUs`. Then `nowUs() = performance.now() * 1000 + offsetUs`
// is CLOCK_MONOTONIC in microseconds (since boot), the same scale in every thread.
//
// Invariants: nowUs() never allocates and never goes backwards within a thread; across threads,
// two readings differ from true CLOCK_MONOTONIC by at most `calibrationErrorUs()` of their
// respective threads (half the smallest sampling gap); both sources tick from the same kernel
// clock, so the offset does not drift.

let offsetUs = 0;
let errorUs = 0;

function hrtimeUs(): number {
  const ns = process.hrtime.bigint();
  return Number(ns / 1000n) + Number(ns % 1000n) / 1000;
}

/** (Re)calibrates this thread's offset with `samples` triples. Runs once at module load. */
export function calibrateClock(samples = 64): void {
  let bestGap = Infinity;
  let bestOffset = 0;
  for (let i = 0; i < samples; i++) {
    const a = performance.now();
    const h = hrtimeUs();
    const b = performance.now();
    const gapUs = (b - a) * 1000;
    if (gapUs < bestGap) {
      bestGap = gapUs;
      bestOffset = h - ((a + b) / 2) * 1000;
    }
  }
  offsetUs = bestOffset;
  // Half the gap, plus the sub-microsecond quantisation of either source.
  errorUs = bestGap / 2 + 1;
}

calibrateClock();

/** Microseconds on the host's monotonic clock, comparable across threads. Allocation-free. */
export function nowUs(): number {
  return performance.now() * 1000 + offsetUs;
}

/** Milliseconds on the same clock (for timers and the supervisor policy's `now`). */
export function nowMs(): number {
  return (performance.now() * 1000 + offsetUs) / 1000;
}

/** Upper bound of this thread's calibration error, microseconds. */
export function calibrationErrorUs(): number {
  return errorUs;
}

/** This thread's offset between performance.now() (as µs) and CLOCK_MONOTONIC µs. */
export function clockOffsetUs(): number {
  return offsetUs;
}

/** The injectable clock interface the core and the supervisor use. */
export interface MonoClock {
  nowUs(): number;
  nowMs(): number;
}

export const monoClock: MonoClock = { nowUs, nowMs };
