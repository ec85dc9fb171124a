// The validated configuration of one xmc run (the YAML file after `validateConfig`).
//
// YAML keys are snake_case; these types are the normalised camelCase form. Every default is
// applied by the validator, so consumers never see `undefined` where a default exists.
//
// Invariants (guaranteed by validateConfig):
// - Decimal amounts (prices, quantities, fees, rates) are kept as the exact decimal strings the
//   file gave (YAML numbers are taken from their source text, never through a double).
// - Ids are unique within their section; every cross reference (pair -> instrument, instrument ->
//   venue / asset, pair -> fx, fx -> instrument) resolves.
// - No secret is held here: credentials are references (environment variable names or a file
//   path); `loadCredentials` reads them when needed.
import type { VenueId } from '../venues/types.js';

/** Units a base asset can be measured or quoted in. Mass units convert exactly via grams. */
export type QuantityUnit = 'coin' | 'gram' | 'kilogram' | 'troy_ounce' | 'ounce';

/** Grams per unit, exact decimal strings (1 troy ounce = 31.1034768 g; 1 avoirdupois oz = 28.349523125 g). */
export const GRAMS_PER_UNIT: Readonly<Record<Exclude<QuantityUnit, 'coin'>, string>> = Object.freeze({
  gram: '1',
  kilogram: '1000',
  troy_ounce: '31.1034768',
  ounce: '28.349523125',
});

export interface AssetConfig {
  readonly name: string;
  /** Decimals of the asset's integer unit (positions and residuals are counted in 10^-decimals). */
  readonly decimals: number;
  /** What one unit of the asset is ('coin' for crypto; 'gram' for gold measured in grams). */
  readonly unit: QuantityUnit;
}

/** One endpoint set of a venue link. URLs are validated (ws:// or wss://, http:// or https://). */
export interface Endpoint {
  /** WebSocket base (market data: as the venue's client expects it; required on market links). */
  readonly ws: string | null;
  /** REST base. */
  readonly rest: string;
  /** WebSocket order API (Binance `/ws-api/v3`, `/ws-fapi/v1`), or null. */
  readonly wsApi: string | null;
  /** Private stream base (OKX `/ws/v5/private`, Binance USD-M `/private`), or null. */
  readonly wsPrivate: string | null;
}

export interface LinkSet {
  readonly primary: Endpoint;
  /** A second live link (market data) or standby endpoint (orders), or null. */
  readonly backup: Endpoint | null;
}

/**
 * Where a venue's credentials come from. Never the secret itself:
 * - env: names of environment variables;
 * - file: a YAML/JSON file with `api_key`, `secret` (and `passphrase` on OKX), readable by its
 *   owner only (mode 0600 or 0400).
 */
export type CredentialsRef =
  | { readonly kind: 'env'; readonly apiKey: string; readonly secret: string; readonly passphrase: string | null }
  | { readonly kind: 'file'; readonly path: string };

export interface FeeConfig {
  /** Rates as decimal strings ('0.001' = 0.1 %); a negative maker fee is a rebate. */
  readonly maker: string;
  readonly taker: string;
}

export interface VenueConfig {
  readonly id: VenueId;
  readonly links: { readonly market: LinkSet; readonly orders: LinkSet };
  /** null = market data only (the venue cannot trade). */
  readonly credentials: CredentialsRef | null;
  readonly fees: FeeConfig;
  /** The venue publishes instrument metadata (Binance exchangeInfo, OKX instruments). */
  readonly instrumentsEndpoint: boolean;
}

export type InstrumentKind = 'spot' | 'perpetual' | 'future';
export type ContractType = 'linear' | 'inverse' | 'none';

/**
 * An instrument as configured. `tick`, `lot`, `minQty`, `minNotional` and `contract` may be left
 * out when the venue has an instruments endpoint (they are then filled from it, see
 * `resolveInstrument`); they are required when it has none (`tick`, `lot`, `minQty`, and
 * `contract` for derivatives).
 */
