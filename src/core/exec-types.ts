// Vocabulary of the two-leg execution machine (src/core/execution.ts): report kinds and reason
// codes (the same numbers as the wire's ReportKind / ReasonCode in src/wire/xmc.fbs, so the engine
// actor maps a decoded OrderReport without a table; a test checks the numbers agree), order roles
// and statuses, combo states, journal event kinds, the commands the machine emits, its inputs,
// and its policy.
//
// Invariants:
// - Every numeric code here is stable (journal records and replays depend on it): append, never
//   renumber.
// - Commands and events handed to an ExecSink are reused objects, valid only during the call:
//   a sink that keeps one must copy it (`CollectingSink` does).
import type { Side } from '../venues/types.js';

/** What a report says happened. Same numbers as wire ReportKind. */
export const ReportKind = {
  ACK: 1,
  PARTIAL_FILL: 2,
  FILL: 3,
  REJECT: 4,
  CANCELLED: 5,
  OUTCOME_UNKNOWN: 6,
} as const;
export type ReportKind = (typeof ReportKind)[keyof typeof ReportKind];

/** Reject / cancel / unknown-outcome reasons. Same numbers as wire ReasonCode. */
export const Reason = {
  NONE: 0,
  INSUFFICIENT_BALANCE: 1,
  INVALID_PRICE: 2,
  INVALID_QUANTITY: 3,
  MIN_NOTIONAL: 4,
  POST_ONLY_WOULD_TAKE: 5,
  PRICE_OUT_OF_VENUE_BAND: 6,
  UNKNOWN_ORDER: 7,
  DUPLICATE_CLIENT_ORDER_ID: 8,
  RATE_LIMITED: 9,
  MARKET_CLOSED: 10,
  REDUCE_ONLY_REJECTED: 11,
  EXPIRED: 12,
  VENUE_REJECT_OTHER: 99,
  TIMEOUT: 100,
  DISCONNECTED: 101,
  VENUE_SERVER_ERROR: 102,
  RISK_DENIED: 200,
  HALTED: 201,
  KILL_SWITCH: 202,
  CANCELLED_BY_ENGINE: 203,
  CANCELLED_BY_VENUE: 204,
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/**
 * Rejects after which sending the same leg again cannot help (balance, filters, market closed,
 * our own risk): the legging policy skips replenishing and unwinds the other leg instead.
 */
export function isHardReject(reason: number): boolean {
  return (
    reason === Reason.INSUFFICIENT_BALANCE ||
    reason === Reason.INVALID_QUANTITY ||
    reason === Reason.MIN_NOTIONAL ||
    reason === Reason.MARKET_CLOSED ||
    reason === Reason.REDUCE_ONLY_REJECTED ||
    reason === Reason.DUPLICATE_CLIENT_ORDER_ID ||
    reason === Reason.RISK_DENIED ||
    reason === Reason.HALTED ||
    reason === Reason.KILL_SWITCH
  );
}

/** Where a report came from: the order stream, an answer to a query by client id, or a cancel request. */
export const ReportOrigin = {
  STREAM: 0,
  QUERY: 1,
  CANCEL: 2,
} as const;
export type ReportOrigin = (typeof ReportOrigin)[keyof typeof ReportOrigin];

/**
 * One order report as the execution machine consumes it (the engine actor fills one reusable
 * object from each decoded wire OrderReport).
 * - `cumQtyLots` is authoritative: a fill is the increase of cumQty over what we knew, so a
 *   duplicated or re-ordered report never counts a fill twice. It is required for every kind
 *   (0 when nothing filled).
 * - origin QUERY: the venue's answer to our query by client id, in the same kinds (ACK = open,
 *   PARTIAL_FILL = open with fills, FILL, CANCELLED, REJECT = the order was rejected), except:
 *   REJECT + reason UNKNOWN_ORDER = "the venue does not know this client id", and
 *   OUTCOME_UNKNOWN = the query request itself failed (it is repeated).
 * - origin CANCEL + kind REJECT = our cancel was refused (reason UNKNOWN_ORDER: the order is
 *   not open there, so it filled, expired or never arrived: it is queried).
 */
export interface ExecReport {
  kind: ReportKind;
  origin: ReportOrigin;
  reason: number;
  /** The order's engine reference (echoed by the executor); 0 or NaN: match by clientOrderId. */
  orderRef: number;
  clientOrderId: string;
  lastQtyLots: number;
  lastPriceTicks: number;
  cumQtyLots: number;
  leavesQtyLots: number;
  /** Average fill price in ticks when the venue gives one (query answers), else 0. */
  avgPriceTicks: number;
  /** Fee of this report's fill in units of `feeAsset` (positive = paid, negative = rebate). */
  feeUnits: number;
  /** Asset id of the fee, -1 when none. */
  feeAsset: number;
}

/** A fresh mutable report with neutral values (for reuse by the engine actor and tests). */
export function newExecReport(): ExecReport {
  return {
    kind: ReportKind.ACK,
    origin: ReportOrigin.STREAM,
    reason: Reason.NONE,
    orderRef: 0,
    clientOrderId: '',
    lastQtyLots: 0,
    lastPriceTicks: 0,
    cumQtyLots: 0,
    leavesQtyLots: 0,
    avgPriceTicks: 0,
    feeUnits: 0,
    feeAsset: -1,
  };
}

/** Why an order was sent. Also the risk intent of the order (src/core/risk.ts). */
export const OrderRole = {
  /** Initial leg order of a combo (both legs in concurrent mode, the leader in leader-follower). */
  OPEN: 1,
  /** Leader-follower: hedge of the leader's fills on the follower venue. */
  HEDGE: 2,
  /** Repair: more of the lagging leg. */
  REPLENISH: 3,
  /** Repair: less of the leading leg (opposite side, same venue). */
  UNWIND: 4,
  /** Kill switch: reduce a residual position. */
  FLATTEN: 5,
} as const;
export type OrderRole = (typeof OrderRole)[keyof typeof OrderRole];

/** Order types the machine places (the OrderIntent / wire vocabulary). */
export type ExecOrderType = 'ioc' | 'limit' | 'post_only';

/** Life of one order (one client order id). FILLED and above are final. */
export const OrderStatus = {
  /** Sent; nothing heard yet. */
  PENDING_NEW: 1,
  /** Acknowledged and open (possibly partially filled). */
  LIVE: 2,
  /** A cancel was sent; no answer yet. */
  PENDING_CANCEL: 3,
  /** Outcome unknown: queried by client id, waiting for the answer. Never re-sent. */
  UNKNOWN: 4,
  FILLED: 5,
  /** Cancelled, expired (IOC remainder) or bounced (post-only), with whatever filled before. */
  CANCELLED: 6,
  REJECTED: 7,
  /** The venue does not know the client id after its settle window: treated as never placed. */
  NOT_FOUND: 8,
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export function isFinalStatus(s: number): boolean {
  return s >= OrderStatus.FILLED;
}

/** States of a combo (see the table in execution.ts). DONE and ESCALATED are terminal. */
export const ComboState = {
  OPENING: 1,
  REPAIRING: 2,
  UNWINDING: 3,
  STOPPING: 4,
  DONE: 5,
  ESCALATED: 6,
} as const;
export type ComboState = (typeof ComboState)[keyof typeof ComboState];

export const COMBO_STATE_NAMES: readonly string[] = ['', 'OPENING', 'REPAIRING', 'UNWINDING', 'STOPPING', 'DONE', 'ESCALATED'];

/** What went wrong on a leg, which selects the legging policy. */
export const FailureKind = {
  NONE: 0,
  REJECT: 1,
  /** An order of unknown outcome that the venue did not know after its settle window. */
  UNKNOWN_NOT_FOUND: 2,
  /** IOC (or cancelled order) that filled less than asked. */
  PARTIAL_FILL: 3,
  POST_ONLY_BOUNCE: 4,
  /** No liquidity within the leg's price band (follower hedge could not be priced). */
  NO_PRICE: 5,
} as const;
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

/** Risk state a failed repair escalates to (same numbers as TradingState in risk.ts). */
export const Escalation = {
  REDUCING: 1,
  HALTED: 2,
} as const;
export type Escalation = (typeof Escalation)[keyof typeof Escalation];

/** Journal event kinds emitted by the machine. */
export const ExecEventKind = {
  /** A combo or flatten job started: `reason` = pairId, `role` = 0 concurrent, 1 + leader (LF), 3 flatten. */
  COMBO_STARTED: 1,
  ORDER_SENT: 2,
  CANCEL_SENT: 3,
  QUERY_SENT: 4,
  /** A report changed an order (status and/or fills); `status` is the new status. */
  REPORT_APPLIED: 5,
  /** A new fill (deduplicated by cumQty): qtyLots at priceTicks, fee in feeUnits of feeAsset. */
  FILL: 6,
  /** An order reached a final status (`status`, `reason`). */
  ORDER_FINAL: 7,
  /** Combo state change: `prevState` -> `state`, `reason` = a StateCause. */
  STATE: 8,
  /** The order gate (risk) denied a follow-up order; `reason` = the risk reason code. */
  GATE_DENIED: 9,
  /** A fill on an order that was already final (late fill after cancel / never-placed). */
  LATE_FILL: 10,
  /** A report that matched no order (unknown ref / client id), or a stale duplicate. */
  IGNORED: 11,
  /** An order of unknown outcome was declared never placed (not found after the settle window). */
  NEVER_PLACED: 12,
  /** The combo escalated: `reason` = Escalation level, `imbalanceUnits` = residual. */
  ESCALATED: 13,
  /** An order has been of unknown outcome for longer than policy.unknownAlarmUs. */
  UNKNOWN_ALARM: 14,
  /** The venue acknowledged an order; `latencyUs` = ack time - send time. */
  ACKED: 15,
} as const;
export type ExecEventKind = (typeof ExecEventKind)[keyof typeof ExecEventKind];

/** Why a combo changed state (ExecEvent.reason of STATE events). */
export const StateCause = {
  START: 0,
  OPENING_DONE: 1,
  BALANCED: 2,
  REPLENISH_EXHAUSTED: 3,
  UNWIND_EXHAUSTED: 4,
  BELOW_MIN_QTY: 5,
  HALT: 6,
  LATE_FILL: 7,
  POLICY_UNWIND: 8,
  HARD_REJECT: 9,
} as const;

/** One journal event. A reused object: fields not relevant to a kind are 0 / ''. */
export class ExecEvent {
  kind: ExecEventKind = ExecEventKind.COMBO_STARTED;
  nowUs = 0;
  comboId = 0;
  /** Leg index (0 / 1), -1 for combo-level events. */
  leg = -1;
  orderRef = 0;
  attempt = 0;
  clientOrderId = '';
  instrument = -1;
  venue = -1;
  side: Side = 'buy';
  role = 0;
  status = 0;
  state = 0;
  prevState = 0;
  reason = 0;
  qtyLots = 0;
  priceTicks = 0;
  /** The price the order expected (the leg's reference price), for slippage. */
  refTicks = 0;
  cumLots = 0;
  feeUnits = 0;
  feeAsset = -1;
  latencyUs = 0;
  /** Combo imbalance (base units, leg 0 minus leg 1 in hedge terms) after the event. */
  imbalanceUnits = 0;

  reset(kind: ExecEventKind, nowUs: number, comboId: number): this {
    this.kind = kind;
    this.nowUs = nowUs;
    this.comboId = comboId;
    this.leg = -1;
    this.orderRef = 0;
    this.attempt = 0;
    this.clientOrderId = '';
    this.instrument = -1;
    this.venue = -1;
    this.side = 'buy';
    this.role = 0;
    this.status = 0;
    this.state = 0;
    this.prevState = 0;
    this.reason = 0;
    this.qtyLots = 0;
    this.priceTicks = 0;
    this.refTicks = 0;
    this.cumLots = 0;
    this.feeUnits = 0;
    this.feeAsset = -1;
    this.latencyUs = 0;
    this.imbalanceUnits = 0;
    return this;
  }
}

/** Send one order (maps to wire NewOrder / venues OrderIntent). */
export class NewOrderCmd {
  comboId = 0;
  leg = 0;
  attempt = 0;
  orderRef = 0;
  clientOrderId = '';
  venue = 0;
  instrument = 0;
  side: Side = 'buy';
  type: ExecOrderType = 'ioc';
  priceTicks = 0;
  qtyLots = 0;
  reduceOnly = false;
  role: OrderRole = OrderRole.OPEN;
}

/** Cancel one order by client id (maps to wire Cancel, scope One). */
export class CancelCmd {
  comboId = 0;
  leg = 0;
  orderRef = 0;
  clientOrderId = '';
  venue = 0;
  instrument = 0;
}

/** Ask the venue for an order's state by client id (an order-status request). */
export class QueryCmd {
  comboId = 0;
  leg = 0;
  orderRef = 0;
  clientOrderId = '';
  venue = 0;
  instrument = 0;
}

/** Where the machine's outputs go. Arguments are reused objects, valid during the call only. */
export interface ExecSink {
  newOrder(cmd: Readonly<NewOrderCmd>): void;
  cancel(cmd: Readonly<CancelCmd>): void;
  query(cmd: Readonly<QueryCmd>): void;
  event(ev: Readonly<ExecEvent>): void;
}

/** A sink that copies everything it receives (tests, tools, cold paths). */
export class CollectingSink implements ExecSink {
  readonly orders: NewOrderCmd[] = [];
  readonly cancels: CancelCmd[] = [];
  readonly queries: QueryCmd[] = [];
  readonly events: ExecEvent[] = [];
  /** Every command in emission order, tagged. */
  readonly commands: ({ type: 'new'; cmd: NewOrderCmd } | { type: 'cancel'; cmd: CancelCmd } | { type: 'query'; cmd: QueryCmd })[] = [];

  newOrder(cmd: Readonly<NewOrderCmd>): void {
    const c = Object.assign(new NewOrderCmd(), cmd);
    this.orders.push(c);
    this.commands.push({ type: 'new', cmd: c });
  }
  cancel(cmd: Readonly<CancelCmd>): void {
    const c = Object.assign(new CancelCmd(), cmd);
    this.cancels.push(c);
    this.commands.push({ type: 'cancel', cmd: c });
  }
  query(cmd: Readonly<QueryCmd>): void {
    const c = Object.assign(new QueryCmd(), cmd);
    this.queries.push(c);
    this.commands.push({ type: 'query', cmd: c });
  }
  event(ev: Readonly<ExecEvent>): void {
    this.events.push(Object.assign(new ExecEvent(), ev));
  }
  clear(): void {
    this.orders.length = 0;
    this.cancels.length = 0;
    this.queries.length = 0;
    this.events.length = 0;
    this.commands.length = 0;
  }
}

/** Deterministic client order ids for one venue (see src/core/client-ids.ts). */
export interface ClientIdFactory {
  clientOrderId(comboId: number, leg: number, attempt: number): string;
}

/**
 * A pre-send check of follow-up orders (the risk engine implements it). Returns 0 to allow, or a
 * stable denial reason code. Must not allocate.
 */
export interface OrderGate {
  allowOrder(nowUs: number, role: OrderRole, instrument: number, side: Side, lots: number, priceTicks: number): number;
}

/** What to do when a leg lags for a given failure kind. */
export type RepairAction = 'replenish' | 'unwind';

/**
 * Legging rule for one failure kind (mirrors the configuration's LegRepairConfig): replenish the
 * lagging leg (at most `maxAttempts` orders within `windowUs` of the repair starting, priced
 * within ref +- bandBps of the leg's reference price) or go straight to unwinding.
 */
export interface RepairRule {
  readonly action: RepairAction;
  readonly maxAttempts: number;
  readonly windowUs: number;
  readonly bandBps: number;
}

/** Unwind rule: at most `maxAttempts` orders within `windowUs`, within avgFill -+ bandBps. */
export interface UnwindRule {
  readonly maxAttempts: number;
  readonly windowUs: number;
  readonly bandBps: number;
}

/** Legging policy and timeouts of a combo. All durations in µs; bands in basis points. */
export interface ExecPolicy {
  /** No report this long after sending: the outcome is unknown and the order is queried. */
  readonly ackTimeoutUs: number;
  /** No answer to a cancel this long: the order is queried. */
  readonly cancelTimeoutUs: number;
  /** Re-send a query (same client id) when no answer came in this time. */
  readonly queryRetryUs: number;
  /**
   * A "not found" answer is conclusive only once this long has passed since the order was sent
   * (the venue's settle window); earlier, the order is queried again at sentUs + settleUs.
   */
  readonly settleUs: number;
  /** Leader-follower: a resting (limit / post-only) leader is cancelled after this long. */
  readonly leaderRestUs: number;
  readonly leaderOrderType: ExecOrderType;
  /** Leader-follower: follower hedges are priced within ref +- hedgeBandBps. */
  readonly hedgeBandBps: number;
  readonly reject: RepairRule;
  readonly partialFill: RepairRule;
  /** Applies once the query answered "not found" after the settle window. */
  readonly outcomeUnknown: RepairRule;
  /**
   * Leader post-only bounce: action 'replenish' re-quotes the leader (post-only at the passive
   * top, or an IOC when postOnlyReprice = 'cross') up to maxAttempts within windowUs of the
   * first bounce and within ref +- bandBps; 'unwind' gives the leader up.
   */
  readonly postOnlyBounce: RepairRule;
  readonly postOnlyReprice: 'passive' | 'cross';
  /** Leader-follower: no follower liquidity within the hedge band (or the gate said no). */
  readonly noPrice: RepairRule;
  readonly unwind: UnwindRule;
  /** After a gate (risk) denial or an empty band, wait this long before trying again. */
  readonly retryDelayUs: number;
  /** Risk state requested when unwinding fails. */
  readonly escalateTo: Escalation;
  /** An order unresolved (unknown outcome) this long raises an UNKNOWN_ALARM event once. */
  readonly unknownAlarmUs: number;
}

const DEFAULT_RULE: RepairRule = { action: 'replenish', maxAttempts: 3, windowUs: 2_000_000, bandBps: 10 };

export const DEFAULT_EXEC_POLICY: ExecPolicy = {
  ackTimeoutUs: 2_000_000,
  cancelTimeoutUs: 2_000_000,
  queryRetryUs: 1_000_000,
  settleUs: 5_000_000,
  leaderRestUs: 3_000_000,
  leaderOrderType: 'ioc',
  hedgeBandBps: 10,
  reject: DEFAULT_RULE,
  partialFill: DEFAULT_RULE,
  outcomeUnknown: DEFAULT_RULE,
  postOnlyBounce: { action: 'replenish', maxAttempts: 2, windowUs: 3_000_000, bandBps: 10 },
  postOnlyReprice: 'passive',
  noPrice: DEFAULT_RULE,
  unwind: { maxAttempts: 3, windowUs: 3_000_000, bandBps: 20 },
  retryDelayUs: 100_000,
  escalateTo: Escalation.REDUCING,
  unknownAlarmUs: 30_000_000,
};

/** Ticks of `bps` basis points of a price (floored: a band never widens by rounding). */
export function bpsToTicks(priceTicks: number, bps: number): number {
  const t = Math.floor((priceTicks * bps) / 10_000 + 1e-9);
  return t > 0 ? t : 0;
}

/** One leg of a combo request. */
export interface LegRequest {
  readonly instrument: number;
  readonly side: Side;
  /** Target quantity in lots (> 0). */
  readonly qtyLots: number;
  /** The price the decision expects on this leg (the trigger's executable price), ticks. */
  readonly refPriceTicks: number;
  /** Slippage budget added to the limit of taking orders (ticks, >= 0). */
  readonly slippageTicks: number;
  /** Base units per lot of this leg; required for inverse instruments (at the decision price). */
  readonly baseUnitsPerLot?: number;
}

/** A request to trade one arbitrage (two opposite legs hedging the same base asset). */
export interface ComboRequest {
  /** Deterministic, unique, 1 .. 2^32-1 (the wire's combo_id is a uint32). */
  readonly comboId: number;
  /** The pair this combo trades (for the journal and risk). */
  readonly pairId: number;
  readonly mode: 'concurrent' | 'leader_follower';
  /** Leader-follower: index of the leg sent first. */
  readonly leader?: 0 | 1;
  readonly legs: readonly [LegRequest, LegRequest];
  readonly policy?: Partial<ExecPolicy>;
}

/** A kill-switch flatten of one instrument's residual position (one leg, no hedge). */
export interface FlattenRequest {
  /** Job id, from the same id sequence as combo ids (its orders use leg 0 of this id). */
  readonly jobId: number;
  readonly instrument: number;
  readonly side: Side;
  readonly qtyLots: number;
  /** Worst acceptable price (ticks): sells at or above, buys at or below. */
  readonly limitTicks: number;
  readonly maxAttempts: number;
  readonly windowUs: number;
  readonly policy?: Partial<ExecPolicy>;
}

/** Order reference layout: comboId * 2^20 + leg * 2^16 + attempt (exact in a double). */
export const REF_COMBO_FACTOR = 1_048_576;
export const REF_LEG_FACTOR = 65_536;
export const MAX_ATTEMPTS_PER_LEG = 65_535;
export const MAX_COMBO_ID = 4_294_967_295;

export function orderRefOf(comboId: number, leg: number, attempt: number): number {
  return comboId * REF_COMBO_FACTOR + leg * REF_LEG_FACTOR + attempt;
}
