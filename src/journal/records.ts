// What the audit records mean: the layout of AuditRecord.ref_ids per kind, the builders that
// fill a reusable AuditRecordInput for each record kind (decision, order, cancel, report, risk
// event, link event, supervisor event), and the extraction of a journal record's index fields
// (kind, ids, client order id, stage times) from an AuditRecord frame as received from a ring.
//
// AuditRecord conventions (every producer uses the builders below, so the journal can index
// any record without knowing who wrote it):
// - ref_ids[REF.*] in this fixed order for every kind; -1 = not applicable, except combo id
//   (0 = none, combo ids start at 1) and order ref (0 = none):
//     0 combo id, 1 venue id, 2 instrument id, 3 order ref, 4 leg, 5 side (wire Side: 1 buy,
//     2 sell), 6 quantity lots (order qty / last fill qty), 7 price ticks (limit / last fill),
//     8 cumulative filled lots, 9 leaves lots, 10 reason (wire ReasonCode / RiskReason / Breaker)
// - code: Decision 1 = acted (orders follow), 0 = evaluated and not acted; RiskDenial the
//   RiskReason; BreakerTripped the Breaker; OrderSent the wire OrderType; OrderReport the wire
//   ReportKind; CancelSent the CancelScope; LinkChange the LinkStatus; ActorLifecycle the
//   SUPERVISOR_EVENT code of the event type; Balance the engine asset id.
// - text: the client order id for OrderSent / CancelSent / OrderReport; otherwise a short
//   human-readable summary.
// - detail: UTF-8 JSON with the kind's structured fields (decision: trigger inputs, both books'
//   tops, thresholds, every risk check with pass/fail; risk: value and limit; link / supervisor:
//   the event; balance: asset, free and total units, snapshot or stream). Orders and reports carry none: everything is in ref_ids.
// The order and report builders allocate nothing (the refIds array and the input object are
// reused, strings are passed through). The decision's detail is written into a reused buffer
// (json-writer.ts: the engine writes one per decision and per decision rehearsal); the other JSON
// builders allocate and are meant for the rare kinds.
import {
  AuditKind,
  Body,
  type AuditRecordInput,
  type BalanceValue,
  type CancelValue,
  type FrameView,
  type LinkStateValue,
  type NewOrderValue,
  type OrderReportValue,
  type StageTimesValue,
  copyStageTimes,
  newStageTimes,
} from '../wire/index.js';
import { FOREIGN_KIND_BASE, type RecordMeta } from './format.js';
import { JsonWriter } from './json-writer.js';

export const REF = {
  COMBO: 0,
  VENUE: 1,
  INSTRUMENT: 2,
  ORDER_REF: 3,
  LEG: 4,
  SIDE: 5,
  QTY_LOTS: 6,
  PRICE_TICKS: 7,
  CUM_QTY_LOTS: 8,
  LEAVES_QTY_LOTS: 9,
  REASON: 10,
} as const;
export const REF_COUNT = 11;

/** ActorLifecycle codes (AuditRecord.code) by supervisor event type. Stable numbers. */
export const SUPERVISOR_EVENT: Readonly<Record<string, number>> = {
  started: 1,
  ready: 2,
  exited: 3,
  hung: 4,
  restarted: 5,
  stopped: 6,
  escalated: 7,
  reaped: 8,
  failover: 9,
};

/** Kinds whose `text` is a client order id. */
export function isOrderKind(kind: number): boolean {
  return kind === AuditKind.OrderSent || kind === AuditKind.OrderReport || kind === AuditKind.CancelSent;
}

export const AUDIT_KIND_NAMES: Readonly<Record<number, string>> = {
  [AuditKind.Unset]: 'Unset',
  [AuditKind.Decision]: 'Decision',
  [AuditKind.RiskDenial]: 'RiskDenial',
  [AuditKind.OrderSent]: 'OrderSent',
  [AuditKind.OrderReport]: 'OrderReport',
  [AuditKind.CancelSent]: 'CancelSent',
  [AuditKind.LinkChange]: 'LinkChange',
  [AuditKind.Control]: 'Control',
  [AuditKind.ActorLifecycle]: 'ActorLifecycle',
  [AuditKind.BreakerTripped]: 'BreakerTripped',
  [AuditKind.Reconciliation]: 'Reconciliation',
  [AuditKind.Note]: 'Note',
  [AuditKind.Balance]: 'Balance',
};