export interface InstrumentConfig {
  /** Config-local id used by pairs and FX sources (default `<venue>:<symbol>`). */
  readonly id: string;
  readonly venue: VenueId;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly base: string;
  readonly quote: string;
  /** Currency of the price (default: quote). */
  readonly currency: string;
  /** Unit the venue's price is quoted per and its quantity measured in (default: the base asset's unit). */
  readonly unit: QuantityUnit;
  readonly tick: string | null;
  readonly lot: string | null;
  readonly minQty: string | null;
  readonly minNotional: string | null;
  readonly contract: { readonly value: string; readonly currency: string; readonly type: ContractType } | null;
  /** Overrides the venue's fees for this instrument. */
  readonly fees: FeeConfig | null;
}

export type FxConfig =
  | {
      readonly id: string;
      /** Rate = units of `quote` per 1 `base` (USD/CNY 7.1: base USD, quote CNY). */
      readonly base: string;
      readonly quote: string;
      readonly source: 'config';
      readonly rate: string;
      /** When the rate was taken (epoch ms), or null (then it never expires). */
      readonly asOfMs: number | null;
      /** Freshness limit; Infinity when not set. */
      readonly maxAgeMs: number;
    }
  | {
      readonly id: string;
      readonly base: string;
      readonly quote: string;
      readonly source: 'feed';
      /** Instrument id whose mid price gives the rate. */
      readonly instrument: string;
      /** The instrument quotes `base` per `quote` (take 1 / mid). */
      readonly invert: boolean;
      readonly maxAgeMs: number;
    };

export type TriggerType = 'spread' | 'counter_price' | 'ratio';
export type OpenDirection = 'buy_a_sell_b' | 'buy_b_sell_a';
export type ExecutionMode = 'concurrent' | 'leader_follower';

export interface TriggerConfig {
  readonly type: TriggerType;
  /** Threshold unit: 'price' (quote currency per base unit) or 'bps'. */
  readonly unit: 'price' | 'bps';
  /** Open when the edge of a trade away from the position target is >= open. */
  readonly open: string;
  /** Close (trade toward the target) when the width at the closing prices is <= close. close < open. */
  readonly close: string;
  /** ratio: FX source id (required when the legs' currencies differ). */
  readonly fx: string | null;
  /** ratio: neutral value of A / (fx-and-unit-converted B). */
  readonly fairRatio: string;
}

/** What to do about one kind of leg failure. */
export interface LegRepairConfig {
  /** replenish the lagging leg, or unwind the excess on the filled venue. */
  readonly action: 'replenish' | 'unwind';
  readonly maxAttempts: number;
  /** Give up (and unwind / escalate) after this long. */
  readonly withinMs: number;
  /** Price band around the reference price for repair orders. */
  readonly bandBps: number;
}

export interface LeggingConfig {
  readonly reject: LegRepairConfig;
  readonly partialFill: LegRepairConfig;
  /**
   * An order of unknown outcome is always queried by client id first (never blindly re-sent);
   * `action` applies once the venue answered "not found" after the settle window.
   */
  readonly outcomeUnknown: LegRepairConfig;
  /** A post-only leader that would have taken liquidity. */
  readonly postOnlyBounce: LegRepairConfig;
  /** Leader-follower: no follower liquidity within the hedge band. */
  readonly noPrice: LegRepairConfig;
  readonly unwind: { readonly maxAttempts: number; readonly withinMs: number; readonly bandBps: number };
  /** Re-send an order query (same client id) when no answer came in this time. */
  readonly queryTimeoutMs: number;
  /** A "not found" answer is conclusive only this long after the order was sent (venue settle window). */
  readonly settleMs: number;
  /** After a risk denial or an empty band, wait this long before trying again. */
  readonly retryDelayMs: number;
  /** An order unresolved this long raises an alarm (once). */
  readonly unknownAlarmMs: number;
  /** Post-only bounce re-quote: at the passive top, or cross with an IOC. */
  readonly postOnlyReprice: 'passive' | 'cross';
  /** Trading state to enter when a repair fails. */
  readonly onRepairFailure: 'reducing' | 'halted';
}

export interface ExecutionConfig {
  readonly mode: ExecutionMode;
  /** leader_follower: which leg goes first ('auto' = the thinner book at decision time). */
  readonly leader: 'a' | 'b' | 'auto';
  /** leader_follower: the leader's order type (a resting leader is cancelled after leaderRestMs). */
  readonly leaderOrderType: 'ioc' | 'limit' | 'post_only';
  readonly leaderRestMs: number;
  /** IOC limit = the sized worst price +/- this budget. */
  readonly slippageBps: number;
  /** leader_follower: follower hedges are priced within the reference price +/- this band. */
  readonly hedgeBandBps: number;
  /** No answer to an order this long: the outcome is unknown and the order is queried. */
  readonly orderTimeoutMs: number;
  /** No answer to a cancel this long: the order is queried. */
  readonly cancelTimeoutMs: number;
}

