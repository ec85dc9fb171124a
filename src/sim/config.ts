// Configuration of a simulator run (`startSim`): which venues, on which ports, with which
// instruments, accounts, rate limits, keepalive timings, market process and faults. Validated up
// front: every problem is a SimConfigError naming the field, what was expected and what was found.
//
// Defaults (no config at all) give the three venues of the issue:
// - 'binance-spot': BTCUSDT spot (tick 0.01, lot 0.00001, min notional 5);
// - 'okx': BTC-USDT spot (tick 0.1, lot 0.00000001) and BTC-USDT-SWAP (tick 0.1, lot 0.01
//   contract of 0.01 BTC), sharing one account (ledger);
// - 'binance-usdm': BTCUSDT perpetual (tick 0.10, lot 0.001, min notional 100),
// each with one account 'main' holding 10 BTC and 1,000,000 USDT, a market maker ladder, random
// taker flow, lead-lag (Binance spot leads), a perpetual basis, occasional dislocations on OKX.
// Durations that venues document (keepalive, idle cut, heartbeat, listenKey validity) are
// multiplied by `timeScale` so tests can run them in milliseconds.
import { SimConfigError, knownKeys, num, oneOf, optInt, optNum, record, str } from './check.js';
import type { SimClock } from './clock.js';
import { validateFaultRules, type FaultRule } from './faults.js';
import type { MarketVenueConfig } from './market.js';
import type { RateRule } from './servers/binance-limits.js';
import type { OkxLimits } from './servers/okx-server.js';
import type { VenueProtocol } from './servers/venue.js';

export interface SimInstrumentConfig {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** 'spot' (default on spot venues) or 'perpetual' (default on binance-usdm). */
  readonly kind?: 'spot' | 'perpetual';
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minQty?: string;
  readonly minNotional?: string;
  /** Perpetuals: contract value in `contractValueCcy` (OKX ctVal); '1' otherwise. */
  readonly contractValue?: string;
  readonly contractValueCcy?: string;
  readonly makerFeePpm?: number;
  readonly takerFeePpm?: number;
  readonly leverage?: number;
  /** Market-generator settings for this instrument (merged over the defaults). */
  readonly market?: Partial<Omit<MarketVenueConfig, 'name'>> | false;
}

export interface SimAccountConfig {
  /** Ledger account id (default 'main', then 'main2', ...). */
  readonly name?: string;
  /** Fixed credentials (generated for the run when absent). */
  readonly apiKey?: string;
  readonly secret?: string;
  readonly passphrase?: string;
  /** Asset -> decimal amount, e.g. { BTC: '10', USDT: '1000000' }. */
  readonly balances?: Readonly<Record<string, string>>;
}

export interface BinanceRateConfig {
  readonly requestWeightPerMinute?: number;
  readonly ordersPer10s?: number;
  /** Spot: ORDERS per day. */
  readonly ordersPerDay?: number;
  /** USD-M: ORDERS per minute. */
  readonly ordersPerMinute?: number;
  /** First ban length (doubles per ban, max 3 days). Default 120000. */
  readonly banMs?: number;
}

export interface SimVenueConfig {
  readonly protocol: VenueProtocol;
  /** Unique venue name (default: the protocol). */
  readonly name?: string;
  /** TCP port on the loopback host; 0 (default) = ephemeral. */
  readonly port?: number;
  readonly instruments?: readonly SimInstrumentConfig[];
  readonly accounts?: readonly SimAccountConfig[];
  /** Asset -> decimals of the ledger unit (default BTC 8, USDT 8; OKX USDT 9). */
  readonly assets?: Readonly<Record<string, number>>;
  readonly rateLimits?: BinanceRateConfig | Partial<OkxLimits>;
  readonly keepalive?: {
    readonly pingIntervalMs?: number;
    readonly pongTimeoutMs?: number;
    readonly idleTimeoutMs?: number;
    readonly maxLifetimeMs?: number;
  };
  /** Binance market streams: incoming messages per second per connection (0 = unlimited). */
  readonly incomingPerSecond?: number;
  /** OKX: no-change heartbeat interval of `books` (default 60000 * timeScale). */
  readonly heartbeatMs?: number;
  /** Binance USD-M: listenKey validity (default 3600000 * timeScale). */
  readonly listenKeyTtlMs?: number;
  readonly okx?: { readonly environment?: 'live' | 'demo'; readonly wsInstId?: 'accept' | 'reject'; readonly seqOffset?: number };
}

