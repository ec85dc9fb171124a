// Seeded market generator: drives the matching engines of several simulated venues so that
// their books move together, lag each other, and now and then dislocate, which opens arbitrage
// windows across venues (and a basis between spot and perpetuals). Pure and step-driven: no
// timers, no I/O, no Math.random; `step(nowMs)` advances one tick of the process and the caller
// (a protocol server, a test) decides the rate.
//
// The process, per step t:
//   fair(t)  = fair(t-1) * (1 + driftBps/1e4 + volBps/1e4 * z)                (common, geometric)
//   venue v: ref = fair(t - lagSteps_v)                                         (lead-lag)
//            noise_v = persistence_v * noise_v + noiseBps_v * z                 (AR(1), bps)
//            basis_v = basis_v + reversion_v * (meanBps_v - basis_v) + basisNoiseBps_v * z
//            center_v = round(ref * (1 + (basis_v + noise_v) / 1e4) / tick_v) + dislocation_v
//   A dislocation starts on an undislocated step with probability probPerStep and shifts the
//   venue's quotes by +-sizeTicks for exactly durationSteps steps.
// The venue's market maker then re-quotes a ladder around center_v: best bid = center -
// floor(spread / 2), best ask = best bid + spread, `levels` levels per side `spacingTicks`
// apart, sizes from the profile (with optional jitter). Only levels that changed are touched:
// orders at prices that left the ladder are cancelled first (both sides), then missing or
// depleted levels are topped up with new GTC limit orders, so a quote that moves through a
// resting user order trades with it. Then, with probability probPerStep, a taker-flow account
// sends a market (or IOC) order of a random size, so trades print and liquidity is consumed.
//
// Invariants:
// - Deterministic: the same seed, config, engines (in the same state) and sequence of calls give
//   the same books, reports and results. Each venue and each purpose (price, dislocation, sizes,
//   taker flow) draws from its own derived RNG stream, so enabling taker flow on one venue does
//   not change any venue's price path.
// - The generator's two accounts (maker, taker) are unlimited ledger accounts; it only ever
//   cancels orders it placed itself.
// - Books are never crossed after a step (the matching engine guarantees it for any order flow).
import type { Side } from '../venues/types.js';
import { SimConfigError, isRecord, knownKeys, num, int, oneOf, optInt, optNum, record, str } from './check.js';
import type { BalanceView } from './ledger.js';
import type { LevelChange, MatchingEngine, OpResult, OrderReport, PositionView, Trade } from './matching.js';
import { Rng } from './rng.js';

export interface BasisConfig {
  /** Mean basis of this venue's price over the fair price, bps (perpetual premium). */
  readonly meanBps: number;
  /** Per-step noise of the basis, bps. Default 0. */
  readonly noiseBps?: number;
  /** Pull toward the mean per step, in (0, 1]. Default 0.1. */
  readonly reversion?: number;
}

export interface DislocationConfig {
  /** Probability that a dislocation starts on a step when none is active. */
  readonly probPerStep: number;
  /** How far the venue's quotes jump, in the venue's ticks. */
  readonly sizeTicks: number;
  /** How many steps it lasts. */
  readonly durationSteps: number;
  /** Direction of the jump. Default 'both' (random sign). */
  readonly direction?: 'up' | 'down' | 'both';
}

export interface LadderConfig {
  /** Levels per side. */
  readonly levels: number;
  /** Best ask - best bid, ticks (>= 1). */
  readonly spreadTicks: number;
  /** Distance between adjacent levels, ticks. Default 1. */
  readonly spacingTicks?: number;
  /** Size per level in lots: one number for all levels, or one per level (best first). */
  readonly sizeLots: number | readonly number[];
  /** Relative size jitter in [0, 1): a new order's size is size * (1 +- jitter). Default 0. */
  readonly sizeJitter?: number;
  /** Top a level up when the maker's resting quantity falls below this fraction of its size. Default 0.5. */
  readonly refillBelow?: number;
}

export interface TakerFlowConfig {
  readonly probPerStep: number;
  readonly minLots: number;
  readonly maxLots: number;
  /** 'market' (default) or 'ioc' at the opposite best +- slippageTicks. */
  readonly type?: 'market' | 'ioc';
  readonly slippageTicks?: number;
}

