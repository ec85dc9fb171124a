// Validation of the xmc configuration: untrusted plain values (from YAML or code) -> XmcConfig.
//
// Hand-written so that every message names the full path of the field, what was expected and
// what was found, and so that ALL problems are collected in one pass (a broken section does not
// hide the problems of the next one; cross references are checked for whatever parsed).
//
// Invariants:
// - Never throws on bad input: returns `{ config: null, issues }` with at least one issue, or
//   `{ config, issues: [] }`.
// - Secrets: any secret-looking key (api_key, secret, passphrase, password, token, ...) holding a
//   literal value anywhere in the document is a SECRET_IN_CONFIG issue, and no message ever
//   echoes such a value; URLs with user:password@ or key-like query parameters are refused too.
// - Unknown keys are errors (a typo must not silently fall back to a default).
// - Decimal fields keep the exact text of the file (see yaml.ts); they are checked with the same
//   exact parser the core uses.
import { DecimalScale } from '../core/decimal.js';
import { VENUE_IDS, type VenueId } from '../venues/types.js';
import { type ConfigIssue, type ConfigIssueCode, describe, isSecretKey, YamlNumber } from './issues.js';
import { unitFactor } from './units.js';
import type {
  AssetConfig, ContractType, CredentialsRef, Endpoint, ExecutionConfig, FeeConfig, FxConfig, InstrumentConfig, InstrumentKind,
  LeggingConfig, LegRepairConfig, LinkSet, OpenDirection, PairConfig, QuantityUnit, RiskConfig, TriggerConfig, VenueConfig, XmcConfig,
} from './types.js';

export interface ValidationResult {
  readonly config: XmcConfig | null;
  readonly issues: readonly ConfigIssue[];
}

type Obj = Record<string, unknown>;
const UNITS: readonly QuantityUnit[] = ['coin', 'gram', 'kilogram', 'troy_ounce', 'ounce'];
const ASSET_RE = /^[A-Z0-9]{1,16}$/;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$/;
const ENV_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Collects issues; knows the source positions of paths (when parsed from YAML). */
class Ctx {
  readonly issues: ConfigIssue[] = [];
  constructor(private readonly positions: ReadonlyMap<string, readonly [number, number]> | undefined) {}

  add(code: ConfigIssueCode, path: string, expected: string, found: unknown, secret = false, foundText?: string): void {
    const pos = this.position(path);
    const issue: ConfigIssue = { code, path, expected, found: foundText ?? describe(found, secret), ...(pos ? { line: pos[0], col: pos[1] } : {}) };
    this.issues.push(issue);
  }

  private position(path: string): readonly [number, number] | undefined {
    if (this.positions === undefined) return undefined;
    let p = path;
    for (;;) {
      const hit = this.positions.get(p);
      if (hit) return hit;
      if (p === '') return undefined;
      const dot = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = dot > 0 ? p.slice(0, dot) : '';
    }
  }

  get count(): number {
    return this.issues.length;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof YamlNumber);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

// ---- field readers: each returns the value, or undefined after recording an issue ------------------

function mapping(c: Ctx, v: unknown, path: string, what = 'a mapping'): Obj | undefined {
  if (v === undefined) {
    c.add('MISSING', path, what, v);
    return undefined;
  }
  if (!isObj(v)) {
    c.add('TYPE', path, what, v);
    return undefined;
  }
  return v;
}

function known(c: Ctx, o: Obj, path: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) c.add('UNKNOWN_FIELD', join(path, k), `one of the fields ${keys.join(', ')}`, undefined, false, `an unknown field ${JSON.stringify(k)}`);
  }
}

interface Opt<T> {
  required?: boolean;
  def?: T;
}

function str(c: Ctx, o: Obj, key: string, path: string, opt: Opt<string> & { re?: RegExp; what?: string } = {}): string | undefined {
  const p = join(path, key);
  const v = o[key];
  if (v === undefined || v === null) {
    if (opt.def !== undefined) return opt.def;
    if (opt.required !== false) c.add('MISSING', p, opt.what ?? 'a string', v);
    return undefined;
  }
  if (typeof v !== 'string') {
    c.add('TYPE', p, opt.what ?? 'a string', v, isSecretKey(key));
    return undefined;
  }
  if (opt.re && !opt.re.test(v)) {
    c.add('VALUE', p, opt.what ?? `a string matching ${opt.re}`, v, isSecretKey(key));
    return undefined;
  }
  return v;
}

function oneOf<T extends string>(c: Ctx, o: Obj, key: string, path: string, values: readonly T[], opt: Opt<T> = {}): T | undefined {
  const p = join(path, key);
  const v = o[key];
  if (v === undefined || v === null) {
    if (opt.def !== undefined) return opt.def;
    if (opt.required !== false) c.add('MISSING', p, `one of ${values.join(', ')}`, v);
    return undefined;
  }
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    c.add(typeof v === 'string' ? 'VALUE' : 'TYPE', p, `one of ${values.join(', ')}`, v);
    return undefined;
  }
  return v as T;
}

function bool(c: Ctx, o: Obj, key: string, path: string, def: boolean): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'boolean') {
    c.add('TYPE', join(path, key), 'true or false', v);
    return undefined;
  }
  return v;
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof YamlNumber) return v.value;
  return undefined;
}

function int(c: Ctx, o: Obj, key: string, path: string, min: number, max: number, opt: Opt<number> = {}): number | undefined {
  const p = join(path, key);
  const v = o[key];
  if (v === undefined || v === null) {
    if (opt.def !== undefined) return opt.def;
    if (opt.required !== false) c.add('MISSING', p, `an integer in [${min}, ${max}]`, v);
    return undefined;
  }
  const n = numberOf(v);
  if (n === undefined || !Number.isInteger(n)) {
    c.add('TYPE', p, `an integer in [${min}, ${max}]`, v);
    return undefined;
  }
  if (n < min || n > max) {
    c.add('VALUE', p, `an integer in [${min}, ${max}]`, v);
    return undefined;
  }
  return n;
}

function num(c: Ctx, o: Obj, key: string, path: string, min: number, max: number, opt: Opt<number> & { minExclusive?: boolean } = {}): number | undefined {
  const p = join(path, key);
  const v = o[key];
  const range = `${opt.minExclusive ? '(' : '['}${min}, ${max}]`;
  if (v === undefined || v === null) {
    if (opt.def !== undefined) return opt.def;
    if (opt.required !== false) c.add('MISSING', p, `a number in ${range}`, v);
    return undefined;
  }
  const n = numberOf(v);
  if (n === undefined || !Number.isFinite(n)) {
    c.add('TYPE', p, `a number in ${range}`, v);
    return undefined;
  }
  if (n < min || n > max || (opt.minExclusive === true && n === min)) {
    c.add('VALUE', p, `a number in ${range}`, v);
    return undefined;
  }
  return n;
}

interface DecOpt extends Opt<string> {
  /** 'positive' (> 0), 'nonNegative' (>= 0) or 'any'. */
  sign?: 'positive' | 'nonNegative' | 'any';
  /** Must be a valid step (tick / lot): positive and exactly representable. */
  step?: boolean;
  max?: number;
  min?: number;
  what?: string;
}

