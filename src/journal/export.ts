// Audit export: journal records as flat rows with per-stage latencies, rendered as CSV, JSON or
// a self-contained HTML report for a compliance reviewer (one section per combo: the timeline of
// its decision, orders, reports and risk events with latencies).
//
// Latency columns, µs, each = later stage time - earlier stage time of the record, empty (CSV)
// or null (JSON) when either stage is 0 (not passed):
//   received_to_applied   receivedUs      -> bookAppliedUs
//   applied_to_committed  bookAppliedUs   -> ringCommittedUs
//   committed_to_decision ringCommittedUs -> decisionUs
//   decision_to_sent      decisionUs      -> orderSentUs
//   sent_to_ack           orderSentUs     -> ackUs
//   ack_to_fill           ackUs           -> fillUs
// Values are rounded to 0.001 µs (stage times are doubles of µs; this removes float noise only).
//
// Invariants: every text that came from a record (client ids, texts, detail) is escaped for its
// format: CSV quoting (and a leading ' on text cells that a spreadsheet would run as a formula),
// JSON via JSON.stringify, HTML entity-escaped; the HTML has no scripts and no external assets.
import { OrderType, ReasonCode, ReportKind, Side } from '../wire/index.js';
import { AuditKind } from '../wire/index.js';
import type { JournalEntry } from './format.js';
import { auditDetailJson, decodeAudit } from './reader.js';
import { kindName, REF } from './records.js';

export const LATENCY_COLUMNS = [
  ['received_to_applied_us', 'receivedUs', 'bookAppliedUs'],
  ['applied_to_committed_us', 'bookAppliedUs', 'ringCommittedUs'],
  ['committed_to_decision_us', 'ringCommittedUs', 'decisionUs'],
  ['decision_to_sent_us', 'decisionUs', 'orderSentUs'],
  ['sent_to_ack_us', 'orderSentUs', 'ackUs'],
  ['ack_to_fill_us', 'ackUs', 'fillUs'],
] as const;

export const STAGE_COLUMNS = [
  ['venue_event_us', 'venueEventUs'],
  ['received_us', 'receivedUs'],
  ['book_applied_us', 'bookAppliedUs'],
  ['ring_committed_us', 'ringCommittedUs'],
  ['decision_us', 'decisionUs'],
  ['order_sent_us', 'orderSentUs'],
  ['ack_us', 'ackUs'],
  ['fill_us', 'fillUs'],
] as const;

export type LatencyColumn = (typeof LATENCY_COLUMNS)[number][0];
export type StageColumn = (typeof STAGE_COLUMNS)[number][0];

/** One exported record. Numbers are null where not applicable. */
export type AuditRow = {
  time: string;
  wall_us: number;
  stream: string;
  kind: string;
  code: number;
  code_name: string;
  combo_id: number;
  venue: number | null;
  instrument: number | null;
  leg: number | null;
  client_order_id: string;
  order_ref: number | null;
  side: string;
  qty_lots: number | null;
  price_ticks: number | null;
  cum_qty_lots: number | null;
  leaves_qty_lots: number | null;
  reason: string;
  intent: boolean;
  text: string;
  detail: unknown;
} & Record<StageColumn, number | null> &
  Record<LatencyColumn, number | null>;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const orNull = (x: number | undefined, none: number): number | null => (x === undefined || x === none ? null : x);

function enumName(e: Record<number, string>, v: number | undefined): string {
  return v === undefined || v < 0 ? '' : (e[v] ?? String(v));
}

function codeName(kind: number, code: number): string {
  switch (kind) {
    case AuditKind.OrderReport:
      return enumName(ReportKind as unknown as Record<number, string>, code);
    case AuditKind.OrderSent:
      return enumName(OrderType as unknown as Record<number, string>, code);
    case AuditKind.Decision:
      return code === 1 ? 'acted' : 'not acted';
    default:
      return String(code);
  }
}

/** Converts records to export rows (order kept). */
export function toRows(entries: readonly JournalEntry[]): AuditRow[] {
  return entries.map((e) => {
    const a = decodeAudit(e);
    const refs = a?.refIds ?? [];
    const t = e.times;
    const row: Record<string, unknown> = {
      time: new Date(e.wallUs / 1000).toISOString(),
      wall_us: e.wallUs,
      stream: e.stream,
      kind: kindName(e.kind),
      code: e.code,
      code_name: codeName(e.kind, e.code),
      combo_id: e.comboId,
      venue: e.venue < 0 ? null : e.venue,
      instrument: e.instrument < 0 ? null : e.instrument,
      leg: e.leg < 0 ? null : e.leg,
      client_order_id: e.clientOrderId,
      order_ref: e.orderRef === 0 ? null : e.orderRef,
      side: refs[REF.SIDE] === 1 ? 'buy' : refs[REF.SIDE] === 2 ? 'sell' : '',
      qty_lots: orNull(refs[REF.QTY_LOTS], -1),
      price_ticks: orNull(refs[REF.PRICE_TICKS], -1),
      cum_qty_lots: orNull(refs[REF.CUM_QTY_LOTS], -1),
      leaves_qty_lots: orNull(refs[REF.LEAVES_QTY_LOTS], -1),
      reason:
        e.kind === AuditKind.OrderReport && (refs[REF.REASON] ?? 0) > 0
          ? enumName(ReasonCode as unknown as Record<number, string>, refs[REF.REASON])
          : e.kind === AuditKind.RiskDenial || e.kind === AuditKind.BreakerTripped
            ? String(refs[REF.REASON] ?? e.code)
            : '',
      intent: (e.flags & 1) !== 0,
      text: a?.text ?? '',
      detail: auditDetailJson(a),
    };
    for (const [col, key] of STAGE_COLUMNS) row[col] = t[key] === 0 ? null : t[key];
    for (const [col, from, to] of LATENCY_COLUMNS) row[col] = t[from] > 0 && t[to] > 0 ? round3(t[to] - t[from]) : null;
    return row as AuditRow;
  });
}

