// Helpers for the journal tests: temp directories and one AuditRecord frame per record kind.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditBuilder, type DecisionDetail } from '../../src/journal/records.js';
import {
  LinkChannel,
  LinkRole,
  LinkStatus,
  newEnvelopeHead,
  newStageTimes,
  OrderType,
  ReasonCode,
  ReportKind,
  Side,
  WireEncoder,
  CancelScope,
  type AuditRecordInput,
  type NewOrderValue,
  type OrderReportValue,
  type StageTimesValue,
} from '../../src/wire/index.js';

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `xmc-journal-${tag}-`));
}

export function times(over: Partial<StageTimesValue> = {}): StageTimesValue {
  return { ...newStageTimes(), ...over };
}

export function order(over: Partial<NewOrderValue> = {}): NewOrderValue {
  return {
    clientOrderId: 'xmc-1-0-0',
    orderRef: 1_048_576,
    instrumentId: 3,
    venueId: 1,
    side: Side.Buy,
    orderType: OrderType.Ioc,
    priceTicks: 6_400_012,
    qtyLots: 25,
    comboId: 1,
    leg: 0,
    reduceOnly: false,
    ...over,
  };
}

export function report(over: Partial<OrderReportValue> = {}): OrderReportValue {
  // Fields added to the wire later (e.g. origin) keep their 0 default when not given.
  return {
    origin: 0,
    avgPriceTicks: 0,
    kind: ReportKind.Fill,
    reason: ReasonCode.None,
    clientOrderId: 'xmc-1-0-0',
    orderRef: 1_048_576,
    instrumentId: 3,
    venueId: 1,
    side: Side.Buy,
    comboId: 1,
    leg: 0,
    lastQtyLots: 25,
    lastPriceTicks: 6_400_010,
    cumQtyLots: 25,
    leavesQtyLots: 0,
    venueOrderId: 'V123',
    venueErrorCode: 0,
    retryable: false,
    venueTimeUs: 1_700_000_000_000_000,
    ...over,
  } as OrderReportValue;
}

export function decision(comboId: number, acted = true): DecisionDetail {
  return {
    comboId,
    pairId: 7,
    trigger: 'spread',
    acted,
    inputs: { edgeTicks: 14, feesTicks: 4 },
    books: [
      { venue: 1, instrument: 3, bidTicks: 6_400_000, bidLots: 40, askTicks: 6_400_012, askLots: 30, ageUs: 120 },
      { venue: 2, instrument: 4, bidTicks: 6_400_030, bidLots: 25, askTicks: 6_400_041, askLots: 50, ageUs: 300 },
    ],
    thresholds: { open: 10, close: 2 },
    checks: [
      { name: 'MAX_ORDER_QTY', passed: true, value: 25, limit: 100 },
      { name: 'BOOK_STALE', passed: true, value: 300, limit: 5000 },
    ],
    qtyLots: 25,
  };
}

/** One AuditRecordInput per record kind the journal must hold (copies; the builder is reused). */
export function everyKind(): { name: string; input: AuditRecordInput }[] {
  const b = new AuditBuilder();
  const copy = (i: AuditRecordInput): AuditRecordInput => ({ ...i, refIds: Array.from(i.refIds), times: { ...i.times }, detail: Uint8Array.from(i.detail) });
  const t = times({ receivedUs: 1000, bookAppliedUs: 1010, ringCommittedUs: 1015, decisionUs: 1030 });
  return [
    { name: 'decision', input: copy(b.decision(decision(1), t)) },
    { name: 'order', input: copy(b.order(order(), times({ ...t, orderSentUs: 1050 }))) },
    { name: 'cancel', input: copy(b.cancel({ scope: CancelScope.One, clientOrderId: 'xmc-1-0-0', orderRef: 1_048_576, instrumentId: 3, venueId: 1, venueOrderId: 'V123', comboId: 1, leg: 0 }, times({ orderSentUs: 2000 }))) },
    { name: 'report', input: copy(b.report(report(), times({ ...t, orderSentUs: 1050, ackUs: 1300, fillUs: 1310 }))) },
    { name: 'risk denial', input: copy(b.risk({ kind: 1, code: 4, role: 1, instrument: 3, venue: 1, value: 200, limit: 100, state: 0, prevState: 0 }, 2, t, { reason: ['OK', 'HALTED', 'REDUCE_ONLY', 'BAD_ORDER', 'MAX_ORDER_QTY'] })) },
    { name: 'breaker', input: copy(b.risk({ kind: 2, code: 1, role: 0, instrument: -1, venue: -1, value: -5000, limit: -4000, state: 2, prevState: 0 }, 0, null)) },
    { name: 'link', input: copy(b.link({ linkId: 4, venueId: 2, channel: LinkChannel.MarketData, role: LinkRole.Backup, status: LinkStatus.Down, sinceUs: 5000, lastSeq: 991, reason: 'close 1006' }, times({ receivedUs: 5000 }))) },
    { name: 'supervisor', input: copy(b.supervisor({ type: 'restarted', child: 'exec-okx', generation: 3, reason: 'crash' })) },
    { name: 'note', input: copy(b.note('operator note', 1)) },
  ];
}

/** Encodes an AuditRecord frame (a fresh copy). */
export function frameOf(input: AuditRecordInput, seq = 0, source = 9): Uint8Array {
  const enc = new WireEncoder();
  const head = newEnvelopeHead(source);
  head.seq = seq;
  return enc.auditRecord(head, input).toUint8Array();
}