export function kindName(kind: number): string {
  if (kind === 0xff00) return 'Checkpoint';
  if (kind >= FOREIGN_KIND_BASE && kind < FOREIGN_KIND_BASE + 256) return `Frame:${Body[kind - FOREIGN_KIND_BASE] ?? kind - FOREIGN_KIND_BASE}`;
  return AUDIT_KIND_NAMES[kind] ?? `Kind${kind}`;
}

/** One book's top as a decision saw it. */
export interface DecisionBook {
  venue: number;
  instrument: number;
  bidTicks: number;
  bidLots: number;
  askTicks: number;
  askLots: number;
  /** Book age at decision time, µs. */
  ageUs: number;
}

/** A DecisionBook to fill in place (members in the interface's order). */
export function newDecisionBook(): DecisionBook {
  return { venue: -1, instrument: -1, bidTicks: NaN, bidLots: 0, askTicks: NaN, askLots: 0, ageUs: NaN };
}

export interface DecisionCheck {
  name: string;
  passed: boolean;
  value?: number;
  limit?: number;
}

/** What a decision record holds (its detail JSON). */
export interface DecisionDetail {
  comboId: number;
  pairId: number;
  trigger: string;
  acted: boolean;
  /** Trigger inputs (edge, executable prices, FX rate, ...). */
  inputs: Record<string, number>;
  books: [DecisionBook, DecisionBook];
  thresholds: { open: number; close: number };
  checks: DecisionCheck[];
  qtyLots: number;
}

/** Risk event as core/risk.ts RiskEvent (structural, so this module does not import the core). */
export interface RiskEventLike {
  kind: number;
  code: number;
  role: number;
  instrument: number;
  venue: number;
  value: number;
  limit: number;
  state: number;
  prevState: number;
}

export interface SupervisorEventLike {
  type: string;
  child?: string;
  generation?: number;
  reason?: string;
  [k: string]: unknown;
}

const EMPTY = new Uint8Array(0);
const textEncoder = new TextEncoder();

/**
 * A decision's detail JSON: the bytes `JSON.stringify(d)` gives for a DecisionDetail whose members
 * are in the interface's order, written without the intermediate string (json-writer.ts).
 */
export function writeDecision(w: JsonWriter, d: DecisionDetail): JsonWriter {
  w.beginObject().keyNum('comboId', d.comboId).keyNum('pairId', d.pairId).keyStr('trigger', d.trigger).keyBool('acted', d.acted);
  w.key('inputs').beginObject();
  const inputs = d.inputs;
  for (const k in inputs) w.keyNum(k, inputs[k]!);
  w.endObject();
  w.key('books').beginArray();
  for (const b of d.books) {
    w.beginObject().keyNum('venue', b.venue).keyNum('instrument', b.instrument).keyNum('bidTicks', b.bidTicks).keyNum('bidLots', b.bidLots);
    w.keyNum('askTicks', b.askTicks).keyNum('askLots', b.askLots).keyNum('ageUs', b.ageUs).endObject();
  }
  w.endArray();
  w.key('thresholds').beginObject().keyNum('open', d.thresholds.open).keyNum('close', d.thresholds.close).endObject();
  w.key('checks').beginArray();
  for (const c of d.checks) {
    w.beginObject().keyStr('name', c.name).keyBool('passed', c.passed);
    if (c.value !== undefined) w.keyNum('value', c.value);
    if (c.limit !== undefined) w.keyNum('limit', c.limit);
    w.endObject();
  }
  w.endArray();
  return w.keyNum('qtyLots', d.qtyLots).endObject();
}

/** Fills one reusable AuditRecordInput per record kind. */
export class AuditBuilder {
  readonly refIds = new Float64Array(REF_COUNT);
  readonly input: AuditRecordInput = { kind: AuditKind.Unset, code: 0, refIds: this.refIds, times: newStageTimes(), text: '', detail: EMPTY };
  /** The decision's detail text (reused: the record's detail is a view of it until the next decision). */
  private readonly json = new JsonWriter();

