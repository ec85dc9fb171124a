// Property test of the execution machine: fast-check drives random report sequences from a venue
// model that keeps the truth of every order (lost in transit or arrived; filled, partially filled,
// rejected, resting, cancelled), while the transport between venue and engine drops, duplicates
// and re-orders reports, reports unknown outcomes and lets time jump. Then a friendly "drain"
// phase answers everything truthfully until the combo ends.
//
// Invariants asserted after every step (and at every NewOrder the machine emits):
// - at most one non-final order per leg, and it is the leg's last one;
// - a new order on a leg only after the leg's previous order is final; if that order was ever of
//   unknown outcome, a venue answer about it was delivered after it was first queried, and a
//   NOT_FOUND verdict only came once its settle window had passed (never a blind re-send);
// - client order ids are never reused;
// - a DONE combo is idle with |imbalance| < one coarse lot; an ESCALATED combo is idle;
// and after the drain (friendly, or hostile: nothing fills any more): the combo is terminal, every order's fills equal the venue's truth, and
// the legs' net lots equal the venue's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CollectingSink,
  ComboState,
  ExecEventKind,
  NewOrderCmd,
  OrderStatus,
  Reason,
  ReportKind,
  ReportOrigin,
  isFinalStatus,
  newExecReport,
  type CancelCmd,
  type ExecEvent,
  type ExecReport,
  type ExecSink,
  type QueryCmd,
  ExecutionEngine,
  type Combo,
} from '../../src/core/execution.js';
import { plainClientIds } from '../../src/core/client-ids.js';
import { TopsTable } from '../../src/core/market.js';
import { COARSE, COMBO, PERP, SPOT, TEST_POLICY, comboReq, makeInstruments, rule } from './exec-helpers.js';

const SETTLE_US = 1_000_000;

interface VenueOrder {
  cmd: NewOrderCmd;
  sentUs: number;
  /** 'transit' = not arrived yet; 'lost' = never arrives; 'open' resting; 'closed' final. */
  where: 'transit' | 'lost' | 'open' | 'closed';
  cum: number;
  final: 'filled' | 'cancelled' | 'rejected' | '';
  reason: number;
}

type Pending = { t: 'new'; cmd: NewOrderCmd; atUs: number } | { t: 'cancel'; cmd: CancelCmd } | { t: 'query'; cmd: QueryCmd };

const SOFT = [Reason.RATE_LIMITED, Reason.PRICE_OUT_OF_VENUE_BAND, Reason.VENUE_REJECT_OTHER];
const HARD = [Reason.INSUFFICIENT_BALANCE, Reason.MARKET_CLOSED];

class Harness implements ExecSink {
  readonly exec: ExecutionEngine;
  readonly market = new TopsTable(4);
  readonly log = new CollectingSink();
  readonly venue = new Map<string, VenueOrder>();
  pending: Pending[] = [];
  queue: ExecReport[] = [];
  delivered: ExecReport[] = [];
  now = 0;
  readonly ids = new Set<string>();
  /** ref -> time of the first QUERY_SENT; ref -> a report about it was delivered after that. */
  readonly firstQueryUs = new Map<number, number>();
  readonly answeredAfterQuery = new Set<number>();
  violations: string[] = [];

  constructor(mode: 'concurrent' | 'leader_follower', leaderType: 'ioc' | 'limit' | 'post_only') {
    this.resetMarket();
    this.exec = new ExecutionEngine({
      instruments: makeInstruments(),
      market: this.market,
      sink: this,
      clientIds: () => plainClientIds('x'),
      assetCount: 2,
      policy: {
        ...TEST_POLICY,
        ackTimeoutUs: 400_000,
        cancelTimeoutUs: 400_000,
        queryRetryUs: 200_000,
        settleUs: SETTLE_US,
        leaderRestUs: 700_000,
        leaderOrderType: leaderType,
        retryDelayUs: 50_000,
        reject: rule({ windowUs: 1_500_000 }),
        partialFill: rule({ windowUs: 1_500_000 }),
        outcomeUnknown: rule({ windowUs: 1_500_000 }),
        noPrice: rule({ windowUs: 1_500_000 }),
      },
    });
    void mode;
  }

