// OKX v5 rate-limit budgets (PROTOCOLS.md 3.2, 3.3, 3.5, 3.8), as a pure model with injected time.
//
// OKX sends no usage header, so the client keeps its own count against the documented limits:
// - trading endpoints are limited per user ID + instrument ID, shared between REST and the WS
//   order API; place, amend and cancel have independent budgets;
// - new + amend orders are also capped per sub-account (1000 per 2 s, error 50061);
// - public REST (books, books-full, instruments) is limited per IP; the account balance read
//   (`GET /api/v5/account/balance`) per user ID;
// - WS: new connections 3 per second per IP; subscribe + unsubscribe + login 480 per hour per
//   connection.
//
// Each budget is a sliding log of the last `limit` grant times (a ring of doubles): a request is
// granted at `now` when fewer than `limit` grants fall inside (now - windowMs, now]. The sliding
// log never exceeds the venue's count in any window, whatever window alignment the venue uses.
// After a venue rate-limit answer (50011, 50061, 429) the budget is blocked until the window has
// passed (or the venue's Retry-After, if longer).
//
// Invariants: no clock is read here; every method takes `nowMs` from an injected clock and
// time is expected not to go backwards (a smaller `nowMs` is treated as equal to the last one).
// A grant never allocates; a budget for a new instrument is created on first use.

export class SlidingWindowBudget {
  readonly limit: number;
  readonly windowMs: number;
  private readonly times: Float64Array;
  private head = 0;        // index of the oldest grant in the ring
  private count = 0;
  private blockedUntil = 0;
  private lastNow = -Infinity;

  constructor(limit: number, windowMs: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
    this.limit = limit;
    this.windowMs = windowMs;
    this.times = new Float64Array(limit);
  }

  private clamp(nowMs: number): number {
    if (nowMs < this.lastNow) return this.lastNow;
    this.lastNow = nowMs;
    return nowMs;
  }

  private expire(now: number): void {
    while (this.count > 0 && this.times[this.head]! <= now - this.windowMs) {
      this.head = (this.head + 1) % this.limit;
      this.count--;
    }
  }

  /** Milliseconds to wait before one more request would be granted (0 = now). */
  waitMs(nowMs: number): number {
    const now = this.clamp(nowMs);
    this.expire(now);
    const block = this.blockedUntil > now ? this.blockedUntil - now : 0;
    const full = this.count >= this.limit ? this.times[this.head]! + this.windowMs - now : 0;
    return block > full ? block : full;
  }

  /** Grants remaining in the current window (ignores a block). */
  remaining(nowMs: number): number {
    const now = this.clamp(nowMs);
    this.expire(now);
    return this.limit - this.count;
  }

  /** Take one grant if available now; returns whether it was granted. */
  tryTake(nowMs: number): boolean {
    if (this.waitMs(nowMs) > 0) return false;
    this.take(this.lastNow);
    return true;
  }

  /** Record one grant unconditionally (used after a joint check of several budgets). */
  take(nowMs: number): void {
    const now = this.clamp(nowMs);
    this.expire(now);
    if (this.count === this.limit) {
      this.head = (this.head + 1) % this.limit;
      this.count--;
    }
    this.times[(this.head + this.count) % this.limit] = now;
    this.count++;
  }

  /** The venue said we are rate limited: refuse until the window passed (or retryAfterMs). */
  block(nowMs: number, retryAfterMs?: number): void {
    const now = this.clamp(nowMs);
    const until = now + Math.max(this.windowMs, retryAfterMs ?? 0);
    if (until > this.blockedUntil) this.blockedUntil = until;
  }
}

/** Endpoints with their own OKX budget. */
export type OkxEndpoint =
  | 'place'          // POST /api/v5/trade/order and WS op "order": per instrument
  | 'amend'          // POST /api/v5/trade/amend-order and WS "amend-order": per instrument
  | 'cancel'         // POST /api/v5/trade/cancel-order and WS "cancel-order": per instrument
  | 'query'          // GET /api/v5/trade/order: per instrument
  | 'books'          // GET /api/v5/market/books: per IP
  | 'books-full'     // GET /api/v5/market/books-full: per IP
  | 'instruments'    // GET /api/v5/public/instruments: per IP (+ instType)
  | 'balance'        // GET /api/v5/account/balance: per user ID
  | 'ws-connect'     // new WS connections: per IP
  | 'ws-subscribe';  // subscribe + unsubscribe + login: per connection

