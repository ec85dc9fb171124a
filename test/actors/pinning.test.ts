// Pinning: the pure parsers, every failure path through injected system calls, and a real
// worker thread pinned to cpu 0 whose effective affinity reads back "0".
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { compiledModule } from '../../src/paths.js';
import {
  classifyTasksetError,
  describePin,
  parseCpuList,
  parseCpusAllowedList,
  parseThreadSelfLink,
  pinCurrentThread,
  type PinDeps,
  type PinReport,
} from '../../src/actors/pinning.js';

describe('pinning: parsers', () => {
  it('parses the /proc/thread-self link in both forms', () => {
    expect(parseThreadSelfLink('5873/task/5880')).toEqual({ pid: 5873, tid: 5880 });
    expect(parseThreadSelfLink('/proc/12/task/13\n')).toEqual({ pid: 12, tid: 13 });
    expect(parseThreadSelfLink('self')).toBeNull();
    expect(parseThreadSelfLink('12/task/')).toBeNull();
    expect(parseThreadSelfLink('')).toBeNull();
  });

  it('parses kernel cpu lists', () => {
    expect(parseCpuList('0')).toEqual([0]);
    expect(parseCpuList('0-1\n')).toEqual([0, 1]);
    expect(parseCpuList('0-3,5,8-9')).toEqual([0, 1, 2, 3, 5, 8, 9]);
    expect(parseCpuList('3,1,1')).toEqual([1, 3]);
    expect(parseCpuList('')).toBeNull();
    expect(parseCpuList('3-1')).toBeNull();
    expect(parseCpuList('a')).toBeNull();
    expect(parseCpuList('1,,2')).toBeNull();
  });

  it('extracts Cpus_allowed_list from a status file', () => {
    const status = 'Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\n';
    expect(parseCpusAllowedList(status)).toBe('0-1');
    expect(parseCpusAllowedList('Name:\tnode\n')).toBeNull();
  });

  it('classifies taskset failures', () => {
    expect(classifyTasksetError(Object.assign(new Error('spawn taskset ENOENT'), { code: 'ENOENT' })).failure).toBe('no_taskset');
    expect(classifyTasksetError({ status: 1, stderr: "taskset: failed to set pid 9's affinity: Operation not permitted" }).failure).toBe('eperm');
    expect(classifyTasksetError({ status: 1, stderr: "taskset: failed to set pid 9's affinity: Invalid argument" }).failure).toBe('cpu_unavailable');
    expect(classifyTasksetError({ status: 1, stderr: 'weird' })).toEqual({ failure: 'taskset_failed', detail: 'weird' });
  });
});

describe('pinning: failure paths (injected system calls)', () => {
  function fake(over: Partial<PinDeps> & { affinity?: string } = {}): PinDeps & { calls: string[][] } {
    let affinity = over.affinity ?? '0-3';
    const calls: string[][] = [];
    return {
      calls,
      readlink: over.readlink ?? (() => '100/task/101'),
      readFile: over.readFile ?? (() => `Name:\tx\nCpus_allowed_list:\t${affinity}\n`),
      taskset:
        over.taskset ??
        ((args) => {
          calls.push([...args]);
          affinity = args[2]!;
        }),
      onlineCpus: over.onlineCpus ?? (() => [0, 1, 2, 3]),
    };
  }

  it('pins and reads back the effective list', () => {
    const deps = fake();
    const r = pinCurrentThread(2, deps);
    expect(r).toEqual({ requestedCpu: 2, tid: 101, pinned: true, effective: '2' });
    expect(deps.calls).toEqual([['-p', '-c', '2', '101']]);
    expect(describePin(r)).toMatch(/tid 101 pinned to cpu 2/);
  });

  it('no cpu requested: reports the affinity, does not run taskset', () => {
    const deps = fake();
    const r = pinCurrentThread(undefined, deps);
    expect(r).toMatchObject({ requestedCpu: null, tid: 101, pinned: false, effective: '0-3', failure: 'not_requested' });
    expect(deps.calls).toEqual([]);
  });

  it('no /proc', () => {
    const deps = fake({
      readlink: () => {
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
    });
    expect(pinCurrentThread(0, deps)).toMatchObject({ pinned: false, tid: null, failure: 'no_proc' });
    expect(deps.calls).toEqual([]);
  });

  it('cpu out of range', () => {
    const deps = fake();
    for (const cpu of [4, -1, 1.5]) {
      const r = pinCurrentThread(cpu, deps);
      expect(r).toMatchObject({ pinned: false, failure: 'cpu_out_of_range', effective: '0-3' });
      expect(describePin(r)).toMatch(/runs unpinned: cpu_out_of_range/);
    }
    expect(deps.calls).toEqual([]);
  });

  it('no taskset, EPERM', () => {
    const noTaskset = fake({
      taskset: () => {
        throw Object.assign(new Error('spawn taskset ENOENT'), { code: 'ENOENT' });
      },
    });
    expect(pinCurrentThread(1, noTaskset)).toMatchObject({ pinned: false, failure: 'no_taskset', effective: '0-3' });
    const eperm = fake({
      taskset: () => {
        throw Object.assign(new Error('Command failed'), { status: 1, stderr: 'taskset: failed: Operation not permitted\n' });
      },
    });
    expect(pinCurrentThread(1, eperm)).toMatchObject({ pinned: false, failure: 'eperm', detail: 'taskset: failed: Operation not permitted' });
  });

  it('taskset succeeded but the affinity did not change', () => {
    const deps = fake({ taskset: () => {} });
    expect(pinCurrentThread(1, deps)).toMatchObject({ pinned: false, failure: 'not_effective', effective: '0-3' });
  });
});

describe('pinning: a real worker thread', () => {
  it.skipIf(!existsSync('/proc/thread-self'))('pins a worker to cpu 0 and reads back "0", leaving the main thread alone', async () => {
    const before = parseCpusAllowedList((await import('node:fs')).readFileSync('/proc/thread-self/status', 'utf8'));
    const worker = new Worker(compiledModule('test/actors/fixtures/pin-worker.ts'), { workerData: { cpu: 0 } });
    const msg = await new Promise<{ report: PinReport; after: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(msg.report.tid).toBeGreaterThan(0);
    expect(msg.report.tid).not.toBe(process.pid);
    expect(msg.report.pinned).toBe(true);
    expect(msg.report.effective).toBe('0');
    expect(msg.after).toBe('0');
    // Only the worker thread was pinned.
    const after = parseCpusAllowedList((await import('node:fs')).readFileSync('/proc/thread-self/status', 'utf8'));
    expect(after).toBe(before);
  });
});