  resetMarket(): void {
    this.market.set(SPOT, 6_400_000, 50, 6_400_010, 50, 1);
    this.market.set(PERP, 640_500, 50, 640_501, 50, 1);
    this.market.set(COARSE, 640_500, 50, 640_501, 50, 1);
  }

  combo(): Combo {
    return this.exec.combo(COMBO)!;
  }

  // ---- ExecSink
  newOrder(cmd: Readonly<NewOrderCmd>): void {
    this.log.newOrder(cmd);
    const c = Object.assign(new NewOrderCmd(), cmd);
    if (this.ids.has(c.clientOrderId)) this.violations.push(`client id reused: ${c.clientOrderId}`);
    this.ids.add(c.clientOrderId);
    const combo = this.exec.combo(c.comboId);
    if (combo !== undefined) {
      const orders = combo.legs[c.leg]!.orders;
      const prev = orders[orders.length - 2];
      if (prev !== undefined) {
        if (!isFinalStatus(prev.status)) this.violations.push(`new order ${c.clientOrderId} while ${prev.clientOrderId} is live`);
        if (this.firstQueryUs.has(prev.ref) && !this.answeredAfterQuery.has(prev.ref)) this.violations.push(`${c.clientOrderId} sent before ${prev.clientOrderId}'s query was answered`);
        if (prev.status === OrderStatus.NOT_FOUND && this.now < prev.sentUs + SETTLE_US) this.violations.push(`${prev.clientOrderId} declared not found inside its settle window`);
      }
    }
    this.venue.set(c.clientOrderId, { cmd: c, sentUs: this.now, where: 'transit', cum: 0, final: '', reason: 0 });
    this.pending.push({ t: 'new', cmd: c, atUs: this.now });
  }
  cancel(cmd: Readonly<CancelCmd>): void {
    this.log.cancel(cmd);
    this.pending.push({ t: 'cancel', cmd: { ...cmd } });
  }
  query(cmd: Readonly<QueryCmd>): void {
    this.log.query(cmd);
    this.pending.push({ t: 'query', cmd: { ...cmd } });
  }
  event(ev: Readonly<ExecEvent>): void {
    if (ev.kind === ExecEventKind.QUERY_SENT && !this.firstQueryUs.has(ev.orderRef)) this.firstQueryUs.set(ev.orderRef, ev.nowUs);
    this.seen.add(ev.kind === ExecEventKind.STATE ? 100 + ev.state : ev.kind);
  }
  /** Event kinds (and 100 + state entered) seen in this run, for the coverage check. */
  readonly seen = new Set<number>();

  // ---- venue model
  private report(v: VenueOrder, kind: ReportKind, origin: ReportOrigin, reason: number, lastQty = 0): ExecReport {
    const r = newExecReport();
    r.kind = kind;
    r.origin = origin;
    r.reason = reason;
    r.orderRef = v.cmd.orderRef;
    r.clientOrderId = v.cmd.clientOrderId;
    r.cumQtyLots = v.cum;
    r.leavesQtyLots = v.where === 'open' ? v.cmd.qtyLots - v.cum : 0;
    r.lastQtyLots = lastQty;
    r.lastPriceTicks = lastQty > 0 ? v.cmd.priceTicks : 0;
    r.avgPriceTicks = v.cum > 0 ? v.cmd.priceTicks : 0;
    return r;
  }

  fill(v: VenueOrder, lots: number): void {
    const q = Math.min(lots, v.cmd.qtyLots - v.cum);
    if (q <= 0) return;
    v.cum += q;
    if (v.cum === v.cmd.qtyLots) {
      v.where = 'closed';
      v.final = 'filled';
      this.queue.push(this.report(v, ReportKind.FILL, ReportOrigin.STREAM, 0, q));
    } else this.queue.push(this.report(v, ReportKind.PARTIAL_FILL, ReportOrigin.STREAM, 0, q));
  }