export const CSV_COLUMNS: readonly (keyof AuditRow)[] = [
  'time',
  'wall_us',
  'stream',
  'kind',
  'code',
  'code_name',
  'combo_id',
  'venue',
  'instrument',
  'leg',
  'client_order_id',
  'order_ref',
  'side',
  'qty_lots',
  'price_ticks',
  'cum_qty_lots',
  'leaves_qty_lots',
  'reason',
  'intent',
  'text',
  ...STAGE_COLUMNS.map((c) => c[0]),
  ...LATENCY_COLUMNS.map((c) => c[0]),
];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // A text cell a spreadsheet would evaluate as a formula is prefixed with a quote.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: readonly AuditRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function toJson(rows: readonly AuditRow[], meta: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...meta, records: rows }, null, 2) + '\n';
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmtUs = (v: number | null): string => (v === null ? '' : v.toLocaleString('en-US', { maximumFractionDigits: 3 }));

export interface HtmlReportMeta {
  readonly title?: string;
  readonly dir?: string;
  readonly range?: string;
  readonly generatedAt?: string;
}

/** A self-contained HTML report: a summary, then one timeline per combo (combo 0 = other events). */
export function toHtml(rows: readonly AuditRow[], meta: HtmlReportMeta = {}): string {
  const byCombo = new Map<number, AuditRow[]>();
  for (const r of rows) {
    const l = byCombo.get(r.combo_id);
    if (l) l.push(r);
    else byCombo.set(r.combo_id, [r]);
  }
  const ids = [...byCombo.keys()].sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b));
  const e = escapeHtml;
  const title = meta.title ?? 'xmc audit report';
  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
    `<title>${e(title)}</title>`,
    '<style>body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse;margin:8px 0 24px}' +
      'th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f0f0f0}' +
      'td.n{text-align:right;font-variant-numeric:tabular-nums}tr.k-RiskDenial,tr.k-BreakerTripped{background:#fff0f0}' +
      'tr.k-Decision{background:#f0f6ff}code{font-size:12px}h2{margin-top:32px}.muted{color:#666}</style>',
    '</head><body>',
    `<h1>${e(title)}</h1>`,
    '<p class="muted">',
    meta.dir ? `Journal: <code>${e(meta.dir)}</code><br>` : '',
    meta.range ? `Range: ${e(meta.range)}<br>` : '',
    `Records: ${rows.length}; combos: ${ids.filter((i) => i !== 0).length}`,
    meta.generatedAt ? `<br>Generated: ${e(meta.generatedAt)}` : '',
    '</p>',
    '<p class="muted">Latencies in microseconds between the record\'s stage times on the engine\'s monotonic clock; blank where a stage was not passed.</p>',
  );
  for (const id of ids) {
    const list = byCombo.get(id)!;
    const orders = list.filter((r) => r.kind === 'OrderSent').length;
    const fills = list.filter((r) => r.kind === 'OrderReport' && (r.code_name === 'Fill' || r.code_name === 'PartialFill')).length;
    const denials = list.filter((r) => r.kind === 'RiskDenial' || r.kind === 'BreakerTripped').length;
    out.push(
      `<h2 id="combo-${id}">${id === 0 ? 'Events outside any combo' : `Combo ${id}`}</h2>`,
      `<p>${list.length} records: ${orders} orders, ${fills} fills, ${denials} risk events; from ${e(list[0]!.time)} to ${e(list[list.length - 1]!.time)}</p>`,
      '<table><thead><tr><th>Time (UTC)</th><th>Kind</th><th>Code</th><th>Leg</th><th>Venue</th><th>Instrument</th><th>Client order id</th>' +
        '<th>Side</th><th>Qty (lots)</th><th>Price (ticks)</th><th>Cum</th><th>Leaves</th><th>Reason</th><th>Detail</th>' +
        LATENCY_COLUMNS.map((c) => `<th>${e(c[0].replace(/_us$/, '').replace(/_/g, ' '))} (µs)</th>`).join('') +
        '</tr></thead><tbody>',
    );
    for (const r of list) {
      const detail = r.detail === null ? r.text : `${r.text}${r.text ? ' ' : ''}${JSON.stringify(r.detail)}`;
      out.push(
        `<tr class="k-${e(r.kind)}"><td>${e(r.time)}</td><td>${e(r.kind)}${r.intent ? ' (intent)' : ''}</td><td>${e(r.code_name)}</td>` +
          `<td class="n">${r.leg ?? ''}</td><td class="n">${r.venue ?? ''}</td><td class="n">${r.instrument ?? ''}</td>` +
          `<td><code>${e(r.client_order_id)}</code></td><td>${e(r.side)}</td><td class="n">${r.qty_lots ?? ''}</td>` +
          `<td class="n">${r.price_ticks ?? ''}</td><td class="n">${r.cum_qty_lots ?? ''}</td><td class="n">${r.leaves_qty_lots ?? ''}</td>` +
          `<td>${e(r.reason)}</td><td>${e(detail)}</td>` +
          LATENCY_COLUMNS.map((c) => `<td class="n">${fmtUs(r[c[0]])}</td>`).join('') +
          '</tr>',
      );
    }
    out.push('</tbody></table>');
  }
  out.push('</body></html>', '');
  return out.join('\n');
}

/** Decoded sides by name, for callers that build rows by hand. */
export const SIDE_NAMES: Readonly<Record<number, string>> = { [Side.Buy]: 'buy', [Side.Sell]: 'sell' };
