// The `xmc` CLI as a user runs it: the compiled bin, real worker threads, real exit codes.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { compiledModule } from '../../src/paths.js';

const MAIN = compiledModule('src/main.ts');

function xmc(args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 90_000 });
}

describe('xmc CLI', () => {
  it('explains every subcommand in --help', () => {
    const r = xmc(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('run');
    const run = xmc(['run', '--help']);
    expect(run.status).toBe(0);
    for (const flag of ['--duration', '--rate', '--wait', '--warm-spare', '--crash-every', '--cpus', '--json']) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('rejects bad arguments with exit code 2 and says which', () => {
    const r = xmc(['run', '--duration', 'soon']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--duration must be a positive number');
    const w = xmc(['run', '--wait', 'sleepy']);
    expect(w.status).toBe(2);
    expect(w.stderr).toMatch(/sleepy/);
    const c = xmc(['demo', '--cpus', '0,1']);
    expect(c.status).toBe(2);
    expect(c.stderr).toContain('--cpus takes 3 cpus, got "0,1"');
    const e = xmc(['demo', '--executor-cpus', '1,x']);
    expect(e.status).toBe(2);
    expect(e.stderr).toContain('--executor-cpus: "x" is not a cpu number');
  });

  it('runs the supervised topology, survives an injected crash, and loses no frame', () => {
    const r = xmc(['run', '--duration', '3', '--crash-every', '1', '--rate', '5000', '--json', '--warm-spare']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      outcome: { kind: string };
      crashesInjected: number;
      stats: { published: number; consumed: number; ring: unknown; actors: { id: string; restarts: number }[] };
    };
    expect(report.outcome.kind).toBe('stopped');
    expect(report.crashesInjected).toBeGreaterThanOrEqual(1);
    expect(report.stats.published).toBeGreaterThan(0);
    // the engine drains its ring on the clean stop (drainOnStop), after the feed stopped
    expect(report.stats.consumed, JSON.stringify(report.stats.ring)).toBe(report.stats.published);
    const restarts = report.stats.actors.reduce((n, a) => n + a.restarts, 0);
    expect(restarts).toBeGreaterThanOrEqual(1);
    // Supervisor events are logged (JSON lines on stderr), including the restart.
    expect(r.stderr).toContain('restarted');
  });
});

describe('xmc sim', () => {
  it('starts the three simulated venues on loopback and prints their endpoints and keys', () => {
    const r = xmc(['sim', '--duration', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const json = r.stdout.slice(r.stdout.indexOf('{'), r.stdout.lastIndexOf('}') + 1);
    const ep = JSON.parse(json) as { venues: { protocol: string; rest: string; instruments: string[]; keys: unknown[] }[] };
    expect(ep.venues.map((v) => v.protocol).sort()).toEqual(['binance-spot', 'binance-usdm', 'okx']);
    for (const v of ep.venues) {
      expect(v.rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(v.instruments.length).toBeGreaterThan(0);
      expect(v.keys.length).toBeGreaterThan(0);
    }
  });
});

describe('xmc audit', () => {
  it('is wired to the journal export and reports a missing journal as bad input (exit 2)', () => {
    const help = xmc(['audit', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--dir', '--from', '--to', '--combo', '--format', '--out']) expect(help.stdout).toContain(flag);
    const r = xmc(['audit', '--dir', '/nonexistent/journal', '--format', 'html']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('/nonexistent/journal is not a directory');
  });
});