/** One instrument on one simulated venue, driven by the generator. */
export interface MarketVenueConfig {
  /** Key of the matching engine in the engines map. */
  readonly name: string;
  readonly lagSteps?: number;
  readonly noiseBps?: number;
  readonly noisePersistence?: number;
  readonly basis?: BasisConfig;
  readonly dislocation?: DislocationConfig;
  readonly ladder: LadderConfig;
  readonly taker?: TakerFlowConfig;
}

export interface MarketConfig {
  readonly seed: number | string;
  /** Initial fair price in quote currency (a decimal number, e.g. 64000). */
  readonly initialPrice: number;
  /** Standard deviation of the per-step fair return, bps. */
  readonly volBps: number;
  readonly driftBps?: number;
  /** Ledger account of the generator's resting quotes. Default 'mm'. */
  readonly makerAccount?: string;
  /** Ledger account of the random taker flow. Default 'flow'. */
  readonly takerAccount?: string;
  readonly venues: readonly MarketVenueConfig[];
}

export interface VenueStep {
  readonly name: string;
  readonly centerTicks: number;
  /** The maker's target best bid / ask this step (the book may differ where users quote better). */
  readonly quoteBidTicks: number;
  readonly quoteAskTicks: number;
  readonly basisBps: number;
  readonly noiseBps: number;
  /** Current dislocation offset in ticks (0 when none is active). */
  readonly dislocationTicks: number;
  readonly dislocationStarted: boolean;
  /** Update ids before and after all of this step's operations on the venue's book. */
  readonly prevUpdateId: number;
  readonly updateId: number;
  /** Merged level changes of the step (final quantity per touched level; unchanged ones dropped). */
  readonly levels: readonly LevelChange[];
  readonly trades: readonly Trade[];
  /** Reports of accounts other than the generator's (user orders hit by the flow). */
  readonly reports: readonly OrderReport[];
  readonly balances: readonly BalanceView[];
  readonly positions: readonly PositionView[];
  /** Operations and rejections of the generator's own orders this step. */
  readonly ops: number;
  readonly rejects: number;
}

export interface MarketStep {
  readonly step: number;
  readonly nowMs: number;
  readonly fairPrice: number;
  readonly venues: readonly VenueStep[];
}

export interface VenueStats {
  readonly name: string;
  dislocationsStarted: number;
  dislocatedSteps: number;
  ordersPlaced: number;
  cancels: number;
  takerOrders: number;
  trades: number;
  rejects: number;
}

// ---- validation ---------------------------------------------------------------------------------

interface VenueSpec {
  name: string;
  lag: number;
  noiseBps: number;
  persistence: number;
  basis: { mean: number; noise: number; reversion: number } | null;
  disl: { p: number; size: number; duration: number; direction: 'up' | 'down' | 'both' } | null;
  levels: number;
  spread: number;
  spacing: number;
  sizes: number[];
  jitter: number;
  refill: number;
  taker: { p: number; min: number; max: number; type: 'market' | 'ioc'; slip: number } | null;
}

const VENUE_KEYS = ['name', 'lagSteps', 'noiseBps', 'noisePersistence', 'basis', 'dislocation', 'ladder', 'taker'] as const;