export interface SimConfig {
  readonly seed?: number | string;
  /** Loopback host to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Venue clock (default: the system clock). Tests pass a ManualClock. */
  readonly clock?: SimClock;
  /** Market generator step interval in ms; 0 = manual stepping (`handle.step()`). Default 100. */
  readonly tickMs?: number;
  /** Depth publication interval in ms (Binance @100ms, OKX books). Default 100. */
  readonly publishMs?: number;
  /** Multiplier of documented venue durations (keepalive, idle, heartbeat, listenKey). Default 1. */
  readonly timeScale?: number;
  /** Generator steps taken before the servers start (so books are populated). Default 1. */
  readonly warmupSteps?: number;
  readonly market?: { readonly initialPrice?: number; readonly volBps?: number; readonly driftBps?: number };
  readonly venues?: readonly SimVenueConfig[];
  readonly faults?: readonly FaultRule[];
  /** Token of the `/_sim/` control endpoint (generated when absent). */
  readonly controlToken?: string;
}

// ---- normalised form ----------------------------------------------------------------------------

export interface NormInstrument {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly kind: 'spot' | 'perpetual';
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minQty: string;
  readonly minNotional: string;
  readonly contractValue: string;
  readonly contractValueCcy: string;
  readonly makerFeePpm: number;
  readonly takerFeePpm: number;
  readonly leverage: number;
  readonly market: Omit<MarketVenueConfig, 'name'> | null;
}

export interface NormAccount {
  readonly name: string;
  readonly apiKey: string | null;
  readonly secret: string | null;
  readonly passphrase: string | null;
  readonly balances: Readonly<Record<string, string>>;
}

export interface NormVenue {
  readonly protocol: VenueProtocol;
  readonly name: string;
  readonly port: number;
  readonly instruments: readonly NormInstrument[];
  readonly accounts: readonly NormAccount[];
  readonly assets: Readonly<Record<string, number>>;
  readonly binanceRules: readonly RateRule[];
  readonly banMs: number;
  readonly okxLimits: OkxLimits;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxLifetimeMs: number;
  readonly incomingPerSecond: number;
  readonly heartbeatMs: number;
  readonly listenKeyTtlMs: number;
  readonly okxEnvironment: 'live' | 'demo';
  readonly okxWsInstId: 'accept' | 'reject';
  readonly okxSeqOffset: number;
}

export interface NormConfig {
  readonly seed: number | string;
  readonly host: string;
  readonly clock: SimClock | null;
  readonly tickMs: number;
  readonly publishMs: number;
  readonly timeScale: number;
  readonly warmupSteps: number;
  readonly initialPrice: number;
  readonly volBps: number;
  readonly driftBps: number;
  readonly venues: readonly NormVenue[];
  readonly faults: readonly FaultRule[];
  readonly controlToken: string | null;
}

// ---- defaults -------------------------------------------------------------------------------------

const DEFAULT_BALANCES: Readonly<Record<string, string>> = { BTC: '10', USDT: '1000000' };

