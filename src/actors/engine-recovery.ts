// Restart recovery of the engine actor: what a restarted engine does before it trades again
// (DESIGN "Failover and recovery"). Runs on the engine thread, cold path only (it may allocate).
//
// Phases (journaled as notes, in order):
//   1. DRAIN      wait until the journal actor has written out the journal ring (the previous
//                 incarnation's last records, its OrderSent records included, are then in files);
//   2. REBUILD    read the journal directory (src/journal/recovery.ts): every order sent, its last
//                 known state, fills -> positions per instrument and per pair (seeded into the
//                 engine's Positions and pair positions);
//   3. QUERY      every order not final in the journal is queried at its venue by client id,
//                 an order found open is cancelled, until every one is final (core/reconcile.ts);
//                 the venues' answers move the positions (fills as cumulative increases);
//   4. CHECK      ReconcileGate: every pair group's net base position within one lot, and every
//                 venue's balances known from a whole-account snapshot of this incarnation (the
//                 executors are asked for one at step 1; phase BALANCES waits for them, asking
//                 again every `balanceRetryUs`). Both hold -> risk.setReconciled(true): trading
//                 resumes (ACTIVE unless a breaker holds it) with the risk engine's balance and
//                 margin checks reading the venues' own figures;
//   5. REPAIR     otherwise the excess is taken back with position-reducing flatten jobs on the
//                 holding instruments (core/reconcile.ts excessTrades; priced within the pair's unwind
//                 band around the current mid, started once that book has a top), then CHECK
//                 again. A repair that fails leaves the engine REDUCING (the flatten job escalates
//                 with the pair's policy) and says so in the journal.
// Until phase 4 succeeds the engine stays REDUCING: new combos are denied (REDUCE_ONLY).
//
// Invariants: no order of an earlier incarnation is ever re-sent (only queried or cancelled);
// reports for those orders go to the reconciler, never to the execution machine (which does not
// know them); a late fill after the check moves the positions and triggers a new check once no
// combo of the new incarnation is in flight.
import type { ExecutionEngine } from '../core/execution.js';
import type { ExecPolicy } from '../core/exec-types.js';
import { bpsToTicks } from '../core/exec-types.js';
import type { MarketView } from '../core/market.js';
import type { Positions, ReconcileGate } from '../core/positions.js';
import { excessTrades, RestartReconciler, type ExcessTrade, type ReconOrder, type ReconOrderInit, type ReconReport } from '../core/reconcile.js';
import type { RiskEngine } from '../core/risk.js';
import type { Side } from '../venues/types.js';
import { recoverState, type RecoveredState } from '../journal/recovery.js';

export const RecoveryPhase = {
  IDLE: 0,
  DRAIN: 1,
  QUERY: 2,
  REPAIR: 3,
  DONE: 4,
  FAILED: 5,
  /** Every pair balanced; waiting for the venues' balance snapshots. */
  BALANCES: 6,
} as const;
export type RecoveryPhase = (typeof RecoveryPhase)[keyof typeof RecoveryPhase];
export const RECOVERY_PHASE_NAMES = ['IDLE', 'DRAIN', 'QUERY', 'REPAIR', 'DONE', 'FAILED', 'BALANCES'] as const;

export interface RecoveryDeps {
  readonly journalDir: string;
  /** Bytes the engine has written to the journal ring that the journal actor has not released. */
  journalBacklogBytes(): number;
  /** Give up waiting for the journal actor after this long (µs). */
  readonly drainTimeoutUs: number;
  readonly positions: Positions;
  readonly market: MarketView;
  readonly risk: RiskEngine;
  readonly exec: ExecutionEngine;
  readonly gate: ReconcileGate;
  /** Venues with an executor (orders elsewhere cannot be queried). */
  readonly venues: readonly number[];
  readonly policy: ExecPolicy;
  /** Venues (with an executor) whose balance snapshot has not arrived in this incarnation. */
  balancesPending(): readonly number[];
  /** Asks every executor for its venue's balances now. */
  refreshBalances(): void;
  /** While waiting for balances, ask again this often (µs). Default 2 s. */
  readonly balanceRetryUs?: number;
  query(o: Readonly<ReconOrder>): void;
  cancel(o: Readonly<ReconOrder>): void;
  note(text: string, comboId?: number): void;
  /** A fill of a recovered order: the engine updates its pair positions (Positions is updated here). */
  pairFill(comboId: number, leg: number, side: Side, lots: number, priceTicks: number): void;
  /** A recovered combo's legs (instrument of leg 0 and leg 1), so the engine maps it to its pair. */
  comboLegs(comboId: number, instA: number, instB: number): void;
  /** A fresh job id (from the engine's combo id sequence in shared memory). */
  nextJobId(): number;
  /** The first successful check: the earlier incarnations' unfinished combos are settled. */
  reconciled(): void;
}

