// The two-leg execution state machine: trades one arbitrage ("combo") as two opposite legs on
// two venues, keeps them equal, repairs a failed leg and says exactly what it did. Pure: no I/O,
// no timers, no clock; every input carries `nowUs` and the machine says when it wants to be
// woken (`wakeAtUs`). Same inputs, same outputs (journal replay runs this same code).
//
// Inputs:  start(combo request) | onReport(order report) | onTimer(now) | poke(now) (book moved)
//          | haltAll(now) | startFlatten(kill-switch job). Book tops are read from a MarketView.
// Outputs: ExecSink.newOrder / cancel / query commands, and ExecSink.event journal events
//          (vocabulary in exec-types.ts: the wire's ReportKind / ReasonCode numbers).
//
// Modes
// - concurrent: both legs are sent at once as IOC at ref +- slippage budget.
// - leader_follower: the leader (the thinner or slower leg, see `chooseLeader`) is sent first
//   (IOC, limit or post-only); every leader fill is hedged on the follower with an IOC within the
//   follower's band as soon as the follower has no live order.
//
// Combo states (DONE and ESCALATED are terminal)
//
// | state     | what runs                                  | event                                   | next                         |
// |-----------|--------------------------------------------|-----------------------------------------|------------------------------|
// | OPENING   | initial orders; LF: follower hedges        | both legs idle and balanced             | DONE                         |
// |           |                                            | both idle, unbalanced, lagging leg's    | REPAIRING (policy replenish) |
// |           |                                            |   failure kind selects the policy       | UNWINDING (policy unwind,    |
// |           |                                            |                                         |   hard reject, no failure)   |
// |           | LF: follower hedge failed / no price       | cancel the leader, then as above        |                              |
// |           | LF: leader post-only bounce                | reprice / cross / abandon (policy)      | OPENING                      |
// | REPAIRING | replenish the lagging leg: IOC at          | balanced, both idle                     | DONE                         |
// |           |   min(top+slip, ref+band) (buy; mirrored), | attempts or window of the failure       | UNWINDING                    |
// |           |   rule of the failure kind, one at a time  |   kind's rule exhausted, or below min   |                              |
// | UNWINDING | trade the leading leg's excess back: IOC   | within tolerance, both idle             | DONE                         |
// |           |   within avgFill -+ unwind band            | attempts or window exhausted,           | ESCALATED (policy level      |
// |           |                                            |   or excess below min qty               |   REDUCING or HALTED)        |
// | STOPPING  | haltAll: cancel live orders, no new ones   | both idle: balanced / unbalanced        | DONE / ESCALATED (HALTED)    |
// | DONE      | -                                          | late fill leaves it unbalanced          | REPAIRING (STOPPING if halted)|
// | ESCALATED | - (residual stays in positions and risk)   | late fills update the residual          | ESCALATED                    |
//
// Order life (one client order id; FILLED and later statuses are final)
//
// | status         | report / timer                                   | next                            |
// |----------------|--------------------------------------------------|---------------------------------|
// | PENDING_NEW    | ack / partial fill                               | LIVE                            |
// |                | fill / reject / cancelled                        | FILLED / REJECTED / CANCELLED   |
// |                | outcome unknown, or no report for ackTimeoutUs   | UNKNOWN (query sent)            |
// | LIVE           | fill / cancelled                                 | FILLED / CANCELLED              |
// |                | cancel wanted (rest expiry, halt, stuck IOC)     | PENDING_CANCEL (cancel sent)    |
// | PENDING_CANCEL | cancelled / fill                                 | CANCELLED / FILLED              |
// |                | cancel refused UNKNOWN_ORDER, cancel outcome     | UNKNOWN (query sent)            |
// |                |   unknown, or no answer for cancelTimeoutUs      |                                 |
// |                | cancel refused otherwise                         | previous status, cancel retried |
// | UNKNOWN        | query answer: open / partial                     | LIVE (cancel re-sent if wanted) |
// |                | query answer: filled / cancelled / rejected      | FILLED / CANCELLED / REJECTED   |
// |                | query answer: not found, now >= sent + settleUs  | NOT_FOUND (never placed)        |
// |                | query answer: not found earlier                  | UNKNOWN, re-query at sent+settle|
// |                | no answer for queryRetryUs, or the query failed  | UNKNOWN, query re-sent          |
//
// Invariants (asserted by test/core/execution.property.test.ts)
// 1. At most one non-final order per leg; a new order on a leg is sent only when the leg's
//    previous order is final. The non-final order, if any, is the leg's last one.
// 2. An order of unknown outcome is never re-sent: it is queried by client id, and a new attempt
//    (new client id) follows only once an answer made it final (found final, or not found after
//    the venue's settle window).
// 3. Client ids are (comboId, leg, attempt) with attempt = the leg's order count: never reused.
//    orderRef = comboId * 2^20 + leg * 2^16 + attempt (exact; comboId <= 2^32 - 1).
// 4. Fills are counted from cumQty increases only, so duplicated, re-ordered or query-repeated
//    reports never double count; a fill on a final order is applied (LATE_FILL), never dropped.
// 5. A combo ends DONE only with both legs idle and |imbalance| < one lot of the coarser leg
//    (base units; equal lots => exactly equal). Opening and replenishing aim tighter: they stop
//    only when the lagging leg cannot get closer by whole lots (`balanced`); unwinding and
//    stopping accept the tolerance (`withinTolerance`). It ends ESCALATED only with both legs
//    idle (the residual is reported).
// 6. Replenish and hedge orders are priced within ref +- band of their leg (the rule's bps,
//    floored to ticks); unwinds within the leading leg's average fill price -+ the unwind band;
//    flattens at their limit.
// 7. Residual exposure per asset (sum of combo fills in base units) and its time integral are
//    always current (`assetExposure`, `unhedgedUnitsUs`).
//
// Allocation: commands and events are reused objects; an order allocates its client id string
// and one LegOrder record (once per order, not per report or per book update).
import type { Side } from '../venues/types.js';
import {
  CancelCmd,
  COMBO_STATE_NAMES,
  ComboState,
  DEFAULT_EXEC_POLICY,
  ExecEvent,
  ExecEventKind,
  FailureKind,
  MAX_ATTEMPTS_PER_LEG,
  MAX_COMBO_ID,
  NewOrderCmd,
  OrderRole,
  OrderStatus,
  QueryCmd,
  REF_COMBO_FACTOR,
  REF_LEG_FACTOR,
  Reason,
  bpsToTicks,
  ReportKind,
  ReportOrigin,
  StateCause,
  isFinalStatus,
  isHardReject,
  orderRefOf,
  type ClientIdFactory,
  type ComboRequest,
  type ExecOrderType,
  type ExecPolicy,
  type ExecReport,
  type ExecSink,
  type FlattenRequest,
  type LegRequest,
  type OrderGate,
  type RepairRule,
} from './exec-types.js';
import type { MarketView } from './market.js';
import { oppositeSide, sideSign, type Tradable, type TradableTable } from './tradable.js';

export * from './exec-types.js';

export class ExecError extends Error {
  override readonly name = 'ExecError';
}

/** One order (one client order id) of a leg. */
export class LegOrder {
  status: OrderStatus = OrderStatus.PENDING_NEW;
  cumLots = 0;
  /** Sum of fill lots x fill price (ticks). */
  costTickLots = 0;
  ackUs = 0;
  lastReportUs: number;
  /** Final reason (reject / cancel reason code). */
  reason = 0;
  /** Rejected or cancelled because post-only would have taken liquidity. */
  bounced = false;
  bounceHandled = false;
  /** The machine wants this order cancelled (rest expiry, halt, stuck IOC, stopping). */
  cancelWanted = false;
  cancelDueUs = Infinity;
  /** Earliest time a cancel may be (re)sent. */
  cancelRetryUs = 0;
  preCancelStatus: OrderStatus = OrderStatus.PENDING_NEW;
  /** Leader rest expiry: cancel after this time. */
  expireUs = Infinity;
  queryDueUs = Infinity;
  queries = 0;
  unknownSinceUs = 0;
  alarmed = false;
  /** The report that made the order UNKNOWN (reason code), for the journal. */
  unknownReason = 0;

