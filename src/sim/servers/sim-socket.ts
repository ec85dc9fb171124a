// One server-side WebSocket connection of a simulated venue, with the venue's connection rules
// and the frame-level faults:
// - outbound pipeline: latency (+ jitter), stall, drop, duplicate, reorder, disconnect, all drawn
//   from the FaultController for this venue and target ('market' or 'private');
// - keepalive as each venue documents it: server ping frames every `ping.intervalMs` with the
//   connection dropped when no pong echoing the ping's payload arrives within `ping.timeoutMs`
//   (Binance); or an idle cut with close code 4004 when nothing went either way for
//   `idle.timeoutMs` (OKX);
// - a cap on incoming messages per second (Binance streams: 5 spot, 10 USD-M; pings, pongs and
//   JSON messages all count), a maximum connection lifetime (24 h), and a slow-consumer cut.
//
// Invariants:
// - Frames are delivered in the order they were handed to `send`/`push`, except where a reorder
//   fault deliberately swaps two data frames. Latency never reorders (each frame is due no
//   earlier than the previous one).
// - Only data frames (`push`) can be dropped, duplicated, reordered or cause a disconnect;
//   answers to requests (`send`) only see latency and stalls, so a request is never silently lost
//   unless an order fault says so.
// - After `closed` becomes true nothing is sent and every timer of the connection is cleared.
import type { WebSocket } from 'ws';
import type { SimClock } from '../clock.js';
import type { FaultController } from '../faults.js';

export interface SimSocketOptions {
  readonly venue: string;
  readonly target: 'market' | 'private';
  readonly faults: FaultController;
  readonly clock: SimClock;
  /** Server-initiated ping frames (Binance). */
  readonly ping?: { readonly intervalMs: number; readonly timeoutMs: number } | null;
  /** Close with `code` when nothing was received or sent for `timeoutMs` (OKX 4004). */
  readonly idle?: { readonly timeoutMs: number; readonly code: number; readonly reason: string } | null;
  /** Incoming messages (including ping/pong frames) allowed per second; 0 = unlimited. */
  readonly incomingPerSecond?: number;
  /** Close after this long (24 h on Binance); 0 = never. */
  readonly maxLifetimeMs?: number;
  /** Bytes queued in the socket beyond which the client is a slow consumer and is cut. */
  readonly maxBufferedBytes?: number;
  readonly onMessage: (text: string, sock: SimSocket) => void;
  readonly onClose?: (sock: SimSocket) => void;
}

let nextSocketId = 1;

export class SimSocket {
  readonly id = nextSocketId++;
  closed = false;
  /** Free-form per-connection state of the protocol server. */
  readonly state: Record<string, unknown> = {};
  private readonly q: string[] = [];
  private readonly due: number[] = [];
  private lastDue = 0;
  private timer: NodeJS.Timeout | null = null;
  private stalledUntil = 0;
  private held: string | null = null;
  private heldTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private lifeTimer: NodeJS.Timeout | null = null;
  private pingSeq = 0;
  private pendingPing = '';
  private pendingSince = 0;
  private lastActivity = performance.now();
  private rateWindow = -1;
  private rateCount = 0;

  constructor(
    readonly ws: WebSocket,
    readonly opts: SimSocketOptions,
  ) {
    ws.on('message', (data, isBinary) => {
      this.lastActivity = performance.now();
      if (!this.countIncoming()) return;
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
      try {
        opts.onMessage(text, this);
      } catch {
        // a protocol handler bug must not kill the server; the connection is closed instead
        this.close(1011, 'internal error');
      }
    });
    ws.on('ping', () => {
      this.lastActivity = performance.now();
      this.countIncoming();
    });
    ws.on('pong', (payload: Buffer) => {
      this.lastActivity = performance.now();
      if (!this.countIncoming()) return;
      if (this.pendingSince !== 0 && payload.toString() === this.pendingPing) this.pendingSince = 0;
    });
    ws.on('close', () => this.finish());
    ws.on('error', () => this.terminate());
    const ping = opts.ping;
    if (ping && ping.intervalMs > 0) {
      this.pingTimer = setInterval(() => this.sendPing(), ping.intervalMs);
      this.checkTimer = setInterval(() => this.checkPong(), Math.max(10, Math.min(ping.intervalMs, Math.floor(ping.timeoutMs / 4))));
    }
    const idle = opts.idle;
    if (idle && idle.timeoutMs > 0) {
      this.idleTimer = setInterval(() => {
        if (performance.now() - this.lastActivity > idle.timeoutMs) this.close(idle.code, idle.reason);
      }, Math.max(10, Math.min(1000, Math.floor(idle.timeoutMs / 4))));
    }
    if (opts.maxLifetimeMs !== undefined && opts.maxLifetimeMs > 0) {
      this.lifeTimer = setTimeout(() => this.close(1000, 'connection lifetime reached'), opts.maxLifetimeMs);
    }
  }

  get venue(): string {
    return this.opts.venue;
  }

  get target(): 'market' | 'private' {
    return this.opts.target;
  }

