// The embedded default configuration: runs against the simulator's default venues (src/sim,
// `startSim()` with no config) without any file.
//
// - Venues and instruments are the simulator's defaults: Binance-spot-like BTCUSDT (tick 0.01,
//   lot 0.00001, min notional 5), OKX-like BTC-USDT (tick 0.1, lot 0.00000001) and BTC-USDT-SWAP
//   (tick 0.1, lot 0.01 contract of 0.01 BTC), Binance-USD-M-like BTCUSDT perpetual (tick 0.10,
//   lot 0.001, min notional 100), with the simulator's fee rates. Instrument metadata is complete
//   in the file, so nothing has to be fetched; where the venue's endpoint is read anyway it must
//   agree.
// - The simulator listens on ephemeral ports: the loopback URLs below are placeholders that
//   `xmc demo` replaces with the running simulator's URLs (`withVenueEndpoints`). Credentials come
//   from environment variables the demo sets from the simulator's generated keys.
// - Pairs (thresholds chosen against the simulator's market: BTC near 64,000 USDT, OKX spot
//   dislocations of +-160 USDT lasting ~2 s, perpetual basis ~3-4 bps):
//   * btc-spot-cross: Binance spot vs OKX spot, counter_price net of both taker fees (0.1 % + 0.1 %,
//     ~128 USDT/BTC): opens when the executable VWAP edge after fees is >= 10 USDT per BTC, closes
//     (rebalances toward the target) when the reverse trade earns >= 5 USDT per BTC after fees.
//   * btc-basis-okx: OKX spot vs OKX perpetual, gross spread (perp bid - spot ask): opens (buy
//     spot, sell perp) when the basis is >= 100 USDT, closes when the perp ask - spot bid is
//     <= 30 USDT (the normal basis is ~19 USDT). Note: round-trip taker fees (~192 USDT/BTC) exceed
//     the simulator's 160 USDT dislocations, so this pair trades the windows but loses the fees
//     unless the simulator's dislocations are made larger.
//   * btc-basis-binance: Binance spot vs Binance USD-M perpetual, disabled (the simulator has no
//     dislocations there); set `enabled: true` to trade it.
import type { XmcConfig } from './types.js';
import { loadConfigText } from './load.js';

export const DEFAULT_CONFIG_SOURCE = '(embedded default configuration)';

