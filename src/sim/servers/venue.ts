// The protocol-independent state of one simulated venue: its ledger, one matching engine per
// instrument, the API credentials of its user accounts, and the fan-out of every book operation
// (user orders, market-generator steps, fault-injected flow) to the venue's protocol server.
//
// Invariants:
// - Every operation on an engine of this venue goes through `place` / `cancel` / `cancelAll` /
//   `marketStep` here, so every listener sees every change exactly once, in engine order.
// - User accounts are limited ledger accounts; the generator's accounts ('mm', 'flow') and the
//   fault account ('sim-faults') are unlimited and never hold credentials, so no client can see
//   their reports.
// - Pure bookkeeping on top of the pure matching engine: time comes from the injected SimClock;
//   no timers, no sockets here.
import type { Instrument } from '../../core/instrument.js';
import type { InstrumentSpec, Side } from '../../venues/types.js';
import type { SimClock } from '../clock.js';
import type { FaultController } from '../faults.js';
import type { BalanceView, Ledger } from '../ledger.js';
import { mulDiv } from '../ledger.js';
import type { VenueStep } from '../market.js';
import type { LevelChange, MatchingEngine, OpResult, OrderRef, OrderReport, PlaceRequest, PositionView, Trade } from '../matching.js';

export type VenueProtocol = 'binance-spot' | 'binance-usdm' | 'okx';

export interface SimInstrument {
  readonly symbol: string;
  readonly spec: InstrumentSpec;
  readonly engine: MatchingEngine;
  readonly ins: Instrument;
  /** Key of the engine in the market generator's engine map: `<venue>/<symbol>`. */
  readonly engineKey: string;
  /** OKX `instIdCode` (integer id of the instrument for the 2026 WS order API). */
  readonly code: number;
}

export interface SimCredentials {
  /** Ledger account id. */
  readonly account: string;
  readonly apiKey: string;
  /** HMAC secret (Binance `secret`, OKX `secretKey`). */
  readonly secret: string;
  /** OKX passphrase ('' on Binance). */
  readonly passphrase: string;
}

/** What one operation changed (an engine OpResult or a merged generator step). */
export interface OpView {
  readonly prevUpdateId: number;
  readonly updateId: number;
  readonly levels: readonly LevelChange[];
  readonly trades: readonly Trade[];
  readonly reports: readonly OrderReport[];
  readonly balances: readonly BalanceView[];
  readonly positions: readonly PositionView[];
}

export type OpSource = 'user' | 'market' | 'fault';
export type OpListener = (inst: SimInstrument, op: OpView, source: OpSource) => void;

export const FAULT_ACCOUNT = 'sim-faults';

export class VenueCore {
  private readonly bySymbol = new Map<string, SimInstrument>();
  private readonly byCode = new Map<number, SimInstrument>();
  private readonly byKey = new Map<string, SimCredentials>();
  private readonly listeners: OpListener[] = [];

  constructor(
    readonly name: string,
    readonly protocol: VenueProtocol,
    readonly clock: SimClock,
    readonly faults: FaultController,
    readonly ledger: Ledger,
    readonly instruments: readonly SimInstrument[],
    readonly credentials: readonly SimCredentials[],
  ) {
    for (const i of instruments) {
      this.bySymbol.set(i.symbol, i);
      this.byCode.set(i.code, i);
    }
    for (const c of credentials) this.byKey.set(c.apiKey, c);
    if (!ledger.hasAccount(FAULT_ACCOUNT)) ledger.openAccount(FAULT_ACCOUNT, { unlimited: true });
  }

  instrument(symbol: string): SimInstrument | undefined {
    return this.bySymbol.get(symbol);
  }

  instrumentByCode(code: number): SimInstrument | undefined {
    return this.byCode.get(code);
  }

  credentialsFor(apiKey: string): SimCredentials | undefined {
    return this.byKey.get(apiKey);
  }

  onOp(l: OpListener): void {
    this.listeners.push(l);
  }

