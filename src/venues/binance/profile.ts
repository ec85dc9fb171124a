// What differs between Binance spot and USD-M futures where the protocols are otherwise the same:
// base URLs (2026 forms), REST paths, WS-API method names, post-only spelling, client-id format,
// REST weights. One immutable profile per venue lives in src/venues/binance-spot/endpoints.ts and
// src/venues/binance-usdm/endpoints.ts; the shared request builders and mappers take a profile.

export interface BinanceProfile {
  readonly venue: 'binance-spot' | 'binance-usdm';
  readonly futures: boolean;
  /** REST base (no trailing slash). */
  readonly restBase: string;
  /** Trading WebSocket API URL. */
  readonly wsApiUrl: string;
  readonly paths: {
    readonly order: string;
    readonly depth: string;
    readonly exchangeInfo: string;
    readonly serverTime: string;
    readonly openOrders: string;
    /** Signed balance fetch: spot `GET /api/v3/account`, USD-M `GET /fapi/v3/balance`. */
    readonly balance: string;
  };
  /** Valid REST depth-snapshot limits, ascending, and the weight of each. */
  readonly depthLimits: readonly (readonly [limit: number, weight: number])[];
  /** REST weights (REQUEST_WEIGHT) of our calls; orders also count 1 on every ORDERS limit. */
  readonly weights: { readonly newOrder: number; readonly cancelOrder: number; readonly queryOrder: number; readonly exchangeInfo: number; readonly balance: number };
  /** Client-order-id format documented for this venue. */
  readonly clientIdPattern: RegExp;
  /** Default limits from the docs' examples (read the live ones from exchangeInfo at runtime). */
  readonly defaultRateLimits: readonly BinanceRateLimitRule[];
  /** Default user-data events requested on the /private route (USD-M only). */
  readonly privateEvents: readonly string[];
}

export interface BinanceRateLimitRule {
  readonly rateLimitType: 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS';
  readonly interval: 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';
  readonly intervalNum: number;
  readonly limit: number;
}

/** The smallest documented depth limit >= wanted (or the largest), with its weight. */
export function depthLimitFor(p: BinanceProfile, wanted: number): readonly [number, number] {
  for (const row of p.depthLimits) if (row[0] >= wanted) return row;
  return p.depthLimits[p.depthLimits.length - 1]!;
}