  private reset(kind: AuditKind, code: number, times: StageTimesValue | null): AuditRecordInput {
    const r = this.refIds;
    r.fill(-1);
    r[REF.COMBO] = 0;
    r[REF.ORDER_REF] = 0;
    const i = this.input;
    i.kind = kind;
    i.code = code;
    i.text = '';
    i.detail = EMPTY;
    if (times) i.times = times;
    else {
      const t = i.times;
      t.venueEventUs = t.receivedUs = t.bookAppliedUs = t.ringCommittedUs = t.decisionUs = t.orderSentUs = t.ackUs = t.fillUs = 0;
    }
    return i;
  }

  order(o: NewOrderValue, times: StageTimesValue): AuditRecordInput {
    const i = this.reset(AuditKind.OrderSent, o.orderType, times);
    const r = this.refIds;
    r[REF.COMBO] = o.comboId;
    r[REF.VENUE] = o.venueId;
    r[REF.INSTRUMENT] = o.instrumentId;
    r[REF.ORDER_REF] = o.orderRef;
    r[REF.LEG] = o.leg;
    r[REF.SIDE] = o.side;
    r[REF.QTY_LOTS] = o.qtyLots;
    r[REF.PRICE_TICKS] = o.priceTicks;
    i.text = o.clientOrderId;
    return i;
  }

  cancel(c: CancelValue, times: StageTimesValue): AuditRecordInput {
    const i = this.reset(AuditKind.CancelSent, c.scope, times);
    const r = this.refIds;
    r[REF.COMBO] = c.comboId;
    r[REF.VENUE] = c.venueId;
    r[REF.INSTRUMENT] = c.instrumentId;
    r[REF.ORDER_REF] = c.orderRef;
    r[REF.LEG] = c.leg;
    i.text = c.clientOrderId;
    return i;
  }

  report(rep: OrderReportValue, times: StageTimesValue): AuditRecordInput {
    const i = this.reset(AuditKind.OrderReport, rep.kind, times);
    const r = this.refIds;
    r[REF.COMBO] = rep.comboId;
    r[REF.VENUE] = rep.venueId;
    r[REF.INSTRUMENT] = rep.instrumentId;
    r[REF.ORDER_REF] = rep.orderRef;
    r[REF.LEG] = rep.leg;
    r[REF.SIDE] = rep.side;
    r[REF.QTY_LOTS] = rep.lastQtyLots;
    r[REF.PRICE_TICKS] = rep.lastPriceTicks;
    r[REF.CUM_QTY_LOTS] = rep.cumQtyLots;
    r[REF.LEAVES_QTY_LOTS] = rep.leavesQtyLots;
    r[REF.REASON] = rep.reason;
    i.text = rep.clientOrderId;
    return i;
  }

  decision(d: DecisionDetail, times: StageTimesValue): AuditRecordInput {
    const i = this.reset(AuditKind.Decision, d.acted ? 1 : 0, times);
    const r = this.refIds;
    r[REF.COMBO] = d.comboId;
    r[REF.VENUE] = d.books[0].venue;
    r[REF.INSTRUMENT] = d.books[0].instrument;
    r[REF.QTY_LOTS] = d.qtyLots;
    let failed = '';
    for (const c of d.checks) if (!c.passed) failed = failed === '' ? c.name : `${failed}, ${c.name}`;
    i.text = `pair ${d.pairId} ${d.trigger} ${d.acted ? 'acted' : 'not acted'}${failed === '' ? '' : `; failed: ${failed}`}`;
    i.detail = writeDecision(this.json.reset(), d).bytes();
    return i;
  }