export interface OkxLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** The documented defaults. Live values can differ by VIP tier: pass overrides from config. */
export const OKX_DEFAULT_LIMITS: Readonly<Record<OkxEndpoint, OkxLimit>> = {
  place: { limit: 60, windowMs: 2000 },
  amend: { limit: 60, windowMs: 2000 },
  cancel: { limit: 60, windowMs: 2000 },
  query: { limit: 60, windowMs: 2000 },
  books: { limit: 40, windowMs: 2000 },
  'books-full': { limit: 10, windowMs: 2000 },
  // Not in PROTOCOLS.md; the OKX instruments page documents 20 requests per 2 s.
  instruments: { limit: 20, windowMs: 2000 },
  // Not in PROTOCOLS.md; the OKX "Get balance" page documents 10 requests per 2 s per user ID.
  balance: { limit: 10, windowMs: 2000 },
  'ws-connect': { limit: 3, windowMs: 1000 },
  'ws-subscribe': { limit: 480, windowMs: 3_600_000 },
};

/** Sub-account cap on new + amend orders (error 50061); rises with the fill ratio for VIP5+. */
export const OKX_SUBACCOUNT_ORDER_LIMIT: OkxLimit = { limit: 1000, windowMs: 2000 };

/**
 * All OKX budgets of one account (trading) and one IP (public), keyed by endpoint and key
 * (instId for trading endpoints, instType for instruments, connection id for ws-subscribe,
 * '' otherwise).
 */
export class OkxRateBudget {
  private readonly limits: Readonly<Record<OkxEndpoint, OkxLimit>>;
  private readonly budgets = new Map<OkxEndpoint, Map<string, SlidingWindowBudget>>();
  private readonly subAccount: SlidingWindowBudget;

  constructor(overrides: Partial<Record<OkxEndpoint, OkxLimit>> = {}, subAccount: OkxLimit = OKX_SUBACCOUNT_ORDER_LIMIT) {
    this.limits = { ...OKX_DEFAULT_LIMITS, ...overrides };
    this.subAccount = new SlidingWindowBudget(subAccount.limit, subAccount.windowMs);
  }

  /** The budget of one endpoint and key (created on first use). */
  budget(endpoint: OkxEndpoint, key = ''): SlidingWindowBudget {
    let byKey = this.budgets.get(endpoint);
    if (byKey === undefined) {
      byKey = new Map();
      this.budgets.set(endpoint, byKey);
    }
    let b = byKey.get(key);
    if (b === undefined) {
      const l = this.limits[endpoint];
      b = new SlidingWindowBudget(l.limit, l.windowMs);
      byKey.set(key, b);
    }
    return b;
  }

  private usesSubAccount(endpoint: OkxEndpoint): boolean {
    return endpoint === 'place' || endpoint === 'amend';
  }

  /** Milliseconds until one request to (endpoint, key) would be granted. */
  waitMs(endpoint: OkxEndpoint, key: string, nowMs: number): number {
    const own = this.budget(endpoint, key).waitMs(nowMs);
    if (!this.usesSubAccount(endpoint)) return own;
    const sub = this.subAccount.waitMs(nowMs);
    return own > sub ? own : sub;
  }

  /**
   * Take a grant for one request; returns 0 when granted, otherwise the milliseconds to wait
   * (nothing is taken then). Place and amend take from the sub-account cap too, atomically.
   */
  tryAcquire(endpoint: OkxEndpoint, key: string, nowMs: number): number {
    const wait = this.waitMs(endpoint, key, nowMs);
    if (wait > 0) return wait;
    this.budget(endpoint, key).take(nowMs);
    if (this.usesSubAccount(endpoint)) this.subAccount.take(nowMs);
    return 0;
  }

  /**
   * The venue answered with a rate-limit code for (endpoint, key). 50061 is the sub-account cap
   * and blocks every place/amend; other codes block the one budget.
   */
  onRateLimited(endpoint: OkxEndpoint, key: string, venueCode: string, nowMs: number, retryAfterMs?: number): void {
    if (venueCode === '50061' && this.usesSubAccount(endpoint)) this.subAccount.block(nowMs, retryAfterMs);
    else this.budget(endpoint, key).block(nowMs, retryAfterMs);
  }
}