  /** The order reaches the venue: reject, bounce, fill (IOC: then expire), or rest. */
  /** Drain phase of a hostile venue: orders are accepted but never fill. */
  hostile = false;

  arrive(v: VenueOrder, amt: number, friendly: boolean): void {
    if (!friendly && this.now - v.sentUs >= SETTLE_US / 2) {
      v.where = 'lost'; // too late: by the settle assumption it never arrives
      return;
    }
    if (!friendly && amt % 9 === 1) {
      v.where = 'closed';
      v.final = 'rejected';
      v.reason = amt % 2 === 0 ? HARD[amt % HARD.length]! : SOFT[amt % SOFT.length]!;
      this.queue.push(this.report(v, ReportKind.REJECT, ReportOrigin.STREAM, v.reason));
      return;
    }
    if (v.cmd.type === 'post_only' && !friendly && amt % 3 === 0) {
      v.where = 'closed';
      v.final = 'cancelled';
      v.reason = Reason.POST_ONLY_WOULD_TAKE;
      this.queue.push(this.report(v, amt % 2 === 0 ? ReportKind.REJECT : ReportKind.CANCELLED, ReportOrigin.STREAM, v.reason));
      return;
    }
    v.where = 'open';
    this.queue.push(this.report(v, ReportKind.ACK, ReportOrigin.STREAM, 0));
    const lots = this.hostile ? 0 : friendly ? v.cmd.qtyLots : amt % (v.cmd.qtyLots + 1);
    this.fill(v, lots);
    if (v.cmd.type === 'ioc' && v.where === 'open') {
      v.where = 'closed';
      v.final = 'cancelled';
      v.reason = Reason.EXPIRED;
      this.queue.push(this.report(v, ReportKind.CANCELLED, ReportOrigin.STREAM, Reason.EXPIRED));
    }
  }

  answerCancel(cmd: CancelCmd, amt: number, friendly: boolean): void {
    const v = this.venue.get(cmd.clientOrderId)!;
    if (!friendly && amt % 7 === 3) {
      this.queue.push(this.report(v, ReportKind.OUTCOME_UNKNOWN, ReportOrigin.CANCEL, Reason.TIMEOUT));
      return;
    }
    if (v.where === 'open') {
      v.where = 'closed';
      v.final = 'cancelled';
      v.reason = Reason.CANCELLED_BY_ENGINE;
      this.queue.push(this.report(v, ReportKind.CANCELLED, ReportOrigin.CANCEL, v.reason));
    } else this.queue.push(this.report(v, ReportKind.REJECT, ReportOrigin.CANCEL, Reason.UNKNOWN_ORDER));
  }

  answerQuery(cmd: QueryCmd): void {
    const v = this.venue.get(cmd.clientOrderId)!;
    if (v.where === 'transit' && this.now - v.sentUs >= SETTLE_US) v.where = 'lost';
    if (v.where === 'transit' || v.where === 'lost') {
      this.queue.push(this.report(v, ReportKind.REJECT, ReportOrigin.QUERY, Reason.UNKNOWN_ORDER));
      return;
    }
    const kind =
      v.where === 'open' ? (v.cum > 0 ? ReportKind.PARTIAL_FILL : ReportKind.ACK)
      : v.final === 'filled' ? ReportKind.FILL
      : v.final === 'rejected' ? ReportKind.REJECT
      : ReportKind.CANCELLED;
    this.queue.push(this.report(v, kind, ReportOrigin.QUERY, v.reason));
  }

  deliver(r: ExecReport): void {
    this.delivered.push(r);
    if (this.firstQueryUs.has(r.orderRef) && this.now >= this.firstQueryUs.get(r.orderRef)! && (r.origin === ReportOrigin.QUERY || isFinalKind(r.kind))) {
      this.answeredAfterQuery.add(r.orderRef);
    }
    this.exec.onReport(this.now, r);
  }

