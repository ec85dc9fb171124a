// Decision rehearsal: keeps the engine's decision path warm between real decisions.
//
// Why: a decision runs a few times a second, between thousands of book updates and other threads
// on the same core, so it starts with its code and data out of the cpu caches; `npm run bench --
// cold-path` measures the same optimised decision code ~7x slower after a cache sweep than right
// after a previous run. The engine therefore rehearses, every `periodUs` (from its poll), the
// work of a decision on the live books: the sizing walk of one pair (round robin, alternating
// direction, with a threshold every book clears), the combo's pre-trade risk check, the
// execution machine's start and order placement, the FlatBuffers encoding of the orders, of
// their journal records and of the decision's record (the slowest record to build: every trigger
// input and both books, as JSON), and the fills that end the combo (leader-follower: the follower
// too).
//
// Giving way (the other invariant): a rehearsal never holds up a real frame it can see. Before it
// starts, and again before it places its combo and before it encodes the decision record, it asks
// `pending()` (a frame waits in an inbound ring). Before the combo is placed it then stops where it
// is (nothing of it is left anywhere) and the same pair and direction are rehearsed at the next
// poll; once the combo is placed it skips the decision record and only runs the fills that end the
// combo. `yielded` counts every time it gave way.
// (Measured with temporary stamps in tick-to-order at 10 000 updates/s on this 2-vCPU VM: a
// whole rehearsal took 126-129 us at p50, 0.36-0.61 ms at p99 and 1.0-1.7 ms at p99.9, the
// decision record ~70 us of it; a book update that arrived meanwhile waited for all of it.)
//
// Isolation (the invariant): a rehearsal never reaches a ring, a venue, the journal, the engine's
// counters, its combo ids or any state a real decision reads. It uses its own RiskEngine (no
// sink: its denials and breakers are its own), its own ExecutionEngine (its own jobs, client ids
// and exposure; no risk gate; pruned after every rehearsal), and encodes through callbacks that
// only fill the engine's scratch encoder, which every real frame overwrites before it is written.
// The live books, tops and positions are only read. Any exception, or a combo that does not end,
// stops the rehearsals for good (`failed` says why): warming is an optimisation, never a risk.
import { ExecutionEngine, newExecReport, type ComboRequest, type ExecSink, type NewOrderCmd } from '../core/execution.js';
import { ReportKind, ReportOrigin, type ClientIdFactory } from '../core/exec-types.js';
import type { OrderBook } from '../core/book.js';
import type { TopsTable } from '../core/market.js';
import type { PairModel } from '../core/pair.js';
import { DIR_AB, DIR_BA, type Direction } from '../core/pair.js';
import type { Positions } from '../core/positions.js';
import { RiskEngine, type ComboCheck, type RiskConfig } from '../core/risk.js';
import type { Sizer, SizingResult } from '../core/sizing.js';
import type { TradableTable } from '../core/tradable.js';
import { TriggerAction, type TriggerEvaluator, type TriggerResult } from '../core/triggers.js';
import type { FxRate } from '../core/triggers.js';

/** Sizing threshold of a rehearsal (evaluation units): every executable book clears it. */
const CLEARS_ANY_BOOK = -1e15;
/** Reports fed to end one rehearsed combo (leader, follower, spare). */
const MAX_FILLS = 8;

export interface RehearsalPair {
  readonly model: PairModel;
  readonly a: number;
  readonly b: number;
}

export interface RehearsalDeps {
  readonly pairs: readonly RehearsalPair[];
  readonly books: readonly OrderBook[];
  readonly tops: TopsTable;
  readonly positions: Positions;
  readonly tradables: TradableTable;
  readonly riskConfig: RiskConfig;
  readonly assetCount: number;
  readonly evaluator: TriggerEvaluator;
  readonly sizer: Sizer;
  readonly cc: ComboCheck;
  readonly pairFx: readonly (FxRate | null)[];
  /** Whether a real frame is waiting to be read (any inbound ring): the rehearsal gives way. */
  pending(): boolean;
  /** The pair position the trigger reads (the engine's pairPosition). */
  pairPosition(k: number): number;
  /** Whether both instruments of pair k are tradable now (A/B arbitration). */
  tradable(k: number): boolean;
  /** Fills `cc` for a sized decision on pair k (the engine's own code). */
  fillComboCheck(k: number, s: SizingResult, r: TriggerResult): void;
  /** The combo request of a sized decision on pair k (the engine's own code). */
  comboRequest(k: number, s: SizingResult, comboId: number): ComboRequest;
  /** Encodes an order and its journal record into the engine's scratch encoder; writes nothing. */
  encodeOrder(c: Readonly<NewOrderCmd>): void;
  /** Encodes the Decision journal record of pair k (the evaluator's last result) likewise. */
  encodeDecision(k: number, comboId: number, qtyLots: number): void;
}