  /** A core RiskEvent: DENIAL -> RiskDenial (code = RiskReason), BREAKER / STATE -> BreakerTripped (code = Breaker). */
  risk(ev: RiskEventLike, comboId: number, times: StageTimesValue | null, names?: { reason?: readonly string[]; breaker?: readonly string[]; state?: readonly string[] }): AuditRecordInput {
    const denial = ev.kind === 1;
    const i = this.reset(denial ? AuditKind.RiskDenial : AuditKind.BreakerTripped, ev.code, times);
    const r = this.refIds;
    r[REF.COMBO] = comboId;
    r[REF.VENUE] = ev.venue;
    r[REF.INSTRUMENT] = ev.instrument;
    r[REF.REASON] = ev.code;
    const codeName = (denial ? names?.reason : names?.breaker)?.[ev.code] ?? String(ev.code);
    i.text = denial
      ? `denied ${codeName}: value ${ev.value} > limit ${ev.limit}`
      : `${ev.kind === 2 ? 'breaker' : 'state'} ${codeName}: ${names?.state?.[ev.prevState] ?? ev.prevState} -> ${names?.state?.[ev.state] ?? ev.state}`;
    i.detail = textEncoder.encode(JSON.stringify({ riskKind: ev.kind, code: ev.code, role: ev.role, value: ev.value, limit: ev.limit, state: ev.state, prevState: ev.prevState }));
    return i;
  }

  link(l: LinkStateValue, times: StageTimesValue | null): AuditRecordInput {
    const i = this.reset(AuditKind.LinkChange, l.status, times);
    this.refIds[REF.VENUE] = l.venueId;
    i.text = l.reason;
    i.detail = textEncoder.encode(JSON.stringify({ linkId: l.linkId, channel: l.channel, role: l.role, status: l.status, sinceUs: l.sinceUs, lastSeq: l.lastSeq }));
    return i;
  }

  supervisor(e: SupervisorEventLike): AuditRecordInput {
    const i = this.reset(AuditKind.ActorLifecycle, SUPERVISOR_EVENT[e.type] ?? 0, null);
    i.text = `${e.type} ${e.child ?? ''}${e.generation !== undefined ? ` gen ${e.generation}` : ''}${e.reason ? ` (${e.reason})` : ''}`;
    i.detail = textEncoder.encode(JSON.stringify(e));
    return i;
  }

  /** A venue balance as the engine received it (Balance frame); `assetName` for the text. */
  balance(b: BalanceValue, assetName: string): AuditRecordInput {
    const i = this.reset(AuditKind.Balance, b.assetId, null);
    this.refIds[REF.VENUE] = b.venueId;
    i.text = `balance venue ${b.venueId} ${assetName}: free ${b.freeUnits} total ${b.totalUnits} units (${b.snapshot ? 'snapshot' : 'stream'})`;
    i.detail = textEncoder.encode(JSON.stringify({ asset: assetName, assetId: b.assetId, freeUnits: b.freeUnits, totalUnits: b.totalUnits, snapshot: b.snapshot, venueTimeUs: b.venueTimeUs }));
    return i;
  }

  note(text: string, comboId = 0): AuditRecordInput {
    const i = this.reset(AuditKind.Note, 0, null);
    this.refIds[REF.COMBO] = comboId;
    i.text = text;
    return i;
  }
}

function ref(a: ReturnType<FrameView['auditRecord']>, n: number, k: number, dflt: number): number {
  return k < n ? (a.refIds(k) ?? dflt) : dflt;
}

/**
 * Fills `m` (kind, code, ids, client order id, stage times) from the frame `view` is positioned
 * on. An AuditRecord gives its own fields; any other valid frame is journaled as
 * FOREIGN_KIND_BASE + its Body type with the envelope's stage times. Leaves source / epoch /
 * seq / flags / wallUs to the caller.
 */
export function metaFromFrame(view: FrameView, m: RecordMeta): void {
  const body = view.kind();
  if (body !== Body.AuditRecord) {
    m.kind = FOREIGN_KIND_BASE + body;
    m.code = 0;
    m.comboId = 0;
    m.venue = m.instrument = m.leg = -1;
    m.orderRef = 0;
    m.clientOrderId = '';
    view.readTimes(m.times);
    return;
  }
  const a = view.auditRecord();
  const kind = a.kind();
  const n = a.refIdsLength();
  m.kind = kind;
  m.code = a.code();
  m.comboId = ref(a, n, REF.COMBO, 0);
  m.venue = ref(a, n, REF.VENUE, -1);
  m.instrument = ref(a, n, REF.INSTRUMENT, -1);
  m.orderRef = ref(a, n, REF.ORDER_REF, 0);
  m.leg = ref(a, n, REF.LEG, -1);
  m.clientOrderId = isOrderKind(kind) ? (a.text() ?? '') : '';
  copyStageTimes(a.times(view.auditTimes), m.times);
}