  private emit(inst: SimInstrument, op: OpView, source: OpSource): void {
    for (const l of this.listeners) l(inst, op, source);
  }

  place(inst: SimInstrument, req: PlaceRequest): OpResult {
    const r = inst.engine.place(req, this.clock.now());
    this.emit(inst, r, 'user');
    return r;
  }

  cancel(inst: SimInstrument, account: string, ref: OrderRef): OpResult {
    const r = inst.engine.cancel(account, ref, this.clock.now());
    this.emit(inst, r, 'user');
    return r;
  }

  cancelAll(inst: SimInstrument, account: string): OpResult {
    const r = inst.engine.cancelAll(account, this.clock.now());
    this.emit(inst, r, 'user');
    return r;
  }

  /** Publishes one generator step of this venue's instrument. */
  marketStep(inst: SimInstrument, step: VenueStep): void {
    this.emit(inst, step, 'market');
  }

  /** Balances of an account (all assets with a non-zero amount). */
  balances(account: string): BalanceView[] {
    return this.ledger.balancesOf(account);
  }

  // ---- partial-fill fault helpers ---------------------------------------------------------------

  /**
   * Before a taker order of `side` with limit `limitTicks` (NaN for a market order: the engine's
   * protection price) is matched, lets the fault account take opposite liquidity so that only
   * `keepLots` remain within the limit. Returns the lots taken (0 when nothing was needed).
   */
  frontRun(inst: SimInstrument, side: Side, limitTicks: number, keepLots: number): number {
    const e = inst.engine;
    const isBuy = side === 'buy';
    const best = isBuy ? e.bestAsk() : e.bestBid();
    if (Number.isNaN(best)) return 0;
    let limit = limitTicks;
    if (Number.isNaN(limit)) {
      limit = isBuy ? mulDiv(best, 10_000 + e.marketProtectionBps, 10_000, false) : Math.max(1, mulDiv(best, 10_000 - e.marketProtectionBps, 10_000, true));
    }
    const snap = e.snapshot();
    let avail = 0;
    for (const [px, q] of isBuy ? snap.asks : snap.bids) {
      if (isBuy ? px > limit : px < limit) break;
      avail += q;
    }
    const take = avail - keepLots;
    if (take <= 0) return 0;
    const r = e.place({ account: FAULT_ACCOUNT, side, type: 'ioc', priceTicks: limit, qtyLots: take }, this.clock.now());
    this.emit(inst, r, 'fault');
    return take;
  }

  /**
   * Fills `lots` of a resting order (it just arrived, so it is last in its level): the fault
   * account sends an opposite IOC at the order's price for everything ahead of it plus `lots`.
   */
  hitResting(inst: SimInstrument, orderId: number, lots: number): number {
    const e = inst.engine;
    const o = e.inspect(orderId);
    if (o === null || o.leavesQtyLots <= 0 || o.type === 'market') return 0;
    const isBuy = o.side === 'buy';
    const snap = e.snapshot();
    let ahead = 0;
    for (const [px, q] of isBuy ? snap.bids : snap.asks) {
      if (isBuy ? px <= o.priceTicks : px >= o.priceTicks) break;
      ahead += q;
    }
    ahead += e.levelQty(o.side, o.priceTicks) - o.leavesQtyLots;
    const qty = ahead + Math.min(lots, o.leavesQtyLots);
    if (qty <= 0) return 0;
    const r = e.place({ account: FAULT_ACCOUNT, side: isBuy ? 'sell' : 'buy', type: 'ioc', priceTicks: o.priceTicks, qtyLots: qty }, this.clock.now());
    this.emit(inst, r, 'fault');
    return qty;
  }
}

/** floor(fraction * qty), at least 1 and below qty (0 when qty < 2). */
export function partialLots(qtyLots: number, fraction: number): number {
  if (qtyLots < 2) return 0;
  const q = Math.floor(qtyLots * fraction);
  return q < 1 ? 1 : q >= qtyLots ? qtyLots - 1 : q;
}
