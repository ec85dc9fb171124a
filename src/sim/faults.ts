// Fault injection for the simulated venues: seeded, reproducible rules that the protocol servers
// consult at every eligible event, plus immediate actions (disconnect, stall, server-shutdown
// notice) that tests and the control endpoint trigger at runtime.
//
// Kinds and where the servers consult them (the rule's `target`, default in brackets):
//   frame faults, per outbound WebSocket frame        target 'market' | 'private'       ['market']
//     drop        the frame is not sent (lost in transit, one connection)
//     duplicate   the frame is sent twice
//     reorder     the frame is held and sent after the next frame (or after delayMs)
//     disconnect  the connection is cut (terminate, no close frame) instead of sending
//     stall       the connection sends nothing for delayMs, then delivers what it held, in order
//     latency     every matching frame / REST answer is delayed by delayMs + uniform[0, jitterMs]
//                 (order is kept). Also applies to target 'rest' (REST answers).
//   feed faults, per published depth event of the venue (every connection sees the same)
//     gap         the venue skips one depth event: ids continue, so every client sees a break
//     seq_reset   OKX only: the instrument's seqId restarts low (maintenance reset, seqId < prevSeqId)
//   request faults, per incoming request             target 'rest' | 'ws-api' | 'orders' ['orders']
//     http_429    answered as rate limited (with Retry-After of delayMs, default 1000); Binance
//                 treats it as a real 429, so a client that ignores it is banned (418)
//     http_5xx    answered with `status` (default 503), execution unknown; `executed: true`
//                 carries the request out first (an order placed behind a 5xx)
//   order faults, per order placement                target 'rest' | 'ws-api' | 'orders' ['orders']
//     timeout_placed  the order is placed and reported on the private stream, but the answer is
//                 withheld: mode 'hang' (default: never answered) or 'close' (connection cut)
//     reject      refused with a venue error (`code`/`msg`, default: insufficient balance)
//     partial_fill    only floor(fraction * qty) fills (default fraction 0.5): liquidity ahead
//                 of a taker is consumed first; a resting order is hit for that much
//   action only (not a rule): shutdown_notice (Binance `serverShutdown`, OKX notice 64008).
//
// Firing: a rule first lets `skip` eligible events pass, then fires with `probability` (default
// 1) until it has fired `count` times (default: unlimited when a probability is given, else 1).
// Latency rules never stop by themselves unless `count` is set.
//
// Invariants:
// - Deterministic: each rule draws from its own RNG stream derived from the controller seed and
//   the rule id (ids are assigned 1, 2, 3 ... in the order rules are added), so the same seed, the
//   same rules and the same sequence of events give the same decisions.
// - Pure apart from calling the registered venue hooks for actions: no timers, no I/O here.
// - Every firing is counted (`stats`) and logged in a bounded ring (`log`), so tests can assert
//   that a fault really fired.
import { SimConfigError, bool, isRecord, knownKeys, num, oneOf, optInt, optNum, record, str } from './check.js';
import { Rng } from './rng.js';