export interface PairConfig {
  readonly id: string;
  /** Instrument ids. */
  readonly a: string;
  readonly b: string;
  readonly trigger: TriggerConfig;
  /** Base-asset amounts (decimal strings). */
  readonly sizePerTrade: string;
  readonly position: { readonly target: string; readonly max: string };
  readonly openDirections: readonly OpenDirection[];
  readonly sizing: { readonly edge: 'vwap' | 'marginal'; readonly maxLevels: number };
  readonly execution: ExecutionConfig;
  readonly legging: LeggingConfig;
  /** Set false to load a pair without trading it. */
  readonly enabled: boolean;
}

export type BreakerAction = 'reducing' | 'halted';

export interface RiskConfig {
  /** Largest single order, in quote currency notional (per order, any instrument). */
  readonly maxOrderNotional: string;
  /** Largest single order per base asset (asset -> amount). */
  readonly maxOrderQty: Readonly<Record<string, string>>;
  /** Largest absolute position per instrument id (instrument -> base amount). */
  readonly maxPositionPerInstrument: Readonly<Record<string, string>>;
  /** Largest absolute net position per asset across venues (asset -> amount). */
  readonly maxPositionPerAsset: Readonly<Record<string, string>>;
  /** Largest gross position per asset (sum of absolute positions across venues; asset -> amount). */
  readonly maxGrossPerAsset: Readonly<Record<string, string>>;
  /** Derivatives: initial margin in bps of notional (instrument id -> bps; 1000 = 10x leverage). */
  readonly initialMarginBps: Readonly<Record<string, number>>;
  /** Extra quote kept for fees in the spot balance check, bps of notional. */
  readonly feeHeadroomBps: number;
  /** Combos (two-leg trades) in flight at once. */
  readonly maxOpenPairs: number;
  /** An order's limit may not be further than this from the other venue's price. */
  readonly priceBandBps: number;
  readonly maxBookAgeMs: number;
  /** Largest venue-time skew between the two books of a pair. */
  readonly maxVenueSkewMs: number;
  /** Fraction of each venue's order-rate budget the engine may use. */
  readonly orderRateHeadroom: number;
  /** Free balance to keep per asset (asset -> amount). */
  readonly minFreeBalance: Readonly<Record<string, string>>;
  /**
   * Deny an order whose balance / margin check needs a venue balance not yet received from that
   * venue (default false: such a check passes until the venue's first balance arrives).
   */
  readonly requireKnownBalance: boolean;
  /** Each breaker moves trading to `action` (REDUCING or HALTED) when it trips. */
  readonly breakers: {
    readonly dailyLoss: { readonly limit: string; readonly currency: string; readonly action: BreakerAction };
    /**
     * Unhedged exposure per asset (net across venues beyond one lot of the pair's coarsest leg):
     * the longest time it may last, and its exposure x seconds budget (asset -> amount x s).
     */
    readonly unhedged: { readonly maxMs: number; readonly maxExposureSeconds: Readonly<Record<string, string>>; readonly action: BreakerAction };
    readonly rejectRate: { readonly maxRatio: number; readonly windowMs: number; readonly minOrders: number; readonly action: BreakerAction };
    readonly slippage: { readonly maxBps: number; readonly windowTrades: number; readonly action: BreakerAction };
    readonly ackLatency: { readonly maxMs: number; readonly consecutive: number; readonly action: BreakerAction };
  };
  readonly killSwitch: { readonly flatten: boolean; readonly bandBps: number };
}

export interface XmcConfig {
  readonly version: 1;
  readonly assets: Readonly<Record<string, AssetConfig>>;
  readonly venues: readonly VenueConfig[];
  readonly instruments: readonly InstrumentConfig[];
  readonly fx: readonly FxConfig[];
  readonly pairs: readonly PairConfig[];
  readonly risk: RiskConfig;
}
