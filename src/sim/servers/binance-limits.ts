// Rate limits of the simulated Binance venues (PROTOCOLS.md §1.8, §2.8): REQUEST_WEIGHT per IP
// in fixed windows, ORDERS per account in fixed windows, 429 with Retry-After when a limit is
// broken, and an IP ban (418, Retry-After = ban length) for a client that keeps sending while it
// was told to wait. Time comes from the SimClock (a ManualClock makes windows deterministic).
//
// Invariants:
// - Windows are aligned to their interval (a minute window starts at a whole minute of venue
//   time), as Binance resets its counters on interval boundaries.
// - Every request's weight is counted, including rejected ones; the count reported in
//   X-MBX-USED-WEIGHT-1M is the count after this request.
// - A 429 starts a back-off until the Retry-After time; any request from that IP before then is
//   answered 418 and bans the IP. Ban length starts at `banMs` and doubles per ban (capped at
//   3 days, as documented "2 minutes to 3 days"); banned requests are answered 418 with the
//   remaining time.
import type { SimClock } from '../clock.js';
import { bErr, type BinanceError } from './binance-auth.js';

export interface RateRule {
  readonly rateLimitType: 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS';
  readonly interval: 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';
  readonly intervalNum: number;
  readonly limit: number;
}

const INTERVAL_MS = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 } as const;
const LETTER = { SECOND: 'S', MINUTE: 'M', HOUR: 'H', DAY: 'D' } as const;
const MAX_BAN_MS = 3 * 86_400_000;

export function ruleWindowMs(r: RateRule): number {
  return INTERVAL_MS[r.interval] * r.intervalNum;
}

/** `1M`, `10S`, `1D` as in the header names. */
export function ruleSuffix(r: RateRule): string {
  return `${r.intervalNum}${LETTER[r.interval]}`;
}

function intervalText(r: RateRule): string {
  return `${r.intervalNum} ${r.interval}`;
}

class Counter {
  start = -1;
  count = 0;
  constructor(readonly rule: RateRule) {}
  roll(now: number): void {
    const w = ruleWindowMs(this.rule);
    const s = Math.floor(now / w) * w;
    if (s !== this.start) {
      this.start = s;
      this.count = 0;
    }
  }
  end(): number {
    return this.start + ruleWindowMs(this.rule);
  }
}

interface IpState {
  weight: Counter[];
  backoffUntil: number;
  bannedUntil: number;
  bans: number;
}

export interface LimitRejection extends BinanceError {
  readonly retryAfterSec: number;
  /** Epoch ms until which the client must wait (WS-API `retryAfter`). */
  readonly retryAfterMs: number;
}

export class BinanceLimiter {
  private readonly ips = new Map<string, IpState>();
  private readonly accounts = new Map<string, Counter[]>();
  readonly weightRules: RateRule[];
  readonly orderRules: RateRule[];

  constructor(
    readonly rules: readonly RateRule[],
    private readonly clock: SimClock,
    readonly banMs = 120_000,
  ) {
    this.weightRules = rules.filter((r) => r.rateLimitType === 'REQUEST_WEIGHT');
    this.orderRules = rules.filter((r) => r.rateLimitType === 'ORDERS');
  }

  private ip(ip: string): IpState {
    let s = this.ips.get(ip);
    if (s === undefined) {
      s = { weight: this.weightRules.map((r) => new Counter(r)), backoffUntil: 0, bannedUntil: 0, bans: 0 };
      this.ips.set(ip, s);
    }
    return s;
  }

  private ban(s: IpState, now: number): LimitRejection {
    const len = Math.min(MAX_BAN_MS, this.banMs * 2 ** s.bans);
    s.bans++;
    s.bannedUntil = now + len;
    s.backoffUntil = 0;
    return this.banned(s, now);
  }

  private banned(s: IpState, now: number): LimitRejection {
    return {
      ...bErr(418, -1003, `Way too much request weight used; IP banned until ${s.bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`),
      retryAfterSec: Math.max(1, Math.ceil((s.bannedUntil - now) / 1000)),
      retryAfterMs: s.bannedUntil,
    };
  }

