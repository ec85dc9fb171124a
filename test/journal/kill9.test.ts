// kill -9 durability: a child process journals order intents through the writer's durability
// policy and then "sends" each order to a venue file; it is SIGKILLed at a seeded point (and,
// in the last case, by the parent at an arbitrary moment). Every order that reached the venue
// must be in the journal; the journal must recover (torn tail truncated) and list the orders
// whose outcome must be queried at the venue by client id.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compiledModule } from '../../src/paths.js';
import { seededRng } from '../../src/actors/supervisor-policy.js';
import { AuditKind } from '../../src/wire/index.js';
import { JournalWriter } from '../../src/journal/writer.js';
import { readJournal } from '../../src/journal/reader.js';
import { recoverState } from '../../src/journal/recovery.js';
import { until } from '../actors/helpers.js';
import { tempDir } from './helpers.js';

const CHILD = compiledModule('test/journal/fixtures/intent-child.ts');
type Phase = 'before-intent' | 'torn-intent' | 'after-intent' | 'after-send' | 'none';

interface Run {
  dir: string;
  venue: string;
  child: ReturnType<typeof spawn>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(args: { n: number; killAt: number; phase: Phase; intentSync: 'write' | 'fdatasync'; tornBytes?: number; sendFirst?: boolean }): Run {
  const dir = tempDir('kill9');
  const venue = join(dir, 'venue.txt');
  const child = spawn(process.execPath, [CHILD, JSON.stringify({ dir, venue, tornBytes: 0, ...args })], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { dir, venue, child, done };
}

function venueLines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  // Only complete lines reached the venue.
  return text.split('\n').slice(0, -1);
}

function check(run: Run): { sent: string[]; intents: string[]; tails: number } {
  const sent = venueLines(run.venue);
  const r = readJournal(run.dir);
  const intents = r.entries.filter((e) => e.kind === AuditKind.OrderSent && (e.flags & 1) !== 0).map((e) => e.clientOrderId);
  const have = new Set(intents);
  const missing = sent.filter((c) => !have.has(c));
  expect(missing, 'orders that reached the venue but are not in the journal').toEqual([]);
  expect(new Set(intents).size).toBe(intents.length);
  return { sent, intents, tails: r.tails.length };
}

describe('kill -9 durability of order intents', () => {
  const phases: Phase[] = ['before-intent', 'torn-intent', 'after-intent', 'after-send'];
  for (let seed = 1; seed <= 4; seed++) {
    it(`seed ${seed}: SIGKILL at a seeded order and phase loses no order that reached the venue`, async () => {
      const rng = seededRng(seed);
      const phase = phases[seed - 1]!;
      const killAt = 20 + Math.floor(rng() * 300);
      const run = start({ n: 1000, killAt, phase, intentSync: seed === 3 ? 'fdatasync' : 'write', tornBytes: 1 + Math.floor(rng() * 300) });
      const exit = await run.done;
      expect(exit.signal, exit.stderr).toBe('SIGKILL');
      const { sent, intents, tails } = check(run);
      // What reached the venue: orders 0..killAt-1, plus killAt itself when killed after the send.
      expect(sent).toHaveLength(phase === 'after-send' ? killAt + 1 : killAt);
      // Journaled: one more than sent when killed between journal and send.
      expect(intents).toHaveLength(phase === 'after-intent' || phase === 'after-send' ? killAt + 1 : killAt);
      expect(tails).toBe(phase === 'torn-intent' ? 1 : 0);
      // Recovery repairs the stream and the engine gets every journaled order to query by client id
      // (no reports were journaled: none is final), including the one never sent.
      const w = JournalWriter.open({ dir: run.dir, stream: 'intent-sim' });
      expect(w.recovery.truncatedBytes > 0).toBe(phase === 'torn-intent');
      w.close();
      expect(readJournal(run.dir).tails).toEqual([]);
      const s = recoverState(run.dir);
      expect(s.toQuery.map((o) => o.clientOrderId).sort()).toEqual([...intents].sort());
      if (phase === 'after-intent') expect(intents[intents.length - 1]).toBe(`xmc-${killAt + 1}-0-0`);
    });
  }

  it('the check can fail: an executor that sends before journaling loses the killed order', async () => {
    const run = start({ n: 1000, killAt: 57, phase: 'none', intentSync: 'write', sendFirst: true });
    expect((await run.done).signal).toBe('SIGKILL');
    expect(venueLines(run.venue)).toHaveLength(58);
    expect(() => check(run)).toThrow(/not in the journal/);
  });

  it('SIGKILL from the parent at an arbitrary moment of a running stream', async () => {
    const rng = seededRng(99);
    const run = start({ n: 10_000_000, killAt: -1, phase: 'none', intentSync: 'write' });
    const target = 500 + Math.floor(rng() * 2000);
    await until(() => venueLines(run.venue).length >= target, `${target} orders at the venue`);
    run.child.kill('SIGKILL');
    const exit = await run.done;
    expect(exit.signal).toBe('SIGKILL');
    const { sent, intents } = check(run);
    expect(sent.length).toBeGreaterThanOrEqual(target);
    // Every intent but possibly the last one (journaled, killed before its send) reached the venue.
    expect(intents.length - sent.length).toBeGreaterThanOrEqual(0);
    expect(intents.length - sent.length).toBeLessThanOrEqual(1);
    const w = JournalWriter.open({ dir: run.dir, stream: 'intent-sim' });
    w.close();
    expect(recoverState(run.dir).toQuery.length).toBe(intents.length);
  });
});
