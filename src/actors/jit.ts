// JIT tiering for the actor threads: V8's default thresholds leave the engine's decision path and
// the executors' order path in baseline code for the whole life of a trading day.
//
// Why: V8 compiles a function with TurboFan (its fastest tier) after ~3000 invocations
// (`--invocation-count-for-turbofan`, Node 24 / V8 13.6) and with Maglev after ~400. A book
// update runs thousands of times per second and is optimized within a second, but a decision, an
// order, an intent record or a venue request runs a few times per second: at 16 orders/s the
// order path reaches Maglev after ~25 s and TurboFan after ~3 minutes, and a quieter market never
// gets there. Measured with `npm run bench -- tick-to-order` (10 000 updates/s, 40 s per case,
// 2026-11-22): tick-to-order p50 886 -> 572 µs on the rings and 1035 -> 747 µs with postMessage
// when these thresholds are lowered (BENCHMARKING.md). The cost is paid at start: a worker
// compiles more while it boots or takes over as a warm spare (on this 2-core VM: cold start
// ~88 -> ~130 ms, warm-spare takeover p50 ~1.2 -> ~2 ms, `npm run bench -- supervisor`).
//
// What: `applyActorJitTiering()` lowers the invocation counts for Maglev and TurboFan (and the
// wait after an inline-cache change) with `v8.setFlagsFromString`, once per process, before the
// first actor worker starts. V8 flags are per process, so every isolate created afterwards (each
// actor worker) uses them; the tiering decision reads them at run time. The environment variable
// XMC_JIT=default keeps V8's defaults (for comparison runs).
//
// Invariants: applied at most once per process; never changes anything but tier-up thresholds
// (no flag that changes semantics); the values in effect are reported by `actorJitTiering()`.
import { setFlagsFromString } from 'node:v8';

/** The thresholds applied (V8 flag name -> value). */
export const ACTOR_JIT_FLAGS: Readonly<Record<string, number>> = Object.freeze({
  'invocation-count-for-maglev': 20,
  'invocation-count-for-turbofan': 100,
  'minimum-invocations-after-ic-update': 20,
});

let applied: 'tuned' | 'default' | null = null;

/** Lowers V8's tier-up thresholds for this process (idempotent; XMC_JIT=default opts out). */
export function applyActorJitTiering(env: NodeJS.ProcessEnv = process.env): 'tuned' | 'default' {
  if (applied !== null) return applied;
  if (env['XMC_JIT'] === 'default') {
    applied = 'default';
    return applied;
  }
  for (const [flag, value] of Object.entries(ACTOR_JIT_FLAGS)) setFlagsFromString(`--${flag}=${value}`);
  applied = 'tuned';
  return applied;
}

/** What applyActorJitTiering() did in this process (null: not called yet). */
export function actorJitTiering(): 'tuned' | 'default' | null {
  return applied;
}