function parseVenue(v: unknown, f: string): VenueSpec {
  const r = record(v, f);
  knownKeys(r, f, VENUE_KEYS);
  const name = str(r['name'], `${f}.name`);
  const lad = record(r['ladder'], `${f}.ladder`);
  knownKeys(lad, `${f}.ladder`, ['levels', 'spreadTicks', 'spacingTicks', 'sizeLots', 'sizeJitter', 'refillBelow']);
  const levels = int(lad['levels'], `${f}.ladder.levels`, 1, 1000);
  const sizeRaw = lad['sizeLots'];
  let sizes: number[];
  if (Array.isArray(sizeRaw)) {
    if (sizeRaw.length !== levels) throw new SimConfigError(`${f}.ladder.sizeLots`, `one size per level (${levels})`, sizeRaw);
    sizes = sizeRaw.map((s, i) => int(s, `${f}.ladder.sizeLots[${i}]`, 1));
  } else sizes = new Array<number>(levels).fill(int(sizeRaw, `${f}.ladder.sizeLots`, 1));
  let basis: VenueSpec['basis'] = null;
  if (r['basis'] !== undefined) {
    const b = record(r['basis'], `${f}.basis`);
    knownKeys(b, `${f}.basis`, ['meanBps', 'noiseBps', 'reversion']);
    basis = {
      mean: num(b['meanBps'], `${f}.basis.meanBps`, -5000, 5000),
      noise: optNum(b['noiseBps'], `${f}.basis.noiseBps`, 0, 0, 1000),
      reversion: optNum(b['reversion'], `${f}.basis.reversion`, 0.1, 0, 1, { minExclusive: true }),
    };
  }
  let disl: VenueSpec['disl'] = null;
  if (r['dislocation'] !== undefined) {
    const d = record(r['dislocation'], `${f}.dislocation`);
    knownKeys(d, `${f}.dislocation`, ['probPerStep', 'sizeTicks', 'durationSteps', 'direction']);
    disl = {
      p: num(d['probPerStep'], `${f}.dislocation.probPerStep`, 0, 1),
      size: int(d['sizeTicks'], `${f}.dislocation.sizeTicks`, 1),
      duration: int(d['durationSteps'], `${f}.dislocation.durationSteps`, 1),
      direction: oneOf(d['direction'], `${f}.dislocation.direction`, ['up', 'down', 'both'] as const, 'both'),
    };
  }
  let taker: VenueSpec['taker'] = null;
  if (r['taker'] !== undefined) {
    const t = record(r['taker'], `${f}.taker`);
    knownKeys(t, `${f}.taker`, ['probPerStep', 'minLots', 'maxLots', 'type', 'slippageTicks']);
    const min = int(t['minLots'], `${f}.taker.minLots`, 1);
    taker = {
      p: num(t['probPerStep'], `${f}.taker.probPerStep`, 0, 1),
      min,
      max: int(t['maxLots'], `${f}.taker.maxLots`, min),
      type: oneOf(t['type'], `${f}.taker.type`, ['market', 'ioc'] as const, 'market'),
      slip: optInt(t['slippageTicks'], `${f}.taker.slippageTicks`, 0, 0),
    };
  }
  return {
    name,
    lag: optInt(r['lagSteps'], `${f}.lagSteps`, 0, 0, 100_000),
    noiseBps: optNum(r['noiseBps'], `${f}.noiseBps`, 0, 0, 1000),
    persistence: optNum(r['noisePersistence'], `${f}.noisePersistence`, 0, 0, 0.999),
    basis,
    disl,
    levels,
    spread: int(lad['spreadTicks'], `${f}.ladder.spreadTicks`, 1),
    spacing: optInt(lad['spacingTicks'], `${f}.ladder.spacingTicks`, 1, 1),
    sizes,
    jitter: optNum(lad['sizeJitter'], `${f}.ladder.sizeJitter`, 0, 0, 0.99),
    refill: optNum(lad['refillBelow'], `${f}.ladder.refillBelow`, 0.5, 0, 1),
    taker,
  };
}

// ---- state --------------------------------------------------------------------------------------

class VenueState {
  readonly priceRng: Rng;
  readonly dislRng: Rng;
  readonly sizeRng: Rng;
  readonly takerRng: Rng;
  readonly tick: number;
  noise = 0;
  basis: number;
  dislRemaining = 0;
  dislOffset = 0;
  /** The maker's tracked orders per price (ids in placement order). */
  readonly bidQuotes = new Map<number, number[]>();
  readonly askQuotes = new Map<number, number[]>();
  readonly stats: VenueStats;

  constructor(
    readonly spec: VenueSpec,
    readonly engine: MatchingEngine,
    root: Rng,
  ) {
    const r = root.derive(`venue:${spec.name}`);
    this.priceRng = r.derive('price');
    this.dislRng = r.derive('dislocation');
    this.sizeRng = r.derive('size');
    this.takerRng = r.derive('taker');
    this.tick = engine.instrument.tick.stepValue;
    this.basis = spec.basis?.mean ?? 0;
    this.stats = { name: spec.name, dislocationsStarted: 0, dislocatedSteps: 0, ordersPlaced: 0, cancels: 0, takerOrders: 0, trades: 0, rejects: 0 };
  }
}

/** Collects one venue's operation results into a VenueStep. */
class StepMerge {
  prevUpdateId: number;
  updateId: number;
  /** Touched levels per side (price -> entry) and all entries in order of first change. */
  private readonly bidTouched = new Map<number, { side: Side; price: number; prev: number; qty: number }>();
  private readonly askTouched = new Map<number, { side: Side; price: number; prev: number; qty: number }>();
  private readonly order: { side: Side; price: number; prev: number; qty: number }[] = [];
  readonly trades: Trade[] = [];
  readonly reports: OrderReport[] = [];
  readonly balances = new Map<string, BalanceView>();
  readonly positions = new Map<string, PositionView>();
  ops = 0;
  rejects = 0;

