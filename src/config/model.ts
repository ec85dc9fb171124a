// From a validated configuration to the core's models: instrument specs (completed from the
// venues' instruments endpoints where the file leaves fields out), instrument tables, pair models
// for the triggers and sizing, and FX rate holders.
//
// Invariants:
// - Pure (no I/O): fetched instrument metadata is passed in by the caller.
// - A field given both in the file and by the venue must agree exactly (decimal equality); a
//   mismatch is an INSTRUMENT issue, never silently resolved, because a stale tick or lot in the
//   file would put wrong prices or sizes on the wire.
// - Problems are collected as ConfigIssues with the config path of the field.
import { InstrumentTable, type Instrument } from '../core/instrument.js';
import { PairModel, PairSpecError, type PairSpec } from '../core/pair.js';
import { FxRate } from '../core/triggers.js';
import type { InstrumentSpec, VenueId } from '../venues/types.js';
import type { ConfigIssue } from './issues.js';
import type { InstrumentConfig, LinkSet, PairConfig, XmcConfig } from './types.js';
import { unitFactor } from './units.js';

/** Exact decimal equality of two decimal strings ('0.10' == '0.1'). */
export function sameDecimal(a: string, b: string): boolean {
  const norm = (s: string): string | null => {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s.trim());
    if (m === null) return null;
    let digits = (m[2] ?? '') + (m[3] ?? '');
    let exp = Number(m[4] ?? '0') - (m[3] ?? '').length;
    digits = digits.replace(/^0+/, '');
    if (digits === '') return '0';
    while (digits.endsWith('0')) {
      digits = digits.slice(0, -1);
      exp++;
    }
    return `${m[1] === '-' ? '-' : ''}${digits}e${exp}`;
  };
  const x = norm(a);
  return x !== null && x === norm(b);
}

export interface ResolvedInstrument {
  readonly spec: InstrumentSpec | null;
  readonly issues: readonly ConfigIssue[];
}

/**
 * Completes one configured instrument from the venue's metadata (`fetched`, or undefined when
 * the venue has no endpoint or it was not fetched). `path` is the instrument's config path.
 */
export function resolveInstrument(ic: InstrumentConfig, fetched: InstrumentSpec | undefined, path: string): ResolvedInstrument {
  const issues: ConfigIssue[] = [];
  const pick = (field: string, cfg: string | null, venue: string | undefined): string | null => {
    if (cfg !== null && venue !== undefined && !sameDecimal(cfg, venue)) {
      issues.push({ code: 'INSTRUMENT', path: `${path}.${field}`, expected: `the venue's value ${venue} (from its instruments endpoint)`, found: `${cfg} in the configuration` });
      return null;
    }
    const v = cfg ?? venue ?? null;
    if (v === null) {
      issues.push({ code: 'INSTRUMENT', path: `${path}.${field}`, expected: `${field} in the configuration, or the venue's instruments endpoint data for ${ic.symbol}`, found: 'neither' });
    }
    return v;
  };
  if (fetched !== undefined) {
    if (fetched.symbol.toUpperCase() !== ic.symbol.toUpperCase()) {
      issues.push({ code: 'INSTRUMENT', path: `${path}.symbol`, expected: `metadata of ${ic.symbol}`, found: `metadata of ${fetched.symbol}` });
    }
    const fk = fetched.kind;
    if (fk !== ic.kind) issues.push({ code: 'INSTRUMENT', path: `${path}.kind`, expected: `the venue's kind ${fk}`, found: ic.kind });
    if (fetched.base !== '' && fetched.base !== ic.base) issues.push({ code: 'INSTRUMENT', path: `${path}.base`, expected: `the venue's base ${fetched.base}`, found: ic.base });
    if (fetched.quote !== '' && fetched.quote !== ic.quote) issues.push({ code: 'INSTRUMENT', path: `${path}.quote`, expected: `the venue's quote ${fetched.quote}`, found: ic.quote });
  }
  const tick = pick('tick', ic.tick, fetched?.tickSize);
  const lot = pick('lot', ic.lot, fetched?.lotSize);
  const minQty = pick('min_qty', ic.minQty, fetched?.minQty);
  const minNotional = ic.minNotional ?? fetched?.minNotional ?? '0';
  if (ic.minNotional !== null && fetched !== undefined && !sameDecimal(ic.minNotional, fetched.minNotional || '0')) {
    issues.push({ code: 'INSTRUMENT', path: `${path}.min_notional`, expected: `the venue's value ${fetched.minNotional || '0'} (from its instruments endpoint)`, found: `${ic.minNotional} in the configuration` });
  }
  let cvalue: string;
  let cccy: string;
  let ctype: InstrumentSpec['contractType'];
  if (ic.kind === 'spot') {
    cvalue = '1';
    cccy = ic.base;
    ctype = 'none';
  } else if (ic.contract !== null) {
    cvalue = ic.contract.value;
    cccy = ic.contract.currency;
    ctype = ic.contract.type;
    if (fetched !== undefined) {
      if (!sameDecimal(cvalue, fetched.contractValue || '1')) issues.push({ code: 'INSTRUMENT', path: `${path}.contract.value`, expected: `the venue's contract value ${fetched.contractValue}`, found: cvalue });
      if (fetched.contractType !== ctype) issues.push({ code: 'INSTRUMENT', path: `${path}.contract.type`, expected: `the venue's contract type ${fetched.contractType}`, found: ctype });
    }
  } else if (fetched !== undefined) {
    cvalue = fetched.contractValue || '1';
    cccy = fetched.contractValueCcy || (fetched.contractType === 'inverse' ? ic.quote : ic.base);
    ctype = fetched.contractType === 'none' ? 'linear' : fetched.contractType;
  } else {
    issues.push({ code: 'INSTRUMENT', path: `${path}.contract`, expected: `the contract { value, currency, type } in the configuration, or the venue's instruments endpoint data for ${ic.symbol}`, found: 'neither' });
    return { spec: null, issues };
  }
  if (issues.length > 0 || tick === null || lot === null || minQty === null) return { spec: null, issues };
  return {
    spec: {
      venue: ic.venue, symbol: ic.symbol, base: ic.base, quote: ic.quote, kind: ic.kind,
      tickSize: tick, lotSize: lot, minQty, minNotional, contractValue: cvalue, contractValueCcy: cccy, contractType: ctype,
    },
    issues,
  };
}

