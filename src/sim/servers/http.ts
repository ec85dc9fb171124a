// Plain HTTP plumbing shared by the simulated venues: one node:http server per venue on a
// loopback address, serving REST and accepting WebSocket upgrades (routed by path to the venue's
// `ws` servers). No venue knowledge here.
//
// Invariants:
// - Only loopback hosts are accepted (127.0.0.1, ::1, localhost): the simulator never listens on
//   a public interface.
// - Request bodies are bounded (`maxBodyBytes`, default 1 MiB); a larger body is answered 413 and
//   the socket is closed.
// - `close()` ends every open connection, including requests whose answer a fault withholds, so
//   a stopped simulator leaves no socket or timer behind.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

export interface HttpRequest {
  readonly method: string;
  /** Path without the query, exactly as sent (not decoded). */
  readonly path: string;
  /** The raw query string after '?', exactly as sent ('' when none). */
  readonly rawQuery: string;
  /** The raw body text ('' when none). */
  readonly body: string;
  readonly headers: IncomingMessage['headers'];
  /** Remote IP (rate limits are per IP). */
  readonly ip: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

export type RequestHandler = (r: HttpRequest) => void | Promise<void>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, path: string, rawQuery: string) => void;

export interface HttpServerHandle {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** `http://host:port` (IPv6 hosts bracketed). */
  readonly baseUrl: string;
  readonly wsBaseUrl: string;
  close(): Promise<void>;
}

export function splitUrl(url: string): { path: string; rawQuery: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, rawQuery: '' } : { path: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

export async function startHttpServer(opts: {
  host: string;
  port: number;
  maxBodyBytes?: number;
  onRequest: RequestHandler;
  onUpgrade: UpgradeHandler;
}): Promise<HttpServerHandle> {
  if (!LOOPBACK_HOSTS.includes(opts.host)) throw new Error(`sim: host must be a loopback address (${LOOPBACK_HOSTS.join(', ')}), got ${opts.host}`);
  const maxBody = opts.maxBodyBytes ?? 1 << 20;
  const sockets = new Set<Duplex>();
  const server = createServer({ keepAlive: true }, (req, res) => {
    const { path, rawQuery } = splitUrl(req.url ?? '/');
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      if (tooBig) return;
      size += c.length;
      if (size > maxBody) {
        tooBig = true;
        res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' });
        res.end('{"code":-1,"msg":"request body too large"}');
        req.socket.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) return;
      const body = Buffer.concat(chunks).toString('utf8');
      const r: HttpRequest = { method: req.method ?? 'GET', path, rawQuery, body, headers: req.headers, ip: req.socket.remoteAddress ?? '', req, res };
      try {
        const p = opts.onRequest(r);
        if (p instanceof Promise) p.catch((e: unknown) => internalError(res, e));
      } catch (e) {
        internalError(res, e);
      }
    });
    req.on('error', () => req.socket.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const { path, rawQuery } = splitUrl(req.url ?? '/');
    try {
      opts.onUpgrade(req, socket, head, path, rawQuery);
    } catch {
      rejectUpgrade(socket, 500, 'internal error');
    }
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    server,
    host: opts.host,
    port,
    baseUrl: `http://${hostPart}:${port}`,
    wsBaseUrl: `ws://${hostPart}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function internalError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ code: -1000, msg: `simulator internal error: ${e instanceof Error ? e.message : String(e)}` }));
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, body: string): void {
  const reason = status === 404 ? 'Not Found' : status === 400 ? 'Bad Request' : status === 401 ? 'Unauthorized' : status === 429 ? 'Too Many Requests' : 'Error';
  const text = `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  try {
    socket.end(text);
  } catch {
    socket.destroy();
  }
}

/** Writes a JSON answer (object or pre-serialised text). */
export function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** One header value as a string ('' when absent; the last value when repeated). */
export function header(h: IncomingMessage['headers'], name: string): string {
  const v = h[name.toLowerCase()];
  if (Array.isArray(v)) return v[v.length - 1] ?? '';
  return typeof v === 'string' ? v : '';
}
