// A misbehaving HTTP server on 127.0.0.1 for fault tests: each first path segment ("/<case>/...") behaves as the
// test sets it (hangs, trickles, answers any status, headers and bytes, cuts an answer short, streams a large or an
// endless body, or takes a WebSocket upgrade), and every request is recorded with its query and headers, when it
// came, when its connection closed and how many body bytes were written to it.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { acceptWebSocket, type WsPeer } from './fake-api.ts';

export type Behaviour =
  /** Reads the request and never answers (an upgrade request is never answered either). */
  | { kind: 'hang' }
  /** 200 with its headers at once, then one byte a second, never finishing. */
  | { kind: 'trickle' }
  /** This status, headers and body (to an upgrade request too, which it refuses). */
  | { kind: 'answer'; status: number; headers?: Record<string, string>; body?: string | Buffer }
  /** 200 announcing `promised` bytes, then `body` (fewer bytes) and the connection closed. */
  | { kind: 'cut'; promised: number; body: string }
  /** 200 and `bytes` of body without a Content-Length, as fast as the client reads it. */
  | { kind: 'huge'; bytes: number }
  /** 200 and a body without end, as fast as the client reads it. */
  | { kind: 'endless' }
  /** Accepts a WebSocket upgrade and hands the connection to `accept`; a plain request gets a 400. */
  | { kind: 'websocket'; accept: (peer: WsPeer) => void };

/** A case's behaviour, or a choice of one per request (e.g. to answer discovery and fail the rest). */
export type Behaves = Behaviour | ((request: BadRequest) => Behaviour);

export interface BadRequest {
  path: string;
  /** The query string's parameters. */
  query: URLSearchParams;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request was read. */
  start: number;
  /** performance.now() when the connection closed (the answer was done or either side gave up). */
  end?: number;
  /** Response body bytes handed to the socket. */
  bytes: number;
}

const CHUNK = Buffer.alloc(64 * 1024, '{"status":"success","data":');

export class BadServer {
  readonly requests: BadRequest[] = [];
  private readonly behaviours = new Map<string, Behaves>();
  private readonly server: Server;
  /** Upgraded connections, which the HTTP server no longer tracks. */
  private readonly upgraded = new Set<Duplex>();
  url = '';

  private constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => this.handle(req, res, body));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => this.upgrade(req, socket));
  }

  static async start(): Promise<BadServer> {
    const bad = new BadServer();
    await new Promise<void>(resolve => bad.server.listen(0, '127.0.0.1', resolve));
    bad.url = `http://127.0.0.1:${String(portOf(bad.server))}`;
    return bad;
  }

  /** The URL of a port nothing listens on: connections are refused. */
  static async closedPort(): Promise<string> {
    const server = createServer();
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const port = portOf(server);
    await new Promise<void>(resolve => server.close(() => resolve()));
    return `http://127.0.0.1:${String(port)}`;
  }

  /** Makes `/<name>/...` behave so from now on; returns the base URL of the case. */
  on(name: string, behaviour: Behaves): string {
    this.behaviours.set(name, behaviour);
    return `${this.url}/${name}`;
  }

  /** The requests to `/<name>/...`, oldest first. */
  requestsTo(name: string): BadRequest[] {
    return this.requests.filter(r => r.path === `/${name}` || r.path.startsWith(`/${name}/`));
  }

  async stop(): Promise<void> {
    for (const socket of this.upgraded) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private record(req: IncomingMessage, body: string): { request: BadRequest; behaviour: Behaviour } {
    const url = new URL(req.url ?? '/', this.url);
    const request: BadRequest = {
      path: url.pathname,
      query: url.searchParams,
      method: req.method ?? '',
      headers: req.headers,
      body,
      start: performance.now(),
      bytes: 0,
    };
    this.requests.push(request);
    const behaves = this.behaviours.get(url.pathname.split('/')[1] ?? '') ?? { kind: 'answer', status: 404 };
    return { request, behaviour: typeof behaves === 'function' ? behaves(request) : behaves };
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const { request, behaviour } = this.record(req, body);
    res.on('close', () => (request.end = performance.now()));
    switch (behaviour.kind) {
      case 'hang':
        return;
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => {
          res.write(' ');
          request.bytes++;
        }, 1_000);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'answer':
        res.writeHead(behaviour.status, behaviour.headers);
        request.bytes += Buffer.byteLength(behaviour.body ?? '');
        res.end(behaviour.body);
        return;
      case 'cut':
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(behaviour.promised),
        });
        request.bytes += Buffer.byteLength(behaviour.body);
        res.write(behaviour.body, () => res.destroy());
        return;
      case 'huge':
      case 'endless':
        pump(res, request, behaviour.kind === 'huge' ? behaviour.bytes : Infinity);
        return;
      case 'websocket':
        res.writeHead(400).end();
        return;
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex): void {
    const { request, behaviour } = this.record(req, '');
    this.upgraded.add(socket);
    socket.on('close', () => {
      request.end = performance.now();
      this.upgraded.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    // The server's sockets allow half-open connections: the client hanging up must close this one.
    socket.on('end', () => socket.destroy());
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'websocket') {
      const url = new URL(req.url ?? '/', this.url);
      behaviour.accept(
        acceptWebSocket(socket, { method: request.method, url, headers: req.headers, body: '' }),
      );
      return;
    }
    const status = behaviour.kind === 'answer' ? behaviour.status : 500;
    const headers = behaviour.kind === 'answer' ? behaviour.headers : undefined;
    const body = behaviour.kind === 'answer' ? (behaviour.body ?? '') : '';
    const lines = Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)) });
    socket.end(
      `HTTP/1.1 ${status} Refused\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body.toString()}`,
    );
  }
}

/** Writes 200 and up to `limit` bytes while the socket takes more, resuming on drain, until the client hangs up. */
function pump(res: ServerResponse, request: BadRequest, limit: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const write = () => {
    while (!res.destroyed) {
      const left = limit - request.bytes;
      if (left <= 0) {
        res.end();
        return;
      }
      const chunk = left < CHUNK.length ? CHUNK.subarray(0, left) : CHUNK;
      request.bytes += chunk.length;
      if (!res.write(chunk)) return;
    }
  };
  res.on('drain', write);
  write();
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