export interface ResolvedInstruments {
  /** Instrument id -> core Instrument (null map entries are absent). */
  readonly byId: ReadonlyMap<string, Instrument>;
  /** One table per venue (the index of an Instrument is its position in its venue's table). */
  readonly tables: ReadonlyMap<VenueId, InstrumentTable>;
  readonly issues: readonly ConfigIssue[];
}

/**
 * Resolves every configured instrument. `fetched(venue)` returns the venue's instruments endpoint
 * data (or undefined when there is none / it was not fetched: then the file must be complete).
 */
export function resolveInstruments(config: XmcConfig, fetched: (venue: VenueId) => readonly InstrumentSpec[] | undefined = () => undefined): ResolvedInstruments {
  const issues: ConfigIssue[] = [];
  const byId = new Map<string, Instrument>();
  const tables = new Map<VenueId, InstrumentTable>();
  config.instruments.forEach((ic, i) => {
    const venueSpecs = fetched(ic.venue);
    const f = venueSpecs?.find((s) => s.symbol.toUpperCase() === ic.symbol.toUpperCase());
    const venueCfg = config.venues.find((v) => v.id === ic.venue);
    if (venueSpecs !== undefined && f === undefined && venueCfg?.instrumentsEndpoint) {
      issues.push({ code: 'INSTRUMENT', path: `instruments[${i}].symbol`, expected: `a symbol the venue ${ic.venue} lists`, found: `${ic.symbol}, which it does not list` });
      return;
    }
    const r = resolveInstrument(ic, f, `instruments[${i}]`);
    issues.push(...r.issues);
    if (r.spec === null) return;
    let t = tables.get(ic.venue);
    if (t === undefined) {
      t = new InstrumentTable();
      tables.set(ic.venue, t);
    }
    try {
      byId.set(ic.id, t.add(r.spec));
    } catch (e) {
      issues.push({ code: 'INSTRUMENT', path: `instruments[${i}]`, expected: 'usable instrument metadata', found: (e as Error).message });
    }
  });
  return { byId, tables, issues };
}

