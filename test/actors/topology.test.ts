// The demo topology the CLI starts: a feed actor and an engine actor over one ring under one
// supervisor. It must stream, report pinning, survive a crash of either actor, and stop cleanly.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describeEvent, startDemoTopology } from '../../src/actors/topology.js';
import { logSupervisorEvents } from '../../src/actors/supervisor-log.js';
import { EventLog, until } from './helpers.js';

describe('demo topology', () => {
  it('with idle polling: each pinned cpu is kept while the tree runs, and freed when it stops', async () => {
    const topo = await startDemoTopology({ ratePerSec: 2_000, cpus: [0, 1], idlePoll: true });
    expect(topo.idlePoll).toMatch(/^cpu 0: idle polling \(tid \d+, SCHED_IDLE\); cpu 1: idle polling \(tid \d+, SCHED_IDLE\)$/);
    const tids = [...topo.idlePoll!.matchAll(/tid (\d+)/g)].map((m) => Number(m[1]));
    for (const tid of tids) expect(existsSync(`/proc/${process.pid}/task/${tid}`)).toBe(true);
    await until(() => topo.stats().consumed > 200, 'engine to consume 200 tops');
    expect(await topo.stop()).toEqual({ kind: 'stopped' });
    for (const tid of tids) expect(existsSync(`/proc/${process.pid}/task/${tid}`)).toBe(false);
  });

  it('streams tops from feed to engine, survives crashes, stops cleanly', async () => {
    const log = new EventLog();
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    const toLog = logSupervisorEvents(logger);
    const topo = await startDemoTopology({
      ratePerSec: 5_000,
      onEvent: (e) => {
        log.listener(e);
        toLog(e);
      },
    });
    const pins = topo.pins();
    expect(Object.keys(pins).sort()).toEqual(['engine', 'feed']);
    for (const p of Object.values(pins)) {
      expect(p).not.toBeNull();
      expect(p!.tid).toBeGreaterThan(0);
      expect(p!.effective).not.toBeNull();
    }
    await until(() => topo.stats().consumed > 500, 'engine to consume 500 tops');
    await topo.kill('feed');
    await log.waitFor('restarted', 'feed');
    await topo.kill('engine');
    await log.waitFor('restarted', 'engine');
    const after = topo.stats().consumed;
    await until(() => topo.stats().consumed > after + 500, 'engine to keep consuming after the restarts');
    const s = topo.stats();
    expect(s.published).toBeGreaterThanOrEqual(s.consumed);
    expect(s.latencyUs.p50).toBeGreaterThan(0);
    expect(s.latencyUs.p99).toBeGreaterThanOrEqual(s.latencyUs.p50);
    expect(s.actors.map((a) => a.status)).toEqual(['running', 'running']);
    expect(await topo.stop()).toEqual({ kind: 'stopped' });
    // After a graceful stop everything published was consumed: nothing lost across the crashes.
    const end = topo.stats();
    expect(end.consumed).toBe(end.published);
    expect(end.ring.usedBytes).toBe(0);
    expect(log.aliveGenerations()).toEqual([]);
    expect(log.events.map(describeEvent).join('\n')).toMatch(/feed: restarted as worker/);
    expect(lines.some((l) => /"event":"exited"/.test(l) && /"level":40/.test(l))).toBe(true);
  });
});
