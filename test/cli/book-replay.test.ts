// `xmc book-replay` as a user runs it: files in, JSON out, exit codes, the first break named.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledModule } from '../../src/paths.js';

const MAIN = compiledModule('src/main.ts');
const SAMPLES = join(import.meta.dirname, '../../../shared/venues/samples');

function xmc(args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}

interface Scenario {
  httpResponse: unknown;
  messages: Record<string, unknown>[];
  parsedResponse: unknown;
}

function binanceSpotScenario(): { dir: string; scenario: Scenario } {
  const scenario = JSON.parse(readFileSync(join(SAMPLES, 'binance_spot/05_orderbook_sync_scenario_ccxt_fixture.json'), 'utf8')) as Scenario;
  return { dir: mkdtempSync(join(tmpdir(), 'xmc-replay-')), scenario };
}

describe('xmc book-replay', () => {
  it('rebuilds the sample Binance spot book and matches the expected book', () => {
    const { dir, scenario } = binanceSpotScenario();
    writeFileSync(join(dir, 'snap.json'), JSON.stringify(scenario.httpResponse));
    writeFileSync(join(dir, 'events.jsonl'), scenario.messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
    writeFileSync(join(dir, 'expect.json'), JSON.stringify(scenario.parsedResponse));
    const r = xmc(['book-replay', '--venue', 'binance-spot', '--snapshot', join(dir, 'snap.json'), '--events', join(dir, 'events.jsonl'), '--expect', join(dir, 'expect.json')]);
    expect(r.status, r.stderr).toBe(0);
    const book = JSON.parse(r.stdout) as { status: string; updateId: number; bids: [string, string][]; asks: [string, string][] };
    expect(book.status).toBe('synced');
    expect(book.updateId).toBe(110);
    expect(book.bids[0]).toEqual(['64000', '1.2']);
    expect(book.asks[0]).toEqual(['64002', '2.5']);
    expect(r.stderr).toContain('equals');
  });

  it('names the first event where sync breaks (a gap) and exits 1', () => {
    const { dir, scenario } = binanceSpotScenario();
    const events = scenario.messages.map((m) => ({ ...m }));
    const second = events[2]!;
    second['U'] = 108; // 106..107 never arrive: a gap after u=105
    writeFileSync(join(dir, 'snap.json'), JSON.stringify(scenario.httpResponse));
    writeFileSync(join(dir, 'events.jsonl'), events.map((m) => JSON.stringify(m)).join('\n'));
    const r = xmc(['book-replay', '--venue', 'binance-spot', '--snapshot', join(dir, 'snap.json'), '--events', join(dir, 'events.jsonl')]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { status: string; index: number; reason: string };
    expect(out.status).toBe('break');
    expect(out.index).toBe(2);
    expect(out.reason).toBe('GAP');
    expect(r.stderr).toContain('sync broke at event 2');
  });

  it('says which file it cannot read and exits 2', () => {
    const r = xmc(['book-replay', '--venue', 'okx', '--snapshot', '/nonexistent/snap.json', '--events', '/nonexistent/e.jsonl']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('/nonexistent/snap.json');
  });
});