/** A decimal amount as its exact text (normalised: no leading '+', trimmed). */
function dec(c: Ctx, o: Obj, key: string, path: string, opt: DecOpt = {}): string | undefined {
  const p = join(path, key);
  const v = o[key];
  const sign = opt.sign ?? 'nonNegative';
  const what = opt.what ?? (opt.step ? 'a positive decimal step, e.g. "0.01"' : sign === 'positive' ? 'a decimal number > 0' : sign === 'nonNegative' ? 'a decimal number >= 0' : 'a decimal number');
  if (v === undefined || v === null) {
    if (opt.def !== undefined) return opt.def;
    if (opt.required !== false) c.add('MISSING', p, what, v);
    return undefined;
  }
  let text: string;
  if (v instanceof YamlNumber) text = v.source.trim();
  else if (typeof v === 'number' && Number.isFinite(v)) text = String(v);
  else if (typeof v === 'string') text = v.trim();
  else {
    c.add('TYPE', p, what, v);
    return undefined;
  }
  if (!DECIMAL_RE.test(text)) {
    c.add(typeof v === 'string' ? 'VALUE' : 'TYPE', p, what, v);
    return undefined;
  }
  if (text.startsWith('+')) text = text.slice(1);
  const n = Number(text);
  if ((sign === 'positive' && !(n > 0)) || (sign === 'nonNegative' && n < 0) || (opt.max !== undefined && n > opt.max) || (opt.min !== undefined && n < opt.min)) {
    const range = opt.min !== undefined || opt.max !== undefined ? ` in [${opt.min ?? '-inf'}, ${opt.max ?? 'inf'}]` : '';
    c.add('VALUE', p, what + range, v);
    return undefined;
  }
  if (opt.step) {
    try {
      new DecimalScale(text);
    } catch {
      c.add('VALUE', p, `${what} (at most 15 significant digits)`, v);
      return undefined;
    }
  } else if (n !== 0) {
    // exactness guard: the core converts with DecimalScale; reject what it cannot hold
    try {
      new DecimalScale(text.startsWith('-') ? text.slice(1) : text);
    } catch {
      c.add('VALUE', p, `${what} with at most 15 significant digits`, v);
      return undefined;
    }
  }
  return text;
}

function list(c: Ctx, o: Obj, key: string, path: string, required: boolean): unknown[] | undefined {
  const v = o[key];
  const p = join(path, key);
  if (v === undefined || v === null) {
    if (required) c.add('MISSING', p, 'a list', v);
    return required ? undefined : [];
  }
  if (!Array.isArray(v)) {
    c.add('TYPE', p, 'a list', v);
    return undefined;
  }
  return v;
}

/** Mapping of name -> decimal amount (risk limits per asset / instrument / currency). */
function amountMap(c: Ctx, o: Obj, key: string, path: string, keyCheck: (k: string) => string | null): Record<string, string> | undefined {
  const v = o[key];
  const p = join(path, key);
  if (v === undefined || v === null) return {};
  const m = mapping(c, v, p, 'a mapping of name -> amount');
  if (m === undefined) return undefined;
  const out: Record<string, string> = {};
  let ok = true;
  for (const k of Object.keys(m)) {
    const problem = keyCheck(k);
    if (problem !== null) {
      c.add('REFERENCE', join(p, k), problem, k);
      ok = false;
      continue;
    }
    const d = dec(c, m, k, p, { sign: 'positive' });
    if (d === undefined) ok = false;
    else out[k] = d;
  }
  return ok ? out : undefined;
}

// ---- secrets ---------------------------------------------------------------------------------------

function scanSecrets(c: Ctx, v: unknown, path: string): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => scanSecrets(c, x, `${path}[${i}]`));
    return;
  }
  if (isObj(v)) {
    for (const k of Object.keys(v)) {
      const child = v[k];
      const p = join(path, k);
      if (isSecretKey(k) && (typeof child === 'string' || typeof child === 'number' || child instanceof YamlNumber) && child !== '') {
        c.add('SECRET_IN_CONFIG', p, 'no secret in the configuration: a reference { env: VARIABLE_NAME } or a credentials file (credentials.file)', child, true);
        continue;
      }
      scanSecrets(c, child, p);
    }
    return;
  }
  if (typeof v === 'string') {
    const kind = secretInUrl(v);
    if (kind === 'userinfo') c.add('SECRET_IN_CONFIG', path, 'a URL without user:password@ (credentials come from the environment or a file)', v, true, 'a URL with embedded credentials (not shown)');
    else if (kind === 'query') c.add('SECRET_IN_CONFIG', path, 'a URL without secret query parameters', v, true, 'a URL with a secret query parameter (not shown)');
  }
}

/** Whether a string is a URL carrying credentials: user:password@ or a key-like query parameter. */
function secretInUrl(v: string): 'userinfo' | 'query' | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return null;
  const at = v.indexOf('@');
  const slash = v.indexOf('/', v.indexOf('//') + 2);
  if (at > 0 && (slash < 0 || at < slash)) return 'userinfo';
  if (/[?&#](api_?key|apikey|secret|signature|passphrase|password|token|listenkey)=/i.test(v)) return 'query';
  return null;
}

// ---- sections --------------------------------------------------------------------------------------

function assets(c: Ctx, root: Obj): Record<string, AssetConfig> | undefined {
  const m = mapping(c, root['assets'], 'assets', 'a mapping of asset name -> { decimals, unit }');
  if (m === undefined) return undefined;
  const out: Record<string, AssetConfig> = {};
  for (const name of Object.keys(m)) {
    const p = `assets.${name}`;
    if (!ASSET_RE.test(name)) c.add('VALUE', p, 'an asset name of 1-16 upper-case letters or digits', name);
    const a = mapping(c, m[name], p, 'a mapping { decimals, unit }');
    if (a === undefined) continue;
    known(c, a, p, ['decimals', 'unit']);
    const decimals = int(c, a, 'decimals', p, 0, 15);
    const unit = oneOf(c, a, 'unit', p, UNITS, { def: 'coin' });
    if (decimals !== undefined && unit !== undefined && ASSET_RE.test(name)) out[name] = { name, decimals, unit };
  }
  if (Object.keys(m).length === 0) c.add('VALUE', 'assets', 'at least one asset', m);
  return out;
}

function url(c: Ctx, o: Obj, key: string, path: string, schemes: readonly string[], required: boolean): string | null | undefined {
  const what = `a ${schemes.join(' or ')} URL`;
  const s = str(c, o, key, path, { required, what });
  if (s === undefined) return required ? undefined : null;
  if (secretInUrl(s) !== null) return undefined; // reported by scanSecrets, never echoed
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    c.add('VALUE', join(path, key), what, s);
    return undefined;
  }
  if (!schemes.includes(u.protocol.slice(0, -1)) || u.hostname === '') {
    c.add('VALUE', join(path, key), what, s);
    return undefined;
  }
  if (u.username !== '' || u.password !== '') return undefined;
  return s;
}

function endpoint(c: Ctx, v: unknown, path: string, market: boolean): Endpoint | undefined {
  const o = mapping(c, v, path, 'an endpoint { ws, rest, ws_api, ws_private }');
  if (o === undefined) return undefined;
  known(c, o, path, ['ws', 'rest', 'ws_api', 'ws_private']);
  const ws = url(c, o, 'ws', path, ['ws', 'wss'], market);
  const rest = url(c, o, 'rest', path, ['http', 'https'], true);
  const wsApi = url(c, o, 'ws_api', path, ['ws', 'wss'], false);
  const wsPrivate = url(c, o, 'ws_private', path, ['ws', 'wss'], false);
  if (ws === undefined || rest === undefined || rest === null || wsApi === undefined || wsPrivate === undefined) return undefined;
  return { ws, rest, wsApi, wsPrivate };
}

