// `startSim(config)`: starts the simulated venues on loopback, drives them with one seeded market
// generator, and returns a handle with their URLs, the run's API keys, the fault controller, the
// matching engines and `stop()`. This is the simulator's I/O shell: the only timers of the
// simulator are here (generator ticks) and in the protocol servers (publish ticks, keepalive,
// latency); the matching engine and the market generator stay pure.
//
// Invariants:
// - Each venue has one ledger shared by its instruments (OKX spot and SWAP share the account),
//   one matching engine per instrument, and one protocol server on its own port.
// - The generator's engines are keyed `<venue>/<symbol>`; a generator step's changes reach each
//   venue's server through VenueCore, exactly like user orders.
// - `stop()` stops the generator, then every server (closing every socket and timer); it is
//   idempotent.
// - API keys and the control token are random per run unless fixed in the config; they are never
//   logged here (the CLI prints them on request because the user needs them).
import { randomBytes } from 'node:crypto';
import type { InstrumentSpec } from '../venues/types.js';
import { SimConfigError } from './check.js';
import { systemClock, type SimClock } from './clock.js';
import { normalizeSimConfig, type NormAccount, type NormVenue, type SimConfig } from './config.js';
import { FaultController } from './faults.js';
import { Ledger } from './ledger.js';
import { MarketGenerator, type MarketVenueConfig } from './market.js';
import { MatchingEngine } from './matching.js';
import { startBinanceSpotServer } from './servers/binance-spot.js';
import { startBinanceUsdmServer } from './servers/binance-usdm.js';
import type { BinanceVenueServer } from './servers/binance-server.js';
import type { SimControl } from './servers/control.js';
import { OkxVenueServer } from './servers/okx-server.js';
import { VenueCore, type SimCredentials, type SimInstrument, type VenueProtocol } from './servers/venue.js';
import { DecimalScale } from '../core/decimal.js';

export interface SimVenueUrls {
  /** REST base, e.g. http://127.0.0.1:PORT. */
  readonly rest: string;
  /**
   * Market-data WebSocket base. Binance spot: append `/ws/<stream>` or `/stream?streams=...`;
   * Binance USD-M: the host, append `/public/ws/<stream>` (or use `wsPublic` / `wsMarket`);
   * OKX: the `/ws/v5/public` URL itself.
   */
  readonly ws: string;
  /** Binance WebSocket API (`/ws-api/v3`, `/ws-fapi/v1`); null on OKX. */
  readonly wsApi: string | null;
  /** USD-M `/public` and `/market` bases (append `/ws/<stream>` or `/stream?streams=`); OKX public URL. */
  readonly wsPublic: string | null;
  readonly wsMarket: string | null;
  /** USD-M `/private` base (append `/ws?listenKey=..&events=..`); OKX `/ws/v5/private`; null on spot. */
  readonly wsPrivate: string | null;
}

export interface SimVenueHandle {
  readonly name: string;
  readonly protocol: VenueProtocol;
  readonly port: number;
  readonly urls: SimVenueUrls;
  /** Credentials of the venue's user accounts (the first is the default account 'main'). */
  readonly keys: readonly SimCredentials[];
  /** Matching engine per symbol (compare an adapter's book with `engine.snapshot()` / `toOrderBook()`). */
  readonly engines: ReadonlyMap<string, MatchingEngine>;
  readonly instruments: readonly SimInstrument[];
  readonly ledger: Ledger;
  readonly core: VenueCore;
  readonly server: BinanceVenueServer | OkxVenueServer;
  /** Publishes every depth stream of this venue now (tests). */
  flush(): void;
  /** OKX: the seqId the venue would print for the instrument's book now (engine update id + offset). */
  seqId(symbol: string): number;
}

