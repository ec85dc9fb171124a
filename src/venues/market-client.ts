// One call that builds a venue's market-data client (WebSocket link + REST snapshot client) from a
// plain, structured-clonable config: what the feed actor runs in its worker, and what tools and
// tests use to follow a venue's books. Venue selection only; the clients live in
// src/venues/binance/io/ and src/venues/okx/io/.
import type { InstrumentTable } from '../core/instrument.js';
import type { VenueId } from './types.js';
import { mulberry32, type BackoffOptions } from './io/backoff.js';
import type { MarketDataClient, MarketEvents } from './io/market.js';
import { BinanceMarketClient } from './binance/io/market-client.js';
import { BinanceRestClient } from './binance/io/rest-client.js';
import type { OkxBootstrap } from './okx/book-sync.js';
import type { OkxBookChannel } from './okx/frame-parser.js';
import { OkxMarketClient } from './okx/io/market-client.js';
import { OkxRestClient } from './okx/io/rest-client.js';

export interface MarketClientConfig {
  readonly venue: VenueId;
  /** Binance: stream base (spot `wss://host:port`, USD-M host); OKX: the public WS URL. Default: production. */
  readonly wsUrl?: string;
  /** REST base for snapshots. Default: production. */
  readonly restUrl?: string;
  /** No frame for this long -> 'stale'. Default 5000 ms. */
  readonly staleMs?: number;
  /** Seed of the reconnect / retry jitter. Default 1. */
  readonly seed?: number;
  readonly reconnect?: BackoffOptions;
  readonly binance?: { readonly speed?: '' | '@100ms' | '@500ms'; readonly snapshotLimit?: number };
  readonly okx?: { readonly channel?: OkxBookChannel; readonly bootstrap?: OkxBootstrap; readonly snapshotDepth?: number; readonly pingIdleMs?: number };
}

export interface MarketClientHandle {
  readonly client: MarketDataClient;
  /** Stops the link and closes the REST pool. */
  close(): Promise<void>;
}

export function createMarketDataClient(cfg: MarketClientConfig, table: InstrumentTable, events: MarketEvents, clockUs?: () => number): MarketClientHandle {
  const seed = cfg.seed ?? 1;
  const common = {
    ...(clockUs === undefined ? {} : { clockUs }),
    rng: mulberry32(seed ^ 0x5eed),
    ...(cfg.staleMs === undefined ? {} : { staleMs: cfg.staleMs }),
  };
  const link = { rng: mulberry32(seed), ...(cfg.reconnect === undefined ? {} : { backoff: cfg.reconnect }) };
  if (cfg.venue === 'okx') {
    const rest = new OkxRestClient({ table, ...(cfg.restUrl === undefined ? {} : { restBase: cfg.restUrl }) });
    const o = cfg.okx ?? {};
    const client = new OkxMarketClient(
      {
        ...common,
        table,
        rest,
        link,
        ...(cfg.wsUrl === undefined ? {} : { wsUrl: cfg.wsUrl }),
        ...(o.channel === undefined ? {} : { channel: o.channel }),
        ...(o.bootstrap === undefined ? {} : { sync: { bootstrap: o.bootstrap } }),
        ...(o.snapshotDepth === undefined ? {} : { snapshotDepth: o.snapshotDepth }),
        ...(o.pingIdleMs === undefined ? {} : { pingIdleMs: o.pingIdleMs }),
      },
      events,
    );
    return { client, close: async () => { await client.stop(); await rest.close(); } };
  }
  const rest = new BinanceRestClient({ venue: cfg.venue, table, ...(cfg.restUrl === undefined ? {} : { restBase: cfg.restUrl }) });
  const b = cfg.binance ?? {};
  const client = new BinanceMarketClient(
    {
      ...common,
      venue: cfg.venue,
      table,
      rest,
      link,
      ...(cfg.wsUrl === undefined ? {} : { wsBase: cfg.wsUrl }),
      ...(b.speed === undefined ? {} : { speed: b.speed }),
      ...(b.snapshotLimit === undefined ? {} : { snapshotLimit: b.snapshotLimit }),
    },
    events,
  );
  return { client, close: async () => { await client.stop(); await rest.close(); } };
}