function linkSet(c: Ctx, v: unknown, path: string, market: boolean): LinkSet | undefined {
  const o = mapping(c, v, path, 'a mapping { primary, backup }');
  if (o === undefined) return undefined;
  known(c, o, path, ['primary', 'backup']);
  const primary = endpoint(c, o['primary'], join(path, 'primary'), market);
  const backup = o['backup'] === undefined || o['backup'] === null ? null : endpoint(c, o['backup'], join(path, 'backup'), market);
  if (primary === undefined || backup === undefined) return undefined;
  return { primary, backup };
}

function envRef(c: Ctx, o: Obj, key: string, path: string, required: boolean): string | null | undefined {
  const p = join(path, key);
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) c.add('MISSING', p, 'a reference { env: VARIABLE_NAME }', v);
    return required ? undefined : null;
  }
  if (typeof v === 'string' || typeof v === 'number' || v instanceof YamlNumber) return undefined; // a literal: reported by scanSecrets
  const r = mapping(c, v, p, 'a reference { env: VARIABLE_NAME }');
  if (r === undefined) return undefined;
  known(c, r, p, ['env']);
  const name = r['env'];
  if (typeof name !== 'string' || !ENV_RE.test(name)) {
    // a value that is not an environment variable name may be the secret itself: never echo it
    c.add(name === undefined ? 'MISSING' : 'VALUE', join(p, 'env'), 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)', name, typeof name === 'string',
      typeof name === 'string' ? `a string of ${name.length} characters that is not a variable name (not shown; if it is the secret itself, move it to the environment)` : undefined);
    return undefined;
  }
  return name;
}

function credentials(c: Ctx, v: unknown, path: string, venue: VenueId): CredentialsRef | null | undefined {
  if (v === undefined || v === null) return null;
  const o = mapping(c, v, path, 'a mapping { api_key: {env}, secret: {env}[, passphrase: {env}] } or { file: PATH }');
  if (o === undefined) return undefined;
  known(c, o, path, ['api_key', 'secret', 'passphrase', 'file']);
  if (o['file'] !== undefined) {
    for (const k of ['api_key', 'secret', 'passphrase']) {
      if (o[k] !== undefined && isObj(o[k])) c.add('CONFLICT', join(path, k), 'either credentials.file or environment references, not both', o[k]);
    }
    const file = str(c, o, 'file', path, { what: 'an absolute file path' });
    if (file === undefined) return undefined;
    if (!file.startsWith('/')) {
      c.add('VALUE', join(path, 'file'), 'an absolute file path', file);
      return undefined;
    }
    return { kind: 'file', path: file };
  }
  const apiKey = envRef(c, o, 'api_key', path, true);
  const secret = envRef(c, o, 'secret', path, true);
  const passphrase = envRef(c, o, 'passphrase', path, venue === 'okx');
  if (apiKey === undefined || apiKey === null || secret === undefined || secret === null || passphrase === undefined) return undefined;
  return { kind: 'env', apiKey, secret, passphrase };
}

function fees(c: Ctx, v: unknown, path: string, required: boolean): FeeConfig | null | undefined {
  if (v === undefined || v === null) {
    if (required) {
      c.add('MISSING', path, 'a mapping { maker, taker } of fee rates', v);
      return undefined;
    }
    return null;
  }
  const o = mapping(c, v, path, 'a mapping { maker, taker } of fee rates');
  if (o === undefined) return undefined;
  known(c, o, path, ['maker', 'taker']);
  const maker = dec(c, o, 'maker', path, { sign: 'any', min: -0.01, max: 0.01, what: 'a fee rate (decimal, e.g. "0.001" = 0.1 %)' });
  const taker = dec(c, o, 'taker', path, { sign: 'any', min: -0.01, max: 0.01, what: 'a fee rate (decimal, e.g. "0.001" = 0.1 %)' });
  if (maker === undefined || taker === undefined) return undefined;
  return { maker, taker };
}

function venues(c: Ctx, root: Obj): VenueConfig[] | undefined {
  const m = mapping(c, root['venues'], 'venues', `a mapping of venue id (${VENUE_IDS.join(', ')}) -> venue`);
  if (m === undefined) return undefined;
  const out: VenueConfig[] = [];
  for (const id of Object.keys(m)) {
    const p = `venues.${id}`;
    if (!(VENUE_IDS as readonly string[]).includes(id)) {
      c.add('VALUE', p, `a venue id: one of ${VENUE_IDS.join(', ')}`, id);
      continue;
    }
    const o = mapping(c, m[id], p, 'a venue mapping');
    if (o === undefined) continue;
    known(c, o, p, ['links', 'credentials', 'fees', 'instruments_endpoint']);
    const lo = mapping(c, o['links'], join(p, 'links'), 'a mapping { market, orders }');
    let links: VenueConfig['links'] | undefined;
    if (lo !== undefined) {
      known(c, lo, join(p, 'links'), ['market', 'orders']);
      const market = linkSet(c, lo['market'], join(p, 'links.market'), true);
      const orders = linkSet(c, lo['orders'], join(p, 'links.orders'), false);
      if (market !== undefined && orders !== undefined) links = { market, orders };
    }
    const cred = credentials(c, o['credentials'], join(p, 'credentials'), id as VenueId);
    const f = fees(c, o['fees'], join(p, 'fees'), true);
    const ie = bool(c, o, 'instruments_endpoint', p, true);
    if (links !== undefined && cred !== undefined && f !== undefined && f !== null && ie !== undefined) {
      out.push({ id: id as VenueId, links, credentials: cred, fees: f, instrumentsEndpoint: ie });
    }
  }
  if (Object.keys(m).length === 0) c.add('VALUE', 'venues', 'at least one venue', m);
  return out;
}

function isMass(u: QuantityUnit): boolean {
  return u !== 'coin';
}