/** The core pair spec of a configured pair (throws PairSpecError / Error on a bad reference). */
export function pairSpecOf(config: XmcConfig, pair: PairConfig, instruments: ReadonlyMap<string, Instrument>): PairSpec {
  const leg = (id: string): PairSpec['a'] => {
    const ic = config.instruments.find((x) => x.id === id);
    const ins = instruments.get(id);
    if (ic === undefined || ins === undefined) throw new PairSpecError(id === pair.a ? 'a' : 'b', `instrument ${id} is not resolved`);
    const venue = config.venues.find((v) => v.id === ic.venue);
    const fees = ic.fees ?? venue?.fees;
    if (fees === undefined) throw new PairSpecError(id === pair.a ? 'a' : 'b', `no fees for ${id}`);
    const asset = config.assets[ic.base];
    const uf = asset ? unitFactor(ic.unit, asset.unit) : null;
    if (uf === null) throw new PairSpecError(id === pair.a ? 'a' : 'b', `unit ${ic.unit} does not convert to ${ic.base}'s unit`);
    return { instrument: ins, takerFee: fees.taker, makerFee: fees.maker, currency: ic.currency, unitFactor: uf };
  };
  const a = leg(pair.a);
  const b = leg(pair.b);
  const ica = config.instruments.find((x) => x.id === pair.a)!;
  const icb = config.instruments.find((x) => x.id === pair.b)!;
  const asset = config.assets[ica.base];
  if (asset === undefined) throw new PairSpecError('a', `asset ${ica.base} is not configured`);
  let invertFx = false;
  if (pair.trigger.type === 'ratio' && pair.trigger.fx !== null) {
    const src = config.fx.find((x) => x.id === pair.trigger.fx);
    // the pair needs A's currency per B's currency
    if (src !== undefined) invertFx = !(src.base === icb.currency && src.quote === ica.currency);
  }
  return {
    id: pair.id,
    trigger: pair.trigger.type,
    thresholdUnit: pair.trigger.unit,
    open: pair.trigger.open,
    close: pair.trigger.close,
    a,
    b,
    baseAsset: ica.base,
    baseDecimals: asset.decimals,
    sizePerTrade: pair.sizePerTrade,
    positionTarget: pair.position.target,
    positionMax: pair.position.max,
    openAB: pair.openDirections.includes('buy_a_sell_b'),
    openBA: pair.openDirections.includes('buy_b_sell_a'),
    fairRatio: pair.trigger.fairRatio,
    invertFx,
    sizingEdge: pair.sizing.edge,
    maxLevels: pair.sizing.maxLevels,
  };
}

export interface BuiltPairs {
  readonly models: readonly PairModel[];
  readonly issues: readonly ConfigIssue[];
}

/** Pair models of every enabled pair; a pair that cannot be built is an issue at its path. */
export function buildPairModels(config: XmcConfig, instruments: ReadonlyMap<string, Instrument>): BuiltPairs {
  const models: PairModel[] = [];
  const issues: ConfigIssue[] = [];
  const FIELD: Record<string, string> = {
    open: 'trigger.open', close: 'trigger.close', thresholdUnit: 'trigger.unit', fairRatio: 'trigger.fair_ratio', sizePerTrade: 'size_per_trade',
    positionTarget: 'position.target', positionMax: 'position.max', sizingEdge: 'sizing.edge', maxLevels: 'sizing.max_levels', trigger: 'trigger.type',
  };
  config.pairs.forEach((p, i) => {
    if (!p.enabled) return;
    try {
      models.push(new PairModel(pairSpecOf(config, p, instruments)));
    } catch (e) {
      const field = e instanceof PairSpecError ? e.field : '';
      const mapped = FIELD[field] ?? (field.startsWith('a') ? 'a' : field.startsWith('b') ? 'b' : field);
      issues.push({ code: 'CONFLICT', path: `pairs[${i}]${mapped ? '.' + mapped : ''}`, expected: 'a pair the core can evaluate exactly', found: e instanceof PairSpecError ? e.message : (e as Error).message });
    }
  });
  return { models, issues };
}

/**
 * FX rate holders by FX id. Configured rates are set at once: their age counts from `as_of`
 * (epoch ms, converted with `epochNowMs`) or from `nowMs` when no as-of time was given; feed
 * rates stay unset until the feed publishes (the engine calls `set(mid, nowMs)`).
 */
export function buildFxRates(config: XmcConfig, nowMs: number, epochNowMs: number): Map<string, FxRate> {
  const out = new Map<string, FxRate>();
  for (const f of config.fx) {
    const r = new FxRate(f.id, f.base, f.quote, f.maxAgeMs);
    if (f.source === 'config') r.set(Number(f.rate), f.asOfMs === null ? nowMs : nowMs - (epochNowMs - f.asOfMs));
    out.set(f.id, r);
  }
  return out;
}

/** A copy of the configuration with a venue's endpoints replaced (e.g. by the simulator's URLs). */
export function withVenueEndpoints(config: XmcConfig, venue: VenueId, links: { readonly market?: LinkSet; readonly orders?: LinkSet }): XmcConfig {
  if (!config.venues.some((v) => v.id === venue)) throw new Error(`withVenueEndpoints: venue ${venue} is not configured`);
  return {
    ...config,
    venues: config.venues.map((v) => (v.id === venue ? { ...v, links: { market: links.market ?? v.links.market, orders: links.orders ?? v.links.orders } } : v)),
  };
}