export class DecisionRehearsal {
  /** Rehearsals run (for the engine's counters and tests). */
  runs = 0;
  /** Rehearsals that gave way to a waiting frame: not started, stopped before placing their
   * combo, or ended without their decision record. */
  yielded = 0;
  /** Why rehearsals stopped, or null while they run. */
  failed: string | null = null;
  private readonly risk: RiskEngine;
  private readonly exec: ExecutionEngine;
  private readonly ids: ClientIdFactory;
  private readonly rep = newExecReport();
  /** Orders placed by the current rehearsal and not yet filled (client id, ref, lots, ticks). */
  private readonly pendingIds: string[] = [];
  private readonly pendingNum: number[] = [];
  private nextPair = 0;
  private nextCombo = 1;
  /** Direction of each pair's next rehearsal (1: A->B), alternating. */
  private readonly flips: Uint8Array;
  private dueUs = 0;

  constructor(
    private readonly d: RehearsalDeps,
    private readonly periodUs: number,
  ) {
    this.risk = new RiskEngine(d.tradables, d.tops, d.positions, d.riskConfig);
    this.flips = new Uint8Array(d.pairs.length).fill(1);
    this.ids = { clientOrderId: (c, l, a) => `rehearsal${c}l${l}a${a}` };
    const pendingIds = this.pendingIds;
    const pendingNum = this.pendingNum;
    const sink: ExecSink = {
      newOrder(c) {
        d.encodeOrder(c);
        pendingIds.push(c.clientOrderId);
        pendingNum.push(c.orderRef, c.qtyLots, c.priceTicks);
      },
      cancel() {},
      query() {},
      event: (ev) => this.risk.observeExecEvent(ev),
    };
    this.exec = new ExecutionEngine({ instruments: d.tradables, market: d.tops, sink, clientIds: () => this.ids, assetCount: d.assetCount });
  }

  /** From the engine's poll: rehearses one pair when the period is over. True when it ran. */
  poll(nowUs: number): boolean {
    if (this.failed !== null || nowUs < this.dueUs || this.d.pairs.length === 0) return false;
    if (this.d.pending()) {
      // real work first; the rehearsal stays due
      this.yielded++;
      return false;
    }
    this.dueUs = nowUs + this.periodUs;
    const k = this.nextPair;
    this.nextPair = (k + 1) % this.d.pairs.length;
    try {
      return this.rehearse(k, nowUs);
    } catch (err) {
      this.failed = `rehearsal of pair ${k} threw: ${err instanceof Error ? err.message : String(err)}`;
      return false;
    }
  }

  private rehearse(k: number, nowUs: number): boolean {
    const d = this.d;
    const x = d.pairs[k]!;
    if (!d.tradable(k)) return false;
    const bookA = d.books[x.a]!;
    const bookB = d.books[x.b]!;
    const r = d.evaluator.evaluate(x.model, bookA, bookB, d.pairPosition(k), nowUs / 1000, d.pairFx[k]!);
    if (!(r.mulA === r.mulA && r.mulB === r.mulB)) return false; // a book side is empty
    const dir: Direction = this.flips[k] === 1 ? DIR_AB : DIR_BA;
    this.flips[k] = this.flips[k] === 1 ? 0 : 1;
    const s = d.sizer.sizeDirection(x.model, dir, TriggerAction.OPEN, CLEARS_ANY_BOOK, r.positionAtoms, r.mulA, r.mulB, bookA, bookB, 0);
    if (!s.ok) return false;
    d.fillComboCheck(k, s, r);
    d.cc.openPairs = 0;
    this.risk.checkCombo(nowUs, d.cc);
    if (d.pending()) {
      // nothing placed yet: this pair and direction are rehearsed at the next poll instead
      this.yielded++;
      this.flips[k] = dir === DIR_AB ? 1 : 0;
      this.nextPair = k;
      this.dueUs = nowUs;
      return false;
    }
    const id = this.nextCombo++;
    this.exec.start(nowUs, d.comboRequest(k, s, id));
    if (d.pending()) this.yielded++;
    else d.encodeDecision(k, id, s.lotsA);
    // fill every order the combo sends until it ends
    const rep = this.rep;
    for (let n = 0; n < MAX_FILLS && this.pendingIds.length > 0; n++) {
      const cid = this.pendingIds.shift()!;
      const ref = this.pendingNum.shift()!;
      const lots = this.pendingNum.shift()!;
      const px = this.pendingNum.shift()!;
      rep.kind = ReportKind.FILL;
      rep.origin = ReportOrigin.STREAM;
      rep.clientOrderId = cid;
      rep.orderRef = ref;
      rep.lastQtyLots = lots;
      rep.lastPriceTicks = px;
      rep.cumQtyLots = lots;
      rep.leavesQtyLots = 0;
      rep.avgPriceTicks = px;
      this.exec.onReport(nowUs, rep);
    }
    this.pendingIds.length = 0;
    this.pendingNum.length = 0;
    if (this.exec.activeCount() !== 0) {
      this.failed = `rehearsed combo ${id} of pair ${k} did not end after its fills`;
      return false;
    }
    this.exec.prune(Infinity);
    this.runs++;
    return true;
  }
}