  constructor(
    engine: MatchingEngine,
    private readonly ownAccounts: ReadonlySet<string>,
  ) {
    this.prevUpdateId = engine.updateId;
    this.updateId = engine.updateId;
  }

  add(r: OpResult, own: boolean): void {
    if (own) {
      this.ops++;
      if (!r.accepted) this.rejects++;
    }
    for (const c of r.levels) {
      const m = c.side === 'buy' ? this.bidTouched : this.askTouched;
      const t = m.get(c.priceTicks);
      if (t === undefined) {
        const e = { side: c.side, price: c.priceTicks, prev: c.prevQtyLots, qty: c.qtyLots };
        m.set(c.priceTicks, e);
        this.order.push(e);
      } else t.qty = c.qtyLots;
    }
    this.updateId = r.updateId;
    for (const t of r.trades) this.trades.push(t);
    if (!own || r.trades.length > 0) for (const rep of r.reports) if (!this.ownAccounts.has(rep.account)) this.reports.push(rep);
    for (const b of r.balances) this.balances.set(`${b.account}\u0000${b.asset}`, b);
    for (const p of r.positions) this.positions.set(`${p.account}\u0000${p.symbol}`, p);
  }

  levels(): LevelChange[] {
    const out: LevelChange[] = [];
    for (const t of this.order) if (t.qty !== t.prev) out.push({ side: t.side, priceTicks: t.price, qtyLots: t.qty, prevQtyLots: t.prev });
    return out;
  }
}

// ---- the generator ------------------------------------------------------------------------------

export class MarketGenerator {
  readonly makerAccount: string;
  readonly takerAccount: string;
  private readonly venues: VenueState[] = [];
  private readonly fairRng: Rng;
  private readonly volBps: number;
  private readonly driftBps: number;
  private readonly history: Float64Array;
  private readonly own: Set<string>;
  private fair: number;
  private stepNo = 0;

  constructor(config: MarketConfig, engines: ReadonlyMap<string, MatchingEngine> | Readonly<Record<string, MatchingEngine>>) {
    const c = record(config, 'market');
    knownKeys(c, 'market', ['seed', 'initialPrice', 'volBps', 'driftBps', 'makerAccount', 'takerAccount', 'venues']);
    const seed = c['seed'];
    if (!(typeof seed === 'string' && seed.length > 0) && !(typeof seed === 'number' && Number.isSafeInteger(seed))) throw new SimConfigError('market.seed', 'an integer or a non-empty string', seed);
    this.fair = num(c['initialPrice'], 'market.initialPrice', 0, Infinity, { minExclusive: true });
    this.volBps = num(c['volBps'], 'market.volBps', 0, 1000);
    this.driftBps = optNum(c['driftBps'], 'market.driftBps', 0, -100, 100);
    this.makerAccount = c['makerAccount'] === undefined ? 'mm' : str(c['makerAccount'], 'market.makerAccount');
    this.takerAccount = c['takerAccount'] === undefined ? 'flow' : str(c['takerAccount'], 'market.takerAccount');
    if (this.makerAccount === this.takerAccount) throw new SimConfigError('market.takerAccount', 'an account other than makerAccount', this.takerAccount);
    this.own = new Set([this.makerAccount, this.takerAccount]);
    const list = c['venues'];
    if (!Array.isArray(list) || list.length === 0) throw new SimConfigError('market.venues', 'a non-empty array of venues', list);
    const lookup = (name: string): MatchingEngine | undefined =>
      engines instanceof Map ? engines.get(name) : isRecord(engines) ? (Object.hasOwn(engines, name) ? (engines as Record<string, MatchingEngine>)[name] : undefined) : undefined;
    const root = new Rng(seed as number | string);
    this.fairRng = root.derive('fair');
    let maxLag = 0;
    const names = new Set<string>();
    list.forEach((v, i) => {
      const f = `market.venues[${i}]`;
      const spec = parseVenue(v, f);
      if (names.has(spec.name)) throw new SimConfigError(`${f}.name`, 'a name not used by another venue', spec.name);
      names.add(spec.name);
      const engine = lookup(spec.name);
      if (engine === undefined) throw new SimConfigError(`${f}.name`, 'the name of a matching engine passed to the generator', spec.name);
      const minQty = engine.instrument.minQtyLots;
      spec.sizes.forEach((s, j) => {
        if (s < minQty) throw new SimConfigError(`${f}.ladder.sizeLots${Array.isArray((v as MarketVenueConfig).ladder.sizeLots) ? `[${j}]` : ''}`, `at least the instrument's minimum quantity (${minQty} lots)`, s);
      });
      if (spec.taker !== null && spec.taker.min < minQty) throw new SimConfigError(`${f}.taker.minLots`, `at least the instrument's minimum quantity (${minQty} lots)`, spec.taker.min);
      const st = new VenueState(spec, engine, root);
      const center0 = Math.round(this.fair / st.tick);
      const deepest = center0 - Math.floor(spec.spread / 2) - (spec.levels - 1) * spec.spacing - (spec.disl?.size ?? 0);
      if (deepest < 1) throw new SimConfigError(`${f}.ladder`, `a ladder that fits above price 0 at the initial price (${center0} ticks)`, `${spec.levels} levels ${spec.spacing} ticks apart`);
      for (const acct of [this.makerAccount, this.takerAccount]) {
        const a = engine.ledger.account(acct);
        if (a === undefined) engine.ledger.openAccount(acct, { unlimited: true, forgetClosed: true });
        else if (!a.unlimited) throw new SimConfigError(acct === this.makerAccount ? 'market.makerAccount' : 'market.takerAccount', 'an unlimited ledger account (or a new id)', acct);
      }
      maxLag = Math.max(maxLag, spec.lag);
      this.venues.push(st);
    });
    this.history = new Float64Array(maxLag + 1).fill(this.fair);
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.stepNo;
  }