function defaultInstruments(p: VenueProtocol): SimInstrumentConfig[] {
  switch (p) {
    case 'binance-spot':
      return [{
        symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', minQty: '0.00001', minNotional: '5',
        makerFeePpm: 1000, takerFeePpm: 1000,
        market: {
          lagSteps: 0, noiseBps: 0.3, noisePersistence: 0.5,
          ladder: { levels: 20, spreadTicks: 10, spacingTicks: 50, sizeLots: 5000, sizeJitter: 0.3 },
          taker: { probPerStep: 0.2, minLots: 100, maxLots: 5000 },
        },
      }];
    case 'binance-usdm':
      return [{
        symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', kind: 'perpetual', tickSize: '0.10', lotSize: '0.001', minQty: '0.001', minNotional: '100',
        makerFeePpm: 200, takerFeePpm: 500, leverage: 10,
        market: {
          lagSteps: 1, noiseBps: 0.3, noisePersistence: 0.5, basis: { meanBps: 4, noiseBps: 0.3, reversion: 0.05 },
          ladder: { levels: 20, spreadTicks: 1, spacingTicks: 5, sizeLots: 50, sizeJitter: 0.3 },
          taker: { probPerStep: 0.2, minLots: 1, maxLots: 50 },
        },
      }];
    case 'okx':
      return [
        {
          symbol: 'BTC-USDT', base: 'BTC', quote: 'USDT', kind: 'spot', tickSize: '0.1', lotSize: '0.00000001', minQty: '0.00001', minNotional: '0',
          makerFeePpm: 800, takerFeePpm: 1000,
          market: {
            lagSteps: 2, noiseBps: 0.5, noisePersistence: 0.6,
            dislocation: { probPerStep: 0.005, sizeTicks: 1600, durationSteps: 20 },
            ladder: { levels: 20, spreadTicks: 1, spacingTicks: 5, sizeLots: 5_000_000, sizeJitter: 0.3 },
            taker: { probPerStep: 0.2, minLots: 100_000, maxLots: 5_000_000 },
          },
        },
        {
          symbol: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', kind: 'perpetual', tickSize: '0.1', lotSize: '0.01', minQty: '0.01', minNotional: '0',
          contractValue: '0.01', contractValueCcy: 'BTC', makerFeePpm: 200, takerFeePpm: 500, leverage: 10,
          market: {
            lagSteps: 1, noiseBps: 0.3, noisePersistence: 0.5, basis: { meanBps: 3, noiseBps: 0.3, reversion: 0.05 },
            ladder: { levels: 20, spreadTicks: 1, spacingTicks: 5, sizeLots: 500, sizeJitter: 0.3 },
            taker: { probPerStep: 0.2, minLots: 1, maxLots: 500 },
          },
        },
      ];
  }
}

function defaultAssets(p: VenueProtocol): Record<string, number> {
  // OKX spot: tick 0.1 * lot 1e-8 = 1e-9 USDT per tick*lot, so USDT needs 9 decimals
  return p === 'okx' ? { BTC: 8, USDT: 9 } : { BTC: 8, USDT: 8 };
}

function defaultRules(p: VenueProtocol, c: BinanceRateConfig): RateRule[] {
  const f = 'rateLimits';
  if (p === 'binance-spot') {
    return [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: optInt(c.requestWeightPerMinute, `${f}.requestWeightPerMinute`, 6000, 1) },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: optInt(c.ordersPer10s, `${f}.ordersPer10s`, 50, 1) },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: optInt(c.ordersPerDay, `${f}.ordersPerDay`, 160_000, 1) },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61_000 },
    ];
  }
  return [
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: optInt(c.requestWeightPerMinute, `${f}.requestWeightPerMinute`, 2400, 1) },
    { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: optInt(c.ordersPerMinute, `${f}.ordersPerMinute`, 1200, 1) },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: optInt(c.ordersPer10s, `${f}.ordersPer10s`, 300, 1) },
  ];
}

// ---- validation -----------------------------------------------------------------------------------