export const FAULT_KINDS = [
  'drop', 'duplicate', 'reorder', 'disconnect', 'stall', 'latency',
  'gap', 'seq_reset',
  'http_429', 'http_5xx',
  'timeout_placed', 'reject', 'partial_fill',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const FAULT_TARGETS = ['market', 'private', 'rest', 'ws-api', 'orders'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

const FRAME_KINDS: readonly FaultKind[] = ['drop', 'duplicate', 'reorder', 'disconnect', 'stall', 'latency'];
const FEED_KINDS: readonly FaultKind[] = ['gap', 'seq_reset'];
const REQUEST_KINDS: readonly FaultKind[] = ['http_429', 'http_5xx'];
const ORDER_KINDS: readonly FaultKind[] = ['timeout_placed', 'reject', 'partial_fill'];

export interface FaultRule {
  readonly kind: FaultKind;
  /** Venue name (as configured); absent = every venue. */
  readonly venue?: string;
  readonly target?: FaultTarget;
  /** Chance per eligible event, in [0, 1]. Default 1. */
  readonly probability?: number;
  /** Fire at most this many times. Default: unlimited with a probability or for latency, else 1. */
  readonly count?: number;
  /** Let this many eligible events pass before the rule can fire. Default 0. */
  readonly skip?: number;
  /** latency: base delay; stall: duration; reorder: longest hold; http_429: Retry-After. */
  readonly delayMs?: number;
  /** latency: extra uniform delay in [0, jitterMs]. */
  readonly jitterMs?: number;
  /** http_5xx: HTTP status (500..599, default 503). */
  readonly status?: number;
  /** http_5xx: carry the request out before answering with the error. Default false. */
  readonly executed?: boolean;
  /** partial_fill: fraction of the order quantity that fills, in (0, 1). Default 0.5. */
  readonly fraction?: number;
  /** reject / http_5xx: the venue error code and message to answer with (venue default if absent). */
  readonly code?: string | number;
  readonly msg?: string;
  /** timeout_placed: 'hang' (never answer) or 'close' (cut the connection). Default 'hang'. */
  readonly mode?: 'hang' | 'close';
}

export interface ActiveRule extends Required<Pick<FaultRule, 'kind' | 'target' | 'probability' | 'skip'>> {
  readonly id: number;
  readonly rule: FaultRule;
  readonly venue: string | null;
  readonly count: number;
  seen: number;
  fired: number;
}

export interface FaultFiring {
  readonly ruleId: number;
  readonly kind: FaultKind | 'action';
  readonly venue: string;
  readonly target: string;
  readonly detail: string;
  /** Sequence number of this firing in the controller (1, 2, ...). */
  readonly seq: number;
}

/** What a venue server does when an action is triggered. Each returns how many connections it touched. */
export interface VenueFaultHooks {
  disconnect(target: 'market' | 'private' | 'all', code: number | null): number;
  stall(target: 'market' | 'private' | 'all', durationMs: number): number;
  shutdownNotice(closeAfterMs: number | null): number;
}

const RULE_KEYS = ['kind', 'venue', 'target', 'probability', 'count', 'skip', 'delayMs', 'jitterMs', 'status', 'executed', 'fraction', 'code', 'msg', 'mode'] as const;

function defaultTarget(kind: FaultKind): FaultTarget {
  if (FRAME_KINDS.includes(kind) || FEED_KINDS.includes(kind)) return 'market';
  return 'orders';
}

/** Validates one rule (throws SimConfigError naming the field). */
export function validateFaultRule(v: unknown, field = 'fault'): FaultRule {
  const r = record(v, field);
  knownKeys(r, field, RULE_KEYS);
  const kind = oneOf(r['kind'], `${field}.kind`, FAULT_KINDS);
  const target = oneOf(r['target'], `${field}.target`, FAULT_TARGETS, defaultTarget(kind));
  if (FRAME_KINDS.includes(kind)) {
    const ok = kind === 'latency' ? ['market', 'private', 'rest'] : ['market', 'private'];
    if (!ok.includes(target)) throw new SimConfigError(`${field}.target`, `one of ${ok.join(', ')} for ${kind}`, target);
  } else if (FEED_KINDS.includes(kind)) {
    if (target !== 'market') throw new SimConfigError(`${field}.target`, `"market" for ${kind}`, target);
  } else if (!['rest', 'ws-api', 'orders'].includes(target)) {
    throw new SimConfigError(`${field}.target`, `one of rest, ws-api, orders for ${kind}`, target);
  }
  const out: Record<string, unknown> = { kind, target };
  if (r['venue'] !== undefined) out['venue'] = str(r['venue'], `${field}.venue`);
  if (r['probability'] !== undefined) out['probability'] = num(r['probability'], `${field}.probability`, 0, 1);
  if (r['count'] !== undefined) out['count'] = optInt(r['count'], `${field}.count`, 1, 1);
  if (r['skip'] !== undefined) out['skip'] = optInt(r['skip'], `${field}.skip`, 0, 0);
  if (r['delayMs'] !== undefined) out['delayMs'] = optInt(r['delayMs'], `${field}.delayMs`, 0, 0, 3_600_000);
  if (r['jitterMs'] !== undefined) out['jitterMs'] = optInt(r['jitterMs'], `${field}.jitterMs`, 0, 0, 3_600_000);
  if (r['status'] !== undefined) out['status'] = optInt(r['status'], `${field}.status`, 503, 500, 599);
  if (r['executed'] !== undefined) out['executed'] = bool(r['executed'], `${field}.executed`, false);
  if (r['fraction'] !== undefined) out['fraction'] = optNum(r['fraction'], `${field}.fraction`, 0.5, 0, 1, { minExclusive: true });
  if (r['code'] !== undefined) {
    const c = r['code'];
    if (typeof c !== 'string' && !(typeof c === 'number' && Number.isSafeInteger(c))) throw new SimConfigError(`${field}.code`, 'a venue error code (string or integer)', c);
    out['code'] = c;
  }
  if (r['msg'] !== undefined) out['msg'] = str(r['msg'], `${field}.msg`, false);
  if (r['mode'] !== undefined) out['mode'] = oneOf(r['mode'], `${field}.mode`, ['hang', 'close'] as const);
  if (kind === 'stall' && out['delayMs'] === undefined) throw new SimConfigError(`${field}.delayMs`, 'the stall duration in ms', undefined);
  if (kind === 'latency' && out['delayMs'] === undefined && out['jitterMs'] === undefined) throw new SimConfigError(`${field}.delayMs`, 'a latency (delayMs and/or jitterMs)', undefined);
  if (out['fraction'] === 1) throw new SimConfigError(`${field}.fraction`, 'a fraction below 1', 1);
  return out as unknown as FaultRule;
}

const LOG_SIZE = 1024;

export class FaultController {
  readonly seed: number | string;
  private readonly root: Rng;
  private readonly byKind = new Map<FaultKind, ActiveRule[]>();
  private readonly rngs = new Map<number, Rng>();
  private readonly hooks = new Map<string, VenueFaultHooks>();
  private nextId = 1;
  private seq = 0;
  private readonly ring: FaultFiring[] = [];
  private readonly counts = new Map<string, number>();

  constructor(seed: number | string, rules: readonly FaultRule[] = []) {
    this.seed = seed;
    this.root = new Rng(seed).derive('faults');
    rules.forEach((r, i) => this.add(validateFaultRule(r, `faults[${i}]`)));
  }

  /** Adds a rule (validated); returns its id. */
  add(rule: FaultRule): number {
    const r = validateFaultRule(rule);
    const id = this.nextId++;
    const count = r.count ?? (r.probability !== undefined || r.kind === 'latency' ? Number.MAX_SAFE_INTEGER : 1);
    const active: ActiveRule = {
      id, rule: r, kind: r.kind, venue: r.venue ?? null, target: r.target!, probability: r.probability ?? 1,
      skip: r.skip ?? 0, count, seen: 0, fired: 0,
    };
    let list = this.byKind.get(r.kind);
    if (list === undefined) {
      list = [];
      this.byKind.set(r.kind, list);
    }
    list.push(active);
    this.rngs.set(id, this.root.derive(id));
    return id;
  }

  remove(id: number): boolean {
    for (const list of this.byKind.values()) {
      const i = list.findIndex((r) => r.id === id);
      if (i >= 0) {
        list.splice(i, 1);
        this.rngs.delete(id);
        return true;
      }
    }
    return false;
  }

  /** Removes every rule (counters and the log are kept). */
  clear(): void {
    this.byKind.clear();
    this.rngs.clear();
  }

  /** The active rules with how often each has been eligible and fired. */
  rules(): { id: number; rule: FaultRule; seen: number; fired: number; exhausted: boolean }[] {
    const out: { id: number; rule: FaultRule; seen: number; fired: number; exhausted: boolean }[] = [];
    for (const list of this.byKind.values()) for (const r of list) out.push({ id: r.id, rule: r.rule, seen: r.seen, fired: r.fired, exhausted: r.fired >= r.count });
    return out.sort((a, b) => a.id - b.id);
  }

  /** Firings so far per kind ('drop', 'action:disconnect', ...) and per kind@venue. */
  stats(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** How many times a kind fired (optionally on one venue). */
  fired(kind: FaultKind | `action:${string}`, venue?: string): number {
    return this.counts.get(venue === undefined ? kind : `${kind}@${venue}`) ?? 0;
  }

  /** The last firings (at most 1024), oldest first. */
  log(): FaultFiring[] {
    return [...this.ring];
  }

  /** True when some rule of this kind exists (cheap pre-check for hot paths). */
  has(kind: FaultKind): boolean {
    const l = this.byKind.get(kind);
    return l !== undefined && l.length > 0;
  }

  /**
   * Consults the rules of `kind` for one eligible event on `venue` that qualifies for any of
   * `targets`. Returns the rule that fired, or null.
   */
  decide(kind: FaultKind, venue: string, targets: FaultTarget | readonly FaultTarget[], detail = ''): FaultRule | null {
    const list = this.byKind.get(kind);
    if (list === undefined || list.length === 0) return null;
    for (const r of list) {
      if (r.venue !== null && r.venue !== venue) continue;
      if (typeof targets === 'string' ? r.target !== targets : !targets.includes(r.target)) continue;
      if (r.fired >= r.count) continue;
      r.seen++;
      if (r.seen <= r.skip) continue;
      if (r.probability < 1 && !this.rngs.get(r.id)!.chance(r.probability)) continue;
      r.fired++;
      this.note(r.id, kind, venue, r.target, detail);
      return r.rule;
    }
    return null;
  }

  /** Total latency (ms) for one frame / answer on `venue`, `target` (0 when no latency rule fires). */
  delayFor(venue: string, target: FaultTarget): number {
    const list = this.byKind.get('latency');
    if (list === undefined || list.length === 0) return 0;
    let ms = 0;
    for (const r of list) {
      if ((r.venue !== null && r.venue !== venue) || r.target !== target || r.fired >= r.count) continue;
      r.seen++;
      if (r.seen <= r.skip) continue;
      const rng = this.rngs.get(r.id)!;
      if (r.probability < 1 && !rng.chance(r.probability)) continue;
      r.fired++;
      const j = r.rule.jitterMs ?? 0;
      ms += (r.rule.delayMs ?? 0) + (j > 0 ? rng.int(0, j) : 0);
    }
    if (ms > 0) {
      this.count('latency');
      this.count(`latency@${venue}`);
    }
    return ms;
  }

  /** A seeded stream for a server's own fault-related choices (e.g. reset seqIds). */
  rng(label: string): Rng {
    return this.root.derive(`aux:${label}`);
  }

  // ---- actions ----------------------------------------------------------------------------------

  /** Registers a venue server's action hooks (by venue name). */
  attach(venue: string, hooks: VenueFaultHooks): void {
    this.hooks.set(venue, hooks);
  }

  detach(venue: string): void {
    this.hooks.delete(venue);
  }

  venues(): string[] {
    return [...this.hooks.keys()];
  }

  private targetsOf(venue: string | undefined): [string, VenueFaultHooks][] {
    if (venue === undefined) return [...this.hooks.entries()];
    const h = this.hooks.get(venue);
    if (h === undefined) throw new SimConfigError('venue', `a running venue (${[...this.hooks.keys()].join(', ')})`, venue);
    return [[venue, h]];
  }

  /** Cuts the connections of a venue (or all venues). `code` null = terminate without close frame. */
  disconnect(opts: { venue?: string; target?: 'market' | 'private' | 'all'; code?: number | null } = {}): number {
    let n = 0;
    for (const [v, h] of this.targetsOf(opts.venue)) {
      const k = h.disconnect(opts.target ?? 'all', opts.code ?? null);
      this.note(0, 'action', v, opts.target ?? 'all', `disconnect ${k}`);
      n += k;
    }
    return n;
  }

  /** Makes the connections of a venue send nothing for `durationMs`, then deliver what they held. */
  stall(opts: { venue?: string; target?: 'market' | 'private' | 'all'; durationMs: number }): number {
    if (!Number.isSafeInteger(opts.durationMs) || opts.durationMs < 0) throw new SimConfigError('stall.durationMs', 'a non-negative integer of ms', opts.durationMs);
    let n = 0;
    for (const [v, h] of this.targetsOf(opts.venue)) {
      const k = h.stall(opts.target ?? 'all', opts.durationMs);
      this.note(0, 'action', v, opts.target ?? 'all', `stall ${k}`);
      n += k;
    }
    return n;
  }

  /**
   * Sends the venue's server-shutdown notice (Binance `serverShutdown` on market streams, OKX
   * notice 64008 on every connection); with `closeAfterMs` the connections are closed after that.
   */
  shutdownNotice(opts: { venue?: string; closeAfterMs?: number | null } = {}): number {
    let n = 0;
    for (const [v, h] of this.targetsOf(opts.venue)) {
      const k = h.shutdownNotice(opts.closeAfterMs ?? null);
      this.note(0, 'action', v, 'all', `shutdown_notice ${k}`);
      n += k;
    }
    return n;
  }

  private count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private note(ruleId: number, kind: FaultKind | 'action', venue: string, target: string, detail: string): void {
    const f: FaultFiring = { ruleId, kind, venue, target, detail, seq: ++this.seq };
    if (this.ring.length >= LOG_SIZE) this.ring.shift();
    this.ring.push(f);
    const key = kind === 'action' ? `action:${detail.split(' ')[0]}` : kind;
    this.count(key);
    this.count(`${key}@${venue}`);
  }
}

/** Validates a list of rules from config. */
export function validateFaultRules(v: unknown, field = 'faults'): FaultRule[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new SimConfigError(field, 'an array of fault rules', v);
  return v.map((r, i) => validateFaultRule(r, `${field}[${i}]`));
}

export function isFaultRule(v: unknown): v is FaultRule {
  return isRecord(v) && typeof v['kind'] === 'string' && (FAULT_KINDS as readonly string[]).includes(v['kind']);
}