  get fairPrice(): number {
    return this.fair;
  }

  stats(): VenueStats[] {
    return this.venues.map((v) => ({ ...v.stats }));
  }

  /** Advances the process one step and re-quotes every venue. */
  step(nowMs: number): MarketStep {
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new RangeError(`market.step: nowMs must be a finite number, got ${String(nowMs)}`);
    const t = ++this.stepNo;
    const z = this.fairRng.normal();
    const next = this.fair * (1 + (this.driftBps + this.volBps * z) / 10_000);
    this.fair = next > 0 ? next : this.fair;
    this.history[t % this.history.length] = this.fair;
    const out: VenueStep[] = [];
    for (const v of this.venues) out.push(this.stepVenue(v, t, nowMs));
    return { step: t, nowMs, fairPrice: this.fair, venues: out };
  }

  private lagged(t: number, lag: number): number {
    // history holds fair(s) at index s % length for s in (t - length, t]; before step 0 -> fair(0).
    const s = t - lag < 0 ? 0 : t - lag;
    return this.history[s % this.history.length]!;
  }

  private stepVenue(v: VenueState, t: number, nowMs: number): VenueStep {
    const s = v.spec;
    const e = v.engine;
    // Price process.
    v.noise = s.noiseBps > 0 ? s.persistence * v.noise + s.noiseBps * v.priceRng.normal() : 0;
    if (s.basis !== null) v.basis += s.basis.reversion * (s.basis.mean - v.basis) + (s.basis.noise > 0 ? s.basis.noise * v.priceRng.normal() : 0);
    let started = false;
    if (v.dislRemaining > 0) v.dislRemaining--;
    if (v.dislRemaining === 0) {
      v.dislOffset = 0;
      if (s.disl !== null && v.dislRng.chance(s.disl.p)) {
        const up = s.disl.direction === 'up' || (s.disl.direction === 'both' && v.dislRng.chance(0.5));
        v.dislOffset = up ? s.disl.size : -s.disl.size;
        v.dislRemaining = s.disl.duration;
        v.stats.dislocationsStarted++;
        started = true;
      }
    }
    if (v.dislRemaining > 0) v.stats.dislocatedSteps++;
    const ref = this.lagged(t, s.lag);
    const raw = Math.round((ref * (1 + (v.basis + v.noise) / 10_000)) / v.tick) + v.dislOffset;
    const minCenter = Math.floor(s.spread / 2) + (s.levels - 1) * s.spacing + 1;
    const center = raw < minCenter ? minCenter : raw;
    const bestBid = center - Math.floor(s.spread / 2);
    const bestAsk = bestBid + s.spread;

    const merge = new StepMerge(e, this.own);
    // 1. Cancel quotes that left the ladder (both sides first, so new quotes never meet stale ones).
    this.cancelStale(v, merge, v.bidQuotes, bestBid, -s.spacing, nowMs);
    this.cancelStale(v, merge, v.askQuotes, bestAsk, s.spacing, nowMs);
    // 2. Top up missing or depleted levels, best first, bids then asks.
    this.topUp(v, merge, 'buy', v.bidQuotes, bestBid, -s.spacing, nowMs);
    this.topUp(v, merge, 'sell', v.askQuotes, bestAsk, s.spacing, nowMs);
    // 3. Random taker flow.
    if (s.taker !== null && v.takerRng.chance(s.taker.p)) {
      const side: Side = v.takerRng.chance(0.5) ? 'buy' : 'sell';
      const qty = v.takerRng.int(s.taker.min, s.taker.max);
      let r: OpResult;
      if (s.taker.type === 'market') r = e.place({ account: this.takerAccount, side, type: 'market', qtyLots: qty }, nowMs);
      else {
        const best = side === 'buy' ? e.bestAsk() : e.bestBid();
        const px = Number.isNaN(best) ? (side === 'buy' ? bestAsk : bestBid) : best;
        r = e.place({ account: this.takerAccount, side, type: 'ioc', priceTicks: side === 'buy' ? px + s.taker.slip : Math.max(1, px - s.taker.slip), qtyLots: qty }, nowMs);
      }
      v.stats.takerOrders++;
      merge.add(r, true);
    }
    v.stats.trades += merge.trades.length;
    v.stats.rejects += merge.rejects;
    return {
      name: s.name, centerTicks: center, quoteBidTicks: bestBid, quoteAskTicks: bestAsk, basisBps: v.basis, noiseBps: v.noise,
      dislocationTicks: v.dislOffset, dislocationStarted: started, prevUpdateId: merge.prevUpdateId, updateId: merge.updateId,
      levels: merge.levels(), trades: merge.trades, reports: merge.reports, balances: [...merge.balances.values()],
      positions: [...merge.positions.values()], ops: merge.ops, rejects: merge.rejects,
    };
  }