function instruments(c: Ctx, root: Obj, venueList: readonly VenueConfig[] | undefined, assetMap: Record<string, AssetConfig> | undefined): InstrumentConfig[] | undefined {
  const arr = list(c, root, 'instruments', '', true);
  if (arr === undefined) return undefined;
  const out: InstrumentConfig[] = [];
  const ids = new Set<string>();
  const keys = new Set<string>();
  arr.forEach((v, i) => {
    const p = `instruments[${i}]`;
    const o = mapping(c, v, p, 'an instrument mapping');
    if (o === undefined) return;
    known(c, o, p, ['id', 'venue', 'symbol', 'kind', 'base', 'quote', 'currency', 'unit', 'tick', 'lot', 'min_qty', 'min_notional', 'contract', 'fees']);
    const before = c.count;
    const venue = oneOf(c, o, 'venue', p, VENUE_IDS);
    const symbol = str(c, o, 'symbol', p, { re: /^[\x21-\x7e]{1,64}$/, what: 'the venue symbol (printable ASCII, 1-64 characters)' });
    const kind = oneOf<InstrumentKind>(c, o, 'kind', p, ['spot', 'perpetual', 'future']);
    const base = str(c, o, 'base', p, { re: ASSET_RE, what: 'an asset name' });
    const quote = str(c, o, 'quote', p, { re: ASSET_RE, what: 'an asset name' });
    const currency = str(c, o, 'currency', p, { re: ASSET_RE, what: 'a currency name', required: false });
    const id = str(c, o, 'id', p, { re: ID_RE, what: 'an id (letters, digits, _ . : -)', required: false }) ?? (venue && symbol ? `${venue}:${symbol}` : undefined);
    const vcfg = venue ? venueList?.find((x) => x.id === venue) : undefined;
    if (venue && venueList && !vcfg && !c.issues.some((x) => x.path === `venues.${venue}` || x.path.startsWith(`venues.${venue}.`))) {
      c.add('REFERENCE', join(p, 'venue'), `a venue configured under venues (${venueList.map((x) => x.id).join(', ') || 'none'})`, venue);
    }
    const endpoint = vcfg ? vcfg.instrumentsEndpoint : true;
    const need = (field: string): boolean => !endpoint && (o[field] === undefined || o[field] === null);
    const needWhy = `(required: venue ${venue ?? '?'} has no instruments endpoint)`;
    for (const [field, what] of [['tick', 'the tick size'], ['lot', 'the lot step'], ['min_qty', 'the minimum quantity']] as const) {
      if (need(field)) c.add('MISSING', join(p, field), `${what} ${needWhy}`, undefined);
    }
    const tick = o['tick'] === undefined || o['tick'] === null ? null : dec(c, o, 'tick', p, { step: true });
    const lot = o['lot'] === undefined || o['lot'] === null ? null : dec(c, o, 'lot', p, { step: true });
    const minQty = o['min_qty'] === undefined || o['min_qty'] === null ? null : dec(c, o, 'min_qty', p, {});
    const minNotional = o['min_notional'] === undefined || o['min_notional'] === null ? (endpoint ? null : '0') : dec(c, o, 'min_notional', p, {});
    let contract: InstrumentConfig['contract'] | undefined = null;
    if (o['contract'] !== undefined && o['contract'] !== null) {
      const cp = join(p, 'contract');
      const co = mapping(c, o['contract'], cp, 'a mapping { value, currency, type }');
      if (co === undefined) contract = undefined;
      else {
        known(c, co, cp, ['value', 'currency', 'type']);
        const value = dec(c, co, 'value', cp, { sign: 'positive' });
        const type = oneOf<ContractType>(c, co, 'type', cp, ['linear', 'inverse', 'none']);
        const ccy = str(c, co, 'currency', cp, { re: ASSET_RE, what: 'an asset name', required: false }) ?? (type === 'inverse' ? quote : base);
        if (value === undefined || type === undefined || ccy === undefined) contract = undefined;
        else {
          contract = { value, currency: ccy, type };
          if (kind === 'spot' && (type !== 'none' || Number(value) !== 1)) c.add('CONFLICT', cp, 'no contract on a spot instrument (or { value: 1, type: none })', co);
          if (kind !== undefined && kind !== 'spot' && type === 'none') c.add('CONFLICT', join(cp, 'type'), 'linear or inverse for a derivative', type);
          if (type === 'linear' && base !== undefined && ccy !== base) c.add('CONFLICT', join(cp, 'currency'), `the base asset ${base} (a linear contract's value is in base)`, ccy);
          if (type === 'inverse' && quote !== undefined && ccy !== quote) c.add('CONFLICT', join(cp, 'currency'), `the quote currency ${quote} (an inverse contract's value is in quote)`, ccy);
        }
      }
    } else if (kind !== undefined && kind !== 'spot' && !endpoint) {
      c.add('MISSING', join(p, 'contract'), `the contract { value, currency, type } ${needWhy}`, undefined);
    }
    const f = fees(c, o['fees'], join(p, 'fees'), false);
    // assets and units
    let unit: QuantityUnit | undefined;
    for (const [field, a] of [['base', base], ['quote', quote]] as const) {
      if (a !== undefined && assetMap !== undefined && assetMap[a] === undefined) c.add('REFERENCE', join(p, field), `an asset listed under assets (${Object.keys(assetMap).join(', ')})`, a);
    }
    const assetUnit = base !== undefined ? assetMap?.[base]?.unit : undefined;
    if (o['unit'] !== undefined) unit = oneOf(c, o, 'unit', p, UNITS);
    else unit = assetUnit ?? 'coin';
    if (unit !== undefined && assetUnit !== undefined && isMass(unit) !== isMass(assetUnit)) {
      c.add('CONFLICT', join(p, 'unit'), `a unit convertible to the asset's unit (${assetUnit})`, unit);
    } else if (unit !== undefined && assetUnit !== undefined && unitFactor(unit, assetUnit) === null) {
      c.add('CONFLICT', join(p, 'unit'), `a unit that is a whole decimal number of the asset's unit (${assetUnit}): measure ${base} in the smaller unit`, unit);
    }
    if (id !== undefined) {
      if (ids.has(id)) c.add('DUPLICATE', o['id'] !== undefined ? join(p, 'id') : p, 'an instrument id used once', id);
      ids.add(id);
    }
    if (venue && symbol) {
      const k = `${venue}\u0000${symbol.toUpperCase()}`;
      if (keys.has(k)) c.add('DUPLICATE', join(p, 'symbol'), `a symbol configured once per venue (${venue})`, symbol);
      keys.add(k);
    }
    if (c.count !== before) return;
    if (venue && symbol && kind && base && quote && id && unit && tick !== undefined && lot !== undefined && minQty !== undefined && minNotional !== undefined && contract !== undefined && f !== undefined) {
      out.push({ id, venue, symbol, kind, base, quote, currency: currency ?? quote, unit, tick, lot, minQty, minNotional, contract, fees: f });
    }
  });
  if (arr.length === 0) c.add('VALUE', 'instruments', 'at least one instrument', arr);
  return out;
}

function fxSources(c: Ctx, root: Obj, insts: readonly InstrumentConfig[] | undefined, allIds: ReadonlySet<string>): FxConfig[] | undefined {
  const arr = list(c, root, 'fx', '', false);
  if (arr === undefined) return undefined;
  const out: FxConfig[] = [];
  const ids = new Set<string>();
  arr.forEach((v, i) => {
    const p = `fx[${i}]`;
    const o = mapping(c, v, p, 'an FX source mapping');
    if (o === undefined) return;
    known(c, o, p, ['id', 'base', 'quote', 'source', 'rate', 'as_of', 'max_age_ms', 'instrument']);
    const before = c.count;
    const id = str(c, o, 'id', p, { re: ID_RE, what: 'an id (letters, digits, _ . : -)' });
    const base = str(c, o, 'base', p, { re: ASSET_RE, what: 'a currency name' });
    const quote = str(c, o, 'quote', p, { re: ASSET_RE, what: 'a currency name' });
    const source = oneOf(c, o, 'source', p, ['config', 'feed'] as const);
    if (id !== undefined) {
      if (ids.has(id)) c.add('DUPLICATE', join(p, 'id'), 'an FX id used once', id);
      ids.add(id);
    }
    if (base !== undefined && base === quote) c.add('CONFLICT', join(p, 'quote'), 'a currency different from base', quote);
    if (source === 'config') {
      if (o['instrument'] !== undefined) c.add('CONFLICT', join(p, 'instrument'), 'no instrument for a configured rate (source: config)', o['instrument']);
      const rate = dec(c, o, 'rate', p, { sign: 'positive' });
      let asOfMs: number | null = null;
      if (o['as_of'] !== undefined && o['as_of'] !== null) {
        const s = o['as_of'];
        const t = typeof s === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) ? Date.parse(s) : NaN;
        if (!Number.isFinite(t)) c.add('VALUE', join(p, 'as_of'), 'an ISO 8601 time with zone, e.g. 2026-11-21T08:00:00Z', s);
        else asOfMs = t;
      }
      const maxAge = int(c, o, 'max_age_ms', p, 1, Number.MAX_SAFE_INTEGER, { required: false });
      if (c.count === before && id && base && quote && rate) out.push({ id, base, quote, source, rate, asOfMs, maxAgeMs: maxAge ?? Infinity });
    } else if (source === 'feed') {
      if (o['rate'] !== undefined) c.add('CONFLICT', join(p, 'rate'), 'no rate for a feed source (the rate comes from the instrument)', o['rate']);
      if (o['as_of'] !== undefined) c.add('CONFLICT', join(p, 'as_of'), 'no as_of for a feed source', o['as_of']);
      const inst = str(c, o, 'instrument', p, { what: 'an instrument id' });
      const maxAge = int(c, o, 'max_age_ms', p, 1, 86_400_000);
      let invert = false;
      if (inst !== undefined && allIds.has(inst)) {
        const ic = insts?.find((x) => x.id === inst);
        if (ic && base && quote) {
          if (ic.base === base && ic.quote === quote) invert = false;
          else if (ic.base === quote && ic.quote === base) invert = true;
          else c.add('CONFLICT', join(p, 'instrument'), `an instrument quoting ${quote} per ${base} (or ${base} per ${quote})`, inst, false, `${inst} (${ic.base}/${ic.quote})`);
        }
      } else if (inst !== undefined) {
        c.add('REFERENCE', join(p, 'instrument'), 'an instrument id listed under instruments', inst);
      }
      if (c.count === before && id && base && quote && inst && maxAge !== undefined) out.push({ id, base, quote, source, instrument: inst, invert, maxAgeMs: maxAge });
    }
  });
  return out;
}