const TOP_KEYS = ['seed', 'host', 'clock', 'tickMs', 'publishMs', 'timeScale', 'warmupSteps', 'market', 'venues', 'faults', 'controlToken'] as const;
const VENUE_KEYS = ['protocol', 'name', 'port', 'instruments', 'accounts', 'assets', 'rateLimits', 'keepalive', 'incomingPerSecond', 'heartbeatMs', 'listenKeyTtlMs', 'okx'] as const;
const INST_KEYS = ['symbol', 'base', 'quote', 'kind', 'tickSize', 'lotSize', 'minQty', 'minNotional', 'contractValue', 'contractValueCcy', 'makerFeePpm', 'takerFeePpm', 'leverage', 'market'] as const;
const ACCOUNT_KEYS = ['name', 'apiKey', 'secret', 'passphrase', 'balances'] as const;
const DECIMAL = /^\d+(\.\d+)?$/;
const PROTOCOLS: readonly VenueProtocol[] = ['binance-spot', 'binance-usdm', 'okx'];

function decimal(v: unknown, field: string, dflt?: string): string {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'string' || !DECIMAL.test(v)) throw new SimConfigError(field, 'a plain decimal string such as "0.01"', v);
  return v;
}

function positiveDecimal(v: unknown, field: string): string {
  const s = decimal(v, field);
  if (!/[1-9]/.test(s)) throw new SimConfigError(field, 'a decimal greater than 0', v);
  return s;
}

function symbolFor(p: VenueProtocol, s: string, field: string): string {
  const re = p === 'okx' ? /^[A-Z0-9]+(-[A-Z0-9]+)+$/ : /^[A-Z0-9]{2,20}$/;
  if (!re.test(s)) throw new SimConfigError(field, p === 'okx' ? 'an OKX instId such as "BTC-USDT" or "BTC-USDT-SWAP"' : 'an upper-case Binance symbol such as "BTCUSDT"', s);
  return s;
}

function normInstrument(p: VenueProtocol, v: unknown, field: string): NormInstrument {
  const r = record(v, field);
  knownKeys(r, field, INST_KEYS);
  const kind = oneOf(r['kind'], `${field}.kind`, ['spot', 'perpetual'] as const, p === 'binance-usdm' ? 'perpetual' : 'spot');
  if (p === 'binance-usdm' && kind !== 'perpetual') throw new SimConfigError(`${field}.kind`, '"perpetual" on a binance-usdm venue', kind);
  if (p === 'binance-spot' && kind !== 'spot') throw new SimConfigError(`${field}.kind`, '"spot" on a binance-spot venue', kind);
  const perp = kind === 'perpetual';
  const symbol = symbolFor(p, str(r['symbol'], `${field}.symbol`), `${field}.symbol`);
  const base = str(r['base'], `${field}.base`);
  const quote = str(r['quote'], `${field}.quote`);
  const tickSize = positiveDecimal(r['tickSize'], `${field}.tickSize`);
  const lotSize = positiveDecimal(r['lotSize'], `${field}.lotSize`);
  const minQty = decimal(r['minQty'], `${field}.minQty`, '0');
  const minNotional = decimal(r['minNotional'], `${field}.minNotional`, '0');
  const contractValue = perp ? decimal(r['contractValue'], `${field}.contractValue`, '1') : '1';
  const contractValueCcy = r['contractValueCcy'] === undefined ? base : str(r['contractValueCcy'], `${field}.contractValueCcy`);
  const makerFeePpm = optInt(r['makerFeePpm'], `${field}.makerFeePpm`, 0, -1_000_000, 1_000_000);
  const takerFeePpm = optInt(r['takerFeePpm'], `${field}.takerFeePpm`, 0, -1_000_000, 1_000_000);
  const leverage = optInt(r['leverage'], `${field}.leverage`, 10, 1, 1000);
  let market: NormInstrument['market'] = null;
  if (r['market'] !== false) {
    const m = r['market'] === undefined ? {} : record(r['market'], `${field}.market`);
    if (m['ladder'] === undefined) throw new SimConfigError(`${field}.market.ladder`, 'a ladder (levels, spreadTicks, sizeLots), or market: false for a venue without generated liquidity', undefined);
    market = m as unknown as Omit<MarketVenueConfig, 'name'>;
  }
  return { symbol, base, quote, kind, tickSize, lotSize, minQty, minNotional, contractValue, contractValueCcy, makerFeePpm, takerFeePpm, leverage, market };
}