  constructor(
    readonly job: ExecJob,
    readonly leg: ExecLeg,
    readonly ref: number,
    readonly attempt: number,
    readonly clientOrderId: string,
    readonly role: OrderRole,
    readonly side: Side,
    readonly type: ExecOrderType,
    readonly priceTicks: number,
    readonly qtyLots: number,
    readonly refTicks: number,
    readonly reduceOnly: boolean,
    readonly sentUs: number,
    readonly settleUs: number,
  ) {
    this.lastReportUs = sentUs;
  }

  get final(): boolean {
    return isFinalStatus(this.status);
  }
}

/** One leg: an instrument, a side, a target, and its orders (index = attempt). */
export class ExecLeg {
  readonly orders: LegOrder[] = [];
  /** Net lots filled in the leg's direction (leg-side fills minus opposite-side unwinds). */
  netLots = 0;
  /** Lots and cost (ticks x lots) of fills in the leg's direction (for the unwind band). */
  legLots = 0;
  legCostTickLots = 0;
  /** Lots filled against the leg's direction (unwinds). */
  unwoundLots = 0;
  lastFailure: FailureKind = FailureKind.NONE;
  lastFailureHard = false;
  lastFailureReason = 0;

  constructor(
    readonly index: number,
    readonly t: Tradable,
    readonly side: Side,
    readonly targetLots: number,
    /** Base units per lot (exact integer; for inverse legs fixed at the decision price). */
    readonly unitsPerLot: number,
    readonly refTicks: number,
    readonly slippageTicks: number,
  ) {}

  /** The leg's last order if it is not final, else null (invariant 1: only the last can be live). */
  get live(): LegOrder | null {
    const o = this.orders[this.orders.length - 1];
    return o !== undefined && !isFinalStatus(o.status) ? o : null;
  }

  get idle(): boolean {
    const o = this.orders[this.orders.length - 1];
    return o === undefined || isFinalStatus(o.status);
  }

  get last(): LegOrder | undefined {
    return this.orders[this.orders.length - 1];
  }

  /** Net filled base units in the leg's direction. */
  get netUnits(): number {
    return this.netLots * this.unitsPerLot;
  }

  /** Average price of the leg-direction fills (ticks, may be fractional), NaN when none. */
  get avgFillTicks(): number {
    return this.legLots > 0 ? this.legCostTickLots / this.legLots : NaN;
  }

  addFill(side: Side, lots: number, priceTicks: number): void {
    if (side === this.side) {
      this.netLots += lots;
      this.legLots += lots;
      this.legCostTickLots += lots * priceTicks;
    } else {
      this.netLots -= lots;
      this.unwoundLots += lots;
    }
  }
}

/** What the engine needs from a job (a combo or a kill-switch flatten). */
export abstract class ExecJob {
  state: ComboState = ComboState.OPENING;
  /** Risk level requested when ESCALATED (Escalation), else 0. */
  escalation = 0;
  halted = false;
  readonly startedUs: number;
  endedUs = 0;
  /** Time the machine wants to be woken for this job's own timers (besides its orders'). */
  timerUs = Infinity;
  wakeUs = Infinity;
  /** Integral of |imbalance| (base units) over time (µs). */
  unhedgedUnitsUs = 0;
  private lastIntegrateUs: number;

  constructor(
    readonly id: number,
    readonly legs: readonly ExecLeg[],
    readonly policy: ExecPolicy,
    nowUs: number,
  ) {
    this.startedUs = nowUs;
    this.lastIntegrateUs = nowUs;
  }

  get terminal(): boolean {
    return this.state === ComboState.DONE || this.state === ComboState.ESCALATED;
  }

  get idle(): boolean {
    for (const l of this.legs) if (!l.idle) return false;
    return true;
  }

  get stateName(): string {
    return COMBO_STATE_NAMES[this.state] ?? '?';
  }

  /** Unhedged base units (sign: positive = long the base asset). */
  abstract exposureUnits(): number;

  integrate(nowUs: number): void {
    if (nowUs > this.lastIntegrateUs) {
      this.unhedgedUnitsUs += Math.abs(this.exposureUnits()) * (nowUs - this.lastIntegrateUs);
      this.lastIntegrateUs = nowUs;
    }
  }

  /** Runs the job's own logic (orders' timers have been processed). */
  abstract advance(e: ExecutionEngine, nowUs: number): void;
  /** An order of the job became final. */
  abstract orderFinal(e: ExecutionEngine, leg: ExecLeg, o: LegOrder, nowUs: number): void;
  /** A fill arrived after the job was terminal. */
  abstract lateFill(e: ExecutionEngine, nowUs: number): void;

  halt(e: ExecutionEngine, nowUs: number): void {
    this.halted = true;
    if (this.terminal) return;
    for (const l of this.legs) {
      const o = l.live;
      if (o !== null) o.cancelWanted = true;
    }
    e.setState(this, ComboState.STOPPING, StateCause.HALT, nowUs);
  }
}

/** A two-leg arbitrage trade. */
export class Combo extends ExecJob {
  declare readonly legs: readonly [ExecLeg, ExecLeg];
  readonly pairId: number;
  readonly mode: 'concurrent' | 'leader_follower';
  readonly leader: 0 | 1;
  /** Base units of one lot of the coarser leg: the balance tolerance. */
  readonly coarseUnits: number;
  phaseStartUs: number;
  phaseAttempts = 0;
  waitUntilUs = 0;
  /** Leader-follower: hedging stopped (follower failed); the leader is being cancelled. */
  hedgingStopped = false;
  leaderReprices = 0;
  firstBounceUs = -1;
  /** The failure kind that selected the repair policy (journal). */
  repairFailure: FailureKind = FailureKind.NONE;

  constructor(req: ComboRequest, legs: [ExecLeg, ExecLeg], policy: ExecPolicy, nowUs: number) {
    super(req.comboId, legs, policy, nowUs);
    this.pairId = req.pairId;
    this.mode = req.mode;
    this.leader = req.leader ?? 0;
    this.coarseUnits = Math.max(legs[0].unitsPerLot, legs[1].unitsPerLot);
    this.phaseStartUs = nowUs;
  }

  /** Leg 0's net base units minus leg 1's (legs are opposite, so 0 = hedged). */
  imbalanceUnits(): number {
    return this.legs[0].netUnits - this.legs[1].netUnits;
  }

  /** |imbalance| is less than one lot of the coarser leg (a whole coarse lot missing is not). */
  get withinTolerance(): boolean {
    return Math.abs(this.imbalanceUnits()) < this.coarseUnits;
  }

  /**
   * Nothing left to repair: within tolerance, and the lagging leg cannot get closer by whole lots
   * (round(|imbalance| / its lot) is below one lot or its minimum quantity).
   */
  get balanced(): boolean {
    const imb = Math.abs(this.imbalanceUnits());
    if (imb >= this.coarseUnits) return false;
    const lag = this.laggingLeg();
    return Math.round(imb / lag.unitsPerLot) < Math.max(1, lag.t.minQtyLots);
  }

  exposureUnits(): number {
    // leg 0's exposure is sign(side0) * net0; leg 1's is -sign(side0) * net1
    return sideSign(this.legs[0].side) * this.imbalanceUnits();
  }

  /** The leg that is behind (fewer base units filled). */
  laggingLeg(): ExecLeg {
    return this.imbalanceUnits() > 0 ? this.legs[1] : this.legs[0];
  }

  aheadLeg(): ExecLeg {
    return this.imbalanceUnits() > 0 ? this.legs[0] : this.legs[1];
  }

