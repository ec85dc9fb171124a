// HTTP transport for the venue REST clients: one undici keep-alive Pool per venue origin
// (bounded connections, pipelining 1 so one slow answer never delays another order), per-request
// timeouts, bounded response bodies, and every transport failure classified by whether the
// request may have reached the venue. Venue-neutral: signing, rate budgets and error mapping
// live in each venue's REST client, which calls `request()`.
//
// Invariants:
// - `request()` never rejects: it resolves with the answer (any HTTP status) or a failure.
// - A failure says `sent: false` only when the request certainly never left (connect refused,
//   connect timeout, DNS failure, pool already closed). Header/body timeouts, resets and sockets
//   closed mid-request are `sent: true`: for an order the outcome is then unknown and it must be
//   queried by client id, never sent again blindly.
// - Response bodies above `maxResponseBytes` are not buffered (failure 'too_large', sent: true).
import { Pool } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';

export interface RestTransportOptions {
  /** `http(s)://host[:port]` of the venue (no path). */
  readonly origin: string;
  /** Keep-alive connections in the pool. Default 4. */
  readonly connections?: number;
  readonly connectTimeoutMs?: number;
  /** Default per-request timeout (headers, and then between body chunks), ms. Default 5000. */
  readonly timeoutMs?: number;
  readonly keepAliveTimeoutMs?: number;
  /** Largest response body, bytes. Default 16 MiB. */
  readonly maxResponseBytes?: number;
}

export interface RestCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path plus query string, exactly as signed. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Overrides the transport's default timeout. */
  readonly timeoutMs?: number;
}

export type RestFailureKind = 'connect' | 'timeout' | 'network' | 'too_large' | 'closed';

export type RestResult =
  | { readonly ok: true; readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: Buffer }
  | { readonly ok: false; readonly failure: RestFailureKind; readonly sent: boolean; readonly detail: string };

export interface RestTransportCounters {
  requests: number;
  answers: number;
  failures: number;
  timeouts: number;
  connectFailures: number;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'ABORT_ERR', 'UND_ERR_ABORTED']);

export class RestTransport {
  readonly origin: string;
  readonly counters: RestTransportCounters = { requests: 0, answers: 0, failures: 0, timeouts: 0, connectFailures: 0 };
  private readonly pool: Pool;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private closed = false;

  constructor(opts: RestTransportOptions) {
    const u = new URL(opts.origin);
    if (u.pathname !== '/' && u.pathname !== '') throw new Error(`rest: origin must have no path: ${opts.origin}`);
    this.origin = u.origin;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxBytes = opts.maxResponseBytes ?? 16 * 1024 * 1024;
    this.pool = new Pool(this.origin, {
      connections: opts.connections ?? 4,
      pipelining: 1,
      connectTimeout: opts.connectTimeoutMs ?? 5000,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  async request(call: RestCall): Promise<RestResult> {
    const c = this.counters;
    c.requests++;
    if (this.closed) {
      c.failures++;
      return { ok: false, failure: 'closed', sent: false, detail: 'transport closed' };
    }
    const timeout = call.timeoutMs ?? this.timeoutMs;
    try {
      const res = await this.pool.request({
        method: call.method,
        path: call.path,
        headers: call.headers ?? {},
        body: call.body === undefined || call.body === '' ? null : call.body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > this.maxBytes) {
        res.body.destroy();
        c.failures++;
        return { ok: false, failure: 'too_large', sent: true, detail: `response of ${declared} bytes` };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > this.maxBytes) {
          res.body.destroy();
          c.failures++;
          return { ok: false, failure: 'too_large', sent: true, detail: `response over ${this.maxBytes} bytes` };
        }
        chunks.push(b);
      }
      c.answers++;
      return { ok: true, status: res.statusCode, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) };
    } catch (err) {
      c.failures++;
      const code = errCode(err);
      const detail = `${code === '' ? '' : `${code}: `}${err instanceof Error ? err.message : String(err)}`;
      if (CONNECT_CODES.has(code)) {
        c.connectFailures++;
        return { ok: false, failure: 'connect', sent: false, detail };
      }
      if (TIMEOUT_CODES.has(code)) {
        c.timeouts++;
        return { ok: false, failure: 'timeout', sent: true, detail };
      }
      if (code === 'UND_ERR_CLOSED' || code === 'UND_ERR_DESTROYED') return { ok: false, failure: 'closed', sent: true, detail };
      return { ok: false, failure: 'network', sent: true, detail };
    }
  }

  /** Closes the pool (in-flight requests finish or fail). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.race([this.pool.close(), new Promise((r) => setTimeout(r, 2000).unref?.())]);
    } finally {
      if (!this.pool.destroyed) await this.pool.destroy().catch(() => undefined);
    }
  }
}

function errCode(err: unknown): string {
  if (err !== null && typeof err === 'object') {
    const c = (err as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    const cause = (err as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== err) return errCode(cause);
    if ((err as { name?: unknown }).name === 'AbortError') return 'ABORT_ERR';
  }
  return '';
}

/** One header value as a string ('' when absent; the last one when repeated). */
export function headerValue(h: IncomingHttpHeaders, name: string): string {
  const v = h[name.toLowerCase()];
  if (v === undefined) return '';
  return Array.isArray(v) ? (v[v.length - 1] ?? '') : v;
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), undefined when absent or bad. */
export function retryAfterMs(h: IncomingHttpHeaders, nowEpochMs: number): number | undefined {
  const v = headerValue(h, 'retry-after').trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - nowEpochMs) : undefined;
}
