// End to end: `startDemo()` (what `xmc demo` runs) over real loopback sockets and real worker
// threads: simulator -> feed actors (primary + backup link per venue) -> engine -> executors ->
// simulator, journal actor writing to a temp dir. The simulator's OKX spot dislocations are made
// frequent (one every ~2 s) so that a short run trades. Waits for events (combos done) with
// generous timeouts; no timing assertions.
// Asserted at the end of the run:
// - at least one combo was traded and completed;
// - the legs are balanced within one lot: the net BTC position across venues, from the
//   simulator's own fills for our account, is within the coarsest lot of the traded instruments,
//   and the simulator's matching engine agrees with that tape for every instrument;
// - no client order id was used twice at a venue (every client id maps to one venue order);
// - every order the venues saw from us is in the journal (OrderSent record, read with
//   readJournal), and every journaled OrderSent is known to its venue;
// - every report journaled carries its order's path stages (those of its OrderSent record);
// - every venue that traded sent its balances (a journaled whole-account snapshot).
// A second test runs `xmc demo --duration N --json` as a user would (the compiled bin, its exit code,
// its final report) and checks the same report fields.
// Workers run compiled JS: `npm run build` first.
import { afterEach, describe, expect, it } from 'vitest';
import { startDemo, type DemoHandle } from '../../src/control/demo.js';
import { decodeAudit, readJournal } from '../../src/journal/index.js';
import { AuditKind } from '../../src/wire/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { compiledModule } from '../../src/paths.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function until(cond: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let demo: DemoHandle | null = null;
let dir: string | null = null;
afterEach(async () => {
  if (demo !== null) await demo.stop();
  demo = null;
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('xmc demo (real sockets, real workers)', () => {
  it('trades the simulator windows; legs balanced, client ids unique per venue, every venue order journaled', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xmc-demo-test-'));
    demo = await startDemo({ seed: 7, journalDir: dir, dislocationProb: 0.05, pin: false });
    const d = demo;
    // two combos done, one of them across exchanges (a Binance spot leg)
    const crossTraded = (): boolean => [...d.tape.orders.values()].some((o) => o.venue === 'binance-spot');
    await until(() => d.snapshot().combosDone >= 2 && crossTraded(), 'two combos done, one cross-exchange', 150_000);
    const report = await d.stop();

    // traded
    expect(report.outcome.kind).toBe('stopped');
    expect(report.combosDone).toBeGreaterThanOrEqual(2);
    expect(report.combos).toBe(report.combosDone + report.combosEscalated);
    expect(report.venueFills).toBeGreaterThanOrEqual(2);
    expect(report.engine).not.toBeNull();
    // the cross-exchange combo sent both its legs on one decision: the report has their skew
    expect(report.latency['legs: first->last leg sent']!.n).toBeGreaterThanOrEqual(1);
    expect(report.latency['tick-to-order: frame->sent']!.n).toBeGreaterThanOrEqual(1);

    // balanced within one lot, from the venues' own fills
    const lot = report.lotTolerance['BTC']!;
    expect(lot).toBeGreaterThan(0);
    expect(Math.abs(report.exposure['BTC'] ?? 0)).toBeLessThanOrEqual(lot * (1 + 1e-9));
    expect(report.balanced).toBe(true);
    // the tape agrees with the matching engines (perpetual positions) for our account
    for (const v of d.sim.venues) {
      for (const si of v.instruments) {
        if (si.spec.kind === 'spot') continue;
        const pos = si.engine.position(v.keys[0]!.account);
        const tape = report.positions.find((p) => p.venue === v.name && p.symbol === si.symbol);
        expect(pos?.qtyLots ?? 0).toBe(tape?.lots ?? 0);
      }
    }

    // no client order id used twice at a venue
    expect(report.reusedClientIds).toEqual([]);
    expect(d.tape.orders.size).toBeGreaterThanOrEqual(2);
    expect(new Set([...d.tape.orders.values()].map((o) => o.venue)).size).toBeGreaterThanOrEqual(2);
    for (const o of d.tape.orders.values()) expect(o.orderIds.size).toBe(1);

    // every venue order is in the journal (read here, independently of the demo's own check)
    const cfg = defaultConfig();
    const sent = new Set<string>();
    for (const e of readJournal(dir).entries) {
      const a = decodeAudit(e);
      if (a !== null && a.kind === AuditKind.OrderSent) sent.add(`${e.venue}/${a.text}`);
    }
    for (const o of d.tape.orders.values()) {
      const venueId = cfg.venues.findIndex((v) => v.id === d.sim.venue(o.venue).protocol);
      expect(sent.has(`${venueId}/${o.clientOrderId}`), `venue order ${o.venue}:${o.clientOrderId} journaled`).toBe(true);
    }
    // and every journaled order reached its venue exactly once
    for (const k of sent) {
      const [venueId, cid] = k.split('/') as [string, string];
      const name = d.sim.venues.find((v) => v.protocol === cfg.venues[Number(venueId)]!.id)!.name;
      expect(d.tape.orders.get(`${name}\u0000${cid}`)?.orderIds.size, `journaled order ${k} at its venue`).toBe(1);
    }
    expect(report.venueOrdersNotJournaled).toEqual([]);

    // every report continues its order's path: it carries the stages the OrderSent record
    // journaled (triggering top's venue event, received, applied, ring commit; the decision), so
    // the audit's per-stage latencies of a report row are those of its order
    const PATH = ['venueEventUs', 'receivedUs', 'bookAppliedUs', 'ringCommittedUs', 'decisionUs'] as const;
    const sentPath = new Map<string, number[]>();
    let reportsChecked = 0;
    for (const e of readJournal(dir).entries) {
      const a = decodeAudit(e);
      if (a === null) continue;
      const key = `${e.venue}/${a.text}`;
      if (a.kind === AuditKind.OrderSent) sentPath.set(key, PATH.map((s) => e.times[s]));
      else if (a.kind === AuditKind.OrderReport) {
        expect(PATH.map((s) => e.times[s]), `stages of a report of ${key}`).toEqual(sentPath.get(key));
        reportsChecked++;
      }
    }
    expect(reportsChecked).toBeGreaterThanOrEqual(2);
    expect([...sentPath.values()].some((p) => p[3]! > 0), 'a tick-driven order with its top ring commit').toBe(true);

    // the venues' balances reached the engine: a whole-account snapshot journaled for every venue
    // that traded, and the engine's last figures in its summary
    const snapshotVenues = new Set<number>();
    for (const e of readJournal(dir).entries) {
      const a = decodeAudit(e);
      if (a === null || a.kind !== AuditKind.Balance) continue;
      const detail = JSON.parse(new TextDecoder().decode(a.detail)) as { snapshot: boolean; freeUnits: number };
      expect(Number.isInteger(detail.freeUnits)).toBe(true);
      if (detail.snapshot) snapshotVenues.add(e.venue);
    }
    for (const o of d.tape.orders.values()) {
      const venueId = cfg.venues.findIndex((v) => v.id === d.sim.venue(o.venue).protocol);
      expect(snapshotVenues.has(venueId), `balance snapshot of venue ${o.venue} journaled`).toBe(true);
      expect(report.engine!.balances.some((b) => b.venue === venueId)).toBe(true);
    }
  }, 240_000);

  it('`xmc demo --duration --json --idle-poll` exits 0 with a final report: balanced, ids unique, journaled, cpus kept', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xmc-demo-cli-'));
    const child = spawn(process.execPath, [compiledModule('src/main.ts'), 'demo', '--duration', '8', '--json', '--no-pin', '--idle-poll', '--seed', '42', '--journal', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((res) => child.on('exit', res));
    expect(code, err).toBe(0);
    const r = JSON.parse(out) as { outcome: { kind: string }; combos: number; combosDone: number; combosEscalated: number; balanced: boolean; reusedClientIds: string[]; venueOrdersNotJournaled: string[]; journalDir: string; venueOrders: number; idlePoll: string | null };
    expect(r.outcome.kind).toBe('stopped');
    expect(r.combos).toBe(r.combosDone + r.combosEscalated);
    expect(r.balanced).toBe(true);
    expect(r.reusedClientIds).toEqual([]);
    expect(r.venueOrdersNotJournaled).toEqual([]);
    expect(r.journalDir).toBe(dir);
    // --idle-poll with unpinned actors: every online cpu was kept, each by its own SCHED_IDLE thread
    expect(r.idlePoll).toMatch(/^cpu 0: idle polling \(tid \d+, SCHED_IDLE\)(; cpu \d+: idle polling \(tid \d+, SCHED_IDLE\))*$/);
    // the journal it names is readable and holds an OrderSent per venue order
    const sent = readJournal(dir).entries.filter((e) => decodeAudit(e)?.kind === AuditKind.OrderSent).length;
    expect(sent).toBeGreaterThanOrEqual(r.venueOrders);
  }, 120_000);
});
