// Test helpers for the simulated venues: a manual-clock sim, a plain `ws` client with a message
// queue, plain undici HTTP calls, independent Binance / OKX signing (node:crypto, not our
// adapters), a local book rebuilt from wire strings, and the shared venue samples.
import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { PACKAGE_ROOT } from '../../../src/paths.js';
import { ManualClock } from '../../../src/sim/clock.js';
import type { SimConfig } from '../../../src/sim/config.js';
import type { MatchingEngine } from '../../../src/sim/matching.js';
import { startSim, type SimHandle } from '../../../src/sim/start.js';

/** Venue time of every test (2026-05-28T20:26:40Z). */
export const T0 = 1_780_000_000_000;

export async function startTestSim(cfg: SimConfig = {}, t0 = T0): Promise<{ sim: SimHandle; clock: ManualClock }> {
  const clock = new ManualClock(t0);
  const sim = await startSim({ seed: 7, tickMs: 0, ...cfg, clock });
  running.push(sim);
  return { sim, clock };
}

/** Sims startTestSim started and WebSocket clients opened through cleanupAfterEach's `open`,
 * not yet closed (per test file: vitest gives each file its own module state). */
const running: SimHandle[] = [];
const openClients: WsClient[] = [];

/**
 * Registers, in the calling test file, an afterEach that closes every client opened with the
 * returned `open` and stops every sim startTestSim started during the test.
 */
export function cleanupAfterEach(): (url: string, opts?: { autoPong?: boolean }) => Promise<WsClient> {
  afterEach(async () => {
    for (const c of openClients.splice(0)) c.close();
    for (const s of running.splice(0)) await s.stop();
  });
  return async (url, opts = {}) => {
    const c = await WsClient.open(url, opts);
    openClients.push(c);
    return c;
  };
}

// ---- samples --------------------------------------------------------------------------------------

const SAMPLES = join(PACKAGE_ROOT, '..', 'shared', 'venues', 'samples');

export function sample(venue: 'binance_spot' | 'binance_usdm' | 'okx', prefix: string): any {
  const f = readdirSync(join(SAMPLES, venue)).find((n) => n.startsWith(prefix));
  if (f === undefined) throw new Error(`no sample ${venue}/${prefix}`);
  return JSON.parse(readFileSync(join(SAMPLES, venue, f), 'utf8'));
}

/** Key names of an object, sorted (shape comparison with the samples). */
export function keys(o: object): string[] {
  return Object.keys(o).sort();
}

/** The JSON type of each field ('string', 'number', 'boolean', 'null', 'array', 'object'). */
export function typesOf(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) out[k] = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  return out;
}

// ---- HTTP -----------------------------------------------------------------------------------------

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

export async function http(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<HttpResult> {
  const r = await request(url, { method, headers: opts.headers, body: opts.body });
  const text = await r.body.text();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : String(v);
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: r.statusCode, headers, text, json };
}

// ---- Binance signing (independent of src/venues) ------------------------------------------------------

export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}

/** `query&signature=<hex>` for a REST request whose whole payload is in the query string. */
export function signedQuery(secret: string, query: string): string {
  return `${query}&signature=${hmacHex(secret, query)}`;
}

/** WS-API params with apiKey, timestamp and the sorted-params signature. */
export function wsApiParams(apiKey: string, secret: string, params: Record<string, string | number>, timestamp: number): Record<string, string | number> {
  const all: Record<string, string | number> = { ...params, apiKey, timestamp };
  const payload = Object.keys(all).sort().map((k) => `${k}=${all[k]}`).join('&');
  return { ...all, signature: hmacHex(secret, payload) };
}

// ---- OKX signing ----------------------------------------------------------------------------------

export function okxHeaders(k: { apiKey: string; secret: string; passphrase: string }, nowMs: number, method: string, pathWithQuery: string, body: string): Record<string, string> {
  const ts = new Date(nowMs).toISOString();
  const sign = createHmac('sha256', k.secret).update(ts + method + pathWithQuery + body).digest('base64');
  return { 'OK-ACCESS-KEY': k.apiKey, 'OK-ACCESS-SIGN': sign, 'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-PASSPHRASE': k.passphrase, 'Content-Type': 'application/json' };
}

