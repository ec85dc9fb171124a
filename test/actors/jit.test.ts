// src/actors/jit.ts: the lowered tier-up thresholds really reach the actor workers. A child node
// process (--allow-natives-syntax, to read V8's optimization status) applies the tiering and
// starts a worker that calls a function 200 times: optimized with the actor tiering, still
// unoptimized with V8's defaults (XMC_JIT=default; Maglev needs 400 calls there). Needs
// `npm run build` (the child imports the compiled module). No timing assertions.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compiledModule } from '../../src/paths.js';

const PROBE = fileURLToPath(new URL('./fixtures/jit-probe.mjs', import.meta.url));
const OPTIMIZED = 16; // V8 OptimizationStatus::kOptimized

function probe(env: Record<string, string>): { mode: string; status: number; sum: number } {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', PROBE, compiledModule('src/actors/jit.ts')], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`probe exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { mode: string; status: number; sum: number };
}

describe('actor JIT tiering', () => {
  it('a function an actor worker called 200 times is optimized with the actor tiering, not with V8 defaults', () => {
    const tuned = probe({ XMC_JIT: '' });
    expect(tuned.mode).toBe('tuned');
    expect(tuned.sum).toBe(40_000);
    expect(tuned.status & OPTIMIZED).toBe(OPTIMIZED);
    const dflt = probe({ XMC_JIT: 'default' });
    expect(dflt.mode).toBe('default');
    expect(dflt.status & OPTIMIZED).toBe(0);
  });
});
