// The journal actor in a real worker under the Supervisor, consuming a ring of AuditRecord
// frames from a producer actor, crashed after writing a batch but before releasing it, and
// terminated by the supervisor at seeded points mid-stream: every frame is in the journal
// exactly once, in ring order, with its bytes intact.
import { describe, expect, it } from 'vitest';
import { countersSpec, ShmMap } from '../../src/shm/layout.js';
import { compiledModule } from '../../src/paths.js';
import { createSharedMemory } from '../../src/actors/topology.js';
import { seededRng } from '../../src/actors/supervisor-policy.js';
import { Supervisor } from '../../src/actors/supervisor.js';
import { JOURNAL_PROGRESS_WORDS, JP } from '../../src/actors/journal.js';
import { decodeAudit, readJournal } from '../../src/journal/reader.js';
import { attachLog, until } from '../actors/helpers.js';
import { tempDir } from './helpers.js';

const PRODUCER = compiledModule('test/journal/fixtures/audit-producer.ts');
const JOURNAL = compiledModule('test/journal/fixtures/journal-crashy.ts');

describe('journal actor under the supervisor', () => {
  it('crashed after a write and killed mid-stream, it journals every frame exactly once', async () => {
    const total = 6000;
    const dir = tempDir('actor');
    const sab = createSharedMemory(['prod', 'journal'], [{ name: 'audit', capacity: 16_384, consumer: 'journal' }], [
      countersSpec('journal.progress', JOURNAL_PROGRESS_WORDS),
      countersSpec('test.state', 8),
    ]);
    const map = ShmMap.attach(sab);
    const st = new Int32Array(sab);
    const pb = map.region('journal.progress', 'counters').offset >> 2;
    const word = (w: number): number => Atomics.load(st, pb + w);
    const rng = seededRng(11);
    const crashAt = [Math.floor(total * 0.1 + rng() * 200), Math.floor(total * 0.3 + rng() * 200)];
    const sup = new Supervisor(
      {
        name: 'journal-test',
        strategy: 'one_for_one',
        intensity: 100,
        periodMs: 60_000,
        backoff: { baseMs: 0 },
        children: [
          {
            id: 'journal',
            module: JOURNAL,
            inbound: ['audit'],
            wait: 'park',
            parkTimeoutMs: 20,
            batch: 64,
            params: { dir, stream: 'main', progress: 'journal.progress', groupMs: 10, state: 'test.state', crashAt },
          },
          { id: 'prod', module: PRODUCER, outbound: ['audit'], wait: 'park', parkTimeoutMs: 20, params: { total, burst: 32, state: 'test.state' } },
        ],
      },
      { sab, seed: 5 },
    );
    const log = attachLog(sup);
    const sb = map.region('test.state', 'counters').offset >> 2;
    const gate = (n: number): void => void Atomics.store(st, sb + 1, n);
    gate(Math.floor(total / 2));
    await sup.start();
    await until(() => Atomics.load(st, (map.region('test.state', 'counters').offset >> 2)) === 2, 'planned journal crashes');
    let kills = 0;
    for (let k = 1; k <= 2; k++) {
      // Let the stream run to `limit`, kill the journal a little before it (mid-stream, or just
      // after it caught up with the gate: either way the producer has more to come).
      const limit = Math.floor(total * (0.5 + 0.2 * k));
      const at = limit - 300 + Math.floor(rng() * 200);
      gate(limit);
      await until(() => word(JP.NEXT) >= at, `journal progress to ${at}`);
      const readies = log.of('ready', 'journal').length;
      await sup.kill('journal');
      kills++;
      await log.waitFor('ready', 'journal', readies + 1);
    }
    gate(total);
    await until(() => word(JP.NEXT) === total, 'journal to write the last frame');
    await sup.stop();

    // Two planned crashes plus the supervisor's kills (terminate() exits are crashes too).
    expect(kills).toBe(2);
    expect(log.of('exited', 'journal').filter((e) => e.reason === 'crash')).toHaveLength(2 + kills);
    expect(word(JP.STARTS)).toBe(3 + kills);
    // The crashes came after a write and before the release: the redelivered frames were skipped.
    expect(word(JP.DUPS)).toBeGreaterThan(0);
    expect(word(JP.GAPS)).toBe(0);
    expect(word(JP.BAD)).toBe(0);

    const r = readJournal(dir);
    expect(r.tails).toEqual([]);
    const seqs = r.entries.map((e) => e.seq);
    expect(seqs).toHaveLength(total);
    expect(seqs).toEqual([...Array(total).keys()]);
    expect(new Set(r.entries.map((e) => e.epoch)).size).toBe(1);
    for (const e of r.entries) {
      expect(e.comboId).toBe(e.seq + 1);
      expect(e.times.decisionUs).toBe(1000 + e.seq);
      expect(decodeAudit(e)!.text).toBe(`note ${e.seq}`);
    }
  });
});