  processPending(p: Pending, amt: number, friendly: boolean): void {
    if (p.t === 'new') {
      const v = this.venue.get(p.cmd.clientOrderId)!;
      if (v.where === 'transit') this.arrive(v, amt, friendly);
    } else if (p.t === 'cancel') this.answerCancel(p.cmd, amt, friendly);
    else this.answerQuery(p.cmd);
  }

  checkInvariants(where: string): void {
    const c = this.combo();
    for (const l of c.legs) {
      let live = 0;
      l.orders.forEach((o, i) => {
        if (!isFinalStatus(o.status)) {
          live++;
          if (i !== l.orders.length - 1) this.violations.push(`${where}: live order ${o.clientOrderId} is not the leg's last`);
        }
      });
      if (live > 1) this.violations.push(`${where}: ${live} live orders on leg ${l.index}`);
    }
    if (c.state === ComboState.DONE && (!c.idle || Math.abs(c.imbalanceUnits()) >= c.coarseUnits)) this.violations.push(`${where}: DONE but imbalance ${c.imbalanceUnits()} idle=${c.idle}`);
    if (c.state === ComboState.ESCALATED && !c.idle) this.violations.push(`${where}: ESCALATED with live orders`);
  }
}

function isFinalKind(k: number): boolean {
  return k === ReportKind.FILL || k === ReportKind.CANCELLED || k === ReportKind.REJECT;
}

/** Coverage across all runs: event kinds and states the random runs reached. */
const coverage = new Map<number, number>();

const opArb = fc.record({ op: fc.nat(9), pick: fc.nat(1000), amt: fc.nat(1000), dt: fc.nat(900_000) });