function repair(c: Ctx, o: Obj, key: string, path: string, def: LegRepairConfig): LegRepairConfig | undefined {
  const v = o[key];
  if (v === undefined || v === null) return def;
  const p = join(path, key);
  const r = mapping(c, v, p, 'a mapping { action, max_attempts, within_ms, band_bps }');
  if (r === undefined) return undefined;
  known(c, r, p, ['action', 'max_attempts', 'within_ms', 'band_bps']);
  const action = oneOf(c, r, 'action', p, ['replenish', 'unwind'] as const, { def: def.action });
  const maxAttempts = int(c, r, 'max_attempts', p, 0, 100, { def: def.maxAttempts });
  const withinMs = int(c, r, 'within_ms', p, 1, 600_000, { def: def.withinMs });
  const bandBps = num(c, r, 'band_bps', p, 0, 1000, { def: def.bandBps });
  if (action === undefined || maxAttempts === undefined || withinMs === undefined || bandBps === undefined) return undefined;
  return { action, maxAttempts, withinMs, bandBps };
}

export const DEFAULT_LEGGING: LeggingConfig = Object.freeze({
  reject: Object.freeze({ action: 'replenish', maxAttempts: 2, withinMs: 1000, bandBps: 10 }),
  partialFill: Object.freeze({ action: 'replenish', maxAttempts: 3, withinMs: 1500, bandBps: 10 }),
  outcomeUnknown: Object.freeze({ action: 'replenish', maxAttempts: 1, withinMs: 3000, bandBps: 10 }),
  postOnlyBounce: Object.freeze({ action: 'replenish', maxAttempts: 3, withinMs: 1000, bandBps: 5 }),
  noPrice: Object.freeze({ action: 'replenish', maxAttempts: 3, withinMs: 2000, bandBps: 10 }),
  unwind: Object.freeze({ maxAttempts: 3, withinMs: 3000, bandBps: 30 }),
  queryTimeoutMs: 1000,
  settleMs: 5000,
  retryDelayMs: 100,
  unknownAlarmMs: 30_000,
  postOnlyReprice: 'passive',
  onRepairFailure: 'reducing',
} as const);

export const DEFAULT_EXECUTION: ExecutionConfig = Object.freeze({
  mode: 'concurrent',
  leader: 'auto',
  leaderOrderType: 'ioc',
  leaderRestMs: 3000,
  slippageBps: 5,
  hedgeBandBps: 10,
  orderTimeoutMs: 2000,
  cancelTimeoutMs: 2000,
} as const);

function legging(c: Ctx, v: unknown, path: string): LeggingConfig | undefined {
  if (v === undefined || v === null) return DEFAULT_LEGGING;
  const o = mapping(c, v, path, 'a legging policy mapping');
  if (o === undefined) return undefined;
  known(c, o, path, ['reject', 'partial_fill', 'outcome_unknown', 'post_only_bounce', 'no_price', 'unwind', 'query_timeout_ms', 'settle_ms', 'retry_delay_ms', 'unknown_alarm_ms', 'post_only_reprice', 'on_repair_failure']);
  const d = DEFAULT_LEGGING;
  const reject = repair(c, o, 'reject', path, d.reject);
  const partialFill = repair(c, o, 'partial_fill', path, d.partialFill);
  const outcomeUnknown = repair(c, o, 'outcome_unknown', path, d.outcomeUnknown);
  const postOnlyBounce = repair(c, o, 'post_only_bounce', path, d.postOnlyBounce);
  const noPrice = repair(c, o, 'no_price', path, d.noPrice);
  let unwind: LeggingConfig['unwind'] | undefined = d.unwind;
  if (o['unwind'] !== undefined && o['unwind'] !== null) {
    const up = join(path, 'unwind');
    const u = mapping(c, o['unwind'], up, 'a mapping { max_attempts, within_ms, band_bps }');
    if (u === undefined) unwind = undefined;
    else {
      known(c, u, up, ['max_attempts', 'within_ms', 'band_bps']);
      const maxAttempts = int(c, u, 'max_attempts', up, 1, 100, { def: d.unwind.maxAttempts });
      const withinMs = int(c, u, 'within_ms', up, 1, 600_000, { def: d.unwind.withinMs });
      const bandBps = num(c, u, 'band_bps', up, 0, 2000, { def: d.unwind.bandBps });
      unwind = maxAttempts !== undefined && withinMs !== undefined && bandBps !== undefined ? { maxAttempts, withinMs, bandBps } : undefined;
    }
  }
  const queryTimeoutMs = int(c, o, 'query_timeout_ms', path, 1, 60_000, { def: d.queryTimeoutMs });
  const settleMs = int(c, o, 'settle_ms', path, 0, 600_000, { def: d.settleMs });
  const retryDelayMs = int(c, o, 'retry_delay_ms', path, 0, 60_000, { def: d.retryDelayMs });
  const unknownAlarmMs = int(c, o, 'unknown_alarm_ms', path, 1, 3_600_000, { def: d.unknownAlarmMs });
  const postOnlyReprice = oneOf(c, o, 'post_only_reprice', path, ['passive', 'cross'] as const, { def: d.postOnlyReprice });
  const onRepairFailure = oneOf(c, o, 'on_repair_failure', path, ['reducing', 'halted'] as const, { def: d.onRepairFailure });
  if (!reject || !partialFill || !outcomeUnknown || !postOnlyBounce || !noPrice || !unwind || queryTimeoutMs === undefined || settleMs === undefined
    || retryDelayMs === undefined || unknownAlarmMs === undefined || !postOnlyReprice || !onRepairFailure) return undefined;
  return { reject, partialFill, outcomeUnknown, postOnlyBounce, noPrice, unwind, queryTimeoutMs, settleMs, retryDelayMs, unknownAlarmMs, postOnlyReprice, onRepairFailure };
}

