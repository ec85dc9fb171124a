// Idle polling (src/actors/idle-poll.ts): real threads on this machine. A kept cpu's thread is
// pinned and in SCHED_IDLE, read back from /proc by the test itself (not from the thread's own
// report), it spins (its laps advance), and stop() ends it; a cpu that cannot be kept gets no
// spinning thread and a report that says why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IdlePoll, describeIdlePoll } from '../../src/actors/idle-poll.js';
import { compiledModule } from '../../src/paths.js';
import { parseCpuList } from '../../src/actors/pinning.js';
import { parseSchedStat } from '../../src/actors/sched.js';

const online = parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'))!;
const taskPath = (tid: number): string => `/proc/${process.pid}/task/${tid}`;
let started: IdlePoll | null = null;

afterEach(async () => {
  await started?.stop();
  started = null;
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

describe('idle polling', () => {
  it('keeps each asked cpu with one pinned SCHED_IDLE thread that spins until stopped', async () => {
    const cpu = online[online.length - 1]!;
    started = await IdlePoll.start([cpu, cpu]);
    const poll = started;
    expect(poll.reports).toHaveLength(1); // one thread per distinct cpu
    const r = poll.reports[0]!;
    expect(r).toMatchObject({ cpu, running: true, pin: { pinned: true, requestedCpu: cpu }, sched: { applied: true, policy: 'idle' } });
    const tid = r.pin.tid!;
    // checked from outside the thread
    expect(parseSchedStat(readFileSync(`${taskPath(tid)}/stat`, 'utf8'))).toEqual({ policy: 'idle', priority: 0 });
    expect(readFileSync(`${taskPath(tid)}/status`, 'utf8')).toMatch(new RegExp(`^Cpus_allowed_list:\\s*${cpu}$`, 'm'));
    const laps0 = poll.laps(cpu);
    await until(() => poll.laps(cpu) > laps0);
    expect(describeIdlePoll(poll.reports)).toBe(`cpu ${cpu}: idle polling (tid ${tid}, SCHED_IDLE)`);
    await poll.stop();
    await poll.stop(); // idempotent
    expect(existsSync(taskPath(tid))).toBe(false);
    const after = poll.laps(cpu);
    await new Promise((res) => setTimeout(res, 20));
    expect(poll.laps(cpu)).toBe(after);
  });

  it('never keeps a process alive: a program that ends without stop() exits', () => {
    const mod = compiledModule('src/actors/idle-poll.ts');
    const dir = mkdtempSync(join(tmpdir(), 'xmc-idle-poll-'));
    const file = join(dir, 'no-stop.mjs');
    writeFileSync(file, `const m = await import(${JSON.stringify(mod)});\nconst p = await m.IdlePoll.start([${online[0]}]);\nconsole.log(p.reports[0].running);\n`);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(r.signal).toBeNull(); // not killed by the timeout
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('true');
  });

  it('a cpu that cannot be kept gets no spinning thread, and the report says why', async () => {
    const bad = Math.max(...online) + 1;
    started = await IdlePoll.start([bad]);
    const r = started.reports[0]!;
    expect(r).toMatchObject({ cpu: bad, running: false, sched: null, pin: { pinned: false, failure: 'cpu_out_of_range' } });
    // the thread reported, then returned instead of spinning
    await started.stop();
    expect(r.pin.tid === null || !existsSync(taskPath(r.pin.tid))).toBe(true);
    expect(started.laps(bad)).toBe(0);
    expect(describeIdlePoll(started.reports)).toMatch(new RegExp(`^cpu ${bad}: not kept, tid \\d+ runs unpinned: cpu_out_of_range`));
    expect(describeIdlePoll([])).toBe('idle polling: no cpu');
  });
});