export function okxLogin(k: { apiKey: string; secret: string; passphrase: string }, nowMs: number): string {
  const ts = String(Math.floor(nowMs / 1000));
  const sign = createHmac('sha256', k.secret).update(ts + 'GET' + '/users/self/verify').digest('base64');
  return JSON.stringify({ op: 'login', args: [{ apiKey: k.apiKey, passphrase: k.passphrase, timestamp: ts, sign }] });
}

// ---- WebSocket client -----------------------------------------------------------------------------

export class WsClient {
  readonly raw: string[] = [];
  readonly pings: string[] = [];
  private readonly used: boolean[] = [];
  private start = 0;
  private wake: (() => void) | null = null;
  closeInfo: { code: number; reason: string } | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.raw.push(d.toString());
      this.wake?.();
    });
    ws.on('ping', (p) => this.pings.push(p.toString()));
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake?.();
      });
    });
    ws.on('error', () => undefined);
  }

  static open(url: string, opts: { autoPong?: boolean } = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { autoPong: opts.autoPong ?? true });
      const c = new WsClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (x: Buffer) => (body += x.toString()));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
    });
  }

  send(x: unknown): void {
    this.ws.send(typeof x === 'string' ? x : JSON.stringify(x));
  }

  /** Parsed messages received so far ('pong' and other non-JSON text as strings). */
  get messages(): any[] {
    return this.raw.map(parse);
  }

  /**
   * Waits for the earliest message not taken yet that satisfies `pred` and takes it (messages
   * that do not match stay available for later calls). Rejects when the connection closes or
   * `timeoutMs` passes.
   */
  async next(pred: (m: any) => boolean = () => true, timeoutMs = 15_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    let scanned = this.start;
    for (;;) {
      for (; scanned < this.raw.length; scanned++) {
        if (this.used[scanned]) continue;
        const m = parse(this.raw[scanned]!);
        if (pred(m)) {
          this.used[scanned] = true;
          while (this.used[this.start]) this.start++;
          return m;
        }
      }
      if (this.closeInfo !== null) throw new Error(`connection closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  /** Collects `n` messages matching `pred` (in order). */
  async take(n: number, pred: (m: any) => boolean = () => true, timeoutMs = 15_000): Promise<any[]> {
    const out: any[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next(pred, timeoutMs));
    return out;
  }

  /** Request / response on the same connection: sends and waits for a message with the same id. */
  async call(req: { id: string | number } & Record<string, unknown>): Promise<any> {
    this.send(req);
    return this.next((m) => m !== null && typeof m === 'object' && m.id === req.id);
  }

  close(): void {
    this.ws.close();
  }
}

function parse(s: string): any {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

// ---- local book -----------------------------------------------------------------------------------

/** A book rebuilt from wire levels, in the engine's integer units. */
export class LocalBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();

  constructor(readonly engine: MatchingEngine) {}

  private units(px: string, qty: string): [number, number] {
    const p = this.engine.instrument.tick.toUnits(px);
    const q = this.engine.instrument.lot.toUnits(qty);
    if (!Number.isSafeInteger(p) || !Number.isSafeInteger(q)) throw new Error(`level not on the grid: ${px} x ${qty}`);
    return [p, q];
  }

  load(bids: string[][], asks: string[][]): void {
    this.bids.clear();
    this.asks.clear();
    this.apply(bids, asks);
  }

  apply(bids: string[][], asks: string[][]): void {
    for (const [side, levels] of [[this.bids, bids], [this.asks, asks]] as const) {
      for (const l of levels) {
        const [p, q] = this.units(l[0]!, l[1]!);
        if (q === 0) side.delete(p);
        else side.set(p, q);
      }
    }
  }

  /** Best-first level arrays, as MatchingEngine.snapshot() gives them. */
  snapshot(depth = Infinity): { bids: [number, number][]; asks: [number, number][] } {
    return {
      bids: [...this.bids.entries()].sort((a, b) => b[0] - a[0]).slice(0, depth),
      asks: [...this.asks.entries()].sort((a, b) => a[0] - b[0]).slice(0, depth),
    };
  }
}

/** Waits until `cond()` is true (polling the event loop), bounded. */
export async function until(cond: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
