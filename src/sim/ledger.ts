// The simulated venue's accounts: balances per asset, perpetual positions, client-order-id
// registry and venue order ids. One Ledger per simulated venue, shared by the matching engines of
// all its instruments. Pure: no I/O, no clocks.
//
// Units: every amount is an integer number of the asset's smallest unit, 10^-decimals of the
// asset (configured per asset: USDT with 8 decimals => 1 unit = 0.00000001 USDT). Integers stay
// exact in doubles up to 2^53 - 1; products that could exceed that go through `mulDiv`, which
// falls back to BigInt (the simulator is not on our engine's hot path).
//
// Invariants:
// - A Balance holds `total` and `locked`; `free = total - locked`. Locked amounts are exactly the
//   sum of what the account's open orders reserve plus, for perpetuals, position margin.
// - Accounts opened `unlimited` (the market generator's liquidity accounts) are never refused for
//   balance; their amounts are still booked (and may go negative) so totals stay conserved.
//   Accounts opened `forgetClosed` (the generator's, again) have their orders dropped by the
//   matching engines as soon as they close, so millions of re-quotes do not accumulate.
// - Conservation: every unit that leaves one account arrives in another account or in
//   `feesCollected` (fees are positive; a rebate is a negative fee paid out of the fee pool).
// - Client order ids: with scope 'open' (Binance, OKX) an id is unique among the account's open
//   orders and may be reused once its order is terminal; with scope 'lifetime' an id can never be
//   used twice by the account (the set grows for the ledger's lifetime).
// - Venue order ids are unique across the ledger's instruments and strictly increasing.
import { SimConfigError, int, isRecord, oneOf, optInt, record } from './check.js';

export type ClientIdScope = 'open' | 'lifetime';

export interface LedgerConfig {
  /** Asset -> number of decimals of its smallest unit (e.g. { BTC: 8, USDT: 8 }). */
  readonly assets: Readonly<Record<string, number>>;
  /** Uniqueness scope of client order ids (default 'open', as Binance and OKX). */
  readonly clientIdScope?: ClientIdScope;
  /** First venue order id handed out (default 1). */
  readonly firstOrderId?: number;
  /** Longest accepted client order id (default 64; venue formats are checked by protocol servers). */
  readonly maxClientIdLength?: number;
}

export interface AccountOptions {
  /** Never refused for balance (market-maker / taker-flow accounts). Default false. */
  readonly unlimited?: boolean;
  /**
   * Forget this account's orders as soon as they are closed (not queryable afterwards), so a
   * market generator's millions of quotes do not accumulate. Default false.
   */
  readonly forgetClosed?: boolean;
  /** Initial totals in asset units. */
  readonly balances?: Readonly<Record<string, number>>;
  /** Fee overrides for this account (parts per million of notional; negative = rebate). */
  readonly makerFeePpm?: number;
  readonly takerFeePpm?: number;
}

/** Amounts of one asset in one account, in asset units. */
export class Balance {
  total = 0;
  locked = 0;
  get free(): number {
    return this.total - this.locked;
  }
}

/**
 * A perpetual position of one account in one instrument.
 * `qtyLots` is signed (long > 0). `costUnits` is the signed entry notional of the open quantity
 * (same sign as qtyLots; 0 when flat) in units of the margin asset; average entry price =
 * |costUnits| / (|qtyLots| * quote units per tick-lot).
 */
export class Position {
  qtyLots = 0;
  costUnits = 0;
  /** Realized PnL (margin asset units), fees excluded. */
  realizedUnits = 0;
  /** Fees paid in this instrument (margin asset units; negative when rebates dominate). */
  feeUnits = 0;
  /** Margin reserved for the open position: ceil(|costUnits| / leverage). Part of `locked`. */
  marginUnits = 0;
}

export class Account {
  readonly balances = new Map<string, Balance>();
  readonly positions = new Map<string, Position>();
  /** Open orders' client ids -> venue order id. */
  readonly openClientIds = new Map<string, number>();
  /** Every client id ever used (scope 'lifetime' only). */
  readonly usedClientIds = new Set<string>();

  constructor(
    readonly id: string,
    readonly unlimited: boolean,
    readonly forgetClosed: boolean,
    readonly makerFeePpm: number | undefined,
    readonly takerFeePpm: number | undefined,
  ) {}

