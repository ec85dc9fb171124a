// Export of a small hand-built journal: CSV and JSON rows with per-stage latency columns checked
// by hand, HTML report per combo, hostile strings escaped everywhere, `xmc audit` argument errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameView, ReportKind, Side } from '../../src/wire/index.js';
import { newRecordMeta } from '../../src/journal/format.js';
import { JournalWriter } from '../../src/journal/writer.js';
import { AuditBuilder, metaFromFrame } from '../../src/journal/records.js';
import { runAuditCommand, AuditCommandError } from '../../src/journal/cli.js';
import { CSV_COLUMNS } from '../../src/journal/export.js';
import { decision, frameOf, order, report, tempDir, times } from './helpers.js';

const T0 = Date.UTC(2026, 0, 15, 9, 30, 0) * 1000; // µs

function buildJournal(hostile = false): string {
  const dir = tempDir('export');
  let k = 0;
  const w = JournalWriter.open({ dir, stream: 'main', wallClockUs: () => T0 + 1000 * k++ });
  const b = new AuditBuilder();
  const put = (f: Uint8Array, seq: number): void => {
    const m = newRecordMeta();
    metaFromFrame(new FrameView(f).at(0), m);
    m.seq = seq;
    w.append(m, f, 0, f.length);
  };
  const t = { receivedUs: 1000, bookAppliedUs: 1010.5, ringCommittedUs: 1015, decisionUs: 1030 };
  const d = decision(1);
  if (hostile) d.trigger = '<script>alert("x")</script>';
  put(frameOf(b.decision(d, times(t))), 0);
  const cid = hostile ? `"><img src=x onerror=alert(1)>,=cmd|' /C calc'!A0` : 'xmc-1-0-0';
  put(frameOf(b.order(order({ clientOrderId: cid }), times({ ...t, orderSentUs: 1050 }))), 1);
  put(frameOf(b.report(report({ clientOrderId: cid, kind: ReportKind.Ack, cumQtyLots: 0, lastQtyLots: 0, lastPriceTicks: 0, leavesQtyLots: 25 }), times({ ...t, orderSentUs: 1050, ackUs: 1300 }))), 2);
  put(frameOf(b.report(report({ clientOrderId: cid }), times({ ...t, orderSentUs: 1050, ackUs: 1300, fillUs: 1310.25 }))), 3);
  put(frameOf(b.order(order({ clientOrderId: 'xmc-2-1-0', comboId: 2, leg: 1, venueId: 2, side: Side.Sell }), times({ decisionUs: 5000, orderSentUs: 5040 }))), 4);
  put(frameOf(b.risk({ kind: 1, code: 10, role: 1, instrument: 3, venue: 1, value: 30, limit: 20, state: 0, prevState: 0 }, 3, times({ decisionUs: 7000 }))), 5);
  put(frameOf(b.supervisor({ type: 'restarted', child: hostile ? '</td><b>x</b>' : 'exec-okx', generation: 2 })), 6);
  w.close();
  return dir;
}