describe('execution machine under random venue behaviour', () => {
  it('keeps its invariants and ends balanced or escalated', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('concurrent' as const, 'leader_follower' as const),
        fc.constantFrom('ioc' as const, 'limit' as const, 'post_only' as const),
        fc.constantFrom(0 as const, 1 as const),
        fc.boolean(),
        fc.nat(4),
        fc.array(opArb, { maxLength: 60 }),
        (mode, leaderType, leader, coarse, hostile, ops) => {
          const h = new Harness(mode, leaderType);
          const base = comboReq();
          // coarse: 10 spot lots of 100_000 units against 1 contract of 1_000_000 units
          const legs = coarse ? ([base.legs[0], { ...base.legs[1], instrument: COARSE, qtyLots: 1 }] as const) : base.legs;
          h.exec.start(0, comboReq(mode === 'concurrent' ? { legs } : { mode, leader, legs }));
          h.checkInvariants('start');
          for (const { op, pick, amt, dt } of ops) {
            h.now += 1;
            switch (op) {
              case 0:
              case 1: {
                if (h.pending.length === 0) break;
                const p = h.pending.splice(pick % h.pending.length, 1)[0]!;
                h.processPending(p, amt, false);
                break;
              }
              case 2:
              case 3: {
                if (h.queue.length === 0) break;
                const r = h.queue.splice(pick % h.queue.length, 1)[0]!; // any order: re-ordering
                h.deliver(r);
                break;
              }
              case 4: {
                // duplicate delivery of something already delivered
                if (h.delivered.length === 0) break;
                h.deliver({ ...h.delivered[pick % h.delivered.length]! });
                break;
              }
              case 5: {
                if (h.queue.length === 0) break;
                h.queue.splice(pick % h.queue.length, 1); // a lost report
                break;
              }
              case 6: {
                h.now += dt;
                h.exec.onTimer(h.now);
                break;
              }
              case 7: {
                // the executor gives up on a request: outcome unknown (the venue may still get it)
                const i = h.pending.findIndex((p) => p.t === 'new');
                if (i < 0) break;
                const p = h.pending[i]! as { t: 'new'; cmd: NewOrderCmd };
                const v = h.venue.get(p.cmd.clientOrderId)!;
                const r = newExecReport();
                r.kind = ReportKind.OUTCOME_UNKNOWN;
                r.reason = Reason.TIMEOUT;
                r.orderRef = v.cmd.orderRef;
                r.clientOrderId = v.cmd.clientOrderId;
                h.deliver(r);
                break;
              }
              case 8: {
                // a resting order fills some more
                const open = [...h.venue.values()].filter((v) => v.where === 'open');
                if (open.length === 0) break;
                h.fill(open[pick % open.length]!, 1 + (amt % 4));
                break;
              }
              case 9: {
                const s = (amt % 60) - 30;
                h.market.set(SPOT, 6_400_000 + s, 5, 6_400_010 + s, 5, h.now);
                h.market.set(PERP, 640_500 + Math.trunc(s / 10), 5, 640_501 + Math.trunc(s / 10), 5, h.now);
                h.market.set(COARSE, 640_500 + Math.trunc(s / 10), 5, 640_501 + Math.trunc(s / 10), 5, h.now);
                h.exec.poke(h.now);
                break;
              }
            }
            h.checkInvariants(`op ${op}`);
            if (h.violations.length > 0) break;
          }
          // drain: everything answered truthfully, time advances to each wake-up; one run in five
          // the venue accepts orders but never fills them (repairs fail: escalation must end it)
          h.hostile = hostile === 0;
          h.resetMarket();
          h.exec.poke(h.now);
          for (let iter = 0; iter < 500; iter++) {
            const c = h.combo();
            if (c.terminal && h.pending.length === 0 && h.queue.length === 0) break;
            h.now += 1;
            if (h.pending.length > 0) {
              const p = h.pending.shift()!;
              h.processPending(p, 0, true);
            } else if (h.queue.length > 0) {
              h.deliver(h.queue.shift()!);
            } else {
              const w = h.exec.wakeAtUs();
              h.now = Number.isFinite(w) ? Math.max(h.now, w) : h.now + 1_000_000;
              h.exec.onTimer(h.now);
            }
            h.checkInvariants('drain');
            if (h.violations.length > 0) break;
          }
          expect(h.violations).toEqual([]);
          const c = h.combo();
          expect(c.terminal).toBe(true);
          expect(h.exec.isQuiescent()).toBe(true);
          if (c.state === ComboState.DONE) expect(Math.abs(c.imbalanceUnits())).toBeLessThan(c.coarseUnits);
          // the machine's fills equal the venue's truth, order by order and per leg
          for (const l of c.legs) {
            let net = 0;
            for (const o of l.orders) {
              const v = h.venue.get(o.clientOrderId)!;
              const truth = v.where === 'lost' || v.where === 'transit' ? 0 : v.cum;
              expect(o.cumLots).toBe(truth);
              net += (o.side === l.side ? 1 : -1) * truth;
            }
            expect(l.netLots).toBe(net);
          }
          // exposure tracking agrees with the legs
          expect(h.exec.assetExposure(0)).toBe(c.exposureUnits());
          for (const k of h.seen) coverage.set(k, (coverage.get(k) ?? 0) + 1);
          coverage.set(1000 + c.state, (coverage.get(1000 + c.state) ?? 0) + 1);
        },
      ),
      { seed: 20260614, numRuns: 400 },
    );
    // the random runs really exercised the failure paths
    const reached = (k: number): number => coverage.get(k) ?? 0;
    expect(reached(ExecEventKind.QUERY_SENT)).toBeGreaterThan(20);
    expect(reached(ExecEventKind.NEVER_PLACED)).toBeGreaterThan(5);
    expect(reached(ExecEventKind.LATE_FILL) + reached(ExecEventKind.IGNORED)).toBeGreaterThan(5);
    expect(reached(100 + ComboState.REPAIRING)).toBeGreaterThan(20);
    expect(reached(100 + ComboState.UNWINDING)).toBeGreaterThan(5);
    expect(reached(1000 + ComboState.DONE)).toBeGreaterThan(50);
    expect(reached(1000 + ComboState.ESCALATED)).toBeGreaterThan(0);
  });
});
