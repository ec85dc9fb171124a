// One venue WebSocket connection that stays up: connect, hand every frame (a Buffer, never
// decoded here) to its handler, keepalive by the venue's rules, stale detection, and reconnect
// with exponential backoff and jitter. Venue-neutral: the market-data and private clients of each
// venue own a WsLink and put the protocol (subscribe, login, parse) in its handler.
//
// Keepalive modes:
//  - 'server-ping' (Binance): the server pings; `ws` answers every ping with a pong echoing its
//    payload (autoPong). Server pings count as liveness.
//  - 'text-ping' (OKX): after `idleMs` without any incoming frame, send the literal text `ping`;
//    if nothing (normally the text `pong`) arrives within `pongTimeoutMs`, reconnect.
// Liveness: `staleMs` without any incoming frame -> state 'stale' (the owner marks its data
// stale); a frame brings it back to 'open'. `deadMs` without any frame -> reconnect.
// Proactive reconnect (server-shutdown notice, connection age limit): `reconnect(reason)` closes
// the socket and opens a new one at once, without a backoff delay.
//
// Invariants:
// - At most one socket at a time; every listener checks that its socket is still the current one,
//   so a late event of an old socket never reaches the handler.
// - A handler exception never escapes into `ws` or the event loop: it is caught and counted
//   (`handlerErrors`) and reported through `onHandlerError` (owners resync what it touched).
// - After `stop()` nothing reconnects and every timer is cleared.
// - The backoff restarts from its base once a connection delivered a frame; the delay before a
//   reconnect is drawn from the injected RNG (seeded in tests).
// - Outgoing control frames are limited to `maxSendPerSec` per connection (Binance: 5 incoming
//   messages per second, pongs included); excess frames wait in a small queue.
// - Hot path (a frame arriving): one clock read, counter updates, the handler call; no
//   allocation here (the Buffer itself comes from `ws`).
import WebSocket from 'ws';
import { Backoff, mulberry32, type BackoffOptions, type Rng } from './backoff.js';

export type WsLinkState = 'idle' | 'connecting' | 'open' | 'stale' | 'down' | 'stopped';

export interface WsKeepalive {
  readonly mode: 'server-ping' | 'text-ping' | 'none';
  /** text-ping: idle time before sending a ping, ms (OKX: < 30 s). Default 20_000. */
  readonly idleMs?: number;
  /** text-ping: how long to wait for any frame after a ping, ms. Default 10_000. */
  readonly pongTimeoutMs?: number;
  /** text-ping: the ping text. Default 'ping'. */
  readonly pingText?: string;
}

export interface WsLinkOptions {
  /** For counters and close reasons. */
  readonly name: string;
  /** The URL, or a function producing it per connection (e.g. a fresh listenKey). */
  readonly url: string | (() => string | Promise<string>);
  /** Largest incoming frame, bytes (ws closes with 1009 above it). */
  readonly maxPayload: number;
  readonly handshakeTimeoutMs?: number;
  readonly keepalive: WsKeepalive;
  /** No frame for this long -> 'stale'. 0 = off. Default 0. */
  readonly staleMs?: number;
  /** No frame for this long -> reconnect. 0 = off. Default 0. */
  readonly deadMs?: number;
  /** Reconnect proactively when a connection is older than this (Binance: 24 h limit). 0 = off. */
  readonly maxAgeMs?: number;
  readonly backoff?: BackoffOptions;
  /** Jitter source (seeded in tests). Default: mulberry32(1). */
  readonly rng?: Rng;
  /** Monotonic milliseconds. Default performance.now(). */
  readonly clockMs?: () => number;
  /** Period of the liveness / keepalive check, ms. Default: derived from the limits, 50..1000. */
  readonly checkIntervalMs?: number;
  /** Outgoing frames per second per connection. Default 5 (Binance's limit). */
  readonly maxSendPerSec?: number;
  /** Skip ws's UTF-8 validation of text frames (the byte parsers check what they read). */
  readonly skipUtf8Validation?: boolean;
}

