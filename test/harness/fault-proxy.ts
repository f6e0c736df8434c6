// An HTTP proxy on loopback between one client and the API server that answers chosen requests itself: conflicts,
// server errors, throttling, or watches that go silent. The client speaks plain HTTP to it (with its own token,
// passed through); the proxy speaks HTTPS to the API server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { seededRandom } from './seeds.ts';

export interface FaultRule {
  /** Which requests: method (GET, PUT, PATCH, ...) and a pattern of the path with its query. */
  method?: string;
  path?: RegExp;
  /** Watches only (true) or everything but watches (false); both when unset. */
  watch?: boolean;
  /** The answer: an HTTP status with a Kubernetes Status body. */
  status: number;
  /** Injects into one matching request in `every` (1: all of them). */
  every?: number;
  /**
   * Or injects into this share (0..1) of matching requests, drawn from a seeded sequence: a fixed period could
   * hit the same request of every tick, which no real fault does.
   */
  share?: number;
}

export class FaultProxy {
  private readonly server: Server;
  private readonly rules: { rule: FaultRule; seen: number }[] = [];
  private readonly random = seededRandom(20261122);
  private readonly sockets = new Set<Socket>();
  /** Open watch responses, so that a test can make them go silent. */
  private readonly watches = new Set<{ upstream: IncomingMessage; response: ServerResponse }>();
  /** How many requests got each status from the proxy itself. */
  readonly injected = new Map<number, number>();
  port = 0;

  private constructor(upstream: URL) {
    this.server = createServer((request, response) => this.handle(upstream, request, response));
    this.server.on('connection', socket => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts a proxy to the API server at `upstream` (https://127.0.0.1:port). */
  static async start(upstream: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(upstream));
    await new Promise<void>(resolve => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    proxy.port = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${String(this.port)}`;
  }

  inject(rule: FaultRule): void {
    this.rules.push({ rule, seen: 0 });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /**
   * Every open watch stops delivering events while its connection stays open, as when a path drops packets
   * without closing the connection; later watches work.
   */
  silenceWatches(): number {
    for (const { upstream } of this.watches) upstream.unpipe();
    const count = this.watches.size;
    this.watches.clear();
    return count;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private handle(upstream: URL, request: IncomingMessage, response: ServerResponse): void {
    const isWatch = /[?&]watch=(true|1)/.test(request.url ?? '');
    const status = this.faultFor(request, isWatch);
    if (status !== undefined) {
      this.injected.set(status, (this.injected.get(status) ?? 0) + 1);
      request.resume();
      // As the API server: throttling and overload say when to come back, an internal error does not.
      const retry = status === 429 || status === 503 ? { 'Retry-After': '1' } : {};
      response.writeHead(status, { 'Content-Type': 'application/json', ...retry });
      response.end(JSON.stringify(statusBody(status)));
      return;
    }
    const forwarded = httpsRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host },
        rejectUnauthorized: false,
      },
      answer => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        if (!isWatch) return;
        const entry = { upstream: answer, response };
        this.watches.add(entry);
        answer.on('close', () => this.watches.delete(entry));
      },
    );
    forwarded.on('error', () => response.destroy());
    response.on('close', () => forwarded.destroy());
    request.pipe(forwarded);
  }

  private faultFor(request: IncomingMessage, isWatch: boolean): number | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.method !== undefined && rule.method !== request.method) continue;
      if (rule.path !== undefined && !rule.path.test(request.url ?? '')) continue;
      if (rule.watch !== undefined && rule.watch !== isWatch) continue;
      entry.seen++;
      if (rule.share !== undefined ? this.random() < rule.share : entry.seen % (rule.every ?? 1) === 0)
        return rule.status;
    }
    return undefined;
  }
}

/** What the API server would say, so that the client reads a typed error (Conflict, TooManyRequests, ...). */
function statusBody(code: number): object {
  const reasons: Record<number, string> = {
    409: 'Conflict',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
  };
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: reasons[code] ?? 'Unknown',
    code,
    message: `injected by the fault proxy: ${String(code)}`,
  };
}