export class EngineRecovery {
  phase: RecoveryPhase = RecoveryPhase.IDLE;
  reconciler: RestartReconciler | null = null;
  private repairs: { trade: ExcessTrade; jobId: number; state: 'waiting' | 'running' | 'done' | 'failed' }[] = [];
  private drainDeadlineUs = 0;
  private balanceAskUs = 0;
  /** A late fill after the check: check again once no combo of this incarnation is in flight. */
  private recheckPending = false;
  private readonly wallNowUs = (): number => Date.now() * 1000;

  private readonly balanceRetryUs: number;

  constructor(private readonly d: RecoveryDeps) {
    this.balanceRetryUs = d.balanceRetryUs ?? 2_000_000;
  }

  /** Starts recovery (engine onStart of a restarted incarnation). */
  begin(nowUs: number): void {
    this.phase = RecoveryPhase.DRAIN;
    this.drainDeadlineUs = nowUs + this.d.drainTimeoutUs;
    // the venues' balances are fetched while the journal is read and the orders are queried
    this.d.refreshBalances();
    this.balanceAskUs = nowUs;
    this.poll(nowUs);
  }

  get active(): boolean {
    const p = this.phase;
    return p === RecoveryPhase.DRAIN || p === RecoveryPhase.QUERY || p === RecoveryPhase.REPAIR || p === RecoveryPhase.BALANCES || this.recheckPending;
  }

  /** A report: true when it belonged to an order of an earlier incarnation (handled here). */
  onReport(nowUs: number, venue: number, cid: string, r: ReconReport): boolean {
    const rc = this.reconciler;
    if (rc === null || !rc.has(venue, cid)) return false;
    const f = rc.onReport(nowUs, venue, cid, r);
    if (f.lots > 0) {
      const o = f.order!;
      this.d.positions.applyFill(o.instrument, o.side, f.lots, f.priceTicks);
      this.d.pairFill(o.comboId, o.leg, o.side, f.lots, f.priceTicks);
      this.d.note(`recovery: ${o.clientOrderId} filled ${f.lots} more lots at ${f.priceTicks} (venue answer)`, o.comboId);
    }
    if (this.phase === RecoveryPhase.QUERY && rc.settled) this.check(nowUs);
    else if (this.phase === RecoveryPhase.DONE && f.lots > 0) {
      // a late fill after the check: check (and repair) again, but only once the combos of this
      // incarnation in flight are finished (a combo between its legs is not an imbalance)
      this.recheckPending = true;
      this.poll(nowUs);
    }
    return true;
  }

  /** A venue balance snapshot arrived: in phase BALANCES, check again once none is pending. */
  onBalances(nowUs: number): void {
    if (this.phase === RecoveryPhase.BALANCES && this.d.balancesPending().length === 0) this.check(nowUs);
  }

  /** A flatten job of the repair changed state. */
  onJobState(nowUs: number, jobId: number, terminal: boolean, done: boolean): void {
    if (this.phase !== RecoveryPhase.REPAIR || !terminal) return;
    const r = this.repairs.find((x) => x.jobId === jobId);
    if (r === undefined) return;
    r.state = done ? 'done' : 'failed';
    if (this.repairs.every((x) => x.state === 'done' || x.state === 'failed')) {
      if (this.repairs.some((x) => x.state === 'failed')) {
        this.phase = RecoveryPhase.FAILED;
        this.d.note(`recovery: repair failed (${this.repairs.filter((x) => x.state === 'failed').map((x) => `job ${x.jobId}`).join(', ')}): stays REDUCING`);
        return;
      }
      this.check(nowUs);
    }
  }