  balance(asset: string): Balance {
    let b = this.balances.get(asset);
    if (b === undefined) {
      b = new Balance();
      this.balances.set(asset, b);
    }
    return b;
  }

  position(symbol: string): Position {
    let p = this.positions.get(symbol);
    if (p === undefined) {
      p = new Position();
      this.positions.set(symbol, p);
    }
    return p;
  }
}

export interface BalanceView {
  readonly account: string;
  readonly asset: string;
  readonly total: number;
  readonly free: number;
  readonly locked: number;
}

export class Ledger {
  readonly clientIdScope: ClientIdScope;
  readonly maxClientIdLength: number;
  /** Fees collected by the venue per asset (rebates paid out are subtracted). */
  readonly feesCollected = new Map<string, number>();
  private readonly decimalsOf = new Map<string, number>();
  private readonly accounts = new Map<string, Account>();
  private nextId: number;

  constructor(config: LedgerConfig) {
    const c = record(config, 'ledger');
    const assets = record(c['assets'], 'ledger.assets');
    if (Object.keys(assets).length === 0) throw new SimConfigError('ledger.assets', 'at least one asset', assets);
    for (const [a, d] of Object.entries(assets)) {
      if (!/^[A-Za-z0-9._-]{1,32}$/.test(a)) throw new SimConfigError(`ledger.assets`, 'asset names of 1-32 letters, digits, . _ -', a);
      this.decimalsOf.set(a, int(d, `ledger.assets.${a}`, 0, 18));
    }
    this.clientIdScope = oneOf(c['clientIdScope'], 'ledger.clientIdScope', ['open', 'lifetime'] as const, 'open');
    this.nextId = optInt(c['firstOrderId'], 'ledger.firstOrderId', 1, 1);
    this.maxClientIdLength = optInt(c['maxClientIdLength'], 'ledger.maxClientIdLength', 64, 1, 1024);
  }

  hasAsset(asset: string): boolean {
    return this.decimalsOf.has(asset);
  }

  /** Decimals of an asset's unit (throws for an unknown asset). */
  decimals(asset: string): number {
    const d = this.decimalsOf.get(asset);
    if (d === undefined) throw new RangeError(`ledger: unknown asset ${asset}`);
    return d;
  }

  assets(): string[] {
    return [...this.decimalsOf.keys()];
  }

  /** Opens an account (throws if it exists or an option is malformed). */
  openAccount(id: string, opts: AccountOptions = {}): Account {
    if (typeof id !== 'string' || id.length === 0) throw new SimConfigError('account id', 'a non-empty string', id);
    if (this.accounts.has(id)) throw new SimConfigError(`accounts.${id}`, 'a new account id', 'an account that already exists');
    if (!isRecord(opts)) throw new SimConfigError(`accounts.${id}`, 'an options object', opts);
    const maker = opts.makerFeePpm === undefined ? undefined : int(opts.makerFeePpm, `accounts.${id}.makerFeePpm`, -1_000_000, 1_000_000);
    const taker = opts.takerFeePpm === undefined ? undefined : int(opts.takerFeePpm, `accounts.${id}.takerFeePpm`, -1_000_000, 1_000_000);
    const acct = new Account(id, opts.unlimited === true, opts.forgetClosed === true, maker, taker);
    if (opts.balances !== undefined) {
      for (const [asset, units] of Object.entries(record(opts.balances, `accounts.${id}.balances`))) {
        if (!this.hasAsset(asset)) throw new SimConfigError(`accounts.${id}.balances.${asset}`, `a known asset (${this.assets().join(', ')})`, asset);
        acct.balance(asset).total = int(units, `accounts.${id}.balances.${asset}`, 0);
      }
    }
    this.accounts.set(id, acct);
    return acct;
  }

  account(id: string): Account | undefined {
    return this.accounts.get(id);
  }

  hasAccount(id: string): boolean {
    return this.accounts.has(id);
  }

  accountIds(): string[] {
    return [...this.accounts.keys()];
  }