function normAccount(p: VenueProtocol, v: unknown, field: string, i: number, dflt: Readonly<Record<string, string>>): NormAccount {
  const r = record(v, field);
  knownKeys(r, field, ACCOUNT_KEYS);
  const balances: Record<string, string> = {};
  const b = r['balances'] === undefined ? dflt : record(r['balances'], `${field}.balances`);
  for (const [k, amt] of Object.entries(b)) balances[k] = decimal(amt, `${field}.balances.${k}`);
  const key = r['apiKey'] === undefined ? null : str(r['apiKey'], `${field}.apiKey`);
  if (key !== null && !/^[A-Za-z0-9-]{8,128}$/.test(key)) throw new SimConfigError(`${field}.apiKey`, '8-128 letters, digits or -', key);
  const passphrase = r['passphrase'] === undefined ? null : str(r['passphrase'], `${field}.passphrase`);
  if (passphrase !== null && p !== 'okx') throw new SimConfigError(`${field}.passphrase`, 'no passphrase (only OKX keys have one)', passphrase);
  return {
    name: r['name'] === undefined ? (i === 0 ? 'main' : `main${i + 1}`) : str(r['name'], `${field}.name`),
    apiKey: key,
    secret: r['secret'] === undefined ? null : str(r['secret'], `${field}.secret`),
    passphrase,
    balances,
  };
}