  /** Drives the phases; returns the work done (0 idle). */
  poll(nowUs: number): number {
    switch (this.phase) {
      case RecoveryPhase.DRAIN:
        return this.drain(nowUs);
      case RecoveryPhase.QUERY: {
        const rc = this.reconciler!;
        if (rc.wakeAtUs() > nowUs) return 0;
        rc.onTimer(nowUs);
        return 1;
      }
      case RecoveryPhase.REPAIR:
        return this.startRepairs(nowUs);
      case RecoveryPhase.BALANCES:
        if (nowUs < this.balanceAskUs + this.balanceRetryUs) return 0;
        this.balanceAskUs = nowUs;
        this.d.refreshBalances();
        return 1;
      case RecoveryPhase.DONE:
        if (!this.recheckPending || !this.d.exec.isQuiescent()) return 0;
        this.recheckPending = false;
        this.check(nowUs);
        return 1;
      default:
        return 0;
    }
  }

  /** Earliest time poll() has something to do. */
  wakeAtUs(): number {
    if (this.phase === RecoveryPhase.QUERY) return this.reconciler!.wakeAtUs();
    if (this.phase === RecoveryPhase.BALANCES) return this.balanceAskUs + this.balanceRetryUs;
    return this.active ? 0 : Infinity;
  }

  private drain(nowUs: number): number {
    if (this.d.journalBacklogBytes() > 0) {
      if (nowUs < this.drainDeadlineUs) return 0;
      this.phase = RecoveryPhase.FAILED;
      this.d.note(`recovery: the journal actor did not write out the journal ring within ${this.d.drainTimeoutUs / 1000} ms: stays REDUCING`);
      return 1;
    }
    let rec: RecoveredState;
    try {
      rec = recoverState(this.d.journalDir);
    } catch (e) {
      this.phase = RecoveryPhase.FAILED;
      this.d.note(`recovery: reading the journal failed (${e instanceof Error ? e.message : String(e)}): stays REDUCING`);
      return 1;
    }
    this.rebuild(nowUs, rec);
    return 1;
  }

  private rebuild(nowUs: number, rec: RecoveredState): void {
    const inits: ReconOrderInit[] = [];
    const unqueryable: string[] = [];
    for (const o of rec.orders.values()) {
      const side: Side = o.side === 2 ? 'sell' : 'buy';
      if (o.cumQtyLots > 0) {
        const px = o.priceTicks > 0 ? o.priceTicks : 1;
        this.d.positions.applyFill(o.instrument, side, o.cumQtyLots, px);
        this.d.pairFill(o.comboId, o.leg, side, o.cumQtyLots, px);
      }
      if (!o.final && !this.d.venues.includes(o.venue)) unqueryable.push(o.clientOrderId);
      inits.push({
        venue: o.venue,
        clientOrderId: o.clientOrderId,
        instrument: o.instrument,
        side,
        comboId: o.comboId,
        leg: o.leg,
        orderRef: o.orderRef,
        qtyLots: o.qtyLots,
        priceTicks: o.priceTicks,
        sentWallUs: o.sentWallUs,
        cumQtyLots: o.cumQtyLots,
        final: o.final,
      });
    }
    for (const c of rec.combos.values()) {
      const a = c.orders.find((o) => o.leg === 0);
      const b = c.orders.find((o) => o.leg === 1);
      if (a !== undefined && b !== undefined) this.d.comboLegs(c.comboId, a.instrument, b.instrument);
    }
    const rc = new RestartReconciler(inits, { query: (o) => this.d.query(o), cancel: (o) => this.d.cancel(o) }, {
      retryUs: this.d.policy.queryRetryUs,
      settleUs: this.d.policy.settleUs,
      wallNowUs: this.wallNowUs,
    });
    this.reconciler = rc;
    const pos = rec.positions.map((p) => `venue ${p.venue} instrument ${p.instrument}: ${p.lots}`).join(', ') || 'flat';
    this.d.note(
      `recovery: journal read (${rec.records} records, ${rec.orders.size} orders, ${rec.openCombos.length} open combos${rec.tails.length > 0 ? `, ${rec.tails.length} torn tails` : ''}); ` +
        `positions ${pos}; ${rec.toQuery.length} orders not final: querying their venues by client id`,
    );
    if (unqueryable.length > 0) this.d.note(`recovery: no executor to query ${unqueryable.join(', ')}: stays REDUCING until they are known`);
    this.phase = RecoveryPhase.QUERY;
    rc.start(nowUs);
    if (rc.settled) this.check(nowUs);
  }

