// Binance rate-limit budget (PROTOCOLS.md §1.8, §2.8): a pure model of the venue's counters, fed
// with what we send, the usage headers the venue returns (`X-MBX-USED-WEIGHT-<n><S|M|H|D>`,
// `X-MBX-ORDER-COUNT-<n><S|M|H|D>`), WS-API `rateLimits` arrays, and 429/418 answers with
// Retry-After. Time is injected (`nowMs`); nothing here reads a clock.
//
// Model: one counter per rule (REQUEST_WEIGHT / ORDERS / RAW_REQUESTS x interval), counting in
// fixed windows aligned to the interval (Binance resets its counters on interval boundaries).
// Invariants:
// - `count` never decreases inside a window: a venue header raises it to the venue's figure (the
//   venue's count is authoritative; our own in-flight requests may make ours higher), a new
//   window resets it to 0.
// - A request is allowed only if, for every rule, count + cost <= limit * headroom, and we are
//   not inside a ban / Retry-After period (`blockedUntilMs`).
// - REQUEST_WEIGHT limits are per IP, ORDERS per account: one budget per (IP, account) pair is
//   the owner's choice; this class does not share state.
import type { BinanceRateLimitRule } from './profile.js';

const UNIT_MS = { S: 1000, M: 60_000, H: 3_600_000, D: 86_400_000 } as const;
const INTERVAL_MS = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 } as const;

export interface RateCounter {
  readonly rule: BinanceRateLimitRule;
  readonly windowMs: number;
  windowStart: number;
  count: number;
}

export interface RateUsage {
  readonly type: BinanceRateLimitRule['rateLimitType'];
  readonly window: string;
  readonly count: number;
  readonly limit: number;
}

export class BinanceRateBudget {
  readonly counters: RateCounter[];
  /** No request may be sent before this time (418 ban / 429 Retry-After); 0 = not blocked. */
  blockedUntilMs = 0;
  /** Fraction of each limit we allow ourselves (keeps room for the venue's own accounting). */
  readonly headroom: number;

  constructor(rules: readonly BinanceRateLimitRule[], headroom = 0.9) {
    if (!(headroom > 0 && headroom <= 1)) throw new RangeError('headroom must be in (0, 1]');
    this.headroom = headroom;
    this.counters = rules.map((rule) => ({ rule, windowMs: INTERVAL_MS[rule.interval] * rule.intervalNum, windowStart: 0, count: 0 }));
  }

  /** Replaces the rules (e.g. the live ones from exchangeInfo), keeping counts of identical windows. */
  withRules(rules: readonly BinanceRateLimitRule[]): BinanceRateBudget {
    const b = new BinanceRateBudget(rules, this.headroom);
    b.blockedUntilMs = this.blockedUntilMs;
    for (const c of b.counters) {
      const old = this.counters.find((o) => o.rule.rateLimitType === c.rule.rateLimitType && o.windowMs === c.windowMs);
      if (old) {
        c.windowStart = old.windowStart;
        c.count = old.count;
      }
    }
    return b;
  }

  private roll(c: RateCounter, nowMs: number): void {
    const start = Math.floor(nowMs / c.windowMs) * c.windowMs;
    if (start !== c.windowStart) {
      c.windowStart = start;
      c.count = 0;
    }
  }

  private cost(c: RateCounter, weight: number, orders: number): number {
    switch (c.rule.rateLimitType) {
      case 'REQUEST_WEIGHT':
        return weight;
      case 'ORDERS':
        return orders;
      default:
        return 1; // RAW_REQUESTS: every request
    }
  }

  /** Milliseconds until a request of this cost may be sent (0 = now). */
  waitMs(weight: number, orders: number, nowMs: number): number {
    let wait = this.blockedUntilMs > nowMs ? this.blockedUntilMs - nowMs : 0;
    for (const c of this.counters) {
      this.roll(c, nowMs);
      const cost = this.cost(c, weight, orders);
      if (cost === 0) continue;
      if (c.count + cost > Math.floor(c.rule.limit * this.headroom)) {
        const untilNext = c.windowStart + c.windowMs - nowMs;
        if (untilNext > wait) wait = untilNext;
      }
    }
    return wait;
  }