  /** An answer or control frame: latency and stalls apply, nothing is lost. */
  send(text: string): void {
    if (this.closed) return;
    this.enqueue(text);
  }

  /** A data frame: every frame fault of the venue and target applies. */
  push(text: string): void {
    if (this.closed) return;
    const f = this.opts.faults;
    const v = this.opts.venue;
    const t = this.opts.target;
    if (f.decide('disconnect', v, t, `socket ${this.id}`) !== null) {
      this.terminate();
      return;
    }
    const stall = f.decide('stall', v, t, `socket ${this.id}`);
    if (stall !== null) this.stall(stall.delayMs ?? 0);
    if (f.decide('drop', v, t, `socket ${this.id}`) !== null) return;
    const dup = f.decide('duplicate', v, t, `socket ${this.id}`) !== null;
    const reorder = f.decide('reorder', v, t, `socket ${this.id}`);
    if (reorder !== null) {
      this.releaseHeld();
      this.held = text;
      this.heldTimer = setTimeout(() => this.releaseHeld(), reorder.delayMs ?? 200);
      if (dup) this.enqueue(text);
      return;
    }
    this.enqueue(text);
    if (dup) this.enqueue(text);
    this.releaseHeld();
  }

  /** Holds every outbound frame for `ms`, then delivers them in order. */
  stall(ms: number): void {
    if (this.closed || ms <= 0) return;
    const until = performance.now() + ms;
    if (until > this.stalledUntil) this.stalledUntil = until;
    this.schedule();
  }

  /** Close with a close frame (code, reason). */
  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.flushAll();
    this.finish();
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
  }

  /** Cut the connection without a close frame. */
  terminate(): void {
    if (this.closed) return;
    this.finish();
    this.ws.terminate();
  }

  // ---- internals --------------------------------------------------------------------------------

  private countIncoming(): boolean {
    const cap = this.opts.incomingPerSecond ?? 0;
    if (cap <= 0) return true;
    const w = Math.floor(this.opts.clock.now() / 1000);
    if (w !== this.rateWindow) {
      this.rateWindow = w;
      this.rateCount = 0;
    }
    if (++this.rateCount > cap) {
      this.close(1008, 'Too many messages');
      return false;
    }
    return true;
  }

  private releaseHeld(): void {
    if (this.heldTimer !== null) {
      clearTimeout(this.heldTimer);
      this.heldTimer = null;
    }
    if (this.held !== null) {
      const h = this.held;
      this.held = null;
      this.enqueue(h);
    }
  }

  private enqueue(text: string): void {
    const now = performance.now();
    const delay = this.opts.faults.delayFor(this.opts.venue, this.opts.target);
    let due = now + delay;
    if (due < this.lastDue) due = this.lastDue;
    this.lastDue = due;
    if (this.q.length === 0 && due <= now && now >= this.stalledUntil) {
      this.write(text);
      return;
    }
    this.q.push(text);
    this.due.push(due);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.timer !== null || this.q.length === 0) return;
    const head = Math.max(this.due[0]!, this.stalledUntil);
    const wait = Math.max(0, head - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushDue();
    }, wait);
  }

  private flushDue(): void {
    const now = performance.now();
    if (now < this.stalledUntil) {
      this.schedule();
      return;
    }
    let n = 0;
    while (n < this.q.length && this.due[n]! <= now + 0.5) n++;
    const items = this.q.splice(0, n);
    this.due.splice(0, n);
    for (const t of items) this.write(t);
    this.schedule();
  }

  private flushAll(): void {
    this.releaseHeld();
    const items = this.q.splice(0);
    this.due.length = 0;
    for (const t of items) this.write(t);
  }

  private write(text: string): void {
    if (this.closed) return;
    this.lastActivity = performance.now();
    const ws = this.ws;
    if (ws.readyState !== 1) return;
    const cap = this.opts.maxBufferedBytes ?? 64 << 20;
    if (ws.bufferedAmount > cap) {
      this.terminate();
      return;
    }
    ws.send(text);
  }

  private sendPing(): void {
    if (this.closed || this.ws.readyState !== 1) return;
    const payload = String(++this.pingSeq);
    if (this.pendingSince === 0) this.pendingSince = performance.now();
    this.pendingPing = payload;
    try {
      this.ws.ping(payload);
    } catch {
      this.terminate();
    }
  }

  private checkPong(): void {
    const ping = this.opts.ping;
    if (!ping || this.pendingSince === 0) return;
    if (performance.now() - this.pendingSince > ping.timeoutMs) this.terminate();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of [this.timer, this.heldTimer, this.lifeTimer]) if (t !== null) clearTimeout(t);
    for (const t of [this.pingTimer, this.checkTimer, this.idleTimer]) if (t !== null) clearInterval(t);
    this.timer = this.heldTimer = this.lifeTimer = this.pingTimer = this.checkTimer = this.idleTimer = null;
    this.q.length = 0;
    this.due.length = 0;
    this.held = null;
    this.opts.onClose?.(this);
  }
}