  override advance(e: ExecutionEngine, nowUs: number): void {
    this.timerUs = Infinity;
    for (let guard = 0; guard < 6 && !this.terminal; guard++) {
      const s = this.state;
      switch (s) {
        case ComboState.OPENING:
          this.advanceOpening(e, nowUs);
          break;
        case ComboState.REPAIRING:
          this.advanceRepair(e, nowUs);
          break;
        case ComboState.UNWINDING:
          this.advanceUnwind(e, nowUs);
          break;
        case ComboState.STOPPING:
          if (this.idle) e.finish(this, this.withinTolerance ? ComboState.DONE : ComboState.ESCALATED, StateCause.HALT, nowUs, 2 /* HALTED */);
          else this.cancelAllLive();
          break;
      }
      if (this.state === s) break;
    }
  }

  private cancelAllLive(): void {
    for (const l of this.legs) {
      const o = l.live;
      if (o !== null) o.cancelWanted = true;
    }
  }

  private advanceOpening(e: ExecutionEngine, nowUs: number): void {
    if (this.mode === 'concurrent') {
      if (this.idle) this.finishOpening(e, nowUs);
      return;
    }
    const L = this.legs[this.leader];
    const F = this.legs[1 - this.leader]!;
    if (this.hedgingStopped) {
      const o = L.live;
      if (o !== null) o.cancelWanted = true;
      if (this.idle) this.finishOpening(e, nowUs);
      return;
    }
    if (L.idle) {
      const last = L.last;
      if (last !== undefined && last.bounced && !last.bounceHandled) {
        last.bounceHandled = true;
        this.handleBounce(e, L, nowUs);
      }
    }
    if (F.idle) {
      const ahead = L.netUnits - F.netUnits;
      const lots = ahead > 0 ? Math.round(ahead / F.unitsPerLot) : 0;
      if (lots > 0 && lots >= F.t.minQtyLots) {
        if (nowUs < this.waitUntilUs) {
          this.timerUs = Math.min(this.timerUs, this.waitUntilUs);
        } else {
          const px = takePrice(e.market, F, bpsToTicks(F.refTicks, this.policy.hedgeBandBps));
          if (px !== px) {
            F.lastFailure = FailureKind.NO_PRICE;
            F.lastFailureHard = false;
            this.stopHedging();
          } else {
            const denied = e.place(this, F, OrderRole.HEDGE, F.side, 'ioc', px, lots, nowUs, false, true);
            if (denied !== 0) {
              F.lastFailure = FailureKind.NO_PRICE;
              F.lastFailureHard = false;
              F.lastFailureReason = denied;
              this.stopHedging();
            }
          }
        }
      }
    }
    if (this.idle) this.finishOpening(e, nowUs);
  }

  private stopHedging(): void {
    this.hedgingStopped = true;
    const o = this.legs[this.leader].live;
    if (o !== null) o.cancelWanted = true;
  }

  private handleBounce(e: ExecutionEngine, L: ExecLeg, nowUs: number): void {
    const remaining = L.targetLots - L.netLots;
    if (remaining < L.t.minQtyLots || remaining <= 0) return;
    const rule = this.policy.postOnlyBounce;
    if (this.firstBounceUs < 0) this.firstBounceUs = nowUs;
    if (rule.action !== 'replenish' || this.leaderReprices >= rule.maxAttempts || nowUs >= this.firstBounceUs + rule.windowUs) return;
    const band = bpsToTicks(L.refTicks, rule.bandBps);
    if (this.policy.postOnlyReprice === 'cross') {
      const px = takePrice(e.market, L, band);
      if (px === px && e.place(this, L, OrderRole.OPEN, L.side, 'ioc', px, remaining, nowUs, false, true) === 0) this.leaderReprices++;
      return;
    }
    // passive: join the passive top (bid for a buy, ask for a sell), never beyond ref +- band
    const buy = L.side === 'buy';
    const top = buy ? e.market.bidTicks(L.t.id) : e.market.askTicks(L.t.id);
    if (top !== top) return;
    const px = buy ? Math.min(top, L.refTicks + band) : Math.max(top, L.refTicks - band);
    if (e.place(this, L, OrderRole.OPEN, L.side, 'post_only', px, remaining, nowUs, false, true) === 0) {
      this.leaderReprices++;
      L.last!.expireUs = nowUs + this.policy.leaderRestUs;
    }
  }

  private finishOpening(e: ExecutionEngine, nowUs: number): void {
    if (this.balanced) {
      e.finish(this, ComboState.DONE, StateCause.OPENING_DONE, nowUs, 0);
      return;
    }
    const lag = this.laggingLeg();
    const p = this.policy;
    let next: ComboState = ComboState.UNWINDING;
    let cause: number = StateCause.POLICY_UNWIND;
    const kind = lag.lastFailure;
    this.repairFailure = kind;
    if (kind === FailureKind.REJECT && lag.lastFailureHard) {
      cause = StateCause.HARD_REJECT;
    } else {
      const rule = repairRule(p, kind);
      if (rule !== null && rule.action === 'replenish') {
        next = ComboState.REPAIRING;
        cause = StateCause.OPENING_DONE;
      }
    }
    this.enterPhase(e, next, cause, nowUs);
  }

  private enterPhase(e: ExecutionEngine, s: ComboState, cause: number, nowUs: number): void {
    this.phaseStartUs = nowUs;
    this.phaseAttempts = 0;
    this.waitUntilUs = 0;
    e.setState(this, s, cause, nowUs);
  }

  private advanceRepair(e: ExecutionEngine, nowUs: number): void {
    if (!this.idle) return;
    if (this.balanced) {
      e.finish(this, ComboState.DONE, StateCause.BALANCED, nowUs, 0);
      return;
    }
    const lag = this.laggingLeg();
    const lots = Math.round(Math.abs(this.imbalanceUnits()) / lag.unitsPerLot);
    if (lots < lag.t.minQtyLots || lots <= 0) {
      this.enterPhase(e, ComboState.UNWINDING, StateCause.BELOW_MIN_QTY, nowUs);
      return;
    }
    const p = this.policy;
    const rule = repairRule(p, this.repairFailure) ?? p.partialFill;
    const endUs = this.phaseStartUs + rule.windowUs;
    if (this.phaseAttempts >= rule.maxAttempts || nowUs >= endUs) {
      this.enterPhase(e, ComboState.UNWINDING, StateCause.REPLENISH_EXHAUSTED, nowUs);
      return;
    }
    if (nowUs < this.waitUntilUs) {
      this.timerUs = Math.min(this.waitUntilUs, endUs);
      return;
    }
    const px = takePrice(e.market, lag, bpsToTicks(lag.refTicks, rule.bandBps));
    if (px !== px) {
      this.waitUntilUs = nowUs + p.retryDelayUs;
      this.timerUs = Math.min(this.waitUntilUs, endUs);
      return;
    }
    const denied = e.place(this, lag, OrderRole.REPLENISH, lag.side, 'ioc', px, lots, nowUs, false, true);
    if (denied !== 0) {
      this.waitUntilUs = nowUs + p.retryDelayUs;
      this.timerUs = Math.min(this.waitUntilUs, endUs);
      return;
    }
    this.phaseAttempts++;
  }

  private advanceUnwind(e: ExecutionEngine, nowUs: number): void {
    if (!this.idle) return;
    // unwinding gives up on precision: the end tolerance is enough
    if (this.withinTolerance) {
      e.finish(this, ComboState.DONE, StateCause.BALANCED, nowUs, 0);
      return;
    }
    const p = this.policy;
    const ahead = this.aheadLeg();
    let lots = Math.round(Math.abs(this.imbalanceUnits()) / ahead.unitsPerLot);
    if (lots > ahead.netLots) lots = ahead.netLots;
    if (lots < ahead.t.minQtyLots || lots <= 0) {
      e.finish(this, ComboState.ESCALATED, StateCause.BELOW_MIN_QTY, nowUs, p.escalateTo);
      return;
    }
    const endUs = this.phaseStartUs + p.unwind.windowUs;
    if (this.phaseAttempts >= p.unwind.maxAttempts || nowUs >= endUs) {
      e.finish(this, ComboState.ESCALATED, StateCause.UNWIND_EXHAUSTED, nowUs, p.escalateTo);
      return;
    }
    if (nowUs < this.waitUntilUs) {
      this.timerUs = Math.min(this.waitUntilUs, endUs);
      return;
    }
    const px = unwindPrice(e.market, ahead, p.unwind.bandBps);
    if (px !== px) {
      this.waitUntilUs = nowUs + p.retryDelayUs;
      this.timerUs = Math.min(this.waitUntilUs, endUs);
      return;
    }
    const denied = e.place(this, ahead, OrderRole.UNWIND, oppositeSide(ahead.side), 'ioc', px, lots, nowUs, false, true);
    if (denied !== 0) {
      this.waitUntilUs = nowUs + p.retryDelayUs;
      this.timerUs = Math.min(this.waitUntilUs, endUs);
      return;
    }
    this.phaseAttempts++;
  }

