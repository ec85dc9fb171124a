// Real-time scheduling class (src/actors/sched.ts): the /proc stat parser, spec validation, chrt
// failure classification and every path of setCurrentThreadRealtime through injected system calls.
// The real-thread case (a supervised worker asking for SCHED_FIFO) is in supervisor.test.ts.
import { describe, expect, it } from 'vitest';
import {
  classifyChrtError,
  describeSched,
  parseSchedStat,
  realtimeSpecError,
  setCurrentThreadIdle,
  setCurrentThreadRealtime,
  type SchedDeps,
} from '../../src/actors/sched.js';

/** A /proc/<tid>/stat line with the given command name, rt_priority (field 40) and policy (41). */
function statLine(comm: string, rtPriority: number, policy: number): string {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // fields 3.. (values unused)
  fields[0] = 'S';
  fields[40 - 3] = String(rtPriority);
  fields[41 - 3] = String(policy);
  return `4242 (${comm}) ${fields.join(' ')}\n`;
}

describe('sched: parsers and checks', () => {
  it('reads policy and priority from a stat line, counting fields after the last parenthesis', () => {
    expect(parseSchedStat(statLine('node', 0, 0))).toEqual({ policy: 'other', priority: 0 });
    expect(parseSchedStat(statLine('exec.okx#3', 20, 1))).toEqual({ policy: 'fifo', priority: 20 });
    expect(parseSchedStat(statLine('a) 1 2 (b', 5, 2))).toEqual({ policy: 'rr', priority: 5 });
    expect(parseSchedStat(statLine('x', 0, 3))).toEqual({ policy: 'batch', priority: 0 });
    expect(parseSchedStat(statLine('x', 0, 9))).toEqual({ policy: 'policy-9', priority: 0 });
    // a real line of this kernel (cat under `chrt -f 7`)
    const real = '22074 (cat) R 22072 22072 18826 0 -1 4194304 103 0 0 0 0 0 0 0 -8 0 1 0 2492189 3133440 407 18446744073709551615 94657928482816 94657928502697 140731057112224 0 0 0 0 0 0 0 0 0 17 0 7 1 0 0 0 94657928518704 94657928520320 94658124746752 140731057113817 140731057113844 140731057113844 140731057115115 0';
    expect(parseSchedStat(real)).toEqual({ policy: 'fifo', priority: 7 });
  });

  it('answers null for malformed stat text', () => {
    expect(parseSchedStat('')).toBeNull();
    expect(parseSchedStat('4242 node S 1 2 3')).toBeNull();
    expect(parseSchedStat('4242 (node) S 1 2 3')).toBeNull();
    const tokens = statLine('x', 0, 0).trim().split(' '); // tokens[n - 1] is field n
    tokens[41 - 1] = 'zz';
    expect(parseSchedStat(tokens.join(' '))).toBeNull();
    expect(parseSchedStat(tokens.slice(0, 39).join(' '))).toBeNull(); // cut before field 40
  });

  it('validates a requested class', () => {
    expect(realtimeSpecError({ policy: 'fifo', priority: 1 })).toBeNull();
    expect(realtimeSpecError({ policy: 'rr', priority: 99 })).toBeNull();
    expect(realtimeSpecError({ policy: 'fifo', priority: 0 })).toMatch(/1\.\.99, got 0/);
    expect(realtimeSpecError({ policy: 'fifo', priority: 100 })).toMatch(/got 100/);
    expect(realtimeSpecError({ policy: 'fifo', priority: 2.5 })).toMatch(/got 2.5/);
    expect(realtimeSpecError({ policy: 'deadline' as 'fifo', priority: 5 })).toMatch(/'fifo' or 'rr', got 'deadline'/);
  });

  it('classifies chrt failures', () => {
    expect(classifyChrtError(Object.assign(new Error('spawn chrt ENOENT'), { code: 'ENOENT' })).failure).toBe('no_chrt');
    const eperm = classifyChrtError({ status: 1, stderr: "chrt: failed to set pid 9's policy: Operation not permitted" });
    expect(eperm.failure).toBe('eperm');
    expect(eperm.detail).toMatch(/CAP_SYS_NICE/);
    expect(classifyChrtError({ status: 1, stderr: 'weird' })).toEqual({ failure: 'chrt_failed', detail: 'weird' });
  });
});