export interface SimHandle {
  readonly seed: number | string;
  readonly clock: SimClock;
  readonly venues: readonly SimVenueHandle[];
  readonly faults: FaultController;
  readonly market: MarketGenerator;
  /** Token for the `/_sim/` control endpoint of every venue (header X-Sim-Token). */
  readonly controlToken: string;
  venue(name: string): SimVenueHandle;
  /** Advances the market generator `n` steps now (any mode); returns the total step count. */
  step(n?: number): number;
  /** Publishes every venue's depth streams now. */
  flush(): void;
  /** Stops / restarts the generator's timer (no effect in manual mode). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

function randomAlnum(n: number): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const b = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += abc[b[i]! % abc.length];
  return s;
}

function credentialsFor(protocol: VenueProtocol, a: NormAccount): SimCredentials {
  if (protocol === 'okx') {
    const h = randomBytes(16).toString('hex');
    return {
      account: a.name,
      apiKey: a.apiKey ?? `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
      secret: a.secret ?? randomBytes(16).toString('hex').toUpperCase(),
      passphrase: a.passphrase ?? randomAlnum(12),
    };
  }
  return { account: a.name, apiKey: a.apiKey ?? randomAlnum(64), secret: a.secret ?? randomAlnum(64), passphrase: '' };
}

function units(amount: string, decimals: number, field: string): number {
  const scale = new DecimalScale(`1e-${decimals}`);
  const u = scale.toUnits(amount);
  if (!Number.isSafeInteger(u)) throw new SimConfigError(field, `an amount with at most ${decimals} decimals that fits in 2^53 units`, amount);
  return u;
}

interface Built {
  readonly v: NormVenue;
  readonly ledger: Ledger;
  readonly insts: SimInstrument[];
  readonly creds: SimCredentials[];
  readonly market: MarketVenueConfig[];
}

function buildVenue(v: NormVenue, codeBase: number): Built {
  const ledger = new Ledger({ assets: v.assets });
  const creds: SimCredentials[] = [];
  for (const [i, a] of v.accounts.entries()) {
    const bal: Record<string, number> = {};
    for (const [asset, amt] of Object.entries(a.balances)) {
      if (!ledger.hasAsset(asset)) throw new SimConfigError(`venues.${v.name}.accounts[${i}].balances.${asset}`, `an asset of the venue (${ledger.assets().join(', ')})`, asset);
      bal[asset] = units(amt, ledger.decimals(asset), `venues.${v.name}.accounts[${i}].balances.${asset}`);
    }
    ledger.openAccount(a.name, { balances: bal });
    creds.push(credentialsFor(v.protocol, a));
  }
  const insts: SimInstrument[] = [];
  const market: MarketVenueConfig[] = [];
  v.instruments.forEach((n, i) => {
    const spec: InstrumentSpec = {
      venue: v.protocol, symbol: n.symbol, base: n.base, quote: n.quote, kind: n.kind,
      tickSize: n.tickSize, lotSize: n.lotSize, minQty: n.minQty, minNotional: n.minNotional,
      contractValue: n.contractValue, contractValueCcy: n.contractValueCcy, contractType: n.kind === 'spot' ? 'none' : 'linear',
    };
    let engine: MatchingEngine;
    try {
      engine = new MatchingEngine(ledger, {
        instrument: spec,
        makerFeePpm: n.makerFeePpm,
        takerFeePpm: n.takerFeePpm,
        leverage: n.leverage,
        // Binance spot LIMIT_MAKER and USD-M GTX are refused when they would take; OKX bounces them.
        postOnly: v.protocol === 'okx' ? 'bounce' : 'reject',
      });
    } catch (e) {
      if (e instanceof SimConfigError) throw new SimConfigError(`venues.${v.name}.instruments[${i}] (${e.field.replace(/^engine\.?/, '') || 'instrument'})`, e.expected, e.found);
      throw e;
    }
    const engineKey = `${v.name}/${n.symbol}`;
    insts.push({ symbol: n.symbol, spec, engine, ins: engine.instrument, engineKey, code: codeBase + i });
    if (n.market !== null) market.push({ ...n.market, name: engineKey } as MarketVenueConfig);
  });
  return { v, ledger, insts, creds, market };
}

/** Starts the configured simulated venues. Throws SimConfigError on a bad config. */
export async function startSim(config: SimConfig = {}): Promise<SimHandle> {
  const cfg = normalizeSimConfig(config);
  const clock = cfg.clock ?? systemClock;
  const faults = new FaultController(cfg.seed, cfg.faults);
  const built = cfg.venues.map((v, i) => buildVenue(v, 10_000 * (i + 1)));
  const engines = new Map<string, MatchingEngine>();
  const instByKey = new Map<string, { core: VenueCore | null; inst: SimInstrument }>();
  for (const b of built) for (const i of b.insts) engines.set(i.engineKey, i.engine);
  const marketVenues = built.flatMap((b) => b.market);
  if (marketVenues.length === 0) throw new SimConfigError('sim.venues', 'at least one instrument with a market (generated liquidity)', 'none');
  let market: MarketGenerator;
  try {
    market = new MarketGenerator({ seed: cfg.seed, initialPrice: cfg.initialPrice, volBps: cfg.volBps, driftBps: cfg.driftBps, venues: marketVenues }, engines);
  } catch (e) {
    // name the instrument's own config path instead of the generator's venue index
    const m = e instanceof SimConfigError ? /^market\.venues\[(\d+)\](.*)$/.exec(e.field) : null;
    if (e instanceof SimConfigError && m !== null) {
      const key = marketVenues[Number(m[1])]?.name ?? '?';
      throw new SimConfigError(`${key.replace('/', '.instruments.')}.market${m[2]}`, e.expected, e.found);
    }
    throw e;
  }
  const cores: VenueCore[] = built.map((b) => new VenueCore(b.v.name, b.v.protocol, clock, faults, b.ledger, b.insts, b.creds));
  for (const [k, b] of built.entries()) for (const i of b.insts) instByKey.set(i.engineKey, { core: cores[k]!, inst: i });

  let stopped = false;
  const doStep = (): void => {
    const st = market.step(clock.now());
    for (const vs of st.venues) {
      const t = instByKey.get(vs.name);
      if (t?.core) t.core.marketStep(t.inst, vs);
    }
  };
  for (let i = 0; i < cfg.warmupSteps; i++) doStep();

  const token = cfg.controlToken ?? randomAlnum(32);
  const control: SimControl = {
    token,
    faults,
    step: (n) => {
      for (let i = 0; i < n && !stopped; i++) doStep();
      return market.steps;
    },
  };

  const servers: (BinanceVenueServer | OkxVenueServer)[] = [];
  const handles: SimVenueHandle[] = [];
  try {
    for (const [k, b] of built.entries()) {
      const v = b.v;
      const core = cores[k]!;
      let server: BinanceVenueServer | OkxVenueServer;
      let urls: SimVenueUrls;
      if (v.protocol === 'okx') {
        const s = await OkxVenueServer.start({
          core, host: cfg.host, port: v.port, control, publishMs: cfg.publishMs, heartbeatMs: v.heartbeatMs,
          idleTimeoutMs: v.idleTimeoutMs, limits: v.okxLimits, environment: v.okxEnvironment, wsInstId: v.okxWsInstId, seqOffset: v.okxSeqOffset,
        });
        server = s;
        urls = { rest: s.urls.rest, ws: s.urls.wsPublic, wsApi: null, wsPublic: s.urls.wsPublic, wsMarket: s.urls.wsBusiness, wsPrivate: s.urls.wsPrivate };
      } else {
        const common = {
          core, host: cfg.host, port: v.port, control, rateLimits: v.binanceRules, banMs: v.banMs,
          ping: { intervalMs: v.pingIntervalMs, timeoutMs: v.pongTimeoutMs }, maxLifetimeMs: v.maxLifetimeMs,
          incomingPerSecond: v.incomingPerSecond, publishMs: cfg.publishMs, listenKeyTtlMs: v.listenKeyTtlMs, maxStreamsPerConnection: 1024,
        };
        const s = v.protocol === 'binance-spot' ? await startBinanceSpotServer(common) : await startBinanceUsdmServer(common);
        server = s;
        const u = s.urls;
        urls = v.protocol === 'binance-spot'
          ? { rest: u.rest, ws: u.ws, wsApi: u.wsApi, wsPublic: null, wsMarket: null, wsPrivate: null }
          : { rest: u.rest, ws: u.ws, wsApi: u.wsApi, wsPublic: `${u.ws}/public`, wsMarket: `${u.ws}/market`, wsPrivate: u.wsPrivate };
      }
      servers.push(server);
      const srv = server;
      handles.push({
        name: v.name, protocol: v.protocol, port: srv.port, urls, keys: b.creds,
        engines: new Map(b.insts.map((i) => [i.symbol, i.engine])), instruments: b.insts, ledger: b.ledger, core, server: srv,
        flush: () => srv.flush(),
        seqId: (symbol) => {
          if (srv instanceof OkxVenueServer) return srv.seqIdOf(symbol);
          const e = core.instrument(symbol)?.engine;
          if (e === undefined) throw new RangeError(`sim: unknown symbol ${symbol} on ${v.name}`);
          return e.updateId;
        },
      });
    }
  } catch (e) {
    for (const s of servers) await s.stop();
    throw e;
  }

  let timer: NodeJS.Timeout | null = null;
  const startTimer = (): void => {
    if (cfg.tickMs > 0 && timer === null && !stopped) timer = setInterval(() => {
      if (!stopped) doStep();
    }, cfg.tickMs);
  };
  startTimer();

  const byName = new Map(handles.map((h) => [h.name, h]));
  return {
    seed: cfg.seed,
    clock,
    venues: handles,
    faults,
    market,
    controlToken: token,
    venue(name) {
      const h = byName.get(name);
      if (h === undefined) throw new RangeError(`sim: no venue named ${name} (running: ${[...byName.keys()].join(', ')})`);
      return h;
    },
    step(n = 1) {
      return control.step(n);
    },
    flush() {
      for (const h of handles) h.flush();
    },
    pause() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
    resume() {
      startTimer();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      for (const s of servers) await s.stop();
    },
  };
}