export const DEFAULT_CONFIG_YAML = `# xmc configuration (embedded default: the simulator's venues)
version: 1

assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 9 }   # OKX spot: tick 0.1 x lot 1e-8 = 1e-9 USDT

venues:
  binance-spot:
    links:
      market:
        primary: { ws: "ws://127.0.0.1:18401", rest: "http://127.0.0.1:18401" }
      orders:
        primary: { rest: "http://127.0.0.1:18401", ws_api: "ws://127.0.0.1:18401/ws-api/v3" }
    credentials:
      api_key: { env: XMC_BINANCE_SPOT_API_KEY }
      secret: { env: XMC_BINANCE_SPOT_SECRET }
    fees: { maker: "0.001", taker: "0.001" }
  okx:
    links:
      market:
        primary: { ws: "ws://127.0.0.1:18402/ws/v5/public", rest: "http://127.0.0.1:18402" }
      orders:
        primary: { rest: "http://127.0.0.1:18402", ws_private: "ws://127.0.0.1:18402/ws/v5/private" }
    credentials:
      api_key: { env: XMC_OKX_API_KEY }
      secret: { env: XMC_OKX_SECRET }
      passphrase: { env: XMC_OKX_PASSPHRASE }
    fees: { maker: "0.0008", taker: "0.001" }
  binance-usdm:
    links:
      market:
        primary: { ws: "ws://127.0.0.1:18403", rest: "http://127.0.0.1:18403" }
      orders:
        primary: { rest: "http://127.0.0.1:18403", ws_api: "ws://127.0.0.1:18403/ws-fapi/v1", ws_private: "ws://127.0.0.1:18403/private" }
    credentials:
      api_key: { env: XMC_BINANCE_USDM_API_KEY }
      secret: { env: XMC_BINANCE_USDM_SECRET }
    fees: { maker: "0.0002", taker: "0.0005" }

instruments:
  - venue: binance-spot          # id defaults to binance-spot:BTCUSDT
    symbol: BTCUSDT
    kind: spot
    base: BTC
    quote: USDT
    tick: "0.01"
    lot: "0.00001"
    min_qty: "0.00001"
    min_notional: "5"
  - venue: okx
    symbol: BTC-USDT
    kind: spot
    base: BTC
    quote: USDT
    tick: "0.1"
    lot: "0.00000001"
    min_qty: "0.00001"
    min_notional: "0"
  - venue: okx
    symbol: BTC-USDT-SWAP
    kind: perpetual
    base: BTC
    quote: USDT
    tick: "0.1"
    lot: "0.01"
    min_qty: "0.01"
    min_notional: "0"
    contract: { value: "0.01", currency: BTC, type: linear }
    fees: { maker: "0.0002", taker: "0.0005" }
  - venue: binance-usdm
    symbol: BTCUSDT
    kind: perpetual
    base: BTC
    quote: USDT
    tick: "0.10"
    lot: "0.001"
    min_qty: "0.001"
    min_notional: "100"
    contract: { value: "1", currency: BTC, type: linear }

fx: []

pairs:
  - id: btc-spot-cross
    a: binance-spot:BTCUSDT
    b: okx:BTC-USDT
    trigger:
      type: counter_price
      unit: price          # USDT per BTC, net of both taker fees, on the VWAPs for size_per_trade
      open: "10"
      close: "-5"          # rebalancing trades toward the target need >= 5 USDT/BTC after fees
    size_per_trade: "0.01"
    position: { target: "0", max: "0.05" }
    sizing: { edge: vwap, max_levels: 20 }
    execution: { mode: concurrent, slippage_bps: 5, order_timeout_ms: 2000 }

  - id: btc-basis-okx
    a: okx:BTC-USDT
    b: okx:BTC-USDT-SWAP
    trigger:
      type: spread         # perp bid - spot ask (USDT), gross
      open: "100"
      close: "30"
    size_per_trade: "0.01"
    position: { target: "0", max: "0.03" }
    open_directions: [buy_a_sell_b]      # buy spot, sell the perpetual when it trades rich
    execution: { mode: leader_follower, leader: b, slippage_bps: 5, order_timeout_ms: 2000 }
    legging:
      partial_fill: { action: replenish, max_attempts: 3, within_ms: 1500, band_bps: 10 }
      unwind: { max_attempts: 3, within_ms: 3000, band_bps: 30 }
      on_repair_failure: reducing

  - id: btc-basis-binance
    enabled: false
    a: binance-spot:BTCUSDT
    b: binance-usdm:BTCUSDT
    trigger: { type: spread, open: "60", close: "20" }
    size_per_trade: "0.01"
    position: { target: "0", max: "0.03" }
    open_directions: [buy_a_sell_b]

risk:
  max_order_notional: "20000"          # quote currency (USDT) per order
  max_order_qty: { BTC: "0.1" }
  max_position_per_instrument:
    binance-spot:BTCUSDT: "0.1"
    okx:BTC-USDT: "0.1"
    okx:BTC-USDT-SWAP: "0.1"
    binance-usdm:BTCUSDT: "0.1"
  max_position_per_asset: { BTC: "0.2" }
  max_open_pairs: 2
  price_band_bps: 50
  max_book_age_ms: 2000
  max_venue_skew_ms: 1000
  order_rate_headroom: 0.8
  # balance / margin checks read the venues' own balances (executors report them); true: deny an
  # order whose check needs a venue balance not received yet (false: that check passes until then)
  require_known_balance: false
  breakers:
    daily_loss: { limit: "500", currency: USDT }
    unhedged: { max_ms: 3000, max_exposure_seconds: { BTC: "0.05" } }   # BTC x seconds beyond one lot
    reject_rate: { max_ratio: 0.5, window_ms: 60000, min_orders: 10 }
    slippage: { max_bps: 50, window_trades: 20 }
    ack_latency: { max_ms: 1000, consecutive: 3 }
  kill_switch: { flatten: true, band_bps: 50 }
`;

let cached: XmcConfig | null = null;

/** The embedded default configuration, validated (throws ConfigError if it ever stops validating). */
export function defaultConfig(): XmcConfig {
  if (cached === null) cached = loadConfigText(DEFAULT_CONFIG_YAML, DEFAULT_CONFIG_SOURCE);
  return cached;
}
