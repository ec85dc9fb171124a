// Restart reconciliation of orders (pure): the orders an earlier engine incarnation sent, as
// rebuilt from the journal (src/journal/recovery.ts), driven to a final state with their venues
// before the restarted engine trades again. The engine actor feeds it the venues' answers and
// sends the queries and cancels it asks for; positions come from the fills it returns.
//
// Per order (keyed by venue + client order id):
//   final in the journal      -> nothing to do (its fills are already in the rebuilt positions);
//   otherwise                 -> QUERY by client id (never re-sent: DESIGN "Order channels");
//   answer open (ack / partial with leaves > 0) -> CANCEL it, then QUERY again until final;
//   answer "unknown order"    -> final with no further fill once the venue's settle window since
//                                the send has passed (earlier, the order may still be on its way
//                                from an executor: QUERY again at sent + settle);
//   answer outcome-unknown / no answer within retryUs -> QUERY again.
// Every report for an order of ours counts its fill as the increase of the cumulative quantity
// (a repeated or re-ordered answer never counts twice), also after the order is final: a late
// fill still moves the position, and `settled` tells the engine to check balance again.
//
// Invariants: queries and cancels are only ever sent for orders this reconciler holds; an order
// is never re-sent; `settled` is true exactly when every order is final.
import type { Side } from '../venues/types.js';
import { Reason, ReportKind, ReportOrigin } from './exec-types.js';

export interface ReconOrderInit {
  readonly venue: number;
  readonly clientOrderId: string;
  readonly instrument: number;
  readonly side: Side;
  readonly comboId: number;
  readonly leg: number;
  readonly orderRef: number;
  readonly qtyLots: number;
  readonly priceTicks: number;
  /** Wall clock (µs since the epoch) when the order was sent, from the journal. */
  readonly sentWallUs: number;
  /** Filled lots already counted in the rebuilt positions. */
  readonly cumQtyLots: number;
  /** A final report is in the journal. */
  readonly final: boolean;
}

export const ReconStep = {
  /** Waiting for the answer to a query (or for its retry time). */
  QUERYING: 1,
  /** Open at the venue: a cancel was sent. */
  CANCELLING: 2,
  FINAL: 3,
} as const;
export type ReconStep = (typeof ReconStep)[keyof typeof ReconStep];

export interface ReconOrder extends ReconOrderInit {
  cum: number;
  step: ReconStep;
  /** Next query / cancel retry (monotonic µs); Infinity when waiting for nothing. */
  dueUs: number;
  queries: number;
  cancels: number;
  /** How it ended: 'journal', 'filled', 'cancelled', 'rejected', 'not found'. */
  outcome: string;
}

export interface ReconSink {
  query(o: Readonly<ReconOrder>): void;
  cancel(o: Readonly<ReconOrder>): void;
}

export interface ReconOptions {
  /** Query again when no answer came in this long (µs). */
  readonly retryUs: number;
  /** A "not found" answer is conclusive only this long after the send (µs, wall clock). */
  readonly settleUs: number;
  /** Wall clock now in µs since the epoch (the journal's send times are wall clock). */
  readonly wallNowUs: () => number;
}

/** One report as the reconciler reads it (the engine's ExecReport satisfies it). */
export interface ReconReport {
  readonly kind: number;
  readonly origin: number;
  readonly reason: number;
  readonly cumQtyLots: number;
  readonly leavesQtyLots: number;
  readonly lastPriceTicks: number;
  readonly avgPriceTicks: number;
}

/** What a report changed (reused object; valid until the next onReport). */
export interface ReconFill {
  /** The report was for an order of this reconciler. */
  known: boolean;
  order: ReconOrder | null;
  /** Newly filled lots (0 when none) and their price in ticks. */
  lots: number;
  priceTicks: number;
}

const key = (venue: number, cid: string): string => `${venue}\u0000${cid}`;

export class RestartReconciler {
  private readonly orders = new Map<string, ReconOrder>();
  private open = 0;
  private readonly res: ReconFill = { known: false, order: null, lots: 0, priceTicks: 0 };

  constructor(
    init: readonly ReconOrderInit[],
    private readonly sink: ReconSink,
    private readonly opts: ReconOptions,
  ) {
    for (const o of init) {
      const k = key(o.venue, o.clientOrderId);
      if (this.orders.has(k)) throw new Error(`reconcile: order ${o.clientOrderId} at venue ${o.venue} given twice`);
      const r: ReconOrder = { ...o, cum: o.cumQtyLots, step: o.final ? ReconStep.FINAL : ReconStep.QUERYING, dueUs: Infinity, queries: 0, cancels: 0, outcome: o.final ? 'journal' : '' };
      this.orders.set(k, r);
      if (!o.final) this.open++;
    }
  }

  /** Sends the first query of every order that is not final. */
  start(nowUs: number): void {
    for (const o of this.orders.values()) if (o.step === ReconStep.QUERYING) this.query(o, nowUs);
  }

  /** Every order is final (nothing left to ask the venues). */
  get settled(): boolean {
    return this.open === 0;
  }

  all(): IterableIterator<ReconOrder> {
    return this.orders.values();
  }

  has(venue: number, cid: string): boolean {
    return this.orders.has(key(venue, cid));
  }