function normVenue(v: unknown, field: string, scale: number): NormVenue {
  const r = record(v, field);
  knownKeys(r, field, VENUE_KEYS);
  const protocol = oneOf(r['protocol'], `${field}.protocol`, PROTOCOLS);
  const name = r['name'] === undefined ? protocol : str(r['name'], `${field}.name`);
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(name)) throw new SimConfigError(`${field}.name`, '1-40 letters, digits, . _ -', name);
  const instList = r['instruments'] === undefined ? defaultInstruments(protocol) : r['instruments'];
  if (!Array.isArray(instList) || instList.length === 0) throw new SimConfigError(`${field}.instruments`, 'a non-empty array of instruments', instList);
  const instruments = instList.map((x, i) => normInstrument(protocol, x, `${field}.instruments[${i}]`));
  const seen = new Set<string>();
  for (const [i, ins] of instruments.entries()) {
    if (seen.has(ins.symbol)) throw new SimConfigError(`${field}.instruments[${i}].symbol`, 'a symbol not used twice on one venue', ins.symbol);
    seen.add(ins.symbol);
  }
  const accList = r['accounts'] === undefined ? [{}] : r['accounts'];
  if (!Array.isArray(accList) || accList.length === 0) throw new SimConfigError(`${field}.accounts`, 'a non-empty array of accounts', accList);
  // default balances: 10 of each spot base asset, 1,000,000 of each quote / margin asset
  const dflt: Record<string, string> = {};
  for (const ins of instruments) {
    dflt[ins.quote] = DEFAULT_BALANCES['USDT']!;
    if (ins.kind === 'spot' && !(ins.base in dflt)) dflt[ins.base] = DEFAULT_BALANCES['BTC']!;
  }
  const accounts = accList.map((x, i) => normAccount(protocol, x, `${field}.accounts[${i}]`, i, dflt));
  const names = new Set<string>();
  for (const [i, a] of accounts.entries()) {
    if (names.has(a.name) || ['mm', 'flow', 'sim-faults'].includes(a.name)) throw new SimConfigError(`${field}.accounts[${i}].name`, 'a unique name other than mm, flow, sim-faults', a.name);
    names.add(a.name);
  }
  const assets = r['assets'] === undefined ? defaultAssets(protocol) : (record(r['assets'], `${field}.assets`) as Record<string, number>);
  for (const ins of instruments) {
    for (const a of ins.kind === 'spot' ? [ins.base, ins.quote] : [ins.quote]) {
      if (!(a in assets)) throw new SimConfigError(`${field}.assets`, `decimals for asset ${a} (used by ${ins.symbol})`, assets);
    }
  }
  const rl = r['rateLimits'] === undefined ? {} : record(r['rateLimits'], `${field}.rateLimits`);
  const ka = r['keepalive'] === undefined ? {} : record(r['keepalive'], `${field}.keepalive`);
  knownKeys(ka, `${field}.keepalive`, ['pingIntervalMs', 'pongTimeoutMs', 'idleTimeoutMs', 'maxLifetimeMs']);
  const spot = protocol === 'binance-spot';
  const okxL: OkxLimits = {
    orderPer2s: optInt(rl['orderPer2s'], `${field}.rateLimits.orderPer2s`, 60, 1),
    cancelPer2s: optInt(rl['cancelPer2s'], `${field}.rateLimits.cancelPer2s`, 60, 1),
    queryPer2s: optInt(rl['queryPer2s'], `${field}.rateLimits.queryPer2s`, 60, 1),
    booksPer2s: optInt(rl['booksPer2s'], `${field}.rateLimits.booksPer2s`, 40, 1),
    instrumentsPer2s: optInt(rl['instrumentsPer2s'], `${field}.rateLimits.instrumentsPer2s`, 20, 1),
    subscribePerHour: optInt(rl['subscribePerHour'], `${field}.rateLimits.subscribePerHour`, 480, 1),
  };
  if (protocol === 'okx') knownKeys(rl, `${field}.rateLimits`, ['orderPer2s', 'cancelPer2s', 'queryPer2s', 'booksPer2s', 'instrumentsPer2s', 'subscribePerHour']);
  else knownKeys(rl, `${field}.rateLimits`, spot ? ['requestWeightPerMinute', 'ordersPer10s', 'ordersPerDay', 'banMs'] : ['requestWeightPerMinute', 'ordersPer10s', 'ordersPerMinute', 'banMs']);
  const okx = r['okx'] === undefined ? {} : record(r['okx'], `${field}.okx`);
  knownKeys(okx, `${field}.okx`, ['environment', 'wsInstId', 'seqOffset']);
  const sc = (ms: number): number => Math.max(1, Math.round(ms * scale));
  return {
    protocol, name,
    port: optInt(r['port'], `${field}.port`, 0, 0, 65535),
    instruments, accounts, assets,
    binanceRules: protocol === 'okx' ? [] : defaultRules(protocol, rl as BinanceRateConfig),
    banMs: optInt(rl['banMs'], `${field}.rateLimits.banMs`, 120_000, 1),
    okxLimits: okxL,
    pingIntervalMs: optInt(ka['pingIntervalMs'], `${field}.keepalive.pingIntervalMs`, sc(spot ? 20_000 : 180_000), 0),
    pongTimeoutMs: optInt(ka['pongTimeoutMs'], `${field}.keepalive.pongTimeoutMs`, sc(spot ? 60_000 : 600_000), 1),
    idleTimeoutMs: optInt(ka['idleTimeoutMs'], `${field}.keepalive.idleTimeoutMs`, sc(30_000), 0),
    maxLifetimeMs: optInt(ka['maxLifetimeMs'], `${field}.keepalive.maxLifetimeMs`, sc(86_400_000), 0),
    incomingPerSecond: optInt(r['incomingPerSecond'], `${field}.incomingPerSecond`, spot ? 5 : 10, 0),
    heartbeatMs: optInt(r['heartbeatMs'], `${field}.heartbeatMs`, sc(60_000), 1),
    listenKeyTtlMs: optInt(r['listenKeyTtlMs'], `${field}.listenKeyTtlMs`, sc(3_600_000), 1),
    okxEnvironment: oneOf(okx['environment'], `${field}.okx.environment`, ['live', 'demo'] as const, 'live'),
    okxWsInstId: oneOf(okx['wsInstId'], `${field}.okx.wsInstId`, ['accept', 'reject'] as const, 'accept'),
    okxSeqOffset: optInt(okx['seqOffset'], `${field}.okx.seqOffset`, 3_000_000_000, 0),
  };
}