export interface WsLinkHandler {
  /** The socket is open: subscribe, log in. */
  onOpen(link: WsLink): void;
  /** One frame, as received. `data` is only valid during the call unless copied. */
  onMessage(data: Buffer, isBinary: boolean): void;
  /** The socket closed (a reconnect follows unless the link was stopped). */
  onClose?(code: number, reason: string): void;
  /** State changes (connecting, open, stale, down, stopped). */
  onState?(state: WsLinkState, reason: string): void;
  /** A handler threw; the link caught it. */
  onHandlerError?(err: unknown): void;
}

export interface WsLinkCounters {
  connects: number;
  opens: number;
  closes: number;
  /** Reconnects after a failure (backoff). */
  reconnects: number;
  /** Proactive reconnects (shutdown notice, age limit, no pong, dead). */
  proactiveReconnects: number;
  handshakeFailures: number;
  errors: number;
  messages: number;
  bytes: number;
  serverPings: number;
  pingsSent: number;
  pongTimeouts: number;
  staleEvents: number;
  deadEvents: number;
  handlerErrors: number;
  sent: number;
  sendQueued: number;
  sendDropped: number;
}

function newCounters(): WsLinkCounters {
  return {
    connects: 0, opens: 0, closes: 0, reconnects: 0, proactiveReconnects: 0, handshakeFailures: 0, errors: 0,
    messages: 0, bytes: 0, serverPings: 0, pingsSent: 0, pongTimeouts: 0, staleEvents: 0, deadEvents: 0,
    handlerErrors: 0, sent: 0, sendQueued: 0, sendDropped: 0,
  };
}

const MAX_QUEUE = 256;

export class WsLink {
  readonly counters: WsLinkCounters = newCounters();
  state: WsLinkState = 'idle';
  /** Why the link entered its state. */
  reason = '';
  /** Clock (ms) of the last incoming frame or server ping. */
  lastRxMs = 0;
  /** Clock (ms) when the current socket opened (0 when none). */
  openedAtMs = 0;
  /** Close code and reason of the last closed socket. */
  lastClose: { code: number; reason: string } | null = null;

  private ws: WebSocket | null = null;
  private readonly backoff: Backoff;
  private readonly clock: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private proactive = false;
  private proactiveReason = '';
  private gotFrame = false;
  private pingSentAtMs = 0;
  private pingOutstanding = false;
  private sendWindowStart = 0;
  private sendCount = 0;
  private readonly queue: string[] = [];
  private readonly idleMs: number;
  private readonly pongTimeoutMs: number;
  private readonly pingText: string;
  private readonly staleMs: number;
  private readonly deadMs: number;
  private readonly maxAgeMs: number;
  private readonly maxSend: number;
  private stopWaiters: (() => void)[] = [];

  constructor(
    readonly opts: WsLinkOptions,
    private readonly handler: WsLinkHandler,
  ) {
    this.backoff = new Backoff(opts.backoff ?? {}, opts.rng ?? mulberry32(1));
    this.clock = opts.clockMs ?? (() => performance.now());
    this.idleMs = opts.keepalive.idleMs ?? 20_000;
    this.pongTimeoutMs = opts.keepalive.pongTimeoutMs ?? 10_000;
    this.pingText = opts.keepalive.pingText ?? 'ping';
    this.staleMs = opts.staleMs ?? 0;
    this.deadMs = opts.deadMs ?? 0;
    this.maxAgeMs = opts.maxAgeMs ?? 0;
    this.maxSend = opts.maxSendPerSec ?? 5;
  }

  /** Whether a socket is open (state open or stale). */
  get isOpen(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Backoff attempts since the last healthy connection. */
  get attempts(): number {
    return this.backoff.attempt;
  }

  start(): void {
    if (this.stopped) throw new Error(`ws link ${this.opts.name}: start after stop`);
    if (this.state !== 'idle') return;
    this.startTimer();
    this.connect();
  }

  /** Closes the socket (if any) and connects again at once (proactive, no backoff delay). */
  reconnect(reason: string): void {
    if (this.stopped) return;
    this.counters.proactiveReconnects++;
    const ws = this.ws;
    if (ws === null) {
      if (this.reconnectTimer !== null) {
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = null;
        this.connect();
      }
      return;
    }
    this.proactive = true;
    this.proactiveReason = reason;
    try {
      ws.terminate();
    } catch {
      // already closing
    }
  }

  /**
   * Sends one text frame (control messages: subscribe, login, ping, orders). Returns false when
   * no socket is open (the frame is not queued across connections).
   */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    const now = this.clock();
    if (now - this.sendWindowStart >= 1000) {
      this.sendWindowStart = now;
      this.sendCount = 0;
    }
    if (this.queue.length === 0 && this.sendCount < this.maxSend) {
      this.sendCount++;
      this.counters.sent++;
      this.ws!.send(text);
      return true;
    }
    if (this.queue.length >= MAX_QUEUE) {
      this.counters.sendDropped++;
      return false;
    }
    this.counters.sendQueued++;
    this.queue.push(text);
    return true;
  }