  /**
   * Counts a request of `weight` from `ip`. Returns a rejection (418 ban, or 429 over the weight
   * limit) or null when the request may proceed.
   */
  request(ip: string, weight: number): LimitRejection | null {
    const now = this.clock.now();
    const s = this.ip(ip);
    if (now < s.bannedUntil) return this.banned(s, now);
    if (now < s.backoffUntil) return this.ban(s, now);
    for (const c of s.weight) {
      c.roll(now);
      c.count += weight;
    }
    for (const c of s.weight) {
      if (c.count > c.rule.limit) {
        s.backoffUntil = c.end();
        return {
          ...bErr(429, -1003, `Too much request weight used; current limit is ${c.rule.limit} request weight per ${intervalText(c.rule)}. Please use WebSocket Streams for live updates to avoid polling the API.`),
          retryAfterSec: Math.max(1, Math.ceil((c.end() - now) / 1000)),
          retryAfterMs: c.end(),
        };
      }
    }
    return null;
  }

  /** Counts one new order of `account` (from `ip`); a rejection when an ORDERS limit is broken. */
  order(ip: string, account: string): LimitRejection | null {
    const now = this.clock.now();
    let cs = this.accounts.get(account);
    if (cs === undefined) {
      cs = this.orderRules.map((r) => new Counter(r));
      this.accounts.set(account, cs);
    }
    for (const c of cs) c.roll(now);
    for (const c of cs) {
      if (c.count + 1 > c.rule.limit) {
        this.ip(ip).backoffUntil = c.end();
        return {
          ...bErr(429, -1015, `Too many new orders; current limit is ${c.rule.limit} orders per ${intervalText(c.rule)}.`),
          retryAfterSec: Math.max(1, Math.ceil((c.end() - now) / 1000)),
          retryAfterMs: c.end(),
        };
      }
    }
    for (const c of cs) c.count++;
    return null;
  }

  /** An injected 429 (fault): the IP must wait `retryAfterMs`; ignoring it gets a ban. */
  force429(ip: string, retryAfterMs: number): LimitRejection {
    const now = this.clock.now();
    const s = this.ip(ip);
    s.backoffUntil = now + retryAfterMs;
    const lim = this.weightRules[0];
    return {
      ...bErr(429, -1003, `Too much request weight used; current limit is ${lim?.limit ?? 0} request weight per ${lim ? intervalText(lim) : '1 MINUTE'}. Please use WebSocket Streams for live updates to avoid polling the API.`),
      retryAfterSec: Math.max(1, Math.ceil(retryAfterMs / 1000)),
      retryAfterMs: now + retryAfterMs,
    };
  }

  /** `X-MBX-USED-WEIGHT-<n><S|M|H|D>` headers for an IP. */
  weightHeaders(ip: string, into: Record<string, string>): void {
    const now = this.clock.now();
    const s = this.ip(ip);
    for (const c of s.weight) {
      c.roll(now);
      into[`X-MBX-USED-WEIGHT-${ruleSuffix(c.rule)}`] = String(c.count);
    }
  }

  /** `X-MBX-ORDER-COUNT-<n><S|M|H|D>` headers for an account. */
  orderHeaders(account: string, into: Record<string, string>): void {
    const now = this.clock.now();
    const cs = this.accounts.get(account) ?? this.orderRules.map((r) => new Counter(r));
    for (const c of cs) {
      c.roll(now);
      into[`X-MBX-ORDER-COUNT-${ruleSuffix(c.rule)}`] = String(c.count);
    }
  }

  /** The WS-API `rateLimits` array (weight of the IP; with orders of the account when given). */
  rateLimits(ip: string, account: string | null): { rateLimitType: string; interval: string; intervalNum: number; limit: number; count: number }[] {
    const now = this.clock.now();
    const out: { rateLimitType: string; interval: string; intervalNum: number; limit: number; count: number }[] = [];
    if (account !== null) {
      const cs = this.accounts.get(account) ?? this.orderRules.map((r) => new Counter(r));
      for (const c of cs) {
        c.roll(now);
        out.push({ rateLimitType: 'ORDERS', interval: c.rule.interval, intervalNum: c.rule.intervalNum, limit: c.rule.limit, count: c.count });
      }
    }
    for (const c of this.ip(ip).weight) {
      c.roll(now);
      out.push({ rateLimitType: 'REQUEST_WEIGHT', interval: c.rule.interval, intervalNum: c.rule.intervalNum, limit: c.rule.limit, count: c.count });
    }
    return out;
  }
}