/** Validates a simulator config and fills in the defaults. Throws SimConfigError. */
export function normalizeSimConfig(config: SimConfig = {}): NormConfig {
  const c = record(config, 'sim');
  knownKeys(c, 'sim', TOP_KEYS);
  const seed = c['seed'] === undefined ? 1 : c['seed'];
  if (!(typeof seed === 'string' && seed.length > 0) && !(typeof seed === 'number' && Number.isSafeInteger(seed))) throw new SimConfigError('sim.seed', 'an integer or a non-empty string', seed);
  const host = c['host'] === undefined ? '127.0.0.1' : str(c['host'], 'sim.host');
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) throw new SimConfigError('sim.host', 'a loopback address (127.0.0.1, ::1, localhost)', host);
  const clock = c['clock'];
  if (clock !== undefined && !(typeof clock === 'object' && clock !== null && typeof (clock as { now?: unknown }).now === 'function')) {
    throw new SimConfigError('sim.clock', 'an object with now(): number', clock);
  }
  const timeScale = optNum(c['timeScale'], 'sim.timeScale', 1, 0, 1000, { minExclusive: true });
  const m = c['market'] === undefined ? {} : record(c['market'], 'sim.market');
  knownKeys(m, 'sim.market', ['initialPrice', 'volBps', 'driftBps']);
  const venueList = c['venues'] === undefined ? [{ protocol: 'binance-spot' }, { protocol: 'okx' }, { protocol: 'binance-usdm' }] : c['venues'];
  if (!Array.isArray(venueList) || venueList.length === 0) throw new SimConfigError('sim.venues', 'a non-empty array of venues', venueList);
  const venues = venueList.map((v, i) => normVenue(v, `sim.venues[${i}]`, timeScale));
  const names = new Set<string>();
  const ports = new Set<number>();
  for (const [i, v] of venues.entries()) {
    if (names.has(v.name)) throw new SimConfigError(`sim.venues[${i}].name`, 'a venue name not used twice (set name: to run two venues of one protocol)', v.name);
    names.add(v.name);
    if (v.port !== 0) {
      if (ports.has(v.port)) throw new SimConfigError(`sim.venues[${i}].port`, 'a port not used by another venue', v.port);
      ports.add(v.port);
    }
  }
  const faults = validateFaultRules(c['faults'], 'sim.faults');
  for (const [i, f] of faults.entries()) {
    if (f.venue !== undefined && !names.has(f.venue)) throw new SimConfigError(`sim.faults[${i}].venue`, `one of the venues (${[...names].join(', ')})`, f.venue);
  }
  const token = c['controlToken'] === undefined ? null : str(c['controlToken'], 'sim.controlToken');
  if (token !== null && token.length < 16) throw new SimConfigError('sim.controlToken', 'at least 16 characters', token);
  return {
    seed: seed as number | string,
    host,
    clock: (clock as SimClock | undefined) ?? null,
    tickMs: optInt(c['tickMs'], 'sim.tickMs', 100, 0, 3_600_000),
    publishMs: optInt(c['publishMs'], 'sim.publishMs', 100, 1, 60_000),
    timeScale,
    warmupSteps: optInt(c['warmupSteps'], 'sim.warmupSteps', 1, 0, 100_000),
    initialPrice: m['initialPrice'] === undefined ? 64000 : num(m['initialPrice'], 'sim.market.initialPrice', 0, 1e12, { minExclusive: true }),
    volBps: optNum(m['volBps'], 'sim.market.volBps', 0.3, 0, 1000),
    driftBps: optNum(m['driftBps'], 'sim.market.driftBps', 0, -100, 100),
    venues,
    faults,
    controlToken: token,
  };
}