function execution(c: Ctx, v: unknown, path: string): ExecutionConfig | undefined {
  const def = DEFAULT_EXECUTION;
  if (v === undefined || v === null) return def;
  const o = mapping(c, v, path, 'a mapping { mode, leader, leader_order_type, leader_rest_ms, slippage_bps, hedge_band_bps, order_timeout_ms, cancel_timeout_ms }');
  if (o === undefined) return undefined;
  known(c, o, path, ['mode', 'leader', 'leader_order_type', 'leader_rest_ms', 'slippage_bps', 'hedge_band_bps', 'order_timeout_ms', 'cancel_timeout_ms']);
  const mode = oneOf(c, o, 'mode', path, ['concurrent', 'leader_follower'] as const, { def: def.mode });
  const leader = oneOf(c, o, 'leader', path, ['a', 'b', 'auto'] as const, { def: def.leader });
  const leaderOrderType = oneOf(c, o, 'leader_order_type', path, ['ioc', 'limit', 'post_only'] as const, { def: def.leaderOrderType });
  if (mode === 'concurrent') {
    for (const k of ['leader', 'leader_order_type', 'leader_rest_ms', 'hedge_band_bps']) {
      if (o[k] !== undefined) c.add('CONFLICT', join(path, k), `no ${k} in concurrent mode (it applies to mode: leader_follower)`, o[k]);
    }
  }
  const leaderRestMs = int(c, o, 'leader_rest_ms', path, 1, 600_000, { def: def.leaderRestMs });
  const slippageBps = num(c, o, 'slippage_bps', path, 0, 1000, { def: def.slippageBps });
  const hedgeBandBps = num(c, o, 'hedge_band_bps', path, 0, 1000, { def: def.hedgeBandBps });
  const orderTimeoutMs = int(c, o, 'order_timeout_ms', path, 1, 600_000, { def: def.orderTimeoutMs });
  const cancelTimeoutMs = int(c, o, 'cancel_timeout_ms', path, 1, 600_000, { def: def.cancelTimeoutMs });
  if (!mode || !leader || !leaderOrderType || leaderRestMs === undefined || slippageBps === undefined || hedgeBandBps === undefined || orderTimeoutMs === undefined || cancelTimeoutMs === undefined) return undefined;
  return { mode, leader, leaderOrderType, leaderRestMs, slippageBps, hedgeBandBps, orderTimeoutMs, cancelTimeoutMs };
}

function pairs(c: Ctx, root: Obj, insts: readonly InstrumentConfig[] | undefined, allInstIds: ReadonlySet<string>, fxList: readonly FxConfig[] | undefined, allFxIds: ReadonlySet<string>): PairConfig[] | undefined {
  const arr = list(c, root, 'pairs', '', true);
  if (arr === undefined) return undefined;
  const out: PairConfig[] = [];
  const ids = new Set<string>();
  arr.forEach((v, i) => {
    const p = `pairs[${i}]`;
    const o = mapping(c, v, p, 'a pair mapping');
    if (o === undefined) return;
    known(c, o, p, ['id', 'a', 'b', 'trigger', 'size_per_trade', 'position', 'open_directions', 'sizing', 'execution', 'legging', 'enabled']);
    const before = c.count;
    const id = str(c, o, 'id', p, { re: ID_RE, what: 'an id (letters, digits, _ . : -)' });
    if (id !== undefined) {
      if (ids.has(id)) c.add('DUPLICATE', join(p, 'id'), 'a pair id used once', id);
      ids.add(id);
    }
    const legIds: (string | undefined)[] = [];
    for (const leg of ['a', 'b'] as const) {
      const ref = str(c, o, leg, p, { what: 'an instrument id' });
      if (ref !== undefined && !allInstIds.has(ref)) c.add('REFERENCE', join(p, leg), `an instrument id listed under instruments (${[...allInstIds].join(', ')})`, ref);
      legIds.push(ref);
    }
    if (legIds[0] !== undefined && legIds[0] === legIds[1]) c.add('CONFLICT', join(p, 'b'), 'an instrument different from leg a', legIds[1]);
    const ia = insts?.find((x) => x.id === legIds[0]);
    const ib = insts?.find((x) => x.id === legIds[1]);
    if (ia && ib && ia.base !== ib.base) c.add('CONFLICT', join(p, 'b'), `an instrument on the same base asset as leg a (${ia.base})`, legIds[1], false, `${legIds[1]} (base ${ib.base})`);

    // trigger
    const tp = join(p, 'trigger');
    let trigger: TriggerConfig | undefined;
    const to = mapping(c, o['trigger'], tp, 'a mapping { type, unit, open, close[, fx, fair_ratio] }');
    if (to !== undefined) {
      known(c, to, tp, ['type', 'unit', 'open', 'close', 'fx', 'fair_ratio']);
      const type = oneOf(c, to, 'type', tp, ['spread', 'counter_price', 'ratio'] as const);
      const unit = oneOf(c, to, 'unit', tp, ['price', 'bps'] as const, { def: type === 'ratio' ? 'bps' : 'price' });
      if (type === 'spread' && unit === 'bps') c.add('CONFLICT', join(tp, 'unit'), 'price for a spread trigger (use counter_price or ratio for bps)', unit);
      if (type === 'ratio' && unit === 'price') c.add('CONFLICT', join(tp, 'unit'), 'bps for a ratio trigger', unit);
      const open = dec(c, to, 'open', tp, { sign: 'any' });
      const close = dec(c, to, 'close', tp, { sign: 'any' });
      if (open !== undefined && close !== undefined && !(Number(close) < Number(open))) {
        c.add('CONFLICT', join(tp, 'close'), `a close threshold below open (${open}): the band between them is the hysteresis`, to['close']);
      }
      const fairRatio = dec(c, to, 'fair_ratio', tp, { sign: 'positive', def: '1' });
      if (type !== 'ratio' && to['fair_ratio'] !== undefined) c.add('CONFLICT', join(tp, 'fair_ratio'), 'fair_ratio only on a ratio trigger', to['fair_ratio']);
      let fx: string | null = null;
      if (to['fx'] !== undefined && to['fx'] !== null) {
        const f = str(c, to, 'fx', tp, { what: 'an FX source id' });
        if (f !== undefined) {
          if (type !== 'ratio') c.add('CONFLICT', join(tp, 'fx'), 'fx only on a ratio trigger', f);
          else if (!allFxIds.has(f)) c.add('REFERENCE', join(tp, 'fx'), `an FX source id listed under fx (${[...allFxIds].join(', ') || 'none'})`, f);
          else fx = f;
        }
      }
      if (ia && ib && type !== undefined) {
        if (type !== 'ratio') {
          if (ia.currency !== ib.currency) c.add('CONFLICT', join(tp, 'type'), `ratio (the legs quote different currencies: ${ia.currency} and ${ib.currency})`, type);
          else if (ia.unit !== ib.unit) c.add('CONFLICT', join(tp, 'type'), `ratio (the legs quote per different units: ${ia.unit} and ${ib.unit})`, type);
        } else if (ia.currency !== ib.currency) {
          if (to['fx'] === undefined || to['fx'] === null) c.add('MISSING', join(tp, 'fx'), `an FX source converting ${ib.currency} to ${ia.currency} (the legs quote different currencies)`, undefined);
          else if (fx !== null) {
            const src = fxList?.find((x) => x.id === fx);
            if (src && !((src.base === ib.currency && src.quote === ia.currency) || (src.base === ia.currency && src.quote === ib.currency))) {
              c.add('CONFLICT', join(tp, 'fx'), `an FX source between ${ib.currency} and ${ia.currency}`, fx, false, `${fx} (${src.base}/${src.quote})`);
            }
          }
        }
      }
      if (type && unit && open !== undefined && close !== undefined && fairRatio !== undefined) trigger = { type, unit, open, close, fx, fairRatio };
    }
    const sizePerTrade = dec(c, o, 'size_per_trade', p, { sign: 'positive', what: 'a base amount > 0' });
    const pp = join(p, 'position');
    let position: PairConfig['position'] | undefined;
    const po = mapping(c, o['position'], pp, 'a mapping { target, max }');
    if (po !== undefined) {
      known(c, po, pp, ['target', 'max']);
      const target = dec(c, po, 'target', pp, { sign: 'any', def: '0' });
      const max = dec(c, po, 'max', pp, { sign: 'positive' });
      if (target !== undefined && max !== undefined) {
        if (Math.abs(Number(target)) > Number(max)) c.add('CONFLICT', join(pp, 'target'), `a target within [-max, max] (max ${max})`, po['target']);
        position = { target, max };
      }
    }
    let openDirections: OpenDirection[] | undefined = ['buy_a_sell_b', 'buy_b_sell_a'];
    if (o['open_directions'] !== undefined && o['open_directions'] !== null) {
      const dl = list(c, o, 'open_directions', p, true);
      if (dl === undefined) openDirections = undefined;
      else {
        const set: OpenDirection[] = [];
        dl.forEach((d, j) => {
          if (d !== 'buy_a_sell_b' && d !== 'buy_b_sell_a') c.add(typeof d === 'string' ? 'VALUE' : 'TYPE', `${p}.open_directions[${j}]`, 'buy_a_sell_b or buy_b_sell_a', d);
          else if (set.includes(d)) c.add('DUPLICATE', `${p}.open_directions[${j}]`, 'each direction once', d);
          else set.push(d);
        });
        openDirections = set;
      }
    }
    let sizing: PairConfig['sizing'] | undefined = { edge: 'vwap', maxLevels: 50 };
    if (o['sizing'] !== undefined && o['sizing'] !== null) {
      const sp = join(p, 'sizing');
      const so = mapping(c, o['sizing'], sp, 'a mapping { edge, max_levels }');
      if (so === undefined) sizing = undefined;
      else {
        known(c, so, sp, ['edge', 'max_levels']);
        const edge = oneOf(c, so, 'edge', sp, ['vwap', 'marginal'] as const, { def: 'vwap' });
        const maxLevels = int(c, so, 'max_levels', sp, 1, 1000, { def: 50 });
        sizing = edge && maxLevels !== undefined ? { edge, maxLevels } : undefined;
      }
    }
    const exec = execution(c, o['execution'], join(p, 'execution'));
    const leg = legging(c, o['legging'], join(p, 'legging'));
    const enabled = bool(c, o, 'enabled', p, true);
    if (c.count !== before) return;
    if (id && legIds[0] && legIds[1] && trigger && sizePerTrade && position && openDirections && sizing && exec && leg && enabled !== undefined) {
      out.push({ id, a: legIds[0], b: legIds[1], trigger, sizePerTrade, position, openDirections, sizing, execution: exec, legging: leg, enabled });
    }
  });
  return out;
}