  /** Sends at once, bypassing the per-second limit (orders on a trading connection). */
  sendNow(text: string): boolean {
    if (!this.isOpen) return false;
    this.counters.sent++;
    this.ws!.send(text);
    return true;
  }

  /** Stops for good: closes the socket, clears the timers. Resolves once the socket closed. */
  stop(): Promise<void> {
    if (this.stopped && this.ws === null) return Promise.resolve();
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.queue.length = 0;
    const ws = this.ws;
    if (ws === null) {
      this.setState('stopped', 'stopped');
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.stopWaiters.push(resolve);
      const kill = setTimeout(() => {
        try {
          ws.terminate();
        } catch {
          // gone
        }
      }, 1000);
      kill.unref?.();
      try {
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'client stop');
      } catch {
        ws.terminate();
      }
    });
  }

  // ------------------------------------------------------------------------------------------

  private setState(s: WsLinkState, reason: string): void {
    if (this.state === s && this.reason === reason) return;
    this.state = s;
    this.reason = reason;
    if (this.handler.onState !== undefined) {
      try {
        this.handler.onState(s, reason);
      } catch (err) {
        this.handlerFailed(err);
      }
    }
  }

  private handlerFailed(err: unknown): void {
    this.counters.handlerErrors++;
    try {
      this.handler.onHandlerError?.(err);
    } catch {
      // nothing more to do
    }
  }

  private startTimer(): void {
    const limits = [this.staleMs, this.deadMs, this.opts.keepalive.mode === 'text-ping' ? Math.min(this.idleMs, this.pongTimeoutMs) : 0].filter((x) => x > 0);
    const period = this.opts.checkIntervalMs ?? Math.max(50, Math.min(1000, Math.floor(Math.min(...limits, 4000) / 4)));
    this.timer = setInterval(() => this.check(), period);
  }

  private connect(): void {
    if (this.stopped) return;
    this.reconnectTimer = null;
    this.counters.connects++;
    this.gotFrame = false;
    this.pingOutstanding = false;
    this.setState('connecting', this.counters.connects === 1 ? 'start' : this.reason);
    const u = this.opts.url;
    if (typeof u === 'string') {
      this.open(u);
      return;
    }
    let p: string | Promise<string>;
    try {
      p = u();
    } catch (err) {
      this.failBeforeOpen(`url: ${errText(err)}`);
      return;
    }
    if (typeof p === 'string') {
      this.open(p);
      return;
    }
    p.then(
      (url) => {
        if (this.stopped) {
          this.setState('stopped', 'stopped');
          this.flushStopWaiters();
          return;
        }
        this.open(url);
      },
      (err: unknown) => this.failBeforeOpen(`url: ${errText(err)}`),
    );
  }

  private failBeforeOpen(reason: string): void {
    this.counters.handshakeFailures++;
    if (this.stopped) {
      this.setState('stopped', 'stopped');
      this.flushStopWaiters();
      return;
    }
    this.setState('down', reason);
    this.schedule(this.backoff.next());
  }

  private open(url: string): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        maxPayload: this.opts.maxPayload,
        handshakeTimeout: this.opts.handshakeTimeoutMs ?? 10_000,
        perMessageDeflate: false,
        autoPong: true,
        skipUTF8Validation: this.opts.skipUtf8Validation ?? false,
      });
    } catch (err) {
      this.failBeforeOpen(`connect: ${errText(err)}`);
      return;
    }
    this.ws = ws;
    let opened = false;
    let lastError = '';
    ws.on('open', () => {
      if (this.ws !== ws) return;
      opened = true;
      this.counters.opens++;
      const now = this.clock();
      this.openedAtMs = now;
      this.lastRxMs = now;
      this.sendWindowStart = now;
      this.sendCount = 0;
      this.queue.length = 0;
      this.setState('open', 'connected');
      try {
        this.handler.onOpen(this);
      } catch (err) {
        this.handlerFailed(err);
      }
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (this.ws !== ws) return;
      this.lastRxMs = this.clock();
      const c = this.counters;
      c.messages++;
      if (!this.gotFrame) {
        this.gotFrame = true;
        this.backoff.reset();
      }
      this.pingOutstanding = false;
      if (this.state === 'stale') this.setState('open', 'data resumed');
      const buf = data as Buffer; // binaryType 'nodebuffer': always one Buffer
      c.bytes += buf.length;
      try {
        this.handler.onMessage(buf, isBinary);
      } catch (err) {
        this.handlerFailed(err);
      }
    });
    ws.on('ping', () => {
      if (this.ws !== ws) return;
      this.counters.serverPings++;
      this.lastRxMs = this.clock();
      if (this.state === 'stale') this.setState('open', 'ping');
    });
    ws.on('error', (err: Error) => {
      if (this.ws !== ws) return;
      this.counters.errors++;
      lastError = errText(err);
    });
    ws.on('close', (code: number, reasonBuf: Buffer) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.openedAtMs = 0;
      this.queue.length = 0;
      const reasonText = reasonBuf.length > 0 ? reasonBuf.toString('utf8') : lastError;
      this.lastClose = { code, reason: reasonText };
      this.counters.closes++;
      if (!opened) this.counters.handshakeFailures++;
      if (opened && this.handler.onClose !== undefined) {
        try {
          this.handler.onClose(code, reasonText);
        } catch (err) {
          this.handlerFailed(err);
        }
      }
      if (this.stopped) {
        this.setState('stopped', 'stopped');
        this.flushStopWaiters();
        return;
      }
      if (this.proactive) {
        this.proactive = false;
        this.setState('down', this.proactiveReason);
        this.connect();
        return;
      }
      this.counters.reconnects++;
      this.setState('down', `closed ${code}${reasonText === '' ? '' : `: ${reasonText}`}`);
      this.schedule(this.backoff.next());
    });
  }

  private flushStopWaiters(): void {
    const w = this.stopWaiters;
    this.stopWaiters = [];
    for (const f of w) f();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
  }

  /** Liveness, keepalive, age limit, queued sends. Runs every checkIntervalMs. */
  private check(): void {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return;
    const now = this.clock();
    // flush queued control frames within the per-second limit
    if (this.queue.length > 0) {
      if (now - this.sendWindowStart >= 1000) {
        this.sendWindowStart = now;
        this.sendCount = 0;
      }
      while (this.queue.length > 0 && this.sendCount < this.maxSend) {
        this.sendCount++;
        this.counters.sent++;
        ws.send(this.queue.shift()!);
      }
    }
    const idle = now - this.lastRxMs;
    if (this.deadMs > 0 && idle >= this.deadMs) {
      this.counters.deadEvents++;
      this.reconnect(`no frame for ${Math.round(idle)} ms`);
      return;
    }
    if (this.maxAgeMs > 0 && now - this.openedAtMs >= this.maxAgeMs) {
      this.reconnect('connection age limit');
      return;
    }
    if (this.opts.keepalive.mode === 'text-ping') {
      if (this.pingOutstanding) {
        if (now - this.pingSentAtMs >= this.pongTimeoutMs) {
          this.counters.pongTimeouts++;
          this.reconnect(`no pong within ${this.pongTimeoutMs} ms`);
          return;
        }
      } else if (idle >= this.idleMs) {
        this.pingOutstanding = true;
        this.pingSentAtMs = now;
        this.counters.pingsSent++;
        this.counters.sent++;
        ws.send(this.pingText);
      }
    }
    if (this.staleMs > 0 && idle >= this.staleMs && this.state === 'open') {
      this.counters.staleEvents++;
      this.setState('stale', `no frame for ${Math.round(idle)} ms`);
    }
  }
}

export function errText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