  private check(nowUs: number): void {
    const rc = this.reconciler!;
    for (const v of this.d.venues) this.d.gate.venueReconciled(v, true);
    const ok = this.d.gate.check(this.d.positions);
    const outcomes = [...rc.all()].filter((o) => o.outcome !== 'journal').map((o) => `${o.clientOrderId} ${o.outcome}`);
    const pending = ok ? this.d.balancesPending() : [];
    if (ok && pending.length > 0) {
      this.d.risk.setReconciled(nowUs, false);
      if (this.phase !== RecoveryPhase.BALANCES) {
        this.d.note(`recovery: every pair balanced; waiting for the balances of venues ${pending.join(', ')} before trading`);
        this.phase = RecoveryPhase.BALANCES;
      }
      return;
    }
    if (ok) {
      const wasDone = this.phase === RecoveryPhase.DONE;
      this.phase = RecoveryPhase.DONE;
      this.d.risk.setReconciled(nowUs, true);
      if (!wasDone) this.d.reconciled();
      if (!wasDone) this.d.note(`recovery: reconciled (${outcomes.join(', ') || 'every order final in the journal'}); every pair balanced and every venue's balances known: reconciled, trading may resume`);
      return;
    }
    this.d.risk.setReconciled(nowUs, false);
    const trades = this.d.gate.unbalancedGroups.flatMap((g) => excessTrades(this.d.positions, g.instruments));
    this.repairs = trades.map((trade) => ({ trade, jobId: 0, state: 'waiting' as const }));
    this.phase = RecoveryPhase.REPAIR;
    this.d.note(
      `recovery: pairs ${this.d.gate.unbalancedPairs.join(', ')} unbalanced after the venues' answers (${outcomes.join(', ')}); ` +
        `repair: ${trades.map((t) => `${t.side} ${t.lots} lots of instrument ${t.instrument}`).join(', ') || 'nothing a whole lot can take'}`,
    );
    if (trades.length === 0) {
      this.phase = RecoveryPhase.FAILED;
      this.d.note('recovery: the residual is below one lot on every holder: stays REDUCING (operator decision)');
      return;
    }
    this.startRepairs(nowUs);
  }

  private startRepairs(nowUs: number): number {
    let work = 0;
    const m = this.d.market;
    const band = this.d.policy.unwind;
    for (const r of this.repairs) {
      if (r.state !== 'waiting') continue;
      const i = r.trade.instrument;
      const bid = m.bidTicks(i);
      const ask = m.askTicks(i);
      if (!(bid > 0 && ask > 0) || !m.synced(i)) continue; // no book yet: try again next poll
      const mid = (bid + ask) / 2;
      const b = bpsToTicks(mid, band.bandBps);
      const limit = r.trade.side === 'sell' ? Math.max(1, Math.ceil(mid - b)) : Math.floor(mid + b);
      r.jobId = this.d.nextJobId();
      r.state = 'running';
      this.d.note(`recovery: flatten job ${r.jobId}: ${r.trade.side} ${r.trade.lots} lots of instrument ${i} within ${limit} ticks`, r.jobId);
      this.d.exec.startFlatten(nowUs, { jobId: r.jobId, instrument: i, side: r.trade.side, qtyLots: r.trade.lots, limitTicks: limit, maxAttempts: band.maxAttempts, windowUs: band.windowUs });
      work++;
    }
    return work;
  }
}