describe('audit export', () => {
  it('CSV: one row per record with hand-checked latency columns', async () => {
    const dir = buildJournal();
    let out = '';
    const res = await runAuditCommand({ dir, format: 'csv' }, { write: (s) => (out += s) });
    expect(res.records).toBe(7);
    const lines = out.trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [CSV_COLUMNS[i]!, v])));
    const lat = (r: Record<string, string>): string[] =>
      ['received_to_applied_us', 'applied_to_committed_us', 'committed_to_decision_us', 'decision_to_sent_us', 'sent_to_ack_us', 'ack_to_fill_us'].map((c) => r[c]!);
    expect(rows[0]!['kind']).toBe('Decision');
    expect(lat(rows[0]!)).toEqual(['10.5', '4.5', '15', '', '', '']);
    expect(rows[1]!['kind']).toBe('OrderSent');
    expect(rows[1]!['client_order_id']).toBe('xmc-1-0-0');
    expect(rows[1]!['side']).toBe('buy');
    expect(lat(rows[1]!)).toEqual(['10.5', '4.5', '15', '20', '', '']);
    expect(rows[2]!['code_name']).toBe('Ack');
    expect(lat(rows[2]!)).toEqual(['10.5', '4.5', '15', '20', '250', '']);
    expect(rows[3]!['code_name']).toBe('Fill');
    expect(rows[3]!['cum_qty_lots']).toBe('25');
    expect(lat(rows[3]!)).toEqual(['10.5', '4.5', '15', '20', '250', '10.25']);
    expect(lat(rows[4]!)).toEqual(['', '', '', '40', '', '']);
    expect(rows[5]!['kind']).toBe('RiskDenial');
    expect(rows[5]!['combo_id']).toBe('3');
    expect(rows[0]!['time']).toBe('2026-01-15T09:30:00.001Z');
  });

  it('JSON: the same rows, nulls where a stage was not passed; --combo and --from/--to filter', async () => {
    const dir = buildJournal();
    const outFile = join(dir, 'audit.json');
    const res = await runAuditCommand({ dir, format: 'json', combo: '1', out: outFile });
    expect(res.records).toBe(4);
    const j = JSON.parse(readFileSync(outFile, 'utf8'));
    expect(j.combo).toBe(1);
    expect(j.records.map((r: { kind: string }) => r.kind)).toEqual(['Decision', 'OrderSent', 'OrderReport', 'OrderReport']);
    const fill = j.records[3];
    expect([fill.received_to_applied_us, fill.applied_to_committed_us, fill.committed_to_decision_us, fill.decision_to_sent_us, fill.sent_to_ack_us, fill.ack_to_fill_us]).toEqual([10.5, 4.5, 15, 20, 250, 10.25]);
    expect(j.records[1].ack_to_fill_us).toBeNull();
    expect(j.records[0].detail.books[0].askTicks).toBe(6_400_012);
    expect(j.records[0].detail.checks).toHaveLength(2);
    // Records 2..4 by wall time (T0 + 3 ms .. T0 + 5 ms exclusive; the header took T0).
    let out = '';
    await runAuditCommand({ dir, format: 'json', from: new Date((T0 + 3000) / 1000).toISOString(), to: String((T0 + 5000) / 1000) }, { write: (s) => (out += s) });
    expect(JSON.parse(out).records.map((r: { client_order_id: string }) => r.client_order_id)).toEqual(['xmc-1-0-0', 'xmc-1-0-0']);
  });

  it('HTML: self-contained, one timeline per combo with latencies', async () => {
    const dir = buildJournal();
    let html = '';
    await runAuditCommand({ dir, format: 'html' }, { write: (s) => (html += s) });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<h2 id="combo-1">Combo 1</h2>');
    expect(html).toContain('<h2 id="combo-2">Combo 2</h2>');
    expect(html).toContain('Events outside any combo');
    expect(html).toContain('4 records: 1 orders, 1 fills, 0 risk events');
    expect(html).toMatch(/<td class="n">250<\/td><td class="n">10\.25<\/td><\/tr>/);
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/i);
  });

  it('escapes hostile strings in HTML and CSV', async () => {
    const dir = buildJournal(true);
    let html = '';
    await runAuditCommand({ dir, format: 'html' }, { write: (s) => (html += s) });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</td><b>');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(html).toContain('&#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
    let csv = '';
    await runAuditCommand({ dir, format: 'csv' }, { write: (s) => (csv += s) });
    // The hostile client id is one quoted cell, quotes doubled.
    expect(csv).toContain(`"""><img src=x onerror=alert(1)>,=cmd|' /C calc'!A0"`);
    let json = '';
    await runAuditCommand({ dir, format: 'json' }, { write: (s) => (json += s) });
    expect(JSON.parse(json).records[0].detail.trigger).toBe('<script>alert("x")</script>');
  });

  it('rejects bad arguments with clear errors', async () => {
    const dir = buildJournal();
    await expect(runAuditCommand({ dir, format: 'xml' })).rejects.toThrow(/--format: expected csv, json or html, got "xml"/);
    await expect(runAuditCommand({ dir, from: 'yesterday' })).rejects.toThrow(/--from: expected an ISO-8601 date-time or epoch milliseconds/);
    await expect(runAuditCommand({ dir, combo: '-3' })).rejects.toThrow(/--combo: expected a positive integer/);
    await expect(runAuditCommand({ dir, from: 2000, to: 1000 })).rejects.toThrow(/--to must be after --from/);
    await expect(runAuditCommand({ dir: join(dir, 'nope') })).rejects.toBeInstanceOf(AuditCommandError);
    await expect(runAuditCommand({ dir: tempDir('empty') })).rejects.toThrow(/AUDIT_NO_JOURNAL/);
  });
});