  /** Adds (or with a negative amount removes) units of an asset; removing more than free throws. */
  deposit(accountId: string, asset: string, units: number): BalanceView {
    const acct = this.accounts.get(accountId);
    if (acct === undefined) throw new RangeError(`ledger: unknown account ${accountId}`);
    if (!this.hasAsset(asset)) throw new RangeError(`ledger: unknown asset ${asset}`);
    if (!Number.isSafeInteger(units)) throw new RangeError(`ledger: deposit must be an integer number of units, got ${units}`);
    const b = acct.balance(asset);
    if (units < 0 && !acct.unlimited && b.free + units < 0) throw new RangeError(`ledger: withdrawal of ${-units} ${asset} exceeds free ${b.free}`);
    b.total += units;
    return this.balanceView(accountId, asset);
  }

  balanceView(accountId: string, asset: string): BalanceView {
    const acct = this.accounts.get(accountId);
    const b = acct?.balances.get(asset);
    return { account: accountId, asset, total: b?.total ?? 0, free: b?.free ?? 0, locked: b?.locked ?? 0 };
  }

  /** All non-zero balances of an account, assets in ledger order. */
  balancesOf(accountId: string): BalanceView[] {
    const acct = this.accounts.get(accountId);
    if (acct === undefined) return [];
    const out: BalanceView[] = [];
    for (const asset of this.decimalsOf.keys()) {
      const b = acct.balances.get(asset);
      if (b !== undefined && (b.total !== 0 || b.locked !== 0)) out.push(this.balanceView(accountId, asset));
    }
    return out;
  }

  /** Total of an asset over all accounts plus fees collected (conservation checks). */
  supply(asset: string): number {
    let s = this.feesCollected.get(asset) ?? 0;
    for (const a of this.accounts.values()) s += a.balances.get(asset)?.total ?? 0;
    return s;
  }

  /** Next venue order id (strictly increasing across the ledger's instruments). */
  allocateOrderId(): number {
    return this.nextId++;
  }

  /** True when the account may not use this client id now (see the scope rule in the header). */
  clientIdInUse(acct: Account, cid: string): boolean {
    return acct.openClientIds.has(cid) || (this.clientIdScope === 'lifetime' && acct.usedClientIds.has(cid));
  }

  registerClientId(acct: Account, cid: string, orderId: number): void {
    acct.openClientIds.set(cid, orderId);
    if (this.clientIdScope === 'lifetime') acct.usedClientIds.add(cid);
  }

  releaseClientId(acct: Account, cid: string, orderId: number): void {
    if (acct.openClientIds.get(cid) === orderId) acct.openClientIds.delete(cid);
  }

  collectFee(asset: string, units: number): void {
    if (units !== 0) this.feesCollected.set(asset, (this.feesCollected.get(asset) ?? 0) + units);
  }
}

// ---- exact integer arithmetic -------------------------------------------------------------------

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** floor(a * b / d) (roundUp = false) or ceil(a * b / d) for non-negative safe integers, exact. */
export function mulDiv(a: number, b: number, d: number, roundUp: boolean): number {
  if (a < 0 || b < 0 || d <= 0) throw new RangeError(`mulDiv: expects a, b >= 0 and d > 0 (got ${a}, ${b}, ${d})`);
  const p = a * b;
  if (p <= MAX_SAFE) {
    const r = p % d;
    const q = (p - r) / d;
    return roundUp && r !== 0 ? q + 1 : q;
  }
  const P = BigInt(a) * BigInt(b);
  const D = BigInt(d);
  let q = P / D;
  if (roundUp && q * D !== P) q += 1n;
  if (q > BigInt(MAX_SAFE)) throw new RangeError(`mulDiv: result exceeds 2^53 - 1 (${a} * ${b} / ${d})`);
  return Number(q);
}

/** Exact a * b for safe integers; throws when the product is not a safe integer. */
export function mulExact(a: number, b: number): number {
  const p = a * b;
  if (!Number.isSafeInteger(p)) throw new RangeError(`amount overflow: ${a} * ${b} exceeds 2^53 - 1`);
  return p;
}

export const PPM = 1_000_000;

/**
 * Fee in asset units on `amount` units at `ppm` parts per million. Rounded in the venue's favour:
 * a charge (ppm > 0) is rounded up, a rebate (ppm < 0) is rounded toward zero. Negative = rebate.
 */
export function feeUnits(amount: number, ppm: number): number {
  if (ppm === 0 || amount === 0) return 0;
  return ppm > 0 ? mulDiv(amount, ppm, PPM, true) : -mulDiv(amount, -ppm, PPM, false);
}