  override orderFinal(_e: ExecutionEngine, leg: ExecLeg, o: LegOrder, _nowUs: number): void {
    let kind: FailureKind = FailureKind.NONE;
    let hard = false;
    if (o.status === OrderStatus.REJECTED) {
      if (o.bounced) kind = FailureKind.POST_ONLY_BOUNCE;
      else {
        kind = FailureKind.REJECT;
        hard = isHardReject(o.reason);
      }
    } else if (o.status === OrderStatus.NOT_FOUND) {
      kind = FailureKind.UNKNOWN_NOT_FOUND;
    } else if (o.status === OrderStatus.CANCELLED) {
      if (o.bounced) kind = FailureKind.POST_ONLY_BOUNCE;
      // an under-filled leader is normal in leader-follower mode (the follower only hedges fills)
      else if (o.cumLots < o.qtyLots && !(this.mode === 'leader_follower' && leg.index === this.leader)) kind = FailureKind.PARTIAL_FILL;
    }
    if (kind === FailureKind.NONE) return;
    if (o.role === OrderRole.UNWIND) return; // an unwind's failure is counted by the unwind phase
    leg.lastFailure = kind;
    leg.lastFailureHard = hard;
    leg.lastFailureReason = o.reason;
    // leader-follower: a failed follower hedge stops hedging; the leader is cancelled
    if (this.mode === 'leader_follower' && this.state === ComboState.OPENING && leg.index !== this.leader && o.role === OrderRole.HEDGE) {
      this.stopHedging();
    }
  }

  override lateFill(e: ExecutionEngine, nowUs: number): void {
    if (this.state === ComboState.DONE && !this.balanced) {
      if (this.halted) e.setState(this, ComboState.STOPPING, StateCause.LATE_FILL, nowUs);
      else this.enterPhase(e, ComboState.REPAIRING, StateCause.LATE_FILL, nowUs);
      e.reactivate(this);
    }
  }
}

/** A kill-switch flatten: reduce one instrument's position by qtyLots with IOCs at a limit. */
export class FlattenJob extends ExecJob {
  declare readonly legs: readonly [ExecLeg];
  readonly limitTicks: number;
  readonly maxAttempts: number;
  readonly windowUs: number;
  attempts = 0;
  waitUntilUs = 0;

  constructor(req: FlattenRequest, leg: ExecLeg, policy: ExecPolicy, nowUs: number) {
    super(req.jobId, [leg], policy, nowUs);
    this.limitTicks = req.limitTicks;
    this.maxAttempts = req.maxAttempts;
    this.windowUs = req.windowUs;
  }

  /** Lots still to trade. */
  get remainingLots(): number {
    return this.legs[0].targetLots - this.legs[0].netLots;
  }

  exposureUnits(): number {
    // the position being flattened is -side of the flatten order; what is left of it is exposure
    const l = this.legs[0];
    return -sideSign(l.side) * this.remainingLots * l.unitsPerLot;
  }

  override advance(e: ExecutionEngine, nowUs: number): void {
    this.timerUs = Infinity;
    if (this.terminal) return;
    const l = this.legs[0];
    if (!l.idle) return;
    const rem = this.remainingLots;
    if (rem <= 0 || rem < l.t.minQtyLots) {
      e.finish(this, rem <= 0 ? ComboState.DONE : ComboState.ESCALATED, StateCause.BALANCED, nowUs, rem <= 0 ? 0 : 2);
      return;
    }
    if (this.state === ComboState.STOPPING) {
      e.finish(this, ComboState.ESCALATED, StateCause.HALT, nowUs, 2);
      return;
    }
    const endUs = this.startedUs + this.windowUs;
    if (this.attempts >= this.maxAttempts || nowUs >= endUs) {
      e.finish(this, ComboState.ESCALATED, StateCause.UNWIND_EXHAUSTED, nowUs, 2);
      return;
    }
    if (nowUs < this.waitUntilUs) {
      this.timerUs = Math.min(this.waitUntilUs, endUs);
      return;
    }
    const buy = l.side === 'buy';
    const top = buy ? e.market.askTicks(l.t.id) : e.market.bidTicks(l.t.id);
    const inBand = buy ? top <= this.limitTicks : top >= this.limitTicks;
    const denied = inBand ? e.place(this, l, OrderRole.FLATTEN, l.side, 'ioc', this.limitTicks, rem, nowUs, l.t.kind === 'derivative', true) : -1;
    if (denied !== 0) {
      this.waitUntilUs = nowUs + this.policy.retryDelayUs;
      this.timerUs = Math.min(this.waitUntilUs, endUs);
      return;
    }
    this.attempts++;
  }

  override orderFinal(): void {}

  override lateFill(e: ExecutionEngine, nowUs: number): void {
    // over-flattened by a late fill: reported, not chased (the kill switch re-reads positions)
    if (this.state === ComboState.DONE && this.remainingLots < 0) e.note(this, nowUs);
  }
}

/** The repair rule of a failure kind; null for NONE (nothing failed: the excess is unwound). */
function repairRule(p: ExecPolicy, kind: FailureKind): RepairRule | null {
  switch (kind) {
    case FailureKind.REJECT:
      return p.reject;
    case FailureKind.UNKNOWN_NOT_FOUND:
      return p.outcomeUnknown;
    case FailureKind.PARTIAL_FILL:
      return p.partialFill;
    case FailureKind.POST_ONLY_BOUNCE:
      return p.postOnlyBounce;
    case FailureKind.NO_PRICE:
      return p.noPrice;
    default:
      return null;
  }
}

/** Taking price for a leg's own side within ref +- band ticks; NaN when the book has nothing in band. */
function takePrice(m: MarketView, leg: ExecLeg, bandTicks: number): number {
  if (leg.side === 'buy') {
    const ask = m.askTicks(leg.t.id);
    const bound = leg.refTicks + bandTicks;
    if (!(ask <= bound)) return NaN;
    return Math.min(ask + leg.slippageTicks, bound);
  }
  const bid = m.bidTicks(leg.t.id);
  const bound = Math.max(1, leg.refTicks - bandTicks);
  if (!(bid >= bound)) return NaN;
  return Math.max(bid - leg.slippageTicks, bound);
}

/**
 * Price to trade a leg's excess back, within its average fill price -+ bandBps of it (the bound
 * rounded toward the fill price); NaN when the book has nothing there.
 */
function unwindPrice(m: MarketView, leg: ExecLeg, bandBps: number): number {
  const avg = leg.avgFillTicks;
  if (avg !== avg) return NaN;
  const band = bpsToTicks(avg, bandBps);
  if (leg.side === 'buy') {
    // we bought too much: sell at or above avg - band
    const bound = Math.max(1, Math.ceil(avg - band));
    const bid = m.bidTicks(leg.t.id);
    if (!(bid >= bound)) return NaN;
    return Math.max(bid - leg.slippageTicks, bound);
  }
  const bound = Math.floor(avg + band);
  const ask = m.askTicks(leg.t.id);
  if (!(ask <= bound)) return NaN;
  return Math.min(ask + leg.slippageTicks, bound);
}

/**
 * Leader choice for leader-follower mode: the leg whose fill is least certain goes first, so the
 * certain one only ever hedges real fills. The thinner book (fewer lots at the top, scaled by the
 * leg's target) leads; on a tie, the slower venue (higher ack latency) leads; on a tie, leg 0.
 */