function risk(c: Ctx, root: Obj, assetMap: Record<string, AssetConfig> | undefined, allInstIds: ReadonlySet<string>): RiskConfig | undefined {
  const o = mapping(c, root['risk'], 'risk', 'a risk limits mapping');
  if (o === undefined) return undefined;
  const p = 'risk';
  known(c, o, p, ['max_order_notional', 'max_order_qty', 'max_position_per_instrument', 'max_position_per_asset', 'max_gross_per_asset', 'initial_margin_bps', 'fee_headroom_bps',
    'max_open_pairs', 'price_band_bps', 'max_book_age_ms', 'max_venue_skew_ms', 'order_rate_headroom', 'min_free_balance', 'require_known_balance', 'breakers', 'kill_switch']);
  const assetKey = (k: string): string | null => (assetMap === undefined || assetMap[k] !== undefined ? null : `an asset listed under assets (${Object.keys(assetMap).join(', ')})`);
  const instKey = (k: string): string | null => (allInstIds.has(k) ? null : 'an instrument id listed under instruments');
  const maxOrderNotional = dec(c, o, 'max_order_notional', p, { sign: 'positive', what: 'a notional amount > 0 (in each instrument\'s quote currency)' });
  const maxOrderQty = amountMap(c, o, 'max_order_qty', p, assetKey);
  const maxPositionPerInstrument = amountMap(c, o, 'max_position_per_instrument', p, instKey);
  const maxPositionPerAsset = amountMap(c, o, 'max_position_per_asset', p, assetKey);
  const maxGrossPerAsset = amountMap(c, o, 'max_gross_per_asset', p, assetKey);
  let initialMarginBps: Record<string, number> | undefined = {};
  if (o['initial_margin_bps'] !== undefined && o['initial_margin_bps'] !== null) {
    const mp = join(p, 'initial_margin_bps');
    const m = mapping(c, o['initial_margin_bps'], mp, 'a mapping of instrument id -> bps');
    if (m === undefined) initialMarginBps = undefined;
    else {
      for (const k of Object.keys(m)) {
        if (!allInstIds.has(k)) {
          c.add('REFERENCE', join(mp, k), 'an instrument id listed under instruments', k);
          initialMarginBps = undefined;
          continue;
        }
        const v = num(c, m, k, mp, 0, 10_000, { minExclusive: true });
        if (v === undefined) initialMarginBps = undefined;
        else if (initialMarginBps) initialMarginBps[k] = v;
      }
    }
  }
  const feeHeadroomBps = num(c, o, 'fee_headroom_bps', p, 0, 1000, { def: 10 });
  const maxOpenPairs = int(c, o, 'max_open_pairs', p, 1, 1000, { def: 2 });
  const priceBandBps = num(c, o, 'price_band_bps', p, 0, 10_000, { def: 50, minExclusive: true });
  const maxBookAgeMs = int(c, o, 'max_book_age_ms', p, 1, 3_600_000, { def: 2000 });
  const maxVenueSkewMs = int(c, o, 'max_venue_skew_ms', p, 0, 3_600_000, { def: 1000 });
  const orderRateHeadroom = num(c, o, 'order_rate_headroom', p, 0, 1, { def: 0.8, minExclusive: true });
  const minFreeBalance = amountMap(c, o, 'min_free_balance', p, assetKey);
  const requireKnownBalance = bool(c, o, 'require_known_balance', p, false);
  // breakers
  const bp = 'risk.breakers';
  const bo = mapping(c, o['breakers'], bp, 'a mapping of breakers { daily_loss, unhedged, reject_rate, slippage, ack_latency }');
  let breakers: RiskConfig['breakers'] | undefined;
  if (bo !== undefined) {
    known(c, bo, bp, ['daily_loss', 'unhedged', 'reject_rate', 'slippage', 'ack_latency']);
    const sub = (key: string, keys: readonly string[], required: boolean): Obj | undefined => {
      if (!required && (bo[key] === undefined || bo[key] === null)) return {};
      const m = mapping(c, bo[key], join(bp, key), `a mapping { ${keys.join(', ')} }`);
      if (m !== undefined) known(c, m, join(bp, key), keys);
      return m;
    };
    const action = (m: Obj, path: string, def: 'reducing' | 'halted') => oneOf(c, m, 'action', path, ['reducing', 'halted'] as const, { def });
    const dlp = join(bp, 'daily_loss');
    const dl = sub('daily_loss', ['limit', 'currency', 'action'], true);
    let dailyLoss: RiskConfig['breakers']['dailyLoss'] | undefined;
    if (dl) {
      const limit = dec(c, dl, 'limit', dlp, { sign: 'positive' });
      const currency = str(c, dl, 'currency', dlp, { re: ASSET_RE, what: 'a currency (asset name)' });
      if (currency !== undefined && assetMap !== undefined && assetMap[currency] === undefined) c.add('REFERENCE', join(dlp, 'currency'), 'an asset listed under assets', currency);
      const act = action(dl, dlp, 'halted');
      if (limit && currency && act) dailyLoss = { limit, currency, action: act };
    }
    const uhp = join(bp, 'unhedged');
    const uh = sub('unhedged', ['max_ms', 'max_exposure_seconds', 'action'], true);
    let unhedged: RiskConfig['breakers']['unhedged'] | undefined;
    if (uh) {
      const maxMs = int(c, uh, 'max_ms', uhp, 1, 3_600_000);
      const maxExposureSeconds = amountMap(c, uh, 'max_exposure_seconds', uhp, assetKey);
      const act = action(uh, uhp, 'reducing');
      if (maxMs !== undefined && maxExposureSeconds && act) unhedged = { maxMs, maxExposureSeconds, action: act };
    }
    const rrp = join(bp, 'reject_rate');
    const rr = sub('reject_rate', ['max_ratio', 'window_ms', 'min_orders', 'action'], false);
    let rejectRate: RiskConfig['breakers']['rejectRate'] | undefined;
    if (rr) {
      const maxRatio = num(c, rr, 'max_ratio', rrp, 0, 1, { def: 0.5, minExclusive: true });
      const windowMs = int(c, rr, 'window_ms', rrp, 1, 86_400_000, { def: 60_000 });
      const minOrders = int(c, rr, 'min_orders', rrp, 1, 100_000, { def: 10 });
      const act = action(rr, rrp, 'reducing');
      if (maxRatio !== undefined && windowMs !== undefined && minOrders !== undefined && act) rejectRate = { maxRatio, windowMs, minOrders, action: act };
    }
    const slp = join(bp, 'slippage');
    const sl = sub('slippage', ['max_bps', 'window_trades', 'action'], false);
    let slippage: RiskConfig['breakers']['slippage'] | undefined;
    if (sl) {
      const maxBps = num(c, sl, 'max_bps', slp, 0, 10_000, { def: 50, minExclusive: true });
      const windowTrades = int(c, sl, 'window_trades', slp, 1, 100_000, { def: 20 });
      const act = action(sl, slp, 'reducing');
      if (maxBps !== undefined && windowTrades !== undefined && act) slippage = { maxBps, windowTrades, action: act };
    }
    const alp = join(bp, 'ack_latency');
    const al = sub('ack_latency', ['max_ms', 'consecutive', 'action'], false);
    let ackLatency: RiskConfig['breakers']['ackLatency'] | undefined;
    if (al) {
      const maxMs = int(c, al, 'max_ms', alp, 1, 600_000, { def: 1000 });
      const consecutive = int(c, al, 'consecutive', alp, 1, 1000, { def: 3 });
      const act = action(al, alp, 'reducing');
      if (maxMs !== undefined && consecutive !== undefined && act) ackLatency = { maxMs, consecutive, action: act };
    }
    if (dailyLoss && unhedged && rejectRate && slippage && ackLatency) breakers = { dailyLoss, unhedged, rejectRate, slippage, ackLatency };
  }
  let killSwitch: RiskConfig['killSwitch'] | undefined = { flatten: false, bandBps: 50 };
  if (o['kill_switch'] !== undefined && o['kill_switch'] !== null) {
    const kp = 'risk.kill_switch';
    const ko = mapping(c, o['kill_switch'], kp, 'a mapping { flatten, band_bps }');
    if (ko === undefined) killSwitch = undefined;
    else {
      known(c, ko, kp, ['flatten', 'band_bps']);
      const flatten = bool(c, ko, 'flatten', kp, false);
      const bandBps = num(c, ko, 'band_bps', kp, 0, 10_000, { def: 50, minExclusive: true });
      killSwitch = flatten !== undefined && bandBps !== undefined ? { flatten, bandBps } : undefined;
    }
  }
  if (maxOrderNotional === undefined || !maxOrderQty || !maxPositionPerInstrument || !maxPositionPerAsset || !maxGrossPerAsset || !initialMarginBps || feeHeadroomBps === undefined
    || maxOpenPairs === undefined || priceBandBps === undefined || maxBookAgeMs === undefined || maxVenueSkewMs === undefined || orderRateHeadroom === undefined || !minFreeBalance
    || requireKnownBalance === undefined || !breakers || !killSwitch) return undefined;
  return {
    maxOrderNotional, maxOrderQty, maxPositionPerInstrument, maxPositionPerAsset, maxGrossPerAsset, initialMarginBps, feeHeadroomBps, maxOpenPairs, priceBandBps,
    maxBookAgeMs, maxVenueSkewMs, orderRateHeadroom, minFreeBalance, requireKnownBalance, breakers, killSwitch,
  };
}