  /** Applies one report; `known` false when the order is not one of ours. */
  onReport(nowUs: number, venue: number, cid: string, r: ReconReport): ReconFill {
    const res = this.res;
    const o = this.orders.get(key(venue, cid));
    res.known = o !== undefined;
    res.order = o ?? null;
    res.lots = 0;
    res.priceTicks = 0;
    if (o === undefined) return res;
    if (r.cumQtyLots > o.cum) {
      res.lots = r.cumQtyLots - o.cum;
      res.priceTicks = r.lastPriceTicks > 0 ? r.lastPriceTicks : r.avgPriceTicks > 0 ? r.avgPriceTicks : o.priceTicks;
      o.cum = r.cumQtyLots;
    }
    if (o.step === ReconStep.FINAL) return res;
    switch (r.kind) {
      case ReportKind.FILL:
        this.finish(o, 'filled');
        break;
      case ReportKind.CANCELLED:
        this.finish(o, 'cancelled');
        break;
      case ReportKind.REJECT:
        if (r.reason !== Reason.UNKNOWN_ORDER) {
          this.finish(o, r.origin === ReportOrigin.CANCEL ? 'cancelled' : 'rejected');
        } else if (r.origin === ReportOrigin.QUERY) {
          // the venue does not know it: conclusive only after the settle window
          const settleAt = o.sentWallUs + this.opts.settleUs;
          if (this.opts.wallNowUs() >= settleAt) this.finish(o, 'not found');
          else o.dueUs = nowUs + (settleAt - this.opts.wallNowUs());
        } else {
          // a cancel found nothing open: it ended (filled or expired) - ask what happened
          this.query(o, nowUs);
        }
        break;
      case ReportKind.ACK:
      case ReportKind.PARTIAL_FILL:
        if (r.kind === ReportKind.PARTIAL_FILL && r.leavesQtyLots === 0) this.finish(o, 'filled');
        else if (o.step !== ReconStep.CANCELLING) this.cancel(o, nowUs);
        break;
      case ReportKind.OUTCOME_UNKNOWN:
        // the query (or cancel) itself failed, or the order's own answer was lost: ask again
        o.dueUs = Math.min(o.dueUs, nowUs + this.opts.retryUs);
        break;
      default:
        break;
    }
    return res;
  }

  /** Retries due queries and cancels. */
  onTimer(nowUs: number): void {
    if (this.open === 0) return;
    for (const o of this.orders.values()) {
      if (o.step === ReconStep.FINAL || o.dueUs > nowUs) continue;
      // a cancel that got no conclusive answer: the query tells whether it is still open
      this.query(o, nowUs);
    }
  }

  /** Earliest retry time (Infinity when nothing is pending). */
  wakeAtUs(): number {
    let t = Infinity;
    if (this.open === 0) return t;
    for (const o of this.orders.values()) if (o.step !== ReconStep.FINAL && o.dueUs < t) t = o.dueUs;
    return t;
  }

  private query(o: ReconOrder, nowUs: number): void {
    o.step = ReconStep.QUERYING;
    o.queries++;
    o.dueUs = nowUs + this.opts.retryUs;
    this.sink.query(o);
  }

  private cancel(o: ReconOrder, nowUs: number): void {
    o.step = ReconStep.CANCELLING;
    o.cancels++;
    o.dueUs = nowUs + this.opts.retryUs;
    this.sink.cancel(o);
  }

  private finish(o: ReconOrder, outcome: string): void {
    o.step = ReconStep.FINAL;
    o.dueUs = Infinity;
    o.outcome = outcome;
    this.open--;
  }
}

/** A position-reducing trade that brings a group of hedged instruments back to a net-flat base position. */
export interface ExcessTrade {
  readonly instrument: number;
  readonly side: Side;
  readonly lots: number;
}

/**
 * The trades that remove the net base position of a group of instruments (the legs of pairs
 * that hedge each other): the net is taken back through the instruments whose position has the
 * same sign as the net, largest first, each by the whole number of lots nearest to the remaining
 * net and never beyond its own position (so every trade reduces a position); a residual smaller
 * than half a lot of every holder stays.
 */
export function excessTrades(
  pos: { positionUnits(instrument: number): number; lots(instrument: number): number },
  instruments: readonly number[],
): ExcessTrade[] {
  let net = 0;
  for (const i of instruments) net += pos.positionUnits(i);
  const holders = instruments.filter((i) => pos.lots(i) !== 0 && Math.sign(pos.positionUnits(i)) === Math.sign(net));
  holders.sort((x, y) => Math.abs(pos.positionUnits(y)) - Math.abs(pos.positionUnits(x)) || x - y);
  const out: ExcessTrade[] = [];
  for (const i of holders) {
    if (net === 0) break;
    const lotsHeld = pos.lots(i);
    const per = Math.abs(pos.positionUnits(i) / lotsHeld);
    const lots = Math.min(Math.abs(lotsHeld), Math.round(Math.abs(net) / per));
    if (lots <= 0) continue;
    out.push({ instrument: i, side: lotsHeld > 0 ? 'sell' : 'buy', lots });
    net -= Math.sign(net) * lots * per;
  }
  return out;
}