  /** Is `px` one of the ladder prices best, best + step, ... (levels of them)? */
  private inLadder(px: number, best: number, step: number, levels: number): boolean {
    const d = (px - best) / step;
    return d >= 0 && d < levels && Number.isInteger(d);
  }

  private cancelStale(v: VenueState, merge: StepMerge, quotes: Map<number, number[]>, best: number, step: number, nowMs: number): void {
    const e = v.engine;
    for (const [px, ids] of quotes) {
      const keep = this.inLadder(px, best, step, v.spec.levels);
      let w = 0;
      for (const id of ids) {
        if (e.openLeaves(id) === 0) continue;
        if (keep) ids[w++] = id;
        else {
          merge.add(e.cancel(this.makerAccount, { orderId: id }, nowMs), true);
          v.stats.cancels++;
        }
      }
      ids.length = w;
      if (w === 0) quotes.delete(px);
    }
  }

  private topUp(v: VenueState, merge: StepMerge, side: Side, quotes: Map<number, number[]>, best: number, step: number, nowMs: number): void {
    const s = v.spec;
    const e = v.engine;
    for (let i = 0; i < s.levels; i++) {
      const px = best + i * step;
      if (px < 1) break;
      const size = s.sizes[i]!;
      const ids = quotes.get(px);
      let resting = 0;
      if (ids !== undefined) for (const id of ids) resting += e.openLeaves(id);
      if (resting >= size * s.refill && resting > 0) continue;
      let target = size;
      if (s.jitter > 0) target = Math.max(e.instrument.minQtyLots, 1, Math.round(size * (1 + s.jitter * (2 * v.sizeRng.next() - 1))));
      const qty = target - resting;
      if (qty < Math.max(1, e.instrument.minQtyLots)) continue;
      const r = e.place({ account: this.makerAccount, side, type: 'limit', priceTicks: px, qtyLots: qty }, nowMs);
      merge.add(r, true);
      v.stats.ordersPlaced++;
      if (r.accepted && e.openLeaves(r.orderId) > 0) {
        if (ids === undefined) quotes.set(px, [r.orderId]);
        else ids.push(r.orderId);
      }
    }
  }
}
