// A misbehaving HTTP server on 127.0.0.1 for fault tests: each first path segment ("/<case>/...") behaves as the
// test sets it (hangs, trickles, answers any status, headers and bytes, or streams an endless body), and every
// request is recorded with when it came, when its connection closed and how many body bytes were written to it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Behaviour =
  /** Reads the request and never answers. */
  | { kind: 'hang' }
  /** 200 with its headers at once, then one byte a second, never finishing. */
  | { kind: 'trickle' }
  /** This status, headers and body. */
  | { kind: 'answer'; status: number; headers?: Record<string, string>; body?: string | Buffer }
  /** 200 and a body without end, as fast as the client reads it. */
  | { kind: 'endless' };

export interface BadRequest {
  path: string;
  method: string;
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
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly server: Server;
  url = '';

  private constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => this.handle(req, res, body));
    });
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
  on(name: string, behaviour: Behaviour): string {
    this.behaviours.set(name, behaviour);
    return `${this.url}/${name}`;
  }

  /** The requests to `/<name>/...`, oldest first. */
  requestsTo(name: string): BadRequest[] {
    return this.requests.filter(r => r.path === `/${name}` || r.path.startsWith(`/${name}/`));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const request: BadRequest = { path, method: req.method ?? '', body, start: performance.now(), bytes: 0 };
    this.requests.push(request);
    res.on('close', () => (request.end = performance.now()));
    const behaviour = this.behaviours.get(path.split('/')[1] ?? '') ?? { kind: 'answer', status: 404 };
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
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/json' });
        // Writes while the socket takes more, resumes on drain, stops when the client hangs up.
        const pump = () => {
          while (!res.destroyed) {
            request.bytes += CHUNK.length;
            if (!res.write(CHUNK)) return;
          }
        };
        res.on('drain', pump);
        pump();
        return;
      }
    }
  }
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