export function chooseLeader(topLots0: number, target0: number, topLots1: number, target1: number, ackUs0 = 0, ackUs1 = 0): 0 | 1 {
  const cover0 = target0 > 0 ? topLots0 / target0 : Infinity;
  const cover1 = target1 > 0 ? topLots1 / target1 : Infinity;
  if (cover0 < cover1) return 0;
  if (cover1 < cover0) return 1;
  if (ackUs1 > ackUs0) return 1;
  return 0;
}

export interface ExecEngineOptions {
  readonly instruments: TradableTable;
  readonly market: MarketView;
  readonly sink: ExecSink;
  /** Client id format of each venue (engine venue id -> factory). */
  readonly clientIds: (venue: number) => ClientIdFactory;
  /** Pre-send check of every order after a combo's initial ones (the risk engine). */
  readonly gate?: OrderGate;
  /** Defaults for every combo (a request may override fields). */
  readonly policy?: Partial<ExecPolicy>;
  /** Per-venue settle window (µs) for "not found" answers, overriding policy.settleUs. */
  readonly settleUsByVenue?: readonly number[];
  /** Number of asset ids (exposure arrays grow when a larger id shows up). */
  readonly assetCount?: number;
}

/** All combos and flatten jobs; routes reports; owns the output objects. */
export class ExecutionEngine {
  readonly market: MarketView;
  private readonly sink: ExecSink;
  private readonly instruments: TradableTable;
  private readonly clientIds: (venue: number) => ClientIdFactory;
  private readonly gate: OrderGate | undefined;
  private readonly basePolicy: ExecPolicy;
  private readonly settleByVenue: readonly number[];
  private readonly jobs = new Map<number, ExecJob>();
  private readonly byClientId = new Map<string, LegOrder>();
  private readonly active: ExecJob[] = [];
  private halted = false;
  private assetNet: Float64Array;
  private assetInt: Float64Array;
  private assetLastUs: Float64Array;
  private readonly cmdNew = new NewOrderCmd();
  private readonly cmdCancel = new CancelCmd();
  private readonly cmdQuery = new QueryCmd();
  private readonly ev = new ExecEvent();