/** Ids of a list section, as written (even in entries that failed validation), for references. */
function idsOf(root: Obj, key: string, derive?: (o: Obj) => string | undefined): Set<string> {
  const s = new Set<string>();
  const arr = root[key];
  if (!Array.isArray(arr)) return s;
  for (const v of arr) {
    if (!isObj(v)) continue;
    const id = typeof v['id'] === 'string' ? v['id'] : derive?.(v);
    if (id !== undefined) s.add(id);
  }
  return s;
}

/**
 * Validates a whole configuration. `positions` (from parseYaml) adds line/column to issues.
 * Returns every issue found; `config` is non-null only when there are none.
 */
export function validateConfig(raw: unknown, positions?: ReadonlyMap<string, readonly [number, number]>): ValidationResult {
  const c = new Ctx(positions);
  const root = mapping(c, raw, '', 'a configuration mapping (version, assets, venues, instruments, fx, pairs, risk)');
  if (root === undefined) return { config: null, issues: c.issues };
  scanSecrets(c, root, '');
  known(c, root, '', ['version', 'assets', 'venues', 'instruments', 'fx', 'pairs', 'risk']);
  const version = int(c, root, 'version', '', 1, 1, { def: 1 });
  const assetMap = assets(c, root);
  const venueList = venues(c, root);
  const instList = instruments(c, root, venueList, assetMap);
  const instIds = idsOf(root, 'instruments', (o) => (typeof o['venue'] === 'string' && typeof o['symbol'] === 'string' ? `${o['venue']}:${o['symbol']}` : undefined));
  const fxList = fxSources(c, root, instList, instIds);
  const fxIds = idsOf(root, 'fx');
  const pairList = pairs(c, root, instList, instIds, fxList, fxIds);
  const riskCfg = risk(c, root, assetMap, instIds);
  if (c.count > 0 || version === undefined || !assetMap || !venueList || !instList || !fxList || !pairList || !riskCfg) {
    if (c.count === 0) c.add('VALUE', '', 'a valid configuration', raw);
    // in file order where positions are known (stable: same-line issues keep their order)
    const issues = positions === undefined ? c.issues : [...c.issues].sort((x, y) => (x.line ?? Infinity) - (y.line ?? Infinity) || (x.col ?? 0) - (y.col ?? 0));
    return { config: null, issues };
  }
  return { config: { version: 1, assets: assetMap, venues: venueList, instruments: instList, fx: fxList, pairs: pairList, risk: riskCfg }, issues: [] };
}
