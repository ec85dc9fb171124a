// Restart recovery from the journal: every order the engine sent (from the intent streams and
// the main stream's OrderSent records), its last known state from the reports, the fills and
// hence positions per (venue, instrument), and the combos that are not finished. What the
// engine needs before trading: `toQuery` = client ids sent whose outcome is not final; each is
// queried at its venue by client id (never re-sent) before trading resumes, and the engine
// stays REDUCING until reconciliation with the venues proves every pair balanced.
//
// Invariants:
// - Orders are keyed by (venue, client order id); an intent and the OrderSent record of the
//   same order are one order (both streams may hold it).
// - Fills count as increases of the cumulative filled quantity (a duplicated or re-ordered
//   report never counts twice); a report for an order with no sent record still creates the
//   order (the intent may be in a stream written by another host) and is flagged `orphanReport`.
// - Final = Fill, Reject, Cancelled, or any report with leaves 0 after an ack. OutcomeUnknown is
//   never final.
import { AuditKind, ReportKind } from '../wire/index.js';
import type { JournalEntry } from './format.js';
import { decodeAudit, readJournal, type TornTail } from './reader.js';
import { REF } from './records.js';

export type RecoveredStatus = 'sent' | 'acked' | 'partial' | 'filled' | 'cancelled' | 'rejected' | 'unknown';

export interface RecoveredOrder {
  readonly venue: number;
  readonly clientOrderId: string;
  comboId: number;
  leg: number;
  instrument: number;
  orderRef: number;
  /** 1 buy, 2 sell (wire Side), 0 unknown. */
  side: number;
  qtyLots: number;
  priceTicks: number;
  status: RecoveredStatus;
  cumQtyLots: number;
  final: boolean;
  /** Found as an intent (written before the send). */
  intent: boolean;
  /** Reports were found but no sent record. */
  orphanReport: boolean;
  sentWallUs: number;
}

export interface RecoveredCombo {
  readonly comboId: number;
  decided: boolean;
  orders: RecoveredOrder[];
  /** Filled lots per leg (signed: + buy, - sell). */
  filledByLeg: number[];
  /** Some order of the combo is not final. */
  open: boolean;
}

export interface PositionLine {
  readonly venue: number;
  readonly instrument: number;
  /** Signed lots from journaled fills (+ long). */
  lots: number;
}

export interface RecoveredState {
  readonly orders: Map<string, RecoveredOrder>;
  readonly combos: Map<number, RecoveredCombo>;
  /** Orders sent whose outcome is not final: query each at its venue by client id. */
  readonly toQuery: RecoveredOrder[];
  /** Combos with an order that is not final. */
  readonly openCombos: RecoveredCombo[];
  readonly positions: PositionLine[];
  readonly records: number;
  readonly tails: TornTail[];
}

const orderKey = (venue: number, cid: string): string => `${venue}\u0000${cid}`;

/** Rebuilds the restart state from records (already ordered by time). */
export function rebuildState(entries: readonly JournalEntry[], tails: TornTail[] = []): RecoveredState {
  const orders = new Map<string, RecoveredOrder>();
  const combos = new Map<number, RecoveredCombo>();
  const positions = new Map<string, PositionLine>();
  const combo = (id: number): RecoveredCombo => {
    let c = combos.get(id);
    if (!c) combos.set(id, (c = { comboId: id, decided: false, orders: [], filledByLeg: [0, 0], open: false }));
    return c;
  };
  const order = (e: JournalEntry, refs: number[]): RecoveredOrder => {
    const k = orderKey(e.venue, e.clientOrderId);
    let o = orders.get(k);
    if (!o) {
      o = {
        venue: e.venue,
        clientOrderId: e.clientOrderId,
        comboId: e.comboId,
        leg: e.leg,
        instrument: e.instrument,
        orderRef: e.orderRef,
        side: refs[REF.SIDE] ?? 0,
        qtyLots: 0,
        priceTicks: 0,
        status: 'sent',
        cumQtyLots: 0,
        final: false,
        intent: false,
        orphanReport: true,
        sentWallUs: e.wallUs,
      };
      orders.set(k, o);
      if (e.comboId !== 0) combo(e.comboId).orders.push(o);
    }
    return o;
  };
  for (const e of entries) {
    if (e.kind === AuditKind.Decision) {
      if (e.comboId !== 0) combo(e.comboId).decided = true;
      continue;
    }
    if (e.kind !== AuditKind.OrderSent && e.kind !== AuditKind.OrderReport) continue;
    if (e.clientOrderId === '') continue;
    const a = decodeAudit(e);
    const refs = a ? a.refIds : [];
    const o = order(e, refs);
    if (e.kind === AuditKind.OrderSent) {
      o.orphanReport = false;
      o.intent ||= (e.flags & 1) !== 0;
      o.side = refs[REF.SIDE] ?? o.side;
      o.qtyLots = refs[REF.QTY_LOTS] ?? 0;
      o.priceTicks = refs[REF.PRICE_TICKS] ?? 0;
      o.sentWallUs = Math.min(o.sentWallUs, e.wallUs);
      continue;
    }
    if (o.side === 0) o.side = refs[REF.SIDE] ?? 0;
    const cum = refs[REF.CUM_QTY_LOTS] ?? 0;
    const leaves = refs[REF.LEAVES_QTY_LOTS] ?? -1;
    if (cum > o.cumQtyLots) {
      const delta = cum - o.cumQtyLots;
      o.cumQtyLots = cum;
      const sign = o.side === 2 ? -1 : 1;
      const pk = `${o.venue}:${o.instrument}`;
      let p = positions.get(pk);
      if (!p) positions.set(pk, (p = { venue: o.venue, instrument: o.instrument, lots: 0 }));
      p.lots += sign * delta;
      if (o.comboId !== 0 && (o.leg === 0 || o.leg === 1)) combo(o.comboId).filledByLeg[o.leg] = (combo(o.comboId).filledByLeg[o.leg] ?? 0) + sign * delta;
    }
    if (o.final) continue; // a late report does not reopen a final order (its fills counted above)
    switch (e.code) {
      case ReportKind.Ack:
        o.status = 'acked';
        break;
      case ReportKind.PartialFill:
        o.status = 'partial';
        if (leaves === 0) o.final = true;
        break;
      case ReportKind.Fill:
        o.status = 'filled';
        o.final = true;
        break;
      case ReportKind.Reject:
        o.status = 'rejected';
        o.final = true;
        break;
      case ReportKind.Cancelled:
        o.status = 'cancelled';
        o.final = true;
        break;
      case ReportKind.OutcomeUnknown:
        o.status = 'unknown';
        break;
      default:
        break;
    }
  }
  const toQuery = [...orders.values()].filter((o) => !o.final);
  for (const c of combos.values()) c.open = c.orders.some((o) => !o.final);
  return {
    orders,
    combos,
    toQuery,
    openCombos: [...combos.values()].filter((c) => c.open),
    positions: [...positions.values()].filter((p) => p.lots !== 0),
    records: entries.length,
    tails,
  };
}

/** Reads the whole journal directory and rebuilds the restart state. */
export function recoverState(dir: string): RecoveredState {
  const r = readJournal(dir);
  return rebuildState(r.entries, r.tails);
}