describe('sched: setCurrentThreadRealtime (injected system calls)', () => {
  function fake(over: Partial<SchedDeps> & { start?: [number, number] } = {}): SchedDeps & { calls: string[][] } {
    let [prio, pol] = over.start ?? [0, 0];
    const calls: string[][] = [];
    return {
      calls,
      readlink: over.readlink ?? (() => '100/task/101'),
      readFile: over.readFile ?? (() => statLine('w', prio, pol)),
      chrt:
        over.chrt ??
        ((args) => {
          calls.push([...args]);
          pol = args[0] === '--fifo' ? 1 : args[0] === '--idle' ? 5 : 2;
          prio = Number(args[2]);
        }),
    };
  }

  it('applies the class to its own tid and reads it back', () => {
    const deps = fake();
    const r = setCurrentThreadRealtime({ policy: 'fifo', priority: 20 }, deps);
    expect(r).toEqual({ requested: { policy: 'fifo', priority: 20 }, applied: true, policy: 'fifo', priority: 20 });
    expect(deps.calls).toEqual([['--fifo', '-p', '20', '101']]);
    expect(describeSched(r)).toBe('sched fifo 20');
    const rr = fake();
    expect(setCurrentThreadRealtime({ policy: 'rr', priority: 3 }, rr)).toMatchObject({ applied: true, policy: 'rr', priority: 3 });
    expect(rr.calls).toEqual([['--rr', '-p', '3', '101']]);
  });

  it('nothing requested: reports the class, runs no chrt', () => {
    const deps = fake({ start: [0, 0] });
    expect(setCurrentThreadRealtime(null, deps)).toEqual({ requested: null, applied: false, policy: 'other', priority: 0, failure: 'not_requested' });
    expect(setCurrentThreadRealtime(undefined, deps).failure).toBe('not_requested');
    expect(deps.calls).toEqual([]);
  });

  it('refuses a bad priority without running chrt', () => {
    const deps = fake();
    const r = setCurrentThreadRealtime({ policy: 'fifo', priority: 0 }, deps);
    expect(r).toMatchObject({ applied: false, failure: 'bad_priority', policy: 'other', priority: 0 });
    expect(deps.calls).toEqual([]);
  });

  it('no /proc: says so', () => {
    const deps = fake({
      readlink: () => {
        throw new Error('ENOENT');
      },
      readFile: () => {
        throw new Error('ENOENT');
      },
    });
    expect(setCurrentThreadRealtime({ policy: 'fifo', priority: 5 }, deps)).toEqual({
      requested: { policy: 'fifo', priority: 5 },
      applied: false,
      policy: null,
      priority: null,
      failure: 'no_proc',
      detail: '/proc/thread-self is not readable',
    });
  });

  it('permission refused: stays in its class and says why', () => {
    const deps = fake({
      chrt: () => {
        throw Object.assign(new Error('Command failed'), { status: 1, stderr: "chrt: failed to set pid 101's policy: Operation not permitted\n" });
      },
    });
    const r = setCurrentThreadRealtime({ policy: 'fifo', priority: 5 }, deps);
    expect(r).toMatchObject({ applied: false, failure: 'eperm', policy: 'other', priority: 0 });
    expect(describeSched(r)).toMatch(/^sched other 0, asked fifo 5: eperm \(chrt: failed .*Operation not permitted/);
  });

  it('chrt missing', () => {
    const deps = fake({
      chrt: () => {
        throw Object.assign(new Error('spawn chrt ENOENT'), { code: 'ENOENT' });
      },
    });
    expect(setCurrentThreadRealtime({ policy: 'rr', priority: 5 }, deps)).toMatchObject({ applied: false, failure: 'no_chrt' });
  });

  it('chrt succeeded but the class did not change: not_effective', () => {
    const deps = fake({ chrt: () => {} });
    const r = setCurrentThreadRealtime({ policy: 'fifo', priority: 5 }, deps);
    expect(r).toMatchObject({ applied: false, failure: 'not_effective', policy: 'other', priority: 0 });
    expect(r.detail).toMatch(/runs other priority 0/);
  });

  it('SCHED_IDLE: lowers its own tid with chrt --idle and reads the class back', () => {
    const deps = fake();
    expect(setCurrentThreadIdle(deps)).toEqual({ applied: true, policy: 'idle' });
    expect(deps.calls).toEqual([['--idle', '-p', '0', '101']]);
  });

  it('SCHED_IDLE refused, missing, not effective or without /proc: says why and what class it runs', () => {
    const refused = fake({
      chrt: () => {
        throw Object.assign(new Error('Command failed'), { status: 1, stderr: "chrt: failed to set pid 101's policy: Operation not permitted\n" });
      },
    });
    expect(setCurrentThreadIdle(refused)).toMatchObject({ applied: false, policy: 'other', failure: 'eperm' });
    const missing = fake({
      chrt: () => {
        throw Object.assign(new Error('spawn chrt ENOENT'), { code: 'ENOENT' });
      },
    });
    expect(setCurrentThreadIdle(missing)).toMatchObject({ applied: false, failure: 'no_chrt' });
    const ignored = fake({ chrt: () => {}, start: [0, 3] });
    const r = setCurrentThreadIdle(ignored);
    expect(r).toMatchObject({ applied: false, policy: 'batch', failure: 'not_effective' });
    expect(r.detail).toMatch(/runs batch/);
    const noProc = fake({
      readlink: () => {
        throw new Error('ENOENT');
      },
    });
    expect(setCurrentThreadIdle(noProc)).toMatchObject({ applied: false, failure: 'no_proc', policy: 'other' });
    expect(noProc.calls).toEqual([]);
  });
});
