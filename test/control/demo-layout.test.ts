// The demo's cpu layout (`demoCpus`): which cpu each actor kind is pinned to, by default and with
// DemoOptions.cpus; executors alternate so that two venues' legs leave from different cpus.
import { describe, expect, it } from 'vitest';
import { demoCpus } from '../../src/control/demo.js';

describe('demoCpus', () => {
  it('default: feeds and journal on cpu 0, the engine on cpu 1, executors alternately on the engine cpu and the feeds cpu', () => {
    expect(demoCpus(undefined)).toEqual({ feeds: 0, engine: 1, executors: [1, 0], journal: 0 });
  });
  it('a moved engine or feeds cpu moves the default executor alternation with it', () => {
    expect(demoCpus({ feeds: 2, engine: 3 })).toEqual({ feeds: 2, engine: 3, executors: [3, 2], journal: 0 });
  });
  it('one executors cpu pins every executor there; a list is used in turn', () => {
    expect(demoCpus({ executors: 0 }).executors).toEqual([0]);
    expect(demoCpus({ executors: [4, 5, 6] }).executors).toEqual([4, 5, 6]);
  });
  it('an empty executors list is refused', () => {
    expect(() => demoCpus({ executors: [] })).toThrow(/cpus.executors is an empty list/);
  });
});