  canSend(weight: number, orders: number, nowMs: number): boolean {
    return this.waitMs(weight, orders, nowMs) === 0;
  }

  /** Counts a request we are sending now. */
  record(weight: number, orders: number, nowMs: number): void {
    for (const c of this.counters) {
      this.roll(c, nowMs);
      c.count += this.cost(c, weight, orders);
    }
  }

  /**
   * Reads the usage headers of a response (any case; values may be arrays as in Node's
   * IncomingHttpHeaders). Unknown intervals are ignored.
   */
  onHeaders(headers: Readonly<Record<string, string | readonly string[] | undefined>>, nowMs: number): void {
    for (const name of Object.keys(headers)) {
      const lower = name.toLowerCase();
      let type: 'REQUEST_WEIGHT' | 'ORDERS';
      let rest: string;
      if (lower.startsWith('x-mbx-used-weight-')) {
        type = 'REQUEST_WEIGHT';
        rest = lower.slice(18);
      } else if (lower.startsWith('x-mbx-order-count-')) {
        type = 'ORDERS';
        rest = lower.slice(18);
      } else continue;
      const m = /^(\d+)([smhd])$/.exec(rest);
      if (m === null) continue;
      const raw = headers[name];
      const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
      if (typeof v !== 'string' || !/^\s*\d+\s*$/.test(v)) continue;
      const windowMs = Number(m[1]) * UNIT_MS[m[2]!.toUpperCase() as keyof typeof UNIT_MS];
      this.observe(type, windowMs, Number(v), nowMs);
    }
  }

  /** Reads a WS-API `rateLimits` array (`{rateLimitType, interval, intervalNum, limit, count}`). */
  onRateLimits(list: readonly { rateLimitType: string; interval: string; intervalNum: number; count: number }[], nowMs: number): void {
    for (const r of list) {
      const unit = INTERVAL_MS[r.interval as keyof typeof INTERVAL_MS];
      if (unit === undefined || (r.rateLimitType !== 'REQUEST_WEIGHT' && r.rateLimitType !== 'ORDERS' && r.rateLimitType !== 'RAW_REQUESTS')) continue;
      if (!Number.isSafeInteger(r.count) || r.count < 0) continue;
      this.observe(r.rateLimitType, unit * r.intervalNum, r.count, nowMs);
    }
  }

  private observe(type: BinanceRateLimitRule['rateLimitType'], windowMs: number, count: number, nowMs: number): void {
    for (const c of this.counters) {
      if (c.rule.rateLimitType !== type || c.windowMs !== windowMs) continue;
      this.roll(c, nowMs);
      if (count > c.count) c.count = count;
    }
  }

  /**
   * A 429 or 418 answer: block until Retry-After (ms, from the header or the WS-API retryAfter).
   * Without one, block until the end of the current minute (429) or for 2 minutes (418, the
   * shortest documented ban).
   */
  onLimited(status: 429 | 418, retryAfterMs: number | undefined, nowMs: number): void {
    const fallback = status === 418 ? 120_000 : 60_000 - (nowMs % 60_000);
    const until = nowMs + (retryAfterMs !== undefined && retryAfterMs >= 0 ? retryAfterMs : fallback);
    if (until > this.blockedUntilMs) this.blockedUntilMs = until;
  }

  usage(nowMs: number): RateUsage[] {
    return this.counters.map((c) => {
      this.roll(c, nowMs);
      return { type: c.rule.rateLimitType, window: `${c.rule.intervalNum}${c.rule.interval[0]}`, count: c.count, limit: c.rule.limit };
    });
  }
}