  constructor(o: ExecEngineOptions) {
    this.market = o.market;
    this.sink = o.sink;
    this.instruments = o.instruments;
    this.clientIds = o.clientIds;
    this.gate = o.gate;
    this.basePolicy = { ...DEFAULT_EXEC_POLICY, ...o.policy };
    this.settleByVenue = o.settleUsByVenue ?? [];
    const n = Math.max(1, o.assetCount ?? 8);
    this.assetNet = new Float64Array(n);
    this.assetInt = new Float64Array(n);
    this.assetLastUs = new Float64Array(n);
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs

  /** Starts a combo and sends its initial order(s). Throws ExecError on an invalid request. */
  start(nowUs: number, req: ComboRequest): Combo {
    if (this.halted) throw new ExecError('execution is halted: no new combos');
    this.checkNewId(req.comboId);
    if (req.mode !== 'concurrent' && req.mode !== 'leader_follower') throw new ExecError(`unknown mode ${String(req.mode)}`);
    if (req.legs.length !== 2) throw new ExecError('a combo has exactly two legs');
    const policy: ExecPolicy = { ...this.basePolicy, ...req.policy };
    const l0 = this.makeLeg(0, req.legs[0]);
    const l1 = this.makeLeg(1, req.legs[1]);
    if (l0.side === l1.side) throw new ExecError('combo legs must be on opposite sides');
    if (l0.t.base !== l1.t.base) throw new ExecError('combo legs must hedge the same base asset');
    if (req.mode === 'leader_follower' && req.leader !== 0 && req.leader !== 1) throw new ExecError('leader_follower needs leader 0 or 1');
    const c = new Combo(req, [l0, l1], policy, nowUs);
    this.jobs.set(c.id, c);
    this.active.push(c);
    const ev = this.ev.reset(ExecEventKind.COMBO_STARTED, nowUs, c.id);
    ev.reason = req.pairId;
    ev.role = req.mode === 'concurrent' ? 0 : 1 + c.leader;
    ev.state = c.state;
    this.sink.event(ev);
    if (req.mode === 'concurrent') {
      for (const l of c.legs) {
        const px = l.side === 'buy' ? l.refTicks + l.slippageTicks : l.refTicks - l.slippageTicks;
        this.place(c, l, OrderRole.OPEN, l.side, 'ioc', px, l.targetLots, nowUs, false, false);
      }
    } else {
      const L = c.legs[c.leader];
      const type = policy.leaderOrderType;
      const px = type === 'ioc' ? (L.side === 'buy' ? L.refTicks + L.slippageTicks : L.refTicks - L.slippageTicks) : L.refTicks;
      this.place(c, L, OrderRole.OPEN, L.side, type, px, L.targetLots, nowUs, false, false);
      if (type !== 'ioc') L.last!.expireUs = nowUs + policy.leaderRestUs;
    }
    this.stepJob(c, nowUs);
    return c;
  }

  /** Starts a kill-switch flatten job (allowed while halted). */
  startFlatten(nowUs: number, req: FlattenRequest): FlattenJob {
    this.checkNewId(req.jobId);
    const t = this.instruments.get(req.instrument);
    if (!(Number.isInteger(req.qtyLots) && req.qtyLots > 0)) throw new ExecError('flatten qtyLots must be a positive integer');
    if (!(Number.isInteger(req.limitTicks) && req.limitTicks > 0)) throw new ExecError('flatten limitTicks must be a positive integer');
    const units = t.inverse ? Math.max(1, Math.round(t.inverseBaseK / req.limitTicks)) : t.baseUnitsPerLot;
    const leg = new ExecLeg(0, t, req.side, req.qtyLots, units, req.limitTicks, 0);
    const policy: ExecPolicy = { ...this.basePolicy, ...req.policy };
    const j = new FlattenJob(req, leg, policy, nowUs);
    this.jobs.set(j.id, j);
    this.active.push(j);
    const ev = this.ev.reset(ExecEventKind.COMBO_STARTED, nowUs, j.id);
    ev.role = 3;
    ev.instrument = t.id;
    ev.venue = t.venue;
    ev.side = req.side;
    ev.qtyLots = req.qtyLots;
    ev.priceTicks = req.limitTicks;
    ev.state = j.state;
    this.sink.event(ev);
    this.stepJob(j, nowUs);
    return j;
  }

  /** Applies one order report. Returns false when it matched no order of ours. */
  onReport(nowUs: number, r: ExecReport): boolean {
    const o = this.findOrder(r);
    if (o === null) {
      const ev = this.ev.reset(ExecEventKind.IGNORED, nowUs, Math.floor((r.orderRef || 0) / REF_COMBO_FACTOR));
      ev.orderRef = r.orderRef || 0;
      ev.clientOrderId = r.clientOrderId;
      ev.reason = r.reason;
      ev.status = r.kind;
      this.sink.event(ev);
      return false;
    }
    const job = o.job;
    job.integrate(nowUs);
    this.integrateAssets(nowUs);
    this.applyReport(job, o.leg, o, r, nowUs);
    if (!job.terminal) this.stepJob(job, nowUs);
    if (job.terminal) this.compact();
    return true;
  }

  /** Runs every job whose wake time has come. */
  onTimer(nowUs: number): void {
    for (let i = 0; i < this.active.length; i++) {
      const j = this.active[i]!;
      if (j.wakeUs <= nowUs) this.stepJob(j, nowUs);
    }
    this.compact();
  }

  /** Re-evaluates every active job (after a book change that a waiting repair may use). */
  poke(nowUs: number): void {
    for (let i = 0; i < this.active.length; i++) this.stepJob(this.active[i]!, nowUs);
    this.compact();
  }

  /** Kill switch / halt: every job stops sending, cancels its live orders, resolves unknowns. */
  haltAll(nowUs: number): void {
    this.halted = true;
    for (let i = 0; i < this.active.length; i++) {
      const j = this.active[i]!;
      j.integrate(nowUs);
      j.halt(this, nowUs);
      this.stepJob(j, nowUs);
    }
    this.compact();
  }

  /** Allows new combos again (after a halt, once risk allows trading). */
  resume(): void {
    this.halted = false;
  }

  get isHalted(): boolean {
    return this.halted;
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** Earliest time any job wants onTimer (Infinity: none). */
  wakeAtUs(): number {
    let w = Infinity;
    for (let i = 0; i < this.active.length; i++) {
      const j = this.active[i]!;
      if (j.wakeUs < w) w = j.wakeUs;
    }
    return w;
  }

  /** True when no job has a non-final order (everything sent is accounted for). */
  isQuiescent(): boolean {
    for (let i = 0; i < this.active.length; i++) if (!this.active[i]!.idle) return false;
    return true;
  }

  /** Non-terminal combos (the risk engine's open-pairs count). */
  activeCount(): number {
    let n = 0;
    for (let i = 0; i < this.active.length; i++) if (this.active[i] instanceof Combo && !this.active[i]!.terminal) n++;
    return n;
  }

  job(id: number): ExecJob | undefined {
    return this.jobs.get(id);
  }

  combo(id: number): Combo | undefined {
    const j = this.jobs.get(id);
    return j instanceof Combo ? j : undefined;
  }

  /** Every job (for reconciliation and reports; cold path). */
  allJobs(): IterableIterator<ExecJob> {
    return this.jobs.values();
  }

  /**
   * Orders not known to be final (reconciliation against a venue's open orders; cold path).
   * Includes orders of unknown outcome, whose leaves are their full remaining quantity.
   */
  openOrders(venue = -1): { clientOrderId: string; instrument: number; side: Side; leavesLots: number; status: OrderStatus; comboId: number }[] {
    const out: { clientOrderId: string; instrument: number; side: Side; leavesLots: number; status: OrderStatus; comboId: number }[] = [];
    for (const j of this.active) {
      for (const l of j.legs) {
        const o = l.live;
        if (o === null || (venue >= 0 && l.t.venue !== venue)) continue;
        out.push({ clientOrderId: o.clientOrderId, instrument: l.t.id, side: o.side, leavesLots: o.qtyLots - o.cumLots, status: o.status, comboId: j.id });
      }
    }
    return out;
  }

  /** Residual base units of an asset from all combo and flatten fills (positive = long). */
  assetExposure(asset: number): number {
    return asset >= 0 && asset < this.assetNet.length ? this.assetNet[asset]! : 0;
  }

  /** Integral of |assetExposure| over time up to nowUs (base units x µs). */
  unhedgedUnitsUs(asset: number, nowUs: number): number {
    if (asset < 0 || asset >= this.assetNet.length) return 0;
    const last = this.assetLastUs[asset]!;
    return this.assetInt[asset]! + (nowUs > last ? Math.abs(this.assetNet[asset]!) * (nowUs - last) : 0);
  }

  /** Forgets terminal jobs that ended before `beforeUs` (their late reports become IGNORED). */
  prune(beforeUs: number): number {
    let n = 0;
    for (const [id, j] of this.jobs) {
      if (j.terminal && j.endedUs < beforeUs) {
        for (const l of j.legs) for (const o of l.orders) this.byClientId.delete(o.clientOrderId);
        this.jobs.delete(id);
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Used by jobs

  /**
   * Sends a new order on a leg. Returns 0 when sent, or the gate's denial code (nothing sent, no
   * attempt consumed). Throws if the leg still has a non-final order (invariant 1).
   */
  place(job: ExecJob, leg: ExecLeg, role: OrderRole, side: Side, type: ExecOrderType, priceTicks: number, lots: number, nowUs: number, reduceOnly: boolean, gated: boolean): number {
    if (!leg.idle) throw new ExecError(`combo ${job.id} leg ${leg.index}: an order is still live`);
    if (!(Number.isInteger(lots) && lots > 0)) throw new ExecError(`combo ${job.id} leg ${leg.index}: bad quantity ${lots}`);
    if (!(Number.isInteger(priceTicks) && priceTicks > 0)) throw new ExecError(`combo ${job.id} leg ${leg.index}: bad price ${priceTicks}`);
    const attempt = leg.orders.length;
    if (attempt > MAX_ATTEMPTS_PER_LEG) return Reason.VENUE_REJECT_OTHER;
    if (gated && this.gate !== undefined) {
      const code = this.gate.allowOrder(nowUs, role, leg.t.id, side, lots, priceTicks);
      if (code !== 0) {
        const ev = this.ev.reset(ExecEventKind.GATE_DENIED, nowUs, job.id);
        ev.leg = leg.index;
        ev.instrument = leg.t.id;
        ev.venue = leg.t.venue;
        ev.side = side;
        ev.role = role;
        ev.reason = code;
        ev.qtyLots = lots;
        ev.priceTicks = priceTicks;
        this.sink.event(ev);
        return code;
      }
    }
    const ref = orderRefOf(job.id, leg.index, attempt);
    const id = this.clientIds(leg.t.venue).clientOrderId(job.id, leg.index, attempt);
    if (this.byClientId.has(id)) throw new ExecError(`client order id ${id} already used`);
    const settle = this.settleByVenue[leg.t.venue] ?? job.policy.settleUs;
    const o = new LegOrder(job, leg, ref, attempt, id, role, side, type, priceTicks, lots, leg.refTicks, reduceOnly, nowUs, settle);
    leg.orders.push(o);
    this.byClientId.set(id, o);
    const c = this.cmdNew;
    c.comboId = job.id;
    c.leg = leg.index;
    c.attempt = attempt;
    c.orderRef = ref;
    c.clientOrderId = id;
    c.venue = leg.t.venue;
    c.instrument = leg.t.id;
    c.side = side;
    c.type = type;
    c.priceTicks = priceTicks;
    c.qtyLots = lots;
    c.reduceOnly = reduceOnly;
    c.role = role;
    this.sink.newOrder(c);
    const ev = this.orderEvent(ExecEventKind.ORDER_SENT, nowUs, o);
    ev.priceTicks = priceTicks;
    ev.qtyLots = lots;
    this.sink.event(ev);
    return 0;
  }

  setState(job: ExecJob, s: ComboState, cause: number, nowUs: number): void {
    const prev = job.state;
    if (prev === s) return;
    job.state = s;
    const ev = this.ev.reset(ExecEventKind.STATE, nowUs, job.id);
    ev.prevState = prev;
    ev.state = s;
    ev.reason = cause;
    ev.imbalanceUnits = job instanceof Combo ? job.imbalanceUnits() : job.exposureUnits();
    this.sink.event(ev);
  }

  finish(job: ExecJob, s: ComboState, cause: number, nowUs: number, escalation: number): void {
    job.endedUs = nowUs;
    job.escalation = s === ComboState.ESCALATED ? escalation || 2 : 0;
    this.setState(job, s, cause, nowUs);
    if (s === ComboState.ESCALATED) {
      const ev = this.ev.reset(ExecEventKind.ESCALATED, nowUs, job.id);
      ev.reason = job.escalation;
      ev.state = s;
      ev.imbalanceUnits = job instanceof Combo ? job.imbalanceUnits() : job.exposureUnits();
      this.sink.event(ev);
    }
  }

  /** Puts a terminal job back on the active list (a late fill reopened it). */
  reactivate(job: ExecJob): void {
    if (this.active.indexOf(job) < 0) this.active.push(job);
  }

  /** A note on a job (used for an over-flatten); emitted as a STATE event without a change. */
  note(job: ExecJob, nowUs: number): void {
    const ev = this.ev.reset(ExecEventKind.STATE, nowUs, job.id);
    ev.prevState = job.state;
    ev.state = job.state;
    ev.reason = StateCause.LATE_FILL;
    ev.imbalanceUnits = job.exposureUnits();
    this.sink.event(ev);
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private checkNewId(id: number): void {
    if (!(Number.isInteger(id) && id >= 1 && id <= MAX_COMBO_ID)) throw new ExecError(`combo id must be an integer 1..${MAX_COMBO_ID}`);
    if (this.jobs.has(id)) throw new ExecError(`combo id ${id} already used`);
  }

  private makeLeg(index: number, r: LegRequest): ExecLeg {
    const t = this.instruments.get(r.instrument);
    if (r.side !== 'buy' && r.side !== 'sell') throw new ExecError(`leg ${index}: bad side`);
    if (!(Number.isInteger(r.qtyLots) && r.qtyLots > 0)) throw new ExecError(`leg ${index}: qtyLots must be a positive integer`);
    if (!(Number.isInteger(r.refPriceTicks) && r.refPriceTicks > 0)) throw new ExecError(`leg ${index}: refPriceTicks must be a positive integer`);
    if (!(Number.isInteger(r.slippageTicks) && r.slippageTicks >= 0)) throw new ExecError(`leg ${index}: slippageTicks must be a non-negative integer`);
    const units = r.baseUnitsPerLot ?? t.baseUnitsPerLot;
    if (!(Number.isInteger(units) && units > 0)) throw new ExecError(`leg ${index}: base units per lot unknown (inverse instruments need baseUnitsPerLot)`);
    return new ExecLeg(index, t, r.side, r.qtyLots, units, r.refPriceTicks, r.slippageTicks);
  }

  private findOrder(r: ExecReport): LegOrder | null {
    const ref = r.orderRef;
    if (ref > 0 && Number.isInteger(ref)) {
      const job = this.jobs.get(Math.floor(ref / REF_COMBO_FACTOR));
      if (job !== undefined) {
        const rest = ref % REF_COMBO_FACTOR;
        const leg = job.legs[Math.floor(rest / REF_LEG_FACTOR)];
        const o = leg?.orders[rest % REF_LEG_FACTOR];
        if (o !== undefined && o.ref === ref && (r.clientOrderId === '' || r.clientOrderId === o.clientOrderId)) return o;
      }
      return null;
    }
    return r.clientOrderId !== '' ? (this.byClientId.get(r.clientOrderId) ?? null) : null;
  }

  private stepJob(job: ExecJob, nowUs: number): void {
    job.integrate(nowUs);
    if (!job.terminal) {
      for (const l of job.legs) {
        const o = l.live;
        if (o !== null) this.tickOrder(job, o, nowUs);
      }
      job.advance(this, nowUs);
      // orders placed or cancels wanted by advance(): process their immediate timers
      for (const l of job.legs) {
        const o = l.live;
        if (o !== null && o.cancelWanted && (o.status === OrderStatus.PENDING_NEW || o.status === OrderStatus.LIVE) && nowUs >= o.cancelRetryUs) this.sendCancel(o, nowUs);
      }
    }
    job.wakeUs = job.terminal ? Infinity : Math.min(job.timerUs, this.ordersWake(job));
  }

  private ordersWake(job: ExecJob): number {
    let w = Infinity;
    const p = job.policy;
    for (const l of job.legs) {
      const o = l.live;
      if (o === null) continue;
      switch (o.status) {
        case OrderStatus.PENDING_NEW:
          w = Math.min(w, o.sentUs + p.ackTimeoutUs, o.expireUs, o.cancelWanted ? o.cancelRetryUs : Infinity);
          break;
        case OrderStatus.LIVE:
          w = Math.min(w, o.expireUs, o.type === 'ioc' ? o.lastReportUs + p.ackTimeoutUs : Infinity, o.cancelWanted ? o.cancelRetryUs : Infinity);
          break;
        case OrderStatus.PENDING_CANCEL:
          w = Math.min(w, o.cancelDueUs);
          break;
        case OrderStatus.UNKNOWN:
          w = Math.min(w, o.queryDueUs, o.alarmed ? Infinity : o.unknownSinceUs + p.unknownAlarmUs);
          break;
      }
    }
    return w;
  }

  private tickOrder(job: ExecJob, o: LegOrder, nowUs: number): void {
    const p = job.policy;
    switch (o.status) {
      case OrderStatus.PENDING_NEW:
        if (nowUs >= o.expireUs) o.cancelWanted = true;
        if (!o.cancelWanted && nowUs >= o.sentUs + p.ackTimeoutUs) {
          this.toUnknown(o, Reason.TIMEOUT, nowUs);
          return;
        }
        break;
      case OrderStatus.LIVE:
        if (nowUs >= o.expireUs) o.cancelWanted = true;
        if (o.type === 'ioc' && nowUs >= o.lastReportUs + p.ackTimeoutUs) o.cancelWanted = true;
        break;
      case OrderStatus.PENDING_CANCEL:
        if (nowUs >= o.cancelDueUs) this.toUnknown(o, Reason.TIMEOUT, nowUs);
        return;
      case OrderStatus.UNKNOWN:
        if (nowUs >= o.queryDueUs) this.sendQuery(o, nowUs);
        if (!o.alarmed && nowUs >= o.unknownSinceUs + p.unknownAlarmUs) {
          o.alarmed = true;
          const ev = this.orderEvent(ExecEventKind.UNKNOWN_ALARM, nowUs, o);
          ev.latencyUs = nowUs - o.unknownSinceUs;
          this.sink.event(ev);
        }
        return;
      default:
        return;
    }
    if (o.cancelWanted && nowUs >= o.cancelRetryUs) this.sendCancel(o, nowUs);
  }

  private sendCancel(o: LegOrder, nowUs: number): void {
    o.preCancelStatus = o.status;
    o.status = OrderStatus.PENDING_CANCEL;
    o.cancelDueUs = nowUs + o.job.policy.cancelTimeoutUs;
    const c = this.cmdCancel;
    c.comboId = o.job.id;
    c.leg = o.leg.index;
    c.orderRef = o.ref;
    c.clientOrderId = o.clientOrderId;
    c.venue = o.leg.t.venue;
    c.instrument = o.leg.t.id;
    this.sink.cancel(c);
    this.sink.event(this.orderEvent(ExecEventKind.CANCEL_SENT, nowUs, o));
  }

  private sendQuery(o: LegOrder, nowUs: number): void {
    o.queries++;
    o.queryDueUs = nowUs + o.job.policy.queryRetryUs;
    const c = this.cmdQuery;
    c.comboId = o.job.id;
    c.leg = o.leg.index;
    c.orderRef = o.ref;
    c.clientOrderId = o.clientOrderId;
    c.venue = o.leg.t.venue;
    c.instrument = o.leg.t.id;
    this.sink.query(c);
    const ev = this.orderEvent(ExecEventKind.QUERY_SENT, nowUs, o);
    ev.reason = o.unknownReason;
    this.sink.event(ev);
  }

  private toUnknown(o: LegOrder, reason: number, nowUs: number): void {
    if (o.status !== OrderStatus.UNKNOWN) {
      o.status = OrderStatus.UNKNOWN;
      o.unknownSinceUs = nowUs;
      o.unknownReason = reason;
    }
    this.sendQuery(o, nowUs);
  }

  private setFinal(o: LegOrder, s: OrderStatus, reason: number, nowUs: number): void {
    o.status = s;
    o.reason = reason;
    const ev = this.orderEvent(ExecEventKind.ORDER_FINAL, nowUs, o);
    ev.status = s;
    ev.reason = reason;
    ev.cumLots = o.cumLots;
    this.sink.event(ev);
    o.job.orderFinal(this, o.leg, o, nowUs);
  }

  private applyReport(job: ExecJob, leg: ExecLeg, o: LegOrder, r: ExecReport, nowUs: number): void {
    const wasFinal = o.final;
    o.lastReportUs = nowUs;
    let filled = false;
    const cum = r.cumQtyLots;
    if (cum > o.cumLots && Number.isFinite(cum)) {
      const delta = cum - o.cumLots;
      let px: number;
      if (r.lastQtyLots === delta && r.lastPriceTicks > 0) px = r.lastPriceTicks;
      else if (r.avgPriceTicks > 0) px = (r.avgPriceTicks * cum - o.costTickLots) / delta;
      else if (r.lastPriceTicks > 0) px = r.lastPriceTicks;
      else px = o.priceTicks;
      o.cumLots = cum;
      o.costTickLots += delta * px;
      leg.addFill(o.side, delta, px);
      this.addAssetFill(leg, o.side, delta, nowUs);
      const ev = this.orderEvent(wasFinal ? ExecEventKind.LATE_FILL : ExecEventKind.FILL, nowUs, o);
      ev.qtyLots = delta;
      ev.priceTicks = px;
      ev.cumLots = cum;
      ev.feeUnits = r.feeUnits;
      ev.feeAsset = r.feeAsset;
      ev.imbalanceUnits = job instanceof Combo ? job.imbalanceUnits() : job.exposureUnits();
      this.sink.event(ev);
      filled = true;
    }
    if (wasFinal) {
      if (filled) job.lateFill(this, nowUs);
      else this.ignored(o, r, nowUs);
      return;
    }
    const before = o.status;
    const kind = r.kind;
    const origin = r.origin;
    if (origin === ReportOrigin.CANCEL) {
      if (kind === ReportKind.CANCELLED) this.setFinal(o, OrderStatus.CANCELLED, r.reason || Reason.CANCELLED_BY_ENGINE, nowUs);
      else if (kind === ReportKind.FILL) this.setFinal(o, OrderStatus.FILLED, Reason.NONE, nowUs);
      else if (kind === ReportKind.OUTCOME_UNKNOWN) this.toUnknown(o, r.reason, nowUs);
      else if (kind === ReportKind.REJECT) {
        if (o.status !== OrderStatus.PENDING_CANCEL) {
          if (!filled) this.ignored(o, r, nowUs);
        } else if (r.reason === Reason.UNKNOWN_ORDER) this.toUnknown(o, r.reason, nowUs);
        else {
          o.status = o.preCancelStatus;
          o.cancelRetryUs = nowUs + job.policy.queryRetryUs;
        }
      }
    } else {
      if (origin === ReportOrigin.STREAM && o.ackUs === 0 && (kind === ReportKind.ACK || kind === ReportKind.PARTIAL_FILL || kind === ReportKind.FILL)) {
        o.ackUs = nowUs;
        const ev = this.orderEvent(ExecEventKind.ACKED, nowUs, o);
        ev.latencyUs = nowUs - o.sentUs;
        this.sink.event(ev);
      }
      switch (kind) {
        case ReportKind.ACK:
        case ReportKind.PARTIAL_FILL:
          if (kind === ReportKind.PARTIAL_FILL && r.leavesQtyLots === 0 && o.cumLots >= o.qtyLots) this.setFinal(o, OrderStatus.FILLED, Reason.NONE, nowUs);
          else if (o.status === OrderStatus.PENDING_NEW || o.status === OrderStatus.UNKNOWN) o.status = OrderStatus.LIVE;
          break;
        case ReportKind.FILL:
          this.setFinal(o, OrderStatus.FILLED, Reason.NONE, nowUs);
          break;
        case ReportKind.CANCELLED:
          if (r.reason === Reason.POST_ONLY_WOULD_TAKE) o.bounced = true;
          this.setFinal(o, OrderStatus.CANCELLED, r.reason, nowUs);
          break;
        case ReportKind.REJECT:
          if (origin === ReportOrigin.QUERY && r.reason === Reason.UNKNOWN_ORDER) this.notFound(o, nowUs);
          else if (o.status === OrderStatus.PENDING_NEW || o.status === OrderStatus.UNKNOWN) {
            if (r.reason === Reason.POST_ONLY_WOULD_TAKE) o.bounced = true;
            this.setFinal(o, o.cumLots > 0 ? OrderStatus.CANCELLED : OrderStatus.REJECTED, r.reason, nowUs);
          } else if (!filled) this.ignored(o, r, nowUs);
          break;
        case ReportKind.OUTCOME_UNKNOWN:
          if (origin === ReportOrigin.QUERY) {
            // the query itself failed (timeout, rate limit): ask again after queryRetryUs
            if (o.status === OrderStatus.UNKNOWN) o.queryDueUs = Math.min(o.queryDueUs, nowUs + job.policy.queryRetryUs);
            else if (!filled) this.ignored(o, r, nowUs);
          } else this.toUnknown(o, r.reason, nowUs);
          break;
      }
    }
    if (o.status !== before || filled) {
      const ev = this.orderEvent(ExecEventKind.REPORT_APPLIED, nowUs, o);
      ev.status = o.status;
      ev.reason = r.reason;
      ev.cumLots = o.cumLots;
      this.sink.event(ev);
    }
  }

  /** The venue does not know the client id (answer to our query). */
  private notFound(o: LegOrder, nowUs: number): void {
    if (o.status !== OrderStatus.UNKNOWN) {
      this.ignoredCode(o, Reason.UNKNOWN_ORDER, nowUs);
      return;
    }
    if (o.cumLots > 0) {
      // the venue forgot an order we saw fill: keep the fills, the order is over
      this.setFinal(o, o.cumLots >= o.qtyLots ? OrderStatus.FILLED : OrderStatus.CANCELLED, Reason.UNKNOWN_ORDER, nowUs);
      return;
    }
    if (nowUs >= o.sentUs + o.settleUs) {
      const ev = this.orderEvent(ExecEventKind.NEVER_PLACED, nowUs, o);
      ev.latencyUs = nowUs - o.sentUs;
      this.sink.event(ev);
      this.setFinal(o, OrderStatus.NOT_FOUND, Reason.UNKNOWN_ORDER, nowUs);
      return;
    }
    // too early to conclude: ask again when the settle window has passed
    o.queryDueUs = o.sentUs + o.settleUs;
  }

  private ignored(o: LegOrder, r: ExecReport, nowUs: number): void {
    const ev = this.orderEvent(ExecEventKind.IGNORED, nowUs, o);
    ev.status = r.kind;
    ev.reason = r.reason;
    ev.cumLots = r.cumQtyLots;
    this.sink.event(ev);
  }

  private ignoredCode(o: LegOrder, reason: number, nowUs: number): void {
    const ev = this.orderEvent(ExecEventKind.IGNORED, nowUs, o);
    ev.reason = reason;
    this.sink.event(ev);
  }

  private orderEvent(kind: ExecEventKind, nowUs: number, o: LegOrder): ExecEvent {
    const ev = this.ev.reset(kind, nowUs, o.job.id);
    ev.leg = o.leg.index;
    ev.orderRef = o.ref;
    ev.attempt = o.attempt;
    ev.clientOrderId = o.clientOrderId;
    ev.instrument = o.leg.t.id;
    ev.venue = o.leg.t.venue;
    ev.side = o.side;
    ev.role = o.role;
    ev.status = o.status;
    ev.refTicks = o.refTicks;
    ev.state = o.job.state;
    return ev;
  }

  private addAssetFill(leg: ExecLeg, side: Side, lots: number, nowUs: number): void {
    const a = leg.t.base;
    if (a >= this.assetNet.length) this.growAssets(a + 1);
    this.integrateAsset(a, nowUs);
    this.assetNet[a] = this.assetNet[a]! + sideSign(side) * lots * leg.unitsPerLot;
  }

  private integrateAssets(nowUs: number): void {
    for (let a = 0; a < this.assetNet.length; a++) this.integrateAsset(a, nowUs);
  }

  private integrateAsset(a: number, nowUs: number): void {
    const last = this.assetLastUs[a]!;
    if (nowUs > last) {
      this.assetInt[a] = this.assetInt[a]! + Math.abs(this.assetNet[a]!) * (nowUs - last);
      this.assetLastUs[a] = nowUs;
    }
  }

  private growAssets(n: number): void {
    const g = (x: Float64Array): Float64Array => {
      const y = new Float64Array(Math.max(n, x.length * 2));
      y.set(x);
      return y;
    };
    this.assetNet = g(this.assetNet);
    this.assetInt = g(this.assetInt);
    this.assetLastUs = g(this.assetLastUs);
  }

  private compact(): void {
    let k = 0;
    for (let i = 0; i < this.active.length; i++) {
      const j = this.active[i]!;
      if (!j.terminal) this.active[k++] = j;
    }
    this.active.length = k;
  }
}
